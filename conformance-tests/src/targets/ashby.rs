//! The Ashby target: drives `atsbridge-ashby-sandbox` and knows how Ashby answers faults and
//! signs webhooks.

use crate::target::{
    Catalog, ConformanceTarget, Fault, FaultResponse, KeyVariant, Operator, TargetSandbox,
    WebhookSample,
};
use async_trait::async_trait;
use atsbridge_ashby_sandbox::{
    DEMO_API_KEY, ManualCandidate, READ_ONLY_API_KEY, RunningSandbox, Sandbox, SandboxConfig,
};
use atsbridge_core::WebhookEvent;
use atsbridge_core::ids::{ApplicationId, CandidateId, InterviewId};
use atsbridge_core::model::{CandidateProfile, IdentityKind};
use serde_json::{Value, json};
use std::time::Duration;

/// Ashby's published request schemas for the endpoints atsbridge uses (see `schemas/README.md`).
const REQUEST_SCHEMAS: &str = include_str!("../../schemas/ashby-requests.json");

/// A key no Ashby organization has.
const BAD_API_KEY: &str = "conformance-unknown-key";

/// The Ashby adapter's conformance target.
#[derive(Clone, Copy, Debug, Default)]
pub struct AshbyTarget;

/// A fresh Ashby sandbox (demo organization: 300 candidates, so change streams span pages).
pub struct AshbySandbox {
    running: RunningSandbox,
    http: reqwest::Client,
}

