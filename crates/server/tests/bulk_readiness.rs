//! Readiness: counts, the JWT configurations left with who uses them, days to end of life,
//! and the progress chart drawn from the audit log's migrations.

mod bulk_common;

mod bulk {
    use std::collections::HashMap;
    use std::sync::Arc;

    use imsbridge_domain::{Origin, SystemClock};
    use imsbridge_server::bulk::{ApplyOptions, Plan, PlanOptions, Quiet, apply};
    use imsbridge_server::readiness::{self, TokenUsage};
    use imsbridge_server::readiness_chart;

    use super::bulk_common::{Estate, provider};
    use imsbridge_testkit::TestData;

    #[tokio::test]
    async fn bulk_readiness_counts_what_is_left_who_uses_it_and_charts_the_migrations() {
        for kind in TestData::kinds() {
            let db = TestData::new(kind).await.unwrap();
            let store = db.store().await;
            let estate = Estate::start().await;
            let creds = estate.seed(&store, "cfg", 3, Origin::Customer).await;
            estate
                .seed(&store, "auto", 1, Origin::AutoProvisioned)
                .await;
            estate
                .ims
                .migrate_jwt_credential(&creds[0].client_id)
                .unwrap();
            let mut plan = Plan::generate(&store, chrono::Utc::now(), PlanOptions::default())
                .await
                .unwrap();
            plan.rows.truncate(1);
            plan.rows[0].keep_jwt_secret = true;
            let options = ApplyOptions {
                env: Arc::new(|_| None),
                ..ApplyOptions::default()
            };
            let report = apply(&store, &provider(), &SystemClock, &plan, &options, &Quiet)
                .await
                .unwrap();
            assert_eq!(report.migrated, 1);
            let usage = TokenUsage::default();
            let now = chrono::Utc::now();
            for _ in 0..3 {
                usage.record("cfg-00001", "api-token:aem-author", now);
            }
            usage.record("cfg-00001", "api-token:aem-publish", now);
            assert_eq!(usage.flush(&store).await.unwrap(), 2);

            let eol = now.date_naive() + chrono::Duration::days(30);
            let r = readiness::compute(&store, now, eol).await.unwrap();

            assert_eq!(r.total, 4);
            let by = |v: &[readiness::Count]| -> HashMap<String, u64> {
                v.iter().map(|c| (c.key.clone(), c.count)).collect()
            };
            assert_eq!(
                by(&r.by_auth_type),
                HashMap::from([("jwt".into(), 3), ("oauth".into(), 1)]),
                "{kind:?}"
            );
            assert_eq!(by(&r.by_origin)["auto-provisioned"], 1);
            assert_eq!(by(&r.by_cloud_solution)["analytics"], 4);
            assert_eq!(by(&r.by_health)["unchecked"], 4);
            assert_eq!(r.days_to_eol, 30);
            let names: Vec<&str> = r.remaining.iter().map(|c| c.name.as_str()).collect();
            assert_eq!(
                names,
                vec!["cfg-00001", "cfg-00002", "auto-00000"],
                "customer rows first"
            );
            let used = &r.remaining[0].used_by;
            assert_eq!(
                (used[0].caller.as_str(), used[0].requests),
                ("api-token:aem-author", 3)
            );
            assert_eq!(used.len(), 2);
            assert_eq!(r.progress.len(), 1);
            assert_eq!(
                (r.progress[0].cumulative, r.progress[0].remaining_jwt),
                (1, 3)
            );

            let svg = readiness_chart::svg(
                &r,
                readiness_chart::ChartLabels::in_lang(imsbridge_i18n::Lang::En),
            );
            assert!(
                svg.starts_with("<svg")
                    && svg.contains("Migrated (1)")
                    && svg.contains("JWT configurations left (3)")
            );
        }
    }
}
