//! Responses have the field sets, types and nulls of real Ashby recordings
//! (see tests/fixtures/README.md).

use serde_json::{Value, json};

use crate::Api;

fn fixture(name: &str) -> Value {
    let p = format!(
        "{}/tests/fixtures/shapes/{name}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap()
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn compare(actual: &Value, expected: &Value, path: &str, errs: &mut Vec<String>) {
    if kind(actual) != kind(expected) {
        errs.push(format!(
            "{path}: expected {}, got {}",
            kind(expected),
            kind(actual)
        ));
        return;
    }
    match (actual, expected) {
        (Value::Object(a), Value::Object(e)) => {
            for k in e.keys().filter(|k| !a.contains_key(*k)) {
                errs.push(format!("{path}.{k}: missing"));
            }
            for k in a.keys().filter(|k| !e.contains_key(*k)) {
                errs.push(format!("{path}.{k}: unexpected key"));
            }
            for (k, ev) in e {
                if let Some(av) = a.get(k) {
                    compare(av, ev, &format!("{path}.{k}"), errs);
                }
            }
        }
        (Value::Array(a), Value::Array(e)) => {
            if let Some(e0) = e.first() {
                if a.is_empty() {
                    errs.push(format!("{path}: empty, fixture expects items"));
                }
                for (i, av) in a.iter().enumerate() {
                    compare(av, e0, &format!("{path}[{i}]"), errs);
                }
            }
        }
        _ => {}
    }
}

#[track_caller]
fn assert_shape(actual: &Value, name: &str) {
    let mut errs = vec![];
    compare(actual, &fixture(name), "$", &mut errs);
    assert!(errs.is_empty(), "{name}: {errs:#?}\nactual: {actual:#}");
}

#[test]
fn comparator_catches_differences() {
    let mut errs = vec![];
    compare(
        &json!({"a": null, "b": 1}),
        &json!({"a": "x", "c": 1}),
        "$",
        &mut errs,
    );
    assert_eq!(errs.len(), 3, "{errs:?}");
}

#[tokio::test]
async fn candidate_shapes() {
    let api = Api::demo();
    let c = api.ok("candidate.create", json!({"name": "Shape"})).await;
    assert_shape(&c, "candidate.create.minimal");
    let (all, _) = api.list_all("candidate.list", json!({})).await;
    let full = all
        .iter()
        .find(|c| {
            c.get("primaryEmailAddress").is_some()
                && c.get("primaryPhoneNumber").is_some()
                && c.get("position").is_some()
                && c.get("location").is_none()
                && c["source"].is_object()
                && c["creditedToUser"].is_null()
                && c["timezone"].is_null()
                && c["socialLinks"].as_array().unwrap().len() == 1
                && !c["applicationIds"].as_array().unwrap().is_empty()
                && c["tags"].as_array().unwrap().is_empty()
        })
        .expect("a seeded candidate with every common field");
    assert_shape(full, "candidate.full");
    let info = api.ok("candidate.info", json!({"id": full["id"]})).await;
    assert_eq!(&info, full);
    let located = all
        .iter()
        .find(|c| {
            c.get("location").is_some()
                && c["timezone"].is_string()
                && c["creditedToUser"].is_object()
                && c.get("primaryEmailAddress").is_some()
                && c.get("primaryPhoneNumber").is_some()
                && c.get("position").is_some()
                && c["source"].is_object()
                && c["socialLinks"].as_array().unwrap().len() == 1
                && c["tags"].as_array().unwrap().is_empty()
        })
        .expect("a seeded candidate with location and timezone");
    assert_shape(located, "candidate.located");
}

#[tokio::test]
async fn application_shapes() {
    let api = Api::demo();
    let with_contacts = |a: &&Value| {
        a["candidate"].get("primaryEmailAddress").is_some()
            && a["candidate"].get("primaryPhoneNumber").is_some()
            && a["source"].is_object()
            && a["creditedToUser"].is_null()
    };
    let (archived, _) = api
        .list_all("application.list", json!({"status": "Archived"}))
        .await;
    assert_shape(
        archived.iter().find(with_contacts).unwrap(),
        "application.archived",
    );
    let (active, _) = api
        .list_all("application.list", json!({"status": "Active"}))
        .await;
    let a = active.iter().find(with_contacts).unwrap();
    assert_shape(a, "application.active");
    let moved = api
        .ok(
            "application.changeStage",
            json!({"applicationId": a["id"], "interviewStageId": a["currentInterviewStage"]["id"]}),
        )
        .await;
    assert_shape(&moved, "application.active");
    let mut info = api
        .ok("application.info", json!({"applicationId": a["id"]}))
        .await;
    assert!(info["applicationHistory"].is_array());
    info.as_object_mut().unwrap().remove("applicationHistory");
    assert_shape(&info, "application.active");
    let cat = api.sb.demo_catalog();
    let c = api
        .ok("candidate.create", json!({"name": "Shape App"}))
        .await;
    let created = api
        .ok(
            "application.create",
            json!({"candidateId": c["id"], "jobId": cat.primary_job_id}),
        )
        .await;
    assert_shape(&created, "application.create");
}

#[tokio::test]
async fn metadata_shapes() {
    let api = Api::demo();
    for j in api.ok("job.list", json!({})).await.as_array().unwrap() {
        // closedAt is a string on Closed jobs and null otherwise (as recorded).
        let mut j = j.clone();
        if j["status"] == json!("Closed") {
            assert!(j["closedAt"].is_string());
            j["closedAt"] = Value::Null;
        }
        assert_shape(&j, "job");
    }
    let (users, _) = api.list_all("user.list", json!({})).await;
    for u in &users {
        assert_shape(u, "user");
    }
    assert_shape(
        &api.ok("user.info", json!({"userId": users[0]["id"]})).await,
        "user",
    );
    for s in api.ok("source.list", json!({})).await.as_array().unwrap() {
        assert_shape(s, "source");
    }
    for r in api
        .ok("archiveReason.list", json!({"includeArchived": true}))
        .await
        .as_array()
        .unwrap()
    {
        assert_shape(r, "archive_reason");
    }
    let plan = api.ok("interviewPlan.list", json!({})).await[0]["id"].clone();
    for s in api
        .ok("interviewStage.list", json!({"interviewPlanId": plan}))
        .await
        .as_array()
        .unwrap()
    {
        assert_shape(s, "interview_stage");
    }
    let (interviews, _) = api
        .list_all(
            "interview.list",
            json!({"includeNonSharedInterviews": true}),
        )
        .await;
    for i in &interviews {
        if i.get("jobId").is_some() {
            assert_shape(i, "interview.job");
        } else if i["isDebrief"] == json!(true) {
            assert_shape(i, "interview.debrief");
        }
    }
    let c = api.ok("candidate.create", json!({"name": "Noted"})).await;
    assert_shape(
        &api.ok(
            "candidate.createNote",
            json!({"candidateId": c["id"], "note": "hi"}),
        )
        .await,
        "note",
    );
}

#[tokio::test]
async fn envelope_shapes() {
    let api = Api::demo();
    assert_shape(
        &api.ok_body("job.list", json!({"limit": 100})).await,
        "envelope.last_page",
    );
    assert_shape(
        &api.ok_body("candidate.list", json!({"limit": 1})).await,
        "envelope.more",
    );
    assert_shape(
        &api.ok_body("source.list", json!({})).await,
        "envelope.plain_list",
    );
    let r = api
        .call(
            "application.info",
            json!({"applicationId": "3f2a9c1e-1111-4222-8333-444455556666"}),
        )
        .await;
    assert_shape(&r.body, "error");
}
