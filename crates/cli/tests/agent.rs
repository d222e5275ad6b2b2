//! `imsbridge agent` against a real server: an imsbridge app on a SQLite store, the IMS
//! emulator issuing short-lived tokens, and the agent binary as its own process.

use std::io::Read as _;
use std::net::SocketAddr;
use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use imsbridge_domain::{
    AuthorizationServer, ClientId, CloudSolution, ConfigDraft, ConfigId, DraftCredentials,
    ExposeSecret, IntegrationConfig, Name, OAuthCredentials, OrgId, Origin, Scopes, SecretString,
    SystemClock, Title,
};
use imsbridge_emulator::{ClockMode, Emulator, EmulatorConfig, EmulatorHandle};
use imsbridge_ims::{ImsClient, ProviderOptions, TokenProvider};
use imsbridge_server::{Application, Dependencies, Settings};
use imsbridge_store::{AuditContext, Store};

const BIN: &str = env!("CARGO_BIN_EXE_imsbridge");
const INTEGRATION: &str = "target-agent";

/// The emulator, a store with one OAuth configuration, and the app serving it.
struct Harness {
    _emulator: EmulatorHandle,
    store: Store,
    addr: SocketAddr,
    server: Option<(
        tokio::sync::oneshot::Sender<()>,
        tokio::task::JoinHandle<()>,
    )>,
    dir: tempfile::TempDir,
    api_token_file: PathBuf,
}

impl Harness {
    async fn start(token_lifetime: Duration) -> Self {
        let emulator = Emulator::spawn_with(EmulatorConfig {
            clock: ClockMode::System,
            token_lifetime,
            ..EmulatorConfig::default()
        })
        .await
        .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open_data_dir(&dir.path().join("data"), None, None)
            .await
            .unwrap();
        let org = emulator.create_org("Agent Org").unwrap();
        let project = emulator.create_project(&org.id, "agent", false).unwrap();
        let cred = emulator
            .create_oauth_credential(&project.id, &["openid", "AdobeID", "target_sdk"])
            .unwrap();
        let draft = ConfigDraft {
            name: Name::parse(INTEGRATION).unwrap(),
            title: Title::parse("Target for the agent").unwrap(),
            cloud_solution: CloudSolution::Target,
            authorization_server: AuthorizationServer::parse(&emulator.base_url()).unwrap(),
            credentials: DraftCredentials::OAuth(OAuthCredentials {
                client_id: ClientId::parse(&cred.client_id).unwrap(),
                client_secret: SecretString::from(cred.client_secrets[0].clone()),
                scopes: Scopes::from_items(cred.scopes.iter().map(String::as_str)).unwrap(),
                org_id: OrgId::parse(&cred.org_id).unwrap(),
                technical_account_id: None,
            }),
        };
        let config =
            IntegrationConfig::import(draft, Origin::Customer, ConfigId::new(), chrono::Utc::now());
        let audit = AuditContext::actor("test");
        store.import_config(&config, &audit).await.unwrap();
        let (_, token) = imsbridge_server::auth::api_tokens::issue(
            &store,
            "agent",
            &format!("token:{INTEGRATION}"),
            Some(chrono::Utc::now() + chrono::Duration::days(1)),
            None,
            &audit,
        )
        .await
        .unwrap();
        let api_token_file = dir.path().join("agent.token");
        std::fs::write(&api_token_file, format!("{}\n", token.expose_secret())).unwrap();
        let mut harness = Self {
            _emulator: emulator,
            store,
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            server: None,
            dir,
            api_token_file,
        };
        harness.start_server().await;
        harness
    }

    /// Starts the app (again), on the port it had before.
    async fn start_server(&mut self) {
        // Tokens far shorter than a minute: the provider must not insist on one.
        let options = ProviderOptions {
            min_validity: Duration::from_secs(1),
            refresh_floor: Duration::from_secs(1),
            ..ProviderOptions::default()
        };
        let provider = TokenProvider::new(
            ImsClient::with_defaults().unwrap(),
            Arc::new(SystemClock),
            options,
        );
        let settings = Settings {
            listen: self.addr,
            shutdown_grace_secs: 1,
            ..Settings::for_tests()
        };
        let app = Application::build(
            settings,
            Dependencies {
                store: self.store.clone(),
                provider,
                clock: Arc::new(SystemClock),
            },
        )
        .await
        .unwrap();
        self.addr = app.local_addr();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            app.run_until(async {
                let _ = rx.await;
            })
            .await
            .unwrap();
        });
        self.server = Some((tx, task));
    }

    async fn stop_server(&mut self) {
        if let Some((tx, task)) = self.server.take() {
            let _ = tx.send(());
            task.await.unwrap();
        }
    }

    /// Writes an agent configuration with one output and returns its path.
    fn agent_config(&self, output: &str) -> PathBuf {
        let path = self.dir.path().join("agent.toml");
        std::fs::write(
            &path,
            format!(
                "addr = \"http://{}\"\napi_token_file = \"{}\"\nmax_backoff_secs = 1\n\n[[output]]\nintegration = \"{INTEGRATION}\"\n{output}",
                self.addr,
                self.api_token_file.display()
            ),
        )
        .unwrap();
        path
    }

    fn out(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
}

