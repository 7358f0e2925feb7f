//! Verifying and parsing Ashby webhook deliveries.
//!
//! Ashby signs each delivery with the webhook's secret token: header
//! `Ashby-Signature: sha256=<hex>` where `<hex>` is HMAC-SHA256(secret, raw body). The body is
//! `{"webhookActionId": …, "action": …, "data": {…}}`; `webhookActionId` is the same across
//! Ashby's retries and becomes [`WebhookDelivery::delivery_id`].

use crate::mapping;
use crate::wire;
use atsbridge_core::ids::{ApplicationId, CandidateId, InterviewId};
use atsbridge_core::{AtsError, Result, WebhookDelivery, WebhookEvent, WebhookRequest};
use hmac::{Hmac, Mac};
use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;
use sha2::Sha256;

/// The header carrying Ashby's signature.
pub const SIGNATURE_HEADER: &str = "ashby-signature";

/// Checks `Ashby-Signature` against HMAC-SHA256(`secret`, body) in constant time.
pub fn verify_signature(
    secret: &SecretString,
    headers: &http::HeaderMap,
    body: &[u8],
) -> Result<()> {
    let refuse = |why: &str| {
        AtsError::unauthenticated(format!("webhook refused: {why}")).with_operation("parse_webhook")
    };
    let header = headers
        .get(SIGNATURE_HEADER)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| refuse("the Ashby-Signature header is missing"))?;
    let (algo, hex_sig) = header
        .trim()
        .split_once('=')
        .ok_or_else(|| refuse("the Ashby-Signature header is malformed"))?;
    if !algo.trim().eq_ignore_ascii_case("sha256") {
        return Err(refuse("the signature algorithm is not sha256"));
    }
    let sig = hex::decode(hex_sig.trim()).map_err(|_| refuse("the signature is not hex"))?;
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.expose_secret().as_bytes())
        .map_err(|_| refuse("the webhook secret cannot be used"))?;
    mac.update(body);
    mac.verify_slice(&sig)
        .map_err(|_| refuse("the signature does not match"))
}

/// Verifies and parses one delivery (see [`atsbridge_core::AtsAdapter::parse_webhook`]).
pub fn parse_webhook(
    secret: &SecretString,
    request: WebhookRequest<'_>,
) -> Result<WebhookDelivery> {
    verify_signature(secret, request.headers, request.body)?;
    let bad = |why: &str| {
        AtsError::invalid_input(Some("body"), format!("not an Ashby webhook: {why}"))
            .with_operation("parse_webhook")
    };
    let v: Value = serde_json::from_slice(request.body).map_err(|_| bad("the body is not JSON"))?;
    let action = v
        .get("action")
        .and_then(Value::as_str)
        .ok_or_else(|| bad("there is no `action`"))?
        .to_owned();
    let delivery_id = v
        .get("webhookActionId")
        .and_then(Value::as_str)
        .map(str::to_owned);
    let data = v.get("data").cloned().unwrap_or(Value::Null);
    let id_at = |path: &[&str]| -> Option<String> {
        let mut cur = &data;
        for p in path {
            cur = cur.get(*p)?;
        }
        cur.as_str().map(str::to_owned)
    };
    let event = match action.as_str() {
        "applicationSubmit"
        | "applicationUpdate"
        | "candidateStageChange"
        | "candidateHire"
        | "pushToHRIS" => {
            let app = data
                .get("application")
                .ok_or_else(|| bad("`data.application` is missing"))?;
            let id = app
                .get("id")
                .and_then(Value::as_str)
                .ok_or_else(|| bad("`data.application.id` is missing"))?;
            let state = serde_json::from_value::<wire::Application>(app.clone())
                .ok()
                .and_then(|w| mapping::application(w).ok())
                .map(Box::new);
            WebhookEvent::ApplicationChanged {
                application_id: ApplicationId::new(id),
                state,
            }
        }
        "candidateMerge" => {
            let survivor = id_at(&["mergedCandidate", "id"])
                .ok_or_else(|| bad("`data.mergedCandidate.id` is missing"))?;
            let merged = id_at(&["deletedCandidate", "id"])
                .ok_or_else(|| bad("`data.deletedCandidate.id` is missing"))?;
            WebhookEvent::CandidatesMerged {
                survivor: CandidateId::new(survivor),
                merged: CandidateId::new(merged),
            }
        }
        "candidateDelete" => {
            let id =
                id_at(&["candidate", "id"]).ok_or_else(|| bad("`data.candidate.id` is missing"))?;
            WebhookEvent::CandidateDeleted {
                candidate_id: CandidateId::new(id),
            }
        }
        "interviewScheduleCreate" | "interviewScheduleUpdate" => {
            let id = id_at(&["interviewSchedule", "id"])
                .ok_or_else(|| bad("`data.interviewSchedule.id` is missing"))?;
            let application_id =
                id_at(&["interviewSchedule", "applicationId"]).map(ApplicationId::new);
            WebhookEvent::InterviewChanged {
                interview_id: InterviewId::new(id),
                application_id,
            }
        }
        "ping" => WebhookEvent::Ping,
        _ => WebhookEvent::Ignored,
    };
    Ok(WebhookDelivery {
        delivery_id,
        action,
        event,
    })
}

