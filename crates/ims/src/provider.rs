//! The token cache in front of IMS: per configuration revision, refreshed ahead of expiry,
//! one upstream request per token at a time, retries and a breaker per server.

use std::collections::HashMap;
use std::fmt;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use imsbridge_domain::{
    AuthorizationServer, Clock, ConfigId, Credentials, Health, IntegrationConfig, OAuthCredentials,
    Revision,
};
use rand::Rng;

use crate::breaker::{BreakerPolicy, Breakers};
use crate::client::ImsClient;
use crate::error::{ImsError, TokenError};
use crate::metrics::{self as m, ConfigMetrics};
use crate::retry::{RetryPolicy, Sleeper, TokioSleeper};
use crate::shared::SharedTokenCache;
use crate::token::{AccessToken, Grant, SharedSecret, TokenRequest};

/// How the provider caches, refreshes and retries.
#[derive(Clone, Debug)]
pub struct ProviderOptions {
    /// Never hand out a token with less validity left than this, whatever the caller asks.
    pub min_validity: Duration,
    /// Refresh a token in use once this share of its lifetime has passed (0.5 = half-life).
    pub refresh_ratio: f64,
    /// Random spread around `refresh_ratio`, as a share of the lifetime, so that tokens
    /// issued together are not all refreshed at the same instant.
    pub refresh_jitter: f64,
    /// Refresh no later than this long before expiry, whatever the ratio says.
    pub refresh_floor: Duration,
    /// After a failed background refresh, wait this long before the next one.
    pub refresh_retry_delay: Duration,
    /// Retries of transient failures.
    pub retry: RetryPolicy,
    /// The circuit breaker per authorization server.
    pub breaker: BreakerPolicy,
    /// Who waits between retries (tests inject one that does not sleep).
    pub sleeper: Arc<dyn Sleeper>,
    /// Tokens shared with other replicas; `None` for a single process.
    pub shared_cache: Option<Arc<dyn SharedTokenCache>>,
}

impl Default for ProviderOptions {
    fn default() -> Self {
        Self {
            min_validity: Duration::from_secs(60),
            refresh_ratio: 0.5,
            refresh_jitter: 0.05,
            refresh_floor: Duration::from_secs(5 * 60),
            refresh_retry_delay: Duration::from_secs(15),
            retry: RetryPolicy::default(),
            breaker: BreakerPolicy::default(),
            sleeper: Arc::new(TokioSleeper),
            shared_cache: None,
        }
    }
}

/// Counters since the provider was made.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ProviderStats {
    /// Calls to [`TokenProvider::token`].
    pub requests: u64,
    /// Of those, answered from the cache without waiting.
    pub cache_hits: u64,
    /// Requests sent to IMS (retries, refreshes, health checks and verifications included).
    pub upstream_requests: u64,
    /// Of those, the ones that failed.
    pub upstream_failures: u64,
    /// Background refreshes started.
    pub background_refreshes: u64,
    /// Configurations with a cache entry.
    pub cached_configs: usize,
    /// Authorization servers whose breaker is open now.
    pub open_circuits: usize,
}

/// Serves IMS access tokens for integration configurations; clones share one cache.
///
/// The caller passes the configuration (loaded from its store); tokens are cached per
/// (configuration id, revision), so an edit or a migration retires the old token at once.
#[derive(Clone)]
pub struct TokenProvider {
    inner: Arc<Inner>,
}

impl fmt::Debug for TokenProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenProvider")
            .field("stats", &self.stats())
            .finish_non_exhaustive()
    }
}

/// Shards of the cache map; a power of two so the shard is a mask of the id's random bits.
const SHARDS: usize = 16;

type Shard = RwLock<HashMap<u128, Arc<Entry>, BuildHasherDefault<IdHasher>>>;

struct Inner {
    http: ImsClient,
    clock: Arc<dyn Clock>,
    options: ProviderOptions,
    shards: Box<[Shard]>,
    breakers: Breakers,
    misses: AtomicU64,
    /// Hits of entries already dropped, so that stats survive retirement.
    retired_hits: AtomicU64,
    upstream_requests: AtomicU64,
    upstream_failures: AtomicU64,
    refreshes: AtomicU64,
}

