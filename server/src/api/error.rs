//! The API's error envelope and how every failure maps to a status and a code.
//!
//! Every error answers `{"error": {"code", "message", "details"}}`. The rules:
//! - invalid input → 422 (`invalid_input`, details name the field(s)); not found → 404;
//!   missing/wrong bearer token → 401 (`unauthorized`).
//! - An ATS's 401/403 is never our 401/403: it is 502 `upstream_unauthenticated` /
//!   `upstream_permission_denied` naming the upstream problem. ATS unavailable → 503
//!   `upstream_unavailable` (504 `upstream_timeout` for a timeout); ATS rate limited → 503
//!   `upstream_rate_limited` with `Retry-After`.
//! - Messages never contain keys, secrets or tokens.

use crate::connections::ConnectionError;
use crate::crypto::CryptoError;
use crate::store::StoreError;
use atsbridge_core::{AtsError, ErrorKind};
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::{Value, json};

/// The body of every error response.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// The error.
    pub error: ErrorDetail,
}

/// What went wrong.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    /// Stable snake_case code (`invalid_input`, `upstream_permission_denied`, …).
    pub code: String,
    /// A sentence a person can act on.
    pub message: String,
    /// Structured particulars (the field, every problem, the missing permissions, …); `{}` when none.
    #[schema(value_type = Object)]
    pub details: Value,
}

/// An error answer: status, code, message, details and an optional `Retry-After`.
#[derive(Debug, Clone)]
pub struct ApiError {
    /// HTTP status.
    pub status: StatusCode,
    /// Stable code.
    pub code: String,
    /// Human-readable message.
    pub message: String,
    /// Structured details (`{}` when none).
    pub details: Value,
    /// Seconds for the `Retry-After` header.
    pub retry_after: Option<u64>,
}

/// Shorthand for handler results.
pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    /// Any status and code.
    pub fn new(status: StatusCode, code: &str, message: impl Into<String>) -> Self {
        Self {
            status,
            code: code.to_owned(),
            message: message.into(),
            details: json!({}),
            retry_after: None,
        }
    }

    /// Attaches details.
    pub fn with_details(mut self, details: Value) -> Self {
        self.details = details;
        self
    }

    /// 422 `invalid_input` naming `field`.
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        let message = message.into();
        Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_input",
            format!("{field}: {message}"),
        )
        .with_details(json!({"field": field, "problems": [{"field": field, "message": message}]}))
    }

    /// 422 with a code other than `invalid_input` naming `field`.
    pub fn unprocessable(code: &str, field: &str, message: impl Into<String>) -> Self {
        let message = message.into();
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, code, message.clone()).with_details(
            json!({"field": field, "problems": [{"field": field, "message": message}]}),
        )
    }

    /// 422 `invalid_input` listing every problem (`[{field, message}]`).
    pub fn invalid_many(problems: Vec<Problem>) -> Self {
        let summary = problems
            .iter()
            .map(|p| format!("{}: {}", p.field, p.message))
            .collect::<Vec<_>>()
            .join("; ");
        let field = problems
            .first()
            .map(|p| p.field.clone())
            .unwrap_or_default();
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", summary)
            .with_details(json!({"field": field, "problems": problems}))
    }

    /// 404 `not_found`.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", message)
    }

    /// 401 `unauthorized`.
    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "unauthorized", message)
    }

    /// 500 `internal`; the cause is logged, not returned.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        tracing::error!(error = %cause, "internal error");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "internal error; see the server log",
        )
    }

    /// The answer for an ATS error from the ATS named `ats` (see the module rules).
    pub fn from_ats(ats: &str, e: &AtsError) -> Self {
        let words = explain_ats_error(ats, e);
        let mut details = json!({"ats": ats, "ats_error": e.kind().code()});
        if let Some(id) = e.request_id() {
            details["request_id"] = json!(id);
        }
        if let Some(op) = e.operation() {
            details["operation"] = json!(op);
        }
        let (status, code) = match e.kind() {
            ErrorKind::Unauthenticated => (StatusCode::BAD_GATEWAY, "upstream_unauthenticated"),
            ErrorKind::PermissionDenied { permission } => {
                details["missing_permissions"] = json!(permission.iter().collect::<Vec<_>>());
                (StatusCode::BAD_GATEWAY, "upstream_permission_denied")
            }
            ErrorKind::NotFound => (StatusCode::NOT_FOUND, "not_found"),
            ErrorKind::InvalidInput { field } => {
                details["field"] = json!(field);
                (StatusCode::UNPROCESSABLE_ENTITY, "invalid_input")
            }
            ErrorKind::Conflict => (StatusCode::CONFLICT, "upstream_conflict"),
            ErrorKind::RateLimited => (StatusCode::SERVICE_UNAVAILABLE, "upstream_rate_limited"),
            ErrorKind::Unavailable if is_timeout(e) => {
                (StatusCode::GATEWAY_TIMEOUT, "upstream_timeout")
            }
            ErrorKind::Unavailable => (StatusCode::SERVICE_UNAVAILABLE, "upstream_unavailable"),
            ErrorKind::Unsupported { .. } => (StatusCode::NOT_IMPLEMENTED, "unsupported"),
            _ => (StatusCode::BAD_GATEWAY, "upstream_error"),
        };
        let retry_after = match e.kind() {
            ErrorKind::RateLimited | ErrorKind::Unavailable => {
                Some(e.retry_after().map(|d| d.as_secs().max(1)).unwrap_or(
                    if matches!(e.kind(), ErrorKind::RateLimited) {
                        30
                    } else {
                        5
                    },
                ))
            }
            _ => None,
        };
        Self {
            status,
            code: code.to_owned(),
            message: words,
            details,
            retry_after,
        }
    }
}

