//! `POST …/{name}/token` and `POST …/{name}/health`.

use imsbridge_emulator::{Endpoint, Fault};
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::common::{TestApp, assert_error, json_of};

crate::on_both_backends!(
    an_integration_token_fetches_its_access_token_and_nothing_else,
    token_options_come_from_the_body_or_the_query,
    ims_refusing_a_credential_is_a_bad_gateway_with_its_code,
    an_ims_outage_is_service_unavailable_with_retry_after,
    an_ims_timeout_is_a_gateway_timeout,
    check_health_records_the_result_without_a_new_revision,
    check_health_reports_ims_reason_and_debug_id,
    a_caller_may_lower_the_budget_but_not_raise_it,
    a_refused_credential_is_not_asked_again_until_check_health,
);

async fn an_integration_token_fetches_its_access_token_and_nothing_else(app: &TestApp) {
    app.create_oauth("target-prod").await;
    app.create_oauth("analytics").await;
    let token = app.api_token("token:target-prod").await;

    let r = app
        .with_token(
            &token,
            Method::POST,
            "/api/v1/integrations/target-prod/token",
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["cache-control"], "no-store");
    let (status, body) = json_of(r).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let access = body["access_token"].as_str().unwrap();
    assert!(app.emulator.is_token_valid(access));
    assert_eq!(body["token_type"], "bearer");
    assert!(body["expires_in"].as_i64().unwrap() > 3600);
    assert!(body["expires_at"].is_string());

    // Cached: a second call gets the same token without asking IMS again.
    let (_, again) = json_of(
        app.with_token(
            &token,
            Method::POST,
            "/api/v1/integrations/target-prod/token",
        )
        .send()
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(again["access_token"], body["access_token"]);

    for (method, path) in [
        (Method::POST, "/api/v1/integrations/analytics/token"),
        (Method::POST, "/api/v1/integrations/not-there/token"),
        (Method::GET, "/api/v1/integrations"),
        (Method::GET, "/api/v1/integrations/target-prod"),
        (Method::POST, "/api/v1/integrations/target-prod/health"),
        (Method::GET, "/api/v1/audit"),
    ] {
        let r = app.with_token(&token, method, path).send().await.unwrap();
        assert_error(r, StatusCode::FORBIDDEN, "forbidden").await;
    }
    let read = app.api_token("read").await;
    let r = app
        .with_token(
            &read,
            Method::POST,
            "/api/v1/integrations/target-prod/token",
        )
        .send()
        .await
        .unwrap();
    assert_error(r, StatusCode::FORBIDDEN, "forbidden").await;
    let r = app
        .anonymous(Method::POST, "/api/v1/integrations/target-prod/token")
        .send()
        .await
        .unwrap();
    assert_error(r, StatusCode::UNAUTHORIZED, "unauthenticated").await;
}

async fn token_options_come_from_the_body_or_the_query(app: &TestApp) {
    let cred = app.create_oauth("target-prod").await;
    let first = json_of(
        app.admin(Method::POST, "/api/v1/integrations/target-prod/token")
            .send()
            .await
            .unwrap(),
    )
    .await
    .1;
    let requests = app.emulator.token_requests(&cred.client_id);
    let (status, forced) = json_of(
        app.admin(Method::POST, "/api/v1/integrations/target-prod/token")
            .json(&json!({"force_refresh": true, "min_validity": 60}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{forced}");
    assert_eq!(app.emulator.token_requests(&cred.client_id), requests + 1);
    assert_ne!(forced["access_token"], first["access_token"]);
    let r = app
        .admin(
            Method::POST,
            "/api/v1/integrations/target-prod/token?force_refresh=true",
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(app.emulator.token_requests(&cred.client_id), requests + 2);

    let r = app
        .admin(Method::POST, "/api/v1/integrations/target-prod/token")
        .json(&json!({"min_validity": 999_999}))
        .send()
        .await
        .unwrap();
    let e = assert_error(r, StatusCode::UNPROCESSABLE_ENTITY, "invalid").await;
    assert_eq!(e["field"], "min_validity");
    let r = app
        .admin(Method::POST, "/api/v1/integrations/target-prod/token")
        .json(&json!({"force": true}))
        .send()
        .await
        .unwrap();
    assert_error(r, StatusCode::UNPROCESSABLE_ENTITY, "invalid_body").await;
    let r = app
        .admin(
            Method::POST,
            "/api/v1/integrations/target-prod/token?min_validity=soon",
        )
        .send()
        .await
        .unwrap();
    assert_error(r, StatusCode::BAD_REQUEST, "invalid_query").await;
}

async fn ims_refusing_a_credential_is_a_bad_gateway_with_its_code(app: &TestApp) {
    let mut body = app.oauth_body("broken", &app.oauth_credential());
    body["client_secret"] = json!("p8e-wrong-secret-000000");
    // Saved unverified on purpose: the test is about IMS refusing it later.
    body["verify"] = json!(false);
    let r = app
        .admin(Method::POST, "/api/v1/integrations")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let r = app
        .admin(Method::POST, "/api/v1/integrations/broken/token")
        .send()
        .await
        .unwrap();
    let e = assert_error(r, StatusCode::BAD_GATEWAY, "ims_refused").await;
    assert_eq!(e["ims_error"], "invalid_client");
    assert!(e["debug_id"].as_str().is_some_and(|d| !d.is_empty()), "{e}");
}

async fn an_ims_outage_is_service_unavailable_with_retry_after(app: &TestApp) {
    app.create_oauth("target-prod").await;
    app.emulator
        .set_fault(Endpoint::TokenV3, Fault::Outage)
        .unwrap();
    let r = app
        .admin(Method::POST, "/api/v1/integrations/target-prod/token")
        .send()
        .await
        .unwrap();
    let retry_after: u64 = r.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(retry_after >= 1);
    assert_error(r, StatusCode::SERVICE_UNAVAILABLE, "ims_unavailable").await;
}

async fn an_ims_timeout_is_a_gateway_timeout(app: &TestApp) {
    app.create_oauth("target-prod").await;
    // Slower than the test IMS client's request timeout (see `common`).
    app.emulator
        .set_fault(Endpoint::TokenV3, Fault::Latency { ms: 4_000 })
        .unwrap();
    let r = app
        .admin(Method::POST, "/api/v1/integrations/target-prod/token")
        .send()
        .await
        .unwrap();
    assert_error(r, StatusCode::GATEWAY_TIMEOUT, "ims_timeout").await;
}

async fn check_health_records_the_result_without_a_new_revision(app: &TestApp) {
    let cred = app.create_oauth("target-prod").await;
    // Warm the cache: Check Health must still ask IMS.
    app.admin(Method::POST, "/api/v1/integrations/target-prod/token")
        .send()
        .await
        .unwrap();
    let requests = app.emulator.token_requests(&cred.client_id);
    let r = app
        .admin(Method::POST, "/api/v1/integrations/target-prod/health")
        .send()
        .await
        .unwrap();
    let (status, health) = json_of(r).await;
    assert_eq!(status, StatusCode::OK, "{health}");
    assert_eq!(health["status"], "healthy");
    assert_eq!(health["message"], "Token is retrieved successfully");
    assert_eq!(app.emulator.token_requests(&cred.client_id), requests + 1);
    let (_, config) = app.get_json("/api/v1/integrations/target-prod").await;
    assert_eq!(config["revision"], 1);
    assert_eq!(config["health"]["status"], "healthy");
    let (_, healthy) = app.get_json("/api/v1/integrations?health=healthy").await;
    assert_eq!(healthy["total"], 1);
}

async fn check_health_reports_ims_reason_and_debug_id(app: &TestApp) {
    let mut body = app.oauth_body("broken", &app.oauth_credential());
    body["client_secret"] = json!("p8e-wrong-secret-000000");
    // Saved unverified on purpose: the test is about IMS refusing it later.
    body["verify"] = json!(false);
    app.admin(Method::POST, "/api/v1/integrations")
        .json(&body)
        .send()
        .await
        .unwrap();
    let (status, health) = json_of(
        app.admin(Method::POST, "/api/v1/integrations/broken/health")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(health["status"], "unhealthy");
    assert_eq!(health["error_code"], "invalid_client");
    assert!(health["debug_id"].as_str().is_some_and(|d| !d.is_empty()));
    assert!(!health["message"].as_str().unwrap().is_empty());
    let (_, unhealthy) = app.get_json("/api/v1/integrations?health=unhealthy").await;
    assert_eq!(unhealthy["total"], 1);
}

async fn a_caller_may_lower_the_budget_but_not_raise_it(app: &TestApp) {
    app.create_oauth("target-prod").await;
    app.emulator
        .set_fault(Endpoint::TokenV3, Fault::Latency { ms: 1500 })
        .unwrap();
    let started = std::time::Instant::now();
    let r = app
        .admin(Method::POST, "/api/v1/integrations/target-prod/token")
        .json(&json!({"timeout_ms": 200}))
        .send()
        .await
        .unwrap();
    let e = assert_error(r, StatusCode::GATEWAY_TIMEOUT, "ims_timeout").await;
    assert!(started.elapsed() < std::time::Duration::from_millis(1400));
    assert_eq!(e["ims_error"], "timeout");
    assert!(
        e["message"].as_str().unwrap().contains("200 ms budget"),
        "{e}"
    );

    for (body, query) in [
        (json!({"timeout_ms": 5001}), ""),
        (json!({}), "?timeout_ms=60000"),
        (json!({"timeout_ms": 0}), ""),
    ] {
        let r = app
            .admin(
                Method::POST,
                &format!("/api/v1/integrations/target-prod/token{query}"),
            )
            .json(&body)
            .send()
            .await
            .unwrap();
        let e = assert_error(r, StatusCode::UNPROCESSABLE_ENTITY, "invalid").await;
        assert_eq!(e["field"], "timeout_ms");
        assert!(e["message"].as_str().unwrap().contains("5000 ms"), "{e}");
    }
}

async fn a_refused_credential_is_not_asked_again_until_check_health(app: &TestApp) {
    let cred = app.oauth_credential();
    let mut body = app.oauth_body("broken", &cred);
    body["client_secret"] = json!("p8e-wrong-secret-000000");
    // Saved unverified on purpose: the test is about IMS refusing it later.
    body["verify"] = json!(false);
    app.admin(Method::POST, "/api/v1/integrations")
        .json(&body)
        .send()
        .await
        .unwrap();
    let token = || {
        app.admin(Method::POST, "/api/v1/integrations/broken/token")
            .send()
    };
    let first = assert_error(
        token().await.unwrap(),
        StatusCode::BAD_GATEWAY,
        "ims_refused",
    )
    .await;
    // A misconfigured integration polling in a loop hears the same answer; IMS hears once.
    for _ in 0..5 {
        let again = assert_error(
            token().await.unwrap(),
            StatusCode::BAD_GATEWAY,
            "ims_refused",
        )
        .await;
        assert_eq!(again["ims_error"], "invalid_client");
        assert_eq!(again["debug_id"], first["debug_id"]);
    }
    assert_eq!(app.emulator.token_requests(&cred.client_id), 1);

    // Check Health asks IMS, and the next token request does too.
    app.admin(Method::POST, "/api/v1/integrations/broken/health")
        .send()
        .await
        .unwrap();
    assert_eq!(app.emulator.token_requests(&cred.client_id), 2);
    let again = assert_error(
        token().await.unwrap(),
        StatusCode::BAD_GATEWAY,
        "ims_refused",
    )
    .await;
    assert_ne!(again["debug_id"], first["debug_id"]);
    assert_eq!(app.emulator.token_requests(&cred.client_id), 3);
}
