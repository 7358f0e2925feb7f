//! The command worker: drains the durable command queue and executes each command against its
//! connection's ATS adapter, exactly once in effect.
//!
//! One dispatcher loop per replica ([`Worker::spawn`]):
//! - **claims** ready commands with a lease ([`crate::store::CommandQueue::claim`]), leaving out
//!   connections that are paused by a rate limit or already run as many commands as they may;
//!   the store keeps per-candidate order and fairness across connections;
//! - **runs** them concurrently: at most `concurrency` per replica, `per_connection_concurrency`
//!   per connection (semaphores), every ATS call paced by a per-connection `governor` limiter of
//!   `per_connection_rps`;
//! - **finishes** each with its epoch (`complete`/`fail`; a stale epoch writes nothing);
//! - **polls** every `poll_interval_ms` and wakes at once on [`WorkerSignal::notify_new_command`]
//!   and whenever one of its own commands finishes (the next command of that candidate may now
//!   be ready).
//!
//! Failures ([`executor::ExecError`]):
//! - rate limited (429): the connection is paused (in memory) until the ATS's Retry-After and the
//!   command rescheduled then, without spending an attempt;
//! - temporary (5xx, timeouts, lost responses, store errors): retried after exponential backoff
//!   with full jitter ([`backoff::Backoff`]); dead after `max_attempts`;
//! - permanent (`invalid_input`, `not_found`, `permission_denied`, `unauthenticated`,
//!   `unsupported`, …): the command stops with an explanation a recruiter can act on
//!   (`{code, message, retryable, request_id}`) and the connection's health records the error.
//!
//! Exactly-once in effect, although the ATS has no idempotency keys: see [`executor`] and
//! [`adopt`].
//!
//! Shutdown: cancelling the token stops claiming; commands in flight get
//! [`Worker::with_shutdown_grace`] (10 s by default) to finish, then the rest are given back
//! ([`crate::store::CommandQueue::release`]) for the next start or another replica.
//!
//! The store has no lease-renewal call, so instead of renewing, a command never starts an ATS
//! write with less than [`executor::LEASE_MARGIN_MS`] left on its lease: it is released and runs
//! again from its recovery points. With the default 60 s lease and a handful of ATS calls per
//! command this does not happen in practice.
//!
//! Metrics: `atsbridge_commands_total{kind,outcome}`, `atsbridge_command_duration_seconds{kind}`,
//! `atsbridge_ats_calls_total{operation,outcome}`.

pub mod adopt;
pub mod backoff;
pub mod executor;
pub mod limiter;
pub mod reasons;

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use atsbridge_core::model::Candidate;
use atsbridge_core::{AtsError, ErrorKind};
use serde_json::{Value, json};
use tokio::sync::{Notify, OwnedSemaphorePermit, Semaphore};
use tokio::task::{JoinHandle, JoinSet};
use tokio_util::sync::CancellationToken;

use crate::adapters::AdapterProvider;
use crate::config::WorkerConfig;
use crate::signal::{Heartbeat, WorkerSignal};
use crate::store::{
    ClaimRequest, CommandFailure, CommandRow, CommandStatus, FailureNext, Millis, Store,
};
use backoff::Backoff;
use executor::{ExecError, Execution};
use limiter::Limits;

/// Grace period for commands in flight at shutdown, unless set with
/// [`Worker::with_shutdown_grace`].
pub const DEFAULT_SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

/// Milliseconds since the Unix epoch, now.
pub fn now_ms() -> Millis {
    crate::signal::now_ms()
}

/// Told about every ATS candidate the worker creates or adopts, so the exclusion index knows the
/// person at once instead of at the next sync.
#[async_trait]
pub trait ExclusionSink: Send + Sync {
    /// Records `candidate` of `connection_id` (and persists it). Failures are logged by the
    /// implementation; they never fail the command (the next sync repairs the index).
    async fn record(
        &self,
        store: &dyn Store,
        connection_id: &str,
        candidate: &Candidate,
        has_active_application: bool,
        now: Millis,
    );
}

