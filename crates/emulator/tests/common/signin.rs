//! A browser stand-in for the sign-in flow: no redirects followed, one cookie kept.

use std::collections::HashMap;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use imsbridge_emulator::{Emulator, EmulatorHandle, User, WebCredential};
use serde_json::Value;
use sha2::{Digest, Sha256};

pub const CALLBACK: &str = "https://app.example.com/auth/callback";
pub const PASSWORD: &str = "correct horse battery staple";

pub struct App {
    pub emulator: EmulatorHandle,
    pub web: WebCredential,
    pub user: User,
    pub http: reqwest::Client,
    /// The emulator's sign-in cookie, once signed in.
    pub cookie: Option<String>,
}

/// An emulator with an org, a user in two groups and a web credential for [`CALLBACK`].
pub async fn app() -> App {
    let emulator = Emulator::spawn().await.expect("emulator starts");
    let org = emulator.create_org("Sign-in Org").unwrap();
    let project = emulator.create_project(&org.id, "Console", false).unwrap();
    let web = emulator
        .create_web_credential(&project.id, r"https://app\.example\.com/auth/.*", CALLBACK)
        .unwrap();
    let user = emulator
        .create_user(
            &org.id,
            "ada@example.com",
            "Ada Lovelace",
            PASSWORD,
            &["imsbridge-admins", "staff"],
        )
        .unwrap();
    App {
        emulator,
        web,
        user,
        http: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap(),
        cookie: None,
    }
}

/// A PKCE verifier and its S256 challenge.
pub fn pkce(seed: &str) -> (String, String) {
    let verifier = format!("{seed}-verifier-{}", "x".repeat(43));
    let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
    (verifier, challenge)
}

/// The query of a `Location` header as a map.
pub fn location_query(response: &reqwest::Response) -> (String, HashMap<String, String>) {
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let url = url::Url::parse(&location).unwrap();
    let query = url.query_pairs().into_owned().collect();
    let mut base = url.clone();
    base.set_query(None);
    (base.to_string(), query)
}

impl App {
    pub fn authorize_params(&self, challenge: &str) -> Vec<(&'static str, String)> {
        vec![
            ("client_id", self.web.client_id.clone()),
            ("redirect_uri", CALLBACK.into()),
            ("scope", "openid,AdobeID,email,profile".into()),
            ("state", "state-123".into()),
            ("nonce", "nonce-456".into()),
            ("response_type", "code".into()),
            ("code_challenge", challenge.into()),
            ("code_challenge_method", "S256".into()),
        ]
    }

    pub async fn get_authorize(&self, params: &[(&str, String)]) -> reqwest::Response {
        let mut req = self
            .http
            .get(format!("{}/ims/authorize/v2", self.emulator.base_url()))
            .query(params);
        if let Some(c) = &self.cookie {
            req = req.header("cookie", c);
        }
        req.send().await.unwrap()
    }

    /// Submits the sign-in form of an authorize page with these credentials.
    pub async fn submit(&mut self, page: &str, email: &str, password: &str) -> reqwest::Response {
        let form: Vec<(String, String)> = {
            let html = scraper::Html::parse_document(page);
            let hidden = scraper::Selector::parse("form#sign-in input[type=hidden]").unwrap();
            let mut fields: Vec<(String, String)> = html
                .select(&hidden)
                .map(|i| {
                    (
                        i.value().attr("name").unwrap().to_owned(),
                        i.value().attr("value").unwrap().to_owned(),
                    )
                })
                .collect();
            fields.push(("email".into(), email.into()));
            fields.push(("password".into(), password.into()));
            fields
        };
        let r = self
            .http
            .post(format!("{}/ims/authorize/v2", self.emulator.base_url()))
            .form(&form)
            .send()
            .await
            .unwrap();
        if let Some(c) = r.headers().get("set-cookie") {
            let pair = c.to_str().unwrap().split(';').next().unwrap().to_owned();
            self.cookie = Some(pair);
        }
        r
    }

    /// Signs in through the page and returns the code.
    pub async fn sign_in(&mut self, params: &[(&str, String)]) -> String {
        let page = self.get_authorize(params).await;
        assert_eq!(page.status(), 200);
        let page = page.text().await.unwrap();
        let r = self.submit(&page, "ada@example.com", PASSWORD).await;
        assert_eq!(r.status(), 303);
        let (to, query) = location_query(&r);
        assert_eq!(to, CALLBACK);
        assert_eq!(query["state"], "state-123");
        query["code"].clone()
    }

    /// `POST /ims/token/v3` with the web credential's Basic auth and these fields.
    pub async fn token(&self, form: &[(&str, &str)]) -> reqwest::Response {
        self.http
            .post(format!("{}/ims/token/v3", self.emulator.base_url()))
            .basic_auth(&self.web.client_id, Some(&self.web.client_secret))
            .form(form)
            .send()
            .await
            .unwrap()
    }

    pub async fn exchange(&self, code: &str, verifier: &str) -> reqwest::Response {
        self.token(&[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", CALLBACK),
            ("code_verifier", verifier),
        ])
        .await
    }

    pub async fn jwks_key(&self) -> jsonwebtoken::DecodingKey {
        let jwks: Value = self
            .http
            .get(format!("{}/ims/keys", self.emulator.base_url()))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let key = &jwks["keys"][0];
        jsonwebtoken::DecodingKey::from_rsa_components(
            key["n"].as_str().unwrap(),
            key["e"].as_str().unwrap(),
        )
        .unwrap()
    }
}
