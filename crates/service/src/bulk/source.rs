//! The credential source: a Developer Console–compatible HTTP API that migrates a JWT
//! credential to OAuth Server-to-Server (same client id, secret and technical account) and
//! hands back the new credential. The emulator serves one under `/console`.
//!
//! The configured URL is the API's base, such as `http://127.0.0.1:8181/console`; the client
//! calls `POST {base}/credentials/{client_id}/migrate` and, when the credential was migrated
//! already (409), reads it back with `GET {base}/credentials/{client_id}`.

use std::fmt;
use std::time::Duration;

use imsbridge_domain::{ClientId, OrgId, Scopes, SecretString, TechnicalAccountId};
use serde::Deserialize;
use url::Url;

/// Why the credential source gave no credential.
#[derive(Debug, Clone, thiserror::Error)]
pub enum SourceError {
    /// The URL is not usable.
    #[error("the credential source URL {} is not an http(s) URL", imsbridge_domain::quoted(.0))]
    BadUrl(String),
    /// The request did not complete (connection, timeout).
    #[error("the credential source could not be reached: {0}")]
    Unreachable(String),
    /// It answered with an error.
    #[error("the credential source refused (HTTP {status}): {message}")]
    Refused {
        /// The HTTP status.
        status: u16,
        /// Its `error_description`, or the status text.
        message: String,
    },
    /// It answered something that is not a credential.
    #[error("the credential source sent an unusable credential: {0}")]
    Malformed(String),
}

/// The OAuth credential the source made (or had made) for a JWT one.
#[derive(Clone)]
pub struct SourceCredential {
    /// The client id (the JWT one's).
    pub client_id: ClientId,
    /// The first client secret.
    pub client_secret: SecretString,
    /// Its scopes.
    pub scopes: Scopes,
    /// Its organization.
    pub org_id: OrgId,
    /// Its technical account.
    pub technical_account_id: Option<TechnicalAccountId>,
}

impl fmt::Debug for SourceCredential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SourceCredential")
            .field("client_id", &self.client_id)
            .field("scopes", &self.scopes)
            .field("org_id", &self.org_id)
            .finish_non_exhaustive()
    }
}

#[derive(Deserialize)]
struct WireCredential {
    client_id: String,
    #[serde(default)]
    client_secrets: Vec<SecretString>,
    #[serde(default)]
    scopes: Vec<String>,
    org_id: String,
    #[serde(default)]
    technical_account_id: Option<String>,
}

#[derive(Deserialize)]
struct WireLookup {
    oauth: Option<WireOAuthRecord>,
}

#[derive(Deserialize)]
struct WireOAuthRecord {
    credential: WireCredential,
}

#[derive(Deserialize, Default)]
struct WireError {
    #[serde(default)]
    error: Option<String>,
    #[serde(default)]
    error_description: Option<String>,
}

/// A client of the credential source; cheap to clone.
#[derive(Clone, Debug)]
pub struct CredentialSource {
    base: String,
    http: reqwest::Client,
}

impl CredentialSource {
    /// A client for the API at `base_url` (no redirects followed; 5 s to connect, 30 s per
    /// request).
    pub fn new(base_url: &str) -> Result<Self, SourceError> {
        let url = Url::parse(base_url.trim())
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https"))
            .ok_or_else(|| SourceError::BadUrl(base_url.to_owned()))?;
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(30))
            .build()
            .map_err(|e| SourceError::Unreachable(e.to_string()))?;
        Ok(Self {
            base: url.as_str().trim_end_matches('/').to_owned(),
            http,
        })
    }

    /// The base URL.
    pub fn base_url(&self) -> &str {
        &self.base
    }

    /// Migrates the JWT credential `client_id` and returns the OAuth credential; a credential
    /// migrated before (by an earlier attempt or by hand) is returned as it is.
    pub async fn migrate(&self, client_id: &ClientId) -> Result<SourceCredential, SourceError> {
        let id = url_segment(client_id.as_str());
        let response = self
            .http
            .post(format!("{}/credentials/{id}/migrate", self.base))
            .send()
            .await
            .map_err(|e| SourceError::Unreachable(e.without_url().to_string()))?;
        let status = response.status().as_u16();
        if status == 409 {
            // Already migrated: resuming after a crash between the two steps.
            let lookup = self
                .http
                .get(format!("{}/credentials/{id}", self.base))
                .send()
                .await
                .map_err(|e| SourceError::Unreachable(e.without_url().to_string()))?;
            if !lookup.status().is_success() {
                return Err(refused(lookup).await);
            }
            let body: WireLookup = lookup
                .json()
                .await
                .map_err(|e| SourceError::Malformed(e.without_url().to_string()))?;
            return match body.oauth {
                Some(record) => record.credential.try_into(),
                None => Err(SourceError::Refused {
                    status,
                    message: "the credential cannot be migrated and has no OAuth credential".into(),
                }),
            };
        }
        if !response.status().is_success() {
            return Err(refused(response).await);
        }
        let wire: WireCredential = response
            .json()
            .await
            .map_err(|e| SourceError::Malformed(e.without_url().to_string()))?;
        wire.try_into()
    }
}

async fn refused(response: reqwest::Response) -> SourceError {
    let status = response.status();
    let body: WireError = response.json().await.unwrap_or_default();
    SourceError::Refused {
        status: status.as_u16(),
        message: body
            .error_description
            .or(body.error)
            .unwrap_or_else(|| status.canonical_reason().unwrap_or("error").to_owned()),
    }
}

fn url_segment(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

impl TryFrom<WireCredential> for SourceCredential {
    type Error = SourceError;
    fn try_from(w: WireCredential) -> Result<Self, SourceError> {
        let bad = |e: imsbridge_domain::ParseError| SourceError::Malformed(e.to_string());
        Ok(Self {
            client_id: ClientId::parse(&w.client_id).map_err(bad)?,
            client_secret: w.client_secrets.into_iter().next().ok_or_else(|| {
                SourceError::Malformed("the credential has no client secret".into())
            })?,
            scopes: Scopes::from_items(w.scopes.iter().map(String::as_str)).map_err(bad)?,
            org_id: OrgId::parse(&w.org_id).map_err(bad)?,
            technical_account_id: w
                .technical_account_id
                .filter(|s| !s.trim().is_empty())
                .map(|s| TechnicalAccountId::parse(&s))
                .transpose()
                .map_err(bad)?,
        })
    }
}
