//! Plan → dry run → apply → report, reruns, and the refusal of plans that no longer fit the
//! store. Every case runs on SQLite, and on PostgreSQL when `TEST_POSTGRES_URL` is set.

mod bulk_common;

mod bulk {
    use std::collections::HashMap;
    use std::sync::Arc;

    use imsbridge_domain::{
        AuthType, ClientId, Credentials, MigrationActor, Name, OAuthCredentials, OrgId, Origin,
        Revision, Scopes, SecretString, SystemClock,
    };
    use imsbridge_server::bulk::apply::plan_marker;
    use imsbridge_server::bulk::{
        ApplyError, ApplyOptions, Outcome, Plan, PlanOptions, Quiet, Report, apply,
    };
    use imsbridge_server::{MigrationRequest, migrate};
    use imsbridge_store::{AuditContext, AuditFilter, PageRequest, Store};

    use super::bulk_common::{Estate, provider};
    use imsbridge_testkit::TestData;

    fn options(env: HashMap<String, String>) -> ApplyOptions {
        ApplyOptions {
            concurrency: 4,
            env: Arc::new(move |k| env.get(k).cloned()),
            ..ApplyOptions::default()
        }
    }

    async fn run(store: &Store, plan: &Plan, opts: &ApplyOptions) -> Result<Report, ApplyError> {
        apply(store, &provider(), &SystemClock, plan, opts, &Quiet).await
    }

    async fn migrations_of(store: &Store, name: &str) -> Vec<imsbridge_store::AuditRecord> {
        let filter = AuditFilter {
            action: Some("config.migrate".into()),
            target_name: Some(name.into()),
            ..AuditFilter::default()
        };
        store
            .list_audit(&filter, PageRequest::first(100))
            .await
            .unwrap()
            .items
    }

    #[tokio::test]
    async fn a_plan_lists_customer_jwt_configs_prefilled_with_suggested_scopes_and_no_secrets() {
        for kind in TestData::kinds() {
            let db = TestData::new(kind).await.unwrap();
            let store = db.store().await;
            let estate = Estate::start().await;
            let creds = estate.seed(&store, "customer", 3, Origin::Customer).await;
            estate
                .seed(&store, "auto", 2, Origin::AutoProvisioned)
                .await;

            let plan = Plan::generate(&store, chrono::Utc::now(), PlanOptions::default())
                .await
                .unwrap();

            assert_eq!(
                plan.rows.len(),
                3,
                "{kind:?}: auto-provisioned rows are left out"
            );
            let row = &plan.rows[0];
            assert_eq!(row.name, "customer-00000");
            assert_eq!(row.revision, 1);
            assert_eq!(row.client_id, creds[0].client_id);
            assert_eq!(row.org_id, creds[0].org_id);
            assert_eq!(
                row.scopes,
                "openid,AdobeID,read_organizations,additional_info.projectedProductContext,additional_info.job_function"
            );
            assert!(row.client_secret.is_empty() && row.client_secret_env.is_empty());
            for text in [plan.to_json(), plan.to_csv()] {
                for c in &creds {
                    assert!(
                        !text.contains(&c.client_secret),
                        "{kind:?}: a plan holds no secret"
                    );
                }
                assert_eq!(Plan::parse(&text).unwrap().rows, plan.rows);
            }
        }
    }

