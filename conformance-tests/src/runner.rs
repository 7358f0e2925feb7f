//! Running one case against a fresh sandbox (optionally recording fixtures) or against its
//! recorded fixtures, and running the hand-written error fixtures.

use crate::cases::{Case, CaseCtx, OperatorHandle, Wire};
use crate::proxy::Proxy;
use crate::replay::{self, Exchange, ReplayServer};
use crate::schema::RequestSchemas;
use crate::target::{ConformanceTarget, KeyVariant};
use atsbridge_core::ids::{ApplicationId, JobId, StageId};
use atsbridge_core::model::{CandidateProfile, Identity, NewCandidate, SyncCursor};
use atsbridge_core::{AdapterContext, AtsAdapter, AtsError};
use serde::Deserialize;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The environment variable that makes sandbox runs write their fixtures.
pub const RECORD_ENV: &str = "ATSBRIDGE_CONFORMANCE_RECORD";

/// The folder of hand-written error fixtures inside a kind's fixtures folder.
pub const ERROR_FIXTURES: &str = "errors";

/// True when this run records fixtures.
pub fn recording() -> bool {
    std::env::var(RECORD_ENV).is_ok_and(|v| !v.is_empty() && v != "0")
}

fn build(
    target: &dyn ConformanceTarget,
    base_url: &str,
    key: KeyVariant,
) -> anyhow::Result<Arc<dyn AtsAdapter>> {
    let settings = target.settings(base_url, key);
    atsbridge_core::registry::build(target.kind(), &AdapterContext::from_settings(&settings))
        .map_err(|e| {
            anyhow::anyhow!(
                "building the `{}` adapter through the registry failed: {e}",
                target.kind()
            )
        })
}

/// The capabilities the kind's adapter declares (building it makes no call).
pub fn capabilities(
    target: &dyn ConformanceTarget,
) -> anyhow::Result<atsbridge_core::Capabilities> {
    Ok(build(target, "http://127.0.0.1:9", KeyVariant::Valid)?.capabilities())
}

/// Every request body in `exchanges` that breaks the target's published request schema.
pub fn schema_problems(
    target: &dyn ConformanceTarget,
    exchanges: &[Exchange],
) -> anyhow::Result<Vec<String>> {
    let Some(text) = target.request_schemas() else {
        return Ok(Vec::new());
    };
    let schemas = RequestSchemas::parse(text)?;
    Ok(exchanges
        .iter()
        .enumerate()
        .flat_map(|(i, x)| {
            schemas
                .check(&x.request.path, &x.request.body)
                .into_iter()
                .map(move |p| format!("request #{} breaks the published schema: {p}", i + 1))
        })
        .collect())
}

fn verdict(result: anyhow::Result<()>, mut problems: Vec<String>) -> anyhow::Result<()> {
    if let Err(e) = result {
        problems.insert(0, format!("{e:#}"));
    }
    if problems.is_empty() {
        Ok(())
    } else {
        anyhow::bail!("{}", problems.join("\n"))
    }
}

/// Runs `case` against a fresh sandbox behind the proxy. With `record`, writes the case's
/// fixtures and operator tape when it passes.
pub async fn run_sandbox(
    target: Arc<dyn ConformanceTarget>,
    case: &Case,
    record: bool,
) -> anyhow::Result<()> {
    let sandbox = target.start().await?;
    let proxy = Arc::new(Proxy::start(&sandbox.api_url()).await?);
    let adapter = build(&*target, proxy.url(), KeyVariant::Valid)?;
    let ctx = CaseCtx {
        target: target.clone(),
        base_url: proxy.url().to_owned(),
        adapter,
        operator: OperatorHandle::live(sandbox),
        wire: Wire::Proxy(proxy.clone()),
    };
    let result = (case.run)(&ctx).await;
    let exchanges = proxy.exchanges();
    let problems = schema_problems(&*target, &exchanges)?;
    let passed = result.is_ok() && problems.is_empty();
    if record && passed {
        let dir = target.fixtures_dir().join(case.name);
        replay::write_fixtures(
            &dir,
            &exchanges,
            target.volatile_request_fields(),
            &ctx.operator.tape(),
        )?;
    }
    verdict(result, problems)
}

/// The instruction printed when fixtures are missing.
pub fn record_hint() -> String {
    format!(
        "record them with `{RECORD_ENV}=1 cargo test -p atsbridge-conformance -- sandbox` (see docs/adding-an-adapter.md)"
    )
}

/// Runs `case` against its recorded fixtures and operator tape, strictly.
pub async fn run_replay(target: Arc<dyn ConformanceTarget>, case: &Case) -> anyhow::Result<()> {
    let dir = target.fixtures_dir().join(case.name);
    anyhow::ensure!(
        dir.is_dir(),
        "no fixtures in {}; {}",
        dir.display(),
        record_hint()
    );
    let server = Arc::new(ReplayServer::start(replay::load_fixtures(&dir)?).await?);
    let adapter = build(&*target, server.url(), KeyVariant::Valid)?;
    let ctx = CaseCtx {
        target: target.clone(),
        base_url: server.url().to_owned(),
        adapter,
        operator: OperatorHandle::replay(replay::load_tape(&dir)?),
        wire: Wire::Replay(server.clone()),
    };
    let result = (case.run)(&ctx).await;
    let mut problems = server.failures();
    if ctx.operator.unused() > 0 {
        problems.push(format!(
            "{} operator answers on the tape were never asked for",
            ctx.operator.unused()
        ));
    }
    problems.extend(schema_problems(&*target, &server.exchanges())?);
    verdict(result, problems)
}

