//! Record mode: every Ashby call written as a scrubbed fixture file.
//!
//! When [`crate::config::RECORD_DIR_ENV`] (or [`crate::AshbyConfig::record_dir`]) names a folder,
//! the client writes one file per HTTP exchange, numbered in call order
//! (`0001-candidate.create.json`, `0002-source.list.json`, …), shaped as
//!
//! ```json
//! {"request":  {"method": "POST", "path": "/candidate.create", "body": {…}},
//!  "response": {"status": 200,
//!               "headers": {"retry-after": "…", "x-ratelimit-limit": "…",
//!                           "x-ratelimit-remaining": "…", "x-ratelimit-reset": "…",
//!                           "x-ashby-request-id": "…"},
//!               "body": {…}}}
//! ```
//!
//! Only the listed headers are kept (each only when Ashby sent it); the `Authorization` header is
//! never written. Personal data in both bodies is replaced by [`Scrubber`], consistently within a
//! recording session: the same email, name, phone or URL always becomes the same fake, so
//! references between calls stay intact. Calls that got no response at all (connect errors,
//! timeouts) are not recorded.

use parking_lot::Mutex;
use serde_json::{Map, Value, json};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

/// Response headers kept in a recording.
pub const RECORDED_HEADERS: [&str; 5] = [
    "retry-after",
    "x-ratelimit-limit",
    "x-ratelimit-remaining",
    "x-ratelimit-reset",
    "x-ashby-request-id",
];

/// Writes request/response pairs as numbered fixture files in one folder.
#[derive(Debug)]
pub struct Recorder {
    dir: PathBuf,
    seq: AtomicU32,
    scrubber: Mutex<Scrubber>,
}

impl Recorder {
    /// A recorder writing into `dir` (created if missing). Numbering continues after the files
    /// already in the folder, so a second session never overwrites the first.
    pub fn new(dir: impl Into<PathBuf>) -> std::io::Result<Self> {
        let dir = dir.into();
        std::fs::create_dir_all(&dir)?;
        let existing = std::fs::read_dir(&dir)?
            .filter_map(|e| e.ok())
            .filter_map(|e| {
                e.file_name()
                    .to_str()
                    .and_then(|n| n.get(..4)?.parse::<u32>().ok())
            })
            .max()
            .unwrap_or(0);
        Ok(Self {
            dir,
            seq: AtomicU32::new(existing),
            scrubber: Mutex::new(Scrubber::default()),
        })
    }

    /// The folder being written.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Writes one exchange, scrubbed, and returns the file written. `headers` are the response
    /// headers; only [`RECORDED_HEADERS`] are kept.
    pub fn record(
        &self,
        endpoint: &str,
        request_body: &Value,
        status: u16,
        headers: &http::HeaderMap,
        response_body: &Value,
    ) -> std::io::Result<PathBuf> {
        let n = self.seq.fetch_add(1, Ordering::SeqCst) + 1;
        let mut kept = Map::new();
        for name in RECORDED_HEADERS {
            if let Some(v) = headers.get(name).and_then(|v| v.to_str().ok()) {
                kept.insert(name.to_owned(), Value::String(v.to_owned()));
            }
        }
        let (req, resp) = {
            let mut s = self.scrubber.lock();
            (s.scrub(request_body), s.scrub(response_body))
        };
        let doc = json!({
            "request": {"method": "POST", "path": format!("/{endpoint}"), "body": req},
            "response": {"status": status, "headers": Value::Object(kept), "body": resp},
        });
        let safe: String = endpoint
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '.' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        let path = self.dir.join(format!("{n:04}-{safe}.json"));
        let text = serde_json::to_string_pretty(&doc).map_err(std::io::Error::other)?;
        std::fs::write(&path, text + "\n")?;
        Ok(path)
    }
}

/// The kinds of personal data the scrubber replaces.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Pii {
    FullName,
    FirstName,
    LastName,
    Email,
    Phone,
    LinkedIn,
    Url,
    Text,
}

/// Where a value sits, as far as the scrubber cares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Ctx {
    Plain,
    Email,
    Phone,
    Social,
    Note,
}

/// Replaces personal data in Ashby request and response bodies with consistent fakes.
///
/// Replaced, by JSON key: `name`, `firstName`, `lastName`; `email`, `from`, `to`, `cc`,
/// `alternateEmail`, `alternateEmailAddresses`, and `value` inside `primaryEmailAddress` /
/// `emailAddresses`; `phoneNumber` and `value` inside `primaryPhoneNumber` / `phoneNumbers`;
/// `linkedInUrl`, `githubUrl`, `website`, `websiteUrl` and `url` inside `socialLinks`; note and
/// email text (`note`, `note.value`, `content`, `body`, `subject`) and `locationSummary`.
/// Ids, timestamps, titles of jobs and stages, and everything else are kept as they are.
/// The same input (emails compared without case, phones by digits) always gives the same fake
/// within one scrubber.
#[derive(Debug, Default)]
pub struct Scrubber {
    seen: HashMap<(Pii, String), String>,
    counters: HashMap<Pii, u32>,
}

