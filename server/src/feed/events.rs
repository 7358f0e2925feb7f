//! `GET /v1/events`: the durable, ordered, at-least-once feed of ATS-side changes.

use super::FeedDeps;
use crate::api::error::{ApiError, ApiResult, ErrorBody};
use crate::store::EventRow;
use axum::Json;
use axum::extract::{Query, State};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};

/// The default page size.
pub const DEFAULT_LIMIT: i64 = 100;
/// The largest page size.
pub const MAX_LIMIT: i64 = 1000;

/// Query of `GET /v1/events`.
#[derive(Clone, Debug, Deserialize, IntoParams)]
pub struct EventsQuery {
    /// The `next_cursor` of the previous page; absent = from the start.
    pub after: Option<String>,
    /// At most this many events (1..=1000, default 100).
    pub limit: Option<i64>,
    /// Only this connection's events.
    pub connection_id: Option<String>,
}

/// One event. Besides the fields below it carries the event's own fields (`ats_candidate_id`,
/// `ats_job_id`, `ats_stage_title`, `unmapped`, `previous_outcome`, `archive_reason`, …).
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct EventView {
    /// Stable event id (the same on every redelivery).
    pub id: String,
    /// Position in the feed (strictly increasing).
    pub position: i64,
    /// The connection.
    pub connection_id: String,
    /// `stage_changed`, `hired`, `rejected`, `withdrew`, `candidate_merged`, `candidate_deleted`.
    pub kind: String,
    /// The Dover candidate, when linked.
    pub dover_candidate_id: Option<String>,
    /// The Dover job, when linked.
    pub dover_job_id: Option<String>,
    /// The ATS application.
    pub ats_application_id: Option<String>,
    /// The ATS stage now.
    pub ats_stage_id: Option<String>,
    /// The Dover stage mapped to it; null when no Dover stage maps there (`unmapped: true`).
    pub dover_stage_id: Option<String>,
    /// `active`, `hired`, `rejected`, `withdrew`.
    pub outcome: Option<String>,
    /// When it happened in the ATS (RFC 3339).
    pub occurred_at: Option<String>,
    /// The event's other fields.
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub extra: serde_json::Map<String, Value>,
}

/// A page of events.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct EventsPage {
    /// Events in feed order.
    pub events: Vec<EventView>,
    /// Pass as `after` to get the following events (unchanged when there were none).
    pub next_cursor: String,
}

fn take_str(m: &mut serde_json::Map<String, Value>, k: &str) -> Option<String> {
    match m.remove(k) {
        Some(Value::String(s)) => Some(s),
        _ => None,
    }
}

/// The public view of a stored event.
pub fn event_view(e: &EventRow) -> EventView {
    let mut extra = e.payload.as_object().cloned().unwrap_or_default();
    extra.remove("connection_id");
    extra.remove("kind");
    EventView {
        id: e.id.clone(),
        position: e.position,
        connection_id: e.connection_id.clone(),
        kind: e.kind.clone(),
        dover_candidate_id: take_str(&mut extra, "dover_candidate_id"),
        dover_job_id: take_str(&mut extra, "dover_job_id"),
        ats_application_id: take_str(&mut extra, "ats_application_id"),
        ats_stage_id: take_str(&mut extra, "ats_stage_id"),
        dover_stage_id: take_str(&mut extra, "dover_stage_id"),
        outcome: take_str(&mut extra, "outcome"),
        occurred_at: take_str(&mut extra, "occurred_at"),
        extra,
    }
}

/// Events after a cursor, in order (per connection when filtered). At-least-once: a client
/// stores `next_cursor` after processing a page; event ids are stable for deduplication.
#[utoipa::path(get, path = "/v1/events", tag = "events", params(EventsQuery),
    responses((status = 200, body = EventsPage), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn list(
    State(deps): State<FeedDeps>,
    Query(q): Query<EventsQuery>,
) -> ApiResult<Json<EventsPage>> {
    let after = match q.after.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => 0,
        Some(s) => s
            .parse::<i64>()
            .ok()
            .filter(|v| *v >= 0)
            .ok_or_else(|| ApiError::invalid("after", "not a cursor returned by this feed"))?,
    };
    let limit = q.limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(ApiError::invalid(
            "limit",
            format!("must be 1..={MAX_LIMIT}"),
        ));
    }
    let rows = deps
        .store
        .list_events(after, limit, q.connection_id.as_deref())
        .await?;
    let next = rows.last().map(|e| e.position).unwrap_or(after);
    Ok(Json(EventsPage {
        events: rows.iter().map(event_view).collect(),
        next_cursor: next.to_string(),
    }))
}
