//! Operations an adapter does not declare answer `Unsupported` without calling the ATS.

use super::{CaseCtx, CaseResult};
use atsbridge_core::ids::{ApplicationId, CandidateId, JobId, RejectionReasonId, StageId};
use atsbridge_core::model::*;
use atsbridge_core::{AtsAdapter, Capability, ErrorKind, WebhookRequest};
use chrono::{TimeZone, Utc};

/// Calls the operation of `cap` with placeholder arguments; returns its error kind, or `None`
/// when it succeeded.
async fn call(adapter: &dyn AtsAdapter, cap: Capability) -> Option<ErrorKind> {
    let candidate = CandidateId::from("conformance-unsupported-candidate");
    let application = ApplicationId::from("conformance-unsupported-application");
    let job = JobId::from("conformance-unsupported-job");
    let at = Utc
        .with_ymd_and_hms(2030, 1, 15, 10, 0, 0)
        .single()
        .expect("valid time");
    let profile = CandidateProfile {
        name: "Unsupported".into(),
        ..CandidateProfile::default()
    };
    let kind = |r: Result<(), atsbridge_core::AtsError>| r.err().map(|e| e.kind().clone());
    match cap {
        Capability::ValidateCredentials => kind(adapter.validate_credentials().await.map(drop)),
        Capability::ListJobs => kind(adapter.list_jobs().await.map(drop)),
        Capability::ListJobStages => kind(adapter.list_job_stages(&job).await.map(drop)),
        Capability::ListUsers => kind(adapter.list_users().await.map(drop)),
        Capability::ListSources => kind(adapter.list_sources().await.map(drop)),
        Capability::ListRejectionReasons => kind(adapter.list_rejection_reasons().await.map(drop)),
        Capability::FindCandidates => kind(
            adapter
                .find_candidates(&Identity::email("u@example.com"))
                .await
                .map(drop),
        ),
        Capability::CandidateChanges => kind(adapter.candidate_changes(None).await.map(drop)),
        Capability::CreateCandidate => {
            let new = NewCandidate {
                profile,
                source_id: None,
                credited_to: None,
                sourcing_note: None,
            };
            kind(adapter.create_candidate(&new).await.map(drop))
        }
        Capability::FindApplication => {
            kind(adapter.find_application(&candidate, &job).await.map(drop))
        }
        Capability::CreateApplication => {
            let new = NewApplication {
                candidate_id: candidate,
                job_id: job,
                stage_id: None,
                source_id: None,
                credited_to: None,
            };
            kind(adapter.create_application(&new).await.map(drop))
        }
        Capability::MoveStage => kind(
            adapter
                .move_stage(&application, &StageId::from("s"))
                .await
                .map(drop),
        ),
        Capability::Archive => {
            let request = ArchiveRequest {
                application_id: application,
                reason_id: RejectionReasonId::from("r"),
                email_template_id: None,
            };
            kind(adapter.archive(&request).await.map(drop))
        }
        Capability::FindInterview => {
            kind(adapter.find_interview(&application, "x").await.map(drop))
        }
        Capability::CreateInterview => {
            let event = InterviewEvent {
                start: at,
                end: at + chrono::Duration::hours(1),
                interviewer_emails: vec![],
            };
            let new = NewInterview {
                application_id: application,
                external_id: "x".into(),
                events: vec![event],
            };
            kind(adapter.create_interview(&new).await.map(drop))
        }
        Capability::AddNote => {
            let note = NewNote {
                candidate_id: candidate,
                body: NoteBody::Plain("x".into()),
            };
            kind(adapter.add_note(&note).await.map(drop))
        }
        Capability::LogEmail => {
            let email = EmailMessage {
                candidate_id: candidate,
                message_id: "x".into(),
                subject: "x".into(),
                from: "a@example.com".into(),
                to: vec!["b@example.com".into()],
                cc: vec![],
                body_html: "x".into(),
                sent_at: at,
            };
            kind(adapter.log_email(&email).await.map(drop))
        }
        Capability::ApplicationState => {
            kind(adapter.application_state(&application).await.map(drop))
        }
        Capability::ApplicationChanges => kind(adapter.application_changes(None).await.map(drop)),
        Capability::Webhooks => {
            let headers = http::HeaderMap::new();
            let secret = secrecy::SecretString::from("x");
            kind(
                adapter
                    .parse_webhook(
                        &secret,
                        WebhookRequest {
                            headers: &headers,
                            body: b"{}",
                        },
                    )
                    .map(drop),
            )
        }
    }
}

/// `unsupported_operations_make_no_calls`: every operation not in the capabilities answers
/// `Unsupported` naming itself, with zero HTTP calls.
pub async fn unsupported_operations_make_no_calls(ctx: &CaseCtx) -> CaseResult {
    let adapter = &**ctx.adapter();
    let mut problems = Vec::new();
    for cap in adapter.capabilities().missing() {
        let before = ctx.calls();
        let outcome = call(adapter, cap).await;
        let calls = ctx.calls() - before;
        match outcome {
            Some(ErrorKind::Unsupported { operation }) if operation == cap.operation() => {}
            other => problems.push(format!(
                "{}: expected Unsupported, got {other:?}",
                cap.operation()
            )),
        }
        if calls != 0 {
            problems.push(format!("{}: made {calls} HTTP calls", cap.operation()));
        }
    }
    anyhow::ensure!(problems.is_empty(), "{}", problems.join("; "));
    Ok(())
}
