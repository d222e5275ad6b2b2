//! Signing in through the IMS emulator's own sign-in page, as a browser would; local users,
//! break-glass users and SSO users side by side.

use imsbridge_domain::SecretString;
use imsbridge_emulator::{Emulator, EmulatorHandle, WebCredential};
use imsbridge_server::auth::passwords;
use imsbridge_store::{AuditContext, NewUser, Role};
use serde_json::{Value, json};

use crate::harness::{ADMINS, SsoApp, VIEWERS, backends, query, sso_settings};

const PASSWORD: &str = "correct horse battery staple";

struct Idp {
    emulator: EmulatorHandle,
    web: WebCredential,
    /// Ada's subject at the emulator.
    ada: String,
}

async fn idp() -> Idp {
    let emulator = Emulator::spawn().await.unwrap();
    let org = emulator.create_org("Sign-in Org").unwrap();
    let project = emulator
        .create_project(&org.id, "imsbridge", false)
        .unwrap();
    let web = emulator
        .create_web_credential(
            &project.id,
            r"http://127\.0\.0\.1:[0-9]+/auth/callback",
            "http://127.0.0.1:8080/auth/callback",
        )
        .unwrap();
    let ada = emulator
        .create_user(
            &org.id,
            "ada@example.com",
            "Ada Lovelace",
            PASSWORD,
            &[ADMINS],
        )
        .unwrap()
        .sub;
    emulator
        .create_user(
            &org.id,
            "grace@example.com",
            "Grace Hopper",
            PASSWORD,
            &[VIEWERS],
        )
        .unwrap();
    emulator
        .create_user(&org.id, "eve@example.com", "Eve", PASSWORD, &["staff"])
        .unwrap();
    Idp { emulator, web, ada }
}

/// The whole browser round trip: `/auth/sso`, the emulator's page and form, the callback.
async fn sign_in(app: &SsoApp, email: &str) -> reqwest::Response {
    let (to, flow) = app.begin().await;
    let page = app.http.get(to.clone()).send().await.unwrap();
    assert_eq!(page.status(), 200, "the emulator's sign-in page");
    let html = page.text().await.unwrap();
    let mut form: Vec<(String, String)> = {
        let doc = scraper::Html::parse_document(&html);
        let hidden = scraper::Selector::parse("form#sign-in input[type=hidden]").unwrap();
        doc.select(&hidden)
            .map(|i| {
                (
                    i.value().attr("name").unwrap().to_owned(),
                    i.value().attr("value").unwrap().to_owned(),
                )
            })
            .collect()
    };
    form.push(("email".into(), email.into()));
    form.push(("password".into(), PASSWORD.into()));
    let mut action = to.clone();
    action.set_query(None);
    let back = app.http.post(action).form(&form).send().await.unwrap();
    assert_eq!(back.status(), 303, "the emulator sends the browser back");
    let callback = url::Url::parse(back.headers()["location"].to_str().unwrap()).unwrap();
    assert_eq!(callback.path(), "/auth/callback");
    assert!(callback.as_str().starts_with(&app.address));
    let q = query(&callback);
    assert_eq!(q["state"], query(&to)["state"]);
    app.callback(&[("code", &q["code"]), ("state", &q["state"])], Some(&flow))
        .await
}

