//! The running service: shared state ([`AppState`]), router assembly ([`router`]), and the
//! `serve` loop with graceful shutdown ([`serve`]).
//!
//! `serve` opens and migrates the store, builds the connection registry, prepares the embedded
//! default when no configuration is given, starts the background tasks (worker, reconciler) with
//! one [`CancellationToken`], serves HTTP, and on SIGTERM/Ctrl-C cancels the token, stops
//! accepting requests, lets in-flight ones finish and waits (up to `server.shutdown_grace_secs`)
//! for the background tasks to stop.

use crate::api;
use crate::config::{Config, LoadedConfig};
use crate::connections::ConnectionRegistry;
use crate::crypto::SecretCipher;
use crate::store::Store;
use axum::Router;
use metrics_exporter_prometheus::PrometheusHandle;
use secrecy::ExposeSecret;
use sha2::{Digest, Sha256};
use std::sync::{Arc, OnceLock};
use std::time::Duration;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

pub use crate::signal::{Heartbeat, WorkerSignal};

/// Everything request handlers and background tasks share. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    /// The store.
    pub store: Arc<dyn Store>,
    /// Connections and their adapters (also the [`crate::adapters::AdapterProvider`]).
    pub connections: Arc<ConnectionRegistry>,
    /// The typed configuration.
    pub config: Arc<Config>,
    /// Wakes the worker / announces finished commands.
    pub signal: Arc<WorkerSignal>,
    /// The worker's liveness (for `/readyz`).
    pub heartbeat: Arc<Heartbeat>,
    /// Renders `/metrics`; `None` when no recorder could be installed.
    pub metrics: Option<PrometheusHandle>,
    token_digests: Arc<Vec<[u8; 32]>>,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("store", &self.store.backend())
            .field("tokens", &self.token_digests.len())
            .finish_non_exhaustive()
    }
}

impl AppState {
    /// State over `store` and `connections`; API tokens come from `config.server.tokens`.
    pub fn new(
        store: Arc<dyn Store>,
        connections: Arc<ConnectionRegistry>,
        config: Config,
    ) -> Self {
        let token_digests = config
            .server
            .tokens
            .iter()
            .map(|t| digest(t.expose_secret()))
            .collect();
        Self {
            store,
            connections,
            config: Arc::new(config),
            signal: Arc::new(WorkerSignal::new()),
            heartbeat: Arc::new(Heartbeat::new()),
            metrics: metrics_handle(),
            token_digests: Arc::new(token_digests),
        }
    }

    /// The provider of adapters, as the worker and the reconciler take it.
    pub fn adapter_provider(&self) -> Arc<dyn crate::adapters::AdapterProvider> {
        self.connections.clone()
    }

    /// True when `token` is one of the configured API tokens (compared in constant time on
    /// SHA-256 digests).
    pub fn token_is_valid(&self, token: &str) -> bool {
        let d = digest(token);
        let mut ok = false;
        for t in self.token_digests.iter() {
            let diff = t
                .iter()
                .zip(d.iter())
                .fold(0u8, |acc, (a, b)| acc | (a ^ b));
            ok |= diff == 0;
        }
        ok
    }
}

fn digest(s: &str) -> [u8; 32] {
    Sha256::digest(s.as_bytes()).into()
}

/// The process-wide Prometheus recorder (installed on first call; `None` if another recorder
/// was installed first by someone else).
pub fn metrics_handle() -> Option<PrometheusHandle> {
    static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();
    HANDLE
        .get_or_init(|| match metrics_exporter_prometheus::PrometheusBuilder::new().install_recorder() {
            Ok(h) => Some(h),
            Err(e) => {
                tracing::warn!(error = %e, "could not install the Prometheus recorder; /metrics will be empty");
                None
            }
        })
        .clone()
}

