//! `/v1/connections`: create (validated, key sealed), read with health, list, rotate the key,
//! set the webhook secret, delete, and list the ATS's jobs, stages, users, rejection reasons and
//! the adapter's capabilities.

use crate::api::error::{ApiError, ApiJson, ApiResult, ErrorBody};
use crate::app::AppState;
use crate::connections::{NewConnection, display_name};
use crate::store::ConnectionRow;
use atsbridge_core::{AtsAdapter, AtsError, CredentialReport, ErrorKind};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::sync::Arc;
use utoipa::ToSchema;

/// Body of `POST /v1/connections`.
#[derive(Deserialize, ToSchema)]
pub struct CreateConnectionRequest {
    /// ATS kind (`"ashby"`).
    pub kind: String,
    /// Display name, unique.
    pub name: String,
    /// The ATS API key. Validated, then stored encrypted; never returned.
    #[schema(value_type = String)]
    pub api_key: SecretString,
    /// Non-secret adapter settings (for Ashby: `base_url`, …).
    #[serde(default)]
    #[schema(value_type = Object)]
    pub settings: Value,
}

impl std::fmt::Debug for CreateConnectionRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CreateConnectionRequest")
            .field("kind", &self.kind)
            .field("name", &self.name)
            .field("api_key", &"<redacted>")
            .finish_non_exhaustive()
    }
}

/// Body of `PUT /v1/connections/{id}/key`.
#[derive(Deserialize, ToSchema)]
pub struct RotateKeyRequest {
    /// The new ATS API key.
    #[schema(value_type = String)]
    pub api_key: SecretString,
}

impl std::fmt::Debug for RotateKeyRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RotateKeyRequest { api_key: <redacted> }")
    }
}

/// Body of `PUT /v1/connections/{id}/webhook`.
#[derive(Deserialize, ToSchema)]
pub struct WebhookSecretRequest {
    /// The webhook signing secret configured in the ATS; `null` removes it.
    #[schema(value_type = Option<String>)]
    pub secret: Option<SecretString>,
}

impl std::fmt::Debug for WebhookSecretRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("WebhookSecretRequest { secret: <redacted> }")
    }
}

/// What the ATS said about the key at the last validation.
#[derive(Debug, Serialize, ToSchema)]
pub struct CredentialsView {
    /// The account or key name the ATS reports.
    pub account: String,
    /// Needed permissions the key has.
    pub granted: Vec<String>,
    /// Needed permissions the key lacks (empty).
    pub missing: Vec<String>,
}

impl From<CredentialReport> for CredentialsView {
    fn from(r: CredentialReport) -> Self {
        Self {
            account: r.account,
            granted: r.granted,
            missing: r.missing,
        }
    }
}

/// A sync stream's progress.
#[derive(Debug, Serialize, ToSchema)]
pub struct SyncView {
    /// `candidates` or `applications`.
    pub stream: String,
    /// When the stream last caught up (RFC 3339).
    pub last_caught_up_at: Option<String>,
    /// True while a full pass runs.
    pub in_full_pass: bool,
    /// The stream's last error.
    pub last_error: Option<String>,
}

/// A connection's health.
#[derive(Debug, Serialize, ToSchema)]
pub struct HealthView {
    /// Whether the key worked at the last ATS interaction (`null` before any).
    pub key_valid: Option<bool>,
    /// When the ATS was last reached (RFC 3339).
    pub last_checked_at: Option<String>,
    /// The last ATS error in words (cleared by the next success).
    pub last_error: Option<String>,
    /// Progress of each sync stream.
    pub last_sync: Vec<SyncView>,
    /// Commands pending or running.
    pub pending_commands: i64,
}

/// A connection as the API shows it. Never carries the key or the webhook secret.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConnectionView {
    /// Id.
    pub id: String,
    /// ATS kind.
    pub kind: String,
    /// The ATS's display name.
    pub ats: String,
    /// Display name.
    pub name: String,
    /// Non-secret settings.
    #[schema(value_type = Object)]
    pub settings: Value,
    /// True when a webhook secret is set.
    pub webhook_configured: bool,
    /// Created (RFC 3339).
    pub created_at: String,
    /// Last changed (RFC 3339).
    pub updated_at: String,
    /// Health, when asked for (`GET /v1/connections/{id}`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub health: Option<HealthView>,
    /// The credential check's result (after create and key rotation).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub credentials: Option<CredentialsView>,
}

/// `{"connections": [...]}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConnectionList {
    /// Every connection, oldest first.
    pub connections: Vec<ConnectionView>,
}

/// Query of `GET /v1/connections/{id}`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct CheckQuery {
    /// `true` validates the key against the ATS now (and records the outcome).
    #[serde(default)]
    pub check: bool,
}

/// RFC 3339 text of epoch milliseconds.
pub fn rfc3339(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|d| d.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
        .unwrap_or_default()
}

