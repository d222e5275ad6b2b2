use std::path::{Path, PathBuf};

use anyhow::Context as _;
use chrono::NaiveDate;
use figment::Figment;
use figment::providers::{Env, Format as _, Serialized, Toml};
use imsbridge_server::readiness;
use imsbridge_server::{LogFilter, LogFormat};
use serde::{Deserialize, Deserializer};

use crate::cli::GlobalArgs;

/// Settings, layered: defaults, then the TOML file, then `IMSBRIDGE_*` variables, then flags.
///
/// Nested keys use a double underscore in the environment: `IMSBRIDGE_SERVER__LISTEN`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Settings {
    /// Where the SQLite database and the master key file live.
    pub data_dir: PathBuf,
    /// Database URL; SQLite in `data_dir` when absent.
    pub database_url: Option<String>,
    /// `text` or `json`.
    pub log_format: LogFormat,
    /// A `tracing` filter such as `info` or `imsbridge=debug,info`; `RUST_LOG`, then
    /// `IMSBRIDGE_LOG`, take precedence.
    pub log_level: String,
    /// The date Adobe ends JWT credentials (YYYY-MM-DD), for readiness reports.
    #[serde(deserialize_with = "eol_date")]
    pub jwt_eol: NaiveDate,
    /// The log filter in force: from `RUST_LOG`, `IMSBRIDGE_LOG` or `log_level`.
    #[serde(skip, default = "default_log_filter")]
    pub log_filter: LogFilter,
    /// The HTTP server: listen address, TLS, sessions, limits.
    pub server: imsbridge_server::Settings,
    /// The IMS client.
    pub ims: ImsSettings,
    /// The automatic migration of auto-provisioned configurations.
    pub migration: MigrationSettings,
    /// Single sign-on through an OpenID Connect provider (Adobe IMS, Okta, Entra ID, …).
    /// Resolved by `serve` only, so that `users add --break-glass` works whatever it says.
    pub sso: Option<imsbridge_server::auth::sso::SsoSettings>,
}

/// The automatic migration job that `serve` runs.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MigrationSettings {
    /// Base URL of a Developer Console–compatible credential API (for the emulator:
    /// `http://127.0.0.1:8181/console`); the job runs only when it is set.
    pub credential_source: Option<String>,
    /// Seconds between passes of the job.
    pub auto_interval_secs: u64,
}

impl Default for MigrationSettings {
    fn default() -> Self {
        Self {
            credential_source: None,
            auto_interval_secs: 300,
        }
    }
}

/// How imsbridge talks to Adobe IMS.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ImsSettings {
    /// Limit for establishing a connection, in seconds.
    pub connect_timeout_secs: u64,
    /// Limit for one request to IMS, in seconds; a token request's budget may cut it shorter.
    pub request_timeout_secs: u64,
    /// How long a token request may take at most, in milliseconds, retries and waiting for
    /// another caller's fetch included; callers may ask for less (`timeout_ms`). Must be at
    /// least a second shorter than `server.request_timeout_secs`.
    pub token_budget_ms: u64,
    /// Refresh a token in use no later than this many seconds before it expires (and never
    /// later than `min_validity_secs` before).
    pub refresh_floor_secs: u64,
    /// Never hand out a token with fewer seconds of validity left than this.
    pub min_validity_secs: u64,
    /// Refresh a token in use once this share of its lifetime has passed (0.5: half-life);
    /// more than 0, at most 1.
    pub refresh_ratio: f64,
    /// Where Adobe's I/O Management API is served (client-secret rotation).
    pub io_management_url: String,
}

