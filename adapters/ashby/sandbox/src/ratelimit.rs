//! A fixed-window rate limit per organization (one minute unless configured otherwise).

use std::time::{Duration, Instant};

/// Limit reported (and enforced) when none is configured.
pub(crate) const UNLIMITED: u32 = 1_000_000;

/// Result of counting one request.
#[derive(Clone, Copy, Debug)]
pub(crate) struct RateStatus {
    pub limit: u32,
    pub remaining: u32,
    /// Epoch seconds at which the window resets.
    pub reset_epoch: u64,
    /// Seconds until the reset (at least 1).
    pub retry_after: u64,
    pub allowed: bool,
}

/// The current window.
pub(crate) struct RateWindow {
    start: Instant,
    start_epoch_ms: i64,
    count: u32,
}

impl RateWindow {
    pub(crate) fn new() -> RateWindow {
        RateWindow {
            start: Instant::now(),
            start_epoch_ms: crate::envelope::now_ms(),
            count: 0,
        }
    }

    fn roll(&mut self, window: Duration) {
        if self.start.elapsed() >= window {
            *self = RateWindow::new();
        }
    }

    fn status(&self, limit: u32, allowed: bool, window: Duration) -> RateStatus {
        let left = window.saturating_sub(self.start.elapsed());
        RateStatus {
            limit,
            remaining: limit.saturating_sub(self.count),
            reset_epoch: ((self.start_epoch_ms + window.as_millis() as i64) / 1000) as u64,
            retry_after: left.as_secs_f64().ceil().max(1.0) as u64,
            allowed,
        }
    }

    /// Counts one request against `limit` (None = unlimited) in a window of `window`.
    pub(crate) fn hit(&mut self, limit: Option<u32>, window: Duration) -> RateStatus {
        self.roll(window);
        let limit = limit.unwrap_or(UNLIMITED);
        if self.count >= limit {
            return self.status(limit, false, window);
        }
        self.count += 1;
        self.status(limit, true, window)
    }

    /// The status without counting (for unauthenticated responses).
    pub(crate) fn peek(&mut self, limit: Option<u32>, window: Duration) -> RateStatus {
        self.roll(window);
        let limit = limit.unwrap_or(UNLIMITED);
        self.status(limit, self.count < limit, window)
    }

    /// Starts a new window (used when the limit is changed at run time).
    pub(crate) fn reset(&mut self) {
        *self = RateWindow::new();
    }
}
