//! `POST /api/v1/import` with a file format: the dry run, a real import, `update` at a stale
//! revision refused through `expect`, and bad input, against the real server and store.

use std::path::{Path, PathBuf};

use imsbridge_testkit::{Backend, TestApp, assert_error, json_of, on_both_backends};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// The AMS fixture: one ready OAuth pair, one pair with an AEM-encrypted secret, one JWT.
fn ams_files() -> Vec<Value> {
    fn visit(root: &Path, at: &Path, out: &mut Vec<(PathBuf, String)>) {
        for entry in std::fs::read_dir(at).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                visit(root, &path, out);
            } else {
                let content = std::fs::read_to_string(&path).unwrap();
                out.push((path.strip_prefix(root).unwrap().to_path_buf(), content));
            }
        }
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../interop/tests/fixtures/aem-osgi/ams");
    let mut files = Vec::new();
    visit(&root, &root, &mut files);
    files.sort();
    files
        .into_iter()
        .map(|(path, content)| json!({"path": path.to_string_lossy(), "content": content}))
        .collect()
}

const SECRET: &str = "p8e-Fixture-SmartContent-0123456789abcdef";

async fn post(app: &TestApp, body: &Value) -> (StatusCode, Value, String) {
    let r = app
        .admin(Method::POST, "/api/v1/import")
        .json(body)
        .send()
        .await
        .unwrap();
    let status = r.status();
    let text = r.text().await.unwrap();
    let value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
    (status, value, text)
}

