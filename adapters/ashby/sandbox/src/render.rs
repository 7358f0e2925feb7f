//! JSON views of model records, in the shapes real Ashby responses have.
//!
//! Conventions taken from recorded responses: unset optional objects such as
//! `source`, `creditedToUser`, `archiveReason`, `timezone`, `fraudStatus` are
//! explicit `null`; `primaryEmailAddress`, `primaryPhoneNumber`, `position`,
//! `company`, `school`, `location` are omitted when unset; `archivedAt` is
//! omitted unless the application is archived.

use serde_json::{Map, Value, json};

use crate::envelope::iso;
use crate::ids::{Kind, id, make};
use crate::model::{Contact, ObjType, State};

fn contact(c: &Contact, primary: bool) -> Value {
    json!({"value": &*c.value, "type": c.kind.as_str(), "isPrimary": primary})
}

/// A user object.
pub(crate) fn user(st: &State, u: u32) -> Value {
    let x = &st.users[u as usize];
    json!({
        "id": id(Kind::User, u),
        "firstName": x.first,
        "lastName": x.last,
        "email": x.email,
        "globalRole": x.global_role,
        "isEnabled": x.enabled,
        "updatedAt": iso(x.updated_at),
    })
}

fn opt_user(st: &State, u: Option<u32>) -> Value {
    u.map(|u| user(st, u)).unwrap_or(Value::Null)
}

/// A source object with its nested source type.
pub(crate) fn source(st: &State, s: u32) -> Value {
    let x = &st.sources[s as usize];
    json!({
        "id": id(Kind::Source, s),
        "title": x.title,
        "isArchived": x.archived,
        "sourceType": {
            "id": id(Kind::SourceType, x.source_type),
            "title": st.source_types[x.source_type as usize].title,
            "isArchived": false,
        },
    })
}

fn opt_source(st: &State, s: Option<u32>) -> Value {
    s.map(|s| source(st, s)).unwrap_or(Value::Null)
}

/// An archive reason (`archiveReason.list` item, or embedded with `customFields`).
pub(crate) fn archive_reason(st: &State, r: u32, embedded: bool) -> Value {
    let x = &st.archive_reasons[r as usize];
    let mut v = json!({
        "id": id(Kind::ArchiveReason, r),
        "text": x.text,
        "reasonType": x.reason_type,
        "isArchived": x.archived,
    });
    if embedded {
        v["customFields"] = json!([]);
    }
    v
}

/// Custom field values set on an object.
pub(crate) fn field_values(st: &State, obj: ObjType, idx: u32) -> Value {
    let Some(vals) = st.field_values.get(&(obj, idx)) else {
        return json!([]);
    };
    Value::Array(
        vals.iter()
            .map(|(f, v)| field_value(st, *f, v.clone()))
            .collect(),
    )
}

/// One custom field value object `{id, isPrivate, title, value}` (+`valueLabel` for selects).
pub(crate) fn field_value(st: &State, f: u32, value: Value) -> Value {
    let def = &st.custom_fields[f as usize];
    let mut v = json!({
        "id": id(Kind::CustomField, f),
        "isPrivate": def.private,
        "title": def.title,
        "value": value,
    });
    if def.field_type == "ValueSelect"
        && let Some((label, _)) = def
            .selectable
            .iter()
            .find(|(_, val)| Some(val.as_str()) == v["value"].as_str())
    {
        v["valueLabel"] = json!(label);
    }
    v
}

/// A custom field definition.
pub(crate) fn custom_field(st: &State, f: u32) -> Value {
    let x = &st.custom_fields[f as usize];
    let mut v = json!({
        "id": id(Kind::CustomField, f),
        "isPrivate": x.private,
        "title": x.title,
        "objectType": x.object_type,
        "isArchived": x.archived,
        "fieldType": x.field_type,
        "isRequired": x.required,
    });
    if !x.selectable.is_empty() {
        v["selectableValues"] = x
            .selectable
            .iter()
            .map(|(l, val)| json!({"label": l, "value": val, "isArchived": false}))
            .collect();
    }
    v
}

/// A candidate tag.
pub(crate) fn tag(st: &State, t: u32) -> Value {
    let x = &st.tags[t as usize];
    json!({"id": id(Kind::Tag, t), "title": x.title, "isArchived": x.archived})
}

