use serde::{Deserialize, Serialize};

/// An opaque, adapter-defined position in a change stream.
///
/// Persist it after every page; passing it back resumes exactly there. Its content is meaningful
/// only to the adapter that issued it, and it may hold an ATS sync token (never a secret).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SyncCursor(pub String);

/// One page of a change stream.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ChangePage<T> {
    /// Records created or changed since the cursor the page was asked with.
    pub items: Vec<T>,
    /// Where to continue: ask again with it while `more` is true; store it when `more` is false
    /// and pass it next time to get only later changes.
    pub next: SyncCursor,
    /// True when further pages are ready now.
    pub more: bool,
}
