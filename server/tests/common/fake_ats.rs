//! A small in-memory ATS behind the `AtsAdapter` contract, with faults: 503 before a call is
//! applied, a write applied and its response lost, and 429 with a short Retry-After. It counts
//! every record so tests can check "exactly once in effect" without a sandbox.
#![allow(dead_code)]

use async_trait::async_trait;
use atsbridge_core::ids::*;
use atsbridge_core::model::*;
use atsbridge_core::{AtsAdapter, AtsError, Capabilities};
use parking_lot::Mutex;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::collections::BTreeMap;
use std::time::Duration;

#[derive(Clone, Copy, Debug, Default)]
pub struct FakeFaults {
    pub fail_rate: f64,
    pub drop_response_rate: f64,
    pub rate_limit_rate: f64,
}

#[derive(Debug, Default)]
pub struct FakeState {
    pub candidates: Vec<Candidate>,
    pub applications: Vec<ApplicationState>,
    pub interviews: Vec<Interview>,
    pub emails: Vec<String>,
    pub notes: Vec<NoteId>,
    pub calls: BTreeMap<&'static str, u64>,
    next: u64,
}

#[derive(Debug)]
pub struct FakeAts {
    pub state: Mutex<FakeState>,
    pub faults: Mutex<FakeFaults>,
    rng: Mutex<StdRng>,
    pub stages: Vec<Stage>,
    pub reasons: Vec<RejectionReason>,
}

pub const JOB: &str = "job-1";

impl FakeAts {
    pub fn new(faults: FakeFaults, seed: u64) -> Self {
        let st = |id: &str, kind: StageKind, order| Stage {
            id: StageId::new(id),
            title: id.to_owned(),
            kind,
            order,
        };
        let r = |id: &str, text: &str, t: ReasonType| RejectionReason {
            id: RejectionReasonId::new(id),
            text: text.to_owned(),
            reason_type: t,
            archived: false,
        };
        FakeAts {
            state: Mutex::new(FakeState::default()),
            faults: Mutex::new(faults),
            rng: Mutex::new(StdRng::seed_from_u64(seed)),
            stages: vec![
                st("s-lead", StageKind::Lead, 0),
                st("s-screen", StageKind::PreInterviewScreen, 1),
                st("s-onsite", StageKind::Active, 2),
                st("s-offer", StageKind::Offer, 3),
                st("s-archived", StageKind::Archived, 4),
            ],
            reasons: vec![
                r("r-skills", "Lacks skills", ReasonType::WeRejected),
                r("r-withdrew", "Candidate withdrew", ReasonType::TheyWithdrew),
            ],
        }
    }

    fn id(&self, prefix: &str) -> String {
        let mut s = self.state.lock();
        s.next += 1;
        format!("{prefix}-{}", s.next)
    }

    /// Decides the call's fate: Err = fail before; Ok(true) = apply then drop the response.
    fn fate(&self, op: &'static str, write: bool) -> Result<bool, AtsError> {
        *self.state.lock().calls.entry(op).or_default() += 1;
        let f = *self.faults.lock();
        let (a, b, c): (f64, f64, f64) = {
            let mut r = self.rng.lock();
            (r.random(), r.random(), r.random())
        };
        if c < f.rate_limit_rate {
            return Err(AtsError::rate_limited(
                Some(Duration::from_millis(300)),
                "slow down",
            ));
        }
        if a < f.fail_rate {
            return Err(AtsError::unavailable("503 injected"));
        }
        Ok(write && b < f.drop_response_rate)
    }

    fn lost() -> AtsError {
        AtsError::unavailable("response lost after the write was applied").with_maybe_applied(true)
    }

    pub fn stage_of(&self, app: &str) -> Option<String> {
        self.state
            .lock()
            .applications
            .iter()
            .find(|a| a.id.as_str() == app)
            .map(|a| a.stage.id.to_string())
    }
}

fn stage_ref(s: &Stage) -> StageRef {
    StageRef {
        id: s.id.clone(),
        title: Some(s.title.clone()),
        kind: Some(s.kind.clone()),
    }
}

