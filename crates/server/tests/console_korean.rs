//! Every console page in Korean: signed in as an admin with the Korean cookie, each page's
//! visible text (and the names screen readers announce) holds no English word but a short
//! allow-list of product names, protocols and the data the test itself stored.

use imsbridge_domain::Origin;
use imsbridge_testkit::{ADMIN_PASSWORD, Backend, TestApp};
use reqwest::{Method, StatusCode};
use scraper::{Html, Node};

/// Words that are the same in a Korean page, and why.
const ALLOWED: &[&str] = &[
    // The language switch names each language in that language.
    "English",
    // The product and Adobe's product names, which Adobe's Korean pages keep in Latin.
    "imsbridge",
    "Tags",
    "Cloud",
    "Manager",
    "CLI",
    "Adobe",
    "IMS",
    "AEM",
    "Target",
    "Analytics",
    "Launch",
    "Campaign",
    "Stock",
    "Brand",
    "Portal",
    "Asset",
    "Compute",
    "Automated",
    "Forms",
    "Conversion",
    "Developer",
    "Console",
    "Management",
    // Protocols, formats and the import formats' own names (`aio`, `aio-lib-java`, OSGi).
    "OAuth",
    "JWT",
    "API",
    "JSON",
    "ID",
    "URL",
    "UTC",
    "UTF",
    "SHA",
    "OSGi",
    "aio",
    "lib",
    "java",
    "cfg",
];

/// The visible text of a page (no tags, scripts or styles) and the accessible names in
/// `aria-label` and `title` attributes. Text set as code (`code`, `kbd`, `samp`, `.mono`)
/// is a command or an identifier to type as it is, and is left out.
fn visible_text(html: &str) -> String {
    let doc = Html::parse_document(html);
    let mut out = String::new();
    for node in doc.tree.nodes() {
        match node.value() {
            Node::Text(text) => {
                let hidden = node.ancestors().any(|a| {
                    a.value().as_element().is_some_and(|e| {
                        matches!(
                            e.name(),
                            "script" | "style" | "template" | "code" | "kbd" | "samp"
                        ) || e.classes().any(|c| c == "mono")
                    })
                });
                if !hidden {
                    out.push(' ');
                    out.push_str(text);
                }
            }
            Node::Element(e) => {
                for attr in ["aria-label", "title"] {
                    if let Some(value) = e.attr(attr) {
                        out.push(' ');
                        out.push_str(value);
                    }
                }
            }
            _ => {}
        }
    }
    out
}

/// The English words of `text`, once the data values the test stored are taken out. A
/// token glued with `.`, `:`, `/`, `@`, `_`, `$`, `{` or `"` is an identifier, a path, a URL
/// or JSON (`user.login`, `config.author.prod`, `…@AdobeOrg`, `{"role":"viewer"}`); one that
/// starts with a digit is a quantity (`1MiB`).
fn english_words(text: &str, data: &[String]) -> Vec<String> {
    let mut text = text.to_owned();
    for value in data {
        text = text.replace(value.as_str(), " ");
    }
    text.split_whitespace()
        .filter(|token| {
            !token.contains(['.', ':', '/', '@', '_', '$', '{', '"', '…'])
                && !token.starts_with(|c: char| c.is_ascii_digit())
        })
        .filter(|token| {
            token
                .split(|c: char| !c.is_ascii_alphabetic())
                .any(|w| w.len() > 1 && !ALLOWED.contains(&w))
        })
        .map(str::to_owned)
        .collect()
}

struct Korean<'a> {
    app: &'a TestApp,
    cookie: String,
}

impl Korean<'_> {
    async fn get(&self, path: &str) -> (StatusCode, String) {
        let r = self
            .app
            .anonymous(Method::GET, path)
            .header("cookie", &self.cookie)
            .send()
            .await
            .unwrap();
        (r.status(), r.text().await.unwrap())
    }
}

