//! Adobe's I/O Management API for a credential's own client secrets: list, add, delete at
//! `{base}/console/organizations/{orgId}/credentials/{credentialId}/secrets`.
//!
//! Every call carries `x-api-key: <client id>` and a bearer token fetched with the
//! credential's *current* secret and [`IO_MANAGEMENT_SCOPES`]. That token is fetched here,
//! outside the token cache, so that it never replaces the configuration's own token.

use std::fmt;
use std::fmt::Write as _;
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use imsbridge_domain::{
    AuthorizationServer, Clock, ConsoleOrgId, CredentialId, OAuthCredentials, Scopes, SecretUuid,
};
use reqwest::Method;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use serde_json::Value;
use url::Url;

use crate::client::ImsClient;
use crate::error::ImsError;

/// Where Adobe serves the I/O Management API.
pub const DEFAULT_IO_MANAGEMENT_URL: &str = "https://api.adobe.io";

/// The scopes Adobe's rotation guide asks for.
pub const IO_MANAGEMENT_SCOPES: &str = "AdobeID,openid,read_organizations,additional_info.projectedProductContext,additional_info.roles,adobeio_api,read_client_secret,manage_client_secrets";

/// Answers larger than this are not secret listings; refusing them bounds memory.
const MAX_BODY: usize = 256 * 1024;

/// One of a credential's client secrets as Adobe lists it: never its value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SecretInfo {
    /// Adobe's uuid of the secret.
    pub uuid: SecretUuid,
    /// When it was made.
    pub created_at: Option<DateTime<Utc>>,
    /// The last time IMS accepted it, for any grant.
    pub last_used_at: Option<DateTime<Utc>>,
}

/// A secret just added: the only time Adobe shows its value.
pub struct NewSecret {
    /// Its uuid and times.
    pub info: SecretInfo,
    /// The value, shown once.
    pub value: SecretString,
}

impl fmt::Debug for NewSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NewSecret")
            .field("info", &self.info)
            .field("value", &"[REDACTED]")
            .finish()
    }
}

/// Why an I/O Management call failed.
#[derive(Debug, thiserror::Error)]
pub enum IoManagementError {
    /// IMS refused the token the API needs (with the credential's current secret and the
    /// I/O Management scopes).
    #[error(
        "could not get a token for the I/O Management API: {0}; the credential's project needs the I/O Management API (it grants read_client_secret and manage_client_secrets)"
    )]
    Token(#[source] ImsError),
    /// Adobe's gateway or API refused the call.
    #[error("{}", refused_message(*.status, .code.as_deref(), .message.as_deref(), .request_id.as_deref()))]
    Refused {
        /// The HTTP status.
        status: u16,
        /// Adobe's `error_code`, such as `403011`.
        code: Option<String>,
        /// Adobe's `message`.
        message: Option<String>,
        /// Adobe's `x-request-id`.
        request_id: Option<String>,
        /// How long Adobe asked to wait, on a 429.
        retry_after: Option<Duration>,
    },
    /// No answer, or no complete answer, in time or at all.
    #[error("the I/O Management API at {endpoint} could not be reached: {reason}")]
    Unreachable {
        /// The URL called.
        endpoint: String,
        /// The transport's message.
        reason: String,
    },
    /// An answer that is not what the API documents.
    #[error(
        "the I/O Management API at {endpoint} answered HTTP {status} with an unreadable body: {reason}"
    )]
    Malformed {
        /// The URL called.
        endpoint: String,
        /// The HTTP status.
        status: u16,
        /// What was wrong (never the body).
        reason: String,
    },
}

fn refused_message(
    status: u16,
    code: Option<&str>,
    message: Option<&str>,
    request_id: Option<&str>,
) -> String {
    let hint = match (status, code) {
        (403, Some("403000" | "403003")) => {
            "; the client id is not an API key Adobe knows: check the configuration's client id"
        }
        (401, _) | (403, Some("403010")) => "; the access token was refused",
        (403, Some("403011")) => {
            "; the token lacks read_client_secret or manage_client_secrets: add the I/O Management API to the credential's project in the Developer Console"
        }
        (403, _) => {
            "; the organization or credential id belongs to another credential: check console_org_id and credential_id"
        }
        (404, _) => {
            "; no such credential or secret: check console_org_id and credential_id (the project JSON's project.org.id and the credential's id)"
        }
        (409, _) => "; a credential holds at most two secrets and never none",
        (429, _) => "; Adobe is throttling, try again later",
        (s, _) if s >= 500 => "; Adobe's service failed, try again later",
        _ => "",
    };
    let mut out = format!("the I/O Management API refused the request with HTTP {status}");
    if let Some(code) = code {
        let _ = write!(out, " ({code})");
    }
    if let Some(message) = message {
        let _ = write!(out, ": {message}");
    }
    out.push_str(hint);
    if let Some(id) = request_id {
        let _ = write!(out, " (x-request-id {id})");
    }
    out
}

