//! What integrations see through `POST …/{name}/token` while IMS misbehaves, with default
//! settings (a 5 s token budget) and no cached token: per fault, what 10 concurrent callers
//! hear and how fast, how many requests reach IMS, how soon service resumes once IMS is
//! healthy again, and whether callers with a cached token are still served.
//!
//! `cargo bench -p imsbridge-server --bench ims_faults` (`BENCH_CALLERS`, default 10).
//! Real time throughout (the system clock, real backoff): about two minutes.
//!
//! For each fault, on a fresh server and emulator:
//! 1. burst: the callers ask once, together (the latencies and answers reported);
//! 2. sustained: they keep asking, 50 ms apart, ignoring `Retry-After` (the worst client);
//!    IMS requests are counted over two `Retry-After` windows, or 7.5 s;
//! 3. recovery: then the fault is cleared, whatever the callers are waiting for, and they go
//!    on asking; reported is the time from IMS being healthy (for a 429: from its
//!    `Retry-After` passing, as imsbridge recorded it) to the first token served;
//! 4. cached: with a token cached, the fault is set again and the callers ask for 2 s.

use std::sync::Arc;
use std::time::{Duration, Instant};

use imsbridge_domain::{
    AuthorizationServer, ClientId, CloudSolution, ConfigDraft, ConfigId, DraftCredentials,
    ExposeSecret, IntegrationConfig, Name, OAuthCredentials, OrgId, Scopes, SecretString,
    SystemClock, Title,
};
use imsbridge_emulator::{Emulator, EmulatorHandle, Endpoint, Fault};
use imsbridge_ims::{ImsClient, ImsClientOptions, ProviderOptions, TokenProvider};
use imsbridge_server::auth::api_tokens;
use imsbridge_server::{Application, Dependencies, Settings};
use imsbridge_store::{AuditContext, Store};

struct Bench {
    base: String,
    bearer: String,
    emulator: EmulatorHandle,
    client_id: ClientId,
    provider: TokenProvider,
    server: AuthorizationServer,
    _dir: tempfile::TempDir,
    task: tokio::task::JoinHandle<Result<(), imsbridge_server::ServerError>>,
}

