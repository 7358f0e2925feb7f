use crate::ids::{ApplicationId, CandidateId, SourceId, UserId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The kinds of identity a person can be recognised by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IdentityKind {
    /// An email address.
    Email,
    /// A LinkedIn profile URL.
    LinkedIn,
    /// A phone number.
    Phone,
}

/// One raw identity of a person, as a human typed it (not normalized).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Identity {
    /// What kind of identity this is.
    pub kind: IdentityKind,
    /// The value as given.
    pub value: String,
}

impl Identity {
    /// An email identity.
    pub fn email(value: impl Into<String>) -> Self {
        Self {
            kind: IdentityKind::Email,
            value: value.into(),
        }
    }
    /// A LinkedIn profile URL identity.
    pub fn linkedin(value: impl Into<String>) -> Self {
        Self {
            kind: IdentityKind::LinkedIn,
            value: value.into(),
        }
    }
    /// A phone identity.
    pub fn phone(value: impl Into<String>) -> Self {
        Self {
            kind: IdentityKind::Phone,
            value: value.into(),
        }
    }
}

/// What is known about a person: the fields Dover pushes and the ATS keeps.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CandidateProfile {
    /// Full name.
    pub name: String,
    /// Email addresses, primary first.
    pub emails: Vec<String>,
    /// Phone numbers, primary first, as entered.
    pub phones: Vec<String>,
    /// Current job title.
    pub current_title: Option<String>,
    /// Current company.
    pub company: Option<String>,
    /// LinkedIn profile URL.
    pub linkedin_url: Option<String>,
    /// Other links (GitHub, website, …).
    pub other_links: Vec<String>,
    /// Free-text location ("Berlin, Germany").
    pub location: Option<String>,
}

impl CandidateProfile {
    /// Every identity the profile carries (emails, LinkedIn, phones), raw.
    pub fn identities(&self) -> Vec<Identity> {
        let mut out: Vec<Identity> = self.emails.iter().map(Identity::email).collect();
        out.extend(self.linkedin_url.iter().map(Identity::linkedin));
        out.extend(self.phones.iter().map(Identity::phone));
        out
    }
}

/// A candidate as the ATS holds it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Candidate {
    /// The ATS's id.
    pub id: CandidateId,
    /// The person's details as the ATS has them.
    pub profile: CandidateProfile,
    /// The candidate's applications.
    pub application_ids: Vec<ApplicationId>,
    /// The source the ATS credits, if any.
    pub source_id: Option<SourceId>,
    /// When the ATS created the record.
    pub created_at: Option<DateTime<Utc>>,
    /// When the ATS last changed the record.
    pub updated_at: Option<DateTime<Utc>>,
}

/// A candidate to create in the ATS.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewCandidate {
    /// The person's details. `name` is required; the rest is optional.
    pub profile: CandidateProfile,
    /// The source to credit (the connection's "Dover" source).
    pub source_id: Option<SourceId>,
    /// The user to credit (the job link's "post as" user).
    pub credited_to: Option<UserId>,
    /// A sourcing note to attach at creation (fields the ATS has no place for go here).
    pub sourcing_note: Option<String>,
}
