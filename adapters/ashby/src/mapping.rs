//! Ashby wire shapes → the ATS-neutral model.

use crate::wire;
use atsbridge_core::ids::{
    ApplicationId, CandidateId, InterviewId, JobId, RejectionReasonId, SourceId, StageId, UserId,
};
use atsbridge_core::model::{
    ApplicationState, AtsStatus, Candidate, CandidateProfile, Interview, InterviewEvent, Job,
    JobStatus, Outcome, ReasonType, RejectionReason, Source, Stage, StageKind, StageRef, User,
};
use serde_json::Value;

/// The extraData key under which Dover's interview id is stored on each interview event.
pub const EXTERNAL_ID_KEY: &str = "doverInterviewId";

/// Candidate custom fields that hold the current title and company, when configured.
#[derive(Clone, Debug, Default)]
pub(crate) struct ProfileFields {
    pub title: Option<String>,
    pub company: Option<String>,
}

/// A stage `type` → [`StageKind`]; unknown values are kept in `Other`.
pub(crate) fn stage_kind(t: &str) -> StageKind {
    match t {
        "Lead" => StageKind::Lead,
        "PreInterviewScreen" => StageKind::PreInterviewScreen,
        "Active" => StageKind::Active,
        "Offer" => StageKind::Offer,
        "Hired" => StageKind::Hired,
        "Archived" => StageKind::Archived,
        other => StageKind::Other(other.to_owned()),
    }
}

/// An application `status` → [`AtsStatus`]; unknown values are kept in `Other`.
pub(crate) fn status(s: Option<&str>) -> AtsStatus {
    match s {
        Some("Lead") => AtsStatus::Lead,
        Some("Active") => AtsStatus::Active,
        Some("Hired") => AtsStatus::Hired,
        Some("Archived") => AtsStatus::Archived,
        Some(other) => AtsStatus::Other(other.to_owned()),
        None => AtsStatus::Other(String::new()),
    }
}

/// An archive reason's `reasonType` → [`ReasonType`].
pub(crate) fn reason_type(s: Option<&str>) -> ReasonType {
    match s {
        Some("RejectedByOrg") => ReasonType::WeRejected,
        Some("RejectedByCandidate") => ReasonType::TheyWithdrew,
        _ => ReasonType::Other,
    }
}

/// Dover's outcome from Ashby's status and the archive reason's type.
pub(crate) fn outcome(status: &AtsStatus, reason: Option<&ReasonType>) -> Outcome {
    match status {
        AtsStatus::Hired => Outcome::Hired,
        AtsStatus::Archived => match reason {
            Some(ReasonType::TheyWithdrew) => Outcome::Withdrew,
            _ => Outcome::Rejected,
        },
        _ => Outcome::Active,
    }
}

pub(crate) fn rejection_reason(w: &wire::ArchiveReason) -> RejectionReason {
    RejectionReason {
        id: RejectionReasonId::new(w.id.clone()),
        text: w.text.clone().unwrap_or_default(),
        reason_type: reason_type(w.reason_type.as_deref()),
        archived: w.is_archived.unwrap_or(false),
    }
}

pub(crate) fn source(w: &wire::Source) -> Source {
    Source {
        id: SourceId::new(w.id.clone()),
        title: w.title.clone().unwrap_or_default(),
        archived: w.is_archived.unwrap_or(false),
    }
}

pub(crate) fn user(w: &wire::User) -> User {
    let name = [w.first_name.as_deref(), w.last_name.as_deref()]
        .into_iter()
        .flatten()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    let name = if name.is_empty() {
        w.email.clone().unwrap_or_else(|| w.id.clone())
    } else {
        name
    };
    User {
        id: UserId::new(w.id.clone()),
        name,
        email: w.email.clone().filter(|e| !e.trim().is_empty()),
        enabled: w.is_enabled.unwrap_or(true),
    }
}

pub(crate) fn job_status(s: Option<&str>) -> JobStatus {
    match s {
        Some("Open") => JobStatus::Open,
        Some("Draft") => JobStatus::Draft,
        Some("Closed") => JobStatus::Closed,
        Some("Archived") => JobStatus::Archived,
        Some(other) => JobStatus::Other(other.to_owned()),
        None => JobStatus::Other(String::new()),
    }
}

pub(crate) fn job(w: &wire::Job) -> Job {
    let mut team: Vec<&wire::HiringTeamMember> = w
        .hiring_team
        .iter()
        .filter(|m| m.user_id.is_some())
        .collect();
    // Hiring managers first, otherwise Ashby's order.
    team.sort_by_key(|m| {
        !m.role
            .as_deref()
            .is_some_and(|r| r.eq_ignore_ascii_case("hiring manager"))
    });
    let mut hiring_team: Vec<UserId> = Vec::new();
    for m in team {
        let id = UserId::new(m.user_id.clone().unwrap_or_default());
        if !hiring_team.contains(&id) {
            hiring_team.push(id);
        }
    }
    Job {
        id: JobId::new(w.id.clone()),
        title: w.title.clone().unwrap_or_default(),
        status: job_status(w.status.as_deref()),
        hiring_team,
    }
}

