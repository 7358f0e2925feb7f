//! The SQL shared by both backends, written once as a macro and instantiated for each typed pool.
//!
//! SQLite accepts PostgreSQL's `$1` placeholders, JSON is kept as TEXT, timestamps as BIGINT
//! epoch milliseconds, so the statements are the same text on both. The differences — how a
//! claim locks rows and how an event append is serialized — come in as macro arguments.

use super::{CommandStatus, StoreError};

/// Maps a sqlx error to a store error, turning unique violations into `Conflict`.
pub(crate) fn db_err(e: sqlx::Error) -> StoreError {
    if let sqlx::Error::Database(db) = &e
        && db.is_unique_violation()
    {
        return StoreError::Conflict(db.message().to_owned());
    }
    StoreError::Database(e.to_string())
}

/// Parses a JSON column.
pub(crate) fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap_or(serde_json::Value::Null)
}

/// Parses an optional JSON column.
pub(crate) fn json_opt(text: Option<String>) -> Option<serde_json::Value> {
    text.map(|t| json(&t))
}

/// Parses a status column.
pub(crate) fn status(text: &str) -> Result<CommandStatus, StoreError> {
    CommandStatus::parse(text)
        .ok_or_else(|| StoreError::Database(format!("unknown command status `{text}`")))
}

/// The columns of a command, in the order `command_from_row` reads them.
pub(crate) const COMMAND_COLUMNS: &str = "id, seq, connection_id, dover_candidate_id, kind, payload, status, attempts, max_attempts, \
     next_attempt_at, lease_owner, lease_until, epoch, idempotency_key, request_hash, steps, result, last_error, created_at, updated_at";

/// Claimable: pending and due, or running with an expired lease; and no earlier command of the
/// same candidate still pending or running.
pub(crate) const CLAIMABLE: &str = "((c.status = 'pending' AND c.next_attempt_at <= $1) OR (c.status = 'running' AND c.lease_until < $1)) \
     AND NOT EXISTS (SELECT 1 FROM commands e WHERE e.connection_id = c.connection_id \
       AND e.dover_candidate_id = c.dover_candidate_id AND e.seq < c.seq AND e.status IN ('pending', 'running'))";