    #[tokio::test]
    async fn bulk_plan_then_dry_run_then_apply_migrates_every_row_from_every_secret_source() {
        for kind in TestData::kinds() {
            let db = TestData::new(kind).await.unwrap();
            let store = db.store().await;
            let estate = Estate::start().await;
            let creds = estate.seed(&store, "cfg", 4, Origin::Customer).await;
            // The Developer Console migrates the credentials (keeping id and secret).
            let oauth: Vec<_> = creds
                .iter()
                .map(|c| estate.ims.migrate_jwt_credential(&c.client_id).unwrap())
                .collect();
            let mut plan = Plan::generate(&store, chrono::Utc::now(), PlanOptions::default())
                .await
                .unwrap();
            // One row per secret source.
            plan.rows[0].keep_jwt_secret = true;
            plan.rows[1].client_secret_env = "CFG1_SECRET".into();
            let project_dir = tempfile::tempdir().unwrap();
            std::fs::write(
                project_dir.path().join("project.json"),
                estate
                    .ims
                    .project_json(&estate.project_id)
                    .unwrap()
                    .to_string(),
            )
            .unwrap();
            plan.rows[2].project_json = "project.json".into();
            plan.rows[3].client_secret = oauth[3].client_secrets[0].clone();
            let mut opts = options(HashMap::from([(
                "CFG1_SECRET".to_owned(),
                oauth[1].client_secrets[0].clone(),
            )]));
            opts.base_dir = project_dir.path().to_path_buf();

            opts.dry_run = true;
            let dry = run(&store, &plan, &opts).await.unwrap();
            assert_eq!(dry.verified, 4, "{kind:?}: {}", dry.to_table());
            for row in &plan.rows {
                let c = store
                    .get_config_summary(&Name::parse(&row.name).unwrap())
                    .await
                    .unwrap()
                    .unwrap();
                assert_eq!(
                    (c.auth_type, c.revision),
                    (AuthType::Jwt, Revision::FIRST),
                    "{kind:?}: a dry run writes nothing"
                );
            }

            opts.dry_run = false;
            let report = run(&store, &plan, &opts).await.unwrap();
            assert_eq!(
                (report.migrated, report.failed),
                (4, 0),
                "{kind:?}: {}",
                report.to_table()
            );
            let json: serde_json::Value = serde_json::from_str(&report.to_json()).unwrap();
            assert_eq!(json["migrated"], 4);
            assert_eq!(json["rows"][0]["outcome"], "migrated");
            assert_eq!(json["rows"][0]["new_revision"], 2);
            for (row, o) in plan.rows.iter().zip(&oauth) {
                let c = store
                    .get_config(&Name::parse(&row.name).unwrap())
                    .await
                    .unwrap()
                    .unwrap();
                assert_eq!(c.revision, Revision::new(2));
                let Credentials::OAuth(new) = &c.credentials else {
                    panic!("{kind:?}: not migrated")
                };
                assert_eq!(new.client_id.as_str(), o.client_id);
                let audit = migrations_of(&store, &row.name).await;
                assert_eq!(audit.len(), 1);
                assert_eq!(
                    audit[0].request_id.as_deref(),
                    Some(plan_marker(&plan.plan_id).as_str())
                );
            }
            for secret in oauth.iter().map(|o| &o.client_secrets[0]) {
                assert!(!report.to_json().contains(secret) && !report.to_table().contains(secret));
            }
        }
    }

    #[tokio::test]
    async fn a_rerun_of_an_applied_plan_skips_every_row_and_migrates_nothing_twice() {
        for kind in TestData::kinds() {
            let db = TestData::new(kind).await.unwrap();
            let store = db.store().await;
            let estate = Estate::start().await;
            let creds = estate.seed(&store, "cfg", 5, Origin::Customer).await;
            for c in &creds {
                estate.ims.migrate_jwt_credential(&c.client_id).unwrap();
            }
            let plan = Plan::generate(
                &store,
                chrono::Utc::now(),
                PlanOptions {
                    keep_jwt_secret: true,
                },
            )
            .await
            .unwrap();
            // A first run that got through two rows only, as if killed.
            let mut partial = plan.clone();
            partial.rows.truncate(2);
            let first = run(&store, &partial, &options(HashMap::new()))
                .await
                .unwrap();
            assert_eq!(first.migrated, 2);

            let second = run(&store, &plan, &options(HashMap::new())).await.unwrap();
            assert_eq!(
                (second.migrated, second.skipped, second.failed),
                (3, 2, 0),
                "{kind:?}: {}",
                second.to_table()
            );
            assert_eq!(second.rows[0].outcome, Outcome::AlreadyMigrated);
            let third = run(&store, &plan, &options(HashMap::new())).await.unwrap();
            assert_eq!((third.migrated, third.skipped), (0, 5));
            for row in &plan.rows {
                assert_eq!(
                    migrations_of(&store, &row.name).await.len(),
                    1,
                    "{kind:?}: {} migrated once",
                    row.name
                );
            }
        }
    }

