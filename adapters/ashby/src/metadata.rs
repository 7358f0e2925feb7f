//! Credentials and organization metadata: jobs, stages, users, sources, archive reasons.

use crate::adapter::AshbyAdapter;
use crate::client::CallKind;
use crate::mapping;
use crate::wire;
use atsbridge_core::ids::{JobId, SourceId};
use atsbridge_core::model::{Job, JobStatus, RejectionReason, Source, Stage, User};
use atsbridge_core::{AtsError, CredentialReport, ErrorKind, Result};
use serde_json::{Value, json};

/// An id that names no record, used by the permission probes.
pub(crate) const NIL_UUID: &str = "00000000-0000-0000-0000-000000000000";

/// One permission probe: a call that needs exactly `permission` and changes nothing.
pub(crate) struct Probe {
    /// Ashby's permission name.
    pub permission: &'static str,
    /// The endpoint called.
    pub endpoint: &'static str,
    /// Read or write (writes are never retried).
    pub kind: CallKind,
}

/// The permissions the integration needs, each with its probe. Reads use a cheap read
/// (`archiveReason.list`) or an `info` call on the nil uuid; writes use a call on the nil uuid
/// that Ashby refuses with `*_not_found` when the permission is granted and with
/// `missing_endpoint_permission` when it is not, so no probe ever changes data.
pub(crate) const PROBES: [Probe; 7] = [
    Probe {
        permission: "candidatesRead",
        endpoint: "candidate.info",
        kind: CallKind::Read,
    },
    Probe {
        permission: "candidatesWrite",
        endpoint: "candidate.update",
        kind: CallKind::Write,
    },
    Probe {
        permission: "jobsRead",
        endpoint: "job.info",
        kind: CallKind::Read,
    },
    Probe {
        permission: "interviewsRead",
        endpoint: "interviewStage.info",
        kind: CallKind::Read,
    },
    Probe {
        permission: "interviewsWrite",
        endpoint: "interviewSchedule.cancel",
        kind: CallKind::Write,
    },
    Probe {
        permission: "hiringProcessMetadataRead",
        endpoint: "archiveReason.list",
        kind: CallKind::Read,
    },
    Probe {
        permission: "organizationRead",
        endpoint: "user.info",
        kind: CallKind::Read,
    },
];

fn probe_body(endpoint: &str) -> Value {
    match endpoint {
        "candidate.info" | "job.info" => json!({"id": NIL_UUID}),
        "candidate.update" => json!({"candidateId": NIL_UUID, "sendNotifications": false}),
        "interviewStage.info" => json!({"interviewStageId": NIL_UUID}),
        "interviewSchedule.cancel" => json!({"id": NIL_UUID}),
        "user.info" => json!({"userId": NIL_UUID}),
        _ => json!({}),
    }
}

impl AshbyAdapter {
    pub(crate) async fn op_validate_credentials(&self) -> Result<CredentialReport> {
        const OP: &str = "validate_credentials";
        let account = match self
            .client
            .results::<wire::ApiKeyInfo>(OP, "apiKey.info", json!({}), CallKind::Read)
            .await
        {
            Ok(info) => info
                .title
                .filter(|t| !t.trim().is_empty())
                .unwrap_or_else(|| "Ashby API key".to_owned()),
            // The key title needs apiKeysRead, which the integration does not otherwise need.
            Err(e) if matches!(e.kind(), ErrorKind::PermissionDenied { .. }) => {
                "Ashby API key (title hidden: no apiKeysRead permission)".to_owned()
            }
            Err(e) => return Err(e.into()),
        };
        let mut granted = Vec::new();
        let mut missing = Vec::new();
        for probe in &PROBES {
            match self
                .client
                .call(OP, probe.endpoint, probe_body(probe.endpoint), probe.kind)
                .await
            {
                Ok(_) => granted.push(probe.permission.to_owned()),
                Err(e) => match e.kind() {
                    ErrorKind::PermissionDenied { .. } => missing.push(probe.permission.to_owned()),
                    ErrorKind::NotFound | ErrorKind::InvalidInput { .. } | ErrorKind::Conflict => {
                        granted.push(probe.permission.to_owned())
                    }
                    _ => return Err(e.into()),
                },
            }
        }
        Ok(CredentialReport {
            account,
            granted,
            missing,
        })
    }

