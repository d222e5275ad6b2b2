//! Tokens issued per second by `/ims/token/v3`, with N concurrent loopback clients.
//!
//! `cargo bench -p imsbridge-emulator --bench token_throughput`
//! Tunables: `BENCH_CLIENTS` (default 16), `BENCH_SECS` (default 5).

use std::time::{Duration, Instant};

use imsbridge_emulator::Emulator;

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let idx = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[idx]
}

#[tokio::main]
async fn main() {
    let clients = env_or("BENCH_CLIENTS", 16);
    let secs = env_or("BENCH_SECS", 5);
    let emulator = Emulator::spawn().await.expect("emulator starts");
    let org = emulator.create_org("Bench").expect("org");
    let project = emulator
        .create_project(&org.id, "bench", false)
        .expect("project");
    let cred = emulator
        .create_oauth_credential(&project.id, &["openid", "AdobeID"])
        .expect("credential");
    let url = format!("{}/ims/token/v3", emulator.base_url());
    let form = vec![
        ("grant_type".to_owned(), "client_credentials".to_owned()),
        ("client_id".to_owned(), cred.client_id.clone()),
        ("client_secret".to_owned(), cred.client_secrets[0].clone()),
        ("scope".to_owned(), "openid,AdobeID".to_owned()),
    ];

    // Warm up: the signing key is generated on first use.
    let http = reqwest::Client::new();
    let warm = http.post(&url).form(&form).send().await.expect("warm-up");
    assert!(
        warm.status().is_success(),
        "warm-up failed: {}",
        warm.status()
    );

    let deadline = Instant::now() + Duration::from_secs(secs);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let http = reqwest::Client::new();
        let url = url.clone();
        let form = form.clone();
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut failures = 0u64;
            while Instant::now() < deadline {
                let t = Instant::now();
                match http.post(&url).form(&form).send().await {
                    Ok(r) if r.status().is_success() => {
                        let _ = r.bytes().await;
                        latencies.push(t.elapsed());
                    }
                    _ => failures += 1,
                }
            }
            (latencies, failures)
        }));
    }
    let mut latencies = Vec::new();
    let mut failures = 0;
    for t in tasks {
        let (l, f) = t.await.expect("client task");
        latencies.extend(l);
        failures += f;
    }
    let elapsed = started.elapsed();
    latencies.sort_unstable();
    let issued = latencies.len();
    println!(
        "token_throughput: {clients} clients, {:.1} s",
        elapsed.as_secs_f64()
    );
    println!("  tokens issued: {issued} ({failures} failed)");
    println!(
        "  tokens/s:      {:.0}",
        issued as f64 / elapsed.as_secs_f64()
    );
    println!(
        "  p50 latency:   {:.2} ms",
        percentile(&latencies, 0.50).as_secs_f64() * 1e3
    );
    println!(
        "  p99 latency:   {:.2} ms",
        percentile(&latencies, 0.99).as_secs_f64() * 1e3
    );
    emulator.shutdown().await;
}
