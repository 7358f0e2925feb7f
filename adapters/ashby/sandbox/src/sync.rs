//! Cursor pagination and incremental sync tokens.
//!
//! Every record carries the value of the global change sequence at its last
//! write. A sync token encodes the sequence at the start of the full or
//! incremental run that issued it; an incremental run returns the records
//! whose sequence is greater. Tokens are also registered with their issue time
//! so they can expire.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::Value;

use crate::envelope::{ApiError, Reply};

/// Maximum and default page size.
pub(crate) const MAX_LIMIT: usize = 100;

struct Issued {
    list: &'static str,
    seq: u64,
    at: Instant,
}

/// Issued sync tokens.
#[derive(Default)]
pub(crate) struct TokenTable {
    issued: HashMap<u64, Issued>,
    next: u64,
}

impl TokenTable {
    fn issue(&mut self, list: &'static str, seq: u64) -> String {
        self.next += 1;
        let id = self.next;
        self.issued.insert(
            id,
            Issued {
                list,
                seq,
                at: Instant::now(),
            },
        );
        URL_SAFE_NO_PAD.encode(format!("{id:x}.{seq:x}"))
    }

    /// The sequence a token was issued at, or the sync error for it.
    fn check(&self, list: &str, token: &str, ttl: Duration) -> Result<u64, ApiError> {
        let invalid = || {
            ApiError::new(
                "sync_token_invalid",
                "The sync token could not be decoded; discard it and run a full sync without syncToken",
            )
        };
        let raw = URL_SAFE_NO_PAD.decode(token).map_err(|_| invalid())?;
        let s = String::from_utf8(raw).map_err(|_| invalid())?;
        let (id, seq) = s.split_once('.').ok_or_else(invalid)?;
        let id = u64::from_str_radix(id, 16).map_err(|_| invalid())?;
        let seq = u64::from_str_radix(seq, 16).map_err(|_| invalid())?;
        let t = self.issued.get(&id).ok_or_else(invalid)?;
        if t.seq != seq || t.list != list {
            return Err(invalid());
        }
        if t.at.elapsed() > ttl {
            return Err(ApiError::new(
                "sync_token_expired",
                "The sync token has expired; discard it and run a full sync without syncToken",
            ));
        }
        Ok(seq)
    }

    /// Forgets every token (used by reset).
    pub(crate) fn clear(&mut self) {
        self.issued.clear();
    }
}

/// Sync settings and the token table for one request.
pub(crate) struct SyncCtx<'a> {
    pub tokens: &'a parking_lot::Mutex<TokenTable>,
    pub ttl: Duration,
    pub max_changes: usize,
}

/// A list to paginate: records `0..len` in creation order.
pub(crate) struct ListSpec<'a> {
    pub name: &'static str,
    pub len: usize,
    /// Whether record i is visible with this request's filters.
    pub include: &'a dyn Fn(usize) -> bool,
    pub seq: &'a dyn Fn(usize) -> u64,
    pub created: &'a dyn Fn(usize) -> i64,
    pub render: &'a dyn Fn(usize) -> Value,
    /// Whether the endpoint accepts `syncToken` and issues one on the last page.
    pub sync: bool,
}

struct Cursor {
    pos: usize,
    since: Option<u64>,
    start: u64,
}

fn cursor_check(name: &str, pos: usize, since: Option<u64>, start: u64) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in format!("{name}|{pos}|{since:?}|{start}").bytes() {
        h = (h ^ b as u64).wrapping_mul(0x100_0000_01b3);
    }
    h & 0xffff_ffff
}

fn encode_cursor(name: &str, c: &Cursor) -> String {
    let since = c.since.map(|s| s.to_string()).unwrap_or_else(|| "-".into());
    let check = cursor_check(name, c.pos, c.since, c.start);
    URL_SAFE_NO_PAD.encode(format!("{}.{since}.{}.{check:x}", c.pos, c.start))
}