fn is_timeout(e: &AtsError) -> bool {
    let m = e.message().to_ascii_lowercase();
    m.contains("timed out") || m.contains("timeout")
}

/// One validation problem: the field (dotted path) and what is wrong.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct Problem {
    /// The field, as a dotted path into the request (`candidate.email`, `stage_mapping.s1`).
    pub field: String,
    /// What is wrong, in words.
    pub message: String,
    /// A stable code for the problem kind, when there is one (`unmapped_stage`, …).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
}

impl Problem {
    /// A problem on `field`.
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
            code: None,
        }
    }

    /// Sets the code.
    pub fn with_code(mut self, code: impl Into<String>) -> Self {
        self.code = Some(code.into());
        self
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code,
                message: self.message,
                details: self.details,
            },
        };
        let mut resp = (self.status, axum::Json(body)).into_response();
        if let Some(secs) = self.retry_after
            && let Ok(v) = HeaderValue::from_str(&secs.to_string())
        {
            resp.headers_mut().insert(header::RETRY_AFTER, v);
        }
        resp
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound(what) => ApiError::not_found(format!("{what} not found")),
            StoreError::Conflict(what) => ApiError::new(StatusCode::CONFLICT, "conflict", what),
            StoreError::Database(_) => {
                tracing::error!(error = %e, "store error");
                ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "store_unavailable",
                    "the database failed; try again",
                )
                .with_retry_after(5)
            }
        }
    }
}

impl ApiError {
    /// Sets `Retry-After` (seconds).
    pub fn with_retry_after(mut self, secs: u64) -> Self {
        self.retry_after = Some(secs);
        self
    }
}

impl From<CryptoError> for ApiError {
    fn from(e: CryptoError) -> Self {
        ApiError::internal(e)
    }
}

impl From<ConnectionError> for ApiError {
    fn from(e: ConnectionError) -> Self {
        match e {
            ConnectionError::InvalidInput { field, message } => ApiError::invalid(&field, message),
            ConnectionError::MissingPermissions {
                ats,
                missing,
                granted,
            } => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "missing_permissions",
                crate::connections::missing_permissions_words(&ats, &missing),
            )
            .with_details(json!({
                "field": "api_key",
                "missing_permissions": missing,
                "granted_permissions": granted,
                "grant": missing.iter().map(|p| permission_label(p)).collect::<Vec<_>>(),
            })),
            ConnectionError::NotFound(id) => {
                ApiError::not_found(format!("connection {id} does not exist"))
            }
            ConnectionError::Ats { ats, error } => ApiError::from_ats(&ats, &error),
            ConnectionError::Store(s) => s.into(),
            ConnectionError::Crypto(c) => c.into(),
        }
    }
}

/// A recruiter-actionable sentence for an ATS error, e.g. "Ashby refused the API key's
/// permissions: it lacks candidatesWrite — ask an Ashby admin to grant 'Candidates: write' to the
/// key". The worker uses it for a command's `last_error.message`. Never contains secrets.
pub fn explain_ats_error(ats: &str, e: &AtsError) -> String {
    let msg = e.message();
    let mut s = match e.kind() {
        ErrorKind::Unauthenticated => format!(
            "{ats} did not accept the API key (it is wrong, expired or revoked): create a new key in {ats} and paste it into the connection ({msg})"
        ),
        ErrorKind::PermissionDenied {
            permission: Some(p),
        } => format!(
            "{ats} refused the API key's permissions: it lacks {p} — ask an {ats} admin to grant '{}' to the key",
            permission_label(p)
        ),
        ErrorKind::PermissionDenied { permission: None } => {
            format!(
                "{ats} refused the request for lack of a permission: ask an {ats} admin to check the key's permissions ({msg})"
            )
        }
        _ if msg.starts_with(ats)
            && !matches!(
                e.kind(),
                ErrorKind::Unauthenticated
                    | ErrorKind::PermissionDenied { .. }
                    | ErrorKind::RateLimited
            ) =>
        {
            // The adapter already wrote a sentence naming the ATS.
            msg.to_owned()
        }
        ErrorKind::NotFound => format!("{ats} has no such record: {msg}"),
        ErrorKind::InvalidInput { field: Some(f) } => {
            format!("{ats} refused the request: {f}: {msg}")
        }
        ErrorKind::InvalidInput { field: None } => format!("{ats} refused the request: {msg}"),
        ErrorKind::Conflict => format!("{ats} reported a conflict: {msg}"),
        ErrorKind::RateLimited => match e.retry_after() {
            Some(d) => format!(
                "{ats} is rate limiting this account; it asked to wait {} s",
                d.as_secs().max(1)
            ),
            None => format!("{ats} is rate limiting this account; try again shortly"),
        },
        ErrorKind::Unavailable => {
            format!("{ats} is unavailable right now; it will be retried ({msg})")
        }
        ErrorKind::Unsupported { operation } => {
            format!("the {ats} integration does not support `{operation}`")
        }
        ErrorKind::FullResyncNeeded => format!("{ats} needs a full resync: {msg}"),
        _ => format!("{ats} answered unexpectedly: {msg}"),
    };
    if let Some(id) = e.request_id() {
        s.push_str(&format!(" [{ats} request id: {id}]"));
    }
    s
}

