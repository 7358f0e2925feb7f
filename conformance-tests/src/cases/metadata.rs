//! Credentials, jobs, stages, users, sources and rejection reasons.

use super::{CaseCtx, CaseResult, expect_err, expect_permanent, step};
use crate::target::KeyVariant;
use atsbridge_core::ErrorKind;
use atsbridge_core::model::JobStatus;
use std::collections::HashSet;

/// `credentials_ok_reports_account`: valid credentials give the account and an empty `missing`;
/// a read-only key lists what it lacks.
pub async fn credentials_ok_reports_account(ctx: &CaseCtx) -> CaseResult {
    let report = step(
        "validate_credentials",
        ctx.adapter().validate_credentials().await,
    )?;
    anyhow::ensure!(
        !report.account.trim().is_empty(),
        "account name is empty: {report:?}"
    );
    anyhow::ensure!(
        report.missing.is_empty(),
        "a key with every permission reports missing ones: {report:?}"
    );
    let read_only = ctx.adapter_with(KeyVariant::ReadOnly)?;
    let report = step(
        "validate_credentials (read-only key)",
        read_only.validate_credentials().await,
    )?;
    anyhow::ensure!(
        !report.missing.is_empty(),
        "a read-only key reports nothing missing: {report:?}"
    );
    Ok(())
}

/// `bad_credentials_are_unauthenticated`: a wrong key is `Unauthenticated`, permanent.
pub async fn bad_credentials_are_unauthenticated(ctx: &CaseCtx) -> CaseResult {
    let bad = ctx.adapter_with(KeyVariant::Bad)?;
    let err = expect_err(
        bad.validate_credentials().await,
        "validate_credentials with a bad key",
    )?;
    expect_permanent(&err, "validate_credentials with a bad key", |k| {
        *k == ErrorKind::Unauthenticated
    })
}

/// `list_jobs_open_first`: every job once, open ones before the others.
pub async fn list_jobs_open_first(ctx: &CaseCtx) -> CaseResult {
    let catalog = ctx.op().catalog().await?;
    let jobs = step("list_jobs", ctx.adapter().list_jobs().await)?;
    let mut seen = HashSet::new();
    for job in &jobs {
        anyhow::ensure!(seen.insert(job.id.clone()), "job {} listed twice", job.id);
    }
    anyhow::ensure!(
        seen.contains(&catalog.job),
        "the seeded open job {} is missing",
        catalog.job
    );
    let first_other = jobs
        .iter()
        .position(|j| j.status != JobStatus::Open)
        .unwrap_or(jobs.len());
    anyhow::ensure!(
        jobs[first_other..]
            .iter()
            .all(|j| j.status != JobStatus::Open),
        "an open job comes after a job that is not open: {:?}",
        jobs.iter().map(|j| (&j.id, &j.status)).collect::<Vec<_>>()
    );
    Ok(())
}

/// `stages_in_plan_order`: sorted by order, with the seeded stages.
pub async fn stages_in_plan_order(ctx: &CaseCtx) -> CaseResult {
    let catalog = ctx.op().catalog().await?;
    let stages = step(
        "list_job_stages",
        ctx.adapter().list_job_stages(&catalog.job).await,
    )?;
    anyhow::ensure!(
        stages.windows(2).all(|w| w[0].order < w[1].order),
        "stages are not in strictly increasing plan order: {stages:?}"
    );
    for id in [&catalog.first_stage, &catalog.other_stage] {
        anyhow::ensure!(
            stages.iter().any(|s| &s.id == id),
            "stage {id} of the plan is missing: {stages:?}"
        );
    }
    anyhow::ensure!(
        stages[0].id == catalog.first_stage,
        "the plan's first stage is not first: {stages:?}"
    );
    Ok(())
}

/// `unknown_job_is_not_found`: an unknown job gives `NotFound`, permanent.
pub async fn unknown_job_is_not_found(ctx: &CaseCtx) -> CaseResult {
    let catalog = ctx.op().catalog().await?;
    let err = expect_err(
        ctx.adapter().list_job_stages(&catalog.unknown_job).await,
        "list_job_stages(unknown job)",
    )?;
    expect_permanent(&err, "list_job_stages(unknown job)", |k| {
        *k == ErrorKind::NotFound
    })
}

/// Users: the seeded enabled user is listed, each user once.
pub async fn list_users_includes_seeded_user(ctx: &CaseCtx) -> CaseResult {
    let catalog = ctx.op().catalog().await?;
    let users = step("list_users", ctx.adapter().list_users().await)?;
    let ids: HashSet<_> = users.iter().map(|u| &u.id).collect();
    anyhow::ensure!(ids.len() == users.len(), "a user is listed twice");
    let user = users.iter().find(|u| u.id == catalog.user);
    anyhow::ensure!(
        user.is_some_and(|u| u.enabled),
        "seeded enabled user {} missing or disabled",
        catalog.user
    );
    Ok(())
}

/// Sources: the seeded source is listed, not archived, each source once.
pub async fn list_sources_includes_seeded_source(ctx: &CaseCtx) -> CaseResult {
    let catalog = ctx.op().catalog().await?;
    let sources = step("list_sources", ctx.adapter().list_sources().await)?;
    let ids: HashSet<_> = sources.iter().map(|s| &s.id).collect();
    anyhow::ensure!(ids.len() == sources.len(), "a source is listed twice");
    let source = sources.iter().find(|s| s.id == catalog.source);
    anyhow::ensure!(
        source.is_some_and(|s| !s.archived),
        "seeded source {} missing or archived",
        catalog.source
    );
    Ok(())
}

/// Rejection reasons: active ones flagged active, archived ones included and flagged.
pub async fn rejection_reasons_flag_archived(ctx: &CaseCtx) -> CaseResult {
    let catalog = ctx.op().catalog().await?;
    let reasons = step(
        "list_rejection_reasons",
        ctx.adapter().list_rejection_reasons().await,
    )?;
    let find = |id: &atsbridge_core::ids::RejectionReasonId| reasons.iter().find(|r| &r.id == id);
    anyhow::ensure!(
        find(&catalog.reject_reason).is_some_and(|r| !r.archived),
        "active reason {} missing or flagged archived",
        catalog.reject_reason
    );
    if let Some(id) = &catalog.archived_reason {
        anyhow::ensure!(
            find(id).is_some_and(|r| r.archived),
            "archived reason {id} missing or not flagged archived"
        );
    }
    Ok(())
}