/// The exclusion index learns of every candidate the worker creates or adopts at once, so a
/// pushed person is excluded before the next sync pass sees them.
#[async_trait]
impl ExclusionSink for crate::exclusion::ExclusionIndex {
    async fn record(
        &self,
        store: &dyn Store,
        connection_id: &str,
        candidate: &Candidate,
        has_active_application: bool,
        now: Millis,
    ) {
        if let Err(e) = self
            .record_and_persist(store, connection_id, candidate, has_active_application, now)
            .await
        {
            tracing::warn!(connection_id, error = %e, "exclusion index update failed; the next sync repairs it");
        }
    }
}

/// The command worker of one replica. Build it with [`Worker::new`], add the optional hooks,
/// then [`Worker::spawn`] it.
pub struct Worker {
    store: Arc<dyn Store>,
    adapters: Arc<dyn AdapterProvider>,
    config: WorkerConfig,
    replica_id: String,
    signal: Option<Arc<WorkerSignal>>,
    heartbeat: Option<Arc<Heartbeat>>,
    exclusion: Option<Arc<dyn ExclusionSink>>,
    grace: Duration,
}

impl std::fmt::Debug for Worker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Worker")
            .field("replica_id", &self.replica_id)
            .field("config", &self.config)
            .field("grace", &self.grace)
            .finish_non_exhaustive()
    }
}

impl Worker {
    /// A worker of replica `replica_id` (lease owner names are `"{replica_id}/worker"`).
    ///
    /// A lease must leave room for an ATS write after the [`executor::LEASE_MARGIN_MS`] safety
    /// margin; a shorter `lease_secs` is raised to twice the margin (with a warning) rather than
    /// letting every write give its command back forever.
    pub fn new(
        store: Arc<dyn Store>,
        adapters: Arc<dyn AdapterProvider>,
        mut config: WorkerConfig,
        replica_id: String,
    ) -> Self {
        let min_lease_secs = (2 * executor::LEASE_MARGIN_MS / 1000) as u64;
        if config.lease_secs < min_lease_secs {
            tracing::warn!(
                configured = config.lease_secs,
                used = min_lease_secs,
                "worker.lease_secs is shorter than an ATS write needs; using the minimum"
            );
            config.lease_secs = min_lease_secs;
        }
        Worker {
            store,
            adapters,
            config,
            replica_id,
            signal: None,
            heartbeat: None,
            exclusion: None,
            grace: DEFAULT_SHUTDOWN_GRACE,
        }
    }

    /// Wakes on new commands and announces finished ones through `signal`.
    pub fn with_signal(mut self, signal: Arc<WorkerSignal>) -> Self {
        self.signal = Some(signal);
        self
    }

    /// Beats `heartbeat` at every loop turn (readiness).
    pub fn with_heartbeat(mut self, heartbeat: Arc<Heartbeat>) -> Self {
        self.heartbeat = Some(heartbeat);
        self
    }

    /// Tells `sink` (the exclusion index) about every ATS candidate created or adopted.
    pub fn with_exclusion(mut self, sink: Arc<dyn ExclusionSink>) -> Self {
        self.exclusion = Some(sink);
        self
    }

    /// How long commands in flight may run on after shutdown before they are released.
    pub fn with_shutdown_grace(mut self, grace: Duration) -> Self {
        self.grace = grace;
        self
    }

    /// Starts the dispatcher. It runs until `shutdown` is cancelled, then drains (see the module
    /// docs) and the handle completes.
    pub fn spawn(self, shutdown: CancellationToken) -> JoinHandle<()> {
        let inner = Arc::new(Inner {
            limits: Limits::new(
                self.config.per_connection_concurrency,
                self.config.per_connection_rps,
            ),
            backoff: Backoff::from_millis(self.config.backoff_base_ms, self.config.backoff_max_ms),
            owner: format!("{}/worker", self.replica_id),
            finished: Notify::new(),
            hard_stop: CancellationToken::new(),
            store: self.store,
            adapters: self.adapters,
            config: self.config,
            signal: self.signal,
            heartbeat: self.heartbeat,
            exclusion: self.exclusion,
        });
        let grace = self.grace;
        tokio::spawn(async move { inner.dispatch(shutdown, grace).await })
    }
}

