//! Operations routes, OpenAPI, security headers, request ids, JSON errors outside handlers,
//! TLS and graceful shutdown.

use std::sync::Arc;

use imsbridge_server::{Settings, TlsSettings};
use reqwest::{Method, StatusCode};

use crate::common::{Backend, TestApp, assert_error, json_of};

crate::on_both_backends!(
    liveness_and_readiness_answer,
    metrics_are_prometheus_text,
    the_openapi_document_describes_every_route,
    every_response_carries_security_headers_and_a_request_id,
    unknown_routes_and_methods_get_json_errors,
);

async fn liveness_and_readiness_answer(app: &TestApp) {
    let (status, body) =
        json_of(app.anonymous(Method::GET, "/healthz").send().await.unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["status"], "ok");
    let (status, body) = json_of(app.anonymous(Method::GET, "/readyz").send().await.unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["status"], "ready");
}

async fn metrics_are_prometheus_text(app: &TestApp) {
    app.create_oauth("metered").await;
    app.admin(Method::POST, "/api/v1/integrations/metered/token")
        .send()
        .await
        .unwrap();
    // Only for callers that may read: a token limited to fetching tokens may not.
    let r = app.anonymous(Method::GET, "/metrics").send().await.unwrap();
    assert_error(r, StatusCode::UNAUTHORIZED, "unauthenticated").await;
    let fetcher = app.api_token("token:metered").await;
    let r = app
        .with_token(&fetcher, Method::GET, "/metrics")
        .send()
        .await
        .unwrap();
    assert_error(r, StatusCode::FORBIDDEN, "forbidden").await;
    let reader = app.api_token("read").await;
    let r = app
        .with_token(&reader, Method::GET, "/metrics")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
    let text = r.text().await.unwrap();
    assert!(text.contains("imsbridge_http_requests_total"), "{text}");
    assert!(
        text.contains("route=\"/api/v1/integrations/{name}/token\""),
        "{text}"
    );
}

#[tokio::test]
async fn metrics_can_be_opened_to_an_unauthenticated_scraper() {
    let settings = Settings {
        metrics_public: true,
        ..Settings::for_tests()
    };
    let app = TestApp::spawn_with(Backend::Sqlite, settings)
        .await
        .unwrap();
    let r = app.anonymous(Method::GET, "/metrics").send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    // Nothing else opens with it.
    let r = app
        .anonymous(Method::GET, "/api/v1/integrations")
        .send()
        .await
        .unwrap();
    assert_error(r, StatusCode::UNAUTHORIZED, "unauthenticated").await;
    app.stop().await;
}

