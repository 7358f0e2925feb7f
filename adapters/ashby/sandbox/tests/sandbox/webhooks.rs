use std::sync::Arc;
use std::time::Duration;

use atsbridge_ashby_sandbox::{SandboxConfig, WebhookTarget, verify_signature};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use parking_lot::Mutex;
use serde_json::{Value, json};

use crate::Api;

#[derive(Default)]
struct Receiver {
    got: Mutex<Vec<(Option<String>, Vec<u8>)>>,
    fail_first: Mutex<usize>,
    status_when_failing: Mutex<u16>,
}

async fn receive(State(r): State<Arc<Receiver>>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let sig = headers
        .get("ashby-signature")
        .map(|v| v.to_str().unwrap().to_string());
    r.got.lock().push((sig, body.to_vec()));
    let mut f = r.fail_first.lock();
    if *f > 0 {
        *f -= 1;
        return StatusCode::from_u16(*r.status_when_failing.lock()).unwrap();
    }
    StatusCode::OK
}

async fn receiver(fail_first: usize, status: u16) -> (String, Arc<Receiver>) {
    let r = Arc::new(Receiver::default());
    *r.fail_first.lock() = fail_first;
    *r.status_when_failing.lock() = status;
    let app = axum::Router::new()
        .route("/hook", post(receive))
        .with_state(r.clone());
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", l.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(l, app).await.unwrap() });
    (url, r)
}

fn config(url: &str) -> SandboxConfig {
    SandboxConfig {
        webhook: Some(WebhookTarget {
            url: url.into(),
            secret: "config-secret".into(),
        }),
        webhook_retry_base: Duration::from_millis(10),
        ..SandboxConfig::default()
    }
}

