//! The HTTP API: `/v1` (JSON, bearer-token auth), `/healthz`, `/readyz`, `/metrics`.
//!
//! Route modules: [`connections`] (connections and ATS listings), [`job_links`], [`candidates`]
//! (candidate commands, command status, candidate view), [`openapi`] (`/v1/openapi.json`),
//! [`health`], [`metrics`]. Errors use [`error::ApiError`]'s envelope everywhere. See
//! `docs/api.md`.

pub mod auth;
pub mod candidates;
pub mod connections;
pub mod error;
pub mod health;
pub mod job_links;
pub mod metrics;
pub mod openapi;

use crate::app::{AppState, ExtraRoutes};
use axum::Router;
use axum::routing::{get, post, put};

/// The whole app: the `/v1` routes behind bearer auth (with `extra.authed`), the public
/// `extra.public` routes, the operational routes, tracing and request metrics. Unknown paths
/// answer 404 in the error envelope.
pub fn router(state: AppState, extra: ExtraRoutes) -> Router {
    let v1 = Router::new()
        .route(
            "/v1/connections",
            post(connections::create).get(connections::list),
        )
        .route(
            "/v1/connections/{id}",
            get(connections::get_one).delete(connections::delete),
        )
        .route("/v1/connections/{id}/key", put(connections::rotate_key))
        .route(
            "/v1/connections/{id}/webhook",
            put(connections::set_webhook),
        )
        .route("/v1/connections/{id}/jobs", get(connections::jobs))
        .route(
            "/v1/connections/{id}/jobs/{ats_job_id}/stages",
            get(connections::stages),
        )
        .route("/v1/connections/{id}/users", get(connections::users))
        .route(
            "/v1/connections/{id}/rejection-reasons",
            get(connections::rejection_reasons),
        )
        .route(
            "/v1/connections/{id}/capabilities",
            get(connections::capabilities),
        )
        .route(
            "/v1/jobs/{dover_job_id}/link",
            put(job_links::put_link).get(job_links::get_link),
        )
        .route("/v1/candidates/{id}/push", post(candidates::push))
        .route(
            "/v1/candidates/{id}/move-stage",
            post(candidates::move_stage),
        )
        .route("/v1/candidates/{id}/reject", post(candidates::reject))
        .route("/v1/candidates/{id}/withdraw", post(candidates::withdraw))
        .route(
            "/v1/candidates/{id}/interviews",
            post(candidates::interviews),
        )
        .route("/v1/candidates/{id}/emails", post(candidates::emails))
        .route("/v1/candidates/{id}/notes", post(candidates::notes))
        .route("/v1/candidates/{id}", get(candidates::get_candidate))
        .route("/v1/commands/{id}", get(candidates::get_command))
        .route("/v1/commands/{id}/retry", post(candidates::retry_command))
        .route("/v1/openapi.json", get(openapi::serve_doc))
        .with_state(state.clone());
    let docs = openapi::document(&extra.openapi);
    let mut authed = v1.layer(axum::Extension(docs));
    for r in extra.authed {
        authed = authed.merge(r);
    }
    let authed = authed.layer(axum::middleware::from_fn_with_state(
        state.clone(),
        auth::require_bearer,
    ));

    let ops = Router::new()
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/metrics", get(metrics::render))
        .with_state(state.clone());

    let mut app = Router::new().merge(authed).merge(ops);
    for r in extra.public {
        app = app.merge(r);
    }
    app.fallback(not_found)
        .layer(axum::middleware::from_fn(metrics::track_requests))
        .layer(tower_http::trace::TraceLayer::new_for_http())
}

async fn not_found(uri: axum::http::Uri) -> error::ApiError {
    error::ApiError::not_found(format!("no route for {}", uri.path()))
}
