//! The token cache in front of IMS: per configuration revision, refreshed ahead of expiry,
//! one detached upstream fetch per token at a time, every caller answered within its budget,
//! throttling remembered per client and a breaker per server.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, PoisonError};
use std::time::Duration;

use imsbridge_domain::{
    AuthorizationServer, ClientId, Clock, ConfigId, Credentials, Health, IntegrationConfig,
    OAuthCredentials,
};

use crate::acquire::{VERIFY, client_id};
use crate::breaker::{BreakerPolicy, Breakers};
use crate::client::ImsClient;
use crate::entry::{Entry, SHARDS, Shard, key};
use crate::error::TokenError;
use crate::flight::{Deadline, Verdict};
use crate::gate::Admission;
use crate::retry::{RetryPolicy, Sleeper, TokioSleeper};
use crate::shared::SharedTokenCache;
use crate::throttle::{Throttles, Throttling};
use crate::token::{AccessToken, TokenRequest};

/// How the provider caches, refreshes, retries and waits.
#[derive(Clone, Debug)]
pub struct ProviderOptions {
    /// How long a caller waits at most for a token it does not have (retries, backoff and
    /// waiting for another caller's fetch included); callers may ask for less. Also bounds
    /// each upstream fetch, health check and verification.
    pub token_budget: Duration,
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
    /// How long a permanent failure (`invalid_client`, `invalid_scope`, …) of a configuration
    /// revision is answered without asking IMS again; Check Health and any edit end it sooner.
    pub permanent_error_ttl: Duration,
    /// How long to hold off a client after a 429 that names no usable `Retry-After`.
    pub default_retry_after: Duration,
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
            token_budget: Duration::from_secs(5),
            min_validity: Duration::from_secs(60),
            refresh_ratio: 0.5,
            refresh_jitter: 0.05,
            refresh_floor: Duration::from_secs(5 * 60),
            refresh_retry_delay: Duration::from_secs(15),
            permanent_error_ttl: Duration::from_secs(30),
            default_retry_after: Duration::from_secs(1),
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
    /// Clients IMS throttles now (a 429's `Retry-After` still running).
    pub throttled_clients: usize,
}

/// Serves IMS access tokens for integration configurations; clones share one cache.
///
/// The caller passes the configuration (loaded from its store); tokens are cached per
/// (configuration id, revision), so an edit or a migration retires the old token at once.
#[derive(Clone)]
pub struct TokenProvider {
    pub(crate) inner: Arc<Inner>,
}

impl fmt::Debug for TokenProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenProvider")
            .field("stats", &self.stats())
            .finish_non_exhaustive()
    }
}

pub(crate) struct Inner {
    pub(crate) http: ImsClient,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) options: ProviderOptions,
    shards: Box<[Shard]>,
    pub(crate) breakers: Breakers,
    pub(crate) throttles: Throttles,
    misses: AtomicU64,
    /// Hits of entries already dropped, so that stats survive retirement.
    retired_hits: AtomicU64,
    pub(crate) upstream_requests: AtomicU64,
    pub(crate) upstream_failures: AtomicU64,
    pub(crate) refreshes: AtomicU64,
}

