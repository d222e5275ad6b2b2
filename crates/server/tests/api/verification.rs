//! Verify before saving: Create and Update of an OAuth configuration fetch a token with the
//! new details first, refuse with IMS's error beside the field, and save without verifying
//! only when asked to and allowed (`server.allow_unverified_migration`).

use imsbridge_emulator::{Endpoint, Fault};
use imsbridge_server::Settings;
use imsbridge_testkit::TestData;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::common::{TestApp, assert_error, json_of};

crate::on_both_backends!(
    a_detail_ims_refuses_is_refused_beside_its_field_and_nothing_is_stored,
    the_right_details_are_verified_with_ims_then_saved,
    saving_without_verifying_asks_ims_nothing_and_is_audited_as_unverified,
    an_update_verifies_a_changed_credential_and_nothing_else,
    an_unreachable_ims_refuses_the_save_and_offers_saving_without_verifying,
);

async fn create(app: &TestApp, body: &Value) -> reqwest::Response {
    app.admin(Method::POST, "/api/v1/integrations")
        .json(body)
        .send()
        .await
        .unwrap()
}

async fn update(app: &TestApp, name: &str, revision: u64, body: &Value) -> reqwest::Response {
    app.admin(Method::PATCH, &format!("/api/v1/integrations/{name}"))
        .header("if-match", format!("\"{revision}\""))
        .json(body)
        .send()
        .await
        .unwrap()
}