#[tokio::test]
async fn every_console_page_in_korean_has_no_english_word() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let cred = app.create_oauth("target-oauth").await;
    app.import_jwt("analytics-jwt", Origin::Customer).await;
    app.import_jwt("auto-jwt", Origin::AutoProvisioned).await;
    // An API token and a second user, so that the Tokens and Users pages have rows.
    let _ = app.api_token("read").await;
    let r = app
        .admin(Method::POST, "/api/v1/users")
        .json(&serde_json::json!({"username": "viewer1", "role": "viewer", "password": "a-long-enough-password"}))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{}", r.text().await.unwrap());

    // The login page before signing in, in Korean by the browser's language alone.
    let login = app
        .anonymous(Method::GET, "/console/login")
        .header("accept-language", "ko-KR,ko;q=0.9")
        .send()
        .await
        .unwrap();
    let login = login.text().await.unwrap();
    let mut pages = vec![("/console/login".to_owned(), login)];

    // Signed in, with the switch's cookie (and an English browser, which the cookie beats).
    let r = app
        .anonymous(Method::POST, "/console/login")
        .form(&[("username", "admin"), ("password", ADMIN_PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let session: Vec<String> = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_owned())
        .collect();
    let ko = Korean {
        app: &app,
        cookie: format!("{}; imsbridge_lang=ko", session.join("; ")),
    };
    for (path, status) in [
        ("/console/integrations", StatusCode::OK),
        (
            "/console/integrations?selected=analytics-jwt",
            StatusCode::OK,
        ),
        ("/console/integrations/_new", StatusCode::OK),
        ("/console/integrations/target-oauth", StatusCode::OK),
        ("/console/integrations/analytics-jwt", StatusCode::OK),
        ("/console/integrations/auto-jwt", StatusCode::OK),
        ("/console/integrations/target-oauth/delete", StatusCode::OK),
        ("/console/readiness", StatusCode::OK),
        ("/console/audit", StatusCode::OK),
        ("/console/users", StatusCode::OK),
        ("/console/tokens", StatusCode::OK),
        ("/console/import", StatusCode::OK),
        ("/console/integrations/no-such-thing", StatusCode::NOT_FOUND),
    ] {
        let (got, html) = ko.get(path).await;
        assert_eq!(got, status, "{path}");
        pages.push((path.to_owned(), html));
    }

    // The data the pages show as it was stored: names, titles, ids, users, the audit trail's
    // actions and targets, the emulator's address.
    let mut data: Vec<String> = vec![
        "Title of target-oauth".into(),
        "Legacy analytics-jwt".into(),
        "Legacy auto-jwt".into(),
        "target-oauth".into(),
        "analytics-jwt".into(),
        "auto-jwt".into(),
        "no-such-thing".into(),
        "viewer1".into(),
        "test".into(),
        // The API token's name and the actors of the audit trail (the test kit's importer,
        // and `system` for what the server does by itself): identifiers the filter matches.
        "t-read".into(),
        "test-import".into(),
        "system".into(),
        // The token scope's syntax under its field: the values typed as they are.
        "admin · read · token:<name>[,<name>…]".into(),
        // The import formats' names, as `config import --from` takes them.
        "aem-osgi".into(),
        "admin".into(),
        app.emulator.base_url(),
        cred.client_id.clone(),
        cred.org_id.clone(),
    ];
    data.sort_by_key(|d| std::cmp::Reverse(d.len()));
    let mut found = Vec::new();
    for (path, html) in &pages {
        let text = visible_text(html);
        assert!(
            html.contains("<html lang=\"ko\""),
            "{path} is not Korean: {text}"
        );
        let english = english_words(&text, &data);
        if !english.is_empty() {
            found.push(format!("{path}: {english:?}"));
        }
    }
    assert!(
        found.is_empty(),
        "English words on Korean pages:\n{}",
        found.join("\n")
    );
    app.stop().await;
}
