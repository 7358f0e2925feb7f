//! Translating what Ashby answered into [`AtsError`]s.
//!
//! Ashby answers most refusals with HTTP 200 and `success: false`, naming the reason in
//! `errorInfo.code`; authentication and permission problems come as HTTP 401/403, throttling as
//! HTTP 429. [`ApiError`] keeps Ashby's code and the HTTP status next to the core error so that
//! operations can tell, for example, an unknown endpoint from an unknown candidate.

use atsbridge_core::{AtsError, ErrorKind, Retryability};
use std::time::Duration;

/// An error from one Ashby call: the core error plus what Ashby said.
#[derive(Debug, Clone)]
pub(crate) struct ApiError {
    /// The error the adapter returns (boxed: it is large and travels through every call).
    pub ats: Box<AtsError>,
    /// Ashby's `errorInfo.code`, when it gave one.
    pub code: Option<String>,
    /// The HTTP status, when a response came back.
    pub status: Option<u16>,
}

impl ApiError {
    pub(crate) fn new(ats: AtsError) -> Self {
        Self {
            ats: Box::new(ats),
            code: None,
            status: None,
        }
    }

    /// True when Ashby does not know the endpoint at all (HTTP 404, no business code).
    pub(crate) fn is_unknown_endpoint(&self) -> bool {
        self.status == Some(404) || self.code.as_deref() == Some("endpoint_not_found")
    }

    pub(crate) fn kind(&self) -> &ErrorKind {
        self.ats.kind()
    }
}

impl From<ApiError> for AtsError {
    fn from(e: ApiError) -> Self {
        *e.ats
    }
}

/// The permission Ashby requires for `endpoint` (NOTES §1, from each operation's spec text).
pub(crate) fn permission_for(endpoint: &str) -> Option<&'static str> {
    let p = match endpoint {
        "apiKey.info" | "webhook.info" => "apiKeysRead",
        "webhook.create" | "webhook.update" | "webhook.delete" => "apiKeysWrite",
        "candidate.info"
        | "candidate.list"
        | "candidate.search"
        | "candidate.listNotes"
        | "application.info"
        | "application.list"
        | "application.listHistory" => "candidatesRead",
        "candidate.create"
        | "candidate.update"
        | "candidate.createNote"
        | "candidate.addTag"
        | "candidate.addEmailMessage"
        | "application.create"
        | "application.update"
        | "application.changeStage"
        | "application.changeSource"
        | "customField.setValue"
        | "customField.setValues" => "candidatesWrite",
        "job.list"
        | "job.info"
        | "job.search"
        | "jobPosting.list"
        | "jobPosting.info"
        | "jobInterviewPlan.info" => "jobsRead",
        "interview.list"
        | "interview.info"
        | "interviewPlan.list"
        | "interviewStage.list"
        | "interviewStage.info"
        | "interviewStageGroup.list"
        | "interviewSchedule.list"
        | "interviewEvent.list" => "interviewsRead",
        "interviewSchedule.create" | "interviewSchedule.update" | "interviewSchedule.cancel" => {
            "interviewsWrite"
        }
        "archiveReason.list"
        | "source.list"
        | "customField.list"
        | "customField.info"
        | "candidateTag.list"
        | "communicationTemplate.list" => "hiringProcessMetadataRead",
        "user.list"
        | "user.info"
        | "user.search"
        | "department.list"
        | "location.list"
        | "hiringTeamRole.list" => "organizationRead",
        _ => return None,
    };
    Some(p)
}

const PERMISSION_NAMES: [&str; 12] = [
    "apiKeysRead",
    "apiKeysWrite",
    "candidatesRead",
    "candidatesWrite",
    "jobsRead",
    "jobsWrite",
    "interviewsRead",
    "interviewsWrite",
    "hiringProcessMetadataRead",
    "hiringProcessMetadataWrite",
    "organizationRead",
    "organizationWrite",
];

/// Sync positions Ashby no longer accepts: the caller must start a full pass again.
const RESYNC_CODES: [&str; 5] = [
    "sync_token_expired",
    "sync_token_invalid",
    "incremental_sync_too_large",
    "next_cursor_expired",
    "invalid_next_cursor",
];