struct Inner {
    store: Arc<dyn Store>,
    adapters: Arc<dyn AdapterProvider>,
    config: WorkerConfig,
    signal: Option<Arc<WorkerSignal>>,
    heartbeat: Option<Arc<Heartbeat>>,
    exclusion: Option<Arc<dyn ExclusionSink>>,
    limits: Limits,
    backoff: Backoff,
    owner: String,
    /// Notified whenever one of this worker's commands finishes (a slot is free).
    finished: Notify,
    /// Cancelled when the shutdown grace is over: running commands are released.
    hard_stop: CancellationToken,
}

/// How one execution ended, for metrics and logs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Outcome {
    Succeeded,
    Failed,
    Dead,
    Retry,
    Throttled,
    Released,
    Fenced,
}

impl Outcome {
    fn as_str(self) -> &'static str {
        match self {
            Outcome::Succeeded => "succeeded",
            Outcome::Failed => "failed",
            Outcome::Dead => "dead",
            Outcome::Retry => "retry",
            Outcome::Throttled => "throttled",
            Outcome::Released => "released",
            Outcome::Fenced => "fenced",
        }
    }
}

impl Inner {
    async fn dispatch(self: Arc<Self>, shutdown: CancellationToken, grace: Duration) {
        if let Some(h) = &self.heartbeat {
            h.register();
        }
        let global = Arc::new(Semaphore::new(self.config.concurrency.max(1)));
        let mut tasks: JoinSet<()> = JoinSet::new();
        let poll = Duration::from_millis(self.config.poll_interval_ms.max(1));
        tracing::info!(owner = %self.owner, concurrency = self.config.concurrency, "command worker started");
        while !shutdown.is_cancelled() {
            if let Some(h) = &self.heartbeat {
                h.beat();
            }
            while tasks.try_join_next().is_some() {}
            let free = global.available_permits();
            let mut claimed = 0;
            if free > 0 {
                let now = now_ms();
                let request = ClaimRequest {
                    owner: self.owner.clone(),
                    now,
                    lease_ms: (self.config.lease_secs as i64).max(1) * 1000,
                    limit: free as i64,
                    per_connection_limit: self.limits.per_connection_concurrency() as i64,
                    excluded_connections: self.limits.excluded(now),
                };
                let (claim_now, lease_ms) = (request.now, request.lease_ms);
                match self.store.claim(&request).await {
                    Ok(commands) => {
                        claimed = commands.len();
                        for command in commands {
                            let Ok(permit) = global.clone().try_acquire_owned() else {
                                // Cannot happen (we claimed at most `free`); give it back.
                                let _ = self
                                    .store
                                    .release(&command.id, command.epoch, now_ms())
                                    .await;
                                continue;
                            };
                            self.limits
                                .get(&command.connection_id)
                                .claimed
                                .fetch_add(1, Ordering::SeqCst);
                            let me = self.clone();
                            tasks.spawn(async move {
                                me.run_one(command, permit, claim_now, lease_ms).await
                            });
                        }
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "claiming commands failed; retrying at the next poll")
                    }
                }
            }
            if claimed > 0 && claimed == free {
                // The queue may hold more; claim again as soon as a slot frees.
                tokio::select! {
                    _ = shutdown.cancelled() => break,
                    _ = self.finished.notified() => {},
                    _ = tokio::time::sleep(poll) => {},
                }
                continue;
            }
            let mut wait = poll;
            if let Some(until) = self.limits.next_unpause(now_ms()) {
                wait = wait.min(Duration::from_millis((until - now_ms()).max(1) as u64));
            }
            let signal = self.signal.clone();
            tokio::select! {
                _ = shutdown.cancelled() => break,
                _ = tokio::time::sleep(wait) => {},
                _ = self.finished.notified() => {},
                _ = async { match &signal { Some(s) => s.new_command().await, None => std::future::pending().await } } => {},
            }
        }