/// The view of a row (no health, no credentials).
pub fn view(row: &ConnectionRow) -> ConnectionView {
    ConnectionView {
        id: row.id.clone(),
        kind: row.kind.clone(),
        ats: display_name(&row.kind),
        name: row.name.clone(),
        settings: row.settings.clone(),
        webhook_configured: row.encrypted_webhook_secret.is_some(),
        created_at: rfc3339(row.created_at),
        updated_at: rfc3339(row.updated_at),
        health: None,
        credentials: None,
    }
}

async fn health(state: &AppState, row: &ConnectionRow) -> ApiResult<HealthView> {
    let mut last_sync = Vec::new();
    for stream in ["candidates", "applications"] {
        if let Some(s) = state.store.get_sync_state(&row.id, stream).await? {
            last_sync.push(SyncView {
                stream: stream.to_owned(),
                last_caught_up_at: s.last_caught_up_at.map(rfc3339),
                in_full_pass: s.in_full_pass,
                last_error: s.last_error,
            });
        }
    }
    Ok(HealthView {
        key_valid: row.last_checked_at.map(|_| row.last_error.is_none()),
        last_checked_at: row.last_checked_at.map(rfc3339),
        last_error: row.last_error.clone(),
        last_sync,
        pending_commands: state.store.pending_for_connection(&row.id).await?,
    })
}

