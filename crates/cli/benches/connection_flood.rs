//! A flood of connections that never finish their request head, against the real
//! `imsbridge serve`: `IDLE_CONNECTIONS` of them (default 1,200, more than the usual soft limit
//! of 1,024 open files), then `/healthz` asked 20 times on fresh connections. Run twice: with
//! the default `max_connections`, and with `max_connections = 500`, where the server must
//! close idle connections to make room. Prints how fast `/healthz` answered and how many idle
//! connections the server closed.
//!
//! `cargo bench -p imsbridge --bench connection_flood`.

mod common;

use std::time::{Duration, Instant};

use common::{Server, env_or};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;

async fn run(label: &str, envs: &[(&str, &str)], idle_count: u64) {
    let server = Server::start(envs);
    let mut idle = Vec::new();
    let mut refused = 0;
    for _ in 0..idle_count {
        match TcpStream::connect(server.authority()).await {
            Ok(mut stream) => {
                let _ = stream
                    .write_all(b"GET /healthz HTTP/1.1\r\nHost: bench\r\n")
                    .await;
                idle.push(stream);
            }
            Err(_) => refused += 1,
        }
    }
    let usage = server.usage();
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .timeout(Duration::from_secs(15))
        .build()
        .unwrap();
    let mut latencies = Vec::new();
    let mut failures = 0;
    for _ in 0..20 {
        let t = Instant::now();
        match http.get(server.at("/healthz")).send().await {
            Ok(r) if r.status().is_success() => latencies.push(t.elapsed()),
            _ => failures += 1,
        }
    }
    latencies.sort_unstable();
    let reads = idle.iter_mut().map(|stream| async move {
        let mut buf = [0u8; 16];
        matches!(
            tokio::time::timeout(Duration::from_millis(500), stream.read(&mut buf)).await,
            Ok(Ok(0) | Err(_))
        )
    });
    let closed = futures::future::join_all(reads)
        .await
        .into_iter()
        .filter(|c| *c)
        .count();
    let ms = |d: Option<&Duration>| d.map_or(f64::NAN, |d| d.as_secs_f64() * 1e3);
    println!(
        "{label}: open files limit {}; {} idle connections open ({refused} refused), RSS {:.1} MB, threads {}",
        server.open_files_limit(),
        idle.len(),
        usage.rss_mb(),
        usage.threads
    );
    println!(
        "  /healthz: {} of 20 answered, p50 {:.1} ms, max {:.1} ms; idle connections closed by the server: {closed}",
        latencies.len(),
        ms(latencies.get(latencies.len() / 2)),
        ms(latencies.last()),
    );
    if failures > 0 {
        println!("  /healthz failed {failures} times");
    }
}

#[tokio::main]
async fn main() {
    let idle = env_or("IDLE_CONNECTIONS", 1200);
    let own = common::raise_own_open_files_limit();
    println!(
        "connection flood: {idle} connections that never finish their head; bench's own open files limit {own}"
    );
    run("default max_connections", &[], idle).await;
    run(
        "max_connections = 500",
        &[("IMSBRIDGE_SERVER__MAX_CONNECTIONS", "500")],
        idle,
    )
    .await;
}
