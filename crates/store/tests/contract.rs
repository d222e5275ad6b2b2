//! The store's contract. Every case runs against SQLite, and against PostgreSQL when
//! `TEST_POSTGRES_URL` is set (for example `postgres://postgres@127.0.0.1:5432/postgres`);
//! each run gets a database of its own.

// Tests read as one story each; a long one is clearer whole than split.
#![allow(clippy::too_many_lines)]

use std::path::Path;
use std::sync::Arc;

use chrono::{DateTime, Duration, TimeZone, Utc};
use imsbridge_domain::{
    AuthType, AuthorizationServer, Certificate, ClientId, CloudSolution, ConfigDraft, ConfigId,
    Credentials, DraftCredentials, ExposeSecret, Health, HealthStatus, IntegrationConfig,
    JwtCredentials, ManualClock, Metascopes, MigrationActor, Name, OAuthCredentials, OAuthPatch,
    OrgId, Origin, Revision, Scopes, SecretString, TechnicalAccountId, Title,
};
use imsbridge_store::{
    ApiTokenId, AuditContext, AuditEntry, AuditFilter, ConfigFilter, DatabaseKind, DatabaseUrl,
    HealthFilter, KEY_FILE, NewApiToken, NewUser, PageRequest, Role, RotateOptions, Store,
    StoreError, UserUpdate,
};
use imsbridge_testkit::TestData;

// ---------------------------------------------------------------------------------------
// Harness
// ---------------------------------------------------------------------------------------

/// A fresh database and data directory (key file) for one test on one backend, with a
/// manual clock.
struct TestDb {
    kind: DatabaseKind,
    data: TestData,
    url: Option<DatabaseUrl>,
    clock: ManualClock,
}

fn start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 26, 12, 0, 0).unwrap()
}

impl TestDb {
    /// `None` when the backend is PostgreSQL and `TEST_POSTGRES_URL` is not set.
    async fn new(kind: DatabaseKind) -> Option<Self> {
        let data = TestData::new(kind).await?;
        Some(Self {
            kind,
            url: data.url(),
            data,
            clock: ManualClock::new(start()),
        })
    }

    /// Opens the store as the CLI does, with the test's manual clock.
    async fn open(&self) -> Result<Store, StoreError> {
        Ok(
            Store::open_data_dir(self.data.dir(), self.url.as_ref(), None)
                .await?
                .with_clock(Arc::new(self.clock.clone())),
        )
    }

    async fn store(&self) -> Store {
        self.open().await.unwrap()
    }

    fn key_file(&self) -> std::path::PathBuf {
        self.data.dir().join(KEY_FILE)
    }

    /// Runs raw SQL behind the store's back, as an attacker or a broken tool would.
    async fn raw(&self, sql: &str) {
        match self.kind {
            DatabaseKind::Sqlite => {
                let path = self.data.dir().join(imsbridge_store::DATABASE_FILE);
                let url = DatabaseUrl::sqlite_file(&path).unwrap();
                let pool = sqlx::SqlitePool::connect(url.expose_secret())
                    .await
                    .unwrap();
                sqlx::query(sql).execute(&pool).await.unwrap();
                pool.close().await;
            }
            DatabaseKind::Postgres => {
                let url = self.url.as_ref().unwrap();
                let pool = sqlx::PgPool::connect(url.expose_secret()).await.unwrap();
                sqlx::query(sql).execute(&pool).await.unwrap();
                pool.close().await;
            }
        }
    }
}

