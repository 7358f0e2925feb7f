//! outcome (being built).
