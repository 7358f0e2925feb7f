//! job.*, jobInterviewPlan.info, interviewPlan.list, interviewStage.*, interviewStageGroup.list.

use serde_json::{Value, json};

use super::{Req, include_archived, opt_str, opt_str_array, req_str};
use crate::envelope::{ApiError, Reply};
use crate::ids::{Kind, id};
use crate::render;
use crate::sync::{ListSpec, paginate};

const JOB_STATUSES: [&str; 4] = ["Draft", "Open", "Closed", "Archived"];

pub(crate) fn job_list(r: &mut Req<'_>, b: &Value) -> Result<Reply, ApiError> {
    let status = opt_str_array(b, "status")?;
    if let Some(bad) = status.iter().find(|s| !JOB_STATUSES.contains(s)) {
        return Err(ApiError::invalid(format!(
            "status: {bad:?} is not one of Draft, Open, Closed, Archived"
        )));
    }
    let st = &*r.st;
    paginate(
        &r.sync,
        st.seq,
        b,
        ListSpec {
            name: "job.list",
            len: st.jobs.len(),
            include: &|i| {
                let s = st.jobs[i].status.as_str();
                if status.is_empty() {
                    s != "Draft"
                } else {
                    status.contains(&s)
                }
            },
            seq: &|i| st.jobs[i].seq,
            created: &|i| st.jobs[i].created_at,
            render: &|i| render::job(st, i as u32),
            sync: true,
        },
    )
}

pub(crate) fn job_info(r: &mut Req<'_>, b: &Value) -> Result<Reply, ApiError> {
    let j = r.st.job_idx(req_str(b, "id")?)?;
    Ok(Reply::One(render::job(r.st, j)))
}

pub(crate) fn job_search(r: &mut Req<'_>, b: &Value) -> Result<Reply, ApiError> {
    let title = opt_str(b, "title")?.map(str::to_lowercase);
    let req = opt_str(b, "requisitionId")?;
    if title.is_none() && req.is_none() {
        return Err(ApiError::invalid(
            "At least one of title or requisitionId is required",
        ));
    }
    let st = &*r.st;
    Ok(Reply::Array(
        (0..st.jobs.len() as u32)
            .filter(|&j| {
                let x = &st.jobs[j as usize];
                title
                    .as_ref()
                    .is_none_or(|t| x.title.to_lowercase().contains(t.as_str()))
                    && req.is_none_or(|q| x.requisition_id.as_deref() == Some(q))
            })
            .map(|j| render::job(st, j))
            .collect(),
    ))
}

pub(crate) fn job_interview_plan(r: &mut Req<'_>, b: &Value) -> Result<Reply, ApiError> {
    let j = r.st.job_idx(req_str(b, "jobId")?)?;
    let st = &*r.st;
    let Some(p) = st.jobs[j as usize].default_plan else {
        return Err(ApiError::new(
            "interview_plan_not_found",
            "The job has no interview plan",
        ));
    };
    let stages: Vec<Value> = st.plans[p as usize]
        .stages
        .iter()
        .map(|&s| {
            let x = &st.stages[s as usize];
            json!({
                "id": id(Kind::Stage, s),
                "title": x.title,
                "type": x.kind.as_str(),
                "orderInInterviewPlan": x.order,
                "interviewStageGroupId": x.group.map(|g| id(Kind::StageGroup, g)),
                "activities": [],
            })
        })
        .collect();
    Ok(Reply::One(json!({
        "jobId": id(Kind::Job, j),
        "interviewPlanId": id(Kind::Plan, p),
        "stages": stages,
    })))
}

pub(crate) fn plan_list(r: &mut Req<'_>, b: &Value) -> Result<Reply, ApiError> {
    let all = include_archived(b)?;
    let st = &*r.st;
    paginate(
        &r.sync,
        st.seq,
        b,
        ListSpec {
            name: "interviewPlan.list",
            len: st.plans.len(),
            include: &|i| all || !st.plans[i].archived,
            seq: &|i| st.plans[i].seq,
            created: &|i| st.plans[i].created_at,
            render: &|i| render::plan(st, i as u32),
            sync: true,
        },
    )
}

pub(crate) fn stage_list(r: &mut Req<'_>, b: &Value) -> Result<Reply, ApiError> {
    let p = r.st.plan_idx(req_str(b, "interviewPlanId")?)?;
    let st = &*r.st;
    Ok(Reply::ArrayDone(
        st.plans[p as usize]
            .stages
            .iter()
            .map(|&s| render::stage(st, s))
            .collect(),
    ))
}

pub(crate) fn stage_info(r: &mut Req<'_>, b: &Value) -> Result<Reply, ApiError> {
    let s = r.st.stage_idx(req_str(b, "interviewStageId")?)?;
    Ok(Reply::One(render::stage(r.st, s)))
}

pub(crate) fn stage_group_list(r: &mut Req<'_>, b: &Value) -> Result<Reply, ApiError> {
    let p = r.st.plan_idx(req_str(b, "interviewPlanId")?)?;
    let st = &*r.st;
    Ok(Reply::Array(
        st.plans[p as usize]
            .groups
            .iter()
            .map(|&g| render::stage_group(st, g))
            .collect(),
    ))
}
