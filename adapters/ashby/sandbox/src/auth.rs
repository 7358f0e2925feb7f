//! HTTP Basic auth with the API key as username, and per-endpoint permissions.

use axum::http::HeaderMap;
use base64::Engine;

use crate::model::{ApiKey, Ms};

/// Key with every permission. Obviously fake; accepted only by the sandbox.
pub const DEMO_API_KEY: &str = "sandbox-demo-key";
/// Key with only the `*Read` permissions.
pub const READ_ONLY_API_KEY: &str = "sandbox-read-only-key";
/// Key with every permission except `candidatesWrite`.
pub const NO_CANDIDATES_WRITE_API_KEY: &str = "sandbox-no-candidates-write-key";

/// Ashby module permissions (NOTES.md §1), as bits.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[repr(u32)]
pub(crate) enum Perm {
    ApiKeysRead = 1 << 0,
    ApiKeysWrite = 1 << 1,
    CandidatesRead = 1 << 2,
    CandidatesWrite = 1 << 3,
    JobsRead = 1 << 4,
    JobsWrite = 1 << 5,
    InterviewsRead = 1 << 6,
    InterviewsWrite = 1 << 7,
    HiringProcessMetadataRead = 1 << 8,
    HiringProcessMetadataWrite = 1 << 9,
    OrganizationRead = 1 << 10,
    OrganizationWrite = 1 << 11,
}

impl Perm {
    const ALL: [Perm; 12] = [
        Perm::ApiKeysRead,
        Perm::ApiKeysWrite,
        Perm::CandidatesRead,
        Perm::CandidatesWrite,
        Perm::JobsRead,
        Perm::JobsWrite,
        Perm::InterviewsRead,
        Perm::InterviewsWrite,
        Perm::HiringProcessMetadataRead,
        Perm::HiringProcessMetadataWrite,
        Perm::OrganizationRead,
        Perm::OrganizationWrite,
    ];

    /// The permission's name as Ashby's docs spell it.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Perm::ApiKeysRead => "apiKeysRead",
            Perm::ApiKeysWrite => "apiKeysWrite",
            Perm::CandidatesRead => "candidatesRead",
            Perm::CandidatesWrite => "candidatesWrite",
            Perm::JobsRead => "jobsRead",
            Perm::JobsWrite => "jobsWrite",
            Perm::InterviewsRead => "interviewsRead",
            Perm::InterviewsWrite => "interviewsWrite",
            Perm::HiringProcessMetadataRead => "hiringProcessMetadataRead",
            Perm::HiringProcessMetadataWrite => "hiringProcessMetadataWrite",
            Perm::OrganizationRead => "organizationRead",
            Perm::OrganizationWrite => "organizationWrite",
        }
    }

    /// Whether this is a write permission.
    pub(crate) fn is_write(self) -> bool {
        self.name().ends_with("Write")
    }

    /// `apiKey.info` scope string, e.g. `candidates:read` (mapping guessed, see docs).
    fn scope(self) -> String {
        let n = self.name();
        let (module, rw) = if let Some(m) = n.strip_suffix("Read") {
            (m, "read")
        } else {
            (n.strip_suffix("Write").unwrap_or(n), "write")
        };
        format!("{module}:{rw}")
    }

    /// Parses a permission name (`candidatesWrite`).
    pub(crate) fn parse(s: &str) -> Option<Perm> {
        Perm::ALL.into_iter().find(|p| p.name() == s)
    }
}

/// Every permission bit.
pub(crate) const ALL_PERMS: u32 = (1 << 12) - 1;

/// Every `*Read` permission bit.
pub(crate) fn read_perms() -> u32 {
    Perm::ALL
        .into_iter()
        .filter(|p| !p.is_write())
        .fold(0, |a, p| a | p as u32)
}

/// Scope strings of a permission set.
pub(crate) fn scopes(perms: u32) -> Vec<String> {
    Perm::ALL
        .into_iter()
        .filter(|p| perms & (*p as u32) != 0)
        .map(Perm::scope)
        .collect()
}

/// The three seeded keys.
pub(crate) fn seeded_keys(admin_user: Option<u32>, created_at: Ms) -> Vec<(String, ApiKey)> {
    let key = |title: &str, perms: u32| ApiKey {
        title: title.to_string(),
        perms,
        user: admin_user,
        created_at,
    };
    vec![
        (
            DEMO_API_KEY.to_string(),
            key("Sandbox demo key (all permissions)", ALL_PERMS),
        ),
        (
            READ_ONLY_API_KEY.to_string(),
            key("Sandbox read-only key", read_perms()),
        ),
        (
            NO_CANDIDATES_WRITE_API_KEY.to_string(),
            key(
                "Sandbox key without candidatesWrite",
                ALL_PERMS & !(Perm::CandidatesWrite as u32),
            ),
        ),
    ]
}

/// Outcome of reading the `Authorization` header.
pub(crate) enum Credentials {
    /// No usable Basic credentials (→ 401).
    Missing,
    /// The username (API key) that was presented.
    Key(String),
}

/// Extracts the API key from `Authorization: Basic base64(key:)`.
pub(crate) fn credentials(headers: &HeaderMap) -> Credentials {
    let Some(v) = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    else {
        return Credentials::Missing;
    };
    let Some(b64) = v
        .strip_prefix("Basic ")
        .or_else(|| v.strip_prefix("basic "))
    else {
        return Credentials::Missing;
    };
    let Ok(raw) = base64::engine::general_purpose::STANDARD.decode(b64.trim()) else {
        return Credentials::Missing;
    };
    let Ok(s) = String::from_utf8(raw) else {
        return Credentials::Missing;
    };
    let user = s.split_once(':').map(|(u, _)| u).unwrap_or(&s);
    if user.is_empty() {
        return Credentials::Missing;
    }
    Credentials::Key(user.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_look_like_ashby_examples() {
        let s = scopes(Perm::JobsRead as u32 | Perm::CandidatesRead as u32);
        assert_eq!(s, vec!["candidates:read", "jobs:read"]);
        assert_eq!(read_perms() & Perm::CandidatesWrite as u32, 0);
    }
}
