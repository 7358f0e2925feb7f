//! Drift checks: when a full pass of the candidate stream completes, rows not seen since the
//! pass started are candidates the ATS no longer has (deleted, or merged away without a
//! webhook): they become `candidate_deleted` events and leave the index.

/// Whether a full drift check is due: none has ever run, or the last one started more than
/// `interval_ms` before `now`.
pub fn drift_due(last_full_pass_started_at: Option<i64>, now: i64, interval_ms: i64) -> bool {
    match last_full_pass_started_at {
        None => true,
        Some(t) => now.saturating_sub(t) >= interval_ms,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn due_when_never_or_old() {
        assert!(drift_due(None, 10, 5));
        assert!(drift_due(Some(0), 10, 5));
        assert!(!drift_due(Some(8), 10, 5));
    }
}
