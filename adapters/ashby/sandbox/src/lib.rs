//! `atsbridge-ashby-sandbox`: a stateful, fault-injecting simulator of Ashby's public API.
//!
//! The sandbox keeps its own model of an Ashby organization (it shares no types
//! with the Ashby adapter, so each checks the other) and serves it the way
//! Ashby does: RPC-style `POST /<category>.<method>` endpoints with HTTP Basic
//! auth, the `{success, results}` envelope, business errors at HTTP 200,
//! cursor pagination, incremental sync tokens, a per-organization rate limit
//! and signed webhooks. A control API under `/_sandbox/…` lets tests act as a
//! recruiter inside Ashby, change faults at run time and inspect state.
//!
//! Run it in-process with [`Sandbox::router`] or [`Sandbox::spawn`], or
//! standalone with [`run_standalone`]. See `docs/ashby-sandbox.md`.

mod actions;
mod auth;
mod cli;
mod config;
mod control;
mod endpoints;
mod envelope;
mod faults;
mod http;
mod identities;
mod ids;
mod model;
mod ratelimit;
mod render;
mod sandbox;
mod seed;
mod sync;
mod webhooks;

pub use auth::{DEMO_API_KEY, NO_CANDIDATES_WRITE_API_KEY, READ_ONLY_API_KEY};
pub use cli::{SandboxArgs, run_standalone};
pub use config::{Faults, SandboxConfig, Seed, WebhookTarget};
pub use identities::{
    DEMO_CANDIDATES, SeededIdentity, seeded_identity_variants, seeded_identity_variants_for,
};
pub use sandbox::{CreatedCandidate, DemoIds, DemoStage, ManualCandidate, RunningSandbox, Sandbox};
pub use webhooks::{WebhookDelivery, sign, verify_signature};

/// The endpoints the sandbox serves, with the permission each requires.
pub fn endpoints() -> Vec<(&'static str, &'static str)> {
    endpoints::ENDPOINTS
        .iter()
        .map(|e| (e.name, e.perm.name()))
        .collect()
}
