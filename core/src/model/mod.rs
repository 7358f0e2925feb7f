//! The ATS-neutral domain model.
//!
//! These types are what adapters translate the ATS's wire format into and what the server stores.
//! Values an ATS sends that the model has no variant for (a stage type, an application status)
//! are kept verbatim in an `Other(String)` variant rather than dropped or refused.

mod application;
mod candidate;
mod interview;
mod job;
mod message;
mod sync;

pub use application::{ApplicationState, AtsStatus, NewApplication, Outcome, StageRef};
pub use candidate::{Candidate, CandidateProfile, Identity, IdentityKind, NewCandidate};
pub use interview::{Interview, InterviewEvent, NewInterview};
pub use job::{Job, JobStatus, ReasonType, RejectionReason, Source, Stage, StageKind, User};
pub use message::{ArchiveRequest, EmailMessage, LoggedEmail, NewNote, NoteBody};
pub use sync::{ChangePage, SyncCursor};
