//! Measures load time and peak memory of a large sandbox.
//!
//! `cargo run --release -p atsbridge-ashby-sandbox --example scale -- 1000000`

use std::time::Instant;

use atsbridge_ashby_sandbox::{DEMO_API_KEY, Sandbox, SandboxConfig};
use serde_json::{Value, json};
use tower::ServiceExt;

/// One in-process call to an Ashby endpoint; returns the body.
async fn call(app: &axum::Router, endpoint: &str, body: Value) -> Value {
    use base64::Engine;
    let auth = base64::engine::general_purpose::STANDARD.encode(format!("{DEMO_API_KEY}:"));
    let req = axum::http::Request::post(format!("/{endpoint}"))
        .header("authorization", format!("Basic {auth}"))
        .body(axum::body::Body::from(body.to_string()))
        .expect("request");
    let res = app.clone().oneshot(req).await.expect("response");
    let bytes = axum::body::to_bytes(res.into_body(), usize::MAX)
        .await
        .expect("body");
    serde_json::from_slice(&bytes).expect("json")
}

fn status_kib(field: &str) -> Option<u64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    s.lines()
        .find(|l| l.starts_with(field))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

fn main() -> anyhow::Result<()> {
    let n: usize = std::env::args()
        .nth(1)
        .map(|a| a.parse())
        .transpose()?
        .unwrap_or(1_000_000);
    let t = Instant::now();
    let sb = Sandbox::new(SandboxConfig {
        extra_candidates: n,
        ..SandboxConfig::default()
    })?;
    let load = t.elapsed();
    let t = Instant::now();
    let found = sb.find_candidates_by_email(&format!("synthetic.{}@scale.example", n / 2));
    let lookup = t.elapsed();
    let rt = tokio::runtime::Runtime::new()?;
    let app = sb.router();
    let (page, last, incremental) = rt.block_on(async {
        let t = Instant::now();
        let first = call(&app, "candidate.list", json!({"limit": 100})).await;
        let page = t.elapsed();
        assert_eq!(first["results"].as_array().map(Vec::len), Some(100));
        // An empty last page (createdAfter in the future) scans every record and issues a token.
        let t = Instant::now();
        let last_page = call(
            &app,
            "candidate.list",
            json!({"createdAfter": i64::MAX - 1}),
        )
        .await;
        let last = t.elapsed();
        let token = last_page["syncToken"].clone();
        // One change, then an incremental run over the whole organization.
        let c = sb.find_candidates_by_email("synthetic.7@scale.example");
        sb.delete_candidate(&c[0]).ok();
        let t = Instant::now();
        let inc = call(&app, "candidate.list", json!({"syncToken": token})).await;
        let incremental = t.elapsed();
        assert_eq!(inc["success"], json!(true));
        (page, last, incremental)
    });
    println!("extra candidates:      {n}");
    println!("live candidates:       {}", sb.candidate_count());
    println!("applications:          {}", sb.application_count());
    println!("load time:             {load:.2?}");
    println!("email lookup:          {lookup:.2?} ({} hit)", found.len());
    println!("candidate.list page:   {page:.2?} (first page of 100)");
    println!("last page + token:     {last:.2?} (full scan with a filter)");
    println!("incremental sync:      {incremental:.2?} (scan of every record)");
    println!(
        "peak RSS (VmHWM):      {:.1} MiB",
        status_kib("VmHWM:").unwrap_or(0) as f64 / 1024.0
    );
    println!(
        "current RSS (VmRSS):   {:.1} MiB",
        status_kib("VmRSS:").unwrap_or(0) as f64 / 1024.0
    );
    Ok(())
}
