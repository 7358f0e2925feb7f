//! Reduces HTML to the subset Ashby keeps in notes.
//!
//! Ashby's HTML notes keep only `<b> <i> <u> <a> <ul> <ol> <li> <code> <pre>` and strip every
//! other element. To keep the text readable this sanitizer, rather than leaving it to Ashby:
//! - keeps those elements (without attributes, except an `http`, `https` or `mailto` `href` on
//!   `<a>`), and maps `<strong>` → `<b>`, `<em>` → `<i>`, headings `<h1>`–`<h6>` → `<b>` + line
//!   break;
//! - turns `<br>` into a line break and ends `<p>`, `<div>`, `<tr>`, `<blockquote>` with a blank
//!   line (line breaks are plain `\n` characters; three or more collapse to two);
//! - drops comments and the content of `<script>`, `<style>`, `<head>` and `<title>`;
//! - drops every other tag but keeps its text; text and entities pass through unchanged, and a
//!   stray `<` that starts no tag becomes `&lt;`.

/// The HTML `input` reduced to Ashby's note subset (see the module docs).
pub fn sanitize_note_html(input: &str) -> String {
    let mut out = String::with_capacity(input.len());
    let mut kept_links: Vec<bool> = Vec::new();
    let mut rest = input;
    while let Some(lt) = rest.find('<') {
        out.push_str(&rest[..lt]);
        rest = &rest[lt..];
        if let Some(after) = rest.strip_prefix("<!--") {
            rest = after.find("-->").map_or("", |end| &after[end + 3..]);
            continue;
        }
        let Some(gt) = rest.find('>') else {
            out.push_str("&lt;");
            rest = &rest[1..];
            continue;
        };
        let inner = &rest[1..gt];
        rest = &rest[gt + 1..];
        let (closing, body) = match inner.strip_prefix('/') {
            Some(b) => (true, b),
            None => (false, inner),
        };
        let name: String = body
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        if name.is_empty() {
            // `< 3` or `<>`: not a tag.
            out.push_str("&lt;");
            out.push_str(inner);
            out.push('>');
            continue;
        }
        if !closing && matches!(name.as_str(), "script" | "style" | "head" | "title") {
            let lower = rest.to_ascii_lowercase();
            let end_tag = format!("</{name}");
            rest = match lower.find(&end_tag) {
                Some(i) => rest[i..].find('>').map_or("", |j| &rest[i + j + 1..]),
                None => "",
            };
            continue;
        }
        let slash = if closing { "/" } else { "" };
        match name.as_str() {
            "b" | "strong" => out.push_str(&format!("<{slash}b>")),
            "i" | "em" => out.push_str(&format!("<{slash}i>")),
            "u" | "ul" | "ol" | "li" | "code" | "pre" => out.push_str(&format!("<{slash}{name}>")),
            "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => {
                out.push_str(&format!("<{slash}b>"));
                if closing {
                    out.push('\n');
                }
            }
            "a" if closing && kept_links.pop().unwrap_or(false) => out.push_str("</a>"),
            "a" if closing => {}
            "a" => match href(body).filter(|h| safe_href(h)) {
                Some(h) => {
                    kept_links.push(true);
                    out.push_str(&format!("<a href=\"{}\">", h.replace('"', "&quot;")));
                }
                None => kept_links.push(false),
            },
            "br" => out.push('\n'),
            "p" | "div" | "tr" | "blockquote" if closing => out.push_str("\n\n"),
            _ => {}
        }
    }
    out.push_str(rest);
    collapse_newlines(out.trim())
}

fn collapse_newlines(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut run = 0;
    for c in s.chars() {
        if c == '\n' {
            run += 1;
            if run <= 2 {
                out.push(c);
            }
        } else {
            run = 0;
            out.push(c);
        }
    }
    out
}

fn safe_href(h: &str) -> bool {
    let l = h.trim().to_ascii_lowercase();
    l.starts_with("http://") || l.starts_with("https://") || l.starts_with("mailto:")
}

/// The `href` attribute of a tag body such as `a class="x" href='https://…'`.
fn href(tag: &str) -> Option<String> {
    let lower = tag.to_ascii_lowercase();
    let mut from = 0;
    while let Some(pos) = lower[from..].find("href") {
        let at = from + pos;
        from = at + 4;
        let before_ok = at == 0 || lower.as_bytes()[at - 1].is_ascii_whitespace();
        let after = tag[at + 4..].trim_start();
        let Some(value) = after.strip_prefix('=').map(str::trim_start) else {
            continue;
        };
        if !before_ok {
            continue;
        }
        let v = match value.chars().next() {
            Some(q @ ('"' | '\'')) => value[1..].split(q).next().unwrap_or(""),
            _ => value
                .split(|c: char| c.is_whitespace() || c == '/')
                .next()
                .unwrap_or(""),
        };
        return Some(v.to_owned());
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_supported_subset() {
        let s = sanitize_note_html(
            "<b>Bold</b> <i>it</i> <u>u</u> <ul><li>one</li></ul><ol><li>two</li></ol><code>x</code><pre>y</pre>",
        );
        assert_eq!(
            s,
            "<b>Bold</b> <i>it</i> <u>u</u> <ul><li>one</li></ul><ol><li>two</li></ol><code>x</code><pre>y</pre>"
        );
    }

    #[test]
    fn maps_and_strips_other_tags() {
        let s = sanitize_note_html(
            "<div class=\"x\"><h2>Title</h2><p>Hello <strong>there</strong>,<br>new line</p><p><em>Bye</em> <span style='c'>now</span></p></div>",
        );
        assert_eq!(
            s,
            "<b>Title</b>\nHello <b>there</b>,\nnew line\n\n<i>Bye</i> now"
        );
    }

    #[test]
    fn links_keep_only_safe_hrefs() {
        let s = sanitize_note_html(
            "<a class=\"c\" href=\"https://x.example/a?b=1\" onclick=\"evil()\">ok</a> <a href=\"javascript:alert(1)\">bad</a>",
        );
        assert_eq!(s, "<a href=\"https://x.example/a?b=1\">ok</a> bad");
        assert_eq!(
            sanitize_note_html("<A HREF='mailto:a@b.example'>m</A>"),
            "<a href=\"mailto:a@b.example\">m</a>"
        );
    }

    #[test]
    fn drops_scripts_styles_and_comments() {
        let s = sanitize_note_html(
            "a<script>alert('x')</script>b<style>p{}</style>c<!-- hidden -->d<img src=x>e",
        );
        assert_eq!(s, "abcde");
    }

    #[test]
    fn stray_angle_brackets_stay_text() {
        assert_eq!(sanitize_note_html("1 < 2 and 3 > 2"), "1 &lt; 2 and 3 > 2");
        assert_eq!(sanitize_note_html("x <"), "x &lt;");
    }
}
