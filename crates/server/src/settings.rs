//! Server settings: where to listen, TLS, limits, logging, sessions and login throttling.
//!
//! Every field has a default, so an empty file (or none) gives a working loopback server.
//! The CLI layers a file, the environment and flags on top (figment) and hands the result to
//! [`crate::Application::build`].

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use secrecy::SecretString;
use serde::Deserialize;
use url::Url;

/// How much longer than the longest token budget a request may take before the server's
/// timeout answers it: time to write IMS's reason once the budget has run out.
pub const TIMEOUT_MARGIN: Duration = Duration::from_secs(1);

/// Everything the HTTP server needs to know that is not a dependency.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// Address to listen on; port 0 picks a free port (tests).
    pub listen: SocketAddr,
    /// TLS certificate and key; plain HTTP when absent.
    pub tls: Option<TlsSettings>,
    /// The URL users reach the server at, when it differs from the listen address (behind a
    /// proxy); used in links and to decide whether cookies are `Secure`.
    pub public_base_url: Option<Url>,
    /// Largest request body accepted, in bytes.
    pub body_limit_bytes: usize,
    /// Longest a request may take, in seconds, before it is answered with 503. Must exceed
    /// the IMS token budget by at least a second.
    pub request_timeout_secs: u64,
    /// How long in-flight requests may take to finish on shutdown, in seconds.
    pub shutdown_grace_secs: u64,
    /// Log line format.
    pub log_format: LogFormat,
    /// Session cookies for the console and logins.
    pub session: SessionSettings,
    /// Throttling of failed logins.
    pub login_rate_limit: LoginRateLimit,
    /// The first admin's password, instead of a generated one-time password.
    pub bootstrap_admin_password: Option<SecretString>,
    /// Whether an admin may migrate without verifying the new credential (`verify=false`).
    pub allow_unverified_migration: bool,
    /// Lifetime of an API token when its creator names none, in days.
    pub api_token_default_ttl_days: u32,
    /// Longest lifetime an API token may be given, in days.
    pub api_token_max_ttl_days: u32,
    /// How long, in milliseconds, token requests may use an API token or a configuration
    /// read from the store before reading it again. Changes made through this server are
    /// seen at once; this bounds how late a change made elsewhere (the CLI, another replica
    /// on the same PostgreSQL) is seen. 0 reads the store on every request.
    pub read_cache_ttl_ms: u64,
    /// Whether `/metrics` answers without an API token (for a scraper on a private
    /// network). Off: it needs a token with scope `read` or `admin`.
    pub metrics_public: bool,
    /// Reverse proxies (addresses or CIDR networks) whose `X-Forwarded-For` names the
    /// client, for the audit log and the login throttle. Empty: the header is ignored.
    pub trusted_proxies: Vec<crate::http::client_addr::IpNetwork>,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            tls: None,
            public_base_url: None,
            body_limit_bytes: 256 * 1024,
            request_timeout_secs: 30,
            shutdown_grace_secs: 10,
            log_format: LogFormat::Text,
            session: SessionSettings::default(),
            login_rate_limit: LoginRateLimit::default(),
            bootstrap_admin_password: None,
            allow_unverified_migration: true,
            api_token_default_ttl_days: 90,
            api_token_max_ttl_days: 730,
            read_cache_ttl_ms: u64::try_from(imsbridge_store::DEFAULT_READ_CACHE_TTL.as_millis())
                .unwrap_or(u64::MAX),
            metrics_public: false,
            trusted_proxies: Vec::new(),
        }
    }
}

impl Settings {
    /// Settings for tests: loopback, port 0, everything else default.
    pub fn for_tests() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            ..Self::default()
        }
    }

    /// The request timeout as a duration.
    pub fn request_timeout(&self) -> Duration {
        Duration::from_secs(self.request_timeout_secs.max(1))
    }

    /// Refuses a token budget the request timeout does not exceed by at least
    /// [`TIMEOUT_MARGIN`]: the generic 503 of the timeout would then beat IMS's own reason.
    pub fn check_token_budget(&self, budget: Duration) -> Result<(), String> {
        if budget.is_zero() {
            return Err(
                "ims.token_budget_ms is 0; give token requests at least 1 ms to answer in".into(),
            );
        }
        if budget + TIMEOUT_MARGIN > self.request_timeout() {
            return Err(format!(
                "ims.token_budget_ms ({} ms) must be at least {} ms shorter than server.request_timeout_secs ({} s), so that callers hear IMS's reason rather than a generic timeout; lower ims.token_budget_ms or raise server.request_timeout_secs",
                budget.as_millis(),
                TIMEOUT_MARGIN.as_millis(),
                self.request_timeout().as_secs()
            ));
        }
        Ok(())
    }

    /// Whether browsers reach this server over HTTPS (directly, or through a proxy that says
    /// so in `public_base_url`); decides `Secure` cookies and HSTS.
    pub fn is_https(&self) -> bool {
        self.tls.is_some()
            || self
                .public_base_url
                .as_ref()
                .is_some_and(|u| u.scheme() == "https")
    }
}

/// Certificate chain and private key, both PEM files.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TlsSettings {
    /// PEM certificate chain, leaf first.
    pub cert_path: PathBuf,
    /// PEM private key (PKCS#8, PKCS#1 or SEC1).
    pub key_path: PathBuf,
}

/// Log line format.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Human-readable lines.
    #[default]
    Text,
    /// One JSON object per line.
    Json,
}

/// Session cookie settings.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SessionSettings {
    /// Cookie name.
    pub cookie_name: String,
    /// How long a session lasts without activity, in minutes.
    pub idle_timeout_minutes: u64,
    /// How long a session lasts at most, in hours.
    pub max_age_hours: u64,
    /// Forces the `Secure` attribute on (or off); by default it follows [`Settings::is_https`].
    pub secure: Option<bool>,
}

impl Default for SessionSettings {
    fn default() -> Self {
        Self {
            cookie_name: "imsbridge_session".into(),
            idle_timeout_minutes: 60,
            max_age_hours: 12,
            secure: None,
        }
    }
}

/// How many failed logins are tolerated per user name and client address.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LoginRateLimit {
    /// Failures allowed within the window before further attempts are refused.
    pub max_failures: u32,
    /// The window, in seconds; also how long a locked-out pair waits.
    pub window_secs: u64,
}

impl Default for LoginRateLimit {
    fn default() -> Self {
        Self {
            max_failures: 5,
            window_secs: 300,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_request_timeout_must_exceed_the_token_budget_by_a_second() {
        let s = Settings::default();
        assert_eq!(s.request_timeout(), Duration::from_secs(30));
        s.check_token_budget(Duration::from_secs(5)).unwrap();
        s.check_token_budget(Duration::from_secs(29)).unwrap();
        let err = s
            .check_token_budget(Duration::from_millis(29_001))
            .unwrap_err();
        assert!(err.contains("29001 ms"), "{err}");
        assert!(err.contains("request_timeout_secs (30 s)"), "{err}");
        assert!(s.check_token_budget(Duration::ZERO).is_err());
    }
}
