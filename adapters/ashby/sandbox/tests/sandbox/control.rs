use axum::http::StatusCode;
use serde_json::json;

use atsbridge_ashby_sandbox::DEMO_CANDIDATES;

use crate::Api;

#[tokio::test]
async fn manual_candidate_with_application() {
    let api = Api::demo();
    let cat = api.sb.demo_catalog();
    let r = api
        .control("POST", "/_sandbox/candidates", json!({
            "name": "Hand Made", "emails": ["Hand.Made@Example.com"], "phones": ["(415) 555-0199"],
            "linkedinUrl": "https://uk.linkedin.com/in/hand-made/", "jobId": cat.primary_job_id,
        }))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let cid = r.body["candidateId"].clone();
    let aid = r.body["applicationId"].clone();
    let c = api.ok("candidate.info", json!({"id": cid})).await;
    assert_eq!(
        c["primaryEmailAddress"]["value"],
        json!("Hand.Made@Example.com")
    );
    assert_eq!(c["applicationIds"], json!([aid]));
    let a = api
        .ok("application.info", json!({"applicationId": aid}))
        .await;
    assert_eq!(a["status"], json!("Lead"));
    // Duplicate by hand is allowed (no dedupe).
    api.control(
        "POST",
        "/_sandbox/candidates",
        json!({"name": "Hand Made", "emails": ["hand.made@example.com"]}),
    )
    .await;
    assert_eq!(
        api.sb
            .find_candidates_by_email("HAND.MADE@example.com")
            .len(),
        2
    );
    assert_eq!(
        api.control("POST", "/_sandbox/candidates", json!({"emails": []}))
            .await
            .status,
        StatusCode::BAD_REQUEST
    );
}

