//! The one place where SQLite and PostgreSQL differ at run time.
//!
//! Queries are written once, in SQL both dialects accept (`$1` placeholders, `ON CONFLICT`,
//! `LIMIT … OFFSET`), and run through [`with_backend!`], which expands the same code once per
//! pool type. Differences in types live in the two migration directories.

use std::str::FromStr;
use std::time::Duration;

use sqlx::migrate::Migrator;
use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{Postgres, Sqlite, Transaction};

use crate::{DatabaseKind, DatabaseUrl, StoreError};

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/postgres");

/// A connection pool to one of the supported databases.
#[derive(Clone, Debug)]
pub(crate) enum Backend {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// Runs `$body` with `$pool` bound to the concrete pool, whichever database it is.
macro_rules! with_backend {
    ($backend:expr, $pool:ident => $body:expr) => {
        match $backend {
            $crate::backend::Backend::Sqlite($pool) => $body,
            $crate::backend::Backend::Postgres($pool) => $body,
        }
    };
}
pub(crate) use with_backend;

/// Opens a transaction that is going to write.
pub(crate) trait BeginWrite {
    /// The database the transaction runs on.
    type Db: sqlx::Database;
    /// Begins a write transaction.
    async fn begin_write(&self) -> Result<Transaction<'static, Self::Db>, sqlx::Error>;
    /// Begins a write transaction that no other transaction taking the same `lock` runs
    /// beside, for checks that span rows (such as "another admin remains").
    async fn begin_exclusive(
        &self,
        lock: i64,
    ) -> Result<Transaction<'static, Self::Db>, sqlx::Error>;
}

impl BeginWrite for SqlitePool {
    type Db = Sqlite;
    async fn begin_write(&self) -> Result<Transaction<'static, Sqlite>, sqlx::Error> {
        // Take the write lock up front: a deferred transaction that reads and then writes can
        // fail with SQLITE_BUSY_SNAPSHOT when another writer got in between, busy timeout or not.
        self.begin_with("BEGIN IMMEDIATE").await
    }

    async fn begin_exclusive(
        &self,
        _lock: i64,
    ) -> Result<Transaction<'static, Sqlite>, sqlx::Error> {
        // One writer at a time is SQLite's own rule.
        self.begin_write().await
    }
}

impl BeginWrite for PgPool {
    type Db = Postgres;
    async fn begin_write(&self) -> Result<Transaction<'static, Postgres>, sqlx::Error> {
        self.begin().await
    }

    async fn begin_exclusive(
        &self,
        lock: i64,
    ) -> Result<Transaction<'static, Postgres>, sqlx::Error> {
        let mut tx = self.begin().await?;
        // Released at commit or rollback.
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(lock)
            .execute(&mut *tx)
            .await?;
        Ok(tx)
    }
}

impl Backend {
    /// Connects: SQLite in WAL mode with foreign keys and a busy timeout, or PostgreSQL.
    pub(crate) async fn connect(url: &DatabaseUrl) -> Result<Self, StoreError> {
        match url.kind()? {
            DatabaseKind::Sqlite => {
                let options = SqliteConnectOptions::from_str(url.expose_secret())?
                    .create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Normal)
                    .foreign_keys(true)
                    .busy_timeout(Duration::from_secs(10))
                    // Deleted rows (such as a destroyed JWT private key) are overwritten, not
                    // left in free pages.
                    .pragma("secure_delete", "ON");
                let pool = SqlitePoolOptions::new()
                    // SQLite has one writer at a time; a few readers are all that helps.
                    .max_connections(4)
                    .acquire_timeout(Duration::from_secs(30))
                    .connect_with(options)
                    .await?;
                Ok(Self::Sqlite(pool))
            }
            DatabaseKind::Postgres => {
                let pool = PgPoolOptions::new()
                    .max_connections(10)
                    .acquire_timeout(Duration::from_secs(30))
                    .connect(url.expose_secret())
                    .await?;
                Ok(Self::Postgres(pool))
            }
        }
    }

    /// Applies the migrations for this database (PostgreSQL: under an advisory lock, so that
    /// replicas starting together do not race).
    pub(crate) async fn migrate(&self) -> Result<(), StoreError> {
        match self {
            Self::Sqlite(pool) => SQLITE_MIGRATIONS.run(pool).await?,
            Self::Postgres(pool) => POSTGRES_MIGRATIONS.run(pool).await?,
        }
        Ok(())
    }

    pub(crate) fn kind(&self) -> DatabaseKind {
        match self {
            Self::Sqlite(_) => DatabaseKind::Sqlite,
            Self::Postgres(_) => DatabaseKind::Postgres,
        }
    }

    pub(crate) async fn close(&self) {
        with_backend!(self, pool => pool.close().await);
    }
}
