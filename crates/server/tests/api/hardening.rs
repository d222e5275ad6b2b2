//! What probing finds: every 422 names its field, weak `If-Match` tags never match, titles
//! refuse bidirectional controls, the HTTP layer's own refusals are JSON, an ambiguously
//! framed request is refused, and made-up methods add no metric series.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

use crate::common::{Backend, TestApp, assert_error, json_of};

crate::on_both_backends!(
    every_422_names_the_field_at_fault,
    a_weak_if_match_tag_never_matches,
    a_title_with_a_bidirectional_control_is_refused,
);

async fn every_422_names_the_field_at_fault(app: &TestApp) {
    app.create_oauth("fielded").await;
    let token = "/api/v1/integrations/fielded/token";
    let cases: Vec<(Method, &str, Value, &str)> = vec![
        // The token endpoint's JSON body, as a client would send it.
        (
            Method::POST,
            token,
            json!({"min_validity": -1}),
            "min_validity",
        ),
        (
            Method::POST,
            token,
            json!({"min_validity": "soon"}),
            "min_validity",
        ),
        (
            Method::POST,
            token,
            json!({"min_validity": 90_000}),
            "min_validity",
        ),
        (
            Method::POST,
            token,
            json!({"force_refresh": 1}),
            "force_refresh",
        ),
        (Method::POST, token, json!({"surprise": true}), "surprise"),
        (
            Method::POST,
            "/api/v1/session",
            json!({"username": "admin"}),
            "password",
        ),
        (
            Method::POST,
            "/api/v1/integrations",
            json!({"name": "x", "cloud_solution": "target", "scopes": [1]}),
            "scopes",
        ),
        (
            Method::POST,
            "/api/v1/integrations",
            json!({"name": "x", "cloud_solution": "target", "auth_type": "jwt"}),
            "auth_type",
        ),
        (
            Method::POST,
            "/api/v1/integrations",
            json!({"name": "Not A Name", "cloud_solution": "target"}),
            "name",
        ),
        (
            Method::POST,
            "/api/v1/api-tokens",
            json!({"name": "t", "scope": "everything"}),
            "scope",
        ),
        (
            Method::POST,
            "/api/v1/users",
            json!({"username": "no spaces please", "role": "viewer"}),
            "username",
        ),
        (
            Method::GET,
            "/api/v1/integrations?limit=0",
            Value::Null,
            "limit",
        ),
    ];
    for (method, path, body, field) in cases {
        let mut request = app.admin(method.clone(), path);
        if !body.is_null() {
            request = request.json(&body);
        }
        let (status, e) = json_of(request.send().await.unwrap()).await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{method} {path} {body}: {e}"
        );
        assert_eq!(e["field"], field, "{method} {path} {body}: {e}");
    }
    // A body that is not even an object has no field to name: it is malformed, 400.
    let r = app
        .admin(Method::POST, token)
        .json(&json!("soon"))
        .send()
        .await
        .unwrap();
    assert_error(r, StatusCode::BAD_REQUEST, "invalid_body").await;
}

async fn a_weak_if_match_tag_never_matches(app: &TestApp) {
    app.create_oauth("weakly").await;
    for method in [Method::PATCH, Method::DELETE] {
        let r = app
            .admin(method.clone(), "/api/v1/integrations/weakly")
            .header("if-match", "W/\"1\"")
            .json(&json!({"title": "Changed"}))
            .send()
            .await
            .unwrap();
        let e = assert_error(r, StatusCode::PRECONDITION_FAILED, "precondition_failed").await;
        assert_eq!(e["field"], "If-Match", "{method}");
    }
    let (status, body) = app.get_json("/api/v1/integrations/weakly").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["revision"], 1, "nothing changed: {body}");
    // The strong tag of the same revision does.
    let r = app
        .admin(Method::PATCH, "/api/v1/integrations/weakly")
        .header("if-match", "\"1\"")
        .json(&json!({"title": "Changed"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
}

async fn a_title_with_a_bidirectional_control_is_refused(app: &TestApp) {
    let cred = app.oauth_credential();
    let mut body = app.oauth_body("bidi", &cred);
    body["title"] = json!("Invoice \u{202E}fdp.exe");
    let r = app
        .admin(Method::POST, "/api/v1/integrations")
        .json(&body)
        .send()
        .await
        .unwrap();
    let e = assert_error(r, StatusCode::UNPROCESSABLE_ENTITY, "invalid").await;
    assert_eq!(e["field"], "title");
    assert!(e["message"].as_str().unwrap().contains("U+202E"), "{e}");
    app.create_oauth("bidi-later").await;
    let r = app
        .admin(Method::PATCH, "/api/v1/integrations/bidi-later")
        .header("if-match", "\"1\"")
        .json(&json!({"title": "a\u{2067}b"}))
        .send()
        .await
        .unwrap();
    let e = assert_error(r, StatusCode::UNPROCESSABLE_ENTITY, "invalid").await;
    assert_eq!(e["field"], "title");
}

/// Sends raw bytes on a new connection and reads until the server closes it (or 5 s pass).
async fn raw(app: &TestApp, bytes: &[u8]) -> String {
    let addr = app.address.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream.write_all(bytes).await.unwrap();
    let mut out = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut out)).await;
    String::from_utf8_lossy(&out).into_owned()
}

