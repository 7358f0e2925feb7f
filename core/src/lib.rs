//! # atsbridge-core
//!
//! The ATS-neutral heart of atsbridge. It knows no particular ATS and no HTTP framework.
//!
//! - [`AtsAdapter`]: the contract every ATS adapter implements, with its behaviour rules.
//! - [`model`]: jobs, stages, candidates, applications, interviews, notes, change streams.
//! - [`AtsError`]: one error type with a kind and a retryability.
//! - [`registry`]: link-time registration of adapters with `inventory`.
//! - [`config`]: figment-based configuration.
//! - [`logic`]: pure rules shared by every adapter and the server: identity normalization,
//!   rejection-reason choice, stage-mapping validation and outcome derivation.
#![deny(missing_docs)]

mod adapter;
mod capability;
pub mod config;
mod error;
pub mod ids;
pub mod logic;
pub mod model;
pub mod registry;
mod webhook;

pub use adapter::{AtsAdapter, CredentialReport, WebhookRequest};
pub use capability::{Capabilities, Capability};
pub use config::AdapterContext;
pub use error::{AtsError, ErrorKind, Result, Retryability};
pub use registry::AdapterDescriptor;
pub use webhook::{WebhookDelivery, WebhookEvent};

/// Re-exported so adapters name the same versions.
pub use async_trait::async_trait;
pub use inventory;
pub use secrecy;