/// The `Ashby-Signature` value for `body` signed with `secret` (for tests and tools).
pub fn sign(secret: &str, body: &[u8]) -> String {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC accepts any key length");
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use atsbridge_core::ErrorKind;
    use atsbridge_core::model::{AtsStatus, Outcome};

    const SECRET: &str = "whsec-test";

    fn deliver(body: &str, signature: Option<String>) -> Result<WebhookDelivery> {
        let mut headers = http::HeaderMap::new();
        if let Some(s) = signature {
            headers.insert("Ashby-Signature", s.parse().unwrap());
        }
        parse_webhook(
            &SecretString::from(SECRET.to_owned()),
            WebhookRequest {
                headers: &headers,
                body: body.as_bytes(),
            },
        )
    }

    fn signed(body: &str) -> Result<WebhookDelivery> {
        deliver(body, Some(sign(SECRET, body.as_bytes())))
    }

    #[test]
    fn bad_or_missing_signatures_are_refused() {
        let body = r#"{"action":"ping","data":{"webhookActionType":"ping"}}"#;
        for sig in [
            None,
            Some("sha256=00".to_owned()),
            Some("garbage".to_owned()),
            Some(sign("other", body.as_bytes())),
        ] {
            let e = deliver(body, sig.clone()).unwrap_err();
            assert_eq!(e.kind(), &ErrorKind::Unauthenticated, "{sig:?}");
            assert!(!e.to_string().contains(SECRET));
        }
        // A body changed after signing is refused.
        let sig = sign(SECRET, body.as_bytes());
        assert!(deliver(&body.replace("ping", "pong"), Some(sig)).is_err());
    }

    #[test]
    fn ping_and_unknown_actions() {
        let d = signed(
            r#"{"webhookActionId":"w1","action":"ping","data":{"webhookActionType":"ping"}}"#,
        )
        .unwrap();
        assert_eq!(d.event, WebhookEvent::Ping);
        assert_eq!(d.delivery_id.as_deref(), Some("w1"));
        let d = signed(
            r#"{"webhookActionId":"w2","action":"offerCreate","data":{"offer":{"id":"o1"}}}"#,
        )
        .unwrap();
        assert_eq!(d.event, WebhookEvent::Ignored);
        assert_eq!(d.action, "offerCreate");
    }

    #[test]
    fn application_actions_carry_the_state() {
        let body = r#"{"webhookActionId":"w3","action":"candidateStageChange","data":{"application":{
            "id":"app-1","status":"Archived","createdAt":"2025-03-01T10:00:00.000Z","updatedAt":"2025-03-02T10:00:00.000Z",
            "archivedAt":"2025-03-02T10:00:00.000Z","candidate":{"id":"cand-1","name":"Sam Example"},
            "currentInterviewStage":{"id":"st-9","title":"Archived","type":"Archived","orderInInterviewPlan":9,"interviewPlanId":"pl-1"},
            "archiveReason":{"id":"ar-2","text":"Took another offer","reasonType":"RejectedByCandidate","isArchived":false},
            "job":{"id":"job-1","title":"Engineer"},"source":null,"creditedToUser":null,"hiringTeam":[]}}}"#;
        let d = signed(body).unwrap();
        let WebhookEvent::ApplicationChanged {
            application_id,
            state,
        } = d.event
        else {
            panic!("{:?}", d.event)
        };
        assert_eq!(application_id.as_str(), "app-1");
        let state = state.unwrap();
        assert_eq!(state.status, AtsStatus::Archived);
        assert_eq!(state.outcome, Outcome::Withdrew);
        assert_eq!(state.candidate_id.as_str(), "cand-1");
    }

    #[test]
    fn merge_delete_and_interview_actions() {
        let d = signed(r#"{"action":"candidateMerge","data":{"deletedCandidate":{"id":"old"},"mergedCandidate":{"id":"kept"}}}"#).unwrap();
        assert_eq!(
            d.event,
            WebhookEvent::CandidatesMerged {
                survivor: "kept".into(),
                merged: "old".into()
            }
        );
        let d =
            signed(r#"{"action":"candidateDelete","data":{"candidate":{"id":"gone"}}}"#).unwrap();
        assert_eq!(
            d.event,
            WebhookEvent::CandidateDeleted {
                candidate_id: "gone".into()
            }
        );
        let d = signed(r#"{"action":"interviewScheduleUpdate","data":{"interviewSchedule":{"id":"is-1","applicationId":"app-1","status":"Scheduled"}}}"#).unwrap();
        assert_eq!(
            d.event,
            WebhookEvent::InterviewChanged {
                interview_id: "is-1".into(),
                application_id: Some("app-1".into())
            }
        );
    }

    #[test]
    fn bodies_that_are_not_ashby_webhooks_are_invalid_input() {
        for body in [
            "not json",
            r#"{"data":{}}"#,
            r#"{"action":"candidateDelete","data":{}}"#,
        ] {
            let e = signed(body).unwrap_err();
            assert!(
                matches!(e.kind(), ErrorKind::InvalidInput { .. }),
                "{body}: {e}"
            );
        }
    }
}
