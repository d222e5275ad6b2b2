//! The lifetime of issued access tokens is a setting: every `expires_in` follows it.

mod common;

use std::time::Duration;

use common::{exchange_form, jwt_claims, payload, sign, token_form};
use imsbridge_emulator::{Emulator, EmulatorConfig, EmulatorError};
use serde_json::Value;

#[tokio::test]
async fn a_short_token_lifetime_shows_in_every_expires_in_and_in_validation() {
    let emulator = Emulator::spawn_with(EmulatorConfig {
        token_lifetime: Duration::from_secs(30),
        ..EmulatorConfig::default()
    })
    .await
    .unwrap();
    assert_eq!(emulator.token_lifetime(), Duration::from_secs(30));
    let base = emulator.base_url();
    let http = reqwest::Client::new();
    let org = emulator.create_org("Short").unwrap();
    let project = emulator.create_project(&org.id, "Short", false).unwrap();
    let oauth = emulator
        .create_oauth_credential(&project.id, &["openid"])
        .unwrap();
    let jwt = emulator
        .create_jwt_credential(&project.id, &["ent_aem_cloud_api"])
        .unwrap();

    let body: Value = http
        .post(format!("{base}/ims/token/v3"))
        .form(&token_form(&oauth, "openid"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(body["expires_in"], 29, "seconds, one short as IMS answers");
    let token = body["access_token"].as_str().unwrap().to_owned();
    let claims = payload(&token);
    assert_eq!(claims["expires_in"], "30000", "milliseconds in the token");
    let created: i64 = claims["created_at"].as_str().unwrap().parse().unwrap();

    let signed = sign(
        &jwt.private_key_pem,
        &jwt_claims(
            &jwt,
            &base,
            emulator.now().timestamp() + 60,
            &["ent_aem_cloud_api"],
        ),
    );
    let body: Value = http
        .post(format!("{base}/ims/exchange/jwt"))
        .form(&exchange_form(&jwt, &signed))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        body["expires_in"], 29_999,
        "milliseconds at the JWT exchange"
    );
    assert_eq!(
        payload(body["access_token"].as_str().unwrap())["expires_in"],
        "30000"
    );

    let validation: Value = http
        .post(format!("{base}/ims/validate_token/v1"))
        .form(&[("type", "access_token"), ("token", token.as_str())])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(validation["expires_at"], created + 30_000);
    emulator.advance_clock(Duration::from_secs(29));
    assert!(emulator.is_token_valid(&token));
    emulator.advance_clock(Duration::from_secs(1));
    assert!(!emulator.is_token_valid(&token), "expired after 30 s");
}

#[tokio::test]
async fn a_short_token_lifetime_also_bounds_user_tokens_and_id_tokens() {
    let emulator = Emulator::spawn_with(EmulatorConfig {
        token_lifetime: Duration::from_secs(90),
        ..EmulatorConfig::default()
    })
    .await
    .unwrap();
    let mut app = common::signin::app().await;
    // Same flow, on an emulator with the short lifetime.
    let org = emulator.create_org("Short").unwrap();
    let project = emulator.create_project(&org.id, "Short", false).unwrap();
    app.web = emulator
        .create_web_credential(
            &project.id,
            r"https://app\.example\.com/auth/.*",
            common::signin::CALLBACK,
        )
        .unwrap();
    app.user = emulator
        .create_user(
            &org.id,
            "ada@example.com",
            "Ada",
            common::signin::PASSWORD,
            &[],
        )
        .unwrap();
    app.emulator = emulator;
    let (verifier, challenge) = common::signin::pkce("short");
    let code = app.sign_in(&app.authorize_params(&challenge)).await;
    let body: Value = app.exchange(&code, &verifier).await.json().await.unwrap();
    assert_eq!(body["expires_in"], 89);
    let id = payload(body["id_token"].as_str().unwrap());
    assert_eq!(
        id["exp"].as_i64().unwrap() - id["iat"].as_i64().unwrap(),
        90
    );
}

#[tokio::test]
async fn a_zero_or_absurd_token_lifetime_is_refused_at_start() {
    for bad in [
        Duration::ZERO,
        Duration::from_millis(1999),
        Duration::from_secs(365 * 24 * 3600 + 1),
    ] {
        let refused = Emulator::spawn_with(EmulatorConfig {
            token_lifetime: bad,
            ..EmulatorConfig::default()
        })
        .await;
        match refused {
            Err(EmulatorError::InvalidInput(message)) => {
                assert!(
                    message.contains("between 2 seconds and 31536000 seconds"),
                    "{message}"
                );
            }
            other => panic!("{bad:?} was not refused: {other:?}"),
        }
    }
}
