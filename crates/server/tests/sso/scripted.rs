//! Every check of the provider's answer, against a provider that signs whatever it is told.

use serde_json::{Value, json};

use crate::harness::{
    ADMINS, CLIENT_ID, CLIENT_SECRET, Script, ScriptedProvider, SsoApp, VIEWERS, backends, query,
    sso_settings,
};

async fn setup(postgres: bool) -> (ScriptedProvider, SsoApp) {
    let idp = ScriptedProvider::spawn().await;
    let app = SsoApp::spawn(
        postgres,
        &sso_settings(&idp.issuer, CLIENT_ID, CLIENT_SECRET),
        0,
    )
    .await;
    (idp, app)
}

/// Runs one sign-in whose ID token has `claims` (changed by `change`).
async fn sign_in_with(
    idp: &ScriptedProvider,
    app: &SsoApp,
    change: impl FnOnce(&mut Value, &url::Url) -> bool,
) -> reqwest::Response {
    let (to, cookie) = app.begin().await;
    let mut claims = idp.good_claims(&to, "user-1", &[ADMINS]);
    let wrong_key = change(&mut claims, &to);
    idp.expect_code(&to, "code-1", Script { claims, wrong_key });
    let state = query(&to)["state"].clone();
    app.callback(&[("code", "code-1"), ("state", &state)], Some(&cookie))
        .await
}

#[tokio::test]
async fn every_failed_check_of_the_answer_is_refused_and_audited_with_its_check() {
    let (idp, app) = setup(false).await;
    let now = chrono::Utc::now().timestamp();
    type Change = fn(&mut Value, &url::Url, i64) -> bool;
    let cases: Vec<(&str, Change)> = vec![
        ("nonce", |c, _, _| {
            c["nonce"] = json!("another-nonce");
            false
        }),
        ("audience", |c, _, _| {
            c["aud"] = json!("another-client");
            false
        }),
        ("issuer", |c, _, _| {
            c["iss"] = json!("https://evil.example.com");
            false
        }),
        ("expiry", |c, _, now| {
            c["exp"] = json!(now - 120);
            false
        }),
        ("signature", |_, _, _| true),
    ];
    for (check, change) in cases {
        let r = sign_in_with(&idp, &app, |c, to| change(c, to, now)).await;
        assert!(
            crate::harness::set_cookie(&r, "imsbridge_session").is_none(),
            "{check}: no session"
        );
        assert_eq!(SsoApp::refused_with(&r), "invalid", "{check}");
        let failed = app.audit("user.login.failed").await;
        assert_eq!(
            failed[0].details["check"], check,
            "{check}: {:?}",
            failed[0]
        );
        assert_eq!(failed[0].details["sso"]["issuer"], idp.issuer.as_str());
    }

    // A state that is not the flow's.
    let (to, cookie) = app.begin().await;
    idp.expect_code(
        &to,
        "code-2",
        Script {
            claims: idp.good_claims(&to, "user-1", &[ADMINS]),
            wrong_key: false,
        },
    );
    let r = app
        .callback(&[("code", "code-2"), ("state", "forged")], Some(&cookie))
        .await;
    assert_eq!(SsoApp::refused_with(&r), "invalid");
    assert_eq!(
        app.audit("user.login.failed").await[0].details["check"],
        "state"
    );

    // No flow cookie at all (another browser, or after ten minutes).
    let state = query(&to)["state"].clone();
    let r = app
        .callback(&[("code", "code-2"), ("state", &state)], None)
        .await;
    assert_eq!(SsoApp::refused_with(&r), "expired");

    // A PKCE verifier the code was not issued for: the provider refuses the code.
    let (to, cookie) = app.begin().await;
    let (other, _) = app.begin().await;
    idp.expect_code(
        &other,
        "code-3",
        Script {
            claims: idp.good_claims(&to, "user-1", &[ADMINS]),
            wrong_key: false,
        },
    );
    let state = query(&to)["state"].clone();
    let r = app
        .callback(&[("code", "code-3"), ("state", &state)], Some(&cookie))
        .await;
    assert_eq!(SsoApp::refused_with(&r), "invalid");
    assert_eq!(
        app.audit("user.login.failed").await[0].details["check"],
        "code"
    );

    assert!(
        app.store
            .sso_user(&idp.issuer, "user-1")
            .await
            .unwrap()
            .is_none()
    );
}

