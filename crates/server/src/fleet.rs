//! Several replicas on one PostgreSQL database, acting as one.
//!
//! * **One fetch per fleet.** A cold token is fetched by the replica that takes the
//!   configuration's lease (an advisory lock); the others wait for it to appear in the shared
//!   token cache, woken by the notification its storing sends.
//! * **One refresher.** The replica holding the refresh-leader lock refreshes tokens ahead of
//!   expiry; the others tell it when a token they serve is due, and adopt what it stores.
//!   When it stops (its connection closes), another takes the lock within a second.
//! * **Changes everywhere at once.** Every committed change to a configuration or an API token
//!   is announced; each replica drops what it holds of it (the store's read cache, the
//!   provider's entries) as the notification arrives, and everything after reconnecting.
//!
//! On SQLite a [`Fleet`] is never made: one process serves the database file.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use chrono::{DateTime, Utc};
use futures::future::BoxFuture;
use imsbridge_domain::{ConfigId, Revision, SecretString};
use imsbridge_ims::{AccessToken, FetchLease, Lease, SharedTokenCache, TokenProvider};
use imsbridge_store::{Change, FleetLock, Store};
use tokio::sync::broadcast;

/// The advisory lock key of the refresh leader ("imsbridg" + 2 as an integer).
pub const REFRESH_LEADER_LOCK: i64 = 0x696d_7362_7269_6402;

/// How often a replica tries to become the refresher, and the leader checks that it still is.
const ELECTION_INTERVAL: Duration = Duration::from_secs(1);

/// The gauge that says whether this replica is the refresher (1) or not (0).
pub const REFRESHER_GAUGE: &str = "imsbridge_fleet_refresher";

/// This replica's part in the fleet: the shared token cache with its lease and wake-ups,
/// and whether it is the refresher.
#[derive(Debug)]
pub struct Fleet {
    store: Store,
    refresher: AtomicBool,
    listening: AtomicBool,
    stored: broadcast::Sender<(ConfigId, Revision)>,
}

impl Fleet {
    /// A fleet member on `store` (PostgreSQL). Nothing runs until [`Fleet::start`]: until
    /// then it shares tokens and leases but waits without wake-ups and refreshes like a
    /// single process.
    pub fn new(store: Store) -> Arc<Self> {
        Arc::new(Self {
            store,
            refresher: AtomicBool::new(false),
            listening: AtomicBool::new(false),
            stored: broadcast::channel(256).0,
        })
    }

    /// Whether this replica is the refresher now.
    pub fn is_refresher(&self) -> bool {
        self.refresher.load(Ordering::Acquire)
    }

    /// Starts listening for changes (feeding `provider`) and standing for election; both run
    /// until the returned tasks are aborted (dropping [`FleetTasks`] aborts them).
    pub fn start(self: &Arc<Self>, provider: TokenProvider) -> FleetTasks {
        let listener = tokio::spawn(Arc::clone(self).listen(provider));
        let election = tokio::spawn(Arc::clone(self).elect());
        FleetTasks(vec![listener, election])
    }

    async fn listen(self: Arc<Self>, provider: TokenProvider) {
        let mut listener = loop {
            match self.store.listen_for_changes().await {
                Ok(Some(listener)) => break listener,
                Ok(None) => return,
                Err(e) => {
                    tracing::warn!(error = %e, "cannot listen for changes yet; trying again");
                    tokio::time::sleep(ELECTION_INTERVAL).await;
                }
            }
        };
        self.listening.store(true, Ordering::Release);
        loop {
            let change = listener.next().await;
            tracing::debug!(?change, "change notified");
            match change {
                Change::Config { id, revision } => provider.retire_before(id, revision),
                Change::ApiTokens => {}
                Change::Token { id, revision } => {
                    let _ = self.stored.send((id, revision));
                    provider.adopt_shared(id, revision);
                }
                Change::RefreshDue {
                    id,
                    revision,
                    expires_at,
                } => {
                    if self.is_refresher() {
                        self.refresh_for_other(&provider, id, revision, expires_at);
                    }
                }
                Change::Reconnected => provider.retire_all(),
            }
        }
    }

    /// Refreshes a token another replica found due, reading its configuration first.
    fn refresh_for_other(
        &self,
        provider: &TokenProvider,
        id: ConfigId,
        revision: Revision,
        expires_at: DateTime<Utc>,
    ) {
        let store = self.store.clone();
        let provider = provider.clone();
        tokio::spawn(async move {
            match store.get_config_by_id(id).await {
                Ok(Some(config)) if config.revision == revision => {
                    provider.refresh_due(&config, expires_at);
                }
                Ok(_) => {}
                Err(e) => {
                    tracing::warn!(error = %e, config = %id, "could not read a configuration due for refresh");
                }
            }
        });
    }