#[tokio::test]
async fn merge_keeps_everything_on_the_survivor() {
    let api = Api::demo();
    let cat = api.sb.demo_catalog();
    let s = api
        .sb
        .create_candidate(atsbridge_ashby_sandbox::ManualCandidate {
            name: "Survivor".into(),
            emails: vec!["s@example.com".into()],
            job_id: cat.primary_job_id.clone(),
            ..Default::default()
        })
        .unwrap();
    let m = api
        .sb
        .create_candidate(atsbridge_ashby_sandbox::ManualCandidate {
            name: "Merged".into(),
            emails: vec!["m@example.com".into()],
            linkedin_url: Some("https://linkedin.com/in/merged".into()),
            job_id: Some(cat.open_job_ids[1].clone()),
            ..Default::default()
        })
        .unwrap();
    let r = api
        .control(
            "POST",
            "/_sandbox/candidates/merge",
            json!({"survivorId": s.candidate_id, "mergedId": m.candidate_id}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let c = api
        .ok("candidate.info", json!({"id": s.candidate_id}))
        .await;
    let emails: Vec<&str> = c["emailAddresses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["value"].as_str().unwrap())
        .collect();
    assert_eq!(emails, vec!["s@example.com", "m@example.com"]);
    assert_eq!(
        c["socialLinks"][0]["url"],
        json!("https://linkedin.com/in/merged")
    );
    assert_eq!(
        c["applicationIds"],
        json!([s.application_id, m.application_id])
    );
    assert_eq!(
        api.err("candidate.info", json!({"id": m.candidate_id}))
            .await,
        "candidate_not_found"
    );
    let moved = api
        .ok(
            "application.info",
            json!({"applicationId": m.application_id}),
        )
        .await;
    assert_eq!(moved["candidate"]["id"], json!(s.candidate_id));
    assert_eq!(
        api.sb.find_candidates_by_email("m@example.com"),
        vec![s.candidate_id.clone()]
    );
    assert_eq!(
        api.sb.applications_of_candidate(&m.candidate_id),
        Vec::<String>::new()
    );
    assert_eq!(api.sb.applications_of_candidate(&s.candidate_id).len(), 2);
    let dump = api
        .control("GET", "/_sandbox/state", json!(null))
        .await
        .body;
    assert_eq!(
        dump["mergedCandidates"][0]["mergedInto"],
        json!(s.candidate_id)
    );
    assert_eq!(
        api.control(
            "POST",
            "/_sandbox/candidates/merge",
            json!({"survivorId": s.candidate_id, "mergedId": m.candidate_id})
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn delete_candidate_removes_it_and_its_applications() {
    let api = Api::demo();
    let (apps, _) = api
        .list_all("application.list", json!({"status": "Active"}))
        .await;
    let cid = apps[0]["candidate"]["id"].as_str().unwrap().to_string();
    let aid = apps[0]["id"].clone();
    let r = api
        .control(
            "DELETE",
            &format!("/_sandbox/candidates/{cid}"),
            json!(null),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        api.err("candidate.info", json!({"id": cid})).await,
        "candidate_not_found"
    );
    assert_eq!(
        api.err("application.info", json!({"applicationId": aid}))
            .await,
        "application_not_found"
    );
    assert_eq!(api.sb.candidate_count(), DEMO_CANDIDATES - 1);
}

#[tokio::test]
async fn stage_moves_and_errors() {
    let api = Api::demo();
    let cat = api.sb.demo_catalog();
    let (apps, _) = api
        .list_all(
            "application.list",
            json!({"status": "Lead", "jobId": cat.primary_job_id}),
        )
        .await;
    let a = apps[0]["id"].as_str().unwrap().to_string();
    let r = api
        .control(
            "POST",
            &format!("/_sandbox/applications/{a}/stage"),
            json!({"stageType": "Offer"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["currentInterviewStage"]["type"], json!("Offer"));
    let r = api
        .control(
            "POST",
            &format!("/_sandbox/applications/{a}/stage"),
            json!({"interviewStageId": cat.stage_ids_by_type["Archived"]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.body["error"], json!("invalid_input"));
    // Archive with a reason of each type.
    for text in ["We rejected them", "They rejected us", "Position filled"] {
        let r = api
            .control(
                "POST",
                &format!("/_sandbox/applications/{a}/archive"),
                json!({"archiveReasonId": cat.archive_reasons[text]}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.body["archiveReason"]["text"], json!(text));
    }
    assert_eq!(
        api.control(
            "POST",
            "/_sandbox/applications/3f2a9c1e-1111-4222-8333-444455556666/hire",
            json!({})
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    api.sb
        .archive(&a, &cat.archive_reasons["They rejected us"])
        .unwrap();
    assert!(api.sb.archive(&a, "bogus").is_err());
}

#[tokio::test]
async fn calls_faults_state_catalog_reset_seed() {
    let api = Api::demo();
    api.call("job.list", json!({})).await;
    api.call("job.list", json!({})).await;
    api.call("candidate.list", json!({"limit": 1})).await;
    let calls = api
        .control("GET", "/_sandbox/calls", json!(null))
        .await
        .body;
    assert_eq!(calls["job.list"], json!(2));
    assert_eq!(api.sb.call_count("candidate.list"), 1);
    assert_eq!(
        api.control("DELETE", "/_sandbox/calls", json!(null))
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(api.sb.call_count("job.list"), 0);
    let f = api
        .control("GET", "/_sandbox/faults", json!(null))
        .await
        .body;
    assert_eq!(f["failRate"], json!(0.0));
    let cat = api
        .control("GET", "/_sandbox/catalog", json!(null))
        .await
        .body;
    assert!(cat["doverSourceId"].is_string());
    assert_eq!(cat["stageIdsByType"].as_object().unwrap().len(), 6);
    assert!(cat["archiveReasons"]["We rejected them"].is_string());
    let idents = api
        .control("GET", "/_sandbox/identities", json!(null))
        .await
        .body;
    assert_eq!(idents.as_array().unwrap().len(), DEMO_CANDIDATES);
    api.ok("candidate.create", json!({"name": "Temp"})).await;
    let state = api
        .control("GET", "/_sandbox/state", json!(null))
        .await
        .body;
    assert_eq!(
        state["candidates"].as_array().unwrap().len(),
        DEMO_CANDIDATES + 1
    );
    let r = api.control("POST", "/_sandbox/reset", json!(null)).await;
    assert_eq!(r.body["candidates"], json!(DEMO_CANDIDATES));
    let r = api.control("POST", "/_sandbox/seed", json!({
        "users": [{"firstName": "U", "lastName": "One", "email": "u1@x.example", "globalRole": "Organization Admin"}],
        "sources": [{"title": "Dover", "sourceType": "Sourced"}],
        "archiveReasons": [{"text": "We rejected them", "reasonType": "RejectedByOrg"}],
        "interviewPlans": [{"title": "P", "stages": [{"title": "Lead", "type": "Lead"}, {"title": "Gone", "type": "Archived"}]}],
        "jobs": [{"title": "J", "interviewPlan": "P", "hiringTeam": [{"user": "u1@x.example", "role": "Hiring Manager"}]}],
        "candidates": [{"name": "Only One", "emails": ["one@x.example"], "applications": [{"job": "J", "stage": "Gone", "archiveReason": "We rejected them"}]}],
    })).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(api.sb.candidate_count(), 1);
    let (apps, _) = api.list_all("application.list", json!({})).await;
    assert_eq!(apps[0]["status"], json!("Archived"));
    assert_eq!(
        api.control("POST", "/_sandbox/seed", json!({"bogus": 1}))
            .await
            .status,
        StatusCode::BAD_REQUEST
    );
}
