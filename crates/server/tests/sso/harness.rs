//! A server with `[sso]` pointing at an OpenID Connect provider (the IMS emulator, or a
//! scripted provider that signs whatever ID token a test asks for), on a fresh database, and a
//! browser stand-in that follows the sign-in by hand.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::extract::State;
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use imsbridge_domain::{SecretString, SystemClock};
use imsbridge_ims::{ImsClient, ProviderOptions, TokenProvider};
use imsbridge_server::auth::sso::SsoSettings;
use imsbridge_server::{Application, Dependencies, Settings};
use imsbridge_store::{DatabaseUrl, Store};
use rsa::pkcs1::EncodeRsaPrivateKey as _;
use rsa::traits::PublicKeyParts as _;
use serde_json::{Value, json};
use sha2::{Digest as _, Sha256};

/// The admins' group.
pub const ADMINS: &str = "imsbridge-admins";
/// The viewers' group.
pub const VIEWERS: &str = "imsbridge-viewers";

/// A PostgreSQL database for one test, dropped when it ends (even by a panic).
pub struct PgDatabase {
    admin: DatabaseUrl,
    name: String,
}

impl PgDatabase {
    async fn create() -> Option<Self> {
        let admin = DatabaseUrl::parse(&std::env::var("TEST_POSTGRES_URL").ok()?).unwrap();
        let name = format!("imsbridge_sso_{}", uuid::Uuid::new_v4().simple());
        let pool = sqlx::PgPool::connect(admin.expose_secret()).await.unwrap();
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&pool)
            .await
            .unwrap();
        pool.close().await;
        Some(Self { admin, name })
    }
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        let admin = self.admin.clone();
        let name = std::mem::take(&mut self.name);
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async {
                if let Ok(pool) = sqlx::PgPool::connect(admin.expose_secret()).await {
                    let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                        .execute(&pool)
                        .await;
                    pool.close().await;
                }
            });
        })
        .join();
    }
}

/// The databases every test runs on: SQLite, and PostgreSQL when `TEST_POSTGRES_URL` is set.
pub fn backends() -> Vec<bool> {
    if std::env::var("TEST_POSTGRES_URL").is_ok() {
        vec![false, true]
    } else {
        vec![false]
    }
}

/// A running server with single sign-on.
pub struct SsoApp {
    /// `http://127.0.0.1:<port>`.
    pub address: String,
    /// Its store.
    pub store: Store,
    /// No redirects followed, no cookies kept: the tests carry them.
    pub http: reqwest::Client,
    server: tokio::task::JoinHandle<()>,
    _dir: tempfile::TempDir,
    _pg: Option<PgDatabase>,
}

impl Drop for SsoApp {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// `[sso]` settings for `issuer` with the given secret and the test groups.
pub fn sso_settings(issuer: &str, client_id: &str, secret: &str) -> SsoSettings {
    SsoSettings {
        issuer_url: Some(issuer.to_owned()),
        client_id: Some(client_id.to_owned()),
        client_secret: Some(SecretString::from(secret.to_owned())),
        scopes: ["openid", "AdobeID", "email", "profile"]
            .map(str::to_owned)
            .to_vec(),
        label: Some("Sign in with Adobe".to_owned()),
        admin_groups: vec![ADMINS.to_owned()],
        viewer_groups: vec![VIEWERS.to_owned()],
        ..SsoSettings::default()
    }
}

impl SsoApp {
    /// A server on a fresh database (PostgreSQL when `postgres`) with these `[sso]` settings,
    /// listening on `port` (the emulator's registered callback names it; 0 picks one).
    pub async fn spawn(postgres: bool, sso: &SsoSettings, port: u16) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let pg = if postgres {
            Some(PgDatabase::create().await.expect("TEST_POSTGRES_URL"))
        } else {
            None
        };
        let url = pg.as_ref().map(|p| p.admin.with_database(&p.name));
        let store = Store::open_data_dir(dir.path(), url.as_ref(), None)
            .await
            .unwrap();
        let provider = TokenProvider::new(
            ImsClient::with_defaults().unwrap(),
            Arc::new(SystemClock),
            ProviderOptions::default(),
        );
        let mut settings = Settings::for_tests();
        settings.listen.set_port(port);
        settings.sso = Some(sso.resolve().unwrap());
        let app = Application::build(settings, Dependencies::new(store.clone(), provider))
            .await
            .unwrap();
        let address = format!("http://127.0.0.1:{}", app.port());
        let server = tokio::spawn(async move {
            app.run_until(std::future::pending()).await.unwrap();
        });
        Self {
            address,
            store,
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            server,
            _dir: dir,
            _pg: pg,
        }
    }

