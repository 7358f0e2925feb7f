//! The embedded default: what `atsbridge serve` does with no configuration file and no
//! `store.url`.
//!
//! - State in the working directory: `atsbridge.db` (SQLite), `atsbridge.key` (the at-rest
//!   encryption key, mode 0600) and `atsbridge.token` (the API token, mode 0600), each created on
//!   first start and reused after (set `security.encryption_key` / `server.tokens` to override).
//! - An in-process Ashby sandbox with the demo organization on `127.0.0.1:0`; every Ashby
//!   connection of this process talks to it (`adapters.ashby.base_url` is set to its URL).
//! - A demo connection (the sandbox's all-permissions key) and a demo Dover job linked to the
//!   sandbox's first open job with a standard Dover plan mapped onto its stages. Both are reused
//!   on restart (the link is re-validated and saved again).
//! - A banner on stdout with the API URL, the token, the sandbox URL, the connection id and the
//!   demo Dover job id.

use crate::api::job_links::{DoverStageInput, LinkRequest, validate_and_save};
use crate::app::AppState;
use crate::config::LoadedConfig;
use crate::connections::NewConnection;
use crate::crypto::{load_or_create_key_file, read_or_create_secret_file};
use atsbridge_ashby_sandbox::{DEMO_API_KEY, RunningSandbox, Sandbox, SandboxConfig};
use atsbridge_core::model::{Stage, StageKind};
use figment::providers::Serialized;
use rand::RngCore;
use secrecy::{ExposeSecret, SecretString};
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::PathBuf;

/// The name of the demo connection (how it is found again on restart).
pub const DEMO_CONNECTION_NAME: &str = "Demo (Ashby sandbox)";
/// The Dover job id linked to the sandbox's first open job.
pub const DEMO_DOVER_JOB_ID: &str = "dover-demo-job";
/// The key file beside the database.
pub const KEY_FILE: &str = "atsbridge.key";
/// The token file beside the database.
pub const TOKEN_FILE: &str = "atsbridge.token";

/// What [`prepare`] set up: the running sandbox and the token to print.
pub struct Embedded {
    /// The in-process Ashby sandbox.
    pub sandbox: RunningSandbox,
    /// The API token (printed in the banner).
    pub token: SecretString,
    /// The folder holding the database, key and token files.
    pub dir: PathBuf,
}

impl std::fmt::Debug for Embedded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Embedded")
            .field("sandbox_url", &self.sandbox.url)
            .field("dir", &self.dir)
            .finish_non_exhaustive()
    }
}

impl Embedded {
    /// Stops the sandbox.
    pub async fn shutdown(self) {
        self.sandbox.shutdown().await;
    }
}

/// The demo records [`ensure_demo`] made or found.
#[derive(Clone, Debug)]
pub struct DemoInfo {
    /// The demo connection's id.
    pub connection_id: String,
    /// The linked Dover job.
    pub dover_job_id: String,
    /// The ATS job it is linked to.
    pub ats_job_id: String,
}

/// A new random API token (`atsb_` + 32 hex digits).
pub fn generate_token() -> SecretString {
    let mut b = [0u8; 16];
    rand::rng().fill_bytes(&mut b);
    SecretString::from(format!("atsb_{}", hex::encode(b)))
}

/// Fills in the embedded default's encryption key and token (from files in the working
/// directory, created when missing), starts the sandbox and points Ashby connections at it.
pub async fn prepare(loaded: &mut LoadedConfig) -> anyhow::Result<Embedded> {
    let dir = std::env::current_dir()?;
    if loaded.config.security.encryption_key.is_none() {
        loaded.config.security.encryption_key = Some(load_or_create_key_file(&dir.join(KEY_FILE))?);
    }
    let token = match loaded.config.server.tokens.first() {
        Some(t) => t.clone(),
        None => {
            let t = read_or_create_secret_file(&dir.join(TOKEN_FILE), generate_token)?;
            loaded.config.server.tokens.push(t.clone());
            t
        }
    };
    let sandbox = Sandbox::new(SandboxConfig::default())?
        .spawn("127.0.0.1:0".parse()?)
        .await?;
    loaded.figment = loaded.figment.clone().merge(Serialized::default(
        "adapters.ashby.base_url",
        sandbox.url.clone(),
    ));
    tracing::info!(sandbox_url = %sandbox.url, dir = %dir.display(), "embedded default: in-process Ashby sandbox started");
    Ok(Embedded {
        sandbox,
        token,
        dir,
    })
}

