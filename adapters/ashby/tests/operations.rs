//! Multi-call operations: what is sent to Ashby and what the caller gets back.

mod common;

use atsbridge_ashby::AtsAdapter;
use atsbridge_core::ErrorKind;
use atsbridge_core::ids::{ApplicationId, CandidateId, RejectionReasonId, StageId};
use atsbridge_core::model::*;
use chrono::{Duration, Utc};
use common::*;
use serde_json::{Value, json};
use wiremock::matchers::{body_partial_json, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const ACTIVE_APP: &str = "a9900000-0000-4000-8000-000000000003";
const ARCHIVED_APP: &str = "a9900000-0000-4000-8000-000000000001";
const ARCHIVE_STAGE: &str = "5ta90000-0000-4000-8000-000000000006";
const ONSITE_STAGE: &str = "5ta90000-0000-4000-8000-000000000003";

fn new_candidate() -> NewCandidate {
    NewCandidate {
        profile: CandidateProfile {
            name: " Sky Minimal ".into(),
            emails: vec![
                "sky@fixture.example".into(),
                "sky.alt@fixture.example".into(),
            ],
            phones: vec!["+15550100009".into()],
            current_title: Some("Staff Engineer".into()),
            company: Some("Example Co".into()),
            linkedin_url: Some("https://www.linkedin.com/in/sky-minimal".into()),
            other_links: vec!["https://github.com/skym".into()],
            location: None,
        },
        source_id: None,
        credited_to: Some("u5e00000-0000-4000-8000-000000000001".into()),
        sourcing_note: Some("Sourced by Dover".into()),
    }
}

#[tokio::test]
async fn create_candidate_credits_the_dover_source_and_notes_what_has_no_place() {
    let server = MockServer::start().await;
    mount_fixture(&server, "candidates.json").await;
    mount_fixture(&server, "metadata.json").await;
    let a = adapter(&server);
    let c = a.create_candidate(&new_candidate()).await.unwrap();
    assert_eq!(c.id.as_str(), "ca0d0000-0000-4000-8000-000000000002");
    let sent = &bodies(&server, "/candidate.create").await[0];
    assert_eq!(
        sent,
        &json!({"name": "Sky Minimal", "email": "sky@fixture.example", "alternateEmailAddresses": ["sky.alt@fixture.example"],
                "phoneNumber": "+15550100009", "linkedInUrl": "https://www.linkedin.com/in/sky-minimal",
                "githubUrl": "https://github.com/skym", "sourceId": "5a1c0000-0000-4000-8000-00000000d0e1",
                "creditedToUserId": "u5e00000-0000-4000-8000-000000000001"})
    );
    let note = &bodies(&server, "/candidate.createNote").await[0];
    let text = note["note"].as_str().unwrap();
    assert!(text.starts_with("Sourced by Dover"), "{text}");
    assert!(
        text.contains("Current title: Staff Engineer")
            && text.contains("Current company: Example Co"),
        "{text}"
    );
    assert_eq!(calls(&server, "/customField.setValue").await, 0);

    // The source is looked up once per adapter.
    a.create_candidate(&new_candidate()).await.unwrap();
    assert_eq!(calls(&server, "/source.list").await, 1);
    assert_eq!(calls(&server, "/candidate.create").await, 2);
}

#[tokio::test]
async fn create_candidate_uses_configured_custom_fields() {
    let server = MockServer::start().await;
    mount_fixture(&server, "candidates.json").await;
    Mock::given(method("POST"))
        .and(path("/customField.setValue"))
        .respond_with(ok(json!({"id": "cf", "title": "x", "value": "y"})))
        .mount(&server)
        .await;
    let a = adapter_with(&server, |mut c| {
        c.title_custom_field_id = Some("cf-title".into());
        c.company_custom_field_id = Some("cf-company".into());
        c
    });
    let mut nc = new_candidate();
    nc.source_id = Some("src-given".into());
    nc.sourcing_note = None;
    let c = a.create_candidate(&nc).await.unwrap();
    assert_eq!(c.profile.current_title.as_deref(), Some("Staff Engineer"));
    assert_eq!(c.profile.company.as_deref(), Some("Example Co"));
    let set = bodies(&server, "/customField.setValue").await;
    assert_eq!(
        set[0],
        json!({"objectId": c.id.as_str(), "objectType": "Candidate", "fieldId": "cf-title", "fieldValue": "Staff Engineer"})
    );
    assert_eq!(set[1]["fieldId"], "cf-company");
    assert_eq!(
        calls(&server, "/candidate.createNote").await,
        0,
        "nothing left for a note"
    );
    assert_eq!(
        calls(&server, "/source.list").await,
        0,
        "a given source is used as is"
    );
}

#[tokio::test]
async fn find_by_email_ignores_case_and_spaces_and_filters_loose_matches() {
    let server = MockServer::start().await;
    let rowan = response("candidates.json", "/candidate.info")["results"].clone();
    let mut other = rowan.clone();
    other["id"] = json!("someone-else");
    other["primaryEmailAddress"] = Value::Null;
    other["emailAddresses"] = json!([{"value": "rowan@other.example"}]);
    Mock::given(method("POST"))
        .and(path("/candidate.search"))
        .respond_with(ok(json!([rowan, other])))
        .mount(&server)
        .await;
    let a = adapter(&server);
    let found = a
        .find_candidates(&Identity::email("  ROWAN@Fixture.Example "))
        .await
        .unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].profile.name, "Rowan Testperson");
    let sent = bodies(&server, "/candidate.search").await;
    assert_eq!(sent[0], json!({"email": "ROWAN@Fixture.Example"}));
    assert_eq!(sent[1], json!({"email": "rowan@fixture.example"}));

    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ok(json!([])))
        .mount(&server)
        .await;
    assert!(
        adapter(&server)
            .find_candidates(&Identity::email("nobody@x.example"))
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn change_stream_resumes_and_hands_back_the_sync_token() {
    let server = MockServer::start().await;
    let cand = response("candidates.json", "/candidate.info")["results"].clone();
    Mock::given(method("POST"))
        .and(path("/candidate.list"))
        .and(body_partial_json(json!({"cursor": "p2"})))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"success": true, "results": [cand], "moreDataAvailable": false, "syncToken": "tok-1"}),
        ))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/candidate.list"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"success": true, "results": [cand], "moreDataAvailable": true, "nextCursor": "p2"}),
        ))
        .mount(&server)
        .await;
    let a = adapter(&server);
    let p1 = a.candidate_changes(None).await.unwrap();
    assert!(p1.more);
    // A stored page position resumes there, even on a new adapter.
    let p2 = adapter(&server)
        .candidate_changes(Some(&p1.next))
        .await
        .unwrap();
    assert!(!p2.more);
    let _ = a.candidate_changes(Some(&p2.next)).await.unwrap();
    let sent = bodies(&server, "/candidate.list").await;
    assert_eq!(sent[0], json!({"limit": 100}));
    assert_eq!(sent[1], json!({"limit": 100, "cursor": "p2"}));
    assert_eq!(
        sent[2],
        json!({"limit": 100, "syncToken": "tok-1"}),
        "the final next holds the new sync token"
    );
}

