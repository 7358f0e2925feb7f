//! Building the starting organization: demo seed, seed files, synthetic scale data.

use std::collections::HashMap;

use anyhow::{Context, anyhow, bail};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::Deserialize;

use crate::actions::{self, Act, NewApplication, NewCandidate, StartStage};
use crate::auth::{self, Perm};
use crate::config::{SandboxConfig, Seed};
use crate::identities::seeded_identity_variants_for;
use crate::model::*;

/// 2024-01-15T09:00:00Z: seeded records are created after this instant.
const T0: Ms = 1_705_309_200_000;
const HOUR: Ms = 3_600_000;

/// Stages of every demo interview plan, in order.
pub(crate) const DEMO_STAGES: [(&str, StageType); 8] = [
    ("New Lead", StageType::Lead),
    ("Recruiter Screen", StageType::PreInterviewScreen),
    ("Hiring Manager Screen", StageType::Active),
    ("Technical Interview", StageType::Active),
    ("Onsite", StageType::Active),
    ("Offer", StageType::Offer),
    ("Hired", StageType::Hired),
    ("Archived", StageType::Archived),
];

impl State {
    fn add_user(&mut self, first: &str, last: &str, email: &str, role: &str, enabled: bool) -> u32 {
        let seq = self.bump();
        self.users.push(User {
            first: first.into(),
            last: last.into(),
            email: email.into(),
            global_role: role.into(),
            enabled,
            updated_at: T0,
            seq,
        });
        self.users.len() as u32 - 1
    }

    fn add_plan(&mut self, title: &str, stages: &[(String, StageType)]) -> u32 {
        let seq = self.bump();
        let p = self.plans.len() as u32;
        let mut plan = Plan {
            title: title.into(),
            archived: false,
            created_at: T0,
            updated_at: T0,
            seq,
            stages: vec![],
            groups: vec![],
        };
        let mut group_of: HashMap<&'static str, u32> = HashMap::new();
        for (order, (t, kind)) in stages.iter().enumerate() {
            let g = *group_of.entry(kind.as_str()).or_insert_with(|| {
                self.groups.push(StageGroup {
                    title: match kind {
                        StageType::PreInterviewScreen => "Pre-Interview Screen".into(),
                        StageType::Active => "Interviews".into(),
                        k => k.as_str().into(),
                    },
                    order: plan.groups.len() as u32,
                    kind: *kind,
                });
                plan.groups.push(self.groups.len() as u32 - 1);
                self.groups.len() as u32 - 1
            });
            self.stages.push(Stage {
                plan: p,
                title: t.clone(),
                kind: *kind,
                order: order as u32,
                group: Some(g),
            });
            plan.stages.push(self.stages.len() as u32 - 1);
        }
        self.plans.push(plan);
        p
    }

    #[allow(clippy::too_many_arguments)]
    fn add_job(
        &mut self,
        title: &str,
        status: &str,
        plan: Option<u32>,
        team: Vec<HiringTeamMember>,
        author: Option<u32>,
        department: u32,
        location: u32,
        n: i64,
    ) -> u32 {
        let seq = self.bump();
        self.departments = self.departments.max(department + 1);
        self.locations = self.locations.max(location + 1);
        self.jobs.push(Job {
            title: title.into(),
            status: status.into(),
            employment_type: "FullTime".into(),
            confidential: false,
            location,
            department,
            default_plan: plan,
            plans: plan.into_iter().collect(),
            hiring_team: team,
            author,
            requisition_id: None,
            created_at: T0 - (30 - n) * 24 * HOUR,
            updated_at: T0,
            opened_at: (status != "Draft").then_some(T0 - (29 - n) * 24 * HOUR),
            closed_at: (status == "Closed" || status == "Archived").then_some(T0 - 2 * HOUR),
            seq,
        });
        self.jobs.len() as u32 - 1
    }

