//! The token service against the IMS emulator: both grants, the cache, retries, the breaker,
//! secrecy.
//!
//! Time is a `ManualClock`; retry waits go through a `ClockSleeper`, so nothing sleeps
//! beyond the few milliseconds a background task needs to run.

mod common;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use common::{Harness, NowUtc, eventually, expose, oauth_credentials};
use imsbridge_domain::{
    AuthorizationServer, ClientId, ConfigId, Credentials, HealthStatus, ManualClock, Metascopes,
    OAuthCredentials, OAuthPatch, OrgId, Scopes, SecretString, Title,
};
use imsbridge_emulator::{Endpoint, Fault};
use imsbridge_ims::{
    BreakerPolicy, ImsClient, ImsClientOptions, ImsError, ProviderOptions, TokenError,
    TokenProvider, TokenRequest,
};

#[tokio::test]
async fn an_oauth_configuration_gets_a_token_the_emulator_accepts() {
    let h = Harness::start().await;
    let (config, cred) = h.oauth_config("target-prod");
    let token = h
        .provider
        .token(&config, TokenRequest::new())
        .await
        .unwrap();
    assert!(h.emulator.is_token_valid(&expose(&token)));
    assert_eq!(&*token.token_type, "bearer");
    // token v3 answers expires_in in seconds (86399).
    assert_eq!(token.lifetime(), Duration::from_secs(86_399));
    assert_eq!(token.issued_at, h.clock.now_utc());
    assert_eq!(h.emulator.token_requests(&cred.client_id), 1);
    assert_eq!(h.emulator.total_requests(Endpoint::TokenV3), 1);
}

#[tokio::test]
async fn a_jwt_configuration_is_exchanged_with_a_jwt_the_emulator_accepts() {
    let h = Harness::start().await;
    let (config, cred) = h.jwt_config();
    let token = h
        .provider
        .token(&config, TokenRequest::new())
        .await
        .unwrap();
    assert!(h.emulator.is_token_valid(&expose(&token)));
    // The exchange answers expires_in in milliseconds (86399999).
    assert_eq!(token.lifetime(), Duration::from_millis(86_399_999));
    assert_eq!(h.emulator.total_requests(Endpoint::JwtExchange), 1);
    assert_eq!(h.emulator.token_requests(&cred.client_id), 1);
    assert_eq!(
        h.provider.check_health(&config).await.status,
        HealthStatus::Healthy
    );
}