        // Drain: let commands in flight finish within the grace period, then release the rest.
        let in_flight = tasks.len();
        if in_flight > 0 {
            tracing::info!(
                in_flight,
                grace_ms = grace.as_millis() as u64,
                "worker stopping; waiting for commands in flight"
            );
            let all = async { while tasks.join_next().await.is_some() {} };
            tokio::pin!(all);
            if tokio::time::timeout(grace, &mut all).await.is_err() {
                tracing::warn!("shutdown grace over; releasing the commands still running");
                self.hard_stop.cancel();
                all.await;
            }
        }
        tracing::info!(owner = %self.owner, "command worker stopped");
    }

    async fn run_one(
        self: Arc<Self>,
        command: CommandRow,
        _permit: OwnedSemaphorePermit,
        claimed_at: Millis,
        lease_ms: i64,
    ) {
        let started = Instant::now();
        let limit = self.limits.get(&command.connection_id);
        let outcome = {
            let slot = tokio::select! {
                s = limit.slots.clone().acquire_owned() => s.ok(),
                _ = self.hard_stop.cancelled() => None,
            };
            match slot {
                None => self.release(&command).await,
                Some(_slot) => {
                    let lease_until = command.lease_until.unwrap_or(claimed_at + lease_ms);
                    let result = tokio::select! {
                        r = self.execute(&command, lease_until) => Some(r),
                        _ = self.hard_stop.cancelled() => None,
                    };
                    match result {
                        None => self.release(&command).await,
                        Some(Ok(value)) => self.succeed(&command, &value).await,
                        Some(Err(e)) => self.fail(&command, e).await,
                    }
                }
            }
        };
        limit.claimed.fetch_sub(1, Ordering::SeqCst);
        let kind = command.kind.clone();
        metrics::counter!("atsbridge_commands_total", "kind" => kind.clone(), "outcome" => outcome.as_str()).increment(1);
        metrics::histogram!("atsbridge_command_duration_seconds", "kind" => kind)
            .record(started.elapsed().as_secs_f64());
        tracing::debug!(command_id = %command.id, kind = %command.kind, epoch = command.epoch,
            outcome = outcome.as_str(), elapsed_ms = started.elapsed().as_millis() as u64, "command attempt finished");
        if matches!(
            outcome,
            Outcome::Succeeded | Outcome::Failed | Outcome::Dead
        ) && let Some(s) = &self.signal
        {
            s.command_finished(&command.id);
        }
        self.finished.notify_one();
    }

    async fn execute(&self, command: &CommandRow, lease_until: Millis) -> Result<Value, ExecError> {
        let adapter = self.adapters.adapter(&command.connection_id).await?;
        let limit = self.limits.get(&command.connection_id);
        let mut exec = Execution::new(
            self.store.as_ref(),
            adapter,
            limit,
            command,
            lease_until,
            self.exclusion.clone(),
        );
        exec.run().await
    }

    async fn release(&self, command: &CommandRow) -> Outcome {
        if let Err(e) = self
            .store
            .release(&command.id, command.epoch, now_ms())
            .await
        {
            tracing::warn!(command_id = %command.id, error = %e, "releasing a command failed; its lease will expire");
        }
        Outcome::Released
    }

    async fn succeed(&self, command: &CommandRow, result: &Value) -> Outcome {
        match self
            .store
            .complete(&command.id, command.epoch, result, now_ms())
            .await
        {
            Ok(true) => {
                let limit = self.limits.get(&command.connection_id);
                if limit.unhealthy.swap(false, Ordering::SeqCst) {
                    let _ = self
                        .store
                        .update_connection_health(&command.connection_id, None, now_ms())
                        .await;
                }
                Outcome::Succeeded
            }
            Ok(false) => {
                tracing::warn!(command_id = %command.id, epoch = command.epoch, "completion fenced: another worker holds the command");
                Outcome::Fenced
            }
            Err(e) => {
                // The result is in the ATS and the candidate link; the lease will expire and
                // the next attempt adopts what this one did.
                tracing::warn!(command_id = %command.id, error = %e, "recording the completion failed");
                Outcome::Retry
            }
        }
    }

    async fn fail(&self, command: &CommandRow, error: ExecError) -> Outcome {
        let now = now_ms();
        let attempt = (command.attempts.max(0) as u32) + 1;
        let (failure, outcome) = match &error {
            ExecError::Fenced => {
                tracing::warn!(command_id = %command.id, epoch = command.epoch, "stopped: another worker holds the command");
                return Outcome::Fenced;
            }
            ExecError::LeaseExpiring => return self.release(command).await,
            ExecError::Ats(e) if matches!(e.kind(), ErrorKind::RateLimited) => {
                let wait = e
                    .retry_after()
                    .unwrap_or_else(|| self.backoff.delay(attempt));
                let until = now + wait.as_millis() as i64;
                self.limits.get(&command.connection_id).pause_until(until);
                metrics::counter!("atsbridge_throttled_total").increment(1);
                (
                    CommandFailure {
                        error: error_json(&error),
                        next: FailureNext::RetryAt {
                            at: until,
                            count_attempt: false,
                        },
                    },
                    Outcome::Throttled,
                )
            }
            ExecError::Ats(e) if e.is_temporary() => {
                let wait = self
                    .backoff
                    .delay(attempt)
                    .max(e.retry_after().unwrap_or_default());
                let at = now + wait.as_millis() as i64;
                (
                    CommandFailure {
                        error: error_json(&error),
                        next: FailureNext::RetryAt {
                            at,
                            count_attempt: true,
                        },
                    },
                    Outcome::Retry,
                )
            }
            ExecError::Store(_) => {
                let at = now + self.backoff.delay(attempt).as_millis() as i64;
                (
                    CommandFailure {
                        error: error_json(&error),
                        next: FailureNext::RetryAt {
                            at,
                            count_attempt: true,
                        },
                    },
                    Outcome::Retry,
                )
            }
            ExecError::Ats(e) => {
                let words = recruiter_message(e);
                if let Err(se) = self
                    .store
                    .update_connection_health(&command.connection_id, Some(&words), now)
                    .await
                {
                    tracing::warn!(error = %se, "recording the connection's health failed");
                }
                self.limits
                    .get(&command.connection_id)
                    .unhealthy
                    .store(true, Ordering::SeqCst);
                (
                    CommandFailure {
                        error: error_json(&error),
                        next: FailureNext::Stop,
                    },
                    Outcome::Failed,
                )
            }
            ExecError::Permanent { .. } => (
                CommandFailure {
                    error: error_json(&error),
                    next: FailureNext::Stop,
                },
                Outcome::Failed,
            ),
        };
        tracing::info!(command_id = %command.id, kind = %command.kind, attempt, error = %error, "command attempt failed");
        match self
            .store
            .fail(&command.id, command.epoch, &failure, now)
            .await
        {
            Ok(true) => {}
            Ok(false) => return Outcome::Fenced,
            Err(e) => {
                tracing::warn!(command_id = %command.id, error = %e, "recording the failure failed; the lease will expire");
                return Outcome::Retry;
            }
        }
        if outcome == Outcome::Retry && attempt as i32 >= command.max_attempts - 1 {
            // The store decides when the budget is spent; read back whether it is dead now.
            if let Ok(Some(row)) = self.store.get_command(&command.id).await
                && row.status == CommandStatus::Dead
            {
                return Outcome::Dead;
            }
        }
        outcome
    }
}

