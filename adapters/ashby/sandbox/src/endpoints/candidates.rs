//! candidate.* endpoints.

use serde_json::{Map, Value, json};

use super::{Req, opt_bool, opt_str, opt_str_array, opt_time, req_str};
use crate::actions::{self, NewCandidate, touch_candidate};
use crate::envelope::{ApiError, Reply, iso};
use crate::ids::{Kind, id};
use crate::model::{CandState, Contact, ContactType, EmailMessage, LINK_TYPES, Link, Note};
use crate::render;
use crate::sync::{ListSpec, paginate};

/// At most this many results from candidate.search.
const SEARCH_MAX: usize = 100;

fn valid_email(field: &str, s: &str) -> Result<(), ApiError> {
    let ok = s
        .trim()
        .split_once('@')
        .is_some_and(|(l, d)| !l.is_empty() && d.contains('.') && !d.starts_with('.'))
        && !s.contains(char::is_whitespace);
    if ok {
        Ok(())
    } else {
        Err(ApiError::invalid(format!(
            "{field}: {s:?} is not a valid email address"
        )))
    }
}

fn valid_url(field: &str, s: &str) -> Result<(), ApiError> {
    let ok = (s.starts_with("http://") || s.starts_with("https://"))
        && s.split("://")
            .nth(1)
            .is_some_and(|rest| rest.split('/').next().is_some_and(|h| h.contains('.')))
        && !s.contains(char::is_whitespace);
    if ok {
        Ok(())
    } else {
        Err(ApiError::invalid(format!(
            "{field}: {s:?} is not a valid URL"
        )))
    }
}

fn location_summary(b: &Value) -> Result<Option<String>, ApiError> {
    match b.get("location") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(o)) => {
            let parts: Vec<&str> = ["city", "region", "country"]
                .iter()
                .filter_map(|k| o.get(*k).and_then(Value::as_str))
                .filter(|s| !s.is_empty())
                .collect();
            Ok((!parts.is_empty()).then(|| parts.join(", ")))
        }
        Some(_) => Err(ApiError::invalid(
            "location must be an object {city, region, country}",
        )),
    }
}

fn set_primary(list: &mut Vec<Contact>, value: &str, kind: ContactType, ci: bool) {
    let same = |x: &Contact| {
        if ci {
            x.value.eq_ignore_ascii_case(value)
        } else {
            &*x.value == value
        }
    };
    if let Some(p) = list.iter().position(same) {
        let c = list.remove(p);
        list.insert(0, c);
    } else {
        list.insert(
            0,
            Contact {
                value: value.into(),
                kind,
            },
        );
    }
}

fn set_link(links: &mut Vec<Link>, kind: &'static str, url: &str) {
    links.retain(|l| l.kind != kind);
    links.push(Link {
        kind,
        url: url.into(),
    });
}

pub(crate) fn create(r: &mut Req<'_>, b: &Value) -> Result<Reply, ApiError> {
    let name = req_str(b, "name")?.trim().to_string();
    let email = opt_str(b, "email")?;
    if let Some(e) = email {
        valid_email("email", e)?;
    }
    let alternates = opt_str_array(b, "alternateEmailAddresses")?;
    for e in &alternates {
        valid_email("alternateEmailAddresses", e)?;
    }
    let phone = opt_str(b, "phoneNumber")?;
    let mut links = vec![];
    for (field, kind) in [
        ("linkedInUrl", "LinkedIn"),
        ("githubUrl", "GitHub"),
        ("website", "Website"),
    ] {
        if let Some(u) = opt_str(b, field)? {
            valid_url(field, u)?;
            links.push(Link {
                kind,
                url: u.into(),
            });
        }
    }
    let source = opt_str(b, "sourceId")?
        .map(|s| r.st.source_idx(s))
        .transpose()?;
    let credited = opt_str(b, "creditedToUserId")?
        .map(|s| r.st.user_idx(s))
        .transpose()?;
    let location = location_summary(b)?;
    let created_at = opt_time(b, "createdAt")?;
    let mut emails: Vec<Contact> = email
        .iter()
        .map(|e| Contact {
            value: e.trim().into(),
            kind: ContactType::Personal,
        })
        .collect();
    for a in alternates {
        if !emails.iter().any(|x| x.value.eq_ignore_ascii_case(a)) {
            emails.push(Contact {
                value: a.trim().into(),
                kind: ContactType::Other,
            });
        }
    }
    let c = actions::add_candidate(
        r.st,
        NewCandidate {
            name,
            emails,
            phones: phone
                .iter()
                .map(|p| Contact {
                    value: (*p).into(),
                    kind: ContactType::Personal,
                })
                .collect(),
            links,
            source,
            credited,
            created_at,
            location,
            ..Default::default()
        },
        &r.act,
    );
    Ok(Reply::One(render::candidate(r.st, c)))
}

