//! The SQLite store: one file in WAL mode (the embedded default). A claim is a single
//! `UPDATE … RETURNING` statement, which SQLite runs under its one write lock.

use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use std::str::FromStr;
use std::time::Duration;

/// The SQLite implementation of [`crate::store::Store`].
#[derive(Clone, Debug)]
pub struct SqliteStore {
    pool: SqlitePool,
}

impl SqliteStore {
    /// Opens (creating if missing) the database at `url`: `sqlite://path?mode=rwc`, `sqlite:path`
    /// or a bare file path. `sqlite::memory:` gives a private in-memory database on one
    /// connection. Does not migrate: call [`crate::store::Store::migrate`].
    pub async fn open(url: &str) -> crate::store::StoreResult<Self> {
        let in_memory = url.contains(":memory:") || url.contains("mode=memory");
        let options = if url.starts_with("sqlite:") {
            SqliteConnectOptions::from_str(url).map_err(crate::store::sql::db_err)?
        } else {
            SqliteConnectOptions::new().filename(url)
        };
        let mut options = options
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10))
            .synchronous(SqliteSynchronous::Normal);
        let mut pool = SqlitePoolOptions::new().acquire_timeout(Duration::from_secs(30));
        if in_memory {
            // Each connection to `:memory:` is a database of its own: keep exactly one, forever.
            pool = pool
                .max_connections(1)
                .min_connections(1)
                .idle_timeout(None)
                .max_lifetime(None);
        } else {
            options = options
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal);
            pool = pool.max_connections(8);
        }
        let pool = pool
            .connect_with(options)
            .await
            .map_err(crate::store::sql::db_err)?;
        Ok(Self { pool })
    }
}

crate::store::sql::impl_store!(
    SqliteStore,
    sqlx::sqlite::SqliteRow,
    "sqlite",
    "",
    "",
    sqlx::migrate!("migrations/sqlite")
);