/// The audit entries of `action` on configuration `name`.
async fn audited(app: &TestApp, action: &str, name: &str) -> usize {
    let (status, audit) = app
        .get_json(&format!("/api/v1/audit?action={action}&limit=500"))
        .await;
    assert_eq!(status, StatusCode::OK, "{audit}");
    audit["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["target_name"] == name)
        .count()
}

async fn a_detail_ims_refuses_is_refused_beside_its_field_and_nothing_is_stored(app: &TestApp) {
    let cred = app.oauth_credential();
    let other = app.oauth_credential();
    let cases: [(&str, Value, &str, &str); 3] = [
        (
            "client_secret",
            json!("p8e-made-up-secret-0000000"),
            "invalid_client",
            "client_secret",
        ),
        (
            "client_id",
            json!("0123456789abcdef0123456789abcdef"),
            "invalid_client",
            "client_id",
        ),
        (
            "scopes",
            json!(["openid", "AdobeID", "not_a_scope_of_this_credential"]),
            "invalid_scope",
            "scopes",
        ),
    ];
    for (key, value, ims_error, field) in cases {
        let mut body = app.oauth_body("refused", &cred);
        body[key] = value;
        let before = app.emulator.token_requests(&cred.client_id);
        let e = assert_error(
            create(app, &body).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "verification_failed",
        )
        .await;
        assert_eq!(e["field"], field, "{key}: {e}");
        assert!(
            !e.to_string().contains("p8e-made-up-secret"),
            "the refusal never quotes the secret: {e}"
        );
        assert_eq!(e["ims_error"], ims_error, "{key}: {e}");
        assert!(e["debug_id"].as_str().is_some_and(|d| !d.is_empty()), "{e}");
        let message = e["message"].as_str().unwrap();
        assert!(message.contains("nothing was changed"), "{message}");
        assert!(message.contains("\"verify\": false"), "{message}");
        if key != "client_id" {
            assert_eq!(
                app.emulator.token_requests(&cred.client_id),
                before + 1,
                "{key}: IMS was asked once"
            );
        }
        let (status, _) = app.get_json("/api/v1/integrations/refused").await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{key}: nothing stored");
    }
    // Another credential's secret is as wrong as a made-up one.
    let mut body = app.oauth_body("refused", &cred);
    body["client_secret"] = json!(other.client_secrets[0]);
    let e = assert_error(
        create(app, &body).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "verification_failed",
    )
    .await;
    assert_eq!(e["field"], "client_secret", "{e}");
    assert_eq!(audited(app, "config.create", "refused").await, 0);
    assert_eq!(audited(app, "config.create.unverified", "refused").await, 0);
}

async fn the_right_details_are_verified_with_ims_then_saved(app: &TestApp) {
    let cred = app.oauth_credential();
    let before = app.emulator.token_requests(&cred.client_id);
    let r = create(app, &app.oauth_body("verified", &cred)).await;
    let (status, body) = json_of(r).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(app.emulator.token_requests(&cred.client_id), before + 1);
    assert_eq!(audited(app, "config.create", "verified").await, 1);
    assert_eq!(
        audited(app, "config.create.unverified", "verified").await,
        0
    );
    // `"verify": true` says the same as leaving it out.
    let mut body = app.oauth_body("verified-too", &cred);
    body["verify"] = json!(true);
    let (status, body) = json_of(create(app, &body).await).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
}

async fn saving_without_verifying_asks_ims_nothing_and_is_audited_as_unverified(app: &TestApp) {
    let cred = app.oauth_credential();
    let mut body = app.oauth_body("offline", &cred);
    body["client_secret"] = json!("p8e-created-later-in-console");
    body["verify"] = json!(false);
    let before = app.emulator.token_requests(&cred.client_id);
    let (status, created) = json_of(create(app, &body).await).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(app.emulator.token_requests(&cred.client_id), before);
    assert_eq!(audited(app, "config.create.unverified", "offline").await, 1);
    assert_eq!(audited(app, "config.create", "offline").await, 0);

    let (status, updated) = json_of(
        update(
            app,
            "offline",
            1,
            &json!({"client_secret": "p8e-another-made-up-one", "verify": false}),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{updated}");
    assert_eq!(updated["revision"], 2);
    assert_eq!(app.emulator.token_requests(&cred.client_id), before);
    assert_eq!(audited(app, "config.update.unverified", "offline").await, 1);
}

async fn an_update_verifies_a_changed_credential_and_nothing_else(app: &TestApp) {
    let cred = app.create_oauth("edited").await;
    let asked = app.emulator.token_requests(&cred.client_id);

    // A title needs no word from IMS, even while IMS is down.
    app.emulator
        .set_fault(Endpoint::TokenV3, Fault::Outage)
        .unwrap();
    let (status, body) =
        json_of(update(app, "edited", 1, &json!({"title": "Renamed"})).await).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    app.emulator.clear_faults();
    assert_eq!(app.emulator.token_requests(&cred.client_id), asked);
    assert_eq!(audited(app, "config.update", "edited").await, 1);

    // The stored secret sent again changes nothing IMS would see.
    let (status, body) = json_of(
        update(
            app,
            "edited",
            2,
            &json!({"client_secret": cred.client_secrets[0], "scopes": cred.scopes}),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(app.emulator.token_requests(&cred.client_id), asked);

    // A wrong secret is refused beside its field; the configuration stays as it was.
    let r = update(
        app,
        "edited",
        3,
        &json!({"client_secret": "p8e-typo-in-the-secret-00"}),
    )
    .await;
    let e = assert_error(r, StatusCode::UNPROCESSABLE_ENTITY, "verification_failed").await;
    assert_eq!(e["field"], "client_secret", "{e}");
    assert_eq!(e["ims_error"], "invalid_client", "{e}");
    let r = update(app, "edited", 3, &json!({"scopes": "openid,unknown_scope"})).await;
    let e = assert_error(r, StatusCode::UNPROCESSABLE_ENTITY, "verification_failed").await;
    assert_eq!(e["field"], "scopes", "{e}");
    let (_, after) = app.get_json("/api/v1/integrations/edited").await;
    assert_eq!(after["revision"], 3);
    assert_eq!(after["oauth"]["scopes"], json!(cred.scopes));

    // The credential's second secret: verified, then saved.
    let second = app.emulator.add_client_secret(&cred.client_id).unwrap();
    let before = app.emulator.token_requests(&cred.client_id);
    let (status, body) =
        json_of(update(app, "edited", 3, &json!({"client_secret": second})).await).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["revision"], 4);
    assert_eq!(app.emulator.token_requests(&cred.client_id), before + 1);
    assert_eq!(audited(app, "config.update", "edited").await, 3);
    assert_eq!(audited(app, "config.update.unverified", "edited").await, 0);
}

async fn an_unreachable_ims_refuses_the_save_and_offers_saving_without_verifying(app: &TestApp) {
    let cred = app.oauth_credential();
    app.emulator
        .set_fault(Endpoint::TokenV3, Fault::Outage)
        .unwrap();
    let r = create(app, &app.oauth_body("offline", &cred)).await;
    let e = assert_error(r, StatusCode::SERVICE_UNAVAILABLE, "ims_unavailable").await;
    assert!(e.get("field").is_none(), "{e}");
    let message = e["message"].as_str().unwrap();
    assert!(message.contains("IMS could not be reached"), "{message}");
    assert!(message.contains("\"verify\": false"), "{message}");
    let (status, _) = app.get_json("/api/v1/integrations/offline").await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let mut body = app.oauth_body("offline", &cred);
    body["verify"] = json!(false);
    let (status, body) = json_of(create(app, &body).await).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    app.emulator.clear_faults();
}

/// With `server.allow_unverified_migration` off, `"verify": false` is refused, naming the
/// setting, and an unreachable IMS does not offer it.
#[tokio::test]
async fn saving_without_verifying_is_refused_when_the_setting_is_off() {
    for backend in TestData::kinds() {
        let settings = Settings {
            allow_unverified_migration: false,
            ..Settings::for_tests()
        };
        let app = TestApp::spawn_with(backend, settings).await.unwrap();
        let cred = app.create_oauth("strict").await;
        let mut body = app.oauth_body("unverified", &cred);
        body["verify"] = json!(false);
        let e = assert_error(
            create(&app, &body).await,
            StatusCode::FORBIDDEN,
            "forbidden",
        )
        .await;
        let message = e["message"].as_str().unwrap();
        assert!(
            message.contains("server.allow_unverified_migration"),
            "{message}"
        );
        let (status, _) = app.get_json("/api/v1/integrations/unverified").await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{backend:?}");

        let r = update(
            &app,
            "strict",
            1,
            &json!({"client_secret": "p8e-made-up", "verify": false}),
        )
        .await;
        assert_error(r, StatusCode::FORBIDDEN, "forbidden").await;

        let mut body = app.oauth_body("wrong", &cred);
        body["client_secret"] = json!("p8e-made-up-secret-0000000");
        let e = assert_error(
            create(&app, &body).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "verification_failed",
        )
        .await;
        let message = e["message"].as_str().unwrap();
        assert!(!message.contains("\"verify\": false"), "{message}");
        assert!(
            message.contains("server.allow_unverified_migration"),
            "{message}"
        );
        let (_, strict) = app.get_json("/api/v1/integrations/strict").await;
        assert_eq!(strict["revision"], 1);
        app.stop().await;
    }
}