pub(crate) fn update(r: &mut Req<'_>, b: &Value) -> Result<Reply, ApiError> {
    let c = r.st.candidate_idx(req_str(b, "candidateId")?)?;
    // Validate everything before changing anything.
    let name = opt_str(b, "name")?;
    if name.is_some_and(|n| n.trim().is_empty()) {
        return Err(ApiError::invalid("name must not be empty"));
    }
    let email = opt_str(b, "email")?;
    if let Some(e) = email {
        valid_email("email", e)?;
    }
    let alternate = opt_str(b, "alternateEmail")?;
    if let Some(e) = alternate {
        valid_email("alternateEmail", e)?;
    }
    let phone = opt_str(b, "phoneNumber")?;
    let social: Option<Vec<Link>> = match b.get("socialLinks") {
        None | Some(Value::Null) => None,
        Some(Value::Array(a)) => Some(
            a.iter()
                .map(|x| {
                    let t = x.get("type").and_then(Value::as_str).unwrap_or("");
                    let kind = LINK_TYPES.iter().find(|k| **k == t).ok_or_else(|| {
                        ApiError::invalid(format!("socialLinks: unknown type {t:?}"))
                    })?;
                    let url = x.get("url").and_then(Value::as_str).unwrap_or("");
                    valid_url("socialLinks.url", url)?;
                    Ok(Link {
                        kind,
                        url: url.into(),
                    })
                })
                .collect::<Result<_, ApiError>>()?,
        ),
        Some(_) => return Err(ApiError::invalid("socialLinks must be an array")),
    };
    let mut url_fields = vec![];
    for (field, kind) in [
        ("linkedInUrl", "LinkedIn"),
        ("githubUrl", "GitHub"),
        ("websiteUrl", "Website"),
    ] {
        if let Some(u) = opt_str(b, field)? {
            valid_url(field, u)?;
            url_fields.push((kind, u));
        }
    }
    let source = opt_str(b, "sourceId")?
        .map(|s| r.st.source_idx(s))
        .transpose()?;
    let credited = opt_str(b, "creditedToUserId")?
        .map(|s| r.st.user_idx(s))
        .transpose()?;
    let location = location_summary(b)?;
    let created_at = opt_time(b, "createdAt")?;
    opt_bool(b, "sendNotifications")?;

    r.st.unindex_emails(c);
    {
        let x = &mut r.st.candidates[c as usize];
        if let Some(n) = name {
            x.name = n.trim().into();
        }
        if let Some(e) = email {
            set_primary(&mut x.emails, e.trim(), ContactType::Personal, true);
        }
        if let Some(e) = alternate
            && !x.emails.iter().any(|y| y.value.eq_ignore_ascii_case(e))
        {
            x.emails.push(Contact {
                value: e.trim().into(),
                kind: ContactType::Other,
            });
        }
        if let Some(p) = phone {
            set_primary(&mut x.phones, p.trim(), ContactType::Personal, false);
        }
        match social {
            Some(links) => x.links = links,
            None => {
                for (kind, u) in url_fields {
                    set_link(&mut x.links, kind, u);
                }
            }
        }
        if source.is_some() {
            x.source = source;
        }
        if credited.is_some() {
            x.credited = credited;
        }
        if location.is_some() {
            x.location = location.map(String::into_boxed_str);
        }
        if let Some(t) = created_at {
            x.created_at = t;
        }
    }
    r.st.index_emails(c);
    touch_candidate(r.st, c, r.act.now);
    Ok(Reply::One(render::candidate(r.st, c)))
}