impl Default for ImsSettings {
    fn default() -> Self {
        let d = imsbridge_ims::ImsClientOptions::default();
        let p = imsbridge_ims::ProviderOptions::default();
        Self {
            connect_timeout_secs: d.connect_timeout.as_secs(),
            request_timeout_secs: d.request_timeout.as_secs(),
            token_budget_ms: u64::try_from(p.token_budget.as_millis()).unwrap_or(u64::MAX),
            refresh_floor_secs: p.refresh_floor.as_secs(),
            min_validity_secs: p.min_validity.as_secs(),
            refresh_ratio: p.refresh_ratio,
            io_management_url: imsbridge_ims::DEFAULT_IO_MANAGEMENT_URL.to_owned(),
        }
    }
}

impl ImsSettings {
    /// The IMS client's options.
    pub fn client_options(&self) -> imsbridge_ims::ImsClientOptions {
        imsbridge_ims::ImsClientOptions {
            connect_timeout: std::time::Duration::from_secs(self.connect_timeout_secs.max(1)),
            request_timeout: std::time::Duration::from_secs(self.request_timeout_secs.max(1)),
            // `validate` refused anything else at start-up.
            io_management_url: self
                .io_management_url()
                .unwrap_or_else(|_| imsbridge_ims::ImsClientOptions::default().io_management_url),
            ..imsbridge_ims::ImsClientOptions::default()
        }
    }

    /// `io_management_url` as a URL: http or https, no credentials, no query.
    pub fn io_management_url(&self) -> Result<url::Url, String> {
        let raw = self.io_management_url.trim();
        let refuse = |why: &str| {
            Err(format!(
                "ims.io_management_url = {raw:?} {why}; use Adobe's https://api.adobe.io or the emulator's http://127.0.0.1:<port>"
            ))
        };
        match url::Url::parse(raw) {
            Ok(u) if !matches!(u.scheme(), "http" | "https") => refuse("is not an http(s) URL"),
            Ok(u) if u.host_str().is_none() => refuse("has no host"),
            Ok(u) if !u.username().is_empty() || u.password().is_some() => Err(
                "ims.io_management_url carries credentials in the URL; the API is called with the credential's own token, so remove them".to_owned(),
            ),
            Ok(u) if u.query().is_some() || u.fragment().is_some() => {
                refuse("has a query or fragment")
            }
            Ok(u) => Ok(u),
            Err(e) => refuse(&format!("is not a URL ({e})")),
        }
    }

    /// The token budget as a duration.
    pub fn token_budget(&self) -> std::time::Duration {
        std::time::Duration::from_millis(self.token_budget_ms)
    }

    /// The token provider's options these settings make (the shared cache aside).
    pub fn provider_options(&self) -> imsbridge_ims::ProviderOptions {
        imsbridge_ims::ProviderOptions {
            token_budget: self.token_budget(),
            refresh_floor: std::time::Duration::from_secs(self.refresh_floor_secs),
            min_validity: std::time::Duration::from_secs(self.min_validity_secs),
            refresh_ratio: self.refresh_ratio,
            ..imsbridge_ims::ProviderOptions::default()
        }
    }

    /// Refuses refresh settings that cannot work, naming the key and what would.
    pub fn validate(&self) -> Result<(), String> {
        if !(self.refresh_ratio.is_finite()
            && self.refresh_ratio > 0.0
            && self.refresh_ratio <= 1.0)
        {
            return Err(format!(
                "ims.refresh_ratio = {} is not a share of a token's lifetime; use a number above 0 and at most 1, such as 0.5",
                self.refresh_ratio
            ));
        }
        self.io_management_url()?;
        if self.min_validity_secs == 0 {
            return Err(
                "ims.min_validity_secs = 0 would hand out tokens that expire on arrival; use at least 1 (the default is 60)"
                    .to_owned(),
            );
        }
        Ok(())
    }
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            data_dir: PathBuf::from("./imsbridge-data"),
            database_url: None,
            log_format: LogFormat::Text,
            log_level: "info".to_owned(),
            jwt_eol: readiness::default_eol(),
            log_filter: default_log_filter(),
            server: imsbridge_server::Settings::default(),
            ims: ImsSettings::default(),
            migration: MigrationSettings::default(),
            sso: None,
        }
    }
}

