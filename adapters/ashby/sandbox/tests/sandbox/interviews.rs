use atsbridge_ashby_sandbox::NO_CANDIDATES_WRITE_API_KEY;
use serde_json::json;

use crate::Api;

async fn some_app(api: &Api) -> serde_json::Value {
    let (apps, _) = api
        .list_all("application.list", json!({"status": "Active"}))
        .await;
    apps[0]["id"].clone()
}

#[tokio::test]
async fn schedule_keeps_extra_data_and_updates() {
    let api = Api::demo();
    let a = some_app(&api).await;
    let interviewer = "morgan.lee@acme.example";
    let s = api
        .ok(
            "interviewSchedule.create",
            json!({"applicationId": a, "interviewEvents": [{
                "startTime": "2030-01-02T15:00:00.000Z", "endTime": "2030-01-02T16:00:00.000Z",
                "interviewers": [{"email": interviewer, "feedbackRequired": true}],
                "extraData": {"doverEventId": "evt_123", "source": "dover"},
            }]}),
        )
        .await;
    assert_eq!(s["status"], json!("Scheduled"));
    assert_eq!(s["applicationId"], a);
    let ev = &s["interviewEvents"][0];
    assert_eq!(
        ev["extraData"],
        json!({"doverEventId": "evt_123", "source": "dover"})
    );
    assert_eq!(ev["interviewers"][0]["email"], json!(interviewer));
    assert_eq!(ev["interviewScheduleId"], s["id"]);
    // Round trip through list.
    let (listed, _) = api
        .list_all("interviewSchedule.list", json!({"applicationId": a}))
        .await;
    assert_eq!(listed.len(), 1);
    assert_eq!(
        listed[0]["interviewEvents"][0]["extraData"],
        ev["extraData"]
    );
    // Update the event's time (extraData kept) and add a second event.
    let u = api
        .ok(
            "interviewSchedule.update",
            json!({"interviewScheduleId": s["id"], "interviewEvent": [
                {"interviewEventId": ev["id"], "startTime": "2030-01-03T15:00:00.000Z", "endTime": "2030-01-03T16:00:00.000Z"},
                {"startTime": "2030-01-04T15:00:00Z", "endTime": "2030-01-04T15:30:00Z", "interviewers": [{"email": interviewer}], "extraData": {"k": "v"}},
            ]}),
        )
        .await;
    let evs = u["interviewEvents"].as_array().unwrap();
    assert_eq!(evs.len(), 2);
    assert_eq!(evs[0]["startTime"], json!("2030-01-03T15:00:00.000Z"));
    assert_eq!(evs[0]["extraData"], ev["extraData"]);
    assert_eq!(evs[1]["extraData"], json!({"k": "v"}));
    // Cancel one event, then the schedule.
    let u = api
        .ok(
            "interviewSchedule.update",
            json!({"interviewScheduleId": s["id"], "interviewEventIdToCancel": evs[1]["id"]}),
        )
        .await;
    assert_eq!(u["interviewEvents"].as_array().unwrap().len(), 1);
    // Another key may not update it.
    let r = api
        .call_as(
            NO_CANDIDATES_WRITE_API_KEY,
            "interviewSchedule.cancel",
            json!({"id": s["id"]}),
        )
        .await;
    assert_eq!(r.body["errorInfo"]["code"], json!("invalid_input"));
    let c = api
        .ok("interviewSchedule.cancel", json!({"id": s["id"]}))
        .await;
    assert_eq!(c["status"], json!("Cancelled"));
}

#[tokio::test]
async fn schedule_validation() {
    let api = Api::demo();
    let a = some_app(&api).await;
    let ev = |extra: serde_json::Value, email: &str| {
        json!({"applicationId": a, "interviewEvents": [{
        "startTime": "2030-01-02T15:00:00Z", "endTime": "2030-01-02T16:00:00Z",
        "interviewers": [{"email": email}], "extraData": extra}]})
    };
    assert_eq!(
        api.err(
            "interviewSchedule.create",
            ev(json!({"k": 1}), "morgan.lee@acme.example")
        )
        .await,
        "invalid_input"
    );
    assert_eq!(
        api.err(
            "interviewSchedule.create",
            ev(json!({"k": "x".repeat(513)}), "morgan.lee@acme.example")
        )
        .await,
        "invalid_input"
    );
    assert_eq!(
        api.err(
            "interviewSchedule.create",
            ev(json!({}), "nobody@nowhere.example")
        )
        .await,
        "invalid_input"
    );
    assert_eq!(
        api.err(
            "interviewSchedule.create",
            json!({"applicationId": a, "interviewEvents": []})
        )
        .await,
        "invalid_input"
    );
}

#[tokio::test]
async fn interview_list_excludes_job_specific_by_default() {
    let api = Api::demo();
    let (shared, token) = api.list_all("interview.list", json!({})).await;
    assert!(token.is_some());
    assert!(shared.iter().all(|i| i.get("jobId").is_none()));
    let (all, _) = api
        .list_all(
            "interview.list",
            json!({"includeNonSharedInterviews": true, "includeArchived": true}),
        )
        .await;
    assert!(all.len() > shared.len());
    assert!(all.iter().any(|i| i["jobId"].is_string()));
    let one = api.ok("interview.info", json!({"id": all[0]["id"]})).await;
    assert_eq!(one, all[0]);
}
