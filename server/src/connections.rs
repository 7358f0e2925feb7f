//! The connection registry: creating, validating, rotating and deleting connections, and the
//! [`AdapterProvider`] the rest of the server uses to reach a connection's ATS.
//!
//! A connection's API key is validated with the adapter's `validate_credentials` before anything is
//! stored, then sealed with [`SecretCipher`] (associated data = the connection id). Adapters are
//! built through the core registry (`atsbridge_core::registry::build`) from the `adapters.<kind>`
//! configuration section overlaid with the connection's settings and key, and cached; the cache
//! entry is dropped on rotation and deletion, and re-checked against the store's `updated_at`
//! every [`CACHE_RECHECK`] so a rotation on another replica is picked up.

use crate::adapters::AdapterProvider;
use crate::crypto::{CryptoError, SecretCipher};
use crate::signal::now_ms;
use crate::store::{ConnectionRow, Store, StoreError};
use async_trait::async_trait;
use atsbridge_core::{AdapterContext, AtsAdapter, AtsError, CredentialReport, ErrorKind};
use dashmap::DashMap;
use figment::Figment;
use secrecy::{ExposeSecret, SecretString};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How long a cached adapter is used before its row's `updated_at` is checked again.
pub const CACHE_RECHECK: Duration = Duration::from_secs(30);

/// Builds an adapter of a kind from its context. The default is `atsbridge_core::registry::build`;
/// tests may substitute their own.
pub type AdapterFactory =
    Arc<dyn Fn(&str, &AdapterContext) -> atsbridge_core::Result<Arc<dyn AtsAdapter>> + Send + Sync>;

/// What went wrong with a connection operation. Messages never contain a key or a secret.
#[derive(Debug, thiserror::Error)]
pub enum ConnectionError {
    /// The request is malformed: names the field.
    #[error("{field}: {message}")]
    InvalidInput {
        /// The offending field.
        field: String,
        /// What is wrong with it.
        message: String,
    },
    /// The key works but lacks permissions the integration needs; nothing was stored.
    #[error("the API key lacks permissions: {}", missing.join(", "))]
    MissingPermissions {
        /// The ATS's display name.
        ats: String,
        /// The permissions the key lacks, as the ATS names them.
        missing: Vec<String>,
        /// The permissions it has.
        granted: Vec<String>,
    },
    /// The connection does not exist.
    #[error("connection {0} does not exist")]
    NotFound(String),
    /// The ATS refused or failed (bad key, unavailable, …).
    #[error("{ats}: {error}")]
    Ats {
        /// The ATS's display name.
        ats: String,
        /// What it said.
        error: Box<AtsError>,
    },
    /// The store failed or a uniqueness rule was broken.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A stored secret could not be decrypted.
    #[error(transparent)]
    Crypto(#[from] CryptoError),
}

/// A connection to create.
pub struct NewConnection {
    /// Registry kind (`"ashby"`).
    pub kind: String,
    /// Display name (unique).
    pub name: String,
    /// The ATS API key.
    pub api_key: SecretString,
    /// Non-secret adapter settings (a JSON object; `{}` when none).
    pub settings: serde_json::Value,
}

impl std::fmt::Debug for NewConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewConnection")
            .field("kind", &self.kind)
            .field("name", &self.name)
            .field("api_key", &"<redacted>")
            .field("settings", &self.settings)
            .finish()
    }
}

struct Cached {
    adapter: Arc<dyn AtsAdapter>,
    updated_at: i64,
    checked: Instant,
}

/// Creates, validates, rotates and deletes connections; gives each connection's adapter.
pub struct ConnectionRegistry {
    store: Arc<dyn Store>,
    cipher: SecretCipher,
    figment: Figment,
    http: reqwest::Client,
    factory: AdapterFactory,
    cache: DashMap<String, Cached>,
}

impl std::fmt::Debug for ConnectionRegistry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConnectionRegistry")
            .field("cached_adapters", &self.cache.len())
            .finish_non_exhaustive()
    }
}

