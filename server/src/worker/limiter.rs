//! Per-connection limits: in-flight cap, request rate, and rate-limit pauses.
//!
//! Each connection (one customer ATS account, one API key) gets its own state, created on first
//! use: a semaphore capping its commands in flight, a GCRA rate limiter (`governor`) that every
//! ATS call waits on, and a "paused until" instant set when the ATS answers 429 with a wait. The
//! dispatcher leaves paused and saturated connections out of its claims, so one busy or
//! throttled customer never holds up the others.

use dashmap::DashMap;
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use std::num::NonZeroU32;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicUsize, Ordering};
use tokio::sync::Semaphore;

use crate::store::Millis;

/// The limits of one connection.
#[derive(Debug)]
pub struct ConnectionLimit {
    /// Caps the connection's commands in flight.
    pub slots: Arc<Semaphore>,
    /// Paces the connection's ATS calls.
    pub rate: DefaultDirectRateLimiter,
    /// Commands of this connection claimed and not yet finished (waiting for a slot included).
    pub claimed: AtomicUsize,
    /// No claims for the connection before this time (epoch ms); 0 = not paused.
    pub paused_until: AtomicI64,
    /// True while the connection's last ATS interaction recorded an error in its health.
    pub unhealthy: AtomicBool,
}

impl ConnectionLimit {
    /// Waits until the rate limiter lets one more ATS call through.
    pub async fn ready(&self) {
        self.rate.until_ready().await;
    }

    /// Pauses the connection until `until` (keeps a later pause already in place).
    pub fn pause_until(&self, until: Millis) {
        self.paused_until.fetch_max(until, Ordering::SeqCst);
    }

    /// True when the connection is paused at `now`.
    pub fn is_paused(&self, now: Millis) -> bool {
        self.paused_until.load(Ordering::SeqCst) > now
    }
}

/// Every connection's limits.
#[derive(Debug)]
pub struct Limits {
    per_connection_concurrency: usize,
    per_connection_rps: NonZeroU32,
    by_connection: DashMap<String, Arc<ConnectionLimit>>,
}

impl Limits {
    /// Limits of `concurrency` commands in flight and `rps` ATS calls per second per connection
    /// (each at least 1).
    pub fn new(concurrency: usize, rps: u32) -> Self {
        Limits {
            per_connection_concurrency: concurrency.max(1),
            per_connection_rps: NonZeroU32::new(rps.max(1)).expect("at least 1"),
            by_connection: DashMap::new(),
        }
    }

    /// The in-flight cap of each connection.
    pub fn per_connection_concurrency(&self) -> usize {
        self.per_connection_concurrency
    }

    /// The limits of `connection_id`, created on first use.
    pub fn get(&self, connection_id: &str) -> Arc<ConnectionLimit> {
        if let Some(l) = self.by_connection.get(connection_id) {
            return l.clone();
        }
        self.by_connection
            .entry(connection_id.to_owned())
            .or_insert_with(|| {
                let quota = Quota::per_second(self.per_connection_rps);
                Arc::new(ConnectionLimit {
                    slots: Arc::new(Semaphore::new(self.per_connection_concurrency)),
                    rate: RateLimiter::direct(quota),
                    claimed: AtomicUsize::new(0),
                    paused_until: AtomicI64::new(0),
                    unhealthy: AtomicBool::new(false),
                })
            })
            .clone()
    }

    /// Connections not to claim for at `now`: paused ones and those with as many commands
    /// claimed as they may run at once.
    pub fn excluded(&self, now: Millis) -> Vec<String> {
        self.by_connection
            .iter()
            .filter(|e| {
                e.is_paused(now)
                    || e.claimed.load(Ordering::SeqCst) >= self.per_connection_concurrency
            })
            .map(|e| e.key().clone())
            .collect()
    }

    /// The earliest end of a pause still in force at `now`, if any.
    pub fn next_unpause(&self, now: Millis) -> Option<Millis> {
        self.by_connection
            .iter()
            .map(|e| e.paused_until.load(Ordering::SeqCst))
            .filter(|&t| t > now)
            .min()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paused_and_full_connections_are_excluded() {
        let limits = Limits::new(2, 5);
        let a = limits.get("a");
        let b = limits.get("b");
        let _c = limits.get("c");
        a.pause_until(2_000);
        b.claimed.store(2, Ordering::SeqCst);
        let mut ex = limits.excluded(1_000);
        ex.sort();
        assert_eq!(ex, vec!["a".to_string(), "b".to_string()]);
        assert_eq!(limits.excluded(3_000), vec!["b".to_string()]);
        assert_eq!(limits.next_unpause(1_000), Some(2_000));
        a.pause_until(1_500);
        assert_eq!(
            a.paused_until.load(Ordering::SeqCst),
            2_000,
            "a shorter pause does not shorten"
        );
    }
}