impl Settings {
    /// The top-level keys; environment variables are matched against these.
    const TOP_LEVEL_KEYS: &'static [&'static str] = &[
        "data_dir",
        "database_url",
        "log_format",
        "log_level",
        "jwt_eol",
        "server",
        "ims",
        "migration",
        "sso",
    ];

    /// `IMSBRIDGE_*` variables that are not settings: read by one command, or set by the
    /// agent for the programs it runs.
    const NOT_SETTINGS: &'static [&'static str] = &[
        "IMSBRIDGE_TOKEN",
        "IMSBRIDGE_ADDR",
        "IMSBRIDGE_MASTER_KEY",
        "IMSBRIDGE_CONFIG",
        "IMSBRIDGE_LOG",
        "IMSBRIDGE_AGENT_CONFIG",
        "IMSBRIDGE_AGENT_INTEGRATION",
        "IMSBRIDGE_AGENT_PATH",
        "IMSBRIDGE_BIN",
    ];

    /// Loads settings for the given flags, from the process environment.
    pub fn load(global: &GlobalArgs) -> anyhow::Result<Self> {
        Self::refuse_unknown_variables(
            std::env::vars_os().filter_map(|(k, _)| k.into_string().ok()),
        )?;
        let mut settings = Self::load_from(global, Env::prefixed("IMSBRIDGE_").split("__"))?;
        settings.log_filter =
            LogFilter::resolve(|var| std::env::var(var).ok(), &settings.log_level)
                .map_err(|e| anyhow::anyhow!("invalid settings: {e}"))?;
        Ok(settings)
    }

    /// Refuses an `IMSBRIDGE_*` variable that is neither a setting nor one of
    /// [`Self::NOT_SETTINGS`]: a misspelt variable would otherwise be silently dropped.
    fn refuse_unknown_variables(names: impl Iterator<Item = String>) -> anyhow::Result<()> {
        let mut unknown: Vec<String> = names
            .filter(|name| {
                let Some(rest) = name.strip_prefix("IMSBRIDGE_") else {
                    return false;
                };
                let top = rest
                    .split("__")
                    .next()
                    .unwrap_or_default()
                    .to_ascii_lowercase();
                !Self::TOP_LEVEL_KEYS.contains(&top.as_str())
                    && !Self::NOT_SETTINGS.contains(&name.as_str())
            })
            .collect();
        unknown.sort();
        if unknown.is_empty() {
            return Ok(());
        }
        let settings: Vec<String> = Self::TOP_LEVEL_KEYS
            .iter()
            .map(|k| format!("IMSBRIDGE_{}", k.to_ascii_uppercase()))
            .collect();
        anyhow::bail!(
            "{} {} not a setting; settings are {} (nested keys with a double underscore, such as IMSBRIDGE_SERVER__LISTEN), and the other variables read are {}. Unset or rename {}",
            unknown.join(", "),
            if unknown.len() == 1 { "is" } else { "are" },
            settings.join(", "),
            Self::NOT_SETTINGS.join(", "),
            if unknown.len() == 1 { "it" } else { "them" },
        )
    }

    fn load_from(global: &GlobalArgs, env: Env) -> anyhow::Result<Self> {
        // Variables that are not settings (IMSBRIDGE_TOKEN and friends) are read elsewhere.
        let env = env.filter(|key| {
            // By now `__` has become the `.` of a nested key (`server.listen`).
            let first = key.as_str().split('.').next().unwrap_or_default();
            let top = first
                .split("__")
                .next()
                .unwrap_or_default()
                .to_ascii_lowercase();
            Self::TOP_LEVEL_KEYS.contains(&top.as_str())
        });
        // Missing keys take their defaults through `#[serde(default)]`.
        let mut figment = Figment::new();
        let file = if let Some(path) = &global.config {
            if !path.is_file() {
                anyhow::bail!(
                    "settings file {} does not exist; pass an existing TOML file to --config or leave it out",
                    path.display()
                );
            }
            Some(path.clone())
        } else {
            let dir = global
                .data_dir
                .clone()
                .unwrap_or_else(|| Settings::default().data_dir);
            let candidate = dir.join("imsbridge.toml");
            candidate.is_file().then_some(candidate)
        };
        if let Some(file) = &file {
            figment = figment.merge(Toml::file_exact(file));
        }
        figment = figment.merge(env);
        if let Some(dir) = &global.data_dir {
            figment = figment.merge(Serialized::default("data_dir", dir));
        }
        if let Some(url) = &global.database_url {
            figment = figment.merge(Serialized::default("database_url", url));
        }
        if let Some(format) = &global.log_format {
            figment = figment.merge(Serialized::default("log_format", format));
        }
        let source = file.as_deref().map_or_else(
            || "the environment or flags".to_owned(),
            |f| format!("{} or the environment", f.display()),
        );
        // A secret in a settings file is read by whoever can read the file, and copied with it.
        if let Some(file) = &file
            && Figment::from(Toml::file_exact(file))
                .find_value("sso.client_secret")
                .is_ok()
        {
            anyhow::bail!(
                "invalid settings in {source}: sso.client_secret may not be written in the settings file; put the secret in a file named by sso.client_secret_file, or in the environment variable IMSBRIDGE_SSO__CLIENT_SECRET"
            );
        }
        let settings: Self = figment
            .extract()
            .map_err(|e| anyhow::anyhow!("invalid settings in {source}: {e}"))?;
        let mut settings = settings;
        settings
            .server
            .check_token_budget(settings.ims.token_budget())
            .and_then(|()| settings.ims.validate())
            .map_err(|e| anyhow::anyhow!("invalid settings in {source}: {e}"))?;
        settings.server.jwt_eol = settings.jwt_eol;
        Ok(settings)
    }

    /// The data directory, created (0700, whatever the umask) if missing.
    pub fn ensure_data_dir(&self) -> anyhow::Result<&Path> {
        imsbridge_store::create_private_dir(&self.data_dir).with_context(|| {
            format!(
                "could not create the data directory {}",
                self.data_dir.display()
            )
        })?;
        Ok(&self.data_dir)
    }
}

