//! Messy, realistic candidate identities for the demo seed, and their clean forms.
//!
//! Every seeded candidate gets a name and (usually) an email, a LinkedIn URL
//! and a phone number stored in one of the messy spellings recruiters really
//! type. [`seeded_identity_variants`] exposes, per candidate, the clean form
//! and the equivalent spellings, so other crates can test matching under every
//! variant.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::ids::{Kind, id};

/// Number of candidates in the demo seed.
pub const DEMO_CANDIDATES: usize = 300;

/// One seeded candidate's identity: clean forms, the stored spelling and equivalents.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SeededIdentity {
    /// The candidate's id in the sandbox.
    pub candidate_id: String,
    /// Full name as stored.
    pub name: String,
    /// Clean email: lower-case, no `+tag`, `gmail.com` rather than `googlemail.com`.
    pub email: Option<String>,
    /// The email exactly as the sandbox stored it.
    pub stored_email: Option<String>,
    /// Other spellings of the same mailbox (case, dots and tags for Gmail, googlemail).
    pub email_variants: Vec<String>,
    /// Clean LinkedIn URL: `https://www.linkedin.com/in/<lower-case slug>` (slug percent-decoded).
    pub linkedin: Option<String>,
    /// The LinkedIn URL exactly as stored.
    pub stored_linkedin: Option<String>,
    /// Other spellings of the same profile URL.
    pub linkedin_variants: Vec<String>,
    /// Clean phone number in E.164 (`+14155550123`).
    pub phone: Option<String>,
    /// The phone number exactly as stored.
    pub stored_phone: Option<String>,
    /// Other spellings of the same number.
    pub phone_variants: Vec<String>,
    /// Index of an earlier seeded candidate this one duplicates (same person), if any.
    pub duplicate_of: Option<usize>,
}

const FIRST: [&str; 24] = [
    "Jane",
    "John",
    "Priya",
    "Wei",
    "Olivia",
    "Mateo",
    "Aisha",
    "Liam",
    "Sofia",
    "Noah",
    "Chen",
    "Fatima",
    "Lucas",
    "Emma",
    "Kofi",
    "Hana",
    "Ravi",
    "Ingrid",
    "Tomás",
    "Zoë",
    "José",
    "Amélie",
    "Oluwaseun",
    "Mary-Kate",
];
const LAST: [&str; 24] = [
    "Doe",
    "Smith",
    "Patel",
    "Zhang",
    "Johnson",
    "Rossi",
    "Khan",
    "O'Brien",
    "Garcia",
    "Müller",
    "Nguyen",
    "Okafor",
    "Silva",
    "Brown",
    "Mensah",
    "Sato",
    "Iyer",
    "Larsen",
    "García",
    "Lefèvre",
    "Kowalski",
    "Van der Berg",
    "Adeyemi",
    "Murphy",
];
const AREA: [&str; 6] = ["415", "212", "646", "312", "206", "512"];

fn ascii_fold(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            'á' | 'à' | 'â' | 'ä' => 'a',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'í' | 'ï' => 'i',
            'ó' | 'ö' | 'ô' => 'o',
            'ú' | 'ü' => 'u',
            'ç' => 'c',
            'ñ' => 'n',
            _ => c,
        })
        .collect()
}

fn slugify(s: &str) -> String {
    s.to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' | '-' => Some('-'),
            '\'' => None,
            c => Some(c),
        })
        .collect()
}