impl IoManagementError {
    /// Whether trying again later may succeed (throttling, outages, transport failures).
    pub fn is_transient(&self) -> bool {
        match self {
            Self::Token(e) => e.is_transient(),
            Self::Refused { status, .. } => *status == 429 || *status >= 500,
            Self::Unreachable { .. } | Self::Malformed { .. } => true,
        }
    }
}

/// The credential a call is about: where it lives and how to get a token for it.
#[derive(Clone, Copy, Debug)]
pub struct CredentialRef<'a> {
    /// IMS, for the token.
    pub server: &'a AuthorizationServer,
    /// The credential's current details (its current secret gets the token).
    pub oauth: &'a OAuthCredentials,
    /// The Developer Console organization.
    pub console_org_id: &'a ConsoleOrgId,
    /// The Developer Console credential.
    pub credential_id: &'a CredentialId,
}

/// A token for the I/O Management API of one credential.
pub struct Session<'a> {
    client: &'a IoManagementClient,
    credential: CredentialRef<'a>,
    token: SecretString,
}

/// A client for the I/O Management API; cheap to clone (connection pool shared with IMS's).
#[derive(Clone, Debug)]
pub struct IoManagementClient {
    ims: ImsClient,
    base: Url,
}

#[derive(Deserialize)]
struct ListBody {
    #[serde(default)]
    client_secrets: Vec<Value>,
}

#[derive(Deserialize, Default)]
struct GatewayBody {
    #[serde(default)]
    error_code: Option<Value>,
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    error: Option<String>,
    #[serde(default)]
    error_description: Option<String>,
}

impl IoManagementClient {
    /// A client for the API at `base` (normally [`DEFAULT_IO_MANAGEMENT_URL`]), sending
    /// through `ims`'s HTTP client: no redirects, bounded timeouts.
    pub fn new(ims: ImsClient, base: Url) -> Self {
        Self { ims, base }
    }

    /// The API's base URL.
    pub fn base_url(&self) -> &Url {
        &self.base
    }

    /// Fetches a token with the credential's current secret and the I/O Management scopes.
    /// Not cached: the configuration's own token is untouched.
    pub async fn session<'a>(
        &'a self,
        credential: CredentialRef<'a>,
        clock: &dyn Clock,
    ) -> Result<Session<'a>, IoManagementError> {
        let mut oauth = credential.oauth.clone();
        oauth.scopes =
            Scopes::parse(IO_MANAGEMENT_SCOPES).map_err(|e| IoManagementError::Malformed {
                endpoint: String::new(),
                status: 0,
                reason: e.to_string(),
            })?;
        let token = self
            .ims
            .client_credentials(credential.server, &oauth, clock)
            .await
            .map_err(IoManagementError::Token)?;
        Ok(Session {
            client: self,
            credential,
            token: token.token.as_secret_string().clone(),
        })
    }

    fn url(&self, credential: &CredentialRef<'_>, uuid: Option<&SecretUuid>) -> String {
        let mut url = format!(
            "{}/console/organizations/{}/credentials/{}/secrets",
            self.base.as_str().trim_end_matches('/'),
            credential.console_org_id,
            credential.credential_id
        );
        if let Some(uuid) = uuid {
            url.push('/');
            url.push_str(uuid.as_str());
        }
        url
    }
}

