//! One validation path: a body with several bad fields is answered with every one of them.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::common::{TestApp, assert_error, json_of};

crate::on_both_backends!(
    a_body_with_three_bad_fields_gets_three_errors,
    the_openapi_document_describes_every_field_error,
);

async fn a_body_with_three_bad_fields_gets_three_errors(app: &TestApp) {
    let cred = app.oauth_credential();
    let mut body = app.oauth_body("valid-name", &cred);
    body["name"] = json!("Not A Name!");
    body["org_id"] = json!("not-an-org");
    body["title"] = json!("   ");
    let r = app
        .admin(Method::POST, "/api/v1/integrations")
        .json(&body)
        .send()
        .await
        .unwrap();
    let e = assert_error(r, StatusCode::UNPROCESSABLE_ENTITY, "invalid").await;
    let errors = e["errors"].as_array().expect("an errors array");
    let fields: Vec<&str> = errors
        .iter()
        .map(|x| x["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["name", "title", "org_id"], "{e}");
    // `field` stays, naming the first, for clients that read only one.
    assert_eq!(e["field"], "name");
    let kinds: Vec<&str> = errors.iter().map(|x| x["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["invalid", "missing", "invalid"], "{e}");
    for x in errors {
        let message = x["message"].as_str().unwrap();
        assert!(message.starts_with(x["field"].as_str().unwrap()), "{x}");
        assert!(x["args"].is_object(), "{x}");
    }
    assert_eq!(
        errors[2]["args"]["example"],
        json!("12345678ABCDEF1234567890@AdobeOrg"),
        "{e}"
    );
    // Nothing was half-written.
    let (_, list) = app.get_json("/api/v1/integrations").await;
    assert_eq!(list["total"], 0);
}

async fn the_openapi_document_describes_every_field_error(app: &TestApp) {
    let (status, doc) = json_of(
        app.anonymous(Method::GET, "/api/openapi.json")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let schemas = &doc["components"]["schemas"];
    let body = &schemas["ErrorBody"]["properties"];
    assert!(body.get("field").is_some(), "{body}");
    assert_eq!(
        body["errors"]["items"]["$ref"], "#/components/schemas/FieldError",
        "{body}"
    );
    let field_error = &schemas["FieldError"]["properties"];
    for key in ["field", "kind", "args", "message"] {
        assert!(field_error.get(key).is_some(), "{key}: {field_error}");
    }
    let kinds = schemas["FieldErrorKind"]["enum"].as_array().expect("kinds");
    assert!(kinds.contains(&json!("missing")), "{kinds:?}");
    let codes = schemas["ErrorCode"]["enum"].as_array().expect("codes");
    assert!(codes.contains(&json!("invalid")), "{codes:?}");
    assert!(!codes.contains(&json!("invalid_field")), "{codes:?}");
    // Each route's summary is its own.
    let users = &doc["paths"]["/api/v1/users"]["get"];
    assert_eq!(users["summary"], "Lists users.", "{users}");
}