/// Routers other modules contribute: `authed` routes sit behind the bearer-token check (their
/// paths include `/v1`); `public` routes do not (ATS webhook intake).
#[derive(Default)]
pub struct ExtraRoutes {
    /// Merged behind bearer auth.
    pub authed: Vec<Router>,
    /// Merged without auth.
    pub public: Vec<Router>,
    /// OpenAPI documents merged into `/v1/openapi.json`.
    pub openapi: Vec<utoipa::openapi::OpenApi>,
}

/// The whole HTTP app for `state`: `/v1` (bearer auth), `/healthz`, `/readyz`, `/metrics`, plus
/// `extra` routes, with request tracing and metrics.
pub fn router(state: AppState, extra: ExtraRoutes) -> Router {
    api::router(state, extra)
}

/// The routers of the feed module (exclusion checks, events, reports behind bearer auth; ATS
/// webhook intake without it) for `state`, sharing the index and reconciler of `background`.
pub fn feed_routes(state: &AppState, background: &Background) -> ExtraRoutes {
    let deps = crate::feed::FeedDeps {
        store: state.store.clone(),
        index: background.index.clone(),
        reconciler: background.reconciler.clone(),
        adapters: state.adapter_provider(),
    };
    ExtraRoutes {
        authed: vec![crate::feed::authed_router(deps.clone())],
        public: vec![crate::feed::public_router(deps)],
        openapi: vec![<crate::feed::FeedApiDoc as utoipa::OpenApi>::openapi()],
    }
}

/// Background tasks started by [`start_background`], and what the routers need from them.
pub struct Background {
    /// Tasks to await at shutdown.
    pub tasks: Vec<JoinHandle<()>>,
    /// The exclusion index, loaded from the store and kept current by the worker and the reconciler.
    pub index: Arc<crate::exclusion::ExclusionIndex>,
    /// The reconciler (webhooks trigger it).
    pub reconciler: Arc<crate::sync::Reconciler>,
}

/// Starts the worker and the reconciler for `state`, stopping when `shutdown` is cancelled.
///
/// The exclusion index is loaded from the store first; the worker records every candidate it
/// creates or adopts in it, and the reconciler keeps it in step with the ATS.
pub async fn start_background(
    state: &AppState,
    shutdown: &CancellationToken,
) -> anyhow::Result<Background> {
    let index = Arc::new(crate::exclusion::ExclusionIndex::load(&*state.store).await?);
    let reconciler = Arc::new(crate::sync::Reconciler::new(
        state.store.clone(),
        state.adapter_provider(),
        index.clone(),
        state.config.sync.clone(),
    ));
    let worker = crate::worker::Worker::new(
        state.store.clone(),
        state.adapter_provider(),
        state.config.worker.clone(),
        replica_id(),
    )
    .with_signal(state.signal.clone())
    .with_heartbeat(state.heartbeat.clone())
    .with_exclusion(index.clone())
    .with_shutdown_grace(Duration::from_secs(
        state
            .config
            .server
            .shutdown_grace_secs
            .saturating_sub(2)
            .max(1),
    ));
    let tasks = vec![
        worker.spawn(shutdown.clone()),
        reconciler.clone().spawn(shutdown.clone()),
    ];
    Ok(Background {
        tasks,
        index,
        reconciler,
    })
}

/// This process's replica id: `$HOSTNAME` (or `atsbridge`) plus a random suffix.
pub fn replica_id() -> String {
    let host = std::env::var("HOSTNAME")
        .ok()
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "atsbridge".into());
    let id = uuid::Uuid::new_v4().simple().to_string();
    format!("{host}-{}", &id[..8])
}

/// Opens the store at `url` and applies migrations.
pub async fn open_store(url: &str) -> anyhow::Result<Arc<dyn Store>> {
    let store = crate::store::open(url)
        .await
        .map_err(|e| anyhow::anyhow!("cannot open the store at {}: {e}", redact_url(url)))?;
    store
        .migrate()
        .await
        .map_err(|e| anyhow::anyhow!("migrations failed: {e}"))?;
    Ok(store)
}