#[tokio::test]
async fn find_application_matches_the_job() {
    let server = MockServer::start().await;
    mount_fixture(&server, "candidates.json").await;
    let archived = response("applications.json", "/application.info")["results"].clone();
    let mut other_job = archived.clone();
    other_job["id"] = json!("a9900000-0000-4000-8000-000000000002");
    other_job["job"]["id"] = json!("another-job");
    Mock::given(method("POST"))
        .and(path("/application.info"))
        .and(body_partial_json(
            json!({"applicationId": "a9900000-0000-4000-8000-000000000002"}),
        ))
        .respond_with(ok(other_job))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/application.info"))
        .respond_with(ok(archived))
        .mount(&server)
        .await;
    let a = adapter(&server);
    let cand = CandidateId::new("ca0d0000-0000-4000-8000-000000000001");
    let found = a
        .find_application(&cand, &"j0b00000-0000-4000-8000-000000000001".into())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.id.as_str(), ARCHIVED_APP);
    assert!(
        a.find_application(&cand, &"no-such-job".into())
            .await
            .unwrap()
            .is_none()
    );
}

async fn stage_server(current: Value) -> MockServer {
    let server = MockServer::start().await;
    mount_fixture(&server, "metadata.json").await;
    Mock::given(method("POST"))
        .and(path("/application.info"))
        .respond_with(ok(current.clone()))
        .mount(&server)
        .await;
    let mut moved = current;
    moved["status"] = json!("Archived");
    moved["currentInterviewStage"]["id"] = json!(ARCHIVE_STAGE);
    moved["currentInterviewStage"]["type"] = json!("Archived");
    moved["archiveReason"] = json!({"id": "a4c00000-0000-4000-8000-000000000002", "text": "Accepted another offer",
                                    "reasonType": "RejectedByCandidate", "isArchived": false});
    Mock::given(method("POST"))
        .and(path("/application.changeStage"))
        .respond_with(ok(moved))
        .mount(&server)
        .await;
    server
}

