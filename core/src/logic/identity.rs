//! Identity normalization for exclusion: two spellings of one person's email, LinkedIn profile
//! or phone number give the same [`IdentityKey`].
//!
//! A false match stops Dover from contacting someone (costly but safe); a missed match contacts
//! someone the customer already has (the failure exclusion exists to prevent). The rules lean
//! towards matching only where the provider guarantees two spellings reach the same person.
//!
//! Emails:
//! - trimmed, Unicode NFKC, lowercased: mail systems treat addresses case-insensitively in practice.
//! - `gmail.com` and `googlemail.com`: dots in the local part are dropped and a `+tag` is cut,
//!   and `googlemail.com` becomes `gmail.com`: Google delivers all of these to one mailbox.
//! - other domains keep dots and `+tags`: dots are significant at most providers, and whether a
//!   `+tag` is a subaddress is the provider's choice (`first+last@company.com` can be a real,
//!   different mailbox). Keeping them can miss a match; stripping them could exclude a stranger.
//! - not an email (no `@`, empty part, spaces inside, no dot in the domain) → error.
//!
//! LinkedIn profile URLs:
//! - any scheme or none; `www.`, country (`uk.`, `de.`…) and mobile (`m.`) hosts of linkedin.com;
//!   query, fragment and trailing slashes dropped; the path percent-decoded and lowercased (slugs
//!   are case-insensitive on LinkedIn); segments after the profile slug (`/details/…`) ignored.
//! - `/in/<slug>` → `in/<slug>`; the legacy `/pub/<name>/<a>/<b>/<c>` form → `pub/<name>/<a>/<b>/<c>`
//!   (it cannot be related to an `/in/` slug without asking LinkedIn, so it matches only itself).
//! - other hosts, company pages and missing slugs → error.
//!
//! Phones:
//! - formatting (spaces, dots, dashes, parentheses, slashes) removed, extensions (`x123`,
//!   `ext. 123`, `#123`) dropped, `00` international prefix read as `+`.
//! - with `+` (or `00`): kept with its country code → E.164 `+<digits>`.
//! - national numbers: with a default country code, `1` (NANP) takes 10 digits or 11 starting
//!   with `1`; other codes drop one leading trunk `0`; the result is `+<code><number>`. Without a
//!   default country code a national number cannot be made E.164: it keys as its digits alone
//!   (`phone:4155550123`), which still matches the same digits written differently.
//! - fewer than 7 or more than 15 digits, or letters → error.

use crate::model::{Identity, IdentityKind};
use serde::{Deserialize, Serialize};
use std::fmt;
use unicode_normalization::UnicodeNormalization;

/// The canonical key two spellings of one identity share.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct IdentityKey {
    /// What kind of identity.
    pub kind: IdentityKind,
    /// The normalized value.
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

