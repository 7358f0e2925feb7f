use serde_json::{Value, json};

use crate::Api;

async fn new_candidate(api: &Api, name: &str) -> String {
    api.ok("candidate.create", json!({"name": name})).await["id"]
        .as_str()
        .unwrap()
        .to_string()
}

async fn active_app(api: &Api) -> Value {
    let (apps, _) = api
        .list_all("application.list", json!({"status": "Active"}))
        .await;
    apps[0].clone()
}

#[tokio::test]
async fn create_defaults_to_first_lead_stage() {
    let api = Api::demo();
    let cat = api.sb.demo_catalog();
    let c = new_candidate(&api, "Lead Person").await;
    let job = cat.primary_job_id.clone().unwrap();
    let app = api
        .ok(
            "application.create",
            json!({"candidateId": c, "jobId": job}),
        )
        .await;
    assert_eq!(app["status"], json!("Lead"));
    assert_eq!(app["currentInterviewStage"]["title"], json!("New Lead"));
    assert_eq!(
        app["currentInterviewStage"]["id"],
        json!(cat.stage_ids_by_type["Lead"])
    );
    assert_eq!(app["source"], Value::Null);
    assert_eq!(app["creditedToUser"], Value::Null);
    assert_eq!(app["applicationHistory"].as_array().unwrap().len(), 1);
    assert!(app.get("archivedAt").is_none());
    let cand = api.ok("candidate.info", json!({"id": c})).await;
    assert_eq!(cand["applicationIds"], json!([app["id"]]));
    // Second application to the same job is rejected (documented sandbox choice).
    assert_eq!(
        api.err(
            "application.create",
            json!({"candidateId": c, "jobId": job})
        )
        .await,
        "application_already_exists"
    );
    // Another job is fine.
    let other = cat.open_job_ids[1].clone();
    api.ok(
        "application.create",
        json!({"candidateId": c, "jobId": other}),
    )
    .await;
}

#[tokio::test]
async fn create_first_pre_interview_screen_with_source_and_credit() {
    let api = Api::demo();
    let cat = api.sb.demo_catalog();
    let c = new_candidate(&api, "Screen Person").await;
    let dover = cat.dover_source_id.clone().unwrap();
    let recruiter = cat.recruiter_ids[0].clone();
    let app = api
        .ok(
            "application.create",
            json!({
                "candidateId": c, "jobId": cat.primary_job_id, "interviewStageId": "FirstPreInterviewScreen",
                "sourceId": dover, "creditedToUserId": recruiter,
            }),
        )
        .await;
    assert_eq!(
        app["currentInterviewStage"]["type"],
        json!("PreInterviewScreen")
    );
    assert_eq!(
        app["currentInterviewStage"]["title"],
        json!("Recruiter Screen")
    );
    assert_eq!(app["status"], json!("Active"));
    assert_eq!(app["source"]["title"], json!("Dover"));
    assert_eq!(app["source"]["sourceType"]["title"], json!("Sourced"));
    assert_eq!(app["creditedToUser"]["id"], json!(recruiter));
    let unknown = "3f2a9c1e-1111-4222-8333-444455556666";
    assert_eq!(
        api.err(
            "application.create",
            json!({"candidateId": c, "jobId": unknown})
        )
        .await,
        "job_not_found"
    );
    assert_eq!(
        api.err(
            "application.create",
            json!({"candidateId": unknown, "jobId": cat.primary_job_id})
        )
        .await,
        "candidate_not_found"
    );
    assert_eq!(
        api.err("application.create", json!({"candidateId": c}))
            .await,
        "invalid_input"
    );
}

