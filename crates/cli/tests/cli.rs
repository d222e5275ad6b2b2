//! The `imsbridge` binary end to end: demo mode, the encrypted store on disk, key rotation,
//! export and import, and the errors a person sees.

// Tests read as one story each; a long one is clearer whole than split.
#![allow(clippy::too_many_lines)]

use std::io::{BufRead as _, BufReader};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

const BIN: &str = env!("CARGO_BIN_EXE_imsbridge");
const KNOWN_SECRET: &str = "p8e-KnownSecretForTheDiskGrep-0123456789";

/// A running `imsbridge serve`, stopped on drop.
struct Server {
    child: Child,
    url: String,
    admin_password: Option<String>,
}

impl Server {
    fn start(args: &[&str], envs: &[(&str, &str)]) -> Self {
        let mut command = Command::new(BIN);
        command.args(args).envs(envs.iter().copied());
        Self::start_command(command)
    }

    /// Starts `command` (the binary, or a shell that execs it) and waits for its address.
    fn start_command(mut command: Command) -> Self {
        let child = command
            .env("IMSBRIDGE_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the binary starts");
        // Owned from here on, so that a failed assertion still stops the process (Drop).
        let mut server = Self {
            child,
            url: String::new(),
            admin_password: None,
        };
        let mut lines = BufReader::new(server.child.stdout.take().unwrap()).lines();
        let deadline = Instant::now() + Duration::from_secs(120);
        loop {
            assert!(
                Instant::now() < deadline,
                "the server did not announce its address"
            );
            let line = lines
                .next()
                .expect("the server printed its address")
                .unwrap();
            if let Some(pw) = line.strip_prefix("admin password: ") {
                server.admin_password = Some(pw.trim().to_owned());
            }
            if let Some(url) = line.strip_prefix("imsbridge listening on ") {
                url.trim().clone_into(&mut server.url);
                // Keep draining stdout so the server never blocks on a full pipe.
                std::thread::spawn(move || for _ in lines {});
                return server;
            }
        }
    }

