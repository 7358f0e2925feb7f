//! Bearer-token authentication of `/v1`.
//!
//! Every request under the authed router must carry `Authorization: Bearer <token>` with one of
//! `server.tokens`; otherwise 401 `unauthorized` with `WWW-Authenticate: Bearer`. The token is
//! never logged.

use crate::api::error::ApiError;
use crate::app::AppState;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// Middleware: passes the request on when its bearer token is valid, else answers 401.
pub async fn require_bearer(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let token = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim);
    let err = match token {
        None => ApiError::unauthorized("missing `Authorization: Bearer <token>` header"),
        Some(t) if state.token_is_valid(t) => return next.run(req).await,
        Some(_) => ApiError::unauthorized("the bearer token is not valid"),
    };
    let mut resp = err.into_response();
    resp.headers_mut()
        .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    resp
}
