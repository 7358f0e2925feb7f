//! `PUT/GET /v1/jobs/{dover_job_id}/link`: linking a Dover job to an ATS job with a post-as user,
//! a stage mapping and rejection-reason overrides.
//!
//! A link is validated against the ATS before it is stored: the job's stages come from the
//! adapter, the mapping is checked with the stage-mapping rules, the post-as user must exist and
//! be enabled, and every overridden reason must exist and not be archived. A 422 lists every
//! problem at once in `details.problems`, each naming its field.

use crate::api::connections::{ats_result, connection_adapter, rfc3339};
use crate::api::error::{ApiError, ApiJson, ApiResult, ErrorBody, Problem};
use crate::app::AppState;
use crate::signal::now_ms;
use crate::store::JobLinkRow;
use atsbridge_core::ErrorKind;
use atsbridge_core::ids::StageId;
use atsbridge_core::logic::stage_mapping::{DoverStage, MappingProblem, validate_stage_mapping};
use atsbridge_core::model::Stage;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::{BTreeMap, HashSet};
use utoipa::ToSchema;

/// One stage of Dover's hiring plan for the job.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct DoverStageInput {
    /// Dover's stage id.
    pub id: String,
    /// Its name ("Initial Call").
    pub name: String,
    /// Inactive stages need no mapping.
    #[serde(default = "yes")]
    pub active: bool,
    /// True for Dover's hire stage.
    #[serde(default)]
    pub is_hire: bool,
}

fn yes() -> bool {
    true
}

/// Body of `PUT /v1/jobs/{dover_job_id}/link`.
#[derive(Clone, Debug, Deserialize, ToSchema)]
pub struct LinkRequest {
    /// The connection of the ATS.
    pub connection_id: String,
    /// The ATS job.
    pub ats_job_id: String,
    /// The ATS user candidates are credited to and notes posted as (must exist and be enabled).
    pub post_as_user_id: String,
    /// Dover's stages for the job.
    pub dover_stages: Vec<DoverStageInput>,
    /// Dover stage id → ATS stage id of the job's plan (every active Dover stage; unique ATS stages).
    #[serde(default)]
    pub stage_mapping: BTreeMap<String, String>,
    /// Dover rejection text → ATS rejection reason id, preferred over the automatic choice.
    #[serde(default)]
    pub reason_overrides: BTreeMap<String, String>,
}

/// A stored link.
#[derive(Debug, Serialize, ToSchema)]
pub struct LinkView {
    /// Dover's job id.
    pub dover_job_id: String,
    /// The connection.
    pub connection_id: String,
    /// The ATS job.
    pub ats_job_id: String,
    /// The ATS user posted as.
    pub post_as_user_id: Option<String>,
    /// Dover's stages.
    #[schema(value_type = Vec<Object>)]
    pub dover_stages: Value,
    /// Dover stage id → ATS stage id.
    #[schema(value_type = Object)]
    pub stage_mapping: Value,
    /// Dover rejection text → ATS reason id.
    #[schema(value_type = Object)]
    pub reason_overrides: Value,
    /// Created (RFC 3339).
    pub created_at: String,
    /// Last changed (RFC 3339).
    pub updated_at: String,
}

/// The view of a stored link.
pub fn link_view(l: &JobLinkRow) -> LinkView {
    LinkView {
        dover_job_id: l.dover_job_id.clone(),
        connection_id: l.connection_id.clone(),
        ats_job_id: l.ats_job_id.clone(),
        post_as_user_id: l.post_as_user_id.clone(),
        dover_stages: l.dover_stages.clone(),
        stage_mapping: l.stage_mapping.clone(),
        reason_overrides: l.reason_overrides.clone(),
        created_at: rfc3339(l.created_at),
        updated_at: rfc3339(l.updated_at),
    }
}