/// The cache slot of one configuration revision.
struct Entry {
    revision: Revision,
    token: RwLock<Option<AccessToken>>,
    /// When the background refresh is due, in Unix milliseconds (`i64::MAX`: never).
    refresh_at_ms: AtomicI64,
    refreshing: AtomicBool,
    /// Held for the whole of an upstream acquisition: this is the single flight.
    flight: tokio::sync::Mutex<()>,
    /// Bumped when an acquisition ends, so callers queued behind it share its outcome.
    flights: AtomicU64,
    last_failure: Mutex<Option<TokenError>>,
    retired: AtomicBool,
    hits: AtomicU64,
    metrics: ConfigMetrics,
}

impl Entry {
    fn new(revision: Revision, name: &str) -> Self {
        Self {
            revision,
            token: RwLock::new(None),
            refresh_at_ms: AtomicI64::new(i64::MAX),
            refreshing: AtomicBool::new(false),
            flight: tokio::sync::Mutex::new(()),
            flights: AtomicU64::new(0),
            last_failure: Mutex::new(None),
            retired: AtomicBool::new(false),
            hits: AtomicU64::new(0),
            metrics: ConfigMetrics::new(name),
        }
    }

    fn valid(&self, now: DateTime<Utc>, min: Duration) -> Option<AccessToken> {
        let slot = self.token.read().unwrap_or_else(PoisonError::into_inner);
        slot.as_ref().filter(|t| t.is_valid_for(now, min)).cloned()
    }

