//! Applications: create, find, move, archive, read.

use super::{CaseCtx, CaseResult, expect_err, expect_permanent, person, step};
use crate::target::Catalog;
use atsbridge_core::ids::{ApplicationId, StageId};
use atsbridge_core::model::{ApplicationState, ArchiveRequest, AtsStatus, NewApplication, Outcome};
use atsbridge_core::{Capability, ErrorKind};

/// Creates a candidate as a recruiter would and an application for the catalog's job through
/// the adapter, at `stage`.
async fn application(
    ctx: &CaseCtx,
    catalog: &Catalog,
    tag: &str,
    stage: Option<StageId>,
) -> anyhow::Result<ApplicationState> {
    let candidate = ctx.op().create_candidate(&person(tag)).await?;
    let new = NewApplication {
        candidate_id: candidate,
        job_id: catalog.job.clone(),
        stage_id: stage,
        source_id: Some(catalog.source.clone()),
        credited_to: Some(catalog.user.clone()),
    };
    step(
        "create_application",
        ctx.adapter().create_application(&new).await,
    )
}

fn not_found_or_invalid(k: &ErrorKind) -> bool {
    matches!(k, ErrorKind::NotFound | ErrorKind::InvalidInput { .. })
}

/// `create_application_at_stage`: the application is at the stage given (or the plan's first
/// stage), for the candidate and job, with the source and credited user.
pub async fn create_application_at_stage(ctx: &CaseCtx) -> CaseResult {
    let catalog = ctx.op().catalog().await?;
    for (tag, stage, expected) in [
        (
            "at-stage",
            Some(catalog.other_stage.clone()),
            &catalog.other_stage,
        ),
        ("first-stage", None, &catalog.first_stage),
    ] {
        let state = application(ctx, &catalog, tag, stage).await?;
        anyhow::ensure!(
            &state.stage.id == expected,
            "{tag}: stage {:?}, expected {expected}",
            state.stage
        );
        anyhow::ensure!(
            state.job_id == catalog.job,
            "{tag}: job {}, expected {}",
            state.job_id,
            catalog.job
        );
        anyhow::ensure!(
            state.outcome == Outcome::Active,
            "{tag}: outcome {:?}",
            state.outcome
        );
        anyhow::ensure!(
            state.source_id.as_ref() == Some(&catalog.source),
            "{tag}: source {:?}",
            state.source_id
        );
        anyhow::ensure!(
            state.credited_to.as_ref() == Some(&catalog.user),
            "{tag}: credited {:?}",
            state.credited_to
        );
    }
    Ok(())
}

/// `find_application_after_create`: the created application is found; none is `Ok(None)`.
pub async fn find_application_after_create(ctx: &CaseCtx) -> CaseResult {
    let catalog = ctx.op().catalog().await?;
    let lonely = ctx.op().create_candidate(&person("no-application")).await?;
    let none = step(
        "find_application (none)",
        ctx.adapter().find_application(&lonely, &catalog.job).await,
    )?;
    anyhow::ensure!(
        none.is_none(),
        "a candidate without applications has one: {none:?}"
    );
    let created = application(ctx, &catalog, "find-me", None).await?;
    let found = step(
        "find_application",
        ctx.adapter()
            .find_application(&created.candidate_id, &catalog.job)
            .await,
    )?;
    anyhow::ensure!(
        found.as_ref().map(|a| &a.id) == Some(&created.id),
        "expected application {}, found {found:?}",
        created.id
    );
    Ok(())
}

/// `move_to_unknown_stage_is_not_found`: `NotFound` (or `InvalidInput`), permanent.
pub async fn move_to_unknown_stage_is_not_found(ctx: &CaseCtx) -> CaseResult {
    let catalog = ctx.op().catalog().await?;
    let app = application(ctx, &catalog, "move-unknown", None).await?;
    let err = expect_err(
        ctx.adapter()
            .move_stage(&app.id, &catalog.unknown_stage)
            .await,
        "move_stage(unknown stage)",
    )?;
    expect_permanent(&err, "move_stage(unknown stage)", not_found_or_invalid)
}