#[tokio::test]
async fn a_jwt_claiming_a_metascope_the_credential_lacks_is_refused_permanently() {
    let h = Harness::start().await;
    let (mut config, _) = h.jwt_config();
    let Credentials::Jwt(jwt) = &mut config.credentials else {
        unreachable!()
    };
    jwt.metascopes = Metascopes::parse("ent_user_sdk").unwrap();
    let err = h
        .provider
        .token(&config, TokenRequest::new())
        .await
        .unwrap_err();
    assert!(err.is_permanent(), "{err}");
    assert_eq!(h.emulator.total_requests(Endpoint::JwtExchange), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_concurrent_cold_callers_cause_exactly_one_upstream_request() {
    let h = Harness::start().await;
    let (config, cred) = h.oauth_config("target-prod");
    // A slow IMS keeps the first request in flight while the others arrive.
    h.emulator
        .set_fault(Endpoint::TokenV3, Fault::Latency { ms: 20 })
        .unwrap();
    let config = Arc::new(config);
    let callers: Vec<_> = (0..1000)
        .map(|_| {
            let provider = h.provider.clone();
            let config = Arc::clone(&config);
            tokio::spawn(async move { provider.token(&config, TokenRequest::new()).await })
        })
        .collect();
    let mut tokens = Vec::new();
    for caller in callers {
        tokens.push(expose(&caller.await.unwrap().unwrap()));
    }
    assert!(tokens.iter().all(|t| *t == tokens[0]));
    assert_eq!(h.emulator.token_requests(&cred.client_id), 1);
    let stats = h.provider.stats();
    assert_eq!(stats.upstream_requests, 1);
    assert_eq!(stats.requests, 1000);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_callers_share_one_failure_instead_of_repeating_it() {
    let h = Harness::start().await;
    let mut cred = oauth_credentials(&h.oauth_credential());
    cred.client_secret = SecretString::from("p8e-wrong".to_owned());
    let config = Arc::new(h.config_for("target-prod", cred));
    h.emulator
        .set_fault(Endpoint::TokenV3, Fault::Latency { ms: 20 })
        .unwrap();
    let callers: Vec<_> = (0..50)
        .map(|_| {
            let provider = h.provider.clone();
            let config = Arc::clone(&config);
            tokio::spawn(async move { provider.token(&config, TokenRequest::new()).await })
        })
        .collect();
    for caller in callers {
        let err = caller.await.unwrap().unwrap_err();
        assert_eq!(err.error_code(), "invalid_client");
    }
    assert_eq!(h.emulator.total_requests(Endpoint::TokenV3), 1);
}

#[tokio::test]
async fn a_token_in_use_is_refreshed_in_the_background_after_about_half_its_life() {
    let h = Harness::start().await;
    let (config, cred) = h.oauth_config("target-prod");
    let first = h
        .provider
        .token(&config, TokenRequest::new())
        .await
        .unwrap();

    // Before 45% of the lifetime nothing happens.
    h.advance(first.lifetime().mul_f64(0.44));
    let same = h
        .provider
        .token(&config, TokenRequest::new())
        .await
        .unwrap();
    assert_eq!(expose(&same), expose(&first));
    tokio::time::sleep(Duration::from_millis(5)).await;
    assert_eq!(h.emulator.token_requests(&cred.client_id), 1);

    // Past 55% the next call still gets the current token at once and starts a refresh.
    h.advance(first.lifetime().mul_f64(0.12));
    let served = h
        .provider
        .token(&config, TokenRequest::new())
        .await
        .unwrap();
    assert_eq!(expose(&served), expose(&first));
    eventually("the background refresh has run", || {
        h.provider.stats().upstream_requests == 2
    })
    .await;
    let mut refreshed = false;
    for _ in 0..1000 {
        let t = h
            .provider
            .token(&config, TokenRequest::new())
            .await
            .unwrap();
        if expose(&t) != expose(&first) {
            refreshed = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    assert!(refreshed, "the refreshed token is never served");
    assert_eq!(h.emulator.token_requests(&cred.client_id), 2);
    assert_eq!(h.provider.stats().background_refreshes, 1);
}

#[tokio::test]
async fn a_token_is_never_served_with_less_than_the_minimum_validity_left() {
    let h = Harness::start().await;
    let (config, _) = h.oauth_config("target-prod");
    let first = h
        .provider
        .token(&config, TokenRequest::new())
        .await
        .unwrap();
    // Jump to 30 s before expiry, past the default 60 s floor: the call must wait for a new one.
    h.advance(first.lifetime().saturating_sub(Duration::from_secs(30)));
    let next = h
        .provider
        .token(&config, TokenRequest::new())
        .await
        .unwrap();
    assert_ne!(expose(&next), expose(&first));
    assert!(next.expires_in(h.clock.now_utc()) > Duration::from_secs(86_000));

    // A caller asking for more than IMS ever grants gets a clear refusal.
    let err = h
        .provider
        .token(
            &config,
            TokenRequest::new().with_min_validity(Duration::from_secs(2 * 86_400)),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(err, TokenError::ValidityUnavailable { .. }),
        "{err}"
    );
}

#[tokio::test]
async fn a_forced_refresh_fetches_a_new_token() {
    let h = Harness::start().await;
    let (config, cred) = h.oauth_config("target-prod");
    let first = h
        .provider
        .token(&config, TokenRequest::new())
        .await
        .unwrap();
    let forced = h
        .provider
        .token(&config, TokenRequest::new().forcing_refresh())
        .await
        .unwrap();
    assert_ne!(expose(&forced), expose(&first));
    let cached = h
        .provider
        .token(&config, TokenRequest::new())
        .await
        .unwrap();
    assert_eq!(expose(&cached), expose(&forced));
    assert_eq!(h.emulator.token_requests(&cred.client_id), 2);
}

#[tokio::test]
async fn editing_a_configuration_retires_its_cached_token_at_once() {
    let h = Harness::start().await;
    let (config, cred) = h.oauth_config("target-prod");
    let first = h
        .provider
        .token(&config, TokenRequest::new())
        .await
        .unwrap();

    let edited = config
        .update(
            OAuthPatch {
                title: Some(Title::parse("Adobe Target (renamed)").unwrap()),
                ..OAuthPatch::default()
            },
            config.revision,
            h.clock.now_utc(),
        )
        .unwrap();
    let second = h
        .provider
        .token(&edited, TokenRequest::new())
        .await
        .unwrap();
    assert_ne!(expose(&second), expose(&first));
    assert_eq!(h.emulator.token_requests(&cred.client_id), 2);

    // A caller still holding the old revision is told to reload, not served the old token.
    let err = h
        .provider
        .token(&config, TokenRequest::new())
        .await
        .unwrap_err();
    assert!(matches!(err, TokenError::StaleRevision { .. }), "{err}");

    // Retiring (as on delete) drops it too.
    h.provider.retire(edited.id);
    let third = h
        .provider
        .token(&edited, TokenRequest::new())
        .await
        .unwrap();
    assert_ne!(expose(&third), expose(&second));
    assert_eq!(h.emulator.token_requests(&cred.client_id), 3);
}

#[tokio::test]
async fn during_an_outage_cached_tokens_are_served_and_uncached_callers_fail_fast() {
    let h = Harness::with_options(|o| {
        o.breaker = BreakerPolicy {
            failure_threshold: 3,
            first_open: Duration::from_millis(250),
            max_open: Duration::from_secs(1),
        };
    })
    .await;
    let (cached_config, _) = h.oauth_config("target-prod");
    let (cold_config, _) = h.oauth_config("analytics-prod");
    let cached = h
        .provider
        .token(&cached_config, TokenRequest::new())
        .await
        .unwrap();

    h.emulator.set_fault(Endpoint::Any, Fault::Outage).unwrap();
    // Due for refresh: the background refresh fails (three attempts, which open the
    // breaker), and the cached token is still served.
    h.advance(cached.lifetime().mul_f64(0.6));
    let served = h
        .provider
        .token(&cached_config, TokenRequest::new())
        .await
        .unwrap();
    assert_eq!(expose(&served), expose(&cached));
    eventually("the refresh has failed and opened the breaker", || {
        h.provider.stats().open_circuits == 1 && h.provider.stats().upstream_requests == 4
    })
    .await;
    let before = h.emulator.total_requests(Endpoint::Any);

    // Cold callers fail at once, without touching IMS, and say why.
    let err = h
        .provider
        .token(&cold_config, TokenRequest::new())
        .await
        .unwrap_err();
    assert!(matches!(err, TokenError::CircuitOpen { .. }), "{err}");
    let text = err.to_string();
    assert!(text.contains("circuit breaker open"), "{text}");
    assert!(text.contains("503"), "{text}");
    assert_eq!(err.ims_error().and_then(ImsError::status), Some(503));
    assert_eq!(h.emulator.total_requests(Endpoint::Any), before);
    let served = h
        .provider
        .token(&cached_config, TokenRequest::new())
        .await
        .unwrap();
    assert_eq!(expose(&served), expose(&cached));

    // After the short open interval one probe goes through and, IMS being back, closes it.
    h.emulator.clear_faults();
    h.advance(Duration::from_millis(250));
    h.provider
        .token(&cold_config, TokenRequest::new())
        .await
        .unwrap();
    assert_eq!(h.emulator.total_requests(Endpoint::Any), before + 1);
    assert_eq!(h.provider.stats().open_circuits, 0);
}

#[tokio::test]
async fn transient_failures_are_retried_with_growing_backoff() {
    let h = Harness::start().await;
    let (config, cred) = h.oauth_config("target-prod");
    h.emulator
        .set_fault_times(Endpoint::TokenV3, Fault::MalformedBody, 1)
        .unwrap();
    h.emulator
        .set_fault_times(
            Endpoint::TokenV3,
            Fault::Error {
                status: 502,
                rate: 1.0,
            },
            1,
        )
        .unwrap();
    h.provider
        .token(&config, TokenRequest::new())
        .await
        .unwrap();
    assert_eq!(h.emulator.token_requests(&cred.client_id), 3);
    let waits = h.sleeper.waits();
    assert_eq!(waits.len(), 2);
    assert!(waits[0] >= Duration::from_millis(100) && waits[0] <= Duration::from_millis(200));
    assert!(waits[1] >= Duration::from_millis(200) && waits[1] <= Duration::from_millis(400));
}

#[tokio::test]
async fn a_permanent_error_is_not_retried_and_keeps_ims_details() {
    let h = Harness::start().await;
    let mut creds = oauth_credentials(&h.oauth_credential());
    creds.client_secret = SecretString::from("p8e-not-the-secret".to_owned());
    let config = h.config_for("target-prod", creds);
    let err = h
        .provider
        .token(&config, TokenRequest::new())
        .await
        .unwrap_err();
    assert!(err.is_permanent(), "{err}");
    assert_eq!(err.error_code(), "invalid_client");
    assert_eq!(err.status(), Some(401));
    assert!(err.debug_id().is_some_and(|d| !d.is_empty()));
    assert!(matches!(err, TokenError::Upstream { attempts: 1, .. }));
    assert_eq!(h.emulator.total_requests(Endpoint::TokenV3), 1);
    assert!(h.sleeper.waits().is_empty());

    // The same failure, as the health an admin sees.
    let health = h.provider.check_health(&config).await;
    assert_eq!(health.status, HealthStatus::Unhealthy);
    assert_eq!(health.error_code.as_deref(), Some("invalid_client"));
    assert!(health.debug_id.is_some());
    assert!(
        health.message.contains("client_secret"),
        "{}",
        health.message
    );
    // A permanent failure never opens the breaker.
    assert_eq!(h.provider.stats().open_circuits, 0);
}

#[tokio::test]
async fn a_health_check_bypasses_the_cache_and_reports_success() {
    let h = Harness::start().await;
    let (config, cred) = h.oauth_config("target-prod");
    h.provider
        .token(&config, TokenRequest::new())
        .await
        .unwrap();
    let health = h.provider.check_health(&config).await;
    assert_eq!(health.status, HealthStatus::Healthy);
    assert_eq!(health.message, "Token is retrieved successfully");
    assert_eq!(h.emulator.token_requests(&cred.client_id), 2);
}

#[tokio::test]
async fn verification_fetches_a_token_and_caches_nothing() {
    let h = Harness::start().await;
    let cred = h.oauth_credential();
    let token = h
        .provider
        .verify(&h.server(), &oauth_credentials(&cred))
        .await
        .unwrap();
    assert!(h.emulator.is_token_valid(&expose(&token)));
    assert_eq!(h.provider.stats().cached_configs, 0);
}

#[tokio::test]
async fn a_slow_ims_times_out_as_a_transient_failure() {
    let h = Harness::start().await;
    let client = ImsClient::new(&ImsClientOptions {
        request_timeout: Duration::from_millis(50),
        ..ImsClientOptions::default()
    })
    .unwrap();
    let (config, _) = h.oauth_config("target-prod");
    h.emulator
        .set_fault(Endpoint::TokenV3, Fault::Latency { ms: 400 })
        .unwrap();
    let err = client
        .fetch(&config.authorization_server, &config.credentials, &h.clock)
        .await
        .unwrap_err();
    assert!(matches!(err, ImsError::Timeout { .. }), "{err:?}");
    assert!(err.is_transient());
}

#[tokio::test]
async fn an_unreachable_server_is_a_transient_connection_failure() {
    let h = Harness::start().await;
    let (mut config, _) = h.oauth_config("target-prod");
    // A port that was free a moment ago: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    config.authorization_server =
        AuthorizationServer::parse(&format!("http://127.0.0.1:{port}")).unwrap();
    let client = ImsClient::with_defaults().unwrap();
    let err = client
        .fetch(&config.authorization_server, &config.credentials, &h.clock)
        .await
        .unwrap_err();
    assert!(matches!(err, ImsError::Connect { .. }), "{err:?}");
    assert!(err.is_transient());
}

#[tokio::test]
async fn no_secret_appears_in_any_debug_display_or_error_text() {
    let h = Harness::start().await;
    let (config, cred) = h.oauth_config("target-prod");
    let (jwt_config, jwt_cred) = h.jwt_config();
    let token = h
        .provider
        .token(&config, TokenRequest::new())
        .await
        .unwrap();
    let jwt_token = h
        .provider
        .token(&jwt_config, TokenRequest::new())
        .await
        .unwrap();

    let mut wrong = oauth_credentials(&cred);
    let wrong_secret = "p8e-a-wrong-secret-that-must-stay-hidden";
    wrong.client_secret = SecretString::from(wrong_secret.to_owned());
    let refused = h.config_for("refused", wrong);
    let err = h
        .provider
        .token(&refused, TokenRequest::new())
        .await
        .unwrap_err();
    let health = h.provider.check_health(&refused).await;

    let mut bad_key = jwt_config.clone();
    let Credentials::Jwt(jwt) = &mut bad_key.credentials else {
        unreachable!()
    };
    let broken_key =
        "-----BEGIN PRIVATE KEY-----\nTUlJQm9ndXNrZXltYXRlcmlhbA==\n-----END PRIVATE KEY-----";
    jwt.private_key = SecretString::from(broken_key.to_owned());
    bad_key.revision = bad_key.revision.next();
    let key_err = h
        .provider
        .token(&bad_key, TokenRequest::new())
        .await
        .unwrap_err();
    assert!(key_err.is_permanent());

    let texts = [
        format!("{token:?}"),
        format!("{jwt_token:?}"),
        format!("{err}"),
        format!("{err:?}"),
        format!("{health:?}"),
        format!("{key_err}"),
        format!("{key_err:?}"),
        format!("{:?}", h.provider),
    ];
    let secrets = [
        expose(&token),
        expose(&jwt_token),
        cred.client_secrets[0].clone(),
        wrong_secret.to_owned(),
        jwt_cred.client_secret.clone(),
        jwt_cred.private_key_pem.clone(),
        "TUlJQm9ndXNrZXltYXRlcmlhbA".to_owned(),
    ];
    for text in &texts {
        for secret in &secrets {
            assert!(
                !text.contains(secret.as_str()),
                "a secret leaked into {text}"
            );
        }
    }
}

/// Runs `f` against a stub that answers every request with `status`, `headers` and `body`,
/// and hands back the headers and body of each request it saw.
async fn with_stub<F, Fut>(
    status: u16,
    headers: &'static [(&'static str, &'static str)],
    body: &'static str,
    f: F,
) -> Vec<(axum::http::HeaderMap, String)>
where
    F: FnOnce(AuthorizationServer) -> Fut,
    Fut: Future<Output = ()>,
{
    use axum::http::{HeaderMap, StatusCode};
    let seen: Arc<std::sync::Mutex<Vec<(HeaderMap, String)>>> = Arc::default();
    let log = Arc::clone(&seen);
    let app =
        axum::Router::new().fallback(move |request_headers: HeaderMap, request_body: String| {
            let log = Arc::clone(&log);
            async move {
                log.lock().unwrap().push((request_headers, request_body));
                let mut response = axum::response::Response::builder()
                    .status(StatusCode::from_u16(status).unwrap());
                for (k, v) in headers {
                    response = response.header(*k, *v);
                }
                response.body(axum::body::Body::from(body)).unwrap()
            }
        });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let server =
        AuthorizationServer::parse(&format!("http://{}", listener.local_addr().unwrap())).unwrap();
    let task = tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    f(server).await;
    task.abort();
    let seen = seen.lock().unwrap();
    seen.clone()
}

fn stub_oauth() -> OAuthCredentials {
    OAuthCredentials {
        client_id: ClientId::parse("a1b2c3d4e5f60718293a4b5c6d7e8f90").unwrap(),
        client_secret: SecretString::from("p8e-stub-secret".to_owned()),
        scopes: Scopes::parse("openid, AdobeID read_organizations").unwrap(),
        org_id: OrgId::parse("12345678ABCDEF1234567890@AdobeOrg").unwrap(),
        technical_account_id: None,
    }
}

#[tokio::test]
async fn the_client_credentials_request_is_form_encoded_with_comma_separated_scopes() {
    let clock = ManualClock::new(Utc::now());
    let seen = with_stub(
        200,
        &[("content-type", "application/json")],
        r#"{"access_token":"tok","token_type":"bearer","expires_in":"3600"}"#,
        |server| async move {
            let client = ImsClient::with_defaults().unwrap();
            let token = client
                .client_credentials(&server, &stub_oauth(), &clock)
                .await
                .unwrap();
            assert_eq!(token.lifetime(), Duration::from_secs(3600));
        },
    )
    .await;
    assert_eq!(seen.len(), 1);
    let (headers, body) = &seen[0];
    assert_eq!(headers["content-type"], "application/x-www-form-urlencoded");
    assert!(
        headers["user-agent"]
            .to_str()
            .unwrap()
            .starts_with("imsbridge/"),
        "{headers:?}"
    );
    let form: Vec<(String, String)> = serde_urlencoded::from_str(body).unwrap();
    let expected: Vec<(String, String)> = [
        ("grant_type", "client_credentials"),
        ("client_id", "a1b2c3d4e5f60718293a4b5c6d7e8f90"),
        ("client_secret", "p8e-stub-secret"),
        ("scope", "openid,AdobeID,read_organizations"),
    ]
    .iter()
    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
    .collect();
    assert_eq!(form, expected);
}

#[tokio::test]
async fn a_redirect_is_never_followed_and_is_a_permanent_failure() {
    let clock = ManualClock::new(Utc::now());
    let seen = with_stub(
        302,
        &[("location", "http://127.0.0.1:9/elsewhere")],
        "",
        |server| async move {
            let client = ImsClient::with_defaults().unwrap();
            let err = client
                .client_credentials(&server, &stub_oauth(), &clock)
                .await
                .unwrap_err();
            assert!(
                matches!(err, ImsError::Redirect { status: 302, .. }),
                "{err:?}"
            );
            assert!(!err.is_transient());
            assert!(err.to_string().contains("127.0.0.1:9/elsewhere"));
        },
    )
    .await;
    assert_eq!(seen.len(), 1);
}

#[tokio::test]
async fn a_success_without_a_token_is_a_transient_malformed_response() {
    let clock = ManualClock::new(Utc::now());
    with_stub(
        200,
        &[("x-debug-id", "dbg-42")],
        r#"{"token_type":"bearer","expires_in":3600}"#,
        |server| async move {
            let client = ImsClient::with_defaults().unwrap();
            let err = client
                .client_credentials(&server, &stub_oauth(), &clock)
                .await
                .unwrap_err();
            assert!(matches!(err, ImsError::Malformed { .. }), "{err:?}");
            assert!(err.is_transient());
            assert_eq!(err.debug_id(), Some("dbg-42"));
        },
    )
    .await;
}

/// Token and expiry by configuration id and revision number.
type SharedMap = std::collections::HashMap<(ConfigId, u64), (String, chrono::DateTime<Utc>)>;

/// A shared cache in memory, standing in for the database replicas share.
#[derive(Debug, Default)]
struct MemoryShared(std::sync::Mutex<SharedMap>);

impl imsbridge_ims::SharedTokenCache for MemoryShared {
    fn load(
        &self,
        id: ConfigId,
        revision: imsbridge_domain::Revision,
    ) -> futures::future::BoxFuture<'_, Option<(SecretString, chrono::DateTime<Utc>)>> {
        let found = self.0.lock().unwrap().get(&(id, revision.get())).cloned();
        Box::pin(async move { found.map(|(t, e)| (SecretString::from(t), e)) })
    }

    fn save<'a>(
        &'a self,
        id: ConfigId,
        revision: imsbridge_domain::Revision,
        token: &'a imsbridge_ims::AccessToken,
    ) -> futures::future::BoxFuture<'a, ()> {
        self.0
            .lock()
            .unwrap()
            .insert((id, revision.get()), (expose(token), token.expires_at));
        Box::pin(async {})
    }
}

#[tokio::test]
async fn replicas_sharing_a_cache_ask_ims_once_and_adopt_each_others_refreshes() {
    let shared: Arc<MemoryShared> = Arc::default();
    let h = Harness::with_options(|o| o.shared_cache = Some(shared.clone())).await;
    let replica = TokenProvider::new(
        ImsClient::with_defaults().unwrap(),
        Arc::new(h.clock.clone()),
        ProviderOptions {
            sleeper: Arc::new(h.sleeper.clone()),
            shared_cache: Some(shared.clone()),
            ..ProviderOptions::default()
        },
    );
    let (config, cred) = h.oauth_config("target-prod");
    let first = h
        .provider
        .token(&config, TokenRequest::new())
        .await
        .unwrap();
    let on_replica = replica.token(&config, TokenRequest::new()).await.unwrap();
    assert_eq!(expose(&on_replica), expose(&first));
    assert_eq!(h.emulator.token_requests(&cred.client_id), 1);

    // The first replica renews at about half-life and shares the new token...
    h.advance(first.lifetime().mul_f64(0.6));
    h.provider
        .token(&config, TokenRequest::new())
        .await
        .unwrap();
    eventually("the first replica has refreshed", || {
        h.emulator.token_requests(&cred.client_id) == 2
    })
    .await;
    eventually("the new token is shared", || {
        shared
            .0
            .lock()
            .unwrap()
            .values()
            .any(|(t, _)| *t != expose(&first))
    })
    .await;
    // ...and the other replica, due too, adopts it instead of asking IMS.
    let mut adopted = false;
    for _ in 0..1000 {
        let t = replica.token(&config, TokenRequest::new()).await.unwrap();
        if expose(&t) != expose(&first) {
            adopted = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    assert!(adopted, "the replica never adopted the shared token");
    assert_eq!(h.emulator.token_requests(&cred.client_id), 2);
    assert_eq!(replica.stats().upstream_requests, 0);
}
