//! Rotation in the console: the Developer Console ids filled from a project JSON on Create,
//! the secrets table and next rotation on Properties, Rotate Secret, and both languages;
//! asserted through HTML selectors against the real server, store and emulator.

use imsbridge_testkit::{ADMIN_PASSWORD, Backend, TestApp};
use reqwest::StatusCode;
use reqwest::multipart::Form;
use scraper::{ElementRef, Html, Selector};

/// A browser without JavaScript: a cookie jar, a language, forms.
struct Browser<'a> {
    app: &'a TestApp,
    cookies: Vec<(String, String)>,
    accept_language: &'static str,
}

struct Page {
    status: StatusCode,
    location: Option<String>,
    html: Html,
    source: String,
}

fn sel(s: &str) -> Selector {
    Selector::parse(s).unwrap_or_else(|e| panic!("bad selector {s:?}: {e:?}"))
}

impl Page {
    fn all(&self, s: &str) -> Vec<ElementRef<'_>> {
        self.html.select(&sel(s)).collect()
    }

    fn one(&self, s: &str) -> ElementRef<'_> {
        self.html
            .select(&sel(s))
            .next()
            .unwrap_or_else(|| panic!("no {s:?} in the page:\n{}", self.source))
    }

    fn text(&self, s: &str) -> String {
        self.one(s)
            .text()
            .collect::<String>()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    }

    fn value(&self, s: &str) -> String {
        self.one(s)
            .value()
            .attr("value")
            .unwrap_or_default()
            .to_owned()
    }

    fn csrf(&self) -> String {
        self.value("input[name=csrf_token]")
    }
}

impl<'a> Browser<'a> {
    async fn login(app: &'a TestApp, accept_language: &'static str) -> Self {
        let mut b = Self {
            app,
            cookies: Vec::new(),
            accept_language,
        };
        let page = b
            .post_form(
                "/console/login",
                &[
                    ("username", "admin"),
                    ("password", ADMIN_PASSWORD),
                    ("next", "/console/integrations"),
                ],
            )
            .await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.source);
        b
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    async fn finish(&mut self, r: reqwest::Response) -> Page {
        for value in r.headers().get_all("set-cookie") {
            let text = value.to_str().unwrap();
            let (k, v) = text.split(';').next().unwrap().split_once('=').unwrap();
            self.cookies.retain(|(name, _)| name != k);
            if !text.contains("Max-Age=0") {
                self.cookies.push((k.to_owned(), v.to_owned()));
            }
        }
        let status = r.status();
        let location = r
            .headers()
            .get("location")
            .map(|v| v.to_str().unwrap().to_owned());
        let source = r.text().await.unwrap();
        Page {
            status,
            location,
            html: Html::parse_document(&source),
            source,
        }
    }

    async fn get(&mut self, path: &str) -> Page {
        let r = self
            .app
            .anonymous(reqwest::Method::GET, path)
            .header("cookie", self.cookie_header())
            .header("accept-language", self.accept_language)
            .send()
            .await
            .unwrap();
        self.finish(r).await
    }

    async fn post_form(&mut self, path: &str, fields: &[(&str, &str)]) -> Page {
        let r = self
            .app
            .anonymous(reqwest::Method::POST, path)
            .header("cookie", self.cookie_header())
            .header("accept-language", self.accept_language)
            .form(fields)
            .send()
            .await
            .unwrap();
        self.finish(r).await
    }

    async fn post_multipart(&mut self, path: &str, fields: &[(&str, &str)]) -> Page {
        let mut form = Form::new();
        for (k, v) in fields {
            form = form.text((*k).to_owned(), (*v).to_owned());
        }
        let r = self
            .app
            .anonymous(reqwest::Method::POST, path)
            .header("cookie", self.cookie_header())
            .header("accept-language", self.accept_language)
            .multipart(form)
            .send()
            .await
            .unwrap();
        self.finish(r).await
    }
}