fn active_app() -> Value {
    response("applications.json", "/application.changeStage")["results"].clone()
}

#[tokio::test]
async fn move_stage_is_idempotent_and_refuses_archive_stages() {
    let server = stage_server(active_app()).await;
    let a = adapter(&server);
    let app = ApplicationId::new(ACTIVE_APP);
    let same = a
        .move_stage(&app, &StageId::new(ONSITE_STAGE))
        .await
        .unwrap();
    assert_eq!(same.stage.id.as_str(), ONSITE_STAGE);
    assert_eq!(calls(&server, "/application.changeStage").await, 0);

    // interviewStage.info answers with the Archived stage in the fixture.
    let e = a
        .move_stage(&app, &StageId::new(ARCHIVE_STAGE))
        .await
        .unwrap_err();
    assert_eq!(
        e.kind(),
        &ErrorKind::InvalidInput {
            field: Some("stage".into())
        }
    );
    assert_eq!(calls(&server, "/application.changeStage").await, 0);
}

#[tokio::test]
async fn move_stage_sends_change_stage() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/application.info"))
        .respond_with(ok(active_app()))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/interviewStage.info"))
        .respond_with(ok(
            json!({"id": "s-offer", "title": "Offer", "type": "Offer", "orderInInterviewPlan": 3}),
        ))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/application.changeStage"))
        .respond_with(ok(active_app()))
        .mount(&server)
        .await;
    adapter(&server)
        .move_stage(&ApplicationId::new(ACTIVE_APP), &StageId::new("s-offer"))
        .await
        .unwrap();
    assert_eq!(
        bodies(&server, "/application.changeStage").await,
        [json!({"applicationId": ACTIVE_APP, "interviewStageId": "s-offer"})]
    );
}

#[tokio::test]
async fn archive_moves_to_the_plans_archived_stage_with_reason_and_email() {
    let server = stage_server(active_app()).await;
    let a = adapter(&server);
    let state = a
        .archive(&ArchiveRequest {
            application_id: ACTIVE_APP.into(),
            reason_id: RejectionReasonId::new("a4c00000-0000-4000-8000-000000000002"),
            email_template_id: Some("tmpl-1".into()),
        })
        .await
        .unwrap();
    assert_eq!(state.status, AtsStatus::Archived);
    assert_eq!(state.outcome, Outcome::Withdrew);
    assert_eq!(
        bodies(&server, "/application.changeStage").await,
        [
            json!({"applicationId": ACTIVE_APP, "interviewStageId": ARCHIVE_STAGE,
                "archiveReasonId": "a4c00000-0000-4000-8000-000000000002",
                "archiveEmail": {"communicationTemplateId": "tmpl-1"}})
        ]
    );
    assert_eq!(
        bodies(&server, "/interviewStage.list").await[0]["interviewPlanId"],
        "p1a00000-0000-4000-8000-000000000001"
    );
}