    fn add_source(&mut self, title: &str, type_title: &str, archived: bool) -> u32 {
        let t = match self.source_types.iter().position(|t| t.title == type_title) {
            Some(t) => t as u32,
            None => {
                self.source_types.push(SourceType {
                    title: type_title.into(),
                });
                self.source_types.len() as u32 - 1
            }
        };
        self.sources.push(Source {
            title: title.into(),
            archived,
            source_type: t,
        });
        self.sources.len() as u32 - 1
    }

    fn add_reason(&mut self, text: &str, reason_type: &str, archived: bool) -> u32 {
        self.archive_reasons.push(ArchiveReason {
            text: text.into(),
            reason_type: reason_type.into(),
            archived,
        });
        self.archive_reasons.len() as u32 - 1
    }

    fn add_field(&mut self, title: &str, object: &str, ty: &str, sel: &[&str], archived: bool) {
        let seq = self.bump();
        self.custom_fields.push(CustomField {
            title: title.into(),
            object_type: object.into(),
            field_type: ty.into(),
            archived,
            private: false,
            required: false,
            selectable: sel.iter().map(|s| (s.to_string(), s.to_string())).collect(),
            seq,
        });
    }

    pub(crate) fn add_tag(&mut self, title: &str) -> u32 {
        let seq = self.bump();
        self.tags.push(Tag {
            title: title.into(),
            archived: false,
            seq,
        });
        self.tags.len() as u32 - 1
    }

    fn add_interview(&mut self, title: &str, job: Option<u32>, debrief: bool, archived: bool) {
        let seq = self.bump();
        self.interviews.push(Interview {
            title: title.into(),
            archived,
            debrief,
            job,
            instructions: (!debrief).then(|| format!("Run the {title} using the scorecard.")),
            seq,
        });
    }

    /// Puts a freshly seeded application in `target`, with history along the plan.
    fn seed_progress(&mut self, a: u32, target: u32, reason: Option<u32>, t: Ms) {
        let plan = self.stages[target as usize].plan;
        let order = self.stages[target as usize].order as usize;
        let kind = self.stages[target as usize].kind;
        let mut path: Vec<u32> = self.plans[plan as usize].stages[..order.min(5)]
            .iter()
            .copied()
            .filter(|&s| {
                let k = self.stages[s as usize].kind;
                k != StageType::Hired && k != StageType::Archived
            })
            .collect();
        path.push(target);
        path.dedup();
        let app = &mut self.applications[a as usize];
        app.history.clear();
        let mut at = app.created_at;
        for (n, s) in path.iter().enumerate() {
            if n > 0 {
                at += (t - app.created_at).max(HOUR) / path.len() as Ms;
                if let Some(h) = app.history.last_mut() {
                    h.left = Some(at);
                }
            }
            app.history.push(HistoryEntry {
                stage: *s,
                entered: at,
                left: None,
                actor: None,
            });
        }
        app.stage = target;
        app.updated_at = at;
        if kind == StageType::Archived {
            app.archive_reason = reason;
            app.archived_at = Some(at);
        }
    }
}

/// Builds the starting state for `config`.
pub(crate) fn build(config: &SandboxConfig) -> anyhow::Result<State> {
    let mut st = State::default();
    match &config.seed {
        Seed::Demo => demo(&mut st, config.rng_seed),
        Seed::Empty => {}
        Seed::File(p) => {
            let text = std::fs::read_to_string(p)
                .with_context(|| format!("reading seed file {}", p.display()))?;
            let file: SeedFile = serde_json::from_str(&text)
                .with_context(|| format!("parsing seed file {}", p.display()))?;
            load_file(&mut st, file)?;
        }
    }
    let admin = st
        .users
        .iter()
        .position(|u| u.global_role == "Organization Admin")
        .map(|u| u as u32);
    for (k, v) in auth::seeded_keys(admin, T0) {
        st.keys.entry(k).or_insert(v);
    }
    synthetic(&mut st, config.extra_candidates, config.rng_seed)?;
    Ok(st)
}

