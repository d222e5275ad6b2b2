//! One request to IMS: OAuth client credentials or the JWT exchange. No cache, no retries.

use std::error::Error as _;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use imsbridge_domain::{AuthorizationServer, Clock, Credentials, JwtCredentials, OAuthCredentials};
use reqwest::header::{HeaderMap, LOCATION, RETRY_AFTER};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

use crate::error::ImsError;
use crate::io_management::IoManagementClient;
use crate::jwt::build_assertion;
use crate::token::{AccessToken, Grant, SharedSecret};

/// Path of the OAuth client credentials grant.
pub(crate) const TOKEN_PATH: &str = "/ims/token/v3";
/// Path of the JWT exchange.
pub(crate) const JWT_EXCHANGE_PATH: &str = "/ims/exchange/jwt";

/// Bodies larger than this are not token responses; refusing them bounds memory.
const MAX_BODY: usize = 64 * 1024;

/// How the HTTP client talks to IMS.
#[derive(Clone, Debug)]
pub struct ImsClientOptions {
    /// Limit for establishing a connection (TCP and TLS).
    pub connect_timeout: Duration,
    /// Limit for a whole request, body included. A token request's budget
    /// ([`crate::ProviderOptions::token_budget`]) may cut it shorter.
    pub request_timeout: Duration,
    /// The `User-Agent` header sent.
    pub user_agent: String,
    /// How long the JWT built for an exchange stays valid (IMS wants it short).
    pub jwt_lifetime: Duration,
    /// Where Adobe's I/O Management API is served (client-secret rotation).
    pub io_management_url: url::Url,
}

impl Default for ImsClientOptions {
    fn default() -> Self {
        Self {
            connect_timeout: Duration::from_secs(5),
            request_timeout: Duration::from_secs(5),
            user_agent: concat!("imsbridge/", env!("CARGO_PKG_VERSION")).to_owned(),
            jwt_lifetime: Duration::from_secs(5 * 60),
            io_management_url: url::Url::parse(crate::io_management::DEFAULT_IO_MANAGEMENT_URL)
                .expect("the default I/O Management URL parses"),
        }
    }
}

