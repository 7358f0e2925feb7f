use atsbridge_ashby_sandbox::{
    DEMO_API_KEY, Sandbox, SandboxConfig, Seed, seeded_identity_variants,
};
use serde_json::{Value, json};

use crate::{Api, ids};

#[tokio::test]
async fn create_does_not_dedupe_and_search_finds_both() {
    let api = Api::demo();
    let body = json!({"name": "Dana Dup", "email": "dana.dup@example.com", "phoneNumber": "+1 415 555 0100",
                      "linkedInUrl": "https://www.linkedin.com/in/dana-dup"});
    let a = api.ok("candidate.create", body.clone()).await;
    let b = api.ok("candidate.create", body).await;
    assert_ne!(a["id"], b["id"]);
    assert_eq!(
        a["primaryEmailAddress"],
        json!({"value": "dana.dup@example.com", "type": "Personal", "isPrimary": true})
    );
    assert_eq!(
        a["socialLinks"],
        json!([{"type": "LinkedIn", "url": "https://www.linkedin.com/in/dana-dup"}])
    );
    let found = api
        .ok("candidate.search", json!({"email": "DANA.DUP@EXAMPLE.COM"}))
        .await;
    assert_eq!(
        ids(found.as_array().unwrap()),
        vec![
            a["id"].as_str().unwrap().to_string(),
            b["id"].as_str().unwrap().to_string()
        ]
    );
    assert_eq!(
        api.sb
            .find_candidates_by_email("dana.dup@example.com")
            .len(),
        2
    );
}

#[tokio::test]
async fn search_is_and_of_email_and_name() {
    let api = Api::demo();
    let c = api
        .ok("candidate.create", json!({"name": "Quinn Zebra", "email": "qz@example.com", "alternateEmailAddresses": ["Quinn@Work.Example"]}))
        .await;
    let other = api
        .ok("candidate.create", json!({"name": "Quinn Zebra"}))
        .await;
    let hit = |v: Value| ids(v.as_array().unwrap());
    // Email matches any of the candidate's emails, case-insensitively.
    assert_eq!(
        hit(api
            .ok("candidate.search", json!({"email": "quinn@work.example"}))
            .await),
        ids(std::slice::from_ref(&c))
    );
    // AND: matching email but another name → nothing.
    assert!(
        hit(api
            .ok(
                "candidate.search",
                json!({"email": "qz@example.com", "name": "Someone Else"})
            )
            .await)
        .is_empty()
    );
    assert_eq!(
        hit(api
            .ok(
                "candidate.search",
                json!({"email": "qz@example.com", "name": "quinn zebra"})
            )
            .await),
        ids(std::slice::from_ref(&c))
    );
    // Name alone finds both.
    assert_eq!(
        hit(api
            .ok("candidate.search", json!({"name": "Quinn Zebra"}))
            .await),
        ids(&[c, other])
    );
    assert_eq!(
        api.err("candidate.search", json!({})).await,
        "invalid_input"
    );
    // At most 100 results.
    for i in 0..105 {
        api.sb
            .create_candidate(atsbridge_ashby_sandbox::ManualCandidate {
                name: format!("Common Name {i}"),
                ..Default::default()
            })
            .unwrap();
    }
    assert_eq!(
        api.ok("candidate.search", json!({"name": "common name"}))
            .await
            .as_array()
            .unwrap()
            .len(),
        100
    );
}

