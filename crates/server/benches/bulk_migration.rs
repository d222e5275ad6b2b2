//! 10,000 JWT configurations migrated from a plan, each verified against the emulator (a
//! client-credentials token fetched) before it commits: SQLite, and PostgreSQL when
//! `TEST_POSTGRES_URL` is set. Prints the time and configurations per second.
//!
//! `cargo bench -p imsbridge-server --bench bulk_migration`
//! (`BENCH_CONFIGS`, default 10000; `BENCH_CONCURRENCY`, default 32).
//!
//! The credentials share one key pair (bound as the certificate of every JWT credential), so
//! seeding needs one RSA key generation, not 10,000; each still has its own client id and
//! secret, and the emulator migrates each (same id and secret) as the Developer Console does.
//!
//! Measured on the 2-core development machine (release, concurrency 32, emulator in-process):
//! SQLite 24.9 s (401 configurations/s), PostgreSQL 43.1 s (232 configurations/s).

#[path = "../tests/bulk_common/mod.rs"]
mod bulk_common;

use std::time::Instant;

use imsbridge_domain::{Origin, SystemClock};
use imsbridge_server::bulk::{ApplyOptions, Plan, PlanOptions, Quiet, apply};
use imsbridge_store::DatabaseKind;

use bulk_common::{Estate, provider};
use imsbridge_testkit::TestData;

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

async fn bench(kind: DatabaseKind, n: usize, concurrency: usize) {
    let db = TestData::new(kind).await.unwrap();
    let store = db.store().await;
    let estate = Estate::start().await;
    let seeding = Instant::now();
    let creds = estate.seed(&store, "bench", n, Origin::Customer).await;
    for c in &creds {
        estate.ims.migrate_jwt_credential(&c.client_id).unwrap();
    }
    eprintln!(
        "{kind:?}: seeded {n} JWT configurations in {:.1?}",
        seeding.elapsed()
    );

    let planning = Instant::now();
    let plan = Plan::generate(
        &store,
        chrono::Utc::now(),
        PlanOptions {
            keep_jwt_secret: true,
        },
    )
    .await
    .unwrap();
    let plan_time = planning.elapsed();

    let options = ApplyOptions {
        concurrency,
        ..ApplyOptions::default()
    };
    let started = Instant::now();
    let report = apply(&store, &provider(), &SystemClock, &plan, &options, &Quiet)
        .await
        .unwrap();
    let took = started.elapsed();
    assert_eq!(report.migrated, n, "{}", report.to_table());
    let verified = estate
        .ims
        .total_requests(imsbridge_emulator::Endpoint::TokenV3);
    println!(
        "bulk_migration {kind:?}: plan of {n} in {:.2?}; apply (validate + verify + migrate, concurrency {concurrency}) in {:.2?} = {:.0} configurations/s; {verified} verification tokens issued",
        plan_time,
        took,
        n as f64 / took.as_secs_f64()
    );
    store.close().await;
}

fn main() {
    let n = env_usize("BENCH_CONFIGS", 10_000);
    let concurrency = env_usize("BENCH_CONCURRENCY", 32);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    for kind in TestData::kinds() {
        runtime.block_on(bench(kind, n, concurrency));
    }
}