/// Every problem of `mapping` between `dover` stages and the ATS job's `ats` stages, as found by
/// core's [`validate_stage_mapping`] (every active Dover stage mapped; targets unique and in the
/// job's plan; no hired/archived target for a pre-hire stage), each named by its field.
pub fn stage_mapping_problems(
    dover: &[DoverStageInput],
    ats: &[Stage],
    mapping: &BTreeMap<String, String>,
) -> Vec<Problem> {
    let dover: Vec<DoverStage> = dover
        .iter()
        .map(|d| DoverStage {
            id: d.id.clone(),
            name: d.name.clone(),
            active: d.active,
            is_hire: d.is_hire,
        })
        .collect();
    let mapping: BTreeMap<String, StageId> = mapping
        .iter()
        .map(|(k, v)| (k.clone(), StageId::new(v.clone())))
        .collect();
    let Err(problems) = validate_stage_mapping(&dover, ats, &mapping) else {
        return Vec::new();
    };
    problems
        .into_iter()
        .map(|problem| {
            let (field, code) = match &problem {
                MappingProblem::Unmapped { dover_stage } => (dover_stage.clone(), "unmapped_stage"),
                MappingProblem::DuplicateTarget { dover_stages, .. } => (
                    dover_stages.last().cloned().unwrap_or_default(),
                    "duplicate_ats_stage",
                ),
                MappingProblem::UnknownTarget { dover_stage, .. } => {
                    (dover_stage.clone(), "unknown_ats_stage")
                }
                MappingProblem::TerminalTarget { dover_stage, .. } => {
                    (dover_stage.clone(), "terminal_ats_stage")
                }
                MappingProblem::UnknownDoverStage { dover_stage } => {
                    (dover_stage.clone(), "unknown_dover_stage")
                }
            };
            Problem::new(format!("stage_mapping.{field}"), problem.to_string()).with_code(code)
        })
        .collect()
}

fn dover_stage_problems(stages: &[DoverStageInput]) -> Vec<Problem> {
    let mut p = Vec::new();
    if stages.is_empty() {
        p.push(Problem::new(
            "dover_stages",
            "at least one Dover stage is required",
        ));
    }
    let mut seen = HashSet::new();
    for (i, s) in stages.iter().enumerate() {
        if s.id.trim().is_empty() {
            p.push(Problem::new(
                format!("dover_stages[{i}].id"),
                "must not be empty",
            ));
        } else if !seen.insert(s.id.as_str()) {
            p.push(Problem::new(
                format!("dover_stages[{i}].id"),
                format!("`{}` appears twice", s.id),
            ));
        }
        if s.name.trim().is_empty() {
            p.push(Problem::new(
                format!("dover_stages[{i}].name"),
                "must not be empty",
            ));
        }
    }
    p
}

