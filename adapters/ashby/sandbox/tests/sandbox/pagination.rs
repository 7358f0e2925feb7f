use std::collections::HashSet;

use atsbridge_ashby_sandbox::DEMO_CANDIDATES;
use serde_json::json;

use crate::{Api, ids};

#[tokio::test]
async fn candidate_list_to_exhaustion_with_limit() {
    let api = Api::demo();
    let mut body = json!({"limit": 37});
    let mut all = vec![];
    let mut pages = 0;
    loop {
        let page = api.ok_body("candidate.list", body.clone()).await;
        let n = page["results"].as_array().unwrap().len();
        pages += 1;
        all.extend(ids(page["results"].as_array().unwrap()));
        if page["moreDataAvailable"] == json!(true) {
            assert_eq!(n, 37);
            assert!(page.get("syncToken").is_none());
            body["cursor"] = page["nextCursor"].clone();
        } else {
            assert!(page["syncToken"].is_string());
            assert!(page.get("nextCursor").is_none());
            break;
        }
    }
    assert_eq!(all.len(), DEMO_CANDIDATES);
    assert_eq!(pages, DEMO_CANDIDATES.div_ceil(37));
    assert_eq!(all.iter().collect::<HashSet<_>>().len(), all.len());
}

#[tokio::test]
async fn limit_defaults_to_and_is_capped_at_100() {
    let api = Api::demo();
    let page = api.ok("candidate.list", json!({})).await;
    assert_eq!(page.as_array().unwrap().len(), 100);
    let page = api.ok("candidate.list", json!({"limit": 5000})).await;
    assert_eq!(page.as_array().unwrap().len(), 100);
    assert_eq!(
        api.err("candidate.list", json!({"limit": 0})).await,
        "invalid_input"
    );
    assert_eq!(
        api.err("candidate.list", json!({"limit": "ten"})).await,
        "invalid_input"
    );
}

#[tokio::test]
async fn bad_cursors_are_rejected() {
    let api = Api::demo();
    assert_eq!(
        api.err("candidate.list", json!({"cursor": "not a cursor"}))
            .await,
        "invalid_next_cursor"
    );
    let page = api.ok_body("candidate.list", json!({"limit": 3})).await;
    let cursor = page["nextCursor"].clone();
    assert_eq!(
        api.err("application.list", json!({"cursor": cursor})).await,
        "invalid_next_cursor"
    );
    let mut tampered = cursor.as_str().unwrap().to_string();
    tampered.insert(0, 'M');
    assert_eq!(
        api.err("candidate.list", json!({"cursor": tampered})).await,
        "invalid_next_cursor"
    );
}

#[tokio::test]
async fn application_list_filters() {
    let api = Api::demo();
    let (all, _) = api.list_all("application.list", json!({})).await;
    let mut total = 0;
    for status in ["Lead", "Active", "Hired", "Archived"] {
        let (apps, _) = api
            .list_all("application.list", json!({"status": status, "limit": 50}))
            .await;
        assert!(!apps.is_empty(), "demo seed has {status} applications");
        assert!(apps.iter().all(|a| a["status"] == json!(status)));
        total += apps.len();
    }
    assert_eq!(total, all.len());
    let job = api.sb.demo_catalog().primary_job_id.unwrap();
    let (apps, _) = api
        .list_all("application.list", json!({"jobId": job}))
        .await;
    assert!(!apps.is_empty() && apps.iter().all(|a| a["job"]["id"] == json!(job)));
    assert_eq!(
        api.err("application.list", json!({"status": "Rejected"}))
            .await,
        "invalid_input"
    );
}

#[tokio::test]
async fn list_history_paginates() {
    let api = Api::demo();
    let (apps, _) = api
        .list_all("application.list", json!({"status": "Hired"}))
        .await;
    let a = &apps[0]["id"];
    let info = api
        .ok("application.info", json!({"applicationId": a}))
        .await;
    let n = info["applicationHistory"].as_array().unwrap().len();
    assert!(n >= 2);
    let (items, token) = api
        .list_all(
            "application.listHistory",
            json!({"applicationId": a, "limit": 1}),
        )
        .await;
    assert_eq!(items.len(), n);
    assert_eq!(token, None, "listHistory has no sync token");
    assert_eq!(
        items,
        info["applicationHistory"].as_array().unwrap().clone()
    );
}

#[tokio::test]
async fn created_after_filters() {
    let api = Api::demo();
    let (all, _) = api.list_all("candidate.list", json!({})).await;
    let mid = chrono::DateTime::parse_from_rfc3339(all[150]["createdAt"].as_str().unwrap())
        .unwrap()
        .timestamp_millis();
    let (later, _) = api
        .list_all("candidate.list", json!({"createdAfter": mid}))
        .await;
    assert_eq!(later.len(), all.len() - 151);
}