impl Session<'_> {
    /// The credential's secrets: uuid, creation and last use; never values.
    pub async fn list(&self) -> Result<Vec<SecretInfo>, IoManagementError> {
        let (url, status, body) = self.call(Method::GET, None).await?;
        let parsed: ListBody =
            serde_json::from_slice(&body).map_err(|e| malformed(&url, status, &e))?;
        parsed
            .client_secrets
            .iter()
            .map(|v| {
                secret_info(v).ok_or_else(|| malformed(&url, status, &"a secret without a uuid"))
            })
            .collect()
    }

    /// Adds a secret; Adobe refuses a third (409).
    pub async fn add(&self) -> Result<NewSecret, IoManagementError> {
        let (url, status, body) = self.call(Method::POST, None).await?;
        let parsed: Value =
            serde_json::from_slice(&body).map_err(|e| malformed(&url, status, &e))?;
        let info = secret_info(&parsed).ok_or_else(|| malformed(&url, status, &"no uuid"))?;
        let value = parsed
            .get("client_secret")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .ok_or_else(|| malformed(&url, status, &"no client_secret"))?;
        Ok(NewSecret {
            info,
            value: SecretString::from(value.to_owned()),
        })
    }

    /// Deletes secret `uuid`; Adobe refuses the last one (409).
    pub async fn delete(&self, uuid: &SecretUuid) -> Result<(), IoManagementError> {
        self.call(Method::DELETE, Some(uuid)).await.map(|_| ())
    }

    async fn call(
        &self,
        method: Method,
        uuid: Option<&SecretUuid>,
    ) -> Result<(String, u16, Vec<u8>), IoManagementError> {
        let url = self.client.url(&self.credential, uuid);
        let unreachable = |e: &reqwest::Error| IoManagementError::Unreachable {
            endpoint: url.clone(),
            reason: innermost(e),
        };
        let response = self
            .client
            .ims
            .http()
            .request(method, &url)
            .header("x-api-key", self.credential.oauth.client_id.as_str())
            .bearer_auth(self.token.expose_secret())
            .send()
            .await
            .map_err(|e| unreachable(&e))?;
        let status = response.status();
        let headers = response.headers().clone();
        let body = response.bytes().await.map_err(|e| unreachable(&e))?;
        if body.len() > MAX_BODY {
            return Err(malformed(&url, status.as_u16(), &"the answer is too large"));
        }
        if status.is_success() {
            return Ok((url, status.as_u16(), body.to_vec()));
        }
        let parsed: GatewayBody = serde_json::from_slice(&body).unwrap_or_default();
        let text = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        Err(IoManagementError::Refused {
            status: status.as_u16(),
            code: parsed
                .error_code
                .map(|c| c.as_str().map_or_else(|| c.to_string(), str::to_owned))
                .or(parsed.error),
            message: parsed.message.or(parsed.error_description),
            request_id: text("x-request-id"),
            retry_after: text("retry-after")
                .and_then(|s| s.trim().parse().ok())
                .map(Duration::from_secs),
        })
    }
}

fn malformed(url: &str, status: u16, reason: &dyn fmt::Display) -> IoManagementError {
    IoManagementError::Malformed {
        endpoint: url.to_owned(),
        status,
        reason: reason.to_string(),
    }
}

fn innermost(error: &reqwest::Error) -> String {
    let mut reason = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(s) = source {
        reason = s.to_string();
        source = s.source();
    }
    if error.is_timeout() {
        format!("no answer in time ({reason})")
    } else {
        reason
    }
}

/// A time as Adobe sends it: milliseconds since the epoch (number or text), or RFC 3339.
fn time(value: &Value) -> Option<DateTime<Utc>> {
    let millis = match value {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => match s.trim().parse::<i64>() {
            Ok(ms) => Some(ms),
            Err(_) => {
                return DateTime::parse_from_rfc3339(s.trim())
                    .ok()
                    .map(|t| t.with_timezone(&Utc));
            }
        },
        _ => None,
    }?;
    Utc.timestamp_millis_opt(millis).single()
}

fn secret_info(v: &Value) -> Option<SecretInfo> {
    let uuid = SecretUuid::parse(v.get("uuid")?.as_str()?).ok()?;
    let last_used_at = v
        .get("secret_usages")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|u| u.get("last_used_at").and_then(time))
        .max();
    Some(SecretInfo {
        uuid,
        created_at: v.get("created_at").and_then(time),
        last_used_at,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_listed_secret_reads_its_last_use_over_every_grant() {
        let info = secret_info(&json!({
            "uuid": "ab12", "created_at": "1700000000000",
            "secret_usages": [
                {"last_used_at": "1700000100000", "grant_type": "client_credentials"},
                {"last_used_at": "1700000200000", "grant_type": "refresh_token"}
            ]
        }))
        .unwrap();
        assert_eq!(info.uuid.as_str(), "ab12");
        assert_eq!(
            info.created_at.unwrap().timestamp_millis(),
            1_700_000_000_000
        );
        assert_eq!(
            info.last_used_at.unwrap().timestamp_millis(),
            1_700_000_200_000
        );
        let unused = secret_info(&json!({"uuid": "cd34", "secret_usages": null})).unwrap();
        assert_eq!(unused.last_used_at, None);
    }

    #[test]
    fn gateway_refusals_say_what_to_fix() {
        let e = IoManagementError::Refused {
            status: 403,
            code: Some("403011".into()),
            message: Some("Scope mismatch".into()),
            request_id: Some("r1".into()),
            retry_after: None,
        };
        let text = e.to_string();
        assert!(
            text.contains("403011")
                && text.contains("I/O Management API to the credential's project"),
            "{text}"
        );
        assert!(!e.is_transient());
        let e = IoManagementError::Refused {
            status: 503,
            code: None,
            message: None,
            request_id: None,
            retry_after: None,
        };
        assert!(e.is_transient());
    }

    #[test]
    fn a_new_secret_never_shows_its_value_in_debug() {
        let s = NewSecret {
            info: SecretInfo {
                uuid: SecretUuid::parse("ab").unwrap(),
                created_at: None,
                last_used_at: None,
            },
            value: SecretString::from("p8e-very-secret".to_owned()),
        };
        assert!(!format!("{s:?}").contains("very-secret"));
    }
}
