//! Identity normalization for exclusion: two spellings of one person's email, LinkedIn profile
//! or phone number give the same [`IdentityKey`].
//!
//! A false match stops Dover from contacting someone (costly but safe); a missed match contacts
//! someone the customer already has (the failure exclusion exists to prevent). The rules fold
//! every difference that cannot change who is meant, and keep every difference that can.
//!
//! Every function here is idempotent: feeding a normalized value back in returns it unchanged,
//! so stored keys can be normalized again safely.
//!
//! # Emails ([`normalize_email`])
//! - Trimmed, Unicode NFKC, lowercased (then NFKC again, so the result is stable): mail systems
//!   treat addresses case-insensitively in practice, and NFKC makes full-width or compatibility
//!   spellings of the same characters one string. A leading `mailto:` is dropped.
//! - `gmail.com` and `googlemail.com`: dots in the local part are dropped, a `+tag` is cut, and
//!   `googlemail.com` becomes `gmail.com`: Google delivers all of these to one mailbox.
//! - Every other domain keeps its dots **and its `+tags`**. Dots are significant at most
//!   providers. Many providers support `+` subaddressing, but not all, and an organization may
//!   give `first+last@company.com` to a real, different person; stripping the tag could then
//!   exclude a stranger, and whether a given domain subaddresses cannot be known offline. We
//!   accept the missed match (`jane+ats@company.com` ≠ `jane@company.com`) rather than guess.
//! - Rejected as not an email: no `@`, several `@`, an empty local part or domain, whitespace or
//!   control characters inside, characters no address has outside quotes (`<>()[]\,;:"`), a
//!   domain without a dot, with an empty label, a label starting or ending with `-`, characters
//!   other than letters, digits and `-`, or a top-level label without a letter (IP literals are
//!   not a person's address). A single trailing dot of the domain (`example.com.`) is dropped.
//!
//! # LinkedIn profile URLs ([`normalize_linkedin`])
//! - Any `scheme://` (`http`, `https`) or none; the host `linkedin.com` or one subdomain of it
//!   (`www.`, country hosts like `uk.` and `de.`, mobile `m.`), with an optional port; a user
//!   part (`x@linkedin.com`) is refused. Query, fragment and trailing slashes are dropped. Each
//!   path segment is percent-decoded, then lowercased and put in NFC: LinkedIn profile slugs are
//!   case-insensitive, and `%2D` is `-`.
//! - `/in/<slug>` → `in/<slug>`; segments after the slug (`/details/experience/`, a locale) are
//!   ignored: they are views of the same profile.
//! - The legacy `/pub/<name>/<a>/<b>/<c>` form, with three hexadecimal codes, is the profile
//!   LinkedIn redirects it to: `in/<name>-<c><b><a>` with `b` and `a` zero-padded to three
//!   digits (`/pub/jane-doe/1a/2b/3c` → `in/jane-doe-3c02b01a`). A `/pub/` URL whose codes are not
//!   of that shape keys as its own path (`pub/…`) and only matches itself. `/pub/dir/…` is a
//!   directory search, not a profile.
//! - The canonical key itself (`in/<slug>`, `pub/…`, with or without a leading `/`) is accepted
//!   as input so normalizing a key returns it unchanged.
//! - Rejected: other hosts (including look-alikes such as `notlinkedin.com`), company, school
//!   and job pages, a missing slug, and slugs that decode to whitespace, control characters or
//!   one of `/ ? # % \` (no real profile has them, and keeping them would make the key unstable).
//!
//! # Phone numbers ([`normalize_phone`])
//! Rules of our own rather than the `phonenumber` crate: the crate pulls in a large metadata
//! build and regex machinery for per-country validation that exclusion does not need (a number
//! only has to key the same way each time it is written), and its per-country rules would reject
//! numbers a recruiter typed that still identify a person.
//! - The input is NFKC-normalized (full-width digits become ASCII digits) and trimmed; a leading
//!   `tel:` is dropped.
//! - Extensions are dropped: everything from the first `x`, `ext`, `#`, `;` or `,` on. An
//!   extension reaches the same line's switchboard, so it is not part of the identity.
//! - Formatting is dropped: spaces, dots, dashes, slashes and parentheses. Any other letter or
//!   symbol rejects the input (`+1 800 FLOWERS` is not read as digits).
//! - International numbers keep their country code: a leading `+`, or the `00` international
//!   prefix (read as `+`), or `011` (the North American international prefix) when the default
//!   country code is 1 (a North American area code never starts with 0, so `011…` cannot be
//!   national there). The `(0)` that UK-style formatting puts after the country code
//!   (`+44 (0)20 …`) is dropped. A country code never starts with 0.
//! - National numbers with a default country code:
//!   - `1` (NANP): 10 digits, or 11 starting with `1`; the area code must start with 2–9.
//!   - any other code: one leading trunk `0` is dropped, then the code is prefixed. Italy (39)
//!     and San Marino (378) keep the leading `0`: it is part of their international numbers.
//! - National numbers without a default country code cannot be made E.164: they key as their
//!   digits alone (`4155550123`), which still matches the same digits written differently but not
//!   the `+1` form. Callers that know the country should pass it.
//! - Rejected: fewer than 7 digits as written (not counting an international prefix, a trunk
//!   `0` or a country code added from the default), more than 15 digits in the result (the E.164
//!   maximum), a `+` anywhere but first, letters, and no digits at all. A default country code
//!   outside 1–999 is refused with [`IdentityError::NotACountryCode`].

