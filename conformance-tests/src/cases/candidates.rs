//! Creating candidates, notes and logged emails.

use super::{CaseCtx, CaseResult, expect_err, person, step};
use atsbridge_core::ErrorKind;
use atsbridge_core::model::{
    Candidate, CandidateProfile, EmailMessage, Identity, LoggedEmail, NewCandidate, NewNote,
    NoteBody,
};
use chrono::{TimeZone, Utc};

fn full_profile() -> CandidateProfile {
    CandidateProfile {
        name: "Ada Conformance".into(),
        emails: vec![
            "ada.conformance@example.com".into(),
            "ada.alt@example.org".into(),
        ],
        phones: vec!["+14155550101".into()],
        current_title: Some("Staff Engineer".into()),
        company: Some("Analytical Engines".into()),
        linkedin_url: Some("https://www.linkedin.com/in/ada-conformance".into()),
        other_links: Vec::new(),
        location: None,
    }
}

fn digits(s: &str) -> String {
    s.chars().filter(char::is_ascii_digit).collect()
}

fn url_key(s: &str) -> String {
    s.trim().trim_end_matches('/').to_ascii_lowercase()
}

fn check_keeps_fields(what: &str, given: &CandidateProfile, got: &Candidate) -> CaseResult {
    let p = &got.profile;
    anyhow::ensure!(
        p.name == given.name,
        "{what}: name {:?}, expected {:?}",
        p.name,
        given.name
    );
    for email in &given.emails {
        anyhow::ensure!(
            p.emails.iter().any(|e| e.eq_ignore_ascii_case(email)),
            "{what}: email {email} lost: {:?}",
            p.emails
        );
    }
    for phone in &given.phones {
        anyhow::ensure!(
            p.phones.iter().any(|x| digits(x) == digits(phone)),
            "{what}: phone {phone} lost: {:?}",
            p.phones
        );
    }
    if let Some(url) = &given.linkedin_url {
        anyhow::ensure!(
            p.linkedin_url.as_deref().map(url_key) == Some(url_key(url)),
            "{what}: LinkedIn URL {url} lost: {:?}",
            p.linkedin_url
        );
    }
    for (field, kept, given) in [
        ("current_title", &p.current_title, &given.current_title),
        ("company", &p.company, &given.company),
    ] {
        if kept.is_some() {
            anyhow::ensure!(
                kept == given,
                "{what}: {field} is {kept:?}, expected {given:?}"
            );
        }
    }
    Ok(())
}

/// `create_then_read_back_keeps_fields`: the created candidate carries what was given, and so
/// does the candidate found again by email when the adapter can search.
pub async fn create_then_read_back_keeps_fields(ctx: &CaseCtx) -> CaseResult {
    let catalog = ctx.op().catalog().await?;
    let given = full_profile();
    let new = NewCandidate {
        profile: given.clone(),
        source_id: Some(catalog.source.clone()),
        credited_to: Some(catalog.user.clone()),
        sourcing_note: Some("Sourced by the conformance suite.".into()),
    };
    let created = step(
        "create_candidate",
        ctx.adapter().create_candidate(&new).await,
    )?;
    check_keeps_fields("create_candidate", &given, &created)?;
    if ctx
        .adapter()
        .capabilities()
        .has(atsbridge_core::Capability::FindCandidates)
    {
        let found = step(
            "find_candidates",
            ctx.adapter()
                .find_candidates(&Identity::email(&given.emails[0]))
                .await,
        )?;
        let again = found.iter().find(|c| c.id == created.id).ok_or_else(|| {
            anyhow::anyhow!("the created candidate {} is not found by email", created.id)
        })?;
        check_keeps_fields("find_candidates after create", &given, again)?;
    }
    Ok(())
}

/// `duplicate_create_is_detectable`: after a create, a search by the email finds the new
/// candidate, so a retry can adopt it.
pub async fn duplicate_create_is_detectable(ctx: &CaseCtx) -> CaseResult {
    let given = person("duplicate");
    let new = NewCandidate {
        profile: given.clone(),
        source_id: None,
        credited_to: None,
        sourcing_note: None,
    };
    let created = step(
        "create_candidate",
        ctx.adapter().create_candidate(&new).await,
    )?;
    let found = step(
        "find_candidates",
        ctx.adapter()
            .find_candidates(&Identity::email(&given.emails[0]))
            .await,
    )?;
    anyhow::ensure!(
        found.iter().any(|c| c.id == created.id),
        "candidate {} created a moment ago is not found by its email; found {:?}",
        created.id,
        found.iter().map(|c| &c.id).collect::<Vec<_>>()
    );
    Ok(())
}

/// An empty name gives `InvalidInput` naming `name`, with no ATS call.
pub async fn create_with_empty_name_is_invalid_input(ctx: &CaseCtx) -> CaseResult {
    let mut profile = person("nameless");
    profile.name = "  ".into();
    let before = ctx.calls();
    let new = NewCandidate {
        profile,
        source_id: None,
        credited_to: None,
        sourcing_note: None,
    };
    let err = expect_err(
        ctx.adapter().create_candidate(&new).await,
        "create_candidate(empty name)",
    )?;
    anyhow::ensure!(
        matches!(err.kind(), ErrorKind::InvalidInput { field: Some(f) } if f == "name"),
        "expected InvalidInput naming `name`, got {err:?}"
    );
    anyhow::ensure!(
        ctx.calls() == before,
        "refusing an empty name made ATS calls"
    );
    Ok(())
}

/// Adding a note returns the note's id.
pub async fn add_note_returns_id(ctx: &CaseCtx) -> CaseResult {
    let candidate = ctx.op().create_candidate(&person("note")).await?;
    let note = NewNote {
        candidate_id: candidate,
        body: NoteBody::Plain("Conformance note.".into()),
    };
    let id = step("add_note", ctx.adapter().add_note(&note).await)?;
    anyhow::ensure!(
        !id.as_str().trim().is_empty(),
        "add_note returned an empty id"
    );
    Ok(())
}

/// `log_email_is_idempotent`: logging the same message twice logs it once.
pub async fn log_email_is_idempotent(ctx: &CaseCtx) -> CaseResult {
    let candidate = ctx.op().create_candidate(&person("email")).await?;
    let email = EmailMessage {
        candidate_id: candidate.clone(),
        message_id: "conformance-message-0001".into(),
        subject: "Hello from the conformance suite".into(),
        from: "recruiter@example.com".into(),
        to: vec!["conformance.email@example.com".into()],
        cc: Vec::new(),
        body_html: "<p>Hello!</p>".into(),
        sent_at: Utc
            .with_ymd_and_hms(2030, 1, 15, 9, 30, 0)
            .single()
            .expect("valid time"),
    };
    let first = step("log_email", ctx.adapter().log_email(&email).await)?;
    let second = step(
        "log_email (same message again)",
        ctx.adapter().log_email(&email).await,
    )?;
    anyhow::ensure!(
        std::mem::discriminant(&first) == std::mem::discriminant(&second),
        "the two logs differ: {first:?} then {second:?}"
    );
    if first == LoggedEmail::AsEmail
        && let Some(count) = ctx.op().logged_email_count(&candidate).await?
    {
        anyhow::ensure!(
            count == 1,
            "the ATS holds {count} logged emails for one message"
        );
    }
    Ok(())
}