fn demo(st: &mut State, rng_seed: u64) {
    let admin = st.add_user(
        "Avery",
        "Admin",
        "avery.admin@acme.example",
        "Organization Admin",
        true,
    );
    let hm: Vec<u32> = [("Morgan", "Lee"), ("Priya", "Raman"), ("Diego", "Alvarez")]
        .iter()
        .map(|(f, l)| {
            let e = format!("{}.{}@acme.example", f.to_lowercase(), l.to_lowercase());
            st.add_user(f, l, &e, "Elevated Access", true)
        })
        .collect();
    let rec: Vec<u32> = [("Sam", "Carter"), ("Jordan", "Kim")]
        .iter()
        .map(|(f, l)| {
            let e = format!("{}.{}@acme.example", f.to_lowercase(), l.to_lowercase());
            st.add_user(f, l, &e, "Elevated Access", true)
        })
        .collect();
    st.add_user(
        "Casey",
        "Coordinator",
        "casey.coordinator@acme.example",
        "Limited Access",
        true,
    );
    st.add_user(
        "Riley",
        "Former",
        "riley.former@acme.example",
        "Limited Access",
        false,
    );

    let stages: Vec<(String, StageType)> = DEMO_STAGES
        .iter()
        .map(|(t, k)| (t.to_string(), *k))
        .collect();
    let eng = st.add_plan("Engineering Interview Plan", &stages);
    let design = st.add_plan("Design Interview Plan", &stages);
    let gtm = st.add_plan("Go-To-Market Interview Plan", &stages);

    let team = |h: u32, r: u32| {
        vec![
            HiringTeamMember {
                user: h,
                role: "Hiring Manager".into(),
            },
            HiringTeamMember {
                user: r,
                role: "Recruiter".into(),
            },
        ]
    };
    let jobs = [
        ("Senior Backend Engineer", "Open", eng, 0, 0),
        ("Frontend Engineer", "Open", eng, 1, 1),
        ("Product Designer", "Open", design, 2, 0),
        ("Account Executive", "Open", gtm, 2, 1),
        ("Data Scientist", "Closed", eng, 0, 1),
        ("Support Engineer", "Closed", gtm, 1, 0),
        ("Staff Engineer", "Draft", eng, 0, 0),
    ];
    for (n, (title, status, plan, h, r)) in jobs.iter().enumerate() {
        st.add_job(
            title,
            status,
            Some(*plan),
            team(hm[*h], rec[*r]),
            Some(admin),
            (*plan).min(2),
            (n % 3) as u32,
            n as i64,
        );
    }

    st.add_source("Applied", "Inbound", false);
    st.add_source("LinkedIn", "Inbound", false);
    st.add_source("Dover", "Sourced", false);
    st.add_source("Referral", "Referral", false);
    st.add_source("Internal Transfer", "Internal", false);
    st.add_source("Ashby Chrome Extension", "Sourced", false);
    st.add_source("Old Job Board", "Inbound", true);

    st.add_reason("We rejected them", "RejectedByOrg", false);
    st.add_reason("They rejected us", "RejectedByCandidate", false);
    st.add_reason("Lacks Skills/Qualifications", "RejectedByOrg", false);
    st.add_reason("Accepted another offer", "RejectedByCandidate", false);
    st.add_reason("Position filled", "Other", false);
    st.add_reason("Duplicate candidate", "Other", false);
    st.add_reason("No show (legacy)", "RejectedByOrg", true);

    st.add_field("Current Title", "Candidate", "String", &[], false);
    st.add_field("Current Company", "Candidate", "String", &[], false);
    st.add_field("Years of Experience", "Candidate", "Number", &[], false);
    st.add_field("Outreach Notes", "Application", "LongText", &[], false);
    st.add_field(
        "Priority",
        "Job",
        "ValueSelect",
        &["High", "Medium", "Low"],
        false,
    );
    st.add_field("Legacy Field", "Candidate", "String", &[], true);

    for t in ["Dover", "Referral", "Boomerang", "Do Not Contact"] {
        st.add_tag(t);
    }

    st.add_interview("Recruiter Screen", None, false, false);
    st.add_interview("Hiring Manager Screen", None, false, false);
    st.add_interview("Technical Interview", Some(0), false, false);
    st.add_interview("Onsite Loop", Some(0), false, false);
    st.add_interview("Portfolio Review", Some(2), false, false);
    st.add_interview("Debrief", None, true, false);
    st.add_interview("Old Phone Screen", None, false, true);

    demo_candidates(st, rng_seed);
}

