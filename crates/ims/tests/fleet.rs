//! Providers as replicas of one fleet (see `SharedTokenCache`): one fetch per fleet under a
//! lease, waiters woken when the token is stored and bounded by their budget, and refresh
//! ahead of expiry only on the elected refresher.

mod common;

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use common::{Harness, eventually, expose};
use futures::future::BoxFuture;
use imsbridge_domain::{ConfigId, Revision, SecretString};
use imsbridge_ims::{
    AccessToken, FetchLease, ImsClient, Lease, ProviderOptions, SharedTokenCache, TokenError,
    TokenProvider, TokenRequest,
};
use tokio::sync::broadcast;

/// Token and expiry by configuration id and revision number.
type TokenMap = HashMap<(ConfigId, u64), (String, DateTime<Utc>)>;

/// The database a fleet shares, in memory: tokens, leases and notifications.
#[derive(Debug)]
struct MemoryFleet {
    tokens: Mutex<TokenMap>,
    leases: Arc<Mutex<HashSet<ConfigId>>>,
    stored: broadcast::Sender<(ConfigId, u64)>,
    leases_granted: AtomicUsize,
    refresh_due: Mutex<Vec<(ConfigId, DateTime<Utc>)>>,
}

impl Default for MemoryFleet {
    fn default() -> Self {
        Self {
            tokens: Mutex::default(),
            leases: Arc::default(),
            stored: broadcast::channel(64).0,
            leases_granted: AtomicUsize::new(0),
            refresh_due: Mutex::default(),
        }
    }
}

/// One replica's view of the fleet: whether it is the refresher.
#[derive(Debug)]
struct Member {
    fleet: Arc<MemoryFleet>,
    refresher: AtomicBool,
}

struct MemoryLease(Arc<Mutex<HashSet<ConfigId>>>, ConfigId);

impl FetchLease for MemoryLease {
    fn release(self: Box<Self>) -> BoxFuture<'static, ()> {
        self.0.lock().unwrap().remove(&self.1);
        Box::pin(async {})
    }
}

impl SharedTokenCache for Member {
    fn load(
        &self,
        id: ConfigId,
        revision: Revision,
    ) -> BoxFuture<'_, Option<(SecretString, DateTime<Utc>)>> {
        let found = self
            .fleet
            .tokens
            .lock()
            .unwrap()
            .get(&(id, revision.get()))
            .cloned();
        Box::pin(async move { found.map(|(t, e)| (SecretString::from(t), e)) })
    }

    fn save<'a>(
        &'a self,
        id: ConfigId,
        revision: Revision,
        token: &'a AccessToken,
    ) -> BoxFuture<'a, ()> {
        self.fleet
            .tokens
            .lock()
            .unwrap()
            .insert((id, revision.get()), (expose(token), token.expires_at));
        let _ = self.fleet.stored.send((id, revision.get()));
        Box::pin(async {})
    }

    fn try_lease(&self, id: ConfigId) -> BoxFuture<'_, Lease> {
        let granted = self.fleet.leases.lock().unwrap().insert(id);
        Box::pin(async move {
            if granted {
                self.fleet.leases_granted.fetch_add(1, Ordering::Relaxed);
                Lease::Granted(Box::new(MemoryLease(Arc::clone(&self.fleet.leases), id)))
            } else {
                Lease::Taken
            }
        })
    }

    fn wait_for_token(
        &self,
        id: ConfigId,
        revision: Revision,
        wait: Duration,
    ) -> BoxFuture<'_, ()> {
        let mut stored = self.fleet.stored.subscribe();
        Box::pin(async move {
            let _ = tokio::time::timeout(wait, async {
                while let Ok(event) = stored.recv().await {
                    if event == (id, revision.get()) {
                        return;
                    }
                }
            })
            .await;
        })
    }

    fn refreshes(&self) -> bool {
        self.refresher.load(Ordering::Acquire)
    }

    fn refresh_due(
        &self,
        id: ConfigId,
        _revision: Revision,
        expires_at: DateTime<Utc>,
    ) -> BoxFuture<'_, ()> {
        self.fleet
            .refresh_due
            .lock()
            .unwrap()
            .push((id, expires_at));
        Box::pin(async {})
    }
}

fn member(fleet: &Arc<MemoryFleet>, refresher: bool) -> Arc<Member> {
    Arc::new(Member {
        fleet: Arc::clone(fleet),
        refresher: AtomicBool::new(refresher),
    })
}