#[tokio::test]
async fn a_token_just_past_its_expiry_passes_within_the_clock_skew() {
    let (idp, app) = setup(false).await;
    let r = sign_in_with(&idp, &app, |c, _| {
        c["exp"] = json!(chrono::Utc::now().timestamp() - 20);
        false
    })
    .await;
    let (_, me) = app.signed_in(r).await;
    assert_eq!(me["role"], "admin");
}

#[tokio::test]
async fn roles_are_evaluated_again_at_every_sign_in_and_no_role_means_no_access() {
    for postgres in backends() {
        let (idp, app) = setup(postgres).await;
        let as_member = |groups: Vec<&'static str>| {
            move |c: &mut Value, _: &url::Url| {
                c["groups"] = json!(groups);
                false
            }
        };
        let r = sign_in_with(&idp, &app, as_member(vec![ADMINS, "staff"])).await;
        let (first_session, me) = app.signed_in(r).await;
        assert_eq!(me["role"], "admin");
        assert_eq!(me["username"], "sso:user-1@example.com");
        let user = app
            .store
            .sso_user(&idp.issuer, "user-1")
            .await
            .unwrap()
            .unwrap();

        let r = sign_in_with(&idp, &app, as_member(vec![VIEWERS])).await;
        let (_, me) = app.signed_in(r).await;
        assert_eq!(me["role"], "viewer", "demoted at the next sign-in");
        let again = app
            .store
            .sso_user(&idp.issuer, "user-1")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            again.id, user.id,
            "the same user, keyed by issuer and subject"
        );
        let role_change = &app.audit("user.role").await[0];
        assert_eq!(role_change.details["to"], "viewer");
        assert_eq!(role_change.details["sso"]["subject"], "user-1");

        // No group that grants a role: refused, and earlier sessions end.
        let r = sign_in_with(&idp, &app, as_member(vec!["staff"])).await;
        assert_eq!(SsoApp::refused_with(&r), "no_role");
        let r = app
            .http
            .get(app.url("/api/v1/session"))
            .header("cookie", &first_session)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 401);
        let failed = &app.audit("user.login.failed").await[0];
        assert_eq!(failed.details["reason"], "no_role");
        assert_eq!(failed.actor, "sso:user-1");
    }
}

#[tokio::test]
async fn groups_come_from_userinfo_when_the_id_token_has_none() {
    let (idp, app) = setup(false).await;
    idp.set_userinfo(json!({"sub": "user-1", "groups": [VIEWERS]}));
    let r = sign_in_with(&idp, &app, |c, _| {
        c.as_object_mut().unwrap().remove("groups");
        false
    })
    .await;
    let (_, me) = app.signed_in(r).await;
    assert_eq!(me["role"], "viewer");
}

#[tokio::test]
async fn a_provider_error_shows_as_a_sentence_in_either_language_never_raw() {
    let (_idp, app) = setup(false).await;
    let (to, cookie) = app.begin().await;
    let state = query(&to)["state"].clone();
    let r = app
        .callback(
            &[
                ("error", "access_denied"),
                ("error_description", "<script>alert(1)</script>"),
                ("state", &state),
            ],
            Some(&cookie),
        )
        .await;
    assert_eq!(SsoApp::refused_with(&r), "refused");
    for (lang, expected) in [
        ("en", "The identity provider did not sign you in"),
        ("ko", "ID 공급자가 로그인을 완료하지 않았습니다"),
    ] {
        let html = app
            .http
            .get(app.url("/console/login?sso_error=refused"))
            .header("cookie", format!("imsbridge_lang={lang}"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let doc = scraper::Html::parse_document(&html);
        let error = scraper::Selector::parse("#login-error").unwrap();
        let text: String = doc.select(&error).next().unwrap().text().collect();
        assert!(text.contains(expected), "{lang}: {text}");
        assert!(!html.contains("alert(1)"));
        let button = scraper::Selector::parse("a#sso-sign-in").unwrap();
        let b = doc.select(&button).next().expect("the SSO button");
        assert_eq!(b.value().attr("href"), Some("/auth/sso"));
        assert_eq!(b.text().collect::<String>(), "Sign in with Adobe");
    }
    // An unknown kind is not shown at all.
    let html = app
        .http
        .get(app.url("/console/login?sso_error=%3Cb%3Ehi"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let doc = scraper::Html::parse_document(&html);
    assert!(
        doc.select(&scraper::Selector::parse("#login-error").unwrap())
            .next()
            .is_none()
    );
}
