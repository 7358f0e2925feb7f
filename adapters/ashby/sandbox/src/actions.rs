//! Mutations shared by the Ashby endpoints and the control API.
//!
//! Each write stamps the touched records with a new change sequence number and
//! `updatedAt`, appends application history where relevant, and queues the
//! webhook events the change fires.

use serde_json::json;

use crate::envelope::ApiError;
use crate::ids::{Kind, id};
use crate::model::{
    Application, CandState, Candidate, Contact, HistoryEntry, Link, Ms, StageType, State,
};
use crate::render;
use crate::webhooks::Event;

/// Who and when, plus the events a mutation fires.
pub(crate) struct Act {
    pub now: Ms,
    pub actor: Option<u32>,
    pub events: Vec<Event>,
}

impl Act {
    pub(crate) fn new(actor: Option<u32>) -> Act {
        Act {
            now: crate::envelope::now_ms(),
            actor,
            events: Vec::new(),
        }
    }
}

fn app_event(st: &State, action: &'static str, a: u32) -> Event {
    Event {
        action,
        data: json!({"application": render::application(st, a, false)}),
    }
}

/// Touches an application: new sequence number and `updatedAt`.
pub(crate) fn touch_app(st: &mut State, a: u32, now: Ms) {
    let seq = st.bump();
    let x = &mut st.applications[a as usize];
    x.seq = seq;
    x.updated_at = now.max(x.updated_at);
}

/// Touches a candidate: new sequence number and `updatedAt`.
pub(crate) fn touch_candidate(st: &mut State, c: u32, now: Ms) {
    let seq = st.bump();
    let x = &mut st.candidates[c as usize];
    x.seq = seq;
    x.updated_at = now.max(x.updated_at);
}

/// Moves an application to `stage`, enforcing Ashby's archive-reason rules.
pub(crate) fn change_stage(
    st: &mut State,
    a: u32,
    stage: u32,
    reason: Option<u32>,
    act: &mut Act,
) -> Result<(), ApiError> {
    let app = &st.applications[a as usize];
    let plan = st.stages[app.stage as usize].plan;
    let target = &st.stages[stage as usize];
    if target.plan != plan {
        return Err(ApiError::invalid(
            "interviewStageId: the stage does not belong to the application's interview plan",
        ));
    }
    let kind = target.kind;
    match (kind, reason) {
        (StageType::Archived, None) => {
            return Err(ApiError::invalid(
                "archiveReasonId: Archive reason ID is required for archive stages",
            ));
        }
        (k, Some(_)) if k != StageType::Archived => {
            return Err(ApiError::invalid(
                "archiveReasonId: an archive reason is only allowed when moving to an Archived stage",
            ));
        }
        _ => {}
    }
    let now = act.now;
    {
        let app = &mut st.applications[a as usize];
        if app.stage == stage && app.archive_reason == reason {
            return Ok(());
        }
        if let Some(h) = app.history.last_mut() {
            h.left = Some(now);
        }
        app.history.push(HistoryEntry {
            stage,
            entered: now,
            left: None,
            actor: act.actor,
        });
        app.stage = stage;
        if kind == StageType::Archived {
            app.archive_reason = reason;
            app.archived_at = Some(now);
        } else {
            app.archive_reason = None;
            app.archived_at = None;
        }
    }
    touch_app(st, a, now);
    act.events.push(app_event(st, "candidateStageChange", a));
    act.events.push(app_event(st, "applicationUpdate", a));
    if kind == StageType::Hired {
        let mut ev = app_event(st, "candidateHire", a);
        ev.data["offer"] = serde_json::Value::Null;
        act.events.push(ev);
    }
    Ok(())
}

/// Where a new application starts.
pub(crate) enum StartStage {
    /// The plan's first Lead stage (Ashby's default).
    FirstLead,
    /// `"FirstPreInterviewScreen"`.
    FirstPreInterviewScreen,
    /// A specific stage of the plan.
    Stage(u32),
}

/// Fields of a new application.
pub(crate) struct NewApplication {
    pub candidate: u32,
    pub job: u32,
    pub plan: Option<u32>,
    pub start: StartStage,
    pub source: Option<u32>,
    pub credited: Option<u32>,
    pub created_at: Option<Ms>,
}

/// Error code for a second application of a candidate to the same job
/// (Ashby's behaviour is undocumented; see the docs' "knowing differences").
pub(crate) const DUPLICATE_APPLICATION: &str = "application_already_exists";