    /// A URL on the server.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    /// `GET /auth/sso`: the provider's authorize URL and the flow cookie (`name=value`).
    pub async fn begin(&self) -> (url::Url, String) {
        let r = self.http.get(self.url("/auth/sso")).send().await.unwrap();
        assert_eq!(r.status(), 303, "{:?}", r.headers());
        let to = url::Url::parse(r.headers()["location"].to_str().unwrap()).unwrap();
        let cookie = set_cookie(&r, "imsbridge_sso_flow").expect("the flow cookie");
        (to, cookie)
    }

    /// `GET /auth/callback?…` with `cookie`.
    pub async fn callback(
        &self,
        query: &[(&str, &str)],
        cookie: Option<&str>,
    ) -> reqwest::Response {
        let mut req = self.http.get(self.url("/auth/callback")).query(query);
        if let Some(c) = cookie {
            req = req.header("cookie", c);
        }
        req.send().await.unwrap()
    }

    /// The `?sso_error=` kind a refused callback sends the browser back with.
    pub fn refused_with(r: &reqwest::Response) -> String {
        assert_eq!(r.status(), 303, "a refusal goes back to the sign-in page");
        let to = r.headers()["location"].to_str().unwrap();
        let url = url::Url::parse(&format!("http://x{to}")).unwrap();
        assert_eq!(url.path(), "/console/login");
        url.query_pairs()
            .find(|(k, _)| k == "sso_error")
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default()
    }

    /// The session (`name=value`) a successful callback set, and who it is (`GET
    /// /api/v1/session`).
    pub async fn signed_in(&self, r: reqwest::Response) -> (String, Value) {
        assert_eq!(r.status(), 200, "the callback answers with a page");
        let session = set_cookie(&r, "imsbridge_session").expect("a session cookie");
        let html = r.text().await.unwrap();
        let doc = scraper::Html::parse_document(&html);
        let refresh = scraper::Selector::parse("meta[http-equiv=refresh]").unwrap();
        assert_eq!(
            doc.select(&refresh).next().unwrap().value().attr("content"),
            Some("0;url=/console/integrations")
        );
        let me: Value = self
            .http
            .get(self.url("/api/v1/session"))
            .header("cookie", &session)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        (session, me)
    }

    /// The newest audit entries with `action`.
    pub async fn audit(&self, action: &str) -> Vec<imsbridge_store::AuditRecord> {
        let filter = imsbridge_store::AuditFilter {
            action: Some(action.to_owned()),
            ..Default::default()
        };
        self.store
            .list_audit(&filter, imsbridge_store::PageRequest::first(50))
            .await
            .unwrap()
            .items
    }
}

/// The `name=value` of the cookie `name` a response sets.
pub fn set_cookie(r: &reqwest::Response, name: &str) -> Option<String> {
    r.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .map(|v| v.split(';').next().unwrap_or_default().to_owned())
        .find(|pair| pair.starts_with(&format!("{name}=")) && pair.len() > name.len() + 1)
}

/// The query of a URL as a map.
pub fn query(url: &url::Url) -> HashMap<String, String> {
    url.query_pairs().into_owned().collect()
}

// ---------------------------------------------------------------------------------------
// A scripted provider
// ---------------------------------------------------------------------------------------

/// What the scripted provider's token endpoint answers for the next code.
#[derive(Clone, Debug)]
pub struct Script {
    /// The ID token's claims.
    pub claims: Value,
    /// Sign with another key than the published one.
    pub wrong_key: bool,
}

struct ProviderState {
    issuer: String,
    key: rsa::RsaPrivateKey,
    other_key: rsa::RsaPrivateKey,
    /// code → (PKCE challenge, what to answer).
    codes: Mutex<HashMap<String, (String, Script)>>,
    userinfo: Mutex<Value>,
}

/// An OpenID Connect provider whose ID tokens are whatever the test scripts.
pub struct ScriptedProvider {
    /// Its issuer (`http://127.0.0.1:<port>`).
    pub issuer: String,
    state: Arc<ProviderState>,
    server: tokio::task::JoinHandle<()>,
}

