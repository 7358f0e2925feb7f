//! `/metrics` in the Prometheus text format, and the request-counting middleware.
//!
//! Recorded here: `atsbridge_http_requests_total{method,route,status}` and
//! `atsbridge_http_request_duration_seconds{method,route}`. Published at each scrape from the
//! store: `atsbridge_queue_depth` (pending + running), `atsbridge_queue_pending`,
//! `atsbridge_queue_running`, `atsbridge_queue_dead`, `atsbridge_queue_oldest_pending_seconds`.
//! The worker and reconciler record theirs (`atsbridge_commands_total{kind,outcome}`,
//! `atsbridge_ats_calls_total{endpoint,status}`, …) through the same `metrics` facade.

use crate::app::AppState;
use crate::signal::now_ms;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::time::Instant;

/// Renders every recorded metric, after refreshing the queue gauges from the store.
pub async fn render(State(state): State<AppState>) -> Response {
    match state.store.queue_stats(now_ms()).await {
        Ok(q) => {
            metrics::gauge!("atsbridge_queue_depth").set((q.pending + q.running) as f64);
            metrics::gauge!("atsbridge_queue_pending").set(q.pending as f64);
            metrics::gauge!("atsbridge_queue_running").set(q.running as f64);
            metrics::gauge!("atsbridge_queue_dead").set(q.dead as f64);
            metrics::gauge!("atsbridge_queue_oldest_pending_seconds")
                .set(q.oldest_pending_age_ms as f64 / 1000.0);
        }
        Err(e) => tracing::warn!(error = %e, "queue_stats failed; queue gauges not refreshed"),
    }
    match &state.metrics {
        Some(h) => (
            [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
            h.render(),
        )
            .into_response(),
        None => (
            StatusCode::SERVICE_UNAVAILABLE,
            "metrics recorder not installed\n",
        )
            .into_response(),
    }
}

/// Middleware: counts requests by method, matched route (not the raw path) and status.
pub async fn track_requests(req: Request, next: Next) -> Response {
    let start = Instant::now();
    let method = req.method().as_str().to_owned();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_owned())
        .unwrap_or_else(|| "unmatched".to_owned());
    let resp = next.run(req).await;
    let status = resp.status().as_u16().to_string();
    metrics::counter!("atsbridge_http_requests_total", "method" => method.clone(), "route" => route.clone(), "status" => status).increment(1);
    metrics::histogram!("atsbridge_http_request_duration_seconds", "method" => method, "route" => route).record(start.elapsed().as_secs_f64());
    resp
}
