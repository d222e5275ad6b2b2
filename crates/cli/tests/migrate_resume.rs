//! `imsbridge migrate apply` killed mid-run and run again: every configuration ends migrated
//! exactly once (one `config.migrate` audit entry each) and none half-migrated. A real
//! process against a real data directory, with an emulator whose token endpoint is slowed
//! down so the run is still going when it is killed. SQLite always; PostgreSQL too when
//! `TEST_POSTGRES_URL` is set.

// Tests read as one story each; a long one is clearer whole than split.
#![allow(clippy::too_many_lines)]

use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use imsbridge_domain::{
    AuthType, AuthorizationServer, Certificate, ClientId, CloudSolution, ConfigDraft, ConfigId,
    DraftCredentials, IntegrationConfig, JwtCredentials, Metascopes, Name, OrgId, Origin, Revision,
    SecretString, TechnicalAccountId, Title,
};
use imsbridge_emulator::{Emulator, EmulatorHandle, Endpoint, Fault};
use imsbridge_store::{AuditContext, AuditFilter, DatabaseUrl, PageRequest, Store};
use imsbridge_testkit::TestDatabase;

const BIN: &str = env!("CARGO_BIN_EXE_imsbridge");
const CONFIGS: usize = 40;
/// Its suggested scopes (domain) and migrated scopes (emulator) agree.
const METASCOPE: &str = "ent_analytics_bulk_ingest_sdk";

/// SQLite (no database), and PostgreSQL with a fresh database (dropped with its guard) when
/// `TEST_POSTGRES_URL` is set.
async fn databases() -> Vec<Option<TestDatabase>> {
    let mut v = vec![None];
    if let Some(database) = TestDatabase::create().await {
        v.push(Some(database));
    }
    v
}

async fn open(dir: &Path, url: Option<&str>) -> Store {
    let url = url.map(|u| DatabaseUrl::parse(u).unwrap());
    Store::open_data_dir(dir, url.as_ref(), None).await.unwrap()
}

/// `CONFIGS` JWT configurations whose credentials the Developer Console has migrated.
async fn seed(ims: &EmulatorHandle, store: &Store) {
    let org = ims.create_org("Resume Org").unwrap();
    let project = ims.create_project(&org.id, "Resume", false).unwrap();
    let first = ims
        .create_jwt_credential(&project.id, &[METASCOPE])
        .unwrap();
    let audit = AuditContext::actor("test");
    for i in 0..CONFIGS {
        let c = ims
            .create_jwt_credential_with_certificate(
                &project.id,
                &[METASCOPE],
                &first.certificate_pem,
            )
            .unwrap();
        ims.migrate_jwt_credential(&c.client_id).unwrap();
        let draft = ConfigDraft {
            name: Name::parse(&format!("cfg-{i:03}")).unwrap(),
            title: Title::parse(&format!("Config {i}")).unwrap(),
            cloud_solution: CloudSolution::Analytics,
            authorization_server: AuthorizationServer::parse(&ims.base_url()).unwrap(),
            credentials: DraftCredentials::Jwt(JwtCredentials {
                api_key: ClientId::parse(&c.client_id).unwrap(),
                client_secret: SecretString::from(c.client_secret.clone()),
                org_id: OrgId::parse(&c.org_id).unwrap(),
                technical_account_id: TechnicalAccountId::parse(&c.technical_account_id).unwrap(),
                metascopes: Metascopes::parse(METASCOPE).unwrap(),
                private_key: SecretString::from(first.private_key_pem.clone()),
                certificate: Certificate::parse_pem(&first.certificate_pem).unwrap(),
            }),
        };
        let config =
            IntegrationConfig::import(draft, Origin::Customer, ConfigId::new(), chrono::Utc::now());
        store.import_config(&config, &audit).await.unwrap();
    }
}

fn imsbridge(dir: &Path, url: Option<&str>) -> tokio::process::Command {
    let mut cmd = tokio::process::Command::new(BIN);
    cmd.arg("--data-dir").arg(dir);
    if let Some(url) = url {
        cmd.args(["--database-url", url]);
    }
    cmd.env("IMSBRIDGE_LOG", "warn")
        .env_remove("IMSBRIDGE_MASTER_KEY")
        .stdin(Stdio::null());
    cmd
}

