//! `/api/v1/integrations`: list, get, create, update, delete, and their errors.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::common::{TestApp, assert_error, json_of};
use imsbridge_domain::Origin;

crate::on_both_backends!(
    creating_an_oauth_configuration_returns_it_without_its_secret,
    creating_a_jwt_configuration_is_refused_with_the_deprecation,
    creating_with_a_taken_name_is_a_conflict,
    invalid_fields_are_named_in_the_error,
    malformed_and_unknown_json_is_refused_with_json_errors,
    the_list_filters_searches_and_pages,
    the_list_refuses_unknown_filters_and_values,
    an_update_needs_if_match_and_answers_a_new_etag,
    a_stale_revision_is_refused_with_the_current_one,
    two_writers_from_the_same_revision_one_wins_and_nothing_is_lost,
    a_jwt_configuration_is_read_only_and_points_to_migration,
    deleting_removes_the_configuration_and_honours_if_match,
    a_missing_configuration_is_not_found,
    a_developer_console_project_json_fills_the_oauth_fields,
);

async fn creating_an_oauth_configuration_returns_it_without_its_secret(app: &TestApp) {
    let cred = app.oauth_credential();
    let r = app
        .admin(Method::POST, "/api/v1/integrations")
        .json(&app.oauth_body("target-prod", &cred))
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["etag"], "\"1\"");
    assert_eq!(r.headers()["location"], "/api/v1/integrations/target-prod");
    let (status, body) = json_of(r).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["name"], "target-prod");
    assert_eq!(body["auth_type"], "oauth");
    assert_eq!(body["deprecated"], false);
    assert_eq!(body["origin"], "customer");
    assert_eq!(body["revision"], 1);
    assert_eq!(body["oauth"]["client_id"], cred.client_id.as_str());
    assert_eq!(body["oauth"]["org_id"], cred.org_id.as_str());
    assert_eq!(body["oauth"]["scopes"], json!(cred.scopes));
    let secret = &cred.client_secrets[0];
    assert_eq!(body["oauth"]["client_secret"]["set"], true);
    assert_eq!(
        body["oauth"]["client_secret"]["last4"],
        secret[secret.len() - 4..]
    );
    assert!(!body.to_string().contains(secret.as_str()));

    let (status, fetched) = app.get_json("/api/v1/integrations/target-prod").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(fetched, body);
}

async fn creating_a_jwt_configuration_is_refused_with_the_deprecation(app: &TestApp) {
    let cred = app.oauth_credential();
    let mut body = app.oauth_body("legacy", &cred);
    body["auth_type"] = json!("jwt");
    let r = app
        .admin(Method::POST, "/api/v1/integrations")
        .json(&body)
        .send()
        .await
        .unwrap();
    let e = assert_error(r, StatusCode::UNPROCESSABLE_ENTITY, "jwt_deprecated").await;
    let message = e["message"].as_str().unwrap();
    assert!(message.contains("deprecated"), "{message}");
    assert!(message.contains("/migrate"), "{message}");

    // JWT-only fields alone are refused the same way, not as unknown fields.
    let mut body = app.oauth_body("legacy", &cred);
    body["private_key"] = json!("-----BEGIN PRIVATE KEY-----");
    let r = app
        .admin(Method::POST, "/api/v1/integrations")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_error(r, StatusCode::UNPROCESSABLE_ENTITY, "jwt_deprecated").await;
    let (_, list) = app.get_json("/api/v1/integrations").await;
    assert_eq!(list["total"], 0);
}

async fn creating_with_a_taken_name_is_a_conflict(app: &TestApp) {
    app.create_oauth("dup").await;
    let cred = app.oauth_credential();
    let r = app
        .admin(Method::POST, "/api/v1/integrations")
        .json(&app.oauth_body("dup", &cred))
        .send()
        .await
        .unwrap();
    let e = assert_error(r, StatusCode::CONFLICT, "name_taken").await;
    assert_eq!(e["field"], "name");
    // The code and its arguments let a client say it in its own language.
    assert_eq!(e["args"], json!({"name": "dup"}));
}

