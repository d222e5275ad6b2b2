//! Client-secret rotation under steady token traffic: how long from "Rotate" until the
//! configuration has switched, and until integrations are served a token fetched with the
//! new secret; and how many token requests failed meanwhile (the goal is none).
//!
//! `cargo bench -p imsbridge-server --bench rotation` (`BENCH_CLIENTS`, default 16;
//! `BENCH_ROUNDS`, default 5; `BENCH_BACKEND=postgres` with `TEST_POSTGRES_URL` for
//! PostgreSQL). The server, its store and the IMS emulator (with the I/O Management API)
//! run in this process; clients share the machine's cores with them.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use imsbridge_testkit::{Backend, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tokio::sync::Mutex;

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// What one round measured.
struct Round {
    switched: Duration,
    new_token: Duration,
    requests: u64,
    failed: u64,
}

/// Every token the clients were served, with when it arrived.
type Seen = Arc<Mutex<Vec<(Instant, String)>>>;

async fn token(app: &TestApp, name: &str) -> Option<String> {
    let r = app
        .admin(Method::POST, &format!("/api/v1/integrations/{name}/token"))
        .send()
        .await
        .ok()?;
    if r.status() != StatusCode::OK {
        return None;
    }
    let body: Value = r.json().await.ok()?;
    body["access_token"].as_str().map(str::to_owned)
}

async fn create(app: &TestApp, name: &str) {
    let cred = app.oauth_credential();
    let mut body = app.oauth_body(name, &cred);
    body["console_org_id"] = json!(cred.console_org_id);
    body["credential_id"] = json!(cred.id);
    let r = app
        .admin(Method::POST, "/api/v1/integrations")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
}

async fn round(app: &Arc<TestApp>, name: &str, clients: u64) -> Round {
    create(app, name).await;
    let before = token(app, name).await.expect("a token before the rotation");
    let stop = Arc::new(AtomicBool::new(false));
    let (requests, failed) = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)));
    let seen: Seen = Arc::new(Mutex::new(Vec::new()));
    let mut workers = Vec::new();
    for _ in 0..clients {
        let (app, name, stop) = (app.clone(), name.to_owned(), stop.clone());
        let (requests, failed, seen) = (requests.clone(), failed.clone(), seen.clone());
        workers.push(tokio::spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                requests.fetch_add(1, Ordering::Relaxed);
                match token(&app, &name).await {
                    Some(t) => seen.lock().await.push((Instant::now(), t)),
                    None => {
                        failed.fetch_add(1, Ordering::Relaxed);
                    }
                }
            }
        }));
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let start = Instant::now();
    let r = app
        .admin(
            Method::POST,
            &format!("/api/v1/integrations/{name}/rotate-secret"),
        )
        .json(&json!({"delete_old": "after_unused", "grace_hours": 24}))
        .send()
        .await
        .unwrap();
    let switched = start.elapsed();
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["state"], "pending_delete", "{body}");
    // Traffic goes on for a while after the switch.
    tokio::time::sleep(Duration::from_millis(500)).await;
    stop.store(true, Ordering::Relaxed);
    for w in workers {
        w.await.unwrap();
    }
    let seen = seen.lock().await;
    let first_new = seen
        .iter()
        .filter(|(at, t)| *at >= start && *t != before)
        .map(|(at, _)| *at)
        .min()
        .expect("a token fetched with the new secret was served");
    Round {
        switched,
        new_token: first_new - start,
        requests: requests.load(Ordering::Relaxed),
        failed: failed.load(Ordering::Relaxed),
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let backend = match std::env::var("BENCH_BACKEND").as_deref() {
            Ok("postgres") => Backend::Postgres,
            _ => Backend::Sqlite,
        };
        let clients = env_or("BENCH_CLIENTS", 16);
        let rounds = env_or("BENCH_ROUNDS", 5);
        let app = Arc::new(
            TestApp::spawn(backend)
                .await
                .expect("PostgreSQL needs TEST_POSTGRES_URL"),
        );
        app.emulator
            .add_api(&app.project_id, "AdobeIOManagementAPISDK")
            .unwrap();
        println!("rotation under load: {backend:?}, {clients} clients, {rounds} rounds");
        let mut results = Vec::new();
        for i in 0..rounds {
            let r = round(&app, &format!("bench-rotation-{i}"), clients).await;
            println!(
                "round {i}: switched after {:.1} ms, new secret's token served after {:.1} ms, {} token requests, {} failed",
                ms(r.switched),
                ms(r.new_token),
                r.requests,
                r.failed
            );
            results.push(r);
        }
        let mut switched: Vec<f64> = results.iter().map(|r| ms(r.switched)).collect();
        let mut new_token: Vec<f64> = results.iter().map(|r| ms(r.new_token)).collect();
        switched.sort_by(f64::total_cmp);
        new_token.sort_by(f64::total_cmp);
        let median = |v: &[f64]| v[v.len() / 2];
        println!(
            "median: switched {:.1} ms, new secret in use {:.1} ms (max {:.1} ms); token requests {}, failed {}",
            median(&switched),
            median(&new_token),
            new_token.last().copied().unwrap_or_default(),
            results.iter().map(|r| r.requests).sum::<u64>(),
            results.iter().map(|r| r.failed).sum::<u64>()
        );
        match Arc::try_unwrap(app) {
            Ok(app) => app.stop().await,
            Err(_) => unreachable!("every client has stopped"),
        }
    });
}