async fn the_openapi_document_describes_every_route(app: &TestApp) {
    let (status, doc) = json_of(
        app.anonymous(Method::GET, "/api/openapi.json")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let paths = doc["paths"].as_object().unwrap();
    for (path, methods) in [
        ("/api/v1/integrations", &["get", "post"][..]),
        ("/api/v1/integrations/{name}", &["get", "patch", "delete"]),
        ("/api/v1/integrations/{name}/migrate", &["post"]),
        ("/api/v1/integrations/{name}/migration", &["get"]),
        ("/api/v1/integrations/{name}/token", &["post"]),
        ("/api/v1/integrations/{name}/health", &["post"]),
        ("/api/v1/project-json", &["post"]),
        ("/api/v1/import", &["post"]),
        ("/api/v1/session", &["get", "post", "delete"]),
        ("/api/v1/me", &["get"]),
        ("/api/v1/me/password", &["post"]),
        ("/api/v1/users", &["get", "post"]),
        ("/api/v1/users/{username}", &["get", "patch", "delete"]),
        ("/api/v1/api-tokens", &["get", "post"]),
        ("/api/v1/api-tokens/{id}", &["get", "delete"]),
        ("/api/v1/audit", &["get"]),
        ("/healthz", &["get"]),
        ("/readyz", &["get"]),
        ("/metrics", &["get"]),
    ] {
        for m in methods {
            assert!(paths[path].get(*m).is_some(), "{m} {path}");
        }
    }
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
    let create = &doc["components"]["schemas"]["CreateIntegration"]["properties"];
    assert!(create.get("client_secret").is_some());
    assert!(create.get("private_key").is_none());
    // A caller's budget, in the query or the body, and the answers it bounds.
    let token = &paths["/api/v1/integrations/{name}/token"]["post"];
    let params = token["parameters"].as_array().unwrap();
    assert!(
        params
            .iter()
            .any(|p| p["name"] == "timeout_ms" && p["in"] == "query"),
        "{params:?}"
    );
    let options = &doc["components"]["schemas"]["TokenOptions"]["properties"];
    assert_eq!(options["timeout_ms"]["minimum"], 1, "{options}");
    for status in ["503", "504"] {
        assert!(token["responses"].get(status).is_some(), "{status}");
    }
    assert!(
        token["responses"]["503"]["headers"]
            .get("Retry-After")
            .is_some()
    );
    let health = &doc["components"]["schemas"]["HealthView"]["properties"];
    assert!(health.get("throttled_until").is_some(), "{health}");
}

async fn every_response_carries_security_headers_and_a_request_id(app: &TestApp) {
    for (method, path) in [
        (Method::GET, "/healthz"),
        (Method::GET, "/api/v1/integrations"),
        (Method::GET, "/no/such/route"),
    ] {
        let r = app.admin(method, path).send().await.unwrap();
        let h = r.headers();
        let csp = h["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
        assert_eq!(h["x-content-type-options"], "nosniff");
        assert_eq!(h["x-frame-options"], "DENY");
        assert_eq!(h["referrer-policy"], "same-origin");
        assert!(!h.contains_key("strict-transport-security"));
        assert!(!h["x-request-id"].to_str().unwrap().is_empty());
    }
    let r = app
        .admin(Method::GET, "/api/v1/integrations")
        .header("x-request-id", "trace-me-123")
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["x-request-id"], "trace-me-123");
    assert_eq!(r.headers()["cache-control"], "no-store");
    let r = app
        .admin(Method::GET, "/api/v1/integrations")
        .header("x-request-id", "has spaces and is odd")
        .send()
        .await
        .unwrap();
    assert_ne!(r.headers()["x-request-id"], "has spaces and is odd");
}

async fn unknown_routes_and_methods_get_json_errors(app: &TestApp) {
    let r = app
        .admin(Method::GET, "/api/v2/nothing")
        .send()
        .await
        .unwrap();
    assert_error(r, StatusCode::NOT_FOUND, "not_found").await;
    let r = app
        .admin(Method::PUT, "/api/v1/integrations")
        .send()
        .await
        .unwrap();
    assert_error(r, StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed").await;
    let r = app.admin(Method::POST, "/healthz").send().await.unwrap();
    assert_error(r, StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed").await;
}

#[tokio::test]
async fn over_tls_the_server_sends_hsts_and_secure_cookies() {
    let dir = tempfile::tempdir().unwrap();
    let cert = rcgen::generate_simple_self_signed(vec!["localhost".into()]).unwrap();
    let cert_path = dir.path().join("cert.pem");
    let key_path = dir.path().join("key.pem");
    std::fs::write(&cert_path, cert.cert.pem()).unwrap();
    std::fs::write(&key_path, cert.key_pair.serialize_pem()).unwrap();
    let settings = Settings {
        tls: Some(TlsSettings {
            cert_path,
            key_path,
        }),
        ..Settings::for_tests()
    };
    let app = TestApp::spawn_with(Backend::Sqlite, settings)
        .await
        .unwrap();
    let port = app.address.rsplit(':').next().unwrap().to_owned();
    let client = reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(cert.cert.pem().as_bytes()).unwrap())
        .resolve("localhost", ([127, 0, 0, 1], port.parse().unwrap()).into())
        .build()
        .unwrap();
    let base = format!("https://localhost:{port}");
    let r = client.get(format!("{base}/healthz")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(
        r.headers()["strict-transport-security"]
            .to_str()
            .unwrap()
            .contains("max-age=")
    );
    let r = client
        .post(format!("{base}/api/v1/session"))
        .json(&serde_json::json!({"username": "admin", "password": crate::common::ADMIN_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let cookie = r.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(cookie.contains("; Secure"), "{cookie}");
    // Plain HTTP on the TLS port gets nowhere.
    assert!(
        reqwest::get(format!("http://127.0.0.1:{port}/healthz"))
            .await
            .is_err()
    );
    app.stop().await;
}

#[tokio::test]
async fn settings_the_server_cannot_run_with_are_startup_errors_naming_what_is_wrong() {
    let cases: [(&str, Settings, &[&str]); 2] = [
        (
            "a missing TLS certificate names the file",
            Settings {
                tls: Some(TlsSettings {
                    cert_path: "/nonexistent/cert.pem".into(),
                    key_path: "/nonexistent/key.pem".into(),
                }),
                ..Settings::for_tests()
            },
            &["/nonexistent/cert.pem"],
        ),
        (
            // The default budget is 5 s: a 5 s request timeout would answer first.
            "a token budget the request timeout does not exceed",
            Settings {
                request_timeout_secs: 5,
                ..Settings::for_tests()
            },
            &["token_budget_ms", "request_timeout_secs"],
        ),
    ];
    for (case, settings, named) in cases {
        let dir = tempfile::tempdir().unwrap();
        let store = imsbridge_store::Store::open_data_dir(dir.path(), None, None)
            .await
            .unwrap();
        let provider = imsbridge_ims::TokenProvider::new(
            imsbridge_ims::ImsClient::with_defaults().unwrap(),
            Arc::new(imsbridge_domain::SystemClock),
            imsbridge_ims::ProviderOptions::default(),
        );
        let err = imsbridge_server::Application::build(
            settings,
            imsbridge_server::Dependencies::new(store, provider),
        )
        .await
        .unwrap_err();
        let text = err.to_string();
        for name in named {
            assert!(text.contains(name), "{case}: {text}");
        }
    }
}

#[tokio::test]
async fn shutdown_lets_a_request_in_flight_finish() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    app.create_oauth("slow").await;
    app.emulator
        .set_fault(
            imsbridge_emulator::Endpoint::TokenV3,
            imsbridge_emulator::Fault::Latency { ms: 500 },
        )
        .unwrap();
    // Creating it asked IMS once already (verification).
    let asked = app
        .emulator
        .total_requests(imsbridge_emulator::Endpoint::TokenV3);
    let request = app
        .admin(Method::POST, "/api/v1/integrations/slow/token")
        .send();
    let in_flight = tokio::spawn(request);
    // Stop only once the request is inside the server, waiting on IMS.
    while app
        .emulator
        .total_requests(imsbridge_emulator::Endpoint::TokenV3)
        == asked
    {
        tokio::task::yield_now().await;
    }
    let address = app.address.clone();
    app.stop().await;
    let r = in_flight.await.unwrap().unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(reqwest::get(format!("{address}/healthz")).await.is_err());
}
