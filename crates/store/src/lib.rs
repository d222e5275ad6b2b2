//! Persistence for imsbridge: integration configurations with their secrets encrypted at
//! rest, the audit log, users, API tokens and the shared access-token cache.
//!
//! SQLite is the default (one file, WAL); PostgreSQL serves several replicas, which
//! coordinate through it: fleet-wide locks ([`FleetLock`]) and notifications of every
//! committed change ([`ChangeListener`]). Both run the same queries; the differences sit in
//! [`backend`] and the per-backend migrations.
//!
//! Every change to a configuration names the revision it read and is refused with
//! [`StoreError::StaleRevision`] if that revision is no longer current; the change and its
//! audit record commit in one transaction, or neither does.

mod api_tokens;
mod audit;
mod backend;
mod configs;
mod database_url;
mod error;
mod export;
mod files;
mod keyring;
mod lease;
mod login_failures;
mod notifications;
mod page;
mod read_cache;
mod rotation;
mod secret_rotations;
mod sessions;
mod sso_users;
mod token_cache;
mod users;

use std::path::Path;
use std::sync::{Arc, PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};

use chrono::{DateTime, SubsecRound, Utc};
use imsbridge_domain::{Clock, SecretString, SystemClock};

pub use api_tokens::{ApiToken, ApiTokenId, NewApiToken};
pub use audit::{AuditContext, AuditEntry, AuditFilter, AuditRecord};
pub use configs::{ConfigFilter, ConfigSummary, HealthFilter};
pub use database_url::{DatabaseKind, DatabaseUrl};
pub use error::StoreError;
pub use export::{
    EXPORT_FORMAT, ExportDocument, ExportSecrets, ExportedConfig, ImportFailure, ImportReport,
};
pub use files::create_private_dir;
pub use keyring::{Keyring, MASTER_KEY_ENV};
pub use lease::FleetLock;
pub use login_failures::LoginFailures;
pub use notifications::{CHANGES_CHANNEL, Change, ChangeListener};
pub use page::{Page, PageRequest};
pub use read_cache::DEFAULT_READ_CACHE_TTL;
pub use rotation::{RotateOptions, RotationReport};
pub use secret_rotations::RotationJob;
pub use sessions::SessionRecord;
pub use sso_users::{SsoIdentity, UserSignIn};
pub use users::{NewUser, Role, User, UserId, UserUpdate};

use backend::{Backend, with_backend};

/// The file name of the SQLite database inside a data directory.
pub const DATABASE_FILE: &str = "imsbridge.db";
/// The file name of the master key file inside a data directory.
pub const KEY_FILE: &str = "master.key";

/// A known plaintext sealed under each master key, to tell a right key from a wrong one.
const KEY_CHECK_PLAINTEXT: &[u8] = b"imsbridge key check";

/// The imsbridge database: cheap to clone, safe to share between tasks.
#[derive(Clone)]
pub struct Store {
    backend: Backend,
    keyring: Arc<RwLock<Keyring>>,
    clock: Arc<dyn Clock>,
    cache: Arc<read_cache::ReadCache>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("backend", &self.backend.kind())
            .field("keyring", &*self.keys())
            .finish_non_exhaustive()
    }
}

impl Store {
    /// How long [`Store::cached_api_token`] and [`Store::cached_config`] may answer from
    /// memory for changes made by other processes (changes made through this `Store` and its
    /// clones are seen at once). Zero reads the database every time.
    pub fn set_read_cache_ttl(&self, ttl: std::time::Duration) {
        self.cache.set_ttl(ttl);
    }

    /// Connects to the database with the given keyring, using the system clock.
    ///
    /// Call [`Store::migrate`] before anything else: it also checks the keyring against the
    /// database.
    pub async fn connect(url: &DatabaseUrl, keyring: Keyring) -> Result<Self, StoreError> {
        Ok(Self {
            backend: Backend::connect(url).await?,
            keyring: Arc::new(RwLock::new(keyring)),
            clock: Arc::new(SystemClock),
            cache: Arc::default(),
        })
    }

