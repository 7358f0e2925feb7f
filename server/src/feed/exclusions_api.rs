//! `POST /v1/connections/{connection_id}/exclusions/check`.

use super::FeedDeps;
use crate::api::error::{ApiError, ApiJson, ApiResult, ErrorBody};
use crate::exclusion::check::{MAX_PEOPLE, PersonQuery, PersonResult};
use crate::sync::streams;
use axum::Json;
use axum::extract::{Path, State};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

/// A bulk check.
#[derive(Clone, Debug, Deserialize, Serialize, ToSchema)]
pub struct CheckRequest {
    /// Up to 10,000 people; each needs at least one field.
    pub people: Vec<PersonQuery>,
    /// The country calling code national phone numbers are read with (default 1).
    #[serde(default)]
    pub default_country_code: Option<u16>,
}

/// The answer of a bulk check.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct CheckResponse {
    /// The connection checked.
    pub connection_id: String,
    /// When the candidate stream last caught up with the ATS (RFC 3339); null before the
    /// first complete sync.
    pub index_as_of: Option<String>,
    /// Candidates in the index.
    pub index_size: usize,
    /// One result per person, in request order.
    pub results: Vec<PersonResult>,
}

/// Checks up to 10,000 people against the connection's exclusion index (no ATS call).
#[utoipa::path(post, path = "/v1/connections/{connection_id}/exclusions/check", tag = "exclusion",
    params(("connection_id" = String, Path)), request_body = CheckRequest,
    responses(
        (status = 200, body = CheckResponse),
        (status = 404, description = "Unknown connection", body = ErrorBody),
        (status = 422, description = "Over 10,000 people, or an empty person", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn check(
    State(deps): State<FeedDeps>,
    Path(connection_id): Path<String>,
    ApiJson(req): ApiJson<CheckRequest>,
) -> ApiResult<Json<CheckResponse>> {
    if req.people.len() > MAX_PEOPLE {
        return Err(ApiError::unprocessable(
            "too_many_people",
            "people",
            format!(
                "at most {MAX_PEOPLE} people per check; got {}",
                req.people.len()
            ),
        ));
    }
    let empty: Vec<usize> = req
        .people
        .iter()
        .enumerate()
        .filter(|(_, p)| p.is_empty())
        .map(|(i, _)| i)
        .take(100)
        .collect();
    if !empty.is_empty() {
        return Err(ApiError::unprocessable(
            "empty_person",
            &format!("people[{}]", empty[0]),
            "each person needs an email, linkedin_url, phone or name",
        )
        .with_details(json!({"field": format!("people[{}]", empty[0]), "empty_people": empty})));
    }
    if deps.store.get_connection(&connection_id).await?.is_none() {
        return Err(ApiError::not_found(format!(
            "connection `{connection_id}` does not exist"
        )));
    }
    let as_of = deps
        .store
        .get_sync_state(&connection_id, streams::CANDIDATES)
        .await?
        .and_then(|s| s.last_caught_up_at)
        .and_then(chrono::DateTime::from_timestamp_millis)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true));
    let index = deps.index.clone();
    let conn = connection_id.clone();
    let (results, size) = tokio::task::spawn_blocking(move || {
        let results = index.check(&conn, &req.people, req.default_country_code);
        (results, index.size(&conn))
    })
    .await
    .map_err(ApiError::internal)?;
    metrics::counter!("atsbridge_exclusion_checks_total").increment(results.len() as u64);
    Ok(Json(CheckResponse {
        connection_id,
        index_as_of: as_of,
        index_size: size,
        results,
    }))
}