/// Creates an application (no webhook: see `create_application_event`).
pub(crate) fn add_application(
    st: &mut State,
    n: NewApplication,
    act: &mut Act,
) -> Result<u32, ApiError> {
    let job = &st.jobs[n.job as usize];
    let plan = match n.plan {
        Some(p) => {
            if !job.plans.contains(&p) && job.default_plan != Some(p) {
                return Err(ApiError::invalid(
                    "interviewPlanId: the interview plan is not used by this job",
                ));
            }
            p
        }
        None => job
            .default_plan
            .or(job.plans.first().copied())
            .ok_or_else(|| {
                ApiError::new("interview_plan_not_found", "The job has no interview plan")
            })?,
    };
    let stage = match n.start {
        StartStage::FirstLead => st.first_stage_of(plan, StageType::Lead),
        StartStage::FirstPreInterviewScreen => {
            st.first_stage_of(plan, StageType::PreInterviewScreen)
        }
        StartStage::Stage(s) => {
            if st.stages[s as usize].plan != plan {
                return Err(ApiError::invalid(
                    "interviewStageId: the stage does not belong to the interview plan",
                ));
            }
            if st.stages[s as usize].kind == StageType::Archived {
                return Err(ApiError::invalid(
                    "interviewStageId: cannot create an application in an Archived stage",
                ));
            }
            Some(s)
        }
    }
    .or_else(|| st.plans[plan as usize].stages.first().copied())
    .ok_or_else(|| ApiError::new("interview_stage_not_found", "The plan has no stages"))?;
    let dup = st.candidates[n.candidate as usize]
        .applications
        .iter()
        .any(|&a| {
            let x = &st.applications[a as usize];
            !x.deleted && x.job == n.job
        });
    if dup {
        return Err(ApiError::new(
            DUPLICATE_APPLICATION,
            "The candidate already has an application for this job",
        ));
    }
    let created = n.created_at.unwrap_or(act.now);
    let seq = st.bump();
    let a = st.applications.len() as u32;
    st.applications.push(Application {
        candidate: n.candidate,
        job: n.job,
        stage,
        source: n.source,
        credited: n.credited,
        archive_reason: None,
        archived_at: None,
        created_at: created,
        updated_at: act.now,
        seq,
        history: vec![HistoryEntry {
            stage,
            entered: created,
            left: None,
            actor: act.actor,
        }],
        deleted: false,
    });
    st.candidates[n.candidate as usize].applications.push(a);
    touch_candidate(st, n.candidate, act.now);
    Ok(a)
}

/// Queues `applicationSubmit` for an application (manual adds; API creates do not fire it).
pub(crate) fn application_submit_event(st: &State, a: u32, act: &mut Act) {
    act.events.push(app_event(st, "applicationSubmit", a));
}

/// Fields of a new candidate.
#[derive(Default)]
pub(crate) struct NewCandidate {
    pub name: String,
    pub emails: Vec<Contact>,
    pub phones: Vec<Contact>,
    pub links: Vec<Link>,
    pub position: Option<String>,
    pub company: Option<String>,
    pub source: Option<u32>,
    pub credited: Option<u32>,
    pub created_at: Option<Ms>,
    pub location: Option<String>,
}

/// Creates a candidate. Never deduplicates: a second candidate with the same
/// email is created, as real Ashby does.
pub(crate) fn add_candidate(st: &mut State, n: NewCandidate, act: &Act) -> u32 {
    let seq = st.bump();
    let c = st.candidates.len() as u32;
    st.candidates.push(Candidate {
        name: n.name.into_boxed_str(),
        emails: n.emails,
        phones: n.phones,
        links: n.links,
        tags: vec![],
        position: n.position.map(String::into_boxed_str),
        company: n.company.map(String::into_boxed_str),
        school: None,
        location: n.location.map(String::into_boxed_str),
        timezone: None,
        applications: vec![],
        source: n.source,
        credited: n.credited,
        created_at: n.created_at.unwrap_or(act.now),
        updated_at: act.now,
        seq,
        state: CandState::Live,
    });
    st.index_emails(c);
    c
}

/// Merges `merged` into `survivor`: the survivor keeps both candidates'
/// emails, phones, links, tags and applications; `merged` disappears.
pub(crate) fn merge(
    st: &mut State,
    survivor: u32,
    merged: u32,
    act: &mut Act,
) -> Result<(), ApiError> {
    if survivor == merged {
        return Err(ApiError::invalid("cannot merge a candidate into itself"));
    }
    st.unindex_emails(merged);
    let m = st.candidates[merged as usize].clone();
    {
        let s = &mut st.candidates[survivor as usize];
        for e in m.emails {
            if !s
                .emails
                .iter()
                .any(|x| x.value.eq_ignore_ascii_case(&e.value))
            {
                s.emails.push(e);
            }
        }
        for p in m.phones {
            if !s.phones.iter().any(|x| x.value == p.value) {
                s.phones.push(p);
            }
        }
        for l in m.links {
            if !s.links.iter().any(|x| x.url == l.url) {
                s.links.push(l);
            }
        }
        for t in m.tags {
            if !s.tags.contains(&t) {
                s.tags.push(t);
            }
        }
        s.position = s.position.take().or(m.position);
        s.company = s.company.take().or(m.company);
        s.source = s.source.or(m.source);
        s.applications.extend(m.applications.iter().copied());
    }
    for &a in &m.applications {
        st.applications[a as usize].candidate = survivor;
        touch_app(st, a, act.now);
    }
    st.candidates[merged as usize].state = CandState::Merged(survivor);
    st.candidates[merged as usize].applications.clear();
    touch_candidate(st, merged, act.now);
    st.index_emails(survivor);
    touch_candidate(st, survivor, act.now);
    act.events.push(Event {
        action: "candidateMerge",
        data: json!({
            "deletedCandidate": {"id": id(Kind::Candidate, merged)},
            "mergedCandidate": {"id": id(Kind::Candidate, survivor)},
        }),
    });
    Ok(())
}

/// Deletes a candidate and its applications.
pub(crate) fn delete_candidate(st: &mut State, c: u32, act: &mut Act) {
    st.unindex_emails(c);
    st.candidates[c as usize].state = CandState::Deleted;
    let apps = st.candidates[c as usize].applications.clone();
    for a in apps {
        st.applications[a as usize].deleted = true;
        touch_app(st, a, act.now);
    }
    touch_candidate(st, c, act.now);
    act.events.push(Event {
        action: "candidateDelete",
        data: json!({"candidate": {"id": id(Kind::Candidate, c)}}),
    });
}
