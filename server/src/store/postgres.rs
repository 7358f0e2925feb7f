//! The PostgreSQL store, for several replicas sharing one database. Claims lock rows with
//! `FOR UPDATE SKIP LOCKED`; event appends take a transaction-scoped advisory lock so positions
//! become visible in order (a reader never skips an event committed late with a lower position).

use sqlx::postgres::{PgPool, PgPoolOptions};
use std::time::Duration;

/// The PostgreSQL implementation of [`crate::store::Store`].
#[derive(Clone, Debug)]
pub struct PgStore {
    pool: PgPool,
}

impl PgStore {
    /// Connects to `url` (`postgres://…`). Does not migrate: call [`crate::store::Store::migrate`].
    pub async fn open(url: &str) -> crate::store::StoreResult<Self> {
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(10))
            .connect(url)
            .await
            .map_err(crate::store::sql::db_err)?;
        Ok(Self { pool })
    }
}

crate::store::sql::impl_store!(
    PgStore,
    sqlx::postgres::PgRow,
    "postgres",
    "FOR UPDATE SKIP LOCKED",
    "SELECT pg_advisory_xact_lock(727365)",
    sqlx::migrate!("migrations/postgres")
);
