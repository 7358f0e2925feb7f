//! The exclusion check endpoint against an index filled by syncing the Ashby sandbox: every
//! seeded person is found under every identity variant the sandbox seeds, strangers are not,
//! names only give "possible", invalid inputs are reported, limits are enforced.

mod sync_common;

use atsbridge_server::feed::{FeedDeps, authed_router};
use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::{Value, json};
use sync_common::*;
use tower::ServiceExt;

async fn post(router: &axum::Router, body: Value) -> (StatusCode, Value) {
    let resp = router
        .clone()
        .oneshot(
            Request::post(format!("/v1/connections/{CONN}/exclusions/check"))
                .header("content-type", "application/json")
                .body(Body::from(body.to_string()))
                .unwrap(),
        )
        .await
        .unwrap();
    let status = resp.status();
    let bytes = axum::body::to_bytes(resp.into_body(), usize::MAX)
        .await
        .unwrap();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

fn ids(result: &Value) -> Vec<String> {
    result["matches"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["ats_candidate_id"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn finds_every_seeded_variant_and_no_stranger() {
    let w = World::start(Options::default()).await;
    w.reconciler.run_pass(CONN).await.expect("sync");
    let router = authed_router(FeedDeps {
        store: w.store.clone(),
        index: w.index.clone(),
        reconciler: w.reconciler.clone(),
        adapters: w.provider.clone(),
    });
    let seeded = w.sandbox.sandbox.seeded_identities();
    assert!(seeded.len() >= 300);

    // One person per identity variant; remember who each must find.
    let mut people = Vec::new();
    let mut want = Vec::new();
    for s in &seeded {
        for v in s.email_variants.iter().chain(s.email.iter()) {
            people.push(json!({"email": v}));
            want.push((s.candidate_id.clone(), format!("email {v}")));
        }
        for v in s.linkedin_variants.iter().chain(s.linkedin.iter()) {
            people.push(json!({"linkedin_url": v}));
            want.push((s.candidate_id.clone(), format!("linkedin {v}")));
        }
        for v in s.phone_variants.iter().chain(s.phone.iter()) {
            // National UK spellings need the person's country.
            let cc = if s.phone.as_deref().is_some_and(|p| p.starts_with("+44")) {
                json!(44)
            } else {
                json!(null)
            };
            people.push(json!({"phone": v, "phone_country_code": cc}));
            want.push((s.candidate_id.clone(), format!("phone {v}")));
        }
    }
    let members = people.len();
    // Strangers: identities nobody in the seed has.
    for i in 0..500 {
        people.push(json!({
            "email": format!("stranger.{i}@nowhere-{i}.example.org"),
            "linkedin_url": format!("https://www.linkedin.com/in/stranger-{i}-zz"),
            "phone": format!("+1 999 555 {:04}", 1000 + i),
        }));
    }
    assert!(people.len() <= 10_000);
    let (status, body) = post(&router, json!({"people": people})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body["index_size"].as_u64().unwrap() >= 300);
    assert!(body["index_as_of"].is_string(), "freshness is reported");
    let results = body["results"].as_array().unwrap();
    assert_eq!(results.len(), people.len());
    let mut misses = Vec::new();
    for (i, (cand, what)) in want.iter().enumerate() {
        let r = &results[i];
        if r["in_ats"] != json!(true) || !ids(r).contains(cand) {
            misses.push(format!("{what} → {}", r));
        } else {
            assert!(r["matches"][0]["matched_on"][0]["key"].is_string());
        }
    }
    assert!(
        misses.is_empty(),
        "{} misses:\n{}",
        misses.len(),
        misses.join("\n")
    );
    for r in &results[members..] {
        assert_eq!(r["in_ats"], json!(false), "a stranger matched: {r}");
        assert!(r["matches"].as_array().unwrap().is_empty());
        assert!(r["invalid"].as_array().unwrap().is_empty(), "{r}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn names_are_possible_invalid_reported_limits_enforced() {
    let w = World::start(Options::default()).await;
    w.reconciler.run_pass(CONN).await.expect("sync");
    let router = authed_router(FeedDeps {
        store: w.store.clone(),
        index: w.index.clone(),
        reconciler: w.reconciler.clone(),
        adapters: w.provider.clone(),
    });
    let s = &w.sandbox.sandbox.seeded_identities()[0];
    let (status, body) = post(
        &router,
        json!({"people": [
            {"name": s.name.to_uppercase()},
            {"name": s.name, "company": "Definitely Not A Company Anyone Has 123"},
            {"email": "not-an-email", "linkedin_url": "https://example.com/in/x", "phone": "abc"},
            {"name": "Zzyzx Qqqq Unheardof"},
        ]}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let r = &body["results"];
    assert_eq!(r[0]["in_ats"], json!("possible"), "{}", r[0]);
    assert!(ids(&r[0]).contains(&s.candidate_id));
    assert_eq!(r[0]["matches"][0]["confidence"], json!("possible"));
    assert_ne!(
        r[0]["in_ats"],
        json!(true),
        "a name never gives a definite match"
    );
    assert_ne!(r[1]["in_ats"], json!(true));
    assert_eq!(r[2]["in_ats"], json!(false));
    let fields: Vec<_> = r[2]["invalid"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["field"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(fields, vec!["email", "linkedin_url", "phone"], "{}", r[2]);
    assert_eq!(r[3]["in_ats"], json!(false));

    // An empty person, and more than 10,000 people, are refused with 422.
    let (status, body) = post(&router, json!({"people": [{"email": "a@b.com"}, {}]})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let many: Vec<Value> = (0..10_001)
        .map(|i| json!({"email": format!("p{i}@x.com")}))
        .collect();
    let (status, body) = post(&router, json!({"people": many})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    // Exactly 10,000 is fine.
    let many: Vec<Value> = (0..10_000)
        .map(|i| json!({"email": format!("p{i}@x.com")}))
        .collect();
    let (status, _) = post(&router, json!({"people": many})).await;
    assert_eq!(status, StatusCode::OK);
}