pub(crate) fn millis(d: Duration) -> i64 {
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
                throttles: Throttles::new(options.default_retry_after),
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

    /// The longest a caller waits for a token ([`ProviderOptions::token_budget`]).
    pub fn token_budget(&self) -> Duration {
        self.inner.options.token_budget
    }

    /// An access token for `config`, from the cache when one is valid long enough.
    ///
    /// Concurrent callers for a missing or expired token share one upstream fetch, which
    /// runs on its own task: a caller whose budget runs out gets IMS's reason so far (a
    /// timeout if IMS has not answered yet), and the fetch goes on for the others and the
    /// cache. A permanent error means the configuration is wrong: mark it unhealthy.
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
        let budget = request
            .budget
            .map_or(self.token_budget(), |b| b.min(self.token_budget()));
        let deadline = Deadline::after(budget);
        self.inner.misses.fetch_add(1, Ordering::Relaxed);
        let entry = self.inner.entry(config)?;
        entry.metrics.requests.increment(1);
        self.inner
            .fill(&entry, config, min, request.force_refresh, deadline)
            .await
    }

    /// Checks `config` by fetching a token now, bypassing the cache, retries and breaker,
    /// within the provider's budget. While IMS throttles the client, reports that without
    /// asking IMS. Forgets a remembered permanent failure of the configuration.
    ///
    /// Healthy, or IMS's reason, error code and debug id.
    pub async fn check_health(&self, config: &IntegrationConfig) -> Health {
        let inner = &self.inner;
        inner.forget_failure(config.id);
        let server = &config.authorization_server;
        let client = client_id(&config.credentials);
        let name = config.name.as_str();
        let deadline = Deadline::after(self.token_budget());
        // A probe another caller has out is waited for; a throttle still running answers.
        let _probe = loop {
            match inner
                .throttles
                .admit(server.as_str(), client, Some(name), inner.clock.now())
            {
                Admission::Go(probe) => break probe,
                Admission::Refused(throttled) => return throttled.to_health(inner.clock.now()),
                Admission::Wait { mut outcome, .. } => {
                    if tokio::time::timeout_at(deadline.at(), outcome.changed())
                        .await
                        .is_err()
                    {
                        break None;
                    }
                }
            }
        };
        let result = inner
            .request_once(server, &config.credentials, name, deadline)
            .await;
        inner.record_outcome(server, client, name, result.as_ref().err());
        let now = inner.clock.now();
        match result {
            Ok(_) => Health::healthy(now),
            Err(error) => TokenError::Upstream { error, attempts: 1 }.to_health(now),
        }
    }

    /// Fetches one token for OAuth details not yet saved (migration's verification), within
    /// the provider's budget. Retries transient failures; caches nothing.
    pub async fn verify(
        &self,
        server: &AuthorizationServer,
        oauth: &OAuthCredentials,
    ) -> Result<AccessToken, TokenError> {
        let creds = Credentials::OAuth(oauth.clone());
        let deadline = Deadline::after(self.token_budget());
        self.inner
            .acquire(server, &creds, VERIFY, deadline, &Verdict::default())
            .await
    }

    /// A client for Adobe's I/O Management API; its tokens never enter this cache.
    pub fn io_management(&self) -> crate::IoManagementClient {
        self.inner.http.io_management()
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

    /// IMS throttling this client of `server` now (its 429's `Retry-After` still running).
    pub fn throttling(
        &self,
        server: &AuthorizationServer,
        client_id: &ClientId,
    ) -> Option<Throttling> {
        self.inner
            .throttles
            .current(server.as_str(), client_id.as_str(), self.inner.clock.now())
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
            throttled_clients: inner.throttles.count(inner.clock.now()),
        }
    }
}

impl Inner {
    pub(crate) fn shard(&self, key: u128) -> &Shard {
        &self.shards[(key as usize) & (SHARDS - 1)]
    }

    pub(crate) fn shards(&self) -> &[Shard] {
        &self.shards
    }

    /// The cache entry of configuration `id`, whatever its revision.
    pub(crate) fn lookup(&self, id: ConfigId) -> Option<Arc<Entry>> {
        let k = key(id);
        self.shard(k)
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&k)
            .cloned()
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
        // Refresh-ahead only for tokens in use: the call that finds the token due starts it
        // (or, on a replica that is not the fleet's refresher, tells the refresher).
        if now.timestamp_millis() >= entry.refresh_at_ms.load(Ordering::Acquire)
            && !entry.refreshing.load(Ordering::Relaxed)
            && !entry.refreshing.swap(true, Ordering::AcqRel)
        {
            self.due(entry, config);
        }
        Some(token)
    }

    /// The cache entry of `config`'s revision, made if missing; a newer revision replaces
    /// (retires) the entry of an older one.
    pub(crate) fn entry(&self, config: &IntegrationConfig) -> Result<Arc<Entry>, TokenError> {
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

    pub(crate) fn retire_entry(&self, entry: &Entry) {
        entry.retired.store(true, Ordering::Release);
        self.retired_hits
            .fetch_add(entry.hits.load(Ordering::Relaxed), Ordering::Relaxed);
        entry.metrics.remaining.set(0.0);
    }

    /// Forgets the remembered permanent failure of configuration `id` (Check Health).
    fn forget_failure(&self, id: ConfigId) {
        let k = key(id);
        let shard = self.shard(k).read().unwrap_or_else(PoisonError::into_inner);
        if let Some(entry) = shard.get(&k) {
            entry.set_permanent_failure(None);
        }
    }
}