/// Runs each named case as `<case>::on_sqlite` and `<case>::on_postgres`.
macro_rules! contract {
    ($($case:ident),* $(,)?) => {$(
        mod $case {
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn on_sqlite() {
                let db = TestDb::new(DatabaseKind::Sqlite).await.unwrap();
                super::$case(&db).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn on_postgres() {
                let Some(db) = TestDb::new(DatabaseKind::Postgres).await else {
                    eprintln!("TEST_POSTGRES_URL is not set; the PostgreSQL leg did not run");
                    return;
                };
                super::$case(&db).await;
            }
        }
    )*};
}

// ---------------------------------------------------------------------------------------
// Fixtures
// ---------------------------------------------------------------------------------------

const ORG: &str = "12345678ABCDEF1234567890@AdobeOrg";
const TECH: &str = "A1B2C3D4E5F6A7B8C9D0E1F2@techacct.adobe.com";

fn admin() -> AuditContext {
    AuditContext {
        actor: "admin".into(),
        request_id: Some("req-1".into()),
        client_addr: Some("127.0.0.1".into()),
    }
}

fn oauth_creds(secret: &str) -> OAuthCredentials {
    OAuthCredentials {
        client_id: ClientId::parse("a1b2c3d4e5f60718293a4b5c6d7e8f90").unwrap(),
        client_secret: SecretString::from(secret.to_owned()),
        scopes: Scopes::parse("openid,AdobeID,target_sdk").unwrap(),
        org_id: OrgId::parse(ORG).unwrap(),
        technical_account_id: None,
    }
}

fn oauth(name: &str, title: &str, solution: CloudSolution, secret: &str) -> IntegrationConfig {
    IntegrationConfig::create(
        ConfigDraft {
            name: Name::parse(name).unwrap(),
            title: Title::parse(title).unwrap(),
            cloud_solution: solution,
            authorization_server: AuthorizationServer::default(),
            credentials: DraftCredentials::OAuth(oauth_creds(secret)),
        },
        ConfigId::new(),
        start(),
    )
    .unwrap()
}

/// A JWT configuration with a real key pair, and the private key PEM for grepping.
fn jwt(name: &str, origin: Origin) -> (IntegrationConfig, String) {
    let cert = rcgen::generate_simple_self_signed(vec!["imsbridge-test".into()]).unwrap();
    let private_key = cert.key_pair.serialize_pem();
    let cfg = IntegrationConfig::import(
        ConfigDraft {
            name: Name::parse(name).unwrap(),
            title: Title::parse("Legacy Analytics").unwrap(),
            cloud_solution: CloudSolution::Analytics,
            authorization_server: AuthorizationServer::default(),
            credentials: DraftCredentials::Jwt(JwtCredentials {
                api_key: ClientId::parse("f0e1d2c3b4a5968778695a4b3c2d1e0f").unwrap(),
                client_secret: SecretString::from("p8e-jwt-secret-value-5678".to_owned()),
                org_id: OrgId::parse(ORG).unwrap(),
                technical_account_id: TechnicalAccountId::parse(TECH).unwrap(),
                metascopes: Metascopes::parse("ent_analytics_bulk_ingest_sdk").unwrap(),
                private_key: SecretString::from(private_key.clone()),
                certificate: Certificate::parse_pem(&cert.cert.pem()).unwrap(),
            }),
        },
        origin,
        ConfigId::new(),
        start(),
    );
    (cfg, private_key)
}

fn name(n: &str) -> Name {
    Name::parse(n).unwrap()
}

fn secret_of(cfg: &IntegrationConfig) -> String {
    match &cfg.credentials {
        Credentials::OAuth(o) => o.client_secret.expose_secret().to_owned(),
        Credentials::Jwt(j) => j.client_secret.expose_secret().to_owned(),
    }
}

fn private_key_of(cfg: &IntegrationConfig) -> Option<String> {
    match &cfg.credentials {
        Credentials::Jwt(j) => Some(j.private_key.expose_secret().to_owned()),
        Credentials::OAuth(_) => None,
    }
}

fn new_title(cfg: &IntegrationConfig, title: &str, now: DateTime<Utc>) -> IntegrationConfig {
    cfg.update(
        OAuthPatch {
            title: Some(Title::parse(title).unwrap()),
            ..OAuthPatch::default()
        },
        cfg.revision,
        now,
    )
    .unwrap()
}

async fn audit_count(store: &Store) -> u64 {
    store
        .list_audit(&AuditFilter::default(), PageRequest::first(1))
        .await
        .unwrap()
        .total
}

// ---------------------------------------------------------------------------------------
// Cases
// ---------------------------------------------------------------------------------------

contract!(
    a_new_configuration_reads_back_exactly_as_it_was_stored,
    a_new_jwt_configuration_is_refused_but_an_imported_one_is_kept,
    a_stale_revision_cannot_overwrite_a_newer_one,
    a_failed_write_leaves_the_store_as_it_was,
    every_change_is_audited_with_its_diff,
    migrating_a_jwt_configuration_keeps_its_id_and_destroys_the_private_key,
    deleting_a_configuration_needs_its_current_revision_and_drops_its_cached_token,
    recording_health_does_not_bump_the_revision,
    lists_filter_search_and_page_in_a_stable_order,
    secrets_still_decrypt_after_key_rotation_and_old_keys_can_then_be_retired,
    rotation_while_writers_keep_writing_loses_nothing,
    a_replica_picks_up_keys_rotated_by_another,
    a_ciphertext_moved_to_another_row_fails_to_decrypt,
    a_missing_key_file_for_an_existing_database_is_a_clear_error_and_no_key_is_made,
    a_corrupt_or_foreign_key_file_is_a_clear_error,
    an_export_without_a_passphrase_contains_no_secret,
    an_export_with_a_passphrase_round_trips_into_a_fresh_store,
    users_can_be_created_found_changed_and_deleted,
    api_tokens_can_be_stored_found_touched_and_revoked,
    cached_tokens_are_sealed_per_revision,
    the_read_cache_sees_local_writes_at_once_and_other_writers_within_its_ttl,
    a_user_update_is_all_or_nothing_and_always_leaves_an_enabled_admin,
    sessions_carry_their_user_and_end_with_a_change_to_it,
    the_audit_log_filters_by_time_to_the_microsecond,
    login_failures_count_in_windows_and_concurrent_failures_all_count,
);

async fn a_new_configuration_reads_back_exactly_as_it_was_stored(db: &TestDb) {
    let store = db.store().await;
    let cfg = oauth(
        "target-prod",
        "Adobe Target (prod)",
        CloudSolution::Target,
        "s3cret-value-abcd",
    );
    store.insert_config(&cfg, &admin()).await.unwrap();

    for got in [
        store.get_config(&cfg.name).await.unwrap().unwrap(),
        store.get_config_by_id(cfg.id).await.unwrap().unwrap(),
    ] {
        assert_eq!(got.id, cfg.id);
        assert_eq!(got.name, cfg.name);
        assert_eq!(got.title, cfg.title);
        assert_eq!(got.cloud_solution, cfg.cloud_solution);
        assert_eq!(got.authorization_server, cfg.authorization_server);
        assert_eq!(got.origin, Origin::Customer);
        assert_eq!(got.revision, Revision::FIRST);
        assert_eq!(got.created_at, cfg.created_at);
        assert_eq!(got.health, None);
        assert_eq!(secret_of(&got), "s3cret-value-abcd");
        assert!(cfg.diff(&got).is_empty(), "{:?}", cfg.diff(&got));
    }
    let summary = store.get_config_summary(&cfg.name).await.unwrap().unwrap();
    assert_eq!(summary.client_secret_hint.as_deref(), Some("abcd"));
    assert!(store.get_config(&name("nope")).await.unwrap().is_none());

    let audit = store
        .list_audit(&AuditFilter::default(), PageRequest::default())
        .await
        .unwrap();
    assert_eq!(audit.total, 1);
    let entry = &audit.items[0];
    assert_eq!(entry.action, "config.create");
    assert_eq!(entry.actor, "admin");
    assert_eq!(entry.request_id.as_deref(), Some("req-1"));
    assert_eq!(entry.target_name.as_deref(), Some("target-prod"));
    assert_eq!(entry.target_id, Some(cfg.id.to_string()));
    assert_eq!(entry.at, start());
    assert!(!entry.details.to_string().contains("s3cret"));
}

async fn a_new_jwt_configuration_is_refused_but_an_imported_one_is_kept(db: &TestDb) {
    let store = db.store().await;
    let (cfg, private_key) = jwt("legacy-analytics", Origin::Customer);
    let err = store.insert_config(&cfg, &admin()).await.unwrap_err();
    assert!(matches!(err, StoreError::Rule(_)), "{err}");
    assert!(store.get_config(&cfg.name).await.unwrap().is_none());

    store.import_config(&cfg, &admin()).await.unwrap();
    let got = store.get_config(&cfg.name).await.unwrap().unwrap();
    assert_eq!(got.auth_type(), AuthType::Jwt);
    assert_eq!(private_key_of(&got).unwrap(), private_key);
    let Credentials::Jwt(j) = &got.credentials else {
        unreachable!()
    };
    assert_eq!(j.metascopes.to_string(), "ent_analytics_bulk_ingest_sdk");
    assert_eq!(j.technical_account_id.as_str(), TECH);
    let audit = store
        .list_audit(&AuditFilter::default(), PageRequest::default())
        .await
        .unwrap();
    assert_eq!(audit.items[0].action, "config.import");
}

async fn a_stale_revision_cannot_overwrite_a_newer_one(db: &TestDb) {
    let store = db.store().await;
    let cfg = oauth(
        "target-prod",
        "Target",
        CloudSolution::Target,
        "s3cret-value-abcd",
    );
    store.insert_config(&cfg, &admin()).await.unwrap();

    // Two writers read revision 1 and save at once.
    let a = new_title(&cfg, "Title from A", start());
    let b = new_title(&cfg, "Title from B", start());
    let (sa, sb) = (store.clone(), store.clone());
    let (ra, rb) = tokio::join!(
        tokio::spawn(async move {
            sa.update_config(Revision::FIRST, &a, &admin(), "config.update")
                .await
        }),
        tokio::spawn(async move {
            sb.update_config(Revision::FIRST, &b, &admin(), "config.update")
                .await
        }),
    );
    let results = [ra.unwrap(), rb.unwrap()];
    assert_eq!(
        results.iter().filter(|r| r.is_ok()).count(),
        1,
        "{results:?}"
    );
    let loser = results.iter().find_map(|r| r.as_ref().err()).unwrap();
    assert!(
        matches!(
            loser,
            StoreError::StaleRevision { expected, current }
                if *expected == Revision::FIRST && *current == Revision::new(2)
        ),
        "{loser}"
    );

    let stored = store.get_config(&cfg.name).await.unwrap().unwrap();
    assert_eq!(stored.revision, Revision::new(2));
    let winner = if results[0].is_ok() {
        "Title from A"
    } else {
        "Title from B"
    };
    assert_eq!(stored.title.as_str(), winner);
    let updates = store
        .list_audit(
            &AuditFilter {
                action: Some("config.update".into()),
                ..AuditFilter::default()
            },
            PageRequest::default(),
        )
        .await
        .unwrap();
    assert_eq!(updates.total, 1);

    // The loser reloads and applies its change on top: nothing is lost.
    let again = new_title(&stored, "Title from the loser", start());
    store
        .update_config(stored.revision, &again, &admin(), "config.update")
        .await
        .unwrap();
    assert_eq!(
        store.get_config(&cfg.name).await.unwrap().unwrap().revision,
        Revision::new(3)
    );
}

async fn a_failed_write_leaves_the_store_as_it_was(db: &TestDb) {
    let store = db.store().await;
    let cfg = oauth(
        "target-prod",
        "Target",
        CloudSolution::Target,
        "s3cret-value-abcd",
    );
    store.insert_config(&cfg, &admin()).await.unwrap();
    let edited = new_title(&cfg, "Edited", start());
    store
        .update_config(Revision::FIRST, &edited, &admin(), "config.update")
        .await
        .unwrap();
    let audit_before = audit_count(&store).await;

    // A name clash.
    let clash = oauth(
        "target-prod",
        "Other",
        CloudSolution::Stock,
        "another-secret-wxyz",
    );
    let err = store.insert_config(&clash, &admin()).await.unwrap_err();
    assert!(
        matches!(&err, StoreError::NameTaken(n) if n.as_str() == "target-prod"),
        "{err}"
    );
    assert!(store.get_config_by_id(clash.id).await.unwrap().is_none());

    // A stale update and a stale delete.
    let stale = new_title(&cfg, "Stale", start());
    let err = store
        .update_config(Revision::FIRST, &stale, &admin(), "config.update")
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::StaleRevision { .. }), "{err}");
    let err = store
        .delete_config(&cfg.name, Some(Revision::FIRST), &admin())
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::StaleRevision { .. }), "{err}");

    // A change to a configuration that is gone.
    let ghost = oauth("ghost", "Ghost", CloudSolution::Target, "ghost-secret-1234");
    let err = store
        .update_config(Revision::FIRST, &ghost, &admin(), "config.update")
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NotFound(_)), "{err}");

    let now = store.get_config(&cfg.name).await.unwrap().unwrap();
    assert_eq!(now.title.as_str(), "Edited");
    assert_eq!(now.revision, Revision::new(2));
    assert_eq!(now.cloud_solution, CloudSolution::Target);
    assert_eq!(secret_of(&now), "s3cret-value-abcd");
    assert_eq!(audit_count(&store).await, audit_before);
}

