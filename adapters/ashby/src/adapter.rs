//! [`AshbyAdapter`]: construction, registration and the [`AtsAdapter`] implementation.
//!
//! The operations themselves live in `metadata.rs`, `candidates.rs`, `applications.rs` and
//! `interviews.rs`; this file only wires them to the trait.

use crate::client::Client;
use crate::config::{AshbyConfig, RECORD_DIR_ENV};
use crate::mapping::ProfileFields;
use crate::record::Recorder;
use atsbridge_core::ids::{ApplicationId, CandidateId, JobId, NoteId, SourceId, StageId};
use atsbridge_core::model::*;
use atsbridge_core::{
    AdapterContext, AdapterDescriptor, AtsAdapter, AtsError, Capabilities, Capability,
    CredentialReport, ErrorKind, Result, WebhookDelivery, WebhookRequest,
};
use parking_lot::Mutex;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// The registry kind of this adapter.
pub const KIND: &str = "ashby";

fn build(ctx: &AdapterContext) -> Result<Arc<dyn AtsAdapter>> {
    Ok(Arc::new(AshbyAdapter::from_context(ctx)?))
}

atsbridge_core::inventory::submit! {
    AdapterDescriptor { kind: KIND, display_name: "Ashby", build }
}

/// The Ashby adapter for one connection (one API key).
///
/// It declares every [`Capability`]. `Debug` never shows the API key.
pub struct AshbyAdapter {
    pub(crate) client: Client,
    pub(crate) config: AshbyConfig,
    pub(crate) fields: ProfileFields,
    /// The connection's "Dover" source, once looked up.
    pub(crate) dover_source: Mutex<Option<SourceId>>,
}

impl std::fmt::Debug for AshbyAdapter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AshbyAdapter")
            .field("config", &self.config)
            .field("client", &self.client)
            .finish()
    }
}

impl AshbyAdapter {
    /// An adapter for `config` using the shared HTTP client `http`.
    ///
    /// Record mode is on when `config.record_dir` is set, otherwise when the
    /// [`RECORD_DIR_ENV`] environment variable names a folder. Fails with `InvalidInput` naming
    /// the setting when the key cannot be sent in a header or the record folder cannot be
    /// created.
    pub fn new(config: AshbyConfig, http: reqwest::Client) -> Result<Self> {
        let record_dir = config.record_dir.clone().or_else(|| {
            std::env::var_os(RECORD_DIR_ENV)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
        });
        let recorder = match record_dir {
            Some(dir) => Some(Recorder::new(&dir).map_err(|e| {
                AtsError::invalid_input(
                    Some("record_dir"),
                    format!("cannot record into {}: {e}", dir.display()),
                )
            })?),
            None => None,
        };
        if let Some(r) = &recorder {
            tracing::info!(dir = %r.dir().display(), "Ashby record mode is on");
        }
        let client = Client::new(
            http,
            &config.base_url,
            &config.api_key,
            Duration::from_secs(config.timeout_secs.max(1)),
            config.max_read_retries,
            recorder,
        )?;
        let fields = ProfileFields {
            title: config.title_custom_field_id.clone(),
            company: config.company_custom_field_id.clone(),
        };
        Ok(Self {
            client,
            config,
            fields,
            dover_source: Mutex::new(None),
        })
    }

    /// An adapter from a connection's context: its settings (see [`AshbyConfig`]) and the
    /// shared HTTP client. A missing `api_key` gives `InvalidInput` naming it.
    pub fn from_context(ctx: &AdapterContext) -> Result<Self> {
        let config: AshbyConfig = ctx.extract().map_err(|e| {
            // Figment reports a missing top-level key without a path; name it.
            let unnamed = matches!(e.kind(), ErrorKind::InvalidInput { field: None });
            if unnamed && e.message().contains("api_key") {
                AtsError::invalid_input(Some("api_key"), "the Ashby connection has no `api_key`")
            } else {
                e
            }
        })?;
        Self::new(config, ctx.http.clone())
    }

    /// The settings this adapter was built with.
    pub fn config(&self) -> &AshbyConfig {
        &self.config
    }
}

#[atsbridge_core::async_trait]
impl AtsAdapter for AshbyAdapter {
    fn kind(&self) -> &'static str {
        KIND
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities::of(Capability::ALL)
    }

    async fn validate_credentials(&self) -> Result<CredentialReport> {
        self.op_validate_credentials().await
    }

    async fn list_jobs(&self) -> Result<Vec<Job>> {
        self.op_list_jobs().await
    }

    async fn list_job_stages(&self, job: &JobId) -> Result<Vec<Stage>> {
        self.op_list_job_stages(job).await
    }

    async fn list_users(&self) -> Result<Vec<User>> {
        self.op_list_users().await
    }

    async fn list_sources(&self) -> Result<Vec<Source>> {
        self.op_list_sources().await
    }

    async fn list_rejection_reasons(&self) -> Result<Vec<RejectionReason>> {
        self.op_list_rejection_reasons().await
    }

    async fn find_candidates(&self, identity: &Identity) -> Result<Vec<Candidate>> {
        self.op_find_candidates(identity).await
    }

    async fn candidate_changes(&self, since: Option<&SyncCursor>) -> Result<ChangePage<Candidate>> {
        self.op_candidate_changes(since).await
    }

    async fn create_candidate(&self, candidate: &NewCandidate) -> Result<Candidate> {
        self.op_create_candidate(candidate).await
    }

    async fn find_application(
        &self,
        candidate: &CandidateId,
        job: &JobId,
    ) -> Result<Option<ApplicationState>> {
        self.op_find_application(candidate, job).await
    }

    async fn create_application(&self, application: &NewApplication) -> Result<ApplicationState> {
        self.op_create_application(application).await
    }

    async fn move_stage(
        &self,
        application: &ApplicationId,
        stage: &StageId,
    ) -> Result<ApplicationState> {
        self.op_move_stage(application, stage).await
    }

    async fn archive(&self, request: &ArchiveRequest) -> Result<ApplicationState> {
        self.op_archive(request).await
    }

    async fn find_interview(
        &self,
        application: &ApplicationId,
        external_id: &str,
    ) -> Result<Option<Interview>> {
        self.op_find_interview(application, external_id).await
    }

    async fn create_interview(&self, interview: &NewInterview) -> Result<Interview> {
        self.op_create_interview(interview).await
    }

    async fn add_note(&self, note: &NewNote) -> Result<NoteId> {
        self.op_add_note(note).await
    }

    async fn log_email(&self, email: &EmailMessage) -> Result<LoggedEmail> {
        self.op_log_email(email).await
    }

    async fn application_state(&self, application: &ApplicationId) -> Result<ApplicationState> {
        self.op_application_state(application).await
    }

    async fn application_changes(
        &self,
        since: Option<&SyncCursor>,
    ) -> Result<ChangePage<ApplicationState>> {
        self.op_application_changes(since).await
    }

    fn parse_webhook(
        &self,
        secret: &secrecy::SecretString,
        request: WebhookRequest<'_>,
    ) -> Result<WebhookDelivery> {
        crate::webhook::parse_webhook(secret, request)
    }
}