    fn current(&self) -> Option<AccessToken> {
        self.token
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn last_failure(&self) -> Option<TokenError> {
        self.last_failure
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn set_last_failure(&self, failure: Option<TokenError>) {
        *self
            .last_failure
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = failure;
    }

    fn observe(&self, token: &AccessToken, now: DateTime<Utc>) {
        self.metrics.age.set(token.age(now).as_secs_f64());
        self.metrics
            .remaining
            .set(token.expires_in(now).as_secs_f64());
    }
}

/// Hashes the 128-bit configuration id: a UUIDv7's low bits are random already, so a
/// multiply-fold is enough and far cheaper than SipHash on the hot path.
#[derive(Default)]
struct IdHasher(u64);

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

fn key(id: ConfigId) -> u128 {
    id.as_uuid().as_u128()
}

fn millis(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

impl TokenProvider {
    /// A provider fetching through `http`, reading time from `clock`.
    pub fn new(http: ImsClient, clock: Arc<dyn Clock>, options: ProviderOptions) -> Self {
        let shards = (0..SHARDS).map(|_| Shard::default()).collect();
        Self {
            inner: Arc::new(Inner {
                http,
                clock,
                breakers: Breakers::new(options.breaker.clone()),
                options,
                shards,
                misses: AtomicU64::new(0),
                retired_hits: AtomicU64::new(0),
                upstream_requests: AtomicU64::new(0),
                upstream_failures: AtomicU64::new(0),
                refreshes: AtomicU64::new(0),
            }),
        }
    }

    /// An access token for `config`, from the cache when one is valid long enough.
    ///
    /// Concurrent callers for a missing or expired token share one upstream request.
    /// A permanent error means the configuration is wrong: mark it unhealthy.
    pub async fn token(
        &self,
        config: &IntegrationConfig,
        request: TokenRequest,
    ) -> Result<AccessToken, TokenError> {
        let min = request.min_validity.max(self.inner.options.min_validity);
        if !request.force_refresh
            && let Some(token) = self.inner.cached(config, min)
        {
            return Ok(token);
        }
        self.inner.misses.fetch_add(1, Ordering::Relaxed);
        let entry = self.inner.entry(config)?;
        entry.metrics.requests.increment(1);
        self.inner
            .fill(&entry, config, min, request.force_refresh)
            .await
    }

    /// Checks `config` by fetching a token now, bypassing the cache, retries and breaker.
    ///
    /// Healthy, or IMS's reason, error code and debug id.
    pub async fn check_health(&self, config: &IntegrationConfig) -> Health {
        let server = &config.authorization_server;
        let result = self
            .inner
            .request_once(server, &config.credentials, config.name.as_str())
            .await;
        let now = self.inner.clock.now();
        match result {
            Ok(_) => {
                self.inner.breakers.record_reachable(server.as_str());
                Health::healthy(now)
            }
            Err(error) => {
                self.inner.record_outcome(server, &error);
                TokenError::Upstream { error, attempts: 1 }.to_health(now)
            }
        }
    }

    /// Fetches one token for OAuth details not yet saved (migration's verification).
    /// Retries transient failures; caches nothing.
    pub async fn verify(
        &self,
        server: &AuthorizationServer,
        oauth: &OAuthCredentials,
    ) -> Result<AccessToken, TokenError> {
        let creds = Credentials::OAuth(oauth.clone());
        self.inner.acquire(server, &creds, "(verify)").await
    }

    /// Drops every cached token of configuration `id` (after an edit, migration or delete).
    pub fn retire(&self, id: ConfigId) {
        let k = key(id);
        let removed = self
            .inner
            .shard(k)
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&k);
        if let Some(entry) = removed {
            self.inner.retire_entry(&entry);
        }
    }

    /// Counters since the provider was made.
    pub fn stats(&self) -> ProviderStats {
        let inner = &self.inner;
        let mut hits = inner.retired_hits.load(Ordering::Relaxed);
        let mut cached_configs = 0;
        for shard in &inner.shards {
            let shard = shard.read().unwrap_or_else(PoisonError::into_inner);
            cached_configs += shard.len();
            hits += shard
                .values()
                .map(|e| e.hits.load(Ordering::Relaxed))
                .sum::<u64>();
        }
        ProviderStats {
            requests: hits + inner.misses.load(Ordering::Relaxed),
            cache_hits: hits,
            upstream_requests: inner.upstream_requests.load(Ordering::Relaxed),
            upstream_failures: inner.upstream_failures.load(Ordering::Relaxed),
            background_refreshes: inner.refreshes.load(Ordering::Relaxed),
            cached_configs,
            open_circuits: inner.breakers.open_count(),
        }
    }
}

impl Inner {
    fn shard(&self, key: u128) -> &Shard {
        &self.shards[(key as usize) & (SHARDS - 1)]
    }

    /// The hot path: a read lock, a clone and a few relaxed atomics; never waits on I/O.
    fn cached(self: &Arc<Self>, config: &IntegrationConfig, min: Duration) -> Option<AccessToken> {
        let k = key(config.id);
        let shard = self.shard(k).read().unwrap_or_else(PoisonError::into_inner);
        let entry = shard.get(&k)?;
        if entry.revision != config.revision {
            return None;
        }
        let now = self.clock.now();
        let token = entry.valid(now, min)?;
        entry.hits.fetch_add(1, Ordering::Relaxed);
        entry.metrics.requests.increment(1);
        entry.metrics.hits.increment(1);
        entry.observe(&token, now);
        // Refresh-ahead only for tokens in use: the call that finds the token due starts it.
        if now.timestamp_millis() >= entry.refresh_at_ms.load(Ordering::Acquire)
            && !entry.refreshing.load(Ordering::Relaxed)
            && !entry.refreshing.swap(true, Ordering::AcqRel)
        {
            self.spawn_refresh(Arc::clone(entry), config.clone());
        }
        Some(token)
    }

    /// The cache entry of `config`'s revision, made if missing; a newer revision replaces
    /// (retires) the entry of an older one.
    fn entry(&self, config: &IntegrationConfig) -> Result<Arc<Entry>, TokenError> {
        let k = key(config.id);
        let check = |existing: &Arc<Entry>| -> Option<Result<Arc<Entry>, TokenError>> {
            match existing.revision.cmp(&config.revision) {
                std::cmp::Ordering::Equal => Some(Ok(Arc::clone(existing))),
                std::cmp::Ordering::Greater => Some(Err(TokenError::StaleRevision {
                    requested: config.revision,
                    current: existing.revision,
                })),
                std::cmp::Ordering::Less => None,
            }
        };
        let shard = self.shard(k);
        if let Some(found) = shard
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&k)
            .and_then(check)
        {
            return found;
        }
        let mut map = shard.write().unwrap_or_else(PoisonError::into_inner);
        if let Some(found) = map.get(&k).and_then(check) {
            return found;
        }
        let entry = Arc::new(Entry::new(config.revision, config.name.as_str()));
        if let Some(old) = map.insert(k, Arc::clone(&entry)) {
            self.retire_entry(&old);
        }
        Ok(entry)
    }

    fn retire_entry(&self, entry: &Entry) {
        entry.retired.store(true, Ordering::Release);
        self.retired_hits
            .fetch_add(entry.hits.load(Ordering::Relaxed), Ordering::Relaxed);
        entry.metrics.remaining.set(0.0);
    }

    /// The slow path: waits for the entry's single flight, then reuses what it produced or
    /// becomes the flight itself.
    async fn fill(
        &self,
        entry: &Entry,
        config: &IntegrationConfig,
        min: Duration,
        force: bool,
    ) -> Result<AccessToken, TokenError> {
        let seen = entry.flights.load(Ordering::Acquire);
        let _flight = entry.flight.lock().await;
        let now = self.clock.now();
        if !force && let Some(token) = entry.valid(now, min) {
            return Ok(token);
        }
        if entry.flights.load(Ordering::Acquire) != seen {
            // An acquisition finished while this caller queued; repeating it would multiply
            // upstream requests (and, during an outage, the load on a failing IMS).
            if let Some(failure) = entry.last_failure() {
                return Err(failure);
            }
            if let Some(token) = entry.current() {
                return check_validity(token, now, min);
            }
        }
        // A forced refresh distrusts every cached copy, the shared one included.
        let result = self
            .obtain(config, |t, now| !force && t.is_valid_for(now, min))
            .await;
        self.settle(entry, &result);
        check_validity(result?, self.clock.now(), min)
    }

    /// A token from the replicas' shared cache when `usable` accepts it, else from IMS
    /// (and then offered to the other replicas).
    async fn obtain(
        &self,
        config: &IntegrationConfig,
        usable: impl Fn(&AccessToken, DateTime<Utc>) -> bool,
    ) -> Result<AccessToken, TokenError> {
        let Some(shared) = &self.options.shared_cache else {
            return self
                .acquire(
                    &config.authorization_server,
                    &config.credentials,
                    config.name.as_str(),
                )
                .await;
        };
        if let Some((secret, expires_at)) = shared.load(config.id, config.revision).await {
            let now = self.clock.now();
            // The store keeps no issue time; counting from now makes the refresh come at
            // about half of what is left, when another replica has likely renewed it.
            let token = AccessToken {
                token: SharedSecret::new(secret),
                token_type: "bearer".into(),
                expires_at,
                issued_at: now.min(expires_at),
            };
            if usable(&token, now) {
                return Ok(token);
            }
        }
        let result = self
            .acquire(
                &config.authorization_server,
                &config.credentials,
                config.name.as_str(),
            )
            .await;
        if let Ok(token) = &result {
            shared.save(config.id, config.revision, token).await;
        }
        result
    }

    /// Records the outcome of an acquisition in the entry and releases queued callers.
    fn settle(&self, entry: &Entry, result: &Result<AccessToken, TokenError>) {
        match result {
            Ok(token) => {
                let refresh_at = self.refresh_at(token);
                *entry.token.write().unwrap_or_else(PoisonError::into_inner) = Some(token.clone());
                entry.refresh_at_ms.store(refresh_at, Ordering::Release);
                entry.set_last_failure(None);
                entry.observe(token, token.issued_at);
            }
            Err(error) => entry.set_last_failure(Some(error.clone())),
        }
        entry.flights.fetch_add(1, Ordering::AcqRel);
    }

    /// When a fresh token should be refreshed: around `refresh_ratio` of its lifetime (with
    /// jitter), but never later than the safety floor before expiry.
    fn refresh_at(&self, token: &AccessToken) -> i64 {
        let o = &self.options;
        let issued = token.issued_at.timestamp_millis();
        let expires = token.expires_at.timestamp_millis();
        let lifetime = (expires - issued).max(0) as f64;
        let jitter = o.refresh_jitter.abs();
        let share =
            (o.refresh_ratio + rand::thread_rng().gen_range(-jitter..=jitter)).clamp(0.0, 1.0);
        let ahead = issued + (lifetime * share) as i64;
        // The floor is at least the minimum validity, or the refresh would come after the
        // token had already stopped being served.
        let latest = expires - millis(o.refresh_floor.max(o.min_validity));
        ahead.min(latest).max(issued)
    }

    fn spawn_refresh(self: &Arc<Self>, entry: Arc<Entry>, config: IntegrationConfig) {
        // Without a tokio runtime there is nothing to refresh on; the next miss will fetch.
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            entry.refreshing.store(false, Ordering::Release);
            return;
        };
        self.refreshes.fetch_add(1, Ordering::Relaxed);
        metrics::counter!(m::REFRESHES, "config" => config.name.to_string()).increment(1);
        let inner = Arc::clone(self);
        runtime.spawn(async move {
            let seen = entry.flights.load(Ordering::Acquire);
            let flight = entry.flight.lock().await;
            // A foreground acquisition may have renewed the token meanwhile.
            if entry.flights.load(Ordering::Acquire) == seen && !entry.retired.load(Ordering::Acquire) {
                let current_expiry = entry.current().map(|t| t.expires_at);
                // Another replica may have renewed it already: take a shared token that
                // outlives ours and is not itself due for refresh.
                let result = inner
                    .obtain(&config, |t, now| {
                        current_expiry.is_none_or(|e| t.expires_at > e)
                            && inner.refresh_at(t) > now.timestamp_millis()
                    })
                    .await;
                if let Err(error) = &result {
                    // The current token stays in service; try again after a pause.
                    tracing::warn!(config = %config.name, error = %error, "background token refresh failed; serving the current token");
                    let retry_at = inner.clock.now().timestamp_millis()
                        + millis(inner.options.refresh_retry_delay);
                    entry.refresh_at_ms.store(retry_at, Ordering::Release);
                }
                inner.settle(&entry, &result);
            }
            drop(flight);
            entry.refreshing.store(false, Ordering::Release);
        });
    }

