//! Throwaway PostgreSQL databases.
//!
//! Every database the kit makes is named `imsbridge_test_<unix seconds>_<random>`, so that
//! the time it was made can be read back from the name alone. A guard drops its database when
//! it drops (a panic unwinds through it too); a test killed outright (a timeout's `SIGKILL`)
//! never runs its `Drop`, so the first database a process makes sweeps away every prefixed
//! database older than [`STALE_AFTER`], while younger ones, which running tests own, stay.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use imsbridge_store::DatabaseUrl;

/// The environment variable naming the PostgreSQL server tests run against, as an admin URL
/// (for example `postgres://postgres@127.0.0.1:5432/postgres`).
pub const URL_VAR: &str = "TEST_POSTGRES_URL";

/// The name prefix every test database shares.
pub const PREFIX: &str = "imsbridge_test_";

/// How old a prefixed database must be before a sweep drops it: longer than any test runs
/// (nextest ends a test after five minutes), so a sweep never takes one a test still uses.
pub const STALE_AFTER: Duration = Duration::from_secs(60 * 60);

/// Whether this process has swept yet: once is enough.
static SWEPT: AtomicBool = AtomicBool::new(false);

/// The admin URL from [`URL_VAR`]; `None` when it is unset or empty.
///
/// # Panics
/// When it is set but not a PostgreSQL URL.
pub fn admin_url() -> Option<DatabaseUrl> {
    let raw = std::env::var(URL_VAR).ok().filter(|v| !v.is_empty())?;
    Some(
        DatabaseUrl::parse(&raw).unwrap_or_else(|e| panic!("{URL_VAR} is not a database URL: {e}")),
    )
}

/// A PostgreSQL database made for one test, dropped (`WITH (FORCE)`, so connections a failed
/// test left open do not keep it) when the guard drops.
pub struct TestDatabase {
    admin: DatabaseUrl,
    name: String,
}

impl std::fmt::Debug for TestDatabase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestDatabase")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

impl TestDatabase {
    /// Makes a database on the server [`URL_VAR`] names; `None` when it is unset.
    ///
    /// # Panics
    /// When the server cannot be reached or refuses to make the database.
    pub async fn create() -> Option<Self> {
        Some(Self::create_on(&admin_url()?).await)
    }

    /// Makes a database on the server `admin` connects to, after sweeping stale ones (once
    /// per process).
    ///
    /// # Panics
    /// When the server cannot be reached or refuses to make the database.
    pub async fn create_on(admin: &DatabaseUrl) -> Self {
        if !SWEPT.swap(true, Ordering::SeqCst)
            && let Err(e) = sweep(admin, STALE_AFTER).await
        {
            eprintln!("could not sweep stale test databases: {e}");
        }
        Self::create_named(admin, database_name(SystemTime::now())).await
    }

    async fn create_named(admin: &DatabaseUrl, name: String) -> Self {
        let pool = sqlx::PgPool::connect(admin.expose_secret())
            .await
            .unwrap_or_else(|e| panic!("cannot connect to {URL_VAR}: {e}"));
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&pool)
            .await
            .unwrap_or_else(|e| panic!("cannot create the test database {name}: {e}"));
        pool.close().await;
        Self {
            admin: admin.clone(),
            name,
        }
    }

    /// The database's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The URL of the database.
    pub fn url(&self) -> DatabaseUrl {
        self.admin.with_database(&self.name)
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        // Drop cannot await, and may run while a runtime unwinds or on a runtime's own
        // thread: a thread with a runtime of its own does the work.
        let admin = self.admin.clone();
        let name = std::mem::take(&mut self.name);
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a runtime to drop the test database on");
            runtime.block_on(drop_database(&admin, &name))
        });
        match dropped.join() {
            Ok(Ok(())) => {}
            Ok(Err(e)) => eprintln!("could not drop a test database: {e}"),
            Err(_) => eprintln!("dropping a test database panicked"),
        }
    }
}

/// A fresh prefixed name that records `created`.
fn database_name(created: SystemTime) -> String {
    let seconds = created
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs();
    format!("{PREFIX}{seconds}_{}", uuid::Uuid::new_v4().simple())
}

/// When a database of ours was made, read from its name; `None` for any other name.
fn created_at(name: &str) -> Option<SystemTime> {
    let (seconds, random) = name.strip_prefix(PREFIX)?.split_once('_')?;
    if random.is_empty() || !random.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    Some(UNIX_EPOCH + Duration::from_secs(seconds.parse().ok()?))
}

/// Of `names`, those of ours made more than `threshold` before `now`.
fn stale<'a>(
    names: impl IntoIterator<Item = &'a str>,
    threshold: Duration,
    now: SystemTime,
) -> Vec<&'a str> {
    names
        .into_iter()
        .filter(|name| {
            created_at(name)
                .and_then(|created| now.duration_since(created).ok())
                .is_some_and(|age| age > threshold)
        })
        .collect()
}

/// Drops every prefixed database on `admin`'s server made more than `threshold` ago (left
/// by tests that were killed); returns their names.
pub async fn sweep(admin: &DatabaseUrl, threshold: Duration) -> Result<Vec<String>, sqlx::Error> {
    sweep_among(admin, threshold, SystemTime::now(), |_| true).await
}