#[tokio::test]
async fn archive_refuses_unknown_and_archived_reasons_and_is_idempotent() {
    let archived = response("applications.json", "/application.info")["results"].clone();
    let server = stage_server(archived).await;
    let a = adapter(&server);
    let req = |reason: &str| ArchiveRequest {
        application_id: ARCHIVED_APP.into(),
        reason_id: RejectionReasonId::new(reason),
        email_template_id: None,
    };
    let e = a.archive(&req("no-such-reason")).await.unwrap_err();
    assert_eq!(e.kind(), &ErrorKind::NotFound);
    let e = a
        .archive(&req("a4c00000-0000-4000-8000-000000000004"))
        .await
        .unwrap_err();
    assert_eq!(
        e.kind(),
        &ErrorKind::InvalidInput {
            field: Some("reason_id".into())
        }
    );
    // Already archived with this reason: nothing to do.
    let s = a
        .archive(&req("a4c00000-0000-4000-8000-000000000001"))
        .await
        .unwrap();
    assert_eq!(s.outcome, Outcome::Rejected);
    assert_eq!(calls(&server, "/application.changeStage").await, 0);
}

#[tokio::test]
async fn html_notes_are_reduced_to_ashbys_subset() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ok(json!({"id": "note-1"})))
        .mount(&server)
        .await;
    let id = adapter(&server)
        .add_note(&NewNote {
            candidate_id: "c1".into(),
            body: NoteBody::Html(
                "<p>Hi <strong>there</strong><script>x()</script></p><p>Bye</p>".into(),
            ),
        })
        .await
        .unwrap();
    assert_eq!(id.as_str(), "note-1");
    assert_eq!(
        bodies(&server, "/candidate.createNote").await[0],
        json!({"candidateId": "c1", "note": {"type": "text/html", "value": "Hi <b>there</b>\n\nBye"}, "sendNotifications": false})
    );
}

fn email() -> EmailMessage {
    EmailMessage {
        candidate_id: "c1".into(),
        message_id: "<msg-1@dover.example>".into(),
        subject: "Hello".into(),
        from: "recruiter@org.example".into(),
        to: vec!["sky@fixture.example".into()],
        cc: vec![],
        body_html: "<p>Hi Sky</p>".into(),
        sent_at: "2025-03-01T10:00:00Z".parse().unwrap(),
    }
}

#[tokio::test]
async fn log_email_uses_the_message_id_as_ashbys_key() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/candidate.addEmailMessage"))
        .respond_with(ok(json!({})))
        .mount(&server)
        .await;
    assert_eq!(
        adapter(&server).log_email(&email()).await.unwrap(),
        LoggedEmail::AsEmail
    );
    let sent = &bodies(&server, "/candidate.addEmailMessage").await[0];
    assert_eq!(sent["emailProviderEmailId"], "<msg-1@dover.example>");
    assert_eq!(sent["sentAt"], "2025-03-01T10:00:00.000Z");
    assert_eq!(
        sent["to"], "sky@fixture.example",
        "Ashby takes recipients as one string"
    );
    assert_eq!(sent["messageIdHeader"], "<msg-1@dover.example>");
    assert!(sent.get("cc").is_none());
}

