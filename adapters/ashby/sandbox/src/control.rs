//! The control API under `/_sandbox`: no Ashby auth, plain JSON, never faulted.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use serde_json::{Value, json};

use crate::Sandbox;
use crate::actions;
use crate::envelope::ApiError;
use crate::model::StageType;
use crate::sandbox::ManualCandidate;

pub(crate) fn routes() -> Router<Sandbox> {
    Router::new()
        .route("/reset", post(reset))
        .route("/seed", post(seed))
        .route("/state", get(state))
        .route("/catalog", get(catalog))
        .route("/identities", get(identities))
        .route("/faults", get(get_faults).put(put_faults).post(put_faults))
        .route("/calls", get(calls).delete(reset_calls))
        .route("/calls/reset", post(reset_calls))
        .route("/webhooks/deliveries", get(deliveries))
        .route("/candidates", post(create_candidate))
        .route("/candidates/merge", post(merge))
        .route("/candidates/{id}", delete(delete_candidate))
        .route("/candidates/{id}/delete", post(delete_candidate))
        .route("/applications/{id}/stage", post(move_stage))
        .route("/applications/{id}/hire", post(hire))
        .route("/applications/{id}/archive", post(archive))
}

fn ok(v: Value) -> Response {
    (StatusCode::OK, axum::Json(v)).into_response()
}

fn fail(e: ApiError) -> Response {
    let status = if e.code.ends_with("_not_found") {
        StatusCode::NOT_FOUND
    } else {
        StatusCode::BAD_REQUEST
    };
    (
        status,
        axum::Json(json!({"error": e.code, "message": e.message})),
    )
        .into_response()
}

fn bad(msg: impl Into<String>) -> Response {
    fail(ApiError::invalid(msg))
}

fn parse_body(body: &str) -> Result<Value, ApiError> {
    if body.trim().is_empty() {
        return Ok(json!({}));
    }
    serde_json::from_str(body).map_err(|e| ApiError::invalid(format!("body is not JSON: {e}")))
}

fn str_of<'v>(v: &'v Value, k: &str) -> Result<&'v str, ApiError> {
    v.get(k)
        .and_then(Value::as_str)
        .ok_or_else(|| ApiError::invalid(format!("{k} is required")))
}

async fn reset(State(sb): State<Sandbox>) -> Response {
    match sb.reset() {
        Ok(()) => ok(json!({"ok": true, "candidates": sb.candidate_count()})),
        Err(e) => bad(e.to_string()),
    }
}

async fn seed(State(sb): State<Sandbox>, body: String) -> Response {
    let v = match parse_body(&body) {
        Ok(v) => v,
        Err(e) => return fail(e),
    };
    match sb.load_seed_json(v) {
        Ok(()) => ok(json!({"ok": true, "candidates": sb.candidate_count()})),
        Err(e) => bad(format!("{e:#}")),
    }
}

async fn state(State(sb): State<Sandbox>) -> Response {
    ok(sb.dump_state())
}

async fn catalog(State(sb): State<Sandbox>) -> Response {
    ok(serde_json::to_value(sb.demo_catalog()).unwrap_or_default())
}

async fn identities(State(sb): State<Sandbox>) -> Response {
    let v: Vec<Value> = sb
        .seeded_identities()
        .into_iter()
        .map(|i| {
            json!({
                "candidateId": i.candidate_id, "name": i.name,
                "email": i.email, "storedEmail": i.stored_email, "emailVariants": i.email_variants,
                "linkedin": i.linkedin, "storedLinkedin": i.stored_linkedin, "linkedinVariants": i.linkedin_variants,
                "phone": i.phone, "storedPhone": i.stored_phone, "phoneVariants": i.phone_variants,
                "duplicateOf": i.duplicate_of,
            })
        })
        .collect();
    ok(json!(v))
}

async fn get_faults(State(sb): State<Sandbox>) -> Response {
    ok(sb.faults().to_json())
}

async fn put_faults(State(sb): State<Sandbox>, body: String) -> Response {
    let v = match parse_body(&body) {
        Ok(v) => v,
        Err(e) => return fail(e),
    };
    let mut f = sb.faults();
    if let Err(m) = f.patch(&v) {
        return bad(m);
    }
    sb.set_faults(f);
    if let Some(seed) = v.get("rngSeed").and_then(Value::as_u64) {
        sb.reseed_faults(seed);
    }
    ok(sb.faults().to_json())
}

