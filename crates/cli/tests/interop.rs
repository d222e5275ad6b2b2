//! `config import --from` and `config export --to` on the binary: the dry run and its report,
//! `--update` with `--expect`, and round trips through AEM's and the aio CLI's files.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_imsbridge");

fn fixtures(dir: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../interop/tests/fixtures")
        .join(dir)
}

fn run(data: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .arg("--data-dir")
        .arg(data)
        .args(args)
        .env("IMSBRIDGE_LOG", "warn")
        .output()
        .expect("the binary runs")
}

fn ok(data: &Path, args: &[&str]) -> String {
    let out = run(data, args);
    assert!(
        out.status.success(),
        "{args:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// The configurations as `config export` (no secrets) shows them, without what differs
/// between two stores (ids, times).
fn configs(data: &Path) -> Vec<Value> {
    let doc: Value = serde_json::from_str(&ok(data, &["config", "export"])).unwrap();
    let mut configs: Vec<Value> = doc["configs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let mut c = c.clone();
            let o = c.as_object_mut().unwrap();
            for volatile in [
                "id",
                "created_at",
                "updated_at",
                "revision",
                "health",
                "origin",
            ] {
                o.remove(volatile);
            }
            c
        })
        .collect();
    configs.sort_by(|a, b| a["name"].as_str().cmp(&b["name"].as_str()));
    configs
}

#[test]
fn a_dry_run_writes_nothing_and_its_report_gates_a_later_update() {
    let data = tempfile::tempdir().unwrap();
    let dir = data.path();
    let ams = fixtures("aem-osgi/ams");
    let ams = ams.to_str().unwrap();
    let report = dir.join("preview.json");
    let preview: Value = serde_json::from_str(&ok(
        dir,
        &[
            "config",
            "import",
            "--from",
            "aem-osgi",
            ams,
            "--dry-run",
            "--report",
            report.to_str().unwrap(),
            "--output",
            "json",
        ],
    ))
    .unwrap();
    let rows: Vec<(&str, &str)> = preview["preview"]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["name"].as_str().unwrap(), r["action"].as_str().unwrap()))
        .collect();
    assert_eq!(
        rows,
        [
            ("analytics-legacy", "needs-certificate"),
            ("smart-content-service", "create"),
            ("target", "needs-secret"),
        ]
    );
    assert!(configs(dir).is_empty(), "a dry run writes nothing");

    // The real run creates the ready row; the blocked ones are reported, not fatal.
    let table = ok(dir, &["config", "import", "--from", "aem-osgi", ams]);
    assert!(
        table.contains("smart-content-service: created (revision 1)"),
        "{table}"
    );
    assert_eq!(configs(dir).len(), 1);

    // Again without --update: skipped, not overwritten.
    let table = ok(dir, &["config", "import", "--from", "aem-osgi", ams]);
    assert!(table.contains("pass --update"), "{table}");

    // A report made before the configuration existed no longer matches: nothing is written.
    let report_path = report.to_str().unwrap();
    let update_as_reviewed = || {
        ok(
            dir,
            &[
                "config",
                "import",
                "--from",
                "aem-osgi",
                ams,
                "--update",
                "--expect",
                report_path,
            ],
        )
    };
    let table = update_as_reviewed();
    assert!(table.contains("since the expected report"), "{table}");
    assert!(!table.contains("updated"), "{table}");

    // A fresh review at revision 1, then the update it allows; the configuration moves on to
    // revision 2, and the same report then refuses a second update.
    ok(
        dir,
        &[
            "config",
            "import",
            "--from",
            "aem-osgi",
            ams,
            "--update",
            "--dry-run",
            "--report",
            report_path,
        ],
    );
    let table = update_as_reviewed();
    assert!(
        table.contains("smart-content-service: updated (revision 2)"),
        "{table}"
    );
    let table = update_as_reviewed();
    assert!(table.contains("revision 1, now 2"), "{table}");

    // Wrong input says what was wrong.
    let out = run(dir, &["config", "import", "--from", "osgi", ams]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("aem-osgi, aio or aio-lib-java"));
    let out = run(dir, &["config", "import", ams]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--from"));
}

#[test]
fn exports_for_aem_and_the_aio_cli_import_back_as_the_same_configurations() {
    let source = tempfile::tempdir().unwrap();
    let src = source.path();
    ok(
        src,
        &[
            "config",
            "import",
            "--from",
            "aem-osgi",
            fixtures("aem-osgi/ams").to_str().unwrap(),
        ],
    );
    ok(
        src,
        &[
            "config",
            "import",
            "--from",
            "aio",
            fixtures("aio").to_str().unwrap(),
        ],
    );
    let before = configs(src);
    assert!(before.len() >= 2, "{before:?}");

    // AEM: the secrets stay in Cloud Manager variables; the OSGi files name them.
    let osgi = src.join("osgi");
    ok(
        src,
        &[
            "config",
            "export",
            "--to",
            "aem-osgi",
            osgi.to_str().unwrap(),
            "--include-secrets",
        ],
    );
    let variables = osgi.join("cloudmanager-variables.json");
    use std::os::unix::fs::PermissionsExt as _;
    assert_eq!(
        std::fs::metadata(&variables).unwrap().permissions().mode() & 0o777,
        0o600
    );
    let target = tempfile::tempdir().unwrap();
    ok(
        target.path(),
        &[
            "config",
            "import",
            "--from",
            "aem-osgi",
            osgi.to_str().unwrap(),
            "--vars",
            variables.to_str().unwrap(),
        ],
    );
    assert_eq!(configs(target.path()), before, "aem-osgi round trip");

    // aio: contexts with their secrets.
    let aio = src.join("aio");
    ok(
        src,
        &[
            "config",
            "export",
            "--to",
            "aio",
            aio.to_str().unwrap(),
            "--include-secrets",
        ],
    );
    let target = tempfile::tempdir().unwrap();
    ok(
        target.path(),
        &["config", "import", "--from", "aio", aio.to_str().unwrap()],
    );
    assert_eq!(configs(target.path()), before, "aio round trip");
}