/// Validates `req` against the ATS and stores it as the link of `dover_job_id`. Returns the row
/// and whether it was new. Used by the API and by the embedded default.
pub async fn validate_and_save(
    state: &AppState,
    dover_job_id: &str,
    req: LinkRequest,
) -> ApiResult<(JobLinkRow, bool)> {
    let mut problems = Vec::new();
    if dover_job_id.trim().is_empty() {
        problems.push(Problem::new("dover_job_id", "must not be empty"));
    }
    if req.ats_job_id.trim().is_empty() {
        problems.push(Problem::new("ats_job_id", "must not be empty"));
    }
    if req.post_as_user_id.trim().is_empty() {
        problems.push(Problem::new("post_as_user_id", "must not be empty"));
    }
    problems.extend(dover_stage_problems(&req.dover_stages));
    let Some(conn) = state.store.get_connection(&req.connection_id).await? else {
        problems.push(Problem::new(
            "connection_id",
            format!("connection `{}` does not exist", req.connection_id),
        ));
        return Err(ApiError::invalid_many(problems));
    };
    if !problems.iter().any(|p| p.field == "ats_job_id") {
        let (row, adapter) = connection_adapter(state, &conn.id).await?;
        match adapter
            .list_job_stages(&req.ats_job_id.as_str().into())
            .await
        {
            Ok(stages) => problems.extend(stage_mapping_problems(
                &req.dover_stages,
                &stages,
                &req.stage_mapping,
            )),
            Err(e) if matches!(e.kind(), ErrorKind::NotFound) => {
                problems.push(Problem::new(
                    "ats_job_id",
                    format!("the ATS has no job `{}`", req.ats_job_id),
                ));
            }
            Err(e) => return Err(ats_result::<()>(state, &row, Err(e)).await.unwrap_err()),
        }
        if !req.post_as_user_id.trim().is_empty() {
            let users = ats_result(state, &row, adapter.list_users().await).await?;
            match users.iter().find(|u| u.id.as_str() == req.post_as_user_id) {
                None => problems.push(Problem::new(
                    "post_as_user_id",
                    format!("the ATS has no user `{}`", req.post_as_user_id),
                )),
                Some(u) if !u.enabled => problems.push(Problem::new(
                    "post_as_user_id",
                    format!(
                        "ATS user `{}` is deactivated; choose an enabled user",
                        u.name
                    ),
                )),
                Some(_) => {}
            }
        }
        if !req.reason_overrides.is_empty() {
            let reasons = ats_result(state, &row, adapter.list_rejection_reasons().await).await?;
            for (text, id) in &req.reason_overrides {
                let field = format!("reason_overrides.{text}");
                match reasons.iter().find(|r| r.id.as_str() == id) {
                    None => problems.push(Problem::new(
                        field,
                        format!("the ATS has no rejection reason `{id}`"),
                    )),
                    Some(r) if r.archived => problems.push(Problem::new(
                        field,
                        format!("rejection reason `{}` is archived in the ATS", r.text),
                    )),
                    Some(_) => {}
                }
            }
        }
    }
    if !problems.is_empty() {
        return Err(ApiError::invalid_many(problems));
    }
    let existing = state.store.get_job_link(dover_job_id).await?;
    let now = now_ms();
    let row = JobLinkRow {
        dover_job_id: dover_job_id.to_owned(),
        connection_id: conn.id.clone(),
        ats_job_id: req.ats_job_id,
        post_as_user_id: Some(req.post_as_user_id),
        dover_stages: serde_json::to_value(&req.dover_stages).map_err(ApiError::internal)?,
        stage_mapping: serde_json::to_value(&req.stage_mapping).map_err(ApiError::internal)?,
        reason_overrides: serde_json::to_value(&req.reason_overrides)
            .map_err(ApiError::internal)?,
        created_at: existing.as_ref().map(|e| e.created_at).unwrap_or(now),
        updated_at: now,
    };
    state.store.upsert_job_link(&row).await?;
    Ok((row, existing.is_none()))
}

/// Creates or replaces the link of a Dover job (validated against the ATS).
#[utoipa::path(put, path = "/v1/jobs/{dover_job_id}/link", tag = "job links", params(("dover_job_id" = String, Path)), request_body = LinkRequest,
    responses(
        (status = 201, description = "Linked", body = LinkView),
        (status = 200, description = "Link replaced", body = LinkView),
        (status = 422, description = "Every problem in `details.problems`", body = ErrorBody),
        (status = 502, body = ErrorBody), (status = 503, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn put_link(
    State(state): State<AppState>,
    Path(dover_job_id): Path<String>,
    ApiJson(req): ApiJson<LinkRequest>,
) -> ApiResult<(StatusCode, Json<LinkView>)> {
    let (row, created) = validate_and_save(&state, &dover_job_id, req).await?;
    Ok((
        if created {
            StatusCode::CREATED
        } else {
            StatusCode::OK
        },
        Json(link_view(&row)),
    ))
}

/// The link of a Dover job.
#[utoipa::path(get, path = "/v1/jobs/{dover_job_id}/link", tag = "job links", params(("dover_job_id" = String, Path)),
    responses((status = 200, body = LinkView), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
pub async fn get_link(
    State(state): State<AppState>,
    Path(dover_job_id): Path<String>,
) -> ApiResult<Json<LinkView>> {
    let row = state
        .store
        .get_job_link(&dover_job_id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("Dover job `{dover_job_id}` is not linked")))?;
    Ok(Json(link_view(&row)))
}
