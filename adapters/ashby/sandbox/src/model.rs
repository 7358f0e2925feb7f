//! The sandbox's own model of an Ashby organization.
//!
//! Records live in vectors and are addressed by index; ids are derived from
//! the index (see `ids`). Every write stamps the record with the next value of
//! a global change sequence (`State::seq`), which is what sync tokens compare.

use std::collections::HashMap;

use serde_json::Value;

use crate::envelope::ApiError;
use crate::ids::{self, Kind};

/// Milliseconds since the Unix epoch.
pub(crate) type Ms = i64;

/// Interview stage types (also the stage-group `stageType` enum).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum StageType {
    Lead,
    PreInterviewScreen,
    Active,
    Offer,
    Hired,
    Archived,
}

impl StageType {
    pub(crate) const ALL: [StageType; 6] = [
        StageType::Lead,
        StageType::PreInterviewScreen,
        StageType::Active,
        StageType::Offer,
        StageType::Hired,
        StageType::Archived,
    ];
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            StageType::Lead => "Lead",
            StageType::PreInterviewScreen => "PreInterviewScreen",
            StageType::Active => "Active",
            StageType::Offer => "Offer",
            StageType::Hired => "Hired",
            StageType::Archived => "Archived",
        }
    }
    pub(crate) fn parse(s: &str) -> Option<StageType> {
        StageType::ALL.into_iter().find(|t| t.as_str() == s)
    }
    /// The application status an application in a stage of this type has.
    pub(crate) fn status(self) -> &'static str {
        match self {
            StageType::Lead => "Lead",
            StageType::PreInterviewScreen | StageType::Active | StageType::Offer => "Active",
            StageType::Hired => "Hired",
            StageType::Archived => "Archived",
        }
    }
}

#[derive(Clone, Debug)]
pub(crate) struct User {
    pub first: String,
    pub last: String,
    pub email: String,
    pub global_role: String,
    pub enabled: bool,
    pub updated_at: Ms,
    pub seq: u64,
}

#[derive(Clone, Debug)]
pub(crate) struct Plan {
    pub title: String,
    pub archived: bool,
    pub created_at: Ms,
    pub updated_at: Ms,
    pub seq: u64,
    /// Stage indices in plan order.
    pub stages: Vec<u32>,
    /// Stage-group indices in order.
    pub groups: Vec<u32>,
}

#[derive(Clone, Debug)]
pub(crate) struct Stage {
    pub plan: u32,
    pub title: String,
    pub kind: StageType,
    pub order: u32,
    pub group: Option<u32>,
}

#[derive(Clone, Debug)]
pub(crate) struct StageGroup {
    pub title: String,
    pub order: u32,
    pub kind: StageType,
}

#[derive(Clone, Debug)]
pub(crate) struct HiringTeamMember {
    pub user: u32,
    pub role: String,
}

#[derive(Clone, Debug)]
pub(crate) struct Job {
    pub title: String,
    pub status: String,
    pub employment_type: String,
    pub confidential: bool,
    pub location: u32,
    pub department: u32,
    pub default_plan: Option<u32>,
    pub plans: Vec<u32>,
    pub hiring_team: Vec<HiringTeamMember>,
    pub author: Option<u32>,
    pub requisition_id: Option<String>,
    pub created_at: Ms,
    pub updated_at: Ms,
    pub opened_at: Option<Ms>,
    pub closed_at: Option<Ms>,
    pub seq: u64,
}

#[derive(Clone, Debug)]
pub(crate) struct SourceType {
    pub title: String,
}

#[derive(Clone, Debug)]
pub(crate) struct Source {
    pub title: String,
    pub archived: bool,
    pub source_type: u32,
}

#[derive(Clone, Debug)]
pub(crate) struct ArchiveReason {
    pub text: String,
    pub reason_type: String,
    pub archived: bool,
}