fn percent_encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b == b'-' {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn upper_first(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}

fn email_identity(
    rng: &mut StdRng,
    first: &str,
    last: &str,
    i: usize,
) -> Option<(String, String, Vec<String>)> {
    let f = ascii_fold(&slugify(first)).replace('-', "");
    let l = ascii_fold(&slugify(last)).replace('-', "");
    let dotted = format!("{f}.{l}{i}");
    let style = rng.random_range(0..9);
    let gmail = |local: &str| format!("{local}@gmail.com");
    let (clean, stored) = match style {
        0 => (
            gmail(&dotted),
            format!("{}.{}{i}@Gmail.com", upper_first(&f), upper_first(&l)),
        ),
        1 => (gmail(&dotted), format!("{dotted}+jobs@gmail.com")),
        2 => (gmail(&dotted), format!("{dotted}@googlemail.com")),
        3 => (gmail(&dotted), format!("{f}{l}{i}@gmail.com")),
        4 => (
            format!("{f}@{l}{i}-labs.example"),
            format!("{}@{}{i}-Labs.example", upper_first(&f), upper_first(&l)),
        ),
        5 => {
            let c = format!("{dotted}@outlook.example");
            (c.clone(), c.to_uppercase())
        }
        6 => return None,
        7 => (
            gmail(&dotted),
            format!("{}+Dover.Outreach@GoogleMail.com", dotted.to_uppercase()),
        ),
        _ => {
            let c = format!("{dotted}@example.com");
            (c.clone(), c)
        }
    };
    let mut variants = vec![stored.clone(), clean.to_uppercase()];
    if clean.ends_with("@gmail.com") {
        let local = clean.trim_end_matches("@gmail.com");
        variants.push(format!("{}@gmail.com", local.replace('.', "")));
        variants.push(format!("{local}+recruiting@gmail.com"));
        variants.push(format!("{local}@googlemail.com"));
    } else {
        variants.push(upper_first(&clean));
    }
    variants.retain(|v| v != &clean);
    variants.dedup();
    Some((clean, stored, variants))
}

fn linkedin_identity(
    rng: &mut StdRng,
    first: &str,
    last: &str,
    i: usize,
) -> Option<(String, String, Vec<String>)> {
    let base = slugify(&format!("{first} {last}"));
    let has_non_ascii = !base.is_ascii();
    let style = rng.random_range(0..9);
    let (slug, stored) = if has_non_ascii && style < 5 {
        let slug = format!("{base}-{i}");
        (
            slug.clone(),
            format!("https://www.linkedin.com/in/{}/", percent_encode(&slug)),
        )
    } else {
        let ascii = ascii_fold(&base);
        let slug = format!("{ascii}-{i}");
        let stored = match style {
            0 => format!("https://www.linkedin.com/in/{slug}"),
            1 => format!("http://linkedin.com/in/{slug}/"),
            2 => format!("https://uk.linkedin.com/in/{slug}"),
            3 => format!("https://m.linkedin.com/in/{slug}?trk=public_profile_browsemap"),
            4 => format!("www.linkedin.com/in/{}/", upper_first(&slug)),
            5 => {
                // Legacy public profile form: /pub/<name>/<a>/<b>/<c> maps to
                // /in/<name>-<c><b padded to 3><a padded to 3>.
                let a = format!("{:x}", i % 16 + 1);
                let b = format!("{:x}", (i * 7) % 4096);
                let c = format!("{:x}", (i * 13) % 3840 + 256);
                let slug = format!("{ascii}-{c}{b:0>3}{a:0>3}");
                let stored = format!("https://www.linkedin.com/pub/{ascii}/{a}/{b}/{c}");
                return Some((
                    format!("https://www.linkedin.com/in/{slug}"),
                    stored.clone(),
                    vec![stored, format!("linkedin.com/in/{slug}")],
                ));
            }
            6 | 7 => return None,
            _ => format!("https://ca.linkedin.com/in/{slug}/?originalSubdomain=ca"),
        };
        (slug, stored)
    };
    let clean = format!("https://www.linkedin.com/in/{slug}");
    let mut variants = vec![
        stored.clone(),
        format!("{clean}/"),
        format!("http://linkedin.com/in/{slug}"),
        format!("https://de.linkedin.com/in/{slug}?locale=de_DE"),
        format!("linkedin.com/in/{}", percent_encode(&slug)),
    ];
    variants.retain(|v| v != &clean);
    variants.dedup();
    Some((clean, stored, variants))
}

fn phone_identity(rng: &mut StdRng, i: usize) -> Option<(String, String, Vec<String>)> {
    let style = rng.random_range(0..8);
    let line = 100 + (i / AREA.len()) % 100;
    let area = AREA[i % AREA.len()];
    if style == 3 {
        let n = format!("{:03}", i % 1000);
        let clean = format!("+44207946{n}");
        let stored = format!("+44 20 7946 {n}");
        return Some((
            clean,
            stored.clone(),
            vec![
                stored,
                format!("020 7946 {n}"),
                format!("+44 (0)20 7946 {n}"),
            ],
        ));
    }
    let clean = format!("+1{area}5550{line}");
    let stored = match style {
        0 => format!("({area}) 555-0{line}"),
        1 => format!("+1 {area}-555-0{line}"),
        2 => format!("{area}.555.0{line}"),
        4 => format!("{area}5550{line}"),
        5 => clean.clone(),
        6 => return None,
        _ => format!("1-{area}-555-0{line}"),
    };
    let mut variants = vec![
        stored.clone(),
        format!("({area}) 555-0{line}"),
        format!("+1 ({area}) 555 0{line}"),
        format!("{area}-555-0{line}"),
    ];
    variants.retain(|v| v != &clean);
    variants.dedup();
    Some((clean, stored, variants))
}

/// Identities of the demo seed's candidates for `rng_seed`, in candidate order.
pub fn seeded_identity_variants_for(rng_seed: u64) -> Vec<SeededIdentity> {
    let mut rng = StdRng::seed_from_u64(rng_seed ^ 0x1DE7_1713_5EED);
    let mut out: Vec<SeededIdentity> = Vec::with_capacity(DEMO_CANDIDATES);
    for i in 0..DEMO_CANDIDATES {
        // Every 25th candidate (after the first few) is a duplicate of an earlier one,
        // stored with a different spelling: the duplicates real integrations create.
        if i >= 10 && i % 25 == 0 {
            let j = rng.random_range(0..i);
            let orig = out[j].clone();
            let pick = |vs: &Vec<String>, k: usize| vs.get(k % vs.len().max(1)).cloned();
            out.push(SeededIdentity {
                candidate_id: id(Kind::Candidate, i as u32),
                name: orig.name.to_uppercase(),
                stored_email: orig
                    .email
                    .as_ref()
                    .and_then(|_| pick(&orig.email_variants, i + 1)),
                stored_linkedin: orig
                    .linkedin
                    .as_ref()
                    .and_then(|_| pick(&orig.linkedin_variants, i + 1)),
                stored_phone: orig
                    .phone
                    .as_ref()
                    .and_then(|_| pick(&orig.phone_variants, i + 1)),
                duplicate_of: Some(j),
                ..orig
            });
            continue;
        }
        let first = FIRST[rng.random_range(0..FIRST.len())];
        let last = LAST[rng.random_range(0..LAST.len())];
        let e = email_identity(&mut rng, first, last, i);
        let l = linkedin_identity(&mut rng, first, last, i);
        let p = phone_identity(&mut rng, i);
        let split = |x: Option<(String, String, Vec<String>)>| match x {
            Some((c, s, v)) => (Some(c), Some(s), v),
            None => (None, None, vec![]),
        };
        let (email, stored_email, email_variants) = split(e);
        let (linkedin, stored_linkedin, linkedin_variants) = split(l);
        let (phone, stored_phone, phone_variants) = split(p);
        out.push(SeededIdentity {
            candidate_id: id(Kind::Candidate, i as u32),
            name: format!("{first} {last}"),
            email,
            stored_email,
            email_variants,
            linkedin,
            stored_linkedin,
            linkedin_variants,
            phone,
            stored_phone,
            phone_variants,
            duplicate_of: None,
        });
    }
    out
}

/// Identities of the demo seed's candidates with the default rng seed
/// (`SandboxConfig::default().rng_seed`).
pub fn seeded_identity_variants() -> Vec<SeededIdentity> {
    seeded_identity_variants_for(crate::SandboxConfig::default().rng_seed)
}