const POSITIONS: [&str; 8] = [
    "Software Engineer",
    "Senior Software Engineer",
    "Staff Engineer",
    "Product Designer",
    "Account Executive",
    "Data Scientist",
    "Engineering Manager",
    "Support Engineer",
];
const COMPANIES: [&str; 8] = [
    "Initech",
    "Globex",
    "Hooli",
    "Umbrella Labs",
    "Stark Industries",
    "Wayne Enterprises",
    "Pied Piper",
    "Acme Corp",
];
const LOCATIONS: [&str; 4] = [
    "San Francisco, California, United States",
    "London, England, United Kingdom",
    "Berlin, Berlin, Germany",
    "Toronto, Ontario, Canada",
];

fn demo_candidates(st: &mut State, rng_seed: u64) {
    let ids = seeded_identity_variants_for(rng_seed);
    let mut rng = StdRng::seed_from_u64(rng_seed ^ 0xA11C_A710_0005);
    let open_jobs: Vec<u32> = (0..st.jobs.len() as u32)
        .filter(|&j| st.jobs[j as usize].status != "Draft")
        .collect();
    for (i, ident) in ids.iter().enumerate() {
        let t = T0 + i as Ms * 7 * HOUR;
        let mut act = Act {
            now: t,
            actor: None,
            events: vec![],
        };
        let mut links = vec![];
        if let Some(l) = &ident.stored_linkedin {
            links.push(Link {
                kind: "LinkedIn",
                url: l.clone().into(),
            });
        }
        if i % 11 == 0 {
            links.push(Link {
                kind: "GitHub",
                url: format!("https://github.com/cand{i}").into(),
            });
        }
        let mut emails: Vec<Contact> = ident
            .stored_email
            .iter()
            .map(|e| Contact {
                value: e.clone().into(),
                kind: ContactType::Personal,
            })
            .collect();
        if i % 13 == 0 && !emails.is_empty() {
            emails.push(Contact {
                value: format!("candidate{i}@work-mail.example").into(),
                kind: ContactType::Work,
            });
        }
        let pos = rng.random_range(0..POSITIONS.len() + 2);
        let c = actions::add_candidate(
            st,
            NewCandidate {
                name: ident.name.clone(),
                emails,
                phones: ident
                    .stored_phone
                    .iter()
                    .map(|p| Contact {
                        value: p.clone().into(),
                        kind: ContactType::Personal,
                    })
                    .collect(),
                links,
                position: POSITIONS.get(pos).map(|s| s.to_string()),
                company: POSITIONS
                    .get(pos)
                    .map(|_| COMPANIES[rng.random_range(0..COMPANIES.len())].to_string()),
                source: (i % 4 != 3).then(|| rng.random_range(0..6)),
                credited: (i % 5 == 0).then_some(4 + (i % 2) as u32),
                created_at: Some(t),
                location: (i % 3 == 0).then(|| LOCATIONS[i % LOCATIONS.len()].to_string()),
            },
            &act,
        );
        if i % 6 == 0 {
            st.candidates[c as usize].timezone = Some("America/Los_Angeles".into());
        }
        if i % 17 == 0 {
            st.candidates[c as usize].tags.push((i % 3) as u32);
        }
        // 0..=3 applications to distinct jobs, covering every status.
        let n_apps = [0, 1, 1, 1, 2, 2, 3][rng.random_range(0..7)];
        let first = rng.random_range(0..open_jobs.len());
        for k in 0..n_apps {
            let job = open_jobs[(first + k * 2) % open_jobs.len()];
            let Ok(a) = actions::add_application(
                st,
                NewApplication {
                    candidate: c,
                    job,
                    plan: None,
                    start: StartStage::FirstLead,
                    source: st.candidates[c as usize].source,
                    credited: None,
                    created_at: Some(t + HOUR * k as Ms),
                },
                &mut act,
            ) else {
                continue;
            };
            let plan = st.jobs[job as usize].default_plan.unwrap_or(0);
            let stages = st.plans[plan as usize].stages.clone();
            let target = stages[rng.random_range(0..stages.len())];
            let reason = (st.stages[target as usize].kind == StageType::Archived)
                .then(|| rng.random_range(0..st.archive_reasons.len() as u32));
            st.seed_progress(a, target, reason, t + 24 * HOUR * (1 + k as Ms));
        }
    }
}