async fn migrate_entries(store: &Store) -> Vec<imsbridge_store::AuditRecord> {
    let filter = AuditFilter {
        action: Some("config.migrate".into()),
        ..AuditFilter::default()
    };
    store
        .list_audit(&filter, PageRequest::first(1000))
        .await
        .unwrap()
        .items
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_apply_killed_mid_run_and_run_again_migrates_every_configuration_exactly_once() {
    for database in databases().await {
        let url = database
            .as_ref()
            .map(|d| d.url().expose_secret().to_owned());
        let url = url.as_deref();
        let dir = tempfile::tempdir().unwrap();
        let ims = Emulator::spawn().await.unwrap();
        let store = open(dir.path(), url).await;
        seed(&ims, &store).await;

        let plan_path = dir.path().join("plan.json");
        let out = imsbridge(dir.path(), url)
            .args(["migrate", "plan", "--keep-jwt-secret", "--output"])
            .arg(&plan_path)
            .output()
            .await
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );

        // Slow enough that the run is surely still going when it is killed.
        ims.set_fault(Endpoint::TokenV3, Fault::Latency { ms: 250 })
            .unwrap();
        let mut child = imsbridge(dir.path(), url)
            .args(["migrate", "apply", "--concurrency", "2"])
            .arg(&plan_path)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(120);
        loop {
            let done = migrate_entries(&store).await.len();
            if done >= 5 {
                break;
            }
            assert!(Instant::now() < deadline, "the run never got going");
            assert!(
                child.try_wait().unwrap().is_none(),
                "the run ended before it could be killed"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        child.kill().await.unwrap();
        let first_run = migrate_entries(&store).await.len();
        assert!(
            (5..CONFIGS).contains(&first_run),
            "killed mid-run: {first_run} of {CONFIGS} done"
        );
        // Nothing is half-migrated: each configuration is JWT as it was, or OAuth one revision on.
        for i in 0..CONFIGS {
            let c = store
                .get_config_summary(&Name::parse(&format!("cfg-{i:03}")).unwrap())
                .await
                .unwrap()
                .unwrap();
            assert!(
                matches!(
                    (c.auth_type, c.revision.get()),
                    (AuthType::Jwt, 1) | (AuthType::OAuth, 2)
                ),
                "cfg-{i:03} is {:?} at revision {}",
                c.auth_type,
                c.revision
            );
        }

        ims.clear_faults();
        let report_path = dir.path().join("report.json");
        let out = imsbridge(dir.path(), url)
            .args(["migrate", "apply", "--concurrency", "4", "--report"])
            .arg(&report_path)
            .arg(&plan_path)
            .output()
            .await
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let report: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&report_path).unwrap()).unwrap();
        let skipped = report["skipped"].as_u64().unwrap() as usize;
        let migrated = report["migrated"].as_u64().unwrap() as usize;
        assert!(
            skipped >= first_run,
            "rows done before the kill are skipped: {report}"
        );
        assert_eq!(
            (skipped + migrated, report["failed"].as_u64()),
            (CONFIGS, Some(0))
        );
        assert!(String::from_utf8_lossy(&out.stdout).contains("skipped (already migrated)"));

        let entries = migrate_entries(&store).await;
        assert_eq!(
            entries.len(),
            CONFIGS,
            "one migration per configuration in all"
        );
        for i in 0..CONFIGS {
            let name = format!("cfg-{i:03}");
            assert_eq!(
                entries
                    .iter()
                    .filter(|e| e.target_name.as_deref() == Some(name.as_str()))
                    .count(),
                1,
                "{name} migrated exactly once"
            );
            let c = store
                .get_config_summary(&Name::parse(&name).unwrap())
                .await
                .unwrap()
                .unwrap();
            assert_eq!(
                (c.auth_type, c.revision),
                (AuthType::OAuth, Revision::new(2))
            );
        }
        store.close().await;
    }
}
