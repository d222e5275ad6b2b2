//! The cache slot of one configuration revision, and the sharded map that holds them.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64};
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::Duration;

use chrono::{DateTime, Utc};
use imsbridge_domain::{ConfigId, Revision};

use crate::error::TokenError;
use crate::flight::Flight;
use crate::metrics::ConfigMetrics;
use crate::token::AccessToken;

/// Shards of the cache map; a power of two so the shard is a mask of the id's random bits.
pub(crate) const SHARDS: usize = 16;

pub(crate) type Shard = RwLock<HashMap<u128, Arc<Entry>, BuildHasherDefault<IdHasher>>>;

/// The cache slot of one configuration revision.
pub(crate) struct Entry {
    pub(crate) revision: Revision,
    token: RwLock<Option<AccessToken>>,
    /// When the background refresh is due, in Unix milliseconds (`i64::MAX`: never).
    pub(crate) refresh_at_ms: AtomicI64,
    pub(crate) refreshing: AtomicBool,
    /// The upstream fetch in progress, if any: this is the single flight.
    pub(crate) flight: Mutex<Option<Arc<Flight>>>,
    /// A permanent failure (the configuration is wrong) and until when it is answered
    /// without asking IMS again.
    permanent: Mutex<Option<(TokenError, DateTime<Utc>)>>,
    pub(crate) retired: AtomicBool,
    pub(crate) hits: AtomicU64,
    pub(crate) metrics: ConfigMetrics,
}

impl Entry {
    pub(crate) fn new(revision: Revision, name: &str) -> Self {
        Self {
            revision,
            token: RwLock::new(None),
            refresh_at_ms: AtomicI64::new(i64::MAX),
            refreshing: AtomicBool::new(false),
            flight: Mutex::new(None),
            permanent: Mutex::new(None),
            retired: AtomicBool::new(false),
            hits: AtomicU64::new(0),
            metrics: ConfigMetrics::new(name),
        }
    }

    pub(crate) fn valid(&self, now: DateTime<Utc>, min: Duration) -> Option<AccessToken> {
        let slot = self.token.read().unwrap_or_else(PoisonError::into_inner);
        slot.as_ref().filter(|t| t.is_valid_for(now, min)).cloned()
    }

    pub(crate) fn current(&self) -> Option<AccessToken> {
        self.token
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    pub(crate) fn store(&self, token: &AccessToken) {
        *self.token.write().unwrap_or_else(PoisonError::into_inner) = Some(token.clone());
    }

    /// The in-flight fetch slot.
    pub(crate) fn flight_slot(&self) -> std::sync::MutexGuard<'_, Option<Arc<Flight>>> {
        self.flight.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The remembered permanent failure, while it is still fresh at `now`.
    pub(crate) fn permanent_failure(&self, now: DateTime<Utc>) -> Option<TokenError> {
        let slot = self
            .permanent
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        slot.as_ref()
            .filter(|(_, until)| now < *until)
            .map(|(e, _)| e.clone())
    }

    /// Remembers a permanent failure until `until`, or forgets it (`None`).
    pub(crate) fn set_permanent_failure(&self, failure: Option<(TokenError, DateTime<Utc>)>) {
        *self
            .permanent
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = failure;
    }

    pub(crate) fn observe(&self, token: &AccessToken, now: DateTime<Utc>) {
        self.metrics.age.set(token.age(now).as_secs_f64());
        self.metrics
            .remaining
            .set(token.expires_in(now).as_secs_f64());
    }
}

/// Hashes the 128-bit configuration id: a UUIDv7's low bits are random already, so a
/// multiply-fold is enough and far cheaper than SipHash on the hot path.
#[derive(Default)]
pub(crate) struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 =
                (self.0.rotate_left(5) ^ u64::from(*b)).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
        }
    }

    fn write_u128(&mut self, i: u128) {
        self.0 = ((i as u64) ^ ((i >> 64) as u64)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
}

pub(crate) fn key(id: ConfigId) -> u128 {
    id.as_uuid().as_u128()
}