async fn every_change_is_audited_with_its_diff(db: &TestDb) {
    let store = db.store().await;
    let cfg = oauth(
        "target-prod",
        "Target",
        CloudSolution::Target,
        "s3cret-value-abcd",
    );
    store.insert_config(&cfg, &admin()).await.unwrap();
    db.clock.advance(Duration::minutes(5));
    let after = cfg
        .update(
            OAuthPatch {
                title: Some(Title::parse("Target (prod)").unwrap()),
                client_secret: Some(SecretString::from("rotated-secret-9876".to_owned())),
                ..OAuthPatch::default()
            },
            Revision::FIRST,
            db.clock_now(),
        )
        .unwrap();
    store
        .update_config(Revision::FIRST, &after, &admin(), "config.update")
        .await
        .unwrap();

    let page = store
        .list_audit(
            &AuditFilter {
                target_name: Some("target-prod".into()),
                ..AuditFilter::default()
            },
            PageRequest::default(),
        )
        .await
        .unwrap();
    assert_eq!(page.total, 2);
    let update = &page.items[0];
    assert_eq!(update.action, "config.update");
    assert_eq!(update.at, start() + Duration::minutes(5));
    assert_eq!(
        update.details,
        serde_json::json!({
            "revision": { "from": 1, "to": 2 },
            "changes": [
                { "field": "title", "from": "Target", "to": "Target (prod)" },
                { "field": "client_secret", "from": "(set)", "to": "(changed)" },
            ],
        })
    );
    assert!(!update.details.to_string().contains("rotated-secret"));
    let stored = store.get_config(&cfg.name).await.unwrap().unwrap();
    assert_eq!(secret_of(&stored), "rotated-secret-9876");
    assert_eq!(stored.updated_at, start() + Duration::minutes(5));

    // Events that are not changes can be appended too.
    store
        .append_audit(
            &AuditContext::actor("system"),
            &AuditEntry {
                action: "config.health_check".into(),
                target_kind: "config".into(),
                target_name: Some("target-prod".into()),
                target_id: None,
                details: serde_json::json!({ "healthy": true }),
            },
        )
        .await
        .unwrap();
    let by_system = store
        .list_audit(
            &AuditFilter {
                actor: Some("system".into()),
                ..AuditFilter::default()
            },
            PageRequest::default(),
        )
        .await
        .unwrap();
    assert_eq!(by_system.total, 1);
    assert_eq!(by_system.items[0].details["healthy"], true);
}

impl TestDb {
    fn clock_now(&self) -> DateTime<Utc> {
        use imsbridge_domain::Clock;
        self.clock.now()
    }
}

async fn migrating_a_jwt_configuration_keeps_its_id_and_destroys_the_private_key(db: &TestDb) {
    let store = db.store().await;
    let (cfg, _) = jwt("legacy-analytics", Origin::Customer);
    store.import_config(&cfg, &admin()).await.unwrap();
    let read = store.get_config(&cfg.name).await.unwrap().unwrap();
    let prefill = read.migration_prefill().unwrap();
    let migrated = read
        .migrate_to_oauth(
            OAuthCredentials {
                client_id: prefill.client_id,
                client_secret: SecretString::from("new-oauth-secret-4321".to_owned()),
                scopes: Scopes::parse("openid,AdobeID,additional_info.projectedProductContext")
                    .unwrap(),
                org_id: prefill.org_id,
                technical_account_id: None,
            },
            read.revision,
            MigrationActor::Manual,
            start(),
        )
        .unwrap();
    store
        .update_config(read.revision, &migrated, &admin(), "config.migrate")
        .await
        .unwrap();

    let got = store.get_config_by_id(cfg.id).await.unwrap().unwrap();
    assert_eq!(got.auth_type(), AuthType::OAuth);
    assert_eq!(got.name, cfg.name);
    assert_eq!(got.revision, Revision::new(2));
    assert_eq!(secret_of(&got), "new-oauth-secret-4321");
    let Credentials::OAuth(o) = &got.credentials else {
        unreachable!()
    };
    assert_eq!(o.technical_account_id.as_ref().unwrap().as_str(), TECH);

    let audit = store
        .list_audit(&AuditFilter::default(), PageRequest::default())
        .await
        .unwrap();
    let entry = &audit.items[0];
    assert_eq!(entry.action, "config.migrate");
    let changes = entry.details["changes"].as_array().unwrap();
    assert!(changes.contains(
        &serde_json::json!({ "field": "private_key", "from": "(set)", "to": "(destroyed)" })
    ));
    assert!(
        changes
            .contains(&serde_json::json!({ "field": "auth_type", "from": "jwt", "to": "oauth" }))
    );

    // The sealed key is gone from the row, not just hidden.
    let summary = store
        .list_configs(
            &ConfigFilter {
                auth_type: Some(AuthType::Jwt),
                ..ConfigFilter::default()
            },
            PageRequest::default(),
        )
        .await
        .unwrap();
    assert_eq!(summary.total, 0);
    assert_no_private_key_rows(db).await;
}

async fn assert_no_private_key_rows(db: &TestDb) {
    let count: i64 = match db.kind {
        DatabaseKind::Sqlite => {
            let url = DatabaseUrl::sqlite_file(&db.data.dir().join(imsbridge_store::DATABASE_FILE))
                .unwrap();
            let pool = sqlx::SqlitePool::connect(url.expose_secret())
                .await
                .unwrap();
            let n = sqlx::query_scalar("SELECT COUNT(*) FROM configs WHERE private_key_ct IS NOT NULL OR certificate_pem IS NOT NULL")
                .fetch_one(&pool)
                .await
                .unwrap();
            pool.close().await;
            n
        }
        DatabaseKind::Postgres => {
            let pool = sqlx::PgPool::connect(db.url.as_ref().unwrap().expose_secret())
                .await
                .unwrap();
            let n = sqlx::query_scalar("SELECT COUNT(*) FROM configs WHERE private_key_ct IS NOT NULL OR certificate_pem IS NOT NULL")
                .fetch_one(&pool)
                .await
                .unwrap();
            pool.close().await;
            n
        }
    };
    assert_eq!(count, 0);
}

async fn deleting_a_configuration_needs_its_current_revision_and_drops_its_cached_token(
    db: &TestDb,
) {
    let store = db.store().await;
    let cfg = oauth(
        "target-prod",
        "Target",
        CloudSolution::Target,
        "s3cret-value-abcd",
    );
    store.insert_config(&cfg, &admin()).await.unwrap();
    let token = SecretString::from("eyJ.access.token".to_owned());
    store
        .put_cached_token(
            cfg.id,
            Revision::FIRST,
            &token,
            start() + Duration::hours(24),
        )
        .await
        .unwrap();
    let edited = new_title(&cfg, "Edited", start());
    store
        .update_config(Revision::FIRST, &edited, &admin(), "config.update")
        .await
        .unwrap();

    let err = store
        .delete_config(&cfg.name, Some(Revision::FIRST), &admin())
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::StaleRevision { current, .. } if current == Revision::new(2)),
        "{err}"
    );
    store
        .delete_config(&cfg.name, Some(Revision::new(2)), &admin())
        .await
        .unwrap();
    assert!(store.get_config(&cfg.name).await.unwrap().is_none());
    assert!(
        store
            .get_cached_token(cfg.id, Revision::FIRST)
            .await
            .unwrap()
            .is_none()
    );
    let err = store
        .delete_config(&cfg.name, None, &admin())
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NotFound(_)), "{err}");
    let audit = store
        .list_audit(&AuditFilter::default(), PageRequest::default())
        .await
        .unwrap();
    assert_eq!(audit.items[0].action, "config.delete");
    // A token for a configuration that is gone is refused, not orphaned.
    let err = store
        .put_cached_token(cfg.id, Revision::new(2), &token, start())
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NotFound(_)), "{err}");
}

async fn recording_health_does_not_bump_the_revision(db: &TestDb) {
    let store = db.store().await;
    let cfg = oauth(
        "target-prod",
        "Target",
        CloudSolution::Target,
        "s3cret-value-abcd",
    );
    store.insert_config(&cfg, &admin()).await.unwrap();
    let audit_before = audit_count(&store).await;

    let failed = Health {
        status: HealthStatus::Unhealthy,
        checked_at: start() + Duration::seconds(1),
        message: "invalid client secret".into(),
        error_code: Some("invalid_client".into()),
        debug_id: Some("debug-123".into()),
    };
    store
        .record_health(cfg.id, Revision::FIRST, &failed)
        .await
        .unwrap();
    let got = store.get_config(&cfg.name).await.unwrap().unwrap();
    assert_eq!(got.revision, Revision::FIRST);
    assert_eq!(got.updated_at, cfg.updated_at);
    assert_eq!(got.health, Some(failed));
    assert_eq!(audit_count(&store).await, audit_before);

    store
        .record_health(cfg.id, Revision::FIRST, &Health::healthy(start()))
        .await
        .unwrap();
    let healthy = store
        .list_configs(
            &ConfigFilter {
                health: Some(HealthFilter::Healthy),
                ..ConfigFilter::default()
            },
            PageRequest::default(),
        )
        .await
        .unwrap();
    assert_eq!(healthy.total, 1);
    assert_eq!(
        healthy.items[0].health.as_ref().unwrap().status,
        HealthStatus::Healthy
    );

    // A check of an old revision described an old credential: it is refused.
    let edited = new_title(&got, "Edited", start());
    store
        .update_config(Revision::FIRST, &edited, &admin(), "config.update")
        .await
        .unwrap();
    let err = store
        .record_health(cfg.id, Revision::FIRST, &Health::healthy(start()))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::StaleRevision { .. }), "{err}");
    let err = store
        .record_health(ConfigId::new(), Revision::FIRST, &Health::healthy(start()))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NotFound(_)), "{err}");
}

