//! Console tests: the seed's workflow as pages, asserted through HTML selectors, against the
//! real server, store and IMS emulator (the test kit's `TestApp`).

use imsbridge_domain::{
    AuthType, AuthorizationServer, ClientId, CloudSolution, ConfigDraft, ConfigId,
    DraftCredentials, ExposeSecret, IntegrationConfig, Name, OAuthCredentials, OrgId, Origin,
    Scopes, SecretString, Title,
};
use imsbridge_store::AuditContext;
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

/// A fetched page.
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

    fn has(&self, s: &str) -> bool {
        self.html.select(&sel(s)).next().is_some()
    }

    fn text(&self, s: &str) -> String {
        text_of(self.one(s))
    }

    fn attr(&self, s: &str, name: &str) -> Option<String> {
        self.one(s).value().attr(name).map(str::to_owned)
    }

    fn csrf(&self) -> String {
        self.attr("input[name=csrf_token]", "value").unwrap()
    }
}

fn text_of(e: ElementRef<'_>) -> String {
    e.text()
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

impl<'a> Browser<'a> {
    fn new(app: &'a TestApp) -> Self {
        Self {
            app,
            cookies: Vec::new(),
            accept_language: "en-US,en;q=0.9",
        }
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
            let pair = value.to_str().unwrap().split(';').next().unwrap();
            let (k, v) = pair.split_once('=').unwrap();
            self.cookies.retain(|(name, _)| name != k);
            let expired = value.to_str().unwrap().contains("Max-Age=0");
            if !expired {
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

    /// Follows a 303.
    async fn follow(&mut self, page: &Page) -> Page {
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.source);
        let location = page.location.clone().unwrap();
        self.get(&location).await
    }

    async fn login(app: &'a TestApp) -> Self {
        let mut b = Self::new(app);
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
}

async fn spawn() -> TestApp {
    TestApp::spawn(Backend::Sqlite).await.unwrap()
}

#[tokio::test]
async fn the_console_asks_for_a_login_and_signs_in_with_the_admin_password() {
    let app = spawn().await;
    let mut b = Browser::new(&app);
    let page = b.get("/console/integrations").await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert!(
        page.location
            .as_deref()
            .unwrap()
            .starts_with("/console/login")
    );
    let login = b.follow(&page).await;
    assert_eq!(login.attr("#password", "type").as_deref(), Some("password"));

    let wrong = b
        .post_form(
            "/console/login",
            &[("username", "admin"), ("password", "nope")],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        wrong.text("#login-error"),
        "The user name or password is not correct."
    );
    assert_eq!(wrong.attr("#username", "value").as_deref(), Some("admin"));

    let mut b = Browser::login(&app).await;
    let list = b.get("/console/integrations").await;
    assert_eq!(list.status, StatusCode::OK);
    assert_eq!(list.text("h1"), "Adobe IMS Integrations");
    assert_eq!(
        list.text(".breadcrumbs ol"),
        "Tools Security Adobe IMS Integrations"
    );

    let csrf = list.csrf();
    let out = b
        .post_form("/console/logout", &[("csrf_token", &csrf)])
        .await;
    let login = b.follow(&out).await;
    assert_eq!(login.text(".alert-title"), "You have been signed out.");
    let again = b.get("/console/integrations").await;
    assert_eq!(again.status, StatusCode::SEE_OTHER);
    app.stop().await;
}

#[tokio::test]
async fn jwt_rows_carry_the_deprecation_warning_and_auto_provisioned_rows_a_lock() {
    let app = spawn().await;
    app.create_oauth("target-oauth").await;
    app.import_jwt("analytics-jwt", Origin::Customer).await;
    app.import_jwt("auto-jwt", Origin::AutoProvisioned).await;
    let mut b = Browser::login(&app).await;
    let list = b.get("/console/integrations").await;

    let jwt = "tr[data-name=analytics-jwt]";
    assert_eq!(
        list.text(&format!("{jwt} .jwt-warning")),
        "JWT Credentials (deprecated)"
    );
    assert_eq!(list.text(&format!("{jwt} .badge-jwt")), "JWT");
    assert!(!list.has("tr[data-name=target-oauth] .jwt-warning"));
    assert_eq!(
        list.text("tr[data-name=target-oauth] .badge-oauth"),
        "OAuth"
    );
    assert_eq!(
        list.text("tr[data-name=auto-jwt] .origin-auto"),
        "Auto-provisioned"
    );
    assert!(list.has("tr[data-name=auto-jwt] .origin-auto svg"));
    assert!(!list.has("tr[data-name=analytics-jwt] .origin-auto"));
    assert_eq!(
        list.text("tr[data-name=target-oauth] .health-badge"),
        "Not checked"
    );
    assert_eq!(list.text("#page-range"), "1–3 of 3");

    // Filters and search go to the store.
    let only_jwt = b.get("/console/integrations?auth_type=jwt").await;
    assert_eq!(only_jwt.all("tbody tr").len(), 2);
    let search = b.get("/console/integrations?q=analytics").await;
    let rows = search.all("tbody tr");
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].value().attr("data-name"), Some("analytics-jwt"));
    app.stop().await;
}

#[tokio::test]
async fn the_list_pages_through_the_store_fifty_rows_at_a_time() {
    let app = spawn().await;
    for i in 0..55 {
        let draft = ConfigDraft {
            name: Name::parse(&format!("config-{i:02}")).unwrap(),
            title: Title::parse(&format!("Config {i:02}")).unwrap(),
            cloud_solution: CloudSolution::Analytics,
            authorization_server: AuthorizationServer::default(),
            credentials: DraftCredentials::OAuth(OAuthCredentials {
                client_id: ClientId::parse(&format!("client{i:02}")).unwrap(),
                client_secret: SecretString::from(format!("secret-value-{i:02}")),
                scopes: Scopes::parse("openid,AdobeID").unwrap(),
                org_id: OrgId::parse("0123456789ABCDEF01234567@AdobeOrg").unwrap(),
                technical_account_id: None,
            }),
        };
        let config = IntegrationConfig::create(draft, ConfigId::new(), chrono::Utc::now()).unwrap();
        app.store
            .insert_config(&config, &AuditContext::actor("test"))
            .await
            .unwrap();
    }
    let mut b = Browser::login(&app).await;
    let first = b.get("/console/integrations").await;
    assert_eq!(first.all("tbody tr").len(), 50);
    assert_eq!(first.text("#page-range"), "1–50 of 55");
    let next = first.attr("a[rel=next]", "href").unwrap();
    let second = b.get(&next).await;
    assert_eq!(second.all("tbody tr").len(), 5);
    assert!(!second.has("a[rel=next]"));
    assert!(second.has("a[rel=prev]"));
    app.stop().await;
}

#[tokio::test]
async fn jwt_properties_open_read_only_with_only_the_authentication_type_live() {
    let app = spawn().await;
    let cred = app.import_jwt("target-jwt", Origin::Customer).await;
    let mut b = Browser::login(&app).await;
    let page = b.get("/console/integrations/target-jwt").await;
    assert_eq!(page.status, StatusCode::OK);

    // Every control in the form is disabled (itself or by its fieldset), except the
    // Authentication Type dropdown.
    let form = page.one("#config-form");
    let mut live = Vec::new();
    for control in form.select(&sel("input:not([type=hidden]), select, textarea, button")) {
        let disabled_itself = control.value().attr("disabled").is_some();
        let disabled_by_fieldset = control
            .ancestors()
            .filter_map(ElementRef::wrap)
            .any(|a| a.value().name() == "fieldset" && a.value().attr("disabled").is_some());
        if !(disabled_itself || disabled_by_fieldset) {
            live.push(control.value().attr("id").unwrap_or("?").to_owned());
        }
    }
    // The dropdown, and its own "Switch" button for browsers without JavaScript.
    assert_eq!(
        live,
        ["f-auth_type", "auth-switch-submit"],
        "{}",
        page.source
    );
    assert_eq!(
        page.attr("#f-auth_type", "form").as_deref(),
        Some("switch-form")
    );
    assert!(page.has("#form-submit[disabled]"));

    // The JWT fields are shown: API key, org, technical account, metascopes, certificate.
    assert_eq!(
        page.attr("#f-api_key", "value").as_deref(),
        Some(cred.client_id.as_str())
    );
    assert_eq!(
        page.attr("#f-jwt_org_id", "value").as_deref(),
        Some(cred.org_id.as_str())
    );
    assert_eq!(
        page.attr("#f-jwt_technical_account_id", "value").as_deref(),
        Some(cred.technical_account_id.as_str())
    );
    assert_eq!(
        page.attr("#f-metascopes", "value").as_deref(),
        Some("ent_marketing_sdk")
    );
    assert!(
        page.attr("#f-certificate_fingerprint", "value")
            .unwrap()
            .contains(':')
    );
    assert!(
        page.attr("#f-certificate_expiry", "value")
            .unwrap()
            .ends_with("UTC")
    );
    assert_eq!(
        page.text("#jwt-read-only .alert-title"),
        "JWT Credentials (deprecated)"
    );
    // Never the key or the secret.
    assert!(!page.source.contains("PRIVATE KEY"));
    assert!(!page.source.contains(&cred.client_secret));
    app.stop().await;
}

#[tokio::test]
async fn choosing_oauth_shows_the_oauth_fields_prefilled_from_the_jwt_credential() {
    let app = spawn().await;
    let cred = app.import_jwt("target-jwt", Origin::Customer).await;
    let mut b = Browser::login(&app).await;
    let page = b
        .get("/console/integrations/target-jwt?auth_type=oauth")
        .await;
    assert_eq!(
        page.attr("#config-form", "data-mode").as_deref(),
        Some("migrate")
    );
    assert!(page.has("#oauth-fields:not([disabled]):not([hidden])"));
    assert!(page.has("#jwt-fields[hidden]"));
    assert_eq!(
        page.attr("#f-client_id", "value").as_deref(),
        Some(cred.client_id.as_str())
    );
    assert_eq!(
        page.attr("#f-org_id", "value").as_deref(),
        Some(cred.org_id.as_str())
    );
    let scopes = page.attr("#f-scopes", "value").unwrap();
    assert!(
        scopes.contains("openid") && scopes.contains("AdobeID"),
        "{scopes}"
    );
    assert_eq!(page.attr("#f-client_secret", "value").as_deref(), Some(""));
    assert!(page.has("#form-submit:not([disabled])"));
    assert_eq!(page.text("#form-submit"), "Save & Close");
    app.stop().await;
}

#[tokio::test]
async fn save_and_close_with_the_prefilled_form_keeps_the_jwt_credentials_secret() {
    let app = spawn().await;
    let jwt = app.import_jwt("target-jwt", Origin::Customer).await;
    // The Developer Console side is done: same client id, same secret.
    app.emulator.migrate_jwt_credential(&jwt.client_id).unwrap();
    let mut b = Browser::login(&app).await;
    let form = b
        .get("/console/integrations/target-jwt?auth_type=oauth")
        .await;
    assert!(
        !form.has("#f-client_secret[required]"),
        "the secret may be left empty when migrating"
    );
    let last4: String = jwt
        .client_secret
        .chars()
        .rev()
        .take(4)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    assert!(
        form.source.contains(&format!("…{last4}")),
        "the hint names the JWT secret's last four characters"
    );
    let fields: Vec<(&str, String)> = vec![
        ("csrf_token", form.csrf()),
        ("mode", "migrate".to_owned()),
        (
            "revision",
            form.attr("input[name=revision]", "value").unwrap(),
        ),
        ("client_id", form.attr("#f-client_id", "value").unwrap()),
        ("client_secret", String::new()),
        ("scopes", form.attr("#f-scopes", "value").unwrap()),
        ("org_id", form.attr("#f-org_id", "value").unwrap()),
    ];
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let saved = b
        .post_multipart("/console/integrations/target-jwt", &fields)
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.source);
    let list = b.follow(&saved).await;
    assert!(!list.has("tr[data-name=target-jwt] .jwt-warning"));
    let stored = app
        .store
        .get_config(&Name::parse("target-jwt").unwrap())
        .await
        .unwrap()
        .unwrap();
    let imsbridge_domain::Credentials::OAuth(o) = &stored.credentials else {
        panic!("not migrated");
    };
    assert_eq!(o.client_secret.expose_secret(), jwt.client_secret.as_str());
}