impl Bench {
    /// A fresh store, emulator and server with default settings.
    async fn start() -> Result<Self, Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let store = Store::open_data_dir(dir.path(), None, None).await?;
        let emulator = Emulator::spawn().await?;
        let org = emulator.create_org("Bench Org")?;
        let project = emulator.create_project(&org.id, "bench", false)?;
        let oauth = emulator.create_oauth_credential(&project.id, &["openid", "AdobeID"])?;
        let audit = AuditContext::actor("bench");
        let server = AuthorizationServer::parse(&emulator.base_url())?;
        let client_id = ClientId::parse(&oauth.client_id)?;
        let config = IntegrationConfig::create(
            ConfigDraft {
                name: Name::parse("bench")?,
                title: Title::parse("Bench")?,
                cloud_solution: CloudSolution::Target,
                authorization_server: server.clone(),
                credentials: DraftCredentials::OAuth(OAuthCredentials {
                    client_id: client_id.clone(),
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
            ImsClient::new(&ImsClientOptions::default())?,
            Arc::new(SystemClock),
            ProviderOptions::default(),
        );
        let app = Application::build(
            Settings::for_tests(),
            Dependencies::new(store, provider.clone()),
        )
        .await?;
        let base = format!("http://{}", app.local_addr());
        let task = tokio::spawn(app.run_until(std::future::pending()));
        Ok(Self {
            base,
            bearer: format!("Bearer {}", token.expose_secret()),
            emulator,
            client_id,
            provider,
            server,
            _dir: dir,
            task,
        })
    }

    fn requests(&self) -> u64 {
        self.emulator.token_requests(self.client_id.as_str())
    }
}

/// One caller's answer.
#[derive(Clone)]
struct Answer {
    at: Instant,
    latency: Duration,
    status: u16,
    error: String,
}

async fn ask(http: &reqwest::Client, b: &Arc<Bench>) -> Answer {
    let at = Instant::now();
    let r = http
        .post(format!("{}/api/v1/integrations/bench/token", b.base))
        .header("authorization", &b.bearer)
        .send()
        .await
        .expect("the server answers");
    let status = r.status().as_u16();
    let body: serde_json::Value = r.json().await.expect("a JSON body");
    let error = if status == 200 {
        String::new()
    } else {
        format!(
            "{} {}",
            body["error"].as_str().unwrap_or("?"),
            body["ims_error"].as_str().unwrap_or("-")
        )
    };
    Answer {
        at,
        latency: at.elapsed(),
        status,
        error,
    }
}

/// `callers` clients asking every `pause` until `until` says stop (checked after each
/// answer); all answers, in no particular order.
async fn keep_asking(
    b: &Arc<Bench>,
    callers: usize,
    pause: Duration,
    until: impl Fn(&Answer) -> bool + Send + Sync + Clone + 'static,
    deadline: Instant,
) -> Vec<Answer> {
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let tasks: Vec<_> = (0..callers)
        .map(|_| {
            let (b, until, stop) = (Arc::clone(b), until.clone(), Arc::clone(&stop));
            tokio::spawn(async move {
                let http = reqwest::Client::new();
                let mut answers = Vec::new();
                while !stop.load(std::sync::atomic::Ordering::Relaxed) && Instant::now() < deadline
                {
                    let answer = ask(&http, &b).await;
                    if until(&answer) {
                        stop.store(true, std::sync::atomic::Ordering::Relaxed);
                    }
                    answers.push(answer);
                    tokio::time::sleep(pause).await;
                }
                answers
            })
        })
        .collect();
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.expect("caller task"));
    }
    all
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn ms(d: Duration) -> String {
    if d >= Duration::from_secs(1) {
        format!("{:.2} s", d.as_secs_f64())
    } else {
        format!("{:.0} ms", d.as_secs_f64() * 1e3)
    }
}

/// The measured row of one fault.
struct Row {
    fault: &'static str,
    answer: String,
    p50: Duration,
    max: Duration,
    burst_requests: u64,
    sustained: String,
    recovery: String,
    cached: String,
}

async fn measure(
    label: &'static str,
    fault: Fault,
    window: Option<u64>,
    callers: usize,
) -> Result<Row, Box<dyn std::error::Error>> {
    let b = Arc::new(Bench::start().await?);
    b.emulator.set_fault(Endpoint::TokenV3, fault.clone())?;

    // 1. burst
    let before = b.requests();
    let burst: Vec<Answer> = futures::future::join_all((0..callers).map(|_| {
        let b = Arc::clone(&b);
        async move { ask(&reqwest::Client::new(), &b).await }
    }))
    .await;
    let burst_requests = b.requests() - before;
    let mut latencies: Vec<Duration> = burst.iter().map(|a| a.latency).collect();
    latencies.sort_unstable();
    let mut kinds: Vec<String> = burst
        .iter()
        .map(|a| format!("{} {}", a.status, a.error).trim().to_owned())
        .collect();
    kinds.sort();
    kinds.dedup();

    // 2. sustained, then 3. recovery: the callers keep asking while the fault is cleared
    // at a set time, whatever they are waiting for then.
    // Not a multiple of the 5 s budget: for a hang, IMS heals while a request hangs.
    let span = window.map_or(Duration::from_millis(7500), |w| Duration::from_secs(2 * w));
    let before = b.requests();
    let started = Instant::now();
    let cleared_at = Arc::new(std::sync::OnceLock::<Instant>::new());
    let callers_done = {
        let cleared_at = Arc::clone(&cleared_at);
        let b = Arc::clone(&b);
        tokio::spawn(async move {
            keep_asking(
                &b,
                callers,
                Duration::from_millis(50),
                move |a| a.status == 200 && cleared_at.get().is_some_and(|c| a.at >= *c),
                started + span + Duration::from_secs(30),
            )
            .await
        })
    };
    tokio::time::sleep(span).await;
    let sustained_requests = b.requests() - before;
    let throttled_until = b
        .provider
        .throttling(&b.server, &b.client_id)
        .map(|t| t.until);
    b.emulator.clear_faults();
    let cleared = Instant::now();
    let _ = cleared_at.set(cleared);
    let sustained = match window {
        Some(w) => format!(
            "{sustained_requests} in {:.1} s ({:.1} per {w} s window)",
            span.as_secs_f64(),
            sustained_requests as f64 * w as f64 / span.as_secs_f64()
        ),
        None => format!("{sustained_requests} in {:.1} s", span.as_secs_f64()),
    };
    // For a 429, IMS is "healthy" once the Retry-After imsbridge holds to has passed.
    let healthy = match throttled_until {
        Some(until) => cleared + (until - chrono::Utc::now()).to_std().unwrap_or_default(),
        None => cleared,
    };
    let answers = callers_done.await?;
    let recovery = answers
        .iter()
        .filter(|a| a.status == 200 && a.at + a.latency >= cleared)
        .map(|a| a.at + a.latency)
        .min()
        .map_or_else(
            || "none in 30 s".to_owned(),
            |first| ms(first.saturating_duration_since(healthy)),
        );

    // 4. cached
    b.emulator.set_fault(Endpoint::TokenV3, fault)?;
    let answers = keep_asking(
        &b,
        callers,
        Duration::from_millis(10),
        |_| false,
        Instant::now() + Duration::from_secs(2),
    )
    .await;
    let served = answers.iter().filter(|a| a.status == 200).count();
    let cached = format!(
        "{:.1} % of {}",
        100.0 * served as f64 / answers.len() as f64,
        answers.len()
    );
    b.task.abort();

    Ok(Row {
        fault: label,
        answer: kinds.join(", "),
        p50: percentile(&latencies, 0.5),
        max: percentile(&latencies, 1.0),
        burst_requests,
        sustained,
        recovery,
        cached,
    })
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let callers = std::env::var("BENCH_CALLERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10);
    let faults: Vec<(&'static str, Fault, Option<u64>)> = vec![
        (
            "429, Retry-After: 5",
            Fault::RateLimited {
                retry_after_secs: 5,
            },
            Some(5),
        ),
        (
            "429, Retry-After: 20",
            Fault::RateLimited {
                retry_after_secs: 20,
            },
            Some(20),
        ),
        ("answers after 3 s", Fault::Latency { ms: 3_000 }, None),
        ("hangs (120 s)", Fault::Latency { ms: 120_000 }, None),
        ("outage (503)", Fault::Outage, None),
        (
            "500 always",
            Fault::Error {
                status: 500,
                rate: 1.0,
            },
            None,
        ),
        (
            "500 at rate 0.5",
            Fault::Error {
                status: 500,
                rate: 0.5,
            },
            None,
        ),
        ("connection reset", Fault::ConnectionReset, None),
        ("malformed body", Fault::MalformedBody, None),
    ];
    println!(
        "{callers} concurrent callers, no cached token, default settings (token budget 5000 ms), loopback"
    );
    println!(
        "| IMS does | callers saw | p50 | max | IMS requests (burst) | IMS requests (sustained) | recovery | with a cached token |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    for (label, fault, window) in faults {
        let r = measure(label, fault, window, callers).await?;
        println!(
            "| {} | {} | {} | {} | {} | {} | {} | {} |",
            r.fault,
            r.answer,
            ms(r.p50),
            ms(r.max),
            r.burst_requests,
            r.sustained,
            r.recovery,
            r.cached
        );
    }
    Ok(())
}
