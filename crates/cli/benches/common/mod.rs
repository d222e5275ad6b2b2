//! The benches' server: the real `imsbridge serve` binary as a child process on a fresh data
//! directory, so that what `/proc/<pid>/status` says is the server's alone.

// Each bench uses a part of this module.
#![allow(dead_code)]

use std::io::{BufRead as _, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// The binary under test (built by `cargo bench` with the bench profile).
pub const BIN: &str = env!("CARGO_BIN_EXE_imsbridge");

/// The first admin's password in every bench.
pub const ADMIN_PASSWORD: &str = "bench admin passphrase";

/// A number from the environment, or `default`.
pub fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Raises this process's own open-files limit: the bench opens thousands of connections.
pub fn raise_own_open_files_limit() -> u64 {
    rlimit::increase_nofile_limit(u64::MAX).unwrap_or(1024)
}

/// A running `imsbridge serve`; stopped with SIGTERM on drop.
pub struct Server {
    child: Child,
    /// `http://127.0.0.1:<port>`.
    pub url: String,
    _dir: tempfile::TempDir,
}

/// What `/proc/<pid>/status` says about memory and threads.
#[derive(Debug, Clone, Copy)]
pub struct Usage {
    /// Resident set size now, in KiB.
    pub rss_kib: u64,
    /// The highest resident set size so far, in KiB.
    pub hwm_kib: u64,
    /// Threads.
    pub threads: u64,
}

impl Usage {
    /// RSS in MB (10^6 bytes).
    pub fn rss_mb(&self) -> f64 {
        self.rss_kib as f64 * 1024.0 / 1e6
    }

    /// Peak RSS in MB.
    pub fn hwm_mb(&self) -> f64 {
        self.hwm_kib as f64 * 1024.0 / 1e6
    }
}

impl Server {
    /// Starts the server with extra `IMSBRIDGE_*` settings and waits for its address.
    pub fn start(envs: &[(&str, &str)]) -> Self {
        let dir = tempfile::Builder::new()
            .prefix("imsbridge-bench-")
            .tempdir()
            .expect("a temporary data directory");
        let child = Command::new(BIN)
            .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
            // A directory the server makes itself, so it is made as a real one would be.
            .arg(dir.path().join("data"))
            .env("IMSBRIDGE_SERVER__BOOTSTRAP_ADMIN_PASSWORD", ADMIN_PASSWORD)
            .env("IMSBRIDGE_LOG", "warn")
            .envs(envs.iter().copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the imsbridge binary starts");
        let mut server = Self {
            child,
            url: String::new(),
            _dir: dir,
        };
        let mut lines = BufReader::new(server.child.stdout.take().expect("stdout")).lines();
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            let Some(Ok(line)) = lines.next() else { break };
            if let Some(url) = line.strip_prefix("imsbridge listening on ") {
                url.trim().clone_into(&mut server.url);
                std::thread::spawn(move || for _ in lines {});
                return server;
            }
        }
        panic!("the server did not announce its address");
    }

    /// The server's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Memory and threads of the server process now.
    pub fn usage(&self) -> Usage {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid()))
            .expect("/proc/<pid>/status (the benches need Linux)");
        let field = |name: &str| {
            status
                .lines()
                .find_map(|l| l.strip_prefix(name))
                .and_then(|v| v.split_whitespace().next()?.parse().ok())
                .unwrap_or(0)
        };
        Usage {
            rss_kib: field("VmRSS:"),
            hwm_kib: field("VmHWM:"),
            threads: field("Threads:"),
        }
    }

    /// The server's soft open-files limit, from `/proc/<pid>/limits`.
    pub fn open_files_limit(&self) -> String {
        std::fs::read_to_string(format!("/proc/{}/limits", self.pid()))
            .ok()
            .and_then(|limits| {
                limits.lines().find_map(|l| {
                    l.strip_prefix("Max open files")
                        .and_then(|rest| rest.split_whitespace().next().map(str::to_owned))
                })
            })
            .unwrap_or_else(|| "?".to_owned())
    }

    /// A URL on the server.
    pub fn at(&self, path: &str) -> String {
        format!("{}{path}", self.url)
    }

    /// `host:port`.
    pub fn authority(&self) -> &str {
        self.url.trim_start_matches("http://")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let pid = self.child.id().to_string();
        let _ = Command::new("kill").args(["-TERM", &pid]).status();
        let deadline = Instant::now() + Duration::from_secs(15);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A signed-in session: the cookie header value and the CSRF token.
pub struct Session {
    /// `imsbridge_session=…`.
    pub cookie: String,
    /// For `X-CSRF-Token`.
    pub csrf: String,
}

/// Signs in through the API; `Err` carries the status and body of a refusal.
pub async fn sign_in(
    http: &reqwest::Client,
    server: &Server,
    username: &str,
    password: &str,
) -> Result<Session, (u16, String)> {
    let r = http
        .post(server.at("/api/v1/session"))
        .json(&json!({"username": username, "password": password}))
        .send()
        .await
        .map_err(|e| (0, e.to_string()))?;
    let status = r.status().as_u16();
    let cookie = r
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(str::to_owned);
    let body = r.text().await.unwrap_or_default();
    match (status, cookie) {
        (200, Some(cookie)) => {
            let value: Value = serde_json::from_str(&body).unwrap_or_default();
            Ok(Session {
                cookie,
                csrf: value["csrf_token"].as_str().unwrap_or_default().to_owned(),
            })
        }
        _ => Err((status, body)),
    }
}

/// A request with a session's cookie and CSRF token.
pub fn with_session(
    http: &reqwest::Client,
    session: &Session,
    method: reqwest::Method,
    url: &str,
) -> reqwest::RequestBuilder {
    http.request(method, url)
        .header("cookie", &session.cookie)
        .header("x-csrf-token", &session.csrf)
}