/// What Ashby's answer said, before mapping.
#[derive(Debug, Default, Clone)]
pub(crate) struct Refusal<'a> {
    pub endpoint: &'a str,
    pub status: u16,
    pub code: Option<&'a str>,
    pub message: Option<&'a str>,
    pub request_id: Option<&'a str>,
    pub retry_after: Option<Duration>,
    /// Keys of the request body, used to name the offending field of an `invalid_input`.
    pub body_keys: Vec<String>,
}

/// Maps a refusal (an HTTP error status or `success: false`) to an [`ApiError`].
pub(crate) fn map_refusal(r: &Refusal<'_>) -> ApiError {
    let what = r.message.map(str::trim).filter(|m| !m.is_empty());
    let say = |default: &str| -> String {
        match (what, r.code) {
            (Some(m), Some(c)) => format!("Ashby refused `{}`: {m} ({c})", r.endpoint),
            (Some(m), None) => format!("Ashby refused `{}`: {m}", r.endpoint),
            (None, Some(c)) => format!("Ashby refused `{}`: {default} ({c})", r.endpoint),
            (None, None) => format!("Ashby refused `{}`: {default}", r.endpoint),
        }
    };
    let code = r.code.unwrap_or("");
    let message_says_permission =
        what.is_some_and(|m| m.to_ascii_lowercase().contains("permission"));

    let ats = if code == "missing_endpoint_permission"
        || (r.status == 403 && code.is_empty() && message_says_permission)
    {
        let named = what.and_then(|m| PERMISSION_NAMES.iter().find(|p| m.contains(*p)).copied());
        let permission = named
            .or_else(|| permission_for(r.endpoint))
            .map(str::to_owned);
        AtsError::permission_denied(
            permission,
            say("the API key lacks the permission this call needs"),
        )
    } else if r.status == 401
        || r.status == 403
        || code == "unauthenticated"
        || code == "invalid_api_key"
    {
        // Ashby answers a missing key with 401 and a wrong or deactivated key with 403.
        AtsError::unauthenticated(say("the API key is missing, wrong or deactivated"))
    } else if r.status == 429
        || code == "rate_limit_exceeded"
        || code == "concurrent_limit_exceeded"
    {
        let wait = r.retry_after.or_else(|| what.and_then(seconds_in_message));
        AtsError::rate_limited(wait, say("too many requests"))
    } else if RESYNC_CODES.contains(&code) {
        AtsError::full_resync_needed(say(
            "the stored sync position can no longer be used; a full sync is needed",
        ))
    } else if code.ends_with("_not_found") {
        AtsError::not_found(say("not found"))
    } else if r.status == 404 {
        AtsError::not_found(say("Ashby does not know this endpoint"))
    } else if r.status >= 500 || r.status == 408 {
        let e = AtsError::unavailable(say(&format!("Ashby answered HTTP {}", r.status)));
        match r.retry_after {
            Some(d) => e.with_retry(Retryability::Temporary {
                retry_after: Some(d),
            }),
            None => e,
        }
    } else if code == "invalid_input" {
        let field = what.and_then(|m| field_in_message(m, &r.body_keys));
        AtsError::invalid_input(field.as_deref(), say("invalid input"))
    } else if code.contains("already_exists")
        || code.contains("duplicate")
        || code.contains("conflict")
    {
        AtsError::conflict(say("conflicts with the record's state"))
    } else if r.status == 200 || (400..500).contains(&r.status) {
        // Every other business refusal is Ashby saying no to this request: retrying cannot help.
        AtsError::invalid_input(None, say("request refused"))
    } else {
        AtsError::unexpected(say(&format!("unexpected HTTP {}", r.status)))
    };
    let ats = match r.request_id {
        Some(id) => ats.with_request_id(id),
        None => ats,
    };
    ApiError {
        ats: Box::new(ats),
        code: r.code.map(str::to_owned),
        status: Some(r.status),
    }
}

/// "Try again in 60 seconds." → 60 s.
fn seconds_in_message(m: &str) -> Option<Duration> {
    let words: Vec<&str> = m.split_whitespace().collect();
    words.windows(2).find_map(|w| {
        if w[1].trim_end_matches(['.', ',', ')']).starts_with("second") {
            w[0].parse::<u64>().ok().map(Duration::from_secs)
        } else {
            None
        }
    })
}