/// The agent process; its standard error is collected, and it is killed on drop.
struct Agent {
    child: Child,
    log: Arc<Mutex<String>>,
}

impl Agent {
    fn start(config: &Path) -> Self {
        let mut child = Command::new(BIN)
            .args(["agent", "--agent-config", config.to_str().unwrap()])
            .env("IMSBRIDGE_LOG", "imsbridge=debug,info")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let log = Arc::new(Mutex::new(String::new()));
        let mut stderr = child.stderr.take().unwrap();
        let sink = Arc::clone(&log);
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = stderr.read(&mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock()
                    .unwrap()
                    .push_str(&String::from_utf8_lossy(&buf[..n]));
            }
        });
        Self { child, log }
    }

    fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }

    /// Stops it with SIGTERM and returns whether it exited 0.
    fn stop(mut self) -> bool {
        let pid = self.child.id().to_string();
        Command::new("kill").args(["-TERM", &pid]).status().unwrap();
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status.success();
            }
            assert!(
                Instant::now() < deadline,
                "the agent did not stop on SIGTERM"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Agent {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Polls `check` until it gives a value, or fails after `secs`.
async fn eventually<T>(secs: u64, what: &str, mut check: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        if let Some(v) = check() {
            return v;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn read(path: &Path) -> Option<String> {
    std::fs::read_to_string(path).ok().filter(|s| !s.is_empty())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_token_file_appears_with_mode_0600_and_is_renewed_before_it_expires() {
    let h = Harness::start(Duration::from_secs(4)).await;
    let path = h.out("target.json");
    let config = h.agent_config(&format!(
        "path = \"{}\"\nformat = \"json\"\nmin_validity_secs = 1\n",
        path.display()
    ));
    let agent = Agent::start(&config);
    let first = eventually(30, "the token file", || read(&path)).await;
    let mode = std::fs::metadata(&path).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);

    // Watch the file through two renewals: it never holds an expired token.
    let mut seen = vec![first];
    let deadline = Instant::now() + Duration::from_secs(40);
    while seen.len() < 3 {
        assert!(Instant::now() < deadline, "no renewals: {}", agent.log());
        if let Some(now) = read(&path) {
            let doc: serde_json::Value = serde_json::from_str(&now).unwrap();
            let expires: chrono::DateTime<chrono::Utc> =
                doc["expires_at"].as_str().unwrap().parse().unwrap();
            assert!(
                chrono::Utc::now() < expires,
                "the file held an expired token"
            );
            assert_eq!(doc["integration"], INTEGRATION);
            assert_eq!(doc["token_type"], "bearer");
            if seen.last() != Some(&now) {
                seen.push(now);
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let log = agent.log();
    assert!(log.matches("token renewed").count() >= 3, "{log}");
    for file in &seen {
        let doc: serde_json::Value = serde_json::from_str(file).unwrap();
        let token = doc["access_token"].as_str().unwrap();
        assert!(!log.contains(token), "a token reached the log");
    }
    assert!(agent.stop(), "SIGTERM ends the agent with status 0");
}

#[tokio::test(flavor = "multi_thread")]
async fn while_the_server_is_down_the_file_is_kept_then_renewed_when_it_returns() {
    let mut h = Harness::start(Duration::from_secs(20)).await;
    let path = h.out("target.token");
    let config = h.agent_config(&format!(
        "path = \"{}\"\nmin_validity_secs = 1\n",
        path.display()
    ));
    let agent = Agent::start(&config);
    let before = eventually(30, "the token file", || read(&path)).await;
    h.stop_server().await;
    // The renewal falls due (two thirds of 19 s) and fails; the file stays.
    eventually(40, "a failed renewal", || {
        agent
            .log()
            .contains("imsbridge is unreachable")
            .then_some(())
    })
    .await;
    assert_eq!(
        read(&path).as_deref(),
        Some(before.as_str()),
        "the valid token is kept"
    );
    h.start_server().await;
    let after = eventually(30, "a renewed token", || {
        read(&path).filter(|t| *t != before)
    })
    .await;
    assert!(after.split('.').count() == 3, "a whole JWT: {after:?}");
    assert!(agent.stop());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_token_that_expires_while_the_server_is_down_is_removed_not_served() {
    let mut h = Harness::start(Duration::from_secs(3)).await;
    let path = h.out("target.env");
    let config = h.agent_config(&format!(
        "path = \"{}\"\nformat = \"env\"\nenv_name = \"TARGET_TOKEN\"\nmin_validity_secs = 1\n",
        path.display()
    ));
    let agent = Agent::start(&config);
    let line = eventually(30, "the token file", || read(&path)).await;
    assert!(
        line.starts_with("TARGET_TOKEN=ey") && line.ends_with('\n'),
        "{line:?}"
    );
    h.stop_server().await;
    eventually(30, "the expired file to go", || {
        (!path.exists()).then_some(())
    })
    .await;
    // The file goes first, then the line is logged and piped to us: wait for it too.
    eventually(30, "the removal to be logged", || {
        agent.log().contains("removed the file").then_some(())
    })
    .await;
    h.start_server().await;
    eventually(30, "a new token file", || read(&path)).await;
    assert!(agent.stop());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_reader_never_sees_a_partial_file_and_no_temporary_file_is_left() {
    let h = Harness::start(Duration::from_secs(3)).await;
    let path = h.out("target.json");
    let config = h.agent_config(&format!(
        "path = \"{}\"\nformat = \"json\"\nmin_validity_secs = 0\n",
        path.display()
    ));
    let agent = Agent::start(&config);
    eventually(30, "the token file", || read(&path)).await;
    let reader_path = path.clone();
    let reader = std::thread::spawn(move || {
        let mut reads = 0u32;
        let mut distinct = std::collections::BTreeSet::new();
        let deadline = Instant::now() + Duration::from_secs(8);
        while Instant::now() < deadline {
            // Between the agent's writes the file always exists: rename replaces it.
            let text = std::fs::read_to_string(&reader_path).expect("the file is always there");
            let doc: serde_json::Value = serde_json::from_str(&text)
                .unwrap_or_else(|e| panic!("a partial file ({e}): {text:?}"));
            distinct.insert(doc["access_token"].as_str().unwrap().to_owned());
            let mode = std::fs::metadata(&reader_path)
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
            reads += 1;
        }
        (reads, distinct.len())
    });
    let (reads, tokens) = tokio::task::spawn_blocking(move || reader.join().unwrap())
        .await
        .unwrap();
    assert!(
        tokens >= 3,
        "{tokens} tokens in {reads} reads: {}",
        agent.log()
    );
    assert!(agent.stop());
    let names: Vec<String> = std::fs::read_dir(h.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| Path::new(n).extension().is_some_and(|e| e == "tmp"))
        .collect();
    assert!(names.is_empty(), "temporary files left: {names:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn exec_runs_once_per_changed_token_and_not_for_an_unchanged_one() {
    let h = Harness::start(Duration::from_secs(20)).await;
    let path = h.out("target.token");
    let seen = h.out("seen");
    // The program receives the file's path in IMSBRIDGE_AGENT_PATH; `sh` here is the
    // test's program, the agent itself runs the argv without a shell.
    let config = h.agent_config(&format!(
        "path = \"{}\"\nmin_validity_secs = 1\nexec = [\"/bin/sh\", \"-c\", \"cat \\\"$IMSBRIDGE_AGENT_PATH\\\" >> {}; echo >> {}\"]\n",
        path.display(),
        seen.display(),
        seen.display()
    ));
    let agent = Agent::start(&config);
    let token = eventually(30, "the token file", || read(&path)).await;
    let lines = eventually(10, "the exec", || {
        read(&seen).filter(|s| s.lines().count() == 1)
    })
    .await;
    assert_eq!(lines.trim_end(), token);
    assert!(agent.stop());

    // Started again, it gets the server's cached token: the file does not change, exec
    // does not run.
    let again = Agent::start(&config);
    eventually(30, "the second agent's first answer", || {
        again.log().contains("token renewed").then_some(())
    })
    .await;
    assert!(again.log().contains("changed=false"), "{}", again.log());
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(read(&seen).unwrap().lines().count(), 1);
    assert_eq!(read(&path).unwrap(), token);
    assert!(again.stop());
}

#[test]
fn a_bad_agent_configuration_exits_non_zero_and_names_the_problem() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("t"), "ibt_x").unwrap();
    let config = dir.path().join("agent.toml");
    std::fs::write(
        &config,
        "addr = \"http://127.0.0.1:9\"\napi_token_file = \"t\"\n[[output]]\nintegration = \"x\"\npath = \"x.token\"\nformt = \"raw\"\n",
    )
    .unwrap();
    let out = Command::new(BIN)
        .args(["agent", "--agent-config", config.to_str().unwrap()])
        .env("IMSBRIDGE_LOG", "warn")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("agent.toml") && err.contains("unknown field `formt`"),
        "{err}"
    );
    let missing = Command::new(BIN)
        .args(["agent", "--agent-config", "/nonexistent/agent.toml"])
        .output()
        .unwrap();
    assert!(!missing.status.success());
}