async fn lists_filter_search_and_page_in_a_stable_order(db: &TestDb) {
    let store = db.store().await;
    let solutions = [
        CloudSolution::Target,
        CloudSolution::Analytics,
        CloudSolution::Other("Journey Optimizer".into()),
    ];
    // Titles whose byte order and case-insensitive order differ, and duplicates broken by name.
    let titles = ["beta", "Alpha", "alpha", "Gamma 100%", "delta_x", "Zeta"];
    for (i, title) in titles.iter().enumerate() {
        let cfg = oauth(
            &format!("cfg-{i}"),
            title,
            solutions[i % 3].clone(),
            "s3cret-value-abcd",
        );
        store.insert_config(&cfg, &admin()).await.unwrap();
    }
    let (j, _) = jwt("legacy-analytics", Origin::AutoProvisioned);
    store.import_config(&j, &admin()).await.unwrap();

    let all = store
        .list_configs(&ConfigFilter::default(), PageRequest::default())
        .await
        .unwrap();
    let order: Vec<(&str, &str)> = all
        .items
        .iter()
        .map(|c| (c.title.as_str(), c.name.as_str()))
        .collect();
    assert_eq!(
        order,
        [
            ("Alpha", "cfg-1"),
            ("alpha", "cfg-2"),
            ("beta", "cfg-0"),
            ("delta_x", "cfg-4"),
            ("Gamma 100%", "cfg-3"),
            ("Legacy Analytics", "legacy-analytics"),
            ("Zeta", "cfg-5"),
        ]
    );
    assert_eq!(all.total, 7);

    let page = store
        .list_configs(
            &ConfigFilter::default(),
            PageRequest {
                offset: 2,
                limit: 3,
            },
        )
        .await
        .unwrap();
    assert_eq!(page.total, 7);
    assert!(page.has_more());
    let names: Vec<&str> = page.items.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["cfg-0", "cfg-4", "cfg-3"]);

    let count = |filter: ConfigFilter| {
        let store = store.clone();
        async move {
            store
                .list_configs(&filter, PageRequest::default())
                .await
                .unwrap()
        }
    };
    let jwt_only = count(ConfigFilter {
        auth_type: Some(AuthType::Jwt),
        ..ConfigFilter::default()
    })
    .await;
    assert_eq!(jwt_only.total, 1);
    assert!(jwt_only.items[0].is_deprecated());
    assert_eq!(
        count(ConfigFilter {
            auth_type: Some(AuthType::OAuth),
            ..ConfigFilter::default()
        })
        .await
        .total,
        6
    );
    assert_eq!(
        count(ConfigFilter {
            cloud_solution: Some("analytics".into()),
            ..ConfigFilter::default()
        })
        .await
        .total,
        3
    );
    let other = count(ConfigFilter {
        cloud_solution: Some("other".into()),
        ..ConfigFilter::default()
    })
    .await;
    assert_eq!(other.total, 2);
    assert_eq!(
        other.items[0].cloud_solution,
        CloudSolution::Other("Journey Optimizer".into())
    );
    assert_eq!(
        count(ConfigFilter {
            origin: Some(Origin::AutoProvisioned),
            ..ConfigFilter::default()
        })
        .await
        .total,
        1
    );
    assert_eq!(
        count(ConfigFilter {
            health: Some(HealthFilter::Unchecked),
            ..ConfigFilter::default()
        })
        .await
        .total,
        7
    );
    assert_eq!(
        count(ConfigFilter {
            health: Some(HealthFilter::Unhealthy),
            ..ConfigFilter::default()
        })
        .await
        .total,
        0
    );
    // Case-insensitive, over title and name, with LIKE's wildcards taken literally.
    assert_eq!(
        count(ConfigFilter {
            search: Some("ALPHA".into()),
            ..ConfigFilter::default()
        })
        .await
        .total,
        2
    );
    assert_eq!(
        count(ConfigFilter {
            search: Some("legacy-anal".into()),
            ..ConfigFilter::default()
        })
        .await
        .total,
        1
    );
    assert_eq!(
        count(ConfigFilter {
            search: Some("100%".into()),
            ..ConfigFilter::default()
        })
        .await
        .total,
        1
    );
    assert_eq!(
        count(ConfigFilter {
            search: Some("a_x".into()),
            ..ConfigFilter::default()
        })
        .await
        .total,
        1
    );
    assert_eq!(
        count(ConfigFilter {
            search: Some("%".into()),
            ..ConfigFilter::default()
        })
        .await
        .total,
        1
    );
    let combined = count(ConfigFilter {
        auth_type: Some(AuthType::OAuth),
        cloud_solution: Some("target".into()),
        search: Some("a".into()),
        ..ConfigFilter::default()
    })
    .await;
    let names: Vec<&str> = combined.items.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["cfg-0", "cfg-3"]);
}

/// Everything a rotation must carry over: an OAuth and a JWT secret and a cached token.
async fn seed_secrets(store: &Store) -> (IntegrationConfig, IntegrationConfig, String) {
    let o = oauth(
        "target-prod",
        "Target",
        CloudSolution::Target,
        "plaintext-client-secret-QWERTY",
    );
    store.insert_config(&o, &admin()).await.unwrap();
    let (j, private_key) = jwt("legacy-analytics", Origin::Customer);
    store.import_config(&j, &admin()).await.unwrap();
    store
        .put_cached_token(
            o.id,
            Revision::FIRST,
            &SecretString::from("access-token-ZXCVBNM".to_owned()),
            start() + Duration::hours(1),
        )
        .await
        .unwrap();
    (o, j, private_key)
}

async fn secrets_still_decrypt_after_key_rotation_and_old_keys_can_then_be_retired(db: &TestDb) {
    let store = db.store().await;
    let (o, j, private_key) = seed_secrets(&store).await;
    let first_key = store.active_key_id();

    let report = store
        .rotate_keys(
            &RotateOptions {
                batch_size: 1,
                retire_old_keys: false,
            },
            &admin(),
        )
        .await
        .unwrap();
    assert_ne!(report.new_key_id, first_key);
    assert_eq!(report.previous_key_ids, std::slice::from_ref(&first_key));
    assert_eq!(report.configs_reencrypted, 2);
    assert_eq!(report.tokens_reencrypted, 1);
    assert!(report.retired_key_ids.is_empty());
    assert_eq!(store.key_ids().len(), 2);

    let check = |store: Store| {
        let (o, j, private_key) = (o.clone(), j.clone(), private_key.clone());
        async move {
            assert_eq!(
                secret_of(&store.get_config(&o.name).await.unwrap().unwrap()),
                "plaintext-client-secret-QWERTY"
            );
            let got = store.get_config(&j.name).await.unwrap().unwrap();
            assert_eq!(private_key_of(&got).unwrap(), private_key);
            assert_eq!(secret_of(&got), "p8e-jwt-secret-value-5678");
            let (token, _) = store
                .get_cached_token(o.id, Revision::FIRST)
                .await
                .unwrap()
                .unwrap();
            assert_eq!(token.expose_secret(), "access-token-ZXCVBNM");
        }
    };
    check(store.clone()).await;

    let retired = store.retire_old_keys().await.unwrap();
    assert_eq!(retired, std::slice::from_ref(&first_key));
    assert_eq!(store.key_ids(), std::slice::from_ref(&report.new_key_id));
    let key_file = std::fs::read_to_string(db.key_file()).unwrap();
    assert!(!key_file.contains(&first_key));

    // A restart with the rotated key file opens everything.
    store.close().await;
    let reopened = db.store().await;
    assert_eq!(reopened.active_key_id(), report.new_key_id);
    check(reopened.clone()).await;
    let audit = reopened
        .list_audit(
            &AuditFilter {
                action: Some("keys.rotate".into()),
                ..AuditFilter::default()
            },
            PageRequest::default(),
        )
        .await
        .unwrap();
    assert_eq!(audit.total, 1);
    assert_eq!(audit.items[0].details["configs_reencrypted"], 2);
}

