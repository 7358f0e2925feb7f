//! Ashby sandbox (being built).