/// The error JSON shown to API clients: `{code, message, retryable, request_id}`.
pub fn error_json(error: &ExecError) -> Value {
    match error {
        ExecError::Ats(e) => json!({
            "code": e.kind().code(),
            "message": recruiter_message(e),
            "retryable": e.is_temporary(),
            "request_id": e.request_id(),
        }),
        ExecError::Permanent { code, message } => {
            json!({ "code": code, "message": message, "retryable": false, "request_id": null })
        }
        ExecError::Store(e) => json!({
            "code": "store_unavailable",
            "message": format!("atsbridge could not reach its database ({e}); the command will be retried"),
            "retryable": true,
            "request_id": null,
        }),
        ExecError::Fenced | ExecError::LeaseExpiring => json!({
            "code": "lease_lost",
            "message": "the command was handed to another worker; it will continue there",
            "retryable": true,
            "request_id": null,
        }),
    }
}

/// An ATS error in words a recruiter can act on.
pub fn recruiter_message(e: &AtsError) -> String {
    let detail = e.message();
    match e.kind() {
        ErrorKind::Unauthenticated => format!(
            "The ATS did not accept the connection's API key (it may have been revoked or replaced). Paste a valid key \
             in the connection's settings, then retry the command. ATS said: {detail}"
        ),
        ErrorKind::PermissionDenied { permission } => match permission {
            Some(p) => format!(
                "The connection's API key lacks the `{p}` permission. Grant it to the key in the ATS's API key \
                 settings, then retry the command. ATS said: {detail}"
            ),
            None => format!(
                "The connection's API key is not allowed to do this. Check the key's permissions in the ATS, then \
                 retry the command. ATS said: {detail}"
            ),
        },
        ErrorKind::NotFound => format!(
            "The ATS could not find a record this command needs; it may have been deleted or merged in the ATS, or the \
             job link may point at the wrong job. Check the job link and the candidate. ATS said: {detail}"
        ),
        ErrorKind::InvalidInput { field } => match field {
            Some(f) => format!(
                "The ATS refused the value of `{f}`. Correct it and send the command again. ATS said: {detail}"
            ),
            None => format!(
                "The ATS refused the request. Correct it and send the command again. ATS said: {detail}"
            ),
        },
        ErrorKind::Unsupported { operation } => {
            format!(
                "This ATS integration cannot `{operation}`; the command cannot run on this connection."
            )
        }
        ErrorKind::RateLimited => match e.retry_after() {
            Some(w) => format!(
                "The ATS is throttling this account; the command runs again in {} s.",
                w.as_secs().max(1)
            ),
            None => {
                "The ATS is throttling this account; the command will run again shortly.".to_owned()
            }
        },
        ErrorKind::Unavailable => {
            format!(
                "The ATS could not be reached or failed; the command will be retried. ATS said: {detail}"
            )
        }
        ErrorKind::Conflict => {
            format!("The ATS refused the change because of its current state. ATS said: {detail}")
        }
        _ => format!("The ATS answered unexpectedly. ATS said: {detail}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn permission_errors_name_the_permission_and_what_to_do() {
        let e = AtsError::permission_denied(Some("candidatesWrite".into()), "missing permission")
            .with_request_id("r1");
        let v = error_json(&ExecError::Ats(e));
        assert_eq!(v["code"], "permission_denied");
        assert_eq!(v["retryable"], false);
        assert_eq!(v["request_id"], "r1");
        let m = v["message"].as_str().unwrap();
        assert!(m.contains("candidatesWrite") && m.contains("Grant"), "{m}");
    }

    #[test]
    fn rate_limit_message_says_when() {
        let e = AtsError::rate_limited(Some(Duration::from_secs(7)), "slow down");
        assert!(recruiter_message(&e).contains("7 s"));
        assert_eq!(error_json(&ExecError::Ats(e))["retryable"], true);
    }
}
