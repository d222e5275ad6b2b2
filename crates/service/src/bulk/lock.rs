//! One replica at a time runs a background job.
//!
//! On PostgreSQL, a session-level `pg_try_advisory_lock` held on a connection of its own: the
//! lock lasts as long as the connection, so a replica that dies releases it. On SQLite, only
//! one process serves a database file, so the lock is always granted.
//!
//! The store exposes no connection of its own for this, so the lock connects with the
//! database URL itself; a `Store::try_job_lock` seam would be the better home for it.

use imsbridge_store::{DatabaseKind, DatabaseUrl};
use sqlx::Connection as _;

/// The advisory lock key of the automatic migration job ("imsbridg" + 1 as an integer).
pub const AUTO_MIGRATION_LOCK: i64 = 0x696d_7362_7269_6401;

/// A held job lock; dropping it releases the lock.
#[derive(Debug)]
pub struct JobLock {
    connection: Option<sqlx::PgConnection>,
}

impl JobLock {
    /// Tries to take lock `key` without waiting: `Ok(None)` when another replica holds it.
    pub async fn try_acquire(
        database_url: Option<&DatabaseUrl>,
        key: i64,
    ) -> Result<Option<Self>, sqlx::Error> {
        let Some(url) = database_url.filter(|u| u.kind().ok() == Some(DatabaseKind::Postgres))
        else {
            return Ok(Some(Self { connection: None }));
        };
        let mut connection = sqlx::PgConnection::connect(url.expose_secret()).await?;
        let granted: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock($1)")
            .bind(key)
            .fetch_one(&mut connection)
            .await?;
        if granted {
            Ok(Some(Self {
                connection: Some(connection),
            }))
        } else {
            let _ = connection.close().await;
            Ok(None)
        }
    }

    /// Whether the lock still holds: the connection answers (always true on SQLite).
    pub async fn is_held(&mut self) -> bool {
        match &mut self.connection {
            None => true,
            Some(c) => c.ping().await.is_ok(),
        }
    }

    /// Releases the lock now.
    pub async fn release(mut self) {
        if let Some(connection) = self.connection.take() {
            let _ = connection.close().await;
        }
    }
}
