//! A secret, once stored, appears in no API response, no audit entry and no log line.

// Tests read as one story each; a long one is clearer whole than split.
#![allow(clippy::too_many_lines)]

use std::io::Write;
use std::sync::{Arc, Mutex};

use imsbridge_domain::Origin;
use reqwest::{Method, StatusCode};
use serde_json::json;
use tracing_subscriber::fmt::MakeWriter;

use crate::common::{Backend, TestApp, json_of};

/// Collects every log line in memory.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Captured {
    type Writer = Self;
    fn make_writer(&'a self) -> Self {
        self.clone()
    }
}

async fn secret_never_appears(backend: Backend) {
    let logs = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(logs.clone())
        .with_ansi(false)
        .finish();
    // A current-thread test runtime: the server's tasks log through this subscriber too.
    let guard = tracing::subscriber::set_default(subscriber);
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };

    // A known secret, accepted by the emulator: the credential's second secret.
    let cred = app.oauth_credential();
    let secret = app.emulator.add_client_secret(&cred.client_id).unwrap();
    let mut body = app.oauth_body("secretive", &cred);
    body["client_secret"] = json!(secret);

    let mut responses = Vec::new();
    let mut record = |label: &str, status: StatusCode, text: String| {
        responses.push(format!("{label} {status} {text}"));
    };
    let r = app
        .admin(Method::POST, "/api/v1/integrations")
        .json(&body)
        .send()
        .await
        .unwrap();
    let headers = format!("{:?}", r.headers());
    record(
        "create",
        r.status(),
        format!("{headers} {}", r.text().await.unwrap()),
    );

    // Update with a new secret, too: the old and the new must both stay hidden.
    let new_secret = app.emulator.add_client_secret(&cred.client_id).err();
    assert!(new_secret.is_some(), "a credential has at most two secrets");
    let calls: Vec<(Method, String, Option<serde_json::Value>)> = vec![
        (Method::GET, "/api/v1/integrations".into(), None),
        (Method::GET, "/api/v1/integrations/secretive".into(), None),
        (Method::GET, "/api/v1/integrations?q=secret".into(), None),
        (
            Method::PATCH,
            "/api/v1/integrations/secretive".into(),
            Some(json!({"title": "Still secret", "client_secret": secret})),
        ),
        (
            Method::POST,
            "/api/v1/integrations/secretive/health".into(),
            None,
        ),
        (
            Method::POST,
            "/api/v1/integrations/secretive/token".into(),
            None,
        ),
        (
            Method::POST,
            "/api/v1/integrations".into(),
            Some(json!({"name": "Bad Name", "cloud_solution": "target", "client_secret": secret})),
        ),
        (
            Method::POST,
            "/api/v1/integrations".into(),
            Some(
                json!({"name": "dup", "cloud_solution": "target", "client_secret": secret, "org_id": "nope"}),
            ),
        ),
        (Method::GET, "/api/v1/audit?limit=500".into(), None),
        (Method::GET, "/api/v1/users".into(), None),
        (Method::GET, "/api/v1/api-tokens".into(), None),
        (Method::GET, "/metrics".into(), None),
    ];
    for (method, path, body) in calls {
        let mut request = app.admin(method.clone(), &path);
        if path.ends_with("secretive") && method == Method::PATCH {
            request = request.header("if-match", "1");
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let r = request.send().await.unwrap();
        let status = r.status();
        let headers = format!("{:?}", r.headers());
        let text = r.text().await.unwrap();
        assert!(!status.is_server_error(), "{path}: {status} {text}");
        record(&path, status, format!("{headers} {text}"));
    }

    // A JWT configuration's secret and private key, and its migration, too.
    let jwt = app.import_jwt("legacy", Origin::Customer).await;
    let oauth = app.emulator.migrate_jwt_credential(&jwt.client_id).unwrap();
    for (method, path, body) in [
        (Method::GET, "/api/v1/integrations/legacy", None),
        (Method::GET, "/api/v1/integrations/legacy/migration", None),
        (
            Method::POST,
            "/api/v1/integrations/legacy/migrate",
            Some(json!({"revision": 1, "client_secret": "p8e-definitely-wrong-000"})),
        ),
        (
            Method::POST,
            "/api/v1/integrations/legacy/migrate",
            Some(json!({"revision": 1, "client_secret": oauth.client_secrets[0]})),
        ),
        (Method::GET, "/api/v1/audit?limit=500", None),
    ] {
        let mut request = app.admin(method, path);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let r = request.send().await.unwrap();
        let (status, value) = json_of(r).await;
        assert!(!status.is_server_error(), "{path}: {status} {value}");
        record(path, status, value.to_string());
    }

    let audit = app
        .store
        .list_audit(
            &imsbridge_store::AuditFilter::default(),
            imsbridge_store::PageRequest::first(1000),
        )
        .await
        .unwrap();
    let audit_text = format!("{:?}", audit.items);
    app.stop().await;
    drop(guard);

    let logs = String::from_utf8(logs.0.lock().unwrap().clone()).unwrap();
    assert!(logs.contains("request"), "the log capture saw nothing");
    let private_key_body: String = jwt
        .private_key_pem
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect();
    let private_key_line = jwt.private_key_pem.lines().nth(1).unwrap();
    for (what, needle) in [
        ("client secret", secret.as_str()),
        ("JWT client secret", jwt.client_secret.as_str()),
        ("migrated secret", oauth.client_secrets[0].as_str()),
        ("private key", private_key_line),
        ("private key body", private_key_body.as_str()),
    ] {
        for r in &responses {
            assert!(!r.contains(needle), "{what} found in a response: {r}");
        }
        assert!(
            !audit_text.contains(needle),
            "{what} found in the audit log"
        );
        assert!(!logs.contains(needle), "{what} found in the logs");
    }
}

#[tokio::test]
async fn a_stored_secret_never_appears_in_responses_audit_or_logs_on_sqlite() {
    secret_never_appears(Backend::Sqlite).await;
}

#[tokio::test]
async fn a_stored_secret_never_appears_in_responses_audit_or_logs_on_postgres() {
    secret_never_appears(Backend::Postgres).await;
}
