//! End-to-end against the Ashby sandbox (`atsbridge-ashby-sandbox`): a recruiter's day through
//! the adapter, plus the key-permission and lost-response paths.

use atsbridge_ashby::{AshbyAdapter, AshbyConfig, AtsAdapter};
use atsbridge_ashby_sandbox::{
    DEMO_API_KEY, Faults, NO_CANDIDATES_WRITE_API_KEY, READ_ONLY_API_KEY, RunningSandbox, Sandbox,
    SandboxConfig,
};
use atsbridge_core::ErrorKind;
use atsbridge_core::ids::{JobId, RejectionReasonId, StageId};
use atsbridge_core::model::*;
use chrono::{Duration, Utc};

async fn sandbox() -> RunningSandbox {
    Sandbox::new(SandboxConfig::default())
        .unwrap()
        .spawn("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap()
}

fn adapter(sb: &RunningSandbox, key: &str) -> AshbyAdapter {
    let mut cfg = AshbyConfig::new(key).with_base_url(sb.url.clone());
    cfg.timeout_secs = 5;
    cfg.record_dir = None;
    AshbyAdapter::new(cfg, reqwest::Client::new()).unwrap()
}

fn person(email: &str) -> NewCandidate {
    NewCandidate {
        profile: CandidateProfile {
            name: "Jordan Sandboxer".into(),
            emails: vec![email.into()],
            phones: vec!["+15550123456".into()],
            current_title: Some("Data Engineer".into()),
            company: Some("Sandbox Labs".into()),
            linkedin_url: Some("https://www.linkedin.com/in/jordan-sandboxer".into()),
            other_links: vec![],
            location: None,
        },
        source_id: None,
        credited_to: None,
        sourcing_note: Some("Found by Dover".into()),
    }
}

#[tokio::test]
async fn credentials_report_missing_permissions() {
    let sb = sandbox().await;
    let full = adapter(&sb, DEMO_API_KEY)
        .validate_credentials()
        .await
        .unwrap();
    assert!(full.missing.is_empty(), "{full:?}");
    assert!(!full.account.is_empty());
    let ro = adapter(&sb, READ_ONLY_API_KEY)
        .validate_credentials()
        .await
        .unwrap();
    assert_eq!(ro.missing, ["candidatesWrite", "interviewsWrite"], "{ro:?}");
    let no_cw = adapter(&sb, NO_CANDIDATES_WRITE_API_KEY)
        .validate_credentials()
        .await
        .unwrap();
    assert_eq!(no_cw.missing, ["candidatesWrite"]);
    let e = adapter(&sb, "not-a-key")
        .validate_credentials()
        .await
        .unwrap_err();
    assert_eq!(e.kind(), &ErrorKind::Unauthenticated);
    sb.shutdown().await;
}

#[tokio::test]
async fn metadata_reads() {
    let sb = sandbox().await;
    let ids = sb.sandbox.demo_catalog();
    let a = adapter(&sb, DEMO_API_KEY);
    let jobs = a.list_jobs().await.unwrap();
    let first_closed = jobs
        .iter()
        .position(|j| j.status != JobStatus::Open)
        .unwrap_or(jobs.len());
    assert!(
        jobs[first_closed..]
            .iter()
            .all(|j| j.status != JobStatus::Open),
        "open jobs first"
    );
    assert_eq!(
        jobs.iter().filter(|j| j.status == JobStatus::Open).count(),
        ids.open_job_ids.len()
    );

    let job = JobId::new(ids.primary_job_id.clone().unwrap());
    let stages = a.list_job_stages(&job).await.unwrap();
    assert!(stages.windows(2).all(|w| w[0].order < w[1].order));
    assert!(stages.iter().any(|s| s.kind == StageKind::Archived));
    let e = a
        .list_job_stages(&JobId::new("00000000-0000-0000-0000-000000000000"))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), &ErrorKind::NotFound);

    assert!(!a.list_users().await.unwrap().is_empty());
    let sources = a.list_sources().await.unwrap();
    assert!(
        sources
            .iter()
            .any(|s| Some(s.id.as_str()) == ids.dover_source_id.as_deref())
    );
    assert!(!a.list_rejection_reasons().await.unwrap().is_empty());
    sb.shutdown().await;
}

