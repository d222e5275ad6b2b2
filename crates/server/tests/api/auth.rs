//! Users, roles, API tokens, sessions, CSRF, login throttling and the audit of it all.

// Tests read as one story each; a long one is clearer whole than split.
#![allow(clippy::too_many_lines)]

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::common::{ADMIN_PASSWORD, TestApp, assert_error, json_of};

crate::on_both_backends!(
    requests_without_credentials_are_unauthenticated,
    a_bad_or_revoked_or_expired_api_token_is_refused,
    a_viewer_reads_everything_and_changes_nothing,
    a_read_token_reads_and_an_admin_token_changes,
    api_tokens_are_shown_once_stored_hashed_and_listed_without_secrets,
    api_token_scopes_and_lifetimes_are_checked,
    a_session_login_sets_a_hardened_cookie_and_changes_need_csrf,
    another_site_cannot_sign_a_browser_in_or_change_anything,
    logging_out_ends_the_session,
    a_session_is_known_to_every_replica_and_ends_with_a_change_to_its_user,
    failed_logins_are_throttled_per_user_and_address,
    every_login_is_audited,
    admins_manage_users_and_cannot_remove_the_last_admin,
    a_user_made_without_a_password_gets_a_one_time_password,
    a_user_changes_their_own_password,
    the_audit_log_filters_and_refuses_bad_queries,
);

async fn requests_without_credentials_are_unauthenticated(app: &TestApp) {
    for (method, path) in [
        (Method::GET, "/api/v1/integrations"),
        (Method::POST, "/api/v1/integrations"),
        (Method::GET, "/api/v1/integrations/x"),
        (Method::PATCH, "/api/v1/integrations/x"),
        (Method::DELETE, "/api/v1/integrations/x"),
        (Method::POST, "/api/v1/integrations/x/migrate"),
        (Method::GET, "/api/v1/integrations/x/migration"),
        (Method::POST, "/api/v1/integrations/x/health"),
        (Method::POST, "/api/v1/integrations/x/token"),
        (Method::POST, "/api/v1/project-json"),
        (Method::POST, "/api/v1/import"),
        (Method::GET, "/api/v1/users"),
        (Method::POST, "/api/v1/users"),
        (Method::GET, "/api/v1/users/admin"),
        (Method::PATCH, "/api/v1/users/admin"),
        (Method::DELETE, "/api/v1/users/admin"),
        (Method::GET, "/api/v1/me"),
        (Method::POST, "/api/v1/me/password"),
        (Method::GET, "/api/v1/api-tokens"),
        (Method::POST, "/api/v1/api-tokens"),
        (Method::GET, "/api/v1/api-tokens/x"),
        (Method::DELETE, "/api/v1/api-tokens/x"),
        (Method::GET, "/api/v1/audit"),
        (Method::GET, "/api/v1/session"),
    ] {
        let r = app
            .anonymous(method.clone(), path)
            .json(&json!({}))
            .send()
            .await
            .unwrap();
        assert_error(r, StatusCode::UNAUTHORIZED, "unauthenticated").await;
    }
}

