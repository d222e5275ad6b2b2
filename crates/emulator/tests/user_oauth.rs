//! User sign-in: `/ims/authorize/v2`, the authorization code and refresh token grants,
//! ID tokens, userinfo, revocation and discovery.

mod common;

use std::time::Duration;

use common::ims_error;
use common::signin::{CALLBACK, PASSWORD, app, location_query, pkce};
use jsonwebtoken::{Algorithm, Validation};
use serde_json::{Value, json};

#[tokio::test]
async fn the_code_flow_with_pkce_signs_a_user_in_and_issues_a_verifiable_id_token() {
    let mut app = app().await;
    let (verifier, challenge) = pkce("a");
    let code = app.sign_in(&app.authorize_params(&challenge)).await;
    let r = app.exchange(&code, &verifier).await;
    assert_eq!(r.status(), 200);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["token_type"], "bearer");
    assert_eq!(body["expires_in"], 86_399);
    assert_eq!(body["sub"], app.user.sub.as_str());
    assert!(
        body.get("refresh_token").is_none(),
        "no offline_access: {body}"
    );

    let mut validation = Validation::new(Algorithm::RS256);
    validation.set_audience(&[&app.web.client_id]);
    validation.set_issuer(&[app.emulator.base_url()]);
    let id = jsonwebtoken::decode::<Value>(
        body["id_token"].as_str().unwrap(),
        &app.jwks_key().await,
        &validation,
    )
    .expect("the ID token verifies against the JWKS with iss and aud")
    .claims;
    assert_eq!(id["sub"], app.user.sub.as_str());
    assert_eq!(id["email"], "ada@example.com");
    assert_eq!(id["name"], "Ada Lovelace");
    assert_eq!(id["nonce"], "nonce-456");
    assert_eq!(id["groups"], json!(["imsbridge-admins", "staff"]));
    assert_eq!(id["iat"], app.emulator.now().timestamp());
    assert_eq!(
        id["exp"].as_i64().unwrap() - id["iat"].as_i64().unwrap(),
        86_400
    );

    let access = body["access_token"].as_str().unwrap();
    let info: Value = app
        .http
        .get(format!("{}/ims/userinfo/v2", app.emulator.base_url()))
        .bearer_auth(access)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(info["sub"], app.user.sub.as_str());
    assert_eq!(info["email"], "ada@example.com");
    assert_eq!(info["email_verified"], true);
    assert_eq!(info["name"], "Ada Lovelace");
    assert_eq!(info["given_name"], "Ada");
    assert_eq!(info["groups"], json!(["imsbridge-admins", "staff"]));

    // The web credential's secret now shows its use.
    let details: Value = app
        .http
        .get(format!(
            "{}/console/credentials/{}",
            app.emulator.base_url(),
            app.web.client_id
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        details["web"]["secrets"][0]["usages"]["authorization_code"].is_string(),
        "{details}"
    );
}

#[tokio::test]
async fn a_code_is_single_use_and_replaying_it_revokes_its_tokens() {
    let mut app = app().await;
    let (verifier, challenge) = pkce("b");
    let code = app.sign_in(&app.authorize_params(&challenge)).await;
    let first: Value = app.exchange(&code, &verifier).await.json().await.unwrap();
    let access = first["access_token"].as_str().unwrap();
    assert!(app.emulator.is_token_valid(access));
    let (error, body) = ims_error(app.exchange(&code, &verifier).await, 400).await;
    assert_eq!(error, "invalid_grant");
    assert!(
        body["error_description"]
            .as_str()
            .unwrap()
            .contains("already been used"),
        "{body}"
    );
    assert!(
        !app.emulator.is_token_valid(access),
        "tokens of a replayed code are revoked"
    );
}