/// The display name of a registered kind (`"Ashby"`), or the kind itself when unknown.
pub fn display_name(kind: &str) -> String {
    atsbridge_core::registry::find(kind)
        .map(|d| d.display_name.to_owned())
        .unwrap_or_else(|_| kind.to_owned())
}

impl ConnectionRegistry {
    /// A registry over `store`, sealing keys with `cipher` and configuring adapters from
    /// `figment`'s `adapters.<kind>` sections; adapters come from the core registry.
    pub fn new(store: Arc<dyn Store>, cipher: SecretCipher, figment: Figment) -> Self {
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(60))
            .user_agent(concat!("atsbridge/", env!("CARGO_PKG_VERSION")))
            .build()
            .unwrap_or_default();
        Self {
            store,
            cipher,
            figment,
            http,
            factory: Arc::new(atsbridge_core::registry::build),
            cache: DashMap::new(),
        }
    }

    /// Replaces how adapters are built (tests).
    pub fn with_factory(mut self, factory: AdapterFactory) -> Self {
        self.factory = factory;
        self
    }

    /// The store this registry writes to.
    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    /// The at-rest cipher.
    pub fn cipher(&self) -> &SecretCipher {
        &self.cipher
    }

    /// Builds (without caching) an adapter of `kind` from `settings` and `api_key`.
    pub fn build_adapter(
        &self,
        kind: &str,
        settings: &serde_json::Value,
        api_key: &SecretString,
    ) -> Result<Arc<dyn AtsAdapter>, AtsError> {
        let mut merged = match settings {
            serde_json::Value::Object(m) => m.clone(),
            _ => serde_json::Map::new(),
        };
        merged.insert(
            "api_key".into(),
            serde_json::Value::String(api_key.expose_secret().to_owned()),
        );
        let ctx = AdapterContext::for_connection(
            &self.figment,
            kind,
            &serde_json::Value::Object(merged),
            self.http.clone(),
        );
        (self.factory)(kind, &ctx)
    }

    /// Validates `new` against the ATS and stores it (key sealed). Refuses, storing nothing, a
    /// bad key (`Ats` with `Unauthenticated`) or a key missing permissions (`MissingPermissions`).
    pub async fn create(
        &self,
        new: NewConnection,
    ) -> Result<(ConnectionRow, CredentialReport), ConnectionError> {
        let name = new.name.trim().to_owned();
        if name.is_empty() {
            return Err(invalid("name", "must not be empty"));
        }
        if new.api_key.expose_secret().trim().is_empty() {
            return Err(invalid("api_key", "must not be empty"));
        }
        let settings = check_settings(new.settings)?;
        atsbridge_core::registry::find(&new.kind).map_err(|e| invalid("kind", e.message()))?;
        let adapter = self
            .build_adapter(&new.kind, &settings, &new.api_key)
            .map_err(|e| build_error(&new.kind, e))?;
        let report = self.check_credentials(&new.kind, adapter.as_ref()).await?;
        let id = uuid::Uuid::now_v7().to_string();
        let now = now_ms();
        let row = ConnectionRow {
            encrypted_key: self.cipher.seal(&new.api_key, &id),
            id: id.clone(),
            kind: new.kind.clone(),
            name,
            encrypted_webhook_secret: None,
            settings,
            created_at: now,
            updated_at: now,
            last_error: None,
            last_checked_at: Some(now),
        };
        self.store.insert_connection(&row).await?;
        self.cache.insert(
            id,
            Cached {
                adapter,
                updated_at: now,
                checked: Instant::now(),
            },
        );
        tracing::info!(connection_id = %row.id, kind = %row.kind, "connection created");
        Ok((row, report))
    }

    /// Validates `api_key` for the existing connection `id`, then stores it in place of the old
    /// one and drops the cached adapter. The old key stays when validation fails.
    pub async fn rotate_key(
        &self,
        id: &str,
        api_key: SecretString,
    ) -> Result<(ConnectionRow, CredentialReport), ConnectionError> {
        if api_key.expose_secret().trim().is_empty() {
            return Err(invalid("api_key", "must not be empty"));
        }
        let row = self.get(id).await?;
        let adapter = self
            .build_adapter(&row.kind, &row.settings, &api_key)
            .map_err(|e| build_error(&row.kind, e))?;
        let report = self.check_credentials(&row.kind, adapter.as_ref()).await?;
        let now = now_ms();
        self.store
            .update_connection_key(id, &self.cipher.seal(&api_key, id), now)
            .await?;
        self.store.update_connection_health(id, None, now).await?;
        self.cache.remove(id);
        tracing::info!(connection_id = %id, "connection key rotated");
        Ok((self.get(id).await?, report))
    }

    /// Checks the stored key against the ATS now and records the outcome as the connection's
    /// health. Returns the report, or the ATS's error (also recorded).
    pub async fn check_now(&self, id: &str) -> Result<CredentialReport, ConnectionError> {
        let row = self.get(id).await?;
        let adapter = self.adapter(id).await.map_err(|e| ConnectionError::Ats {
            ats: display_name(&row.kind),
            error: Box::new(e),
        })?;
        let outcome = adapter.validate_credentials().await;
        let now = now_ms();
        match outcome {
            Ok(report) => {
                let err = (!report.missing.is_empty())
                    .then(|| missing_permissions_words(&display_name(&row.kind), &report.missing));
                self.store
                    .update_connection_health(id, err.as_deref(), now)
                    .await?;
                Ok(report)
            }
            Err(e) => {
                let words = crate::api::error::explain_ats_error(&display_name(&row.kind), &e);
                self.store
                    .update_connection_health(id, Some(&words), now)
                    .await?;
                Err(ConnectionError::Ats {
                    ats: display_name(&row.kind),
                    error: Box::new(e),
                })
            }
        }
    }

    /// Deletes connection `id` and everything it owns; drops the cached adapter.
    pub async fn delete(&self, id: &str) -> Result<(), ConnectionError> {
        self.cache.remove(id);
        match self.store.delete_connection(id).await {
            Err(StoreError::NotFound(_)) => Err(ConnectionError::NotFound(id.to_owned())),
            other => Ok(other?),
        }
    }

    /// Seals a webhook secret for connection `id` (`None` removes it).
    ///
    /// NOTE: the store trait has no operation to update `encrypted_webhook_secret` yet; until it
    /// does this answers `InvalidInput` on `secret` saying so (see the report for the lead).
    pub async fn set_webhook_secret(
        &self,
        id: &str,
        secret: Option<SecretString>,
    ) -> Result<ConnectionRow, ConnectionError> {
        let row = self.get(id).await?;
        if let Some(s) = &secret
            && s.expose_secret().trim().is_empty()
        {
            return Err(invalid("secret", "must not be empty"));
        }
        let _sealed = secret.as_ref().map(|s| self.cipher.seal(s, id));
        let _ = row;
        Err(ConnectionError::Store(StoreError::Database(
            "this store cannot save webhook secrets yet (ConnectionStore lacks an update for encrypted_webhook_secret)".into(),
        )))
    }

    /// The row of connection `id`, or `NotFound`.
    pub async fn get(&self, id: &str) -> Result<ConnectionRow, ConnectionError> {
        self.store
            .get_connection(id)
            .await?
            .ok_or_else(|| ConnectionError::NotFound(id.to_owned()))
    }

    /// Drops the cached adapter of `id` (the next use rebuilds it).
    pub fn invalidate(&self, id: &str) {
        self.cache.remove(id);
    }

    async fn check_credentials(
        &self,
        kind: &str,
        adapter: &dyn AtsAdapter,
    ) -> Result<CredentialReport, ConnectionError> {
        let report = adapter
            .validate_credentials()
            .await
            .map_err(|e| ConnectionError::Ats {
                ats: display_name(kind),
                error: Box::new(e),
            })?;
        if !report.missing.is_empty() {
            return Err(ConnectionError::MissingPermissions {
                ats: display_name(kind),
                missing: report.missing,
                granted: report.granted,
            });
        }
        Ok(report)
    }
}