fn default_log_filter() -> LogFilter {
    LogFilter {
        directives: "info".to_owned(),
        source: "log_level",
    }
}

/// `jwt_eol` as a date, refused with the expected form when it is not one.
fn eol_date<'de, D: Deserializer<'de>>(deserializer: D) -> Result<NaiveDate, D::Error> {
    let raw = String::deserialize(deserializer)?;
    readiness::parse_eol(&raw).map_err(serde::de::Error::custom)
}

#[cfg(test)]
// figment's `Jail` closures return its (large) error type.
#[allow(clippy::result_large_err)]
mod tests {
    use super::*;

    fn args(dir: &Path) -> GlobalArgs {
        GlobalArgs {
            config: None,
            data_dir: Some(dir.to_path_buf()),
            database_url: None,
            log_format: None,
        }
    }

    #[test]
    fn flags_override_the_environment_which_overrides_the_file() {
        figment::Jail::expect_with(|jail| {
            let dir = jail.directory().to_path_buf();
            jail.create_file(
                "imsbridge.toml",
                "log_level = \"debug\"\nlog_format = \"json\"\n",
            )?;
            jail.set_env("IMSBRIDGE_LOG_LEVEL", "warn");
            let mut global = args(&dir);
            let s = Settings::load(&global).map_err(|e| e.to_string())?;
            assert_eq!(s.log_level, "warn", "environment beats file");
            assert_eq!(s.log_format, LogFormat::Json, "file beats default");
            global.log_format = Some("text".into());
            let s = Settings::load(&global).map_err(|e| e.to_string())?;
            assert_eq!(s.log_format, LogFormat::Text, "flag beats file");
            Ok(())
        });
    }

