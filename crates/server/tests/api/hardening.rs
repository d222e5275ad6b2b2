//! What probing finds: every 422 names its field, weak `If-Match` tags never match, and
//! titles refuse bidirectional controls.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::common::{TestApp, assert_error, json_of};

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
    let e = assert_error(r, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field").await;
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
    let e = assert_error(r, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field").await;
    assert_eq!(e["field"], "title");
}
