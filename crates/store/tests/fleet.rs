//! What replicas sharing one PostgreSQL database rely on: changes announced to every
//! listener (and the read cache emptied by them), and leases one replica holds at a time.
//! PostgreSQL cases run when `TEST_POSTGRES_URL` is set; SQLite has none of this to offer
//! and says so.

use std::time::Duration;

use chrono::Utc;
use imsbridge_domain::{
    AuthorizationServer, ClientId, CloudSolution, ConfigDraft, ConfigId, DraftCredentials,
    IntegrationConfig, Name, OAuthCredentials, OrgId, Revision, Scopes, SecretString, Title,
};
use imsbridge_store::{
    AuditContext, Change, ChangeListener, DatabaseUrl, FleetLock, NewApiToken, Store,
};

/// A PostgreSQL database of its own, dropped even when the test fails.
struct PgDb {
    admin: DatabaseUrl,
    name: String,
    dir: tempfile::TempDir,
}

impl PgDb {
    async fn new() -> Option<Self> {
        let Ok(raw) = std::env::var("TEST_POSTGRES_URL") else {
            eprintln!("TEST_POSTGRES_URL is not set; the PostgreSQL cases did not run");
            return None;
        };
        let admin = DatabaseUrl::parse(&raw).unwrap();
        let name = format!("imsbridge_fleet_{}", uuid::Uuid::new_v4().simple());
        let pool = sqlx::PgPool::connect(admin.expose_secret()).await.unwrap();
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&pool)
            .await
            .unwrap();
        pool.close().await;
        Some(Self {
            admin,
            name,
            dir: tempfile::tempdir().unwrap(),
        })
    }

    /// One more replica's store on the database (one key file for all).
    async fn replica(&self) -> Store {
        let url = self.admin.with_database(&self.name);
        Store::open_data_dir(self.dir.path(), Some(&url), None)
            .await
            .unwrap()
    }
}

impl Drop for PgDb {
    fn drop(&mut self) {
        let (admin, name) = (self.admin.clone(), self.name.clone());
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async {
                if let Ok(pool) = sqlx::PgPool::connect(admin.expose_secret()).await {
                    let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                        .execute(&pool)
                        .await;
                    pool.close().await;
                }
            });
        })
        .join();
    }
}

fn audit() -> AuditContext {
    AuditContext::actor("fleet-test")
}

fn config(name: &str) -> IntegrationConfig {
    IntegrationConfig::create(
        ConfigDraft {
            name: Name::parse(name).unwrap(),
            title: Title::parse("Fleet").unwrap(),
            cloud_solution: CloudSolution::Target,
            authorization_server: AuthorizationServer::default(),
            credentials: DraftCredentials::OAuth(OAuthCredentials {
                client_id: ClientId::parse("a1b2c3d4e5f60718293a4b5c6d7e8f90").unwrap(),
                client_secret: SecretString::from("s3cret-value".to_owned()),
                scopes: Scopes::parse("openid").unwrap(),
                org_id: OrgId::parse("12345678ABCDEF1234567890@AdobeOrg").unwrap(),
                technical_account_id: None,
            }),
        },
        ConfigId::new(),
        Utc::now(),
    )
    .unwrap()
}

