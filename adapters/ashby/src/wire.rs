//! Ashby's JSON shapes, read leniently.
//!
//! Only `id` is required. Every other field may be missing or `null`; lists accept `null` and
//! skip elements they cannot read; enum-like values are kept as strings and interpreted in
//! [`crate::mapping`]; timestamps that are not RFC 3339 read as absent.

use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};
use serde_json::{Map, Value};

/// A list that may be `null` or missing, skipping elements that cannot be read.
pub(crate) fn lenient_vec<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned,
{
    let raw = match Option::<Value>::deserialize(d)? {
        Some(Value::Array(items)) => items,
        _ => Vec::new(),
    };
    Ok(raw
        .into_iter()
        .filter_map(|v| serde_json::from_value(v).ok())
        .collect())
}

/// An optional value that reads as `None` when present but unreadable.
pub(crate) fn lenient<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned,
{
    let raw = Option::<Value>::deserialize(d)?;
    Ok(raw.and_then(|v| serde_json::from_value(v).ok()))
}

/// An RFC 3339 timestamp, or `None` for anything else.
pub(crate) fn time<'de, D: Deserializer<'de>>(d: D) -> Result<Option<DateTime<Utc>>, D::Error> {
    let raw = Option::<Value>::deserialize(d)?;
    Ok(raw
        .as_ref()
        .and_then(Value::as_str)
        .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
        .map(|t| t.with_timezone(&Utc)))
}

/// A string that may come as `null` or missing.
pub(crate) fn opt_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let raw = Option::<Value>::deserialize(d)?;
    Ok(match raw {
        Some(Value::String(s)) => Some(s),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    })
}

/// An email address or phone number entry.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub(crate) struct Contact {
    #[serde(deserialize_with = "opt_string")]
    pub value: Option<String>,
    #[serde(rename = "type", deserialize_with = "opt_string")]
    pub kind: Option<String>,
    #[serde(deserialize_with = "lenient")]
    pub is_primary: Option<bool>,
}

/// A social link (`LinkedIn`, `GitHub`, `Website`, …).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub(crate) struct SocialLink {
    #[serde(rename = "type", deserialize_with = "opt_string")]
    pub kind: Option<String>,
    #[serde(deserialize_with = "opt_string")]
    pub url: Option<String>,
}

/// Any embedded record of which only the id matters.
#[derive(Clone, Debug, Deserialize)]
pub(crate) struct IdRef {
    pub id: String,
}

/// A custom field value on a record.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub(crate) struct CustomFieldValue {
    #[serde(deserialize_with = "opt_string")]
    pub id: Option<String>,
    pub value: Value,
}

/// A candidate's location.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub(crate) struct Location {
    #[serde(deserialize_with = "opt_string")]
    pub location_summary: Option<String>,
}

/// A candidate (candidate.info/list/search/create/update).
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Candidate {
    pub id: String,
    #[serde(default, deserialize_with = "opt_string")]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    pub primary_email_address: Option<Contact>,
    #[serde(default, deserialize_with = "lenient_vec")]
    pub email_addresses: Vec<Contact>,
    #[serde(default, deserialize_with = "lenient")]
    pub primary_phone_number: Option<Contact>,
    #[serde(default, deserialize_with = "lenient_vec")]
    pub phone_numbers: Vec<Contact>,
    #[serde(default, deserialize_with = "lenient_vec")]
    pub social_links: Vec<SocialLink>,
    #[serde(default, deserialize_with = "opt_string")]
    pub position: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub company: Option<String>,
    #[serde(default, deserialize_with = "lenient_vec")]
    pub application_ids: Vec<String>,
    #[serde(default, deserialize_with = "lenient_vec")]
    pub custom_fields: Vec<CustomFieldValue>,
    #[serde(default, deserialize_with = "lenient")]
    pub source: Option<IdRef>,
    #[serde(default, deserialize_with = "lenient")]
    pub location: Option<Location>,
    #[serde(default, deserialize_with = "time")]
    pub created_at: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "time")]
    pub updated_at: Option<DateTime<Utc>>,
}

/// An interview stage (interviewStage.list/info, jobInterviewPlan.info, embedded in
/// applications as `currentInterviewStage`, sometimes with only `id`).
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Stage {
    pub id: String,
    #[serde(default, deserialize_with = "opt_string")]
    pub title: Option<String>,
    #[serde(rename = "type", default, deserialize_with = "opt_string")]
    pub kind: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    pub order_in_interview_plan: Option<i64>,
    #[serde(default, deserialize_with = "opt_string")]
    pub interview_plan_id: Option<String>,
}

