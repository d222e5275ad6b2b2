//! The IMS endpoints as Adobe's clients use them, and every bad request they must survive.

mod common;

use std::time::Duration;

use common::{
    PROD, exchange_form, ims_error, jwt_claims, payload, sign, token_form, with_jwt, with_oauth,
};
use serde_json::{Value, json};

#[tokio::test]
async fn a_form_encoded_v3_request_gets_a_bearer_token_valid_for_a_day() {
    let s = with_oauth().await;
    let r = s
        .http
        .post(format!("{}/ims/token/v3", s.emulator.base_url()))
        .form(&token_form(&s.oauth, "openid,AdobeID"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.headers().contains_key("x-debug-id"));
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["token_type"], json!("bearer"));
    assert_eq!(body["expires_in"], json!(86399));
    let token = body["access_token"].as_str().unwrap();
    let claims = payload(token);
    assert_eq!(claims["type"], json!("access_token"));
    assert_eq!(claims["client_id"], json!(s.oauth.client_id));
    assert_eq!(claims["user_id"], json!(s.oauth.technical_account_id));
    assert_eq!(claims["as"], json!("ims-na1"));
    assert_eq!(claims["scope"], json!("openid,AdobeID"));
    assert_eq!(claims["expires_in"], json!("86400000"));
    assert_eq!(
        claims["created_at"],
        json!(s.emulator.now().timestamp_millis().to_string())
    );
    assert!(s.emulator.is_token_valid(token));
    assert_eq!(s.emulator.token_requests(&s.oauth.client_id), 1);
}

#[tokio::test]
async fn a_multipart_v2_request_with_org_id_gets_a_token() {
    let s = with_oauth().await;
    let form = reqwest::multipart::Form::new()
        .text("grant_type", "client_credentials")
        .text("client_id", s.oauth.client_id.clone())
        .text("client_secret", s.oauth.client_secrets[0].clone())
        .text("org_id", s.oauth.org_id.clone())
        .text("scope", "openid");
    let r = s
        .http
        .post(format!("{}/ims/token/v2", s.emulator.base_url()))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["expires_in"], json!(86399));
}

#[tokio::test]
async fn parameters_in_the_query_string_and_basic_auth_are_accepted() {
    let s = with_oauth().await;
    let r = s
        .http
        .post(format!(
            "{}/ims/token/v3?grant_type=client_credentials&scope=openid%20AdobeID",
            s.emulator.base_url()
        ))
        .basic_auth(&s.oauth.client_id, Some(&s.oauth.client_secrets[0]))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let body: Value = r.json().await.unwrap();
    let claims = payload(body["access_token"].as_str().unwrap());
    assert_eq!(claims["scope"], json!("openid,AdobeID"));
}

#[tokio::test]
async fn scopes_separated_by_commas_and_spaces_are_all_granted() {
    let s = with_oauth().await;
    let r = s
        .http
        .post(format!("{}/ims/token/v3", s.emulator.base_url()))
        .form(&token_form(&s.oauth, "openid, AdobeID read_organizations"))
        .send()
        .await
        .unwrap();
    let body: Value = r.json().await.unwrap();
    let claims = payload(body["access_token"].as_str().unwrap());
    assert_eq!(claims["scope"], json!("openid,AdobeID,read_organizations"));
}

