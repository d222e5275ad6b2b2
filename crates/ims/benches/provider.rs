//! `TokenProvider` numbers: cached gets per second on one core, and upstream requests made
//! for 1,000 concurrent cold callers (must be 1).
//!
//! Run with `cargo bench -p imsbridge-ims --bench provider`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use imsbridge_domain::{
    AuthorizationServer, ClientId, CloudSolution, ConfigDraft, ConfigId, DraftCredentials,
    IntegrationConfig, OAuthCredentials, OrgId, Scopes, SecretString, SystemClock, Title,
};
use imsbridge_emulator::{Emulator, EmulatorHandle, Endpoint, Fault};
use imsbridge_ims::{ImsClient, ProviderOptions, TokenProvider, TokenRequest};

const SCOPES: [&str; 3] = ["openid", "AdobeID", "read_organizations"];

fn config(emulator: &EmulatorHandle, name: &str) -> (IntegrationConfig, String) {
    let org = emulator.create_org("Bench Org").unwrap();
    let project = emulator.create_project(&org.id, "Bench", false).unwrap();
    let cred = emulator
        .create_oauth_credential(&project.id, &SCOPES)
        .unwrap();
    let draft = ConfigDraft {
        name: imsbridge_domain::Name::parse(name).unwrap(),
        title: Title::parse("Bench").unwrap(),
        cloud_solution: CloudSolution::Target,
        authorization_server: AuthorizationServer::parse(&emulator.base_url()).unwrap(),
        credentials: DraftCredentials::OAuth(OAuthCredentials {
            client_id: ClientId::parse(&cred.client_id).unwrap(),
            client_secret: SecretString::from(cred.client_secrets[0].clone()),
            scopes: Scopes::from_items(cred.scopes.iter().map(String::as_str)).unwrap(),
            org_id: OrgId::parse(&cred.org_id).unwrap(),
            technical_account_id: None,
        }),
    };
    let config = IntegrationConfig::create(draft, ConfigId::new(), Utc::now()).unwrap();
    (config, cred.client_id)
}

fn provider() -> TokenProvider {
    TokenProvider::new(
        ImsClient::with_defaults().unwrap(),
        Arc::new(SystemClock),
        ProviderOptions::default(),
    )
}

/// Cached gets on a current-thread runtime: one core, the real system clock.
fn cached_gets_per_second() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let emulator = Emulator::spawn().await.unwrap();
        let provider = provider();
        // Several cached configurations, so lookups are not a one-entry map.
        let mut configs = Vec::new();
        for i in 0..64 {
            let (c, _) = config(&emulator, &format!("bench-{i}"));
            provider.token(&c, TokenRequest::new()).await.unwrap();
            configs.push(c);
        }
        let upstream_before = provider.stats().upstream_requests;
        let request = TokenRequest::new();
        // Warm up, then measure the best of three rounds.
        let mut best = 0.0f64;
        for round in 0..4 {
            let n: u64 = 2_000_000;
            let started = Instant::now();
            for i in 0..n {
                let c = &configs[(i & 63) as usize];
                let token = provider.token(c, request).await.unwrap();
                std::hint::black_box(&token);
            }
            let rate = n as f64 / started.elapsed().as_secs_f64();
            if round > 0 {
                best = best.max(rate);
            }
        }
        let stats = provider.stats();
        assert_eq!(stats.upstream_requests, upstream_before);
        println!(
            "cached gets per second (1 core, current-thread runtime, 64 configs): {:.2} million",
            best / 1e6
        );
        println!(
            "  cache hits: {} of {} requests; upstream requests during the run: 0",
            stats.cache_hits, stats.requests
        );
    });
}

/// 1,000 callers for one cold configuration at once, on a 2-worker runtime.
fn cold_callers_upstream_requests() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let emulator = Emulator::spawn().await.unwrap();
        let (c, client_id) = config(&emulator, "cold");
        // A slow IMS keeps the one request in flight while every caller piles up.
        emulator
            .set_fault(Endpoint::TokenV3, Fault::Latency { ms: 50 })
            .unwrap();
        let provider = provider();
        let c = Arc::new(c);
        let started = Instant::now();
        let callers: Vec<_> = (0..1000)
            .map(|_| {
                let provider = provider.clone();
                let c = Arc::clone(&c);
                tokio::spawn(async move { provider.token(&c, TokenRequest::new()).await })
            })
            .collect();
        for caller in callers {
            caller.await.unwrap().unwrap();
        }
        let elapsed = started.elapsed();
        let upstream = emulator.token_requests(&client_id);
        println!(
            "1000 concurrent cold callers: {upstream} upstream request(s) (emulator count), all served in {:.1} ms",
            elapsed.as_secs_f64() * 1e3
        );
        assert_eq!(upstream, 1, "single flight broken");
        drop(emulator);
        tokio::time::sleep(Duration::from_millis(1)).await;
    });
}

fn main() {
    cached_gets_per_second();
    cold_callers_upstream_requests();
}
