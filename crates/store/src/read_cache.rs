//! A short-lived in-process copy of the rows that every token request reads: the API token
//! that authenticates it and the configuration it asks for.
//!
//! Handing out a cached IMS token must not cost two database round trips. Entries live at
//! most `ttl` (one second by default), and every write this process makes to a configuration
//! or an API token drops them all at once, after its commit: a change made through this
//! process (an edit, a migration, a revocation) is seen by the very next request. A change
//! made by another process sharing PostgreSQL (the CLI, another replica) is announced by a
//! notification that drops the affected entries at once (see [`crate::ChangeListener`]);
//! `ttl` bounds how late it is seen when the notification is lost. While the database cannot
//! be read, entries up to [`STALE_LIMIT`] old still answer. A `ttl` of zero turns the cache
//! off.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, PoisonError, RwLock};
use std::time::{Duration, Instant};

use imsbridge_domain::{IntegrationConfig, Name};

use crate::{ApiToken, StoreError};

/// How long an entry is trusted when nothing else says otherwise.
pub const DEFAULT_READ_CACHE_TTL: Duration = Duration::from_secs(1);

/// How long an entry outlives its TTL as a fallback for when the database cannot be read
/// (PostgreSQL unreachable): token requests keep being served from what was last read. A
/// change committed meanwhile cannot have happened through the unreachable database, and
/// every change notified empties the cache.
pub(crate) const STALE_LIMIT: Duration = Duration::from_secs(600);

/// Entries a map may hold. Only rows that exist are cached, so this takes many live API
/// tokens or configurations used within one TTL to reach; past it, reads go to the database
/// rather than grow the map.
const MAX_ENTRIES: usize = 4096;

/// Cached rows, one map per kind, all dropped together on any local write.
pub(crate) struct ReadCache {
    /// Milliseconds an entry lives; 0 disables the cache.
    ttl_ms: AtomicU64,
    /// Bumped after every local write; a read that began before a write never fills the
    /// cache after it.
    generation: AtomicU64,
    tokens: RwLock<HashMap<String, Entry<Arc<ApiToken>>>>,
    configs: RwLock<HashMap<Name, Entry<Arc<IntegrationConfig>>>>,
}

struct Entry<T> {
    value: T,
    loaded: Instant,
}

impl Default for ReadCache {
    fn default() -> Self {
        Self {
            ttl_ms: AtomicU64::new(millis(DEFAULT_READ_CACHE_TTL)),
            generation: AtomicU64::new(0),
            tokens: RwLock::default(),
            configs: RwLock::default(),
        }
    }
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// The state of the cache when a read began: pass it back to [`ReadCache::put_token`] or
/// [`ReadCache::put_config`] so a read that raced a write is not kept.
#[derive(Clone, Copy)]
pub(crate) struct Ticket(u64);

impl ReadCache {
    pub(crate) fn set_ttl(&self, ttl: Duration) {
        self.ttl_ms.store(millis(ttl), Ordering::Relaxed);
        self.invalidate();
    }

    pub(crate) fn ttl(&self) -> Duration {
        Duration::from_millis(self.ttl_ms.load(Ordering::Relaxed))
    }

    fn enabled(&self) -> bool {
        self.ttl_ms.load(Ordering::Relaxed) > 0
    }

    /// Takes a ticket before reading the database.
    pub(crate) fn ticket(&self) -> Ticket {
        Ticket(self.generation.load(Ordering::Acquire))
    }

    /// Forgets everything: called after every committed local write.
    pub(crate) fn invalidate(&self) {
        // Under both locks, so that no `put` holding an older ticket slips in between the
        // bump and the clearing.
        let mut tokens = self.tokens.write().unwrap_or_else(PoisonError::into_inner);
        let mut configs = self.configs.write().unwrap_or_else(PoisonError::into_inner);
        self.generation.fetch_add(1, Ordering::AcqRel);
        tokens.clear();
        configs.clear();
    }

    /// Forgets the cached API tokens only (another process changed one).
    pub(crate) fn invalidate_tokens(&self) {
        let mut tokens = self.tokens.write().unwrap_or_else(PoisonError::into_inner);
        self.generation.fetch_add(1, Ordering::AcqRel);
        tokens.clear();
    }

    /// Forgets the cached configurations only (another process changed one).
    pub(crate) fn invalidate_configs(&self) {
        let mut configs = self.configs.write().unwrap_or_else(PoisonError::into_inner);
        self.generation.fetch_add(1, Ordering::AcqRel);
        configs.clear();
    }

    pub(crate) fn token(&self, hash: &str) -> Option<Arc<ApiToken>> {
        self.get(&self.tokens, hash)
    }

    /// What the database answered for a token, or, when it could not be read, the token as
    /// read less than [`STALE_LIMIT`] ago.
    pub(crate) fn token_or_stale(
        &self,
        hash: &str,
        read: Result<Option<ApiToken>, StoreError>,
    ) -> Result<Option<Arc<ApiToken>>, StoreError> {
        match read {
            Ok(found) => Ok(found.map(Arc::new)),
            Err(e @ StoreError::Database(_)) => stale(&self.tokens, hash).map(Some).ok_or(e),
            Err(e) => Err(e),
        }
    }

    pub(crate) fn put_token(&self, ticket: Ticket, hash: &str, token: Arc<ApiToken>) {
        self.put(&self.tokens, ticket, hash.to_owned(), token);
    }

