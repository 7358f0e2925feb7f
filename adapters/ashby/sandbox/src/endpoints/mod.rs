//! Ashby endpoints: the permission each needs and its handler.

mod applications;
mod candidates;
mod interviews;
mod jobs;
mod org;
mod webhooks;

use serde_json::Value;

use crate::actions::Act;
use crate::auth::Perm;
use crate::envelope::{ApiError, Reply};
use crate::model::{Ms, State};
use crate::sync::SyncCtx;

/// Everything a handler works with.
pub(crate) struct Req<'a> {
    pub st: &'a mut State,
    pub sync: SyncCtx<'a>,
    /// The API key of the call (for per-key idempotency and ownership).
    pub key: &'a str,
    pub act: Act,
}

type Handler = fn(&mut Req<'_>, &Value) -> Result<Reply, ApiError>;

/// One endpoint.
pub(crate) struct EndpointDef {
    pub name: &'static str,
    pub perm: Perm,
    pub handler: Handler,
}

macro_rules! ep {
    ($name:literal, $perm:ident, $h:path) => {
        EndpointDef {
            name: $name,
            perm: Perm::$perm,
            handler: $h,
        }
    };
}

/// Every endpoint the sandbox serves (permissions from NOTES.md §1).
pub(crate) static ENDPOINTS: &[EndpointDef] = &[
    ep!("apiKey.info", ApiKeysRead, org::api_key_info),
    ep!("user.list", OrganizationRead, org::user_list),
    ep!("user.search", OrganizationRead, org::user_search),
    ep!("user.info", OrganizationRead, org::user_info),
    ep!("source.list", HiringProcessMetadataRead, org::source_list),
    ep!(
        "archiveReason.list",
        HiringProcessMetadataRead,
        org::archive_reason_list
    ),
    ep!(
        "customField.list",
        HiringProcessMetadataRead,
        org::custom_field_list
    ),
    ep!(
        "customField.setValue",
        CandidatesWrite,
        org::custom_field_set_value
    ),
    ep!(
        "candidateTag.list",
        HiringProcessMetadataRead,
        org::tag_list
    ),
    ep!(
        "candidateTag.create",
        HiringProcessMetadataWrite,
        org::tag_create
    ),
    ep!("job.list", JobsRead, jobs::job_list),
    ep!("job.info", JobsRead, jobs::job_info),
    ep!("job.search", JobsRead, jobs::job_search),
    ep!("jobInterviewPlan.info", JobsRead, jobs::job_interview_plan),
    ep!("interviewPlan.list", InterviewsRead, jobs::plan_list),
    ep!("interviewStage.list", InterviewsRead, jobs::stage_list),
    ep!("interviewStage.info", InterviewsRead, jobs::stage_info),
    ep!(
        "interviewStageGroup.list",
        InterviewsRead,
        jobs::stage_group_list
    ),
    ep!("candidate.create", CandidatesWrite, candidates::create),
    ep!("candidate.update", CandidatesWrite, candidates::update),
    ep!("candidate.search", CandidatesRead, candidates::search),
    ep!("candidate.list", CandidatesRead, candidates::list),
    ep!("candidate.info", CandidatesRead, candidates::info),
    ep!(
        "candidate.createNote",
        CandidatesWrite,
        candidates::create_note
    ),
    ep!(
        "candidate.listNotes",
        CandidatesRead,
        candidates::list_notes
    ),
    ep!("candidate.addTag", CandidatesWrite, candidates::add_tag),
    ep!(
        "candidate.addEmailMessage",
        CandidatesWrite,
        candidates::add_email_message
    ),
    ep!("application.create", CandidatesWrite, applications::create),
    ep!("application.list", CandidatesRead, applications::list),
    ep!("application.info", CandidatesRead, applications::info),
    ep!(
        "application.changeStage",
        CandidatesWrite,
        applications::change_stage
    ),
    ep!(
        "application.changeSource",
        CandidatesWrite,
        applications::change_source
    ),
    ep!("application.update", CandidatesWrite, applications::update),
    ep!(
        "application.listHistory",
        CandidatesRead,
        applications::list_history
    ),
    ep!(
        "interviewSchedule.create",
        InterviewsWrite,
        interviews::schedule_create
    ),
    ep!(
        "interviewSchedule.update",
        InterviewsWrite,
        interviews::schedule_update
    ),
    ep!(
        "interviewSchedule.cancel",
        InterviewsWrite,
        interviews::schedule_cancel
    ),
    ep!(
        "interviewSchedule.list",
        InterviewsRead,
        interviews::schedule_list
    ),
    ep!("interview.list", InterviewsRead, interviews::interview_list),
    ep!("interview.info", InterviewsRead, interviews::interview_info),
    ep!("webhook.create", ApiKeysWrite, webhooks::create),
    ep!("webhook.info", ApiKeysRead, webhooks::info),
    ep!("webhook.update", ApiKeysWrite, webhooks::update),
    ep!("webhook.delete", ApiKeysWrite, webhooks::delete),
];

/// The endpoint named `name`.
pub(crate) fn lookup(name: &str) -> Option<&'static EndpointDef> {
    ENDPOINTS.iter().find(|e| e.name == name)
}

// ---- request field helpers --------------------------------------------------------------

/// A required, non-empty string field.
pub(crate) fn req_str<'v>(b: &'v Value, k: &str) -> Result<&'v str, ApiError> {
    match b.get(k) {
        Some(Value::String(s)) if !s.trim().is_empty() => Ok(s),
        None | Some(Value::Null) => Err(ApiError::invalid(format!("Missing required field: {k}"))),
        Some(_) => Err(ApiError::invalid(format!("{k} must be a non-empty string"))),
    }
}

/// An optional string field (`null` = absent).
pub(crate) fn opt_str<'v>(b: &'v Value, k: &str) -> Result<Option<&'v str>, ApiError> {
    match b.get(k) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(ApiError::invalid(format!("{k} must be a string"))),
    }
}

/// An optional boolean field.
pub(crate) fn opt_bool(b: &Value, k: &str) -> Result<Option<bool>, ApiError> {
    match b.get(k) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(x)) => Ok(Some(*x)),
        Some(_) => Err(ApiError::invalid(format!("{k} must be a boolean"))),
    }
}

/// An optional ISO 8601 date-time field, as epoch milliseconds.
pub(crate) fn opt_time(b: &Value, k: &str) -> Result<Option<Ms>, ApiError> {
    match opt_str(b, k)? {
        None => Ok(None),
        Some(s) => chrono::DateTime::parse_from_rfc3339(s)
            .map(|d| Some(d.timestamp_millis()))
            .map_err(|_| ApiError::invalid(format!("{k} must be an ISO 8601 date-time"))),
    }
}

/// An optional array of strings.
pub(crate) fn opt_str_array<'v>(b: &'v Value, k: &str) -> Result<Vec<&'v str>, ApiError> {
    match b.get(k) {
        None | Some(Value::Null) => Ok(vec![]),
        Some(Value::Array(a)) => a
            .iter()
            .map(|x| {
                x.as_str()
                    .ok_or_else(|| ApiError::invalid(format!("{k} must be an array of strings")))
            })
            .collect(),
        Some(_) => Err(ApiError::invalid(format!(
            "{k} must be an array of strings"
        ))),
    }
}

/// `includeArchived` (default false).
pub(crate) fn include_archived(b: &Value) -> Result<bool, ApiError> {
    Ok(opt_bool(b, "includeArchived")?.unwrap_or(false))
}