/// The status and JSON body of the last response in `text`.
fn last_response(text: &str) -> (u16, Value) {
    let start = text.rfind("HTTP/1.1 ").expect("a response");
    let response = &text[start..];
    let status = response[9..12].parse().unwrap();
    let (head, body) = response.split_once("\r\n\r\n").expect("a whole head");
    assert!(
        head.to_ascii_lowercase()
            .contains("content-type: application/json"),
        "{head}"
    );
    (status, serde_json::from_str(body).expect("a JSON body"))
}

#[tokio::test]
async fn refusals_of_the_http_layer_itself_carry_json_bodies() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let long_query = |n: usize| {
        format!(
            "GET /healthz?q={} HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
            "a".repeat(n)
        )
    };
    let many_headers = format!(
        "GET /healthz HTTP/1.1\r\nHost: a\r\n{}\r\n",
        "X-H: 1\r\n".repeat(150)
    );
    let cases: Vec<(String, u16, &str)> = vec![
        (
            "GET /healthz HTTP/1.1 trailing\r\nHost: a\r\n\r\n".into(),
            400,
            "malformed_request",
        ),
        (
            "GET /healthz HTTP/1.1\r\nNo colon here\r\n\r\n".into(),
            400,
            "malformed_request",
        ),
        // Past the URL limit; past the head limit too, which counts the URL.
        (long_query(9 * 1024), 414, "uri_too_long"),
        (long_query(40 * 1024), 414, "uri_too_long"),
        (long_query(70 * 1024), 431, "headers_too_large"),
        (
            format!(
                "GET /healthz HTTP/1.1\r\nHost: a\r\nX-Big: {}\r\n\r\n",
                "b".repeat(100 * 1024)
            ),
            431,
            "headers_too_large",
        ),
        (many_headers, 431, "headers_too_large"),
    ];
    for (request, status, code) in cases {
        let text = raw(&app, request.as_bytes()).await;
        let (got, body) = last_response(&text);
        assert_eq!(got, status, "{text:.300}");
        assert_eq!(body["error"], code, "{body}");
        assert!(
            body["message"].as_str().is_some_and(|m| m.len() > 20),
            "{body}"
        );
    }
    app.stop().await;
}

#[tokio::test]
async fn a_request_with_both_content_length_and_transfer_encoding_is_refused() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    for request in [
        "POST /api/v1/session HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        "POST /api/v1/session HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n",
        // After a well-framed request on the same connection.
        "GET /healthz HTTP/1.1\r\nHost: a\r\n\r\nPOST /healthz HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nhiPOST /api/v1/session HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
    ] {
        let text = raw(&app, request.as_bytes()).await;
        let (status, body) = last_response(&text);
        assert_eq!(status, 400, "{text}");
        assert_eq!(body["error"], "ambiguous_length", "{body}");
        let head = &text[text.rfind("HTTP/1.1 ").unwrap()..];
        assert!(
            head.to_ascii_lowercase().contains("connection: close"),
            "{head}"
        );
    }
    // Either one alone is fine.
    let chunked = raw(
        &app,
        b"POST /api/v1/session HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n2\r\n{}\r\n0\r\n\r\n",
    )
    .await;
    let (status, body) = last_response(&chunked);
    assert_eq!(status, 422, "{chunked}");
    assert_eq!(body["field"], "username");
    app.stop().await;
}

#[tokio::test]
async fn a_made_up_method_adds_no_metric_series() {
    let settings = imsbridge_server::Settings {
        metrics_public: true,
        ..imsbridge_server::Settings::for_tests()
    };
    let app = TestApp::spawn_with(Backend::Sqlite, settings)
        .await
        .unwrap();
    for i in 0..3 {
        let method = Method::from_bytes(format!("PROBE{i}").as_bytes()).unwrap();
        app.anonymous(method, "/healthz").send().await.unwrap();
    }
    let text = app
        .anonymous(Method::GET, "/metrics")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(text.contains("method=\"other\""), "{text}");
    assert!(!text.contains("PROBE"), "{text}");
    app.stop().await;
}
