//! application.* endpoints.

use serde_json::{Value, json};

use super::{Req, opt_bool, opt_str, opt_time, req_str};
use crate::actions::{self, NewApplication, StartStage, touch_app};
use crate::envelope::{ApiError, Reply};
use crate::render;
use crate::sync::{ListSpec, paginate};
use crate::webhooks::Event;

pub(crate) fn create(r: &mut Req<'_>, b: &Value) -> Result<Reply, ApiError> {
    let c = r.st.candidate_idx(req_str(b, "candidateId")?)?;
    let job = r.st.job_idx(req_str(b, "jobId")?)?;
    let plan = opt_str(b, "interviewPlanId")?
        .map(|p| r.st.plan_idx(p))
        .transpose()?;
    let start = match opt_str(b, "interviewStageId")? {
        None => StartStage::FirstLead,
        Some("FirstPreInterviewScreen") => StartStage::FirstPreInterviewScreen,
        Some(s) => StartStage::Stage(r.st.stage_idx(s)?),
    };
    let source = opt_str(b, "sourceId")?
        .map(|s| r.st.source_idx(s))
        .transpose()?;
    let credited = opt_str(b, "creditedToUserId")?
        .map(|s| r.st.user_idx(s))
        .transpose()?;
    let created_at = opt_time(b, "createdAt")?;
    let a = actions::add_application(
        r.st,
        NewApplication {
            candidate: c,
            job,
            plan,
            start,
            source,
            credited,
            created_at,
        },
        &mut r.act,
    )?;
    Ok(Reply::One(render::application(r.st, a, true)))
}

pub(crate) fn list(r: &mut Req<'_>, b: &Value) -> Result<Reply, ApiError> {
    let status = opt_str(b, "status")?;
    if let Some(s) = status
        && !["Hired", "Archived", "Active", "Lead"].contains(&s)
    {
        return Err(ApiError::invalid(
            "status must be one of Hired, Archived, Active, Lead",
        ));
    }
    let job = opt_str(b, "jobId")?.map(|j| r.st.job_idx(j)).transpose()?;
    let st = &*r.st;
    paginate(
        &r.sync,
        st.seq,
        b,
        ListSpec {
            name: "application.list",
            len: st.applications.len(),
            include: &|i| {
                let a = &st.applications[i];
                !a.deleted
                    && job.is_none_or(|j| a.job == j)
                    && status.is_none_or(|s| st.app_stage_type(i as u32).status() == s)
            },
            seq: &|i| st.applications[i].seq,
            created: &|i| st.applications[i].created_at,
            render: &|i| render::application(st, i as u32, false),
            sync: true,
        },
    )
}

pub(crate) fn info(r: &mut Req<'_>, b: &Value) -> Result<Reply, ApiError> {
    let a = match (
        opt_str(b, "applicationId")?,
        opt_str(b, "submittedFormInstanceId")?,
    ) {
        (Some(a), _) => r.st.application_idx(a)?,
        (None, Some(_)) => {
            return Err(ApiError::new(
                "application_not_found",
                "Application not found (the sandbox has no application forms)",
            ));
        }
        (None, None) => {
            return Err(ApiError::invalid("Missing required field: applicationId"));
        }
    };
    Ok(Reply::One(render::application(r.st, a, true)))
}

pub(crate) fn change_stage(r: &mut Req<'_>, b: &Value) -> Result<Reply, ApiError> {
    let a = r.st.application_idx(req_str(b, "applicationId")?)?;
    let s = r.st.stage_idx(req_str(b, "interviewStageId")?)?;
    let reason = opt_str(b, "archiveReasonId")?
        .map(|x| r.st.reason_idx(x))
        .transpose()?;
    if b.get("archiveEmail").is_some_and(|v| !v.is_null())
        && r.st.stages[s as usize].kind != crate::model::StageType::Archived
    {
        return Err(ApiError::invalid(
            "archiveEmail is only allowed when moving to an Archived stage",
        ));
    }
    actions::change_stage(r.st, a, s, reason, &mut r.act)?;
    Ok(Reply::One(render::application(r.st, a, false)))
}

fn update_event(r: &mut Req<'_>, a: u32) {
    r.act.events.push(Event {
        action: "applicationUpdate",
        data: json!({"application": render::application(r.st, a, false)}),
    });
}

pub(crate) fn change_source(r: &mut Req<'_>, b: &Value) -> Result<Reply, ApiError> {
    let a = r.st.application_idx(req_str(b, "applicationId")?)?;
    let source = match b.get("sourceId") {
        None => return Err(ApiError::invalid("Missing required field: sourceId")),
        Some(Value::Null) => None,
        Some(Value::String(s)) => Some(r.st.source_idx(s)?),
        Some(_) => return Err(ApiError::invalid("sourceId must be a string or null")),
    };
    r.st.applications[a as usize].source = source;
    touch_app(r.st, a, r.act.now);
    update_event(r, a);
    Ok(Reply::One(render::application(r.st, a, false)))
}

pub(crate) fn update(r: &mut Req<'_>, b: &Value) -> Result<Reply, ApiError> {
    let a = r.st.application_idx(req_str(b, "applicationId")?)?;
    let source = opt_str(b, "sourceId")?
        .map(|s| r.st.source_idx(s))
        .transpose()?;
    let credited = opt_str(b, "creditedToUserId")?
        .map(|s| r.st.user_idx(s))
        .transpose()?;
    let created_at = opt_time(b, "createdAt")?;
    opt_bool(b, "sendNotifications")?;
    {
        let x = &mut r.st.applications[a as usize];
        if source.is_some() {
            x.source = source;
        }
        if credited.is_some() {
            x.credited = credited;
        }
        if let Some(t) = created_at {
            x.created_at = t;
        }
    }
    touch_app(r.st, a, r.act.now);
    update_event(r, a);
    Ok(Reply::One(render::application(r.st, a, false)))
}

pub(crate) fn list_history(r: &mut Req<'_>, b: &Value) -> Result<Reply, ApiError> {
    let a = r.st.application_idx(req_str(b, "applicationId")?)?;
    let st = &*r.st;
    let n = st.applications[a as usize].history.len();
    paginate(
        &r.sync,
        st.seq,
        b,
        ListSpec {
            name: "application.listHistory",
            len: n,
            include: &|_| true,
            seq: &|_| 0,
            created: &|i| st.applications[a as usize].history[i].entered,
            render: &|i| render::history_item(st, a, i),
            sync: false,
        },
    )
}