#[tokio::test]
async fn a_code_is_bound_to_its_pkce_verifier_redirect_uri_and_client_and_expires() {
    let mut app = app().await;
    let (verifier, challenge) = pkce("c");
    let other_web = app
        .emulator
        .create_web_credential(
            &app.web.project_id,
            r"https://other\.example\.com/cb",
            "https://other.example.com/cb",
        )
        .unwrap();
    let code = app.sign_in(&app.authorize_params(&challenge)).await;
    let cases: Vec<(&str, Vec<(&str, &str)>)> = vec![
        (
            "wrong verifier",
            vec![("code_verifier", "y".repeat(50).leak())],
        ),
        ("no verifier", vec![]),
        (
            "other redirect",
            vec![
                ("code_verifier", verifier.as_str()),
                ("redirect_uri", "https://app.example.com/auth/other"),
            ],
        ),
    ];
    for (label, extra) in cases {
        let mut form = vec![
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
        ];
        if !extra.iter().any(|(k, _)| *k == "redirect_uri") {
            form.push(("redirect_uri", CALLBACK));
        }
        form.extend(extra);
        let (error, _) = ims_error(app.token(&form).await, 400).await;
        assert_eq!(error, "invalid_grant", "{label}");
    }
    // Another client, with its own valid secret, cannot redeem it.
    let r = app
        .http
        .post(format!("{}/ims/token/v3", app.emulator.base_url()))
        .basic_auth(&other_web.client_id, Some(&other_web.client_secret))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", CALLBACK),
            ("code_verifier", verifier.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(ims_error(r, 400).await.0, "invalid_grant");
    // A wrong client secret is invalid_client; a missing code is invalid_request.
    let r = app
        .http
        .post(format!("{}/ims/token/v3", app.emulator.base_url()))
        .basic_auth(&app.web.client_id, Some("p8e-wrong"))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(ims_error(r, 401).await.0, "invalid_client");
    let r = app.token(&[("grant_type", "authorization_code")]).await;
    assert_eq!(ims_error(r, 400).await.0, "invalid_request");
    // After all these refusals the code still works with everything right…
    assert_eq!(app.exchange(&code, &verifier).await.status(), 200);
    // …and a fresh code expires after ten minutes.
    app.cookie = None;
    let code = app.sign_in(&app.authorize_params(&challenge)).await;
    app.emulator.advance_clock(Duration::from_secs(601));
    let (error, body) = ims_error(app.exchange(&code, &verifier).await, 400).await;
    assert_eq!(error, "invalid_grant");
    assert!(
        body["error_description"]
            .as_str()
            .unwrap()
            .contains("expired")
    );
}

#[tokio::test]
async fn a_server_to_server_client_cannot_use_the_code_flow_nor_a_web_client_client_credentials() {
    let app = app().await;
    let oauth = app
        .emulator
        .create_oauth_credential(&app.web.project_id, &["openid"])
        .unwrap();
    let r = app
        .http
        .post(format!("{}/ims/token/v3", app.emulator.base_url()))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", "whatever"),
            ("client_id", oauth.client_id.as_str()),
            ("client_secret", oauth.client_secrets[0].as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(ims_error(r, 400).await.0, "unauthorized_client");
    let r = app
        .token(&[("grant_type", "client_credentials"), ("scope", "openid")])
        .await;
    assert_eq!(ims_error(r, 400).await.0, "unauthorized_client");
}

#[tokio::test]
async fn a_redirect_uri_outside_the_registered_pattern_is_refused_without_redirecting() {
    let app = app().await;
    let (_, challenge) = pkce("d");
    for evil in [
        "https://evil.example.com/auth/callback",
        "https://app.example.com.evil.com/auth/callback",
        "https://appXexample.com/auth/callback",
        "javascript:alert(1)",
    ] {
        let mut params = app.authorize_params(&challenge);
        params[1].1 = evil.into();
        let r = app.get_authorize(&params).await;
        assert_eq!(r.status(), 400, "{evil}");
        assert!(r.headers().get("location").is_none(), "{evil}");
        let page = r.text().await.unwrap();
        let html = scraper::Html::parse_document(&page);
        let error = scraper::Selector::parse("#error").unwrap();
        let message: String = html.select(&error).next().unwrap().text().collect();
        assert!(message.contains("redirect"), "{evil}: {message}");
    }
    // An unknown client is refused the same way.
    let mut params = app.authorize_params(&challenge);
    params[0].1 = "0123456789abcdef0123456789abcdef".into();
    let r = app.get_authorize(&params).await;
    assert_eq!(r.status(), 400);
    assert!(r.headers().get("location").is_none());
    // Without a redirect_uri the answer goes to the default one.
    let params: Vec<(&str, String)> = app
        .authorize_params(&challenge)
        .into_iter()
        .filter(|(k, _)| *k != "redirect_uri")
        .chain([("prompt", "none".to_owned())])
        .collect();
    let r = app.get_authorize(&params).await;
    assert_eq!(r.status(), 302);
    assert_eq!(location_query(&r).0, CALLBACK);
}

#[tokio::test]
async fn prompt_none_answers_login_required_without_a_session_and_a_code_with_one() {
    let mut app = app().await;
    let (verifier, challenge) = pkce("e");
    let mut silent = app.authorize_params(&challenge);
    silent.push(("prompt", "none".into()));
    let r = app.get_authorize(&silent).await;
    assert_eq!(r.status(), 302);
    let (to, query) = location_query(&r);
    assert_eq!(to, CALLBACK);
    assert_eq!(query["error"], "login_required");
    assert_eq!(query["state"], "state-123");
    assert!(!query.contains_key("code"));

    let _ = app.sign_in(&app.authorize_params(&challenge)).await;
    let r = app.get_authorize(&silent).await;
    assert_eq!(r.status(), 302);
    let (_, query) = location_query(&r);
    assert_eq!(query["state"], "state-123");
    assert_eq!(app.exchange(&query["code"], &verifier).await.status(), 200);
    // Without prompt, a session signs in silently too; with prompt=login it does not.
    let r = app.get_authorize(&app.authorize_params(&challenge)).await;
    assert_eq!(r.status(), 302);
    let mut login = app.authorize_params(&challenge);
    login.push(("prompt", "login".into()));
    let r = app.get_authorize(&login).await;
    assert_eq!(r.status(), 200);
    assert!(r.text().await.unwrap().contains("name=\"password\""));
    // The session ends after a day of emulated time.
    app.emulator
        .advance_clock(Duration::from_secs(24 * 3600 + 1));
    let (_, query) = location_query(&app.get_authorize(&silent).await);
    assert_eq!(query["error"], "login_required");
}

#[tokio::test]
async fn a_wrong_password_shows_the_form_again_with_everything_escaped() {
    let mut app = app().await;
    let (_, challenge) = pkce("f");
    let mut params = app.authorize_params(&challenge);
    params[3].1 = "\"><script>alert(1)</script>".into();
    let page = app.get_authorize(&params).await.text().await.unwrap();
    assert!(!page.contains("<script>"), "state is escaped: {page}");
    let r = app
        .submit(&page, "<b>ada@example.com</b>", "wrong password")
        .await;
    assert_eq!(r.status(), 401);
    assert!(r.headers().get("set-cookie").is_none());
    let page = r.text().await.unwrap();
    assert!(
        !page.contains("<b>") && !page.contains("<script>"),
        "{page}"
    );
    let html = scraper::Html::parse_document(&page);
    let state = scraper::Selector::parse("input[name=state]").unwrap();
    assert_eq!(
        html.select(&state).next().unwrap().value().attr("value"),
        Some("\"><script>alert(1)</script>"),
        "the state survives unchanged"
    );
    let error = scraper::Selector::parse("#error").unwrap();
    assert!(html.select(&error).next().is_some());
    // The right password then works, and the state comes back exactly.
    let r = app.submit(&page, "ada@example.com", PASSWORD).await;
    assert_eq!(r.status(), 303);
    assert_eq!(
        location_query(&r).1["state"],
        "\"><script>alert(1)</script>"
    );
}

#[tokio::test]
async fn bad_authorize_parameters_are_sent_back_to_the_client_as_errors() {
    let app = app().await;
    let (_, challenge) = pkce("g");
    let cases: [(&str, &str, &str); 6] = [
        ("scope", "AdobeID,email", "invalid_scope"),
        ("scope", "openid,creative_sdk", "invalid_scope"),
        ("response_type", "token", "unsupported_response_type"),
        ("code_challenge_method", "S512", "invalid_request"),
        ("code_challenge", "short", "invalid_request"),
        ("prompt", "consent", "invalid_request"),
    ];
    for (name, value, expected) in cases {
        let mut params: Vec<(&str, String)> = app
            .authorize_params(&challenge)
            .into_iter()
            .filter(|(k, _)| *k != name)
            .collect();
        params.push((name, value.into()));
        let r = app.get_authorize(&params).await;
        assert_eq!(r.status(), 302, "{name}={value}");
        let (to, query) = location_query(&r);
        assert_eq!(to, CALLBACK);
        assert_eq!(query["error"], expected, "{name}={value}");
        assert_eq!(query["state"], "state-123");
    }
}

#[tokio::test]
async fn refresh_tokens_come_only_with_offline_access_and_revocation_ends_them() {
    let mut app = app().await;
    let (verifier, challenge) = pkce("h");
    let mut params = app.authorize_params(&challenge);
    params[2].1 = "openid offline_access".into();
    let code = app.sign_in(&params).await;
    let body: Value = app.exchange(&code, &verifier).await.json().await.unwrap();
    let refresh = body["refresh_token"].as_str().unwrap().to_owned();
    let id: Value = common::payload(body["id_token"].as_str().unwrap());
    assert!(
        id.get("email").is_none(),
        "no email scope, no email claim: {id}"
    );

    app.emulator.advance_clock(Duration::from_secs(3600));
    let r = app
        .token(&[("grant_type", "refresh_token"), ("refresh_token", &refresh)])
        .await;
    assert_eq!(r.status(), 200);
    let renewed: Value = r.json().await.unwrap();
    let access = renewed["access_token"].as_str().unwrap().to_owned();
    assert!(app.emulator.is_token_valid(&access));
    assert_eq!(renewed["expires_in"], 86_399);
    let r = app
        .token(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", &refresh),
            ("scope", "openid,email"),
        ])
        .await;
    assert_eq!(ims_error(r, 400).await.0, "invalid_scope");

    // Revoking the refresh token ends it and the access tokens it gave.
    let r = app
        .http
        .post(format!("{}/ims/revoke", app.emulator.base_url()))
        .basic_auth(&app.web.client_id, Some(&app.web.client_secret))
        .form(&[("token", refresh.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.text().await.unwrap().is_empty());
    assert!(!app.emulator.is_token_valid(&access));
    let r = app
        .token(&[("grant_type", "refresh_token"), ("refresh_token", &refresh)])
        .await;
    assert_eq!(ims_error(r, 400).await.0, "invalid_grant");
}

#[tokio::test]
async fn revoking_an_access_token_ends_it_and_userinfo_refuses_it() {
    let mut app = app().await;
    let (verifier, challenge) = pkce("i");
    let code = app.sign_in(&app.authorize_params(&challenge)).await;
    let body: Value = app.exchange(&code, &verifier).await.json().await.unwrap();
    let access = body["access_token"].as_str().unwrap();
    let revoke = |token: &str, secret: &str| {
        app.http
            .post(format!("{}/ims/revoke", app.emulator.base_url()))
            .basic_auth(&app.web.client_id, Some(secret))
            .form(&[("token", token.to_owned())])
            .send()
    };
    let r = revoke(access, "p8e-wrong").await.unwrap();
    assert_eq!(ims_error(r, 401).await.0, "invalid_client");
    assert_eq!(
        revoke(access, &app.web.client_secret)
            .await
            .unwrap()
            .status(),
        200
    );
    assert_eq!(
        revoke("unknown-token", &app.web.client_secret)
            .await
            .unwrap()
            .status(),
        200,
        "unknown tokens are ignored"
    );
    let r = app
        .http
        .get(format!("{}/ims/userinfo/v2", app.emulator.base_url()))
        .bearer_auth(access)
        .send()
        .await
        .unwrap();
    assert!(r.headers().contains_key("www-authenticate"));
    assert_eq!(ims_error(r, 401).await.0, "invalid_token");
    let r = app
        .http
        .get(format!("{}/ims/userinfo/v2", app.emulator.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(ims_error(r, 401).await.0, "invalid_token");
}

#[tokio::test]
async fn discovery_lists_only_what_is_served_with_the_issuer_as_addressed() {
    let app = app().await;
    let base = app.emulator.base_url();
    let port = base.rsplit(':').next().unwrap();
    for addressed in [base.clone(), format!("http://localhost:{port}")] {
        let doc: Value = app
            .http
            .get(format!("{addressed}/ims/.well-known/openid-configuration"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(doc["issuer"], addressed.as_str());
        for key in [
            "authorization_endpoint",
            "token_endpoint",
            "userinfo_endpoint",
            "revocation_endpoint",
            "jwks_uri",
        ] {
            let url = doc[key].as_str().unwrap();
            assert!(url.starts_with(&addressed), "{key}: {url}");
            let get = app.http.get(url).send().await.unwrap().status();
            let post = app.http.post(url).send().await.unwrap().status();
            assert!(get != 404 && post != 404, "{key} {url} is served");
        }
        let grants = doc["grant_types_supported"].as_array().unwrap();
        for g in ["authorization_code", "refresh_token"] {
            assert!(grants.iter().any(|x| x == g), "{g}");
        }
        assert_eq!(doc["code_challenge_methods_supported"][0], "S256");
    }
}

#[tokio::test]
async fn users_and_web_credentials_are_seeded_over_http_with_clear_refusals() {
    let app = app().await;
    let base = app.emulator.base_url();
    let post =
        |path: String, body: Value| app.http.post(format!("{base}{path}")).json(&body).send();
    let r = post(
        format!("/console/orgs/{}/users", app.user.org_id),
        json!({"email": "grace@example.com", "name": "Grace Hopper", "password": "pw", "groups": ["viewers"]}),
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 201);
    let user: Value = r.json().await.unwrap();
    assert_eq!(user["groups"], json!(["viewers"]));
    assert!(user.get("password").is_none() && !user.to_string().contains("\"pw\""));
    let r = post(
        format!("/console/orgs/{}/users", app.user.org_id),
        json!({"email": "GRACE@example.com", "password": "x"}),
    )
    .await
    .unwrap();
    assert_eq!(ims_error(r, 409).await.0, "conflict");
    let r = post(
        format!("/console/orgs/{}/users", app.user.org_id),
        json!({"email": "nobody", "password": "x"}),
    )
    .await
    .unwrap();
    assert_eq!(ims_error(r, 400).await.0, "bad_request");

    let r = post(
        format!("/console/projects/{}/credentials/web", app.web.project_id),
        json!({"redirect_uri_pattern": "https://imsbridge\\.example\\.com/auth/callback", "default_redirect_uri": "https://imsbridge.example.com/auth/callback"}),
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 201);
    let web: Value = r.json().await.unwrap();
    assert_eq!(web["client_id"].as_str().unwrap().len(), 32);
    assert!(web["client_secret"].as_str().unwrap().starts_with("p8e-"));
    for (pattern, default) in [
        ("https://a\\.example\\.com/cb", "https://b.example.com/cb"),
        ("https://a\\.example\\.com/(cb", "https://a.example.com/cb"),
        ("https://a\\.example\\.com/cb", "/cb"),
    ] {
        let r = post(
            format!("/console/projects/{}/credentials/web", app.web.project_id),
            json!({"redirect_uri_pattern": pattern, "default_redirect_uri": default}),
        )
        .await
        .unwrap();
        assert_eq!(
            ims_error(r, 400).await.0,
            "bad_request",
            "{pattern} {default}"
        );
    }
    let download = app.emulator.project_json(&app.web.project_id).unwrap();
    let creds = download["project"]["workspace"]["details"]["credentials"]
        .as_array()
        .unwrap();
    assert!(creds.iter().any(|c| c["integration_type"] == "oauthwebapp"));
}
