//! Every response shape of the recordings (as our own fixtures) parses and maps as a user expects.

mod common;

use atsbridge_ashby::AtsAdapter;
use atsbridge_core::ids::{ApplicationId, CandidateId, JobId};
use atsbridge_core::model::*;
use chrono::{DateTime, Utc};
use common::*;
use wiremock::MockServer;

fn t(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

async fn server_with(files: &[&str]) -> MockServer {
    let server = MockServer::start().await;
    for f in files {
        mount_fixture(&server, f).await;
    }
    server
}

#[tokio::test]
async fn jobs_come_open_first_with_hiring_manager_first() {
    let server = server_with(&["metadata.json"]).await;
    let jobs = adapter(&server).list_jobs().await.unwrap();
    let titles: Vec<_> = jobs
        .iter()
        .map(|j| (j.title.as_str(), j.status.clone()))
        .collect();
    assert_eq!(
        titles,
        [
            ("Backend Engineer", JobStatus::Open),
            ("Sales Lead", JobStatus::Open),
            ("Backend Engineer (old)", JobStatus::Closed),
            ("Designer", JobStatus::Draft),
        ]
    );
    assert_eq!(
        jobs[0].hiring_team[0].as_str(),
        "u5e00000-0000-4000-8000-000000000001",
        "hiring manager first"
    );
    // Draft jobs are only returned when asked for.
    let sent = bodies(&server, "/job.list").await;
    assert!(
        sent[0]["status"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s == "Draft"),
        "{sent:?}"
    );
}

#[tokio::test]
async fn stages_come_in_plan_order_with_kinds() {
    let server = server_with(&["metadata.json"]).await;
    let stages = adapter(&server)
        .list_job_stages(&JobId::new("j0b00000-0000-4000-8000-000000000002"))
        .await
        .unwrap();
    let got: Vec<_> = stages
        .iter()
        .map(|s| (s.title.as_str(), s.kind.clone(), s.order))
        .collect();
    assert_eq!(
        got,
        [
            ("New Lead", StageKind::Lead, 0),
            ("Recruiter Screen", StageKind::PreInterviewScreen, 1),
            ("Onsite", StageKind::Active, 2),
            ("Offer", StageKind::Offer, 3),
            ("Hired", StageKind::Hired, 4),
            ("Archived", StageKind::Archived, 5),
        ]
    );
}

#[tokio::test]
async fn users_sources_and_reasons_include_disabled_and_archived() {
    let server = server_with(&["metadata.json"]).await;
    let a = adapter(&server);
    let users = a.list_users().await.unwrap();
    assert_eq!(users.len(), 3);
    assert_eq!(users[0].name, "Alex Manager");
    assert_eq!(users[0].email.as_deref(), Some("alex@org.example"));
    assert!(!users[2].enabled);

    let sources = a.list_sources().await.unwrap();
    assert_eq!(sources.iter().filter(|s| s.archived).count(), 1);
    assert_eq!(sources[0].title, "Dover");

    let reasons = a.list_rejection_reasons().await.unwrap();
    let types: Vec<_> = reasons
        .iter()
        .map(|r| (r.reason_type.clone(), r.archived))
        .collect();
    assert_eq!(
        types,
        [
            (ReasonType::WeRejected, false),
            (ReasonType::TheyWithdrew, false),
            (ReasonType::Other, false),
            (ReasonType::WeRejected, true)
        ]
    );
    assert_eq!(
        bodies(&server, "/archiveReason.list").await[0]["includeArchived"],
        true
    );
    assert_eq!(
        bodies(&server, "/source.list").await[0]["includeArchived"],
        true
    );
    assert_eq!(
        bodies(&server, "/user.list").await[0]["includeDeactivated"],
        true
    );
}

#[tokio::test]
async fn candidates_carry_every_identity() {
    let server = server_with(&["candidates.json"]).await;
    let page = adapter(&server).candidate_changes(None).await.unwrap();
    assert!(page.more, "Ashby said more data is available");
    let c = &page.items[0];
    assert_eq!(c.profile.name, "Rowan Testperson");
    assert_eq!(
        c.profile.emails,
        ["rowan@fixture.example", "r.testperson@work.example"]
    );
    assert_eq!(c.profile.phones, ["+15550100001", "+15550100002"]);
    assert_eq!(
        c.profile.linkedin_url.as_deref(),
        Some("https://linkedin.com/in/rowan-testperson")
    );
    assert_eq!(c.profile.other_links, ["https://rowan.fixture.example"]);
    assert_eq!(
        c.profile.current_title.as_deref(),
        Some("Platform Engineer")
    );
    assert_eq!(c.profile.company.as_deref(), Some("Fixture Widgets"));
    assert_eq!(c.profile.location.as_deref(), Some("Lisbon, Portugal"));
    assert_eq!(c.application_ids.len(), 2);
    assert_eq!(
        c.source_id.as_ref().map(|s| s.as_str()),
        Some("5a1c0000-0000-4000-8000-00000000d0e1")
    );
    assert_eq!(c.created_at, Some(t("2025-01-10T09:00:00Z")));
    // The minimal record (no primary email key, nulls) still maps.
    let m = &page.items[1];
    assert!(
        m.profile.emails.is_empty() && m.profile.linkedin_url.is_none() && m.source_id.is_none()
    );
}

#[tokio::test]
async fn applications_map_status_stage_reason_and_times() {
    let server = server_with(&["applications.json"]).await;
    let page = adapter(&server).application_changes(None).await.unwrap();
    assert!(!page.more);
    let [archived, hired, active] = &page.items[..] else {
        panic!("{:?}", page.items)
    };

    assert_eq!(archived.status, AtsStatus::Archived);
    assert_eq!(archived.outcome, Outcome::Rejected);
    assert_eq!(archived.stage.kind, Some(StageKind::Archived));
    assert_eq!(archived.stage.title.as_deref(), Some("Archived"));
    let reason = archived.archive_reason.as_ref().unwrap();
    assert_eq!(
        (reason.text.as_str(), &reason.reason_type),
        ("Not enough experience", &ReasonType::WeRejected)
    );
    assert_eq!(archived.archived_at, Some(t("2025-02-01T08:00:00Z")));
    assert_eq!(archived.hired_at, None);

    assert_eq!(hired.outcome, Outcome::Hired);
    assert_eq!(
        hired.hired_at,
        Some(t("2025-03-15T11:00:00Z")),
        "from the history entry of the Hired stage"
    );
    assert_eq!(hired.archived_at, None);

    assert_eq!(active.outcome, Outcome::Active);
    assert_eq!(
        active.credited_to.as_ref().map(|u| u.as_str()),
        Some("u5e00000-0000-4000-8000-000000000001")
    );
    assert_eq!(active.source_id, None);
}

#[tokio::test]
async fn application_info_and_create_answers_parse() {
    let server = server_with(&["applications.json"]).await;
    let a = adapter(&server);
    let s = a
        .application_state(&ApplicationId::new("a9900000-0000-4000-8000-000000000001"))
        .await
        .unwrap();
    assert_eq!(
        s.candidate_id.as_str(),
        "ca0d0000-0000-4000-8000-000000000001"
    );
    assert_eq!(s.job_id.as_str(), "j0b00000-0000-4000-8000-000000000001");
    assert_eq!(s.created_at, Some(t("2025-01-10T09:05:00Z")));
}

#[tokio::test]
async fn create_answer_with_partial_stage_still_maps_when_reread_fails() {
    use wiremock::matchers::{method, path};
    use wiremock::{Mock, ResponseTemplate};
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/application.create"))
        .respond_with(recorded("applications.json", "/application.create"))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/application.info"))
        .respond_with(ResponseTemplate::new(500))
        .mount(&server)
        .await;
    let a = adapter(&server);
    let s = a
        .create_application(&NewApplication {
            candidate_id: CandidateId::new("ca0d0000-0000-4000-8000-000000000002"),
            job_id: JobId::new("j0b00000-0000-4000-8000-000000000001"),
            stage_id: None,
            source_id: Some("src".into()),
            credited_to: None,
        })
        .await
        .unwrap();
    assert_eq!(s.status, AtsStatus::Lead);
    assert_eq!(s.stage.id.as_str(), "5ta90000-0000-4000-8000-000000000001");
    assert_eq!(
        s.stage.kind, None,
        "the create answer carries only the stage id"
    );
    assert_eq!(calls(&server, "/application.create").await, 1);
}

#[tokio::test]
async fn interview_schedules_keep_the_external_id() {
    let server = server_with(&["metadata.json"]).await;
    let a = adapter(&server);
    let app = ApplicationId::new("a9900000-0000-4000-8000-000000000003");
    let found = a
        .find_interview(&app, "dover-int-42")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.external_id.as_deref(), Some("dover-int-42"));
    assert_eq!(found.status, "Scheduled");
    assert_eq!(found.events[0].interviewer_emails, ["alex@org.example"]);
    assert_eq!(found.events[0].start, t("2025-02-10T15:00:00Z"));
    assert!(a.find_interview(&app, "another").await.unwrap().is_none());
}

#[tokio::test]
async fn api_key_title_is_the_account() {
    let server = server_with(&["metadata.json"]).await;
    // Every probe answers "not found": the permission is there.
    use wiremock::Mock;
    use wiremock::matchers::method;
    Mock::given(method("POST"))
        .respond_with(refusal("record_not_found", "nothing here"))
        .mount(&server)
        .await;
    let report = adapter(&server).validate_credentials().await.unwrap();
    assert_eq!(report.account, "Dover integration key");
    assert!(report.missing.is_empty(), "{report:?}");
    assert_eq!(report.granted.len(), 7);
}