/// The HTTP client could not be set up (TLS backend initialisation failed).
#[derive(Debug, thiserror::Error)]
#[error("could not set up the HTTP client for IMS: {0}")]
pub struct ClientBuildError(#[source] reqwest::Error);

/// A client for IMS's token endpoints; cheap to clone (connection pool shared).
///
/// It never follows redirects and always has connect and request timeouts.
#[derive(Clone, Debug)]
pub struct ImsClient {
    http: reqwest::Client,
    jwt_lifetime: Duration,
    io_management_url: url::Url,
}

/// IMS's success body; `expires_in` is seconds for token v3 and milliseconds for the JWT
/// exchange, and is sometimes sent as a string.
#[derive(Deserialize)]
struct TokenBody {
    access_token: SecretString,
    #[serde(default)]
    token_type: Option<String>,
    expires_in: serde_json::Value,
}

/// IMS's error body.
#[derive(Deserialize, Default)]
struct ErrorBody {
    #[serde(default)]
    error: Option<String>,
    #[serde(default)]
    error_code: Option<String>,
    #[serde(default)]
    error_description: Option<String>,
}

impl ImsClient {
    /// Builds a client with `options`.
    pub fn new(options: &ImsClientOptions) -> Result<Self, ClientBuildError> {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(options.connect_timeout)
            .timeout(options.request_timeout)
            .user_agent(options.user_agent.clone())
            .build()
            .map_err(ClientBuildError)?;
        Ok(Self {
            http,
            jwt_lifetime: options.jwt_lifetime,
            io_management_url: options.io_management_url.clone(),
        })
    }

    /// The HTTP client (no redirects, bounded timeouts).
    pub(crate) fn http(&self) -> &reqwest::Client {
        &self.http
    }

    /// A client for Adobe's I/O Management API, at the configured URL, on this connection
    /// pool.
    pub fn io_management(&self) -> IoManagementClient {
        IoManagementClient::new(self.clone(), self.io_management_url.clone())
    }

    /// Builds a client with the default options.
    pub fn with_defaults() -> Result<Self, ClientBuildError> {
        Self::new(&ImsClientOptions::default())
    }

    /// Fetches a token for `creds` with the grant they call for.
    pub async fn fetch(
        &self,
        server: &AuthorizationServer,
        creds: &Credentials,
        clock: &dyn Clock,
    ) -> Result<AccessToken, ImsError> {
        match creds {
            Credentials::OAuth(oauth) => self.client_credentials(server, oauth, clock).await,
            Credentials::Jwt(jwt) => self.jwt_exchange(server, jwt, clock).await,
        }
    }

    /// `POST {server}/ims/token/v3` with `grant_type=client_credentials`.
    pub async fn client_credentials(
        &self,
        server: &AuthorizationServer,
        creds: &OAuthCredentials,
        clock: &dyn Clock,
    ) -> Result<AccessToken, ImsError> {
        let endpoint = server.endpoint(TOKEN_PATH);
        let scope = creds.scopes.to_string();
        let form = [
            ("grant_type", "client_credentials"),
            ("client_id", creds.client_id.as_str()),
            ("client_secret", creds.client_secret.expose_secret()),
            ("scope", scope.as_str()),
        ];
        let request = self.http.post(&endpoint).form(&form);
        self.send(request, &endpoint, Grant::ClientCredentials, clock)
            .await
    }

    /// `POST {server}/ims/exchange/jwt` with a freshly signed JWT.
    pub async fn jwt_exchange(
        &self,
        server: &AuthorizationServer,
        creds: &JwtCredentials,
        clock: &dyn Clock,
    ) -> Result<AccessToken, ImsError> {
        let endpoint = server.endpoint(JWT_EXCHANGE_PATH);
        let jwt = build_assertion(server, creds, clock.now(), self.jwt_lifetime)?;
        let form = [
            ("client_id", creds.api_key.as_str()),
            ("client_secret", creds.client_secret.expose_secret()),
            ("jwt_token", jwt.expose_secret()),
        ];
        let request = self.http.post(&endpoint).form(&form);
        self.send(request, &endpoint, Grant::JwtExchange, clock)
            .await
    }

    async fn send(
        &self,
        request: reqwest::RequestBuilder,
        endpoint: &str,
        grant: Grant,
        clock: &dyn Clock,
    ) -> Result<AccessToken, ImsError> {
        let response = request
            .send()
            .await
            .map_err(|e| transport_error(endpoint, &e))?;
        let status = response.status();
        let headers = response.headers().clone();
        let debug_id = header_text(&headers, "x-debug-id");
        if status.is_redirection() {
            return Err(ImsError::Redirect {
                endpoint: endpoint.to_owned(),
                status: status.as_u16(),
                location: header_text(&headers, LOCATION.as_str()),
            });
        }
        let body = response
            .bytes()
            .await
            .map_err(|e| transport_error(endpoint, &e))?;
        // Expiry is measured from when the answer arrived, on the injected clock.
        let received_at = clock.now();
        if !status.is_success() {
            let parsed: ErrorBody = serde_json::from_slice(&body).unwrap_or_default();
            return Err(ImsError::Rejected {
                endpoint: endpoint.to_owned(),
                status: status.as_u16(),
                code: parsed.error.or(parsed.error_code),
                description: parsed.error_description,
                debug_id,
                retry_after: retry_after(&headers, received_at),
            });
        }
        let malformed = |reason: String| ImsError::Malformed {
            endpoint: endpoint.to_owned(),
            status: status.as_u16(),
            debug_id: debug_id.clone(),
            reason,
        };
        if body.len() > MAX_BODY {
            return Err(malformed(format!("{} bytes is too large", body.len())));
        }
        // serde_json's messages give a position and an expectation, never the value read.
        let parsed: TokenBody = serde_json::from_slice(&body)
            .map_err(|e| malformed(format!("not a token response ({e})")))?;
        let amount = expires_in(&parsed.expires_in)
            .ok_or_else(|| malformed("expires_in is not a positive number".into()))?;
        let lifetime = match grant {
            Grant::ClientCredentials => Duration::from_secs(amount),
            Grant::JwtExchange => Duration::from_millis(amount),
        };
        let lifetime = chrono::Duration::from_std(lifetime)
            .map_err(|_| malformed("expires_in is out of range".into()))?;
        if parsed.access_token.expose_secret().is_empty() {
            return Err(malformed("access_token is empty".into()));
        }
        Ok(AccessToken {
            token: SharedSecret::new(parsed.access_token),
            token_type: parsed.token_type.map_or_else(|| "bearer".into(), Arc::from),
            expires_at: received_at + lifetime,
            issued_at: received_at,
        })
    }
}

/// The URL a token request for `creds` goes to.
pub(crate) fn endpoint(server: &AuthorizationServer, creds: &Credentials) -> String {
    server.endpoint(match creds {
        Credentials::OAuth(_) => TOKEN_PATH,
        Credentials::Jwt(_) => JWT_EXCHANGE_PATH,
    })
}

fn expires_in(value: &serde_json::Value) -> Option<u64> {
    match value {
        serde_json::Value::Number(n) => n
            .as_u64()
            .or_else(|| n.as_f64().filter(|f| *f >= 0.0).map(|f| f as u64)),
        serde_json::Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
    .filter(|n| *n > 0)
}

fn header_text(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// `Retry-After` as seconds or an HTTP date.
fn retry_after(headers: &HeaderMap, now: DateTime<Utc>) -> Option<Duration> {
    let raw = header_text(headers, RETRY_AFTER.as_str())?;
    let raw = raw.trim();
    if let Ok(secs) = raw.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = DateTime::parse_from_rfc2822(raw).ok()?;
    Some(
        (at.with_timezone(&Utc) - now)
            .to_std()
            .unwrap_or(Duration::ZERO),
    )
}

fn transport_error(endpoint: &str, error: &reqwest::Error) -> ImsError {
    // The innermost cause says what happened ("connection refused"); reqwest's own message
    // only repeats the URL.
    let mut reason = error.to_string();
    let mut source = error.source();
    while let Some(s) = source {
        reason = s.to_string();
        source = s.source();
    }
    let endpoint = endpoint.to_owned();
    if error.is_timeout() {
        ImsError::Timeout { endpoint, reason }
    } else {
        ImsError::Connect { endpoint, reason }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expires_in_is_read_from_numbers_and_numeric_strings() {
        assert_eq!(expires_in(&serde_json::json!(86399)), Some(86399));
        assert_eq!(expires_in(&serde_json::json!("86399000")), Some(86_399_000));
        assert_eq!(expires_in(&serde_json::json!(0)), None);
        assert_eq!(expires_in(&serde_json::json!(-5)), None);
        assert_eq!(expires_in(&serde_json::json!(null)), None);
    }

    #[test]
    fn retry_after_is_read_as_seconds_or_an_http_date() {
        let now = DateTime::parse_from_rfc3339("2015-10-21T07:28:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let mut h = HeaderMap::new();
        h.insert(RETRY_AFTER, "7".parse().unwrap());
        assert_eq!(retry_after(&h, now), Some(Duration::from_secs(7)));
        h.insert(
            RETRY_AFTER,
            "Wed, 21 Oct 2015 07:28:30 GMT".parse().unwrap(),
        );
        assert_eq!(retry_after(&h, now), Some(Duration::from_secs(30)));
        h.insert(RETRY_AFTER, "soon".parse().unwrap());
        assert_eq!(retry_after(&h, now), None);
    }
}
