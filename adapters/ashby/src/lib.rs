//! Ashby adapter (being built).
