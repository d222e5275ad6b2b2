//! Memory under a steady load: the real `imsbridge serve` hands out a cached access token to
//! `SOAK_TOKEN_CLIENTS` clients (default 24) and renders console pages for
//! `SOAK_CONSOLE_CLIENTS` (default 8), as fast as they ask, for `BENCH_SECS` (default 300).
//! Prints the server's RSS every `SOAK_SAMPLE_SECS` (default 30) and its growth after the
//! warm-up (`SOAK_WARMUP_SECS`, default 60). Nobody scrapes `/metrics`.
//!
//! `cargo bench -p imsbridge --bench soak`. Goal: flat within ±10 MB over 5 minutes.

// Tests read as one story each; a long one is clearer whole than split.
#![allow(clippy::too_many_lines)]

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use common::{ADMIN_PASSWORD, Server, env_or, sign_in, with_session};
use imsbridge_emulator::{ClockMode, Emulator, EmulatorConfig};
use serde_json::{Value, json};

#[derive(Default)]
struct Counts {
    ok: AtomicU64,
    failed: AtomicU64,
}

async fn drive(
    stop: Arc<AtomicBool>,
    counts: Arc<Counts>,
    make: impl Fn(&reqwest::Client) -> reqwest::RequestBuilder,
) {
    let http = reqwest::Client::new();
    while !stop.load(Ordering::Relaxed) {
        let ok = match make(&http).send().await {
            Ok(r) => r.status().is_success() && r.bytes().await.is_ok(),
            Err(_) => false,
        };
        if ok {
            counts.ok.fetch_add(1, Ordering::Relaxed);
        } else {
            counts.failed.fetch_add(1, Ordering::Relaxed);
        }
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let secs = env_or("BENCH_SECS", 300);
    let sample = env_or("SOAK_SAMPLE_SECS", 30).max(1);
    let warmup = env_or("SOAK_WARMUP_SECS", 60).min(secs);
    let token_clients = env_or("SOAK_TOKEN_CLIENTS", 24);
    let console_clients = env_or("SOAK_CONSOLE_CLIENTS", 8);

    // IMS, in this process: its memory is not the server's.
    let emulator = Emulator::spawn_with(EmulatorConfig {
        clock: ClockMode::System,
        ..EmulatorConfig::default()
    })
    .await?;
    let org = emulator.create_org("Soak Org")?;
    let project = emulator.create_project(&org.id, "soak", false)?;
    let cred = emulator.create_oauth_credential(&project.id, &["openid", "AdobeID"])?;

    let server = Server::start(&[]);
    let http = reqwest::Client::new();
    let admin = sign_in(&http, &server, "admin", ADMIN_PASSWORD)
        .await
        .map_err(|(s, b)| format!("sign-in refused: {s} {b}"))?;
    let post = |path: &str, body: Value| {
        with_session(&http, &admin, reqwest::Method::POST, &server.at(path)).json(&body)
    };
    let created = post(
        "/api/v1/integrations",
        json!({
            "name": "soak",
            "title": "Soak",
            "cloud_solution": "target",
            "authorization_server": emulator.base_url(),
            "client_id": cred.client_id,
            "client_secret": cred.client_secrets[0],
            "scopes": cred.scopes,
            "org_id": cred.org_id,
        }),
    )
    .send()
    .await?;
    assert!(created.status().is_success(), "{}", created.text().await?);
    let token: Value = post(
        "/api/v1/api-tokens",
        json!({"name": "soak", "scope": "token:soak"}),
    )
    .send()
    .await?
    .json()
    .await?;
    let token = token["token"].as_str().ok_or("no API token")?.to_owned();

    println!(
        "soak: imsbridge serve (pid {}), {token_clients} clients fetching a cached token, {console_clients} rendering console pages, {secs} s, RSS every {sample} s",
        server.pid()
    );
    let stop = Arc::new(AtomicBool::new(false));
    let tokens = Arc::new(Counts::default());
    let pages = Arc::new(Counts::default());
    let mut tasks = Vec::new();
    for _ in 0..token_clients {
        let url = server.at("/api/v1/integrations/soak/token");
        let token = token.clone();
        tasks.push(tokio::spawn(drive(
            Arc::clone(&stop),
            Arc::clone(&tokens),
            move |http| http.post(&url).bearer_auth(&token),
        )));
    }
    for i in 0..console_clients {
        let list = server.at("/console/integrations");
        let properties = server.at("/console/integrations/soak");
        let cookie = admin.cookie.clone();
        let n = AtomicU64::new(i);
        tasks.push(tokio::spawn(drive(
            Arc::clone(&stop),
            Arc::clone(&pages),
            move |http| {
                let url = if n.fetch_add(1, Ordering::Relaxed).is_multiple_of(2) {
                    &list
                } else {
                    &properties
                };
                http.get(url).header("cookie", &cookie)
            },
        )));
    }

    let started = Instant::now();
    let first = server.usage();
    println!(
        "{:>6}  {:>9}  {:>9}  {:>8}  {:>12}  {:>12}",
        "time", "RSS MB", "peak MB", "threads", "tokens/s", "pages/s"
    );
    println!(
        "{:>5}s  {:>9.1}  {:>9.1}  {:>8}  {:>12}  {:>12}",
        0,
        first.rss_mb(),
        first.hwm_mb(),
        first.threads,
        "-",
        "-"
    );
    let mut after_warmup = None;
    let mut samples = Vec::new();
    let (mut last_tokens, mut last_pages, mut last_at) = (0, 0, started);
    let mut next = Duration::from_secs(sample.min(secs));
    loop {
        tokio::time::sleep(next.saturating_sub(started.elapsed())).await;
        let usage = server.usage();
        let now = Instant::now();
        let (t, p) = (
            tokens.ok.load(Ordering::Relaxed),
            pages.ok.load(Ordering::Relaxed),
        );
        let dt = now.duration_since(last_at).as_secs_f64();
        println!(
            "{:>5}s  {:>9.1}  {:>9.1}  {:>8}  {:>12.0}  {:>12.0}",
            next.as_secs(),
            usage.rss_mb(),
            usage.hwm_mb(),
            usage.threads,
            (t - last_tokens) as f64 / dt,
            (p - last_pages) as f64 / dt
        );
        (last_tokens, last_pages, last_at) = (t, p, now);
        if next.as_secs() >= warmup {
            after_warmup.get_or_insert(usage.rss_mb());
            samples.push(usage.rss_mb());
        }
        if next.as_secs() >= secs {
            break;
        }
        next = (next + Duration::from_secs(sample)).min(Duration::from_secs(secs));
    }
    stop.store(true, Ordering::Relaxed);
    for task in tasks {
        let _ = task.await;
    }
    let elapsed = started.elapsed().as_secs_f64();
    let base = after_warmup.unwrap_or(first.rss_mb());
    let last = samples.last().copied().unwrap_or(base);
    let (lo, hi) = samples
        .iter()
        .fold((f64::MAX, f64::MIN), |(lo, hi), v| (lo.min(*v), hi.max(*v)));
    println!(
        "served {} tokens ({:.0}/s) and {} console pages ({:.0}/s); {} token and {} page requests failed",
        tokens.ok.load(Ordering::Relaxed),
        tokens.ok.load(Ordering::Relaxed) as f64 / elapsed,
        pages.ok.load(Ordering::Relaxed),
        pages.ok.load(Ordering::Relaxed) as f64 / elapsed,
        tokens.failed.load(Ordering::Relaxed),
        pages.failed.load(Ordering::Relaxed),
    );
    let growth = last - base;
    println!(
        "growth after the {warmup} s warm-up: {growth:+.1} MB ({base:.1} → {last:.1} MB; lowest {lo:.1}, highest {hi:.1}); goal ±10 MB: {}",
        if growth.abs() <= 10.0 && hi - lo <= 20.0 {
            "met"
        } else {
            "MISSED"
        }
    );
    drop(server);
    emulator.shutdown().await;
    Ok(())
}