#[derive(Clone, Debug)]
pub(crate) struct CustomField {
    pub title: String,
    pub object_type: String,
    pub field_type: String,
    pub archived: bool,
    pub private: bool,
    pub required: bool,
    /// (label, value) pairs for select fields.
    pub selectable: Vec<(String, String)>,
    pub seq: u64,
}

#[derive(Clone, Debug)]
pub(crate) struct Tag {
    pub title: String,
    pub archived: bool,
    pub seq: u64,
}

#[derive(Clone, Debug)]
pub(crate) struct Interview {
    pub title: String,
    pub archived: bool,
    pub debrief: bool,
    pub job: Option<u32>,
    pub instructions: Option<String>,
    pub seq: u64,
}

/// Contact type of an email address or phone number.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum ContactType {
    Personal,
    Work,
    Other,
}

impl ContactType {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            ContactType::Personal => "Personal",
            ContactType::Work => "Work",
            ContactType::Other => "Other",
        }
    }
}

/// An email address or phone number; the first of a list is the primary one.
#[derive(Clone, Debug)]
pub(crate) struct Contact {
    pub value: Box<str>,
    pub kind: ContactType,
}

/// A social link `(type, url)`; type is one of Ashby's social link types.
#[derive(Clone, Debug)]
pub(crate) struct Link {
    pub kind: &'static str,
    pub url: Box<str>,
}

/// Social link types Ashby accepts.
pub(crate) const LINK_TYPES: [&str; 8] = [
    "LinkedIn",
    "GitHub",
    "Twitter",
    "Medium",
    "StackOverflow",
    "YouTube",
    "CodePen",
    "Website",
];

/// Life cycle of a candidate.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum CandState {
    Live,
    Deleted,
    /// Merged into the candidate with this index.
    Merged(u32),
}

#[derive(Clone, Debug)]
pub(crate) struct Candidate {
    pub name: Box<str>,
    pub emails: Vec<Contact>,
    pub phones: Vec<Contact>,
    pub links: Vec<Link>,
    pub tags: Vec<u32>,
    pub position: Option<Box<str>>,
    pub company: Option<Box<str>>,
    pub school: Option<Box<str>>,
    pub location: Option<Box<str>>,
    pub timezone: Option<Box<str>>,
    pub applications: Vec<u32>,
    pub source: Option<u32>,
    pub credited: Option<u32>,
    pub created_at: Ms,
    pub updated_at: Ms,
    pub seq: u64,
    pub state: CandState,
}

#[derive(Clone, Debug)]
pub(crate) struct HistoryEntry {
    pub stage: u32,
    pub entered: Ms,
    pub left: Option<Ms>,
    pub actor: Option<u32>,
}

#[derive(Clone, Debug)]
pub(crate) struct Application {
    pub candidate: u32,
    pub job: u32,
    pub stage: u32,
    pub source: Option<u32>,
    pub credited: Option<u32>,
    pub archive_reason: Option<u32>,
    pub archived_at: Option<Ms>,
    pub created_at: Ms,
    pub updated_at: Ms,
    pub seq: u64,
    pub history: Vec<HistoryEntry>,
    pub deleted: bool,
}

#[derive(Clone, Debug)]
pub(crate) struct Note {
    pub candidate: u32,
    pub content: String,
    pub private: bool,
    pub author: Option<u32>,
    pub created_at: Ms,
    pub seq: u64,
}

#[derive(Clone, Debug)]
pub(crate) struct EmailMessage {
    pub candidate: u32,
    pub provider_id: String,
    pub fields: serde_json::Map<String, Value>,
}

#[derive(Clone, Debug)]
pub(crate) struct InterviewEvent {
    pub id: u32,
    pub interview: u32,
    pub start: String,
    pub end: String,
    pub interviewers: Vec<(u32, bool)>,
    pub extra: Option<serde_json::Map<String, Value>>,
    pub created_at: Ms,
    pub updated_at: Ms,
}