fn ids_of(list: &Value) -> Vec<String> {
    list.as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(|x| x["id"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

impl AshbySandbox {
    fn sandbox(&self) -> &Sandbox {
        &self.running.sandbox
    }

    /// Calls the Ashby API of the sandbox directly with the demo key (a recruiter's action).
    async fn api(&self, endpoint: &str, body: Value) -> anyhow::Result<Value> {
        let resp = self
            .http
            .post(format!("{}/{endpoint}", self.running.url))
            .basic_auth(DEMO_API_KEY, Some(""))
            .json(&body)
            .send()
            .await?;
        let v: Value = resp.json().await?;
        anyhow::ensure!(v["success"] == json!(true), "{endpoint} failed: {v}");
        Ok(v["results"].clone())
    }
}

#[async_trait]
impl Operator for AshbySandbox {
    async fn catalog(&self) -> anyhow::Result<Catalog> {
        let demo = self.sandbox().demo_catalog();
        let state = self.sandbox().dump_state();
        let job = demo
            .primary_job_id
            .clone()
            .ok_or_else(|| anyhow::anyhow!("the demo seed has no open job"))?;
        let plan = state["jobs"]
            .as_array()
            .and_then(|jobs| jobs.iter().find(|j| j["id"] == json!(job)))
            .and_then(|j| j["defaultInterviewPlanId"].as_str())
            .ok_or_else(|| anyhow::anyhow!("job {job} has no default plan"))?;
        let stages = demo
            .stages
            .get(plan)
            .ok_or_else(|| anyhow::anyhow!("plan {plan} has no stages"))?;
        let first_stage = stages
            .first()
            .ok_or_else(|| anyhow::anyhow!("plan {plan} is empty"))?
            .id
            .clone();
        let other_stage = stages
            .iter()
            .skip(1)
            .find(|s| matches!(s.stage_type.as_str(), "Active" | "PreInterviewScreen"))
            .ok_or_else(|| anyhow::anyhow!("plan {plan} has no second non-archive stage"))?
            .id
            .clone();
        let user = state["users"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|u| u["isEnabled"] == json!(true) && u["email"].is_string())
            .max_by_key(|u| demo.recruiter_ids.iter().any(|r| u["id"] == json!(r)))
            .ok_or_else(|| anyhow::anyhow!("the demo seed has no enabled user"))?;
        let source = demo
            .dover_source_id
            .clone()
            .or_else(|| {
                state["sources"]
                    .as_array()?
                    .iter()
                    .find(|s| s["isArchived"] == json!(false))?["id"]
                    .as_str()
                    .map(str::to_owned)
            })
            .ok_or_else(|| anyhow::anyhow!("the demo seed has no active source"))?;
        let reasons = state["archiveReasons"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let reason = |ty: Option<&str>, archived: bool| {
            reasons
                .iter()
                .find(|r| {
                    r["isArchived"] == json!(archived)
                        && ty.is_none_or(|t| r["reasonType"] == json!(t))
                })
                .and_then(|r| r["id"].as_str())
                .map(|id| id.into())
        };
        Ok(Catalog {
            job: job.as_str().into(),
            first_stage: first_stage.into(),
            other_stage: other_stage.into(),
            user: user["id"].as_str().unwrap_or_default().into(),
            user_email: user["email"].as_str().unwrap_or_default().to_owned(),
            source: source.into(),
            reject_reason: reason(Some("RejectedByOrg"), false).ok_or_else(|| {
                anyhow::anyhow!("the demo seed has no active RejectedByOrg reason")
            })?,
            withdraw_reason: reason(Some("RejectedByCandidate"), false),
            archived_reason: reason(None, true),
            unknown_job: "3f2b8c1e-5a4d-4e6f-8a7b-000000000001".into(),
            unknown_stage: "3f2b8c1e-5a4d-4e6f-8a7b-000000000002".into(),
            unknown_reason: "3f2b8c1e-5a4d-4e6f-8a7b-000000000003".into(),
            unknown_application: "3f2b8c1e-5a4d-4e6f-8a7b-000000000004".into(),
        })
    }

    async fn create_candidate(&self, profile: &CandidateProfile) -> anyhow::Result<CandidateId> {
        let created = self.sandbox().create_candidate(ManualCandidate {
            name: profile.name.clone(),
            emails: profile.emails.clone(),
            phones: profile.phones.clone(),
            linkedin_url: profile.linkedin_url.clone(),
            job_id: None,
            source_id: None,
        })?;
        Ok(CandidateId(created.candidate_id))
    }

    async fn rename_candidate(&self, candidate: &CandidateId, name: &str) -> anyhow::Result<()> {
        self.api(
            "candidate.update",
            json!({"candidateId": candidate.as_str(), "name": name}),
        )
        .await?;
        Ok(())
    }

    async fn candidate_ids(&self) -> anyhow::Result<Vec<CandidateId>> {
        Ok(ids_of(&self.sandbox().dump_state()["candidates"])
            .into_iter()
            .map(CandidateId)
            .collect())
    }

    async fn application_ids(&self) -> anyhow::Result<Vec<ApplicationId>> {
        Ok(ids_of(&self.sandbox().dump_state()["applications"])
            .into_iter()
            .map(ApplicationId)
            .collect())
    }

    async fn expire_sync_tokens(&self) -> anyhow::Result<()> {
        let mut faults = self.sandbox().faults();
        faults.sync_token_ttl = Duration::ZERO;
        self.sandbox().set_faults(faults);
        tokio::time::sleep(Duration::from_millis(5)).await;
        Ok(())
    }

    async fn logged_email_count(&self, _candidate: &CandidateId) -> anyhow::Result<Option<usize>> {
        Ok(None)
    }
}

impl TargetSandbox for AshbySandbox {
    fn api_url(&self) -> String {
        self.running.url.clone()
    }
}

fn ashby_error(
    status: u16,
    code: &str,
    message: &str,
    headers: Vec<(String, String)>,
) -> FaultResponse {
    FaultResponse {
        status,
        headers: [
            vec![(
                "x-ashby-request-id".to_owned(),
                "01CONFORMANCEFAULT000000000".to_owned(),
            )],
            headers,
        ]
        .concat(),
        body: json!({
            "success": false,
            "errors": [code],
            "errorInfo": {"code": code, "message": message, "requestId": "01CONFORMANCEFAULT000000000"},
        }),
        permission: None,
    }
}

fn application_payload(
    application_id: &str,
    candidate_id: &str,
    status: &str,
    stage_type: &str,
) -> Value {
    json!({
        "id": application_id,
        "createdAt": "2030-01-10T09:00:00.000Z",
        "updatedAt": "2030-01-15T09:00:00.000Z",
        "status": status,
        "customFields": [],
        "candidate": {"id": candidate_id, "name": "Webhook Person", "primaryEmailAddress": {"value": "webhook.person@example.com", "type": "Personal", "isPrimary": true}},
        "currentInterviewStage": {"id": "6a1b7c2d-3e4f-4a5b-8c6d-000000000010", "title": "Technical Interview", "type": stage_type, "orderInInterviewPlan": 3, "interviewPlanId": "6a1b7c2d-3e4f-4a5b-8c6d-000000000011"},
        "source": null,
        "archiveReason": null,
        "job": {"id": "6a1b7c2d-3e4f-4a5b-8c6d-000000000012", "title": "Backend Engineer", "locationId": "6a1b7c2d-3e4f-4a5b-8c6d-000000000013", "departmentId": "6a1b7c2d-3e4f-4a5b-8c6d-000000000014"},
        "creditedToUser": null,
        "hiringTeam": [],
        "appliedViaJobPostingId": null
    })
}

fn envelope(action_id: &str, action: &str, data: Value) -> Vec<u8> {
    serde_json::to_vec(&json!({"webhookActionId": action_id, "action": action, "data": data}))
        .expect("JSON")
}

#[async_trait]
impl ConformanceTarget for AshbyTarget {
    fn kind(&self) -> &'static str {
        "ashby"
    }

    async fn start(&self) -> anyhow::Result<Box<dyn TargetSandbox>> {
        let sandbox = Sandbox::new(SandboxConfig::default())?;
        let running = sandbox.spawn("127.0.0.1:0".parse()?).await?;
        Ok(Box::new(AshbySandbox {
            running,
            http: reqwest::Client::new(),
        }))
    }

    fn settings(&self, base_url: &str, key: KeyVariant) -> Value {
        let api_key = match key {
            KeyVariant::Valid => DEMO_API_KEY,
            KeyVariant::Bad => BAD_API_KEY,
            KeyVariant::ReadOnly => READ_ONLY_API_KEY,
        };
        // Short waits keep the fault cases quick; retries are still exercised.
        json!({"api_key": api_key, "base_url": base_url, "timeout_secs": 10})
    }

    fn fault_response(&self, fault: Fault) -> FaultResponse {
        match fault {
            Fault::Unauthenticated => ashby_error(
                401,
                "unauthenticated",
                "Missing API key: use HTTP Basic auth with the API key as username and an empty password",
                vec![],
            ),
            Fault::PermissionDenied => FaultResponse {
                permission: Some("jobsRead".into()),
                ..ashby_error(
                    403,
                    "missing_endpoint_permission",
                    "The API key lacks the jobsRead permission required by job.list",
                    vec![],
                )
            },
            Fault::RateLimited { retry_after_secs } => ashby_error(
                429,
                "rate_limit_exceeded",
                &format!("Rate limit exceeded. Try again in {retry_after_secs} seconds."),
                vec![("retry-after".into(), retry_after_secs.to_string())],
            ),
            Fault::ServerError => FaultResponse {
                status: 503,
                headers: vec![("content-type".into(), "text/plain".into())],
                body: Value::String("upstream temporarily unavailable".into()),
                permission: None,
            },
        }
    }

    fn is_write(&self, path: &str) -> bool {
        let endpoint = path.trim_start_matches('/');
        atsbridge_ashby_sandbox::endpoints()
            .iter()
            .any(|(name, permission)| *name == endpoint && permission.ends_with("Write"))
    }

    fn searchable_identities(&self) -> Vec<IdentityKind> {
        // candidate.search takes `email` (and `name`) only.
        vec![IdentityKind::Email]
    }

    fn webhook_samples(&self) -> Vec<WebhookSample> {
        let app = "6a1b7c2d-3e4f-4a5b-8c6d-000000000001";
        let cand = "6a1b7c2d-3e4f-4a5b-8c6d-000000000002";
        let other = "6a1b7c2d-3e4f-4a5b-8c6d-000000000003";
        let schedule = "6a1b7c2d-3e4f-4a5b-8c6d-000000000004";
        let changed = || WebhookEvent::ApplicationChanged {
            application_id: app.into(),
            state: None,
        };
        let sample = |action: &str, n: u32, data: Value, expected: WebhookEvent| WebhookSample {
            action: action.into(),
            body: envelope(
                &format!("7b2c8d3e-4f5a-4b6c-9d7e-0000000000{n:02}"),
                action,
                data,
            ),
            expected,
        };
        vec![
            sample(
                "applicationUpdate",
                1,
                json!({"application": application_payload(app, cand, "Active", "Active")}),
                changed(),
            ),
            sample(
                "candidateStageChange",
                2,
                json!({"application": application_payload(app, cand, "Active", "Active")}),
                changed(),
            ),
            sample(
                "candidateHire",
                3,
                json!({"application": application_payload(app, cand, "Hired", "Hired"), "offer": null}),
                changed(),
            ),
            sample(
                "applicationSubmit",
                4,
                json!({"application": application_payload(app, cand, "Lead", "Lead")}),
                changed(),
            ),
            sample(
                "candidateMerge",
                5,
                json!({"deletedCandidate": {"id": other}, "mergedCandidate": {"id": cand}}),
                WebhookEvent::CandidatesMerged {
                    survivor: cand.into(),
                    merged: other.into(),
                },
            ),
            sample(
                "candidateDelete",
                6,
                json!({"candidate": {"id": other}}),
                WebhookEvent::CandidateDeleted {
                    candidate_id: other.into(),
                },
            ),
            sample(
                "interviewScheduleCreate",
                7,
                json!({"interviewSchedule": {"id": schedule, "status": "Scheduled", "applicationId": app, "interviewStageId": "6a1b7c2d-3e4f-4a5b-8c6d-000000000010", "interviewEvents": []}}),
                WebhookEvent::InterviewChanged {
                    interview_id: InterviewId::from(schedule),
                    application_id: Some(app.into()),
                },
            ),
            sample(
                "ping",
                8,
                json!({"webhookActionType": "ping"}),
                WebhookEvent::Ping,
            ),
            sample(
                "jobPostingUpdate",
                9,
                json!({"jobPosting": {"id": other, "title": "Backend Engineer"}}),
                WebhookEvent::Ignored,
            ),
        ]
    }

    fn sign_webhook(&self, secret: &str, body: &[u8]) -> http::HeaderMap {
        let mut headers = http::HeaderMap::new();
        if let Ok(v) = http::HeaderValue::from_str(&atsbridge_ashby_sandbox::sign(secret, body)) {
            headers.insert("ashby-signature", v);
        }
        headers.insert(
            http::header::CONTENT_TYPE,
            http::HeaderValue::from_static("application/json"),
        );
        headers
    }

    fn request_schemas(&self) -> Option<&'static str> {
        Some(REQUEST_SCHEMAS)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proxy::Proxy;

    #[tokio::test]
    async fn target_drives_the_sandbox_through_the_proxy() {
        let target = AshbyTarget;
        let sandbox = target.start().await.unwrap();
        let catalog = sandbox.catalog().await.unwrap();
        assert_ne!(catalog.first_stage, catalog.other_stage);
        assert!(
            catalog.withdraw_reason.is_some() && catalog.archived_reason.is_some(),
            "{catalog:?}"
        );
        let before = sandbox.candidate_ids().await.unwrap();
        assert!(
            before.len() > 100,
            "{} candidates: change streams need more than a page",
            before.len()
        );
        let profile = CandidateProfile {
            name: "Proxy Test".into(),
            emails: vec!["proxy.test@example.com".into()],
            ..Default::default()
        };
        let id = sandbox.create_candidate(&profile).await.unwrap();
        sandbox
            .rename_candidate(&id, "Proxy Test Renamed")
            .await
            .unwrap();
        assert_eq!(
            sandbox.candidate_ids().await.unwrap().len(),
            before.len() + 1
        );

        let proxy = Proxy::start(&sandbox.api_url()).await.unwrap();
        let client = reqwest::Client::new();
        let list = |body: Value| {
            client
                .post(format!("{}/candidate.list", proxy.url()))
                .basic_auth(DEMO_API_KEY, Some(""))
                .json(&body)
                .send()
        };
        let page: Value = list(json!({"limit": 100}))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(page["success"], json!(true), "{page}");
        proxy.inject(
            target.fault_response(Fault::RateLimited {
                retry_after_secs: 3,
            }),
            1,
        );
        let limited = list(json!({})).await.unwrap();
        assert_eq!(limited.status(), 429);
        assert_eq!(limited.headers()["retry-after"], "3");
        assert_eq!(proxy.calls(), 2);
        let problems = crate::runner::schema_problems(&target, &proxy.exchanges()).unwrap();
        assert!(problems.is_empty(), "{problems:?}");

        sandbox.expire_sync_tokens().await.unwrap();
    }

    #[test]
    fn webhook_samples_are_signed_as_the_sandbox_verifies() {
        let target = AshbyTarget;
        for sample in target.webhook_samples() {
            let headers = target.sign_webhook("s3cret", &sample.body);
            let sig = headers["ashby-signature"].to_str().unwrap();
            assert!(atsbridge_ashby_sandbox::verify_signature(
                "s3cret",
                &sample.body,
                sig
            ));
        }
    }
}