fn decode_cursor(name: &str, s: &str) -> Option<Cursor> {
    let raw = String::from_utf8(URL_SAFE_NO_PAD.decode(s).ok()?).ok()?;
    let mut it = raw.split('.');
    let pos: usize = it.next()?.parse().ok()?;
    let since = match it.next()? {
        "-" => None,
        x => Some(x.parse().ok()?),
    };
    let start: u64 = it.next()?.parse().ok()?;
    let check = u64::from_str_radix(it.next()?, 16).ok()?;
    if it.next().is_some() || check != cursor_check(name, pos, since, start) {
        return None;
    }
    Some(Cursor { pos, since, start })
}

/// Reads `limit` (default and maximum 100).
pub(crate) fn limit_of(body: &Value) -> Result<usize, ApiError> {
    match body.get("limit") {
        None | Some(Value::Null) => Ok(MAX_LIMIT),
        Some(v) => match v.as_u64() {
            Some(n) if n >= 1 => Ok((n as usize).min(MAX_LIMIT)),
            _ => Err(ApiError::invalid("limit must be a positive integer")),
        },
    }
}

/// Serves one page of `spec` for the request `body`.
pub(crate) fn paginate(
    cx: &SyncCtx<'_>,
    current_seq: u64,
    body: &Value,
    spec: ListSpec<'_>,
) -> Result<Reply, ApiError> {
    let limit = limit_of(body)?;
    let created_after = match body.get("createdAfter") {
        None | Some(Value::Null) => None,
        Some(v) => Some(
            v.as_i64()
                .ok_or_else(|| ApiError::invalid("createdAfter must be an integer (ms)"))?,
        ),
    };
    let cursor = match body.get("cursor") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(decode_cursor(spec.name, s).ok_or_else(|| {
            ApiError::new(
                "invalid_next_cursor",
                "The cursor could not be decoded; restart pagination without cursor",
            )
        })?),
        Some(_) => {
            return Err(ApiError::new(
                "invalid_next_cursor",
                "cursor must be a string",
            ));
        }
    };
    let cursor = match cursor {
        Some(c) => c,
        None => {
            let since = match body.get("syncToken") {
                Some(Value::String(t)) if spec.sync => {
                    Some(cx.tokens.lock().check(spec.name, t, cx.ttl)?)
                }
                Some(Value::String(_)) | None | Some(Value::Null) => None,
                Some(_) => return Err(ApiError::invalid("syncToken must be a string")),
            };
            Cursor {
                pos: 0,
                since,
                start: current_seq,
            }
        }
    };
    let visible = |i: usize| {
        (spec.include)(i)
            && cursor.since.is_none_or(|s| (spec.seq)(i) > s)
            && created_after.is_none_or(|c| (spec.created)(i) > c)
    };
    if let (Some(_), 0) = (cursor.since, cursor.pos) {
        let changed = (0..spec.len).filter(|&i| visible(i)).count();
        if changed > cx.max_changes {
            return Err(ApiError::new(
                "incremental_sync_too_large",
                format!(
                    "{changed} records changed since the sync token was issued (limit {}); discard the token and run a full sync",
                    cx.max_changes
                ),
            ));
        }
    }
    let mut results = Vec::with_capacity(limit);
    let mut next = None;
    for i in cursor.pos..spec.len {
        if !visible(i) {
            continue;
        }
        if results.len() == limit {
            next = Some(i);
            break;
        }
        results.push((spec.render)(i));
    }
    Ok(match next {
        Some(pos) => Reply::Page {
            results,
            more: true,
            next_cursor: Some(encode_cursor(
                spec.name,
                &Cursor {
                    pos,
                    since: cursor.since,
                    start: cursor.start,
                },
            )),
            sync_token: None,
        },
        None => Reply::Page {
            results,
            more: false,
            next_cursor: None,
            sync_token: spec
                .sync
                .then(|| cx.tokens.lock().issue(spec.name, cursor.start)),
        },
    })
}
