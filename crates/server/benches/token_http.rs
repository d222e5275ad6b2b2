//! Cached access tokens through HTTP, side by side with the same server's `/healthz`: how
//! much handing out a token costs over answering at all.
//!
//! `cargo bench -p imsbridge-server --bench token_http` (`BENCH_CLIENTS`, default 32;
//! `BENCH_SECS` per endpoint, default 6; `BENCH_READ_CACHE_TTL_MS`, default 1000, 0 to read
//! the API token and configuration from the store on every request). Client and server
//! share the machine's cores.
//!
//! The two endpoints take turns in one-second rounds, so that a machine whose speed drifts
//! (frequency scaling, neighbours) slows both alike and the ratio stays honest.

use std::sync::Arc;
use std::time::{Duration, Instant};

use imsbridge_domain::{
    AuthorizationServer, ClientId, CloudSolution, ConfigDraft, ConfigId, DraftCredentials,
    ExposeSecret, IntegrationConfig, Name, OAuthCredentials, OrgId, Scopes, SecretString,
    SystemClock, Title,
};
use imsbridge_emulator::Emulator;
use imsbridge_ims::{ImsClient, ProviderOptions, TokenProvider};
use imsbridge_server::auth::api_tokens;
use imsbridge_server::{Application, Dependencies, Settings};
use imsbridge_store::{AuditContext, Store};

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

struct Run {
    requests: u64,
    elapsed: Duration,
    latencies: Vec<Duration>,
}

impl Run {
    fn empty() -> Self {
        Self {
            requests: 0,
            elapsed: Duration::ZERO,
            latencies: Vec::new(),
        }
    }

    fn add(&mut self, other: Run) {
        self.requests += other.requests;
        self.elapsed += other.elapsed;
        self.latencies.extend(other.latencies);
        self.latencies.sort_unstable();
    }

    fn per_second(&self) -> f64 {
        self.requests as f64 / self.elapsed.as_secs_f64()
    }

    fn percentile(&self, p: f64) -> Duration {
        let i = ((self.latencies.len() as f64 - 1.0) * p).round() as usize;
        self.latencies[i]
    }
}

/// Drives `clients` concurrent keep-alive connections at one request for `secs` seconds.
async fn drive(
    clients: u64,
    secs: u64,
    make: Arc<dyn Fn(&reqwest::Client) -> reqwest::RequestBuilder + Send + Sync>,
) -> Run {
    let deadline = Instant::now() + Duration::from_secs(secs);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let make = make.clone();
        tasks.push(tokio::spawn(async move {
            let http = reqwest::Client::new();
            let mut latencies = Vec::new();
            while Instant::now() < deadline {
                let t = Instant::now();
                let r = make(&http).send().await.expect("request");
                assert!(r.status().is_success(), "status {}", r.status());
                r.bytes().await.expect("body");
                latencies.push(t.elapsed());
            }
            latencies
        }));
    }
    let mut latencies = Vec::new();
    for t in tasks {
        latencies.extend(t.await.expect("client task"));
    }
    let elapsed = started.elapsed();
    latencies.sort_unstable();
    Run {
        requests: latencies.len() as u64,
        elapsed,
        latencies,
    }
}

fn report(label: &str, run: &Run) {
    println!(
        "{label:<28} {:>9.0} req/s   p50 {:>7.2} ms   p99 {:>7.2} ms   ({} requests)",
        run.per_second(),
        run.percentile(0.50).as_secs_f64() * 1e3,
        run.percentile(0.99).as_secs_f64() * 1e3,
        run.requests
    );
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let clients = env_or("BENCH_CLIENTS", 32);
    let secs = env_or("BENCH_SECS", 6);

    let dir = tempfile::tempdir()?;
    let store = Store::open_data_dir(dir.path(), None, None).await?;
    let emulator = Emulator::spawn().await?;
    let org = emulator.create_org("Bench Org")?;
    let project = emulator.create_project(&org.id, "bench", false)?;
    let oauth = emulator.create_oauth_credential(&project.id, &["openid", "AdobeID"])?;
    let audit = AuditContext::actor("bench");
    let config = IntegrationConfig::create(
        ConfigDraft {
            name: Name::parse("bench")?,
            title: Title::parse("Bench")?,
            cloud_solution: CloudSolution::Target,
            authorization_server: AuthorizationServer::parse(&emulator.base_url())?,
            credentials: DraftCredentials::OAuth(OAuthCredentials {
                client_id: ClientId::parse(&oauth.client_id)?,
                client_secret: SecretString::from(oauth.client_secrets[0].clone()),
                scopes: Scopes::from_items(oauth.scopes.iter().map(String::as_str))?,
                org_id: OrgId::parse(&oauth.org_id)?,
                technical_account_id: None,
            }),
        },
        ConfigId::new(),
        chrono::Utc::now(),
    )?;
    store.insert_config(&config, &audit).await?;
    let (_, token) = api_tokens::issue(
        &store,
        "bench",
        "token:bench",
        Some(chrono::Utc::now() + chrono::Duration::days(1)),
        None,
        &audit,
    )
    .await?;
    let provider = TokenProvider::new(
        ImsClient::with_defaults()?,
        Arc::new(SystemClock),
        ProviderOptions::default(),
    );
    let settings = Settings {
        read_cache_ttl_ms: env_or("BENCH_READ_CACHE_TTL_MS", 1000),
        ..Settings::for_tests()
    };
    let app = Application::build(settings, Dependencies::new(store, provider)).await?;
    let base = format!("http://{}", app.local_addr());
    let server = tokio::spawn(app.run_until(std::future::pending()));

    let healthz = format!("{base}/healthz");
    let token_url = format!("{base}/api/v1/integrations/bench/token");
    let bearer = format!("Bearer {}", token.expose_secret());
    let fetch_token: Arc<dyn Fn(&reqwest::Client) -> reqwest::RequestBuilder + Send + Sync> =
        Arc::new(move |c| c.post(&token_url).header("authorization", &bearer));
    let health: Arc<dyn Fn(&reqwest::Client) -> reqwest::RequestBuilder + Send + Sync> =
        Arc::new(move |c| c.get(&healthz));

    // Warm the token cache (one upstream request) and the connections.
    drive(clients, 1, fetch_token.clone()).await;
    let upstream_before = emulator.token_requests(&oauth.client_id);

    println!(
        "{clients} concurrent keep-alive clients, {secs} s per endpoint in alternating 1 s rounds, loopback"
    );
    let (mut h, mut t) = (Run::empty(), Run::empty());
    for _ in 0..secs {
        h.add(drive(clients, 1, health.clone()).await);
        t.add(drive(clients, 1, fetch_token.clone()).await);
    }
    report("GET /healthz", &h);
    report("POST …/bench/token (cached)", &t);
    println!(
        "token throughput / healthz throughput: {:.1} %",
        100.0 * t.per_second() / h.per_second()
    );
    println!(
        "upstream IMS requests during the token run: {}",
        emulator.token_requests(&oauth.client_id) - upstream_before
    );
    server.abort();
    Ok(())
}
