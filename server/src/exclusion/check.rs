//! Bulk "is this person already in the ATS?" checks against one connection's index.
//!
//! Rules:
//! - An email, LinkedIn URL or phone that normalizes to a key found in the index is a
//!   definite match (`in_ats: true`) with the candidate(s) and the key that matched.
//! - A name (alone or with a company) can only give `in_ats: "possible"`, and only when no
//!   identity matched. With a company on both sides, the companies must agree; when either side
//!   has none, the name alone counts.
//! - A field that is not an identity (`"not-an-email"`) is reported in `invalid` with the
//!   reason, and is never matched.

use super::index::{
    ConnIndex, company_hash, hash_parts, name_hash, normalize_company, normalize_name,
};
use atsbridge_core::logic::identity::{normalize_email, normalize_linkedin, normalize_phone};
use serde::{Deserialize, Serialize, Serializer};
use utoipa::ToSchema;

/// The most people one check request may carry.
pub const MAX_PEOPLE: usize = 10_000;
/// The most name-only ("possible") candidates reported per person.
pub const MAX_POSSIBLE: usize = 10;

/// One person to check. At least one field must be present.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
pub struct PersonQuery {
    /// An email address, as typed.
    #[serde(default)]
    pub email: Option<String>,
    /// A LinkedIn profile URL, as typed.
    #[serde(default)]
    pub linkedin_url: Option<String>,
    /// A phone number, as typed.
    #[serde(default)]
    pub phone: Option<String>,
    /// The person's full name (only ever a "possible" match).
    #[serde(default)]
    pub name: Option<String>,
    /// The person's current company (narrows name matches).
    #[serde(default)]
    pub company: Option<String>,
    /// The country calling code to read a national `phone` with (e.g. 44); defaults to the
    /// request's `default_country_code`.
    #[serde(default)]
    pub phone_country_code: Option<u16>,
}

impl PersonQuery {
    /// True when no field carries anything but whitespace.
    pub fn is_empty(&self) -> bool {
        [
            &self.email,
            &self.linkedin_url,
            &self.phone,
            &self.name,
            &self.company,
        ]
        .iter()
        .all(|f| f.as_deref().is_none_or(|v| v.trim().is_empty()))
    }
}

/// Whether a person is in the ATS: `true`, `false` or `"possible"`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InAts {
    /// An identity matched (`true`).
    Yes,
    /// Nothing matched (`false`).
    No,
    /// Only the name (and company) matched (`"possible"`).
    Possible,
}

impl Serialize for InAts {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            InAts::Yes => s.serialize_bool(true),
            InAts::No => s.serialize_bool(false),
            InAts::Possible => s.serialize_str("possible"),
        }
    }
}

/// An identity of the person that matched, as normalized.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct MatchedIdentity {
    /// `email`, `linkedin` or `phone`.
    pub kind: &'static str,
    /// The normalized key (`email:ada@example.com`).
    pub key: String,
}

/// One ATS candidate a person matched.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct CandidateMatch {
    /// The ATS candidate id.
    pub ats_candidate_id: String,
    /// `definite` (an identity matched) or `possible` (name only).
    pub confidence: &'static str,
    /// The identities that matched (empty for a name match).
    pub matched_on: Vec<MatchedIdentity>,
    /// For possible matches: `name` or `name_and_company`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub basis: Option<&'static str>,
    /// True when the candidate has an active application in the ATS.
    pub has_active_application: bool,
}

/// A field that is not a usable identity.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct InvalidField {
    /// The request field (`email`, `linkedin_url`, `phone`, `name`).
    pub field: &'static str,
    /// Why it is not usable.
    pub reason: String,
}

/// The answer for one person.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct PersonResult {
    /// Index of the person in the request.
    pub index: usize,
    /// `true`, `false` or `"possible"`.
    #[schema(value_type = serde_json::Value, example = json!("possible"))]
    pub in_ats: InAts,
    /// The candidate(s) matched.
    pub matches: Vec<CandidateMatch>,
    /// True when a definitely matched candidate has an active application.
    pub has_active_application: bool,
    /// Fields that are not identities (never matched).
    pub invalid: Vec<InvalidField>,
}