async fn next(listener: &mut ChangeListener) -> Change {
    tokio::time::timeout(Duration::from_secs(5), listener.next())
        .await
        .expect("a change is announced within 5 s")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_committed_through_one_replica_reaches_the_others_at_once() {
    let Some(db) = PgDb::new().await else { return };
    let one = db.replica().await;
    let two = db.replica().await;
    let mut listener = two
        .listen_for_changes()
        .await
        .unwrap()
        .expect("PostgreSQL listens");

    let cfg = config("fleet-target");
    one.insert_config(&cfg, &audit()).await.unwrap();
    assert_eq!(
        next(&mut listener).await,
        Change::Config {
            id: cfg.id,
            revision: Some(Revision::FIRST)
        }
    );

    // Replica two reads the API token into its read cache; replica one revokes it.
    let token = one
        .insert_api_token(
            &NewApiToken {
                name: "integration".into(),
                prefix: "ibt_fleet000".into(),
                token_hash: "sha256:fleet".into(),
                scope: "token:fleet-target".into(),
                expires_at: None,
                created_by: None,
            },
            &audit(),
        )
        .await
        .unwrap();
    assert_eq!(next(&mut listener).await, Change::ApiTokens);
    let before = two.cached_api_token("sha256:fleet").await.unwrap().unwrap();
    assert!(before.revoked_at.is_none());
    one.revoke_api_token(token.id, &audit()).await.unwrap();
    assert_eq!(next(&mut listener).await, Change::ApiTokens);
    let after = two.cached_api_token("sha256:fleet").await.unwrap().unwrap();
    assert!(
        after.revoked_at.is_some(),
        "the revocation is seen by the other replica long before its read cache's TTL"
    );

    let expires = Utc::now() + chrono::Duration::hours(1);
    one.put_cached_token(
        cfg.id,
        cfg.revision,
        &SecretString::from("tok".to_owned()),
        expires,
    )
    .await
    .unwrap();
    assert_eq!(
        next(&mut listener).await,
        Change::Token {
            id: cfg.id,
            revision: Revision::FIRST
        }
    );

    one.announce_refresh_due(cfg.id, cfg.revision, expires)
        .await
        .unwrap();
    assert!(matches!(
        next(&mut listener).await,
        Change::RefreshDue { id, .. } if id == cfg.id
    ));

    one.delete_config(&cfg.name, None, &audit()).await.unwrap();
    assert_eq!(
        next(&mut listener).await,
        Change::Config {
            id: cfg.id,
            revision: None
        }
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_listener_whose_connection_is_cut_connects_again_and_says_so() {
    let Some(db) = PgDb::new().await else { return };
    let store = db.replica().await;
    let mut listener = store.listen_for_changes().await.unwrap().unwrap();
    let admin = sqlx::PgPool::connect(db.admin.expose_secret())
        .await
        .unwrap();
    sqlx::query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
         WHERE datname = $1 AND query LIKE 'LISTEN%'",
    )
    .bind(&db.name)
    .execute(&admin)
    .await
    .unwrap();
    admin.close().await;
    assert_eq!(next(&mut listener).await, Change::Reconnected);
    // And it hears changes again.
    let cfg = config("after-reconnect");
    store.insert_config(&cfg, &audit()).await.unwrap();
    assert!(matches!(next(&mut listener).await, Change::Config { id, .. } if id == cfg.id));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lease_has_one_holder_and_a_holder_that_goes_frees_it() {
    let Some(db) = PgDb::new().await else { return };
    let one = db.replica().await;
    let two = db.replica().await;
    let id = ConfigId::new();

    let held = one
        .try_token_lease(id)
        .await
        .unwrap()
        .expect("free at first");
    assert!(
        two.try_token_lease(id).await.unwrap().is_none(),
        "held by one"
    );
    assert!(
        two.try_token_lease(ConfigId::new())
            .await
            .unwrap()
            .is_some(),
        "another configuration's lease is another lease"
    );
    held.release().await;
    let again = two.try_token_lease(id).await.unwrap().expect("released");
    // A holder that goes without releasing (a task torn down) frees it too.
    drop(again);
    let mut freed = false;
    for _ in 0..50 {
        if let Some(lease) = one.try_token_lease(id).await.unwrap() {
            lease.release().await;
            freed = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(
        freed,
        "the lease of a dropped holder is free within a second"
    );

    // Job and leader locks: one holder; closing its connection frees it.
    let key = 0x696d_7362_7269_64ff;
    let mut leader = one
        .try_fleet_lock(key)
        .await
        .unwrap()
        .expect("free at first");
    assert!(leader.is_held().await);
    assert!(two.try_fleet_lock(key).await.unwrap().is_none());
    let url = db.admin.with_database(&db.name);
    assert!(
        FleetLock::try_acquire(Some(&url), key)
            .await
            .unwrap()
            .is_none()
    );
    leader.release().await;
    assert!(two.try_fleet_lock(key).await.unwrap().is_some());
}

#[tokio::test]
async fn on_sqlite_there_is_nothing_to_listen_to_and_every_lease_is_granted() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_data_dir(dir.path(), None, None).await.unwrap();
    assert!(store.listen_for_changes().await.unwrap().is_none());
    assert!(
        store
            .try_token_lease(ConfigId::new())
            .await
            .unwrap()
            .is_some()
    );
    assert!(store.try_fleet_lock(1).await.unwrap().is_some());
    assert!(FleetLock::try_acquire(None, 1).await.unwrap().is_some());
}
