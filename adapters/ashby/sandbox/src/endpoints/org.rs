//! Organization and hiring-process metadata: apiKey, user, source, archiveReason,
//! customField, candidateTag.

use serde_json::{Value, json};

use super::{Req, include_archived, opt_bool, req_str};
use crate::actions::{touch_app, touch_candidate};
use crate::auth::scopes;
use crate::envelope::{ApiError, Reply, iso};
use crate::model::ObjType;
use crate::render;
use crate::sync::{ListSpec, paginate};

pub(crate) fn api_key_info(r: &mut Req<'_>, _b: &Value) -> Result<Reply, ApiError> {
    let k = &r.st.keys[r.key];
    Ok(Reply::One(json!({
        "title": k.title,
        "createdAt": iso(k.created_at),
        "scopes": scopes(k.perms),
    })))
}

pub(crate) fn user_list(r: &mut Req<'_>, b: &Value) -> Result<Reply, ApiError> {
    let deactivated = opt_bool(b, "includeDeactivated")?.unwrap_or(false);
    let st = &*r.st;
    paginate(
        &r.sync,
        st.seq,
        b,
        ListSpec {
            name: "user.list",
            len: st.users.len(),
            include: &|i| deactivated || st.users[i].enabled,
            seq: &|i| st.users[i].seq,
            created: &|i| st.users[i].updated_at,
            render: &|i| render::user(st, i as u32),
            sync: true,
        },
    )
}

pub(crate) fn user_search(r: &mut Req<'_>, b: &Value) -> Result<Reply, ApiError> {
    let email = req_str(b, "email")?.to_lowercase();
    let st = &*r.st;
    Ok(Reply::Array(
        (0..st.users.len() as u32)
            .filter(|&u| st.users[u as usize].email.to_lowercase() == email)
            .map(|u| render::user(st, u))
            .collect(),
    ))
}

pub(crate) fn user_info(r: &mut Req<'_>, b: &Value) -> Result<Reply, ApiError> {
    let u = r.st.user_idx(req_str(b, "userId")?)?;
    Ok(Reply::One(render::user(r.st, u)))
}

pub(crate) fn source_list(r: &mut Req<'_>, b: &Value) -> Result<Reply, ApiError> {
    let all = include_archived(b)?;
    let st = &*r.st;
    Ok(Reply::ArrayDone(
        (0..st.sources.len() as u32)
            .filter(|&s| all || !st.sources[s as usize].archived)
            .map(|s| render::source(st, s))
            .collect(),
    ))
}

pub(crate) fn archive_reason_list(r: &mut Req<'_>, b: &Value) -> Result<Reply, ApiError> {
    let all = include_archived(b)?;
    let st = &*r.st;
    Ok(Reply::ArrayDone(
        (0..st.archive_reasons.len() as u32)
            .filter(|&x| all || !st.archive_reasons[x as usize].archived)
            .map(|x| render::archive_reason(st, x, false))
            .collect(),
    ))
}

pub(crate) fn custom_field_list(r: &mut Req<'_>, b: &Value) -> Result<Reply, ApiError> {
    let all = include_archived(b)?;
    let st = &*r.st;
    paginate(
        &r.sync,
        st.seq,
        b,
        ListSpec {
            name: "customField.list",
            len: st.custom_fields.len(),
            include: &|i| all || !st.custom_fields[i].archived,
            seq: &|i| st.custom_fields[i].seq,
            created: &|_| 0,
            render: &|i| render::custom_field(st, i as u32),
            sync: true,
        },
    )
}

fn check_value(field_type: &str, selectable: &[(String, String)], v: &Value) -> bool {
    match field_type {
        "String" | "LongText" | "Date" => v.is_string(),
        "Number" => v.is_number(),
        "Boolean" => v.is_boolean(),
        "ValueSelect" => v
            .as_str()
            .is_some_and(|s| selectable.iter().any(|(_, x)| x == s)),
        "MultiValueSelect" => v.as_array().is_some_and(|a| {
            a.iter().all(|x| {
                x.as_str()
                    .is_some_and(|s| selectable.iter().any(|(_, y)| y == s))
            })
        }),
        _ => !v.is_null(),
    }
}

pub(crate) fn custom_field_set_value(r: &mut Req<'_>, b: &Value) -> Result<Reply, ApiError> {
    let object_id = req_str(b, "objectId")?;
    let object_type = req_str(b, "objectType")?;
    let f = r.st.field_idx(req_str(b, "fieldId")?)?;
    let value = b
        .get("fieldValue")
        .cloned()
        .ok_or_else(|| ApiError::invalid("Missing required field: fieldValue"))?;
    let (obj, idx) = match object_type {
        "Candidate" => (ObjType::Candidate, r.st.candidate_idx(object_id)?),
        "Application" => (ObjType::Application, r.st.application_idx(object_id)?),
        "Job" => (ObjType::Job, r.st.job_idx(object_id)?),
        "Opening" => {
            return Err(ApiError::invalid(
                "objectType: Opening is not supported by the sandbox",
            ));
        }
        _ => {
            return Err(ApiError::invalid(
                "objectType must be one of Application, Candidate, Job, Opening",
            ));
        }
    };
    let def = &r.st.custom_fields[f as usize];
    if def.object_type != object_type {
        return Err(ApiError::invalid(format!(
            "fieldId: the custom field applies to {} objects, not {object_type}",
            def.object_type
        )));
    }
    if !check_value(&def.field_type, &def.selectable, &value) {
        return Err(ApiError::invalid(format!(
            "fieldValue: not a valid value for a {} field",
            def.field_type
        )));
    }
    let vals = r.st.field_values.entry((obj, idx)).or_default();
    match vals.iter_mut().find(|(x, _)| *x == f) {
        Some(slot) => slot.1 = value.clone(),
        None => vals.push((f, value.clone())),
    }
    let now = r.act.now;
    match obj {
        ObjType::Candidate => touch_candidate(r.st, idx, now),
        ObjType::Application => touch_app(r.st, idx, now),
        ObjType::Job => {
            let seq = r.st.bump();
            let j = &mut r.st.jobs[idx as usize];
            j.seq = seq;
            j.updated_at = now;
        }
    }
    Ok(Reply::One(render::field_value(r.st, f, value)))
}

pub(crate) fn tag_list(r: &mut Req<'_>, b: &Value) -> Result<Reply, ApiError> {
    let all = include_archived(b)?;
    let st = &*r.st;
    paginate(
        &r.sync,
        st.seq,
        b,
        ListSpec {
            name: "candidateTag.list",
            len: st.tags.len(),
            include: &|i| all || !st.tags[i].archived,
            seq: &|i| st.tags[i].seq,
            created: &|_| 0,
            render: &|i| render::tag(st, i as u32),
            sync: true,
        },
    )
}

pub(crate) fn tag_create(r: &mut Req<'_>, b: &Value) -> Result<Reply, ApiError> {
    let title = req_str(b, "title")?.trim();
    let existing =
        r.st.tags
            .iter()
            .position(|t| t.title.eq_ignore_ascii_case(title));
    let t = match existing {
        Some(t) => t as u32,
        None => r.st.add_tag(title),
    };
    Ok(Reply::One(render::tag(r.st, t)))
}
