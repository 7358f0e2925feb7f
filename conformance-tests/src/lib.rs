//! # atsbridge-conformance
//!
//! The conformance suite every atsbridge adapter passes, run two ways:
//!
//! - **sandbox**: against a fresh instance of the ATS's simulator, with a [`proxy::Proxy`] in front
//!   of it that counts the adapter's calls, injects faults and captures request bodies;
//! - **replay**: against recorded fixtures served by a strict [`replay::ReplayServer`].
//!
//! Every rule of the [`atsbridge_core::AtsAdapter`] contract has a case of the same name
//! ([`cases::all`]); [`coverage`] checks that each capability an adapter declares has its cases.
//! Each ATS provides a [`ConformanceTarget`] ([`targets::all`]) that knows how to drive its
//! sandbox. Every request body the adapter sends is checked against the ATS's published request
//! schema ([`schema`]). The runner is `tests/conformance.rs` (`cargo test -p atsbridge-conformance`).

pub mod cases;
pub mod coverage;
pub mod proxy;
pub mod replay;
pub mod runner;
pub mod schema;
pub mod target;
pub mod targets;

pub use cases::{Case, CaseCtx, CaseResult};
pub use target::{
    Catalog, ConformanceTarget, Fault, FaultResponse, KeyVariant, Operator, TargetSandbox,
    WebhookSample,
};