/// An archive reason (archiveReason.list, embedded in applications).
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ArchiveReason {
    pub id: String,
    #[serde(default, deserialize_with = "opt_string")]
    pub text: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub reason_type: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    pub is_archived: Option<bool>,
}

/// One entry of an application's stage history.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct HistoryEntry {
    #[serde(default, deserialize_with = "opt_string")]
    pub stage_id: Option<String>,
    #[serde(default, deserialize_with = "time")]
    pub entered_stage_at: Option<DateTime<Utc>>,
}

/// An application (application.info/list/create/changeStage, webhook `data.application`).
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Application {
    pub id: String,
    #[serde(default, deserialize_with = "opt_string")]
    pub status: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    pub candidate: Option<IdRef>,
    #[serde(default, deserialize_with = "lenient")]
    pub job: Option<IdRef>,
    #[serde(default, deserialize_with = "lenient")]
    pub current_interview_stage: Option<Stage>,
    #[serde(default, deserialize_with = "lenient")]
    pub source: Option<IdRef>,
    #[serde(default, deserialize_with = "lenient")]
    pub credited_to_user: Option<IdRef>,
    #[serde(default, deserialize_with = "lenient")]
    pub archive_reason: Option<ArchiveReason>,
    #[serde(default, deserialize_with = "lenient_vec")]
    pub application_history: Vec<HistoryEntry>,
    #[serde(default, deserialize_with = "time")]
    pub created_at: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "time")]
    pub updated_at: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "time")]
    pub archived_at: Option<DateTime<Utc>>,
}

/// A member of a job's hiring team.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub(crate) struct HiringTeamMember {
    #[serde(deserialize_with = "opt_string")]
    pub user_id: Option<String>,
    #[serde(deserialize_with = "opt_string")]
    pub role: Option<String>,
}

/// A job (job.list/info).
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Job {
    pub id: String,
    #[serde(default, deserialize_with = "opt_string")]
    pub title: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub status: Option<String>,
    #[serde(default, deserialize_with = "lenient_vec")]
    pub hiring_team: Vec<HiringTeamMember>,
    #[serde(default, deserialize_with = "opt_string")]
    pub default_interview_plan_id: Option<String>,
}

/// A job's interview plan (jobInterviewPlan.info).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub(crate) struct JobInterviewPlan {
    #[serde(deserialize_with = "opt_string")]
    pub interview_plan_id: Option<String>,
    #[serde(deserialize_with = "lenient_vec")]
    pub stages: Vec<Stage>,
}

/// A user (user.list/info).
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct User {
    pub id: String,
    #[serde(default, deserialize_with = "opt_string")]
    pub first_name: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub last_name: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub email: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    pub is_enabled: Option<bool>,
}

/// A candidate source (source.list).
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Source {
    pub id: String,
    #[serde(default, deserialize_with = "opt_string")]
    pub title: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    pub is_archived: Option<bool>,
}

/// An interviewer on an interview event.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub(crate) struct Interviewer {
    #[serde(deserialize_with = "opt_string")]
    pub email: Option<String>,
}

/// An interview event of a schedule.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub(crate) struct InterviewEvent {
    #[serde(deserialize_with = "time")]
    pub start_time: Option<DateTime<Utc>>,
    #[serde(deserialize_with = "time")]
    pub end_time: Option<DateTime<Utc>>,
    #[serde(deserialize_with = "lenient_vec")]
    pub interviewers: Vec<Interviewer>,
    #[serde(deserialize_with = "lenient")]
    pub extra_data: Option<Map<String, Value>>,
}

/// An interview schedule (interviewSchedule.create/list, webhook `data.interviewSchedule`).
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct InterviewSchedule {
    pub id: String,
    #[serde(default, deserialize_with = "opt_string")]
    pub status: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub application_id: Option<String>,
    #[serde(default, deserialize_with = "lenient_vec")]
    pub interview_events: Vec<InterviewEvent>,
}

/// A note (candidate.createNote/listNotes).
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Note {
    pub id: String,
    #[serde(default, deserialize_with = "opt_string")]
    pub content: Option<String>,
}

/// apiKey.info.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub(crate) struct ApiKeyInfo {
    #[serde(deserialize_with = "opt_string")]
    pub title: Option<String>,
}
