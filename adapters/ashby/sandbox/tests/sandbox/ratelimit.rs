use atsbridge_ashby_sandbox::SandboxConfig;
use axum::http::StatusCode;
use serde_json::json;

use crate::{Api, assert_error_body};

fn num(r: &crate::Resp, h: &str) -> u64 {
    r.headers[h].to_str().unwrap().parse().unwrap()
}

#[tokio::test]
async fn limit_then_429_with_retry_after() {
    let api = Api::with(SandboxConfig {
        rate_limit_per_minute: Some(5),
        ..SandboxConfig::default()
    });
    for i in 0..5u64 {
        let r = api.call("job.list", json!({})).await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(num(&r, "x-ratelimit-limit"), 5);
        assert_eq!(num(&r, "x-ratelimit-remaining"), 4 - i);
        let reset = num(&r, "x-ratelimit-reset");
        let now = chrono::Utc::now().timestamp() as u64;
        assert!(
            reset > now.saturating_sub(1) && reset <= now + 61,
            "{reset} vs {now}"
        );
    }
    let r = api.call("candidate.list", json!({})).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert_error_body(&r);
    assert_eq!(r.body["errorInfo"]["code"], json!("rate_limit_exceeded"));
    let retry = num(&r, "retry-after");
    assert!((1..=60).contains(&retry));
    assert_eq!(num(&r, "x-ratelimit-remaining"), 0);
    // Control API is not limited; raising the limit at run time lets calls through.
    let c = api
        .control(
            "PUT",
            "/_sandbox/faults",
            json!({"rateLimitPerMinute": 100}),
        )
        .await;
    assert!(c.status.is_success());
    assert_eq!(api.call("job.list", json!({})).await.status, StatusCode::OK);
    let c = api
        .control(
            "PUT",
            "/_sandbox/faults",
            json!({"rateLimitPerMinute": null}),
        )
        .await;
    assert_eq!(c.body["rateLimitPerMinute"], json!(null));
}

#[tokio::test]
async fn headers_on_every_response() {
    let api = Api::demo();
    let ok = api.call("job.list", json!({})).await;
    let unauth = api.raw("POST", "/job.list", None, "{}".into()).await;
    let biz = api.call("job.info", json!({})).await;
    for r in [ok, unauth, biz] {
        for h in [
            "x-ratelimit-limit",
            "x-ratelimit-remaining",
            "x-ratelimit-reset",
            "x-ashby-request-id",
        ] {
            assert!(r.headers.contains_key(h), "{h} missing");
        }
    }
}
