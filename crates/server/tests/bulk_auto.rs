//! The automatic migration of auto-provisioned configurations against the emulator's
//! Developer Console API, its retries, and the one-replica lock.

mod bulk_common;

mod bulk {
    use std::sync::Arc;
    use std::time::Duration;

    use imsbridge_domain::{AuthType, Clock, Credentials, ManualClock, Name, Origin};
    use imsbridge_emulator::{Endpoint, Fault};
    use imsbridge_server::bulk::auto::{self, AUTO_ACTOR, MIGRATED_AUTOMATICALLY};
    use imsbridge_server::bulk::lock::{AUTO_MIGRATION_LOCK, JobLock};
    use imsbridge_server::bulk::{AutoMigration, Backoff, CredentialSource};
    use imsbridge_store::{AuditFilter, DatabaseKind, PageRequest, Store};

    use super::bulk_common::{Estate, provider};
    use imsbridge_testkit::TestData;

    fn job(store: &Store, estate: &Estate, clock: &ManualClock) -> AutoMigration {
        AutoMigration::new(
            store.clone(),
            provider(),
            Arc::new(clock.clone()),
            CredentialSource::new(&format!("{}/console", estate.ims.base_url())).unwrap(),
            Backoff {
                base: Duration::from_secs(60),
                max: Duration::from_secs(3600),
            },
        )
    }

    #[tokio::test]
    async fn the_automatic_job_migrates_auto_provisioned_configs_through_the_credential_source() {
        for kind in TestData::kinds() {
            let db = TestData::new(kind).await.unwrap();
            let store = db.store().await;
            let estate = Estate::start().await;
            let creds = estate
                .seed(&store, "auto", 2, Origin::AutoProvisioned)
                .await;
            estate.seed(&store, "customer", 1, Origin::Customer).await;
            let clock = ManualClock::new(chrono::Utc::now());

            let report = job(&store, &estate, &clock).run_once().await.unwrap();

            assert_eq!(
                report.migrated,
                vec!["auto-00000", "auto-00001"],
                "{kind:?}: {report:?}"
            );
            for (i, c) in creds.iter().enumerate() {
                let name = Name::parse(&format!("auto-{i:05}")).unwrap();
                let config = store.get_config(&name).await.unwrap().unwrap();
                let Credentials::OAuth(oauth) = &config.credentials else {
                    panic!("{kind:?}: still JWT")
                };
                assert_eq!(
                    oauth.client_id.as_str(),
                    c.client_id,
                    "the Developer Console keeps the client id"
                );
                assert_eq!(config.origin, Origin::AutoProvisioned);
                let notes = store
                    .list_audit(
                        &AuditFilter {
                            action: Some(MIGRATED_AUTOMATICALLY.into()),
                            target_name: Some(name.to_string()),
                            ..AuditFilter::default()
                        },
                        PageRequest::first(10),
                    )
                    .await
                    .unwrap()
                    .items;
                assert_eq!(notes.len(), 1);
                assert_eq!(notes[0].actor, AUTO_ACTOR);
                assert_eq!(notes[0].details["message"], "migrated automatically");
            }
            let customer = store
                .get_config_summary(&Name::parse("customer-00000").unwrap())
                .await
                .unwrap()
                .unwrap();
            assert_eq!(
                customer.auth_type,
                AuthType::Jwt,
                "customer configurations are left to the admin"
            );
            assert!(
                job(&store, &estate, &clock)
                    .run_once()
                    .await
                    .unwrap()
                    .migrated
                    .is_empty()
            );
        }
    }

    #[tokio::test]
    async fn a_failed_automatic_migration_is_recorded_visibly_and_retried_after_its_backoff() {
        for kind in TestData::kinds() {
            let db = TestData::new(kind).await.unwrap();
            let store = db.store().await;
            let estate = Estate::start().await;
            estate
                .seed(&store, "auto", 1, Origin::AutoProvisioned)
                .await;
            let clock = ManualClock::new(chrono::Utc::now());
            let job = job(&store, &estate, &clock);
            // IMS refuses every client-credentials request: verification fails after the
            // Developer Console has already migrated the credential.
            estate
                .ims
                .set_fault(
                    Endpoint::TokenV3,
                    Fault::Error {
                        status: 400,
                        rate: 1.0,
                    },
                )
                .unwrap();

            let first = job.run_once().await.unwrap();
            assert_eq!(first.failed.len(), 1, "{kind:?}: {first:?}");
            let status = job.statuses();
            assert_eq!(status[0].attempts, 1);
            assert_eq!(
                status[0].next_attempt_at,
                clock.now() + chrono::Duration::seconds(60)
            );
            let failures = auto::failures(&store, 100).await.unwrap();
            assert_eq!(
                failures.len(),
                1,
                "the failure is in the audit log for the console"
            );
            assert_eq!(failures.values().next().unwrap().attempt, 1);

            let early = job.run_once().await.unwrap();
            assert_eq!(
                early.deferred,
                vec!["auto-00000"],
                "{kind:?}: the backoff is respected"
            );

            estate.ims.clear_faults();
            clock.advance(chrono::Duration::seconds(61));
            // The Developer Console says "already migrated" now; the job takes that credential.
            let retry = job.run_once().await.unwrap();
            assert_eq!(retry.migrated, vec!["auto-00000"], "{kind:?}: {retry:?}");
            assert!(job.statuses().is_empty());
        }
    }

    #[tokio::test]
    async fn only_one_replica_at_a_time_holds_the_automatic_migration_lock() {
        for kind in TestData::kinds() {
            let db = TestData::new(kind).await.unwrap();
            let _store = db.store().await;
            let first = JobLock::try_acquire(db.url().as_ref(), AUTO_MIGRATION_LOCK)
                .await
                .unwrap();
            assert!(first.is_some());
            let second = JobLock::try_acquire(db.url().as_ref(), AUTO_MIGRATION_LOCK)
                .await
                .unwrap();
            if kind == DatabaseKind::Postgres {
                assert!(
                    second.is_none(),
                    "another replica is refused while the lock is held"
                );
                first.unwrap().release().await;
                let third = JobLock::try_acquire(db.url().as_ref(), AUTO_MIGRATION_LOCK)
                    .await
                    .unwrap();
                assert!(third.is_some(), "released locks can be taken");
            } else {
                assert!(
                    second.is_some(),
                    "SQLite: one process, so the lock is always granted"
                );
            }
        }
    }
}