/// The standard Dover plan mapped onto an Ashby-like plan: "Initial Call" → the first
/// pre-interview screen, "Hiring Manager Screen" and "Onsite" → interview stages in order (the
/// one titled "Onsite" when present), "Offer" → the offer stage, "Hired" → the hired stage.
pub fn standard_plan(stages: &[Stage]) -> (Vec<DoverStageInput>, BTreeMap<String, String>) {
    let of = |k: StageKind| stages.iter().filter(move |s| s.kind == k);
    let mut active = of(StageKind::Active);
    let hm = active.next();
    let onsite = stages
        .iter()
        .find(|s| s.kind == StageKind::Active && s.title.eq_ignore_ascii_case("onsite"))
        .or_else(|| active.next());
    let picks = [
        (
            "initial-call",
            "Initial Call",
            of(StageKind::PreInterviewScreen).next(),
            false,
        ),
        ("hiring-manager-screen", "Hiring Manager Screen", hm, false),
        (
            "onsite",
            "Onsite",
            onsite.filter(|o| Some(o.id.clone()) != hm.map(|h| h.id.clone())),
            false,
        ),
        ("offer", "Offer", of(StageKind::Offer).next(), false),
        ("hired", "Hired", of(StageKind::Hired).next(), true),
    ];
    let mut dover = Vec::new();
    let mut mapping = BTreeMap::new();
    for (id, name, stage, is_hire) in picks {
        if let Some(s) = stage {
            dover.push(DoverStageInput {
                id: id.into(),
                name: name.into(),
                active: true,
                is_hire,
            });
            mapping.insert(id.to_owned(), s.id.as_str().to_owned());
        }
    }
    (dover, mapping)
}

/// Creates (or finds) the demo connection and (re-)links the demo Dover job.
pub async fn ensure_demo(state: &AppState, embedded: &Embedded) -> anyhow::Result<DemoInfo> {
    let existing = state
        .store
        .list_connections()
        .await?
        .into_iter()
        .find(|c| c.name == DEMO_CONNECTION_NAME && c.kind == "ashby");
    let connection_id = match existing {
        Some(c) => c.id,
        None => {
            let new = NewConnection {
                kind: "ashby".into(),
                name: DEMO_CONNECTION_NAME.into(),
                api_key: SecretString::from(DEMO_API_KEY.to_owned()),
                settings: serde_json::json!({}),
            };
            state
                .connections
                .create(new)
                .await
                .map_err(|e| anyhow::anyhow!("creating the demo connection: {e}"))?
                .0
                .id
        }
    };
    let catalog = embedded.sandbox.sandbox.demo_catalog();
    let ats_job_id = catalog
        .open_job_ids
        .first()
        .cloned()
        .ok_or_else(|| anyhow::anyhow!("the demo sandbox has no open job"))?;
    let adapter = crate::adapters::AdapterProvider::adapter(&*state.connections, &connection_id)
        .await
        .map_err(|e| anyhow::anyhow!("demo connection: {e}"))?;
    let stages = adapter
        .list_job_stages(&ats_job_id.as_str().into())
        .await
        .map_err(|e| anyhow::anyhow!("listing the demo job's stages: {e}"))?;
    let users = adapter
        .list_users()
        .await
        .map_err(|e| anyhow::anyhow!("listing the demo users: {e}"))?;
    let post_as = catalog
        .recruiter_ids
        .iter()
        .find(|id| {
            users
                .iter()
                .any(|u| u.id.as_str() == id.as_str() && u.enabled)
        })
        .cloned()
        .or_else(|| {
            users
                .iter()
                .find(|u| u.enabled)
                .map(|u| u.id.as_str().to_owned())
        })
        .ok_or_else(|| anyhow::anyhow!("the demo sandbox has no enabled user"))?;
    let (dover_stages, stage_mapping) = standard_plan(&stages);
    let req = LinkRequest {
        connection_id: connection_id.clone(),
        ats_job_id: ats_job_id.clone(),
        post_as_user_id: post_as,
        dover_stages,
        stage_mapping,
        reason_overrides: BTreeMap::new(),
    };
    validate_and_save(state, DEMO_DOVER_JOB_ID, req)
        .await
        .map_err(|e| anyhow::anyhow!("linking the demo job: {} ({})", e.message, e.details))?;
    Ok(DemoInfo {
        connection_id,
        dover_job_id: DEMO_DOVER_JOB_ID.into(),
        ats_job_id,
    })
}

/// Prints where everything is (stdout, not the log: it carries the token on purpose).
pub fn print_banner(addr: SocketAddr, e: &Embedded, demo: &DemoInfo) {
    let api = format!("http://{addr}/v1");
    let token = e.token.expose_secret();
    println!(
        "\natsbridge is running on its embedded default (state in {dir})\n\
         \n  API URL:        {api}\
         \n  API token:      {token}\
         \n  Ashby sandbox:  {sandbox}  (in-process simulator, demo organization)\
         \n  Connection id:  {conn}\
         \n  Demo Dover job: {job}  (linked to sandbox job {ats_job})\
         \n\nTry:\n  curl -H 'Authorization: Bearer {token}' {api}/connections/{conn}\n",
        dir = e.dir.display(),
        sandbox = e.sandbox.url,
        conn = demo.connection_id,
        job = demo.dover_job_id,
        ats_job = demo.ats_job_id,
    );
    use std::io::Write;
    let _ = std::io::stdout().flush();
}
