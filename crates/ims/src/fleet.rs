//! The provider as one replica of a fleet sharing a token cache (see [`SharedTokenCache`]):
//! a cold token is fetched under the fleet's lease by one replica while the others wait for
//! it to appear in the shared cache; only the elected refresher refreshes ahead of expiry,
//! and the others adopt its tokens when told one was stored.

use std::sync::atomic::Ordering;
use std::sync::{Arc, PoisonError};
use std::time::Duration;

use chrono::{DateTime, Utc};
use imsbridge_domain::{ConfigId, IntegrationConfig, Revision};

use crate::entry::{Entry, key};
use crate::error::TokenError;
use crate::flight::{Deadline, Fetched, Kind, Verdict};
use crate::provider::{Inner, TokenProvider, millis};
use crate::shared::{Lease, SharedTokenCache};
use crate::token::{AccessToken, SharedSecret};

/// The longest a replica waits for another's fetch before it looks at the lease again: a
/// holder that died has released it by then (its connection closed), and a notification
/// missed in a race costs no more than this.
const LEASE_RECHECK: Duration = Duration::from_millis(500);

impl Inner {
    /// A token from the replicas' shared cache when the flight's kind may use it, else from
    /// IMS, fetched by one replica of the fleet at a time.
    pub(crate) async fn obtain(
        &self,
        config: &IntegrationConfig,
        verdict: &Verdict,
        kind: Kind,
        deadline: Deadline,
    ) -> Result<Fetched, TokenError> {
        let shared = match &self.options.shared_cache {
            Some(shared) if !matches!(kind, Kind::Forced) => Arc::clone(shared),
            _ => return self.fetch(config, verdict, deadline).await,
        };
        loop {
            // Made (and so subscribed) before the shared cache is read: a token stored at any
            // point after that look wakes the wait below.
            let stored = shared.wait_for_token(
                config.id,
                config.revision,
                deadline.remaining().min(LEASE_RECHECK),
            );
            if let Some(token) = self.adoptable(&*shared, config, kind, deadline).await {
                return Ok(Fetched {
                    token,
                    fresh: false,
                });
            }
            let lease = tokio::time::timeout_at(deadline.at(), shared.try_lease(config.id))
                .await
                .map_err(|_| verdict.for_caller(deadline, &endpoint(config)))?;
            match lease {
                Lease::Granted(lease) => {
                    // Another replica may have stored the token between the look above and
                    // the lease.
                    let result = match self.adoptable(&*shared, config, kind, deadline).await {
                        Some(token) => Ok(Fetched {
                            token,
                            fresh: false,
                        }),
                        None => {
                            self.fetch_and_share(&*shared, config, verdict, deadline)
                                .await
                        }
                    };
                    lease.release().await;
                    return result;
                }
                Lease::Unavailable => {
                    return self
                        .fetch_and_share(&*shared, config, verdict, deadline)
                        .await;
                }
                Lease::Taken => {
                    if deadline.remaining().is_zero() {
                        return Err(verdict.for_caller(deadline, &endpoint(config)));
                    }
                    stored.await;
                }
            }
        }
    }

    async fn fetch(
        &self,
        config: &IntegrationConfig,
        verdict: &Verdict,
        deadline: Deadline,
    ) -> Result<Fetched, TokenError> {
        let token = self
            .acquire(
                &config.authorization_server,
                &config.credentials,
                config.name.as_str(),
                deadline,
                verdict,
            )
            .await?;
        Ok(Fetched { token, fresh: true })
    }

    /// Fetches from IMS and stores the token in the shared cache before the lease goes, so
    /// that whoever takes the lease next finds it.
    async fn fetch_and_share(
        &self,
        shared: &dyn SharedTokenCache,
        config: &IntegrationConfig,
        verdict: &Verdict,
        deadline: Deadline,
    ) -> Result<Fetched, TokenError> {
        let fetched = self.fetch(config, verdict, deadline).await?;
        shared
            .save(config.id, config.revision, &fetched.token)
            .await;
        Ok(fetched)
    }

    /// The shared cache's token of `config`'s revision, if the flight's kind may use it.
    async fn adoptable(
        &self,
        shared: &dyn SharedTokenCache,
        config: &IntegrationConfig,
        kind: Kind,
        deadline: Deadline,
    ) -> Option<AccessToken> {
        let (secret, expires_at) =
            tokio::time::timeout_at(deadline.at(), shared.load(config.id, config.revision))
                .await
                .ok()??;
        let now = self.clock.now();
        // The store keeps no issue time; counting from now makes the refresh come at about
        // half of what is left.
        let token = AccessToken {
            token: SharedSecret::new(secret),
            token_type: "bearer".into(),
            expires_at,
            issued_at: now.min(expires_at),
        };
        let usable = match kind {
            Kind::Caller { min } => token.is_valid_for(now, min),
            Kind::Refresh { current_expiry } => {
                current_expiry.is_none_or(|e| token.expires_at > e)
                    && self.refresh_at(&token) > now.timestamp_millis()
            }
            Kind::Forced => false,
        };
        usable.then_some(token)
    }

