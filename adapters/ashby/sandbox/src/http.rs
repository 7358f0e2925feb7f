//! The HTTP layer of the Ashby endpoints: auth, rate limit, faults, envelope.

use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde_json::Value;

use crate::Sandbox;
use crate::actions::Act;
use crate::auth::{Credentials, credentials};
use crate::endpoints::{self, Req};
use crate::envelope::{error_body, json_response, new_request_id};
use crate::faults::Fate;
use crate::ratelimit::RateStatus;
use crate::sandbox::registered_hooks;
use crate::sync::SyncCtx;

/// Builds the whole router.
pub(crate) fn router(sb: Sandbox) -> Router {
    Router::new()
        .nest("/_sandbox", crate::control::routes())
        .route("/{endpoint}", post(ashby))
        .with_state(sb)
}

fn with_headers(mut r: Response, request_id: &str, rate: &RateStatus) -> Response {
    let h = r.headers_mut();
    let put = |h: &mut HeaderMap, k: &'static str, v: String| {
        if let Ok(v) = HeaderValue::from_str(&v) {
            h.insert(k, v);
        }
    };
    put(h, "x-ashby-request-id", request_id.to_string());
    put(h, "x-ratelimit-limit", rate.limit.to_string());
    put(h, "x-ratelimit-remaining", rate.remaining.to_string());
    put(h, "x-ratelimit-reset", rate.reset_epoch.to_string());
    r
}

fn err(status: StatusCode, code: &str, msg: &str, rid: &str) -> Response {
    json_response(status, &error_body(code, msg, rid))
}

async fn ashby(
    State(sb): State<Sandbox>,
    Path(endpoint): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let rid = new_request_id();
    let inner = &sb.inner;
    *inner.calls.lock().entry(endpoint.clone()).or_insert(0) += 1;
    let faults = inner.faults.lock().clone();
    let limit = faults.rate_limit_per_minute;

    let Some(def) = endpoints::lookup(&endpoint) else {
        let rate = inner.rate.lock().peek(limit, faults.rate_limit_window);
        let r = err(
            StatusCode::NOT_FOUND,
            "endpoint_not_found",
            &format!("No endpoint named {endpoint:?}"),
            &rid,
        );
        return with_headers(r, &rid, &rate);
    };

    // Authentication: 401 without credentials, 403 for an unknown key.
    let key = match credentials(&headers) {
        Credentials::Missing => {
            let rate = inner.rate.lock().peek(limit, faults.rate_limit_window);
            let r = err(
                StatusCode::UNAUTHORIZED,
                "unauthenticated",
                "Missing API key: use HTTP Basic auth with the API key as username and an empty password",
                &rid,
            );
            return with_headers(r, &rid, &rate);
        }
        Credentials::Key(k) => k,
    };
    let perms = inner.state.lock().keys.get(&key).map(|k| k.perms);
    let Some(perms) = perms else {
        let rate = inner.rate.lock().peek(limit, faults.rate_limit_window);
        let r = err(
            StatusCode::FORBIDDEN,
            "invalid_api_key",
            "The API key is invalid or has been deactivated",
            &rid,
        );
        return with_headers(r, &rid, &rate);
    };

    // Rate limit per organization.
    let rate = inner.rate.lock().hit(limit, faults.rate_limit_window);
    if !rate.allowed {
        let mut r = err(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limit_exceeded",
            &format!(
                "Rate limit exceeded. Try again in {} seconds.",
                rate.retry_after
            ),
            &rid,
        );
        if let Ok(v) = HeaderValue::from_str(&rate.retry_after.to_string()) {
            r.headers_mut().insert("retry-after", v);
        }
        return with_headers(r, &rid, &rate);
    }

    if perms & (def.perm as u32) == 0 {
        let r = err(
            StatusCode::FORBIDDEN,
            "missing_endpoint_permission",
            &format!(
                "The API key lacks the {} permission required by {}",
                def.perm.name(),
                def.name
            ),
            &rid,
        );
        return with_headers(r, &rid, &rate);
    }

    // Faults (apiKey.info is exempt so clients can always validate a key).
    let mut fate = Fate::Serve;
    if def.name != "apiKey.info" {
        if faults.latency_ms > 0 {
            tokio::time::sleep(Duration::from_millis(faults.latency_ms)).await;
        }
        fate = inner.rng.lock().draw(
            faults.fail_rate,
            faults.drop_response_rate,
            def.perm.is_write(),
        );
    }
    if fate == Fate::FailBefore {
        let mut r = (
            StatusCode::SERVICE_UNAVAILABLE,
            "upstream temporarily unavailable (sandbox fault injection)",
        )
            .into_response();
        r.headers_mut()
            .insert("retry-after", HeaderValue::from_static("1"));
        return with_headers(r, &rid, &rate);
    }

    let parsed: Result<Value, String> = if body.iter().all(|b| b.is_ascii_whitespace()) {
        Ok(Value::Object(Default::default()))
    } else {
        serde_json::from_slice(&body).map_err(|e| format!("Request body is not valid JSON: {e}"))
    };
    let result = match parsed {
        Ok(v) if v.is_object() => {
            let (result, events, hooks) = {
                let mut st = inner.state.lock();
                let user = st.keys.get(&key).and_then(|k| k.user);
                let mut req = Req {
                    sync: SyncCtx {
                        tokens: &inner.tokens,
                        ttl: faults.sync_token_ttl,
                        max_changes: faults.incremental_sync_max_changes,
                    },
                    st: &mut st,
                    key: &key,
                    act: Act::new(user),
                };
                let result = (def.handler)(&mut req, &v);
                let events = std::mem::take(&mut req.act.events);
                let hooks = if result.is_ok() && !events.is_empty() {
                    registered_hooks(&st)
                } else {
                    vec![]
                };
                (result, events, hooks)
            };
            if result.is_ok() {
                inner.webhooks.fire(&hooks, events);
            }
            result
        }
        Ok(_) => Err(crate::envelope::ApiError::invalid(
            "Request body must be a JSON object",
        )),
        Err(m) => Err(crate::envelope::ApiError::invalid(m)),
    };

    if fate == Fate::DropAfter {
        let r = (
            StatusCode::BAD_GATEWAY,
            "error code: 502 (sandbox dropped the response after applying the request)",
        )
            .into_response();
        return with_headers(r, &rid, &rate);
    }
    let body = match result {
        Ok(reply) => reply.into_json(),
        Err(e) => error_body(e.code, &e.message, &rid),
    };
    with_headers(json_response(StatusCode::OK, &body), &rid, &rate)
}
