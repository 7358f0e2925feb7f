use std::collections::BTreeSet;
use std::time::Duration;

use atsbridge_ashby_sandbox::{ManualCandidate, SandboxConfig};
use serde_json::json;

use crate::{Api, ids};

fn set(v: &[serde_json::Value]) -> BTreeSet<String> {
    ids(v).into_iter().collect()
}

#[tokio::test]
async fn incremental_candidate_sync_returns_exactly_the_changes() {
    let api = Api::demo();
    let (all, token) = api.list_all("candidate.list", json!({})).await;
    let token = token.unwrap();
    // Nothing changed yet.
    let (none, token2) = api
        .list_all("candidate.list", json!({"syncToken": token}))
        .await;
    assert!(none.is_empty());
    assert!(token2.is_some());

    let updated = all[3]["id"].as_str().unwrap().to_string();
    api.ok(
        "candidate.update",
        json!({"candidateId": updated, "name": "Renamed Person"}),
    )
    .await;
    let created = api
        .ok("candidate.create", json!({"name": "Brand New"}))
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let manual = api
        .control(
            "POST",
            "/_sandbox/candidates",
            json!({"name": "Added By Hand", "emails": ["hand@example.com"]}),
        )
        .await
        .body["candidateId"]
        .as_str()
        .unwrap()
        .to_string();
    let tagged = all[10]["id"].as_str().unwrap().to_string();
    let tag = api.sb.demo_catalog().tags["Referral"].clone();
    api.ok(
        "candidate.addTag",
        json!({"candidateId": tagged, "tagId": tag}),
    )
    .await;

    let (changed, next) = api
        .list_all("candidate.list", json!({"syncToken": token, "limit": 2}))
        .await;
    let expect: BTreeSet<String> = [updated.clone(), created, manual, tagged]
        .into_iter()
        .collect();
    assert_eq!(set(&changed), expect);
    let renamed = changed.iter().find(|c| c["id"] == json!(updated)).unwrap();
    assert_eq!(renamed["name"], json!("Renamed Person"));
    assert_ne!(renamed["updatedAt"], all[3]["updatedAt"]);
    // The new token sees nothing until the next change.
    let (after, _) = api
        .list_all("candidate.list", json!({"syncToken": next.unwrap()}))
        .await;
    assert!(after.is_empty());
}

#[tokio::test]
async fn incremental_application_sync_sees_recruiter_actions() {
    let api = Api::demo();
    let cat = api.sb.demo_catalog();
    let (_, token) = api.list_all("application.list", json!({})).await;
    let token = token.unwrap();
    let (active, _) = api
        .list_all("application.list", json!({"status": "Active"}))
        .await;
    let (lead, _) = api
        .list_all("application.list", json!({"status": "Lead"}))
        .await;
    let a1 = active[0]["id"].as_str().unwrap().to_string();
    let a2 = active[1]["id"].as_str().unwrap().to_string();
    let a3 = lead[0]["id"].as_str().unwrap().to_string();
    // Via control API: hire and archive; via Rust: move stage.
    assert!(
        api.control(
            "POST",
            &format!("/_sandbox/applications/{a1}/hire"),
            json!({})
        )
        .await
        .status
        .is_success()
    );
    let reason = &cat.archive_reasons["They rejected us"];
    let r = api
        .control(
            "POST",
            &format!("/_sandbox/applications/{a2}/archive"),
            json!({"archiveReasonId": reason}),
        )
        .await;
    assert!(r.status.is_success(), "{}", r.body);
    let plan_stages = api.ok("interviewStage.list", json!({"interviewPlanId": api.ok("application.info", json!({"applicationId": a3})).await["currentInterviewStage"]["interviewPlanId"]})).await;
    let screen = plan_stages
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["type"] == json!("PreInterviewScreen"))
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    api.sb.move_stage(&a3, &screen, None).unwrap();

    let (changed, _) = api
        .list_all("application.list", json!({"syncToken": token}))
        .await;
    let expect: BTreeSet<String> = [a1.clone(), a2.clone(), a3].into_iter().collect();
    assert_eq!(set(&changed), expect);
    let hired = changed.iter().find(|a| a["id"] == json!(a1)).unwrap();
    assert_eq!(hired["status"], json!("Hired"));
    let archived = changed.iter().find(|a| a["id"] == json!(a2)).unwrap();
    assert_eq!(archived["archiveReason"]["text"], json!("They rejected us"));
}

