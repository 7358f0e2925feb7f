//! identity (being built).