/// Adds `n` synthetic candidates, each with one application, for scale tests.
fn synthetic(st: &mut State, n: usize, rng_seed: u64) -> anyhow::Result<()> {
    if n == 0 {
        return Ok(());
    }
    let jobs: Vec<u32> = (0..st.jobs.len() as u32)
        .filter(|&j| st.jobs[j as usize].default_plan.is_some())
        .collect();
    if jobs.is_empty() {
        bail!("--candidates needs a seed with at least one job that has an interview plan");
    }
    let mut rng = StdRng::seed_from_u64(rng_seed ^ 0x5CA1_E000);
    st.candidates.reserve(n);
    st.applications.reserve(n);
    st.email_index.reserve(n);
    let reasons = st.archive_reasons.len() as u32;
    for i in 0..n {
        let t = T0 + (i as Ms) * 1000;
        let seq = st.bump();
        let c = st.candidates.len() as u32;
        let a = st.applications.len() as u32;
        let email: Box<str> = format!("synthetic.{i}@scale.example").into();
        let job = jobs[i % jobs.len()];
        let plan = st.jobs[job as usize].default_plan.unwrap_or(0) as usize;
        let stages = &st.plans[plan].stages;
        let stage = stages[rng.random_range(0..stages.len())];
        let archived = st.stages[stage as usize].kind == StageType::Archived && reasons > 0;
        st.email_index.insert(email.clone(), vec![c]);
        st.candidates.push(Candidate {
            name: format!("Synthetic Candidate {i}").into(),
            emails: vec![Contact {
                value: email,
                kind: ContactType::Personal,
            }],
            phones: vec![],
            links: vec![],
            tags: vec![],
            position: None,
            company: None,
            school: None,
            location: None,
            timezone: None,
            applications: vec![a],
            source: None,
            credited: None,
            created_at: t,
            updated_at: t,
            seq,
            state: CandState::Live,
        });
        st.applications.push(Application {
            candidate: c,
            job,
            stage,
            source: None,
            credited: None,
            archive_reason: archived.then(|| i as u32 % reasons),
            archived_at: archived.then_some(t),
            created_at: t,
            updated_at: t,
            seq,
            history: vec![HistoryEntry {
                stage,
                entered: t,
                left: None,
                actor: None,
            }],
            deleted: false,
        });
    }
    Ok(())
}

// ---- seed files -------------------------------------------------------------------------