/// The request field an `invalid_input` message names: `Missing required field: name`, or any
/// key of the request body that appears in the message as a word.
fn field_in_message(m: &str, body_keys: &[String]) -> Option<String> {
    let is_word = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '.';
    let words: Vec<&str> = m
        .split(|c: char| !is_word(c))
        .filter(|w| !w.is_empty())
        .collect();
    for key in body_keys {
        if words.iter().any(|w| w.trim_end_matches('.') == key) {
            return Some(key.clone());
        }
    }
    let lower = m.to_ascii_lowercase();
    for marker in ["field:", "field "] {
        if let Some(at) = lower.find(marker) {
            let rest = &m[at + marker.len()..];
            let w = rest
                .trim_start()
                .split(|c: char| !is_word(c))
                .next()
                .unwrap_or("");
            let w = w.trim_end_matches('.');
            if !w.is_empty() {
                return Some(w.to_owned());
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refusal<'a>(status: u16, code: Option<&'a str>, message: Option<&'a str>) -> Refusal<'a> {
        Refusal {
            endpoint: "candidate.create",
            status,
            code,
            message,
            request_id: Some("01REQ"),
            ..Default::default()
        }
    }

    #[test]
    fn missing_permission_names_the_permission() {
        let e = map_refusal(&refusal(
            403,
            Some("missing_endpoint_permission"),
            Some("nope"),
        ));
        assert_eq!(
            e.ats.kind(),
            &ErrorKind::PermissionDenied {
                permission: Some("candidatesWrite".into())
            }
        );
        assert_eq!(e.ats.request_id(), Some("01REQ"));
        // Ashby's message wins when it names a permission.
        let e = map_refusal(&Refusal {
            endpoint: "candidate.create",
            status: 403,
            code: Some("missing_endpoint_permission"),
            message: Some("The API key lacks the candidatesRead permission"),
            ..Default::default()
        });
        assert_eq!(
            e.ats.kind(),
            &ErrorKind::PermissionDenied {
                permission: Some("candidatesRead".into())
            }
        );
    }

    #[test]
    fn wrong_key_is_unauthenticated_and_permanent() {
        for (status, code) in [(401, None), (403, Some("invalid_api_key")), (403, None)] {
            let e = map_refusal(&refusal(status, code, None));
            assert_eq!(
                e.ats.kind(),
                &ErrorKind::Unauthenticated,
                "{status} {code:?}"
            );
            assert!(!e.ats.is_temporary());
        }
    }

    #[test]
    fn sync_codes_need_full_resync() {
        for code in RESYNC_CODES {
            let e = map_refusal(&refusal(200, Some(code), Some("start again")));
            assert_eq!(e.ats.kind(), &ErrorKind::FullResyncNeeded, "{code}");
        }
    }

    #[test]
    fn not_found_codes_and_invalid_input_field() {
        let e = map_refusal(&refusal(
            200,
            Some("application_not_found"),
            Some("Application not found"),
        ));
        assert_eq!(e.ats.kind(), &ErrorKind::NotFound);
        assert!(!e.ats.is_temporary());
        let mut r = refusal(
            200,
            Some("invalid_input"),
            Some("linkedInUrl must be a valid URL"),
        );
        r.body_keys = vec!["name".into(), "linkedInUrl".into()];
        let e = map_refusal(&r);
        assert_eq!(
            e.ats.kind(),
            &ErrorKind::InvalidInput {
                field: Some("linkedInUrl".into())
            }
        );
        let e = map_refusal(&refusal(
            200,
            Some("invalid_input"),
            Some("Missing required field: applicationId"),
        ));
        assert_eq!(
            e.ats.kind(),
            &ErrorKind::InvalidInput {
                field: Some("applicationId".into())
            }
        );
    }

    #[test]
    fn rate_limit_reads_wait_from_header_or_message() {
        let mut r = refusal(
            429,
            Some("rate_limit_exceeded"),
            Some("Rate limit exceeded. Try again in 60 seconds."),
        );
        assert_eq!(
            map_refusal(&r).ats.retry_after(),
            Some(Duration::from_secs(60))
        );
        r.retry_after = Some(Duration::from_secs(7));
        assert_eq!(
            map_refusal(&r).ats.retry_after(),
            Some(Duration::from_secs(7))
        );
    }

    #[test]
    fn server_errors_are_temporary() {
        let e = map_refusal(&refusal(503, None, None));
        assert_eq!(e.ats.kind(), &ErrorKind::Unavailable);
        assert!(e.ats.is_temporary());
    }
}
