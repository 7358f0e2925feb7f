//! The HTTP surface of sync: exclusion checks, the event feed, job reports and ATS webhook
//! intake, plus outbound delivery of events to Dover's webhook ([`delivery`]).
//!
//! [`authed_router`] is mounted behind bearer auth, [`public_router`] without (ATS webhooks
//! carry their own signature).

pub mod delivery;
pub mod events;
pub mod exclusions_api;
pub mod reports;
pub mod webhooks;

use crate::adapters::AdapterProvider;
use crate::exclusion::ExclusionIndex;
use crate::store::Store;
use crate::sync::Reconciler;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use std::sync::Arc;

/// What the feed routes need.
#[derive(Clone)]
pub struct FeedDeps {
    /// The store.
    pub store: Arc<dyn Store>,
    /// The exclusion index.
    pub index: Arc<ExclusionIndex>,
    /// The reconciler (webhooks trigger it).
    pub reconciler: Arc<Reconciler>,
    /// Adapters and webhook secrets per connection.
    pub adapters: Arc<dyn AdapterProvider>,
}

/// The largest exclusion-check body accepted (10,000 people with long fields).
pub const MAX_CHECK_BODY_BYTES: usize = 32 * 1024 * 1024;

/// The routes behind bearer auth: exclusion checks, events, reports.
pub fn authed_router(deps: FeedDeps) -> Router {
    Router::new()
        .route(
            "/v1/connections/{connection_id}/exclusions/check",
            post(exclusions_api::check).layer(DefaultBodyLimit::max(MAX_CHECK_BODY_BYTES)),
        )
        .route("/v1/events", get(events::list))
        .route("/v1/jobs/{dover_job_id}/report", get(reports::report))
        .with_state(deps)
}

/// The public routes: ATS webhook intake.
pub fn public_router(deps: FeedDeps) -> Router {
    Router::new()
        .route("/v1/webhooks/{connection_id}", post(webhooks::intake))
        .with_state(deps)
}

/// The OpenAPI document of the feed routes.
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(exclusions_api::check, events::list, reports::report, webhooks::intake),
    components(schemas(
        crate::exclusion::check::PersonQuery,
        crate::exclusion::check::PersonResult,
        crate::exclusion::check::CandidateMatch,
        crate::exclusion::check::MatchedIdentity,
        crate::exclusion::check::InvalidField,
        exclusions_api::CheckRequest,
        exclusions_api::CheckResponse,
        events::EventsPage,
        events::EventView,
        reports::JobReport,
        reports::StageReport,
        webhooks::WebhookAck,
    )),
    tags(
        (name = "exclusion", description = "Is this person already in the customer's ATS?"),
        (name = "events", description = "ATS-side changes of linked candidates"),
        (name = "reports", description = "Per-job funnel from ATS-confirmed state"),
        (name = "webhooks", description = "ATS webhook intake (signed, no bearer token)"),
    )
)]
pub struct FeedApiDoc;
