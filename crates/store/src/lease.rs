//! Fleet-wide locks: one replica at a time runs a background job, refreshes tokens ahead of
//! expiry, or fetches one configuration's cold token.
//!
//! On PostgreSQL, a session-level advisory lock held on a connection of its own: the lock
//! lasts as long as that connection, so a replica that dies (even by `kill -9`) releases it
//! the moment its connection closes, and no expiry has to be guessed. On SQLite only one
//! process serves a database file, so every lock is granted.

use imsbridge_domain::ConfigId;
use sqlx::Connection as _;
use sqlx::pool::PoolConnection;
use sqlx::{PgConnection, Postgres};

use crate::backend::Backend;
use crate::{DatabaseKind, DatabaseUrl, Store, StoreError};

/// The advisory-lock class of per-configuration token fetches ("imsb"); job locks use the
/// one-number key space, which PostgreSQL keeps apart from the two-number one.
const TOKEN_LEASE_CLASS: i32 = 0x696d_7362;

/// A held fleet-wide lock; dropping it releases the lock (by closing its connection).
#[derive(Debug)]
pub struct FleetLock {
    held: Held,
}

#[derive(Debug)]
enum Held {
    /// SQLite: nothing to hold.
    Local,
    /// A connection of its own, made from the database URL.
    Own(Option<PgConnection>),
    /// A connection taken from the store's pool, given back unlocked on release.
    Pooled(Option<PoolConnection<Postgres>>),
}

impl FleetLock {
    /// Tries to take lock `key` without waiting, on a connection of its own made from
    /// `database_url`: `Ok(None)` when another replica holds it. Always granted without a
    /// PostgreSQL URL.
    pub async fn try_acquire(
        database_url: Option<&DatabaseUrl>,
        key: i64,
    ) -> Result<Option<Self>, sqlx::Error> {
        let Some(url) = database_url.filter(|u| u.kind().ok() == Some(DatabaseKind::Postgres))
        else {
            return Ok(Some(Self { held: Held::Local }));
        };
        let mut connection = PgConnection::connect(url.expose_secret()).await?;
        let granted: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock($1)")
            .bind(key)
            .fetch_one(&mut connection)
            .await?;
        if granted {
            Ok(Some(Self {
                held: Held::Own(Some(connection)),
            }))
        } else {
            let _ = connection.close().await;
            Ok(None)
        }
    }

    /// Whether the lock still holds: its connection answers (always true on SQLite).
    pub async fn is_held(&mut self) -> bool {
        match &mut self.held {
            Held::Local => true,
            Held::Own(Some(c)) => c.ping().await.is_ok(),
            Held::Pooled(Some(c)) => c.ping().await.is_ok(),
            Held::Own(None) | Held::Pooled(None) => false,
        }
    }

    /// Releases the lock now.
    pub async fn release(mut self) {
        match &mut self.held {
            Held::Local => {}
            Held::Own(c) => {
                if let Some(c) = c.take() {
                    let _ = c.close().await;
                }
            }
            Held::Pooled(slot) => {
                if let Some(mut c) = slot.take() {
                    let unlocked = sqlx::query("SELECT pg_advisory_unlock_all()")
                        .execute(&mut *c)
                        .await;
                    if unlocked.is_err() {
                        // Never give a connection that may still hold the lock back to the pool.
                        drop(c.detach());
                    }
                }
            }
        }
    }
}

impl Drop for FleetLock {
    fn drop(&mut self) {
        // Not released in order (a task torn down): close the connection, which releases the
        // lock, rather than hand a locked connection back to the pool.
        if let Held::Pooled(slot) = &mut self.held
            && let Some(c) = slot.take()
        {
            drop(c.detach());
        }
    }
}

/// The second number of a configuration's token-lease key: its id folded to 32 bits.
fn token_lease_key(config_id: ConfigId) -> i32 {
    let v = config_id.as_uuid().as_u128();
    let folded = (v as u32) ^ ((v >> 32) as u32) ^ ((v >> 64) as u32) ^ ((v >> 96) as u32);
    i32::from_ne_bytes(folded.to_ne_bytes())
}

impl Store {
    /// Tries to take the fleet-wide lease for fetching configuration `config_id`'s token
    /// from IMS, without waiting: `Ok(None)` when another replica holds it. Held on a pooled
    /// connection until [`FleetLock::release`]; granted at once on SQLite.
    pub async fn try_token_lease(
        &self,
        config_id: ConfigId,
    ) -> Result<Option<FleetLock>, StoreError> {
        let Backend::Postgres(pool) = &self.backend else {
            return Ok(Some(FleetLock { held: Held::Local }));
        };
        let mut connection = pool.acquire().await?;
        let granted: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock($1, $2)")
            .bind(TOKEN_LEASE_CLASS)
            .bind(token_lease_key(config_id))
            .fetch_one(&mut *connection)
            .await?;
        Ok(granted.then(|| FleetLock {
            held: Held::Pooled(Some(connection)),
        }))
    }

    /// Tries to take fleet-wide lock `key` (a job's, or the refresh leader's) without
    /// waiting, on a connection of its own: `Ok(None)` when another replica holds it.
    /// Granted at once on SQLite.
    pub async fn try_fleet_lock(&self, key: i64) -> Result<Option<FleetLock>, StoreError> {
        let Backend::Postgres(pool) = &self.backend else {
            return Ok(Some(FleetLock { held: Held::Local }));
        };
        // Detached from the pool: a lock held for hours must not take one of its connections.
        let mut connection = pool.acquire().await?.detach();
        let granted: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock($1)")
            .bind(key)
            .fetch_one(&mut connection)
            .await?;
        if granted {
            Ok(Some(FleetLock {
                held: Held::Own(Some(connection)),
            }))
        } else {
            let _ = connection.close().await;
            Ok(None)
        }
    }
}
