//! A flood of bad sign-ins against the real `imsbridge serve`: the API's
//! `POST /api/v1/session` and the console's login form, each from `FLOOD_CLIENTS` concurrent
//! clients (default 1,000) sending attempts with random user names back to back for
//! `FLOOD_SECS` (default 10), all from one address. While it runs, valid sign-ins from the
//! same address try 3 times, 1 s apart. Prints the server's peak RSS (`VmHWM`), its threads,
//! the statuses, and whether the valid sign-ins got in.
//!
//! `FLOOD_ENDPOINTS=api` or `console` floods one of the two only.
//!
//! `cargo bench -p imsbridge --bench login_flood`. Goal: peak RSS below 200 MB, and the valid
//! sign-in succeeds.

// Tests read as one story each; a long one is clearer whole than split.
#![allow(clippy::too_many_lines)]

mod common;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use common::{ADMIN_PASSWORD, Server, env_or, sign_in, with_session};
use serde_json::json;

/// What the flood got back: (endpoint, status, error code) → count.
type Tally = BTreeMap<(&'static str, u16, String), u64>;

/// One flooding client: its own connection, one bad attempt after another.
async fn flood_client(url: String, console: bool, seed: u64, stop: Arc<AtomicBool>) -> Tally {
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(1)
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    let mut tally = Tally::new();
    let mut n = 0u64;
    while !stop.load(Ordering::Relaxed) {
        n += 1;
        let username = format!("nobody-{seed}-{n}");
        let request = if console {
            http.post(format!("{url}/console/login")).form(&[
                ("username", username.as_str()),
                ("password", "not the password at all"),
            ])
        } else {
            http.post(format!("{url}/api/v1/session"))
                .json(&json!({"username": username, "password": "not the password at all"}))
        };
        let endpoint = if console { "console form" } else { "API" };
        match request.send().await {
            Ok(r) => {
                let status = r.status().as_u16();
                let body = r.text().await.unwrap_or_default();
                let code = if console {
                    String::new()
                } else {
                    serde_json::from_str::<serde_json::Value>(&body)
                        .ok()
                        .and_then(|v| v["error"].as_str().map(str::to_owned))
                        .unwrap_or_default()
                };
                *tally.entry((endpoint, status, code)).or_default() += 1;
            }
            Err(e) => {
                let kind = if e.is_timeout() { "timeout" } else { "error" };
                *tally.entry((endpoint, 0, kind.to_owned())).or_default() += 1;
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        }
    }
    tally
}

/// Up to 3 tries, 1 s apart: the try that got in, or every status seen.
async fn valid_sign_in(server: &Server, username: &str, password: &str) -> Result<usize, Vec<u16>> {
    let http = reqwest::Client::new();
    let mut seen = Vec::new();
    for attempt in 1..=3 {
        match sign_in(&http, server, username, password).await {
            Ok(_) => return Ok(attempt),
            Err((status, _)) => seen.push(status),
        }
        if attempt < 3 {
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    }
    Err(seen)
}

fn describe(result: &Result<usize, Vec<u16>>) -> String {
    match result {
        Ok(attempt) => format!("succeeded on try {attempt} of 3"),
        Err(statuses) => format!("FAILED: statuses {statuses:?}"),
    }
}

#[tokio::main]
async fn main() {
    let clients = env_or("FLOOD_CLIENTS", 1000);
    let secs = env_or("FLOOD_SECS", 10);
    let own_limit = common::raise_own_open_files_limit();
    let server = Server::start(&[]);
    println!(
        "login flood: imsbridge serve (pid {}), open files limit {}; bench's own limit {own_limit}",
        server.pid(),
        server.open_files_limit()
    );

    // Before the flood: the admin signs in once (as anyone using the console would have) and
    // makes a second user who never has, to see both kinds of valid sign-in.
    let http = reqwest::Client::new();
    let admin = sign_in(&http, &server, "admin", ADMIN_PASSWORD)
        .await
        .expect("the admin signs in");
    let r = with_session(
        &http,
        &admin,
        reqwest::Method::POST,
        &server.at("/api/v1/users"),
    )
    .json(&json!({"username": "operator", "role": "viewer", "password": "operator passphrase"}))
    .send()
    .await
    .unwrap();
    assert!(r.status().is_success(), "creating a user: {}", r.status());
    // Let the second-user creation's own attempts' tokens come back.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let before = server.usage();
    println!(
        "before: RSS {:.1} MB, threads {}",
        before.rss_mb(),
        before.threads
    );

    let stop = Arc::new(AtomicBool::new(false));
    let peak_threads = Arc::new(AtomicU64::new(before.threads));
    let sampler = {
        let stop = Arc::clone(&stop);
        let peak_threads = Arc::clone(&peak_threads);
        let pid = server.pid();
        tokio::spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                if let Ok(status) = std::fs::read_to_string(format!("/proc/{pid}/status"))
                    && let Some(t) = status
                        .lines()
                        .find_map(|l| l.strip_prefix("Threads:"))
                        .and_then(|v| v.trim().parse::<u64>().ok())
                {
                    peak_threads.fetch_max(t, Ordering::Relaxed);
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        })
    };
    let started = Instant::now();
    let endpoints: &[bool] = match std::env::var("FLOOD_ENDPOINTS").as_deref() {
        Ok("api") => &[false],
        Ok("console") => &[true],
        _ => &[false, true],
    };
    let mut flood = Vec::new();
    for i in 0..clients {
        for &console in endpoints {
            flood.push(tokio::spawn(flood_client(
                server.url.clone(),
                console,
                i * 2 + u64::from(console),
                Arc::clone(&stop),
            )));
        }
    }
    // One second into the flood, both valid sign-ins try, from the flood's own address.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let (returning, first_time) = tokio::join!(
        valid_sign_in(&server, "admin", ADMIN_PASSWORD),
        valid_sign_in(&server, "operator", "operator passphrase"),
    );
    let rest = Duration::from_secs(secs).saturating_sub(started.elapsed());
    tokio::time::sleep(rest).await;
    stop.store(true, Ordering::Relaxed);
    let mut tally = Tally::new();
    for task in flood {
        for (key, n) in task.await.unwrap() {
            *tally.entry(key).or_default() += n;
        }
    }
    let elapsed = started.elapsed();
    let _ = sampler.await;
    let during = server.usage();
    tokio::time::sleep(Duration::from_secs(5)).await;
    let after = server.usage();

    let total: u64 = tally.values().sum();
    let on = |console: bool| {
        if endpoints.contains(&console) {
            clients
        } else {
            0
        }
    };
    println!(
        "flood: {} concurrent clients ({} on the API, {} on the console form), {total} attempts in {:.1} s ({:.0}/s), one address",
        clients * endpoints.len() as u64,
        on(false),
        on(true),
        elapsed.as_secs_f64(),
        total as f64 / elapsed.as_secs_f64()
    );
    for ((endpoint, status, code), n) in &tally {
        let status = if *status == 0 {
            "no answer".to_owned()
        } else {
            status.to_string()
        };
        println!("  {endpoint:<13} {status:<9} {code:<16} {n:>9}");
    }
    println!(
        "peak RSS (VmHWM) {:.1} MB; RSS at the end of the flood {:.1} MB, 5 s later {:.1} MB; threads at most {}",
        during.hwm_mb(),
        during.rss_mb(),
        after.rss_mb(),
        peak_threads.load(Ordering::Relaxed)
    );
    println!(
        "valid sign-in during the flood, same address, signed in from it before: {}",
        describe(&returning)
    );
    println!(
        "valid sign-in during the flood, same address, first sign-in from it:    {}",
        describe(&first_time)
    );
    println!(
        "goal: peak RSS below 200 MB ({}), the valid sign-in succeeds ({})",
        if during.hwm_mb() < 200.0 {
            "met"
        } else {
            "MISSED"
        },
        if returning.is_ok() { "met" } else { "MISSED" },
    );
}
