//! Sign-ins under a flood: the hashing pool's bound holds, an address is slowed whatever user
//! names it tries but never locked out, someone who signed in before gets through a flood from
//! their own address, and the console says when to try again in the reader's language.

use chrono::{Duration, Utc};
use imsbridge_domain::ManualClock;
use imsbridge_server::Settings;
use imsbridge_server::settings::{LoginRateLimit, PasswordHashing};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::common::{ADMIN_PASSWORD, Backend, TestApp, assert_error, json_of};

async fn bad_api_login(app: &TestApp, i: usize) -> (StatusCode, Value, Option<u64>) {
    let r = app
        .anonymous(Method::POST, "/api/v1/session")
        .json(&json!({"username": format!("nobody-{i}"), "password": "not the password"}))
        .send()
        .await
        .unwrap();
    let retry_after = r
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().parse().unwrap());
    let (status, body) = json_of(r).await;
    (status, body, retry_after)
}

async fn bad_console_login(app: &TestApp, i: usize) -> (StatusCode, Option<u64>) {
    let r = app
        .anonymous(Method::POST, "/console/login")
        .form(&[
            ("username", format!("nobody-{i}")),
            ("password", "not the password".to_owned()),
        ])
        .send()
        .await
        .unwrap();
    let retry_after = r
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().parse().unwrap());
    (r.status(), retry_after)
}

async fn admin_login(app: &TestApp) -> reqwest::Response {
    app.anonymous(Method::POST, "/api/v1/session")
        .json(&json!({"username": "admin", "password": ADMIN_PASSWORD}))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn the_hashing_bound_holds_under_a_flood_of_sign_ins_through_the_api_and_the_console() {
    let settings = Settings {
        password_hashing: PasswordHashing {
            threads: 1,
            queue: 2,
        },
        // Out of the way, so that the pool's own bound is what is tested.
        login_rate_limit: LoginRateLimit {
            per_address_per_sec: 1000.0,
            per_address_burst: 1000,
            per_address_in_flight: 1000,
            max_failures: 1000,
            ..LoginRateLimit::default()
        },
        ..Settings::for_tests()
    };
    let app = TestApp::spawn_with(Backend::Sqlite, settings)
        .await
        .unwrap();
    let (api, console) = futures::join!(
        futures::future::join_all((0..40).map(|i| bad_api_login(&app, i))),
        futures::future::join_all((0..40).map(|i| bad_console_login(&app, 100 + i))),
    );
    let mut busy: u64 = 0;
    for (status, body, retry_after) in &api {
        match *status {
            StatusCode::UNAUTHORIZED => assert_eq!(body["error"], "unauthenticated"),
            StatusCode::TOO_MANY_REQUESTS => {
                assert_eq!(body["error"], "server_busy", "{body}");
                assert!(retry_after.is_some_and(|s| (1..=2).contains(&s)));
                busy += 1;
            }
            other => panic!("unexpected {other}: {body}"),
        }
    }
    for (status, retry_after) in &console {
        match *status {
            StatusCode::UNAUTHORIZED => {}
            StatusCode::TOO_MANY_REQUESTS => {
                assert!(retry_after.is_some_and(|s| (1..=2).contains(&s)));
                busy += 1;
            }
            other => panic!("unexpected {other}"),
        }
    }
    let stats = app.state.hashing.stats();
    assert_eq!(stats.capacity, 3);
    assert!(
        busy > 0,
        "80 concurrent checks on room for 3 were all admitted"
    );
    assert_eq!(stats.refused, busy);
    assert!(
        stats.running_high_water <= 1,
        "more checks ran at once than there are threads: {stats:?}"
    );
    assert!(
        stats.outstanding_high_water <= stats.capacity,
        "more checks were admitted than the pool holds: {stats:?}"
    );
    // Once the flood has passed, signing in works at once.
    assert_eq!(admin_login(&app).await.status(), StatusCode::OK);
    app.stop().await;
}

/// An app whose time stands still until the test moves it.
async fn app_with_manual_clock() -> (TestApp, ManualClock) {
    let clock = ManualClock::new(Utc::now());
    let app = TestApp::spawn_on_clock(Backend::Sqlite, Settings::for_tests(), Some(clock.clone()))
        .await
        .unwrap();
    (app, clock)
}

#[tokio::test]
async fn an_address_is_slowed_whatever_names_it_tries_but_a_valid_sign_in_gets_in_within_three_tries()
 {
    let (app, clock) = app_with_manual_clock().await;
    let burst = LoginRateLimit::default().per_address_burst as usize;
    for i in 0..burst {
        let (status, body, _) = bad_api_login(&app, i).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    }
    for i in burst..burst + 50 {
        let (status, body, retry_after) = bad_api_login(&app, i).await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
        assert_eq!(body["error"], "rate_limited");
        assert_eq!(retry_after, Some(1));
    }
    // The flood's own address: refused now, in a second, never locked out.
    let mut tries = 0;
    let session = loop {
        tries += 1;
        let r = admin_login(&app).await;
        if r.status() == StatusCode::OK {
            break json_of(r).await.1;
        }
        assert!(
            tries < 3,
            "still refused after {tries} tries a second apart"
        );
        assert_error(r, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
        clock.advance(Duration::seconds(1));
    };
    assert_eq!(session["username"], "admin");
    assert_eq!(tries, 2);
    // Refused attempts never reached the store: only the admitted failures were audited.
    let (_, failed) = app.get_json("/api/v1/audit?action=user.login.failed").await;
    assert_eq!(failed["total"], burst);
    app.stop().await;
}

#[tokio::test]
async fn someone_who_signed_in_before_gets_through_a_flood_from_their_own_address() {
    let (app, _clock) = app_with_manual_clock().await;
    assert_eq!(admin_login(&app).await.status(), StatusCode::OK);
    // The flood takes every attempt the address has, and time does not move.
    for i in 0..40 {
        bad_api_login(&app, i).await;
    }
    let (status, _, _) = bad_api_login(&app, 99).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    let r = admin_login(&app).await;
    assert_eq!(r.status(), StatusCode::OK);
    app.stop().await;
}

#[tokio::test]
async fn the_console_says_when_to_try_again_in_the_readers_language() {
    let (app, _clock) = app_with_manual_clock().await;
    for i in 0..40 {
        bad_api_login(&app, i).await;
    }
    for (lang, expected) in [
        ("en", "Too many sign-in attempts right now."),
        ("ko", "지금은 로그인 시도가 너무 많습니다."),
    ] {
        let r = app
            .anonymous(Method::POST, "/console/login")
            .header("accept-language", lang)
            .form(&[("username", "admin"), ("password", "whatever it is")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(r.headers()["retry-after"], "1");
        let html = scraper::Html::parse_document(&r.text().await.unwrap());
        let selector = scraper::Selector::parse("#login-error").unwrap();
        let error: String = html
            .select(&selector)
            .next()
            .expect("the login error is shown")
            .text()
            .collect();
        assert!(error.contains(expected), "{lang}: {error}");
        assert!(error.contains('1'), "{lang} names the wait: {error}");
        // The user name typed is kept.
        let input = scraper::Selector::parse("input[name=username]").unwrap();
        assert_eq!(
            html.select(&input).next().unwrap().value().attr("value"),
            Some("admin")
        );
    }
    app.stop().await;
}