    /// Uses `clock` for every timestamp the store makes itself (audit, users, tokens).
    #[must_use]
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Opens the store of a data directory, as the CLI does: SQLite at `<dir>/imsbridge.db`
    /// unless `database_url` says otherwise, the master key from `master_key_env` (the value
    /// of [`MASTER_KEY_ENV`]) or else `<dir>/master.key`, and migrations applied.
    ///
    /// A key file is created (mode 0600) only for a database that holds no secrets and no key
    /// check yet; for any other database a missing key file is an error, never a new key.
    /// A data directory created here is 0700 and a new SQLite database 0600 (its `-wal` and
    /// `-shm` files follow it), whatever the umask; existing ones that other users can read
    /// are named in a warning.
    pub async fn open_data_dir(
        dir: &Path,
        database_url: Option<&DatabaseUrl>,
        master_key_env: Option<SecretString>,
    ) -> Result<Self, StoreError> {
        let sqlite_file = database_url.is_none().then(|| dir.join(DATABASE_FILE));
        let url = if let Some(url) = database_url {
            url.clone()
        } else {
            create_dir(dir)?;
            let path = dir.join(DATABASE_FILE);
            files::create_private_file(&path).map_err(|e| {
                StoreError::Key(format!(
                    "the database file {} cannot be created ({e}); check the data directory's owner and permissions",
                    path.display()
                ))
            })?;
            DatabaseUrl::sqlite_file(&path)?
        };
        let backend = Backend::connect(&url).await?;
        backend.migrate().await?;
        // After the migrations, so that SQLite's -wal and -shm files exist to be checked.
        files::warn_if_exposed(dir, sqlite_file.as_deref());
        let clock: Arc<dyn Clock> = Arc::new(SystemClock);
        let key_path = dir.join(KEY_FILE);
        let keyring = if let Some(value) = master_key_env {
            Keyring::from_env_value(&value)?
        } else if key_path.exists() {
            Keyring::load(&key_path)?
        } else {
            let in_use = key_ids_in_use(&backend).await?;
            if !in_use.is_empty() {
                return Err(StoreError::Key(format!(
                    "the key file {} is missing, but the database {url} holds secrets sealed with key(s) {}; restore master.key from your backup or set {MASTER_KEY_ENV} (no new key was made, because it could not open them)",
                    key_path.display(),
                    in_use.join(", ")
                )));
            }
            create_dir(dir)?;
            tracing::info!(path = %key_path.display(), "created a new master key file; back it up");
            Keyring::create(&key_path, clock.now())?
        };
        let store = Self {
            backend,
            keyring: Arc::new(RwLock::new(keyring)),
            clock,
            cache: Arc::default(),
        };
        store.check_keys().await?;
        Ok(store)
    }

    /// Applies pending schema migrations, then checks the keyring against the database
    /// (see [`Store::check_keys`]).
    pub async fn migrate(&self) -> Result<(), StoreError> {
        self.backend.migrate().await?;
        self.check_keys().await
    }