#[tokio::test]
async fn token_requests_that_are_wrong_get_ims_errors_never_a_500() {
    let s = with_oauth().await;
    let url = format!("{}/ims/token/v3", s.emulator.base_url());
    let good = token_form(&s.oauth, "openid");
    type Form = Vec<(&'static str, String)>;
    let cases: Vec<(Form, u16, &str)> = vec![
        (
            good.iter()
                .filter(|(k, _)| *k != "client_id")
                .cloned()
                .collect(),
            400,
            "bad_request",
        ),
        (
            good.iter()
                .filter(|(k, _)| *k != "client_secret")
                .cloned()
                .collect(),
            400,
            "bad_request",
        ),
        (
            good.iter()
                .filter(|(k, _)| *k != "grant_type")
                .cloned()
                .collect(),
            400,
            "bad_request",
        ),
        (
            good.iter()
                .map(|(k, v)| {
                    (
                        *k,
                        if *k == "client_secret" {
                            "p8e-wrong".into()
                        } else {
                            v.clone()
                        },
                    )
                })
                .collect(),
            401,
            "invalid_client",
        ),
        (
            good.iter()
                .map(|(k, v)| {
                    (
                        *k,
                        if *k == "client_id" {
                            "0".repeat(32)
                        } else {
                            v.clone()
                        },
                    )
                })
                .collect(),
            401,
            "invalid_client",
        ),
        (
            good.iter()
                .map(|(k, v)| {
                    (
                        *k,
                        if *k == "grant_type" {
                            "password".into()
                        } else {
                            v.clone()
                        },
                    )
                })
                .collect(),
            400,
            "unsupported_grant_type",
        ),
        (
            good.iter()
                .map(|(k, v)| {
                    (
                        *k,
                        if *k == "scope" {
                            "openid,admin_everything".into()
                        } else {
                            v.clone()
                        },
                    )
                })
                .collect(),
            400,
            "invalid_scope",
        ),
    ];
    for (form, status, code) in cases {
        let r = s.http.post(&url).form(&form).send().await.unwrap();
        let (error, body) = ims_error(r, status).await;
        assert_eq!(error, code, "{body}");
    }
    assert_eq!(s.emulator.token_requests(&s.oauth.client_id), 5);
}

#[tokio::test]
async fn an_oversized_body_is_refused_with_413_in_ims_shape() {
    let s = with_oauth().await;
    let r = s
        .http
        .post(format!("{}/ims/token/v3", s.emulator.base_url()))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!(
            "grant_type=client_credentials&pad={}",
            "x".repeat(100 * 1024)
        ))
        .send()
        .await
        .unwrap();
    let (error, _) = ims_error(r, 413).await;
    assert_eq!(error, "request_too_large");
}

#[tokio::test]
async fn garbage_bytes_get_bad_request_on_every_post_endpoint() {
    let s = with_oauth().await;
    let garbage: Vec<u8> = (0..=255u8).rev().cycle().take(2000).collect();
    for path in [
        "/ims/token/v3",
        "/ims/token/v2",
        "/ims/exchange/jwt",
        "/ims/validate_token/v1",
        "/ims/invalidate_token/v2",
    ] {
        for content_type in [
            "application/x-www-form-urlencoded",
            "multipart/form-data; boundary=xyz",
            "multipart/form-data",
            "application/octet-stream",
        ] {
            let r = s
                .http
                .post(format!("{}{path}", s.emulator.base_url()))
                .header("content-type", content_type)
                .body(garbage.clone())
                .send()
                .await
                .unwrap();
            let (error, body) = ims_error(r, 400).await;
            assert_eq!(error, "bad_request", "{path} {content_type}: {body}");
        }
    }
}

