//! The adapter's [`SyncCursor`] encoding for Ashby change streams.
//!
//! A cursor holds Ashby's `syncToken` (the position of the last finished pass) and, in the
//! middle of a pass, Ashby's page `cursor`. It is written as base64url (no padding) of a small
//! JSON object `{"v":1,"syncToken":…,"cursor":…}` so it stays opaque to callers. A cursor the
//! adapter cannot decode is unusable: the stream answers `FullResyncNeeded`.

use atsbridge_core::AtsError;
use atsbridge_core::model::SyncCursor;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// A decoded stream position.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Position {
    #[serde(default)]
    v: u8,
    /// Ashby's sync token of the last completed pass, when there was one.
    #[serde(rename = "syncToken", default, skip_serializing_if = "Option::is_none")]
    pub sync_token: Option<String>,
    /// Ashby's page cursor, when in the middle of a pass.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
}

impl Position {
    pub(crate) fn new(sync_token: Option<String>, cursor: Option<String>) -> Self {
        Self {
            v: 1,
            sync_token,
            cursor,
        }
    }

    /// Decodes `since`; `None` is the start of a full pass.
    pub(crate) fn decode(since: Option<&SyncCursor>) -> Result<Self, AtsError> {
        let Some(c) = since else {
            return Ok(Self::new(None, None));
        };
        let unusable = || {
            AtsError::full_resync_needed(
                "the stored Ashby sync position is not one this adapter issued; start a full sync",
            )
        };
        let raw = URL_SAFE_NO_PAD.decode(c.0.trim()).map_err(|_| unusable())?;
        let p: Position = serde_json::from_slice(&raw).map_err(|_| unusable())?;
        if p.v != 1 {
            return Err(unusable());
        }
        Ok(p)
    }

    pub(crate) fn encode(&self) -> SyncCursor {
        let json = serde_json::to_vec(self).unwrap_or_default();
        SyncCursor(URL_SAFE_NO_PAD.encode(json))
    }

    /// The request body for this position: `limit` 100 plus `syncToken` and `cursor` when set.
    pub(crate) fn request(&self) -> Value {
        let mut m = Map::new();
        m.insert("limit".into(), Value::from(100));
        if let Some(t) = &self.sync_token {
            m.insert("syncToken".into(), Value::String(t.clone()));
        }
        if let Some(c) = &self.cursor {
            m.insert("cursor".into(), Value::String(c.clone()));
        }
        Value::Object(m)
    }

    /// Where to continue after a page answered at this position: the next page of the same
    /// pass while Ashby has more, otherwise the pass's new sync token (or the old one when Ashby
    /// sent none). Returns the position and whether more pages are ready.
    pub(crate) fn after_page(
        &self,
        more: bool,
        next_cursor: Option<String>,
        sync_token: Option<String>,
    ) -> (Self, bool) {
        match next_cursor {
            Some(c) if more => (Self::new(self.sync_token.clone(), Some(c)), true),
            _ => (
                Self::new(sync_token.or_else(|| self.sync_token.clone()), None),
                false,
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use atsbridge_core::ErrorKind;

    #[test]
    fn round_trips_and_resumes_mid_pass() {
        let start = Position::decode(None).unwrap();
        assert_eq!(start.request(), serde_json::json!({"limit": 100}));
        let (p1, more) = start.after_page(true, Some("c2".into()), None);
        assert!(more);
        let back = Position::decode(Some(&p1.encode())).unwrap();
        assert_eq!(
            back.request(),
            serde_json::json!({"limit": 100, "cursor": "c2"})
        );
        let (end, more) = back.after_page(false, None, Some("tok9".into()));
        assert!(!more);
        let inc = Position::decode(Some(&end.encode())).unwrap();
        assert_eq!(
            inc.request(),
            serde_json::json!({"limit": 100, "syncToken": "tok9"})
        );
        // An incremental pass keeps its token while paging.
        let (mid, _) = inc.after_page(true, Some("c3".into()), None);
        assert_eq!(
            mid.request(),
            serde_json::json!({"limit": 100, "syncToken": "tok9", "cursor": "c3"})
        );
        // An incremental pass that ends without a new token keeps the old one.
        let (end2, _) = inc.after_page(false, None, None);
        assert_eq!(end2.sync_token.as_deref(), Some("tok9"));
    }

    #[test]
    fn garbage_needs_full_resync() {
        for bad in ["", "not base64!", "eyJ2IjoyfQ"] {
            let e = Position::decode(Some(&SyncCursor(bad.into()))).unwrap_err();
            assert_eq!(e.kind(), &ErrorKind::FullResyncNeeded, "{bad}");
        }
    }
}