#[tokio::test]
async fn log_email_falls_back_to_a_note_once() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/candidate.addEmailMessage"))
        .respond_with(
            ResponseTemplate::new(403).set_body_json(json!({"success": false,
            "errorInfo": {"code": "missing_endpoint_permission", "message": "no"}})),
        )
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/candidate.listNotes"))
        .respond_with(ok(json!([])))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/candidate.createNote"))
        .respond_with(ok(json!({"id": "note-9"})))
        .mount(&server)
        .await;
    let a = adapter(&server);
    assert_eq!(
        a.log_email(&email()).await.unwrap(),
        LoggedEmail::AsNote("note-9".into())
    );
    let note = bodies(&server, "/candidate.createNote").await[0]["note"]["value"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        note.contains("Hello") && note.contains("Dover message id: &lt;msg-1@dover.example&gt;"),
        "{note}"
    );

    // The second time, the note is found and not written again.
    Mock::given(method("POST"))
        .and(path("/candidate.listNotes"))
        .respond_with(ok(json!([{"id": "note-9", "content": note}])))
        .mount(&server)
        .await;
    assert_eq!(
        a.log_email(&email()).await.unwrap(),
        LoggedEmail::AsNote("note-9".into())
    );
    assert_eq!(calls(&server, "/candidate.createNote").await, 1);
}

#[tokio::test]
async fn create_interview_stores_the_external_id_on_each_event() {
    let server = MockServer::start().await;
    mount_fixture(&server, "metadata.json").await;
    let start = Utc::now() + Duration::days(2);
    let created = adapter(&server)
        .create_interview(&NewInterview {
            application_id: ACTIVE_APP.into(),
            external_id: "dover-int-42".into(),
            events: vec![InterviewEvent {
                start,
                end: start + Duration::minutes(45),
                interviewer_emails: vec!["alex@org.example".into()],
            }],
        })
        .await
        .unwrap();
    assert_eq!(created.external_id.as_deref(), Some("dover-int-42"));
    let sent = &bodies(&server, "/interviewSchedule.create").await[0];
    assert_eq!(sent["applicationId"], ACTIVE_APP);
    assert_eq!(
        sent["interviewEvents"][0]["extraData"],
        json!({"doverInterviewId": "dover-int-42"})
    );
    assert_eq!(
        sent["interviewEvents"][0]["interviewers"],
        json!([{"email": "alex@org.example"}])
    );
}

#[tokio::test]
async fn record_mode_writes_scrubbed_fixtures() {
    let server = MockServer::start().await;
    mount_fixture(&server, "candidates.json").await;
    let dir = tempfile::tempdir().unwrap();
    let a = adapter_with(&server, |mut c| {
        c.record_dir = Some(dir.path().to_path_buf());
        c
    });
    a.find_candidates(&Identity::email("rowan@fixture.example"))
        .await
        .unwrap();
    let files: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(files, ["0001-candidate.search.json"]);
    let text = std::fs::read_to_string(dir.path().join(&files[0])).unwrap();
    for secret in ["rowan", "Rowan", "Testperson", "+1555010000", KEY] {
        assert!(!text.contains(secret), "{secret} leaked into the recording");
    }
    let doc: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(doc["request"]["path"], "/candidate.search");
    assert_eq!(doc["response"]["status"], 200);
    assert_eq!(doc["response"]["headers"]["x-ratelimit-limit"], "1000");
    assert_eq!(
        doc["response"]["body"]["results"][0]["id"],
        "ca0d0000-0000-4000-8000-000000000001"
    );
    assert_eq!(
        doc["request"]["body"]["email"],
        doc["response"]["body"]["results"][0]["primaryEmailAddress"]["value"]
    );
}

#[tokio::test]
async fn registry_builds_the_adapter_from_settings() {
    let ctx = atsbridge_core::AdapterContext::from_settings(
        &json!({"api_key": "from-settings", "base_url": "http://127.0.0.1:9"}),
    );
    let a = atsbridge_core::registry::build("ashby", &ctx).unwrap();
    assert_eq!(a.kind(), "ashby");
    assert!(a.capabilities().missing().is_empty());
    assert!(!format!("{a:?}").contains("from-settings"));
    let e = atsbridge_core::registry::build(
        "ashby",
        &atsbridge_core::AdapterContext::from_settings(&json!({})),
    )
    .unwrap_err();
    assert_eq!(
        e.kind(),
        &ErrorKind::InvalidInput {
            field: Some("api_key".into())
        }
    );
}
