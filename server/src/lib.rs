//! # atsbridge-server
//!
//! The `atsbridge` service: HTTP API, durable command queue, store, reconciler and exclusion
//! index. The binary (`src/main.rs`) is a thin CLI over this library, so integration tests can
//! drive the same code.

pub mod adapters;
pub mod api;
pub mod app;
pub mod commands;
pub mod config;
pub mod connections;
pub mod crypto;
pub mod demo;
pub mod embedded;
pub mod exclusion;
pub mod feed;
pub mod signal;
pub mod store;
pub mod sync;
pub mod worker;
