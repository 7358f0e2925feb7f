//! The one error type every adapter returns.
//!
//! An [`AtsError`] has two independent axes: its [`ErrorKind`] (what went wrong) and its
//! [`Retryability`] (whether the same call may succeed later). The server decides what to do from
//! these two alone, never from the message text. Messages are written for a recruiter to act on
//! and never contain credentials: adapters must not put API keys or tokens in them.

use std::fmt;
use std::time::Duration;

/// What went wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The ATS did not accept the credentials (missing, wrong or revoked key).
    Unauthenticated,
    /// The credentials lack a permission; names it as the ATS does (`candidatesWrite`).
    PermissionDenied {
        /// The missing permission, when the ATS says.
        permission: Option<String>,
    },
    /// The record asked for does not exist (or is invisible to this key).
    NotFound,
    /// The request was malformed or broke an ATS rule; names the field when known.
    InvalidInput {
        /// The offending field, when known.
        field: Option<String>,
    },
    /// The request conflicts with the ATS's state (for example a duplicate).
    Conflict,
    /// The ATS is throttling this key or organization.
    RateLimited,
    /// The ATS could not be reached or failed (5xx, connect error, timeout).
    Unavailable,
    /// The adapter does not support the operation; no ATS call was made.
    Unsupported {
        /// The operation's name, as in [`crate::Capability`].
        operation: &'static str,
    },
    /// The stored sync position is no longer usable; start the stream again from scratch.
    FullResyncNeeded,
    /// Anything else, for example a response the adapter could not read.
    Unexpected,
}

impl ErrorKind {
    /// A stable snake_case code for the kind, for APIs and metrics.
    pub fn code(&self) -> &'static str {
        match self {
            ErrorKind::Unauthenticated => "unauthenticated",
            ErrorKind::PermissionDenied { .. } => "permission_denied",
            ErrorKind::NotFound => "not_found",
            ErrorKind::InvalidInput { .. } => "invalid_input",
            ErrorKind::Conflict => "conflict",
            ErrorKind::RateLimited => "rate_limited",
            ErrorKind::Unavailable => "unavailable",
            ErrorKind::Unsupported { .. } => "unsupported",
            ErrorKind::FullResyncNeeded => "full_resync_needed",
            ErrorKind::Unexpected => "unexpected",
        }
    }
}

/// Whether retrying the same call can help.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Retryability {
    /// Retrying the same call will fail the same way.
    Permanent,
    /// The same call may succeed later; wait at least `retry_after` when given.
    Temporary {
        /// The ATS's requested wait, when it gave one.
        retry_after: Option<Duration>,
    },
}

/// The error every adapter operation returns.
#[derive(Clone, PartialEq, Eq)]
pub struct AtsError {
    kind: ErrorKind,
    retry: Retryability,
    message: String,
    request_id: Option<String>,
    operation: Option<&'static str>,
    /// True when the request may have reached the ATS and been applied even though no
    /// success came back (a lost response). The caller must look before it writes again.
    maybe_applied: bool,
}

/// Shorthand for `Result<T, AtsError>`.
pub type Result<T, E = AtsError> = std::result::Result<T, E>;

