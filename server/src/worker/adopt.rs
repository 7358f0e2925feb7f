//! Find-or-create of the ATS records a command makes: look first, adopt what is there, and
//! record the intent before creating.
//!
//! Each `ensure_*`/`create_*` here follows the same protocol (reliability notes §3.2):
//! 1. search the ATS for the record (by email/LinkedIn, by candidate + job, by external id);
//! 2. one match → adopt it; none → save the intent (`create_…` recovery point, fenced by the
//!    epoch), then create;
//! 3. a create whose response was lost fails temporarily and is retried; the retry finds the
//!    record in step 1 and adopts it instead of creating a second.

use atsbridge_core::ids::{ApplicationId, CandidateId, JobId, StageId, UserId};
use atsbridge_core::model::{
    ApplicationState, Candidate, CandidateProfile, IdentityKind, Interview, InterviewEvent,
    NewApplication, NewCandidate, NewInterview,
};
use atsbridge_core::{AtsError, ErrorKind};
use serde_json::json;

use super::executor::{ExecError, Execution, identities_of};
use super::now_ms;
use crate::commands::PushCandidate;

/// Recovery point saved before creating the candidate.
pub const STEP_CREATE_CANDIDATE: &str = "create_candidate";
/// Recovery point saved before creating the application.
pub const STEP_CREATE_APPLICATION: &str = "create_application";
/// Recovery point saved before creating the interview.
pub const STEP_CREATE_INTERVIEW: &str = "create_interview";
/// Recovery point saved before adding a note.
pub const STEP_ADD_NOTE: &str = "add_note";

/// True when the push carries an identity the ATS can be searched by.
pub fn searchable(p: &PushCandidate) -> bool {
    !identities_of(p).is_empty()
}

/// True when the adapter answered that it cannot search this identity kind.
fn cannot_search(e: &AtsError) -> bool {
    matches!(
        e.kind(),
        ErrorKind::InvalidInput { .. } | ErrorKind::Unsupported { .. }
    )
}

/// Looks the person up in the ATS: by email first, then by LinkedIn URL (when the adapter can
/// search it). One candidate → `Some`; none → `None`; several for the same identity → a
/// permanent error (a duplicate in the ATS; atsbridge does not guess which to use).
pub async fn find_candidate(
    exec: &Execution<'_>,
    person: &PushCandidate,
) -> Result<Option<Candidate>, ExecError> {
    for identity in identities_of(person) {
        let found = exec
            .call("find_candidates", exec.adapter.find_candidates(&identity))
            .await;
        let mut found = match found {
            Ok(found) => found,
            Err(e) if identity.kind != IdentityKind::Email && cannot_search(&e) => continue,
            Err(e) => return Err(e.into()),
        };
        found.dedup_by(|a, b| a.id == b.id);
        match found.len() {
            0 => continue,
            1 => return Ok(found.pop()),
            _ => {
                let ids: Vec<&str> = found.iter().map(|c| c.id.as_str()).collect();
                return Err(ExecError::Permanent {
                    code: "ambiguous_candidate",
                    message: format!(
                        "{} ATS candidates match {} `{}` ({}); merge the duplicates in the ATS, then send the \
                         command again",
                        found.len(),
                        kind_words(identity.kind),
                        identity.value,
                        ids.join(", ")
                    ),
                });
            }
        }
    }
    Ok(None)
}

fn kind_words(k: IdentityKind) -> &'static str {
    match k {
        IdentityKind::Email => "the email",
        IdentityKind::LinkedIn => "the LinkedIn URL",
        IdentityKind::Phone => "the phone number",
    }
}

/// Records the intent, then creates the candidate (source: the adapter's "Dover" source;
/// credited to the job link's user).
pub async fn create_candidate(
    exec: &mut Execution<'_>,
    profile: CandidateProfile,
    credited_to: Option<UserId>,
) -> Result<Candidate, ExecError> {
    exec.record(
        STEP_CREATE_CANDIDATE,
        json!({ "started_at": now_ms(), "epoch": exec.command.epoch }),
    )
    .await?;
    let new = NewCandidate {
        profile,
        source_id: None,
        credited_to,
        sourcing_note: Some("Sourced by Dover".to_owned()),
    };
    Ok(exec
        .call("create_candidate", exec.adapter.create_candidate(&new))
        .await?)
}

/// The candidate's application for the job: found (adopted, `true`) or created at `stage`.
pub async fn ensure_application(
    exec: &mut Execution<'_>,
    candidate: &CandidateId,
    job: &JobId,
    stage: Option<StageId>,
    credited_to: Option<UserId>,
) -> Result<(ApplicationState, bool), ExecError> {
    if let Some(app) = exec
        .call(
            "find_application",
            exec.adapter.find_application(candidate, job),
        )
        .await?
    {
        // Adopted: either an earlier attempt's create whose response was lost, or the person
        // already applied. Its stage is left as the recruiters have it.
        let ours = exec.has_step(STEP_CREATE_APPLICATION);
        return Ok((app, !ours));
    }
    exec.record(
        STEP_CREATE_APPLICATION,
        json!({ "started_at": now_ms(), "epoch": exec.command.epoch }),
    )
    .await?;
    let new = NewApplication {
        candidate_id: candidate.clone(),
        job_id: job.clone(),
        stage_id: stage,
        source_id: None,
        credited_to,
    };
    match exec
        .call("create_application", exec.adapter.create_application(&new))
        .await
    {
        Ok(app) => Ok((app, false)),
        // The ATS says it exists (a concurrent or earlier create): adopt it.
        Err(e) if matches!(e.kind(), ErrorKind::Conflict) => {
            match exec
                .call(
                    "find_application",
                    exec.adapter.find_application(candidate, job),
                )
                .await?
            {
                Some(app) => Ok((app, true)),
                None => Err(e.into()),
            }
        }
        Err(e) => Err(e.into()),
    }
}

/// The interview with Dover's id on the application: found (adopted, `true`) or created.
pub async fn ensure_interview(
    exec: &mut Execution<'_>,
    application: &ApplicationId,
    external_id: &str,
    events: &[InterviewEvent],
) -> Result<(Interview, bool), ExecError> {
    if let Some(found) = exec
        .call(
            "find_interview",
            exec.adapter.find_interview(application, external_id),
        )
        .await?
    {
        return Ok((found, true));
    }
    exec.record(
        STEP_CREATE_INTERVIEW,
        json!({ "started_at": now_ms(), "epoch": exec.command.epoch }),
    )
    .await?;
    let new = NewInterview {
        application_id: application.clone(),
        external_id: external_id.to_owned(),
        events: events.to_vec(),
    };
    Ok((
        exec.call("create_interview", exec.adapter.create_interview(&new))
            .await?,
        false,
    ))
}
