//! Newtype identifiers.
//!
//! Every identifier the ATS hands out is kept as an opaque string wrapped in its own type, so a
//! job id can never be passed where a stage id is expected. The wrapped value is exactly what the
//! ATS returned: no case folding, no trimming.

use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub String);

        impl $name {
            /// Wraps an ATS-issued identifier as it was returned.
            pub fn new(value: impl Into<String>) -> Self {
                Self(value.into())
            }

            /// The identifier exactly as the ATS issued it.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({:?})", stringify!($name), self.0)
            }
        }

        impl From<&str> for $name {
            fn from(value: &str) -> Self {
                Self(value.to_owned())
            }
        }

        impl From<String> for $name {
            fn from(value: String) -> Self {
                Self(value)
            }
        }
    };
}

id_type!(
    /// An ATS job (requisition) id.
    JobId
);
id_type!(
    /// An interview-plan stage id of an ATS job.
    StageId
);
id_type!(
    /// An ATS user (recruiter, hiring manager) id.
    UserId
);
id_type!(
    /// An ATS candidate source id (for example the "Dover" source).
    SourceId
);
id_type!(
    /// An ATS rejection (archive) reason id.
    RejectionReasonId
);
id_type!(
    /// An ATS candidate id. May change when a recruiter merges two candidates.
    CandidateId
);
id_type!(
    /// An ATS application id: one candidate considered for one job.
    ApplicationId
);
id_type!(
    /// An ATS interview (schedule) id.
    InterviewId
);
id_type!(
    /// An ATS note id.
    NoteId
);
id_type!(
    /// An ATS custom-field definition id.
    CustomFieldId
);
