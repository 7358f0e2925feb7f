//! Applications: find, create, move, archive, read and the change stream.

use crate::adapter::AshbyAdapter;
use crate::client::CallKind;
use crate::mapping;
use crate::metadata::unreadable;
use crate::pagination::cursor::Position;
use crate::wire;
use atsbridge_core::ids::{ApplicationId, CandidateId, JobId, StageId};
use atsbridge_core::model::{
    ApplicationState, ArchiveRequest, AtsStatus, ChangePage, NewApplication, StageKind, SyncCursor,
};
use atsbridge_core::{AtsError, Result};
use serde_json::{Map, Value, json};

impl AshbyAdapter {
    /// `application.info`, both as Ashby sent it and mapped.
    async fn application_info(
        &self,
        op: &'static str,
        id: &ApplicationId,
    ) -> Result<(wire::Application, ApplicationState)> {
        let w: wire::Application = self
            .client
            .results(
                op,
                "application.info",
                json!({"applicationId": id.as_str()}),
                CallKind::Read,
            )
            .await?;
        let state = mapping::application(w.clone()).map_err(|why| unreadable(op, &why))?;
        Ok((w, state))
    }

    pub(crate) async fn op_application_state(
        &self,
        application: &ApplicationId,
    ) -> Result<ApplicationState> {
        Ok(self
            .application_info("application_state", application)
            .await?
            .1)
    }

    /// `candidate.info` → its `applicationIds` → `application.info` each, keeping the one for
    /// `job`. When several match, an active one wins over an archived or hired one.
    pub(crate) async fn op_find_application(
        &self,
        candidate: &CandidateId,
        job: &JobId,
    ) -> Result<Option<ApplicationState>> {
        const OP: &str = "find_application";
        let c: wire::Candidate = self
            .client
            .results(
                OP,
                "candidate.info",
                json!({"id": candidate.as_str()}),
                CallKind::Read,
            )
            .await?;
        let mut best: Option<ApplicationState> = None;
        for app_id in &c.application_ids {
            let state = match self
                .application_info(OP, &ApplicationId::new(app_id.clone()))
                .await
            {
                Ok((_, s)) => s,
                // An application deleted or hidden since the candidate was read.
                Err(e) if *e.kind() == atsbridge_core::ErrorKind::NotFound => continue,
                Err(e) => return Err(e),
            };
            if state.job_id != *job {
                continue;
            }
            let live = matches!(state.status, AtsStatus::Active | AtsStatus::Lead);
            if live {
                return Ok(Some(state));
            }
            best.get_or_insert(state);
        }
        Ok(best)
    }

    /// `application.create`, then `application.info` to return the full state (Ashby's create
    /// answer carries only partial stage data). Without a source, the "Dover" source is credited.
    pub(crate) async fn op_create_application(
        &self,
        new: &NewApplication,
    ) -> Result<ApplicationState> {
        const OP: &str = "create_application";
        let source_id = match &new.source_id {
            Some(s) => Some(s.clone()),
            None => self.dover_source_id(OP).await?,
        };
        let mut body = Map::new();
        body.insert("candidateId".into(), json!(new.candidate_id.as_str()));
        body.insert("jobId".into(), json!(new.job_id.as_str()));
        if let Some(s) = &new.stage_id {
            body.insert("interviewStageId".into(), json!(s.as_str()));
        }
        if let Some(s) = &source_id {
            body.insert("sourceId".into(), json!(s.as_str()));
        }
        if let Some(u) = &new.credited_to {
            body.insert("creditedToUserId".into(), json!(u.as_str()));
        }
        let created: wire::Application = self
            .client
            .results(
                OP,
                "application.create",
                Value::Object(body),
                CallKind::Write,
            )
            .await?;
        let id = ApplicationId::new(created.id.clone());
        match self.application_info(OP, &id).await {
            Ok((_, state)) => Ok(state),
            Err(e) => {
                tracing::warn!(error = %e, "could not re-read the new Ashby application; returning the create answer");
                mapping::application(created).map_err(|why| unreadable(OP, &why))
            }
        }
    }

