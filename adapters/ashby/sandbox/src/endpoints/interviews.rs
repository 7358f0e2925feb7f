//! interview.* and interviewSchedule.* endpoints.

use serde_json::{Map, Value, json};

use super::{Req, include_archived, opt_bool, opt_str, req_str};
use crate::envelope::{ApiError, Reply};
use crate::ids::{self, Kind, id};
use crate::model::{InterviewEvent, Schedule, State};
use crate::render;
use crate::sync::{ListSpec, paginate};
use crate::webhooks::Event;

pub(crate) fn interview_list(r: &mut Req<'_>, b: &Value) -> Result<Reply, ApiError> {
    let all = include_archived(b)?;
    let non_shared = opt_bool(b, "includeNonSharedInterviews")?.unwrap_or(false);
    let st = &*r.st;
    paginate(
        &r.sync,
        st.seq,
        b,
        ListSpec {
            name: "interview.list",
            len: st.interviews.len(),
            include: &|i| {
                let x = &st.interviews[i];
                (all || !x.archived) && (non_shared || x.job.is_none())
            },
            seq: &|i| st.interviews[i].seq,
            created: &|_| 0,
            render: &|i| render::interview(st, i as u32),
            sync: true,
        },
    )
}

pub(crate) fn interview_info(r: &mut Req<'_>, b: &Value) -> Result<Reply, ApiError> {
    let i = r.st.interview_idx(req_str(b, "id")?)?;
    Ok(Reply::One(render::interview(r.st, i)))
}

fn time_field(e: &Value, k: &str) -> Result<(String, i64), ApiError> {
    let s = req_str(e, k)
        .map_err(|_| ApiError::invalid(format!("interviewEvents.{k} is required (ISO 8601)")))?;
    let t = chrono::DateTime::parse_from_rfc3339(s)
        .map_err(|_| ApiError::invalid(format!("interviewEvents.{k} must be ISO 8601")))?;
    Ok((s.to_string(), t.timestamp_millis()))
}

fn parse_extra(e: &Value) -> Result<Option<Map<String, Value>>, ApiError> {
    match e.get("extraData") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(o)) => {
            for (k, v) in o {
                let ok = k.chars().count() <= 100
                    && v.as_str().is_some_and(|s| s.chars().count() <= 512);
                if !ok {
                    return Err(ApiError::invalid(
                        "extraData must map strings (keys ≤ 100 chars) to strings (≤ 512 chars)",
                    ));
                }
            }
            Ok(Some(o.clone()))
        }
        Some(_) => Err(ApiError::invalid("extraData must be an object")),
    }
}

fn default_interview(st: &State) -> Result<u32, ApiError> {
    st.interviews
        .iter()
        .position(|i| !i.archived && i.job.is_none() && !i.debrief)
        .map(|i| i as u32)
        .ok_or_else(|| {
            ApiError::new(
                "interview_not_found",
                "The organization has no default interview",
            )
        })
}

/// Parses one event; `existing` supplies defaults when updating.
fn parse_event(
    st: &State,
    e: &Value,
    existing: Option<&InterviewEvent>,
    now: i64,
    new_id: u32,
) -> Result<InterviewEvent, ApiError> {
    if !e.is_object() {
        return Err(ApiError::invalid("interviewEvents items must be objects"));
    }
    let (start, s_ms) = match (e.get("startTime"), existing) {
        (None, Some(x)) => (x.start.clone(), parse_ms(&x.start)),
        _ => time_field(e, "startTime")?,
    };
    let (end, e_ms) = match (e.get("endTime"), existing) {
        (None, Some(x)) => (x.end.clone(), parse_ms(&x.end)),
        _ => time_field(e, "endTime")?,
    };
    if e_ms <= s_ms {
        return Err(ApiError::invalid(
            "interviewEvents.endTime must be after startTime",
        ));
    }
    let interviewers = match (e.get("interviewers"), existing) {
        (None, Some(x)) => x.interviewers.clone(),
        (Some(Value::Array(a)), _) if !a.is_empty() => a
            .iter()
            .map(|i| {
                let email = i.get("email").and_then(Value::as_str).ok_or_else(|| {
                    ApiError::invalid("interviewEvents.interviewers.email is required")
                })?;
                let u = st
                    .users
                    .iter()
                    .position(|u| u.email.eq_ignore_ascii_case(email))
                    .ok_or_else(|| {
                        ApiError::invalid(format!(
                            "interviewEvents.interviewers.email: no Ashby user has email {email:?}"
                        ))
                    })?;
                let fb = i
                    .get("feedbackRequired")
                    .and_then(Value::as_bool)
                    .unwrap_or(true);
                Ok((u as u32, fb))
            })
            .collect::<Result<_, ApiError>>()?,
        _ => {
            return Err(ApiError::invalid(
                "interviewEvents.interviewers must be a non-empty array",
            ));
        }
    };
    let interview = match (opt_str(e, "interviewId")?, existing) {
        (Some(i), _) => st.interview_idx(i)?,
        (None, Some(x)) => x.interview,
        (None, None) => default_interview(st)?,
    };
    let extra = match (e.get("extraData"), existing) {
        (None, Some(x)) => x.extra.clone(),
        _ => parse_extra(e)?,
    };
    Ok(InterviewEvent {
        id: existing.map(|x| x.id).unwrap_or(new_id),
        interview,
        start,
        end,
        interviewers,
        extra,
        created_at: existing.map(|x| x.created_at).unwrap_or(now),
        updated_at: now,
    })
}

fn parse_ms(s: &str) -> i64 {
    chrono::DateTime::parse_from_rfc3339(s)
        .map(|d| d.timestamp_millis())
        .unwrap_or(0)
}

