//! [`TestApp`]: a fresh database (SQLite, or PostgreSQL when `TEST_POSTGRES_URL` is set), the
//! IMS emulator, and the server on port 0; plus helpers to make configurations and tokens.

use std::sync::Arc;

use chrono::Duration;
use imsbridge_domain::{
    AuthorizationServer, Certificate, ClientId, Clock, CloudSolution, ConfigDraft, ConfigId,
    DraftCredentials, IntegrationConfig, JwtCredentials, ManualClock, Metascopes, Name, OrgId,
    Origin, SecretString, SystemClock, TechnicalAccountId, Title,
};
use imsbridge_emulator::{Emulator, EmulatorHandle, JwtCredential, OAuthCredential};
use imsbridge_ims::{ClockSleeper, ImsClient, ImsClientOptions, ProviderOptions, TokenProvider};
use imsbridge_server::auth::api_tokens;
use imsbridge_server::{AppState, Application, Dependencies, Settings, bootstrap_admin};
use imsbridge_store::{AuditContext, Store};
use reqwest::{Method, RequestBuilder, Response, StatusCode};
use serde_json::{Value, json};

use crate::TestData;

/// The bootstrap admin's password in tests.
pub const ADMIN_PASSWORD: &str = "correct horse battery staple";

/// A running server with its own database and emulator.
pub struct TestApp {
    /// `http://127.0.0.1:<port>`.
    pub address: String,
    /// A client without a cookie store.
    pub client: reqwest::Client,
    /// An API token with scope `admin`.
    pub admin_token: String,
    /// The store behind the server.
    pub store: Store,
    /// The IMS emulator.
    pub emulator: EmulatorHandle,
    /// An emulator project to make credentials in.
    pub project_id: String,
    /// The server's shared state (its hashing pool, its limiters).
    pub state: AppState,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<()>>,
    /// The data directory and, on PostgreSQL, the database (dropped with it).
    data: Option<TestData>,
}

/// A logged-in session.
#[derive(Debug, Clone)]
pub struct Session {
    /// `name=value`, for the Cookie header.
    pub cookie: String,
    /// The whole Set-Cookie header of the login.
    pub set_cookie: String,
    /// The CSRF token.
    pub csrf: String,
}

/// Another server on a `TestApp`'s database.
pub struct Replica {
    /// `http://127.0.0.1:<port>`.
    pub address: String,
    server: tokio::task::JoinHandle<()>,
}

impl Drop for Replica {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// Which database a test runs on: a temporary SQLite file, or a fresh PostgreSQL database.
pub use imsbridge_store::DatabaseKind as Backend;

impl TestApp {
    /// Starts an app on `backend` with test settings; `None` when PostgreSQL is asked for
    /// but `TEST_POSTGRES_URL` is unset.
    pub async fn spawn(backend: Backend) -> Option<Self> {
        Self::spawn_with(backend, Settings::for_tests()).await
    }

    /// Starts an app on `backend` with the given settings.
    pub async fn spawn_with(backend: Backend, settings: Settings) -> Option<Self> {
        Self::spawn_on_clock(backend, settings, None).await
    }

    /// Starts an app whose token provider and server read time from `clock` (retry waits
    /// advance it) instead of the system clock, when one is given.
    pub async fn spawn_on_clock(
        backend: Backend,
        settings: Settings,
        clock: Option<ManualClock>,
    ) -> Option<Self> {
        let data = TestData::new(backend).await?;
        let store = data.store().await;
        assert_eq!(store.database_kind(), backend);
        let emulator = Emulator::spawn().await.unwrap();
        let org = emulator.create_org("Test Org").unwrap();
        let project = emulator
            .create_project(&org.id, "test-project", false)
            .unwrap();

        // Retries must not really wait in tests: the sleeper advances a clock (of its own
        // unless the test runs on one).
        let sleeper_clock = clock
            .clone()
            .unwrap_or_else(|| ManualClock::new(chrono::Utc::now()));
        let time: Arc<dyn Clock> = match &clock {
            Some(manual) => Arc::new(manual.clone()),
            None => Arc::new(SystemClock),
        };
        let options = ProviderOptions {
            sleeper: Arc::new(ClockSleeper::new(sleeper_clock)),
            ..ProviderOptions::default()
        };
        // A short IMS timeout, so that the timeout test is quick.
        let ims = ImsClient::new(&ImsClientOptions {
            request_timeout: std::time::Duration::from_secs(3),
            io_management_url: emulator.base_url().parse().unwrap(),
            ..ImsClientOptions::default()
        })
        .unwrap();
        let provider = TokenProvider::new(ims, time.clone(), options);
        let preset = SecretString::from(ADMIN_PASSWORD.to_owned());
        assert!(
            bootstrap_admin(&store, Some(&preset))
                .await
                .unwrap()
                .is_none()
        );
        let admin = store.get_user("admin").await.unwrap().unwrap();
        let (_, secret) = api_tokens::issue(
            &store,
            "test-admin",
            "admin",
            Some(chrono::Utc::now() + Duration::days(1)),
            Some(admin.id),
            &AuditContext::actor("test"),
        )
        .await
        .unwrap();

        let app = Application::build(
            settings,
            Dependencies {
                store: store.clone(),
                provider,
                clock: time,
            },
        )
        .await
        .unwrap();
        let address = format!("http://127.0.0.1:{}", app.port());
        let state = app.state().clone();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(async move {
            app.run_until(async {
                let _ = rx.await;
            })
            .await
            .unwrap();
        });
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        Some(Self {
            address,
            client,
            admin_token: imsbridge_domain::ExposeSecret::expose_secret(&secret).to_owned(),
            store,
            emulator,
            project_id: project.id,
            state,
            shutdown: Some(tx),
            server: Some(server),
            data: Some(data),
        })
    }