#[tokio::test]
async fn change_stage_archive_reason_rules() {
    let api = Api::demo();
    let app = active_app(&api).await;
    let a = app["id"].clone();
    let plan = app["currentInterviewStage"]["interviewPlanId"].clone();
    let stages = api
        .ok("interviewStage.list", json!({"interviewPlanId": plan}))
        .await;
    let of = |t: &str| {
        stages
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["type"] == json!(t))
            .unwrap()["id"]
            .clone()
    };
    let cat = api.sb.demo_catalog();
    let reason = cat.archive_reasons["We rejected them"].clone();

    let r = api
        .call(
            "application.changeStage",
            json!({"applicationId": a, "interviewStageId": of("Archived")}),
        )
        .await;
    assert_eq!(r.body["errorInfo"]["code"], json!("invalid_input"));
    assert!(
        r.body["errorInfo"]["message"]
            .as_str()
            .unwrap()
            .contains("archiveReasonId")
    );
    assert_eq!(
        api.err(
            "application.changeStage",
            json!({"applicationId": a, "interviewStageId": of("Offer"), "archiveReasonId": reason})
        )
        .await,
        "invalid_input"
    );
    // Nothing changed.
    let still = api
        .ok("application.info", json!({"applicationId": a}))
        .await;
    assert_eq!(still["currentInterviewStage"], app["currentInterviewStage"]);

    let archived = api
        .ok("application.changeStage", json!({"applicationId": a, "interviewStageId": of("Archived"), "archiveReasonId": reason}))
        .await;
    assert_eq!(archived["status"], json!("Archived"));
    assert!(archived["archivedAt"].is_string());
    assert_eq!(archived["archiveReason"]["text"], json!("We rejected them"));
    assert_eq!(
        archived["archiveReason"]["reasonType"],
        json!("RejectedByOrg")
    );
    assert_eq!(archived["archiveReason"]["customFields"], json!([]));
    assert_ne!(archived["updatedAt"], app["updatedAt"]);

    let offer = api
        .ok(
            "application.changeStage",
            json!({"applicationId": a, "interviewStageId": of("Offer")}),
        )
        .await;
    assert_eq!(offer["status"], json!("Active"));
    assert!(offer.get("archivedAt").is_none());
    assert_eq!(offer["archiveReason"], Value::Null);

    let hired = api
        .ok(
            "application.changeStage",
            json!({"applicationId": a, "interviewStageId": of("Hired")}),
        )
        .await;
    assert_eq!(hired["status"], json!("Hired"));

    let history = api
        .ok("application.info", json!({"applicationId": a}))
        .await["applicationHistory"]
        .clone();
    let h = history.as_array().unwrap();
    let n = h.len();
    assert!(n >= 4);
    assert_eq!(h[n - 1]["stageId"], of("Hired"));
    assert_eq!(h[n - 2]["stageId"], of("Offer"));
    assert_eq!(h[n - 3]["stageId"], of("Archived"));
    assert!(h[n - 2]["leftStageAt"].is_string());
    assert!(h[n - 1].get("leftStageAt").is_none());
    assert!(h[n - 1]["actorId"].is_string());
}

#[tokio::test]
async fn change_stage_rejects_stage_of_another_plan() {
    let api = Api::demo();
    let cat = api.sb.demo_catalog();
    let app = api.ok("application.create", json!({
        "candidateId": new_candidate(&api, "P").await, "jobId": cat.jobs["Senior Backend Engineer"],
    })).await;
    let design = &cat.interview_plans["Design Interview Plan"];
    let foreign = cat.stages[design][2].id.clone();
    assert_eq!(
        api.err(
            "application.changeStage",
            json!({"applicationId": app["id"], "interviewStageId": foreign})
        )
        .await,
        "invalid_input"
    );
}

#[tokio::test]
async fn change_source_and_update() {
    let api = Api::demo();
    let cat = api.sb.demo_catalog();
    let app = active_app(&api).await;
    let a = app["id"].clone();
    let linkedin = cat.sources["LinkedIn"].clone();
    let r = api
        .ok(
            "application.changeSource",
            json!({"applicationId": a, "sourceId": linkedin}),
        )
        .await;
    assert_eq!(r["source"]["id"], json!(linkedin));
    let r = api
        .ok(
            "application.changeSource",
            json!({"applicationId": a, "sourceId": null}),
        )
        .await;
    assert_eq!(r["source"], Value::Null);
    let hm = cat.hiring_manager_ids[0].clone();
    let r = api
        .ok(
            "application.update",
            json!({"applicationId": a, "creditedToUserId": hm, "sendNotifications": false}),
        )
        .await;
    assert_eq!(r["creditedToUser"]["id"], json!(hm));
    assert_eq!(
        api.err(
            "application.changeSource",
            json!({"applicationId": a, "sourceId": "3f2a9c1e-1111-4222-8333-444455556666"})
        )
        .await,
        "source_not_found"
    );
}