fn schedule_events(r: &mut Req<'_>, s: u32, created: bool) {
    let sched = render::schedule(r.st, s);
    let cand = r.st.applications[r.st.schedules[s as usize].application as usize].candidate;
    if created {
        r.act.events.push(Event {
            action: "interviewScheduleCreate",
            data: json!({"interviewSchedule": sched.clone()}),
        });
    }
    let mut with_cand = sched;
    with_cand["candidateId"] = json!(id(Kind::Candidate, cand));
    r.act.events.push(Event {
        action: "interviewScheduleUpdate",
        data: json!({"interviewSchedule": with_cand}),
    });
}

fn touch_schedule(st: &mut State, s: u32, now: i64) {
    let seq = st.bump();
    let x = &mut st.schedules[s as usize];
    x.seq = seq;
    x.updated_at = now;
}

pub(crate) fn schedule_create(r: &mut Req<'_>, b: &Value) -> Result<Reply, ApiError> {
    let a = r.st.application_idx(req_str(b, "applicationId")?)?;
    let events = match b.get("interviewEvents") {
        Some(Value::Array(v)) if !v.is_empty() => v,
        _ => {
            return Err(ApiError::invalid(
                "interviewEvents is required and must be a non-empty array",
            ));
        }
    };
    let now = r.act.now;
    let mut parsed = vec![];
    for (n, e) in events.iter().enumerate() {
        parsed.push(parse_event(r.st, e, None, now, r.st.next_event + n as u32)?);
    }
    r.st.next_event += parsed.len() as u32;
    let seq = r.st.bump();
    r.st.schedules.push(Schedule {
        application: a,
        stage: r.st.applications[a as usize].stage,
        status: "Scheduled",
        created_by_key: r.key.to_string(),
        scheduled_by: r.act.actor,
        events: parsed,
        created_at: now,
        updated_at: now,
        seq,
    });
    let s = r.st.schedules.len() as u32 - 1;
    schedule_events(r, s, true);
    Ok(Reply::One(render::schedule(r.st, s)))
}

fn owned_schedule(r: &Req<'_>, sid: &str) -> Result<u32, ApiError> {
    let s = r.st.schedule_idx(sid)?;
    if r.st.schedules[s as usize].created_by_key != r.key {
        return Err(ApiError::invalid(
            "Only interview schedules created by the same API key can be updated",
        ));
    }
    Ok(s)
}

fn one_or_many(v: &Value) -> Vec<&Value> {
    match v {
        Value::Array(a) => a.iter().collect(),
        Value::Null => vec![],
        x => vec![x],
    }
}

pub(crate) fn schedule_update(r: &mut Req<'_>, b: &Value) -> Result<Reply, ApiError> {
    let s = owned_schedule(r, req_str(b, "interviewScheduleId")?)?;
    let upserts = b.get("interviewEvent").map(one_or_many).unwrap_or_default();
    let cancels = b
        .get("interviewEventIdToCancel")
        .map(one_or_many)
        .unwrap_or_default();
    if upserts.is_empty() && cancels.is_empty() {
        return Err(ApiError::invalid(
            "One of interviewEvent or interviewEventIdToCancel is required",
        ));
    }
    let now = r.act.now;
    let mut events = r.st.schedules[s as usize].events.clone();
    for c in cancels {
        let eid = c
            .as_str()
            .ok_or_else(|| ApiError::invalid("interviewEventIdToCancel must be a UUID"))?;
        let before = events.len();
        events.retain(|e| id(Kind::Event, e.id) != eid);
        if events.len() == before {
            return Err(ApiError::new(
                "interview_event_not_found",
                "Interview event not found",
            ));
        }
    }
    let mut added = 0;
    for u in upserts {
        match opt_str(u, "interviewEventId")? {
            Some(eid) => {
                let idx = ids::parse(Kind::Event, eid)
                    .and_then(|i| events.iter().position(|e| e.id as u64 == i))
                    .ok_or_else(|| {
                        ApiError::new("interview_event_not_found", "Interview event not found")
                    })?;
                events[idx] = parse_event(r.st, u, Some(&events[idx]), now, 0)?;
            }
            None => {
                events.push(parse_event(r.st, u, None, now, r.st.next_event + added)?);
                added += 1;
            }
        }
    }
    r.st.next_event += added;
    r.st.schedules[s as usize].events = events;
    touch_schedule(r.st, s, now);
    schedule_events(r, s, false);
    Ok(Reply::One(render::schedule(r.st, s)))
}

pub(crate) fn schedule_cancel(r: &mut Req<'_>, b: &Value) -> Result<Reply, ApiError> {
    let s = owned_schedule(r, req_str(b, "id")?)?;
    opt_bool(b, "allowReschedule")?;
    r.st.schedules[s as usize].status = "Cancelled";
    touch_schedule(r.st, s, r.act.now);
    schedule_events(r, s, false);
    Ok(Reply::One(render::schedule(r.st, s)))
}

pub(crate) fn schedule_list(r: &mut Req<'_>, b: &Value) -> Result<Reply, ApiError> {
    let app = opt_str(b, "applicationId")?
        .map(|a| r.st.application_idx(a))
        .transpose()?;
    let stage = opt_str(b, "interviewStageId")?
        .map(|s| r.st.stage_idx(s))
        .transpose()?;
    let st = &*r.st;
    paginate(
        &r.sync,
        st.seq,
        b,
        ListSpec {
            name: "interviewSchedule.list",
            len: st.schedules.len(),
            include: &|i| {
                let x = &st.schedules[i];
                app.is_none_or(|a| x.application == a) && stage.is_none_or(|s| x.stage == s)
            },
            seq: &|i| st.schedules[i].seq,
            created: &|i| st.schedules[i].created_at,
            render: &|i| render::schedule(st, i as u32),
            sync: true,
        },
    )
}