#[tokio::test]
async fn save_and_close_migrates_after_ims_verifies_and_the_warning_is_gone() {
    let app = spawn().await;
    let jwt = app.import_jwt("target-jwt", Origin::Customer).await;
    let oauth = app.emulator.migrate_jwt_credential(&jwt.client_id).unwrap();
    let mut b = Browser::login(&app).await;
    let form = b
        .get("/console/integrations/target-jwt?auth_type=oauth")
        .await;
    let csrf = form.csrf();
    let revision = form.attr("input[name=revision]", "value").unwrap();
    let client_id = form.attr("#f-client_id", "value").unwrap();
    // The scopes as the Developer Console shows them for the migrated credential.
    let scopes = oauth.scopes.join(",");
    let org_id = form.attr("#f-org_id", "value").unwrap();
    let saved = b
        .post_multipart(
            "/console/integrations/target-jwt",
            &[
                ("csrf_token", &csrf),
                ("mode", "migrate"),
                ("revision", &revision),
                ("client_id", &client_id),
                ("client_secret", &oauth.client_secrets[0]),
                ("scopes", &scopes),
                ("org_id", &org_id),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.source);
    let list = b.follow(&saved).await;
    assert!(!list.has("tr[data-name=target-jwt] .jwt-warning"));
    assert_eq!(list.text("tr[data-name=target-jwt] .badge-oauth"), "OAuth");
    assert!(list.has("tr[data-name=target-jwt].is-selected"));
    assert_eq!(
        list.text(".alert-success .alert-title"),
        "The configuration now uses OAuth Server-to-Server credentials."
    );
    let stored = app
        .store
        .get_config(&Name::parse("target-jwt").unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.auth_type(), AuthType::OAuth);

    // Check Health from the toolbar: the selection form, no JavaScript.
    let csrf = list.csrf();
    let checked = b
        .post_form(
            "/console/integrations/_selection",
            &[
                ("csrf_token", &csrf),
                ("action", "health"),
                ("id", "target-jwt"),
                ("back", "/console/integrations"),
            ],
        )
        .await;
    let list = b.follow(&checked).await;
    assert_eq!(
        list.text(".alert-success .alert-title"),
        "Token is retrieved successfully"
    );
    assert_eq!(
        list.text("tr[data-name=target-jwt] .health-badge"),
        "Healthy"
    );
    app.stop().await;
}

#[tokio::test]
async fn a_refused_verification_keeps_the_jwt_configuration_and_shows_ims_reason() {
    let app = spawn().await;
    let jwt = app.import_jwt("target-jwt", Origin::Customer).await;
    let _ = app.emulator.migrate_jwt_credential(&jwt.client_id).unwrap();
    let mut b = Browser::login(&app).await;
    let form = b
        .get("/console/integrations/target-jwt?auth_type=oauth")
        .await;
    let csrf = form.csrf();
    let wrong_secret = "p8e-WRONG-secret-0000000000";
    let refused = b
        .post_multipart(
            "/console/integrations/target-jwt",
            &[
                ("csrf_token", &csrf),
                ("mode", "migrate"),
                ("revision", "1"),
                ("client_id", &jwt.client_id),
                ("client_secret", wrong_secret),
                ("scopes", "openid,AdobeID,target_sdk"),
                ("org_id", &jwt.org_id),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        refused.text("#verification-failed .alert-title"),
        "Adobe IMS refused the new credential"
    );
    assert_eq!(
        refused.text("#verification-failed dd[data-detail=ims_error]"),
        "invalid_client"
    );
    assert!(
        !refused
            .text("#verification-failed dd[data-detail=debug_id]")
            .is_empty()
    );
    assert!(
        !refused
            .text("#verification-failed dd[data-detail=reason]")
            .is_empty()
    );
    // The user's input stays, the secret does not.
    assert_eq!(
        refused.attr("#f-scopes", "value").as_deref(),
        Some("openid,AdobeID,target_sdk")
    );
    assert_eq!(
        refused.attr("#f-client_secret", "value").as_deref(),
        Some("")
    );
    assert!(!refused.source.contains(wrong_secret));
    // The read-only fields (not posted) still show the stored configuration.
    assert_eq!(
        refused.attr("#f-title", "value").as_deref(),
        Some("Legacy target-jwt")
    );
    assert_eq!(
        refused.attr("#f-name", "value").as_deref(),
        Some("target-jwt")
    );
    assert_eq!(
        refused.attr("#f-technical_account_id", "value").as_deref(),
        Some(jwt.technical_account_id.as_str())
    );
    let stored = app
        .store
        .get_config(&Name::parse("target-jwt").unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.auth_type(), AuthType::Jwt);
    assert_eq!(stored.revision.get(), 1);
    app.stop().await;
}

#[tokio::test]
async fn an_auto_provisioned_configuration_shows_the_seed_note_and_cannot_be_migrated() {
    let app = spawn().await;
    let jwt = app.import_jwt("auto-jwt", Origin::AutoProvisioned).await;
    let oauth = app.emulator.migrate_jwt_credential(&jwt.client_id).unwrap();
    let mut b = Browser::login(&app).await;
    let page = b
        .get("/console/integrations/auto-jwt?auth_type=oauth")
        .await;
    assert_eq!(
        page.attr("#config-form", "data-mode").as_deref(),
        Some("auto")
    );
    assert_eq!(
        page.text("#auto-provisioned-note p:not(.alert-title)"),
        "Auto-provisioned JWT configurations are handled automatically by Adobe and must not be migrated manually."
    );
    assert!(!page.has("#oauth-fields"));
    assert!(!page.has("#form-submit"));
    assert!(page.has("#f-auth_type[disabled]"));
    assert_eq!(page.all("#f-auth_type option").len(), 1);

    // Even a hand-made POST is refused by the rules.
    let csrf = page.csrf();
    let refused = b
        .post_multipart(
            "/console/integrations/auto-jwt",
            &[
                ("csrf_token", &csrf),
                ("mode", "migrate"),
                ("revision", "1"),
                ("client_id", &jwt.client_id),
                ("client_secret", &oauth.client_secrets[0]),
                ("scopes", "openid,AdobeID"),
                ("org_id", &jwt.org_id),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::CONFLICT);
    let stored = app
        .store
        .get_config(&Name::parse("auto-jwt").unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.auth_type(), AuthType::Jwt);
    app.stop().await;
}

#[tokio::test]
async fn create_puts_each_error_beside_its_field_and_keeps_the_other_values() {
    let app = spawn().await;
    let cred = app.oauth_credential();
    let mut b = Browser::login(&app).await;
    let form = b.get("/console/integrations/_new").await;
    assert_eq!(
        form.attr("#f-authorization_server", "value").as_deref(),
        Some("https://ims-na1.adobelogin.com")
    );
    let csrf = form.csrf();
    let secret = &cred.client_secrets[0];
    let page = b
        .post_multipart(
            "/console/integrations",
            &[
                ("csrf_token", &csrf),
                ("mode", "create"),
                ("cloud_solution", "analytics"),
                ("title", "Analytics (prod)"),
                ("name", "Not A Name!"),
                ("authorization_server", &app.emulator.base_url()),
                ("client_id", &cred.client_id),
                ("client_secret", secret),
                ("scopes", "openid,AdobeID"),
                ("org_id", "not-an-org"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.has(".field[data-field=org_id].has-error #f-org_id-error"));
    assert!(page.has(".field[data-field=name].has-error #f-name-error"));
    assert_eq!(
        page.attr("#f-org_id", "aria-invalid").as_deref(),
        Some("true")
    );
    assert!(!page.has(".field[data-field=title].has-error"));
    assert_eq!(
        page.attr("#f-title", "value").as_deref(),
        Some("Analytics (prod)")
    );
    assert_eq!(
        page.attr("#f-client_id", "value").as_deref(),
        Some(cred.client_id.as_str())
    );
    assert!(page.has("#f-cloud_solution option[value=analytics][selected]"));
    assert_eq!(page.attr("#f-client_secret", "value").as_deref(), Some(""));
    assert!(!page.source.contains(secret.as_str()));
    assert_eq!(page.all("#error-summary li").len(), 2);

    // Fixed, it saves and returns to the list with the new row selected.
    let ok = b
        .post_multipart(
            "/console/integrations",
            &[
                ("csrf_token", &csrf),
                ("mode", "create"),
                ("cloud_solution", "analytics"),
                ("title", "Analytics (prod)"),
                ("name", "analytics-prod"),
                ("authorization_server", &app.emulator.base_url()),
                ("client_id", &cred.client_id),
                ("client_secret", secret),
                ("scopes", "openid,AdobeID"),
                ("org_id", &cred.org_id),
            ],
        )
        .await;
    let list = b.follow(&ok).await;
    assert!(list.has("tr[data-name=analytics-prod].is-selected .badge-oauth"));
    assert_eq!(
        list.text(".alert-success .alert-title"),
        "The configuration was created."
    );
    app.stop().await;
}

#[tokio::test]
async fn create_fills_from_a_developer_console_project_json() {
    let app = spawn().await;
    let cred = app.oauth_credential();
    let json = app
        .emulator
        .project_json(&app.project_id)
        .unwrap()
        .to_string();
    let mut b = Browser::login(&app).await;
    let csrf = b.get("/console/integrations/_new").await.csrf();
    let ok = b
        .post_multipart(
            "/console/integrations",
            &[
                ("csrf_token", &csrf),
                ("mode", "create"),
                ("cloud_solution", "target"),
                ("title", "From the Developer Console"),
                ("name", ""),
                ("authorization_server", &app.emulator.base_url()),
                ("project_json", &json),
            ],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.source);
    let stored = app
        .store
        .get_config(&Name::parse("from-the-developer-console").unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.client_id().as_str(), cred.client_id);
    app.stop().await;
}

#[tokio::test]
async fn a_form_without_the_sessions_csrf_token_is_refused() {
    let app = spawn().await;
    let cred = app.oauth_credential();
    let mut b = Browser::login(&app).await;
    let page = b
        .post_multipart(
            "/console/integrations",
            &[
                ("csrf_token", "forged"),
                ("cloud_solution", "target"),
                ("title", "Forged"),
                ("name", "forged"),
                ("client_id", &cred.client_id),
                ("client_secret", &cred.client_secrets[0]),
                ("scopes", "openid"),
                ("org_id", &cred.org_id),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert_eq!(
        page.text("#error-message"),
        "The form had expired. Reload the page and submit it again."
    );
    assert!(
        app.store
            .get_config(&Name::parse("forged").unwrap())
            .await
            .unwrap()
            .is_none()
    );
    let health = b
        .post_form(
            "/console/integrations/_selection",
            &[("action", "health"), ("id", "forged")],
        )
        .await;
    assert_eq!(health.status, StatusCode::FORBIDDEN);
    app.stop().await;
}

#[tokio::test]
async fn a_stale_edit_is_refused_and_both_values_are_shown_with_the_input_kept() {
    let app = spawn().await;
    app.create_oauth("target-oauth").await;
    let mut tab_a = Browser::login(&app).await;
    let mut tab_b = Browser {
        app: &app,
        cookies: tab_a.cookies.clone(),
        accept_language: "en",
    };
    let form_a = tab_a.get("/console/integrations/target-oauth").await;
    let form_b = tab_b.get("/console/integrations/target-oauth").await;
    let field = |p: &Page, id: &str| p.attr(&format!("#f-{id}"), "value").unwrap_or_default();
    let post = |p: &Page, title: &str| {
        vec![
            ("csrf_token".to_owned(), p.csrf()),
            ("mode".to_owned(), "edit".to_owned()),
            (
                "revision".to_owned(),
                p.attr("input[name=revision]", "value").unwrap(),
            ),
            ("cloud_solution".to_owned(), "target".to_owned()),
            ("title".to_owned(), title.to_owned()),
            (
                "authorization_server".to_owned(),
                field(p, "authorization_server"),
            ),
            ("client_id".to_owned(), field(p, "client_id")),
            ("scopes".to_owned(), field(p, "scopes")),
            ("org_id".to_owned(), field(p, "org_id")),
        ]
    };
    let as_refs = |v: &[(String, String)]| -> Vec<(String, String)> { v.to_vec() };
    let a = as_refs(&post(&form_a, "Target (edited in tab A)"));
    let a: Vec<(&str, &str)> = a.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let saved = tab_a
        .post_multipart("/console/integrations/target-oauth", &a)
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.source);

    let bv = as_refs(&post(&form_b, "Target (edited in tab B)"));
    let bv: Vec<(&str, &str)> = bv.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let refused = tab_b
        .post_multipart("/console/integrations/target-oauth", &bv)
        .await;
    assert_eq!(refused.status, StatusCode::CONFLICT);
    assert_eq!(
        refused.text("#conflict .alert-title"),
        "Someone else changed this configuration"
    );
    assert_eq!(
        refused.text("#conflict-table tr[data-field=title] td.yours"),
        "Target (edited in tab B)"
    );
    assert_eq!(
        refused.text("#conflict-table tr[data-field=title] td.theirs"),
        "Target (edited in tab A)"
    );
    // Tab B's input is still in the form, now at the current revision.
    assert_eq!(
        refused.attr("#f-title", "value").as_deref(),
        Some("Target (edited in tab B)")
    );
    assert_eq!(
        refused.attr("input[name=revision]", "value").as_deref(),
        Some("2")
    );
    let stored = app
        .store
        .get_config(&Name::parse("target-oauth").unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.title.as_str(), "Target (edited in tab A)");
    app.stop().await;
}

#[tokio::test]
async fn korean_pages_use_the_seeds_labels() {
    let app = spawn().await;
    app.import_jwt("target-jwt", Origin::Customer).await;
    let mut b = Browser::login(&app).await;
    b.accept_language = "ko-KR,ko;q=0.9,en;q=0.5";
    let list = b.get("/console/integrations").await;
    assert_eq!(list.attr("html", "lang").as_deref(), Some("ko"));
    assert_eq!(list.text("h1"), "Adobe IMS 통합");
    assert_eq!(list.text(".breadcrumbs ol"), "도구 보안 Adobe IMS 통합");
    assert_eq!(list.text("#action-create"), "만들기");
    assert_eq!(list.text("#action-properties"), "속성");
    assert_eq!(
        list.text("tr[data-name=target-jwt] .jwt-warning"),
        "JWT 자격 증명(사용 안 함)"
    );
    let props = b.get("/console/integrations/target-jwt").await;
    assert_eq!(props.text("label[for=f-auth_type]"), "인증 유형");
    assert_eq!(props.text("#form-submit"), "저장 및 닫기");
    assert_eq!(props.text("#f-auth_type option[value=oauth]"), "OAuth");

    // The switch wins over Accept-Language, and remembers.
    let switched = b
        .get("/console/lang?lang=en&next=/console/integrations")
        .await;
    assert_eq!(switched.status, StatusCode::SEE_OTHER);
    let english = b.follow(&switched).await;
    assert_eq!(english.text("h1"), "Adobe IMS Integrations");
    // An outside `next` is not followed.
    let outside = b.get("/console/lang?lang=ko&next=//evil.example/").await;
    assert_eq!(outside.location.as_deref(), Some("/console/integrations"));
    app.stop().await;
}

#[tokio::test]
async fn no_secret_appears_in_any_page() {
    let app = spawn().await;
    let oauth = app.create_oauth("target-oauth").await;
    let jwt = app.import_jwt("target-jwt", Origin::Customer).await;
    let mut b = Browser::login(&app).await;
    let pages = [
        "/console/integrations",
        "/console/integrations/target-oauth",
        "/console/integrations/target-jwt",
        "/console/integrations/target-jwt?auth_type=oauth",
        "/console/integrations/target-oauth/delete",
        "/console/audit",
        "/console/users",
        "/console/tokens",
    ];
    for path in pages {
        let page = b.get(path).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        for secret in [
            &oauth.client_secrets[0],
            &jwt.client_secret,
            &jwt.private_key_pem,
        ] {
            assert!(
                !page.source.contains(secret.as_str()),
                "{path} shows a secret"
            );
        }
        assert!(!page.source.contains("PRIVATE KEY"), "{path}");
    }
    // The OAuth secret is hinted at by its last four characters only.
    let props = b.get("/console/integrations/target-oauth").await;
    let hint = props.text("#f-client_secret-hint");
    let last4: String = oauth.client_secrets[0]
        .chars()
        .rev()
        .take(4)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    assert!(hint.ends_with(&last4), "{hint}");
    app.stop().await;
}

#[tokio::test]
async fn delete_asks_first_and_then_deletes() {
    let app = spawn().await;
    app.create_oauth("target-oauth").await;
    let mut b = Browser::login(&app).await;
    let list = b.get("/console/integrations").await;
    let csrf = list.csrf();
    let go = b
        .post_form(
            "/console/integrations/_selection",
            &[
                ("csrf_token", &csrf),
                ("action", "delete"),
                ("id", "target-oauth"),
            ],
        )
        .await;
    let confirm = b.follow(&go).await;
    assert_eq!(confirm.text("#confirm-delete"), "Delete");
    let revision = confirm.attr("input[name=revision]", "value").unwrap();
    let done = b
        .post_form(
            "/console/integrations/target-oauth/delete",
            &[("csrf_token", &csrf), ("revision", &revision)],
        )
        .await;
    let list = b.follow(&done).await;
    assert!(!list.has("tr[data-name=target-oauth]"));
    assert_eq!(
        list.text(".alert-success .alert-title"),
        "The configuration was deleted."
    );
    app.stop().await;
}

#[tokio::test]
async fn admins_make_api_tokens_shown_once_and_see_the_audit_trail() {
    let app = spawn().await;
    app.create_oauth("target-oauth").await;
    let mut b = Browser::login(&app).await;
    let page = b.get("/console/tokens").await;
    let csrf = page.csrf();
    let made = b
        .post_form(
            "/console/tokens",
            &[
                ("csrf_token", &csrf),
                ("name", "ci"),
                ("scope", "read"),
                ("expires_in_days", "30"),
            ],
        )
        .await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.source);
    let token = made.attr("#new-token-value", "value").unwrap();
    assert!(token.starts_with("ibt_"));
    assert!(made.has("button[data-copy='#new-token-value']"));
    let again = b.get("/console/tokens").await;
    assert!(!again.has("#new-token-value"));
    assert!(!again.source.contains(&token));
    assert_eq!(again.text("tr[data-token=ci] td:nth-child(3)"), "Read");

    let audit = b.get("/console/audit").await;
    let actions: Vec<String> = audit
        .all("#audit tbody tr")
        .iter()
        .filter_map(|r| r.value().attr("data-action").map(str::to_owned))
        .collect();
    assert!(actions.iter().any(|a| a == "config.create"), "{actions:?}");

    // A viewer sees neither users nor tokens.
    let password = "viewer-password-long";
    let users = b.get("/console/users").await;
    let csrf = users.csrf();
    let added = b
        .post_form(
            "/console/users",
            &[
                ("csrf_token", &csrf),
                ("username", "vera"),
                ("role", "viewer"),
                ("password", password),
            ],
        )
        .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.source);
    let mut viewer = Browser::new(&app);
    let login = viewer
        .post_form(
            "/console/login",
            &[("username", "vera"), ("password", password)],
        )
        .await;
    assert_eq!(login.status, StatusCode::SEE_OTHER);
    assert_eq!(
        viewer.get("/console/tokens").await.status,
        StatusCode::FORBIDDEN
    );
    let list = viewer.get("/console/integrations").await;
    assert!(!list.has("#action-create"));
    app.stop().await;
}

async fn sign_in(b: &mut Browser<'_>, password: &str) -> StatusCode {
    let fields = [("username", "uma"), ("password", password)];
    b.post_form("/console/login", &fields).await.status
}

#[tokio::test]
async fn admins_change_a_users_role_and_disable_and_enable_them() {
    let app = spawn().await;
    let mut admin = Browser::login(&app).await;
    let csrf = admin.get("/console/users").await.csrf();
    let password = "uma-password-long-enough";
    let added = admin
        .post_form(
            "/console/users",
            &[
                ("csrf_token", &csrf),
                ("username", "uma"),
                ("role", "viewer"),
                ("password", password),
            ],
        )
        .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.source);
    let mut uma = Browser::new(&app);
    assert_eq!(sign_in(&mut uma, password).await, StatusCode::SEE_OTHER);
    assert_eq!(
        uma.get("/console/tokens").await.status,
        StatusCode::FORBIDDEN
    );

    // Each row offers the other role and the other status; the signed-in admin's own row
    // offers nothing (they cannot lock themself out here).
    let users = admin.get("/console/users").await;
    let row = "tr[data-username=uma]";
    assert_eq!(users.text(&format!("{row} td:nth-child(2)")), "Viewer");
    assert!(users.has(&format!("{row} input[name=role][value=admin]")));
    assert!(users.has(&format!("{row} input[name=disabled][value=true]")));
    assert!(!users.has("tr[data-username=admin] form"));

    let promoted = admin
        .post_form(
            "/console/users/uma/update",
            &[("csrf_token", &csrf), ("role", "admin")],
        )
        .await;
    let users = admin.follow(&promoted).await;
    assert!(
        users.source.contains("The user was changed"),
        "{}",
        users.source
    );
    assert_eq!(users.text(&format!("{row} td:nth-child(2)")), "Admin");
    assert!(users.has(&format!("{row} input[name=role][value=viewer]")));
    // The change ended uma's session: she signs in again and now has the admin pages.
    assert_eq!(
        uma.get("/console/tokens").await.status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(sign_in(&mut uma, password).await, StatusCode::SEE_OTHER);
    assert_eq!(uma.get("/console/tokens").await.status, StatusCode::OK);

    let disabled = admin
        .post_form(
            "/console/users/uma/update",
            &[("csrf_token", &csrf), ("disabled", "true")],
        )
        .await;
    let users = admin.follow(&disabled).await;
    assert_eq!(users.text(&format!("{row} td:nth-child(3)")), "Disabled");
    assert!(users.has(&format!("{row} input[name=disabled][value=false]")));
    assert_eq!(
        uma.get("/console/integrations").await.status,
        StatusCode::SEE_OTHER
    );
    assert_ne!(sign_in(&mut uma, password).await, StatusCode::SEE_OTHER);

    let enabled = admin
        .post_form(
            "/console/users/uma/update",
            &[("csrf_token", &csrf), ("disabled", "false")],
        )
        .await;
    let users = admin.follow(&enabled).await;
    assert_eq!(users.text(&format!("{row} td:nth-child(3)")), "Active");
    assert_eq!(sign_in(&mut uma, password).await, StatusCode::SEE_OTHER);

    // The last admin cannot be demoted, even by a hand-made form; nothing changes.
    let demoted = admin
        .post_form(
            "/console/users/uma/update",
            &[("csrf_token", &csrf), ("role", "viewer")],
        )
        .await;
    assert_eq!(demoted.status, StatusCode::SEE_OTHER, "{}", demoted.source);
    let refused = admin
        .post_form(
            "/console/users/admin/update",
            &[("csrf_token", &csrf), ("role", "viewer")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.source);
    let users = admin.get("/console/users").await;
    assert_eq!(
        users.text("tr[data-username=admin] td:nth-child(2)"),
        "Admin"
    );
    // Without the session's CSRF token nothing changes either.
    let forged = admin
        .post_form("/console/users/uma/update", &[("role", "admin")])
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let users = admin.get("/console/users").await;
    assert_eq!(users.text(&format!("{row} td:nth-child(2)")), "Viewer");
    app.stop().await;
}

#[tokio::test]
async fn the_audit_trail_filters_by_actor_action_target_and_days() {
    let app = spawn().await;
    app.create_oauth("target-one").await;
    app.create_oauth("target-two").await;
    let mut b = Browser::login(&app).await;

    let all = b.get("/console/audit").await;
    assert!(all.has("form#audit-filter input[type=date][name=from]"));
    assert!(
        !all.has("#audit-filter a[href='/console/audit']"),
        "no Clear link unfiltered"
    );
    let by_target = b.get("/console/audit?target_name=target-two").await;
    assert_eq!(by_target.status, StatusCode::OK);
    let actions: Vec<_> = by_target
        .all("#audit tbody tr")
        .iter()
        .map(|r| r.value().attr("data-action").unwrap().to_owned())
        .collect();
    assert_eq!(actions, ["config.create"]);
    assert_eq!(
        by_target.attr("#f-target_name", "value").as_deref(),
        Some("target-two")
    );
    assert!(by_target.has("#audit-filter a[href='/console/audit']"));

    // Today (UTC) holds everything; yesterday nothing.
    let today = chrono::Utc::now().date_naive();
    let yesterday = today.pred_opt().unwrap();
    let on_today = b
        .get(&format!(
            "/console/audit?action=config.create&from={today}&to={today}"
        ))
        .await;
    assert_eq!(on_today.all("#audit tbody tr").len(), 2);
    let before = b.get(&format!("/console/audit?to={yesterday}")).await;
    assert!(!before.has("#audit"));
    assert_eq!(before.text(".empty p"), "No entries match these filters.");

    // A bad day is an error beside its field, with the input kept.
    let bad = b
        .get(&format!("/console/audit?from=27.11.2026&to={today}"))
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        bad.text("[data-field=from] .error-text"),
        "Enter a date as YYYY-MM-DD."
    );
    assert_eq!(bad.attr("#f-from", "value").as_deref(), Some("27.11.2026"));
    let reversed = b
        .get(&format!("/console/audit?from={today}&to={yesterday}"))
        .await;
    assert_eq!(reversed.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(reversed.has("[data-field=to] .error-text"));

    // Paging keeps the filters.
    for i in 0..55 {
        app.store
            .append_audit(
                &AuditContext::actor("pager"),
                &imsbridge_store::AuditEntry {
                    action: "test.page".into(),
                    target_kind: "test".into(),
                    target_name: Some(format!("t{i}")),
                    target_id: None,
                    details: serde_json::json!({}),
                },
            )
            .await
            .unwrap();
    }
    let first = b.get("/console/audit?actor=pager").await;
    assert_eq!(first.all("#audit tbody tr").len(), 50);
    let next = first.attr("a[rel=next]", "href").unwrap();
    assert_eq!(next, "/console/audit?page=2&actor=pager");
    let second = b.get(&next).await;
    assert_eq!(second.all("#audit tbody tr").len(), 5);
    app.stop().await;
}

#[tokio::test]
async fn a_form_with_three_bad_fields_shows_the_same_three_errors_in_english_and_korean() {
    let app = spawn().await;
    let cred = app.oauth_credential();
    let secret = cred.client_secrets[0].clone();
    let base = app.emulator.base_url();
    let mut b = Browser::login(&app).await;
    for (language, missing, invalid) in [
        ("en", "Enter a value.", ""),
        (
            "ko-KR,ko;q=0.9",
            "값을 입력하십시오.",
            "올바르지 않은 값입니다. 예: ",
        ),
    ] {
        b.accept_language = language;
        let csrf = b.get("/console/integrations/_new").await.csrf();
        let page = b
            .post_multipart(
                "/console/integrations",
                &[
                    ("csrf_token", &csrf),
                    ("mode", "create"),
                    ("cloud_solution", "analytics"),
                    ("title", ""),
                    ("name", "Not A Name!"),
                    ("authorization_server", &base),
                    ("client_id", &cred.client_id),
                    ("client_secret", &secret),
                    ("scopes", "openid,AdobeID"),
                    ("org_id", "not-an-org"),
                ],
            )
            .await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
        // The same three fields the API names, each beside its field and in the summary.
        for field in ["name", "title", "org_id"] {
            assert!(
                page.has(&format!(
                    ".field[data-field={field}].has-error #f-{field}-error"
                )),
                "{language}: no error beside {field}"
            );
        }
        assert_eq!(page.all(".field.has-error").len(), 3, "{language}");
        assert_eq!(page.all("#error-summary li").len(), 3, "{language}");
        assert_eq!(page.text("#f-title-error"), missing, "{language}");
        // English quotes the domain's reason; Korean says it in Korean, from the error's
        // kind and its example, with no English word but the example itself.
        let org_error = page.text("#f-org_id-error");
        assert!(org_error.starts_with(invalid), "{language}: {org_error}");
        assert!(org_error.contains("@AdobeOrg"), "{language}: {org_error}");
        if language.starts_with("ko") {
            for id in ["#f-name-error", "#f-org_id-error", "#error-summary"] {
                let text = page.text(id);
                // The example after "예:" is a value to type (an identifier), not a word.
                let words: Vec<&str> = text.split_whitespace().collect();
                let english: Vec<&str> = words
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| *i == 0 || words[i - 1] != "예:")
                    .flat_map(|(_, w)| w.split(|c: char| !c.is_ascii_alphabetic()))
                    .filter(|w| w.len() > 1 && *w != "ID")
                    .collect();
                assert!(
                    english.is_empty(),
                    "{id} has English words {english:?}: {text}"
                );
            }
        }
    }
    app.stop().await;
}

/// The Create form's fields for `cred`, with `secret` as its client secret.
fn create_fields<'f>(
    csrf: &'f str,
    server: &'f str,
    cred: &'f imsbridge_emulator::OAuthCredential,
    secret: &'f str,
) -> Vec<(&'f str, &'f str)> {
    vec![
        ("csrf_token", csrf),
        ("mode", "create"),
        ("cloud_solution", "target"),
        ("title", "Target (verified)"),
        ("name", "target-verified"),
        ("authorization_server", server),
        ("client_id", &cred.client_id),
        ("client_secret", secret),
        ("scopes", "openid,AdobeID,target_sdk"),
        ("org_id", &cred.org_id),
    ]
}

#[tokio::test]
async fn create_refuses_a_secret_ims_refuses_beside_its_field_then_saves_it_unverified_on_request()
{
    let app = spawn().await;
    let cred = app.oauth_credential();
    let server = app.emulator.base_url();
    let mut b = Browser::login(&app).await;
    let form = b.get("/console/integrations/_new").await;
    assert_eq!(form.text("#form-save-unverified"), "Save without verifying");
    let csrf = form.csrf();
    let wrong = "p8e-typo-in-the-secret-000000";
    let refused = b
        .post_multipart(
            "/console/integrations",
            &create_fields(&csrf, &server, &cred, wrong),
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    // IMS's own words, beside the secret.
    assert!(refused.has(".field[data-field=client_secret].has-error"));
    assert_eq!(
        refused.text("#f-client_secret-error"),
        "Adobe IMS: invalid client_secret parameter"
    );
    assert!(!refused.has(".field[data-field=client_id].has-error"));
    assert_eq!(
        refused.text("#verification-failed dd[data-detail=ims_error]"),
        "invalid_client"
    );
    assert!(
        refused
            .text("#verification-failed")
            .contains("Save without verifying")
    );
    assert!(!refused.source.contains(wrong));
    assert!(refused.has("#form-save-unverified[name=verify][value=false]"));
    let name = Name::parse("target-verified").unwrap();
    assert!(app.store.get_config(&name).await.unwrap().is_none());

    // "Save without verifying" saves it, audited as unverified.
    let mut fields = create_fields(&csrf, &server, &cred, wrong);
    fields.push(("verify", "false"));
    let saved = b.post_multipart("/console/integrations", &fields).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.source);
    assert!(app.store.get_config(&name).await.unwrap().is_some());
    let (_, audit) = app
        .get_json("/api/v1/audit?action=config.create.unverified")
        .await;
    assert_eq!(audit["total"], 1);
    assert_eq!(audit["items"][0]["target_name"], "target-verified");
    app.stop().await;
}

#[tokio::test]
async fn properties_refuse_a_wrong_secret_and_say_so_in_korean() {
    let app = spawn().await;
    let cred = app.create_oauth("target-edit").await;
    let mut b = Browser::login(&app).await;
    b.accept_language = "ko-KR,ko;q=0.9";
    let form = b.get("/console/integrations/target-edit").await;
    assert_eq!(form.text("#form-save-unverified"), "확인하지 않고 저장");
    let csrf = form.csrf();
    let refused = b
        .post_multipart(
            "/console/integrations/target-edit",
            &[
                ("csrf_token", &csrf),
                ("mode", "edit"),
                ("revision", "1"),
                ("cloud_solution", "target"),
                ("title", "Title of target-edit"),
                ("authorization_server", &app.emulator.base_url()),
                ("client_id", &cred.client_id),
                ("client_secret", "p8e-typo-in-the-secret-000000"),
                ("scopes", &cred.scopes.join(",")),
                ("org_id", &cred.org_id),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.has(".field[data-field=client_secret].has-error"));
    assert_eq!(
        refused.text("#verification-failed .alert-title"),
        "Adobe IMS에서 새 자격 증명을 거부했습니다"
    );
    let stored = app
        .store
        .get_config(&Name::parse("target-edit").unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.revision.get(), 1);
    app.stop().await;
}

#[tokio::test]
async fn without_the_setting_the_form_offers_no_save_without_verifying() {
    let settings = imsbridge_server::Settings {
        allow_unverified_migration: false,
        ..imsbridge_server::Settings::for_tests()
    };
    let app = TestApp::spawn_with(Backend::Sqlite, settings)
        .await
        .unwrap();
    app.create_oauth("target-strict").await;
    let mut b = Browser::login(&app).await;
    assert!(
        !b.get("/console/integrations/_new")
            .await
            .has("#form-save-unverified")
    );
    assert!(
        !b.get("/console/integrations/target-strict")
            .await
            .has("#form-save-unverified")
    );
    app.stop().await;
}
