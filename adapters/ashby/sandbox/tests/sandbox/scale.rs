use std::time::Instant;

use atsbridge_ashby_sandbox::{DEMO_CANDIDATES, SandboxConfig};
use serde_json::json;

use crate::Api;

#[tokio::test]
async fn twenty_thousand_extra_candidates() {
    let t = Instant::now();
    let api = Api::with(SandboxConfig {
        extra_candidates: 20_000,
        ..SandboxConfig::default()
    });
    assert!(t.elapsed().as_secs() < 20, "load took {:?}", t.elapsed());
    assert_eq!(api.sb.candidate_count(), DEMO_CANDIDATES + 20_000);
    let found = api
        .ok(
            "candidate.search",
            json!({"email": "Synthetic.12345@scale.example"}),
        )
        .await;
    assert_eq!(found.as_array().unwrap().len(), 1);
    assert_eq!(found[0]["applicationIds"].as_array().unwrap().len(), 1);
    // Incremental sync over a large org only returns the change.
    let (_, token) = {
        let mut body = json!({"limit": 100});
        let mut token = None;
        let mut pages = 0;
        loop {
            let p = api.ok_body("application.list", body.clone()).await;
            pages += 1;
            if p["moreDataAvailable"] == json!(true) {
                body["cursor"] = p["nextCursor"].clone();
            } else {
                token = p["syncToken"].as_str().map(String::from).or(token);
                break;
            }
        }
        assert!(pages > 200);
        (pages, token)
    };
    let app = found[0]["applicationIds"][0].as_str().unwrap();
    api.ok(
        "application.changeSource",
        json!({"applicationId": app, "sourceId": api.sb.demo_catalog().dover_source_id}),
    )
    .await;
    let (changed, _) = api
        .list_all("application.list", json!({"syncToken": token}))
        .await;
    assert_eq!(changed.len(), 1);
}