    /// One token, with retries for transient failures and the breaker of `server`.
    async fn acquire(
        &self,
        server: &AuthorizationServer,
        creds: &Credentials,
        config: &str,
    ) -> Result<AccessToken, TokenError> {
        let policy = &self.options.retry;
        let mut attempts = 0u32;
        loop {
            if let Err(open) = self.breakers.admit(server.as_str(), self.clock.now()) {
                metrics::counter!(m::CIRCUIT_REJECTIONS, "config" => config.to_owned())
                    .increment(1);
                return Err(open);
            }
            attempts += 1;
            let error = match self.request_once(server, creds, config).await {
                Ok(token) => {
                    self.breakers.record_reachable(server.as_str());
                    return Ok(token);
                }
                Err(error) => error,
            };
            self.record_outcome(server, &error);
            if !error.is_transient() || attempts >= policy.max_attempts.max(1) {
                return Err(TokenError::Upstream { error, attempts });
            }
            let wait = match error.retry_after() {
                // Waiting longer than the policy allows would hold every queued caller.
                Some(asked) if asked > policy.max_retry_after => {
                    return Err(TokenError::Upstream { error, attempts });
                }
                Some(asked) => asked,
                None => policy.backoff(attempts),
            };
            tracing::debug!(config, attempts, wait_ms = wait.as_millis(), error = %error, "retrying IMS token request");
            self.options.sleeper.sleep(wait).await;
        }
    }

