//! Pagination and change-stream positions.

pub(crate) mod cursor;