/// Why an input is not an identity.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum IdentityError {
    /// Nothing but whitespace.
    #[error("the value is empty")]
    Empty,
    /// Not an email address.
    #[error("not an email address: {0}")]
    NotAnEmail(&'static str),
    /// Not a LinkedIn profile URL.
    #[error("not a LinkedIn profile URL: {0}")]
    NotALinkedInProfile(&'static str),
    /// Not a phone number.
    #[error("not a phone number: {0}")]
    NotAPhoneNumber(&'static str),
}

/// Normalizes an email address (see the module docs for the rules).
pub fn normalize_email(raw: &str) -> Result<String, IdentityError> {
    let s: String = raw.trim().nfkc().collect::<String>().to_lowercase();
    if s.is_empty() {
        return Err(IdentityError::Empty);
    }
    let s = s.strip_prefix("mailto:").unwrap_or(&s);
    let (local, domain) = s
        .rsplit_once('@')
        .ok_or(IdentityError::NotAnEmail("no @"))?;
    if local.is_empty() || domain.is_empty() {
        return Err(IdentityError::NotAnEmail("empty local part or domain"));
    }
    if s.chars().any(|c| c.is_whitespace() || c.is_control()) || local.contains('@') {
        return Err(IdentityError::NotAnEmail("spaces or several @"));
    }
    let domain = domain.trim_end_matches('.');
    let labels: Vec<&str> = domain.split('.').collect();
    if labels.len() < 2
        || labels
            .iter()
            .any(|l| l.is_empty() || l.starts_with('-') || l.ends_with('-'))
    {
        return Err(IdentityError::NotAnEmail("the domain is not a host name"));
    }
    if domain == "gmail.com" || domain == "googlemail.com" {
        let base = local.split('+').next().unwrap_or_default().replace('.', "");
        if base.is_empty() {
            return Err(IdentityError::NotAnEmail("empty local part"));
        }
        return Ok(format!("{base}@gmail.com"));
    }
    Ok(format!("{local}@{domain}"))
}

fn percent_decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8_lossy()
        .into_owned()
}

/// Normalizes a LinkedIn profile URL to `in/<slug>` or `pub/<…>` (see the module docs).
pub fn normalize_linkedin(raw: &str) -> Result<String, IdentityError> {
    let s = raw.trim();
    if s.is_empty() {
        return Err(IdentityError::Empty);
    }
    let lower = s.to_lowercase();
    let without_scheme = lower
        .split_once("://")
        .map(|(_, rest)| rest)
        .unwrap_or(&lower);
    let without_scheme = without_scheme.trim_start_matches('/');
    let end = without_scheme
        .find(['?', '#'])
        .unwrap_or(without_scheme.len());
    let without_query = &without_scheme[..end];
    let (host, path) = without_query.split_once('/').unwrap_or((without_query, ""));
    let host = host.split(':').next().unwrap_or(host);
    let host_ok = host == "linkedin.com"
        || host.strip_suffix(".linkedin.com").is_some_and(|sub| {
            !sub.is_empty() && sub.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        });
    if !host_ok {
        return Err(IdentityError::NotALinkedInProfile(
            "the host is not linkedin.com",
        ));
    }
    let segments: Vec<String> = path
        .split('/')
        .filter(|p| !p.is_empty())
        .map(|p| percent_decode(p).trim().to_lowercase())
        .collect();
    match segments.first().map(String::as_str) {
        Some("in") => {
            let slug = segments.get(1).filter(|s| !s.is_empty()).ok_or(
                IdentityError::NotALinkedInProfile("no profile name after /in/"),
            )?;
            if slug.chars().any(|c| c.is_whitespace() || c == '/') {
                return Err(IdentityError::NotALinkedInProfile(
                    "the profile name has spaces",
                ));
            }
            Ok(format!("in/{slug}"))
        }
        Some("pub") if segments.len() >= 2 => Ok(format!(
            "pub/{}",
            segments[1..segments.len().min(5)].join("/")
        )),
        Some("company") | Some("school") | Some("jobs") => {
            Err(IdentityError::NotALinkedInProfile("not a person's profile"))
        }
        _ => Err(IdentityError::NotALinkedInProfile("no /in/ profile path")),
    }
}

/// Normalizes a phone number, to E.164 where the number allows (see the module docs).
pub fn normalize_phone(
    raw: &str,
    default_country_code: Option<u16>,
) -> Result<String, IdentityError> {
    let s = raw.trim();
    if s.is_empty() {
        return Err(IdentityError::Empty);
    }
    let lower = s.to_lowercase();
    let cut = ["ext.", "ext", "x", "#"]
        .iter()
        .filter_map(|m| lower.find(m))
        .min()
        .unwrap_or(lower.len());
    let main = &lower[..cut];
    let main = main.strip_prefix("tel:").unwrap_or(main);
    if main
        .chars()
        .any(|c| !(c.is_ascii_digit() || " +-.()/\u{a0}".contains(c)))
    {
        return Err(IdentityError::NotAPhoneNumber("it has letters or symbols"));
    }
    let trimmed = main.trim_start();
    let plus = trimmed.starts_with('+');
    if main.matches('+').count() > 1 || (main.contains('+') && !plus) {
        return Err(IdentityError::NotAPhoneNumber(
            "a + that does not start the number",
        ));
    }
    let mut digits: String = main.chars().filter(char::is_ascii_digit).collect();
    let mut international = plus;
    if !plus && digits.starts_with("00") {
        digits.drain(..2);
        international = true;
    }
    let e164 = if international {
        digits
    } else {
        match default_country_code {
            Some(1) if digits.len() == 11 && digits.starts_with('1') => digits,
            Some(1) if digits.len() == 10 => format!("1{digits}"),
            Some(1) => {
                return Err(IdentityError::NotAPhoneNumber(
                    "a North American number has 10 digits",
                ));
            }
            Some(code) => format!("{code}{}", digits.strip_prefix('0').unwrap_or(&digits)),
            None => {
                check_length(&digits)?;
                return Ok(digits);
            }
        }
    };
    check_length(&e164)?;
    Ok(format!("+{e164}"))
}

fn check_length(digits: &str) -> Result<(), IdentityError> {
    match digits.len() {
        0 => Err(IdentityError::NotAPhoneNumber("no digits")),
        1..=6 => Err(IdentityError::NotAPhoneNumber("too few digits")),
        7..=15 => Ok(()),
        _ => Err(IdentityError::NotAPhoneNumber("too many digits")),
    }
}

/// Normalizes any identity to its key.
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
        assert_eq!(
            normalize_email("  Jane.Doe@Example.COM ").unwrap(),
            "jane.doe@example.com"
        );
        assert_eq!(
            normalize_email("J.Doe+ats@GoogleMail.com").unwrap(),
            "jdoe@gmail.com"
        );
        assert_eq!(normalize_email("jdoe@gmail.com").unwrap(), "jdoe@gmail.com");
        assert_ne!(
            normalize_email("first.last@company.com"),
            normalize_email("firstlast@company.com")
        );
        assert_eq!(
            normalize_email("first+x@company.com").unwrap(),
            "first+x@company.com"
        );
        assert_eq!(
            normalize_email("ＪＡＮＥ@example.com").unwrap(),
            "jane@example.com"
        );
    }

    #[test]
    fn not_emails() {
        for bad in [
            "",
            "   ",
            "jane",
            "@example.com",
            "jane@",
            "jane doe@example.com",
            "jane@localhost",
            "a@b@c.com",
            "jane@-x.com",
        ] {
            assert!(normalize_email(bad).is_err(), "{bad:?} accepted");
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
            "HTTPS://WWW.LINKEDIN.COM/IN/JANE-DOE///",
            "https://www.linkedin.com/in/jane-doe/details/experience/",
        ] {
            assert_eq!(normalize_linkedin(url).unwrap(), key, "{url}");
        }
        assert_eq!(
            normalize_linkedin("http://www.linkedin.com/pub/jane-doe/1a/2b/3c").unwrap(),
            "pub/jane-doe/1a/2b/3c"
        );
    }

    #[test]
    fn not_linkedin_profiles() {
        for bad in [
            "",
            "https://example.com/in/jane",
            "https://linkedin.com/company/acme",
            "https://linkedin.com/in/",
            "https://notlinkedin.com/in/jane",
            "jane-doe",
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
            "1-415-555-0123",
            "+1 (415) 555-0123 ext. 12",
        ] {
            assert_eq!(
                normalize_phone(raw, Some(1)).unwrap(),
                "+14155550123",
                "{raw}"
            );
        }
        assert_eq!(
            normalize_phone("+44 20 7946 0958", Some(1)).unwrap(),
            "+442079460958"
        );
        assert_eq!(
            normalize_phone("020 7946 0958", Some(44)).unwrap(),
            "+442079460958"
        );
        assert_eq!(normalize_phone("415 555 0123", None).unwrap(), "4155550123");
    }

    #[test]
    fn not_phones() {
        for bad in [
            "",
            "call me",
            "12345",
            "+1 800 FLOWERS",
            "1234567890123456789",
            "55+5 1234567",
        ] {
            assert!(normalize_phone(bad, Some(1)).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn keys_display_with_their_kind() {
        let key = normalize(&Identity::email("A@B.co"), None).unwrap();
        assert_eq!(key.to_string(), "email:a@b.co");
        assert_eq!(
            normalize(&Identity::linkedin("linkedin.com/in/x"), None)
                .unwrap()
                .to_string(),
            "linkedin:in/x"
        );
    }

    proptest! {
        #[test]
        fn email_is_idempotent_and_case_insensitive(local in "[a-z0-9][a-z0-9._]{0,12}", domain in "[a-z]{1,10}\\.(com|org|io)") {
            let raw = format!("{local}@{domain}");
            if let Ok(once) = normalize_email(&raw) {
                prop_assert_eq!(normalize_email(&once).unwrap(), once.clone());
                prop_assert_eq!(normalize_email(&format!("  {} ", raw.to_uppercase())).unwrap(), once);
            }
        }

        #[test]
        fn gmail_ignores_dots_and_tags(name in "[a-z]{2,8}", dots in prop::collection::vec(0usize..8, 0..3), tag in "[a-z0-9]{0,6}") {
            let mut dotted = name.clone();
            for d in dots { let at = d.min(dotted.len() - 1).max(1); dotted.insert(at, '.'); }
            let dotted = dotted.replace("..", ".");
            let raw = if tag.is_empty() { format!("{dotted}@googlemail.com") } else { format!("{dotted}+{tag}@gmail.com") };
            prop_assert_eq!(normalize_email(&raw).unwrap(), format!("{name}@gmail.com"));
        }

        #[test]
        fn phone_formatting_gives_one_key(area in 200u32..999, mid in 200u32..999, last in 0u32..9999, style in 0usize..5) {
            let raw = match style {
                0 => format!("({area}) {mid}-{last:04}"),
                1 => format!("+1 {area}-{mid}-{last:04}"),
                2 => format!("{area}.{mid}.{last:04}"),
                3 => format!("001 {area} {mid} {last:04}"),
                _ => format!("1{area}{mid}{last:04}"),
            };
            prop_assert_eq!(normalize_phone(&raw, Some(1)).unwrap(), format!("+1{area}{mid}{last:04}"));
        }

        #[test]
        fn linkedin_decoration_gives_one_key(slug in "[a-z0-9][a-z0-9-]{2,20}", scheme in 0usize..3, host in 0usize..4, slash in any::<bool>(), query in any::<bool>()) {
            let scheme = ["", "http://", "https://"][scheme];
            let host = ["linkedin.com", "www.linkedin.com", "uk.linkedin.com", "m.linkedin.com"][host];
            let url = format!("{scheme}{host}/in/{slug}{}{}", if slash { "/" } else { "" }, if query { "?trk=abc" } else { "" });
            prop_assert_eq!(normalize_linkedin(&url).unwrap(), format!("in/{slug}"));
        }

        #[test]
        fn arbitrary_strings_never_panic(s in "\\PC{0,40}") {
            let _ = normalize_email(&s);
            let _ = normalize_linkedin(&s);
            let _ = normalize_phone(&s, Some(1));
            let _ = normalize_phone(&s, None);
        }
    }
}