/// The plan's stages sorted by `orderInInterviewPlan` (Ashby's order for ties and missing
/// values), numbered 0, 1, 2, … in that order.
pub(crate) fn stages(mut w: Vec<wire::Stage>) -> Vec<Stage> {
    // Stable sort: stages without an order keep their place after the ordered ones.
    w.sort_by_key(|s| s.order_in_interview_plan.unwrap_or(i64::MAX));
    w.into_iter()
        .enumerate()
        .map(|(i, s)| Stage {
            id: StageId::new(s.id),
            title: s.title.unwrap_or_default(),
            kind: stage_kind(s.kind.as_deref().unwrap_or("")),
            order: i as u32,
        })
        .collect()
}

fn push_unique(out: &mut Vec<String>, value: Option<&str>, same: impl Fn(&str, &str) -> bool) {
    let Some(v) = value.map(str::trim).filter(|v| !v.is_empty()) else {
        return;
    };
    if !out.iter().any(|o| same(o, v)) {
        out.push(v.to_owned());
    }
}

fn digits(s: &str) -> String {
    s.chars().filter(char::is_ascii_digit).collect()
}

fn is_linkedin(l: &wire::SocialLink) -> bool {
    l.kind
        .as_deref()
        .is_some_and(|k| k.eq_ignore_ascii_case("linkedin"))
        || l.url
            .as_deref()
            .is_some_and(|u| u.to_ascii_lowercase().contains("linkedin.com/"))
}

fn custom_text(fields: &[wire::CustomFieldValue], id: Option<&str>) -> Option<String> {
    let id = id?;
    let f = fields.iter().find(|f| f.id.as_deref() == Some(id))?;
    match &f.value {
        Value::String(s) if !s.trim().is_empty() => Some(s.clone()),
        _ => None,
    }
}

/// A candidate with every identity it carries: all emails (primary first), all phones, the
/// LinkedIn URL from `socialLinks`; title and company from the configured custom fields, falling
/// back to Ashby's `position` / `company`.
pub(crate) fn candidate(w: wire::Candidate, fields: &ProfileFields) -> Candidate {
    let mut emails = Vec::new();
    let same_email = |a: &str, b: &str| a.eq_ignore_ascii_case(b);
    push_unique(
        &mut emails,
        w.primary_email_address
            .as_ref()
            .and_then(|c| c.value.as_deref()),
        same_email,
    );
    for c in &w.email_addresses {
        push_unique(&mut emails, c.value.as_deref(), same_email);
    }
    let mut phones = Vec::new();
    let same_phone = |a: &str, b: &str| {
        let (da, db) = (digits(a), digits(b));
        if da.is_empty() { a == b } else { da == db }
    };
    push_unique(
        &mut phones,
        w.primary_phone_number
            .as_ref()
            .and_then(|c| c.value.as_deref()),
        same_phone,
    );
    for c in &w.phone_numbers {
        push_unique(&mut phones, c.value.as_deref(), same_phone);
    }
    let linkedin_url = w
        .social_links
        .iter()
        .find(|l| is_linkedin(l))
        .and_then(|l| l.url.clone());
    let other_links = w
        .social_links
        .iter()
        .filter(|l| !is_linkedin(l))
        .filter_map(|l| l.url.clone())
        .filter(|u| !u.trim().is_empty())
        .collect();
    let current_title = custom_text(&w.custom_fields, fields.title.as_deref())
        .or_else(|| w.position.clone().filter(|s| !s.trim().is_empty()));
    let company = custom_text(&w.custom_fields, fields.company.as_deref())
        .or_else(|| w.company.clone().filter(|s| !s.trim().is_empty()));
    Candidate {
        id: CandidateId::new(w.id),
        profile: CandidateProfile {
            name: w.name.unwrap_or_default(),
            emails,
            phones,
            current_title,
            company,
            linkedin_url,
            other_links,
            location: w
                .location
                .and_then(|l| l.location_summary)
                .filter(|s| !s.trim().is_empty()),
        },
        application_ids: w
            .application_ids
            .into_iter()
            .map(ApplicationId::new)
            .collect(),
        source_id: w.source.map(|s| SourceId::new(s.id)),
        created_at: w.created_at,
        updated_at: w.updated_at,
    }
}