    /// A second server on the same database, as another replica would be; it stops when
    /// the returned handle drops.
    pub async fn replica(&self) -> Replica {
        let provider = TokenProvider::new(
            ImsClient::with_defaults().unwrap(),
            Arc::new(SystemClock),
            ProviderOptions::default(),
        );
        let app = Application::build(
            Settings::for_tests(),
            Dependencies {
                store: self.store.clone(),
                provider,
                clock: Arc::new(SystemClock),
            },
        )
        .await
        .unwrap();
        let address = format!("http://127.0.0.1:{}", app.port());
        let server = tokio::spawn(async move {
            app.run_until(std::future::pending()).await.unwrap();
        });
        Replica { address, server }
    }

    /// Stops the server and drops the PostgreSQL database (which dropping the app does too).
    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(server) = self.server.take() {
            let _ = server.await;
        }
        self.store.close().await;
        // Dropping it drops the database.
        self.data.take();
    }

    /// A URL on the server.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    /// A request with the admin API token.
    pub fn admin(&self, method: Method, path: &str) -> RequestBuilder {
        self.with_token(&self.admin_token, method, path)
    }

    /// A request with `token`.
    pub fn with_token(&self, token: &str, method: Method, path: &str) -> RequestBuilder {
        self.client
            .request(method, self.url(path))
            .bearer_auth(token)
    }

    /// A request without credentials.
    pub fn anonymous(&self, method: Method, path: &str) -> RequestBuilder {
        self.client.request(method, self.url(path))
    }

    /// Makes an API token through the API and returns its secret.
    pub async fn api_token(&self, scope: &str) -> String {
        let r = self
            .admin(Method::POST, "/api/v1/api-tokens")
            .json(&json!({"name": format!("t-{scope}"), "scope": scope}))
            .send()
            .await
            .unwrap();
        let (status, body) = json_of(r).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        body["token"].as_str().unwrap().to_owned()
    }