/// "Ashby refused … it lacks candidatesWrite — ask an Ashby admin to grant 'Candidates: write'".
pub fn missing_permissions_words(ats: &str, missing: &[String]) -> String {
    let grants: Vec<String> = missing
        .iter()
        .map(|p| format!("'{}'", crate::api::error::permission_label(p)))
        .collect();
    format!(
        "the {ats} API key lacks {}: ask a {ats} admin to grant {} to the key",
        missing.join(", "),
        grants.join(", ")
    )
}

fn invalid(field: &str, message: impl Into<String>) -> ConnectionError {
    ConnectionError::InvalidInput {
        field: field.to_owned(),
        message: message.into(),
    }
}

fn build_error(kind: &str, e: AtsError) -> ConnectionError {
    match e.kind() {
        ErrorKind::InvalidInput { field } => {
            let field = field.as_deref().map(|f| {
                if f == "api_key" || f == "kind" {
                    f.to_owned()
                } else {
                    format!("settings.{f}")
                }
            });
            invalid(field.as_deref().unwrap_or("settings"), e.message())
        }
        _ => ConnectionError::Ats {
            ats: display_name(kind),
            error: Box::new(e),
        },
    }
}

fn check_settings(settings: serde_json::Value) -> Result<serde_json::Value, ConnectionError> {
    match settings {
        serde_json::Value::Null => Ok(serde_json::json!({})),
        serde_json::Value::Object(m) => {
            if m.contains_key("api_key") {
                return Err(invalid(
                    "settings.api_key",
                    "the key goes in `api_key`, not in `settings` (settings are stored unencrypted)",
                ));
            }
            Ok(serde_json::Value::Object(m))
        }
        _ => Err(invalid("settings", "must be a JSON object")),
    }
}

