//! A real world for end-to-end tests: a store opened by URL (SQLite file or a fresh PostgreSQL
//! database), an in-process Ashby sandbox with faults, and a connection + job link made the way
//! `serve` makes them (key validated and sealed, adapter built through the registry).
#![allow(dead_code)]

use super::{AtsView, JobSetup};
use atsbridge_ashby_sandbox::{DEMO_API_KEY, Faults, RunningSandbox, Sandbox, SandboxConfig};
use atsbridge_server::adapters::AdapterProvider;
use atsbridge_server::connections::{ConnectionRegistry, NewConnection};
use atsbridge_server::crypto::SecretCipher;
use atsbridge_server::store::Store;
use figment::providers::Serialized;
use secrecy::SecretString;
use serde_json::Value;
use std::sync::Arc;

pub struct World {
    pub store: Arc<dyn Store>,
    pub connections: Arc<ConnectionRegistry>,
    pub sandbox: RunningSandbox,
    pub job: JobSetup,
    pub encryption_key: SecretString,
}

/// A PostgreSQL URL for a database made for this test, or `None` (test skipped) when
/// `ATSBRIDGE_TEST_POSTGRES_URL` is unset (a panic when `ATSBRIDGE_REQUIRE_POSTGRES=1`).
pub async fn postgres_url(test: &str) -> Option<String> {
    let Ok(base) = std::env::var("ATSBRIDGE_TEST_POSTGRES_URL") else {
        if std::env::var("ATSBRIDGE_REQUIRE_POSTGRES").as_deref() == Ok("1") {
            panic!("ATSBRIDGE_REQUIRE_POSTGRES=1 but ATSBRIDGE_TEST_POSTGRES_URL is unset");
        }
        println!("SKIPPED: PostgreSQL ({test}): ATSBRIDGE_TEST_POSTGRES_URL is not set");
        return None;
    };
    let name = format!(
        "e2e_{}_{}",
        test,
        &uuid::Uuid::new_v4().simple().to_string()[..8]
    );
    let pool = sqlx::PgPool::connect(&base)
        .await
        .expect("connect to ATSBRIDGE_TEST_POSTGRES_URL");
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&pool)
        .await
        .expect("create test database");
    pool.close().await;
    let (head, _) = base.rsplit_once('/').expect("URL with a database path");
    let head = if head.ends_with('/') || head.ends_with(':') {
        base.clone() + "/"
    } else {
        head.to_owned()
    };
    Some(format!("{head}/{name}"))
}

/// Builds the world on `store_url` with sandbox `faults` (faults are off while setting up).
pub async fn world(store_url: &str, faults: Faults) -> World {
    let sandbox = Sandbox::new(SandboxConfig {
        latency_ms: 0,
        ..SandboxConfig::default()
    })
    .unwrap()
    .spawn("127.0.0.1:0".parse().unwrap())
    .await
    .unwrap();
    let store = atsbridge_server::app::open_store(store_url).await.unwrap();
    let figment = atsbridge_core::config::load(None).merge(Serialized::default(
        "adapters.ashby.base_url",
        sandbox.url.clone(),
    ));
    let encryption_key = SecretCipher::generate_base64();
    let cipher = SecretCipher::from_base64(&encryption_key).unwrap();
    let connections = Arc::new(ConnectionRegistry::new(store.clone(), cipher, figment));
    let new = NewConnection {
        kind: "ashby".into(),
        name: "e2e".into(),
        api_key: SecretString::from(DEMO_API_KEY.to_owned()),
        settings: serde_json::json!({}),
    };
    let connection = connections
        .create(new)
        .await
        .map_err(|e| format!("{e}"))
        .unwrap()
        .0;
    let adapter = connections.adapter(&connection.id).await.unwrap();
    let catalog = sandbox.sandbox.demo_catalog();
    let ats_job_id = catalog.open_job_ids.first().cloned().expect("an open job");
    let stages = adapter
        .list_job_stages(&ats_job_id.as_str().into())
        .await
        .unwrap();
    let active: Vec<_> = stages.iter().filter(|s| !s.kind.is_terminal()).collect();
    assert!(
        active.len() >= 3,
        "the demo job's plan has at least three active stages"
    );
    let job = JobSetup {
        connection_id: connection.id.clone(),
        dover_job_id: format!(
            "dover-job-{}",
            &uuid::Uuid::new_v4().simple().to_string()[..8]
        ),
        ats_job_id: ats_job_id.clone(),
        post_as_user_id: catalog.recruiter_ids.first().cloned(),
        new_stage: active[0].id.to_string(),
        onsite_stage: active[1].id.to_string(),
        offer_stage: active[active.len() - 1].id.to_string(),
        interviewer_email: catalog
            .users
            .keys()
            .next()
            .cloned()
            .expect("the demo seed has users"),
    };
    store.upsert_job_link(&job.link()).await.unwrap();
    sandbox.sandbox.set_faults(faults);
    World {
        store,
        connections,
        sandbox,
        job,
        encryption_key,
    }
}

/// Elements of the sandbox's dump arrays (other than candidates and applications) whose JSON
/// contains `needle`.
/// Interview schedules with an event whose `extraData` carries exactly `external_id`.
fn schedules_with_external_id(dump: &Value, external_id: &str) -> usize {
    dump["interviewSchedules"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|schedule| {
            schedule["interviewEvents"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|event| {
                    event["extraData"].as_object().is_some_and(|extra| {
                        extra.values().any(|v| v.as_str() == Some(external_id))
                    })
                })
        })
        .count()
}

impl AtsView for Sandbox {
    fn candidates_with_email(&self, email: &str) -> usize {
        self.find_candidates_by_email(email).len()
    }
    fn applications(&self, candidate: &str, job: &str) -> usize {
        self.applications_of_candidate(candidate)
            .iter()
            .filter_map(|a| self.application_json(a))
            .filter(|a| a["job"]["id"].as_str() == Some(job) || a["jobId"].as_str() == Some(job))
            .count()
    }
    fn interviews_with_external_id(&self, external_id: &str) -> usize {
        schedules_with_external_id(&self.dump_state(), external_id)
    }
    fn emails_with_message_id(&self, message_id: &str) -> usize {
        self.email_message_count(message_id)
    }
    fn application_stage(&self, application: &str) -> Option<(String, bool)> {
        let a = self.application_json(application)?;
        let stage = a["currentInterviewStage"]["id"].as_str()?.to_owned();
        Some((stage, a["status"].as_str() == Some("Archived")))
    }
}
