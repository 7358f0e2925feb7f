//! Interviews: create with an external id, find by it.

use super::{CaseCtx, CaseResult, expect_err, person, step};
use crate::target::Catalog;
use atsbridge_core::ErrorKind;
use atsbridge_core::ids::ApplicationId;
use atsbridge_core::model::{InterviewEvent, NewApplication, NewInterview};
use chrono::{TimeZone, Utc};

async fn application(ctx: &CaseCtx, catalog: &Catalog, tag: &str) -> anyhow::Result<ApplicationId> {
    let candidate = ctx.op().create_candidate(&person(tag)).await?;
    let new = NewApplication {
        candidate_id: candidate,
        job_id: catalog.job.clone(),
        stage_id: Some(catalog.other_stage.clone()),
        source_id: None,
        credited_to: None,
    };
    Ok(step(
        "create_application",
        ctx.adapter().create_application(&new).await,
    )?
    .id)
}

fn interview(catalog: &Catalog, application: &ApplicationId, external_id: &str) -> NewInterview {
    let at = |h| {
        Utc.with_ymd_and_hms(2030, 1, 15, h, 0, 0)
            .single()
            .expect("valid time")
    };
    NewInterview {
        application_id: application.clone(),
        external_id: external_id.into(),
        events: vec![InterviewEvent {
            start: at(10),
            end: at(11),
            interviewer_emails: vec![catalog.user_email.clone()],
        }],
    }
}

/// `find_interview_by_external_id`: `None` before, the created interview after.
pub async fn find_interview_by_external_id(ctx: &CaseCtx) -> CaseResult {
    let catalog = ctx.op().catalog().await?;
    let app = application(ctx, &catalog, "interview-find").await?;
    let before = step(
        "find_interview (none yet)",
        ctx.adapter()
            .find_interview(&app, "conformance-interview-1")
            .await,
    )?;
    anyhow::ensure!(
        before.is_none(),
        "found an interview before creating one: {before:?}"
    );
    let created = step(
        "create_interview",
        ctx.adapter()
            .create_interview(&interview(&catalog, &app, "conformance-interview-1"))
            .await,
    )?;
    let found = step(
        "find_interview",
        ctx.adapter()
            .find_interview(&app, "conformance-interview-1")
            .await,
    )?;
    anyhow::ensure!(
        found.as_ref().map(|i| &i.id) == Some(&created.id),
        "expected interview {}, found {found:?}",
        created.id
    );
    let other = step(
        "find_interview (other id)",
        ctx.adapter()
            .find_interview(&app, "conformance-interview-2")
            .await,
    )?;
    anyhow::ensure!(other.is_none(), "another external id found {other:?}");
    Ok(())
}

/// `create_interview_keeps_external_id`: the returned interview carries the external id;
/// an interview without events is refused with no call.
pub async fn create_interview_keeps_external_id(ctx: &CaseCtx) -> CaseResult {
    let catalog = ctx.op().catalog().await?;
    let app = application(ctx, &catalog, "interview-create").await?;
    let mut empty = interview(&catalog, &app, "conformance-interview-empty");
    empty.events.clear();
    let before = ctx.calls();
    let err = expect_err(
        ctx.adapter().create_interview(&empty).await,
        "create_interview(no events)",
    )?;
    anyhow::ensure!(
        matches!(err.kind(), ErrorKind::InvalidInput { .. }),
        "expected InvalidInput, got {err:?}"
    );
    anyhow::ensure!(
        ctx.calls() == before,
        "refusing an interview without events made ATS calls"
    );
    let created = step(
        "create_interview",
        ctx.adapter()
            .create_interview(&interview(&catalog, &app, "conformance-interview-3"))
            .await,
    )?;
    anyhow::ensure!(
        created.external_id.as_deref() == Some("conformance-interview-3"),
        "external id not kept: {created:?}"
    );
    anyhow::ensure!(
        created.application_id == app,
        "interview is on {}, expected {app}",
        created.application_id
    );
    Ok(())
}
