//! rejection (being built).