/// [`sweep`], at `now`, of the prefixed databases `only` accepts.
async fn sweep_among(
    admin: &DatabaseUrl,
    threshold: Duration,
    now: SystemTime,
    only: impl Fn(&str) -> bool,
) -> Result<Vec<String>, sqlx::Error> {
    let pool = sqlx::PgPool::connect(admin.expose_secret()).await?;
    let names: Vec<String> =
        sqlx::query_scalar("SELECT datname FROM pg_database WHERE starts_with(datname, $1)")
            .bind(PREFIX)
            .fetch_all(&pool)
            .await?;
    pool.close().await;
    let mut dropped = Vec::new();
    for name in stale(
        names.iter().map(String::as_str).filter(|n| only(n)),
        threshold,
        now,
    ) {
        // Another process may be sweeping the same one; whoever is second finds nothing.
        drop_database(admin, name).await?;
        dropped.push(name.to_owned());
    }
    Ok(dropped)
}

async fn drop_database(admin: &DatabaseUrl, name: &str) -> Result<(), sqlx::Error> {
    let pool = sqlx::PgPool::connect(admin.expose_secret()).await?;
    let dropped = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .execute(&pool)
        .await;
    pool.close().await;
    dropped.map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn exists(admin: &DatabaseUrl, name: &str) -> bool {
        let pool = sqlx::PgPool::connect(admin.expose_secret()).await.unwrap();
        let found: Option<i32> = sqlx::query_scalar("SELECT 1 FROM pg_database WHERE datname = $1")
            .bind(name)
            .fetch_optional(&pool)
            .await
            .unwrap();
        pool.close().await;
        found.is_some()
    }

    #[test]
    fn a_name_records_when_it_was_made() {
        let made = UNIX_EPOCH + Duration::from_secs(1_790_000_000);
        let name = database_name(made);
        assert!(name.starts_with("imsbridge_test_1790000000_"), "{name}");
        assert!(
            name.len() <= 63,
            "PostgreSQL truncates names past 63 bytes: {name}"
        );
        assert_eq!(created_at(&name), Some(made));
    }

    #[test]
    fn names_that_are_not_ours_have_no_age() {
        for name in [
            "postgres",
            "imsbridge_test",
            "imsbridge_test_",
            "imsbridge_test_abc_0123",
            "imsbridge_test_17900_",
            "imsbridge_test_17900_not-hex",
            "imsbridge_server_1790000000_abcd",
        ] {
            assert_eq!(created_at(name), None, "{name}");
        }
    }

    #[test]
    fn only_databases_older_than_the_threshold_are_stale() {
        let now = UNIX_EPOCH + Duration::from_secs(1_790_000_000);
        let young = database_name(now - Duration::from_secs(5));
        let old = database_name(now - Duration::from_secs(30));
        let future = database_name(now + Duration::from_secs(30));
        let names = [young.as_str(), old.as_str(), future.as_str(), "postgres"];
        // A lowered threshold: only the database made 30 s ago is older than 10 s.
        assert_eq!(stale(names, Duration::from_secs(10), now), [old.as_str()]);
        assert_eq!(
            stale(names, Duration::from_secs(1), now),
            [young.as_str(), old.as_str()]
        );
        assert!(stale(names, STALE_AFTER, now).is_empty());
    }

    #[tokio::test]
    async fn a_guard_drops_its_database_even_when_the_test_panics() {
        let Some(admin) = admin_url() else {
            eprintln!("{URL_VAR} is not set; the PostgreSQL leg did not run");
            return;
        };
        let db = TestDatabase::create_on(&admin).await;
        let name = db.name().to_owned();
        assert!(exists(&admin, &name).await);
        let panicked = std::thread::spawn(move || {
            let _owned = db;
            panic!("a failing test");
        })
        .join();
        assert!(panicked.is_err());
        assert!(!exists(&admin, &name).await, "{name} outlived its test");
    }

    #[tokio::test]
    async fn a_sweep_drops_a_stale_database_and_spares_a_young_one() {
        let Some(admin) = admin_url() else {
            eprintln!("{URL_VAR} is not set; the PostgreSQL leg did not run");
            return;
        };
        // Made first: the first database a process makes sweeps, and would take the stale one.
        let young = TestDatabase::create_on(&admin).await;
        // Left by a killed test: made two hours ago, its guard forgotten.
        let stale_db =
            TestDatabase::create_named(&admin, database_name(SystemTime::now() - 2 * STALE_AFTER))
                .await;
        let stale_name = stale_db.name().to_owned();
        std::mem::forget(stale_db);
        let ours = |name: &str| name == stale_name || name == young.name();

        let dropped = sweep_among(&admin, STALE_AFTER, SystemTime::now(), ours)
            .await
            .unwrap();
        assert_eq!(dropped, [stale_name.as_str()]);
        assert!(!exists(&admin, &stale_name).await);
        assert!(exists(&admin, young.name()).await);

        // With the threshold lowered below its age, the young one goes too.
        let later = SystemTime::now() + Duration::from_secs(5);
        let dropped = sweep_among(&admin, Duration::from_secs(2), later, ours)
            .await
            .unwrap();
        assert_eq!(dropped, [young.name()]);
        assert!(!exists(&admin, young.name()).await);
    }
}