/// An application's state. Fails (with the reason) when Ashby left out the candidate, the job
/// or the current stage, without which the state means nothing.
///
/// `hired_at`: for a hired application, when it entered its current stage according to
/// `applicationHistory` (present on `application.info`), else `updatedAt`. `archived_at`:
/// Ashby's `archivedAt`, else the same history rule.
pub(crate) fn application(w: wire::Application) -> Result<ApplicationState, String> {
    let candidate = w.candidate.ok_or("the application has no candidate")?;
    let job = w.job.ok_or("the application has no job")?;
    let stage = w
        .current_interview_stage
        .ok_or("the application has no current stage")?;
    let status = status(w.status.as_deref());
    let archive_reason = w.archive_reason.as_ref().map(rejection_reason);
    let outcome = outcome(&status, archive_reason.as_ref().map(|r| &r.reason_type));
    let entered_current = w
        .application_history
        .iter()
        .rev()
        .find(|h| h.stage_id.as_deref() == Some(stage.id.as_str()))
        .and_then(|h| h.entered_stage_at);
    let hired_at = match status {
        AtsStatus::Hired => entered_current.or(w.updated_at),
        _ => None,
    };
    let archived_at = match status {
        AtsStatus::Archived => w.archived_at.or(entered_current).or(w.updated_at),
        _ => w.archived_at,
    };
    Ok(ApplicationState {
        id: ApplicationId::new(w.id),
        candidate_id: CandidateId::new(candidate.id),
        job_id: JobId::new(job.id),
        stage: StageRef {
            id: StageId::new(stage.id),
            title: stage.title,
            kind: stage.kind.as_deref().map(stage_kind),
        },
        status,
        outcome,
        archive_reason,
        source_id: w.source.map(|s| SourceId::new(s.id)),
        credited_to: w.credited_to_user.map(|u| UserId::new(u.id)),
        created_at: w.created_at,
        updated_at: w.updated_at,
        archived_at,
        hired_at,
    })
}

/// Dover's interview id stored on a schedule's events, if any.
pub(crate) fn external_id(w: &wire::InterviewSchedule) -> Option<String> {
    w.interview_events.iter().find_map(|e| {
        e.extra_data
            .as_ref()?
            .get(EXTERNAL_ID_KEY)?
            .as_str()
            .map(str::to_owned)
    })
}

/// An interview schedule. `application` is used when the schedule does not name its own.
pub(crate) fn interview(
    w: wire::InterviewSchedule,
    application: Option<&ApplicationId>,
) -> Interview {
    let external_id = external_id(&w);
    let application_id = w
        .application_id
        .clone()
        .map(ApplicationId::new)
        .or_else(|| application.cloned())
        .unwrap_or_else(|| ApplicationId::new(""));
    let events = w
        .interview_events
        .iter()
        .filter_map(|e| {
            Some(InterviewEvent {
                start: e.start_time?,
                end: e.end_time?,
                interviewer_emails: e
                    .interviewers
                    .iter()
                    .filter_map(|i| i.email.clone())
                    .collect(),
            })
        })
        .collect();
    Interview {
        id: InterviewId::new(w.id),
        application_id,
        external_id,
        status: w.status.unwrap_or_else(|| "Unknown".to_owned()),
        events,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_enum_values_are_kept() {
        assert_eq!(stage_kind("Sourcing"), StageKind::Other("Sourcing".into()));
        assert_eq!(status(Some("Paused")), AtsStatus::Other("Paused".into()));
        assert_eq!(
            job_status(Some("Frozen")),
            JobStatus::Other("Frozen".into())
        );
        assert_eq!(reason_type(Some("Mystery")), ReasonType::Other);
        assert_eq!(reason_type(None), ReasonType::Other);
    }

    #[test]
    fn outcome_follows_status_and_reason_type() {
        assert_eq!(outcome(&AtsStatus::Hired, None), Outcome::Hired);
        assert_eq!(
            outcome(&AtsStatus::Archived, Some(&ReasonType::TheyWithdrew)),
            Outcome::Withdrew
        );
        assert_eq!(
            outcome(&AtsStatus::Archived, Some(&ReasonType::WeRejected)),
            Outcome::Rejected
        );
        assert_eq!(
            outcome(&AtsStatus::Archived, Some(&ReasonType::Other)),
            Outcome::Rejected
        );
        assert_eq!(outcome(&AtsStatus::Lead, None), Outcome::Active);
        assert_eq!(
            outcome(&AtsStatus::Other("x".into()), None),
            Outcome::Active
        );
    }

    #[test]
    fn stages_sort_by_plan_order() {
        let w: Vec<wire::Stage> = serde_json::from_value(serde_json::json!([
            {"id": "s3", "title": "Offer", "type": "Offer", "orderInInterviewPlan": 7},
            {"id": "s1", "title": "New", "type": "Lead", "orderInInterviewPlan": 0},
            {"id": "s2", "title": "Screen", "type": "Weird", "orderInInterviewPlan": 2},
        ]))
        .unwrap();
        let s = stages(w);
        assert_eq!(
            s.iter().map(|s| s.id.as_str()).collect::<Vec<_>>(),
            ["s1", "s2", "s3"]
        );
        assert_eq!(s.iter().map(|s| s.order).collect::<Vec<_>>(), [0, 1, 2]);
        assert_eq!(s[1].kind, StageKind::Other("Weird".into()));
    }
}
