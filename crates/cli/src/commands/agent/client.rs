//! The agent's client of imsbridge's token API (`POST /api/v1/integrations/{name}/token`).

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context as _;
use imsbridge_domain::{Name, SecretString};
use serde::Deserialize;

use super::config::{AgentConfig, read_api_token};

/// Why a token could not be fetched. Never holds a token.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    /// No answer (connection refused, timeout, TLS, a proxy's HTML…).
    #[error("{0}")]
    Unreachable(String),
    /// imsbridge answered with an error.
    #[error("{message} ({code}, HTTP {status})")]
    Refused {
        /// The HTTP status.
        status: u16,
        /// imsbridge's error code.
        code: String,
        /// imsbridge's message.
        message: String,
    },
}

/// The token API's answer.
#[derive(Deserialize)]
pub struct Answer {
    /// The access token.
    pub access_token: SecretString,
    /// `bearer`.
    pub token_type: String,
    /// When it expires, as the server wrote it.
    pub expires_at: String,
    /// Seconds until it expires, by the server's clock at the time of the answer.
    pub expires_in: i64,
}

#[derive(Deserialize)]
struct ErrorBody {
    error: Option<String>,
    message: Option<String>,
}

/// A client bound to one server; the API token is re-read from its file on every request,
/// so that it can be rotated without restarting the agent.
pub struct Client {
    http: reqwest::Client,
    base: url::Url,
    api_token_file: PathBuf,
}

impl Client {
    /// A client for `config`'s server.
    pub fn new(config: &AgentConfig) -> anyhow::Result<Self> {
        let mut builder = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(30))
            .user_agent(concat!("imsbridge-agent/", env!("CARGO_PKG_VERSION")));
        if let Some(ca) = &config.ca_file {
            let pem =
                std::fs::read(ca).with_context(|| format!("could not read {}", ca.display()))?;
            for cert in reqwest::Certificate::from_pem_bundle(&pem)? {
                builder = builder.add_root_certificate(cert);
            }
        }
        Ok(Self {
            http: builder.build()?,
            base: config.addr.clone(),
            api_token_file: config.api_token_file.clone(),
        })
    }

    /// A token for `integration` valid at least `min_validity`.
    pub async fn fetch(
        &self,
        integration: &Name,
        min_validity: Duration,
    ) -> Result<Answer, FetchError> {
        let token = read_api_token(&self.api_token_file)
            .map_err(|e| FetchError::Unreachable(format!("{e:#}")))?;
        let url = self
            .base
            .join(&format!("api/v1/integrations/{integration}/token"))
            .map_err(|e| FetchError::Unreachable(e.to_string()))?;
        let resp = self
            .http
            .post(url)
            .bearer_auth(token)
            .json(&serde_json::json!({ "min_validity": min_validity.as_secs() }))
            .send()
            .await
            .map_err(|e| {
                let mut text = format!("could not reach imsbridge at {}", self.base);
                let mut source: Option<&dyn std::error::Error> = Some(&e);
                while let Some(s) = source {
                    text.push_str(": ");
                    text.push_str(&s.to_string());
                    source = s.source();
                }
                FetchError::Unreachable(text)
            })?;
        let status = resp.status();
        let body = resp
            .bytes()
            .await
            .map_err(|e| FetchError::Unreachable(format!("the answer was cut short: {e}")))?;
        if status.is_success() {
            return serde_json::from_slice(&body).map_err(|_| {
                FetchError::Unreachable(format!(
                    "imsbridge at {} answered {status} with something other than a token",
                    self.base
                ))
            });
        }
        match serde_json::from_slice::<ErrorBody>(&body) {
            Ok(e) => Err(FetchError::Refused {
                status: status.as_u16(),
                code: e.error.unwrap_or_else(|| "error".into()),
                message: e.message.unwrap_or_else(|| "no message".into()),
            }),
            // Not imsbridge's JSON: a proxy or load balancer in the way, likely down.
            Err(_) => Err(FetchError::Unreachable(format!(
                "{} answered HTTP {status} without imsbridge's error body",
                self.base
            ))),
        }
    }
}