    /// Creates a user through the API and logs them in.
    pub async fn user_session(&self, username: &str, role: &str) -> Session {
        let password = format!("{username}-password-long");
        let r = self
            .admin(Method::POST, "/api/v1/users")
            .json(&json!({"username": username, "role": role, "password": password}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::CREATED);
        self.login(username, &password).await
    }

    /// Logs in; the session carries the cookie and the CSRF token.
    pub async fn login(&self, username: &str, password: &str) -> Session {
        let r = self
            .anonymous(Method::POST, "/api/v1/session")
            .json(&json!({"username": username, "password": password}))
            .send()
            .await
            .unwrap();
        let set_cookie = r
            .headers()
            .get("set-cookie")
            .expect("login sets a cookie")
            .to_str()
            .unwrap()
            .to_owned();
        let (status, body) = json_of(r).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        Session {
            cookie: set_cookie.split(';').next().unwrap().to_owned(),
            set_cookie,
            csrf: body["csrf_token"].as_str().unwrap().to_owned(),
        }
    }

    /// A request with a session cookie and its CSRF token.
    pub fn as_session(&self, session: &Session, method: Method, path: &str) -> RequestBuilder {
        self.anonymous(method, path)
            .header("cookie", &session.cookie)
            .header("x-csrf-token", &session.csrf)
    }

    /// An OAuth credential in the emulator.
    pub fn oauth_credential(&self) -> OAuthCredential {
        self.emulator
            .create_oauth_credential(&self.project_id, &["openid", "AdobeID", "target_sdk"])
            .unwrap()
    }

    /// The create body for an OAuth configuration made from `cred`.
    pub fn oauth_body(&self, name: &str, cred: &OAuthCredential) -> Value {
        json!({
            "name": name,
            "title": format!("Title of {name}"),
            "cloud_solution": "target",
            "authorization_server": self.emulator.base_url(),
            "client_id": cred.client_id,
            "client_secret": cred.client_secrets[0],
            "scopes": cred.scopes,
            "org_id": cred.org_id,
        })
    }

    /// Creates an OAuth configuration through the API; returns the credential used.
    pub async fn create_oauth(&self, name: &str) -> OAuthCredential {
        let cred = self.oauth_credential();
        let r = self
            .admin(Method::POST, "/api/v1/integrations")
            .json(&self.oauth_body(name, &cred))
            .send()
            .await
            .unwrap();
        let (status, body) = json_of(r).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        cred
    }

    /// Imports a JWT configuration straight into the store (the only way they enter).
    pub async fn import_jwt(&self, name: &str, origin: Origin) -> JwtCredential {
        let cred = self
            .emulator
            .create_jwt_credential(&self.project_id, &["ent_marketing_sdk"])
            .unwrap();
        let jwt = JwtCredentials {
            api_key: ClientId::parse(&cred.client_id).unwrap(),
            client_secret: SecretString::from(cred.client_secret.clone()),
            org_id: OrgId::parse(&cred.org_id).unwrap(),
            technical_account_id: TechnicalAccountId::parse(&cred.technical_account_id).unwrap(),
            metascopes: Metascopes::from_items(cred.metascopes.iter().map(String::as_str)).unwrap(),
            private_key: SecretString::from(cred.private_key_pem.clone()),
            certificate: Certificate::parse_pem(&cred.certificate_pem).unwrap(),
        };
        let draft = ConfigDraft {
            name: Name::parse(name).unwrap(),
            title: Title::parse(&format!("Legacy {name}")).unwrap(),
            cloud_solution: CloudSolution::Target,
            authorization_server: AuthorizationServer::parse(&self.emulator.base_url()).unwrap(),
            credentials: DraftCredentials::Jwt(jwt),
        };
        let config = IntegrationConfig::import(draft, origin, ConfigId::new(), chrono::Utc::now());
        self.store
            .import_config(&config, &AuditContext::actor("test-import"))
            .await
            .unwrap();
        cred
    }

    /// GET with the admin token, as JSON.
    pub async fn get_json(&self, path: &str) -> (StatusCode, Value) {
        json_of(self.admin(Method::GET, path).send().await.unwrap()).await
    }
}

/// Status and JSON body of a response; panics when the body is not JSON.
pub async fn json_of(r: Response) -> (StatusCode, Value) {
    let status = r.status();
    let text = r.text().await.unwrap();
    let value = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("not JSON ({e}) with status {status}: {text:?}"));
    (status, value)
}

/// Asserts an API error: status, `error` code and a non-empty message.
pub async fn assert_error(r: Response, status: StatusCode, code: &str) -> Value {
    let content_type = r
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let (got, body) = json_of(r).await;
    assert_eq!(got, status, "{body}");
    assert!(
        content_type.starts_with("application/json"),
        "{content_type}"
    );
    assert_eq!(body["error"], code, "{body}");
    assert!(
        body["message"].as_str().is_some_and(|m| m.len() > 10),
        "{body}"
    );
    body
}

/// Runs each case as `<case>::on_sqlite` and `<case>::on_postgres` (the latter passes
/// without running when `TEST_POSTGRES_URL` is unset).
#[macro_export]
macro_rules! on_both_backends {
    ($($case:ident),* $(,)?) => {$(
        mod $case {
            #[tokio::test]
            async fn on_sqlite() {
                let app = $crate::TestApp::spawn($crate::Backend::Sqlite)
                    .await
                    .unwrap();
                super::$case(&app).await;
                app.stop().await;
            }

            #[tokio::test]
            async fn on_postgres() {
                let Some(app) =
                    $crate::TestApp::spawn($crate::Backend::Postgres).await
                else {
                    eprintln!("TEST_POSTGRES_URL is not set; skipping the PostgreSQL leg");
                    return;
                };
                super::$case(&app).await;
                app.stop().await;
            }
        }
    )*};
}