async fn a_bad_or_revoked_or_expired_api_token_is_refused(app: &TestApp) {
    for header in [
        "Bearer ibt_nope",
        "Bearer ibt_0000000000000000000000000000000000000000000",
        "Basic YWRtaW46YWRtaW4=",
        "Bearer",
    ] {
        let r = app
            .anonymous(Method::GET, "/api/v1/integrations")
            .header("authorization", header)
            .send()
            .await
            .unwrap();
        assert_error(r, StatusCode::UNAUTHORIZED, "unauthenticated").await;
    }
    let token = app.api_token("read").await;
    let (_, list) = app.get_json("/api/v1/api-tokens").await;
    let id = list
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "t-read")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let ok = app
        .with_token(&token, Method::GET, "/api/v1/integrations")
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), StatusCode::OK);
    let r = app
        .admin(Method::DELETE, &format!("/api/v1/api-tokens/{id}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let r = app
        .with_token(&token, Method::GET, "/api/v1/integrations")
        .send()
        .await
        .unwrap();
    assert_error(r, StatusCode::UNAUTHORIZED, "unauthenticated").await;

    let (_, expired) = imsbridge_server::auth::api_tokens::issue(
        &app.store,
        "expired",
        "admin",
        Some(chrono::Utc::now() - chrono::Duration::minutes(1)),
        None,
        &imsbridge_store::AuditContext::actor("test"),
    )
    .await
    .unwrap();
    let r = app
        .with_token(
            imsbridge_domain::ExposeSecret::expose_secret(&expired),
            Method::GET,
            "/api/v1/integrations",
        )
        .send()
        .await
        .unwrap();
    assert_error(r, StatusCode::UNAUTHORIZED, "unauthenticated").await;
}

async fn a_viewer_reads_everything_and_changes_nothing(app: &TestApp) {
    app.create_oauth("target-prod").await;
    let viewer = app.user_session("vera", "viewer").await;
    for path in [
        "/api/v1/integrations",
        "/api/v1/integrations/target-prod",
        "/api/v1/audit",
        "/api/v1/users",
        "/api/v1/users/vera",
        "/api/v1/me",
        "/api/v1/session",
    ] {
        let r = app
            .as_session(&viewer, Method::GET, path)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{path}");
    }
    let (_, me) = json_of(
        app.as_session(&viewer, Method::GET, "/api/v1/me")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        me,
        json!({"kind": "user", "name": "vera", "role": "viewer", "scope": null, "admin": false})
    );
    let cred = app.oauth_credential();
    for (method, path, body) in [
        (
            Method::POST,
            "/api/v1/integrations",
            app.oauth_body("x", &cred),
        ),
        (
            Method::PATCH,
            "/api/v1/integrations/target-prod",
            json!({"title": "t"}),
        ),
        (
            Method::DELETE,
            "/api/v1/integrations/target-prod",
            json!({}),
        ),
        (
            Method::POST,
            "/api/v1/integrations/target-prod/migrate",
            json!({}),
        ),
        (
            Method::POST,
            "/api/v1/integrations/target-prod/health",
            json!({}),
        ),
        (
            Method::POST,
            "/api/v1/integrations/target-prod/token",
            json!({}),
        ),
        (
            Method::POST,
            "/api/v1/project-json",
            json!({"project_json": {}}),
        ),
        (
            Method::POST,
            "/api/v1/users",
            json!({"username": "u", "role": "admin"}),
        ),
        (
            Method::PATCH,
            "/api/v1/users/vera",
            json!({"role": "admin"}),
        ),
        (Method::DELETE, "/api/v1/users/admin", json!({})),
        (Method::GET, "/api/v1/api-tokens", json!({})),
        (
            Method::POST,
            "/api/v1/api-tokens",
            json!({"name": "n", "scope": "admin"}),
        ),
    ] {
        let r = app
            .as_session(&viewer, method, path)
            .header("if-match", "1")
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_error(r, StatusCode::FORBIDDEN, "forbidden").await;
    }
    let (_, after) = app.get_json("/api/v1/integrations/target-prod").await;
    assert_eq!(after["revision"], 1);
}

async fn a_read_token_reads_and_an_admin_token_changes(app: &TestApp) {
    let read = app.api_token("read").await;
    let r = app
        .with_token(&read, Method::GET, "/api/v1/audit")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let r = app
        .with_token(&read, Method::POST, "/api/v1/integrations")
        .json(&app.oauth_body("x", &app.oauth_credential()))
        .send()
        .await
        .unwrap();
    assert_error(r, StatusCode::FORBIDDEN, "forbidden").await;
    let admin = app.api_token("admin").await;
    let r = app
        .with_token(&admin, Method::POST, "/api/v1/integrations")
        .json(&app.oauth_body("x", &app.oauth_credential()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let (_, me) = json_of(
        app.with_token(&read, Method::GET, "/api/v1/me")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(me["kind"], "api_token");
    assert_eq!(me["scope"], "read");
}

async fn api_tokens_are_shown_once_stored_hashed_and_listed_without_secrets(app: &TestApp) {
    let r = app
        .admin(Method::POST, "/api/v1/api-tokens")
        .json(&json!({"name": "ci", "scope": "token:a, b", "expires_in_days": 30}))
        .send()
        .await
        .unwrap();
    let (status, created) = json_of(r).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let secret = created["token"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("ibt_"));
    assert!(secret.starts_with(created["prefix"].as_str().unwrap()));
    assert_eq!(created["scope"], "token:a,b");
    assert_eq!(created["active"], true);
    let expires: chrono::DateTime<chrono::Utc> =
        created["expires_at"].as_str().unwrap().parse().unwrap();
    let days = (expires - chrono::Utc::now()).num_days();
    assert!((29..=30).contains(&days), "{days}");

    let id = created["id"].as_str().unwrap();
    let (_, one) = app.get_json(&format!("/api/v1/api-tokens/{id}")).await;
    assert_eq!(one["name"], "ci");
    let (_, list) = app.get_json("/api/v1/api-tokens").await;
    assert!(!list.to_string().contains(&secret));
    assert!(!one.to_string().contains(&secret));
    let stored = app
        .store
        .list_api_tokens()
        .await
        .unwrap()
        .into_iter()
        .find(|t| t.name == "ci")
        .unwrap();
    assert_ne!(stored.token_hash, secret);
    assert_eq!(stored.token_hash.len(), 64);
    let (_, audit) = app.get_json("/api/v1/audit?action=api_token.create").await;
    assert!(!audit.to_string().contains(&secret));
    assert!(audit["total"].as_u64().unwrap() >= 1);

    let r = app
        .admin(Method::GET, "/api/v1/api-tokens/not-a-uuid")
        .send()
        .await
        .unwrap();
    let e = assert_error(r, StatusCode::UNPROCESSABLE_ENTITY, "invalid").await;
    assert_eq!(e["field"], "id");
    let r = app
        .admin(
            Method::DELETE,
            "/api/v1/api-tokens/00000000-0000-0000-0000-000000000000",
        )
        .send()
        .await
        .unwrap();
    assert_error(r, StatusCode::NOT_FOUND, "not_found").await;
}

async fn api_token_scopes_and_lifetimes_are_checked(app: &TestApp) {
    for (body, field) in [
        (json!({"name": "x", "scope": "write"}), "scope"),
        (json!({"name": "x", "scope": "token:"}), "scope"),
        (json!({"name": "x", "scope": "token:Bad Name"}), "scope"),
        (json!({"name": "", "scope": "read"}), "name"),
        (
            json!({"name": "x", "scope": "read", "expires_in_days": 0}),
            "expires_in_days",
        ),
        (
            json!({"name": "x", "scope": "read", "expires_in_days": 100_000}),
            "expires_in_days",
        ),
    ] {
        let r = app
            .admin(Method::POST, "/api/v1/api-tokens")
            .json(&body)
            .send()
            .await
            .unwrap();
        let e = assert_error(r, StatusCode::UNPROCESSABLE_ENTITY, "invalid").await;
        assert_eq!(e["field"], field, "{body}");
    }
}

async fn a_session_login_sets_a_hardened_cookie_and_changes_need_csrf(app: &TestApp) {
    let session = app.login("admin", ADMIN_PASSWORD).await;
    let cookie = session.set_cookie.to_ascii_lowercase();
    assert!(cookie.contains("httponly"), "{cookie}");
    assert!(cookie.contains("samesite=strict"), "{cookie}");
    assert!(cookie.contains("path=/"), "{cookie}");
    // Plain HTTP here; the TLS test checks `Secure`.
    assert!(!cookie.contains("secure"), "{cookie}");

    let body = app.oauth_body("via-session", &app.oauth_credential());
    let without_csrf = app
        .anonymous(Method::POST, "/api/v1/integrations")
        .header("cookie", &session.cookie)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_error(without_csrf, StatusCode::FORBIDDEN, "csrf").await;
    let wrong_csrf = app
        .anonymous(Method::POST, "/api/v1/integrations")
        .header("cookie", &session.cookie)
        .header("x-csrf-token", "guess")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_error(wrong_csrf, StatusCode::FORBIDDEN, "csrf").await;
    let r = app
        .as_session(&session, Method::POST, "/api/v1/integrations")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    // Reads need no CSRF token.
    let r = app
        .anonymous(Method::GET, "/api/v1/integrations")
        .header("cookie", &session.cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let (_, audit) = app
        .get_json("/api/v1/audit?action=config.create&target_name=via-session")
        .await;
    assert_eq!(audit["items"][0]["actor"], "admin");
}

async fn another_site_cannot_sign_a_browser_in_or_change_anything(app: &TestApp) {
    let credentials = json!({"username": "admin", "password": ADMIN_PASSWORD});
    let form = [("username", "admin"), ("password", ADMIN_PASSWORD)];
    let logins = || async {
        let (_, audit) = app.get_json("/api/v1/audit?action=user.login").await;
        audit["items"].as_array().unwrap().len()
    };
    let logins_before = logins().await;
    // A page elsewhere posting the login form (login CSRF), told apart by either header a
    // browser sends.
    for (name, value) in [
        ("origin", "https://evil.example"),
        ("origin", "null"),
        ("sec-fetch-site", "cross-site"),
    ] {
        let r = app
            .anonymous(Method::POST, "/api/v1/session")
            .header(name, value)
            .json(&credentials)
            .send()
            .await
            .unwrap();
        assert!(r.headers().get("set-cookie").is_none());
        assert_error(r, StatusCode::FORBIDDEN, "cross_site").await;
        let r = app
            .anonymous(Method::POST, "/console/login")
            .header(name, value)
            .form(&form)
            .send()
            .await
            .unwrap();
        assert!(r.headers().get("set-cookie").is_none());
        assert_error(r, StatusCode::FORBIDDEN, "cross_site").await;
    }
    // Not even an admin API token helps a request a browser made for another site.
    let r = app
        .admin(Method::POST, "/api/v1/integrations")
        .header("origin", "https://evil.example")
        .json(&app.oauth_body("cross-site", &app.oauth_credential()))
        .send()
        .await
        .unwrap();
    assert_error(r, StatusCode::FORBIDDEN, "cross_site").await;
    let (_, list) = app.get_json("/api/v1/integrations").await;
    assert_eq!(list["total"], 0, "{list}");
    assert_eq!(logins().await, logins_before);

    // This server's own pages (same origin) and programs (no Origin) sign in as before.
    let own = app.url("");
    let r = app
        .anonymous(Method::POST, "/console/login")
        .header("origin", own.trim_end_matches('/'))
        .header("sec-fetch-site", "same-origin")
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(r.headers().get("set-cookie").is_some());
    app.login("admin", ADMIN_PASSWORD).await;
}

async fn a_session_is_known_to_every_replica_and_ends_with_a_change_to_its_user(app: &TestApp) {
    let replica = app.replica().await;
    let there = |method: Method, path: &str, session: &crate::common::Session| {
        app.client
            .request(method, format!("{}{path}", replica.address))
            .header("cookie", &session.cookie)
            .header("x-csrf-token", &session.csrf)
    };
    // Signed in through one server, known to the other, with the same CSRF token.
    let session = app.login("admin", ADMIN_PASSWORD).await;
    let (status, body) = json_of(
        there(Method::GET, "/api/v1/session", &session)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["username"], "admin");
    assert_eq!(body["csrf_token"], session.csrf.as_str());
    let r = there(Method::POST, "/api/v1/integrations", &session)
        .json(&app.oauth_body("via-replica", &app.oauth_credential()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);

    // A change to the user made outside either server (as the CLI does) ends the session
    // everywhere at once.
    let r = app
        .admin(Method::POST, "/api/v1/users")
        .json(&json!({"username": "val", "role": "viewer", "password": "val-password-long"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let val = app.login("val", "val-password-long").await;
    let (status, body) = json_of(
        there(Method::GET, "/api/v1/session", &val)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        (status, body["role"].as_str()),
        (StatusCode::OK, Some("viewer"))
    );
    let user = app.store.get_user("val").await.unwrap().unwrap();
    app.store
        .set_role(
            user.id,
            imsbridge_store::Role::Admin,
            &imsbridge_store::AuditContext::actor("cli"),
        )
        .await
        .unwrap();
    for r in [
        app.as_session(&val, Method::GET, "/api/v1/session")
            .send()
            .await
            .unwrap(),
        there(Method::GET, "/api/v1/session", &val)
            .send()
            .await
            .unwrap(),
    ] {
        assert_error(r, StatusCode::UNAUTHORIZED, "unauthenticated").await;
    }

    // Signing out through one server ends the session on the other.
    let r = there(Method::DELETE, "/api/v1/session", &session)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let r = app
        .as_session(&session, Method::GET, "/api/v1/session")
        .send()
        .await
        .unwrap();
    assert_error(r, StatusCode::UNAUTHORIZED, "unauthenticated").await;
}

async fn logging_out_ends_the_session(app: &TestApp) {
    let session = app.login("admin", ADMIN_PASSWORD).await;
    let r = app
        .as_session(&session, Method::DELETE, "/api/v1/session")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert!(
        r.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .contains("Max-Age=0")
    );
    let r = app
        .as_session(&session, Method::GET, "/api/v1/integrations")
        .send()
        .await
        .unwrap();
    assert_error(r, StatusCode::UNAUTHORIZED, "unauthenticated").await;
}

async fn failed_logins_are_throttled_per_user_and_address(app: &TestApp) {
    let attempt = |password: &'static str| {
        app.anonymous(Method::POST, "/api/v1/session")
            .json(&json!({"username": "admin", "password": password}))
            .send()
    };
    for _ in 0..5 {
        let r = attempt("wrong password!").await.unwrap();
        assert_error(r, StatusCode::UNAUTHORIZED, "unauthenticated").await;
    }
    // Locked out, even with the right password.
    let r = attempt(ADMIN_PASSWORD).await.unwrap();
    assert!(r.headers().contains_key("retry-after"));
    assert_error(r, StatusCode::TOO_MANY_REQUESTS, "too_many_attempts").await;
    // On every replica: the counts live in the database.
    let replica = app.replica().await;
    let r = app
        .client
        .post(format!("{}/api/v1/session", replica.address))
        .json(&json!({"username": "Admin ", "password": ADMIN_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_error(r, StatusCode::TOO_MANY_REQUESTS, "too_many_attempts").await;
    // Another user from the same address is not affected.
    let viewer = app.user_session("vic", "viewer").await;
    assert!(!viewer.csrf.is_empty());
}

async fn every_login_is_audited(app: &TestApp) {
    app.login("admin", ADMIN_PASSWORD).await;
    let r = app
        .anonymous(Method::POST, "/api/v1/session")
        .json(&json!({"username": "nobody", "password": "whatever-it-is"}))
        .send()
        .await
        .unwrap();
    assert_error(r, StatusCode::UNAUTHORIZED, "unauthenticated").await;
    let (_, ok) = app.get_json("/api/v1/audit?action=user.login").await;
    assert_eq!(ok["total"], 1);
    assert_eq!(ok["items"][0]["actor"], "admin");
    assert_eq!(ok["items"][0]["client_addr"], "127.0.0.1");
    assert!(ok["items"][0]["request_id"].is_string());
    let (_, failed) = app.get_json("/api/v1/audit?action=user.login.failed").await;
    assert_eq!(failed["total"], 1);
    assert_eq!(failed["items"][0]["actor"], "nobody");
    assert!(!failed.to_string().contains("whatever-it-is"));
}

async fn admins_manage_users_and_cannot_remove_the_last_admin(app: &TestApp) {
    let r = app
        .admin(Method::POST, "/api/v1/users")
        .json(&json!({"username": "olga", "role": "admin", "password": "olga-password-long"}))
        .send()
        .await
        .unwrap();
    let (status, created) = json_of(r).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["user"]["role"], "admin");
    assert!(created["one_time_password"].is_null());
    assert!(!created.to_string().contains("argon2"));

    let r = app
        .admin(Method::POST, "/api/v1/users")
        .json(&json!({"username": "olga", "role": "viewer", "password": "olga-password-long"}))
        .send()
        .await
        .unwrap();
    let e = assert_error(r, StatusCode::CONFLICT, "username_taken").await;
    assert_eq!(e["args"], json!({"username": "olga"}));
    for (body, field) in [
        (
            json!({"username": "bad name", "role": "viewer"}),
            "username",
        ),
        (json!({"username": "ok", "role": "owner"}), "role"),
        (
            json!({"username": "ok", "role": "viewer", "password": "short"}),
            "password",
        ),
    ] {
        let r = app
            .admin(Method::POST, "/api/v1/users")
            .json(&body)
            .send()
            .await
            .unwrap();
        let e = assert_error(r, StatusCode::UNPROCESSABLE_ENTITY, "invalid").await;
        assert_eq!(e["field"], field);
    }
    let olga = app.login("olga", "olga-password-long").await;
    let r = app
        .admin(Method::PATCH, "/api/v1/users/olga")
        .json(&json!({"role": "viewer"}))
        .send()
        .await
        .unwrap();
    let (_, updated) = json_of(r).await;
    assert_eq!(updated["role"], "viewer");
    // A role change ends the user's sessions.
    let r = app
        .as_session(&olga, Method::GET, "/api/v1/me")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);

    // admin is now the only admin.
    let r = app
        .admin(Method::PATCH, "/api/v1/users/admin")
        .json(&json!({"role": "viewer"}))
        .send()
        .await
        .unwrap();
    assert_error(r, StatusCode::CONFLICT, "last_admin").await;
    let r = app
        .admin(Method::PATCH, "/api/v1/users/admin")
        .json(&json!({"disabled": true}))
        .send()
        .await
        .unwrap();
    assert_error(r, StatusCode::CONFLICT, "last_admin").await;
    let r = app
        .admin(Method::DELETE, "/api/v1/users/admin")
        .send()
        .await
        .unwrap();
    assert_error(r, StatusCode::CONFLICT, "last_admin").await;
    let session = app.login("admin", ADMIN_PASSWORD).await;
    let r = app
        .as_session(&session, Method::DELETE, "/api/v1/users/admin")
        .send()
        .await
        .unwrap();
    assert_error(r, StatusCode::CONFLICT, "self_delete").await;

    let r = app
        .admin(Method::PATCH, "/api/v1/users/olga")
        .json(&json!({"disabled": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let r = app
        .anonymous(Method::POST, "/api/v1/session")
        .json(&json!({"username": "olga", "password": "olga-password-long"}))
        .send()
        .await
        .unwrap();
    assert_error(r, StatusCode::UNAUTHORIZED, "unauthenticated").await;
    let r = app
        .admin(Method::DELETE, "/api/v1/users/olga")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let r = app
        .admin(Method::GET, "/api/v1/users/olga")
        .send()
        .await
        .unwrap();
    assert_error(r, StatusCode::NOT_FOUND, "not_found").await;
    let (_, audit) = app.get_json("/api/v1/audit?target_kind=user").await;
    let actions: Vec<&str> = audit["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["action"].as_str().unwrap())
        .collect();
    for action in ["user.create", "user.role", "user.disable", "user.delete"] {
        assert!(actions.contains(&action), "{action} in {actions:?}");
    }
}

async fn a_user_made_without_a_password_gets_a_one_time_password(app: &TestApp) {
    let r = app
        .admin(Method::POST, "/api/v1/users")
        .json(&json!({"username": "nina", "role": "viewer"}))
        .send()
        .await
        .unwrap();
    let (status, created) = json_of(r).await;
    assert_eq!(status, StatusCode::CREATED);
    let otp = created["one_time_password"].as_str().unwrap().to_owned();
    assert!(otp.len() >= 16);
    app.login("nina", &otp).await;
    let (_, audit) = app.get_json("/api/v1/audit?target_name=nina").await;
    assert!(!audit.to_string().contains(&otp));
}

async fn a_user_changes_their_own_password(app: &TestApp) {
    let session = app.user_session("paul", "viewer").await;
    let r = app
        .as_session(&session, Method::POST, "/api/v1/me/password")
        .json(&json!({"current_password": "wrong-password-x", "new_password": "a brand new passphrase"}))
        .send()
        .await
        .unwrap();
    assert_error(r, StatusCode::FORBIDDEN, "forbidden").await;
    let r = app
        .as_session(&session, Method::POST, "/api/v1/me/password")
        .json(&json!({"current_password": "paul-password-long", "new_password": "short"}))
        .send()
        .await
        .unwrap();
    assert_error(r, StatusCode::UNPROCESSABLE_ENTITY, "invalid").await;
    let r = app
        .as_session(&session, Method::POST, "/api/v1/me/password")
        .json(&json!({"current_password": "paul-password-long", "new_password": "a brand new passphrase"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    app.login("paul", "a brand new passphrase").await;
    let r = app
        .admin(Method::POST, "/api/v1/me/password")
        .json(&json!({"current_password": "x", "new_password": "y"}))
        .send()
        .await
        .unwrap();
    assert_error(r, StatusCode::BAD_REQUEST, "not_a_user").await;
}

async fn the_audit_log_filters_and_refuses_bad_queries(app: &TestApp) {
    app.create_oauth("one").await;
    app.create_oauth("two").await;
    let (_, all) = app.get_json("/api/v1/audit?target_kind=config").await;
    assert_eq!(all["total"], 2);
    let (_, one) = app.get_json("/api/v1/audit?target_name=one").await;
    assert_eq!(one["total"], 1);
    let entry = &one["items"][0];
    assert_eq!(entry["action"], "config.create");
    assert_eq!(entry["actor"], "api-token:test-admin");
    assert!(entry["at"].is_string());
    let (_, by_actor) = app
        .get_json("/api/v1/audit?actor=api-token:test-admin&limit=1")
        .await;
    assert_eq!(by_actor["items"].as_array().unwrap().len(), 1);
    for query in ["limit=100000", "offset=-3", "since=yesterday"] {
        let r = app
            .admin(Method::GET, &format!("/api/v1/audit?{query}"))
            .send()
            .await
            .unwrap();
        assert!(r.status().is_client_error(), "{query}");
        let (_, e) = json_of(r).await;
        assert!(e["error"].is_string());
    }

    // A time window: since included, until not; times in any offset.
    let at = |i: usize| all["items"][i]["at"].as_str().unwrap().to_owned();
    let (newest, oldest) = (at(0), at(1));
    let window = |since: &str, until: &str| {
        format!(
            "/api/v1/audit?target_kind=config&since={}&until={}",
            urlencoding(since),
            urlencoding(until)
        )
    };
    let (_, both) = app
        .get_json(&window(&oldest, "2999-01-01T00:00:00+09:00"))
        .await;
    assert_eq!(both["total"], 2, "{both}");
    let (_, first) = app.get_json(&window(&oldest, &newest)).await;
    assert_eq!(first["total"], 1, "{first}");
    assert_eq!(first["items"][0]["target_name"], "one");
    for (query, field) in [
        ("since=yesterday", "since"),
        ("until=2026-13-01T00:00:00Z", "until"),
        (
            "since=2026-11-27T00:00:00Z&until=2026-11-26T00:00:00Z",
            "until",
        ),
    ] {
        let r = app
            .admin(Method::GET, &format!("/api/v1/audit?{query}"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "{query}");
        let (_, e) = json_of(r).await;
        assert_eq!(e["field"], field, "{e}");
        assert!(e["message"].as_str().unwrap().starts_with(field), "{e}");
    }
}

fn urlencoding(s: &str) -> String {
    s.replace('+', "%2B").replace(':', "%3A")
}

crate::on_both_backends!(a_session_ends_when_its_user_is_removed_behind_the_servers_back);

async fn a_session_ends_when_its_user_is_removed_behind_the_servers_back(app: &TestApp) {
    let session = app.user_session("gone", "viewer").await;
    let user = app.store.get_user("gone").await.unwrap().unwrap();
    // As `imsbridge users remove` does: straight in the store, not through this server.
    app.store
        .delete_user(user.id, &imsbridge_store::AuditContext::actor("cli"))
        .await
        .unwrap();
    let r = app
        .as_session(&session, Method::GET, "/api/v1/integrations")
        .send()
        .await
        .unwrap();
    assert_error(r, StatusCode::UNAUTHORIZED, "unauthenticated").await;
}

/// The client address of the newest `user.login` entry.
async fn last_login_address(app: &TestApp) -> String {
    let (_, audit) = app
        .get_json("/api/v1/audit?action=user.login&limit=1")
        .await;
    audit["items"][0]["client_addr"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn the_client_behind_a_trusted_proxy_is_audited_and_nobody_else_can_claim_an_address() {
    let login = |app: &TestApp, forwarded: &'static str| {
        app.anonymous(Method::POST, "/api/v1/session")
            .header("x-forwarded-for", forwarded)
            .json(&json!({"username": "admin", "password": ADMIN_PASSWORD}))
            .send()
    };
    // Without trusted proxies the header is the caller's word, and ignored.
    let app = TestApp::spawn(crate::common::Backend::Sqlite)
        .await
        .unwrap();
    assert_eq!(
        login(&app, "203.0.113.9").await.unwrap().status(),
        StatusCode::OK
    );
    assert_eq!(last_login_address(&app).await, "127.0.0.1");
    app.stop().await;

    // Behind a trusted proxy (loopback here), the right-most address it did not add.
    let settings = imsbridge_server::Settings {
        trusted_proxies: vec!["127.0.0.0/8".parse().unwrap()],
        ..imsbridge_server::Settings::for_tests()
    };
    let app = TestApp::spawn_with(crate::common::Backend::Sqlite, settings)
        .await
        .unwrap();
    let r = login(&app, "198.51.100.66, 203.0.113.9").await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(last_login_address(&app).await, "203.0.113.9");
    app.stop().await;
}