/// The URL of a candidate in Ashby's app.
pub(crate) fn profile_url(c: u32) -> String {
    format!(
        "https://app.ashbyhq.com/candidate-searches/new/right-side/candidates/{}",
        id(Kind::Candidate, c)
    )
}

/// A full candidate object.
pub(crate) fn candidate(st: &State, c: u32) -> Value {
    let x = &st.candidates[c as usize];
    let mut o = Map::new();
    o.insert("id".into(), json!(id(Kind::Candidate, c)));
    o.insert("createdAt".into(), json!(iso(x.created_at)));
    o.insert("updatedAt".into(), json!(iso(x.updated_at)));
    o.insert("name".into(), json!(&*x.name));
    if let Some(p) = x.emails.first() {
        o.insert("primaryEmailAddress".into(), contact(p, true));
    }
    o.insert(
        "emailAddresses".into(),
        x.emails
            .iter()
            .enumerate()
            .map(|(i, e)| contact(e, i == 0))
            .collect(),
    );
    if let Some(p) = x.phones.first() {
        o.insert("primaryPhoneNumber".into(), contact(p, true));
    }
    o.insert(
        "phoneNumbers".into(),
        x.phones
            .iter()
            .enumerate()
            .map(|(i, e)| contact(e, i == 0))
            .collect(),
    );
    o.insert(
        "socialLinks".into(),
        x.links
            .iter()
            .map(|l| json!({"type": l.kind, "url": &*l.url}))
            .collect(),
    );
    o.insert("tags".into(), x.tags.iter().map(|&t| tag(st, t)).collect());
    for (k, v) in [
        ("position", &x.position),
        ("company", &x.company),
        ("school", &x.school),
    ] {
        if let Some(v) = v {
            o.insert(k.into(), json!(&**v));
        }
    }
    o.insert(
        "applicationIds".into(),
        x.applications
            .iter()
            .filter(|&&a| !st.applications[a as usize].deleted)
            .map(|&a| json!(id(Kind::Application, a)))
            .collect(),
    );
    o.insert("fileHandles".into(), json!([]));
    o.insert(
        "customFields".into(),
        field_values(st, ObjType::Candidate, c),
    );
    o.insert("profileUrl".into(), json!(profile_url(c)));
    o.insert("source".into(), opt_source(st, x.source));
    o.insert("creditedToUser".into(), opt_user(st, x.credited));
    o.insert(
        "timezone".into(),
        x.timezone
            .as_deref()
            .map(|t| json!(t))
            .unwrap_or(Value::Null),
    );
    o.insert("fraudStatus".into(), Value::Null);
    if let Some(loc) = &x.location {
        let parts: Vec<&str> = loc.split(", ").collect();
        let kinds = ["City", "Region", "Country"];
        let comps: Vec<Value> = parts
            .iter()
            .rev()
            .zip(kinds.iter().rev())
            .map(|(n, k)| json!({"type": k, "name": n}))
            .collect();
        o.insert(
            "location".into(),
            json!({
                "id": make(Kind::Location, 1_000_000 + c as u64),
                "locationSummary": &**loc,
                "locationComponents": comps,
            }),
        );
    }
    Value::Object(o)
}

/// An interview stage object (`interviewStage.list/info`, `currentInterviewStage`).
pub(crate) fn stage(st: &State, s: u32) -> Value {
    let x = &st.stages[s as usize];
    json!({
        "id": id(Kind::Stage, s),
        "title": x.title,
        "type": x.kind.as_str(),
        "orderInInterviewPlan": x.order,
        "interviewStageGroupId": x.group.map(|g| id(Kind::StageGroup, g)),
        "interviewPlanId": id(Kind::Plan, x.plan),
    })
}

/// One application history item.
pub(crate) fn history_item(st: &State, a: u32, n: usize) -> Value {
    let h = &st.applications[a as usize].history[n];
    let s = &st.stages[h.stage as usize];
    let mut v = json!({
        "id": make(Kind::History, ((a as u64) << 16) | n as u64),
        "stageId": id(Kind::Stage, h.stage),
        "title": s.title,
        "stageNumber": s.order,
        "enteredStageAt": iso(h.entered),
        "allowedActions": if n == 0 { json!(["set_entered_at"]) } else { json!(["set_entered_at", "delete"]) },
        "actorId": h.actor.map(|u| id(Kind::User, u)),
    });
    if let Some(l) = h.left {
        v["leftStageAt"] = json!(iso(l));
    }
    v
}