async fn invalid_fields_are_named_in_the_error(app: &TestApp) {
    let cred = app.oauth_credential();
    let cases = [
        ("org_id", json!("not-an-org")),
        ("client_id", json!("has spaces")),
        ("scopes", json!("bad scope!")),
        ("authorization_server", json!("http://ims.example.com")),
        ("authorization_server", json!("not a url")),
        ("title", json!("   ")),
        ("name", json!("Bad Name")),
        ("cloud_solution", json!("")),
        ("technical_account_id", json!("x@example.com")),
        ("client_secret", json!("")),
    ];
    for (field, value) in cases {
        let mut body = app.oauth_body("valid-name", &cred);
        body[field] = value.clone();
        let r = app
            .admin(Method::POST, "/api/v1/integrations")
            .json(&body)
            .send()
            .await
            .unwrap();
        let e = assert_error(r, StatusCode::UNPROCESSABLE_ENTITY, "invalid").await;
        assert_eq!(e["field"], field, "{field}={value}: {e}");
    }
    let mut body = app.oauth_body("valid-name", &cred);
    body.as_object_mut().unwrap().remove("client_secret");
    let r = app
        .admin(Method::POST, "/api/v1/integrations")
        .json(&body)
        .send()
        .await
        .unwrap();
    let e = assert_error(r, StatusCode::UNPROCESSABLE_ENTITY, "invalid").await;
    assert_eq!(e["field"], "client_secret");
    // Nothing was half-written.
    let (_, list) = app.get_json("/api/v1/integrations").await;
    assert_eq!(list["total"], 0);
}

async fn malformed_and_unknown_json_is_refused_with_json_errors(app: &TestApp) {
    let post = |body: &'static str, content_type: &'static str| {
        app.admin(Method::POST, "/api/v1/integrations")
            .header("content-type", content_type)
            .body(body)
    };
    let r = post("{not json", "application/json").send().await.unwrap();
    assert_error(r, StatusCode::BAD_REQUEST, "malformed_json").await;
    let r = post(r#"{"name": 5}"#, "application/json")
        .send()
        .await
        .unwrap();
    let e = assert_error(r, StatusCode::UNPROCESSABLE_ENTITY, "invalid_body").await;
    assert!(e["message"].as_str().unwrap().contains("name"), "{e}");
    let r = post(
        r#"{"name":"a","cloud_solution":"target","surprise":1}"#,
        "application/json",
    )
    .send()
    .await
    .unwrap();
    let e = assert_error(r, StatusCode::UNPROCESSABLE_ENTITY, "invalid_body").await;
    assert!(e["message"].as_str().unwrap().contains("surprise"), "{e}");
    let r = post("{}", "text/plain").send().await.unwrap();
    assert_error(
        r,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
    )
    .await;
    let big = format!(r#"{{"name":"{}"}}"#, "a".repeat(400 * 1024));
    let r = app
        .admin(Method::POST, "/api/v1/integrations")
        .header("content-type", "application/json")
        .body(big)
        .send()
        .await
        .unwrap();
    assert_error(r, StatusCode::PAYLOAD_TOO_LARGE, "body_too_large").await;
}

async fn the_list_filters_searches_and_pages(app: &TestApp) {
    app.create_oauth("alpha-target").await;
    app.create_oauth("beta-target").await;
    app.import_jwt("gamma-legacy", Origin::Customer).await;
    app.import_jwt("delta-auto", Origin::AutoProvisioned).await;

    let names = |v: &serde_json::Value| -> Vec<String> {
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["name"].as_str().unwrap().to_owned())
            .collect()
    };
    let (status, all) = app.get_json("/api/v1/integrations").await;
    assert_eq!(status, StatusCode::OK, "{all}");
    assert_eq!(all["total"], 4);
    let jwt_item = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["name"] == "gamma-legacy")
        .unwrap();
    assert_eq!(jwt_item["warning"], "JWT Credentials (deprecated)");
    assert_eq!(jwt_item["deprecated"], true);

    let (_, jwt) = app.get_json("/api/v1/integrations?auth_type=jwt").await;
    let mut got = names(&jwt);
    got.sort();
    assert_eq!(got, ["delta-auto", "gamma-legacy"]);
    let (_, auto) = app
        .get_json("/api/v1/integrations?origin=auto-provisioned")
        .await;
    assert_eq!(names(&auto), ["delta-auto"]);
    let (_, search) = app.get_json("/api/v1/integrations?q=BETA").await;
    assert_eq!(names(&search), ["beta-target"]);
    let (_, solution) = app
        .get_json("/api/v1/integrations?cloud_solution=analytics")
        .await;
    assert_eq!(solution["total"], 0);
    let (_, unchecked) = app.get_json("/api/v1/integrations?health=unchecked").await;
    assert_eq!(unchecked["total"], 4);
    let (_, healthy) = app.get_json("/api/v1/integrations?health=healthy").await;
    assert_eq!(healthy["total"], 0);
    let (_, page1) = app.get_json("/api/v1/integrations?limit=3").await;
    let (_, page2) = app.get_json("/api/v1/integrations?limit=3&offset=3").await;
    assert_eq!(page1["items"].as_array().unwrap().len(), 3);
    assert_eq!(page2["items"].as_array().unwrap().len(), 1);
    assert_eq!(page2["total"], 4);
    let mut both = names(&page1);
    both.extend(names(&page2));
    both.sort();
    both.dedup();
    assert_eq!(both.len(), 4);
}

