//! The Developer Console side: seeding over HTTP, secrets, project JSON and the migration.

// Tests read as one story each; a long one is clearer whole than split.
#![allow(clippy::too_many_lines)]

mod common;

use std::time::Duration;

use common::{exchange_form, ims_error, jwt_claims, sign, token_form};
use imsbridge_emulator::{Emulator, EmulatorError};
use serde_json::{Value, json};

#[tokio::test]
async fn the_migration_walk_keeps_the_client_and_enforces_the_24_hour_delete_rule() {
    let emulator = Emulator::spawn().await.unwrap();
    let http = reqwest::Client::new();
    let base = emulator.base_url();
    let org = emulator.create_org("Migrating Org").unwrap();
    let project = emulator.create_project(&org.id, "", true).unwrap();
    let jwt = emulator
        .create_jwt_credential(&project.id, &["ent_aem_cloud_api"])
        .unwrap();
    let exchange = |exp: i64| {
        let token = sign(
            &jwt.private_key_pem,
            &jwt_claims(&jwt, &base, exp, &["ent_aem_cloud_api"]),
        );
        http.post(format!("{base}/ims/exchange/jwt"))
            .form(&exchange_form(&jwt, &token))
            .send()
    };
    assert_eq!(
        exchange(emulator.now().timestamp() + 300)
            .await
            .unwrap()
            .status(),
        200
    );

    let oauth = emulator.migrate_jwt_credential(&jwt.client_id).unwrap();
    assert_eq!(oauth.client_id, jwt.client_id);
    assert_eq!(oauth.technical_account_id, jwt.technical_account_id);
    assert_eq!(oauth.org_id, jwt.org_id);
    assert_eq!(oauth.client_secrets, vec![jwt.client_secret.clone()]);
    assert_eq!(
        oauth.scopes,
        vec![
            "openid",
            "AdobeID",
            "read_organizations",
            "additional_info.projectedProductContext"
        ]
    );

    // Both credentials work in parallel.
    assert_eq!(
        exchange(emulator.now().timestamp() + 300)
            .await
            .unwrap()
            .status(),
        200
    );
    let refused = emulator.delete_jwt_credential(&jwt.client_id);
    assert!(
        matches!(refused, Err(EmulatorError::Refused(_))),
        "OAuth unused yet: {refused:?}"
    );
    let r = http
        .post(format!("{base}/ims/token/v3"))
        .form(&token_form(&oauth, "openid,AdobeID"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);

    emulator.advance_clock(Duration::from_secs(23 * 3600));
    let r = http
        .delete(format!("{base}/console/credentials/{}/jwt", jwt.client_id))
        .send()
        .await
        .unwrap();
    assert_eq!(ims_error(r, 409).await.0, "conflict");

    emulator.advance_clock(Duration::from_secs(3600));
    let r = http
        .delete(format!("{base}/console/credentials/{}/jwt", jwt.client_id))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);

    // The JWT route is gone; the OAuth credential carries on.
    let r = exchange(emulator.now().timestamp() + 300).await.unwrap();
    assert_eq!(ims_error(r, 401).await.0, "invalid_client");
    let r = http
        .post(format!("{base}/ims/token/v3"))
        .form(&token_form(&oauth, "openid"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}

#[tokio::test]
async fn seeding_over_http_yields_credentials_shaped_like_the_developer_console() {
    let emulator = Emulator::spawn().await.unwrap();
    let http = reqwest::Client::new();
    let base = emulator.base_url();
    let org: Value = http
        .post(format!("{base}/console/orgs"))
        .json(&json!({"name": "HTTP Org"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let org_id = org["id"].as_str().unwrap();
    assert_eq!(org_id.len(), 24 + "@AdobeOrg".len());
    assert!(
        org_id[..24]
            .chars()
            .all(|c| c.is_ascii_digit() || ('A'..='F').contains(&c))
    );

    let project: Value = http
        .post(format!("{base}/console/orgs/{org_id}/projects"))
        .json(&json!({"auto_generated": true}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let name = project["name"].as_str().unwrap();
    assert!(
        name.starts_with("AEM-p") && name.len() == "AEM-p12345-e678901".len(),
        "{name}"
    );
    let project_id = project["id"].as_str().unwrap();

    let r = http
        .post(format!(
            "{base}/console/projects/{project_id}/credentials/oauth"
        ))
        .json(&json!({"scopes": ["openid", "AdobeID"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let oauth: Value = r.json().await.unwrap();
    let client_id = oauth["client_id"].as_str().unwrap();
    assert_eq!(client_id.len(), 32);
    assert!(
        client_id
            .chars()
            .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
    );
    assert!(
        oauth["client_secrets"][0]
            .as_str()
            .unwrap()
            .starts_with("p8e-")
    );
    assert!(
        oauth["technical_account_id"]
            .as_str()
            .unwrap()
            .ends_with("@techacct.adobe.com")
    );

    let jwt: Value = http
        .post(format!(
            "{base}/console/projects/{project_id}/credentials/jwt"
        ))
        .json(&json!({"metascopes": ["ent_analytics_bulk_ingest_sdk"]}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        jwt["private_key_pem"]
            .as_str()
            .unwrap()
            .starts_with("-----BEGIN PRIVATE KEY-----")
    );
    assert!(
        jwt["certificate_pem"]
            .as_str()
            .unwrap()
            .starts_with("-----BEGIN CERTIFICATE-----")
    );

    let download: Value = http
        .get(format!("{base}/console/projects/{project_id}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(download["project"]["org"]["ims_org_id"], json!(org_id));
    let creds = download["project"]["workspace"]["details"]["credentials"]
        .as_array()
        .unwrap();
    let s2s = creds
        .iter()
        .find(|c| c["integration_type"] == json!("oauth_server_to_server"))
        .unwrap();
    assert_eq!(s2s["oauth_server_to_server"]["client_id"], json!(client_id));
    assert_eq!(
        s2s["oauth_server_to_server"]["scopes"],
        json!(["openid", "AdobeID"])
    );
    let service = creds
        .iter()
        .find(|c| c["integration_type"] == json!("service"))
        .unwrap();
    assert_eq!(
        service["jwt"]["meta_scopes"],
        json!(["ent_analytics_bulk_ingest_sdk"])
    );
    assert_eq!(download, emulator.project_json(project_id).unwrap());
}

#[tokio::test]
async fn an_oauth_credential_holds_at_most_two_secrets_and_never_none() {
    let s = common::with_oauth().await;
    let first = s.oauth.client_secrets[0].clone();
    let second = s.emulator.add_client_secret(&s.oauth.client_id).unwrap();
    assert!(second.starts_with("p8e-"));
    assert!(matches!(
        s.emulator.add_client_secret(&s.oauth.client_id),
        Err(EmulatorError::Refused(_))
    ));
    // Rotation: both work, then the old one is removed and stops working.
    let url = format!("{}/ims/token/v3", s.emulator.base_url());
    let with_secret = |secret: &str| {
        let mut form = token_form(&s.oauth, "openid");
        form[2].1 = secret.to_owned();
        s.http.post(&url).form(&form).send()
    };
    assert_eq!(with_secret(&second).await.unwrap().status(), 200);
    let base = s.emulator.base_url();
    let r = s
        .http
        .delete(format!(
            "{base}/console/credentials/{}/secrets",
            s.oauth.client_id
        ))
        .json(&json!({"client_secret": first}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    assert_eq!(
        ims_error(with_secret(&first).await.unwrap(), 401).await.0,
        "invalid_client"
    );
    assert!(matches!(
        s.emulator.remove_client_secret(&s.oauth.client_id, &second),
        Err(EmulatorError::Refused(_))
    ));
    let r = s
        .http
        .post(format!(
            "{base}/console/credentials/{}/secrets",
            s.oauth.client_id
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
}

#[tokio::test]
async fn a_jwt_credential_can_be_bound_to_an_uploaded_certificate() {
    let (emulator, http, generated) = common::with_jwt().await;
    let org = emulator.create_org("Upload").unwrap();
    let project = emulator.create_project(&org.id, "Upload", false).unwrap();
    // Reuse a generated pair as "the customer's own" key and certificate.
    let uploaded = emulator
        .create_jwt_credential_with_certificate(
            &project.id,
            &["ent_user_sdk"],
            &generated.certificate_pem,
        )
        .unwrap();
    assert!(uploaded.private_key_pem.is_empty());
    let base = emulator.base_url();
    let token = sign(
        &generated.private_key_pem,
        &jwt_claims(
            &uploaded,
            &base,
            emulator.now().timestamp() + 60,
            &["ent_user_sdk"],
        ),
    );
    let r = http
        .post(format!("{base}/ims/exchange/jwt"))
        .form(&exchange_form(&uploaded, &token))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let r = http
        .post(format!(
            "{base}/console/projects/{}/credentials/jwt",
            project.id
        ))
        .json(&json!({"metascopes": ["x"], "certificate_pem": "not a certificate"}))
        .send()
        .await
        .unwrap();
    assert_eq!(ims_error(r, 400).await.0, "bad_request");
}

#[tokio::test]
async fn state_is_saved_to_and_loaded_from_the_state_file() {
    let dir = std::env::temp_dir().join(format!("imsbridge-emulator-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("state.json");
    let config = imsbridge_emulator::EmulatorConfig {
        state_file: Some(file.clone()),
        ..Default::default()
    };
    let first = Emulator::spawn_with(config.clone()).await.unwrap();
    let org = first.create_org("Persisted").unwrap();
    let project = first.create_project(&org.id, "P", false).unwrap();
    let oauth = first
        .create_oauth_credential(&project.id, &["openid"])
        .unwrap();
    first.shutdown().await;

    let second = Emulator::spawn_with(config).await.unwrap();
    let r = reqwest::Client::new()
        .post(format!("{}/ims/token/v3", second.base_url()))
        .form(&token_form(&oauth, "openid"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    second.shutdown().await;
    std::fs::remove_dir_all(dir).unwrap();
}

#[tokio::test]
async fn a_state_file_from_an_older_emulator_still_loads_with_uuids_and_console_ids() {
    let dir = std::env::temp_dir().join(format!("imsbridge-emulator-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("state.json");
    let org = "0123456789ABCDEF01234567@AdobeOrg";
    let legacy = json!({
        "orgs": {org: {"id": org, "name": "Old"}},
        "projects": {"111": {"id": "111", "name": "P", "org_id": org, "auto_generated": false}},
        "oauth": {"0123456789abcdef0123456789abcdef": {
            "credential": {
                "id": "222", "project_id": "111", "client_id": "0123456789abcdef0123456789abcdef",
                "client_secrets": ["p8e-old-one", "p8e-old-two"], "scopes": ["openid"], "org_id": org,
                "technical_account_id": "0123456789ABCDEF01234567@techacct.adobe.com",
                "technical_account_email": "x@techacct.adobe.com"
            },
            "created_at": "2024-01-01T00:00:00Z", "last_used": null, "migrated_at": null
        }},
        "jwt": {}
    });
    std::fs::write(&file, serde_json::to_vec(&legacy).unwrap()).unwrap();
    let emulator = Emulator::spawn_with(imsbridge_emulator::EmulatorConfig {
        state_file: Some(file.clone()),
        ..Default::default()
    })
    .await
    .unwrap();
    let secrets = emulator
        .client_secrets("0123456789abcdef0123456789abcdef")
        .unwrap();
    assert_eq!(secrets.len(), 2);
    assert_ne!(secrets[0].uuid, secrets[1].uuid);
    let download = emulator.project_json("111").unwrap();
    let console_id = download["project"]["org"]["id"].as_str().unwrap();
    assert!(console_id.chars().all(|c| c.is_ascii_digit()) && !console_id.is_empty());
    let oauth = &download["project"]["workspace"]["details"]["credentials"][0];
    assert_eq!(
        oauth["oauth_server_to_server"]["client_secrets"],
        json!(["p8e-old-one", "p8e-old-two"])
    );
    emulator.shutdown().await;
    std::fs::remove_dir_all(dir).unwrap();
}

#[tokio::test]
async fn a_jwt_exchange_shows_on_the_migrated_secret_but_is_not_a_use_of_the_oauth_credential() {
    let (emulator, http, jwt) = common::with_jwt().await;
    let base = emulator.base_url();
    let oauth = emulator.migrate_jwt_credential(&jwt.client_id).unwrap();
    let token = sign(
        &jwt.private_key_pem,
        &jwt_claims(
            &jwt,
            &base,
            emulator.now().timestamp() + 60,
            &["ent_aem_cloud_api"],
        ),
    );
    let r = http
        .post(format!("{base}/ims/exchange/jwt"))
        .form(&exchange_form(&jwt, &token))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let secret = &emulator.client_secrets(&oauth.client_id).unwrap()[0];
    assert_eq!(
        secret.usages.keys().collect::<Vec<_>>(),
        ["urn:ietf:params:oauth:grant-type:jwt-bearer"]
    );
    assert_eq!(secret.last_used, Some(emulator.now()));
    // The 24-hour delete rule still waits for a real OAuth use.
    emulator.advance_clock(Duration::from_secs(25 * 3600));
    assert!(matches!(
        emulator.delete_jwt_credential(&jwt.client_id),
        Err(EmulatorError::Refused(_))
    ));
}