/// Creates a connection after validating its key with the ATS.
#[utoipa::path(post, path = "/v1/connections", tag = "connections", request_body = CreateConnectionRequest,
    responses(
        (status = 201, description = "Created; the key is stored encrypted and never returned", body = ConnectionView),
        (status = 422, description = "Invalid input, or `missing_permissions` listing what the key lacks", body = ErrorBody),
        (status = 502, description = "`upstream_unauthenticated`: the ATS refused the key", body = ErrorBody),
        (status = 503, description = "The ATS is unavailable or rate limited", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn create(
    State(state): State<AppState>,
    ApiJson(req): ApiJson<CreateConnectionRequest>,
) -> ApiResult<(StatusCode, Json<ConnectionView>)> {
    let (row, report) = state
        .connections
        .create(NewConnection {
            kind: req.kind,
            name: req.name,
            api_key: req.api_key,
            settings: req.settings,
        })
        .await?;
    let mut v = view(&row);
    v.credentials = Some(report.into());
    Ok((StatusCode::CREATED, Json(v)))
}

/// Lists connections.
#[utoipa::path(get, path = "/v1/connections", tag = "connections", responses((status = 200, body = ConnectionList)), security(("bearer" = [])))]
pub async fn list(State(state): State<AppState>) -> ApiResult<Json<ConnectionList>> {
    let rows = state.store.list_connections().await?;
    Ok(Json(ConnectionList {
        connections: rows.iter().map(view).collect(),
    }))
}

/// One connection with its health (`?check=true` re-validates the key first).
#[utoipa::path(get, path = "/v1/connections/{id}", tag = "connections", params(("id" = String, Path), CheckQuery),
    responses((status = 200, body = ConnectionView), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
pub async fn get_one(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(q): Query<CheckQuery>,
) -> ApiResult<Json<ConnectionView>> {
    let mut credentials = None;
    if q.check {
        // The outcome is recorded as the connection's health either way.
        if let Ok(report) = state.connections.check_now(&id).await {
            credentials = Some(report.into());
        } else {
            state.connections.get(&id).await?;
        }
    }
    let row = state.connections.get(&id).await?;
    let mut v = view(&row);
    v.health = Some(health(&state, &row).await?);
    v.credentials = credentials;
    Ok(Json(v))
}

/// Validates a new key and replaces the stored one.
#[utoipa::path(put, path = "/v1/connections/{id}/key", tag = "connections", params(("id" = String, Path)), request_body = RotateKeyRequest,
    responses((status = 200, body = ConnectionView), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody), (status = 502, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn rotate_key(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<RotateKeyRequest>,
) -> ApiResult<Json<ConnectionView>> {
    let (row, report) = state.connections.rotate_key(&id, req.api_key).await?;
    let mut v = view(&row);
    v.credentials = Some(report.into());
    Ok(Json(v))
}

/// Sets (or with `null` removes) the ATS webhook signing secret, stored encrypted.
#[utoipa::path(put, path = "/v1/connections/{id}/webhook", tag = "connections", params(("id" = String, Path)), request_body = WebhookSecretRequest,
    responses((status = 200, body = ConnectionView), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
pub async fn set_webhook(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<WebhookSecretRequest>,
) -> ApiResult<Json<ConnectionView>> {
    let row = state
        .connections
        .set_webhook_secret(&id, req.secret)
        .await?;
    Ok(Json(view(&row)))
}

/// Deletes a connection and everything it owns (links, commands, sync state, index, events).
#[utoipa::path(delete, path = "/v1/connections/{id}", tag = "connections", params(("id" = String, Path)),
    responses((status = 204, description = "Deleted"), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
pub async fn delete(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    state.connections.delete(&id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The connection's row and adapter; 404 when it does not exist.
pub async fn connection_adapter(
    state: &AppState,
    id: &str,
) -> ApiResult<(ConnectionRow, Arc<dyn AtsAdapter>)> {
    let row = state.connections.get(id).await?;
    let adapter = crate::adapters::AdapterProvider::adapter(&*state.connections, id)
        .await
        .map_err(|e| ApiError::from_ats(&display_name(&row.kind), &e))?;
    Ok((row, adapter))
}

/// Turns an ATS answer into the API's, recording credential problems (and their clearing) as
/// the connection's health.
pub async fn ats_result<T>(
    state: &AppState,
    row: &ConnectionRow,
    result: Result<T, AtsError>,
) -> ApiResult<T> {
    let now = crate::signal::now_ms();
    match result {
        Ok(v) => {
            if row.last_error.is_some() {
                let _ = state
                    .store
                    .update_connection_health(&row.id, None, now)
                    .await;
            }
            Ok(v)
        }
        Err(e) => {
            let ats = display_name(&row.kind);
            if matches!(
                e.kind(),
                ErrorKind::Unauthenticated | ErrorKind::PermissionDenied { .. }
            ) {
                let words = crate::api::error::explain_ats_error(&ats, &e);
                let _ = state
                    .store
                    .update_connection_health(&row.id, Some(&words), now)
                    .await;
            }
            Err(ApiError::from_ats(&ats, &e))
        }
    }
}

/// The ATS's jobs, open first.
#[utoipa::path(get, path = "/v1/connections/{id}/jobs", tag = "ats", params(("id" = String, Path)),
    responses((status = 200, description = "`{\"jobs\": [{id, title, status, hiring_team}]}`"), (status = 404, body = ErrorBody), (status = 502, body = ErrorBody), (status = 503, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn jobs(State(state): State<AppState>, Path(id): Path<String>) -> ApiResult<Json<Value>> {
    let (row, a) = connection_adapter(&state, &id).await?;
    let jobs = ats_result(&state, &row, a.list_jobs().await).await?;
    Ok(Json(json!({ "jobs": jobs })))
}

/// The stages of an ATS job's interview plan, in order.
#[utoipa::path(get, path = "/v1/connections/{id}/jobs/{ats_job_id}/stages", tag = "ats", params(("id" = String, Path), ("ats_job_id" = String, Path)),
    responses((status = 200, description = "`{\"stages\": [{id, title, kind, order}]}`"), (status = 404, body = ErrorBody), (status = 502, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn stages(
    State(state): State<AppState>,
    Path((id, job)): Path<(String, String)>,
) -> ApiResult<Json<Value>> {
    let (row, a) = connection_adapter(&state, &id).await?;
    let stages = ats_result(&state, &row, a.list_job_stages(&job.as_str().into()).await).await?;
    Ok(Json(json!({ "stages": stages })))
}

/// The ATS's users (enabled and disabled).
#[utoipa::path(get, path = "/v1/connections/{id}/users", tag = "ats", params(("id" = String, Path)),
    responses((status = 200, description = "`{\"users\": [{id, name, email, enabled}]}`"), (status = 404, body = ErrorBody), (status = 502, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn users(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let (row, a) = connection_adapter(&state, &id).await?;
    let users = ats_result(&state, &row, a.list_users().await).await?;
    Ok(Json(json!({ "users": users })))
}

/// The ATS's rejection reasons (archived ones flagged).
#[utoipa::path(get, path = "/v1/connections/{id}/rejection-reasons", tag = "ats", params(("id" = String, Path)),
    responses((status = 200, description = "`{\"rejection_reasons\": [{id, text, reason_type, archived}]}`"), (status = 404, body = ErrorBody), (status = 502, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn rejection_reasons(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let (row, a) = connection_adapter(&state, &id).await?;
    let reasons = ats_result(&state, &row, a.list_rejection_reasons().await).await?;
    Ok(Json(json!({ "rejection_reasons": reasons })))
}

/// What the connection's adapter supports.
#[utoipa::path(get, path = "/v1/connections/{id}/capabilities", tag = "ats", params(("id" = String, Path)),
    responses((status = 200, description = "`{\"kind\", \"ats\", \"capabilities\": [..], \"unsupported\": [..]}`"), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn capabilities(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let (row, a) = connection_adapter(&state, &id).await?;
    let caps = a.capabilities();
    Ok(Json(json!({
        "kind": row.kind,
        "ats": display_name(&row.kind),
        "capabilities": caps.0,
        "unsupported": caps.missing(),
    })))
}
