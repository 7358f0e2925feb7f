//! Ids: UUID-shaped strings derived from (record kind, vector index).
//!
//! The model stores records in vectors; an id is computed from the kind and the
//! index, so no id strings are stored. The last group holds the index, the
//! fourth group tags the kind (with the RFC 4122 variant bits set), and the
//! first three groups are a keyed hash so ids look random and a typo is not
//! silently accepted as another record.

/// Kinds of records that have ids.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[repr(u16)]
pub(crate) enum Kind {
    User = 1,
    Job,
    Plan,
    Stage,
    StageGroup,
    Source,
    SourceType,
    ArchiveReason,
    CustomField,
    Tag,
    Interview,
    Candidate,
    Application,
    History,
    Note,
    Email,
    Schedule,
    Event,
    Webhook,
    Department,
    Location,
    Brand,
    Feedback,
}

fn mix(kind: Kind, idx: u64) -> u64 {
    // splitmix64 over the kind and the index.
    let mut z = (idx ^ ((kind as u64) << 52)).wrapping_add(0x9E37_79B9_7F4A_7C15 ^ 0x5A17_B0C5);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The id of record `idx` of `kind`.
pub(crate) fn make(kind: Kind, idx: u64) -> String {
    let h = mix(kind, idx);
    format!(
        "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
        (h >> 32) as u32,
        (h >> 16) & 0xffff,
        h & 0xfff,
        0x8000 | kind as u16,
        idx & 0xffff_ffff_ffff
    )
}

/// The index encoded in `id` when it is an id of `kind` made by [`make`].
pub(crate) fn parse(kind: Kind, id: &str) -> Option<u64> {
    if id.len() != 36 {
        return None;
    }
    let tail = id.get(24..)?;
    let idx = u64::from_str_radix(tail, 16).ok()?;
    (make(kind, idx) == id.to_ascii_lowercase()).then_some(idx)
}

/// Whether `s` is syntactically a UUID (any version).
pub(crate) fn is_uuid(s: &str) -> bool {
    uuid::Uuid::try_parse(s).is_ok()
}

/// Shorthand: id of a `u32`-indexed record.
pub(crate) fn id(kind: Kind, idx: u32) -> String {
    make(kind, idx as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_kind_check() {
        for i in [0u64, 1, 77, 1_000_000, (1 << 40) + 3] {
            let s = make(Kind::Candidate, i);
            assert!(is_uuid(&s), "{s}");
            assert_eq!(parse(Kind::Candidate, &s), Some(i));
            assert_eq!(parse(Kind::Application, &s), None);
        }
        let mut s = make(Kind::Job, 5);
        s.replace_range(0..1, if s.starts_with('0') { "1" } else { "0" });
        assert_eq!(parse(Kind::Job, &s), None);
    }
}