    /// Keeps a cached token's `last_used_at` in step with a touch, so the next request does
    /// not touch it again.
    pub(crate) fn touched(&self, id: crate::ApiTokenId, at: chrono::DateTime<chrono::Utc>) {
        let mut tokens = self.tokens.write().unwrap_or_else(PoisonError::into_inner);
        for entry in tokens.values_mut().filter(|e| e.value.id == id) {
            Arc::make_mut(&mut entry.value).last_used_at = Some(at);
        }
    }

    pub(crate) fn config(&self, name: &Name) -> Option<Arc<IntegrationConfig>> {
        self.get(&self.configs, name)
    }

    /// What the database answered for a configuration, or, when it could not be read, the
    /// configuration as read less than [`STALE_LIMIT`] ago.
    pub(crate) fn config_or_stale(
        &self,
        name: &Name,
        read: Result<Option<IntegrationConfig>, StoreError>,
    ) -> Result<Option<Arc<IntegrationConfig>>, StoreError> {
        match read {
            Ok(found) => Ok(found.map(Arc::new)),
            Err(e @ StoreError::Database(_)) => stale(&self.configs, name).map(Some).ok_or(e),
            Err(e) => Err(e),
        }
    }

    pub(crate) fn put_config(&self, ticket: Ticket, config: Arc<IntegrationConfig>) {
        self.put(&self.configs, ticket, config.name.clone(), config);
    }

    fn get<K, Q, T>(&self, map: &RwLock<HashMap<K, Entry<T>>>, key: &Q) -> Option<T>
    where
        K: std::borrow::Borrow<Q> + Eq + Hash,
        Q: Eq + Hash + ?Sized,
        T: Clone,
    {
        if !self.enabled() {
            return None;
        }
        let ttl = self.ttl();
        let map = map.read().unwrap_or_else(PoisonError::into_inner);
        map.get(key)
            .filter(|e| e.loaded.elapsed() < ttl)
            .map(|e| e.value.clone())
    }

    fn put<K: Eq + Hash, T>(
        &self,
        map: &RwLock<HashMap<K, Entry<T>>>,
        ticket: Ticket,
        key: K,
        value: T,
    ) {
        if !self.enabled() {
            return;
        }
        let ttl = self.ttl();
        let mut map = map.write().unwrap_or_else(PoisonError::into_inner);
        if self.generation.load(Ordering::Acquire) != ticket.0 {
            return;
        }
        // Entries of keys nobody asks for any more go when the map is written.
        if map.len() >= 1024 {
            map.retain(|_, e| e.loaded.elapsed() < ttl.max(STALE_LIMIT));
            if map.len() >= MAX_ENTRIES {
                return;
            }
        }
        map.insert(
            key,
            Entry {
                value,
                loaded: Instant::now(),
            },
        );
    }
}

fn stale<K, Q, T>(map: &RwLock<HashMap<K, Entry<T>>>, key: &Q) -> Option<T>
where
    K: std::borrow::Borrow<Q> + Eq + Hash,
    Q: Eq + Hash + ?Sized,
    T: Clone,
{
    let map = map.read().unwrap_or_else(PoisonError::into_inner);
    map.get(key)
        .filter(|e| e.loaded.elapsed() < STALE_LIMIT)
        .map(|e| e.value.clone())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ApiTokenId;

    fn token() -> Arc<ApiToken> {
        Arc::new(ApiToken {
            id: ApiTokenId::from(uuid::Uuid::now_v7()),
            name: "t".into(),
            prefix: "ibt_abcd1234".into(),
            token_hash: "h".into(),
            scope: "admin".into(),
            expires_at: None,
            created_at: chrono::Utc::now(),
            created_by: None,
            last_used_at: None,
            revoked_at: None,
        })
    }

    #[test]
    fn a_read_that_began_before_a_write_is_not_kept() {
        let cache = ReadCache::default();
        let before_write = cache.ticket();
        cache.invalidate();
        cache.put_token(before_write, "h", token());
        assert!(cache.token("h").is_none());

        let after_write = cache.ticket();
        cache.put_token(after_write, "h", token());
        assert!(cache.token("h").is_some());
    }

    #[test]
    fn the_cache_never_holds_more_than_its_bound() {
        let cache = ReadCache::default();
        cache.set_ttl(Duration::from_secs(3600));
        for i in 0..(MAX_ENTRIES + 100) {
            cache.put_token(cache.ticket(), &format!("h{i}"), token());
        }
        let held = cache
            .tokens
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .len();
        assert_eq!(held, MAX_ENTRIES);
        // What is held is still served.
        assert!(cache.token("h0").is_some());
    }

    #[test]
    fn when_the_database_cannot_be_read_an_expired_entry_still_answers() {
        let cache = ReadCache::default();
        // Read two seconds ago, with a one-second TTL.
        cache
            .tokens
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(
                "h".to_owned(),
                Entry {
                    value: token(),
                    loaded: Instant::now()
                        .checked_sub(Duration::from_secs(2))
                        .expect("the clock is past two seconds"),
                },
            );
        assert!(cache.token("h").is_none(), "expired for normal reads");
        let down = || Err(StoreError::Database(sqlx::Error::PoolTimedOut));
        assert!(cache.token_or_stale("h", down()).unwrap().is_some());
        assert!(cache.token_or_stale("other", down()).is_err());
        // A change notified empties it: nothing stale is left to answer.
        cache.invalidate_tokens();
        assert!(cache.token_or_stale("h", down()).is_err());
    }

    #[test]
    fn a_zero_ttl_keeps_nothing() {
        let cache = ReadCache::default();
        cache.set_ttl(Duration::ZERO);
        cache.put_token(cache.ticket(), "h", token());
        assert!(cache.token("h").is_none());
    }
}