/// A seed file (JSON). Records refer to each other by `key` (defaults: a user's
/// email, a source's title, an archive reason's text, a plan's/job's title, a
/// stage's title).
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct SeedFile {
    #[serde(default)]
    users: Vec<SeedUser>,
    #[serde(default)]
    sources: Vec<SeedSource>,
    #[serde(default)]
    archive_reasons: Vec<SeedReason>,
    #[serde(default)]
    interview_plans: Vec<SeedPlan>,
    #[serde(default)]
    jobs: Vec<SeedJob>,
    #[serde(default)]
    custom_fields: Vec<SeedField>,
    #[serde(default)]
    tags: Vec<String>,
    #[serde(default)]
    interviews: Vec<SeedInterview>,
    #[serde(default)]
    candidates: Vec<SeedCandidate>,
    #[serde(default)]
    api_keys: Vec<SeedKey>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SeedUser {
    first_name: String,
    last_name: String,
    email: String,
    #[serde(default = "default_role")]
    global_role: String,
    #[serde(default = "yes")]
    enabled: bool,
}
fn default_role() -> String {
    "Elevated Access".into()
}
fn yes() -> bool {
    true
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SeedSource {
    title: String,
    source_type: String,
    #[serde(default)]
    archived: bool,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SeedReason {
    text: String,
    reason_type: String,
    #[serde(default)]
    archived: bool,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SeedPlan {
    title: String,
    stages: Vec<SeedStage>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SeedStage {
    title: String,
    #[serde(rename = "type")]
    kind: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SeedJob {
    title: String,
    #[serde(default = "open")]
    status: String,
    interview_plan: Option<String>,
    #[serde(default)]
    hiring_team: Vec<SeedTeamMember>,
}
fn open() -> String {
    "Open".into()
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SeedTeamMember {
    user: String,
    role: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SeedField {
    title: String,
    object_type: String,
    field_type: String,
    #[serde(default)]
    selectable_values: Vec<String>,
    #[serde(default)]
    archived: bool,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SeedInterview {
    title: String,
    job: Option<String>,
    #[serde(default)]
    debrief: bool,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SeedCandidate {
    name: String,
    #[serde(default)]
    emails: Vec<String>,
    #[serde(default)]
    phones: Vec<String>,
    linked_in_url: Option<String>,
    position: Option<String>,
    company: Option<String>,
    source: Option<String>,
    #[serde(default)]
    applications: Vec<SeedApplication>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SeedApplication {
    job: String,
    stage: Option<String>,
    archive_reason: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SeedKey {
    key: String,
    title: String,
    permissions: Vec<String>,
}

fn find(map: &HashMap<String, u32>, what: &str, key: &str) -> anyhow::Result<u32> {
    map.get(key)
        .copied()
        .ok_or_else(|| anyhow!("seed file: unknown {what} {key:?}"))
}

fn load_file(st: &mut State, f: SeedFile) -> anyhow::Result<()> {
    let mut users = HashMap::new();
    for u in &f.users {
        let i = st.add_user(
            &u.first_name,
            &u.last_name,
            &u.email,
            &u.global_role,
            u.enabled,
        );
        users.insert(u.email.clone(), i);
    }
    let mut sources = HashMap::new();
    for s in &f.sources {
        sources.insert(
            s.title.clone(),
            st.add_source(&s.title, &s.source_type, s.archived),
        );
    }
    let mut reasons = HashMap::new();
    for r in &f.archive_reasons {
        if !["RejectedByCandidate", "RejectedByOrg", "Other"].contains(&r.reason_type.as_str()) {
            bail!("seed file: bad reasonType {:?}", r.reason_type);
        }
        reasons.insert(
            r.text.clone(),
            st.add_reason(&r.text, &r.reason_type, r.archived),
        );
    }
    let mut plans = HashMap::new();
    for p in &f.interview_plans {
        let stages = p
            .stages
            .iter()
            .map(|s| {
                StageType::parse(&s.kind)
                    .map(|k| (s.title.clone(), k))
                    .ok_or_else(|| anyhow!("seed file: bad stage type {:?}", s.kind))
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        plans.insert(p.title.clone(), st.add_plan(&p.title, &stages));
    }
    let mut jobs = HashMap::new();
    for (n, j) in f.jobs.iter().enumerate() {
        let plan = j
            .interview_plan
            .as_ref()
            .map(|p| find(&plans, "interview plan", p))
            .transpose()?;
        let team = j
            .hiring_team
            .iter()
            .map(|m| {
                Ok(HiringTeamMember {
                    user: find(&users, "user", &m.user)?,
                    role: m.role.clone(),
                })
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        let i = st.add_job(&j.title, &j.status, plan, team, None, 0, 0, n as i64);
        jobs.insert(j.title.clone(), i);
    }
    for c in &f.custom_fields {
        let sel: Vec<&str> = c.selectable_values.iter().map(String::as_str).collect();
        st.add_field(&c.title, &c.object_type, &c.field_type, &sel, c.archived);
    }
    for t in &f.tags {
        st.add_tag(t);
    }
    for i in &f.interviews {
        let job = i.job.as_ref().map(|j| find(&jobs, "job", j)).transpose()?;
        st.add_interview(&i.title, job, i.debrief, false);
    }
    for (n, c) in f.candidates.iter().enumerate() {
        let t = T0 + n as Ms * HOUR;
        let mut act = Act {
            now: t,
            actor: None,
            events: vec![],
        };
        let contacts = |v: &Vec<String>| {
            v.iter()
                .map(|x| Contact {
                    value: x.clone().into(),
                    kind: ContactType::Personal,
                })
                .collect()
        };
        let source = c
            .source
            .as_ref()
            .map(|s| find(&sources, "source", s))
            .transpose()?;
        let ci = actions::add_candidate(
            st,
            NewCandidate {
                name: c.name.clone(),
                emails: contacts(&c.emails),
                phones: contacts(&c.phones),
                links: c
                    .linked_in_url
                    .iter()
                    .map(|u| Link {
                        kind: "LinkedIn",
                        url: u.clone().into(),
                    })
                    .collect(),
                position: c.position.clone(),
                company: c.company.clone(),
                source,
                credited: None,
                created_at: Some(t),
                location: None,
            },
            &act,
        );
        for app in &c.applications {
            let job = find(&jobs, "job", &app.job)?;
            let a = actions::add_application(
                st,
                NewApplication {
                    candidate: ci,
                    job,
                    plan: None,
                    start: StartStage::FirstLead,
                    source,
                    credited: None,
                    created_at: Some(t),
                },
                &mut act,
            )
            .map_err(|e| anyhow!("seed file: candidate {:?}: {}", c.name, e.message))?;
            if let Some(stage_title) = &app.stage {
                let plan = st.stages[st.applications[a as usize].stage as usize].plan;
                let s = st.plans[plan as usize]
                    .stages
                    .iter()
                    .copied()
                    .find(|&s| &st.stages[s as usize].title == stage_title)
                    .ok_or_else(|| anyhow!("seed file: unknown stage {stage_title:?}"))?;
                let reason = app
                    .archive_reason
                    .as_ref()
                    .map(|r| find(&reasons, "archive reason", r))
                    .transpose()?;
                if (st.stages[s as usize].kind == StageType::Archived) != reason.is_some() {
                    bail!("seed file: archiveReason is required exactly for Archived stages");
                }
                st.seed_progress(a, s, reason, t + HOUR);
            }
        }
    }
    for k in &f.api_keys {
        let perms = k
            .permissions
            .iter()
            .map(|p| Perm::parse(p).ok_or_else(|| anyhow!("seed file: unknown permission {p:?}")))
            .collect::<anyhow::Result<Vec<_>>>()?
            .into_iter()
            .fold(0, |a, p| a | p as u32);
        st.keys.insert(
            k.key.clone(),
            ApiKey {
                title: k.title.clone(),
                perms,
                user: None,
                created_at: T0,
            },
        );
    }
    Ok(())
}

/// Parses a seed document (the control API's `/_sandbox/seed` body).
pub(crate) fn from_json(v: serde_json::Value, config: &SandboxConfig) -> anyhow::Result<State> {
    let file: SeedFile = serde_json::from_value(v).context("parsing seed document")?;
    let mut st = State::default();
    load_file(&mut st, file)?;
    for (k, v) in auth::seeded_keys(None, T0) {
        st.keys.entry(k).or_insert(v);
    }
    synthetic(&mut st, 0, config.rng_seed)?;
    Ok(st)
}
