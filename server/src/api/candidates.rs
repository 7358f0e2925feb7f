//! Candidate commands (`POST /v1/candidates/{id}/push|move-stage|reject|withdraw|interviews|emails|notes`),
//! command status and retry (`/v1/commands/{id}`), and the candidate view
//! (`GET /v1/candidates/{id}`).
//!
//! A command request is validated (the job is linked, the stage is mapped, required fields are
//! present: a 422 names every offending field), then enqueued as a [`CommandPayload`] with
//! `request_hash = sha256(kind, candidate, canonical JSON of the payload)`. With an
//! `Idempotency-Key` header, the same key and body give back the same command (200 instead of
//! 202) and the same key with another body gives 422 `idempotency_key_reused`. `?wait_ms=N`
//! (at most 30000) waits for the command to finish and answers its outcome.

use crate::api::error::{ApiError, ApiJson, ApiResult, ErrorBody, Problem};
use crate::app::AppState;
use crate::commands::{CommandPayload, EmailToLog, PushCandidate};
use crate::signal::now_ms;
use crate::store::{CommandRow, CommandStatus, Enqueued, JobLinkRow, NewCommand};
use atsbridge_core::logic::rejection::DoverRejection;
use atsbridge_core::model::{InterviewEvent, NoteBody};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::time::Duration;
use utoipa::{IntoParams, ToSchema};

/// The longest `?wait_ms=` accepted.
pub const MAX_WAIT_MS: u64 = 30_000;
/// The header carrying the client's idempotency key.
pub const IDEMPOTENCY_KEY: &str = "idempotency-key";

/// Body of `POST /v1/candidates/{id}/push`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct PushRequest {
    /// The linked Dover job.
    pub dover_job_id: String,
    /// The person.
    pub candidate: PushCandidate,
    /// The Dover stage to place them in (mapped through the job link); the plan's first stage when absent.
    #[serde(default)]
    pub dover_stage_id: Option<String>,
}

/// Body of `POST /v1/candidates/{id}/move-stage`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct MoveStageRequest {
    /// The linked Dover job.
    pub dover_job_id: String,
    /// The Dover stage to move to (must be mapped).
    pub dover_stage_id: String,
}

/// Body of `POST /v1/candidates/{id}/reject`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct RejectRequest {
    /// The linked Dover job.
    pub dover_job_id: String,
    /// Dover's rejection reason and its type.
    #[schema(value_type = Object)]
    pub reason: DoverRejection,
}

/// Body of `POST /v1/candidates/{id}/withdraw`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct WithdrawRequest {
    /// The linked Dover job.
    pub dover_job_id: String,
    /// Why the candidate withdrew, if known.
    #[serde(default)]
    pub reason_text: Option<String>,
}

/// Body of `POST /v1/candidates/{id}/interviews`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct InterviewRequest {
    /// The linked Dover job.
    pub dover_job_id: String,
    /// Dover's interview id (the interview is found again by it on retries).
    pub dover_interview_id: String,
    /// The meetings: `[{start, end, interviewer_emails}]`, at least one.
    #[schema(value_type = Vec<Object>)]
    pub events: Vec<InterviewEvent>,
}

/// Body of `POST /v1/candidates/{id}/emails`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct EmailRequest {
    /// The linked Dover job.
    pub dover_job_id: String,
    /// The message: `{message_id, subject, from, to, cc, body_html, sent_at}`.
    #[schema(value_type = Object)]
    pub message: EmailToLog,
}

/// Body of `POST /v1/candidates/{id}/notes`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NoteRequest {
    /// The linked Dover job.
    pub dover_job_id: String,
    /// `{"type": "plain"|"html", "value": "..."}`.
    #[schema(value_type = Object)]
    pub body: NoteBody,
}

/// Query of the command routes.
#[derive(Debug, Default, Deserialize, IntoParams)]
pub struct WaitQuery {
    /// Wait up to this many milliseconds (≤ 30000) for the command to finish.
    #[serde(default)]
    pub wait_ms: Option<u64>,
}