#[tokio::test]
async fn signing_in_at_the_emulator_makes_a_user_keyed_by_issuer_and_subject_with_the_mapped_role()
{
    for postgres in backends() {
        let idp = idp().await;
        let settings = sso_settings(
            &idp.emulator.base_url(),
            &idp.web.client_id,
            &idp.web.client_secret,
        );
        let app = SsoApp::spawn(postgres, &settings, 0).await;
        // A local user with the same email is someone else.
        let hash = passwords::hash(SecretString::from(PASSWORD.to_owned()))
            .await
            .unwrap();
        let local = app
            .store
            .create_user(
                &NewUser {
                    username: "ada@example.com".into(),
                    password_hash: hash,
                    role: Role::Admin,
                },
                &AuditContext::actor("test"),
            )
            .await
            .unwrap();

        let r = sign_in(&app, "ada@example.com").await;
        let (session, me) = app.signed_in(r).await;
        assert_eq!(me["role"], "admin");
        assert_eq!(me["username"], "sso:ada@example.com");
        let list = app
            .http
            .get(app.url("/console/integrations"))
            .header("cookie", &session)
            .send()
            .await
            .unwrap();
        assert_eq!(list.status(), 200, "the session is a console session");

        let users = app.store.list_users().await.unwrap();
        let sso_user = users
            .iter()
            .find(|u| u.username == "sso:ada@example.com")
            .unwrap();
        assert_ne!(sso_user.id, local.id, "never merged with the local user");
        let by_key = app
            .store
            .sso_user(&idp.emulator.base_url(), &idp.ada)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(by_key.id, sso_user.id);

        let login = &app.audit("user.login").await[0];
        assert_eq!(login.actor, "sso:ada@example.com");
        assert_eq!(login.details["role"], "admin");
        assert_eq!(login.details["sso"]["provider"], "Sign in with Adobe");
        assert_eq!(
            login.details["sso"]["issuer"],
            idp.emulator.base_url().as_str()
        );
        assert_eq!(login.details["sso"]["subject"], idp.ada.as_str());

        // An SSO user has no password, whatever is tried.
        let r = app
            .http
            .post(app.url("/api/v1/session"))
            .json(&json!({"username": "sso:ada@example.com", "password": PASSWORD}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 401);

        // A viewer, and someone in no mapped group.
        let (_, me) = app
            .signed_in(sign_in(&app, "grace@example.com").await)
            .await;
        assert_eq!(me["role"], "viewer");
        let r = sign_in(&app, "eve@example.com").await;
        assert_eq!(SsoApp::refused_with(&r), "no_role");

        // Disabled here, refused there.
        app.store
            .set_disabled(sso_user.id, true, &AuditContext::actor("test"))
            .await
            .unwrap();
        let r = sign_in(&app, "ada@example.com").await;
        assert_eq!(SsoApp::refused_with(&r), "disabled");
    }
}

#[tokio::test]
async fn with_local_sign_in_off_only_break_glass_users_may_use_a_password() {
    let idp = idp().await;
    let mut settings = sso_settings(
        &idp.emulator.base_url(),
        &idp.web.client_id,
        &idp.web.client_secret,
    );
    settings.allow_local_login = false;
    let app = SsoApp::spawn(false, &settings, 0).await;
    let audit = AuditContext::actor("test");
    for (name, break_glass) in [("ops", false), ("rescue", true)] {
        let new = NewUser {
            username: name.into(),
            password_hash: passwords::hash(SecretString::from(PASSWORD.to_owned()))
                .await
                .unwrap(),
            role: Role::Admin,
        };
        if break_glass {
            app.store
                .create_break_glass_user(&new, &audit)
                .await
                .unwrap();
        } else {
            app.store.create_user(&new, &audit).await.unwrap();
        }
    }
    let login = |name: &'static str, password: &'static str| {
        app.http
            .post(app.url("/api/v1/session"))
            .json(&json!({"username": name, "password": password}))
            .send()
    };
    let r = login("ops", PASSWORD).await.unwrap();
    assert_eq!(r.status(), 403);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"], "local_login_disabled");
    assert!(body["message"].as_str().unwrap().contains("break-glass"));
    // A wrong password says only that.
    assert_eq!(
        login("ops", "wrong password!!").await.unwrap().status(),
        401
    );

    let r = login("rescue", PASSWORD).await.unwrap();
    assert_eq!(r.status(), 200);
    let session = crate::harness::set_cookie(&r, "imsbridge_session").unwrap();

    // The console says so, in Korean too.
    let r = app
        .http
        .post(app.url("/console/login"))
        .header("cookie", "imsbridge_lang=ko")
        .form(&[("username", "ops"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let html = r.text().await.unwrap();
    let doc = scraper::Html::parse_document(&html);
    let text = |sel: &str| {
        doc.select(&scraper::Selector::parse(sel).unwrap())
            .next()
            .map(|e| e.text().collect::<String>())
            .unwrap_or_default()
    };
    assert!(
        text("#login-error").contains("암호 로그인이 꺼져"),
        "{}",
        text("#login-error")
    );
    assert!(text("#break-glass-only").contains("비상용"));

    // The Users page shows who is break-glass and who signs in with SSO.
    app.signed_in(sign_in(&app, "grace@example.com").await)
        .await;
    let html = app
        .http
        .get(app.url("/console/users"))
        .header("cookie", &session)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let doc = scraper::Html::parse_document(&html);
    let sign_in_of = |user: &str| {
        let sel =
            scraper::Selector::parse(&format!("tr[data-username=\"{user}\"] td.sign-in")).unwrap();
        doc.select(&sel)
            .next()
            .map(|e| e.text().collect::<String>().trim().to_owned())
            .unwrap_or_default()
    };
    assert_eq!(sign_in_of("rescue"), "Password (break-glass)");
    assert_eq!(sign_in_of("ops"), "Password");
    assert_eq!(sign_in_of("sso:grace@example.com"), "Single sign-on");
}