#[tokio::test]
async fn update_changes_fields_and_updated_at() {
    let api = Api::demo();
    let c = api
        .ok(
            "candidate.create",
            json!({"name": "Up Date", "email": "old@example.com"}),
        )
        .await;
    let u = api
        .ok("candidate.update", json!({"candidateId": c["id"], "email": "new@example.com", "linkedInUrl": "https://linkedin.com/in/up-date", "alternateEmail": "alt@example.com"}))
        .await;
    assert_eq!(u["primaryEmailAddress"]["value"], json!("new@example.com"));
    let emails: Vec<&str> = u["emailAddresses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["value"].as_str().unwrap())
        .collect();
    assert_eq!(
        emails,
        vec!["new@example.com", "old@example.com", "alt@example.com"]
    );
    assert_eq!(u["socialLinks"][0]["type"], json!("LinkedIn"));
    assert!(u["updatedAt"].as_str() >= c["updatedAt"].as_str());
    assert_eq!(
        api.sb.find_candidates_by_email("new@example.com"),
        vec![c["id"].as_str().unwrap().to_string()]
    );
    assert_eq!(
        api.err(
            "candidate.update",
            json!({"candidateId": c["id"], "websiteUrl": "not a url"})
        )
        .await,
        "invalid_input"
    );
}

#[tokio::test]
async fn notes_and_tags() {
    let api = Api::demo();
    let c = api
        .ok("candidate.create", json!({"name": "Note Taker"}))
        .await;
    let n = api
        .ok(
            "candidate.createNote",
            json!({"candidateId": c["id"], "note": "Plain note"}),
        )
        .await;
    assert_eq!(n["content"], json!("Plain note"));
    assert_eq!(n["isPrivate"], json!(false));
    assert!(n["author"]["email"].is_string());
    let h = api
        .ok("candidate.createNote", json!({"candidateId": c["id"], "note": {"type": "text/html", "value": "<p>Hi <b>there</b><script>x</script></p>"}}))
        .await;
    assert_eq!(h["content"], json!("Hi <b>there</b>x"));
    let (notes, token) = api
        .list_all("candidate.listNotes", json!({"candidateId": c["id"]}))
        .await;
    assert_eq!(notes.len(), 2);
    assert!(token.is_some());
    let t = api
        .ok("candidateTag.create", json!({"title": "Sandbox Tag"}))
        .await;
    let again = api
        .ok("candidateTag.create", json!({"title": "Sandbox Tag"}))
        .await;
    assert_eq!(t["id"], again["id"]);
    let tagged = api
        .ok(
            "candidate.addTag",
            json!({"candidateId": c["id"], "tagId": t["id"]}),
        )
        .await;
    assert_eq!(tagged["tags"], json!([t]));
}

#[tokio::test]
async fn add_email_message_is_idempotent_per_key() {
    let dir = std::env::temp_dir().join(format!("sbx-seed-{}.json", std::process::id()));
    std::fs::write(
        &dir,
        json!({
            "users": [{"firstName": "A", "lastName": "B", "email": "a@b.example", "globalRole": "Organization Admin"}],
            "candidates": [{"name": "Mail Person", "emails": ["mail@example.com"]}],
            "apiKeys": [{"key": "sandbox-second-key", "title": "Second", "permissions": ["candidatesRead", "candidatesWrite"]}],
        })
        .to_string(),
    )
    .unwrap();
    let api = Api::with(SandboxConfig {
        seed: Seed::File(dir.clone()),
        ..SandboxConfig::default()
    });
    std::fs::remove_file(&dir).ok();
    let (cands, _) = api.list_all("candidate.list", json!({})).await;
    let c = cands[0]["id"].clone();
    let msg = json!({"candidateId": c, "emailProviderEmailId": "msg-1", "subject": "Hi", "from": "a@b.example", "to": "mail@example.com", "body": "<p>Hello</p>"});
    let first = api.ok("candidate.addEmailMessage", msg.clone()).await;
    let second = api.ok("candidate.addEmailMessage", msg.clone()).await;
    assert_eq!(first["id"], second["id"]);
    assert_eq!(first["threadId"], json!("msg-1"));
    // Another key: its own namespace.
    let other = api
        .call_as(
            "sandbox-second-key",
            "candidate.addEmailMessage",
            msg.clone(),
        )
        .await;
    assert_ne!(other.body["results"]["id"], first["id"]);
    let mut msg2 = msg.clone();
    msg2["emailProviderEmailId"] = json!("msg-2");
    assert_ne!(
        api.ok("candidate.addEmailMessage", msg2).await["id"],
        first["id"]
    );
    let mut bad = msg;
    bad.as_object_mut().unwrap().remove("subject");
    assert_eq!(
        api.err("candidate.addEmailMessage", bad).await,
        "invalid_input"
    );
    assert!(
        api.call_as(DEMO_API_KEY, "job.list", json!({})).await.body["results"]
            .as_array()
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn seeded_identities_are_stored_messily() {
    let sb = Sandbox::new(SandboxConfig::default()).unwrap();
    let idents = seeded_identity_variants();
    assert_eq!(idents, sb.seeded_identities());
    assert_eq!(idents.len(), atsbridge_ashby_sandbox::DEMO_CANDIDATES);
    let mut messy_email = 0;
    let mut messy_link = 0;
    let mut messy_phone = 0;
    for i in &idents {
        let c = sb
            .candidate_json(&i.candidate_id)
            .expect("seeded candidate exists");
        if let Some(stored) = &i.stored_email {
            assert_eq!(c["primaryEmailAddress"]["value"], json!(stored));
            assert!(
                sb.find_candidates_by_email(stored)
                    .contains(&i.candidate_id)
            );
            if Some(stored) != i.email.as_ref() {
                messy_email += 1;
            }
        } else {
            assert!(c.get("primaryEmailAddress").is_none());
        }
        if let Some(l) = &i.stored_linkedin {
            assert!(
                c["socialLinks"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|x| x["url"] == json!(l))
            );
            if Some(l) != i.linkedin.as_ref() {
                messy_link += 1;
            }
        }
        if let Some(p) = &i.stored_phone {
            assert_eq!(c["primaryPhoneNumber"]["value"], json!(p));
            if Some(p) != i.phone.as_ref() {
                messy_phone += 1;
            }
        }
    }
    assert!(
        messy_email > 100 && messy_link > 100 && messy_phone > 100,
        "{messy_email} {messy_link} {messy_phone}"
    );
    let all_stored: Vec<&String> = idents
        .iter()
        .filter_map(|i| i.stored_linkedin.as_ref())
        .collect();
    for needle in [
        "http://",
        "uk.linkedin.com",
        "m.linkedin.com",
        "/pub/",
        "%C3",
        "?",
        "www.",
    ] {
        assert!(
            all_stored.iter().any(|s| s.contains(needle)),
            "no LinkedIn variant with {needle}"
        );
    }
    let emails: Vec<&String> = idents
        .iter()
        .filter_map(|i| i.stored_email.as_ref())
        .collect();
    for needle in ["googlemail", "+", "Gmail.com"] {
        assert!(
            emails.iter().any(|s| s.contains(needle)),
            "no email variant with {needle}"
        );
    }
    let phones: Vec<&String> = idents
        .iter()
        .filter_map(|i| i.stored_phone.as_ref())
        .collect();
    for needle in ["(", "+44 20", ".", "+1 "] {
        assert!(
            phones.iter().any(|s| s.contains(needle)),
            "no phone variant with {needle}"
        );
    }
    assert!(idents.iter().any(|i| i.duplicate_of.is_some()));
}