/// A command's state, as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct CommandView {
    /// Id.
    pub command_id: String,
    /// `pending`, `running`, `succeeded`, `failed` or `dead`.
    pub status: String,
    /// `push`, `move_stage`, `reject`, `withdraw`, `schedule_interview`, `log_email`, `add_note`.
    pub kind: String,
    /// The connection it acts on.
    pub connection_id: String,
    /// The Dover candidate.
    pub dover_candidate_id: String,
    /// The Dover job.
    pub dover_job_id: Option<String>,
    /// Attempts counted so far.
    pub attempts: i32,
    /// Attempt budget.
    pub max_attempts: i32,
    /// When the next attempt may run (RFC 3339), while pending.
    pub next_attempt_at: Option<String>,
    /// The result, when succeeded.
    #[schema(value_type = Option<Object>)]
    pub result: Option<Value>,
    /// The last error: `{code, message, retryable, request_id}`; `message` says what to do.
    #[schema(value_type = Option<Object>)]
    pub last_error: Option<Value>,
    /// Created (RFC 3339).
    pub created_at: String,
    /// Last changed (RFC 3339).
    pub updated_at: String,
}

/// The view of a stored command.
pub fn command_view(c: &CommandRow) -> CommandView {
    use crate::api::connections::rfc3339;
    CommandView {
        command_id: c.id.clone(),
        status: c.status.as_str().to_owned(),
        kind: c.kind.clone(),
        connection_id: c.connection_id.clone(),
        dover_candidate_id: c.dover_candidate_id.clone(),
        dover_job_id: c
            .payload
            .get("dover_job_id")
            .and_then(Value::as_str)
            .map(str::to_owned),
        attempts: c.attempts,
        max_attempts: c.max_attempts,
        next_attempt_at: (c.status == CommandStatus::Pending).then(|| rfc3339(c.next_attempt_at)),
        result: c.result.clone(),
        last_error: c.last_error.clone(),
        created_at: rfc3339(c.created_at),
        updated_at: rfc3339(c.updated_at),
    }
}

/// JSON text with object keys sorted at every level (for request hashes).
pub fn canonical_json(v: &Value) -> String {
    fn write(v: &Value, out: &mut String) {
        match v {
            Value::Object(m) => {
                let mut keys: Vec<&String> = m.keys().collect();
                keys.sort();
                out.push('{');
                for (i, k) in keys.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push_str(&Value::String((*k).clone()).to_string());
                    out.push(':');
                    write(&m[k.as_str()], out);
                }
                out.push('}');
            }
            Value::Array(a) => {
                out.push('[');
                for (i, x) in a.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write(x, out);
                }
                out.push(']');
            }
            other => out.push_str(&other.to_string()),
        }
    }
    let mut s = String::new();
    write(v, &mut s);
    s
}

/// `sha256(kind \n dover_candidate_id \n canonical payload)`, hex.
pub fn request_hash(kind: &str, dover_candidate_id: &str, payload: &Value) -> String {
    let mut h = Sha256::new();
    h.update(kind.as_bytes());
    h.update(b"\n");
    h.update(dover_candidate_id.as_bytes());
    h.update(b"\n");
    h.update(canonical_json(payload).as_bytes());
    hex::encode(h.finalize())
}

fn stage_mapped(link: &JobLinkRow, dover_stage_id: &str) -> bool {
    link.stage_mapping
        .get(dover_stage_id)
        .and_then(Value::as_str)
        .is_some_and(|s| !s.is_empty())
}

fn nonempty(problems: &mut Vec<Problem>, field: &str, v: &str) {
    if v.trim().is_empty() {
        problems.push(Problem::new(field, "is required and must not be empty"));
    }
}

fn check_email(problems: &mut Vec<Problem>, field: &str, v: &str) {
    let v = v.trim();
    let ok = v.split_once('@').is_some_and(|(a, b)| {
        !a.is_empty() && b.contains('.') && !b.starts_with('.') && !v.contains(char::is_whitespace)
    });
    if !ok {
        problems.push(Problem::new(
            field,
            format!("`{v}` is not an email address"),
        ));
    }
}