#[tokio::test]
async fn unknown_paths_and_wrong_methods_answer_in_ims_shape() {
    let s = with_oauth().await;
    let r = s
        .http
        .get(format!("{}/ims/nothing", s.emulator.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(ims_error(r, 404).await.0, "not_found");
    let r = s
        .http
        .get(format!("{}/ims/token/v3", s.emulator.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(ims_error(r, 405).await.0, "method_not_allowed");
    let r = s
        .http
        .post(format!("{}/console/orgs", s.emulator.base_url()))
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(ims_error(r, 400).await.0, "bad_request");
}

#[tokio::test]
async fn a_signed_jwt_is_exchanged_on_every_path_with_expires_in_in_milliseconds() {
    let (emulator, http, cred) = with_jwt().await;
    let base = emulator.base_url();
    let exp = emulator.now().timestamp() + 300;
    for path in [
        "/ims/exchange/jwt",
        "/ims/exchange/jwt/",
        "/ims/exchange/v1/jwt",
    ] {
        let jwt = sign(
            &cred.private_key_pem,
            &jwt_claims(&cred, &base, exp, &["ent_aem_cloud_api"]),
        );
        let r = http
            .post(format!("{base}{path}"))
            .form(&exchange_form(&cred, &jwt))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{path}");
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["token_type"], json!("bearer"));
        assert_eq!(body["expires_in"], json!(86_399_999));
        let token = body["access_token"].as_str().unwrap();
        assert_eq!(payload(token)["user_id"], json!(cred.technical_account_id));
        assert!(emulator.is_token_valid(token));
    }
    assert_eq!(emulator.token_requests(&cred.client_id), 3);
}

#[tokio::test]
async fn a_jwt_built_for_the_production_host_is_accepted() {
    let (emulator, http, cred) = with_jwt().await;
    let exp = emulator.now().timestamp() + 300;
    let jwt = sign(
        &cred.private_key_pem,
        &jwt_claims(&cred, PROD, exp, &["ent_marketing_sdk"]),
    );
    let form = reqwest::multipart::Form::new()
        .text("client_id", cred.client_id.clone())
        .text("client_secret", cred.client_secret.clone())
        .text("jwt_token", jwt);
    let r = http
        .post(format!("{}/ims/exchange/jwt/", emulator.base_url()))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}

#[tokio::test]
async fn a_tampered_jwt_is_refused_with_invalid_signature() {
    let (emulator, http, cred) = with_jwt().await;
    let base = emulator.base_url();
    let exp = emulator.now().timestamp() + 300;
    let jwt = sign(
        &cred.private_key_pem,
        &jwt_claims(&cred, &base, exp, &["ent_aem_cloud_api"]),
    );
    // Swap in a payload claiming a longer life, keeping the original signature.
    let mut parts: Vec<String> = jwt.split('.').map(str::to_owned).collect();
    use base64::Engine as _;
    let forged = jwt_claims(&cred, &base, exp + 100_000, &["ent_aem_cloud_api"]);
    parts[1] = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(forged.to_string());
    let r = http
        .post(format!("{base}/ims/exchange/jwt"))
        .form(&exchange_form(&cred, &parts.join(".")))
        .send()
        .await
        .unwrap();
    assert_eq!(ims_error(r, 400).await.0, "invalid_signature");
}

#[tokio::test]
async fn a_jwt_signed_by_another_key_is_refused_with_invalid_signature() {
    let (emulator, http, cred) = with_jwt().await;
    let org = emulator.create_org("Other").unwrap();
    let project = emulator.create_project(&org.id, "Other", false).unwrap();
    let other = emulator
        .create_jwt_credential(&project.id, &["ent_aem_cloud_api"])
        .unwrap();
    let base = emulator.base_url();
    let exp = emulator.now().timestamp() + 300;
    let jwt = sign(
        &other.private_key_pem,
        &jwt_claims(&cred, &base, exp, &["ent_aem_cloud_api"]),
    );
    let r = http
        .post(format!("{base}/ims/exchange/jwt"))
        .form(&exchange_form(&cred, &jwt))
        .send()
        .await
        .unwrap();
    assert_eq!(ims_error(r, 400).await.0, "invalid_signature");
}

#[tokio::test]
async fn an_expired_jwt_is_refused_but_thirty_seconds_of_skew_are_tolerated() {
    let (emulator, http, cred) = with_jwt().await;
    let base = emulator.base_url();
    let now = emulator.now().timestamp();
    let send = |exp: i64| {
        let jwt = sign(
            &cred.private_key_pem,
            &jwt_claims(&cred, &base, exp, &["ent_aem_cloud_api"]),
        );
        http.post(format!("{base}/ims/exchange/jwt"))
            .form(&exchange_form(&cred, &jwt))
            .send()
    };
    assert_eq!(send(now - 20).await.unwrap().status(), 200);
    let (error, body) = ims_error(send(now - 31).await.unwrap(), 400).await;
    assert_eq!(error, "invalid_token");
    assert_eq!(body["error_description"], json!("JWT token is expired"));
    // A JWT valid now expires once the emulator's clock moves past it.
    let fresh = sign(
        &cred.private_key_pem,
        &jwt_claims(&cred, &base, now + 60, &["ent_aem_cloud_api"]),
    );
    emulator.advance_clock(Duration::from_secs(120));
    let r = http
        .post(format!("{base}/ims/exchange/jwt"))
        .form(&exchange_form(&cred, &fresh))
        .send()
        .await
        .unwrap();
    assert_eq!(ims_error(r, 400).await.0, "invalid_token");
}

#[tokio::test]
async fn jwt_claims_that_do_not_match_the_credential_are_refused() {
    let (emulator, http, cred) = with_jwt().await;
    let base = emulator.base_url();
    let exp = emulator.now().timestamp() + 300;
    let good = jwt_claims(&cred, &base, exp, &["ent_aem_cloud_api"]);
    let mut wrong_aud = good.clone();
    wrong_aud["aud"] = json!(format!("{base}/c/{}", "f".repeat(32)));
    let mut wrong_iss = good.clone();
    wrong_iss["iss"] = json!("000000000000000000000000@AdobeOrg");
    let mut wrong_sub = good.clone();
    wrong_sub["sub"] = json!("000000000000000000000000@techacct.adobe.com");
    let unknown_meta = jwt_claims(&cred, &base, exp, &["ent_aem_cloud_api", "ent_user_sdk"]);
    let no_meta = jwt_claims(&cred, &base, exp, &[]);
    let cases = [
        (wrong_aud, "invalid_token"),
        (wrong_iss, "invalid_token"),
        (wrong_sub, "invalid_token"),
        (unknown_meta, "invalid_scope"),
        (no_meta, "invalid_scope"),
    ];
    for (claims, code) in cases {
        let jwt = sign(&cred.private_key_pem, &claims);
        let r = http
            .post(format!("{base}/ims/exchange/jwt"))
            .form(&exchange_form(&cred, &jwt))
            .send()
            .await
            .unwrap();
        let (error, body) = ims_error(r, 400).await;
        assert_eq!(error, code, "{claims} -> {body}");
    }
}

#[tokio::test]
async fn exchange_requests_with_missing_fields_or_wrong_secret_are_refused() {
    let (emulator, http, cred) = with_jwt().await;
    let url = format!("{}/ims/exchange/jwt", emulator.base_url());
    let form = exchange_form(&cred, "a.b.c");
    for missing in ["client_id", "client_secret", "jwt_token"] {
        let partial: Vec<_> = form
            .iter()
            .filter(|(k, _)| *k != missing)
            .cloned()
            .collect();
        let r = http.post(&url).form(&partial).send().await.unwrap();
        let (_, body) = ims_error(r, 400).await;
        assert_eq!(
            body["error_description"],
            json!(format!("missing {missing} parameter"))
        );
    }
    let wrong: Vec<_> = form
        .iter()
        .map(|(k, v)| {
            (
                *k,
                if *k == "client_secret" {
                    "nope".into()
                } else {
                    v.clone()
                },
            )
        })
        .collect();
    let r = http.post(&url).form(&wrong).send().await.unwrap();
    assert_eq!(ims_error(r, 401).await.0, "invalid_client");
    let r = http.post(&url).form(&form).send().await.unwrap();
    assert_eq!(ims_error(r, 400).await.0, "invalid_token");
}

#[tokio::test]
async fn validate_token_answers_valid_until_the_token_is_invalidated() {
    let s = with_oauth().await;
    let base = s.emulator.base_url();
    let body: Value = s
        .http
        .post(format!("{base}/ims/token/v3"))
        .form(&token_form(&s.oauth, "openid"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = body["access_token"].as_str().unwrap().to_owned();
    let validate = || {
        s.http
            .post(format!("{base}/ims/validate_token/v1"))
            .bearer_auth(&token)
            .form(&[
                ("type", "access_token"),
                ("client_id", s.oauth.client_id.as_str()),
            ])
            .send()
    };
    let v: Value = validate().await.unwrap().json().await.unwrap();
    assert_eq!(v["valid"], json!(true));
    assert_eq!(v["token"]["client_id"], json!(s.oauth.client_id));

    let r = s
        .http
        .post(format!("{base}/ims/invalidate_token/v2"))
        .form(&[
            ("token_type", "access_token"),
            ("token", token.as_str()),
            ("cascading", "all"),
            ("client_id", s.oauth.client_id.as_str()),
            ("client_secret", s.oauth.client_secrets[0].as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.bytes().await.unwrap().is_empty());

    let v: Value = validate().await.unwrap().json().await.unwrap();
    assert_eq!(v["valid"], json!(false));
    assert!(!s.emulator.is_token_valid(&token));
}

#[tokio::test]
async fn tokens_expire_after_a_day_of_emulated_time() {
    let s = with_oauth().await;
    let body: Value = s
        .http
        .post(format!("{}/ims/token/v3", s.emulator.base_url()))
        .form(&token_form(&s.oauth, "openid"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = body["access_token"].as_str().unwrap();
    s.emulator.advance_clock(Duration::from_secs(86_399));
    assert!(s.emulator.is_token_valid(token));
    s.emulator.advance_clock(Duration::from_secs(1));
    assert!(!s.emulator.is_token_valid(token));
    let v: Value = s
        .http
        .post(format!("{}/ims/validate_token/v1", s.emulator.base_url()))
        .form(&[("type", "access_token"), ("token", token)])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v["valid"], json!(false));
}

#[tokio::test]
async fn validation_problems_answer_in_ims_shape() {
    let s = with_oauth().await;
    let base = s.emulator.base_url();
    let r = s
        .http
        .post(format!("{base}/ims/validate_token/v1"))
        .send()
        .await
        .unwrap();
    assert_eq!(ims_error(r, 400).await.0, "bad_request");
    let v: Value = s
        .http
        .post(format!("{base}/ims/validate_token/v1"))
        .form(&[("type", "access_token"), ("token", "not.a.token")])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v["valid"], json!(false));
    let r = s
        .http
        .post(format!("{base}/ims/invalidate_token/v2"))
        .form(&[
            ("token", "x"),
            ("client_id", s.oauth.client_id.as_str()),
            ("client_secret", "wrong"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(ims_error(r, 401).await.0, "invalid_client");
}

#[tokio::test]
async fn organizations_lists_the_org_of_the_bearer_token() {
    let s = with_oauth().await;
    let base = s.emulator.base_url();
    let body: Value = s
        .http
        .post(format!("{base}/ims/token/v3"))
        .form(&token_form(&s.oauth, "read_organizations"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let orgs: Value = s
        .http
        .get(format!("{base}/ims/organizations/v6"))
        .bearer_auth(body["access_token"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let ident = s.oauth.org_id.trim_end_matches("@AdobeOrg");
    assert_eq!(
        orgs[0]["orgRef"],
        json!({"ident": ident, "authSrc": "AdobeOrg"})
    );
    assert_eq!(orgs[0]["orgName"], json!("Test Org"));
    let r = s
        .http
        .get(format!("{base}/ims/organizations/v6"))
        .send()
        .await
        .unwrap();
    assert_eq!(ims_error(r, 401).await.0, "invalid_token");
}

#[tokio::test]
async fn issued_tokens_verify_against_the_published_jwks() {
    let s = with_oauth().await;
    let base = s.emulator.base_url();
    let discovery: Value = s
        .http
        .get(format!("{base}/ims/.well-known/openid-configuration"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        discovery["token_endpoint"],
        json!(format!("{base}/ims/token/v3"))
    );
    let jwks: Value = s
        .http
        .get(discovery["jwks_uri"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let key = &jwks["keys"][0];
    let body: Value = s
        .http
        .post(format!("{base}/ims/token/v3"))
        .form(&token_form(&s.oauth, "openid"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = body["access_token"].as_str().unwrap();
    let header = jsonwebtoken::decode_header(token).unwrap();
    assert_eq!(header.kid.as_deref(), key["kid"].as_str());
    let decoding = jsonwebtoken::DecodingKey::from_rsa_components(
        key["n"].as_str().unwrap(),
        key["e"].as_str().unwrap(),
    )
    .unwrap();
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
    validation.validate_exp = false;
    validation.required_spec_claims.clear();
    let data = jsonwebtoken::decode::<Value>(token, &decoding, &validation).unwrap();
    assert_eq!(data.claims["client_id"], json!(s.oauth.client_id));
}