#[tokio::test]
async fn changes_during_a_full_sync_are_not_lost() {
    let api = Api::demo();
    let first = api.ok_body("candidate.list", json!({"limit": 100})).await;
    let early = first["results"][5]["id"].as_str().unwrap().to_string();
    // Changed after page 1 was served, but it lives on page 1.
    api.ok(
        "candidate.update",
        json!({"candidateId": early, "phoneNumber": "+1 555 000 1111"}),
    )
    .await;
    let (_, token) = api
        .list_all(
            "candidate.list",
            json!({"limit": 100, "cursor": first["nextCursor"]}),
        )
        .await;
    let (changed, _) = api
        .list_all("candidate.list", json!({"syncToken": token.unwrap()}))
        .await;
    assert_eq!(ids(&changed), vec![early]);
}

#[tokio::test]
async fn merged_and_deleted_candidates_leave_lists() {
    let api = Api::demo();
    let (all, token) = api.list_all("candidate.list", json!({})).await;
    let (a, b, c) = (
        all[0]["id"].as_str().unwrap().to_string(),
        all[1]["id"].as_str().unwrap().to_string(),
        all[2]["id"].as_str().unwrap().to_string(),
    );
    api.sb.merge_candidates(&a, &b).unwrap();
    api.sb.delete_candidate(&c).unwrap();
    let (changed, _) = api
        .list_all("candidate.list", json!({"syncToken": token.unwrap()}))
        .await;
    assert_eq!(ids(&changed), vec![a]);
    let (now, _) = api.list_all("candidate.list", json!({})).await;
    assert_eq!(now.len(), all.len() - 2);
}

#[tokio::test]
async fn tokens_expire_and_bad_tokens_are_invalid() {
    let api = Api::with(SandboxConfig {
        sync_token_ttl: Duration::from_millis(150),
        ..SandboxConfig::default()
    });
    let (_, token) = api.list_all("job.list", json!({})).await;
    let token = token.unwrap();
    assert!(api.ok_body("job.list", json!({"syncToken": token})).await["success"] == json!(true));
    tokio::time::sleep(Duration::from_millis(250)).await;
    assert_eq!(
        api.err("job.list", json!({"syncToken": token})).await,
        "sync_token_expired"
    );
    assert_eq!(
        api.err("job.list", json!({"syncToken": "%%%"})).await,
        "sync_token_invalid"
    );
    assert_eq!(
        api.err("job.list", json!({"syncToken": "bm9wZQ"})).await,
        "sync_token_invalid"
    );
    // A token of another list is not accepted.
    let (_, utoken) = api.list_all("user.list", json!({})).await;
    assert_eq!(
        api.err("job.list", json!({"syncToken": utoken.unwrap()}))
            .await,
        "sync_token_invalid"
    );
}

#[tokio::test]
async fn ttl_can_change_at_run_time() {
    let api = Api::demo();
    let (_, token) = api.list_all("user.list", json!({})).await;
    let r = api
        .control("PUT", "/_sandbox/faults", json!({"syncTokenTtlMs": 0}))
        .await;
    assert!(r.status.is_success());
    tokio::time::sleep(Duration::from_millis(5)).await;
    assert_eq!(
        api.err("user.list", json!({"syncToken": token.unwrap()}))
            .await,
        "sync_token_expired"
    );
}

#[tokio::test]
async fn too_large_incremental_sync() {
    let api = Api::with(SandboxConfig {
        incremental_sync_max_changes: 3,
        ..SandboxConfig::default()
    });
    let (_, token) = api.list_all("candidate.list", json!({})).await;
    let token = token.unwrap();
    for i in 0..3 {
        api.sb
            .create_candidate(ManualCandidate {
                name: format!("N{i}"),
                ..Default::default()
            })
            .unwrap();
    }
    let (three, _) = api
        .list_all("candidate.list", json!({"syncToken": token}))
        .await;
    assert_eq!(three.len(), 3);
    api.sb
        .create_candidate(ManualCandidate {
            name: "N4".into(),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(
        api.err("candidate.list", json!({"syncToken": token})).await,
        "incremental_sync_too_large"
    );
    // A full sync still works.
    let (all, _) = api.list_all("candidate.list", json!({})).await;
    assert_eq!(all.len(), atsbridge_ashby_sandbox::DEMO_CANDIDATES + 4);
}