    #[test]
    fn nested_settings_come_from_double_underscore_variables() {
        figment::Jail::expect_with(|jail| {
            let dir = jail.directory().to_path_buf();
            jail.set_env("IMSBRIDGE_SERVER__LISTEN", "127.0.0.1:9999");
            jail.set_env("IMSBRIDGE_MIGRATION__AUTO_INTERVAL_SECS", "42");
            jail.set_env("IMSBRIDGE_TOKEN", "not a setting, and no error");
            let s = Settings::load(&args(&dir)).map_err(|e| e.to_string())?;
            assert_eq!(s.server.listen.port(), 9999);
            assert_eq!(s.migration.auto_interval_secs, 42);
            jail.set_env("IMSBRIDGE_SERVER__LISTEN_TYPO", "1");
            let err = Settings::load(&args(&dir)).unwrap_err().to_string();
            assert!(err.contains("listen_typo"), "{err}");
            Ok(())
        });
    }

    #[test]
    fn an_unknown_setting_is_a_clear_error_naming_the_file() {
        figment::Jail::expect_with(|jail| {
            let dir = jail.directory().to_path_buf();
            jail.create_file("imsbridge.toml", "lgo_level = \"debug\"\n")?;
            let err = Settings::load(&args(&dir)).unwrap_err().to_string();
            assert!(err.contains("lgo_level"), "{err}");
            assert!(err.contains("imsbridge.toml"), "{err}");
            Ok(())
        });
    }

    #[test]
    fn a_missing_settings_file_named_by_flag_is_an_error() {
        let global = GlobalArgs {
            config: Some(PathBuf::from("/nonexistent/imsbridge.toml")),
            data_dir: None,
            database_url: None,
            log_format: None,
        };
        let err = Settings::load(&global).unwrap_err().to_string();
        assert!(err.contains("does not exist"), "{err}");
    }

    #[test]
    fn a_token_budget_the_request_timeout_does_not_exceed_is_refused() {
        figment::Jail::expect_with(|jail| {
            let dir = jail.directory().to_path_buf();
            let s = Settings::load(&args(&dir)).map_err(|e| e.to_string())?;
            assert_eq!(s.ims.token_budget_ms, 5000);
            jail.set_env("IMSBRIDGE_IMS__TOKEN_BUDGET_MS", "20000");
            let s = Settings::load(&args(&dir)).map_err(|e| e.to_string())?;
            assert_eq!(s.ims.token_budget(), std::time::Duration::from_secs(20));
            jail.set_env("IMSBRIDGE_IMS__TOKEN_BUDGET_MS", "29500");
            let err = Settings::load(&args(&dir)).unwrap_err().to_string();
            assert!(err.contains("token_budget_ms"), "{err}");
            assert!(err.contains("request_timeout_secs"), "{err}");
            jail.set_env("IMSBRIDGE_SERVER__REQUEST_TIMEOUT_SECS", "31");
            Settings::load(&args(&dir)).map_err(|e| e.to_string())?;
            jail.set_env("IMSBRIDGE_IMS__TOKEN_BUDGET_MS", "0");
            let err = Settings::load(&args(&dir)).unwrap_err().to_string();
            assert!(err.contains("token_budget_ms"), "{err}");
            Ok(())
        });
    }

