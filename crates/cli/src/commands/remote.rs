//! A small client for the admin API, shared by the commands that talk to a running server.

use anyhow::{Context as _, bail};
use reqwest::{Method, StatusCode};
use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;

use crate::cli::RemoteArgs;

/// A client bound to one server and one API token.
pub struct Remote {
    http: reqwest::Client,
    base: url::Url,
    token: SecretString,
}

impl Remote {
    /// Builds a client from `--addr`/`IMSBRIDGE_ADDR` and `--token`/`IMSBRIDGE_TOKEN`.
    pub fn new(args: &RemoteArgs) -> anyhow::Result<Self> {
        let base = url::Url::parse(&args.addr).with_context(|| {
            format!("--addr {} is not a URL; give the server's address, for example http://127.0.0.1:8080", imsbridge_domain::quoted(&args.addr))
        })?;
        let Some(token) = args.token.clone() else {
            bail!(
                "no API token: pass --token or set IMSBRIDGE_TOKEN (an admin creates tokens under API tokens in the console)"
            );
        };
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(std::time::Duration::from_secs(5))
            .timeout(std::time::Duration::from_secs(60))
            .user_agent(concat!("imsbridge-cli/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Self {
            http,
            base,
            token: SecretString::from(token),
        })
    }

    /// Sends a request and returns the JSON answer, or the server's error message.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<&Value>,
        if_match: Option<u64>,
    ) -> anyhow::Result<Value> {
        let url = self.base.join(path).context("bad path")?;
        let mut req = self
            .http
            .request(method, url.clone())
            .bearer_auth(self.token.expose_secret())
            .query(query);
        if let Some(body) = body {
            req = req.json(body);
        }
        if let Some(rev) = if_match {
            req = req.header("If-Match", format!("\"{rev}\""));
        }
        let resp = req
            .send()
            .await
            .with_context(|| format!("could not reach imsbridge at {}", self.base))?;
        let status = resp.status();
        let text = resp.text().await.unwrap_or_default();
        if status == StatusCode::NO_CONTENT || text.is_empty() {
            if status.is_success() {
                return Ok(Value::Null);
            }
            bail!("the server answered {status} with no details");
        }
        let value: Value = serde_json::from_str(&text).with_context(|| {
            format!("the server answered {status} with something other than JSON")
        })?;
        if status.is_success() {
            return Ok(value);
        }
        Err(RemoteError {
            status: status.as_u16(),
            code: value["error"].as_str().unwrap_or("error").to_owned(),
            message: value["message"].as_str().unwrap_or("no message").to_owned(),
            current_revision: value.get("current_revision").and_then(Value::as_u64),
            debug_id: value
                .get("debug_id")
                .and_then(Value::as_str)
                .map(str::to_owned),
        }
        .into())
    }
}

/// An error the server answered: its code, so that it can be said in the reader's language,
/// and its English message.
#[derive(Debug)]
pub struct RemoteError {
    /// The HTTP status.
    pub status: u16,
    /// The API's `error` code.
    pub code: String,
    /// The API's English `message`.
    pub message: String,
    /// The configuration's current revision, on a conflict.
    pub current_revision: Option<u64>,
    /// IMS's debug id, when IMS failed.
    pub debug_id: Option<String>,
}

impl std::fmt::Display for RemoteError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({}, HTTP {})", self.message, self.code, self.status)?;
        if let Some(current) = self.current_revision {
            write!(f, "; the current revision is {current}")?;
        }
        if let Some(debug_id) = &self.debug_id {
            write!(f, "; IMS debug id {debug_id}")?;
        }
        Ok(())
    }
}

impl std::error::Error for RemoteError {}

/// Prints rows as an aligned table.
pub fn print_table(headers: &[&str], rows: &[Vec<String>]) {
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            widths[i] = widths[i].max(cell.chars().count());
        }
    }
    let line = |cells: Vec<String>| {
        let padded: Vec<String> = cells
            .iter()
            .enumerate()
            .map(|(i, c)| format!("{c:<width$}", width = widths[i]))
            .collect();
        println!("{}", padded.join("  ").trim_end());
    };
    line(headers.iter().map(|h| (*h).to_owned()).collect());
    for row in rows {
        line(row.clone());
    }
}

/// A JSON value as table text (`-` for null).
pub fn cell(v: &Value) -> String {
    match v {
        Value::Null => "-".to_owned(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}