#[tokio::test]
async fn a_candidate_through_the_pipeline() {
    let sb = sandbox().await;
    let ids = sb.sandbox.demo_catalog();
    let a = adapter(&sb, DEMO_API_KEY);
    let job = JobId::new(ids.primary_job_id.clone().unwrap());

    let created = a
        .create_candidate(&person("jordan.sandboxer@example.com"))
        .await
        .unwrap();
    assert_eq!(created.profile.emails, ["jordan.sandboxer@example.com"]);
    assert_eq!(
        created.profile.linkedin_url.as_deref(),
        Some("https://www.linkedin.com/in/jordan-sandboxer")
    );
    assert_eq!(
        created.source_id.as_ref().map(|s| s.as_str().to_owned()),
        ids.dover_source_id,
        "credited to Dover"
    );

    let found = a
        .find_candidates(&Identity::email(" Jordan.Sandboxer@EXAMPLE.com "))
        .await
        .unwrap();
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].id, created.id);

    assert!(
        a.find_application(&created.id, &job)
            .await
            .unwrap()
            .is_none()
    );
    let app = a
        .create_application(&NewApplication {
            candidate_id: created.id.clone(),
            job_id: job.clone(),
            stage_id: None,
            source_id: None,
            credited_to: None,
        })
        .await
        .unwrap();
    assert_eq!(app.outcome, Outcome::Active);
    let again = a
        .find_application(&created.id, &job)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(again.id, app.id);

    let stages = a.list_job_stages(&job).await.unwrap();
    let active = stages.iter().find(|s| s.kind == StageKind::Active).unwrap();
    let moved = a.move_stage(&app.id, &active.id).await.unwrap();
    assert_eq!(moved.stage.id, active.id);
    let same = a.move_stage(&app.id, &active.id).await.unwrap();
    assert_eq!(same.stage.id, active.id);
    let archived_stage = stages
        .iter()
        .find(|s| s.kind == StageKind::Archived)
        .unwrap();
    let e = a.move_stage(&app.id, &archived_stage.id).await.unwrap_err();
    assert!(matches!(e.kind(), ErrorKind::InvalidInput { .. }));
    let e = a
        .move_stage(
            &app.id,
            &StageId::new("00000000-0000-0000-0000-000000000000"),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(
            e.kind(),
            ErrorKind::NotFound | ErrorKind::InvalidInput { .. }
        ),
        "{e:?}"
    );

    let start = Utc::now() + Duration::days(3);
    let interviewer = ids.users.keys().next().unwrap().clone();
    let interview = a
        .create_interview(&NewInterview {
            application_id: app.id.clone(),
            external_id: "dover-iv-1".into(),
            events: vec![InterviewEvent {
                start,
                end: start + Duration::hours(1),
                interviewer_emails: vec![interviewer],
            }],
        })
        .await
        .unwrap();
    let found = a
        .find_interview(&app.id, "dover-iv-1")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.id, interview.id);
    assert!(
        a.find_interview(&app.id, "dover-iv-2")
            .await
            .unwrap()
            .is_none()
    );

    a.add_note(&NewNote {
        candidate_id: created.id.clone(),
        body: NoteBody::Html("<p>Great <b>call</b></p>".into()),
    })
    .await
    .unwrap();
    let email = EmailMessage {
        candidate_id: created.id.clone(),
        message_id: "msg-sandbox-1".into(),
        subject: "Intro".into(),
        from: "recruiter@example.com".into(),
        to: vec!["jordan.sandboxer@example.com".into()],
        cc: vec![],
        body_html: "<p>Hello</p>".into(),
        sent_at: Utc::now(),
    };
    assert_eq!(a.log_email(&email).await.unwrap(), LoggedEmail::AsEmail);
    assert_eq!(a.log_email(&email).await.unwrap(), LoggedEmail::AsEmail);

    let reasons = a.list_rejection_reasons().await.unwrap();
    let withdrew = reasons
        .iter()
        .find(|r| !r.archived && r.reason_type == ReasonType::TheyWithdrew)
        .unwrap();
    let req = ArchiveRequest {
        application_id: app.id.clone(),
        reason_id: withdrew.id.clone(),
        email_template_id: None,
    };
    let done = a.archive(&req).await.unwrap();
    assert_eq!(done.status, AtsStatus::Archived);
    assert_eq!(done.outcome, Outcome::Withdrew);
    assert_eq!(
        a.archive(&req).await.unwrap().status,
        AtsStatus::Archived,
        "idempotent"
    );
    let e = a
        .archive(&ArchiveRequest {
            reason_id: RejectionReasonId::new("nope"),
            ..req.clone()
        })
        .await
        .unwrap_err();
    assert!(matches!(
        e.kind(),
        ErrorKind::NotFound | ErrorKind::InvalidInput { .. }
    ));
    assert_eq!(
        a.application_state(&app.id).await.unwrap().outcome,
        Outcome::Withdrew
    );
    sb.shutdown().await;
}