fn replica(h: &Harness, member: Arc<Member>) -> TokenProvider {
    TokenProvider::new(
        ImsClient::with_defaults().unwrap(),
        Arc::new(h.clock.clone()),
        ProviderOptions {
            sleeper: Arc::new(h.sleeper.clone()),
            shared_cache: Some(member),
            ..ProviderOptions::default()
        },
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cold_stampede_over_three_replicas_asks_ims_once() {
    let fleet: Arc<MemoryFleet> = Arc::default();
    let first = member(&fleet, true);
    let h = Harness::with_options(|o| o.shared_cache = Some(first)).await;
    let others = [
        replica(&h, member(&fleet, false)),
        replica(&h, member(&fleet, false)),
    ];
    let replicas = [h.provider.clone(), others[0].clone(), others[1].clone()];
    let (config, cred) = h.oauth_config("target-prod");
    let calls = (0..300).map(|i| {
        let provider = replicas[i % 3].clone();
        let config = config.clone();
        tokio::spawn(async move { provider.token(&config, TokenRequest::new()).await })
    });
    let tokens: Vec<String> = futures::future::join_all(calls)
        .await
        .into_iter()
        .map(|r| expose(&r.unwrap().unwrap()))
        .collect();
    assert_eq!(h.emulator.token_requests(&cred.client_id), 1);
    assert!(tokens.iter().all(|t| *t == tokens[0]), "one token for all");
    assert_eq!(fleet.leases_granted.load(Ordering::Relaxed), 1);
    assert!(
        fleet.leases.lock().unwrap().is_empty(),
        "the lease is given back"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_waiter_for_a_holder_that_never_stores_answers_within_its_budget() {
    let fleet: Arc<MemoryFleet> = Arc::default();
    let h = Harness::with_options(|o| o.shared_cache = Some(member(&fleet, true))).await;
    let (config, cred) = h.oauth_config("target-prod");
    // Another replica holds the lease and hangs.
    fleet.leases.lock().unwrap().insert(config.id);
    let err = h
        .provider
        .token(
            &config,
            TokenRequest::new().with_budget(Duration::from_millis(300)),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, TokenError::Upstream { .. }), "{err:?}");
    assert_eq!(h.emulator.token_requests(&cred.client_id), 0);
    // The holder goes (its connection closes): the next caller fetches.
    fleet.leases.lock().unwrap().clear();
    h.provider
        .token(&config, TokenRequest::new())
        .await
        .unwrap();
    assert_eq!(h.emulator.token_requests(&cred.client_id), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_the_refresher_refreshes_and_the_others_tell_it_and_adopt_its_token() {
    let fleet: Arc<MemoryFleet> = Arc::default();
    let h = Harness::with_options(|o| o.shared_cache = Some(member(&fleet, true))).await;
    let other = replica(&h, member(&fleet, false));
    let (config, cred) = h.oauth_config("target-prod");
    let first = h
        .provider
        .token(&config, TokenRequest::new())
        .await
        .unwrap();
    assert_eq!(
        expose(&other.token(&config, TokenRequest::new()).await.unwrap()),
        expose(&first)
    );
    assert!(h.provider.is_refresher() && !other.is_refresher());

    // Past the refresh point, the other replica keeps serving its token and tells the
    // refresher instead of asking IMS.
    h.advance(first.lifetime().mul_f64(0.8));
    other.token(&config, TokenRequest::new()).await.unwrap();
    eventually("the refresher is told", || {
        !fleet.refresh_due.lock().unwrap().is_empty()
    })
    .await;
    assert_eq!(h.emulator.token_requests(&cred.client_id), 1);

    // The refresher refreshes (once) and the other replica adopts what it stored.
    h.provider.refresh_due(&config, first.expires_at);
    eventually("the refresher has refreshed", || {
        h.emulator.token_requests(&cred.client_id) == 2
    })
    .await;
    h.provider.refresh_due(&config, first.expires_at);
    // As the notification of its storing would.
    eventually("the refreshed token is stored", || {
        fleet
            .tokens
            .lock()
            .unwrap()
            .values()
            .any(|(t, _)| *t != expose(&first))
    })
    .await;
    other.adopt_shared(config.id, config.revision);
    let mut adopted = false;
    for _ in 0..500 {
        let t = other.token(&config, TokenRequest::new()).await.unwrap();
        if expose(&t) != expose(&first) {
            adopted = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    assert!(adopted, "the other replica adopted the refreshed token");
    assert_eq!(h.emulator.token_requests(&cred.client_id), 2);
    assert_eq!(other.stats().upstream_requests, 0);
    assert_eq!(other.stats().background_refreshes, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_changed_configuration_retires_only_older_revisions() {
    let fleet: Arc<MemoryFleet> = Arc::default();
    let h = Harness::with_options(|o| o.shared_cache = Some(member(&fleet, true))).await;
    let (config, _) = h.oauth_config("target-prod");
    h.provider
        .token(&config, TokenRequest::new())
        .await
        .unwrap();
    assert_eq!(h.provider.stats().cached_configs, 1);
    h.provider.retire_before(config.id, Some(config.revision));
    assert_eq!(h.provider.stats().cached_configs, 1, "same revision kept");
    h.provider
        .retire_before(config.id, Some(config.revision.next()));
    assert_eq!(
        h.provider.stats().cached_configs,
        0,
        "older revision retired"
    );
    h.provider
        .token(&config, TokenRequest::new())
        .await
        .unwrap();
    h.provider.retire_all();
    assert_eq!(h.provider.stats().cached_configs, 0, "all retired");
}