async fn the_list_refuses_unknown_filters_and_values(app: &TestApp) {
    for (query, status, code) in [
        (
            "auth_type=saml",
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
        ),
        (
            "origin=martian",
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
        ),
        ("health=sick", StatusCode::UNPROCESSABLE_ENTITY, "invalid"),
        ("limit=0", StatusCode::UNPROCESSABLE_ENTITY, "invalid"),
        ("limit=-1", StatusCode::BAD_REQUEST, "invalid_query"),
        ("limit=abc", StatusCode::BAD_REQUEST, "invalid_query"),
        ("colour=blue", StatusCode::BAD_REQUEST, "invalid_query"),
    ] {
        let r = app
            .admin(Method::GET, &format!("/api/v1/integrations?{query}"))
            .send()
            .await
            .unwrap();
        assert_error(r, status, code).await;
    }
}

async fn an_update_needs_if_match_and_answers_a_new_etag(app: &TestApp) {
    app.create_oauth("editable").await;
    let r = app
        .admin(Method::PATCH, "/api/v1/integrations/editable")
        .json(&json!({"title": "New title"}))
        .send()
        .await
        .unwrap();
    let e = assert_error(r, StatusCode::PRECONDITION_REQUIRED, "if_match_required").await;
    assert_eq!(e["field"], "If-Match");
    let r = app
        .admin(Method::PATCH, "/api/v1/integrations/editable")
        .header("if-match", "yesterday")
        .json(&json!({"title": "New title"}))
        .send()
        .await
        .unwrap();
    assert_error(r, StatusCode::BAD_REQUEST, "invalid_if_match").await;

    let other = app.oauth_credential();
    let r = app
        .admin(Method::PATCH, "/api/v1/integrations/editable")
        .header("if-match", "\"1\"")
        .json(&json!({
            "title": "New title",
            "client_id": other.client_id,
            "client_secret": other.client_secrets[0],
            "technical_account_id": null,
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["etag"], "\"2\"");
    let (status, body) = json_of(r).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["title"], "New title");
    assert_eq!(body["revision"], 2);
    assert_eq!(body["oauth"]["client_id"], other.client_id.as_str());

    let (_, audit) = app
        .get_json("/api/v1/audit?action=config.update&target_name=editable")
        .await;
    assert_eq!(audit["total"], 1, "{audit}");
    let entry = &audit["items"][0];
    assert_eq!(entry["actor"], "api-token:test-admin");
    assert!(entry["request_id"].as_str().is_some_and(|s| !s.is_empty()));
    assert_eq!(entry["client_addr"], "127.0.0.1");
    let text = entry["details"].to_string();
    assert!(
        text.contains("title") && text.contains("New title"),
        "{text}"
    );
    assert!(!text.contains(other.client_secrets[0].as_str()));
}

async fn a_stale_revision_is_refused_with_the_current_one(app: &TestApp) {
    app.create_oauth("stale").await;
    let patch = |rev: &str, title: &str| {
        app.admin(Method::PATCH, "/api/v1/integrations/stale")
            .header("if-match", rev)
            .json(&json!({ "title": title }))
    };
    assert_eq!(patch("1", "first").send().await.unwrap().status(), 200);
    let r = patch("1", "second").send().await.unwrap();
    let e = assert_error(r, StatusCode::CONFLICT, "stale_revision").await;
    assert_eq!(e["current_revision"], 2);
    let (_, body) = app.get_json("/api/v1/integrations/stale").await;
    assert_eq!(body["title"], "first");
}

async fn two_writers_from_the_same_revision_one_wins_and_nothing_is_lost(app: &TestApp) {
    app.create_oauth("contested").await;
    let write = |title: &'static str| {
        app.admin(Method::PATCH, "/api/v1/integrations/contested")
            .header("if-match", "\"1\"")
            .json(&json!({ "title": title }))
            .send()
    };
    let (a, b) = tokio::join!(write("written by A"), write("written by B"));
    let (a, b) = (json_of(a.unwrap()).await, json_of(b.unwrap()).await);
    let mut statuses = [a.0.as_u16(), b.0.as_u16()];
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 409], "{a:?} {b:?}");
    let (winner, loser) = if a.0 == StatusCode::OK {
        (a.1, b.1)
    } else {
        (b.1, a.1)
    };
    assert_eq!(loser["error"], "stale_revision");
    assert_eq!(loser["current_revision"], 2);
    let (_, now) = app.get_json("/api/v1/integrations/contested").await;
    assert_eq!(now["revision"], 2);
    assert_eq!(now["title"], winner["title"]);

    // The loser reloads and applies its change on the current revision: nothing is lost.
    let lost_title = if winner["title"] == "written by A" {
        "written by B"
    } else {
        "written by A"
    };
    let r = app
        .admin(Method::PATCH, "/api/v1/integrations/contested")
        .header("if-match", "\"2\"")
        .json(&json!({ "title": lost_title }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let (_, audit) = app
        .get_json("/api/v1/audit?action=config.update&target_name=contested")
        .await;
    assert_eq!(audit["total"], 2);
}

async fn a_jwt_configuration_is_read_only_and_points_to_migration(app: &TestApp) {
    app.import_jwt("legacy-jwt", Origin::Customer).await;
    let (_, body) = app.get_json("/api/v1/integrations/legacy-jwt").await;
    assert_eq!(body["auth_type"], "jwt");
    assert_eq!(body["warning"], "JWT Credentials (deprecated)");
    assert_eq!(body["jwt"]["private_key"]["set"], true);
    assert_eq!(body["jwt"]["private_key"]["last4"], serde_json::Value::Null);
    assert_eq!(body["migration"]["allowed"], true);
    let r = app
        .admin(Method::PATCH, "/api/v1/integrations/legacy-jwt")
        .header("if-match", "1")
        .json(&json!({"title": "Renamed"}))
        .send()
        .await
        .unwrap();
    let e = assert_error(r, StatusCode::CONFLICT, "jwt_read_only").await;
    assert!(e["message"].as_str().unwrap().contains("migrate"), "{e}");
    let r = app
        .admin(Method::PATCH, "/api/v1/integrations/legacy-jwt")
        .header("if-match", "1")
        .json(&json!({"private_key": "x"}))
        .send()
        .await
        .unwrap();
    assert_error(r, StatusCode::CONFLICT, "jwt_read_only").await;
    let (_, after) = app.get_json("/api/v1/integrations/legacy-jwt").await;
    assert_eq!(after["revision"], 1);
}

async fn deleting_removes_the_configuration_and_honours_if_match(app: &TestApp) {
    app.create_oauth("doomed").await;
    let r = app
        .admin(Method::DELETE, "/api/v1/integrations/doomed")
        .header("if-match", "\"7\"")
        .send()
        .await
        .unwrap();
    let e = assert_error(r, StatusCode::CONFLICT, "stale_revision").await;
    assert_eq!(e["current_revision"], 1);
    let r = app
        .admin(Method::DELETE, "/api/v1/integrations/doomed")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let r = app
        .admin(Method::GET, "/api/v1/integrations/doomed")
        .send()
        .await
        .unwrap();
    assert_error(r, StatusCode::NOT_FOUND, "not_found").await;
    let (_, audit) = app.get_json("/api/v1/audit?action=config.delete").await;
    assert_eq!(audit["total"], 1);
}

async fn a_missing_configuration_is_not_found(app: &TestApp) {
    for (method, path) in [
        (Method::GET, "/api/v1/integrations/nope"),
        (Method::DELETE, "/api/v1/integrations/nope"),
        (Method::GET, "/api/v1/integrations/nope/migration"),
        (Method::POST, "/api/v1/integrations/nope/health"),
        (Method::POST, "/api/v1/integrations/nope/token"),
    ] {
        let r = app.admin(method, path).send().await.unwrap();
        assert_error(r, StatusCode::NOT_FOUND, "not_found").await;
    }
    let r = app
        .admin(Method::GET, "/api/v1/integrations/NOT%20A%20NAME")
        .send()
        .await
        .unwrap();
    let e = assert_error(r, StatusCode::UNPROCESSABLE_ENTITY, "invalid").await;
    assert_eq!(e["field"], "name");
}

async fn a_developer_console_project_json_fills_the_oauth_fields(app: &TestApp) {
    let cred = app.oauth_credential();
    let project = app.emulator.project_json(&app.project_id).unwrap();
    let r = app
        .admin(Method::POST, "/api/v1/project-json")
        .json(&json!({ "project_json": project }))
        .send()
        .await
        .unwrap();
    let (status, fields) = json_of(r).await;
    assert_eq!(status, StatusCode::OK, "{fields}");
    assert_eq!(fields["client_id"], cred.client_id.as_str());
    assert_eq!(fields["org_id"], cred.org_id.as_str());
    assert_eq!(fields["scopes"], json!(cred.scopes));
    assert_eq!(fields["client_secret"]["set"], true);
    assert!(!fields.to_string().contains(cred.client_secrets[0].as_str()));

    let r = app
        .admin(Method::POST, "/api/v1/integrations")
        .json(&json!({
            "name": "from-project",
            "title": "From the project JSON",
            "cloud_solution": "target",
            "authorization_server": app.emulator.base_url(),
            "project_json": project,
        }))
        .send()
        .await
        .unwrap();
    let (status, created) = json_of(r).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["oauth"]["client_id"], cred.client_id.as_str());

    let r = app
        .admin(Method::POST, "/api/v1/project-json")
        .json(&json!({ "project_json": {"project": {"name": "empty"}} }))
        .send()
        .await
        .unwrap();
    let e = assert_error(r, StatusCode::UNPROCESSABLE_ENTITY, "invalid").await;
    assert_eq!(e["field"], "project_json");
}