#[derive(Clone, Debug)]
pub(crate) struct Schedule {
    pub application: u32,
    pub stage: u32,
    pub status: &'static str,
    pub created_by_key: String,
    pub scheduled_by: Option<u32>,
    pub events: Vec<InterviewEvent>,
    pub created_at: Ms,
    pub updated_at: Ms,
    pub seq: u64,
}

#[derive(Clone, Debug)]
pub(crate) struct Webhook {
    pub kind: String,
    pub url: String,
    pub secret: String,
    pub enabled: bool,
    pub deleted: bool,
}

/// An API key the sandbox accepts.
#[derive(Clone, Debug)]
pub(crate) struct ApiKey {
    pub title: String,
    pub perms: u32,
    pub user: Option<u32>,
    pub created_at: Ms,
}

/// Object types that custom field values attach to.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub(crate) enum ObjType {
    Candidate,
    Application,
    Job,
}

/// The whole organization.
#[derive(Default, Clone)]
pub(crate) struct State {
    pub seq: u64,
    pub users: Vec<User>,
    pub plans: Vec<Plan>,
    pub stages: Vec<Stage>,
    pub groups: Vec<StageGroup>,
    pub jobs: Vec<Job>,
    pub source_types: Vec<SourceType>,
    pub sources: Vec<Source>,
    pub archive_reasons: Vec<ArchiveReason>,
    pub custom_fields: Vec<CustomField>,
    pub tags: Vec<Tag>,
    pub interviews: Vec<Interview>,
    pub candidates: Vec<Candidate>,
    pub applications: Vec<Application>,
    pub notes: Vec<Note>,
    pub emails: Vec<EmailMessage>,
    pub schedules: Vec<Schedule>,
    pub next_event: u32,
    pub webhooks: Vec<Webhook>,
    pub keys: HashMap<String, ApiKey>,
    /// Lower-cased email → candidate indices (live candidates only).
    pub email_index: HashMap<Box<str>, Vec<u32>>,
    /// (API key, emailProviderEmailId) → email message index.
    pub email_idempotency: HashMap<(String, String), u32>,
    /// Custom field values per object.
    pub field_values: HashMap<(ObjType, u32), Vec<(u32, Value)>>,
    pub departments: u32,
    pub locations: u32,
}

/// Resolves a request id field into a record index, with Ashby's error codes.
macro_rules! lookup_fn {
    ($name:ident, $kind:expr, $vec:ident, $code:literal, $what:literal) => {
        pub(crate) fn $name(&self, id: &str) -> Result<u32, ApiError> {
            match ids::parse($kind, id) {
                Some(i) if (i as usize) < self.$vec.len() => Ok(i as u32),
                _ if !ids::is_uuid(id) => Err(ApiError::invalid(format!(
                    "{} must be a valid UUID, got {:?}",
                    $what, id
                ))),
                _ => Err(ApiError::new($code, concat!($what, " not found"))),
            }
        }
    };
}

impl State {
    /// Advances the global change sequence and returns the new value.
    pub(crate) fn bump(&mut self) -> u64 {
        self.seq += 1;
        self.seq
    }

    lookup_fn!(user_idx, Kind::User, users, "user_not_found", "User");
    lookup_fn!(job_idx, Kind::Job, jobs, "job_not_found", "Job");
    lookup_fn!(
        plan_idx,
        Kind::Plan,
        plans,
        "interview_plan_not_found",
        "Interview plan"
    );
    lookup_fn!(
        stage_idx,
        Kind::Stage,
        stages,
        "interview_stage_not_found",
        "Interview stage"
    );
    lookup_fn!(
        source_idx,
        Kind::Source,
        sources,
        "source_not_found",
        "Source"
    );
    lookup_fn!(
        reason_idx,
        Kind::ArchiveReason,
        archive_reasons,
        "archive_reason_not_found",
        "Archive reason"
    );
    lookup_fn!(
        field_idx,
        Kind::CustomField,
        custom_fields,
        "custom_field_not_found",
        "Custom field"
    );
    lookup_fn!(tag_idx, Kind::Tag, tags, "tag_not_found", "Tag");
    lookup_fn!(
        interview_idx,
        Kind::Interview,
        interviews,
        "interview_not_found",
        "Interview"
    );
    lookup_fn!(
        schedule_idx,
        Kind::Schedule,
        schedules,
        "interview_schedule_not_found",
        "Interview schedule"
    );
    lookup_fn!(
        webhook_idx_any,
        Kind::Webhook,
        webhooks,
        "webhook_not_found",
        "Webhook"
    );