async fn rotation_while_writers_keep_writing_loses_nothing(db: &TestDb) {
    let store = db.store().await;
    let mut configs = Vec::new();
    for i in 0..40 {
        let cfg = oauth(
            &format!("cfg-{i}"),
            &format!("Config {i}"),
            CloudSolution::Target,
            &format!("secret-{i}-original"),
        );
        store.insert_config(&cfg, &admin()).await.unwrap();
        configs.push(cfg);
    }
    let writer = {
        let store = store.clone();
        let configs = configs.clone();
        tokio::spawn(async move {
            for cfg in configs.iter().rev() {
                let after = cfg
                    .update(
                        OAuthPatch {
                            client_secret: Some(SecretString::from(format!(
                                "{}-rewritten",
                                secret_of(cfg)
                            ))),
                            ..OAuthPatch::default()
                        },
                        cfg.revision,
                        start(),
                    )
                    .unwrap();
                store
                    .update_config(cfg.revision, &after, &admin(), "config.update")
                    .await
                    .unwrap();
            }
        })
    };
    let report = store
        .rotate_keys(
            &RotateOptions {
                batch_size: 3,
                retire_old_keys: false,
            },
            &admin(),
        )
        .await
        .unwrap();
    writer.await.unwrap();
    assert!(report.configs_reencrypted <= 40);

    // Every row ends up under the new key with its latest secret, so the old key can go.
    store.retire_old_keys().await.unwrap();
    for (i, cfg) in configs.iter().enumerate() {
        let got = store.get_config(&cfg.name).await.unwrap().unwrap();
        assert_eq!(got.revision, Revision::new(2));
        assert_eq!(secret_of(&got), format!("secret-{i}-original-rewritten"));
    }
}

async fn a_replica_picks_up_keys_rotated_by_another(db: &TestDb) {
    // Two stores on one database and key file, as two replicas would be.
    let one = db.store().await;
    let two = db.store().await;
    let (o, _, _) = seed_secrets(&one).await;
    let report = one
        .rotate_keys(&RotateOptions::default(), &admin())
        .await
        .unwrap();
    one.retire_old_keys().await.unwrap();

    // The other replica meets a key it does not hold, re-reads the key file, and carries on
    // sealing under the new active key.
    let got = two.get_config(&o.name).await.unwrap().unwrap();
    assert_eq!(secret_of(&got), "plaintext-client-secret-QWERTY");
    assert_eq!(two.active_key_id(), report.new_key_id);
    let edited = new_title(&got, "Edited on two", start());
    two.update_config(got.revision, &edited, &admin(), "config.update")
        .await
        .unwrap();
    assert_eq!(
        one.get_config(&o.name)
            .await
            .unwrap()
            .unwrap()
            .title
            .as_str(),
        "Edited on two"
    );
    assert!(!two.reload_keys().unwrap());
}

async fn a_ciphertext_moved_to_another_row_fails_to_decrypt(db: &TestDb) {
    let store = db.store().await;
    let a = oauth("config-a", "A", CloudSolution::Target, "secret-of-config-a");
    let b = oauth("config-b", "B", CloudSolution::Target, "secret-of-config-b");
    store.insert_config(&a, &admin()).await.unwrap();
    store.insert_config(&b, &admin()).await.unwrap();
    let (j, _) = jwt("legacy-analytics", Origin::Customer);
    store.import_config(&j, &admin()).await.unwrap();

    db.raw("UPDATE configs SET client_secret_ct = (SELECT client_secret_ct FROM configs WHERE name = 'config-a') WHERE name = 'config-b'").await;
    let err = store.get_config(&b.name).await.unwrap_err();
    assert!(matches!(err, StoreError::Crypto(_)), "{err}");
    assert!(!err.to_string().contains("secret-of-config"), "{err}");
    assert_eq!(
        secret_of(&store.get_config(&a.name).await.unwrap().unwrap()),
        "secret-of-config-a"
    );

    // Another field of the same row does not open either.
    db.raw("UPDATE configs SET client_secret_ct = private_key_ct WHERE name = 'legacy-analytics'")
        .await;
    let err = store.get_config(&j.name).await.unwrap_err();
    assert!(matches!(err, StoreError::Crypto(_)), "{err}");

    // Listing decrypts nothing, so it still works.
    assert_eq!(
        store
            .list_configs(&ConfigFilter::default(), PageRequest::default())
            .await
            .unwrap()
            .total,
        3
    );
}

async fn a_missing_key_file_for_an_existing_database_is_a_clear_error_and_no_key_is_made(
    db: &TestDb,
) {
    let store = db.store().await;
    seed_secrets(&store).await;
    store.close().await;
    std::fs::remove_file(db.key_file()).unwrap();

    let err = db.open().await.unwrap_err();
    let message = err.to_string();
    assert!(matches!(err, StoreError::Key(_)), "{message}");
    assert!(
        message.contains(&db.key_file().display().to_string()),
        "{message}"
    );
    assert!(message.contains("restore"), "{message}");
    assert!(
        !db.key_file().exists(),
        "a new key must not be made for a database with secrets"
    );
}

async fn a_corrupt_or_foreign_key_file_is_a_clear_error(db: &TestDb) {
    let store = db.store().await;
    seed_secrets(&store).await;
    store.close().await;
    let good = std::fs::read(db.key_file()).unwrap();

    std::fs::write(db.key_file(), b"{ not json").unwrap();
    let err = db.open().await.unwrap_err();
    assert!(matches!(err, StoreError::Key(_)), "{err}");
    assert!(err.to_string().contains("corrupt"), "{err}");

    // A well-formed key file whose key has the right id but is another key.
    let mut doc: serde_json::Value = serde_json::from_slice(&good).unwrap();
    doc["keys"][0]["key"] =
        serde_json::Value::String("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=".into());
    std::fs::write(db.key_file(), serde_json::to_vec(&doc).unwrap()).unwrap();
    let err = db.open().await.unwrap_err();
    assert!(matches!(err, StoreError::Key(_)), "{err}");
    assert!(
        err.to_string()
            .contains("not the key this database was written with"),
        "{err}"
    );

    // A different key file altogether.
    std::fs::remove_file(db.key_file()).unwrap();
    imsbridge_store::Keyring::create(&db.key_file(), start()).unwrap();
    let err = db.open().await.unwrap_err();
    assert!(matches!(err, StoreError::Key(_)), "{err}");

    std::fs::write(db.key_file(), good).unwrap();
    db.store().await;
}

async fn an_export_without_a_passphrase_contains_no_secret(db: &TestDb) {
    let store = db.store().await;
    let (_, _, private_key) = seed_secrets(&store).await;
    let doc = store.export(None, &admin()).await.unwrap();
    let json = serde_json::to_string(&doc).unwrap();
    assert!(!json.contains("plaintext-client-secret-QWERTY"));
    assert!(!json.contains("p8e-jwt-secret-value"));
    assert!(!json.contains(private_key.lines().nth(1).unwrap()));
    assert!(doc.secrets.is_none());
    assert_eq!(doc.configs.len(), 2);
    assert!(
        doc.configs
            .iter()
            .all(|c| c.client_secret.is_none() && c.private_key.is_none())
    );
    assert_eq!(doc.configs[1].client_secret_hint.as_deref(), Some("ERTY"));

    // Importing it elsewhere cannot create anything without secrets, and says why.
    let other = TestDb::new(db.kind).await.unwrap();
    let target = other.store().await;
    let report = target.import(&doc, None, &admin()).await.unwrap();
    assert!(report.created.is_empty());
    assert_eq!(report.failed.len(), 2);
    assert!(
        report.failed[0].reason.contains("passphrase"),
        "{:?}",
        report.failed
    );
}

async fn an_export_with_a_passphrase_round_trips_into_a_fresh_store(db: &TestDb) {
    let store = db.store().await;
    let (o, j, private_key) = seed_secrets(&store).await;
    let passphrase = SecretString::from("correct horse battery staple".to_owned());
    let doc = store.export(Some(&passphrase), &admin()).await.unwrap();
    let json = serde_json::to_string_pretty(&doc).unwrap();
    assert!(!json.contains("plaintext-client-secret-QWERTY"));
    assert!(!json.contains(private_key.lines().nth(1).unwrap()));
    let doc: imsbridge_store::ExportDocument = serde_json::from_str(&json).unwrap();

    let other = TestDb::new(db.kind).await.unwrap();
    let target = other.store().await;
    let wrong = SecretString::from("wrong".to_owned());
    let err = target
        .import(&doc, Some(&wrong), &admin())
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Crypto(_)), "{err}");
    assert_eq!(
        target
            .list_configs(&ConfigFilter::default(), PageRequest::default())
            .await
            .unwrap()
            .total,
        0
    );

    let report = target
        .import(&doc, Some(&passphrase), &admin())
        .await
        .unwrap();
    assert_eq!(report.created.len(), 2, "{report:?}");
    assert!(report.failed.is_empty(), "{report:?}");
    let got = target.get_config(&o.name).await.unwrap().unwrap();
    assert_eq!(got.id, o.id);
    assert_eq!(secret_of(&got), "plaintext-client-secret-QWERTY");
    assert!(o.diff(&got).is_empty(), "{:?}", o.diff(&got));
    let got = target.get_config(&j.name).await.unwrap().unwrap();
    assert_eq!(got.auth_type(), AuthType::Jwt);
    assert_eq!(private_key_of(&got).unwrap(), private_key);
    assert!(j.diff(&got).is_empty(), "{:?}", j.diff(&got));
    let imports = target
        .list_audit(
            &AuditFilter {
                action: Some("config.import".into()),
                ..AuditFilter::default()
            },
            PageRequest::default(),
        )
        .await
        .unwrap();
    assert_eq!(imports.total, 2);

    // Importing again skips what exists.
    let again = target
        .import(&doc, Some(&passphrase), &admin())
        .await
        .unwrap();
    assert!(again.created.is_empty());
    assert_eq!(again.skipped.len(), 2);
}

