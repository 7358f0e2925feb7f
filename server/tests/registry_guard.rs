//! Every folder under `adapters/` must be a registered adapter kind in the `atsbridge` binary.

extern crate atsbridge_server as _;
use std::path::Path;

#[test]
fn every_adapter_folder_is_registered_in_the_server() {
    let adapters_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../adapters");
    let missing = atsbridge_core::registry::unregistered_adapter_dirs(&adapters_dir).unwrap();
    assert!(
        missing.is_empty(),
        "adapter folders not registered in the server: {missing:?}; add `use atsbridge_<kind> as _;` to server/src/adapters.rs"
    );
    assert!(atsbridge_core::registry::kinds().contains(&"ashby"));
}