impl AtsError {
    /// An error of `kind` with the retryability that kind has by default: rate limited and
    /// unavailable are temporary; everything else permanent.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        let retry = match kind {
            ErrorKind::RateLimited | ErrorKind::Unavailable => {
                Retryability::Temporary { retry_after: None }
            }
            _ => Retryability::Permanent,
        };
        Self {
            kind,
            retry,
            message: message.into(),
            request_id: None,
            operation: None,
            maybe_applied: false,
        }
    }

    /// The ATS rejected the credentials.
    pub fn unauthenticated(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Unauthenticated, message)
    }

    /// The credentials lack `permission`.
    pub fn permission_denied(permission: Option<String>, message: impl Into<String>) -> Self {
        Self::new(ErrorKind::PermissionDenied { permission }, message)
    }

    /// The record does not exist.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::NotFound, message)
    }

    /// Bad input, naming the field when known.
    pub fn invalid_input(field: Option<&str>, message: impl Into<String>) -> Self {
        Self::new(
            ErrorKind::InvalidInput {
                field: field.map(str::to_owned),
            },
            message,
        )
    }

    /// Conflicts with ATS state.
    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Conflict, message)
    }

    /// Throttled; retry after `retry_after` when known.
    pub fn rate_limited(retry_after: Option<Duration>, message: impl Into<String>) -> Self {
        Self::new(ErrorKind::RateLimited, message)
            .with_retry(Retryability::Temporary { retry_after })
    }

    /// The ATS is unreachable or failing.
    pub fn unavailable(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Unavailable, message)
    }

    /// The adapter does not support `operation`. Returned without any ATS call.
    pub fn unsupported(operation: &'static str) -> Self {
        Self::new(
            ErrorKind::Unsupported { operation },
            format!("this ATS adapter does not support `{operation}`"),
        )
        .with_operation(operation)
    }

    /// The sync position is unusable; a full resync is needed.
    pub fn full_resync_needed(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::FullResyncNeeded, message)
    }

    /// Anything else.
    pub fn unexpected(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Unexpected, message)
    }

    /// Overrides the retryability.
    pub fn with_retry(mut self, retry: Retryability) -> Self {
        self.retry = retry;
        self
    }

    /// Attaches the ATS's request id (for support tickets).
    pub fn with_request_id(mut self, request_id: impl Into<String>) -> Self {
        self.request_id = Some(request_id.into());
        self
    }

    /// Names the adapter operation that failed.
    pub fn with_operation(mut self, operation: &'static str) -> Self {
        self.operation = Some(operation);
        self
    }

    /// Marks that the request may have been applied although no success came back.
    pub fn with_maybe_applied(mut self, maybe_applied: bool) -> Self {
        self.maybe_applied = maybe_applied;
        self
    }

    /// What went wrong.
    pub fn kind(&self) -> &ErrorKind {
        &self.kind
    }

    /// Whether a retry can help.
    pub fn retry(&self) -> Retryability {
        self.retry
    }

    /// True when a retry can help.
    pub fn is_temporary(&self) -> bool {
        matches!(self.retry, Retryability::Temporary { .. })
    }

    /// The wait the ATS asked for, if any.
    pub fn retry_after(&self) -> Option<Duration> {
        match self.retry {
            Retryability::Temporary { retry_after } => retry_after,
            Retryability::Permanent => None,
        }
    }

    /// The human-readable explanation (never contains secrets).
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The ATS's request id, if it gave one.
    pub fn request_id(&self) -> Option<&str> {
        self.request_id.as_deref()
    }

    /// The operation that failed, if set.
    pub fn operation(&self) -> Option<&'static str> {
        self.operation
    }

    /// True when the request may have been applied although it failed.
    pub fn maybe_applied(&self) -> bool {
        self.maybe_applied
    }
}

impl fmt::Display for AtsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(op) = self.operation {
            write!(f, "{op}: ")?;
        }
        write!(f, "{} ({})", self.message, self.kind.code())?;
        if let ErrorKind::PermissionDenied {
            permission: Some(p),
        } = &self.kind
        {
            write!(f, " [missing permission: {p}]")?;
        }
        if let Some(id) = &self.request_id {
            write!(f, " [request id: {id}]")?;
        }
        Ok(())
    }
}

impl fmt::Debug for AtsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AtsError")
            .field("kind", &self.kind)
            .field("retry", &self.retry)
            .field("message", &self.message)
            .field("request_id", &self.request_id)
            .field("operation", &self.operation)
            .field("maybe_applied", &self.maybe_applied)
            .finish()
    }
}

impl std::error::Error for AtsError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_have_default_retryability() {
        assert!(AtsError::unavailable("down").is_temporary());
        assert!(AtsError::rate_limited(None, "slow").is_temporary());
        assert!(!AtsError::not_found("gone").is_temporary());
        assert!(!AtsError::unsupported("create_interview").is_temporary());
    }

    #[test]
    fn retry_after_is_kept_only_when_temporary() {
        let e = AtsError::rate_limited(Some(Duration::from_secs(7)), "slow");
        assert_eq!(e.retry_after(), Some(Duration::from_secs(7)));
        let e = e.with_retry(Retryability::Permanent);
        assert_eq!(e.retry_after(), None);
    }

    #[test]
    fn display_names_operation_permission_and_request_id() {
        let e =
            AtsError::permission_denied(Some("candidatesWrite".into()), "key lacks a permission")
                .with_operation("create_candidate")
                .with_request_id("01HXYZ");
        let s = e.to_string();
        assert!(s.contains("create_candidate"), "{s}");
        assert!(s.contains("candidatesWrite"), "{s}");
        assert!(s.contains("01HXYZ"), "{s}");
    }
}