    #[test]
    fn the_sso_secret_comes_from_the_environment_and_never_from_the_file() {
        figment::Jail::expect_with(|jail| {
            let dir = jail.directory().to_path_buf();
            jail.create_file(
                "imsbridge.toml",
                "[sso]\nissuer_url = \"https://ims-na1.adobelogin.com\"\nclient_id = \"abc\"\nadmin_groups = [\"admins\"]\nlabel = \"Sign in with Adobe\"\n",
            )?;
            jail.set_env("IMSBRIDGE_SSO__CLIENT_SECRET", "from-env");
            let s = Settings::load(&args(&dir)).map_err(|e| e.to_string())?;
            let sso = s.sso.expect("the [sso] section").resolve()?;
            assert_eq!(sso.client_id, "abc");
            assert_eq!(sso.label.as_deref(), Some("Sign in with Adobe"));
            assert_eq!(
                secrecy::ExposeSecret::expose_secret(&sso.client_secret),
                "from-env"
            );
            jail.create_file(
                "imsbridge.toml",
                "[sso]\nissuer_url = \"https://ims-na1.adobelogin.com\"\nclient_id = \"abc\"\nclient_secret = \"in-the-file\"\n",
            )?;
            let err = Settings::load(&args(&dir)).unwrap_err().to_string();
            assert!(
                err.contains("sso.client_secret may not be written"),
                "{err}"
            );
            assert!(!err.contains("in-the-file"), "{err}");
            Ok(())
        });
    }

    #[test]
    fn refresh_timing_is_read_and_impossible_values_are_refused() {
        figment::Jail::expect_with(|jail| {
            let dir = jail.directory().to_path_buf();
            jail.create_file(
                "imsbridge.toml",
                "[ims]\nrefresh_floor_secs = 5\nmin_validity_secs = 2\nrefresh_ratio = 0.4\n",
            )?;
            let s = Settings::load(&args(&dir)).map_err(|e| e.to_string())?;
            let options = s.ims.provider_options();
            assert_eq!(options.refresh_floor, std::time::Duration::from_secs(5));
            assert_eq!(options.min_validity, std::time::Duration::from_secs(2));
            assert!((options.refresh_ratio - 0.4).abs() < f64::EPSILON);
            for (key, value) in [("REFRESH_RATIO", "0"), ("REFRESH_RATIO", "1.5")] {
                jail.set_env(format!("IMSBRIDGE_IMS__{key}"), value);
                let err = Settings::load(&args(&dir)).unwrap_err().to_string();
                assert!(err.contains("ims.refresh_ratio"), "{err}");
            }
            jail.set_env("IMSBRIDGE_IMS__REFRESH_RATIO", "0.5");
            jail.set_env("IMSBRIDGE_IMS__MIN_VALIDITY_SECS", "0");
            let err = Settings::load(&args(&dir)).unwrap_err().to_string();
            assert!(err.contains("ims.min_validity_secs"), "{err}");
            Ok(())
        });
    }

    #[test]
    fn the_io_management_url_defaults_to_adobe_and_must_be_http() {
        figment::Jail::expect_with(|jail| {
            let dir = jail.directory().to_path_buf();
            let s = Settings::load(&args(&dir)).unwrap();
            assert_eq!(
                s.ims.client_options().io_management_url.as_str(),
                "https://api.adobe.io/"
            );
            jail.set_env("IMSBRIDGE_IMS__IO_MANAGEMENT_URL", "http://127.0.0.1:9/");
            let s = Settings::load(&args(&dir)).unwrap();
            assert_eq!(
                s.ims.client_options().io_management_url.as_str(),
                "http://127.0.0.1:9/"
            );
            for bad in [
                "ftp://api.adobe.io",
                "api.adobe.io",
                "https://u:p@api.adobe.io",
            ] {
                jail.set_env("IMSBRIDGE_IMS__IO_MANAGEMENT_URL", bad);
                let err = Settings::load(&args(&dir)).unwrap_err().to_string();
                assert!(err.contains("ims.io_management_url"), "{bad}: {err}");
            }
            Ok(())
        });
    }

    #[test]
    fn a_bad_log_format_is_refused() {
        figment::Jail::expect_with(|jail| {
            let dir = jail.directory().to_path_buf();
            jail.set_env("IMSBRIDGE_LOG_FORMAT", "xml");
            let err = Settings::load(&args(&dir)).unwrap_err().to_string();
            assert!(err.contains("xml") || err.contains("log_format"), "{err}");
            Ok(())
        });
    }

