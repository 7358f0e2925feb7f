//! Exclusion: finding an existing person in the ATS by any identity it can search.

use super::{CaseCtx, CaseResult, expect_err, expect_permanent, step};
use atsbridge_core::ErrorKind;
use atsbridge_core::model::{CandidateProfile, Identity};

fn profile() -> CandidateProfile {
    CandidateProfile {
        name: "Conformance Exclusion".into(),
        emails: vec!["Conformance.Exclusion@Example.com".into()],
        phones: vec!["+14155550134".into()],
        linkedin_url: Some("https://www.linkedin.com/in/conformance-exclusion".into()),
        ..CandidateProfile::default()
    }
}

/// `find_by_email_ignores_case`: the email in another case and with surrounding spaces finds
/// the candidate a recruiter created.
pub async fn find_by_email_ignores_case(ctx: &CaseCtx) -> CaseResult {
    let id = ctx.op().create_candidate(&profile()).await?;
    for variant in [
        "conformance.exclusion@example.com",
        "  CONFORMANCE.EXCLUSION@EXAMPLE.COM  ",
        "Conformance.Exclusion@Example.com",
    ] {
        let found = step(
            "find_candidates",
            ctx.adapter()
                .find_candidates(&Identity::email(variant))
                .await,
        )?;
        anyhow::ensure!(
            found.iter().any(|c| c.id == id),
            "searching {variant:?} did not find candidate {id}; found {:?}",
            found.iter().map(|c| &c.id).collect::<Vec<_>>()
        );
    }
    Ok(())
}

/// `find_no_match_is_empty`: no match is `Ok(vec![])`, not `NotFound`.
pub async fn find_no_match_is_empty(ctx: &CaseCtx) -> CaseResult {
    let found = step(
        "find_candidates",
        ctx.adapter()
            .find_candidates(&Identity::email("nobody.conformance@nowhere.example"))
            .await,
    )?;
    anyhow::ensure!(found.is_empty(), "expected no candidates, found {found:?}");
    Ok(())
}

/// Every identity kind the target says the ATS can search finds the candidate.
pub async fn find_by_each_searchable_identity(ctx: &CaseCtx) -> CaseResult {
    let p = profile();
    let id = ctx.op().create_candidate(&p).await?;
    for kind in ctx.target().searchable_identities() {
        let identity = p
            .identities()
            .into_iter()
            .find(|i| i.kind == kind)
            .ok_or_else(|| anyhow::anyhow!("profile has no {kind:?}"))?;
        let found = step(
            "find_candidates",
            ctx.adapter().find_candidates(&identity).await,
        )?;
        anyhow::ensure!(
            found.iter().any(|c| c.id == id),
            "searching by {identity:?} did not find candidate {id}"
        );
    }
    Ok(())
}

/// An identity kind the ATS cannot search gives `InvalidInput`, with no call.
pub async fn find_unsearchable_identity_is_invalid_input(ctx: &CaseCtx) -> CaseResult {
    let searchable = ctx.target().searchable_identities();
    let p = profile();
    for identity in p
        .identities()
        .into_iter()
        .filter(|i| !searchable.contains(&i.kind))
    {
        let before = ctx.calls();
        let err = expect_err(
            ctx.adapter().find_candidates(&identity).await,
            "find_candidates(unsearchable kind)",
        )?;
        expect_permanent(&err, "find_candidates(unsearchable kind)", |k| {
            matches!(k, ErrorKind::InvalidInput { .. })
        })?;
        anyhow::ensure!(
            ctx.calls() == before,
            "refusing {:?} made ATS calls",
            identity.kind
        );
    }
    Ok(())
}
