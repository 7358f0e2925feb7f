//! The `atsbridge` binary.
fn main() {}