/// A full application object; `with_history` adds `applicationHistory`.
pub(crate) fn application(st: &State, a: u32, with_history: bool) -> Value {
    let x = &st.applications[a as usize];
    let cand = &st.candidates[x.candidate as usize];
    let job = &st.jobs[x.job as usize];
    let mut c = json!({"id": id(Kind::Candidate, x.candidate), "name": &*cand.name});
    if let Some(p) = cand.emails.first() {
        c["primaryEmailAddress"] = contact(p, true);
    }
    if let Some(p) = cand.phones.first() {
        c["primaryPhoneNumber"] = contact(p, true);
    }
    let mut o = Map::new();
    o.insert("id".into(), json!(id(Kind::Application, a)));
    o.insert("createdAt".into(), json!(iso(x.created_at)));
    o.insert("updatedAt".into(), json!(iso(x.updated_at)));
    if let Some(t) = x.archived_at {
        o.insert("archivedAt".into(), json!(iso(t)));
    }
    o.insert("candidate".into(), c);
    o.insert("status".into(), json!(st.app_stage_type(a).status()));
    o.insert(
        "customFields".into(),
        field_values(st, ObjType::Application, a),
    );
    o.insert("currentInterviewStage".into(), stage(st, x.stage));
    o.insert("source".into(), opt_source(st, x.source));
    o.insert("creditedToUser".into(), opt_user(st, x.credited));
    o.insert(
        "archiveReason".into(),
        x.archive_reason
            .map(|r| archive_reason(st, r, true))
            .unwrap_or(Value::Null),
    );
    o.insert(
        "job".into(),
        json!({
            "id": id(Kind::Job, x.job),
            "title": job.title,
            "locationId": id(Kind::Location, job.location),
            "departmentId": id(Kind::Department, job.department),
        }),
    );
    o.insert("hiringTeam".into(), json!([]));
    o.insert("appliedViaJobPostingId".into(), Value::Null);
    if with_history {
        o.insert(
            "applicationHistory".into(),
            (0..x.history.len())
                .map(|n| history_item(st, a, n))
                .collect(),
        );
    }
    o.insert("submitterClientIp".into(), Value::Null);
    o.insert("submitterUserAgent".into(), Value::Null);
    Value::Object(o)
}

/// A job's hiring team entries.
fn hiring_team(st: &State, j: u32) -> Value {
    st.jobs[j as usize]
        .hiring_team
        .iter()
        .map(|m| {
            let u = &st.users[m.user as usize];
            json!({
                "email": u.email,
                "firstName": u.first,
                "lastName": u.last,
                "role": m.role,
                "userId": id(Kind::User, m.user),
            })
        })
        .collect()
}

/// A job object.
pub(crate) fn job(st: &State, j: u32) -> Value {
    let x = &st.jobs[j as usize];
    let mut o = Map::new();
    o.insert("id".into(), json!(id(Kind::Job, j)));
    o.insert("title".into(), json!(x.title));
    o.insert("confidential".into(), json!(x.confidential));
    o.insert("status".into(), json!(x.status));
    o.insert("employmentType".into(), json!(x.employment_type));
    o.insert("locationId".into(), json!(id(Kind::Location, x.location)));
    o.insert(
        "departmentId".into(),
        json!(id(Kind::Department, x.department)),
    );
    if let Some(p) = x.default_plan {
        o.insert("defaultInterviewPlanId".into(), json!(id(Kind::Plan, p)));
    }
    o.insert(
        "interviewPlanIds".into(),
        x.plans.iter().map(|&p| json!(id(Kind::Plan, p))).collect(),
    );
    o.insert("jobPostingIds".into(), json!([]));
    o.insert("customFields".into(), field_values(st, ObjType::Job, j));
    o.insert("hiringTeam".into(), hiring_team(st, j));
    o.insert("customRequisitionId".into(), json!(x.requisition_id));
    o.insert("brandId".into(), json!(id(Kind::Brand, 0)));
    o.insert("author".into(), opt_user(st, x.author));
    o.insert("createdAt".into(), json!(iso(x.created_at)));
    o.insert("updatedAt".into(), json!(iso(x.updated_at)));
    o.insert("openedAt".into(), json!(x.opened_at.map(iso)));
    o.insert("closedAt".into(), json!(x.closed_at.map(iso)));
    Value::Object(o)
}