#[tokio::test]
async fn change_streams_full_pass_then_incremental() {
    let sb = sandbox().await;
    let a = adapter(&sb, DEMO_API_KEY);
    let mut seen = std::collections::BTreeSet::new();
    let mut next = None;
    loop {
        let page = a.candidate_changes(next.as_ref()).await.unwrap();
        for c in &page.items {
            assert!(seen.insert(c.id.clone()), "{} seen twice in one pass", c.id);
        }
        next = Some(page.next);
        if !page.more {
            break;
        }
    }
    assert_eq!(seen.len(), sb.sandbox.candidate_count());
    let created = a
        .create_candidate(&person("late.arrival@example.com"))
        .await
        .unwrap();
    let page = a.candidate_changes(next.as_ref()).await.unwrap();
    assert!(
        page.items.iter().any(|c| c.id == created.id),
        "the new candidate is in the increment"
    );
    assert!(page.items.len() < seen.len(), "only changes come back");

    let mut apps = 0;
    let mut next = None;
    loop {
        let page = a.application_changes(next.as_ref()).await.unwrap();
        apps += page.items.len();
        next = Some(page.next);
        if !page.more {
            break;
        }
    }
    assert_eq!(apps, sb.sandbox.application_count());
    sb.shutdown().await;
}

#[tokio::test]
async fn a_lost_write_response_is_maybe_applied_and_findable() {
    let sb = sandbox().await;
    let a = adapter(&sb, DEMO_API_KEY);
    // Warm the Dover source cache before turning faults on.
    a.list_sources().await.unwrap();
    let _ = a
        .create_candidate(&person("warmup@example.com"))
        .await
        .unwrap();
    sb.sandbox.set_faults(Faults {
        drop_response_rate: 1.0,
        ..sb.sandbox.faults()
    });
    let before = sb.sandbox.call_count("candidate.create");
    let e = a
        .create_candidate(&person("lost.response@example.com"))
        .await
        .unwrap_err();
    assert!(e.maybe_applied() && e.is_temporary(), "{e:?}");
    assert_eq!(
        sb.sandbox.call_count("candidate.create"),
        before + 1,
        "the write was not repeated"
    );
    sb.sandbox.set_faults(Faults {
        drop_response_rate: 0.0,
        ..sb.sandbox.faults()
    });
    let found = a
        .find_candidates(&Identity::email("lost.response@example.com"))
        .await
        .unwrap();
    assert_eq!(
        found.len(),
        1,
        "the caller can adopt the candidate instead of creating a second"
    );
    sb.shutdown().await;
}

#[test]
fn webhooks_signed_like_the_sandbox_signs_them_verify() {
    let body = br#"{"webhookActionId":"w-1","action":"candidateDelete","data":{"candidate":{"id":"c-9"}}}"#;
    let mut headers = http::HeaderMap::new();
    headers.insert(
        "Ashby-Signature",
        atsbridge_ashby_sandbox::sign("shh", body).parse().unwrap(),
    );
    let secret = secrecy::SecretString::from("shh".to_owned());
    let d = atsbridge_ashby::webhook::parse_webhook(
        &secret,
        atsbridge_core::WebhookRequest {
            headers: &headers,
            body,
        },
    )
    .unwrap();
    assert_eq!(
        d.event,
        atsbridge_core::WebhookEvent::CandidateDeleted {
            candidate_id: "c-9".into()
        }
    );
    assert_eq!(d.delivery_id.as_deref(), Some("w-1"));
}
