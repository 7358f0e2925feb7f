//! Signals between the HTTP API and the command worker, within one process.
//!
//! - [`WorkerSignal`]: the API wakes the worker when it enqueues a command
//!   ([`WorkerSignal::notify_new_command`]); the worker announces every command that reaches a
//!   terminal state ([`WorkerSignal::command_finished`]) so a request with `?wait_ms=` can answer
//!   as soon as it is done. Both are hints: the worker still polls the queue, and waiters still
//!   re-read the store (another replica may have run the command).
//! - [`Heartbeat`]: the worker beats while its loop runs; `/readyz` reports not ready when a
//!   registered worker has not beaten recently.

use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::time::Duration;
use tokio::sync::{Notify, broadcast};

/// Wake-ups for the worker and completion announcements from it.
#[derive(Debug)]
pub struct WorkerSignal {
    new_command: Notify,
    finished: broadcast::Sender<String>,
}

impl Default for WorkerSignal {
    fn default() -> Self {
        Self::new()
    }
}

impl WorkerSignal {
    /// A signal with no waiters.
    pub fn new() -> Self {
        let (finished, _) = broadcast::channel(1024);
        Self {
            new_command: Notify::new(),
            finished,
        }
    }

    /// Called by the API after enqueueing: wakes one waiting worker loop (or the next one to wait,
    /// if none is waiting now; wake-ups do not accumulate beyond one).
    pub fn notify_new_command(&self) {
        self.new_command.notify_one();
    }

    /// Called by the worker loop: completes at the next [`WorkerSignal::notify_new_command`]
    /// (immediately if one happened since the last wait). Use with a poll timeout.
    pub async fn new_command(&self) {
        self.new_command.notified().await;
    }

    /// Called by the worker when command `id` reached succeeded, failed or dead. Never blocks;
    /// a no-op when nobody listens.
    pub fn command_finished(&self, id: &str) {
        let _ = self.finished.send(id.to_owned());
    }

    /// A receiver of the ids of commands that finish from now on. Lagging receivers miss ids
    /// (`RecvError::Lagged`) and must re-read the store.
    pub fn subscribe_finished(&self) -> broadcast::Receiver<String> {
        self.finished.subscribe()
    }
}

/// The worker's liveness, as seen by `/readyz`.
#[derive(Debug, Default)]
pub struct Heartbeat {
    registered: AtomicBool,
    last_beat_ms: AtomicI64,
}

impl Heartbeat {
    /// A heartbeat no worker has registered with yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Called once by the worker when its loop starts: from then on readiness needs fresh beats.
    pub fn register(&self) {
        self.registered.store(true, Ordering::SeqCst);
        self.beat();
    }

    /// Called by the worker at every loop turn (at least every few seconds, even when idle).
    pub fn beat(&self) {
        self.last_beat_ms.store(now_ms(), Ordering::SeqCst);
    }

    /// True once a worker has registered.
    pub fn is_registered(&self) -> bool {
        self.registered.load(Ordering::SeqCst)
    }

    /// Milliseconds since the last beat; `None` before the first one.
    pub fn age(&self) -> Option<Duration> {
        let last = self.last_beat_ms.load(Ordering::SeqCst);
        (last > 0).then(|| Duration::from_millis((now_ms() - last).max(0) as u64))
    }

    /// True when a registered worker beat within `max_age`.
    pub fn is_alive(&self, max_age: Duration) -> bool {
        self.is_registered() && self.age().is_some_and(|a| a <= max_age)
    }
}

/// Milliseconds since the Unix epoch, now.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn finished_ids_reach_subscribers_and_wakeups_are_kept() {
        let s = WorkerSignal::new();
        let mut rx = s.subscribe_finished();
        s.command_finished("c1");
        assert_eq!(rx.recv().await.unwrap(), "c1");
        s.notify_new_command();
        tokio::time::timeout(Duration::from_secs(1), s.new_command())
            .await
            .unwrap();
    }

    #[test]
    fn heartbeat_alive_only_when_registered_and_fresh() {
        let h = Heartbeat::new();
        assert!(!h.is_alive(Duration::from_secs(5)));
        h.register();
        assert!(h.is_alive(Duration::from_secs(5)));
    }
}