/// A move lands in the stage, and moving there again succeeds and changes nothing.
pub async fn move_stage_is_idempotent(ctx: &CaseCtx) -> CaseResult {
    let catalog = ctx.op().catalog().await?;
    let app = application(ctx, &catalog, "move", None).await?;
    let moved = step(
        "move_stage",
        ctx.adapter()
            .move_stage(&app.id, &catalog.other_stage)
            .await,
    )?;
    anyhow::ensure!(
        moved.stage.id == catalog.other_stage,
        "moved to {:?}",
        moved.stage
    );
    let again = step(
        "move_stage (again)",
        ctx.adapter()
            .move_stage(&app.id, &catalog.other_stage)
            .await,
    )?;
    anyhow::ensure!(
        again.stage.id == catalog.other_stage,
        "second move left it at {:?}",
        again.stage
    );
    Ok(())
}

/// `archive_sets_reason_and_outcome`: archived with the reason; rejected or withdrew by type.
pub async fn archive_sets_reason_and_outcome(ctx: &CaseCtx) -> CaseResult {
    let catalog = ctx.op().catalog().await?;
    let mut plans = vec![("reject", catalog.reject_reason.clone(), Outcome::Rejected)];
    if let Some(withdraw) = &catalog.withdraw_reason {
        plans.push(("withdraw", withdraw.clone(), Outcome::Withdrew));
    }
    for (tag, reason, outcome) in plans {
        let app = application(ctx, &catalog, tag, None).await?;
        let request = ArchiveRequest {
            application_id: app.id.clone(),
            reason_id: reason.clone(),
            email_template_id: None,
        };
        let state = step("archive", ctx.adapter().archive(&request).await)?;
        anyhow::ensure!(
            state.status == AtsStatus::Archived,
            "{tag}: status {:?}",
            state.status
        );
        anyhow::ensure!(
            state.archive_reason.as_ref().map(|r| &r.id) == Some(&reason),
            "{tag}: archive reason {:?}, expected {reason}",
            state.archive_reason
        );
        anyhow::ensure!(
            state.outcome == outcome,
            "{tag}: outcome {:?}, expected {outcome:?}",
            state.outcome
        );
        let again = step(
            "archive (again, same reason)",
            ctx.adapter().archive(&request).await,
        )?;
        anyhow::ensure!(
            again.status == AtsStatus::Archived,
            "{tag}: archiving again gave {:?}",
            again.status
        );
    }
    Ok(())
}

async fn still_active(
    ctx: &CaseCtx,
    app: &ApplicationId,
    catalog: &Catalog,
    candidate: &ApplicationState,
) -> CaseResult {
    let caps = ctx.adapter().capabilities();
    let state = if caps.has(Capability::ApplicationState) {
        Some(step(
            "application_state",
            ctx.adapter().application_state(app).await,
        )?)
    } else if caps.has(Capability::FindApplication) {
        step(
            "find_application",
            ctx.adapter()
                .find_application(&candidate.candidate_id, &catalog.job)
                .await,
        )?
    } else {
        None
    };
    if let Some(state) = state {
        anyhow::ensure!(
            state.status != AtsStatus::Archived,
            "a refused archive changed the application: {state:?}"
        );
    }
    Ok(())
}

/// `archive_without_valid_reason_is_refused`: unknown and archived reasons are refused,
/// permanently, and the application is unchanged.
pub async fn archive_without_valid_reason_is_refused(ctx: &CaseCtx) -> CaseResult {
    let catalog = ctx.op().catalog().await?;
    let app = application(ctx, &catalog, "refuse-archive", None).await?;
    let mut reasons = vec![("unknown reason", catalog.unknown_reason.clone())];
    if let Some(archived) = &catalog.archived_reason {
        reasons.push(("archived reason", archived.clone()));
    }
    for (what, reason) in reasons {
        let request = ArchiveRequest {
            application_id: app.id.clone(),
            reason_id: reason,
            email_template_id: None,
        };
        let err = expect_err(
            ctx.adapter().archive(&request).await,
            &format!("archive({what})"),
        )?;
        expect_permanent(&err, &format!("archive({what})"), not_found_or_invalid)?;
        still_active(ctx, &app.id, &catalog, &app).await?;
    }
    Ok(())
}

/// An unknown application gives `NotFound`, permanent.
pub async fn unknown_application_is_not_found(ctx: &CaseCtx) -> CaseResult {
    let catalog = ctx.op().catalog().await?;
    let err = expect_err(
        ctx.adapter()
            .application_state(&catalog.unknown_application)
            .await,
        "application_state(unknown)",
    )?;
    expect_permanent(&err, "application_state(unknown)", |k| {
        *k == ErrorKind::NotFound
    })
}