/// The label an ATS admin sees for a permission name: `candidatesWrite` or `candidates:write`
/// → `Candidates: write`; `hiringProcessMetadataRead` → `Hiring process metadata: read`.
pub fn permission_label(permission: &str) -> String {
    let (subject, action) = if let Some((a, b)) = permission.split_once(':') {
        (a.to_owned(), b.to_owned())
    } else {
        let split = permission
            .char_indices()
            .filter(|(_, c)| c.is_ascii_uppercase())
            .map(|(i, _)| i)
            .next_back();
        match split {
            Some(i) if i > 0 => (
                permission[..i].to_owned(),
                permission[i..].to_ascii_lowercase(),
            ),
            _ => return permission.to_owned(),
        }
    };
    let mut words = String::new();
    for (i, c) in subject.chars().enumerate() {
        if i == 0 {
            words.extend(c.to_uppercase());
        } else if c.is_ascii_uppercase() {
            words.push(' ');
            words.push(c.to_ascii_lowercase());
        } else {
            words.push(c);
        }
    }
    format!("{words}: {action}")
}

/// `Json<T>` whose rejections answer the error envelope: 422 `invalid_input` naming the field
/// serde reported, 400 `bad_request` for a body that is not JSON, 415 for a wrong content type.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiJson<T>(pub T);

impl<T, S> FromRequest<S> for ApiJson<T>
where
    axum::Json<T>: FromRequest<S, Rejection = JsonRejection>,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(ApiJson(v)),
            Err(rejection) => Err(json_rejection(rejection)),
        }
    }
}

fn json_rejection(r: JsonRejection) -> ApiError {
    let text = r.body_text();
    match r {
        JsonRejection::JsonDataError(_) => {
            // axum reports "Failed to deserialize the JSON body into the target type: PATH: MESSAGE".
            let detail = text
                .split_once("target type: ")
                .map(|(_, d)| d)
                .unwrap_or(&text);
            let (field, message) = match detail.split_once(": ") {
                Some((path, msg)) if !path.contains(' ') => (path.to_owned(), msg.to_owned()),
                _ => (
                    missing_field(detail).unwrap_or_else(|| "body".to_owned()),
                    detail.to_owned(),
                ),
            };
            let field = if field == "." {
                missing_field(&message).unwrap_or_else(|| "body".into())
            } else {
                field
            };
            let field = match missing_field(&message) {
                Some(m) if field != "body" && !field.ends_with(&m) => format!("{field}.{m}"),
                Some(m) if field == "body" => m,
                _ => field,
            };
            ApiError::invalid(&field, message)
        }
        JsonRejection::MissingJsonContentType(_) => ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "send the body as JSON with `Content-Type: application/json`",
        ),
        _ => ApiError::new(
            StatusCode::BAD_REQUEST,
            "bad_request",
            format!("the body is not valid JSON: {text}"),
        ),
    }
}

fn missing_field(message: &str) -> Option<String> {
    let rest = message.split_once("missing field `")?.1;
    Some(rest.split_once('`')?.0.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permission_labels() {
        assert_eq!(permission_label("candidatesWrite"), "Candidates: write");
        assert_eq!(permission_label("candidates:write"), "Candidates: write");
        assert_eq!(
            permission_label("hiringProcessMetadataRead"),
            "Hiring process metadata: read"
        );
    }

    #[test]
    fn ats_auth_errors_are_502_never_401() {
        let e = ApiError::from_ats("Ashby", &AtsError::unauthenticated("bad key"));
        assert_eq!(
            (e.status, e.code.as_str()),
            (StatusCode::BAD_GATEWAY, "upstream_unauthenticated")
        );
        let e = ApiError::from_ats(
            "Ashby",
            &AtsError::permission_denied(Some("candidatesWrite".into()), "no"),
        );
        assert_eq!(
            (e.status, e.code.as_str()),
            (StatusCode::BAD_GATEWAY, "upstream_permission_denied")
        );
        assert!(
            e.message
                .contains("ask an Ashby admin to grant 'Candidates: write'"),
            "{}",
            e.message
        );
        let e = ApiError::from_ats(
            "Ashby",
            &AtsError::rate_limited(Some(std::time::Duration::from_secs(7)), "slow"),
        );
        assert_eq!(
            (e.status, e.retry_after),
            (StatusCode::SERVICE_UNAVAILABLE, Some(7))
        );
    }
}