impl Scrubber {
    /// A copy of `value` with personal data replaced.
    pub fn scrub(&mut self, value: &Value) -> Value {
        self.walk(value, Ctx::Plain)
    }

    fn walk(&mut self, value: &Value, ctx: Ctx) -> Value {
        match value {
            Value::Object(map) => {
                let is_linkedin = map
                    .get("type")
                    .and_then(Value::as_str)
                    .is_some_and(|t| t.eq_ignore_ascii_case("linkedin"));
                let mut out = Map::new();
                for (k, v) in map {
                    let new = match self.classify(k, ctx, is_linkedin) {
                        Some(kind) => self.replace_any(v, kind),
                        None => {
                            let child_ctx = match k.as_str() {
                                "primaryEmailAddress" | "emailAddresses" => Ctx::Email,
                                "primaryPhoneNumber" | "phoneNumbers" => Ctx::Phone,
                                "socialLinks" => Ctx::Social,
                                "note" => Ctx::Note,
                                _ => Ctx::Plain,
                            };
                            self.walk(v, child_ctx)
                        }
                    };
                    out.insert(k.clone(), new);
                }
                Value::Object(out)
            }
            Value::Array(items) => Value::Array(items.iter().map(|v| self.walk(v, ctx)).collect()),
            other => other.clone(),
        }
    }

    fn classify(&self, key: &str, ctx: Ctx, is_linkedin: bool) -> Option<Pii> {
        Some(match (key, ctx) {
            ("name", _) => Pii::FullName,
            ("firstName", _) => Pii::FirstName,
            ("lastName", _) => Pii::LastName,
            ("email" | "from" | "to" | "cc" | "alternateEmail" | "alternateEmailAddresses", _) => {
                Pii::Email
            }
            ("value", Ctx::Email) => Pii::Email,
            ("phoneNumber", _) | ("value", Ctx::Phone) => Pii::Phone,
            ("linkedInUrl", _) => Pii::LinkedIn,
            ("url", Ctx::Social) if is_linkedin => Pii::LinkedIn,
            ("url", Ctx::Social) | ("githubUrl" | "website" | "websiteUrl", _) => Pii::Url,
            ("note" | "content" | "body" | "subject" | "locationSummary", _) => Pii::Text,
            ("value", Ctx::Note) => Pii::Text,
            _ => return None,
        })
    }

    /// Replaces every string in `v` (a string or an array of strings) as `kind`; an object under
    /// a text key (a note given as `{type, value}`) is walked as a note.
    fn replace_any(&mut self, v: &Value, kind: Pii) -> Value {
        match v {
            Value::String(s) => Value::String(self.fake(kind, s)),
            Value::Array(items) => {
                Value::Array(items.iter().map(|i| self.replace_any(i, kind)).collect())
            }
            Value::Object(_) if kind == Pii::Text => self.walk(v, Ctx::Note),
            Value::Object(_) => self.walk(v, Ctx::Plain),
            other => other.clone(),
        }
    }