    /// A live candidate (merged and deleted ones are not found).
    pub(crate) fn candidate_idx(&self, id: &str) -> Result<u32, ApiError> {
        match ids::parse(Kind::Candidate, id) {
            Some(i)
                if (i as usize) < self.candidates.len()
                    && self.candidates[i as usize].state == CandState::Live =>
            {
                Ok(i as u32)
            }
            _ if !ids::is_uuid(id) => Err(ApiError::invalid(format!(
                "candidateId must be a valid UUID, got {id:?}"
            ))),
            _ => Err(ApiError::new("candidate_not_found", "Candidate not found")),
        }
    }

    /// A live application.
    pub(crate) fn application_idx(&self, id: &str) -> Result<u32, ApiError> {
        match ids::parse(Kind::Application, id) {
            Some(i)
                if (i as usize) < self.applications.len()
                    && !self.applications[i as usize].deleted =>
            {
                Ok(i as u32)
            }
            _ if !ids::is_uuid(id) => Err(ApiError::invalid(format!(
                "applicationId must be a valid UUID, got {id:?}"
            ))),
            _ => Err(ApiError::new(
                "application_not_found",
                "Application not found - are you lacking permissions to edit candidates?",
            )),
        }
    }

    /// A webhook that has not been deleted.
    pub(crate) fn webhook_idx(&self, id: &str) -> Result<u32, ApiError> {
        let i = self.webhook_idx_any(id)?;
        if self.webhooks[i as usize].deleted {
            return Err(ApiError::new("webhook_not_found", "Webhook not found"));
        }
        Ok(i)
    }

    /// Stage type of the application's current stage.
    pub(crate) fn app_stage_type(&self, a: u32) -> StageType {
        self.stages[self.applications[a as usize].stage as usize].kind
    }

    /// Registers a candidate's emails in the email index.
    pub(crate) fn index_emails(&mut self, c: u32) {
        let keys: Vec<Box<str>> = self.candidates[c as usize]
            .emails
            .iter()
            .map(|e| e.value.to_lowercase().into_boxed_str())
            .collect();
        for k in keys {
            let v = self.email_index.entry(k).or_default();
            if !v.contains(&c) {
                v.push(c);
            }
        }
    }

    /// Removes a candidate from the email index.
    pub(crate) fn unindex_emails(&mut self, c: u32) {
        let keys: Vec<String> = self.candidates[c as usize]
            .emails
            .iter()
            .map(|e| e.value.to_lowercase())
            .collect();
        for k in keys {
            if let Some(v) = self.email_index.get_mut(k.as_str()) {
                v.retain(|&x| x != c);
                if v.is_empty() {
                    self.email_index.remove(k.as_str());
                }
            }
        }
    }

    /// The first stage of `kind` in `plan`, in plan order.
    pub(crate) fn first_stage_of(&self, plan: u32, kind: StageType) -> Option<u32> {
        self.plans[plan as usize]
            .stages
            .iter()
            .copied()
            .find(|&s| self.stages[s as usize].kind == kind)
    }

    /// Number of live candidates.
    pub(crate) fn live_candidates(&self) -> usize {
        self.candidates
            .iter()
            .filter(|c| c.state == CandState::Live)
            .count()
    }
}