fn store_to_ats(e: StoreError) -> AtsError {
    match e {
        StoreError::NotFound(what) => AtsError::not_found(format!("{what} not found")),
        other => AtsError::unavailable(format!("store: {other}")),
    }
}

#[async_trait]
impl AdapterProvider for ConnectionRegistry {
    async fn adapter(&self, connection_id: &str) -> Result<Arc<dyn AtsAdapter>, AtsError> {
        if let Some(c) = self.cache.get(connection_id)
            && c.checked.elapsed() < CACHE_RECHECK
        {
            return Ok(c.adapter.clone());
        }
        let row = self
            .store
            .get_connection(connection_id)
            .await
            .map_err(store_to_ats)?
            .ok_or_else(|| {
                AtsError::not_found(format!("connection {connection_id} does not exist"))
            })?;
        if let Some(mut c) = self.cache.get_mut(connection_id)
            && c.updated_at == row.updated_at
        {
            c.checked = Instant::now();
            return Ok(c.adapter.clone());
        }
        let key = self
            .cipher
            .open(&row.encrypted_key, &row.id)
            .map_err(|e| AtsError::unexpected(e.to_string()))?;
        let adapter = self.build_adapter(&row.kind, &row.settings, &key)?;
        self.cache.insert(
            connection_id.to_owned(),
            Cached {
                adapter: adapter.clone(),
                updated_at: row.updated_at,
                checked: Instant::now(),
            },
        );
        Ok(adapter)
    }

    async fn webhook_secret(&self, connection_id: &str) -> Result<Option<SecretString>, AtsError> {
        let row = self
            .store
            .get_connection(connection_id)
            .await
            .map_err(store_to_ats)?
            .ok_or_else(|| {
                AtsError::not_found(format!("connection {connection_id} does not exist"))
            })?;
        match &row.encrypted_webhook_secret {
            None => Ok(None),
            Some(sealed) => self
                .cipher
                .open(sealed, &row.id)
                .map(Some)
                .map_err(|e| AtsError::unexpected(e.to_string())),
        }
    }
}