    fn fake(&mut self, kind: Pii, original: &str) -> String {
        if original.trim().is_empty() {
            return original.to_owned();
        }
        let norm = match kind {
            Pii::Email => original.trim().to_lowercase(),
            Pii::Phone => original.chars().filter(char::is_ascii_digit).collect(),
            Pii::LinkedIn | Pii::Url => original.trim().trim_end_matches('/').to_lowercase(),
            _ => original.trim().to_owned(),
        };
        if let Some(f) = self.seen.get(&(kind, norm.clone())) {
            return f.clone();
        }
        let n = {
            let c = self.counters.entry(kind).or_insert(0);
            *c += 1;
            *c
        };
        let fake = match kind {
            Pii::FullName => format!("Person {n}"),
            Pii::FirstName => format!("First{n}"),
            Pii::LastName => format!("Last{n}"),
            Pii::Email => format!("person{n}@example.com"),
            Pii::Phone => format!("+1555{n:07}"),
            Pii::LinkedIn => format!("https://www.linkedin.com/in/person-{n}"),
            Pii::Url => format!("https://example.com/link-{n}"),
            Pii::Text => format!("[redacted text {n}]"),
        };
        self.seen.insert((kind, norm), fake.clone());
        fake
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn personal_data_is_replaced_consistently_and_ids_are_kept() {
        let mut s = Scrubber::default();
        let req = json!({"name": "Ada Quill", "email": "Ada@Quill.example", "phoneNumber": "+44 20 7946 0000",
                          "linkedInUrl": "https://linkedin.com/in/ada-quill", "sourceId": "src-1"});
        let resp = json!({"success": true, "results": {
            "id": "cand-1", "name": "Ada Quill",
            "primaryEmailAddress": {"value": "ada@quill.example", "type": "Personal", "isPrimary": true},
            "emailAddresses": [{"value": "ada@quill.example", "type": "Personal", "isPrimary": true},
                               {"value": "other@quill.example", "type": "Work", "isPrimary": false}],
            "phoneNumbers": [{"value": "+442079460000", "type": "Mobile", "isPrimary": true}],
            "socialLinks": [{"type": "LinkedIn", "url": "https://linkedin.com/in/ada-quill/"},
                            {"type": "GitHub", "url": "https://github.com/adaq"}],
            "position": "Engineer", "createdAt": "2025-01-01T00:00:00Z"}});
        let r1 = s.scrub(&req);
        let r2 = s.scrub(&resp);
        let text = format!("{r1}{r2}");
        for secret in ["Ada", "Quill", "quill", "7946", "ada-quill", "adaq"] {
            assert!(!text.contains(secret), "{secret} leaked: {text}");
        }
        assert_eq!(r1["name"], r2["results"]["name"]);
        assert_eq!(r1["email"], r2["results"]["primaryEmailAddress"]["value"]);
        assert_eq!(r1["email"], r2["results"]["emailAddresses"][0]["value"]);
        assert_ne!(
            r2["results"]["emailAddresses"][0]["value"],
            r2["results"]["emailAddresses"][1]["value"]
        );
        assert_eq!(r1["phoneNumber"], r2["results"]["phoneNumbers"][0]["value"]);
        assert_eq!(r1["linkedInUrl"], r2["results"]["socialLinks"][0]["url"]);
        assert_eq!(r2["results"]["socialLinks"][0]["type"], "LinkedIn");
        assert_eq!(r2["results"]["id"], "cand-1");
        assert_eq!(r1["sourceId"], "src-1");
        assert_eq!(r2["results"]["position"], "Engineer");
        assert_eq!(r2["results"]["emailAddresses"][1]["type"], "Work");
    }

    #[test]
    fn notes_and_email_bodies_are_replaced() {
        let mut s = Scrubber::default();
        let v = s.scrub(
            &json!({"candidateId": "c1", "note": {"type": "text/html", "value": "<b>Met Ada</b>"}}),
        );
        assert_eq!(v["note"]["type"], "text/html");
        assert!(!v.to_string().contains("Ada"));
        let v = s.scrub(&json!({"subject": "Hi Ada", "body": "<p>Dear Ada</p>", "from": "me@x.example",
                                 "to": ["ada@quill.example"], "cc": [], "emailProviderEmailId": "m-1"}));
        assert!(
            !v.to_string().contains("Ada") && !v.to_string().contains("quill"),
            "{v}"
        );
        assert_eq!(v["emailProviderEmailId"], "m-1");
    }

    #[test]
    fn recorder_writes_numbered_files_without_authorization() {
        let dir = tempfile::tempdir().unwrap();
        let rec = Recorder::new(dir.path()).unwrap();
        let mut headers = http::HeaderMap::new();
        headers.insert("authorization", "Basic c2VjcmV0Og==".parse().unwrap());
        headers.insert("x-ratelimit-remaining", "998".parse().unwrap());
        let p1 = rec
            .record(
                "candidate.search",
                &json!({"email": "a@b.example"}),
                200,
                &headers,
                &json!({"success": true, "results": []}),
            )
            .unwrap();
        let p2 = rec
            .record(
                "source.list",
                &json!({}),
                200,
                &headers,
                &json!({"success": true, "results": []}),
            )
            .unwrap();
        assert!(p1.ends_with("0001-candidate.search.json"), "{p1:?}");
        assert!(p2.ends_with("0002-source.list.json"), "{p2:?}");
        let doc: Value = serde_json::from_str(&std::fs::read_to_string(&p1).unwrap()).unwrap();
        assert_eq!(doc["request"]["method"], "POST");
        assert_eq!(doc["request"]["path"], "/candidate.search");
        assert_eq!(doc["response"]["status"], 200);
        assert_eq!(doc["response"]["headers"]["x-ratelimit-remaining"], "998");
        assert!(doc["response"]["headers"].get("authorization").is_none());
        assert_ne!(doc["request"]["body"]["email"], "a@b.example");
        // A new session continues the numbering.
        let rec2 = Recorder::new(dir.path()).unwrap();
        let p3 = rec2
            .record("user.list", &json!({}), 200, &headers, &json!({}))
            .unwrap();
        assert!(p3.ends_with("0003-user.list.json"), "{p3:?}");
    }
}
