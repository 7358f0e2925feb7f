//! # atsbridge-ashby
//!
//! The Ashby adapter for atsbridge: an Ashby API client, the [`AtsAdapter`] implementation
//! registered as kind `"ashby"`, and webhook verification and parsing.
//!
//! - [`AshbyAdapter`] implements every capability of the contract; build it from a connection's
//!   settings ([`AshbyConfig`]) with [`AshbyAdapter::from_context`] (what the registry does) or
//!   directly with [`AshbyAdapter::new`].
//! - Record mode ([`record`]): set [`RECORD_DIR_ENV`] to a folder and every Ashby exchange is
//!   written there as a scrubbed fixture.
//! - [`webhook`]: `Ashby-Signature` verification and action parsing.
//! - [`html`]: the note HTML sanitizer.
//!
//! See `docs/adapters/ashby.md` for permissions, configuration and known differences.
#![deny(missing_docs)]

mod adapter;
mod applications;
mod candidates;
mod client;
pub mod config;
mod errors;
pub mod html;
mod interviews;
mod mapping;
mod metadata;
mod pagination;
pub mod record;
pub mod webhook;
mod wire;

pub use adapter::{AshbyAdapter, KIND};
pub use client::{MAX_PACE_WAIT, MAX_RETRY_WAIT};
pub use config::{AshbyConfig, DEFAULT_BASE_URL, RECORD_DIR_ENV};
pub use mapping::EXTERNAL_ID_KEY;

#[doc(no_inline)]
pub use atsbridge_core::AtsAdapter;