async fn users_can_be_created_found_changed_and_deleted(db: &TestDb) {
    let store = db.store().await;
    assert_eq!(store.count_users().await.unwrap(), 0);
    let alice = store
        .create_user(
            &NewUser {
                username: "alice".into(),
                password_hash: "$argon2id$alice".into(),
                role: Role::Admin,
            },
            &admin(),
        )
        .await
        .unwrap();
    let bob = store
        .create_user(
            &NewUser {
                username: "bob".into(),
                password_hash: "$argon2id$bob".into(),
                role: Role::Viewer,
            },
            &admin(),
        )
        .await
        .unwrap();
    let err = store
        .create_user(
            &NewUser {
                username: "alice".into(),
                password_hash: "x".into(),
                role: Role::Viewer,
            },
            &admin(),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::UsernameTaken(_)), "{err}");
    assert!(!format!("{alice:?}").contains("$argon2id$alice"));

    assert_eq!(store.count_users().await.unwrap(), 2);
    assert_eq!(store.get_user("alice").await.unwrap().unwrap(), alice);
    assert_eq!(store.get_user_by_id(bob.id).await.unwrap().unwrap(), bob);
    assert!(store.get_user("carol").await.unwrap().is_none());
    let names: Vec<String> = store
        .list_users()
        .await
        .unwrap()
        .into_iter()
        .map(|u| u.username)
        .collect();
    assert_eq!(names, ["alice", "bob"]);

    db.clock.advance(Duration::minutes(1));
    let bob = store.set_role(bob.id, Role::Admin, &admin()).await.unwrap();
    assert_eq!(bob.role, Role::Admin);
    store
        .set_password_hash(bob.id, "$argon2id$new", &admin())
        .await
        .unwrap();
    store.set_disabled(bob.id, true, &admin()).await.unwrap();
    let stored = store.get_user("bob").await.unwrap().unwrap();
    assert_eq!(stored.role, Role::Admin);
    assert_eq!(stored.password_hash, "$argon2id$new");
    assert!(stored.disabled);
    assert_eq!(stored.updated_at, start() + Duration::minutes(1));

    store.delete_user(bob.id, &admin()).await.unwrap();
    assert!(store.get_user("bob").await.unwrap().is_none());
    let err = store.delete_user(bob.id, &admin()).await.unwrap_err();
    assert!(matches!(err, StoreError::NotFound(_)), "{err}");
    let user_events = store
        .list_audit(
            &AuditFilter {
                target_kind: Some("user".into()),
                ..AuditFilter::default()
            },
            PageRequest::default(),
        )
        .await
        .unwrap();
    let actions: Vec<&str> = user_events
        .items
        .iter()
        .map(|e| e.action.as_str())
        .collect();
    assert_eq!(
        actions,
        [
            "user.delete",
            "user.disable",
            "user.password",
            "user.role",
            "user.create",
            "user.create"
        ]
    );
    assert!(
        !serde_json::to_string(&user_events.items)
            .unwrap()
            .contains("$argon2id")
    );
}

async fn api_tokens_can_be_stored_found_touched_and_revoked(db: &TestDb) {
    let store = db.store().await;
    let alice = store
        .create_user(
            &NewUser {
                username: "alice".into(),
                password_hash: "h".into(),
                role: Role::Viewer,
            },
            &admin(),
        )
        .await
        .unwrap();
    let new = NewApiToken {
        name: "ci".into(),
        prefix: "imsb_ab12".into(),
        token_hash: "sha256:aaaa".into(),
        scope: "tokens:read".into(),
        expires_at: Some(start() + Duration::days(30)),
        created_by: Some(alice.id),
    };
    let token = store.insert_api_token(&new, &admin()).await.unwrap();
    let err = store.insert_api_token(&new, &admin()).await.unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)), "{err}");
    let found = store.find_api_token("sha256:aaaa").await.unwrap().unwrap();
    assert_eq!(found, token);
    assert!(found.is_usable(start()));
    assert!(!found.is_usable(start() + Duration::days(31)));
    assert!(store.find_api_token("sha256:bbbb").await.unwrap().is_none());

    db.clock.advance(Duration::minutes(3));
    store.touch_api_token(token.id).await.unwrap();
    let touched = store.find_api_token("sha256:aaaa").await.unwrap().unwrap();
    assert_eq!(touched.last_used_at, Some(start() + Duration::minutes(3)));

    let revoked = store.revoke_api_token(token.id, &admin()).await.unwrap();
    assert!(!revoked.is_usable(start()));
    assert_eq!(
        store.list_api_tokens().await.unwrap()[0].revoked_at,
        Some(start() + Duration::minutes(3))
    );
    let err = store
        .revoke_api_token(ApiTokenId::from(uuid::Uuid::now_v7()), &admin())
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NotFound(_)), "{err}");

    // A token dies with the user who made it.
    store.delete_user(alice.id, &admin()).await.unwrap();
    assert!(store.list_api_tokens().await.unwrap().is_empty());
}

async fn cached_tokens_are_sealed_per_revision(db: &TestDb) {
    let store = db.store().await;
    let cfg = oauth(
        "target-prod",
        "Target",
        CloudSolution::Target,
        "s3cret-value-abcd",
    );
    store.insert_config(&cfg, &admin()).await.unwrap();
    assert!(
        store
            .get_cached_token(cfg.id, Revision::FIRST)
            .await
            .unwrap()
            .is_none()
    );
    let expires = start() + Duration::seconds(86_399);
    store
        .put_cached_token(
            cfg.id,
            Revision::FIRST,
            &SecretString::from("token-one".to_owned()),
            expires,
        )
        .await
        .unwrap();
    let (token, at) = store
        .get_cached_token(cfg.id, Revision::FIRST)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(token.expose_secret(), "token-one");
    assert_eq!(at, expires);
    assert!(
        store
            .get_cached_token(cfg.id, Revision::new(2))
            .await
            .unwrap()
            .is_none()
    );

    // A token for a newer revision replaces it; an older one never comes back over it.
    store
        .put_cached_token(
            cfg.id,
            Revision::new(2),
            &SecretString::from("token-two".to_owned()),
            expires,
        )
        .await
        .unwrap();
    store
        .put_cached_token(
            cfg.id,
            Revision::FIRST,
            &SecretString::from("token-late".to_owned()),
            expires,
        )
        .await
        .unwrap();
    assert!(
        store
            .get_cached_token(cfg.id, Revision::FIRST)
            .await
            .unwrap()
            .is_none()
    );
    let (token, _) = store
        .get_cached_token(cfg.id, Revision::new(2))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(token.expose_secret(), "token-two");

    assert_eq!(store.delete_cached_tokens(cfg.id).await.unwrap(), 1);
    assert!(
        store
            .get_cached_token(cfg.id, Revision::new(2))
            .await
            .unwrap()
            .is_none()
    );
}

// ---------------------------------------------------------------------------------------
// SQLite only: the bytes on disk.
// ---------------------------------------------------------------------------------------

fn file_bytes(dir: &Path) -> Vec<(String, Vec<u8>)> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with(imsbridge_store::DATABASE_FILE)
        })
        .map(|p| (p.display().to_string(), std::fs::read(&p).unwrap()))
        .collect()
}

fn assert_not_on_disk(dir: &Path, needles: &[&str]) {
    let files = file_bytes(dir);
    assert!(
        files.iter().any(|(p, _)| p.ends_with("-wal")),
        "expected a WAL file: {:?}",
        files.iter().map(|f| &f.0).collect::<Vec<_>>()
    );
    for (path, bytes) in &files {
        for needle in needles {
            assert!(
                !bytes.windows(needle.len()).any(|w| w == needle.as_bytes()),
                "{path} holds a plaintext secret"
            );
        }
    }
}