/// An interview plan list item.
pub(crate) fn plan(st: &State, p: u32) -> Value {
    let x = &st.plans[p as usize];
    json!({
        "id": id(Kind::Plan, p),
        "title": x.title,
        "isArchived": x.archived,
        "createdAt": iso(x.created_at),
        "updatedAt": iso(x.updated_at),
    })
}

/// A stage group item.
pub(crate) fn stage_group(st: &State, g: u32) -> Value {
    let x = &st.groups[g as usize];
    json!({
        "id": id(Kind::StageGroup, g),
        "title": x.title,
        "order": x.order,
        "stageType": x.kind.as_str(),
    })
}

/// An interview object.
pub(crate) fn interview(st: &State, i: u32) -> Value {
    let x = &st.interviews[i as usize];
    let mut v = json!({
        "id": id(Kind::Interview, i),
        "title": x.title,
        "externalTitle": x.title,
        "isArchived": x.archived,
        "isDebrief": x.debrief,
        "isFeedbackRequired": !x.debrief,
        "isFeedbackRequested": !x.debrief,
        "instructionsHtml": x.instructions.as_ref().map(|t| format!("<p>{t}</p>")),
        "instructionsPlain": x.instructions,
    });
    if let Some(j) = x.job {
        v["jobId"] = json!(id(Kind::Job, j));
    }
    v["feedbackFormDefinitionId"] = json!(make(Kind::Feedback, i as u64));
    v
}

/// A note object.
pub(crate) fn note(st: &State, n: u32) -> Value {
    let x = &st.notes[n as usize];
    let author = match x.author {
        Some(u) => {
            let u2 = &st.users[u as usize];
            json!({"id": id(Kind::User, u), "firstName": u2.first, "lastName": u2.last, "email": u2.email})
        }
        None => Value::Null,
    };
    json!({
        "id": id(Kind::Note, n),
        "createdAt": iso(x.created_at),
        "isPrivate": x.private,
        "content": x.content,
        "author": author,
    })
}

/// An interview schedule object with its events.
pub(crate) fn schedule(st: &State, s: u32) -> Value {
    let x = &st.schedules[s as usize];
    let sid = id(Kind::Schedule, s);
    let events: Vec<Value> = x
        .events
        .iter()
        .map(|e| {
            let interviewers: Vec<Value> = e
                .interviewers
                .iter()
                .map(|&(u, _)| {
                    let mut v = user(st, u);
                    v["trainingRole"] = Value::Null;
                    v["interviewerPool"] = Value::Null;
                    v
                })
                .collect();
            let eid = id(Kind::Event, e.id);
            json!({
                "id": eid,
                "interviewId": id(Kind::Interview, e.interview),
                "interviewScheduleId": sid,
                "interviewerUserIds": e.interviewers.iter().map(|&(u, _)| id(Kind::User, u)).collect::<Vec<_>>(),
                "interviewers": interviewers,
                "createdAt": iso(e.created_at),
                "updatedAt": iso(e.updated_at),
                "startTime": e.start,
                "endTime": e.end,
                "feedbackLink": format!("https://app.ashbyhq.com/interview-briefings/{eid}/feedback"),
                "location": null,
                "meetingLink": null,
                "hasSubmittedFeedback": false,
                "extraData": e.extra.clone().map(Value::Object).unwrap_or(Value::Null),
            })
        })
        .collect();
    json!({
        "id": sid,
        "status": x.status,
        "applicationId": id(Kind::Application, x.application),
        "interviewStageId": id(Kind::Stage, x.stage),
        "scheduledBy": opt_user(st, x.scheduled_by),
        "createdAt": iso(x.created_at),
        "updatedAt": iso(x.updated_at),
        "interviewEvents": events,
    })
}