/// Validates a payload against its job link; every problem, each naming its field.
pub fn validate_command(payload: &CommandPayload, link: &JobLinkRow) -> Vec<Problem> {
    let mut p = Vec::new();
    let unmapped = |field: &str, stage: &str| {
        Problem::new(
            field,
            format!(
                "Dover stage `{stage}` is not mapped to an ATS stage in the link of job `{}`",
                link.dover_job_id
            ),
        )
        .with_code("unmapped_stage")
    };
    match payload {
        CommandPayload::Push {
            candidate,
            dover_stage_id,
            ..
        } => {
            nonempty(&mut p, "candidate.name", &candidate.name);
            let email = candidate.email.as_deref().filter(|e| !e.trim().is_empty());
            let linkedin = candidate
                .linkedin_url
                .as_deref()
                .filter(|e| !e.trim().is_empty());
            if email.is_none() && linkedin.is_none() {
                p.push(Problem::new("candidate.email", "an email or a linkedin_url is required (they are how the ATS record is found again)"));
            }
            if let Some(e) = email {
                check_email(&mut p, "candidate.email", e);
            }
            if let Some(l) = linkedin
                && !l.to_ascii_lowercase().contains("linkedin.")
            {
                p.push(Problem::new(
                    "candidate.linkedin_url",
                    "must be a LinkedIn profile URL",
                ));
            }
            if let Some(s) = dover_stage_id
                && !stage_mapped(link, s)
            {
                p.push(unmapped("dover_stage_id", s));
            }
        }
        CommandPayload::MoveStage { dover_stage_id, .. } => {
            if dover_stage_id.trim().is_empty() {
                nonempty(&mut p, "dover_stage_id", dover_stage_id);
            } else if !stage_mapped(link, dover_stage_id) {
                p.push(unmapped("dover_stage_id", dover_stage_id));
            }
        }
        CommandPayload::Reject { .. } | CommandPayload::Withdraw { .. } => {}
        CommandPayload::ScheduleInterview {
            dover_interview_id,
            events,
            ..
        } => {
            nonempty(&mut p, "dover_interview_id", dover_interview_id);
            if events.is_empty() {
                p.push(Problem::new("events", "at least one event is required"));
            }
            for (i, e) in events.iter().enumerate() {
                if e.end <= e.start {
                    p.push(Problem::new(
                        format!("events[{i}].end"),
                        "must be after start",
                    ));
                }
                for (j, m) in e.interviewer_emails.iter().enumerate() {
                    check_email(&mut p, &format!("events[{i}].interviewer_emails[{j}]"), m);
                }
            }
        }
        CommandPayload::LogEmail { message, .. } => {
            nonempty(&mut p, "message.message_id", &message.message_id);
            check_email(&mut p, "message.from", &message.from);
            if message.to.is_empty() {
                p.push(Problem::new(
                    "message.to",
                    "at least one recipient is required",
                ));
            }
            for (i, t) in message.to.iter().enumerate() {
                check_email(&mut p, &format!("message.to[{i}]"), t);
            }
        }
        CommandPayload::AddNote { body, .. } => {
            let text = match body {
                NoteBody::Plain(t) | NoteBody::Html(t) => t,
            };
            nonempty(&mut p, "body.value", text);
        }
    }
    p
}

/// Validates, enqueues (honouring `Idempotency-Key`), wakes the worker and answers (see module docs).
pub async fn submit(
    state: &AppState,
    dover_candidate_id: &str,
    headers: &HeaderMap,
    wait: WaitQuery,
    payload: CommandPayload,
) -> ApiResult<Response> {
    let wait_ms = wait.wait_ms.unwrap_or(0);
    if wait_ms > MAX_WAIT_MS {
        return Err(ApiError::invalid(
            "wait_ms",
            format!("must be at most {MAX_WAIT_MS}"),
        ));
    }
    if dover_candidate_id.trim().is_empty() {
        return Err(ApiError::invalid("dover_candidate_id", "must not be empty"));
    }
    let idempotency_key = match headers.get(IDEMPOTENCY_KEY) {
        None => None,
        Some(v) => {
            let k = v
                .to_str()
                .map_err(|_| ApiError::invalid("Idempotency-Key", "must be visible ASCII"))?
                .trim();
            if k.is_empty() || k.len() > 255 {
                return Err(ApiError::invalid(
                    "Idempotency-Key",
                    "must be 1 to 255 characters",
                ));
            }
            Some(k.to_owned())
        }
    };
    let job_id = payload.dover_job_id().to_owned();
    if job_id.trim().is_empty() {
        return Err(ApiError::invalid(
            "dover_job_id",
            "is required and must not be empty",
        ));
    }
    let link = state.store.get_job_link(&job_id).await?.ok_or_else(|| {
        ApiError::unprocessable("job_not_linked", "dover_job_id", format!("Dover job `{job_id}` is not linked to an ATS job: link it with PUT /v1/jobs/{job_id}/link"))
    })?;
    let problems = validate_command(&payload, &link);
    if !problems.is_empty() {
        return Err(ApiError::invalid_many(problems));
    }
    let kind = payload.kind();
    let payload_json = serde_json::to_value(&payload).map_err(ApiError::internal)?;
    let hash = request_hash(kind, dover_candidate_id, &payload_json);
    let mut finished = state.signal.subscribe_finished();
    let new = NewCommand {
        id: uuid::Uuid::now_v7().to_string(),
        connection_id: link.connection_id.clone(),
        dover_candidate_id: dover_candidate_id.to_owned(),
        kind: kind.to_owned(),
        payload: payload_json,
        idempotency_key,
        request_hash: hash,
        max_attempts: state.config.worker.max_attempts,
        created_at: now_ms(),
    };
    let (mut row, created) = match state.store.enqueue(&new).await? {
        Enqueued::Created(r) => (r, true),
        Enqueued::Existing(r) => (r, false),
        Enqueued::KeyReused => {
            return Err(ApiError::unprocessable(
                "idempotency_key_reused",
                "Idempotency-Key",
                "this Idempotency-Key was already used with a different request; use a new key for a new request",
            ));
        }
    };
    if created {
        state.signal.notify_new_command();
        metrics::counter!("atsbridge_commands_enqueued_total", "kind" => kind).increment(1);
    }
    if wait_ms > 0 && !row.status.is_terminal() {
        row = wait_for(
            state,
            &row.id,
            &mut finished,
            Duration::from_millis(wait_ms),
        )
        .await?;
    }
    Ok(answer(&row, created))
}