    #[tokio::test]
    async fn a_stale_plan_is_refused_whole_with_every_problem_listed_and_nothing_changes() {
        for kind in TestData::kinds() {
            let db = TestData::new(kind).await.unwrap();
            let store = db.store().await;
            let estate = Estate::start().await;
            let creds = estate.seed(&store, "cfg", 4, Origin::Customer).await;
            estate
                .seed(&store, "auto", 1, Origin::AutoProvisioned)
                .await;
            for c in &creds {
                estate.ims.migrate_jwt_credential(&c.client_id).unwrap();
            }
            let mut plan = Plan::generate(
                &store,
                chrono::Utc::now(),
                PlanOptions {
                    keep_jwt_secret: true,
                },
            )
            .await
            .unwrap();
            // cfg-00000 is migrated by hand after the plan was made.
            let by_hand = OAuthCredentials {
                client_id: ClientId::parse(&creds[0].client_id).unwrap(),
                client_secret: SecretString::from(creds[0].client_secret.clone()),
                scopes: Scopes::parse(&plan.rows[0].scopes).unwrap(),
                org_id: OrgId::parse(&creds[0].org_id).unwrap(),
                technical_account_id: None,
            };
            migrate(
                &store,
                &provider(),
                &SystemClock,
                MigrationRequest {
                    name: Name::parse("cfg-00000").unwrap(),
                    expected: Revision::FIRST,
                    oauth: by_hand,
                    verify: true,
                    actor: MigrationActor::Manual,
                },
                &AuditContext::actor("admin"),
            )
            .await
            .unwrap();
            // An auto-provisioned row, a row without a secret source and an unknown name.
            let mut auto_row = plan.rows[1].clone();
            auto_row.name = "auto-00000".into();
            plan.rows.push(auto_row);
            plan.rows[1].keep_jwt_secret = false;
            plan.rows[2].revision = 7;
            plan.rows[3].name = "no-such-config".into();

            let err = run(&store, &plan, &options(HashMap::new()))
                .await
                .unwrap_err();
            let ApplyError::Refused(problems) = &err else {
                panic!("{kind:?}: {err}")
            };
            let rows: Vec<usize> = problems.iter().map(|p| p.row).collect();
            assert_eq!(rows, vec![1, 2, 3, 4, 5], "{kind:?}: {err}");
            let text = err.to_string();
            assert!(text.contains("already uses OAuth"), "{text}");
            assert!(text.contains("no sources for the client secret"), "{text}");
            assert!(text.contains("the plan saw revision 7"), "{text}");
            assert!(text.contains("no configuration has this name"), "{text}");
            assert!(text.contains("auto-provisioned"), "{text}");
            for name in ["cfg-00001", "cfg-00002", "cfg-00003", "auto-00000"] {
                let c = store
                    .get_config_summary(&Name::parse(name).unwrap())
                    .await
                    .unwrap()
                    .unwrap();
                assert_eq!(
                    (c.auth_type, c.revision),
                    (AuthType::Jwt, Revision::FIRST),
                    "{kind:?}: {name} untouched"
                );
            }
        }
    }

    #[tokio::test]
    async fn a_row_that_ims_refuses_fails_with_its_reason_while_the_others_migrate() {
        for kind in TestData::kinds() {
            let db = TestData::new(kind).await.unwrap();
            let store = db.store().await;
            let estate = Estate::start().await;
            let creds = estate.seed(&store, "cfg", 3, Origin::Customer).await;
            for c in &creds {
                estate.ims.migrate_jwt_credential(&c.client_id).unwrap();
            }
            let mut plan = Plan::generate(
                &store,
                chrono::Utc::now(),
                PlanOptions {
                    keep_jwt_secret: true,
                },
            )
            .await
            .unwrap();
            plan.rows[1].keep_jwt_secret = false;
            plan.rows[1].client_secret = "p8e-this-is-not-the-secret".into();

            let report = run(&store, &plan, &options(HashMap::new())).await.unwrap();

            assert_eq!(
                (report.migrated, report.failed),
                (2, 1),
                "{kind:?}: {}",
                report.to_table()
            );
            let failed = &report.rows[1];
            assert_eq!(failed.outcome, Outcome::Failed);
            assert_eq!(failed.ims_error.as_deref(), Some("invalid_client"));
            assert!(report.to_table().contains("invalid_client"));
            assert!(!report.to_json().contains("p8e-this-is-not-the-secret"));
            let c = store
                .get_config_summary(&Name::parse("cfg-00001").unwrap())
                .await
                .unwrap()
                .unwrap();
            assert_eq!(
                c.auth_type,
                AuthType::Jwt,
                "{kind:?}: a refused row is left as it was"
            );
        }
    }
}