/// The hand-written error fixtures of a target: sub-folders of `fixtures/<kind>/errors/`.
pub fn error_fixture_dirs(target: &dyn ConformanceTarget) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(target.fixtures_dir().join(ERROR_FIXTURES)) else {
        return Vec::new();
    };
    let mut dirs: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs
}

/// `expect.json` of a hand-written error fixture: which call to make and the error it must give.
#[derive(Debug, Deserialize)]
struct ErrorExpectation {
    /// The adapter operation and its arguments.
    call: ErrorCall,
    /// The error's kind code (`rate_limited`).
    kind: String,
    /// Whether the error must be temporary.
    temporary: bool,
    /// The wait it must carry, in seconds.
    #[serde(default)]
    retry_after_secs: Option<u64>,
    /// The permission a `permission_denied` error must name.
    #[serde(default)]
    permission: Option<String>,
    /// Whether the error must be marked maybe-applied.
    #[serde(default)]
    maybe_applied: Option<bool>,
    /// The ATS request id the error must carry.
    #[serde(default)]
    request_id: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(tag = "operation", rename_all = "snake_case")]
enum ErrorCall {
    ValidateCredentials,
    ListJobs,
    ListJobStages { job: String },
    FindCandidates { email: String },
    CreateCandidate { name: String, email: String },
    ApplicationState { application: String },
    MoveStage { application: String, stage: String },
    CandidateChanges { cursor: Option<String> },
}

async fn make_call(adapter: &dyn AtsAdapter, call: &ErrorCall) -> Result<(), AtsError> {
    match call {
        ErrorCall::ValidateCredentials => adapter.validate_credentials().await.map(drop),
        ErrorCall::ListJobs => adapter.list_jobs().await.map(drop),
        ErrorCall::ListJobStages { job } => adapter
            .list_job_stages(&JobId::from(job.as_str()))
            .await
            .map(drop),
        ErrorCall::FindCandidates { email } => adapter
            .find_candidates(&Identity::email(email))
            .await
            .map(drop),
        ErrorCall::CreateCandidate { name, email } => {
            let profile = CandidateProfile {
                name: name.clone(),
                emails: vec![email.clone()],
                ..Default::default()
            };
            let new = NewCandidate {
                profile,
                source_id: None,
                credited_to: None,
                sourcing_note: None,
            };
            adapter.create_candidate(&new).await.map(drop)
        }
        ErrorCall::ApplicationState { application } => adapter
            .application_state(&ApplicationId::from(application.as_str()))
            .await
            .map(drop),
        ErrorCall::MoveStage { application, stage } => adapter
            .move_stage(
                &ApplicationId::from(application.as_str()),
                &StageId::from(stage.as_str()),
            )
            .await
            .map(drop),
        ErrorCall::CandidateChanges { cursor } => {
            let cursor = cursor.clone().map(SyncCursor);
            adapter.candidate_changes(cursor.as_ref()).await.map(drop)
        }
    }
}

/// Runs one hand-written error fixture: the call of its `expect.json` against its exchanges must
/// give the expected error, using every exchange and nothing else.
pub async fn run_error_fixture(
    target: Arc<dyn ConformanceTarget>,
    dir: &Path,
) -> anyhow::Result<()> {
    let text = std::fs::read_to_string(dir.join("expect.json"))
        .map_err(|e| anyhow::anyhow!("{}: cannot read expect.json: {e}", dir.display()))?;
    let expect: ErrorExpectation = serde_json::from_str(&text)?;
    let server = ReplayServer::start(replay::load_fixtures(dir)?).await?;
    let adapter = build(&*target, server.url(), KeyVariant::Valid)?;
    let result = match make_call(&*adapter, &expect.call).await {
        Ok(()) => Err(anyhow::anyhow!(
            "{:?} succeeded; expected a {} error",
            expect.call,
            expect.kind
        )),
        Err(err) => check_error(&expect, &err),
    };
    let mut problems = server.failures();
    problems.extend(schema_problems(&*target, &server.exchanges())?);
    verdict(result, problems)
}

fn check_error(expect: &ErrorExpectation, err: &AtsError) -> anyhow::Result<()> {
    anyhow::ensure!(
        err.kind().code() == expect.kind,
        "expected a {} error, got {err:?}",
        expect.kind
    );
    anyhow::ensure!(
        err.is_temporary() == expect.temporary,
        "expected temporary = {}, got {err:?}",
        expect.temporary
    );
    if let Some(secs) = expect.retry_after_secs {
        anyhow::ensure!(
            err.retry_after() == Some(std::time::Duration::from_secs(secs)),
            "expected a {secs}s wait, got {err:?}"
        );
    }
    if let Some(permission) = &expect.permission {
        anyhow::ensure!(
            matches!(err.kind(), atsbridge_core::ErrorKind::PermissionDenied { permission: Some(p) } if p == permission),
            "expected the permission {permission} to be named, got {err:?}"
        );
    }
    if let Some(maybe) = expect.maybe_applied {
        anyhow::ensure!(
            err.maybe_applied() == maybe,
            "expected maybe_applied = {maybe}, got {err:?}"
        );
    }
    if let Some(id) = &expect.request_id {
        anyhow::ensure!(
            err.request_id() == Some(id.as_str()),
            "expected request id {id}, got {err:?}"
        );
    }
    Ok(())
}
