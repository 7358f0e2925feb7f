//! `POST /v1/webhooks/{connection_id}`: ATS webhook intake (no bearer token; the ATS's
//! signature is verified with the connection's webhook secret).
//!
//! Verified deliveries are deduplicated by their delivery id, then processed in the background
//! (merges and deletions applied directly, everything else triggers an incremental pass); the
//! answer is immediate.

use super::FeedDeps;
use crate::api::error::{ApiError, ApiResult, ErrorBody};
use atsbridge_core::{ErrorKind, WebhookRequest};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use serde::Serialize;
use utoipa::ToSchema;

/// The answer to a webhook delivery.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct WebhookAck {
    /// Always true for a verified delivery.
    pub accepted: bool,
    /// True when this delivery id was seen before (nothing done again).
    pub duplicate: bool,
    /// The ATS's action name.
    pub action: String,
}

/// Receives one ATS webhook delivery.
#[utoipa::path(post, path = "/v1/webhooks/{connection_id}", tag = "webhooks",
    params(("connection_id" = String, Path)),
    request_body(content = String, description = "The ATS's signed JSON body, verbatim"),
    responses(
        (status = 200, body = WebhookAck),
        (status = 400, description = "Not the ATS's webhook shape", body = ErrorBody),
        (status = 401, description = "`invalid_signature`", body = ErrorBody),
        (status = 404, description = "Unknown connection or webhooks not set up", body = ErrorBody)))]
pub async fn intake(
    State(deps): State<FeedDeps>,
    Path(connection_id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<WebhookAck>> {
    let not_found = || {
        ApiError::not_found(format!(
            "connection `{connection_id}` does not exist or has no webhook secret"
        ))
    };
    let secret = match deps.adapters.webhook_secret(&connection_id).await {
        Ok(Some(s)) => s,
        Ok(None) => return Err(not_found()),
        Err(e) if matches!(e.kind(), ErrorKind::NotFound) => return Err(not_found()),
        Err(e) => return Err(ApiError::internal(e)),
    };
    let adapter = deps
        .adapters
        .adapter(&connection_id)
        .await
        .map_err(|e| match e.kind() {
            ErrorKind::NotFound => not_found(),
            _ => ApiError::internal(e),
        })?;
    let delivery = adapter
        .parse_webhook(
            &secret,
            WebhookRequest {
                headers: &headers,
                body: &body,
            },
        )
        .map_err(|e| match e.kind() {
            ErrorKind::Unauthenticated => ApiError::new(
                StatusCode::UNAUTHORIZED,
                "invalid_signature",
                "the webhook signature is missing or does not match the connection's secret",
            ),
            ErrorKind::InvalidInput { .. } => ApiError::new(
                StatusCode::BAD_REQUEST,
                "bad_request",
                e.message().to_string(),
            ),
            _ => ApiError::internal(e),
        })?;
    metrics::counter!("atsbridge_webhooks_received_total").increment(1);
    if let Some(id) = &delivery.delivery_id {
        let first = deps
            .store
            .remember_webhook_delivery(&connection_id, id, crate::signal::now_ms())
            .await?;
        if !first {
            return Ok(Json(WebhookAck {
                accepted: true,
                duplicate: true,
                action: delivery.action,
            }));
        }
    }
    let reconciler = deps.reconciler.clone();
    let conn = connection_id.clone();
    let event = delivery.event.clone();
    tokio::spawn(async move {
        if let Err(e) = reconciler.apply_webhook(&conn, &event).await {
            tracing::warn!(connection_id = %conn, error = %e, "webhook processing failed; the next pass repairs it");
            reconciler.trigger(&conn);
        }
    });
    Ok(Json(WebhookAck {
        accepted: true,
        duplicate: false,
        action: delivery.action,
    }))
}
