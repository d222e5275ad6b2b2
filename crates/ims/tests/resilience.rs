//! The token service while IMS misbehaves: budgets, the detached fetch, throttling
//! remembered per client, the breaker's quick recovery and permanent failures remembered
//! per revision.
//!
//! The breaker and `Retry-After` run on the harness's `ManualClock`, which the tests advance;
//! budgets are real time, so latency faults stay a few hundred milliseconds.

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{Harness, expose, oauth_credentials};
use imsbridge_domain::{OAuthPatch, SecretString, Title};
use imsbridge_emulator::{Endpoint, Fault};
use imsbridge_ims::{ImsError, RetryPolicy, TokenError, TokenRequest};

fn budget(ms: u64) -> TokenRequest {
    TokenRequest::new().with_budget(Duration::from_millis(ms))
}

#[tokio::test]
async fn a_caller_out_of_budget_hears_a_timeout_while_the_fetch_goes_on_to_fill_the_cache() {
    let h = Harness::start().await;
    let (config, cred) = h.oauth_config("target-prod");
    h.emulator
        .set_fault_times(Endpoint::TokenV3, Fault::Latency { ms: 400 }, 1)
        .unwrap();
    let started = Instant::now();
    let err = h.provider.token(&config, budget(100)).await.unwrap_err();
    assert!(started.elapsed() < Duration::from_millis(350), "{err}");
    assert!(err.is_timeout(), "{err}");
    assert!(err.to_string().contains("100 ms budget"), "{err}");

    // The fetch was not cancelled with the caller: it lands in the cache.
    common::eventually_async("the slow answer is cached", || async {
        h.provider.stats().cached_configs == 1
            && h.provider
                .token(&config, budget(1))
                .await
                .is_ok_and(|t| !expose(&t).is_empty())
    })
    .await;
    assert_eq!(h.emulator.token_requests(&cred.client_id), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_short_budget_never_cancels_the_fetch_a_longer_one_waits_for() {
    let h = Harness::start().await;
    let (config, cred) = h.oauth_config("target-prod");
    h.emulator
        .set_fault(Endpoint::TokenV3, Fault::Latency { ms: 300 })
        .unwrap();
    let config = Arc::new(config);
    let patient = {
        let provider = h.provider.clone();
        let config = Arc::clone(&config);
        tokio::spawn(async move { provider.token(&config, budget(3000)).await })
    };
    tokio::time::sleep(Duration::from_millis(50)).await;
    let hasty = h.provider.token(&config, budget(50)).await.unwrap_err();
    assert!(hasty.is_timeout(), "{hasty}");
    let token = patient.await.unwrap().unwrap();
    assert!(h.emulator.is_token_valid(&expose(&token)));
    assert_eq!(h.emulator.token_requests(&cred.client_id), 1);
}

#[tokio::test]
async fn out_of_budget_after_a_failed_attempt_the_caller_hears_ims_reason_not_a_timeout() {
    let h = Harness::start().await;
    let (config, _) = h.oauth_config("target-prod");
    // The first attempt answers 503 after 300 ms; the retry would answer after another 300.
    h.emulator
        .set_fault_times(Endpoint::TokenV3, Fault::Latency { ms: 300 }, 2)
        .unwrap();
    h.emulator
        .set_fault_times(Endpoint::TokenV3, Fault::Outage, 1)
        .unwrap();
    let err = h.provider.token(&config, budget(450)).await.unwrap_err();
    assert!(!err.is_timeout(), "{err}");
    assert_eq!(err.status(), Some(503), "{err}");
    assert_eq!(err.error_code(), "temporarily_unavailable");
    assert!(err.debug_id().is_some());
}

#[tokio::test]
async fn a_retry_whose_wait_would_outlast_the_budget_is_not_made() {
    let h = Harness::with_options(|o| {
        o.token_budget = Duration::from_millis(500);
        o.retry = RetryPolicy {
            base_delay: Duration::from_secs(2),
            ..RetryPolicy::default()
        };
    })
    .await;
    let (config, cred) = h.oauth_config("target-prod");
    h.emulator
        .set_fault(Endpoint::TokenV3, Fault::ConnectionReset)
        .unwrap();
    let err = h
        .provider
        .token(&config, TokenRequest::new())
        .await
        .unwrap_err();
    assert!(
        matches!(err, TokenError::Upstream { attempts: 1, .. }),
        "{err}"
    );
    assert_eq!(err.error_code(), "connection_failed");
    assert_eq!(h.emulator.token_requests(&cred.client_id), 1);
    assert!(h.sleeper.waits().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_429_is_remembered_per_client_until_retry_after_passes_then_probed_once() {
    let h = Harness::start().await;
    let (config, cred) = h.oauth_config("target-prod");
    // Another configuration of the same credential shares its throttle; another credential
    // on the same server does not.
    let twin = h.config_for("target-twin", oauth_credentials(&cred));
    let (other, other_cred) = h.oauth_config("analytics-prod");
    h.emulator
        .set_fault(
            Endpoint::TokenV3,
            Fault::RateLimited {
                retry_after_secs: 7,
            },
        )
        .unwrap();

    let config = Arc::new(config);
    let callers: Vec<_> = (0..20)
        .map(|_| {
            let provider = h.provider.clone();
            let config = Arc::clone(&config);
            tokio::spawn(async move { provider.token(&config, TokenRequest::new()).await })
        })
        .collect();
    let mut debug_ids = std::collections::BTreeSet::new();
    for caller in callers {
        let err = caller.await.unwrap().unwrap_err();
        debug_ids.insert(err.debug_id().map(str::to_owned));
        // The 429 itself, or (arriving just after it) the throttle it left.
        assert_eq!(
            err.ims_error().and_then(ImsError::status),
            Some(429),
            "{err}"
        );
        assert_eq!(err.error_code(), "too_many_requests");
        assert_eq!(err.retry_after(), Some(Duration::from_secs(7)));
        assert!(err.debug_id().is_some());
    }
    assert_eq!(h.emulator.token_requests(&cred.client_id), 1);
    assert!(h.sleeper.waits().is_empty(), "a 429 is never waited out");

    // Within the window every caller is answered at once, with what is left of it.
    h.advance(Duration::from_millis(4500));
    for c in [&*config, &twin] {
        let err = h.provider.token(c, TokenRequest::new()).await.unwrap_err();
        assert!(matches!(err, TokenError::Throttled { .. }), "{err}");
        assert_eq!(err.retry_after(), Some(Duration::from_millis(2500)));
        assert_eq!(err.error_code(), "too_many_requests");
        debug_ids.insert(err.debug_id().map(str::to_owned));
    }
    // One 429, one debug id, for everyone.
    assert_eq!(debug_ids.len(), 1, "{debug_ids:?}");
    let health = h.provider.check_health(&twin).await;
    assert_eq!(health.error_code.as_deref(), Some("too_many_requests"));
    assert_eq!(h.emulator.token_requests(&cred.client_id), 1);
    let throttling = h
        .provider
        .throttling(&h.server(), twin.client_id())
        .unwrap();
    assert_eq!(
        throttling.error.debug_id().map(str::to_owned),
        debug_ids.into_iter().next().unwrap()
    );
    assert_eq!(
        throttling.until - throttling.since,
        chrono::Duration::seconds(7)
    );
    assert_eq!(h.provider.stats().throttled_clients, 1);
    h.emulator.clear_faults();
    h.provider.token(&other, TokenRequest::new()).await.unwrap();
    assert_eq!(h.emulator.token_requests(&other_cred.client_id), 1);

    // Once it has passed, one probe goes out; everyone waiting shares its outcome.
    h.advance(Duration::from_millis(2500));
    h.emulator
        .set_fault_times(Endpoint::TokenV3, Fault::Latency { ms: 100 }, 1)
        .unwrap();
    let callers: Vec<_> = (0..20)
        .map(|i| {
            let provider = h.provider.clone();
            let c = if i % 2 == 0 {
                (*config).clone()
            } else {
                twin.clone()
            };
            tokio::spawn(async move { provider.token(&c, TokenRequest::new()).await })
        })
        .collect();
    for caller in callers {
        caller.await.unwrap().unwrap();
    }
    // The probe (for one configuration) and, after it, the other configuration's own fetch.
    assert_eq!(h.emulator.token_requests(&cred.client_id), 3);
    assert!(
        h.provider
            .throttling(&h.server(), twin.client_id())
            .is_none()
    );
    let log = h.emulator.request_log();
    let last_two: Vec<_> = log.iter().rev().take(2).collect();
    assert!(
        last_two[1].at <= last_two[0].at,
        "the second fetch went out only after the probe"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_recovered_ims_is_noticed_by_one_probe_after_a_short_open_interval() {
    let h = Harness::start().await;
    let (config, cred) = h.oauth_config("target-prod");
    let (other, other_cred) = h.oauth_config("analytics-prod");
    h.emulator
        .set_fault(
            Endpoint::Any,
            Fault::Error {
                status: 500,
                rate: 1.0,
            },
        )
        .unwrap();
    // One failed fetch (three attempts) opens the breaker for 250 ms.
    let err = h
        .provider
        .token(&config, TokenRequest::new())
        .await
        .unwrap_err();
    assert_eq!(err.error_code(), "server_error");
    assert_eq!(h.provider.stats().open_circuits, 1);
    assert_eq!(h.emulator.token_requests(&cred.client_id), 3);
    let err = h
        .provider
        .token(&other, TokenRequest::new())
        .await
        .unwrap_err();
    assert!(matches!(err, TokenError::CircuitOpen { .. }), "{err}");
    assert!(err.retry_after().unwrap() <= Duration::from_millis(250));
    assert_eq!(err.error_code(), "circuit_open");
    assert_eq!(err.ims_error().unwrap().error_code(), "server_error");

    // The probe fails: the next interval is twice as long.
    h.advance(Duration::from_millis(250));
    h.provider
        .token(&config, TokenRequest::new())
        .await
        .unwrap_err();
    assert_eq!(h.emulator.token_requests(&cred.client_id), 4);
    let err = h
        .provider
        .token(&other, TokenRequest::new())
        .await
        .unwrap_err();
    assert_eq!(err.retry_after(), Some(Duration::from_millis(500)));

    // IMS recovers: when the interval has passed, one probe goes out, every waiting caller
    // of both configurations shares its outcome, and then the other fetches its own token.
    h.emulator.clear_faults();
    h.emulator
        .set_fault_times(Endpoint::TokenV3, Fault::Latency { ms: 100 }, 1)
        .unwrap();
    h.advance(Duration::from_millis(500));
    let callers: Vec<_> = (0..20)
        .map(|i| {
            let provider = h.provider.clone();
            let c = if i % 2 == 0 {
                config.clone()
            } else {
                other.clone()
            };
            tokio::spawn(async move { provider.token(&c, TokenRequest::new()).await })
        })
        .collect();
    for caller in callers {
        caller.await.unwrap().unwrap();
    }
    assert_eq!(
        h.emulator.token_requests(&cred.client_id)
            + h.emulator.token_requests(&other_cred.client_id),
        6
    );
    assert_eq!(h.provider.stats().open_circuits, 0);
}

#[tokio::test]
async fn a_permanent_failure_is_answered_from_memory_until_check_health_an_edit_or_30_s() {
    let h = Harness::start().await;
    let mut creds = oauth_credentials(&h.oauth_credential());
    creds.client_secret = SecretString::from("p8e-not-the-secret".to_owned());
    let config = h.config_for("target-prod", creds);
    let client_id = config.client_id().to_string();
    let refused = |e: &TokenError| e.error_code() == "invalid_client" && e.debug_id().is_some();

    let err = h
        .provider
        .token(&config, TokenRequest::new())
        .await
        .unwrap_err();
    assert!(refused(&err), "{err}");
    // A misconfigured integration polling in a loop does not hammer IMS.
    for _ in 0..5 {
        let again = h
            .provider
            .token(&config, TokenRequest::new())
            .await
            .unwrap_err();
        assert!(refused(&again), "{again}");
        assert_eq!(again.debug_id(), err.debug_id());
    }
    assert_eq!(h.emulator.token_requests(&client_id), 1);

    h.advance(Duration::from_secs(29));
    h.provider
        .token(&config, TokenRequest::new())
        .await
        .unwrap_err();
    assert_eq!(h.emulator.token_requests(&client_id), 1);
    h.advance(Duration::from_secs(1));
    h.provider
        .token(&config, TokenRequest::new())
        .await
        .unwrap_err();
    assert_eq!(h.emulator.token_requests(&client_id), 2);

    // Check Health asks IMS and forgets the remembered failure.
    h.provider.check_health(&config).await;
    assert_eq!(h.emulator.token_requests(&client_id), 3);
    h.provider
        .token(&config, TokenRequest::new())
        .await
        .unwrap_err();
    assert_eq!(h.emulator.token_requests(&client_id), 4);

    // So does an edit: the new revision has no failure to remember.
    let edited = config
        .update(
            OAuthPatch {
                title: Some(Title::parse("Renamed").unwrap()),
                ..OAuthPatch::default()
            },
            config.revision,
            common::NowUtc::now_utc(&h.clock),
        )
        .unwrap();
    h.provider
        .token(&edited, TokenRequest::new())
        .await
        .unwrap_err();
    assert_eq!(h.emulator.token_requests(&client_id), 5);
}