    /// Feeds a failure to the breaker: transient ones count, answered ones prove reachability.
    fn record_outcome(&self, server: &AuthorizationServer, error: &ImsError) {
        if error.is_transient() {
            self.breakers
                .record_failure(server.as_str(), self.clock.now(), error);
        } else if error.status().is_some() {
            self.breakers.record_reachable(server.as_str());
        }
    }

    /// Exactly one request to IMS, with its metrics.
    async fn request_once(
        &self,
        server: &AuthorizationServer,
        creds: &Credentials,
        config: &str,
    ) -> Result<AccessToken, ImsError> {
        let grant = match creds {
            Credentials::OAuth(_) => Grant::ClientCredentials,
            Credentials::Jwt(_) => Grant::JwtExchange,
        };
        self.upstream_requests.fetch_add(1, Ordering::Relaxed);
        metrics::counter!(m::UPSTREAM_REQUESTS, "config" => config.to_owned(), "grant" => grant.key())
            .increment(1);
        let started = Instant::now();
        let result = self.http.fetch(server, creds, self.clock.as_ref()).await;
        let outcome = if result.is_ok() { "ok" } else { "error" };
        metrics::histogram!(m::UPSTREAM_LATENCY, "grant" => grant.key(), "outcome" => outcome)
            .record(started.elapsed().as_secs_f64());
        if let Err(error) = &result {
            self.upstream_failures.fetch_add(1, Ordering::Relaxed);
            metrics::counter!(
                m::UPSTREAM_FAILURES,
                "config" => config.to_owned(),
                "grant" => grant.key(),
                "error" => error.error_code()
            )
            .increment(1);
            tracing::info!(config, grant = grant.key(), error = %error, transient = error.is_transient(), "IMS token request failed");
        }
        result
    }
}

fn check_validity(
    token: AccessToken,
    now: DateTime<Utc>,
    min: Duration,
) -> Result<AccessToken, TokenError> {
    if token.is_valid_for(now, min) {
        Ok(token)
    } else {
        Err(TokenError::ValidityUnavailable {
            requested: min,
            available: token.expires_in(now),
        })
    }
}