    /// Every job, open first; Draft jobs included (Ashby returns them only when asked).
    pub(crate) async fn op_list_jobs(&self) -> Result<Vec<Job>> {
        let body = json!({"status": ["Open", "Draft", "Closed", "Archived"]});
        let raw = self
            .client
            .all::<wire::Job>("list_jobs", "job.list", body)
            .await?;
        let mut jobs: Vec<Job> = Vec::with_capacity(raw.len());
        for w in &raw {
            if !jobs.iter().any(|j| j.id.as_str() == w.id) {
                jobs.push(mapping::job(w));
            }
        }
        jobs.sort_by_key(|j| j.status != JobStatus::Open);
        Ok(jobs)
    }

    /// The job's default plan via `jobInterviewPlan.info`; when that gives no stages, the
    /// plan's `interviewStage.list`.
    pub(crate) async fn op_list_job_stages(&self, job: &JobId) -> Result<Vec<Stage>> {
        const OP: &str = "list_job_stages";
        let plan: wire::JobInterviewPlan = self
            .client
            .results(
                OP,
                "jobInterviewPlan.info",
                json!({"jobId": job.as_str()}),
                CallKind::Read,
            )
            .await?;
        if !plan.stages.is_empty() {
            return Ok(mapping::stages(plan.stages));
        }
        let plan_id = match plan.interview_plan_id {
            Some(p) => p,
            None => {
                let j: wire::Job = self
                    .client
                    .results(OP, "job.info", json!({"id": job.as_str()}), CallKind::Read)
                    .await?;
                match j.default_interview_plan_id {
                    Some(p) => p,
                    None => return Ok(Vec::new()),
                }
            }
        };
        self.plan_stages(OP, &plan_id).await
    }

    /// The stages of an interview plan, in plan order.
    pub(crate) async fn plan_stages(&self, op: &'static str, plan_id: &str) -> Result<Vec<Stage>> {
        let page = self
            .client
            .page::<wire::Stage>(
                op,
                "interviewStage.list",
                json!({"interviewPlanId": plan_id}),
            )
            .await?;
        Ok(mapping::stages(page.items))
    }

    pub(crate) async fn op_list_users(&self) -> Result<Vec<User>> {
        let raw = self
            .client
            .all::<wire::User>(
                "list_users",
                "user.list",
                json!({"includeDeactivated": true}),
            )
            .await?;
        Ok(raw.iter().map(mapping::user).collect())
    }

    pub(crate) async fn op_list_sources(&self) -> Result<Vec<Source>> {
        self.sources("list_sources", true).await
    }

    async fn sources(&self, op: &'static str, include_archived: bool) -> Result<Vec<Source>> {
        let page = self
            .client
            .page::<wire::Source>(
                op,
                "source.list",
                json!({"includeArchived": include_archived}),
            )
            .await?;
        Ok(page.items.iter().map(mapping::source).collect())
    }

    pub(crate) async fn op_list_rejection_reasons(&self) -> Result<Vec<RejectionReason>> {
        self.rejection_reasons("list_rejection_reasons").await
    }

    pub(crate) async fn rejection_reasons(&self, op: &'static str) -> Result<Vec<RejectionReason>> {
        let page = self
            .client
            .page::<wire::ArchiveReason>(op, "archiveReason.list", json!({"includeArchived": true}))
            .await?;
        Ok(page.items.iter().map(mapping::rejection_reason).collect())
    }

    /// The connection's "Dover" source: the non-archived source titled
    /// [`crate::AshbyConfig::dover_source_title`] (ignoring case), looked up once and cached.
    /// `None` (with a warning) when the organization has no such source.
    pub(crate) async fn dover_source_id(&self, op: &'static str) -> Result<Option<SourceId>> {
        if let Some(id) = self.dover_source.lock().clone() {
            return Ok(Some(id));
        }
        let wanted = self.config.dover_source_title.trim();
        let found = self
            .sources(op, false)
            .await?
            .into_iter()
            .find(|s| !s.archived && s.title.trim().eq_ignore_ascii_case(wanted))
            .map(|s| s.id);
        match &found {
            Some(id) => *self.dover_source.lock() = Some(id.clone()),
            None => tracing::warn!(
                title = wanted,
                "no Ashby source with this title; candidates are created without a source"
            ),
        }
        Ok(found)
    }
}

/// A mapping failure as the adapter reports it.
pub(crate) fn unreadable(op: &'static str, what: &str) -> AtsError {
    AtsError::unexpected(format!("could not read Ashby's answer: {what}")).with_operation(op)
}