#[async_trait]
impl AtsAdapter for FakeAts {
    fn kind(&self) -> &'static str {
        "fake"
    }
    fn capabilities(&self) -> Capabilities {
        Capabilities::all()
    }
    async fn list_job_stages(&self, _job: &JobId) -> atsbridge_core::Result<Vec<Stage>> {
        self.fate("list_job_stages", false)?;
        Ok(self.stages.clone())
    }
    async fn list_rejection_reasons(&self) -> atsbridge_core::Result<Vec<RejectionReason>> {
        self.fate("list_rejection_reasons", false)?;
        Ok(self.reasons.clone())
    }
    async fn find_candidates(&self, identity: &Identity) -> atsbridge_core::Result<Vec<Candidate>> {
        self.fate("find_candidates", false)?;
        if identity.kind != IdentityKind::Email {
            return Err(AtsError::invalid_input(
                Some("identity"),
                "only emails can be searched",
            ));
        }
        let want = identity.value.trim().to_lowercase();
        Ok(self
            .state
            .lock()
            .candidates
            .iter()
            .filter(|c| {
                c.profile
                    .emails
                    .iter()
                    .any(|e| e.trim().to_lowercase() == want)
            })
            .cloned()
            .collect())
    }
    async fn create_candidate(&self, n: &NewCandidate) -> atsbridge_core::Result<Candidate> {
        let drop = self.fate("create_candidate", true)?;
        let c = Candidate {
            id: CandidateId::new(self.id("cand")),
            profile: n.profile.clone(),
            application_ids: vec![],
            source_id: n.source_id.clone(),
            created_at: None,
            updated_at: None,
        };
        self.state.lock().candidates.push(c.clone());
        if drop { Err(Self::lost()) } else { Ok(c) }
    }
    async fn find_application(
        &self,
        c: &CandidateId,
        j: &JobId,
    ) -> atsbridge_core::Result<Option<ApplicationState>> {
        self.fate("find_application", false)?;
        let s = self.state.lock();
        if !s.candidates.iter().any(|x| &x.id == c) {
            return Err(AtsError::not_found("no such candidate"));
        }
        Ok(s.applications
            .iter()
            .find(|a| &a.candidate_id == c && &a.job_id == j)
            .cloned())
    }
    async fn create_application(
        &self,
        n: &NewApplication,
    ) -> atsbridge_core::Result<ApplicationState> {
        let drop = self.fate("create_application", true)?;
        let stage = match &n.stage_id {
            Some(id) => self
                .stages
                .iter()
                .find(|s| &s.id == id)
                .ok_or_else(|| AtsError::not_found("no such stage"))?,
            None => &self.stages[0],
        };
        let app = ApplicationState {
            id: ApplicationId::new(self.id("app")),
            candidate_id: n.candidate_id.clone(),
            job_id: n.job_id.clone(),
            stage: stage_ref(stage),
            status: AtsStatus::Active,
            outcome: Outcome::Active,
            archive_reason: None,
            source_id: n.source_id.clone(),
            credited_to: n.credited_to.clone(),
            created_at: None,
            updated_at: None,
            archived_at: None,
            hired_at: None,
        };
        self.state.lock().applications.push(app.clone());
        if drop { Err(Self::lost()) } else { Ok(app) }
    }
    async fn move_stage(
        &self,
        a: &ApplicationId,
        stage: &StageId,
    ) -> atsbridge_core::Result<ApplicationState> {
        let drop = self.fate("move_stage", true)?;
        let st = self
            .stages
            .iter()
            .find(|s| &s.id == stage)
            .ok_or_else(|| AtsError::not_found("no such stage"))?;
        let mut s = self.state.lock();
        let app = s
            .applications
            .iter_mut()
            .find(|x| &x.id == a)
            .ok_or_else(|| AtsError::not_found("no app"))?;
        app.stage = stage_ref(st);
        let out = app.clone();
        drop_or(drop, out)
    }
    async fn archive(&self, r: &ArchiveRequest) -> atsbridge_core::Result<ApplicationState> {
        let drop = self.fate("archive", true)?;
        let reason = self
            .reasons
            .iter()
            .find(|x| x.id == r.reason_id)
            .ok_or_else(|| AtsError::not_found("reason"))?;
        let mut s = self.state.lock();
        let app = s
            .applications
            .iter_mut()
            .find(|x| x.id == r.application_id)
            .ok_or_else(|| AtsError::not_found("no app"))?;
        app.stage = stage_ref(&self.stages[4]);
        app.status = AtsStatus::Archived;
        app.outcome = if reason.reason_type == ReasonType::TheyWithdrew {
            Outcome::Withdrew
        } else {
            Outcome::Rejected
        };
        app.archive_reason = Some(reason.clone());
        let out = app.clone();
        drop_or(drop, out)
    }
    async fn find_interview(
        &self,
        a: &ApplicationId,
        ext: &str,
    ) -> atsbridge_core::Result<Option<Interview>> {
        self.fate("find_interview", false)?;
        Ok(self
            .state
            .lock()
            .interviews
            .iter()
            .find(|i| &i.application_id == a && i.external_id.as_deref() == Some(ext))
            .cloned())
    }
    async fn create_interview(&self, n: &NewInterview) -> atsbridge_core::Result<Interview> {
        let drop = self.fate("create_interview", true)?;
        let i = Interview {
            id: InterviewId::new(self.id("int")),
            application_id: n.application_id.clone(),
            external_id: Some(n.external_id.clone()),
            status: "Scheduled".into(),
            events: n.events.clone(),
        };
        self.state.lock().interviews.push(i.clone());
        drop_or(drop, i)
    }
    async fn add_note(&self, _n: &NewNote) -> atsbridge_core::Result<NoteId> {
        let drop = self.fate("add_note", true)?;
        let id = NoteId::new(self.id("note"));
        self.state.lock().notes.push(id.clone());
        drop_or(drop, id)
    }
    async fn log_email(&self, e: &EmailMessage) -> atsbridge_core::Result<LoggedEmail> {
        let drop = self.fate("log_email", true)?;
        {
            let mut s = self.state.lock();
            if !s.emails.contains(&e.message_id) {
                s.emails.push(e.message_id.clone());
            }
        }
        drop_or(drop, LoggedEmail::AsEmail)
    }
    async fn application_state(
        &self,
        a: &ApplicationId,
    ) -> atsbridge_core::Result<ApplicationState> {
        self.fate("application_state", false)?;
        self.state
            .lock()
            .applications
            .iter()
            .find(|x| &x.id == a)
            .cloned()
            .ok_or_else(|| AtsError::not_found("no app"))
    }
}

fn drop_or<T>(drop: bool, v: T) -> atsbridge_core::Result<T> {
    if drop { Err(FakeAts::lost()) } else { Ok(v) }
}