/// Implements every store trait for `$store` (a struct with a `pool` field of a sqlx pool).
/// `$lock_clause` is appended to the row-locking select of a claim (`FOR UPDATE SKIP LOCKED` on
/// PostgreSQL, empty on SQLite, whose single-statement UPDATE is atomic); `$serialize_events` is
/// a statement run before an event append in the same transaction (PostgreSQL takes an advisory
/// lock so positions become visible in order).
macro_rules! impl_store {
    ($store:ty, $row:ty, $backend:literal, $lock_clause:literal, $serialize_events:literal, $migrator:expr) => {
        use $crate::store::sql::{db_err, json, json_opt, status, CLAIMABLE, COMMAND_COLUMNS};
        use $crate::store::*;
        use sqlx::Row;

        fn command_from_row(r: &$row) -> StoreResult<CommandRow> {
            Ok(CommandRow {
                id: r.try_get("id").map_err(db_err)?,
                seq: r.try_get("seq").map_err(db_err)?,
                connection_id: r.try_get("connection_id").map_err(db_err)?,
                dover_candidate_id: r.try_get("dover_candidate_id").map_err(db_err)?,
                kind: r.try_get("kind").map_err(db_err)?,
                payload: json(&r.try_get::<String, _>("payload").map_err(db_err)?),
                status: status(&r.try_get::<String, _>("status").map_err(db_err)?)?,
                attempts: r.try_get("attempts").map_err(db_err)?,
                max_attempts: r.try_get("max_attempts").map_err(db_err)?,
                next_attempt_at: r.try_get("next_attempt_at").map_err(db_err)?,
                lease_owner: r.try_get("lease_owner").map_err(db_err)?,
                lease_until: r.try_get("lease_until").map_err(db_err)?,
                epoch: r.try_get("epoch").map_err(db_err)?,
                idempotency_key: r.try_get("idempotency_key").map_err(db_err)?,
                request_hash: r.try_get("request_hash").map_err(db_err)?,
                steps: json(&r.try_get::<String, _>("steps").map_err(db_err)?),
                result: json_opt(r.try_get("result").map_err(db_err)?),
                last_error: json_opt(r.try_get("last_error").map_err(db_err)?),
                created_at: r.try_get("created_at").map_err(db_err)?,
                updated_at: r.try_get("updated_at").map_err(db_err)?,
            })
        }

        fn connection_from_row(r: &$row) -> StoreResult<ConnectionRow> {
            Ok(ConnectionRow {
                id: r.try_get("id").map_err(db_err)?,
                kind: r.try_get("kind").map_err(db_err)?,
                name: r.try_get("name").map_err(db_err)?,
                encrypted_key: r.try_get("encrypted_key").map_err(db_err)?,
                encrypted_webhook_secret: r.try_get("encrypted_webhook_secret").map_err(db_err)?,
                settings: json(&r.try_get::<String, _>("settings").map_err(db_err)?),
                created_at: r.try_get("created_at").map_err(db_err)?,
                updated_at: r.try_get("updated_at").map_err(db_err)?,
                last_error: r.try_get("last_error").map_err(db_err)?,
                last_checked_at: r.try_get("last_checked_at").map_err(db_err)?,
            })
        }

        fn job_link_from_row(r: &$row) -> StoreResult<JobLinkRow> {
            Ok(JobLinkRow {
                dover_job_id: r.try_get("dover_job_id").map_err(db_err)?,
                connection_id: r.try_get("connection_id").map_err(db_err)?,
                ats_job_id: r.try_get("ats_job_id").map_err(db_err)?,
                post_as_user_id: r.try_get("post_as_user_id").map_err(db_err)?,
                dover_stages: json(&r.try_get::<String, _>("dover_stages").map_err(db_err)?),
                stage_mapping: json(&r.try_get::<String, _>("stage_mapping").map_err(db_err)?),
                reason_overrides: json(&r.try_get::<String, _>("reason_overrides").map_err(db_err)?),
                created_at: r.try_get("created_at").map_err(db_err)?,
                updated_at: r.try_get("updated_at").map_err(db_err)?,
            })
        }

        fn link_from_row(r: &$row) -> StoreResult<CandidateLinkRow> {
            Ok(CandidateLinkRow {
                connection_id: r.try_get("connection_id").map_err(db_err)?,
                dover_candidate_id: r.try_get("dover_candidate_id").map_err(db_err)?,
                dover_job_id: r.try_get("dover_job_id").map_err(db_err)?,
                ats_candidate_id: r.try_get("ats_candidate_id").map_err(db_err)?,
                ats_application_id: r.try_get("ats_application_id").map_err(db_err)?,
                ats_stage_id: r.try_get("ats_stage_id").map_err(db_err)?,
                outcome: r.try_get("outcome").map_err(db_err)?,
                adopted: r.try_get("adopted").map_err(db_err)?,
                updated_at: r.try_get("updated_at").map_err(db_err)?,
            })
        }

        fn application_from_row(r: &$row) -> StoreResult<AtsApplicationRow> {
            Ok(AtsApplicationRow {
                connection_id: r.try_get("connection_id").map_err(db_err)?,
                ats_application_id: r.try_get("ats_application_id").map_err(db_err)?,
                ats_candidate_id: r.try_get("ats_candidate_id").map_err(db_err)?,
                ats_job_id: r.try_get("ats_job_id").map_err(db_err)?,
                ats_stage_id: r.try_get("ats_stage_id").map_err(db_err)?,
                status: r.try_get("status").map_err(db_err)?,
                outcome: r.try_get("outcome").map_err(db_err)?,
                archive_reason: r.try_get("archive_reason").map_err(db_err)?,
                ats_updated_at: r.try_get("ats_updated_at").map_err(db_err)?,
                last_seen_at: r.try_get("last_seen_at").map_err(db_err)?,
            })
        }

        fn event_from_row(r: &$row) -> StoreResult<EventRow> {
            Ok(EventRow {
                position: r.try_get("position").map_err(db_err)?,
                id: r.try_get("id").map_err(db_err)?,
                connection_id: r.try_get("connection_id").map_err(db_err)?,
                event_key: r.try_get("event_key").map_err(db_err)?,
                kind: r.try_get("kind").map_err(db_err)?,
                payload: json(&r.try_get::<String, _>("payload").map_err(db_err)?),
                created_at: r.try_get("created_at").map_err(db_err)?,
            })
        }

        fn not_found_if_zero(affected: u64, what: &str) -> StoreResult<()> {
            if affected == 0 { Err(StoreError::NotFound(what.to_owned())) } else { Ok(()) }
        }

        #[async_trait::async_trait]
        impl ConnectionStore for $store {
            async fn insert_connection(&self, c: &ConnectionRow) -> StoreResult<()> {
                sqlx::query("INSERT INTO connections (id, kind, name, encrypted_key, encrypted_webhook_secret, settings, created_at, updated_at, last_error, last_checked_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)")
                    .bind(&c.id).bind(&c.kind).bind(&c.name).bind(&c.encrypted_key).bind(&c.encrypted_webhook_secret)
                    .bind(c.settings.to_string()).bind(c.created_at).bind(c.updated_at).bind(&c.last_error).bind(c.last_checked_at)
                    .execute(&self.pool).await.map_err(db_err)?;
                Ok(())
            }

            async fn get_connection(&self, id: &str) -> StoreResult<Option<ConnectionRow>> {
                let row = sqlx::query("SELECT * FROM connections WHERE id = $1").bind(id).fetch_optional(&self.pool).await.map_err(db_err)?;
                row.as_ref().map(connection_from_row).transpose()
            }

            async fn list_connections(&self) -> StoreResult<Vec<ConnectionRow>> {
                let rows = sqlx::query("SELECT * FROM connections ORDER BY created_at, id").fetch_all(&self.pool).await.map_err(db_err)?;
                rows.iter().map(connection_from_row).collect()
            }

            async fn update_connection_key(&self, id: &str, encrypted_key: &[u8], now: Millis) -> StoreResult<()> {
                let r = sqlx::query("UPDATE connections SET encrypted_key = $1, updated_at = $2 WHERE id = $3")
                    .bind(encrypted_key).bind(now).bind(id).execute(&self.pool).await.map_err(db_err)?;
                not_found_if_zero(r.rows_affected(), "connection")
            }

            async fn update_connection_webhook_secret(&self, id: &str, encrypted_secret: Option<&[u8]>, now: Millis) -> StoreResult<()> {
                let r = sqlx::query("UPDATE connections SET encrypted_webhook_secret = $1, updated_at = $2 WHERE id = $3")
                    .bind(encrypted_secret).bind(now).bind(id).execute(&self.pool).await.map_err(db_err)?;
                not_found_if_zero(r.rows_affected(), "connection")
            }

            async fn update_connection_health(&self, id: &str, last_error: Option<&str>, now: Millis) -> StoreResult<()> {
                let r = sqlx::query("UPDATE connections SET last_error = $1, last_checked_at = $2 WHERE id = $3")
                    .bind(last_error).bind(now).bind(id).execute(&self.pool).await.map_err(db_err)?;
                not_found_if_zero(r.rows_affected(), "connection")
            }

            async fn delete_connection(&self, id: &str) -> StoreResult<()> {
                let mut tx = self.pool.begin().await.map_err(db_err)?;
                for table in ["job_links", "commands", "candidate_links", "sync_state", "ats_candidates", "ats_applications", "stage_transitions", "events", "webhook_deliveries"] {
                    sqlx::query(sqlx::AssertSqlSafe(format!("DELETE FROM {table} WHERE connection_id = $1"))).bind(id).execute(&mut *tx).await.map_err(db_err)?;
                }
                let r = sqlx::query("DELETE FROM connections WHERE id = $1").bind(id).execute(&mut *tx).await.map_err(db_err)?;
                not_found_if_zero(r.rows_affected(), "connection")?;
                tx.commit().await.map_err(db_err)
            }

            async fn upsert_job_link(&self, l: &JobLinkRow) -> StoreResult<()> {
                sqlx::query("INSERT INTO job_links (dover_job_id, connection_id, ats_job_id, post_as_user_id, dover_stages, stage_mapping, reason_overrides, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (dover_job_id) DO UPDATE SET connection_id = excluded.connection_id, \
                     ats_job_id = excluded.ats_job_id, post_as_user_id = excluded.post_as_user_id, dover_stages = excluded.dover_stages, \
                     stage_mapping = excluded.stage_mapping, reason_overrides = excluded.reason_overrides, updated_at = excluded.updated_at")
                    .bind(&l.dover_job_id).bind(&l.connection_id).bind(&l.ats_job_id).bind(&l.post_as_user_id)
                    .bind(l.dover_stages.to_string()).bind(l.stage_mapping.to_string()).bind(l.reason_overrides.to_string())
                    .bind(l.created_at).bind(l.updated_at)
                    .execute(&self.pool).await.map_err(db_err)?;
                Ok(())
            }

            async fn get_job_link(&self, dover_job_id: &str) -> StoreResult<Option<JobLinkRow>> {
                let row = sqlx::query("SELECT * FROM job_links WHERE dover_job_id = $1").bind(dover_job_id).fetch_optional(&self.pool).await.map_err(db_err)?;
                row.as_ref().map(job_link_from_row).transpose()
            }

            async fn list_job_links(&self, connection_id: &str) -> StoreResult<Vec<JobLinkRow>> {
                let rows = sqlx::query("SELECT * FROM job_links WHERE connection_id = $1 ORDER BY dover_job_id").bind(connection_id).fetch_all(&self.pool).await.map_err(db_err)?;
                rows.iter().map(job_link_from_row).collect()
            }
        }

        impl $store {
            async fn command_by_key(&self, connection_id: &str, key: &str) -> StoreResult<Option<CommandRow>> {
                let row = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {COMMAND_COLUMNS} FROM commands WHERE connection_id = $1 AND idempotency_key = $2")))
                    .bind(connection_id).bind(key).fetch_optional(&self.pool).await.map_err(db_err)?;
                row.as_ref().map(command_from_row).transpose()
            }
        }

        #[async_trait::async_trait]
        impl CommandQueue for $store {
            async fn enqueue(&self, c: &NewCommand) -> StoreResult<Enqueued> {
                if let Some(key) = &c.idempotency_key
                    && let Some(existing) = self.command_by_key(&c.connection_id, key).await?
                {
                    return Ok(if existing.request_hash == c.request_hash { Enqueued::Existing(existing) } else { Enqueued::KeyReused });
                }
                let inserted = sqlx::query(sqlx::AssertSqlSafe(format!("INSERT INTO commands (id, connection_id, dover_candidate_id, kind, payload, status, attempts, max_attempts, \
                     next_attempt_at, epoch, idempotency_key, request_hash, steps, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, 'pending', 0, $6, $7, 0, $8, $9, '{{}}', $7, $7) RETURNING {COMMAND_COLUMNS}")))
                    .bind(&c.id).bind(&c.connection_id).bind(&c.dover_candidate_id).bind(&c.kind).bind(c.payload.to_string())
                    .bind(c.max_attempts).bind(c.created_at).bind(&c.idempotency_key).bind(&c.request_hash)
                    .fetch_one(&self.pool).await;
                match inserted {
                    Ok(row) => Ok(Enqueued::Created(command_from_row(&row)?)),
                    Err(e) => match (db_err(e), &c.idempotency_key) {
                        (StoreError::Conflict(_), Some(key)) => match self.command_by_key(&c.connection_id, key).await? {
                            Some(existing) if existing.request_hash == c.request_hash => Ok(Enqueued::Existing(existing)),
                            Some(_) => Ok(Enqueued::KeyReused),
                            None => Err(StoreError::Conflict("idempotency key raced with a delete".into())),
                        },
                        (e, _) => Err(e),
                    },
                }
            }

            async fn get_command(&self, id: &str) -> StoreResult<Option<CommandRow>> {
                let row = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {COMMAND_COLUMNS} FROM commands WHERE id = $1"))).bind(id).fetch_optional(&self.pool).await.map_err(db_err)?;
                row.as_ref().map(command_from_row).transpose()
            }

            async fn claim(&self, claim: &ClaimRequest) -> StoreResult<Vec<CommandRow>> {
                let excluded: String = (0..claim.excluded_connections.len()).map(|i| format!(", ${}", i + 7)).collect();
                let excluded = if excluded.is_empty() { String::new() } else { format!("AND c.connection_id NOT IN ({})", &excluded[2..]) };
                let sql = format!(
                    "WITH ranked AS (SELECT c.id, c.seq, ROW_NUMBER() OVER (PARTITION BY c.connection_id ORDER BY c.seq) AS rn \
                       FROM commands c WHERE {CLAIMABLE} {excluded}), \
                     picked AS (SELECT id FROM commands WHERE id IN (SELECT id FROM ranked WHERE rn <= $2 ORDER BY rn, seq LIMIT $3) {lock}) \
                     UPDATE commands SET status = 'running', lease_owner = $4, lease_until = $5, epoch = epoch + 1, updated_at = $1 \
                     WHERE id IN (SELECT id FROM picked) AND ((status = 'pending' AND next_attempt_at <= $1) OR (status = 'running' AND lease_until < $6)) \
                     RETURNING {COMMAND_COLUMNS}",
                    lock = $lock_clause
                );
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(claim.now).bind(claim.per_connection_limit).bind(claim.limit)
                    .bind(&claim.owner).bind(claim.now + claim.lease_ms).bind(claim.now);
                for c in &claim.excluded_connections {
                    q = q.bind(c);
                }
                let rows = q.fetch_all(&self.pool).await.map_err(db_err)?;
                let mut out: Vec<CommandRow> = rows.iter().map(command_from_row).collect::<StoreResult<_>>()?;
                out.sort_by_key(|c| c.seq);
                Ok(out)
            }

            async fn renew_lease(&self, id: &str, epoch: i64, until: Millis) -> StoreResult<bool> {
                let r = sqlx::query("UPDATE commands SET lease_until = $3 WHERE id = $1 AND epoch = $2 AND status = 'running'")
                    .bind(id).bind(epoch).bind(until).execute(&self.pool).await.map_err(db_err)?;
                Ok(r.rows_affected() == 1)
            }

            async fn record_step(&self, id: &str, epoch: i64, steps: &serde_json::Value, now: Millis) -> StoreResult<bool> {
                let r = sqlx::query("UPDATE commands SET steps = $3, updated_at = $4 WHERE id = $1 AND epoch = $2 AND status = 'running'")
                    .bind(id).bind(epoch).bind(steps.to_string()).bind(now).execute(&self.pool).await.map_err(db_err)?;
                Ok(r.rows_affected() == 1)
            }

            async fn complete(&self, id: &str, epoch: i64, result: &serde_json::Value, now: Millis) -> StoreResult<bool> {
                let r = sqlx::query("UPDATE commands SET status = 'succeeded', result = $3, lease_owner = NULL, lease_until = NULL, updated_at = $4 \
                     WHERE id = $1 AND epoch = $2 AND status = 'running'")
                    .bind(id).bind(epoch).bind(result.to_string()).bind(now).execute(&self.pool).await.map_err(db_err)?;
                Ok(r.rows_affected() == 1)
            }

            async fn fail(&self, id: &str, epoch: i64, failure: &CommandFailure, now: Millis) -> StoreResult<bool> {
                let error = failure.error.to_string();
                let r = match failure.next {
                    FailureNext::Stop => sqlx::query(
                        "UPDATE commands SET status = 'failed', last_error = $3, attempts = attempts + 1, lease_owner = NULL, lease_until = NULL, updated_at = $4 \
                         WHERE id = $1 AND epoch = $2 AND status = 'running'")
                        .bind(id).bind(epoch).bind(error).bind(now)
                        .execute(&self.pool).await,
                    FailureNext::RetryAt { at, count_attempt } => sqlx::query(
                        "UPDATE commands SET last_error = $3, attempts = attempts + $5, \
                           status = CASE WHEN attempts + $5 >= max_attempts THEN 'dead' ELSE 'pending' END, \
                           next_attempt_at = $6, lease_owner = NULL, lease_until = NULL, updated_at = $4 \
                         WHERE id = $1 AND epoch = $2 AND status = 'running'")
                        .bind(id).bind(epoch).bind(error).bind(now).bind(i32::from(count_attempt)).bind(at)
                        .execute(&self.pool).await,
                };
                Ok(r.map_err(db_err)?.rows_affected() == 1)
            }

            async fn release(&self, id: &str, epoch: i64, now: Millis) -> StoreResult<bool> {
                let r = sqlx::query("UPDATE commands SET status = 'pending', lease_owner = NULL, lease_until = NULL, next_attempt_at = $3, updated_at = $3 \
                     WHERE id = $1 AND epoch = $2 AND status = 'running'")
                    .bind(id).bind(epoch).bind(now).execute(&self.pool).await.map_err(db_err)?;
                Ok(r.rows_affected() == 1)
            }

            async fn retry_dead(&self, id: &str, now: Millis) -> StoreResult<bool> {
                let r = sqlx::query("UPDATE commands SET status = 'pending', attempts = 0, next_attempt_at = $2, updated_at = $2 WHERE id = $1 AND status = 'dead'")
                    .bind(id).bind(now).execute(&self.pool).await.map_err(db_err)?;
                Ok(r.rows_affected() == 1)
            }

            async fn queue_stats(&self, now: Millis) -> StoreResult<QueueStats> {
                let row = sqlx::query("SELECT \
                     COALESCE(SUM(CASE WHEN status = 'pending' THEN 1 ELSE 0 END), 0) AS pending, \
                     COALESCE(SUM(CASE WHEN status = 'running' THEN 1 ELSE 0 END), 0) AS running, \
                     COALESCE(SUM(CASE WHEN status = 'dead' THEN 1 ELSE 0 END), 0) AS dead, \
                     MIN(CASE WHEN status = 'pending' THEN created_at END) AS oldest FROM commands")
                    .fetch_one(&self.pool).await.map_err(db_err)?;
                let oldest: Option<i64> = row.try_get("oldest").map_err(db_err)?;
                Ok(QueueStats {
                    pending: row.try_get("pending").map_err(db_err)?,
                    running: row.try_get("running").map_err(db_err)?,
                    dead: row.try_get("dead").map_err(db_err)?,
                    oldest_pending_age_ms: oldest.map(|o| (now - o).max(0)).unwrap_or(0),
                })
            }

            async fn pending_for_connection(&self, connection_id: &str) -> StoreResult<i64> {
                let row = sqlx::query("SELECT COUNT(*) AS n FROM commands WHERE connection_id = $1 AND status IN ('pending', 'running')")
                    .bind(connection_id).fetch_one(&self.pool).await.map_err(db_err)?;
                row.try_get("n").map_err(db_err)
            }
        }

        #[async_trait::async_trait]
        impl CandidateLinkStore for $store {
            async fn get_candidate_link(&self, connection_id: &str, dover_candidate_id: &str) -> StoreResult<Option<CandidateLinkRow>> {
                let row = sqlx::query("SELECT * FROM candidate_links WHERE connection_id = $1 AND dover_candidate_id = $2")
                    .bind(connection_id).bind(dover_candidate_id).fetch_optional(&self.pool).await.map_err(db_err)?;
                row.as_ref().map(link_from_row).transpose()
            }

            async fn upsert_candidate_link(&self, l: &CandidateLinkRow) -> StoreResult<()> {
                sqlx::query("INSERT INTO candidate_links (connection_id, dover_candidate_id, dover_job_id, ats_candidate_id, ats_application_id, ats_stage_id, outcome, adopted, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (connection_id, dover_candidate_id) DO UPDATE SET dover_job_id = excluded.dover_job_id, \
                     ats_candidate_id = excluded.ats_candidate_id, ats_application_id = excluded.ats_application_id, ats_stage_id = excluded.ats_stage_id, \
                     outcome = excluded.outcome, adopted = excluded.adopted, updated_at = excluded.updated_at")
                    .bind(&l.connection_id).bind(&l.dover_candidate_id).bind(&l.dover_job_id).bind(&l.ats_candidate_id)
                    .bind(&l.ats_application_id).bind(&l.ats_stage_id).bind(&l.outcome).bind(l.adopted).bind(l.updated_at)
                    .execute(&self.pool).await.map_err(db_err)?;
                Ok(())
            }

            async fn find_links_by_application(&self, connection_id: &str, ats_application_id: &str) -> StoreResult<Vec<CandidateLinkRow>> {
                let rows = sqlx::query("SELECT * FROM candidate_links WHERE connection_id = $1 AND ats_application_id = $2 ORDER BY dover_candidate_id")
                    .bind(connection_id).bind(ats_application_id).fetch_all(&self.pool).await.map_err(db_err)?;
                rows.iter().map(link_from_row).collect()
            }

            async fn find_links_by_ats_candidate(&self, connection_id: &str, ats_candidate_id: &str) -> StoreResult<Vec<CandidateLinkRow>> {
                let rows = sqlx::query("SELECT * FROM candidate_links WHERE connection_id = $1 AND ats_candidate_id = $2 ORDER BY dover_candidate_id")
                    .bind(connection_id).bind(ats_candidate_id).fetch_all(&self.pool).await.map_err(db_err)?;
                rows.iter().map(link_from_row).collect()
            }

            async fn list_links_for_job(&self, dover_job_id: &str) -> StoreResult<Vec<CandidateLinkRow>> {
                let rows = sqlx::query("SELECT * FROM candidate_links WHERE dover_job_id = $1 ORDER BY dover_candidate_id")
                    .bind(dover_job_id).fetch_all(&self.pool).await.map_err(db_err)?;
                rows.iter().map(link_from_row).collect()
            }
        }

        #[async_trait::async_trait]
        impl SyncStore for $store {
            async fn get_sync_state(&self, connection_id: &str, stream: &str) -> StoreResult<Option<SyncStateRow>> {
                let row = sqlx::query("SELECT * FROM sync_state WHERE connection_id = $1 AND stream = $2")
                    .bind(connection_id).bind(stream).fetch_optional(&self.pool).await.map_err(db_err)?;
                row.map(|r| -> StoreResult<SyncStateRow> {
                    Ok(SyncStateRow {
                        connection_id: r.try_get("connection_id").map_err(db_err)?,
                        stream: r.try_get("stream").map_err(db_err)?,
                        cursor: r.try_get("cursor").map_err(db_err)?,
                        in_full_pass: r.try_get("in_full_pass").map_err(db_err)?,
                        full_pass_started_at: r.try_get("full_pass_started_at").map_err(db_err)?,
                        last_caught_up_at: r.try_get("last_caught_up_at").map_err(db_err)?,
                        last_error: r.try_get("last_error").map_err(db_err)?,
                        updated_at: r.try_get("updated_at").map_err(db_err)?,
                    })
                })
                .transpose()
            }

            async fn save_sync_state(&self, s: &SyncStateRow) -> StoreResult<()> {
                sqlx::query("INSERT INTO sync_state (connection_id, stream, cursor, in_full_pass, full_pass_started_at, last_caught_up_at, last_error, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (connection_id, stream) DO UPDATE SET cursor = excluded.cursor, \
                     in_full_pass = excluded.in_full_pass, full_pass_started_at = excluded.full_pass_started_at, \
                     last_caught_up_at = excluded.last_caught_up_at, last_error = excluded.last_error, updated_at = excluded.updated_at")
                    .bind(&s.connection_id).bind(&s.stream).bind(&s.cursor).bind(s.in_full_pass).bind(s.full_pass_started_at)
                    .bind(s.last_caught_up_at).bind(&s.last_error).bind(s.updated_at)
                    .execute(&self.pool).await.map_err(db_err)?;
                Ok(())
            }

            async fn upsert_ats_candidate(&self, c: &AtsCandidateRow) -> StoreResult<()> {
                let keys = serde_json::to_string(&c.identity_keys).unwrap_or_else(|_| "[]".into());
                sqlx::query("INSERT INTO ats_candidates (connection_id, ats_candidate_id, name, identity_keys, company, has_active_application, last_seen_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (connection_id, ats_candidate_id) DO UPDATE SET name = excluded.name, \
                     identity_keys = excluded.identity_keys, company = excluded.company, has_active_application = excluded.has_active_application, \
                     last_seen_at = excluded.last_seen_at")
                    .bind(&c.connection_id).bind(&c.ats_candidate_id).bind(&c.name).bind(keys).bind(&c.company)
                    .bind(c.has_active_application).bind(c.last_seen_at)
                    .execute(&self.pool).await.map_err(db_err)?;
                Ok(())
            }

            async fn delete_ats_candidate(&self, connection_id: &str, ats_candidate_id: &str) -> StoreResult<bool> {
                let r = sqlx::query("DELETE FROM ats_candidates WHERE connection_id = $1 AND ats_candidate_id = $2")
                    .bind(connection_id).bind(ats_candidate_id).execute(&self.pool).await.map_err(db_err)?;
                Ok(r.rows_affected() > 0)
            }

            async fn list_ats_candidates(&self, connection_id: &str) -> StoreResult<Vec<AtsCandidateRow>> {
                let rows = sqlx::query("SELECT * FROM ats_candidates WHERE connection_id = $1 ORDER BY ats_candidate_id")
                    .bind(connection_id).fetch_all(&self.pool).await.map_err(db_err)?;
                rows.iter()
                    .map(|r| {
                        let keys: String = r.try_get("identity_keys").map_err(db_err)?;
                        Ok(AtsCandidateRow {
                            connection_id: r.try_get("connection_id").map_err(db_err)?,
                            ats_candidate_id: r.try_get("ats_candidate_id").map_err(db_err)?,
                            name: r.try_get("name").map_err(db_err)?,
                            identity_keys: serde_json::from_str(&keys).unwrap_or_default(),
                            company: r.try_get("company").map_err(db_err)?,
                            has_active_application: r.try_get("has_active_application").map_err(db_err)?,
                            last_seen_at: r.try_get("last_seen_at").map_err(db_err)?,
                        })
                    })
                    .collect()
            }

            async fn ats_candidates_not_seen_since(&self, connection_id: &str, before: Millis) -> StoreResult<Vec<String>> {
                let rows = sqlx::query("SELECT ats_candidate_id FROM ats_candidates WHERE connection_id = $1 AND last_seen_at < $2 ORDER BY ats_candidate_id")
                    .bind(connection_id).bind(before).fetch_all(&self.pool).await.map_err(db_err)?;
                rows.iter().map(|r| r.try_get("ats_candidate_id").map_err(db_err)).collect()
            }

            async fn upsert_ats_application(&self, a: &AtsApplicationRow) -> StoreResult<Option<AtsApplicationRow>> {
                let previous = self.get_ats_application(&a.connection_id, &a.ats_application_id).await?;
                sqlx::query("INSERT INTO ats_applications (connection_id, ats_application_id, ats_candidate_id, ats_job_id, ats_stage_id, status, outcome, archive_reason, ats_updated_at, last_seen_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (connection_id, ats_application_id) DO UPDATE SET \
                     ats_candidate_id = excluded.ats_candidate_id, ats_job_id = excluded.ats_job_id, ats_stage_id = excluded.ats_stage_id, \
                     status = excluded.status, outcome = excluded.outcome, archive_reason = excluded.archive_reason, \
                     ats_updated_at = excluded.ats_updated_at, last_seen_at = excluded.last_seen_at")
                    .bind(&a.connection_id).bind(&a.ats_application_id).bind(&a.ats_candidate_id).bind(&a.ats_job_id).bind(&a.ats_stage_id)
                    .bind(&a.status).bind(&a.outcome).bind(&a.archive_reason).bind(a.ats_updated_at).bind(a.last_seen_at)
                    .execute(&self.pool).await.map_err(db_err)?;
                Ok(previous)
            }

            async fn get_ats_application(&self, connection_id: &str, ats_application_id: &str) -> StoreResult<Option<AtsApplicationRow>> {
                let row = sqlx::query("SELECT * FROM ats_applications WHERE connection_id = $1 AND ats_application_id = $2")
                    .bind(connection_id).bind(ats_application_id).fetch_optional(&self.pool).await.map_err(db_err)?;
                row.as_ref().map(application_from_row).transpose()
            }

            async fn append_stage_transition(&self, t: &StageTransitionRow) -> StoreResult<()> {
                sqlx::query("INSERT INTO stage_transitions (connection_id, ats_job_id, ats_application_id, ats_stage_id, outcome, at) VALUES ($1, $2, $3, $4, $5, $6)")
                    .bind(&t.connection_id).bind(&t.ats_job_id).bind(&t.ats_application_id).bind(&t.ats_stage_id).bind(&t.outcome).bind(t.at)
                    .execute(&self.pool).await.map_err(db_err)?;
                Ok(())
            }

            async fn list_stage_transitions(&self, connection_id: &str, ats_job_id: &str) -> StoreResult<Vec<StageTransitionRow>> {
                let rows = sqlx::query("SELECT * FROM stage_transitions WHERE connection_id = $1 AND ats_job_id = $2 ORDER BY at, id")
                    .bind(connection_id).bind(ats_job_id).fetch_all(&self.pool).await.map_err(db_err)?;
                rows.iter()
                    .map(|r| {
                        Ok(StageTransitionRow {
                            connection_id: r.try_get("connection_id").map_err(db_err)?,
                            ats_job_id: r.try_get("ats_job_id").map_err(db_err)?,
                            ats_application_id: r.try_get("ats_application_id").map_err(db_err)?,
                            ats_stage_id: r.try_get("ats_stage_id").map_err(db_err)?,
                            outcome: r.try_get("outcome").map_err(db_err)?,
                            at: r.try_get("at").map_err(db_err)?,
                        })
                    })
                    .collect()
            }

            async fn append_event(&self, e: &NewEvent) -> StoreResult<EventRow> {
                let mut tx = self.pool.begin().await.map_err(db_err)?;
                if !$serialize_events.is_empty() {
                    sqlx::query($serialize_events).execute(&mut *tx).await.map_err(db_err)?;
                }
                let inserted = sqlx::query("INSERT INTO events (id, connection_id, event_key, kind, payload, created_at) VALUES ($1, $2, $3, $4, $5, $6) \
                     ON CONFLICT (connection_id, event_key) DO NOTHING RETURNING *")
                    .bind(&e.id).bind(&e.connection_id).bind(&e.event_key).bind(&e.kind).bind(e.payload.to_string()).bind(e.created_at)
                    .fetch_optional(&mut *tx).await.map_err(db_err)?;
                let row = match inserted {
                    Some(row) => row,
                    None => sqlx::query("SELECT * FROM events WHERE connection_id = $1 AND event_key = $2")
                        .bind(&e.connection_id).bind(&e.event_key).fetch_one(&mut *tx).await.map_err(db_err)?,
                };
                let event = event_from_row(&row)?;
                tx.commit().await.map_err(db_err)?;
                Ok(event)
            }

            async fn list_events(&self, after: i64, limit: i64, connection_id: Option<&str>) -> StoreResult<Vec<EventRow>> {
                let rows = sqlx::query("SELECT * FROM events WHERE position > $1 AND ($2 IS NULL OR connection_id = $2) ORDER BY position LIMIT $3")
                    .bind(after).bind(connection_id).bind(limit).fetch_all(&self.pool).await.map_err(db_err)?;
                rows.iter().map(event_from_row).collect()
            }

            async fn remember_webhook_delivery(&self, connection_id: &str, delivery_id: &str, now: Millis) -> StoreResult<bool> {
                let r = sqlx::query("INSERT INTO webhook_deliveries (connection_id, delivery_id, seen_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING")
                    .bind(connection_id).bind(delivery_id).bind(now).execute(&self.pool).await.map_err(db_err)?;
                Ok(r.rows_affected() == 1)
            }
        }

        #[async_trait::async_trait]
        impl Store for $store {
            async fn migrate(&self) -> StoreResult<()> {
                $migrator.run(&self.pool).await.map_err(|e| StoreError::Database(format!("migration failed: {e}")))
            }

            async fn ping(&self) -> StoreResult<()> {
                sqlx::query("SELECT 1").execute(&self.pool).await.map_err(db_err)?;
                Ok(())
            }

            fn backend(&self) -> &'static str {
                $backend
            }
        }
    };
}

pub(crate) use impl_store;
