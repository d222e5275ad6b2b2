//! The console's configuration list with 10,000 configurations: how long the pages an
//! administrator uses take to render — the first page, a page deep in the list, a title
//! search and a filter — on SQLite, and on PostgreSQL when `TEST_POSTGRES_URL` is set.
//!
//! `cargo bench -p imsbridge-server --bench console_list`
//! (`BENCH_CONFIGS`, default 10000; `BENCH_REQUESTS` per page, default 50).
//!
//! Measured on the 2-core development machine (release): every page's p99 under 3 ms on
//! SQLite except the JWT + Analytics filter (16 ms), and under 18 ms on PostgreSQL.

#[path = "../tests/bulk_common/mod.rs"]
mod bulk_common;

use std::time::{Duration, Instant};

use imsbridge_domain::{Origin, SecretString, SystemClock};
use imsbridge_server::{Application, Dependencies, Settings, bootstrap_admin};
use imsbridge_store::DatabaseKind;

use bulk_common::{Estate, provider};
use imsbridge_testkit::TestData;

const PASSWORD: &str = "console list bench password";

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

async fn bench(kind: DatabaseKind, n: usize, requests: usize) {
    let db = TestData::new(kind).await.unwrap();
    let store = db.store().await;
    let estate = Estate::start().await;
    let seeding = Instant::now();
    estate.seed(&store, "bench", n, Origin::Customer).await;
    eprintln!(
        "{kind:?}: seeded {n} configurations in {:.1?}",
        seeding.elapsed()
    );
    bootstrap_admin(&store, Some(&SecretString::from(PASSWORD.to_owned())))
        .await
        .unwrap();
    let app = Application::build(
        Settings::for_tests(),
        Dependencies {
            store,
            provider: provider(),
            clock: std::sync::Arc::new(SystemClock),
        },
    )
    .await
    .unwrap();
    let base = format!("http://127.0.0.1:{}", app.port());
    let server = tokio::spawn(app.run_until(std::future::pending()));

    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let login = http
        .post(format!("{base}/api/v1/session"))
        .json(&serde_json::json!({"username": "admin", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    let cookie = login.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();

    let last_page = n.div_ceil(50);
    let pages = [
        ("first page".to_owned(), "/console/integrations".to_owned()),
        (
            format!("page {}", last_page / 2),
            format!("/console/integrations?page={}", last_page / 2),
        ),
        (
            format!("last page ({last_page})"),
            format!("/console/integrations?page={last_page}"),
        ),
        (
            "title search".to_owned(),
            format!("/console/integrations?q=bench-{:05}", n / 3),
        ),
        (
            "filter: JWT, Analytics".to_owned(),
            "/console/integrations?auth_type=jwt&solution=analytics&page=7".to_owned(),
        ),
    ];
    println!("{kind:?}, {n} configurations, {requests} sequential requests per page:");
    for (label, path) in pages {
        let url = format!("{base}{path}");
        let mut times = Vec::with_capacity(requests);
        let mut bytes = 0;
        for _ in 0..requests {
            let t = Instant::now();
            let r = http
                .get(&url)
                .header("cookie", &cookie)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 200, "{path}");
            bytes = r.bytes().await.unwrap().len();
            times.push(t.elapsed());
        }
        times.sort_unstable();
        let at = |p: f64| times[((times.len() - 1) as f64 * p).round() as usize];
        let ms = |d: Duration| d.as_secs_f64() * 1e3;
        println!(
            "  {label:<26} p50 {:>7.2} ms   p99 {:>7.2} ms   ({} KiB)",
            ms(at(0.5)),
            ms(at(0.99)),
            bytes / 1024
        );
    }
    server.abort();
}

#[tokio::main]
async fn main() {
    let n = env_usize("BENCH_CONFIGS", 10_000);
    let requests = env_usize("BENCH_REQUESTS", 50).max(1);
    for kind in TestData::kinds() {
        bench(kind, n, requests).await;
    }
}
