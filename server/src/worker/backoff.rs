//! Retry delays: exponential backoff with full jitter.
//!
//! Attempt `n` (1-based, the attempt that just failed) waits a uniformly random time in
//! `[0, min(max, base × 2^(n-1))]` ("full jitter", AWS architecture blog), so retries of many
//! commands that failed together spread out instead of hitting the ATS again in lock step.

use rand::Rng;
use std::time::Duration;

/// Exponential backoff with full jitter between `base` and `max`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Backoff {
    /// The ceiling of the first retry's delay.
    pub base: Duration,
    /// The largest delay ever returned.
    pub max: Duration,
}

impl Backoff {
    /// A backoff from `base_ms` to `max_ms` milliseconds.
    pub fn from_millis(base_ms: u64, max_ms: u64) -> Self {
        Backoff {
            base: Duration::from_millis(base_ms),
            max: Duration::from_millis(max_ms.max(base_ms)),
        }
    }

    /// The ceiling of the delay after `attempt` failed attempts (1 = the first failure).
    pub fn ceiling(&self, attempt: u32) -> Duration {
        let exp = attempt.saturating_sub(1).min(30);
        let ceiling = self.base.saturating_mul(1u32 << exp);
        ceiling.min(self.max)
    }

    /// A random delay in `[0, ceiling(attempt)]`.
    pub fn delay(&self, attempt: u32) -> Duration {
        let ceiling = self.ceiling(attempt).as_millis() as u64;
        if ceiling == 0 {
            return Duration::ZERO;
        }
        Duration::from_millis(rand::rng().random_range(0..=ceiling))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ceiling_doubles_then_caps() {
        let b = Backoff::from_millis(500, 60_000);
        assert_eq!(b.ceiling(1), Duration::from_millis(500));
        assert_eq!(b.ceiling(2), Duration::from_millis(1000));
        assert_eq!(b.ceiling(4), Duration::from_millis(4000));
        assert_eq!(b.ceiling(20), Duration::from_millis(60_000));
        assert_eq!(b.ceiling(u32::MAX), Duration::from_millis(60_000));
    }

    #[test]
    fn delay_stays_within_ceiling() {
        let b = Backoff::from_millis(100, 1000);
        for attempt in 1..12 {
            for _ in 0..50 {
                assert!(b.delay(attempt) <= b.ceiling(attempt));
            }
        }
    }
}