/// Creates `name` in the console from the project's downloaded JSON; returns its Properties.
async fn create_from_project_json(b: &mut Browser<'_>, name: &str) -> Page {
    let app = b.app;
    let json = app
        .emulator
        .project_json(&app.project_id)
        .unwrap()
        .to_string();
    let form = b.get("/console/integrations/_new").await;
    let csrf = form.csrf();
    let server = app.emulator.base_url();
    let created = b
        .post_multipart(
            "/console/integrations",
            &[
                ("csrf_token", csrf.as_str()),
                ("mode", "create"),
                ("cloud_solution", "target"),
                ("title", "Target rotated"),
                ("name", name),
                ("authorization_server", server.as_str()),
                ("project_json", json.as_str()),
            ],
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.source);
    b.get(&format!("/console/integrations/{name}")).await
}

#[tokio::test]
async fn properties_show_the_secrets_and_rotate_secret_switches_to_a_new_one() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    app.emulator
        .add_api(&app.project_id, "AdobeIOManagementAPISDK")
        .unwrap();
    let cred = app.oauth_credential();
    let mut b = Browser::login(&app, "en-US,en;q=0.9").await;
    let props = create_from_project_json(&mut b, "target-rotated").await;

    // The project JSON filled the Developer Console ids.
    assert_eq!(props.value("#f-console_org_id"), cred.console_org_id);
    assert_eq!(props.value("#f-credential_id"), cred.id);
    assert_eq!(props.text("#secrets-heading"), "Client secrets");
    let rows = props.all("#secrets-table tbody tr");
    assert_eq!(rows.len(), 1, "{}", props.source);
    assert!(rows[0].value().attr("data-held").is_some());
    let old = rows[0].value().attr("data-uuid").unwrap().to_owned();
    assert_eq!(props.text("#next-rotation"), "only when asked");

    // A rotation period set in Properties shows the next rotation.
    let csrf = props.csrf();
    let revision = props.value("input[name=revision]");
    let saved = b
        .post_multipart(
            "/console/integrations/target-rotated",
            &[
                ("csrf_token", csrf.as_str()),
                ("mode", "edit"),
                ("revision", revision.as_str()),
                ("cloud_solution", "target"),
                ("title", "Target rotated"),
                ("authorization_server", app.emulator.base_url().as_str()),
                ("client_id", cred.client_id.as_str()),
                ("scopes", "openid,AdobeID,target_sdk"),
                ("org_id", cred.org_id.as_str()),
                ("console_org_id", cred.console_org_id.as_str()),
                ("credential_id", cred.id.as_str()),
                ("rotate_every_days", "30"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.source);
    let props = b.get("/console/integrations/target-rotated").await;
    assert_eq!(props.value("#f-rotate_every_days"), "30");
    assert_ne!(props.text("#next-rotation"), "only when asked");

    // Rotate Secret, deleting the old one at once.
    let csrf = props.csrf();
    let done = b
        .post_form(
            "/console/integrations/target-rotated/rotate-secret",
            &[
                ("csrf_token", csrf.as_str()),
                ("delete_old", "now"),
                ("grace_hours", "24"),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.source);
    let props = b.get(done.location.as_deref().unwrap()).await;
    assert_eq!(
        props.one("#last-rotation").value().attr("data-state"),
        Some("completed")
    );
    let rows = props.all("#secrets-table tbody tr");
    assert_eq!(rows.len(), 1, "{}", props.source);
    assert!(rows[0].value().attr("data-held").is_some());
    assert_ne!(rows[0].value().attr("data-uuid"), Some(old.as_str()));
    for secret in &cred.client_secrets {
        assert!(!props.source.contains(secret.as_str()));
    }
    assert!(
        !props.source.contains("p8e-"),
        "no secret value in the page"
    );

    // A bad grace period is refused with the field's words.
    let refused = b
        .post_form(
            "/console/integrations/target-rotated/rotate-secret",
            &[("csrf_token", csrf.as_str()), ("grace_hours", "soon")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    app.stop().await;
}

#[tokio::test]
async fn the_secrets_panel_speaks_korean_and_says_what_is_missing() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    app.create_oauth("no-console-ids").await;
    let mut b = Browser::login(&app, "ko-KR,ko;q=0.9").await;
    let props = b.get("/console/integrations/no-console-ids").await;
    assert_eq!(props.text("#secrets-heading"), "클라이언트 암호");
    assert!(
        props.text("#secrets-problem").contains("자격 증명 ID"),
        "{}",
        props.source
    );
    assert_eq!(props.text("#console-fields legend"), "Developer Console");
    assert!(
        props.all("#rotate-form").is_empty(),
        "nothing to rotate yet"
    );
    app.stop().await;
}
