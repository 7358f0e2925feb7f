//! Error mapping: HTTP faults become the right kinds and retryability.

use super::{CaseCtx, CaseResult, expect_err, person};
use crate::target::{Fault, KeyVariant};
use atsbridge_core::model::{Identity, NewCandidate};
use atsbridge_core::{AtsAdapter, AtsError, Capability, ErrorKind};
use std::time::Duration;

/// Calls the first read the adapter supports that reaches the ATS, for error-mapping checks.
/// `None` when it supports no such read.
pub async fn probe_call(adapter: &dyn AtsAdapter) -> Option<Result<(), AtsError>> {
    let caps = adapter.capabilities();
    let order = [
        Capability::ListJobs,
        Capability::ListUsers,
        Capability::ListSources,
        Capability::ListRejectionReasons,
        Capability::FindCandidates,
        Capability::CandidateChanges,
        Capability::ApplicationChanges,
        Capability::ValidateCredentials,
    ];
    let cap = order.into_iter().find(|c| caps.has(*c))?;
    Some(match cap {
        Capability::ListJobs => adapter.list_jobs().await.map(drop),
        Capability::ListUsers => adapter.list_users().await.map(drop),
        Capability::ListSources => adapter.list_sources().await.map(drop),
        Capability::ListRejectionReasons => adapter.list_rejection_reasons().await.map(drop),
        Capability::FindCandidates => adapter
            .find_candidates(&Identity::email("probe.conformance@example.com"))
            .await
            .map(drop),
        Capability::CandidateChanges => adapter.candidate_changes(None).await.map(drop),
        Capability::ApplicationChanges => adapter.application_changes(None).await.map(drop),
        _ => adapter.validate_credentials().await.map(drop),
    })
}

/// Arms `fault` for every call, probes, disarms, and returns the error.
async fn probe_with(ctx: &CaseCtx, fault: Fault) -> anyhow::Result<Option<AtsError>> {
    ctx.inject(fault, usize::MAX);
    let outcome = probe_call(&**ctx.adapter()).await;
    ctx.clear_fault();
    match outcome {
        None => Ok(None),
        Some(r) => Ok(Some(expect_err(
            r,
            &format!("a read answered with {fault:?}"),
        )?)),
    }
}

/// `errors_map_401`: HTTP 401 is `Unauthenticated`, permanent.
pub async fn errors_map_401(ctx: &CaseCtx) -> CaseResult {
    let Some(err) = probe_with(ctx, Fault::Unauthenticated).await? else {
        return Ok(());
    };
    anyhow::ensure!(
        *err.kind() == ErrorKind::Unauthenticated,
        "401 gave {err:?}"
    );
    anyhow::ensure!(!err.is_temporary(), "401 must be permanent: {err:?}");
    Ok(())
}

/// `errors_map_403`: HTTP 403 for a missing permission is `PermissionDenied` naming it, permanent.
pub async fn errors_map_403(ctx: &CaseCtx) -> CaseResult {
    let Some(err) = probe_with(ctx, Fault::PermissionDenied).await? else {
        return Ok(());
    };
    let ErrorKind::PermissionDenied { permission } = err.kind() else {
        anyhow::bail!("403 gave {err:?}");
    };
    if let Some(expected) = ctx
        .target()
        .fault_response(Fault::PermissionDenied)
        .permission
    {
        anyhow::ensure!(
            permission.as_deref() == Some(expected.as_str()),
            "403 names {permission:?}, not {expected}"
        );
    }
    anyhow::ensure!(!err.is_temporary(), "403 must be permanent: {err:?}");
    Ok(())
}

/// `errors_map_429`: HTTP 429 is `RateLimited`, temporary, with the `Retry-After` wait.
pub async fn errors_map_429(ctx: &CaseCtx) -> CaseResult {
    let Some(err) = probe_with(
        ctx,
        Fault::RateLimited {
            retry_after_secs: 1,
        },
    )
    .await?
    else {
        return Ok(());
    };
    anyhow::ensure!(*err.kind() == ErrorKind::RateLimited, "429 gave {err:?}");
    anyhow::ensure!(
        err.retry_after() == Some(Duration::from_secs(1)),
        "429 with Retry-After: 1 gave {err:?}"
    );
    Ok(())
}

/// `errors_map_5xx`: HTTP 5xx is `Unavailable`, temporary; a write that met one is sent once
/// and marked maybe-applied.
pub async fn errors_map_5xx(ctx: &CaseCtx) -> CaseResult {
    if let Some(err) = probe_with(ctx, Fault::ServerError).await? {
        anyhow::ensure!(*err.kind() == ErrorKind::Unavailable, "5xx gave {err:?}");
        anyhow::ensure!(err.is_temporary(), "5xx must be temporary: {err:?}");
    }
    if ctx
        .adapter()
        .capabilities()
        .has(Capability::CreateCandidate)
    {
        let catalog = ctx.op().catalog().await?;
        let new = NewCandidate {
            profile: person("five-hundred"),
            source_id: Some(catalog.source),
            credited_to: Some(catalog.user),
            sourcing_note: None,
        };
        ctx.inject_on_writes(Fault::ServerError, usize::MAX);
        let before = ctx.write_calls();
        let result = ctx.adapter().create_candidate(&new).await;
        let writes = ctx.write_calls() - before;
        ctx.clear_fault();
        let err = expect_err(result, "create_candidate whose write met a 5xx")?;
        anyhow::ensure!(
            *err.kind() == ErrorKind::Unavailable && err.is_temporary(),
            "5xx on a write gave {err:?}"
        );
        anyhow::ensure!(
            err.maybe_applied(),
            "a write that met a 5xx must be marked maybe_applied: {err:?}"
        );
        anyhow::ensure!(
            writes == 1,
            "the write was sent {writes} times; writes are never repeated"
        );
    }
    Ok(())
}

/// A read-only key's write gives `PermissionDenied`, permanent.
pub async fn read_only_key_cannot_write(ctx: &CaseCtx) -> CaseResult {
    let read_only = ctx.adapter_with(KeyVariant::ReadOnly)?;
    let new = NewCandidate {
        profile: person("read-only"),
        source_id: None,
        credited_to: None,
        sourcing_note: None,
    };
    let err = expect_err(
        read_only.create_candidate(&new).await,
        "create_candidate with a read-only key",
    )?;
    anyhow::ensure!(
        matches!(err.kind(), ErrorKind::PermissionDenied { .. }),
        "expected PermissionDenied, got {err:?}"
    );
    anyhow::ensure!(!err.is_temporary(), "must be permanent: {err:?}");
    Ok(())
}
