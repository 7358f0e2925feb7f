//! Recruiter actions in the Ashby sandbox reach the event feed exactly once with the right
//! Dover stage and outcome; repeated passes add nothing; the server's own writes are not
//! echoed; merges and deletions update links and the index.

mod sync_common;

use atsbridge_core::model::ReasonType;
use atsbridge_server::store::*;
use serde_json::json;
use sync_common::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn recruiter_actions_arrive_exactly_once_with_dover_stage_and_outcome() {
    let w = World::start(Options::default()).await;
    let sb = &w.sandbox.sandbox;

    let (_, app_move) = w.linked_candidate("d-move").await;
    let (_, app_hire) = w.linked_candidate("d-hire").await;
    let (_, app_reject) = w.linked_candidate("d-reject").await;
    let (_, app_withdraw) = w.linked_candidate("d-withdraw").await;
    let (_, app_own) = w.linked_candidate("d-own").await;
    let (_, app_unmapped) = w.linked_candidate("d-unmapped").await;
    let (merged_cand, _) = w.linked_candidate("d-merge").await;
    let (deleted_cand, _) = w.linked_candidate("d-delete").await;

    // The initial (full) pass: links already match the ATS, so nothing is an event.
    let first = w.reconciler.run_pass(CONN).await.expect("first pass");
    assert!(first.full_pass);
    assert!(first.candidates_seen >= 300, "{first:?}");
    assert_eq!(
        w.events().await.len(),
        0,
        "no events for unchanged linked applications"
    );
    assert!(w.index.size(CONN) >= 300);

    // Recruiter actions.
    sb.move_stage(&app_move, &w.mapping["onsite"], None)
        .unwrap();
    sb.hire(&app_hire).unwrap();
    sb.archive(&app_reject, &w.reason(ReasonType::WeRejected))
        .unwrap();
    sb.archive(&app_withdraw, &w.reason(ReasonType::TheyWithdrew))
        .unwrap();
    // An unmapped stage: the plan's Lead stage is not mapped in the link... move there via
    // another stage first so that it is a change.
    sb.move_stage(&app_unmapped, &w.mapping["screen"], None)
        .unwrap();

    // The server's own write: the worker moves the application and then updates the link.
    w.adapter
        .move_stage(
            &app_own.as_str().into(),
            &w.mapping["offer"].as_str().into(),
        )
        .await
        .expect("own move");
    let mut link = w
        .store
        .get_candidate_link(CONN, "d-own")
        .await
        .unwrap()
        .unwrap();
    link.ats_stage_id = Some(w.mapping["offer"].clone());
    link.outcome = Some("active".into());
    w.store.upsert_candidate_link(&link).await.unwrap();

    w.reconciler.run_pass(CONN).await.expect("pass");

    let one = |evs: Vec<EventRow>| {
        assert_eq!(evs.len(), 1, "exactly one event: {evs:#?}");
        evs.into_iter().next().unwrap()
    };
    let e = one(w.events_of("d-move").await);
    assert_eq!(e.kind, "stage_changed");
    assert_eq!(e.payload["dover_stage_id"], json!("onsite"));
    assert_eq!(e.payload["outcome"], json!("active"));
    assert_eq!(e.payload["dover_job_id"], json!(DOVER_JOB));

    let e = one(w.events_of("d-hire").await);
    assert_eq!(e.kind, "hired");
    assert_eq!(e.payload["outcome"], json!("hired"));
    assert_eq!(e.payload["dover_stage_id"], json!("hired"));

    let e = one(w.events_of("d-reject").await);
    assert_eq!(e.kind, "rejected");
    assert_eq!(e.payload["outcome"], json!("rejected"));

    let e = one(w.events_of("d-withdraw").await);
    assert_eq!(e.kind, "withdrew");
    assert_eq!(e.payload["outcome"], json!("withdrew"));

    let e = one(w.events_of("d-unmapped").await);
    assert_eq!(e.payload["dover_stage_id"], json!("screen"));

    assert!(
        w.events_of("d-own").await.is_empty(),
        "own writes are not echoed"
    );

    // The link follows the ATS.
    let l = w
        .store
        .get_candidate_link(CONN, "d-hire")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(l.outcome.as_deref(), Some("hired"));

    // Repeated passes (incremental and full) add nothing.
    let before = w.events().await.len();
    w.reconciler.run_pass(CONN).await.unwrap();
    w.reconciler.run_full_pass(CONN).await.unwrap();
    w.reconciler.run_pass(CONN).await.unwrap();
    assert_eq!(
        w.events().await.len(),
        before,
        "repeated passes add nothing"
    );

    // A stage that no Dover stage maps to: reported unmapped, never guessed.
    let lead = w
        .stages
        .get("Lead")
        .cloned()
        .expect("the plan has a Lead stage");
    sb.move_stage(&app_unmapped, &lead, None).unwrap();
    w.reconciler.run_pass(CONN).await.unwrap();
    let evs = w.events_of("d-unmapped").await;
    assert_eq!(evs.len(), 2, "{evs:#?}");
    assert_eq!(evs[1].payload["dover_stage_id"], json!(null));
    assert_eq!(evs[1].payload["unmapped"], json!(true));

    // Merge: the survivor replaces the merged candidate in links and index.
    let survivor = sb
        .create_candidate(atsbridge_ashby_sandbox::ManualCandidate {
            name: "Survivor Person".into(),
            emails: vec!["survivor@example.com".into()],
            ..Default::default()
        })
        .unwrap()
        .candidate_id;
    w.reconciler.run_pass(CONN).await.unwrap();
    assert!(w.index.contains(CONN, &merged_cand));
    sb.merge_candidates(&survivor, &merged_cand).unwrap();
    w.reconciler.run_pass(CONN).await.unwrap();
    w.reconciler.run_full_pass(CONN).await.unwrap();
    let evs = w.events_of("d-merge").await;
    let merges: Vec<_> = evs
        .iter()
        .filter(|e| e.kind == "candidate_merged")
        .collect();
    assert_eq!(merges.len(), 1, "{evs:#?}");
    assert!(
        !evs.iter().any(|e| e.kind == "candidate_deleted"),
        "a merge is not a deletion: {evs:#?}"
    );
    let l = w
        .store
        .get_candidate_link(CONN, "d-merge")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(l.ats_candidate_id.as_deref(), Some(survivor.as_str()));
    assert!(!w.index.contains(CONN, &merged_cand));
    assert!(w.index.contains(CONN, &survivor));
    let found = w.index.check(
        CONN,
        &[atsbridge_server::exclusion::check::PersonQuery {
            email: Some("d-merge@linked.example.com".into()),
            ..Default::default()
        }],
        None,
    );
    assert_eq!(
        found[0].matches[0].ats_candidate_id, survivor,
        "the merged candidate's email now finds the survivor"
    );

    // Deletion: noticed by the drift check (full pass).
    sb.delete_candidate(&deleted_cand).unwrap();
    w.reconciler.run_pass(CONN).await.unwrap();
    w.reconciler.run_full_pass(CONN).await.unwrap();
    w.reconciler.run_full_pass(CONN).await.unwrap();
    let evs = w.events_of("d-delete").await;
    let deletes: Vec<_> = evs
        .iter()
        .filter(|e| e.kind == "candidate_deleted")
        .collect();
    assert_eq!(deletes.len(), 1, "{evs:#?}");
    assert!(!w.index.contains(CONN, &deleted_cand));

    // Positions are strictly increasing and ids unique.
    let all = w.events().await;
    assert!(all.windows(2).all(|p| p[0].position < p[1].position));
    let mut ids: Vec<_> = all.iter().map(|e| e.id.clone()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), all.len());
}
