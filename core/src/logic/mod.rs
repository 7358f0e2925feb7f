//! Pure logic shared by every adapter and the server. No I/O.

pub mod identity;
pub mod outcome;
pub mod rejection;
pub mod stage_mapping;
