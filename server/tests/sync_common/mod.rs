//! Helpers of the sync tests: an in-process Ashby sandbox, a SQLite store, a test adapter
//! provider, a linked job and linked candidates.
#![allow(dead_code)]

use async_trait::async_trait;
use atsbridge_ashby as _;
use atsbridge_ashby_sandbox::{
    DEMO_API_KEY, ManualCandidate, RunningSandbox, Sandbox, SandboxConfig,
};
use atsbridge_core::model::{ReasonType, RejectionReason};
use atsbridge_core::secrecy::SecretString;
use atsbridge_core::{AdapterContext, AtsAdapter, AtsError};
use atsbridge_server::adapters::AdapterProvider;
use atsbridge_server::exclusion::ExclusionIndex;
use atsbridge_server::store::*;
use atsbridge_server::sync::{Reconciler, ReconcilerConfig};
use serde_json::json;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

/// The connection id of the tests.
pub const CONN: &str = "conn-1";
/// The Dover job linked to the sandbox's primary job.
pub const DOVER_JOB: &str = "dover-job-1";
/// The webhook secret configured on both sides (when webhooks are on).
pub const WEBHOOK_SECRET: &str = "whsec-test-secret";

/// Serves one adapter (and webhook secret) per connection id.
#[derive(Default)]
pub struct TestProvider {
    /// Adapters by connection.
    pub adapters: BTreeMap<String, Arc<dyn AtsAdapter>>,
    /// Webhook secrets by connection.
    pub secrets: BTreeMap<String, String>,
}

#[async_trait]
impl AdapterProvider for TestProvider {
    async fn adapter(&self, connection_id: &str) -> Result<Arc<dyn AtsAdapter>, AtsError> {
        self.adapters
            .get(connection_id)
            .cloned()
            .ok_or_else(|| AtsError::not_found(format!("connection {connection_id}")))
    }
    async fn webhook_secret(&self, connection_id: &str) -> Result<Option<SecretString>, AtsError> {
        if !self.adapters.contains_key(connection_id) {
            return Err(AtsError::not_found(format!("connection {connection_id}")));
        }
        Ok(self
            .secrets
            .get(connection_id)
            .map(|s| SecretString::from(s.clone())))
    }
}

/// Everything a sync test needs.
pub struct World {
    /// The running sandbox.
    pub sandbox: RunningSandbox,
    /// The adapter of [`CONN`].
    pub adapter: Arc<dyn AtsAdapter>,
    /// The store.
    pub store: Arc<dyn Store>,
    /// The provider.
    pub provider: Arc<TestProvider>,
    /// The index.
    pub index: Arc<ExclusionIndex>,
    /// The reconciler.
    pub reconciler: Arc<Reconciler>,
    /// Dover stage id → ATS stage id of the link.
    pub mapping: BTreeMap<String, String>,
    /// ATS stage ids by stage type (primary job's plan).
    pub stages: BTreeMap<String, String>,
    /// Archive reasons.
    pub reasons: Vec<RejectionReason>,
    /// The primary ATS job.
    pub ats_job_id: String,
    _dir: tempfile::TempDir,
}

/// Options of [`World::start`].
#[derive(Default)]
pub struct Options {
    /// The sandbox's configuration (default: demo seed).
    pub sandbox: Option<SandboxConfig>,
    /// Webhook secret for the provider.
    pub webhook_secret: Option<String>,
    /// Reconciler configuration.
    pub reconciler: Option<ReconcilerConfig>,
}