fn norm_name(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

pub(crate) fn search(r: &mut Req<'_>, b: &Value) -> Result<Reply, ApiError> {
    let email = opt_str(b, "email")?.filter(|s| !s.trim().is_empty());
    let name = opt_str(b, "name")?.filter(|s| !s.trim().is_empty());
    if email.is_none() && name.is_none() {
        return Err(ApiError::invalid(
            "At least one of email or name is required",
        ));
    }
    let st = &*r.st;
    let name_q = name.map(norm_name);
    let name_ok = |c: u32| {
        name_q
            .as_ref()
            .is_none_or(|q| norm_name(&st.candidates[c as usize].name).contains(q.as_str()))
    };
    let mut hits: Vec<u32> = match email {
        Some(e) => st
            .email_index
            .get(e.trim().to_lowercase().as_str())
            .cloned()
            .unwrap_or_default()
            .into_iter()
            .filter(|&c| name_ok(c))
            .collect(),
        None => (0..st.candidates.len() as u32)
            .filter(|&c| st.candidates[c as usize].state == CandState::Live && name_ok(c))
            .take(SEARCH_MAX)
            .collect(),
    };
    hits.sort_unstable();
    hits.truncate(SEARCH_MAX);
    Ok(Reply::Array(
        hits.into_iter().map(|c| render::candidate(st, c)).collect(),
    ))
}

pub(crate) fn list(r: &mut Req<'_>, b: &Value) -> Result<Reply, ApiError> {
    let st = &*r.st;
    paginate(
        &r.sync,
        st.seq,
        b,
        ListSpec {
            name: "candidate.list",
            len: st.candidates.len(),
            include: &|i| st.candidates[i].state == CandState::Live,
            seq: &|i| st.candidates[i].seq,
            created: &|i| st.candidates[i].created_at,
            render: &|i| render::candidate(st, i as u32),
            sync: true,
        },
    )
}

pub(crate) fn info(r: &mut Req<'_>, b: &Value) -> Result<Reply, ApiError> {
    let c = match (opt_str(b, "id")?, opt_str(b, "externalMappingId")?) {
        (Some(i), _) => r.st.candidate_idx(i)?,
        (None, Some(_)) => {
            return Err(ApiError::new(
                "candidate_not_found",
                "Candidate not found (the sandbox keeps no external mappings)",
            ));
        }
        (None, None) => return Err(ApiError::invalid("Missing required field: id")),
    };
    Ok(Reply::One(render::candidate(r.st, c)))
}

/// Keeps only the HTML elements Ashby keeps in notes.
fn sanitize_html(s: &str) -> String {
    const KEEP: [&str; 9] = ["b", "i", "u", "a", "ul", "ol", "li", "code", "pre"];
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(start) = rest.find('<') {
        out.push_str(&rest[..start]);
        let Some(end) = rest[start..].find('>') else {
            out.push_str(&rest[start..]);
            return out;
        };
        let tag = &rest[start..start + end + 1];
        let name: String = tag
            .trim_start_matches('<')
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_lowercase();
        if KEEP.contains(&name.as_str()) {
            out.push_str(tag);
        }
        rest = &rest[start + end + 1..];
    }
    out.push_str(rest);
    out
}

pub(crate) fn create_note(r: &mut Req<'_>, b: &Value) -> Result<Reply, ApiError> {
    let c = r.st.candidate_idx(req_str(b, "candidateId")?)?;
    let content = match b.get("note") {
        Some(Value::String(s)) if !s.is_empty() => s.clone(),
        Some(Value::Object(o)) => {
            let v = o
                .get("value")
                .and_then(Value::as_str)
                .ok_or_else(|| ApiError::invalid("note.value must be a string"))?;
            match o.get("type").and_then(Value::as_str) {
                Some("text/plain") => v.to_string(),
                Some("text/html") => sanitize_html(v),
                _ => {
                    return Err(ApiError::invalid(
                        "note.type must be text/plain or text/html",
                    ));
                }
            }
        }
        None | Some(Value::Null) => return Err(ApiError::invalid("Missing required field: note")),
        Some(_) => {
            return Err(ApiError::invalid("note must be a string or {type, value}"));
        }
    };
    let private = opt_bool(b, "isPrivate")?.unwrap_or(false);
    opt_bool(b, "sendNotifications")?;
    let created = opt_time(b, "createdAt")?.unwrap_or(r.act.now);
    let seq = r.st.bump();
    r.st.notes.push(Note {
        candidate: c,
        content,
        private,
        author: r.act.actor,
        created_at: created,
        seq,
    });
    Ok(Reply::One(render::note(r.st, r.st.notes.len() as u32 - 1)))
}

pub(crate) fn list_notes(r: &mut Req<'_>, b: &Value) -> Result<Reply, ApiError> {
    let c = r.st.candidate_idx(req_str(b, "candidateId")?)?;
    let st = &*r.st;
    paginate(
        &r.sync,
        st.seq,
        b,
        ListSpec {
            name: "candidate.listNotes",
            len: st.notes.len(),
            include: &|i| st.notes[i].candidate == c,
            seq: &|i| st.notes[i].seq,
            created: &|i| st.notes[i].created_at,
            render: &|i| render::note(st, i as u32),
            sync: true,
        },
    )
}

pub(crate) fn add_tag(r: &mut Req<'_>, b: &Value) -> Result<Reply, ApiError> {
    let c = r.st.candidate_idx(req_str(b, "candidateId")?)?;
    let t = r.st.tag_idx(req_str(b, "tagId")?)?;
    if !r.st.candidates[c as usize].tags.contains(&t) {
        r.st.candidates[c as usize].tags.push(t);
        touch_candidate(r.st, c, r.act.now);
    }
    Ok(Reply::One(render::candidate(r.st, c)))
}

fn email_json(st: &crate::model::State, m: u32) -> Value {
    let x = &st.emails[m as usize];
    let mut o = Map::new();
    o.insert("id".into(), json!(id(Kind::Email, m)));
    o.insert(
        "candidateId".into(),
        json!(id(Kind::Candidate, x.candidate)),
    );
    o.insert("emailProviderEmailId".into(), json!(x.provider_id));
    for (k, v) in &x.fields {
        o.insert(k.clone(), v.clone());
    }
    Value::Object(o)
}

pub(crate) fn add_email_message(r: &mut Req<'_>, b: &Value) -> Result<Reply, ApiError> {
    let c = r.st.candidate_idx(req_str(b, "candidateId")?)?;
    let provider_id = req_str(b, "emailProviderEmailId")?.to_string();
    let subject = req_str(b, "subject")?;
    let from = req_str(b, "from")?;
    let to = req_str(b, "to")?;
    let body = match b.get("body") {
        Some(Value::String(s)) => s.clone(),
        _ => return Err(ApiError::invalid("Missing required field: body")),
    };
    let idem = (r.key.to_string(), provider_id.clone());
    if let Some(&m) = r.st.email_idempotency.get(&idem) {
        return Ok(Reply::One(email_json(r.st, m)));
    }
    let user = match opt_str(b, "userId")? {
        Some(u) => Some(r.st.user_idx(u)?),
        None => r.act.actor,
    };
    let sent_at = opt_time(b, "sentAt")?.unwrap_or(r.act.now);
    let user_email = user.map(|u| r.st.users[u as usize].email.to_lowercase());
    let mut f = Map::new();
    f.insert("subject".into(), json!(subject));
    f.insert("from".into(), json!(from));
    f.insert("to".into(), json!(to));
    f.insert("body".into(), json!(body));
    f.insert("sentAt".into(), json!(iso(sent_at)));
    f.insert("cc".into(), json!(opt_str(b, "cc")?));
    f.insert("messageUrl".into(), json!(opt_str(b, "messageUrl")?));
    f.insert(
        "messageIdHeader".into(),
        json!(opt_str(b, "messageIdHeader")?),
    );
    f.insert(
        "threadId".into(),
        json!(opt_str(b, "threadId")?.unwrap_or(&provider_id)),
    );
    f.insert(
        "isPrivate".into(),
        json!(opt_bool(b, "isPrivate")?.unwrap_or(false)),
    );
    f.insert(
        "userIsSender".into(),
        json!(user_email.is_some_and(|e| from.to_lowercase().contains(&e))),
    );
    r.st.emails.push(EmailMessage {
        candidate: c,
        provider_id,
        fields: f,
    });
    let m = r.st.emails.len() as u32 - 1;
    r.st.email_idempotency.insert(idem, m);
    r.st.bump();
    Ok(Reply::One(email_json(r.st, m)))
}