    /// Refuses Archived-kind targets (looked up with `interviewStage.info`), does nothing when
    /// the application is already at `stage`, otherwise `application.changeStage`.
    pub(crate) async fn op_move_stage(
        &self,
        application: &ApplicationId,
        stage: &StageId,
    ) -> Result<ApplicationState> {
        const OP: &str = "move_stage";
        let (_, current) = self.application_info(OP, application).await?;
        if current.stage.id == *stage {
            return Ok(current);
        }
        let target: wire::Stage = self
            .client
            .results(
                OP,
                "interviewStage.info",
                json!({"interviewStageId": stage.as_str()}),
                CallKind::Read,
            )
            .await?;
        if target.kind.as_deref().map(mapping::stage_kind) == Some(StageKind::Archived) {
            return Err(AtsError::invalid_input(
                Some("stage"),
                "the target stage is an archive stage; use archive with a reason instead",
            )
            .with_operation(OP));
        }
        let body =
            json!({"applicationId": application.as_str(), "interviewStageId": stage.as_str()});
        self.change_stage(OP, application, body).await
    }

    async fn change_stage(
        &self,
        op: &'static str,
        application: &ApplicationId,
        body: Value,
    ) -> Result<ApplicationState> {
        let w: wire::Application = self
            .client
            .results(op, "application.changeStage", body, CallKind::Write)
            .await?;
        match mapping::application(w) {
            Ok(s) => Ok(s),
            Err(_) => Ok(self.application_info(op, application).await?.1),
        }
    }

    /// Checks the reason (unknown → `NotFound`, archived → `InvalidInput`), returns the state
    /// unchanged when already archived with that reason, otherwise moves the application to its
    /// plan's Archived-type stage with the reason and optional email template.
    pub(crate) async fn op_archive(&self, request: &ArchiveRequest) -> Result<ApplicationState> {
        const OP: &str = "archive";
        let (w, current) = self.application_info(OP, &request.application_id).await?;
        let reasons = self.rejection_reasons(OP).await?;
        match reasons.iter().find(|r| r.id == request.reason_id) {
            None => {
                return Err(AtsError::not_found(format!(
                    "Ashby has no archive reason `{}`",
                    request.reason_id
                ))
                .with_operation(OP));
            }
            Some(r) if r.archived => {
                return Err(AtsError::invalid_input(
                    Some("reason_id"),
                    format!(
                        "the archive reason `{}` is archived in Ashby and cannot be used",
                        r.text
                    ),
                )
                .with_operation(OP));
            }
            Some(_) => {}
        }
        if current.status == AtsStatus::Archived
            && current
                .archive_reason
                .as_ref()
                .is_some_and(|r| r.id == request.reason_id)
        {
            return Ok(current);
        }
        let plan_id = match w
            .current_interview_stage
            .as_ref()
            .and_then(|s| s.interview_plan_id.clone())
        {
            Some(p) => p,
            None => {
                let job: wire::Job = self
                    .client
                    .results(
                        OP,
                        "job.info",
                        json!({"id": current.job_id.as_str()}),
                        CallKind::Read,
                    )
                    .await?;
                job.default_interview_plan_id
                    .ok_or_else(|| unreadable(OP, "the application's interview plan is unknown"))?
            }
        };
        let stages = self.plan_stages(OP, &plan_id).await?;
        let archive_stage = stages
            .iter()
            .find(|s| s.kind == StageKind::Archived)
            .ok_or_else(|| {
                unreadable(OP, "the application's interview plan has no Archived stage")
            })?;
        let mut body = json!({
            "applicationId": request.application_id.as_str(),
            "interviewStageId": archive_stage.id.as_str(),
            "archiveReasonId": request.reason_id.as_str(),
        });
        if let Some(t) = &request.email_template_id {
            body["archiveEmail"] = json!({"communicationTemplateId": t});
        }
        self.change_stage(OP, &request.application_id, body).await
    }

    pub(crate) async fn op_application_changes(
        &self,
        since: Option<&SyncCursor>,
    ) -> Result<ChangePage<ApplicationState>> {
        const OP: &str = "application_changes";
        let pos = Position::decode(since).map_err(|e| e.with_operation(OP))?;
        let page = self
            .client
            .page::<wire::Application>(OP, "application.list", pos.request())
            .await?;
        let (next, more) = pos.after_page(page.more, page.next_cursor, page.sync_token);
        let mut items = Vec::with_capacity(page.items.len());
        for w in page.items {
            let id = w.id.clone();
            match mapping::application(w) {
                Ok(s) => items.push(s),
                Err(why) => {
                    tracing::warn!(application = %id, why, "skipping an Ashby application that could not be read")
                }
            }
        }
        Ok(ChangePage {
            items,
            next: next.encode(),
            more,
        })
    }
}