fn present(f: &Option<String>) -> Option<&str> {
    f.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

/// Checks one person against `ix`. `default_country_code` reads national phone numbers (when
/// the person has no `phone_country_code`; [`super::DEFAULT_COUNTRY_CODE`] when neither).
pub fn check_person(
    ix: &ConnIndex,
    index: usize,
    p: &PersonQuery,
    default_country_code: Option<u16>,
) -> PersonResult {
    let mut matches: Vec<CandidateMatch> = Vec::new();
    let mut invalid = Vec::new();
    let mut slots: Vec<u32> = Vec::new();

    let fields: [(&'static str, &'static str, Option<&str>); 3] = [
        ("email", "email", present(&p.email)),
        ("linkedin_url", "linkedin", present(&p.linkedin_url)),
        ("phone", "phone", present(&p.phone)),
    ];
    for (field, kind, value) in fields {
        let Some(raw) = value else { continue };
        let normalized = match kind {
            "email" => normalize_email(raw),
            "linkedin" => normalize_linkedin(raw),
            _ => normalize_phone(raw, None),
        };
        // A phone is also read with a country code (national spellings).
        let with_cc = (kind == "phone")
            .then(|| {
                let cc = p
                    .phone_country_code
                    .or(default_country_code)
                    .unwrap_or(super::DEFAULT_COUNTRY_CODE);
                normalize_phone(raw, Some(cc)).ok()
            })
            .flatten();
        let mut values: Vec<String> = Vec::with_capacity(2);
        match normalized {
            Ok(v) => values.push(v),
            Err(e) if with_cc.is_none() => {
                invalid.push(InvalidField {
                    field,
                    reason: e.to_string(),
                });
                continue;
            }
            Err(_) => {}
        }
        if let Some(v) = with_cc
            && !values.contains(&v)
        {
            values.push(v);
        }
        for value in values {
            let prefix: &[u8] = match kind {
                "email" => b"email:",
                "linkedin" => b"linkedin:",
                _ => b"phone:",
            };
            // Same hash as `key_hash("kind:value")`, without building the string.
            let h = hash_parts(prefix, value.as_bytes());
            ix.lookup(h, |slot| {
                if !ix.slot_has_hash(slot, h) {
                    return;
                }
                let identity = MatchedIdentity {
                    kind,
                    key: format!("{kind}:{value}"),
                };
                if let Some(i) = slots.iter().position(|s| *s == slot) {
                    matches[i].matched_on.push(identity);
                } else {
                    let v = ix.view(slot);
                    slots.push(slot);
                    matches.push(CandidateMatch {
                        ats_candidate_id: v.ats_candidate_id.into_owned(),
                        confidence: "definite",
                        matched_on: vec![identity],
                        basis: None,
                        has_active_application: v.has_active_application,
                    });
                }
            });
        }
    }

    let mut in_ats = if matches.is_empty() {
        InAts::No
    } else {
        InAts::Yes
    };
    let has_active_application = matches.iter().any(|m| m.has_active_application);

    if let Some(raw_name) = present(&p.name) {
        let name = normalize_name(raw_name);
        if name.is_empty() {
            invalid.push(InvalidField {
                field: "name",
                reason: "the name has no letters or digits".into(),
            });
        } else if matches.is_empty() {
            let company = present(&p.company)
                .map(normalize_company)
                .filter(|c| !c.is_empty())
                .map(|c| company_hash(&c));
            let h = name_hash(&name);
            ix.lookup(h, |slot| {
                if matches.len() >= MAX_POSSIBLE || !ix.slot_has_hash(slot, h) {
                    return;
                }
                let v = ix.view(slot);
                let basis = match company {
                    Some(c) if v.company_hash != 0 && v.company_hash != c => return,
                    Some(c) if v.company_hash == c => "name_and_company",
                    _ => "name",
                };
                matches.push(CandidateMatch {
                    ats_candidate_id: v.ats_candidate_id.into_owned(),
                    confidence: "possible",
                    matched_on: Vec::new(),
                    basis: Some(basis),
                    has_active_application: v.has_active_application,
                });
            });
            if !matches.is_empty() {
                in_ats = InAts::Possible;
            }
        }
    }

    PersonResult {
        index,
        in_ats,
        matches,
        has_active_application,
        invalid,
    }
}

/// Checks every person against `ix`, splitting large batches over the available cores (at
/// most 8).
pub fn check_all(
    ix: &ConnIndex,
    people: &[PersonQuery],
    default_country_code: Option<u16>,
) -> Vec<PersonResult> {
    const CHUNK: usize = 2_500;
    if people.len() <= CHUNK {
        return people
            .iter()
            .enumerate()
            .map(|(i, p)| check_person(ix, i, p, default_country_code))
            .collect();
    }
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .clamp(1, 8);
    let chunk = people.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let handles: Vec<_> = people
            .chunks(chunk)
            .enumerate()
            .map(|(c, part)| {
                scope.spawn(move || {
                    part.iter()
                        .enumerate()
                        .map(|(i, p)| check_person(ix, c * chunk + i, p, default_country_code))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_default())
            .collect()
    })
}