async fn wait_for(
    state: &AppState,
    id: &str,
    finished: &mut tokio::sync::broadcast::Receiver<String>,
    max: Duration,
) -> ApiResult<CommandRow> {
    let deadline = tokio::time::Instant::now() + max;
    loop {
        let row = state
            .store
            .get_command(id)
            .await?
            .ok_or_else(|| ApiError::not_found(format!("command {id} does not exist")))?;
        if row.status.is_terminal() || tokio::time::Instant::now() >= deadline {
            return Ok(row);
        }
        // Re-read at the announcement of this command, or every 250 ms (another replica may run it).
        let tick = tokio::time::sleep_until(
            deadline.min(tokio::time::Instant::now() + Duration::from_millis(250)),
        );
        tokio::pin!(tick);
        loop {
            tokio::select! {
                _ = &mut tick => break,
                r = finished.recv() => match r {
                    Ok(done) if done == id => break,
                    Ok(_) => continue,
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => break,
                    Err(tokio::sync::broadcast::error::RecvError::Closed) => { (&mut tick).await; break }
                },
            }
        }
    }
}

/// 202 while pending/running (200 when `created` is false: an idempotent repeat), 200 when
/// succeeded, and the error envelope (with the command in `details.command`) when failed/dead.
fn answer(row: &CommandRow, created: bool) -> Response {
    let view = command_view(row);
    match row.status {
        CommandStatus::Succeeded => (StatusCode::OK, Json(view)).into_response(),
        CommandStatus::Failed | CommandStatus::Dead => failure(row).into_response(),
        _ if created => (StatusCode::ACCEPTED, Json(view)).into_response(),
        _ => (StatusCode::OK, Json(view)).into_response(),
    }
}

/// The error answer of a failed or dead command, by its last error's code.
fn failure(row: &CommandRow) -> ApiError {
    let err = row.last_error.clone().unwrap_or(Value::Null);
    let code = err
        .get("code")
        .and_then(Value::as_str)
        .unwrap_or("unexpected");
    let message = err
        .get("message")
        .and_then(Value::as_str)
        .map(str::to_owned)
        .unwrap_or_else(|| format!("the command {}", row.status.as_str()));
    let (status, api_code) = match code {
        "unauthenticated" => (StatusCode::BAD_GATEWAY, "upstream_unauthenticated"),
        "permission_denied" => (StatusCode::BAD_GATEWAY, "upstream_permission_denied"),
        "invalid_input" => (StatusCode::UNPROCESSABLE_ENTITY, "invalid_input"),
        "not_found" => (StatusCode::UNPROCESSABLE_ENTITY, "upstream_not_found"),
        "conflict" => (StatusCode::CONFLICT, "upstream_conflict"),
        "rate_limited" => (StatusCode::SERVICE_UNAVAILABLE, "upstream_rate_limited"),
        "unavailable" => (StatusCode::SERVICE_UNAVAILABLE, "upstream_unavailable"),
        "unsupported" => (StatusCode::NOT_IMPLEMENTED, "unsupported"),
        _ => (StatusCode::BAD_GATEWAY, "command_failed"),
    };
    ApiError::new(status, api_code, message).with_details(json!({"command": command_view(row)}))
}

