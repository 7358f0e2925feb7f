//! The conformance targets, one per adapter kind. Adding an ATS adds one here.

pub mod ashby;

use crate::target::ConformanceTarget;
use std::sync::Arc;

/// Every target this suite knows.
pub fn all() -> Vec<Arc<dyn ConformanceTarget>> {
    vec![Arc::new(ashby::AshbyTarget)]
}
