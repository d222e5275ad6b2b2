//! Server settings: where to listen, TLS, limits, sessions and login throttling.
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
    /// Session cookies for the console and logins.
    pub session: SessionSettings,
    /// Throttling of failed logins, and of attempts per client address.
    pub login_rate_limit: LoginRateLimit,
    /// The threads that hash and check passwords.
    pub password_hashing: PasswordHashing,
    /// Connections served at once; beyond, the longest-idle connection is closed to make
    /// room. Also kept below the open-files limit. 0 is refused.
    pub max_connections: usize,
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
    /// The date Adobe ends JWT credentials, for the readiness page. Not read from `[server]`:
    /// it is the top-level `jwt_eol` setting, which the CLI copies here.
    #[serde(skip)]
    pub jwt_eol: chrono::NaiveDate,
    /// Single sign-on through an OpenID Connect provider: the `[sso]` section, checked and
    /// resolved by whoever loads the settings (it is not a `server.` key).
    #[serde(skip)]
    pub sso: Option<crate::auth::sso::SsoConfig>,
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
            session: SessionSettings::default(),
            login_rate_limit: LoginRateLimit::default(),
            password_hashing: PasswordHashing::default(),
            max_connections: 10_000,
            bootstrap_admin_password: None,
            allow_unverified_migration: true,
            api_token_default_ttl_days: 90,
            api_token_max_ttl_days: 730,
            read_cache_ttl_ms: u64::try_from(imsbridge_store::DEFAULT_READ_CACHE_TTL.as_millis())
                .unwrap_or(u64::MAX),
            metrics_public: false,
            trusted_proxies: Vec::new(),
            jwt_eol: crate::readiness::default_eol(),
            sso: None,
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

    /// Refuses settings that cannot work, naming the key and what would.
    pub fn validate(&self) -> Result<(), String> {
        let limits = &self.login_rate_limit;
        if !(limits.per_address_per_sec.is_finite() && limits.per_address_per_sec > 0.0) {
            return Err(format!(
                "server.login_rate_limit.per_address_per_sec = {} would never let an address sign in again; use a positive number such as 1",
                limits.per_address_per_sec
            ));
        }
        for (key, value) in [
            ("per_address_burst", limits.per_address_burst),
            ("per_address_in_flight", limits.per_address_in_flight),
        ] {
            if value == 0 {
                return Err(format!(
                    "server.login_rate_limit.{key} = 0 would refuse every sign-in; use at least 1"
                ));
            }
        }
        if self.max_connections == 0 {
            return Err(
                "server.max_connections = 0 would refuse every connection; use at least 1 (the default is 10000)"
                    .to_owned(),
            );
        }
        if self.password_hashing.threads > 256 {
            return Err(format!(
                "server.password_hashing.threads = {} is more than any machine needs (each hash holds 19 MiB); use 0 for one per core",
                self.password_hashing.threads
            ));
        }
        Ok(())
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

/// How many failed logins are tolerated per user name and client address, and how fast one
/// address may try at all.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LoginRateLimit {
    /// Failures allowed within the window before further attempts are refused.
    pub max_failures: u32,
    /// The window, in seconds; also how long a locked-out pair waits.
    pub window_secs: u64,
    /// Sign-in attempts one client address regains per second, whatever user names it tries.
    pub per_address_per_sec: f64,
    /// Sign-in attempts one client address may make at once before it has to wait.
    pub per_address_burst: u32,
    /// Password checks one client address may have running at the same time.
    pub per_address_in_flight: u32,
}

impl Default for LoginRateLimit {
    fn default() -> Self {
        Self {
            max_failures: 5,
            window_secs: 300,
            per_address_per_sec: 1.0,
            per_address_burst: 10,
            per_address_in_flight: 2,
        }
    }
}

/// The pool of threads that hash and check passwords (Argon2, 19 MiB each while it runs).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PasswordHashing {
    /// Hashing threads; 0 (the default) is one per CPU core.
    pub threads: usize,
    /// Checks that may wait for a thread; 0 (the default) is two per thread. Beyond, a
    /// sign-in is answered `429` at once.
    pub queue: usize,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_that_would_refuse_every_sign_in_or_connection_are_refused() {
        assert!(Settings::default().validate().is_ok());
        let refused = |change: fn(&mut Settings)| {
            let mut s = Settings::default();
            change(&mut s);
            s.validate().unwrap_err()
        };
        let e = refused(|s| s.login_rate_limit.per_address_per_sec = 0.0);
        assert!(e.contains("per_address_per_sec"), "{e}");
        let e = refused(|s| s.login_rate_limit.per_address_per_sec = f64::NAN);
        assert!(e.contains("per_address_per_sec"), "{e}");
        let e = refused(|s| s.login_rate_limit.per_address_burst = 0);
        assert!(e.contains("per_address_burst"), "{e}");
        let e = refused(|s| s.login_rate_limit.per_address_in_flight = 0);
        assert!(e.contains("per_address_in_flight"), "{e}");
        let e = refused(|s| s.max_connections = 0);
        assert!(e.contains("max_connections"), "{e}");
        let e = refused(|s| s.password_hashing.threads = 1000);
        assert!(e.contains("password_hashing.threads"), "{e}");
    }

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