#[tokio::test]
async fn the_sqlite_files_hold_no_plaintext_secret_before_or_after_rotation() {
    let db = TestDb::new(DatabaseKind::Sqlite).await.unwrap();
    let store = db.store().await;
    let (_, _, private_key) = seed_secrets(&store).await;
    // A line from the middle of the PEM: base64 that appears nowhere else.
    let key_line = private_key.lines().nth(1).unwrap().to_owned();
    let needles = [
        "plaintext-client-secret-QWERTY",
        "p8e-jwt-secret-value-5678",
        "access-token-ZXCVBNM",
        key_line.as_str(),
    ];
    // The check itself must be able to see a plaintext: certificates are stored in clear.
    let visible = "Legacy Analytics";
    assert!(
        file_bytes(db.data.dir())
            .iter()
            .any(|(_, b)| b.windows(visible.len()).any(|w| w == visible.as_bytes()))
    );

    assert_not_on_disk(db.data.dir(), &needles);
    store
        .rotate_keys(&RotateOptions::default(), &admin())
        .await
        .unwrap();
    assert_not_on_disk(db.data.dir(), &needles);
    assert_eq!(
        private_key_of(
            &store
                .get_config(&name("legacy-analytics"))
                .await
                .unwrap()
                .unwrap()
        )
        .unwrap(),
        private_key
    );
}

#[tokio::test]
async fn a_raw_master_key_from_the_environment_opens_a_store_but_cannot_be_rotated() {
    use base64::Engine;
    let dir = tempfile::tempdir().unwrap();
    let raw = SecretString::from(base64::engine::general_purpose::STANDARD.encode([42u8; 32]));
    let store = Store::open_data_dir(dir.path(), None, Some(raw.clone()))
        .await
        .unwrap();
    seed_secrets(&store).await;
    assert!(!dir.path().join(KEY_FILE).exists());
    let err = store
        .rotate_keys(&RotateOptions::default(), &admin())
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Key(_)), "{err}");
    store.close().await;

    let reopened = Store::open_data_dir(dir.path(), None, Some(raw))
        .await
        .unwrap();
    assert_eq!(
        secret_of(
            &reopened
                .get_config(&name("target-prod"))
                .await
                .unwrap()
                .unwrap()
        ),
        "plaintext-client-secret-QWERTY"
    );
    // Without the key, the database with secrets does not get a fresh one.
    reopened.close().await;
    let err = Store::open_data_dir(dir.path(), None, None)
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Key(_)), "{err}");
    assert!(!dir.path().join(KEY_FILE).exists());
}

async fn the_read_cache_sees_local_writes_at_once_and_other_writers_within_its_ttl(db: &TestDb) {
    // Two processes on one database: `here` serves tokens, `there` is the CLI or a replica.
    let here = db.store().await;
    let there = db.store().await;
    here.set_read_cache_ttl(std::time::Duration::from_secs(3600));
    let cfg = oauth("target-prod", "Target", CloudSolution::Target, "s3cret-one");
    here.insert_config(&cfg, &admin()).await.unwrap();
    let token = here
        .insert_api_token(
            &NewApiToken {
                name: "integration".into(),
                prefix: "ibt_abcd1234".into(),
                token_hash: "hash-of-the-token".into(),
                scope: "token:target-prod".into(),
                expires_at: None,
                created_by: None,
            },
            &admin(),
        )
        .await
        .unwrap();
    let read = |s: &Store| {
        let s = s.clone();
        async move { s.cached_config(&name("target-prod")).await.unwrap() }
    };
    assert_eq!(read(&here).await.unwrap().revision, Revision::FIRST);
    assert!(
        here.cached_api_token("hash-of-the-token")
            .await
            .unwrap()
            .unwrap()
            .is_usable(start())
    );
    assert!(
        here.cached_api_token("no-such-hash")
            .await
            .unwrap()
            .is_none()
    );

    // A write through this store is seen by the very next read.
    let edited = new_title(&cfg, "Target (edited here)", start());
    here.update_config(Revision::FIRST, &edited, &admin(), "config.update")
        .await
        .unwrap();
    let now_cached = read(&here).await.unwrap();
    assert_eq!(now_cached.title.as_str(), "Target (edited here)");
    assert_eq!(now_cached.revision, Revision::FIRST.next());

    // A touch keeps the cached copy in step, so it is not touched again on every request.
    db.clock.advance(Duration::minutes(2));
    here.touch_api_token(token.id).await.unwrap();
    let touched = here
        .cached_api_token("hash-of-the-token")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(touched.last_used_at, Some(start() + Duration::minutes(2)));

    // A write elsewhere is not seen while the entry is young (a one-hour TTL here)…
    let retitle_there = |title: &'static str| {
        let there = there.clone();
        async move {
            let current = there
                .get_config(&name("target-prod"))
                .await
                .unwrap()
                .unwrap();
            let edited = new_title(&current, title, start());
            there
                .update_config(current.revision, &edited, &admin(), "config.update")
                .await
                .unwrap();
        }
    };
    let usable_here = || async {
        here.cached_api_token("hash-of-the-token")
            .await
            .unwrap()
            .unwrap()
            .is_usable(start())
    };
    retitle_there("Target (edited there)").await;
    there.revoke_api_token(token.id, &admin()).await.unwrap();
    assert_eq!(
        read(&here).await.unwrap().title.as_str(),
        "Target (edited here)"
    );
    assert!(usable_here().await);

    // …and is once the entry is older than the TTL.
    here.set_read_cache_ttl(std::time::Duration::from_millis(50));
    assert_eq!(
        read(&here).await.unwrap().title.as_str(),
        "Target (edited there)"
    );
    retitle_there("Target (edited there again)").await;
    tokio::time::sleep(std::time::Duration::from_millis(120)).await;
    assert_eq!(
        read(&here).await.unwrap().title.as_str(),
        "Target (edited there again)"
    );
    assert!(!usable_here().await);

    // With a TTL of zero every read goes to the database.
    here.set_read_cache_ttl(std::time::Duration::ZERO);
    let latest = there
        .get_config(&name("target-prod"))
        .await
        .unwrap()
        .unwrap();
    there
        .delete_config(&name("target-prod"), Some(latest.revision), &admin())
        .await
        .unwrap();
    assert!(read(&here).await.is_none());

    // A local delete is seen at once too.
    here.set_read_cache_ttl(std::time::Duration::from_secs(3600));
    let other = oauth(
        "analytics",
        "Analytics",
        CloudSolution::Analytics,
        "s3cret-two",
    );
    here.insert_config(&other, &admin()).await.unwrap();
    assert!(
        here.cached_config(&name("analytics"))
            .await
            .unwrap()
            .is_some()
    );
    here.delete_config(&name("analytics"), None, &admin())
        .await
        .unwrap();
    assert!(
        here.cached_config(&name("analytics"))
            .await
            .unwrap()
            .is_none()
    );
}

async fn add_user(store: &Store, name: &str, role: Role) -> imsbridge_store::User {
    let new = NewUser {
        username: name.into(),
        password_hash: format!("$argon2id${name}"),
        role,
    };
    store.create_user(&new, &admin()).await.unwrap()
}

