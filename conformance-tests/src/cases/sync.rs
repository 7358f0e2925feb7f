//! Change streams: full passes, incremental passes, resuming, expired positions.

use super::{CaseCtx, CaseResult, expect_err, expect_permanent, person, step};
use atsbridge_core::ErrorKind;
use atsbridge_core::model::SyncCursor;
use std::collections::HashSet;

/// More pages than this in one pass means the adapter loops.
const MAX_PAGES: usize = 1_000;

/// One pass over the candidate stream from `since`.
struct Pass {
    ids: Vec<String>,
    pages: usize,
    /// The `next` after each page, in order.
    cursors: Vec<SyncCursor>,
}

impl Pass {
    fn last(&self) -> &SyncCursor {
        self.cursors.last().expect("a pass has at least one page")
    }
}

async fn candidate_pass(ctx: &CaseCtx, since: Option<SyncCursor>) -> anyhow::Result<Pass> {
    let mut pass = Pass {
        ids: Vec::new(),
        pages: 0,
        cursors: Vec::new(),
    };
    let mut cursor = since;
    loop {
        let page = step(
            "candidate_changes",
            ctx.adapter().candidate_changes(cursor.as_ref()).await,
        )?;
        pass.pages += 1;
        pass.ids
            .extend(page.items.iter().map(|c| c.id.as_str().to_owned()));
        pass.cursors.push(page.next.clone());
        if !page.more {
            return Ok(pass);
        }
        anyhow::ensure!(
            pass.pages < MAX_PAGES,
            "candidate_changes never ends ({MAX_PAGES} pages)"
        );
        cursor = Some(page.next);
    }
}

fn check_each_once(what: &str, ids: &[String], expected: &[String]) -> CaseResult {
    let mut seen = HashSet::new();
    let twice: Vec<_> = ids.iter().filter(|id| !seen.insert(id.as_str())).collect();
    anyhow::ensure!(
        twice.is_empty(),
        "{what}: yielded more than once: {twice:?}"
    );
    let expected: HashSet<_> = expected.iter().map(String::as_str).collect();
    let missing: Vec<_> = expected.difference(&seen).collect();
    let extra: Vec<_> = seen.difference(&expected).collect();
    anyhow::ensure!(
        missing.is_empty(),
        "{what}: {} records never yielded, e.g. {:?}",
        missing.len(),
        &missing[..missing.len().min(5)]
    );
    anyhow::ensure!(
        extra.is_empty(),
        "{what}: yielded records the ATS does not hold: {:?}",
        &extra[..extra.len().min(5)]
    );
    Ok(())
}

async fn all_candidates(ctx: &CaseCtx) -> anyhow::Result<Vec<String>> {
    Ok(ctx
        .op()
        .candidate_ids()
        .await?
        .into_iter()
        .map(|c| c.0)
        .collect())
}

/// `full_pass_yields_each_once`: following `next` while `more` yields every candidate once,
/// over more than one page.
pub async fn full_pass_yields_each_once(ctx: &CaseCtx) -> CaseResult {
    let pass = candidate_pass(ctx, None).await?;
    anyhow::ensure!(
        pass.pages > 1,
        "the pass had one page; the sandbox must hold more than a page of candidates"
    );
    check_each_once("full pass", &pass.ids, &all_candidates(ctx).await?)
}

/// `incremental_returns_exactly_changes`: after a full pass, the final `next` yields the
/// created and the changed candidates (repeats allowed, misses not), not everyone again.
pub async fn incremental_returns_exactly_changes(ctx: &CaseCtx) -> CaseResult {
    let full = candidate_pass(ctx, None).await?;
    let created = ctx.op().create_candidate(&person("incremental")).await?;
    let changed = full
        .ids
        .iter()
        .find(|id| **id != created.0)
        .cloned()
        .expect("the sandbox has candidates");
    let changed = atsbridge_core::ids::CandidateId(changed);
    ctx.op()
        .rename_candidate(&changed, "Renamed By Conformance")
        .await?;
    let inc = candidate_pass(ctx, Some(full.last().clone())).await?;
    for id in [&created, &changed] {
        anyhow::ensure!(
            inc.ids.contains(&id.0),
            "incremental pass missed {id}; got {:?}",
            inc.ids
        );
    }
    let unchanged = inc
        .ids
        .iter()
        .filter(|id| **id != created.0 && **id != changed.0)
        .count();
    anyhow::ensure!(
        unchanged * 2 < full.ids.len(),
        "incremental pass returned {unchanged} unchanged candidates of {}: it is a full pass again",
        full.ids.len()
    );
    let quiet = candidate_pass(ctx, Some(inc.last().clone())).await?;
    anyhow::ensure!(
        quiet.ids.len() * 2 < full.ids.len(),
        "a pass with no changes since returned {} candidates",
        quiet.ids.len()
    );
    Ok(())
}

/// `resume_from_any_page`: a stored `next` (serialized and read back) continues the pass where
/// it stood, so the first page plus the resumed rest is every candidate once.
pub async fn resume_from_any_page(ctx: &CaseCtx) -> CaseResult {
    let page = step(
        "candidate_changes",
        ctx.adapter().candidate_changes(None).await,
    )?;
    anyhow::ensure!(
        page.more,
        "the first page is the last; the sandbox must hold more than a page of candidates"
    );
    let stored = serde_json::to_string(&page.next)?;
    let restored: SyncCursor = serde_json::from_str(&stored)?;
    let rest = candidate_pass(ctx, Some(restored)).await?;
    let mut ids: Vec<String> = page.items.iter().map(|c| c.id.0.clone()).collect();
    ids.extend(rest.ids);
    check_each_once(
        "first page + resumed pass",
        &ids,
        &all_candidates(ctx).await?,
    )
}

/// `expired_token_needs_full_resync`: an expired or garbled position gives `FullResyncNeeded`,
/// and starting again with `None` works.
pub async fn expired_token_needs_full_resync(ctx: &CaseCtx) -> CaseResult {
    let full = candidate_pass(ctx, None).await?;
    let garbled = SyncCursor("conformance-garbled-cursor".into());
    let err = expect_err(
        ctx.adapter().candidate_changes(Some(&garbled)).await,
        "candidate_changes(garbled cursor)",
    )?;
    expect_permanent(&err, "candidate_changes(garbled cursor)", |k| {
        *k == ErrorKind::FullResyncNeeded
    })?;
    ctx.op().expire_sync_tokens().await?;
    let err = expect_err(
        ctx.adapter().candidate_changes(Some(full.last())).await,
        "candidate_changes(expired)",
    )?;
    expect_permanent(&err, "candidate_changes(expired)", |k| {
        *k == ErrorKind::FullResyncNeeded
    })?;
    step(
        "candidate_changes(None) after expiry",
        ctx.adapter().candidate_changes(None).await,
    )?;
    Ok(())
}

/// The application stream: a full pass yields every application once.
pub async fn application_changes_yield_each_once(ctx: &CaseCtx) -> CaseResult {
    let mut ids = Vec::new();
    let mut cursor = None;
    for pages in 1.. {
        let page = step(
            "application_changes",
            ctx.adapter().application_changes(cursor.as_ref()).await,
        )?;
        ids.extend(page.items.iter().map(|a| a.id.0.clone()));
        if !page.more {
            break;
        }
        anyhow::ensure!(pages < MAX_PAGES, "application_changes never ends");
        cursor = Some(page.next);
    }
    let expected: Vec<String> = ctx
        .op()
        .application_ids()
        .await?
        .into_iter()
        .map(|a| a.0)
        .collect();
    check_each_once("application full pass", &ids, &expected)
}
