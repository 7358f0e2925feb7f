//! Webhook verification and parsing (no HTTP calls: the target signs payloads itself).

use super::{CaseCtx, CaseResult, expect_err};
use atsbridge_core::{ErrorKind, WebhookEvent, WebhookRequest};
use secrecy::SecretString;

const SECRET: &str = "conformance-webhook-secret";

fn without_state(event: &WebhookEvent) -> WebhookEvent {
    match event {
        WebhookEvent::ApplicationChanged { application_id, .. } => {
            WebhookEvent::ApplicationChanged {
                application_id: application_id.clone(),
                state: None,
            }
        }
        other => other.clone(),
    }
}

/// `webhook_bad_signature_refused`: a missing or wrong signature, or a body changed after
/// signing, gives `Unauthenticated`; the right one is accepted.
pub async fn webhook_bad_signature_refused(ctx: &CaseCtx) -> CaseResult {
    let sample = ctx
        .target()
        .webhook_samples()
        .into_iter()
        .next()
        .ok_or_else(|| anyhow::anyhow!("target has no webhook samples"))?;
    let secret = SecretString::from(SECRET);
    let good = ctx.target().sign_webhook(SECRET, &sample.body);
    let wrong = ctx.target().sign_webhook("not-the-secret", &sample.body);
    let none = http::HeaderMap::new();
    let mut tampered = sample.body.clone();
    tampered.extend_from_slice(b" ");
    for (what, headers, body) in [
        ("wrong secret", &wrong, &sample.body),
        ("no signature", &none, &sample.body),
        ("body changed after signing", &good, &tampered),
    ] {
        let result = ctx
            .adapter()
            .parse_webhook(&secret, WebhookRequest { headers, body });
        let err = expect_err(result, &format!("parse_webhook({what})"))?;
        anyhow::ensure!(
            *err.kind() == ErrorKind::Unauthenticated,
            "{what}: expected Unauthenticated, got {err:?}"
        );
    }
    ctx.adapter()
        .parse_webhook(
            &secret,
            WebhookRequest {
                headers: &good,
                body: &sample.body,
            },
        )
        .map_err(|e| anyhow::anyhow!("a correctly signed delivery was refused: {e:?}"))?;
    Ok(())
}

/// `webhook_parses_actions`: each sample becomes its event; other actions are `Ignored`; a body
/// that is not the ATS's shape gives `InvalidInput`.
pub async fn webhook_parses_actions(ctx: &CaseCtx) -> CaseResult {
    let secret = SecretString::from(SECRET);
    let samples = ctx.target().webhook_samples();
    anyhow::ensure!(!samples.is_empty(), "target has no webhook samples");
    for sample in samples {
        let headers = ctx.target().sign_webhook(SECRET, &sample.body);
        let delivery = ctx
            .adapter()
            .parse_webhook(
                &secret,
                WebhookRequest {
                    headers: &headers,
                    body: &sample.body,
                },
            )
            .map_err(|e| anyhow::anyhow!("{}: parse failed: {e:?}", sample.action))?;
        anyhow::ensure!(
            delivery.action == sample.action,
            "action {:?}, expected {:?}",
            delivery.action,
            sample.action
        );
        anyhow::ensure!(
            without_state(&delivery.event) == without_state(&sample.expected),
            "{}: parsed {:?}, expected {:?}",
            sample.action,
            delivery.event,
            sample.expected
        );
    }
    let junk = br#"["not", "a", "webhook"]"#;
    let headers = ctx.target().sign_webhook(SECRET, junk);
    let err = expect_err(
        ctx.adapter().parse_webhook(
            &secret,
            WebhookRequest {
                headers: &headers,
                body: junk,
            },
        ),
        "parse_webhook(junk body)",
    )?;
    anyhow::ensure!(
        matches!(err.kind(), ErrorKind::InvalidInput { .. }),
        "junk body gave {err:?}"
    );
    Ok(())
}