fn actions(outcome: &Value) -> Vec<(String, String)> {
    outcome["preview"]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["name"].as_str().unwrap().to_owned(),
                r["action"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
        .collect()
}

on_both_backends!(a_dry_run_previews_and_writes_nothing);

async fn a_dry_run_previews_and_writes_nothing(app: &TestApp) {
    let (status, outcome, text) = post(
        app,
        &json!({"format": "aem-osgi", "files": ams_files(), "dry_run": true}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{outcome}");
    assert_eq!(
        actions(&outcome),
        pairs(&[
            ("analytics-legacy", "needs-certificate"),
            ("smart-content-service", "create"),
            ("target", "needs-secret"),
        ])
    );
    assert_eq!(outcome["preview"]["format"], "imsbridge-import-preview/1");
    assert_eq!(outcome["preview"]["source_format"], "aem-osgi");
    assert_eq!(outcome["results"], json!([]));
    let target = &outcome["preview"]["rows"][2];
    assert!(
        target["missing"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["property"] == "auth.ims.client.secret"
                && m["file"]
                    .as_str()
                    .unwrap()
                    .ends_with("IMSAccessTokenRequestCustomizerImpl-target.config")),
        "{target}"
    );
    assert!(!text.contains(SECRET), "the answer echoes a secret");
    let (status, _) = app
        .get_json("/api/v1/integrations/smart-content-service")
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

on_both_backends!(a_real_import_creates_the_ready_rows_and_audits_them);

async fn a_real_import_creates_the_ready_rows_and_audits_them(app: &TestApp) {
    let (status, outcome, text) =
        post(app, &json!({"format": "aem-osgi", "files": ams_files()})).await;
    assert_eq!(status, StatusCode::OK, "{outcome}");
    assert_eq!(
        outcome["results"],
        json!([{"name": "smart-content-service", "status": "created", "revision": 1}])
    );
    assert!(!text.contains(SECRET), "the answer echoes a secret");
    let (status, cfg) = app
        .get_json("/api/v1/integrations/smart-content-service")
        .await;
    assert_eq!(status, StatusCode::OK, "{cfg}");
    assert_eq!(cfg["auth_type"], "oauth");
    assert_eq!(
        cfg["oauth"]["client_id"],
        "7f3c9a1e5b2d4c6e8a0f1b3d5c7e9a2b"
    );
    for blocked in ["target", "analytics-legacy"] {
        let (status, _) = app
            .get_json(&format!("/api/v1/integrations/{blocked}"))
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{blocked}");
    }
    let (_, audit) = app
        .get_json("/api/v1/audit?action=config.import&target_name=smart-content-service")
        .await;
    assert_eq!(audit["items"].as_array().unwrap().len(), 1, "{audit}");

    // Again without `update`: the existing configuration is left alone.
    let (status, again, _) = post(app, &json!({"format": "aem-osgi", "files": ams_files()})).await;
    assert_eq!(status, StatusCode::OK, "{again}");
    assert_eq!(again["results"], json!([]));
    assert_eq!(
        actions(&again)[1],
        ("smart-content-service".to_owned(), "skip".to_owned())
    );
}

on_both_backends!(an_update_at_a_stale_revision_is_refused_through_expect);

async fn an_update_at_a_stale_revision_is_refused_through_expect(app: &TestApp) {
    let (status, _, _) = post(app, &json!({"format": "aem-osgi", "files": ams_files()})).await;
    assert_eq!(status, StatusCode::OK);
    // Reviewed: an update of revision 1.
    let (status, reviewed, _) = post(
        app,
        &json!({"format": "aem-osgi", "files": ams_files(), "update": true, "dry_run": true}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{reviewed}");
    assert_eq!(reviewed["preview"]["rows"][1]["action"], "update");
    assert_eq!(reviewed["preview"]["rows"][1]["revision"], 1);
    // Meanwhile someone else updates it (revision 2).
    let (status, moved, _) = post(
        app,
        &json!({"format": "aem-osgi", "files": ams_files(), "update": true}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{moved}");
    assert_eq!(moved["results"][0]["status"], "updated");
    assert_eq!(moved["results"][0]["revision"], 2);
    // The reviewed preview no longer holds: nothing is written.
    let (status, stale, _) = post(
        app,
        &json!({"format": "aem-osgi", "files": ams_files(), "update": true,
                "expect": reviewed["preview"]}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{stale}");
    assert_eq!(stale["results"], json!([]));
    let row = &stale["preview"]["rows"][1];
    assert_eq!(row["action"], "skip");
    assert!(
        row["reason"]
            .as_str()
            .unwrap()
            .contains("revision 1, now 2"),
        "{row}"
    );
    let (_, cfg) = app
        .get_json("/api/v1/integrations/smart-content-service")
        .await;
    assert_eq!(cfg["revision"], 2);

    // A fresh review applies.
    let (_, fresh, _) = post(
        app,
        &json!({"format": "aem-osgi", "files": ams_files(), "update": true, "dry_run": true}),
    )
    .await;
    let (status, applied, _) = post(
        app,
        &json!({"format": "aem-osgi", "files": ams_files(), "update": true,
                "expect": fresh["preview"]}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{applied}");
    assert_eq!(applied["results"][0]["revision"], 3);
}

async fn refused(app: &TestApp, body: Value, field: &str) {
    let r = app
        .admin(Method::POST, "/api/v1/import")
        .json(&body)
        .send()
        .await
        .unwrap();
    let e = assert_error(r, StatusCode::UNPROCESSABLE_ENTITY, "invalid").await;
    assert_eq!(e["field"], field, "{body}: {e}");
}

on_both_backends!(bad_input_is_refused_naming_the_field);

async fn bad_input_is_refused_naming_the_field(app: &TestApp) {
    let one = json!([{"path": "a.cfg.json", "content": "{}"}]);
    refused(app, json!({"format": "aem-xml", "files": one}), "format").await;
    refused(app, json!({"format": "aem-osgi"}), "files").await;
    refused(app, json!({"format": "aio", "files": []}), "files").await;
    refused(app, json!({"files": one}), "files").await;
    refused(
        app,
        json!({"format": "imsbridge", "dry_run": true, "document": {}}),
        "dry_run",
    )
    .await;
    refused(app, json!({}), "document").await;
    refused(
        app,
        json!({"format": "aem-osgi", "files": one, "document": {}}),
        "document",
    )
    .await;
    refused(
        app,
        json!({"format": "aem-osgi", "files": [{"path": " ", "content": ""}]}),
        "files[0].path",
    )
    .await;
    refused(
        app,
        json!({"format": "aem-osgi", "files": [
            {"path": "a.config", "content": ""}, {"path": "a.config", "content": ""}]}),
        "files[1].path",
    )
    .await;
    let many: Vec<Value> = (0..1001)
        .map(|i| json!({"path": format!("f{i}.config"), "content": ""}))
        .collect();
    refused(app, json!({"format": "aem-osgi", "files": many}), "files").await;
    refused(
        app,
        json!({"format": "aem-osgi", "files": one, "vars": "[{\"name\": 3}]"}),
        "vars",
    )
    .await;
    refused(
        app,
        json!({"format": "aem-osgi", "files": one, "expect": {"hello": "world"}}),
        "expect",
    )
    .await;
    let (_, aio_preview, _) = post(
        app,
        &json!({"format": "aio", "files": [{"path": "config.json", "content": "{}"}], "dry_run": true}),
    )
    .await;
    refused(
        app,
        json!({"format": "aem-osgi", "files": one, "expect": aio_preview["preview"]}),
        "expect",
    )
    .await;

    let read = app.api_token("read").await;
    let r = app
        .with_token(&read, Method::POST, "/api/v1/import")
        .json(&json!({"format": "aem-osgi", "files": one, "dry_run": true}))
        .send()
        .await
        .unwrap();
    assert_error(r, StatusCode::FORBIDDEN, "forbidden").await;
}

#[tokio::test]
async fn a_file_over_one_mebibyte_is_refused_naming_it() {
    let mut settings = imsbridge_server::Settings::for_tests();
    settings.body_limit_bytes = 4 * 1024 * 1024;
    let app = TestApp::spawn_with(Backend::Sqlite, settings)
        .await
        .unwrap();
    let big = "#".repeat(1024 * 1024 + 1);
    let r = app
        .admin(Method::POST, "/api/v1/import")
        .json(&json!({"format": "aem-osgi", "files": [
            {"path": "small.config", "content": ""}, {"path": "big.config", "content": big}]}))
        .send()
        .await
        .unwrap();
    let (status, e) = json_of(r).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert_eq!(e["field"], "files[1].content");
    assert!(e["message"].as_str().unwrap().contains("big.config"), "{e}");
    app.stop().await;
}