use crate::model::{Identity, IdentityKind};
use serde::{Deserialize, Serialize};
use std::fmt;
use unicode_normalization::UnicodeNormalization;

/// The canonical key two spellings of one identity share: equal keys mean "the same person by
/// this identity" under the module's rules. Displays as `email:…`, `linkedin:…` or `phone:…`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct IdentityKey {
    /// What kind of identity.
    pub kind: IdentityKind,
    /// The normalized value, as returned by the kind's `normalize_*` function.
    pub value: String,
}

impl fmt::Display for IdentityKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let prefix = match self.kind {
            IdentityKind::Email => "email",
            IdentityKind::LinkedIn => "linkedin",
            IdentityKind::Phone => "phone",
        };
        write!(f, "{prefix}:{}", self.value)
    }
}

/// Why an input is not an identity. Messages say what was wrong and never repeat the input.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum IdentityError {
    /// Nothing but whitespace.
    #[error("the value is empty")]
    Empty,
    /// Not an email address; the text says which rule it broke.
    #[error("not an email address: {0}")]
    NotAnEmail(&'static str),
    /// Not a LinkedIn profile URL; the text says which rule it broke.
    #[error("not a LinkedIn profile URL: {0}")]
    NotALinkedInProfile(&'static str),
    /// Not a phone number; the text says which rule it broke.
    #[error("not a phone number: {0}")]
    NotAPhoneNumber(&'static str),
    /// The default country code given is not a country calling code (1 to 999).
    #[error("the default country code is not a country calling code (1 to 999)")]
    NotACountryCode,
}

/// NFKC, lowercase, NFKC: the comparison form of free text. The second NFKC recomposes what
/// lowercasing may have left decomposed, so applying it twice changes nothing.
fn fold(s: &str) -> String {
    let lower = s.nfkc().collect::<String>().to_lowercase();
    lower.nfkc().collect()
}

/// Normalizes an email address (rules in the module docs): trimmed, NFKC, lowercase; Gmail dots
/// and `+tags` dropped and `googlemail.com` → `gmail.com`; other providers keep dots and tags.
/// Errors when the input is not an address.
pub fn normalize_email(raw: &str) -> Result<String, IdentityError> {
    let s = fold(raw.trim());
    let s = s.strip_prefix("mailto:").unwrap_or(&s);
    if s.is_empty() {
        return Err(IdentityError::Empty);
    }
    if s.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(IdentityError::NotAnEmail("it contains spaces"));
    }
    let (local, domain) = s
        .rsplit_once('@')
        .ok_or(IdentityError::NotAnEmail("no @"))?;
    if local.contains('@') {
        return Err(IdentityError::NotAnEmail("more than one @"));
    }
    if local.is_empty() {
        return Err(IdentityError::NotAnEmail("nothing before the @"));
    }
    if local.chars().any(|c| "<>()[]\\,;:\"".contains(c)) {
        return Err(IdentityError::NotAnEmail(
            "characters an address cannot have before the @",
        ));
    }
    let domain = domain.strip_suffix('.').unwrap_or(domain);
    if domain.is_empty() {
        return Err(IdentityError::NotAnEmail("nothing after the @"));
    }
    let labels: Vec<&str> = domain.split('.').collect();
    let label_ok = |l: &&str| {
        !l.is_empty()
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.chars().all(|c| c.is_alphanumeric() || c == '-')
    };
    if labels.len() < 2 || !labels.iter().all(label_ok) {
        return Err(IdentityError::NotAnEmail("the domain is not a host name"));
    }
    if !labels
        .last()
        .is_some_and(|tld| tld.chars().any(char::is_alphabetic))
    {
        return Err(IdentityError::NotAnEmail("the domain is not a host name"));
    }
    let out = if domain == "gmail.com" || domain == "googlemail.com" {
        let base = local.split('+').next().unwrap_or_default().replace('.', "");
        if base.is_empty() {
            return Err(IdentityError::NotAnEmail("nothing before the @"));
        }
        format!("{base}@gmail.com")
    } else {
        format!("{local}@{domain}")
    };
    // Dropping dots can bring a combining mark next to a letter; recompose so the result is
    // a fixed point.
    Ok(fold(&out))
}

/// True for a URL scheme: a letter, then letters, digits, `+`, `-` or `.`.
fn is_scheme(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
}

/// True for `linkedin.com` or exactly one subdomain label of it (`www`, `uk`, `m`).
fn is_linkedin_host(host: &str) -> bool {
    host == "linkedin.com"
        || host.strip_suffix(".linkedin.com").is_some_and(|sub| {
            !sub.is_empty() && sub.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
}

/// One path segment of a profile URL: percent-decoded, lowercased, NFC; refused when empty or
/// when it holds characters no profile slug has.
fn profile_segment(raw: &str) -> Result<String, IdentityError> {
    let decoded = percent_encoding::percent_decode_str(raw)
        .decode_utf8()
        .map_err(|_| IdentityError::NotALinkedInProfile("the profile name is not valid text"))?;
    let seg: String = decoded.to_lowercase().nfc().collect();
    if seg.is_empty() {
        return Err(IdentityError::NotALinkedInProfile("no profile name"));
    }
    if seg
        .chars()
        .any(|c| c.is_whitespace() || c.is_control() || "/?#%\\".contains(c))
    {
        return Err(IdentityError::NotALinkedInProfile(
            "the profile name has characters no profile has",
        ));
    }
    Ok(seg)
}

/// Normalizes a LinkedIn profile URL to `in/<slug>` or, for legacy public URLs,
/// `pub/<name>/<a>/<b>/<c>` (rules in the module docs). Errors for other hosts, pages that are
/// not a person's profile, and a missing slug.
pub fn normalize_linkedin(raw: &str) -> Result<String, IdentityError> {
    let s = raw.trim();
    if s.is_empty() {
        return Err(IdentityError::Empty);
    }
    let lower = s.to_lowercase();
    let (has_scheme, rest) = match lower.split_once("://") {
        Some((scheme, rest)) if is_scheme(scheme) => (true, rest),
        _ => (false, lower.as_str()),
    };
    let rest = rest.trim_start_matches('/');
    let rest = &rest[..rest.find(['?', '#']).unwrap_or(rest.len())];
    let (authority, after_host) = rest.split_once('/').unwrap_or((rest, ""));
    let path = if !has_scheme && (authority == "in" || authority == "pub") {
        // The canonical key (`in/<slug>`) given back: no host to check.
        rest
    } else {
        if authority.contains('@') {
            return Err(IdentityError::NotALinkedInProfile(
                "the host is not linkedin.com",
            ));
        }
        let host = authority.split(':').next().unwrap_or(authority);
        let host = host.strip_suffix('.').unwrap_or(host);
        if !is_linkedin_host(host) {
            return Err(IdentityError::NotALinkedInProfile(
                "the host is not linkedin.com",
            ));
        }
        after_host
    };
    let mut segments = path.split('/').filter(|p| !p.is_empty());
    let kind = segments.next().map(profile_segment).transpose()?;
    match kind.as_deref() {
        Some("in") => {
            let slug = segments
                .next()
                .ok_or(IdentityError::NotALinkedInProfile(
                    "no profile name after /in/",
                ))
                .and_then(profile_segment)?;
            Ok(format!("in/{slug}"))
        }
        Some("pub") => {
            let parts = segments
                .take(4)
                .map(profile_segment)
                .collect::<Result<Vec<_>, _>>()?;
            if parts.len() < 4 {
                return Err(IdentityError::NotALinkedInProfile(
                    "a /pub/ profile URL has a name and three codes",
                ));
            }
            if parts[0] == "dir" {
                return Err(IdentityError::NotALinkedInProfile(
                    "a directory search, not a person's profile",
                ));
            }
            let is_code =
                |p: &String| (1..=3).contains(&p.len()) && p.chars().all(|c| c.is_ascii_hexdigit());
            if parts[1..].iter().all(is_code) {
                // LinkedIn redirects /pub/<name>/<a>/<b>/<c> to /in/<name>-<c><b><a>, with b and a
                // zero-padded to three digits.
                let (name, a, b, c) = (&parts[0], &parts[1], &parts[2], &parts[3]);
                return Ok(format!("in/{name}-{c}{b:0>3}{a:0>3}"));
            }
            Ok(format!("pub/{}", parts.join("/")))
        }
        Some("company" | "school" | "jobs" | "showcase" | "groups") => {
            Err(IdentityError::NotALinkedInProfile("not a person's profile"))
        }
        _ => Err(IdentityError::NotALinkedInProfile("no /in/ profile path")),
    }
}

/// Country codes whose national numbers keep their leading `0` in international form.
const KEEPS_LEADING_ZERO: [u16; 2] = [39, 378];

/// Normalizes a phone number to E.164 (`+14155550123`) where the number allows, using
/// `default_country_code` (e.g. `Some(1)`, `Some(44)`) for national numbers; a national number
/// without one keys as its bare digits (rules in the module docs). Errors for letters, too few
/// or too many digits, and a default country code outside 1–999.
pub fn normalize_phone(
    raw: &str,
    default_country_code: Option<u16>,
) -> Result<String, IdentityError> {
    if default_country_code.is_some_and(|c| !(1..=999).contains(&c)) {
        return Err(IdentityError::NotACountryCode);
    }
    let folded: String = raw.nfkc().collect::<String>().to_lowercase();
    let s = folded.trim();
    if s.is_empty() {
        return Err(IdentityError::Empty);
    }
    let s = s.strip_prefix("tel:").unwrap_or(s);
    let cut = ["ext", "x", "#", ";", ","]
        .iter()
        .filter_map(|m| s.find(m))
        .min()
        .unwrap_or(s.len());
    let main = s[..cut].trim();
    if main.chars().any(char::is_alphabetic) {
        return Err(IdentityError::NotAPhoneNumber("it has letters"));
    }
    if main
        .chars()
        .any(|c| !(c.is_ascii_digit() || c.is_whitespace() || "+-.()/".contains(c)))
    {
        return Err(IdentityError::NotAPhoneNumber(
            "it has characters a phone number does not have",
        ));
    }
    let plus = main.starts_with('+');
    if main.matches('+').count() > usize::from(plus) {
        return Err(IdentityError::NotAPhoneNumber(
            "a + that does not start the number",
        ));
    }
    let digits_of = |s: &str| -> String { s.chars().filter(char::is_ascii_digit).collect() };
    let digits = digits_of(main);
    if digits.is_empty() {
        return Err(IdentityError::NotAPhoneNumber("no digits"));
    }
    let prefix_len = if plus {
        Some(0)
    } else if digits.starts_with("00") {
        Some(2)
    } else if default_country_code == Some(1) && digits.starts_with("011") {
        Some(3)
    } else {
        None
    };
    let (written, e164) = match (prefix_len, default_country_code) {
        (Some(prefix), _) => {
            let international = digits_of(&main.replace("(0)", ""));
            let number = international[prefix..].to_owned();
            if number.starts_with('0') {
                return Err(IdentityError::NotAPhoneNumber(
                    "a country code never starts with 0",
                ));
            }
            (number.len(), Some(number))
        }
        (None, Some(1)) => {
            let national = match digits.len() {
                11 if digits.starts_with('1') => &digits[1..],
                10 => &digits[..],
                _ => {
                    return Err(IdentityError::NotAPhoneNumber(
                        "a North American number has 10 digits",
                    ));
                }
            };
            if national.starts_with(['0', '1']) {
                return Err(IdentityError::NotAPhoneNumber(
                    "a North American area code starts with 2 to 9",
                ));
            }
            (national.len(), Some(format!("1{national}")))
        }
        (None, Some(code)) => {
            let national = if KEEPS_LEADING_ZERO.contains(&code) {
                &digits[..]
            } else {
                digits.strip_prefix('0').unwrap_or(&digits)
            };
            (national.len(), Some(format!("{code}{national}")))
        }
        (None, None) => (digits.len(), None),
    };
    if written < 7 {
        return Err(IdentityError::NotAPhoneNumber("too few digits"));
    }
    let out = match e164 {
        Some(n) => format!("+{n}"),
        None => digits,
    };
    if out.trim_start_matches('+').len() > 15 {
        return Err(IdentityError::NotAPhoneNumber("too many digits"));
    }
    Ok(out)
}

/// Normalizes any identity to its [`IdentityKey`], with the kind's `normalize_*` function;
/// `default_country_code` is used for national phone numbers only.
pub fn normalize(
    identity: &Identity,
    default_country_code: Option<u16>,
) -> Result<IdentityKey, IdentityError> {
    let value = match identity.kind {
        IdentityKind::Email => normalize_email(&identity.value)?,
        IdentityKind::LinkedIn => normalize_linkedin(&identity.value)?,
        IdentityKind::Phone => normalize_phone(&identity.value, default_country_code)?,
    };
    Ok(IdentityKey {
        kind: identity.kind,
        value,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn email_variants() {
        for (raw, want) in [
            ("  Jane.Doe@Example.COM ", "jane.doe@example.com"),
            ("J.Doe+ats@GoogleMail.com", "jdoe@gmail.com"),
            ("jdoe@gmail.com", "jdoe@gmail.com"),
            ("j.d.o.e@GMAIL.COM", "jdoe@gmail.com"),
            ("first+x@company.com", "first+x@company.com"),
            ("ＪＡＮＥ@example.com", "jane@example.com"),
            ("mailto:Jane@Example.com", "jane@example.com"),
            ("jane@example.com.", "jane@example.com"),
            ("jürgen@exämple.de", "jürgen@exämple.de"),
        ] {
            assert_eq!(normalize_email(raw).as_deref(), Ok(want), "{raw:?}");
        }
        assert_eq!(
            normalize_email("J.Doe+ats@GoogleMail.com"),
            normalize_email("jdoe@gmail.com")
        );
        assert_ne!(
            normalize_email("first.last@company.com"),
            normalize_email("firstlast@company.com")
        );
        assert_ne!(
            normalize_email("jane+ats@company.com"),
            normalize_email("jane@company.com")
        );
    }

    #[test]
    fn not_emails() {
        for bad in [
            "",
            "   ",
            "mailto:",
            "jane",
            "@example.com",
            "jane@",
            "jane doe@example.com",
            "jane@exa mple.com",
            "jane@localhost",
            "a@b@c.com",
            "jane@-x.com",
            "jane@x..com",
            "jane@ex!ample.com",
            "<jane@example.com>",
            "Jane Doe <jane@example.com>",
            "jane@10.0.0.1",
            "+tag@gmail.com",
            "...@gmail.com",
        ] {
            assert!(normalize_email(bad).is_err(), "{bad:?} accepted");
        }
        assert_eq!(normalize_email(" "), Err(IdentityError::Empty));
    }

    #[test]
    fn errors_do_not_echo_the_input() {
        let secret = "very-private-name";
        for err in [
            normalize_email(&format!("{secret} x@y.com")).unwrap_err(),
            normalize_linkedin(&format!("https://example.com/in/{secret}")).unwrap_err(),
            normalize_phone(&format!("{secret} 123"), None).unwrap_err(),
        ] {
            assert!(!err.to_string().contains(secret), "{err}");
        }
    }

    #[test]
    fn linkedin_variants() {
        let key = "in/jane-doe";
        for url in [
            "https://www.linkedin.com/in/jane-doe",
            "https://uk.linkedin.com/in/Jane-Doe/?trk=x#a",
            "linkedin.com/in/jane-doe",
            "http://www.linkedin.com/in/jane%2Ddoe",
            "m.linkedin.com/in/jane-doe/",
            "de.linkedin.com/in/jane-doe#top",
            "HTTPS://WWW.LINKEDIN.COM/IN/JANE-DOE///",
            "https://www.linkedin.com/in/jane-doe/details/experience/",
            "https://www.linkedin.com/in/jane-doe/en",
            "//www.linkedin.com/in/jane-doe",
            "https://www.linkedin.com:443/in/jane-doe",
            "https://www.linkedin.com./in/jane-doe",
            "www.linkedin.com/in/jane-doe?redirect=https://example.com/x",
            "in/jane-doe",
            "/in/Jane-Doe/",
        ] {
            assert_eq!(normalize_linkedin(url).as_deref(), Ok(key), "{url}");
        }
        assert_eq!(
            normalize_linkedin("https://de.linkedin.com/in/j%C3%BCrgen-m%C3%BCller").as_deref(),
            Ok("in/jürgen-müller")
        );
        for url in [
            "http://www.linkedin.com/pub/jane-doe/1a/2b/3c",
            "https://uk.linkedin.com/pub/Jane-Doe/1A/2B/3C/",
            "linkedin.com/pub/jane-doe/1a/2b/3c?trk=x",
            "pub/jane-doe/1a/2b/3c",
            "https://www.linkedin.com/in/jane-doe-3c02b01a",
        ] {
            assert_eq!(
                normalize_linkedin(url).as_deref(),
                Ok("in/jane-doe-3c02b01a"),
                "{url}"
            );
        }
        assert_eq!(
            normalize_linkedin("linkedin.com/pub/jane-doe/xyz/2b/3c").as_deref(),
            Ok("pub/jane-doe/xyz/2b/3c"),
            "codes that are not hexadecimal keep the legacy path"
        );
        assert_ne!(
            normalize_linkedin("linkedin.com/pub/jane-doe/1a/2b/3c"),
            normalize_linkedin("linkedin.com/in/jane-doe")
        );
    }

    #[test]
    fn not_linkedin_profiles() {
        for bad in [
            "",
            "https://example.com/in/jane",
            "https://linkedin.com/company/acme",
            "https://www.linkedin.com/company/acme/about/",
            "https://www.linkedin.com/school/mit",
            "https://www.linkedin.com/jobs/view/123",
            "https://linkedin.com/in/",
            "https://linkedin.com/in",
            "https://linkedin.com/",
            "https://linkedin.com",
            "https://notlinkedin.com/in/jane",
            "https://linkedin.com.evil.com/in/jane",
            "https://evil.com/linkedin.com/in/jane",
            "https://jane@linkedin.com/in/jane",
            "https://a.b.linkedin.com/in/jane",
            "https://linkedin.com/in/jane%20doe",
            "https://linkedin.com/in/jane%2Fdoe",
            "https://linkedin.com/in/jane%FF",
            "https://linkedin.com/pub/jane-doe",
            "https://linkedin.com/pub/dir/jane/doe/x",
            "https://linkedin.com/feed/",
            "jane-doe",
            "https://in/jane",
        ] {
            assert!(normalize_linkedin(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn phone_variants() {
        for raw in [
            "(415) 555-0123",
            "+1 415-555-0123",
            "415.555.0123",
            "001 415 555 0123",
            "011 1 415 555 0123",
            "1-415-555-0123",
            "+1 (415) 555-0123 ext. 12",
            "415-555-0123 x99",
            "tel:+1-415-555-0123;ext=7",
            "４１５ ５５５ ０１２３",
            "+14155550123",
        ] {
            assert_eq!(
                normalize_phone(raw, Some(1)).as_deref(),
                Ok("+14155550123"),
                "{raw}"
            );
        }
        for (raw, code) in [
            ("+44 20 7946 0958", Some(1)),
            ("+44 20 7946 0958", None),
            ("+44 (0)20 7946 0958", Some(44)),
            ("0044 20 7946 0958", Some(1)),
            ("020 7946 0958", Some(44)),
            ("20 7946 0958", Some(44)),
        ] {
            assert_eq!(
                normalize_phone(raw, code).as_deref(),
                Ok("+442079460958"),
                "{raw} {code:?}"
            );
        }
        assert_eq!(
            normalize_phone("06 6988 1234", Some(39)).as_deref(),
            Ok("+390669881234")
        );
        assert_eq!(
            normalize_phone("415 555 0123", None).as_deref(),
            Ok("4155550123")
        );
    }

    #[test]
    fn not_phones() {
        for bad in [
            "",
            "call me",
            "12345",
            "+1 800 FLOWERS",
            "1234567890123456789",
            "+1234567890123456",
            "55+5 1234567",
            "++1 415 555 0123",
            "415 555 012",
            "015 555 0123",
            "+0 415 555 0123",
            "415*555*0123",
            "x123",
        ] {
            assert!(normalize_phone(bad, Some(1)).is_err(), "{bad:?} accepted");
        }
        assert!(normalize_phone("12 34", Some(44)).is_err());
        assert!(
            normalize_phone("0123456", Some(44)).is_err(),
            "6 digits after the trunk 0"
        );
        assert_eq!(
            normalize_phone("415 555 0123", Some(0)),
            Err(IdentityError::NotACountryCode)
        );
        assert_eq!(
            normalize_phone("415 555 0123", Some(1000)),
            Err(IdentityError::NotACountryCode)
        );
    }

    #[test]
    fn keys_display_with_their_kind() {
        for (identity, want) in [
            (Identity::email("A@B.co"), "email:a@b.co"),
            (Identity::linkedin("linkedin.com/in/x"), "linkedin:in/x"),
            (Identity::phone("(415) 555-0123"), "phone:+14155550123"),
        ] {
            assert_eq!(normalize(&identity, Some(1)).unwrap().to_string(), want);
        }
        assert_eq!(
            normalize(&Identity::phone("020 7946 0958"), Some(44)).unwrap(),
            IdentityKey {
                kind: IdentityKind::Phone,
                value: "+442079460958".into()
            }
        );
        assert!(normalize(&Identity::email("nope"), None).is_err());
    }

    /// Flips the case of the ASCII letters where `flips` says so.
    fn recase(s: &str, flips: &[bool]) -> String {
        s.chars()
            .zip(flips.iter().cycle())
            .map(|(c, f)| if *f { c.to_ascii_uppercase() } else { c })
            .collect()
    }

    const SPACE: &str = "[ \t\n\u{a0}]{0,3}";

    proptest! {
        #[test]
        fn email_is_idempotent_on_arbitrary_text(s in "\\PC{0,30}") {
            if let Ok(once) = normalize_email(&s) {
                prop_assert_eq!(normalize_email(&once), Ok(once.clone()));
            }
        }

        #[test]
        fn email_is_idempotent_on_address_like_text(
            local in "[a-zA-Z0-9._+\u{300}\u{301}éÉßİΣﬁＡ]{1,12}",
            domain in "[a-zA-Z0-9äÖ-]{1,10}\\.(com|org|io|DE)",
            gmail in any::<bool>(),
        ) {
            let domain = if gmail { "GoogleMail.com".to_owned() } else { domain };
            let raw = format!("{local}@{domain}");
            if let Ok(once) = normalize_email(&raw) {
                prop_assert_eq!(normalize_email(&once), Ok(once.clone()));
            }
        }

        #[test]
        fn email_ignores_case_and_surrounding_whitespace(
            local in "[a-z0-9][a-z0-9._+-]{0,12}",
            domain in "[a-z][a-z0-9]{0,9}\\.(com|org|io)",
            flips in prop::collection::vec(any::<bool>(), 1..8),
            before in SPACE,
            after in SPACE,
        ) {
            let raw = format!("{local}@{domain}");
            let once = normalize_email(&raw);
            prop_assert!(once.is_ok(), "{raw:?} refused");
            let variant = format!("{before}{}{after}", recase(&raw, &flips));
            prop_assert_eq!(normalize_email(&variant), once);
        }

        #[test]
        fn gmail_ignores_dots_tags_and_domain_alias(
            name in "[a-z0-9]{1,10}",
            dots in prop::collection::vec(0usize..10, 0..4),
            tag in "(\\+[a-z0-9.+-]{0,6})?",
            googlemail in any::<bool>(),
            flips in prop::collection::vec(any::<bool>(), 1..5),
        ) {
            let mut dotted = name.clone();
            for d in dots {
                dotted.insert(d.min(dotted.len()), '.');
            }
            let domain = if googlemail { "googlemail.com" } else { "gmail.com" };
            let raw = recase(&format!("{dotted}{tag}@{domain}"), &flips);
            prop_assert_eq!(normalize_email(&raw), Ok(format!("{name}@gmail.com")));
        }

        #[test]
        fn other_providers_keep_dots(a in "[a-z]{1,6}", b in "[a-z]{1,6}") {
            prop_assert_ne!(
                normalize_email(&format!("{a}.{b}@company.com")),
                normalize_email(&format!("{a}{b}@company.com"))
            );
        }

        #[test]
        fn nanp_formatting_gives_one_key(
            area in 200u32..=999,
            exchange in 200u32..=999,
            line in 0u32..=9999,
            seps in prop::collection::vec(prop::sample::select(vec!["", " ", "-", ".", " - ", "/"]), 2),
            parens in any::<bool>(),
            prefix in prop::sample::select(vec!["", "1", "1 ", "1-", "+1", "+1 ", "+1-", "001 ", "00 1 ", "011 1 ", "tel:+1"]),
            ext in prop::sample::select(vec!["", " x12", " ext. 345", " Ext 9", "#77", ";ext=1", ",,2"]),
            pad in SPACE,
        ) {
            let area_s = if parens { format!("({area})") } else { area.to_string() };
            let raw = format!("{pad}{prefix}{area_s}{}{exchange}{}{line:04}{ext}{pad}", seps[0], seps[1]);
            let want = format!("+1{area}{exchange}{line:04}");
            prop_assert_eq!(normalize_phone(&raw, Some(1)), Ok(want.clone()), "{:?}", raw);
            if prefix.contains('+') || prefix.starts_with("00") {
                prop_assert_eq!(normalize_phone(&raw, Some(44)), Ok(want.clone()), "{:?}", raw);
                prop_assert_eq!(normalize_phone(&raw, None), Ok(want), "{:?}", raw);
            }
        }

        #[test]
        fn international_formatting_gives_one_key(
            groups in prop::collection::vec("[0-9]{2,4}", 3),
            first in 1u8..=9,
            style in 0usize..5,
            sep in prop::sample::select(vec![" ", "-", ".", ""]),
        ) {
            let national = format!("{first}{}", groups.concat());
            let spaced = format!("{first}{}", groups.join(sep));
            let raw = match style {
                0 => format!("+44 {spaced}"),
                1 => format!("+44 (0){spaced}"),
                2 => format!("0044{sep}{spaced}"),
                3 => format!("0{spaced}"),
                _ => spaced.clone(),
            };
            prop_assert_eq!(normalize_phone(&raw, Some(44)), Ok(format!("+44{national}")), "{:?}", raw);
        }

        #[test]
        fn phone_is_idempotent(s in "[0-9 +().x#-]{0,24}", code in prop::option::of(1u16..=999)) {
            if let Ok(once) = normalize_phone(&s, code) {
                prop_assert_eq!(normalize_phone(&once, code), Ok(once.clone()));
            }
        }

        #[test]
        fn linkedin_decoration_gives_one_key(
            slug in "[a-z0-9][a-z0-9_-]{2,20}",
            scheme in prop::sample::select(vec!["", "http://", "https://", "HTTPS://", "//"]),
            host in prop::sample::select(vec!["linkedin.com", "www.linkedin.com", "uk.linkedin.com", "de.linkedin.com", "m.linkedin.com", "WWW.LinkedIn.com"]),
            flips in prop::collection::vec(any::<bool>(), 1..6),
            encode in prop::collection::vec(any::<bool>(), 1..6),
            slashes in 0usize..3,
            tail in prop::sample::select(vec!["", "/details/experience", "/en", "/recent-activity/all/"]),
            query in prop::sample::select(vec!["", "?trk=abc", "?originalSubdomain=uk&x=y", "?r=https://x.com/in/z"]),
            fragment in prop::sample::select(vec!["", "#a", "#experience"]),
            pad in SPACE,
        ) {
            let decorated: String = recase(&slug, &flips)
                .chars()
                .zip(encode.iter().cycle())
                .map(|(c, e)| if *e { format!("%{:02X}", c as u32) } else { c.to_string() })
                .collect();
            let url = format!("{pad}{scheme}{host}/in/{decorated}{tail}{}{query}{fragment}{pad}", "/".repeat(slashes));
            let key = normalize_linkedin(&url);
            prop_assert_eq!(&key, &Ok(format!("in/{slug}")), "{:?}", url);
            prop_assert_eq!(normalize_linkedin(key.as_deref().unwrap()), key.clone());
        }

        #[test]
        fn linkedin_is_idempotent(s in "(https?://)?([a-z]{1,3}\\.)?linkedin\\.com/(in|pub|company)/\\PC{0,20}") {
            if let Ok(once) = normalize_linkedin(&s) {
                prop_assert_eq!(normalize_linkedin(&once), Ok(once.clone()), "{:?}", s);
            }
        }

        #[test]
        fn arbitrary_strings_never_panic(s in "\\PC{0,40}", bytes in prop::collection::vec(any::<u8>(), 0..40), code in any::<Option<u16>>()) {
            let lossy = String::from_utf8_lossy(&bytes).into_owned();
            for s in [s, lossy] {
                let _ = normalize_email(&s);
                let _ = normalize_linkedin(&s);
                let _ = normalize_phone(&s, code);
                let _ = normalize_phone(&s, Some(1));
                let _ = normalize_phone(&s, None);
                if let Ok(once) = normalize_linkedin(&s) {
                    prop_assert_eq!(normalize_linkedin(&once), Ok(once.clone()));
                }
                if let Ok(once) = normalize_phone(&s, code) {
                    prop_assert_eq!(normalize_phone(&once, code), Ok(once.clone()));
                }
            }
        }
    }
}
