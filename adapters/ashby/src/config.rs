//! The Ashby connection settings.

use secrecy::SecretString;
use serde::Deserialize;
use std::fmt;
use std::path::PathBuf;

/// Ashby's production API base URL, used when `base_url` is not set.
pub const DEFAULT_BASE_URL: &str = "https://api.ashbyhq.com";

/// The environment variable that turns record mode on: when set to a folder, every
/// request/response pair is written there as a scrubbed fixture (see [`crate::record`]).
pub const RECORD_DIR_ENV: &str = "ATSBRIDGE_ASHBY_RECORD_DIR";

/// Settings of one Ashby connection, read from the `adapters.ashby` section overlaid with the
/// connection's own settings.
///
/// `Debug` never shows the API key.
#[derive(Clone, Deserialize)]
pub struct AshbyConfig {
    /// The Ashby API key (sent as the HTTP Basic username). Required.
    pub api_key: SecretString,
    /// The API base URL, without a trailing path. Default [`DEFAULT_BASE_URL`].
    #[serde(default = "default_base_url")]
    pub base_url: String,
    /// Timeout of each HTTP call in seconds. Default 30.
    #[serde(default = "default_timeout_secs")]
    pub timeout_secs: u64,
    /// Title of the candidate source credited when a create does not name one. Default `"Dover"`.
    #[serde(default = "default_dover_source_title")]
    pub dover_source_title: String,
    /// Id of a Candidate custom field that receives the current job title; when unset the title
    /// goes into the sourcing note.
    #[serde(default)]
    pub title_custom_field_id: Option<String>,
    /// Id of a Candidate custom field that receives the current company; when unset the company
    /// goes into the sourcing note.
    #[serde(default)]
    pub company_custom_field_id: Option<String>,
    /// How many times a read (or a request that provably never left) is retried. Default 3.
    #[serde(default = "default_max_read_retries")]
    pub max_read_retries: u32,
    /// Folder for record mode. When unset, [`RECORD_DIR_ENV`] is read when the adapter is built.
    #[serde(default)]
    pub record_dir: Option<PathBuf>,
}

fn default_base_url() -> String {
    DEFAULT_BASE_URL.to_owned()
}
fn default_timeout_secs() -> u64 {
    30
}
fn default_dover_source_title() -> String {
    "Dover".to_owned()
}
fn default_max_read_retries() -> u32 {
    3
}

impl AshbyConfig {
    /// Settings with `api_key` and every other setting at its default.
    pub fn new(api_key: impl Into<String>) -> Self {
        Self {
            api_key: SecretString::from(api_key.into()),
            base_url: default_base_url(),
            timeout_secs: default_timeout_secs(),
            dover_source_title: default_dover_source_title(),
            title_custom_field_id: None,
            company_custom_field_id: None,
            max_read_retries: default_max_read_retries(),
            record_dir: None,
        }
    }

    /// The same settings pointed at `base_url` (a sandbox or a mock server).
    pub fn with_base_url(mut self, base_url: impl Into<String>) -> Self {
        self.base_url = base_url.into();
        self
    }
}

impl fmt::Debug for AshbyConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AshbyConfig")
            .field("api_key", &"[redacted]")
            .field("base_url", &self.base_url)
            .field("timeout_secs", &self.timeout_secs)
            .field("dover_source_title", &self.dover_source_title)
            .field("title_custom_field_id", &self.title_custom_field_id)
            .field("company_custom_field_id", &self.company_custom_field_id)
            .field("max_read_retries", &self.max_read_retries)
            .field("record_dir", &self.record_dir)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use atsbridge_core::AdapterContext;
    use secrecy::ExposeSecret;

    #[test]
    fn defaults_apply_and_debug_redacts_the_key() {
        let ctx = AdapterContext::from_settings(&serde_json::json!({"api_key": "very-secret-key"}));
        let cfg: AshbyConfig = ctx.extract().unwrap();
        assert_eq!(cfg.base_url, DEFAULT_BASE_URL);
        assert_eq!(cfg.timeout_secs, 30);
        assert_eq!(cfg.dover_source_title, "Dover");
        assert_eq!(cfg.max_read_retries, 3);
        assert_eq!(cfg.api_key.expose_secret(), "very-secret-key");
        let dbg = format!("{cfg:?}");
        assert!(!dbg.contains("very-secret-key"), "{dbg}");
        assert!(dbg.contains("redacted"));
    }

    #[test]
    fn missing_key_is_named() {
        let ctx = AdapterContext::from_settings(&serde_json::json!({"base_url": "http://x"}));
        let err = ctx.extract::<AshbyConfig>().unwrap_err();
        assert!(err.to_string().contains("api_key"), "{err}");
    }
}