impl Drop for ScriptedProvider {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// The scripted provider's client id and secret.
pub const CLIENT_ID: &str = "scripted-client";
/// Its client secret.
pub const CLIENT_SECRET: &str = "scripted-secret";

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

async fn discovery(State(s): State<Arc<ProviderState>>) -> Json<Value> {
    let b = &s.issuer;
    Json(json!({
        "issuer": b,
        "authorization_endpoint": format!("{b}/authorize"),
        "token_endpoint": format!("{b}/token"),
        "userinfo_endpoint": format!("{b}/userinfo"),
        "jwks_uri": format!("{b}/keys"),
        "response_types_supported": ["code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
    }))
}

async fn keys(State(s): State<Arc<ProviderState>>) -> Json<Value> {
    let public = s.key.to_public_key();
    Json(json!({"keys": [{
        "kty": "RSA", "use": "sig", "alg": "RS256", "kid": "k1",
        "n": b64(&public.n().to_bytes_be()), "e": b64(&public.e().to_bytes_be()),
    }]}))
}

async fn token(
    State(s): State<Arc<ProviderState>>,
    headers: axum::http::HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> axum::response::Response {
    use axum::response::IntoResponse as _;
    let basic = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{CLIENT_ID}:{CLIENT_SECRET}"))
    );
    let refuse = |e: &str| {
        (
            axum::http::StatusCode::BAD_REQUEST,
            Json(json!({"error": e})),
        )
            .into_response()
    };
    if headers.get("authorization").and_then(|v| v.to_str().ok()) != Some(basic.as_str()) {
        return refuse("invalid_client");
    }
    let code = form.get("code").cloned().unwrap_or_default();
    let Some((challenge, script)) = s.codes.lock().unwrap().remove(&code) else {
        return refuse("invalid_grant");
    };
    let verifier = form.get("code_verifier").cloned().unwrap_or_default();
    if b64(&Sha256::digest(verifier.as_bytes())) != challenge {
        return refuse("invalid_grant");
    }
    let key = if script.wrong_key {
        &s.other_key
    } else {
        &s.key
    };
    let pem = key.to_pkcs1_pem(rsa::pkcs1::LineEnding::LF).unwrap();
    let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::RS256);
    header.kid = Some("k1".into());
    let id_token = jsonwebtoken::encode(
        &header,
        &script.claims,
        &jsonwebtoken::EncodingKey::from_rsa_pem(pem.as_bytes()).unwrap(),
    )
    .unwrap();
    Json(json!({
        "access_token": "at-1", "token_type": "bearer", "expires_in": 3600, "id_token": id_token,
    }))
    .into_response()
}

async fn userinfo(State(s): State<Arc<ProviderState>>) -> Json<Value> {
    Json(s.userinfo.lock().unwrap().clone())
}

impl ScriptedProvider {
    /// Starts the provider on a free port.
    pub async fn spawn() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let issuer = format!("http://{}", listener.local_addr().unwrap());
        let mut rng = rand::thread_rng();
        let state = Arc::new(ProviderState {
            issuer: issuer.clone(),
            key: rsa::RsaPrivateKey::new(&mut rng, 2048).unwrap(),
            other_key: rsa::RsaPrivateKey::new(&mut rng, 2048).unwrap(),
            codes: Mutex::default(),
            userinfo: Mutex::new(json!({})),
        });
        let router = Router::new()
            .route("/.well-known/openid-configuration", get(discovery))
            .route("/keys", get(keys))
            .route("/token", post(token))
            .route("/userinfo", get(userinfo))
            .with_state(state.clone());
        let server = tokio::spawn(async move {
            axum::serve(listener, router).await.unwrap();
        });
        Self {
            issuer,
            state,
            server,
        }
    }

    /// ID token claims that pass every check, for the authorize request `to`.
    pub fn good_claims(&self, to: &url::Url, sub: &str, groups: &[&str]) -> Value {
        let q = query(to);
        let now = chrono::Utc::now().timestamp();
        json!({
            "iss": self.issuer, "aud": CLIENT_ID, "sub": sub, "nonce": q["nonce"],
            "iat": now, "exp": now + 300, "email": format!("{sub}@example.com"),
            "groups": groups,
        })
    }

    /// Registers `code` for the authorize request `to`, answering with `script`.
    pub fn expect_code(&self, to: &url::Url, code: &str, script: Script) {
        let challenge = query(to)["code_challenge"].clone();
        self.state
            .codes
            .lock()
            .unwrap()
            .insert(code.to_owned(), (challenge, script));
    }

    /// What userinfo answers.
    pub fn set_userinfo(&self, claims: Value) {
        *self.state.userinfo.lock().unwrap() = claims;
    }
}
