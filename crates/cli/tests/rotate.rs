//! `imsbridge config secrets` and `config rotate-secret` against `serve --demo`, whose
//! OAuth configurations can rotate their secrets through the emulator's I/O Management API.

use std::io::{BufRead as _, BufReader};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

const BIN: &str = env!("CARGO_BIN_EXE_imsbridge");

/// A running `imsbridge serve --demo`, stopped on drop.
struct Demo {
    child: Child,
    url: String,
    admin_password: String,
}

impl Demo {
    fn start() -> Self {
        let mut child = Command::new(BIN)
            .args(["serve", "--demo", "--listen", "127.0.0.1:0"])
            .env("IMSBRIDGE_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the binary starts");
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let mut demo = Self {
            child,
            url: String::new(),
            admin_password: String::new(),
        };
        let deadline = Instant::now() + Duration::from_secs(120);
        while demo.url.is_empty() {
            assert!(Instant::now() < deadline, "the demo did not start");
            let line = lines.next().expect("the demo printed its address").unwrap();
            if let Some(pw) = line.strip_prefix("admin password: ") {
                pw.trim().clone_into(&mut demo.admin_password);
            }
            if let Some(url) = line.strip_prefix("imsbridge listening on ") {
                url.trim().clone_into(&mut demo.url);
            }
        }
        std::thread::spawn(move || for _ in lines {});
        demo
    }

    /// An admin API token, made after logging in with the printed password.
    async fn admin_token(&self) -> String {
        let http = reqwest::Client::new();
        let login = http
            .post(format!("{}/api/v1/session", self.url))
            .json(&json!({"username": "admin", "password": self.admin_password}))
            .send()
            .await
            .unwrap()
            .error_for_status()
            .unwrap();
        let cookie = login
            .headers()
            .get("set-cookie")
            .unwrap()
            .to_str()
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .to_owned();
        let session: Value = login.json().await.unwrap();
        let created: Value = http
            .post(format!("{}/api/v1/api-tokens", self.url))
            .header("cookie", cookie)
            .header("x-csrf-token", session["csrf_token"].as_str().unwrap())
            .json(&json!({"name": "rotation", "scope": "admin"}))
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

    fn run(&self, token: &str, args: &[&str]) -> Output {
        Command::new(BIN)
            .args(args)
            .env("IMSBRIDGE_ADDR", &self.url)
            .env("IMSBRIDGE_TOKEN", token)
            .env("IMSBRIDGE_LOG", "warn")
            .output()
            .expect("the binary runs")
    }
}

impl Drop for Demo {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn held(listing: &Output) -> (usize, String) {
    assert!(listing.status.success(), "{}", text(&listing.stderr));
    let view: Value = serde_json::from_slice(&listing.stdout).unwrap();
    let secrets = view["secrets"].as_array().unwrap();
    let held = secrets.iter().find(|s| s["held"] == true).unwrap();
    (secrets.len(), held["uuid"].as_str().unwrap().to_owned())
}

#[tokio::test(flavor = "multi_thread")]
async fn the_cli_lists_and_rotates_a_demo_configurations_secret() {
    let demo = tokio::task::block_in_place(Demo::start);
    let token = demo.admin_token().await;
    let list = ["config", "secrets", "target-staging", "--output", "json"];
    let (count, before) = held(&demo.run(&token, &list));
    assert_eq!(count, 1);

    let rotated = demo.run(
        &token,
        &[
            "config",
            "rotate-secret",
            "target-staging",
            "--delete-old",
            "now",
        ],
    );
    assert!(rotated.status.success(), "{}", text(&rotated.stderr));
    let out = text(&rotated.stdout);
    assert!(out.starts_with("target-staging: completed"), "{out}");
    assert!(!out.contains("p8e-"), "{out}");

    let (count, after) = held(&demo.run(&token, &list));
    assert_eq!(count, 1, "the old secret was deleted");
    assert_ne!(after, before);
    let fetched = demo.run(&token, &["token", "get", "target-staging"]);
    assert!(fetched.status.success(), "{}", text(&fetched.stderr));

    let table = demo.run(&token, &["config", "secrets", "target-staging"]);
    let table = text(&table.stdout);
    assert!(table.contains(&after) && table.contains("HELD"), "{table}");

    let due = demo.run(&token, &["config", "rotate-secret", "--all-due"]);
    assert!(due.status.success(), "{}", text(&due.stderr));
    assert_eq!(text(&due.stdout).trim(), "Nothing is due.");

    let refused = demo.run(
        &token,
        &[
            "config",
            "rotate-secret",
            "stock-search",
            "--delete-old",
            "later",
        ],
    );
    assert!(!refused.status.success());
    assert!(
        text(&refused.stderr).contains("delete_old"),
        "{}",
        text(&refused.stderr)
    );
    let neither = demo.run(&token, &["config", "rotate-secret"]);
    assert!(!neither.status.success());
}
