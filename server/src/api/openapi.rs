//! The generated OpenAPI document, served at `/v1/openapi.json`.

use crate::api::{candidates, connections, error, health, job_links};
use axum::{Extension, Json};
use std::sync::Arc;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

/// The API's routes and schemas (the feed module's document is merged in at start).
#[derive(OpenApi)]
#[openapi(
    info(title = "atsbridge", description = "Keeps Dover in step with each customer's ATS. Errors: `{error: {code, message, details}}`."),
    paths(
        connections::create, connections::list, connections::get_one, connections::rotate_key, connections::set_webhook, connections::delete,
        connections::jobs, connections::stages, connections::users, connections::rejection_reasons, connections::capabilities,
        job_links::put_link, job_links::get_link,
        candidates::push, candidates::move_stage, candidates::reject, candidates::withdraw, candidates::interviews, candidates::emails, candidates::notes,
        candidates::get_command, candidates::retry_command, candidates::get_candidate,
        health::healthz, health::readyz,
    ),
    components(schemas(
        error::ErrorBody, error::ErrorDetail, error::Problem,
        connections::CreateConnectionRequest, connections::RotateKeyRequest, connections::WebhookSecretRequest,
        connections::ConnectionView, connections::ConnectionList, connections::HealthView, connections::SyncView, connections::CredentialsView,
        job_links::LinkRequest, job_links::LinkView, job_links::DoverStageInput,
        candidates::PushRequest, candidates::MoveStageRequest, candidates::RejectRequest, candidates::WithdrawRequest,
        candidates::InterviewRequest, candidates::EmailRequest, candidates::NoteRequest, candidates::CommandView, candidates::CandidateView,
        crate::commands::PushCandidate,
    )),
    modifiers(&BearerAuth),
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The served document: [`ApiDoc`] merged with `extra` (e.g. the feed module's).
pub fn document(extra: &[utoipa::openapi::OpenApi]) -> Arc<utoipa::openapi::OpenApi> {
    let mut doc = ApiDoc::openapi();
    for e in extra {
        doc.merge(e.clone());
    }
    Arc::new(doc)
}

/// `GET /v1/openapi.json`.
pub async fn serve_doc(
    Extension(doc): Extension<Arc<utoipa::openapi::OpenApi>>,
) -> Json<utoipa::openapi::OpenApi> {
    Json((*doc).clone())
}
