//! Shared seeding and request helpers for the emulator's integration tests.
#![allow(dead_code)]

pub mod signin;

use imsbridge_emulator::{Emulator, EmulatorHandle, JwtCredential, OAuthCredential};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};

pub const PROD: &str = "https://ims-na1.adobelogin.com";

pub struct Seeded {
    pub emulator: EmulatorHandle,
    pub http: reqwest::Client,
    pub oauth: OAuthCredential,
}

/// An emulator with one org, one project and one OAuth credential.
pub async fn with_oauth() -> Seeded {
    let emulator = Emulator::spawn().await.expect("emulator starts");
    let org = emulator.create_org("Test Org").unwrap();
    let project = emulator.create_project(&org.id, "Test", false).unwrap();
    let oauth = emulator
        .create_oauth_credential(&project.id, &["openid", "AdobeID", "read_organizations"])
        .unwrap();
    Seeded {
        emulator,
        http: reqwest::Client::new(),
        oauth,
    }
}

/// An emulator with one org, one project and one JWT credential.
pub async fn with_jwt() -> (EmulatorHandle, reqwest::Client, JwtCredential) {
    let emulator = Emulator::spawn().await.expect("emulator starts");
    let org = emulator.create_org("Test Org").unwrap();
    let project = emulator.create_project(&org.id, "Test", false).unwrap();
    let jwt = emulator
        .create_jwt_credential(&project.id, &["ent_aem_cloud_api", "ent_marketing_sdk"])
        .unwrap();
    (emulator, reqwest::Client::new(), jwt)
}

/// The claims a JWT client signs, with `base` in `aud` and metascope keys.
pub fn jwt_claims(cred: &JwtCredential, base: &str, exp: i64, metascopes: &[&str]) -> Value {
    let mut claims = json!({
        "exp": exp,
        "iss": cred.org_id,
        "sub": cred.technical_account_id,
        "aud": format!("{base}/c/{}", cred.client_id),
    });
    for m in metascopes {
        claims[format!("{base}/s/{m}")] = json!(true);
    }
    claims
}

pub fn sign(private_key_pem: &str, claims: &Value) -> String {
    let key = EncodingKey::from_rsa_pem(private_key_pem.as_bytes()).unwrap();
    jsonwebtoken::encode(&Header::new(Algorithm::RS256), claims, &key).unwrap()
}

pub fn exchange_form(cred: &JwtCredential, jwt: &str) -> Vec<(&'static str, String)> {
    vec![
        ("client_id", cred.client_id.clone()),
        ("client_secret", cred.client_secret.clone()),
        ("jwt_token", jwt.to_owned()),
    ]
}

pub fn token_form(cred: &OAuthCredential, scope: &str) -> Vec<(&'static str, String)> {
    vec![
        ("grant_type", "client_credentials".into()),
        ("client_id", cred.client_id.clone()),
        ("client_secret", cred.client_secrets[0].clone()),
        ("scope", scope.into()),
    ]
}

/// Asserts IMS's error shape and returns the `error` code.
pub async fn ims_error(response: reqwest::Response, status: u16) -> (String, Value) {
    assert_eq!(response.status().as_u16(), status, "unexpected status");
    assert!(
        response.headers().contains_key("x-debug-id"),
        "every IMS error carries x-debug-id"
    );
    let body: Value = response.json().await.expect("error body is JSON");
    let error = body["error"]
        .as_str()
        .expect("error is a string")
        .to_owned();
    assert!(
        body["error_description"].is_string(),
        "error_description present: {body}"
    );
    (error, body)
}

/// Decodes a JWT's payload without checking it.
pub fn payload(token: &str) -> Value {
    use base64::Engine as _;
    let part = token.split('.').nth(1).expect("three parts");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(part)
        .expect("base64url");
    serde_json::from_slice(&bytes).expect("JSON payload")
}

/// The scopes Adobe's secret-rotation guide asks for.
pub const IO_SCOPES: &str = "AdobeID,openid,read_organizations,additional_info.projectedProductContext,additional_info.roles,adobeio_api,read_client_secret,manage_client_secrets";

/// An emulator with an OAuth credential in a project that has the I/O Management API.
pub async fn with_io_management() -> Seeded {
    let emulator = Emulator::spawn().await.expect("emulator starts");
    let org = emulator.create_org("Rotating Org").unwrap();
    let project = emulator.create_project(&org.id, "Rotating", false).unwrap();
    let oauth = emulator
        .create_oauth_credential(&project.id, &["openid", "AdobeID"])
        .unwrap();
    emulator
        .add_api(&project.id, imsbridge_emulator::IO_MANAGEMENT_API)
        .unwrap();
    Seeded {
        emulator,
        http: reqwest::Client::new(),
        oauth,
    }
}

/// A client-credentials token for `cred` with these scopes (its first secret).
pub async fn token(s: &Seeded, cred: &OAuthCredential, scope: &str) -> String {
    let r = s
        .http
        .post(format!("{}/ims/token/v3", s.emulator.base_url()))
        .form(&token_form(cred, scope))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "token for {scope}");
    let body: Value = r.json().await.unwrap();
    body["access_token"].as_str().unwrap().to_owned()
}

/// `…/console/organizations/{orgId}/credentials/{credentialId}/secrets` of `cred`.
pub fn secrets_url(s: &Seeded, cred: &OAuthCredential) -> String {
    format!(
        "{}/console/organizations/{}/credentials/{}/secrets",
        s.emulator.base_url(),
        cred.console_org_id,
        cred.id
    )
}

/// Asserts Adobe's API gateway error shape and returns `error_code`.
pub async fn gateway_error(response: reqwest::Response, status: u16) -> String {
    assert_eq!(response.status().as_u16(), status, "unexpected status");
    let body: Value = response.json().await.expect("error body is JSON");
    assert!(body["message"].is_string(), "message present: {body}");
    body["error_code"]
        .as_str()
        .expect("error_code is a string")
        .to_owned()
}