    /// A token in use is due for refresh: refresh it if this replica is the refresher,
    /// otherwise tell the refresher and look again after a while.
    pub(crate) fn due(self: &Arc<Self>, entry: &Arc<Entry>, config: &IntegrationConfig) {
        let shared = self.options.shared_cache.clone();
        let Some(shared) = shared.filter(|s| !s.refreshes()) else {
            self.start_refresh(Arc::clone(entry), config.clone());
            return;
        };
        let now = self.clock.now();
        let Some(current) = entry.current() else {
            entry.refreshing.store(false, Ordering::Release);
            return;
        };
        let left = millis(current.expires_in(now));
        let again = now.timestamp_millis() + (left / 4).max(1000);
        entry.refresh_at_ms.store(again, Ordering::Release);
        entry.refreshing.store(false, Ordering::Release);
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            let (id, revision) = (config.id, config.revision);
            runtime.spawn(async move {
                shared.refresh_due(id, revision, current.expires_at).await;
            });
        }
    }
}

fn endpoint(config: &IntegrationConfig) -> String {
    crate::client::endpoint(&config.authorization_server, &config.credentials)
}

impl TokenProvider {
    /// Another replica stored a token of configuration `id` at `revision` in the shared
    /// cache: take it, if it outlives the one held (in the background; nothing without a
    /// shared cache or a cache entry for that revision).
    pub fn adopt_shared(&self, id: ConfigId, revision: Revision) {
        let inner = &self.inner;
        let Some(shared) = inner.options.shared_cache.clone() else {
            return;
        };
        let Some(entry) = inner.lookup(id).filter(|e| e.revision == revision) else {
            return;
        };
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let inner = Arc::clone(inner);
        runtime.spawn(async move {
            let Some((secret, expires_at)) = shared.load(id, revision).await else {
                return;
            };
            if entry
                .current()
                .is_some_and(|held| held.expires_at >= expires_at)
            {
                return;
            }
            let now = inner.clock.now();
            let token = AccessToken {
                token: SharedSecret::new(secret),
                token_type: "bearer".into(),
                expires_at,
                issued_at: now.min(expires_at),
            };
            entry.store(&token);
            entry
                .refresh_at_ms
                .store(inner.refresh_at(&token), Ordering::Release);
            entry.set_permanent_failure(None);
            entry.observe(&token, now);
        });
    }

    /// Another replica found `config`'s token (expiring at `expires_at`) due: if this
    /// replica is the refresher, refresh it unless a newer one is already held or coming.
    pub fn refresh_due(&self, config: &IntegrationConfig, expires_at: DateTime<Utc>) {
        let inner = &self.inner;
        if inner
            .options
            .shared_cache
            .as_ref()
            .is_some_and(|s| !s.refreshes())
        {
            return;
        }
        let Ok(entry) = inner.entry(config) else {
            return;
        };
        if entry.current().is_some_and(|t| t.expires_at > expires_at) {
            return;
        }
        if !entry.refreshing.swap(true, Ordering::AcqRel) {
            inner.start_refresh_past(entry, config.clone(), Some(expires_at));
        }
    }

    /// A configuration changed to `revision` (or was deleted: `None`): drop the cache entry
    /// of any older revision.
    pub fn retire_before(&self, id: ConfigId, revision: Option<Revision>) {
        let k = key(id);
        let mut map = self
            .inner
            .shard(k)
            .write()
            .unwrap_or_else(PoisonError::into_inner);
        if map
            .get(&k)
            .is_some_and(|e| revision.is_none_or(|r| e.revision < r))
            && let Some(entry) = map.remove(&k)
        {
            self.inner.retire_entry(&entry);
        }
    }

    /// Drops every cache entry (after missing notifications: anything may have changed).
    pub fn retire_all(&self) {
        for shard in self.inner.shards() {
            let drained: Vec<Arc<Entry>> = shard
                .write()
                .unwrap_or_else(PoisonError::into_inner)
                .drain()
                .map(|(_, e)| e)
                .collect();
            for entry in drained {
                self.inner.retire_entry(&entry);
            }
        }
    }

    /// Whether this provider refreshes tokens ahead of expiry now (always without a shared
    /// cache; on a fleet, only the elected refresher).
    pub fn is_refresher(&self) -> bool {
        self.inner
            .options
            .shared_cache
            .as_ref()
            .is_none_or(|s| s.refreshes())
    }
}
