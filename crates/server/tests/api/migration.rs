//! `POST /api/v1/integrations/{name}/migrate` against the emulator.

use imsbridge_domain::{Credentials, Name, Origin};
use imsbridge_emulator::{Endpoint, Fault};
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::common::{TestApp, assert_error, json_of};

crate::on_both_backends!(
    migrating_a_jwt_config_keeps_its_id_and_destroys_the_private_key,
    a_migration_that_ims_refuses_changes_nothing_and_quotes_ims,
    a_migration_without_verification_commits_without_asking_ims,
    an_auto_provisioned_configuration_refuses_manual_migration,
    a_migration_needs_a_current_revision,
    an_oauth_configuration_cannot_be_migrated,
    a_migration_can_take_its_fields_from_the_project_json,
    a_migration_during_an_ims_outage_is_unavailable_not_an_error,
    a_migration_without_a_secret_keeps_the_jwt_credentials_secret_after_ims_accepts_it,
    a_kept_secret_is_never_saved_unverified,
);

async fn migrating_a_jwt_config_keeps_its_id_and_destroys_the_private_key(app: &TestApp) {
    let jwt = app.import_jwt("legacy", Origin::Customer).await;
    let oauth = app.emulator.migrate_jwt_credential(&jwt.client_id).unwrap();
    let (_, before) = app.get_json("/api/v1/integrations/legacy").await;

    let (status, prefill) = app.get_json("/api/v1/integrations/legacy/migration").await;
    assert_eq!(status, StatusCode::OK, "{prefill}");
    assert_eq!(prefill["client_id"], jwt.client_id.as_str());
    assert_eq!(prefill["org_id"], jwt.org_id.as_str());
    assert_eq!(prefill["revision"], 1);

    let r = app
        .admin(Method::POST, "/api/v1/integrations/legacy/migrate")
        .json(&json!({
            "revision": 1,
            "client_secret": oauth.client_secrets[0],
            "scopes": oauth.scopes,
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["etag"], "\"2\"");
    let (status, after) = json_of(r).await;
    assert_eq!(status, StatusCode::OK, "{after}");
    assert_eq!(after["id"], before["id"]);
    assert_eq!(after["name"], "legacy");
    assert_eq!(after["title"], before["title"]);
    assert_eq!(after["cloud_solution"], before["cloud_solution"]);
    assert_eq!(after["auth_type"], "oauth");
    assert_eq!(after["deprecated"], false);
    assert!(after.get("warning").is_none());
    assert!(after.get("jwt").is_none());
    assert_eq!(after["oauth"]["client_id"], jwt.client_id.as_str());
    assert_eq!(
        after["oauth"]["technical_account_id"],
        jwt.technical_account_id.as_str()
    );

    // The private key is gone from the store, not merely hidden.
    let stored = app
        .store
        .get_config(&Name::parse("legacy").unwrap())
        .await
        .unwrap()
        .unwrap();
    assert!(matches!(stored.credentials, Credentials::OAuth(_)));

    let (_, audit) = app
        .get_json("/api/v1/audit?action=config.migrate&target_name=legacy")
        .await;
    assert_eq!(audit["total"], 1, "{audit}");
    let details = audit["items"][0]["details"].to_string();
    assert!(details.contains("private_key"), "{details}");
    assert!(!details.contains(oauth.client_secrets[0].as_str()));

    // The migrated configuration serves tokens.
    let r = app
        .admin(Method::POST, "/api/v1/integrations/legacy/token")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
}

async fn a_migration_that_ims_refuses_changes_nothing_and_quotes_ims(app: &TestApp) {
    let jwt = app.import_jwt("legacy", Origin::Customer).await;
    app.emulator.migrate_jwt_credential(&jwt.client_id).unwrap();
    let r = app
        .admin(Method::POST, "/api/v1/integrations/legacy/migrate")
        .header("if-match", "\"1\"")
        .json(&json!({ "client_secret": "p8e-this-secret-is-wrong-123" }))
        .send()
        .await
        .unwrap();
    let e = assert_error(r, StatusCode::UNPROCESSABLE_ENTITY, "verification_failed").await;
    assert_eq!(e["ims_error"], "invalid_client", "{e}");
    assert!(e["debug_id"].as_str().is_some_and(|d| !d.is_empty()), "{e}");
    let (_, after) = app.get_json("/api/v1/integrations/legacy").await;
    assert_eq!(after["auth_type"], "jwt");
    assert_eq!(after["revision"], 1);
    let (_, audit) = app
        .get_json("/api/v1/audit?action=config.migrate.refused")
        .await;
    assert_eq!(audit["total"], 1);
    assert_eq!(audit["items"][0]["details"]["ims_error"], "invalid_client");
}

async fn a_migration_without_verification_commits_without_asking_ims(app: &TestApp) {
    let jwt = app.import_jwt("legacy", Origin::Customer).await;
    let before = app.emulator.token_requests(&jwt.client_id);
    let r = app
        .admin(Method::POST, "/api/v1/integrations/legacy/migrate")
        .json(&json!({
            "revision": 1,
            "client_secret": "p8e-not-yet-created-in-console",
            "verify": false,
        }))
        .send()
        .await
        .unwrap();
    let (status, body) = json_of(r).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["auth_type"], "oauth");
    assert_eq!(app.emulator.token_requests(&jwt.client_id), before);
    let (_, audit) = app
        .get_json("/api/v1/audit?action=config.migrate.unverified")
        .await;
    assert_eq!(audit["total"], 1);
}

async fn an_auto_provisioned_configuration_refuses_manual_migration(app: &TestApp) {
    let jwt = app.import_jwt("auto", Origin::AutoProvisioned).await;
    let oauth = app.emulator.migrate_jwt_credential(&jwt.client_id).unwrap();
    let (_, body) = app.get_json("/api/v1/integrations/auto").await;
    assert_eq!(body["migration"]["allowed"], false);
    assert!(
        body["migration"]["reason"]
            .as_str()
            .unwrap()
            .contains("automatically")
    );
    let r = app
        .admin(Method::POST, "/api/v1/integrations/auto/migrate")
        .json(&json!({ "revision": 1, "client_secret": oauth.client_secrets[0] }))
        .send()
        .await
        .unwrap();
    let e = assert_error(r, StatusCode::CONFLICT, "auto_provisioned").await;
    assert!(
        e["message"].as_str().unwrap().contains("automatically"),
        "{e}"
    );
    let r = app
        .admin(Method::GET, "/api/v1/integrations/auto/migration")
        .send()
        .await
        .unwrap();
    assert_error(r, StatusCode::CONFLICT, "auto_provisioned").await;
}

async fn a_migration_needs_a_current_revision(app: &TestApp) {
    let jwt = app.import_jwt("legacy", Origin::Customer).await;
    let oauth = app.emulator.migrate_jwt_credential(&jwt.client_id).unwrap();
    let r = app
        .admin(Method::POST, "/api/v1/integrations/legacy/migrate")
        .json(&json!({ "client_secret": oauth.client_secrets[0] }))
        .send()
        .await
        .unwrap();
    assert_error(r, StatusCode::PRECONDITION_REQUIRED, "if_match_required").await;
    let r = app
        .admin(Method::POST, "/api/v1/integrations/legacy/migrate")
        .json(&json!({ "revision": 5, "client_secret": oauth.client_secrets[0] }))
        .send()
        .await
        .unwrap();
    let e = assert_error(r, StatusCode::CONFLICT, "stale_revision").await;
    assert_eq!(e["current_revision"], 1);
    let r = app
        .admin(Method::POST, "/api/v1/integrations/legacy/migrate")
        .json(&json!({ "revision": 0, "client_secret": oauth.client_secrets[0] }))
        .send()
        .await
        .unwrap();
    assert_error(r, StatusCode::UNPROCESSABLE_ENTITY, "invalid").await;
}

async fn an_oauth_configuration_cannot_be_migrated(app: &TestApp) {
    let cred = app.create_oauth("modern").await;
    let r = app
        .admin(Method::POST, "/api/v1/integrations/modern/migrate")
        .json(&json!({ "revision": 1, "client_secret": cred.client_secrets[0] }))
        .send()
        .await
        .unwrap();
    assert_error(r, StatusCode::CONFLICT, "not_jwt").await;
}

async fn a_migration_can_take_its_fields_from_the_project_json(app: &TestApp) {
    let jwt = app.import_jwt("legacy", Origin::Customer).await;
    app.emulator.migrate_jwt_credential(&jwt.client_id).unwrap();
    let project = app.emulator.project_json(&app.project_id).unwrap();
    let r = app
        .admin(Method::POST, "/api/v1/integrations/legacy/migrate")
        .json(&json!({ "revision": 1, "project_json": project }))
        .send()
        .await
        .unwrap();
    let (status, body) = json_of(r).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["oauth"]["client_id"], jwt.client_id.as_str());
}