async fn a_user_update_is_all_or_nothing_and_always_leaves_an_enabled_admin(db: &TestDb) {
    let store = db.store().await;
    let ann = add_user(&store, "ann", Role::Admin).await;
    let ben = add_user(&store, "ben", Role::Admin).await;
    let user_events = || async {
        store
            .list_audit(
                &AuditFilter {
                    target_kind: Some("user".into()),
                    ..AuditFilter::default()
                },
                PageRequest::default(),
            )
            .await
            .unwrap()
            .items
            .len()
    };

    // Several changes at once: one write, one audit entry each.
    let before = user_events().await;
    let both = UserUpdate {
        role: Some(Role::Viewer),
        disabled: Some(true),
        password_hash: Some("$argon2id$ben-new".into()),
    };
    let changed = store.update_user(ben.id, &both, &admin()).await.unwrap();
    assert_eq!((changed.role, changed.disabled), (Role::Viewer, true));
    assert_eq!(user_events().await, before + 3);
    // Asking for what already is changes and audits nothing.
    let same = UserUpdate {
        role: Some(Role::Viewer),
        disabled: Some(true),
        password_hash: None,
    };
    store.update_user(ben.id, &same, &admin()).await.unwrap();
    assert_eq!(user_events().await, before + 3);

    // Ann is now the only enabled admin: demoting, disabling or deleting her is refused,
    // and a refused update with other changes in it changes nothing at all.
    let demote_and_rehash = UserUpdate {
        role: Some(Role::Viewer),
        password_hash: Some("$argon2id$lost".into()),
        ..UserUpdate::default()
    };
    for result in [
        store
            .update_user(ann.id, &demote_and_rehash, &admin())
            .await
            .map(|_| ()),
        store.set_disabled(ann.id, true, &admin()).await.map(|_| ()),
        store.delete_user(ann.id, &admin()).await,
    ] {
        let err = result.unwrap_err();
        assert!(
            matches!(err, StoreError::LastAdmin(ref n) if n == "ann"),
            "{err}"
        );
    }
    assert_eq!(store.get_user("ann").await.unwrap().unwrap(), ann);
    assert_eq!(user_events().await, before + 3);
    // A disabled admin does not count as one.
    store.set_role(ben.id, Role::Admin, &admin()).await.unwrap();
    assert!(matches!(
        store.set_role(ann.id, Role::Viewer, &admin()).await,
        Err(StoreError::LastAdmin(_))
    ));

    // Two enabled admins demoting each other at the same moment: exactly one succeeds.
    store.set_disabled(ben.id, false, &admin()).await.unwrap();
    for _ in 0..5 {
        let (a, b) = (store.clone(), store.clone());
        let (ra, rb) = tokio::join!(
            tokio::spawn(async move { a.set_role(ann.id, Role::Viewer, &admin()).await }),
            tokio::spawn(async move { b.set_role(ben.id, Role::Viewer, &admin()).await }),
        );
        let (ra, rb) = (ra.unwrap(), rb.unwrap());
        assert!(ra.is_ok() != rb.is_ok(), "{ra:?} {rb:?}");
        let admins = store
            .list_users()
            .await
            .unwrap()
            .into_iter()
            .filter(|u| u.role == Role::Admin && !u.disabled)
            .count();
        assert_eq!(admins, 1);
        let demoted = if ra.is_ok() { ann.id } else { ben.id };
        store
            .set_role(demoted, Role::Admin, &admin())
            .await
            .unwrap();
    }
}

async fn sessions_carry_their_user_and_end_with_a_change_to_it(db: &TestDb) {
    let store = db.store().await;
    let ann = add_user(&store, "ann", Role::Admin).await;
    let vic = add_user(&store, "vic", Role::Viewer).await;
    let t0 = start();
    store.insert_session("hash-ann", ann.id, t0).await.unwrap();
    store
        .insert_session("hash-vic-1", vic.id, t0)
        .await
        .unwrap();
    store
        .insert_session("hash-vic-2", vic.id, t0 + Duration::hours(2))
        .await
        .unwrap();

    let found = store.find_session("hash-ann").await.unwrap().unwrap();
    assert_eq!(found.user, ann);
    assert_eq!((found.created_at, found.last_seen), (t0, t0));
    assert!(store.find_session("no-such-hash").await.unwrap().is_none());
    store
        .touch_session("hash-ann", t0 + Duration::minutes(5))
        .await
        .unwrap();
    let touched = store.find_session("hash-ann").await.unwrap().unwrap();
    assert_eq!(touched.last_seen, t0 + Duration::minutes(5));

    // Forgetting expired sessions: idle since before t0+1m, or begun before t0+1h.
    let purged = store
        .purge_sessions(t0 + Duration::minutes(1), t0 + Duration::hours(1))
        .await
        .unwrap();
    assert_eq!(purged, 2);
    assert!(store.find_session("hash-ann").await.unwrap().is_none());
    assert!(store.find_session("hash-vic-2").await.unwrap().is_some());

    // A change to the user ends their sessions in the same transaction; a change to no
    // effect does not.
    store
        .insert_session("hash-vic-3", vic.id, t0)
        .await
        .unwrap();
    store
        .set_role(vic.id, Role::Viewer, &admin())
        .await
        .unwrap();
    assert!(store.find_session("hash-vic-3").await.unwrap().is_some());
    store.set_disabled(vic.id, true, &admin()).await.unwrap();
    assert!(store.find_session("hash-vic-2").await.unwrap().is_none());
    assert!(store.find_session("hash-vic-3").await.unwrap().is_none());

    // Removing the user removes the rest; deleting one session leaves the others.
    store.set_disabled(vic.id, false, &admin()).await.unwrap();
    store
        .insert_session("hash-vic-4", vic.id, t0)
        .await
        .unwrap();
    store
        .insert_session("hash-ann-2", ann.id, t0)
        .await
        .unwrap();
    store
        .insert_session("hash-ann-3", ann.id, t0)
        .await
        .unwrap();
    store.delete_session("hash-ann-2").await.unwrap();
    assert!(store.find_session("hash-ann-2").await.unwrap().is_none());
    assert!(store.find_session("hash-ann-3").await.unwrap().is_some());
    assert!(store.find_session("hash-vic-4").await.unwrap().is_some());
    store.delete_user(vic.id, &admin()).await.unwrap();
    assert!(store.find_session("hash-vic-4").await.unwrap().is_none());
    // A session of a user who does not exist cannot be made.
    assert!(
        store
            .insert_session("hash-ghost", vic.id, t0)
            .await
            .is_err()
    );
}

async fn the_audit_log_filters_by_time_to_the_microsecond(db: &TestDb) {
    let store = db.store().await;
    // Entries at whole seconds, at milliseconds and at microseconds: the stored text of
    // each has a different length on SQLite, and the order must not care.
    let base = start();
    let offsets_us = [0_i64, 500_000, 500_001, 1_000_000, 1_000_999, 2_000_000];
    for (i, us) in offsets_us.iter().enumerate() {
        db.clock.set(base + Duration::microseconds(*us));
        let entry = AuditEntry {
            action: format!("test.event{i}"),
            target_kind: "test".into(),
            target_name: None,
            target_id: None,
            details: serde_json::json!({}),
        };
        store.append_audit(&admin(), &entry).await.unwrap();
    }
    let between = |since: Option<i64>, until: Option<i64>| {
        let store = store.clone();
        async move {
            let page = store
                .list_audit(
                    &AuditFilter {
                        target_kind: Some("test".into()),
                        since: since.map(|us| base + Duration::microseconds(us)),
                        until: until.map(|us| base + Duration::microseconds(us)),
                        ..AuditFilter::default()
                    },
                    PageRequest::default(),
                )
                .await
                .unwrap();
            let mut actions: Vec<String> = page.items.into_iter().map(|e| e.action).collect();
            actions.reverse();
            actions
        }
    };
    assert_eq!(between(None, None).await.len(), 6);
    // `since` is inclusive, `until` exclusive.
    assert_eq!(
        between(Some(500_000), Some(1_000_000)).await,
        ["test.event1", "test.event2"]
    );
    assert_eq!(between(Some(500_001), None).await.len(), 4);
    assert_eq!(
        between(None, Some(500_001)).await,
        ["test.event0", "test.event1"]
    );
    assert_eq!(
        between(Some(1_000_999), Some(1_001_000)).await,
        ["test.event4"]
    );
    assert!(between(Some(2_000_001), None).await.is_empty());
}

async fn login_failures_count_in_windows_and_concurrent_failures_all_count(db: &TestDb) {
    let store = db.store().await;
    let t0 = start();
    let window = Duration::minutes(5);
    assert!(
        store
            .login_failures("ann", "10.0.0.1")
            .await
            .unwrap()
            .is_none()
    );
    for i in 1..=3 {
        let now = t0 + Duration::seconds(i);
        let w = store
            .record_login_failure("ann", "10.0.0.1", now, now - window)
            .await
            .unwrap();
        assert_eq!(
            (w.started_at, w.failures),
            (t0 + Duration::seconds(1), u32::try_from(i).unwrap())
        );
    }
    // Another address and another user count apart.
    store
        .record_login_failure("ann", "10.0.0.2", t0, t0 - window)
        .await
        .unwrap();
    store
        .record_login_failure("ben", "10.0.0.1", t0, t0 - window)
        .await
        .unwrap();
    assert_eq!(
        store
            .login_failures("ann", "10.0.0.1")
            .await
            .unwrap()
            .unwrap()
            .failures,
        3
    );

    // Once the window is over, counting starts again.
    let later = t0 + Duration::minutes(6);
    let w = store
        .record_login_failure("ann", "10.0.0.1", later, later - window)
        .await
        .unwrap();
    assert_eq!((w.started_at, w.failures), (later, 1));

    // Twenty failures at once (as from several replicas): all twenty count.
    let mut tasks = Vec::new();
    for _ in 0..20 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            store
                .record_login_failure("cat", "10.0.0.9", later, later - window)
                .await
                .unwrap()
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    assert_eq!(
        store
            .login_failures("cat", "10.0.0.9")
            .await
            .unwrap()
            .unwrap()
            .failures,
        20
    );

    store.clear_login_failures("cat", "10.0.0.9").await.unwrap();
    assert!(
        store
            .login_failures("cat", "10.0.0.9")
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        store
            .login_failures("ann", "10.0.0.1")
            .await
            .unwrap()
            .is_some()
    );
}