async fn wait_for(r: &Receiver, n: usize) -> Vec<(Option<String>, Value)> {
    for _ in 0..300 {
        if r.got.lock().len() >= n {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    r.got
        .lock()
        .iter()
        .map(|(s, b)| (s.clone(), serde_json::from_slice(b).unwrap()))
        .collect()
}

#[tokio::test]
async fn hire_fires_signed_events_with_retries() {
    let (url, rec) = receiver(1, 500).await;
    let api = Api::with(config(&url));
    let (apps, _) = api
        .list_all("application.list", json!({"status": "Active"}))
        .await;
    let a = apps[0]["id"].as_str().unwrap().to_string();
    let r = api
        .control(
            "POST",
            &format!("/_sandbox/applications/{a}/hire"),
            json!({}),
        )
        .await;
    assert!(r.status.is_success(), "{}", r.body);
    // 3 actions, one failed attempt retried → 4 requests.
    let got = wait_for(&rec, 4).await;
    assert_eq!(got.len(), 4);
    for (raw_sig, raw) in rec.got.lock().iter() {
        assert!(verify_signature(
            "config-secret",
            raw,
            raw_sig.as_deref().unwrap()
        ));
        assert!(!verify_signature("wrong", raw, raw_sig.as_deref().unwrap()));
    }
    let mut actions: Vec<&str> = got
        .iter()
        .map(|(_, b)| b["action"].as_str().unwrap())
        .collect();
    actions.sort();
    actions.dedup();
    assert_eq!(
        actions,
        vec!["applicationUpdate", "candidateHire", "candidateStageChange"]
    );
    for (_, b) in &got {
        assert!(b["webhookActionId"].is_string());
        assert_eq!(b["data"]["application"]["id"], json!(a));
        assert_eq!(b["data"]["application"]["status"], json!("Hired"));
    }
    // The retried delivery reused its webhookActionId.
    let first = &got[0].1;
    assert_eq!(
        got.iter()
            .filter(|(_, b)| b["webhookActionId"] == first["webhookActionId"])
            .count(),
        2
    );
    tokio::time::sleep(Duration::from_millis(50)).await;
    let d = api.sb.webhook_deliveries();
    assert_eq!(d.len(), 3);
    assert!(d.iter().all(|x| x.delivered));
    assert_eq!(d.iter().map(|x| x.attempts).sum::<u32>(), 4);
}

#[tokio::test]
async fn registered_webhooks_get_their_type_only() {
    let (cfg_url, _cfg) = receiver(0, 200).await;
    let (url, rec) = receiver(0, 200).await;
    let api = Api::with(config(&cfg_url));
    let hook = api
        .ok("webhook.create", json!({"webhookType": "candidateMerge", "requestUrl": url, "secretToken": "merge-secret"}))
        .await;
    assert_eq!(hook["secretToken"], json!("merge-secret"));
    assert_eq!(hook["enabled"], json!(true));
    let info = api
        .ok("webhook.info", json!({"webhookId": hook["id"]}))
        .await;
    assert!(info.get("secretToken").is_none());
    let (c, _) = api.list_all("candidate.list", json!({"limit": 3})).await;
    let (s, m) = (c[0]["id"].clone(), c[1]["id"].clone());
    // Stage change → not delivered to the merge hook.
    let (apps, _) = api
        .list_all("application.list", json!({"status": "Lead"}))
        .await;
    api.sb.hire(apps[0]["id"].as_str().unwrap()).unwrap();
    let r = api
        .control(
            "POST",
            "/_sandbox/candidates/merge",
            json!({"survivorId": s, "mergedId": m}),
        )
        .await;
    assert!(r.status.is_success());
    let got = wait_for(&rec, 1).await;
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert_eq!(rec.got.lock().len(), 1);
    let (sig, body) = &got[0];
    assert_eq!(body["action"], json!("candidateMerge"));
    assert_eq!(
        body["data"],
        json!({"deletedCandidate": {"id": m}, "mergedCandidate": {"id": s}})
    );
    let raw = rec.got.lock()[0].1.clone();
    assert!(verify_signature(
        "merge-secret",
        &raw,
        sig.as_deref().unwrap()
    ));
    // Disable, then delete.
    api.ok(
        "webhook.update",
        json!({"webhookId": hook["id"], "enabled": false}),
    )
    .await;
    api.ok("webhook.delete", json!({"webhookId": hook["id"]}))
        .await;
    assert_eq!(
        api.err("webhook.info", json!({"webhookId": hook["id"]}))
            .await,
        "webhook_not_found"
    );
    assert_eq!(
        api.err(
            "webhook.create",
            json!({"webhookType": "nope", "requestUrl": url, "secretToken": "x"})
        )
        .await,
        "invalid_input"
    );
}

#[tokio::test]
async fn not_retried_on_404_and_delete_and_schedule_events() {
    let (url, rec) = receiver(100, 404).await;
    let api = Api::with(config(&url));
    let (c, _) = api.list_all("candidate.list", json!({"limit": 1})).await;
    let cid = c[0]["id"].as_str().unwrap().to_string();
    let r = api
        .control(
            "DELETE",
            &format!("/_sandbox/candidates/{cid}"),
            json!(null),
        )
        .await;
    assert!(r.status.is_success());
    let got = wait_for(&rec, 1).await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(rec.got.lock().len(), 1, "404 is not retried");
    assert_eq!(got[0].1["action"], json!("candidateDelete"));
    assert_eq!(got[0].1["data"], json!({"candidate": {"id": cid}}));
    assert!(api.sb.webhook_deliveries()[0].gave_up);

    *rec.fail_first.lock() = 0;
    let (apps, _) = api
        .list_all("application.list", json!({"status": "Active"}))
        .await;
    api.ok(
        "interviewSchedule.create",
        json!({"applicationId": apps[0]["id"], "interviewEvents": [{
        "startTime": "2030-01-02T15:00:00Z", "endTime": "2030-01-02T16:00:00Z",
        "interviewers": [{"email": "sam.carter@acme.example"}], "extraData": {"a": "b"}}]}),
    )
    .await;
    let got = wait_for(&rec, 3).await;
    let mut acts: Vec<&str> = got[1..]
        .iter()
        .map(|(_, b)| b["action"].as_str().unwrap())
        .collect();
    acts.sort();
    assert_eq!(
        acts,
        vec!["interviewScheduleCreate", "interviewScheduleUpdate"]
    );
    let upd = got
        .iter()
        .find(|(_, b)| b["action"] == json!("interviewScheduleUpdate"))
        .unwrap();
    assert!(upd.1["data"]["interviewSchedule"]["candidateId"].is_string());
    assert_eq!(
        upd.1["data"]["interviewSchedule"]["interviewEvents"][0]["extraData"],
        json!({"a": "b"})
    );
}

#[tokio::test]
async fn secret_is_redacted_in_debug() {
    let t = WebhookTarget {
        url: "http://x".into(),
        secret: "super-secret".into(),
    };
    assert!(!format!("{t:?}").contains("super-secret"));
    assert!(!format!("{:?}", config("http://x")).contains("config-secret"));
}
