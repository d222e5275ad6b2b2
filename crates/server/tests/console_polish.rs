//! The console as a new user reads it: the form says what it now is after the
//! Authentication Type switch, an auto-provisioned configuration carries the deprecation
//! banner of its list row, breadcrumb parents lead somewhere, and the audit trail's
//! scrolling table can be reached by keyboard. Asserted through selectors.

use imsbridge_domain::Origin;
use imsbridge_testkit::{ADMIN_PASSWORD, Backend, Session, TestApp};
use reqwest::{Method, StatusCode};
use scraper::{Html, Selector};

struct Page(Html);

impl Page {
    fn has(&self, s: &str) -> bool {
        let selector = Selector::parse(s).unwrap_or_else(|e| panic!("bad selector {s:?}: {e:?}"));
        self.0.select(&selector).next().is_some()
    }

    fn texts(&self, s: &str) -> Vec<String> {
        let selector = Selector::parse(s).unwrap();
        self.0
            .select(&selector)
            .map(|e| {
                e.text()
                    .collect::<String>()
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect()
    }

    fn text(&self, s: &str) -> String {
        self.texts(s)
            .into_iter()
            .next()
            .unwrap_or_else(|| panic!("no {s:?} in the page:\n{}", self.0.html()))
    }

    fn attrs(&self, s: &str, name: &str) -> Vec<String> {
        let selector = Selector::parse(s).unwrap();
        self.0
            .select(&selector)
            .filter_map(|e| e.value().attr(name).map(str::to_owned))
            .collect()
    }
}

async fn get(app: &TestApp, session: &Session, path: &str, lang: &str) -> Page {
    let r = app
        .as_session(session, Method::GET, path)
        .header("accept-language", lang)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK, "{path}");
    Page(Html::parse_document(&r.text().await.unwrap()))
}

async fn spawn() -> (TestApp, Session) {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let session = app.login("admin", ADMIN_PASSWORD).await;
    (app, session)
}

#[tokio::test]
async fn after_choosing_oauth_a_jwt_configuration_shows_the_oauth_badge_and_no_read_only_note() {
    let (app, s) = spawn().await;
    app.import_jwt("target-jwt", Origin::Customer).await;

    let jwt = get(&app, &s, "/console/integrations/target-jwt", "en").await;
    for shown in [".badge-jwt", ".badge-readonly", "#jwt-read-only"] {
        assert!(
            jwt.has(&format!("{shown}[data-auth=jwt]:not([hidden])")),
            "{shown}"
        );
    }
    assert!(jwt.has(".badge-oauth[data-auth=oauth][hidden]"));

    let oauth = get(
        &app,
        &s,
        "/console/integrations/target-jwt?auth_type=oauth",
        "en",
    )
    .await;
    assert_eq!(
        oauth.text(".badge-oauth[data-auth=oauth]:not([hidden])"),
        "OAuth"
    );
    for hidden in [".badge-jwt", ".badge-readonly", "#jwt-read-only"] {
        assert!(
            oauth.has(&format!("{hidden}[data-auth=jwt][hidden]")),
            "{hidden}"
        );
    }
    app.stop().await;
}

#[tokio::test]
async fn an_auto_provisioned_configuration_carries_the_deprecation_banner_of_its_list_row() {
    let (app, s) = spawn().await;
    app.import_jwt("auto-jwt", Origin::AutoProvisioned).await;
    for lang in ["en", "ko"] {
        let list = get(&app, &s, "/console/integrations", lang).await;
        let row_warning = list.text("tr[data-name=auto-jwt] .jwt-warning");
        let props = get(&app, &s, "/console/integrations/auto-jwt", lang).await;
        assert_eq!(
            props.text("#jwt-deprecated.alert-warning .alert-title"),
            row_warning
        );
        assert!(props.has("#auto-provisioned-note"));
    }
    app.stop().await;
}

#[tokio::test]
async fn every_breadcrumb_parent_is_a_link_to_a_page_that_lists_what_it_names() {
    let (app, s) = spawn().await;
    app.import_jwt("target-jwt", Origin::Customer).await;
    for path in [
        "/console/integrations",
        "/console/integrations/_new",
        "/console/integrations/target-jwt",
        "/console/integrations/target-jwt/delete",
        "/console/readiness",
        "/console/audit",
        "/console/users",
        "/console/tokens",
        "/console/import",
    ] {
        let page = get(&app, &s, path, "en").await;
        let crumbs = page.texts("nav.breadcrumbs li");
        let parents = page.attrs("nav.breadcrumbs li:not(:last-child) a", "href");
        assert_eq!(parents.len(), crumbs.len() - 1, "{path}: {crumbs:?}");
        assert_eq!(
            parents[..2],
            ["/console/tools", "/console/tools#security"],
            "{path}"
        );
        assert!(
            page.has("nav.breadcrumbs li:last-child [aria-current=page]"),
            "{path}"
        );
        for href in parents {
            get(&app, &s, &href, "en").await;
        }
    }
    let tools = get(&app, &s, "/console/tools", "ko").await;
    assert_eq!(
        tools.text("h1"),
        tools.text("nav.breadcrumbs [aria-current=page]")
    );
    assert_eq!(
        tools.attrs("#security a", "href"),
        [
            "/console/integrations",
            "/console/readiness",
            "/console/audit",
            "/console/users",
            "/console/tokens",
            "/console/import",
        ]
    );
    app.stop().await;
}

#[tokio::test]
async fn the_audit_trails_scrolling_table_is_reachable_by_keyboard_and_named() {
    let (app, s) = spawn().await;
    app.import_jwt("target-jwt", Origin::Customer).await;
    for lang in ["en", "ko"] {
        let audit = get(&app, &s, "/console/audit", lang).await;
        let name = audit.attrs("#audit-scroll[tabindex='0'][role=region]", "aria-label");
        assert_eq!(name, [audit.text("h1")], "{lang}");
        assert!(audit.has("#audit-scroll table#audit tbody tr"));
    }
    app.stop().await;
}
