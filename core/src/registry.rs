//! Link-time registry of adapters.
//!
//! Each adapter crate submits one const [`AdapterDescriptor`] with `inventory::submit!`. A crate
//! that is a dependency but never referenced is not linked and its descriptor silently vanishes,
//! so **every binary anchors every adapter crate** with a line such as
//! `use atsbridge_ashby as _;`, and a guard test ([`unregistered_adapter_dirs`]) fails when a
//! folder under `adapters/` has no registered kind.

use crate::adapter::AtsAdapter;
use crate::config::AdapterContext;
use crate::error::{AtsError, Result};
use std::path::Path;
use std::sync::Arc;

/// How to build one kind of adapter. Must be const-constructible.
pub struct AdapterDescriptor {
    /// The kind name used in configuration and the API (`"ashby"`): the ATS's name in lowercase.
    pub kind: &'static str,
    /// The ATS's display name (`"Ashby"`).
    pub display_name: &'static str,
    /// Builds an adapter for one connection from its configuration and shared resources.
    /// Fails with `InvalidInput` naming the setting when the configuration is incomplete.
    pub build: fn(&AdapterContext) -> Result<Arc<dyn AtsAdapter>>,
}

impl std::fmt::Debug for AdapterDescriptor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AdapterDescriptor")
            .field("kind", &self.kind)
            .field("display_name", &self.display_name)
            .finish_non_exhaustive()
    }
}

inventory::collect!(AdapterDescriptor);

/// Every registered descriptor, sorted by kind.
pub fn descriptors() -> Vec<&'static AdapterDescriptor> {
    let mut all: Vec<_> = inventory::iter::<AdapterDescriptor>.into_iter().collect();
    all.sort_by_key(|d| d.kind);
    all
}

/// Every registered kind, sorted.
pub fn kinds() -> Vec<&'static str> {
    descriptors().into_iter().map(|d| d.kind).collect()
}

/// The descriptor of `kind`; an unknown kind gives `InvalidInput` naming the available kinds.
pub fn find(kind: &str) -> Result<&'static AdapterDescriptor> {
    descriptors()
        .into_iter()
        .find(|d| d.kind == kind)
        .ok_or_else(|| {
            let available = kinds();
            let list = if available.is_empty() {
                "none (is the adapter crate anchored in this binary?)".to_owned()
            } else {
                available.join(", ")
            };
            AtsError::invalid_input(
                Some("kind"),
                format!("unknown ATS kind `{kind}`; available: {list}"),
            )
        })
}

/// Builds an adapter of `kind` for one connection.
pub fn build(kind: &str, context: &AdapterContext) -> Result<Arc<dyn AtsAdapter>> {
    (find(kind)?.build)(context)
}

/// The names of folders directly under `adapters_dir` that hold a crate (a `Cargo.toml`) but
/// whose name is not a registered kind. A binary's guard test asserts this is empty.
pub fn unregistered_adapter_dirs(adapters_dir: &Path) -> std::io::Result<Vec<String>> {
    let registered = kinds();
    let mut missing = Vec::new();
    for entry in std::fs::read_dir(adapters_dir)? {
        let entry = entry?;
        if !entry.path().join("Cargo.toml").is_file() {
            continue;
        }
        let name = entry.file_name().to_string_lossy().into_owned();
        if !registered.contains(&name.as_str()) {
            missing.push(name);
        }
    }
    missing.sort();
    Ok(missing)
}