impl World {
    /// Starts the sandbox, opens a fresh SQLite store with connection [`CONN`] and links
    /// [`DOVER_JOB`] to the primary job (Dover stages `screen`, `onsite`, `offer`, `hired`; the
    /// Lead stage unmapped).
    pub async fn start(opts: Options) -> World {
        let config = opts.sandbox.unwrap_or_default();
        let sandbox = Sandbox::new(config)
            .expect("sandbox")
            .spawn("127.0.0.1:0".parse().unwrap())
            .await
            .expect("spawn sandbox");
        let adapter = atsbridge_core::registry::build(
            "ashby",
            &AdapterContext::from_settings(
                &json!({"api_key": DEMO_API_KEY, "base_url": sandbox.url}),
            ),
        )
        .expect("ashby adapter");
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("sync.db").display());
        let store = atsbridge_server::store::open(&url).await.expect("store");
        let now = now_ms();
        store
            .insert_connection(&ConnectionRow {
                id: CONN.into(),
                kind: "ashby".into(),
                name: "Sandbox".into(),
                encrypted_key: vec![1, 2, 3],
                encrypted_webhook_secret: None,
                settings: json!({}),
                created_at: now,
                updated_at: now,
                last_error: None,
                last_checked_at: None,
            })
            .await
            .expect("connection");
        let catalog = sandbox.sandbox.demo_catalog();
        let ats_job_id = catalog.primary_job_id.clone().expect("primary job");
        let stages = catalog.stage_ids_by_type.clone();
        let mut mapping = BTreeMap::new();
        for (dover, ty) in [
            ("screen", "PreInterviewScreen"),
            ("onsite", "Active"),
            ("offer", "Offer"),
            ("hired", "Hired"),
        ] {
            if let Some(s) = stages.get(ty) {
                mapping.insert(dover.to_string(), s.clone());
            }
        }
        store
            .upsert_job_link(&JobLinkRow {
                dover_job_id: DOVER_JOB.into(),
                connection_id: CONN.into(),
                ats_job_id: ats_job_id.clone(),
                post_as_user_id: None,
                dover_stages: json!([
                    {"id": "screen", "name": "Screen", "active": true, "is_hire": false},
                    {"id": "onsite", "name": "Onsite", "active": true, "is_hire": false},
                    {"id": "offer", "name": "Offer", "active": true, "is_hire": false},
                    {"id": "hired", "name": "Hired", "active": true, "is_hire": true},
                ]),
                stage_mapping: json!(mapping),
                reason_overrides: json!({}),
                created_at: now,
                updated_at: now,
            })
            .await
            .expect("job link");
        let reasons = adapter.list_rejection_reasons().await.expect("reasons");
        let mut provider = TestProvider::default();
        provider.adapters.insert(CONN.into(), adapter.clone());
        if let Some(s) = opts.webhook_secret {
            provider.secrets.insert(CONN.into(), s);
        }
        let provider = Arc::new(provider);
        let index = Arc::new(ExclusionIndex::load(&*store).await.expect("index"));
        let reconciler = Arc::new(Reconciler::new(
            store.clone(),
            provider.clone(),
            index.clone(),
            opts.reconciler.unwrap_or_default(),
        ));
        World {
            sandbox,
            adapter,
            store,
            provider,
            index,
            reconciler,
            mapping,
            stages,
            reasons,
            ats_job_id,
            _dir: dir,
        }
    }

    /// An archive reason of `ty` that is not archived.
    pub fn reason(&self, ty: ReasonType) -> String {
        self.reasons
            .iter()
            .find(|r| r.reason_type == ty && !r.archived)
            .map(|r| r.id.as_str().to_string())
            .expect("a reason of that type")
    }

    /// Creates a candidate with an application on the primary job in the sandbox, and links it
    /// to Dover candidate `dover_id` at its current stage (as the worker does after a push).
    /// Returns (ATS candidate id, ATS application id).
    pub async fn linked_candidate(&self, dover_id: &str) -> (String, String) {
        let created = self
            .sandbox
            .sandbox
            .create_candidate(ManualCandidate {
                name: format!("Linked {dover_id}"),
                emails: vec![format!("{dover_id}@linked.example.com")],
                job_id: Some(self.ats_job_id.clone()),
                ..ManualCandidate::default()
            })
            .expect("create candidate");
        let app = created.application_id.clone().expect("application");
        let state = self
            .adapter
            .application_state(&app.as_str().into())
            .await
            .expect("state");
        self.store
            .upsert_candidate_link(&CandidateLinkRow {
                connection_id: CONN.into(),
                dover_candidate_id: dover_id.into(),
                dover_job_id: DOVER_JOB.into(),
                ats_candidate_id: Some(created.candidate_id.clone()),
                ats_application_id: Some(app.clone()),
                ats_stage_id: Some(state.stage.id.as_str().to_string()),
                outcome: Some("active".into()),
                adopted: false,
                updated_at: now_ms(),
            })
            .await
            .expect("link");
        (created.candidate_id, app)
    }

    /// Every event of the feed (connection [`CONN`]).
    pub async fn events(&self) -> Vec<EventRow> {
        self.store
            .list_events(0, 100_000, Some(CONN))
            .await
            .expect("events")
    }

    /// Events of one Dover candidate.
    pub async fn events_of(&self, dover_id: &str) -> Vec<EventRow> {
        self.events()
            .await
            .into_iter()
            .filter(|e| e.payload["dover_candidate_id"] == json!(dover_id))
            .collect()
    }
}

/// Now in ms.
pub fn now_ms() -> Millis {
    chrono::Utc::now().timestamp_millis()
}

/// Waits until `f` is true or `timeout` passes; returns whether it became true.
pub async fn wait_until<F, Fut>(timeout: Duration, mut f: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let end = tokio::time::Instant::now() + timeout;
    loop {
        if f().await {
            return true;
        }
        if tokio::time::Instant::now() >= end {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}
