//! stage_mapping (being built).