    #[test]
    fn an_unknown_imsbridge_variable_is_refused_by_name_and_the_others_are_not() {
        let names = |list: &[&str]| list.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        Settings::refuse_unknown_variables(
            names(&[
                "IMSBRIDGE_TOKEN",
                "IMSBRIDGE_LOG",
                "IMSBRIDGE_SERVER__LISTEN",
                "IMSBRIDGE_JWT_EOL",
                "PATH",
            ])
            .into_iter(),
        )
        .unwrap();
        let err = Settings::refuse_unknown_variables(
            names(&["IMSBRIDGE_LISTEN", "IMSBRIDGE_TOKEN", "IMSBRIDGE_LOGLEVEL"]).into_iter(),
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.starts_with("IMSBRIDGE_LISTEN, IMSBRIDGE_LOGLEVEL are not a setting"),
            "{err}"
        );
        assert!(err.contains("IMSBRIDGE_SERVER__LISTEN"), "{err}");
    }

    #[test]
    fn jwt_eol_is_a_top_level_date_from_the_file_or_the_environment() {
        figment::Jail::expect_with(|jail| {
            let dir = jail.directory().to_path_buf();
            let s = Settings::load(&args(&dir)).map_err(|e| e.to_string())?;
            assert_eq!(s.jwt_eol, readiness::default_eol());
            jail.create_file("imsbridge.toml", "jwt_eol = \"2027-01-31\"\n")?;
            let s = Settings::load(&args(&dir)).map_err(|e| e.to_string())?;
            assert_eq!(s.jwt_eol.to_string(), "2027-01-31");
            assert_eq!(
                s.server.jwt_eol, s.jwt_eol,
                "the server is given the same date"
            );
            jail.set_env("IMSBRIDGE_JWT_EOL", "2028-02-29");
            let s = Settings::load(&args(&dir)).map_err(|e| e.to_string())?;
            assert_eq!(s.jwt_eol.to_string(), "2028-02-29");
            jail.set_env("IMSBRIDGE_JWT_EOL", "2028-02-30");
            let err = Settings::load(&args(&dir)).unwrap_err().to_string();
            assert!(
                err.contains("JWT_EOL") && err.contains("YYYY-MM-DD"),
                "{err}"
            );
            Ok(())
        });
    }

    #[test]
    fn log_format_is_a_top_level_key_only() {
        figment::Jail::expect_with(|jail| {
            let dir = jail.directory().to_path_buf();
            jail.create_file("imsbridge.toml", "[server]\nlog_format = \"json\"\n")?;
            let err = Settings::load(&args(&dir)).unwrap_err().to_string();
            assert!(err.contains("log_format"), "{err}");
            Ok(())
        });
    }

    #[test]
    fn the_log_filter_comes_from_rust_log_then_imsbridge_log_then_log_level() {
        figment::Jail::expect_with(|jail| {
            let dir = jail.directory().to_path_buf();
            jail.clear_env();
            jail.create_file("imsbridge.toml", "log_level = \"debug\"\n")?;
            let s = Settings::load(&args(&dir)).map_err(|e| e.to_string())?;
            assert_eq!(
                (s.log_filter.source, s.log_filter.directives.as_str()),
                ("log_level", "debug")
            );
            jail.set_env("IMSBRIDGE_LOG", "warn");
            jail.set_env("RUST_LOG", "imsbridge=trace");
            let s = Settings::load(&args(&dir)).map_err(|e| e.to_string())?;
            assert_eq!(
                (s.log_filter.source, s.log_filter.directives.as_str()),
                ("RUST_LOG", "imsbridge=trace")
            );
            jail.set_env("RUST_LOG", "imsbridge=loud");
            let err = Settings::load(&args(&dir)).unwrap_err().to_string();
            assert!(
                err.contains("RUST_LOG") && err.contains("imsbridge=loud"),
                "{err}"
            );
            Ok(())
        });
    }
}