crate::on_both_backends!(existing_configurations_enter_through_import_jwt_included);

async fn existing_configurations_enter_through_import_jwt_included(app: &TestApp) {
    // Export from another installation, which holds a JWT configuration.
    app.import_jwt("legacy", Origin::Customer).await;
    let passphrase = imsbridge_domain::SecretString::from("export passphrase 1".to_owned());
    let document = app
        .store
        .export(
            Some(&passphrase),
            &imsbridge_store::AuditContext::actor("test"),
        )
        .await
        .unwrap();
    let r = app
        .admin(Method::DELETE, "/api/v1/integrations/legacy")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);

    let document = serde_json::to_value(&document).unwrap();
    let r = app
        .admin(Method::POST, "/api/v1/import")
        .json(&json!({"document": document, "passphrase": "wrong passphrase"}))
        .send()
        .await
        .unwrap();
    let e = assert_error(r, StatusCode::UNPROCESSABLE_ENTITY, "invalid").await;
    assert_eq!(e["field"], "passphrase");
    let r = app
        .admin(Method::POST, "/api/v1/import")
        .json(&json!({"document": {"hello": "world"}}))
        .send()
        .await
        .unwrap();
    let e = assert_error(r, StatusCode::UNPROCESSABLE_ENTITY, "invalid").await;
    assert_eq!(e["field"], "document");
    let read = app.api_token("read").await;
    let r = app
        .with_token(&read, Method::POST, "/api/v1/import")
        .json(&json!({"document": document}))
        .send()
        .await
        .unwrap();
    assert_error(r, StatusCode::FORBIDDEN, "forbidden").await;

    let r = app
        .admin(Method::POST, "/api/v1/import")
        .json(&json!({"document": document, "passphrase": "export passphrase 1"}))
        .send()
        .await
        .unwrap();
    let (status, report) = json_of(r).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(report["created"], json!(["legacy"]));
    let (_, legacy) = app.get_json("/api/v1/integrations/legacy").await;
    assert_eq!(legacy["auth_type"], "jwt");
    assert_eq!(legacy["migration"]["allowed"], true);
    let (_, audit) = app.get_json("/api/v1/audit?action=config.import").await;
    assert!(audit["total"].as_u64().unwrap() >= 1);

    // Importing again skips what exists.
    let r = app
        .admin(Method::POST, "/api/v1/import")
        .json(&json!({"document": document, "passphrase": "export passphrase 1"}))
        .send()
        .await
        .unwrap();
    let (_, again) = json_of(r).await;
    assert_eq!(again["skipped"], json!(["legacy"]));
}