macro_rules! command_route {
    ($name:ident, $path:literal, $req:ty, $summary:literal, |$r:ident| $payload:expr) => {
        #[doc = $summary]
        #[utoipa::path(post, path = $path, tag = "commands", request_body = $req,
            params(("id" = String, Path, description = "Dover candidate id"), ("Idempotency-Key" = Option<String>, Header, description = "Same key + same body → the same command"), WaitQuery),
            responses(
                (status = 202, description = "Enqueued", body = CommandView),
                (status = 200, description = "Finished (with ?wait_ms) or an idempotent repeat", body = CommandView),
                (status = 422, description = "Invalid input naming every field, `job_not_linked`, or `idempotency_key_reused`", body = ErrorBody),
                (status = 502, description = "With ?wait_ms: the command failed upstream", body = ErrorBody)),
            security(("bearer" = [])))]
        pub async fn $name(State(state): State<AppState>, Path(id): Path<String>, Query(wait): Query<WaitQuery>, headers: HeaderMap, ApiJson($r): ApiJson<$req>) -> ApiResult<Response> {
            submit(&state, &id, &headers, wait, $payload).await
        }
    };
}

command_route!(
    push,
    "/v1/candidates/{id}/push",
    PushRequest,
    "Pushes a candidate to the ATS (create or adopt, then apply to the linked job).",
    |r| CommandPayload::Push {
        dover_job_id: r.dover_job_id,
        candidate: r.candidate,
        dover_stage_id: r.dover_stage_id
    }
);
command_route!(
    move_stage,
    "/v1/candidates/{id}/move-stage",
    MoveStageRequest,
    "Moves the application to the ATS stage mapped from a Dover stage.",
    |r| {
        CommandPayload::MoveStage {
            dover_job_id: r.dover_job_id,
            dover_stage_id: r.dover_stage_id,
        }
    }
);
command_route!(
    reject,
    "/v1/candidates/{id}/reject",
    RejectRequest,
    "Archives the application with the closest ATS rejection reason.",
    |r| {
        CommandPayload::Reject {
            dover_job_id: r.dover_job_id,
            reason: r.reason,
        }
    }
);
command_route!(
    withdraw,
    "/v1/candidates/{id}/withdraw",
    WithdrawRequest,
    "Archives the application as withdrawn by the candidate.",
    |r| {
        CommandPayload::Withdraw {
            dover_job_id: r.dover_job_id,
            reason_text: r.reason_text,
        }
    }
);
command_route!(
    interviews,
    "/v1/candidates/{id}/interviews",
    InterviewRequest,
    "Schedules an interview in the ATS.",
    |r| CommandPayload::ScheduleInterview {
        dover_job_id: r.dover_job_id,
        dover_interview_id: r.dover_interview_id,
        events: r.events
    }
);
command_route!(
    emails,
    "/v1/candidates/{id}/emails",
    EmailRequest,
    "Logs an email on the candidate's ATS record.",
    |r| CommandPayload::LogEmail {
        dover_job_id: r.dover_job_id,
        message: r.message
    }
);
command_route!(
    notes,
    "/v1/candidates/{id}/notes",
    NoteRequest,
    "Adds a note to the candidate's ATS record.",
    |r| CommandPayload::AddNote {
        dover_job_id: r.dover_job_id,
        body: r.body
    }
);

/// A command's status, attempts, result and last error.
#[utoipa::path(get, path = "/v1/commands/{id}", tag = "commands", params(("id" = String, Path), WaitQuery),
    responses((status = 200, body = CommandView), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
pub async fn get_command(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(wait): Query<WaitQuery>,
) -> ApiResult<Json<CommandView>> {
    let wait_ms = wait.wait_ms.unwrap_or(0);
    if wait_ms > MAX_WAIT_MS {
        return Err(ApiError::invalid(
            "wait_ms",
            format!("must be at most {MAX_WAIT_MS}"),
        ));
    }
    let mut finished = state.signal.subscribe_finished();
    let mut row = state
        .store
        .get_command(&id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("command {id} does not exist")))?;
    if wait_ms > 0 && !row.status.is_terminal() {
        row = wait_for(&state, &id, &mut finished, Duration::from_millis(wait_ms)).await?;
    }
    Ok(Json(command_view(&row)))
}