    /// Checks that the keyring can open everything stored: every key id in use must be held,
    /// and every held key with a check record must be the same key that wrote it. Records a
    /// check for the active key if it has none.
    pub async fn check_keys(&self) -> Result<(), StoreError> {
        let in_use = key_ids_in_use(&self.backend).await?;
        let checks: Vec<(String, Vec<u8>)> = with_backend!(&self.backend, pool => {
            sqlx::query_as("SELECT key_id, check_ct FROM key_checks WHERE retired_at IS NULL")
                .fetch_all(pool)
                .await?
        });
        let (active, sealed) = {
            let ring = self.keys();
            let missing: Vec<&String> = in_use.iter().filter(|id| !ring.contains(id)).collect();
            if !missing.is_empty() {
                return Err(StoreError::Key(format!(
                    "the database holds secrets sealed with key(s) {}, which the {} does not have; use the key file that belongs to this database",
                    missing
                        .iter()
                        .map(|s| s.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                    ring.describe_source()
                )));
            }
            for (key_id, check) in &checks {
                if ring.contains(key_id)
                    && ring
                        .open(key_id, &key_check_context(key_id), check)
                        .is_err()
                {
                    return Err(StoreError::Key(format!(
                        "the {} holds a key named {key_id:?} that is not the key this database was written with; use the key file that belongs to this database",
                        ring.describe_source()
                    )));
                }
            }
            let active = ring.active_key_id().to_owned();
            let sealed = if checks.iter().any(|(id, _)| *id == active) {
                None
            } else {
                Some(
                    ring.seal(&key_check_context(&active), KEY_CHECK_PLAINTEXT)?
                        .1,
                )
            };
            (active, sealed)
        };
        if let Some(sealed) = sealed {
            self.insert_key_check(&active, sealed).await?;
        }
        Ok(())
    }

    async fn insert_key_check(&self, key_id: &str, sealed: Vec<u8>) -> Result<(), StoreError> {
        let now = self.now();
        with_backend!(&self.backend, pool => {
            sqlx::query(
                "INSERT INTO key_checks (key_id, check_ct, created_at) VALUES ($1, $2, $3) \
                 ON CONFLICT (key_id) DO NOTHING",
            )
            .bind(key_id)
            .bind(sealed)
            .bind(now)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    /// Checks that the database answers.
    pub async fn ping(&self) -> Result<(), StoreError> {
        with_backend!(&self.backend, pool => {
            sqlx::query("SELECT 1").execute(pool).await?;
        });
        Ok(())
    }

    /// Which database this store runs on.
    pub fn database_kind(&self) -> DatabaseKind {
        self.backend.kind()
    }

    /// The id of the master key that seals new secrets.
    pub fn active_key_id(&self) -> String {
        self.keys().active_key_id().to_owned()
    }

    /// The ids of every master key the store holds.
    pub fn key_ids(&self) -> Vec<String> {
        self.keys()
            .key_ids()
            .into_iter()
            .map(str::to_owned)
            .collect()
    }

    /// Closes every connection; later calls fail.
    pub async fn close(&self) {
        self.backend.close().await;
    }

    /// Re-reads the key file, as after another replica rotated keys; returns whether the
    /// keys changed. A keyring from a raw [`MASTER_KEY_ENV`] value has nothing to re-read.
    pub fn reload_keys(&self) -> Result<bool, StoreError> {
        let Some(path) = self.keys().path().map(Path::to_owned) else {
            return Ok(false);
        };
        let fresh = Keyring::load(&path)?;
        let mut ring = self.keys_mut();
        let changed =
            fresh.key_ids() != ring.key_ids() || fresh.active_key_id() != ring.active_key_id();
        if changed {
            tracing::info!(
                active = fresh.active_key_id(),
                "master keys reloaded from the key file"
            );
            *ring = fresh;
        }
        Ok(changed)
    }

    /// Runs `open` with the keyring. If it needs a key the keyring lacks, another replica
    /// may have rotated: re-read the key file once and try again.
    fn with_keys<T>(
        &self,
        open: impl Fn(&Keyring) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let first = open(&self.keys());
        match first {
            Err(StoreError::Key(_)) if self.reload_keys().unwrap_or(false) => open(&self.keys()),
            other => other,
        }
    }

    fn keys(&self) -> RwLockReadGuard<'_, Keyring> {
        // The keyring is never left half-changed by a panic (changes are swaps), so a
        // poisoned lock still guards a consistent value.
        self.keyring.read().unwrap_or_else(PoisonError::into_inner)
    }

    fn keys_mut(&self) -> RwLockWriteGuard<'_, Keyring> {
        self.keyring.write().unwrap_or_else(PoisonError::into_inner)
    }

    /// The current time, at the precision every backend keeps.
    fn now(&self) -> DateTime<Utc> {
        stored_time(self.clock.now())
    }
}

/// Times are kept to the microsecond, as PostgreSQL does, so both backends give back exactly
/// what they were given.
pub(crate) fn stored_time(t: DateTime<Utc>) -> DateTime<Utc> {
    t.trunc_subsecs(6)
}

fn create_dir(dir: &Path) -> Result<(), StoreError> {
    files::create_private_dir(dir).map_err(|e| {
        StoreError::Key(format!(
            "the data directory {} cannot be created ({e}); create it or choose another",
            dir.display()
        ))
    })
}

pub(crate) fn key_check_context(key_id: &str) -> String {
    format!("key_checks/{key_id}")
}

/// Every key id that some stored secret or key check depends on.
async fn key_ids_in_use(backend: &Backend) -> Result<Vec<String>, StoreError> {
    let ids: Vec<(String,)> = with_backend!(backend, pool => {
        sqlx::query_as(
            "SELECT key_id FROM configs \
             UNION SELECT key_id FROM token_cache \
             UNION SELECT key_id FROM key_checks WHERE retired_at IS NULL \
             ORDER BY 1",
        )
        .fetch_all(pool)
        .await?
    });
    Ok(ids.into_iter().map(|(id,)| id).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use imsbridge_domain::{ConfigId, Health, IntegrationConfig, Name, Revision};

    fn assert_send<T: Send>(_: T) {}

    #[test]
    fn store_futures_can_move_between_threads() {
        // Never called: the server spawns these futures, so it is enough that this compiles.
        let check: fn(Store, IntegrationConfig, Name, AuditContext) = |store, cfg, name, audit| {
            assert_send(async move {
                let _ = store.insert_config(&cfg, &audit).await;
                let _ = store.import_config(&cfg, &audit).await;
                let _ = store.get_config(&name).await;
                let _ = store.get_config_by_id(cfg.id).await;
                let _ = store
                    .update_config(cfg.revision, &cfg, &audit, "config.update")
                    .await;
                let _ = store.delete_config(&name, None, &audit).await;
                let _ = store
                    .record_health(
                        ConfigId::new(),
                        Revision::FIRST,
                        &Health::healthy(cfg.created_at),
                    )
                    .await;
                let _ = store
                    .list_configs(&ConfigFilter::default(), PageRequest::default())
                    .await;
                let _ = store
                    .list_audit(&AuditFilter::default(), PageRequest::default())
                    .await;
                let _ = store.rotate_keys(&RotateOptions::default(), &audit).await;
                let _ = store.export(None, &audit).await;
                let _ = store
                    .put_cached_token(
                        cfg.id,
                        cfg.revision,
                        &SecretString::from(String::new()),
                        cfg.created_at,
                    )
                    .await;
                let _ = store.get_cached_token(cfg.id, cfg.revision).await;
                let _ = store.list_users().await;
                let _ = store.list_api_tokens().await;
                let _ = store.check_keys().await;
            });
        };
        std::hint::black_box(check);
    }
}
