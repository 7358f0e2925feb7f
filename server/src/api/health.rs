//! `/healthz` (the process is up) and `/readyz` (it can serve: the store answers and the
//! worker, when one runs, has beaten recently).

use crate::app::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::{Value, json};
use std::time::Duration;

/// How old the worker's last heartbeat may be for `/readyz` to answer ready.
pub const WORKER_STALE_AFTER: Duration = Duration::from_secs(30);

/// 200 `{"status":"ok"}` while the process runs.
#[utoipa::path(get, path = "/healthz", tag = "operations", responses((status = 200, description = "The process is up")))]
pub async fn healthz() -> Json<Value> {
    Json(json!({"status": "ok"}))
}

/// 200 when the store answers a ping and the worker (if registered) beat within
/// [`WORKER_STALE_AFTER`]; 503 otherwise. The body says which check failed.
#[utoipa::path(get, path = "/readyz", tag = "operations", responses((status = 200, description = "Ready"), (status = 503, description = "Not ready; the body names the failing check")))]
pub async fn readyz(State(state): State<AppState>) -> (StatusCode, Json<Value>) {
    let store = match tokio::time::timeout(Duration::from_secs(5), state.store.ping()).await {
        Ok(Ok(())) => json!({"ok": true, "backend": state.store.backend()}),
        Ok(Err(e)) => {
            json!({"ok": false, "backend": state.store.backend(), "error": e.to_string()})
        }
        Err(_) => {
            json!({"ok": false, "backend": state.store.backend(), "error": "ping timed out after 5 s"})
        }
    };
    let hb = &state.heartbeat;
    let worker = if !hb.is_registered() {
        json!({"ok": true, "running": false})
    } else {
        let age = hb.age().map(|a| a.as_millis() as u64);
        json!({"ok": hb.is_alive(WORKER_STALE_AFTER), "running": true, "last_beat_ms_ago": age})
    };
    let ready = store["ok"] == json!(true) && worker["ok"] == json!(true);
    let status = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (
        status,
        Json(
            json!({"status": if ready { "ready" } else { "not_ready" }, "store": store, "worker": worker}),
        ),
    )
}