async fn calls(State(sb): State<Sandbox>) -> Response {
    ok(json!(sb.call_counts()))
}

async fn reset_calls(State(sb): State<Sandbox>) -> Response {
    sb.reset_call_counts();
    ok(json!({"ok": true}))
}

async fn deliveries(State(sb): State<Sandbox>) -> Response {
    ok(json!(sb.webhook_deliveries()))
}

async fn create_candidate(State(sb): State<Sandbox>, body: String) -> Response {
    let v = match parse_body(&body) {
        Ok(v) => v,
        Err(e) => return fail(e),
    };
    let c: ManualCandidate = match serde_json::from_value(v) {
        Ok(c) => c,
        Err(e) => return bad(format!("bad candidate: {e}")),
    };
    match sb.create_candidate(c) {
        Ok(c) => ok(serde_json::to_value(c).unwrap_or_default()),
        Err(e) => bad(e.to_string()),
    }
}

async fn merge(State(sb): State<Sandbox>, body: String) -> Response {
    let v = match parse_body(&body) {
        Ok(v) => v,
        Err(e) => return fail(e),
    };
    let (s, m) = match (str_of(&v, "survivorId"), str_of(&v, "mergedId")) {
        (Ok(s), Ok(m)) => (s.to_string(), m.to_string()),
        (Err(e), _) | (_, Err(e)) => return fail(e),
    };
    let res = sb.act(|st, act| {
        let si = st.candidate_idx(&s)?;
        let mi = st.candidate_idx(&m)?;
        actions::merge(st, si, mi, act)
    });
    match res {
        Ok(()) => ok(json!({"ok": true, "survivorId": s, "mergedId": m})),
        Err(e) => fail(e),
    }
}

async fn delete_candidate(State(sb): State<Sandbox>, Path(id): Path<String>) -> Response {
    let res = sb.act(|st, act| {
        let c = st.candidate_idx(&id)?;
        actions::delete_candidate(st, c, act);
        Ok(())
    });
    match res {
        Ok(()) => ok(json!({"ok": true, "candidateId": id})),
        Err(e) => fail(e),
    }
}

fn stage_move(
    sb: &Sandbox,
    app: &str,
    stage: Option<&str>,
    kind: Option<StageType>,
    reason: Option<&str>,
) -> Response {
    let res = sb.act(|st, act| {
        let a = st.application_idx(app)?;
        let s = match (stage, kind) {
            (Some(s), _) => st.stage_idx(s)?,
            (None, Some(k)) => {
                let plan = st.stages[st.applications[a as usize].stage as usize].plan;
                st.first_stage_of(plan, k).ok_or_else(|| {
                    ApiError::new("interview_stage_not_found", "the plan has no such stage")
                })?
            }
            (None, None) => return Err(ApiError::invalid("interviewStageId is required")),
        };
        let r = reason.map(|r| st.reason_idx(r)).transpose()?;
        actions::change_stage(st, a, s, r, act)?;
        Ok(crate::render::application(st, a, true))
    });
    match res {
        Ok(v) => ok(v),
        Err(e) => fail(e),
    }
}

async fn move_stage(State(sb): State<Sandbox>, Path(id): Path<String>, body: String) -> Response {
    let v = match parse_body(&body) {
        Ok(v) => v,
        Err(e) => return fail(e),
    };
    let stage = v.get("interviewStageId").and_then(Value::as_str);
    let kind = v
        .get("stageType")
        .and_then(Value::as_str)
        .and_then(StageType::parse);
    let reason = v.get("archiveReasonId").and_then(Value::as_str);
    stage_move(&sb, &id, stage, kind, reason)
}

async fn hire(State(sb): State<Sandbox>, Path(id): Path<String>) -> Response {
    stage_move(&sb, &id, None, Some(StageType::Hired), None)
}

async fn archive(State(sb): State<Sandbox>, Path(id): Path<String>, body: String) -> Response {
    let v = match parse_body(&body) {
        Ok(v) => v,
        Err(e) => return fail(e),
    };
    match str_of(&v, "archiveReasonId") {
        Ok(r) => stage_move(&sb, &id, None, Some(StageType::Archived), Some(r)),
        Err(e) => fail(e),
    }
}