/// `url` with any password replaced by `***` (for messages).
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let authority_end = rest.find('/').unwrap_or(rest.len());
    let (authority, path) = rest.split_at(authority_end);
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => {
            let user = userinfo.split_once(':').map(|(u, _)| u).unwrap_or(userinfo);
            format!("{scheme}://{user}:***@{host}{path}")
        }
        None => url.to_owned(),
    }
}

/// The at-rest cipher from `security.encryption_key`, or an error telling how to set it.
pub fn cipher_from_config(config: &Config) -> anyhow::Result<SecretCipher> {
    let key = config.security.encryption_key.as_ref().ok_or_else(|| {
        anyhow::anyhow!(
            "security.encryption_key is not set. ATS keys are stored encrypted and atsbridge needs a 32-byte key: \
             generate one with `openssl rand -base64 32` and set it as ATSBRIDGE_SECURITY__ENCRYPTION_KEY (or `encryption_key` \
             under [security] in the configuration file). Keep it: without it the stored ATS keys cannot be read."
        )
    })?;
    Ok(SecretCipher::from_base64(key)?)
}

/// Runs the service until SIGTERM/Ctrl-C. See the module docs.
pub async fn serve(mut loaded: LoadedConfig) -> anyhow::Result<()> {
    let _ = metrics_handle();
    let embedded = if loaded.is_embedded_default() {
        Some(crate::embedded::prepare(&mut loaded).await?)
    } else {
        None
    };
    let config = loaded.config.clone();
    if config.server.tokens.is_empty() {
        tracing::warn!(
            "server.tokens is empty: every /v1 request will be refused with 401; set ATSBRIDGE_SERVER__TOKENS"
        );
    }
    let cipher = cipher_from_config(&config)?;
    let store = open_store(config.store.url_or_default()).await?;
    let connections = Arc::new(ConnectionRegistry::new(
        store.clone(),
        cipher,
        loaded.figment.clone(),
    ));
    let state = AppState::new(store, connections, config.clone());

    let demo = match &embedded {
        Some(e) => Some(crate::embedded::ensure_demo(&state, e).await?),
        None => None,
    };

    let shutdown = CancellationToken::new();
    let background = start_background(&state, &shutdown).await?;
    let extra = feed_routes(&state, &background);
    let app = router(state.clone(), extra);

    let listener = tokio::net::TcpListener::bind(config.server.bind)
        .await
        .map_err(|e| {
            anyhow::anyhow!("cannot listen on {} (server.bind): {e}", config.server.bind)
        })?;
    let addr = listener.local_addr()?;
    tracing::info!(%addr, store = state.store.backend(), "atsbridge listening");
    match (&embedded, &demo) {
        (Some(e), Some(d)) => crate::embedded::print_banner(addr, e, d),
        _ => println!("atsbridge listening on http://{addr} (API under http://{addr}/v1)"),
    }

    tokio::spawn(cancel_on_signal(shutdown.clone()));
    let stop = shutdown.clone();
    axum::serve(listener, app)
        .with_graceful_shutdown(async move { stop.cancelled().await })
        .await?;
    tracing::info!("HTTP server stopped; waiting for background work");

    let grace = Duration::from_secs(config.server.shutdown_grace_secs);
    let join_all = futures::future::join_all(background.tasks);
    if tokio::time::timeout(grace, join_all).await.is_err() {
        tracing::warn!(
            grace_secs = grace.as_secs(),
            "background tasks did not stop in time"
        );
    }
    if let Some(e) = embedded {
        e.shutdown().await;
    }
    tracing::info!("atsbridge stopped");
    Ok(())
}

/// Cancels `token` at the first SIGTERM or Ctrl-C.
pub async fn cancel_on_signal(token: CancellationToken) {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => tracing::info!("Ctrl-C received; shutting down"),
        _ = term => tracing::info!("SIGTERM received; shutting down"),
        _ = token.cancelled() => {}
    }
    token.cancel();
}
