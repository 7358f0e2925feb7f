//! Configuration loading with figment.
//!
//! Sources, later ones winning: built-in defaults, a TOML file, then environment variables
//! prefixed `ATSBRIDGE_` with `__` separating nesting levels (`ATSBRIDGE_STORE__URL` sets
//! `store.url`). Each adapter reads only its own section, `adapters.<kind>`, merged with the
//! settings of the connection it serves. See `docs/configuration.md`.

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::de::DeserializeOwned;
use std::path::Path;

use crate::error::{AtsError, Result};

/// The environment-variable prefix.
pub const ENV_PREFIX: &str = "ATSBRIDGE_";

/// The layered configuration: the TOML file at `path` (if it exists) under `ATSBRIDGE_*`
/// environment variables. A missing file is not an error; a malformed one fails on extraction
/// with the file and key named.
pub fn load(path: Option<&Path>) -> Figment {
    let mut figment = Figment::new();
    if let Some(path) = path {
        figment = figment.merge(Toml::file(path));
    }
    figment.merge(Env::prefixed(ENV_PREFIX).split("__"))
}

/// What an adapter constructor receives for one connection.
#[derive(Clone, Debug)]
pub struct AdapterContext {
    /// The adapter's settings: the `adapters.<kind>` section of the application configuration
    /// overlaid with this connection's own settings (its `api_key`, `base_url`, …).
    pub settings: Figment,
    /// The shared HTTP client (connection pool, TLS) every adapter should use.
    pub http: reqwest::Client,
}

impl AdapterContext {
    /// A context whose settings are the `adapters.<kind>` section of `app` overlaid with
    /// `connection` (any serializable value, typically a JSON object of the connection's settings).
    pub fn for_connection<T: serde::Serialize>(
        app: &Figment,
        kind: &str,
        connection: &T,
        http: reqwest::Client,
    ) -> Self {
        let section = app.focus(&format!("adapters.{kind}"));
        let settings = Figment::from(section).merge(Serialized::defaults(connection));
        Self { settings, http }
    }

    /// A context from settings alone (tests, tools).
    pub fn from_settings<T: serde::Serialize>(connection: &T) -> Self {
        Self {
            settings: Figment::from(Serialized::defaults(connection)),
            http: reqwest::Client::new(),
        }
    }

    /// Extracts the adapter's typed settings; a missing or mistyped key gives `InvalidInput`
    /// naming the key (never its value).
    pub fn extract<T: DeserializeOwned>(&self) -> Result<T> {
        self.settings.extract().map_err(|e| {
            let key = e.path.join(".");
            let field = if key.is_empty() {
                None
            } else {
                Some(key.as_str())
            };
            AtsError::invalid_input(
                field,
                format!("connection settings are invalid: {}", e.kind),
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Deserialize, Debug)]
    struct Section {
        base_url: String,
        timeout_secs: u64,
        api_key: String,
    }

    #[test]
    #[allow(clippy::result_large_err)]
    fn connection_settings_overlay_the_adapter_section_from_file_and_env() {
        figment::Jail::expect_with(|jail| {
            jail.create_file("atsbridge.toml", "[adapters.ashby]\nbase_url = \"http://file\"\ntimeout_secs = 5\n[adapters.other]\nbase_url = \"http://other\"\n")?;
            jail.set_env("ATSBRIDGE_ADAPTERS__ASHBY__TIMEOUT_SECS", "9");
            let app = load(Some(Path::new("atsbridge.toml")));
            let ctx = AdapterContext::for_connection(
                &app,
                "ashby",
                &serde_json::json!({"api_key": "k"}),
                reqwest::Client::new(),
            );
            let s: Section = ctx.extract().unwrap();
            assert_eq!(s.base_url, "http://file");
            assert_eq!(s.timeout_secs, 9);
            assert_eq!(s.api_key, "k");
            Ok(())
        });
    }

    #[test]
    fn missing_setting_is_named_without_values() {
        let ctx = AdapterContext::from_settings(&serde_json::json!({"api_key": "secret-value"}));
        let err = ctx.extract::<Section>().unwrap_err();
        assert!(
            err.to_string().contains("base_url") || err.to_string().contains("missing"),
            "{err}"
        );
        assert!(!err.to_string().contains("secret-value"));
    }
}