    async fn elect(self: Arc<Self>) {
        metrics::describe_gauge!(
            REFRESHER_GAUGE,
            "1 on the replica that refreshes tokens ahead of expiry for the fleet, else 0"
        );
        let gauge = metrics::gauge!(REFRESHER_GAUGE);
        gauge.set(0.0);
        let mut held: Option<FleetLock> = None;
        let mut ticker = tokio::time::interval(ELECTION_INTERVAL);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticker.tick().await;
            if let Some(lock) = held.as_mut() {
                if lock.is_held().await {
                    continue;
                }
                tracing::warn!("lost the refresh-leader lock (database connection gone)");
                held = None;
                self.refresher.store(false, Ordering::Release);
                gauge.set(0.0);
                continue;
            }
            match self.store.try_fleet_lock(REFRESH_LEADER_LOCK).await {
                Ok(Some(lock)) => {
                    tracing::info!(
                        "this replica now refreshes tokens ahead of expiry for the fleet"
                    );
                    held = Some(lock);
                    self.refresher.store(true, Ordering::Release);
                    gauge.set(1.0);
                }
                Ok(None) => {}
                Err(e) => {
                    tracing::debug!(error = %e, "refresh-leader election: database unreachable");
                }
            }
        }
    }
}

/// The fleet's background tasks; dropping this stops them.
#[derive(Debug)]
pub struct FleetTasks(Vec<tokio::task::JoinHandle<()>>);

impl Drop for FleetTasks {
    fn drop(&mut self) {
        for task in &self.0 {
            task.abort();
        }
    }
}

/// A held token-fetch lease.
struct StoreLease(FleetLock);

impl FetchLease for StoreLease {
    fn release(self: Box<Self>) -> BoxFuture<'static, ()> {
        Box::pin(self.0.release())
    }
}

impl SharedTokenCache for Fleet {
    fn load(
        &self,
        id: ConfigId,
        revision: Revision,
    ) -> BoxFuture<'_, Option<(SecretString, DateTime<Utc>)>> {
        Box::pin(async move {
            match self.store.get_cached_token(id, revision).await {
                Ok(found) => found,
                Err(e) => {
                    // The cache is an optimisation: on failure IMS is asked instead.
                    tracing::warn!(error = %e, config = %id, "could not read the shared token cache");
                    None
                }
            }
        })
    }

    fn save<'a>(
        &'a self,
        id: ConfigId,
        revision: Revision,
        token: &'a AccessToken,
    ) -> BoxFuture<'a, ()> {
        Box::pin(async move {
            if let Err(e) = self
                .store
                .put_cached_token(
                    id,
                    revision,
                    token.token.as_secret_string(),
                    token.expires_at,
                )
                .await
            {
                tracing::warn!(error = %e, config = %id, "could not write the shared token cache");
            }
        })
    }

    fn try_lease(&self, id: ConfigId) -> BoxFuture<'_, Lease> {
        Box::pin(async move {
            match self.store.try_token_lease(id).await {
                Ok(Some(lock)) => Lease::Granted(Box::new(StoreLease(lock))),
                Ok(None) => Lease::Taken,
                Err(e) => {
                    tracing::warn!(error = %e, config = %id, "cannot take the token lease; fetching without it");
                    Lease::Unavailable
                }
            }
        })
    }

    fn wait_for_token(
        &self,
        id: ConfigId,
        revision: Revision,
        wait: Duration,
    ) -> BoxFuture<'_, ()> {
        let mut stored = self.stored.subscribe();
        let listening = self.listening.load(Ordering::Acquire);
        Box::pin(async move {
            if !listening {
                tokio::time::sleep(wait).await;
                return;
            }
            let _ = tokio::time::timeout(wait, async {
                loop {
                    match stored.recv().await {
                        Ok(event) if event == (id, revision) => return,
                        Ok(_) => {}
                        // Missed some: the one awaited may be among them.
                        Err(broadcast::error::RecvError::Lagged(_)) => return,
                        Err(broadcast::error::RecvError::Closed) => {
                            std::future::pending::<()>().await;
                        }
                    }
                }
            })
            .await;
        })
    }

    fn refreshes(&self) -> bool {
        self.is_refresher()
    }

    fn refresh_due(
        &self,
        id: ConfigId,
        revision: Revision,
        expires_at: DateTime<Utc>,
    ) -> BoxFuture<'_, ()> {
        Box::pin(async move {
            if let Err(e) = self
                .store
                .announce_refresh_due(id, revision, expires_at)
                .await
            {
                tracing::debug!(error = %e, config = %id, "could not tell the refresher a token is due");
            }
        })
    }
}