async fn a_migration_during_an_ims_outage_is_unavailable_not_an_error(app: &TestApp) {
    let jwt = app.import_jwt("legacy", Origin::Customer).await;
    let oauth = app.emulator.migrate_jwt_credential(&jwt.client_id).unwrap();
    app.emulator
        .set_fault(Endpoint::TokenV3, Fault::Outage)
        .unwrap();
    let r = app
        .admin(Method::POST, "/api/v1/integrations/legacy/migrate")
        .json(&json!({ "revision": 1, "client_secret": oauth.client_secrets[0] }))
        .send()
        .await
        .unwrap();
    assert!(r.headers().contains_key("retry-after"));
    assert_error(r, StatusCode::SERVICE_UNAVAILABLE, "ims_unavailable").await;
    let (_, after) = app.get_json("/api/v1/integrations/legacy").await;
    assert_eq!(after["auth_type"], "jwt");
}

async fn a_migration_without_a_secret_keeps_the_jwt_credentials_secret_after_ims_accepts_it(
    app: &TestApp,
) {
    let jwt = app.import_jwt("legacy", Origin::Customer).await;
    // The Developer Console's migration keeps the client id and the client secret.
    let oauth = app.emulator.migrate_jwt_credential(&jwt.client_id).unwrap();
    assert_eq!(oauth.client_secrets, vec![jwt.client_secret.clone()]);
    let before = app.emulator.token_requests(&jwt.client_id);
    let r = app
        .admin(Method::POST, "/api/v1/integrations/legacy/migrate")
        .json(&json!({ "revision": 1, "scopes": oauth.scopes }))
        .send()
        .await
        .unwrap();
    let (status, after) = json_of(r).await;
    assert_eq!(status, StatusCode::OK, "{after}");
    assert_eq!(after["auth_type"], "oauth");
    assert!(
        app.emulator.token_requests(&jwt.client_id) > before,
        "the kept secret was verified with IMS"
    );
    let last4: String = jwt
        .client_secret
        .chars()
        .skip(jwt.client_secret.chars().count() - 4)
        .collect();
    assert_eq!(after["oauth"]["client_secret"]["last4"], last4.as_str());
}

async fn a_kept_secret_is_never_saved_unverified(app: &TestApp) {
    app.import_jwt("legacy", Origin::Customer).await;
    let r = app
        .admin(Method::POST, "/api/v1/integrations/legacy/migrate")
        .json(&json!({ "revision": 1, "verify": false }))
        .send()
        .await
        .unwrap();
    let e = assert_error(r, StatusCode::UNPROCESSABLE_ENTITY, "invalid").await;
    assert!(
        e["message"].as_str().unwrap().contains("client_secret"),
        "{e}"
    );
    let (_, after) = app.get_json("/api/v1/integrations/legacy").await;
    assert_eq!(after["auth_type"], "jwt");
}