    /// Stops the server the way an operator would, with SIGTERM, and waits for it.
    fn stop(mut self) {
        let pid = self.child.id().to_string();
        Command::new("kill").args(["-TERM", &pid]).status().unwrap();
        let status = self.child.wait().unwrap();
        assert!(status.success(), "graceful shutdown exits 0, got {status}");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Logs in as admin and returns an admin API token.
async fn admin_token(server: &Server) -> String {
    let http = reqwest::Client::new();
    let password = server
        .admin_password
        .as_deref()
        .expect("an admin password was printed");
    let login = http
        .post(format!("{}/api/v1/session", server.url))
        .json(&json!({"username": "admin", "password": password}))
        .send()
        .await
        .unwrap()
        .error_for_status()
        .unwrap();
    let cookies: Vec<String> = login
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok()?.split(';').next().map(str::to_owned))
        .collect();
    let session: Value = login.json().await.unwrap();
    let csrf = session["csrf_token"].as_str().unwrap();
    let created: Value = http
        .post(format!("{}/api/v1/api-tokens", server.url))
        .header("cookie", cookies.join("; "))
        .header("x-csrf-token", csrf)
        .json(&json!({"name": "cli-test", "scope": "admin"}))
        .send()
        .await
        .unwrap()
        .error_for_status()
        .unwrap()
        .json()
        .await
        .unwrap();
    created["token"].as_str().unwrap().to_owned()
}

fn run(args: &[&str], envs: &[(&str, &str)]) -> Output {
    // English unless a test asks otherwise, whatever the machine's locale.
    Command::new(BIN)
        .args(args)
        .env_remove("LC_ALL")
        .env("LANG", "C.UTF-8")
        .envs(envs.iter().copied())
        .env("IMSBRIDGE_LOG", "warn")
        .output()
        .expect("the binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Every file of the SQLite database (main file and write-ahead log) as raw bytes.
fn database_bytes(dir: &Path) -> Vec<u8> {
    let mut all = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name.starts_with("imsbridge.db") {
            all.extend(std::fs::read(&path).unwrap());
        }
    }
    assert!(
        !all.is_empty(),
        "the database files exist in {}",
        dir.display()
    );
    all
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

#[tokio::test(flavor = "multi_thread")]
async fn the_demo_serves_seeded_jwt_and_oauth_configurations_behind_a_printed_admin_login() {
    let server = tokio::task::block_in_place(|| {
        Server::start(&["serve", "--demo", "--listen", "127.0.0.1:0"], &[])
    });
    let token = admin_token(&server).await;
    let list = run(
        &["config", "list", "--output", "json"],
        &[("IMSBRIDGE_ADDR", &server.url), ("IMSBRIDGE_TOKEN", &token)],
    );
    assert!(list.status.success(), "{}", text(&list.stderr));
    let page: Value = serde_json::from_slice(&list.stdout).unwrap();
    let items = page["items"].as_array().unwrap();
    let jwt: Vec<&str> = items
        .iter()
        .filter(|i| i["auth_type"] == "jwt")
        .map(|i| i["name"].as_str().unwrap())
        .collect();
    assert_eq!(items.len(), 6);
    assert_eq!(
        jwt.len(),
        4,
        "three customer JWT configurations and one auto-provisioned"
    );
    assert!(
        items
            .iter()
            .any(|i| i["origin"] == "auto-provisioned" && i["auth_type"] == "jwt")
    );

    let health = run(
        &["config", "health", "target-staging"],
        &[("IMSBRIDGE_ADDR", &server.url), ("IMSBRIDGE_TOKEN", &token)],
    );
    assert!(health.status.success(), "{}", text(&health.stderr));
    assert_eq!(
        text(&health.stdout).lines().next(),
        Some("Healthy: Token is retrieved successfully")
    );

    let refused = run(
        &["config", "migrate", "asset-compute", "--revision", "1"],
        &[("IMSBRIDGE_ADDR", &server.url), ("IMSBRIDGE_TOKEN", &token)],
    );
    assert!(!refused.status.success());
    assert!(
        text(&refused.stderr).contains("must not be migrated manually"),
        "{}",
        text(&refused.stderr)
    );
    tokio::task::block_in_place(|| server.stop());
}

#[tokio::test(flavor = "multi_thread")]
async fn secrets_never_reach_the_disk_in_plaintext_before_or_after_key_rotation_and_survive_export()
{
    let data = tempfile::tempdir().unwrap();
    let dir = data.path().to_str().unwrap().to_owned();
    let server = tokio::task::block_in_place(|| {
        Server::start(
            &[
                "serve",
                "--demo",
                "--listen",
                "127.0.0.1:0",
                "--data-dir",
                &dir,
            ],
            &[],
        )
    });
    let token = admin_token(&server).await;
    let secret_file = data.path().join("secret.txt");
    std::fs::write(&secret_file, KNOWN_SECRET).unwrap();
    let env = [
        ("IMSBRIDGE_ADDR", server.url.as_str()),
        ("IMSBRIDGE_TOKEN", &token),
    ];
    // Create verifies with IMS first: one that cannot be reached refuses it, naming the way out.
    let refused = run(
        &[
            "config",
            "create",
            "--name",
            "unreachable-ims",
            "--cloud-solution",
            "target",
            "--title",
            "Unreachable IMS",
            "--authorization-server",
            "http://127.0.0.1:9",
            "--client-id",
            "a1b2c3d4e5f60718293a4b5c6d7e8f90",
            "--scopes",
            "openid,AdobeID",
            "--org-id",
            "12345678ABCDEF1234567890@AdobeOrg",
            "--client-secret-file",
            secret_file.to_str().unwrap(),
        ],
        &env,
    );
    assert!(!refused.status.success());
    let stderr = text(&refused.stderr);
    assert!(stderr.contains("IMS could not be reached"), "{stderr}");
    assert!(stderr.contains("--no-verify"), "{stderr}");
    // The made-up secret is saved on purpose without asking IMS: this test is about where
    // it is kept.
    let created = run(
        &[
            "config",
            "create",
            "--no-verify",
            "--name",
            "known-secret",
            "--cloud-solution",
            "target",
            "--title",
            "Known secret",
            "--client-id",
            "a1b2c3d4e5f60718293a4b5c6d7e8f90",
            "--scopes",
            "openid,AdobeID",
            "--org-id",
            "12345678ABCDEF1234567890@AdobeOrg",
            "--client-secret-file",
            secret_file.to_str().unwrap(),
        ],
        &env,
    );
    assert!(created.status.success(), "{}", text(&created.stderr));
    std::fs::remove_file(&secret_file).unwrap();
    tokio::task::block_in_place(|| server.stop());

    assert!(
        !contains(&database_bytes(data.path()), KNOWN_SECRET),
        "plaintext secret in the database"
    );

    let rotated = run(&["keys", "rotate", "--data-dir", &dir], &[]);
    assert!(rotated.status.success(), "{}", text(&rotated.stderr));
    assert!(
        text(&rotated.stdout).contains("Sealed again: 7 configuration(s)"),
        "{}",
        text(&rotated.stdout)
    );
    assert!(
        !contains(&database_bytes(data.path()), KNOWN_SECRET),
        "plaintext secret after rotation"
    );

    let plain = run(&["config", "export", "--data-dir", &dir], &[]);
    assert!(plain.status.success(), "{}", text(&plain.stderr));
    assert!(!contains(&plain.stdout, KNOWN_SECRET));
    let doc: Value = serde_json::from_slice(&plain.stdout).unwrap();
    assert_eq!(doc["configs"].as_array().unwrap().len(), 7);

    let export_file = data.path().join("export.json");
    let pass = [("EXPORT_PASS", "correct horse battery staple")];
    let sealed = run(
        &[
            "config",
            "export",
            "--data-dir",
            &dir,
            "--include-secrets",
            "--passphrase-env",
            "EXPORT_PASS",
            "--output",
            export_file.to_str().unwrap(),
        ],
        &pass,
    );
    assert!(sealed.status.success(), "{}", text(&sealed.stderr));
    let exported = std::fs::read(&export_file).unwrap();
    assert!(
        !contains(&exported, KNOWN_SECRET),
        "the export seals secrets under the passphrase"
    );

    let other = tempfile::tempdir().unwrap();
    let other_dir = other.path().to_str().unwrap();
    let wrong = run(
        &[
            "config",
            "import",
            export_file.to_str().unwrap(),
            "--data-dir",
            other_dir,
            "--passphrase-env",
            "EXPORT_PASS",
        ],
        &[("EXPORT_PASS", "not the right passphrase")],
    );
    assert!(!wrong.status.success());
    assert!(
        text(&wrong.stderr).contains("passphrase is wrong"),
        "{}",
        text(&wrong.stderr)
    );
    let imported = run(
        &[
            "config",
            "import",
            export_file.to_str().unwrap(),
            "--data-dir",
            other_dir,
            "--passphrase-env",
            "EXPORT_PASS",
        ],
        &pass,
    );
    assert!(imported.status.success(), "{}", text(&imported.stderr));
    assert!(
        text(&imported.stdout).contains("Created 7 configuration(s)"),
        "{}",
        text(&imported.stdout)
    );
    assert!(!contains(&database_bytes(other.path()), KNOWN_SECRET));

    // The key file is the only way into the data: without it the store refuses to open and
    // does not make a new key that would strand the existing secrets.
    std::fs::remove_file(data.path().join("master.key")).unwrap();
    let locked = run(&["db", "migrate", "--data-dir", &dir], &[]);
    assert!(!locked.status.success());
    let err = text(&locked.stderr);
    assert!(
        err.contains("master.key") && err.contains("no new key was made"),
        "{err}"
    );
    assert!(!data.path().join("master.key").exists());
}

#[test]
fn db_migrate_on_a_new_directory_makes_a_database_and_an_owner_only_key_file() {
    use std::os::unix::fs::PermissionsExt as _;
    let data = tempfile::tempdir().unwrap();
    let dir = data.path().join("fresh");
    let out = run(&["db", "migrate", "--data-dir", dir.to_str().unwrap()], &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let mode = std::fs::metadata(dir.join("master.key"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
    assert!(dir.join("imsbridge.db").exists());
}

#[test]
fn a_sigterm_sent_as_soon_as_the_address_is_announced_still_shuts_down_gracefully() {
    // Supervisors stop a service the moment it is up; the handler must already be there.
    for _ in 0..3 {
        let data = tempfile::tempdir().unwrap();
        let server = Server::start(
            &[
                "serve",
                "--listen",
                "127.0.0.1:0",
                "--data-dir",
                data.path().to_str().unwrap(),
            ],
            &[],
        );
        server.stop();
    }
}

#[test]
fn the_data_directory_and_database_files_are_private_whatever_the_umask() {
    use std::os::unix::fs::PermissionsExt as _;
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    let data = tempfile::tempdir().unwrap();
    let dir = data.path().join("fresh");
    // A umask that takes nothing away: every bit left is one imsbridge chose.
    let mut command = Command::new("sh");
    command.args([
        "-c",
        "umask 000; exec \"$0\" \"$@\"",
        BIN,
        "serve",
        "--listen",
        "127.0.0.1:0",
        "--data-dir",
        dir.to_str().unwrap(),
    ]);
    let server = Server::start_command(command);
    assert_eq!(mode(&dir), 0o700);
    for file in [
        "imsbridge.db",
        "imsbridge.db-wal",
        "imsbridge.db-shm",
        "master.key",
    ] {
        let path = dir.join(file);
        assert!(path.exists(), "{file} exists while the server runs");
        assert_eq!(mode(&path), 0o600, "{file}");
    }
    server.stop();
}

#[test]
fn existing_database_files_that_others_can_read_are_named_at_start_up() {
    use std::os::unix::fs::PermissionsExt as _;
    let temp = tempfile::tempdir().unwrap();
    let data_dir = temp.path().join("data");
    let dir = data_dir.to_str().unwrap();
    let first = run(&["db", "migrate", "--data-dir", dir], &[]);
    assert!(first.status.success(), "{}", text(&first.stderr));
    assert!(
        !text(&first.stderr).contains("other users"),
        "a new data directory draws no warning: {}",
        text(&first.stderr)
    );
    let db = data_dir.join("imsbridge.db");
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o644)).unwrap();
    std::fs::set_permissions(&data_dir, std::fs::Permissions::from_mode(0o750)).unwrap();
    let again = run(&["db", "migrate", "--data-dir", dir], &[]);
    assert!(again.status.success(), "{}", text(&again.stderr));
    let err = text(&again.stderr);
    assert!(
        err.contains("the database file is readable by other users; run chmod 600 on it")
            && err.contains(&db.display().to_string()),
        "{err}"
    );
    assert!(
        err.contains("the data directory is open to other users; run chmod 700 on it"),
        "{err}"
    );
    // A warning, not a change: the operator's modes are left alone.
    assert_eq!(
        std::fs::metadata(&db).unwrap().permissions().mode() & 0o777,
        0o644
    );
}

#[test]
fn a_corrupt_master_key_file_is_a_clear_error_not_a_panic() {
    let temp = tempfile::tempdir().unwrap();
    // Made by imsbridge (0700), so that no warning about its mode comes before the error.
    let data_dir = temp.path().join("data");
    let dir = data_dir.to_str().unwrap();
    assert!(
        run(&["db", "migrate", "--data-dir", dir], &[])
            .status
            .success()
    );
    std::fs::write(data_dir.join("master.key"), "this is not a key file").unwrap();
    let out = run(&["db", "migrate", "--data-dir", dir], &[]);
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(err.starts_with("error: "), "{err}");
    assert!(err.contains("master.key"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn bad_settings_name_the_setting_and_the_problem() {
    let data = tempfile::tempdir().unwrap();
    let dir = data.path().to_str().unwrap();
    let out = run(
        &["db", "migrate", "--data-dir", dir],
        &[("IMSBRIDGE_LOG_FORMAT", "xml")],
    );
    assert!(!out.status.success());
    let err = text(&out.stderr).to_lowercase();
    assert!(err.contains("log_format") && err.contains("xml"), "{err}");

    std::fs::write(
        data.path().join("imsbridge.toml"),
        "[server]\nlisten = \"not an address\"\n",
    )
    .unwrap();
    let out = run(&["db", "migrate", "--data-dir", dir], &[]);
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(
        err.contains("imsbridge.toml") && err.contains("listen"),
        "{err}"
    );

    std::fs::write(
        data.path().join("imsbridge.toml"),
        "[server]\ntrusted_proxies = [\"10.0.0.0/8\", \"10.0.0.0/33\"]\n",
    )
    .unwrap();
    let out = run(&["db", "migrate", "--data-dir", dir], &[]);
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(
        err.contains("trusted_proxies") && err.contains("10.0.0.0/33"),
        "{err}"
    );
}

#[test]
fn every_setting_is_honoured_or_refused_wherever_it_comes_from() {
    let data = tempfile::tempdir().unwrap();
    let dir = data.path().to_str().unwrap();
    // Refused, with what was wrong: (arguments, environment, settings file, expected words).
    type Case<'a> = (
        &'a [&'a str],
        &'a [(&'a str, &'a str)],
        &'a str,
        &'a [&'a str],
    );
    let refused: &[Case] = &[
        (
            &["db", "migrate"],
            &[("IMSBRIDGE_LISTEN", "127.0.0.1:1")],
            "",
            &[
                "IMSBRIDGE_LISTEN is not a setting",
                "IMSBRIDGE_SERVER__LISTEN",
            ],
        ),
        (
            &["db", "migrate"],
            &[("IMSBRIDGE_JWT_EOL", "2025-13-01")],
            "",
            &["JWT_EOL", "2025-13-01", "YYYY-MM-DD"],
        ),
        (
            &["db", "migrate"],
            &[("RUST_LOG", "imsbridge=loud")],
            "",
            &["RUST_LOG", "imsbridge=loud"],
        ),
        (
            &["db", "migrate"],
            &[],
            "[server]\nlog_format = \"json\"\n",
            &["log_format", "imsbridge.toml"],
        ),
        (
            &[
                "serve",
                "--demo",
                "--database-url",
                "postgres://someone:hunter2@127.0.0.1:1/imsbridge",
            ],
            &[],
            "",
            &["--demo", "database URL"],
        ),
        (
            &["serve", "--demo"],
            &[(
                "IMSBRIDGE_DATABASE_URL",
                "postgres://someone:hunter2@127.0.0.1:1/imsbridge",
            )],
            "",
            &["--demo", "IMSBRIDGE_DATABASE_URL"],
        ),
    ];
    for (args, envs, file, words) in refused {
        std::fs::write(data.path().join("imsbridge.toml"), file).unwrap();
        let mut full = args.to_vec();
        full.extend(["--data-dir", dir]);
        let out = run(&full, envs);
        let err = text(&out.stderr);
        assert!(
            !out.status.success(),
            "{args:?} {envs:?} {file:?} was accepted"
        );
        for word in *words {
            assert!(err.contains(word), "{args:?} {envs:?}: {err}");
        }
        assert!(
            !err.contains("hunter2") && !err.contains("panicked"),
            "{err}"
        );
    }

    // Honoured: the JWT end-of-life date from the file, the environment, then the flag.
    std::fs::write(
        data.path().join("imsbridge.toml"),
        "jwt_eol = \"2031-01-31\"\n",
    )
    .unwrap();
    let status = |envs: &[(&str, &str)], extra: &[&str]| {
        let mut args = vec!["migrate", "status", "--output", "json", "--data-dir", dir];
        args.extend(extra);
        let out = run(&args, envs);
        assert!(out.status.success(), "{}", text(&out.stderr));
        let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
        doc["jwt_eol"].as_str().unwrap().to_owned()
    };
    assert_eq!(status(&[], &[]), "2031-01-31");
    assert_eq!(
        status(&[("IMSBRIDGE_JWT_EOL", "2032-02-29")], &[]),
        "2032-02-29"
    );
    assert_eq!(
        status(
            &[("IMSBRIDGE_JWT_EOL", "2032-02-29")],
            &["--eol", "2033-03-31"]
        ),
        "2033-03-31"
    );
}

#[test]
fn secrets_are_never_accepted_as_command_line_arguments() {
    let out = run(
        &[
            "config",
            "create",
            "--name",
            "x",
            "--cloud-solution",
            "target",
            "--client-secret",
            "oops",
        ],
        &[
            ("IMSBRIDGE_TOKEN", "ibt_unused"),
            ("IMSBRIDGE_ADDR", "http://127.0.0.1:9"),
        ],
    );
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(err.contains("--client-secret-file"), "{err}");
    assert!(
        !err.contains("oops"),
        "the refusal does not repeat the secret: {err}"
    );
}

#[test]
fn users_remove_refuses_the_last_enabled_admin_and_changes_nothing() {
    let data = tempfile::tempdir().unwrap();
    let dir = data.path().to_str().unwrap();
    let add = |name: &str, role: &str| {
        run(
            &["users", "add", name, "--role", role, "--data-dir", dir],
            &[],
        )
    };
    for (name, role) in [("root", "admin"), ("vic", "viewer")] {
        let out = add(name, role);
        assert!(out.status.success(), "{}", text(&out.stderr));
    }
    let out = run(&["users", "remove", "root", "--data-dir", dir], &[]);
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(err.contains("last enabled admin"), "{err}");
    assert!(err.contains("make another user admin first"), "{err}");
    let list = text(&run(&["users", "list", "--data-dir", dir], &[]).stdout);
    assert!(list.contains("root"), "{list}");

    // With a second admin, the first may go.
    assert!(add("ada", "admin").status.success());
    let out = run(&["users", "remove", "root", "--data-dir", dir], &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let list = text(&run(&["users", "list", "--data-dir", dir], &[]).stdout);
    assert!(!list.contains("root") && list.contains("ada"), "{list}");
}

#[test]
fn break_glass_users_are_added_and_listed_even_while_the_sso_settings_are_broken() {
    let data = tempfile::tempdir().unwrap();
    let dir = data.path().to_str().unwrap();
    std::fs::write(
        data.path().join("imsbridge.toml"),
        "[sso]\nissuer_url = \"https://ims-na1.adobelogin.com\"\nclient_id = \"abc\"\nadmin_groups = [\"admins\"]\nallow_local_login = false\n",
    )
    .unwrap();
    let out = run(
        &[
            "users",
            "add",
            "rescue",
            "--role",
            "admin",
            "--break-glass",
            "--data-dir",
            dir,
        ],
        &[],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("break-glass"),
        "{}",
        text(&out.stdout)
    );
    let list = text(&run(&["users", "list", "--data-dir", dir], &[]).stdout);
    let row = list.lines().find(|l| l.starts_with("rescue")).unwrap();
    assert!(row.contains("password (break-glass)"), "{list}");

    // `serve` refuses the section, naming what is missing.
    let out = run(
        &["serve", "--data-dir", dir, "--listen", "127.0.0.1:0"],
        &[],
    );
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(err.contains("IMSBRIDGE_SSO__CLIENT_SECRET"), "{err}");
    assert!(err.contains("sso.client_secret_file"), "{err}");
}

#[test]
fn messages_are_korean_when_lang_or_lc_all_says_so() {
    let data = tempfile::tempdir().unwrap();
    let dir = data.path().to_str().unwrap();
    let ko = [("LANG", "ko_KR.UTF-8")];
    let out = run(
        &["users", "add", "root", "--role", "admin", "--data-dir", dir],
        &ko,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let said = text(&out.stdout);
    assert!(
        said.contains("root 사용자를 추가했습니다(admin)."),
        "{said}"
    );

    // The service's refusal, said from its code.
    let out = run(&["users", "remove", "root", "--data-dir", dir], &ko);
    assert!(!out.status.success());
    // The last line is the command's own (a log line about the directory may come first).
    let stderr = text(&out.stderr);
    let err = stderr.lines().last().unwrap_or_default();
    assert!(
        err.starts_with("오류: 마지막 활성 관리자는 역할을 잃거나 사용 중지될 수 없습니다."),
        "{err}"
    );
    assert!(!err.contains("last enabled admin"), "{err}");

    // LC_ALL wins over LANG, either way.
    let out = run(
        &["users", "remove", "root", "--data-dir", dir],
        &[("LANG", "ko_KR.UTF-8"), ("LC_ALL", "en_US.UTF-8")],
    );
    let err = text(&out.stderr);
    assert!(
        err.lines()
            .last()
            .unwrap_or_default()
            .starts_with("error: "),
        "{err}"
    );
    let out = run(
        &["users", "remove", "root", "--data-dir", dir],
        &[("LANG", "en_US.UTF-8"), ("LC_ALL", "ko_KR.UTF-8")],
    );
    let err = text(&out.stderr);
    assert!(
        err.lines().last().unwrap_or_default().starts_with("오류: "),
        "{err}"
    );
}