/// Puts a dead command back in the queue with a fresh attempt budget.
#[utoipa::path(post, path = "/v1/commands/{id}/retry", tag = "commands", params(("id" = String, Path)),
    responses((status = 200, body = CommandView), (status = 404, body = ErrorBody), (status = 409, description = "`not_dead`: only dead commands can be retried", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn retry_command(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Json<CommandView>> {
    let row = state
        .store
        .get_command(&id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("command {id} does not exist")))?;
    if !state.store.retry_dead(&id, now_ms()).await? {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "not_dead",
            format!(
                "only dead commands can be retried; this one is {}",
                row.status.as_str()
            ),
        ));
    }
    state.signal.notify_new_command();
    let row = state
        .store
        .get_command(&id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("command {id} does not exist")))?;
    Ok(Json(command_view(&row)))
}

/// Query of `GET /v1/candidates/{id}`.
#[derive(Debug, Deserialize, IntoParams)]
pub struct CandidateQuery {
    /// The connection; may be omitted when there is exactly one.
    #[serde(default)]
    pub connection_id: Option<String>,
}

/// A Dover candidate's ATS records on one connection.
#[derive(Debug, Serialize, ToSchema)]
pub struct CandidateView {
    /// Dover's candidate id.
    pub dover_candidate_id: String,
    /// The connection.
    pub connection_id: String,
    /// Dover's job id.
    pub dover_job_id: String,
    /// The ATS candidate.
    pub ats_candidate_id: Option<String>,
    /// The ATS application.
    pub ats_application_id: Option<String>,
    /// The current ATS stage as last confirmed by the ATS.
    pub ats_stage_id: Option<String>,
    /// `active`, `hired`, `rejected` or `withdrew`.
    pub outcome: Option<String>,
    /// The ATS's status text of the application, when synced.
    pub ats_status: Option<String>,
    /// The archive reason, when archived.
    pub archive_reason: Option<String>,
    /// True when the ATS candidate existed before the push and was adopted.
    pub adopted: bool,
    /// Last changed (RFC 3339).
    pub updated_at: String,
}

/// The ATS candidate and application of a Dover candidate, with the current stage and outcome.
#[utoipa::path(get, path = "/v1/candidates/{id}", tag = "candidates", params(("id" = String, Path), CandidateQuery),
    responses((status = 200, body = CandidateView), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
pub async fn get_candidate(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(q): Query<CandidateQuery>,
) -> ApiResult<Json<CandidateView>> {
    let connection_id = match q.connection_id.filter(|c| !c.is_empty()) {
        Some(c) => c,
        None => {
            let all = state.store.list_connections().await?;
            match all.as_slice() {
                [only] => only.id.clone(),
                _ => {
                    return Err(ApiError::invalid(
                        "connection_id",
                        "is required when there is not exactly one connection",
                    ));
                }
            }
        }
    };
    let link = state
        .store
        .get_candidate_link(&connection_id, &id)
        .await?
        .ok_or_else(|| {
            ApiError::not_found(format!(
                "Dover candidate `{id}` has no ATS records on connection {connection_id}"
            ))
        })?;
    let app = match &link.ats_application_id {
        Some(a) => state.store.get_ats_application(&connection_id, a).await?,
        None => None,
    };
    Ok(Json(CandidateView {
        dover_candidate_id: link.dover_candidate_id,
        connection_id: link.connection_id,
        dover_job_id: link.dover_job_id,
        ats_candidate_id: link.ats_candidate_id,
        ats_application_id: link.ats_application_id,
        ats_stage_id: link.ats_stage_id,
        outcome: link.outcome,
        ats_status: app.as_ref().map(|a| a.status.clone()),
        archive_reason: app.and_then(|a| a.archive_reason),
        adopted: link.adopted,
        updated_at: crate::api::connections::rfc3339(link.updated_at),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_ignores_key_order_but_not_values() {
        let a = json!({"b": 1, "a": {"y": [1, 2], "x": "s"}});
        let b = json!({"a": {"x": "s", "y": [1, 2]}, "b": 1});
        assert_eq!(request_hash("push", "c", &a), request_hash("push", "c", &b));
        assert_ne!(request_hash("push", "c", &a), request_hash("push", "d", &a));
        assert_ne!(
            request_hash("push", "c", &a),
            request_hash("push", "c", &json!({"b": 2}))
        );
    }
}
