//! The agent's TOML file, checked whole before anything runs.
//!
//! ```toml
//! addr = "https://imsbridge.internal:8443"
//! api_token_file = "/etc/imsbridge/agent.token"
//!
//! [[output]]
//! integration = "target-production"
//! path = "/run/imsbridge/target.token"
//! format = "env"                 # raw (default), json or env
//! env_name = "IMS_ACCESS_TOKEN"  # env only; this is the default
//! min_validity_secs = 300
//! exec = ["systemctl", "reload", "my-app"]
//! ```

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context as _, bail};
use imsbridge_domain::Name;
use serde::Deserialize;

/// The longest validity the token API accepts to be asked for.
pub const MAX_MIN_VALIDITY_SECS: u64 = 23 * 3600;
/// The variable an `env` output sets unless `env_name` says otherwise.
pub const DEFAULT_ENV_NAME: &str = "IMS_ACCESS_TOKEN";

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    addr: String,
    api_token_file: PathBuf,
    ca_file: Option<PathBuf>,
    #[serde(default = "default_max_backoff")]
    max_backoff_secs: u64,
    #[serde(default)]
    output: Vec<RawOutput>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOutput {
    integration: String,
    path: PathBuf,
    #[serde(default)]
    format: RawFormat,
    env_name: Option<String>,
    #[serde(default = "default_min_validity")]
    min_validity_secs: u64,
    exec: Option<Vec<String>>,
    #[serde(default = "default_exec_timeout")]
    exec_timeout_secs: u64,
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
enum RawFormat {
    #[default]
    Raw,
    Json,
    Env,
}

fn default_max_backoff() -> u64 {
    60
}

fn default_min_validity() -> u64 {
    300
}

fn default_exec_timeout() -> u64 {
    60
}

/// How a token file is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Format {
    /// The bare token, no line break.
    Raw,
    /// `{"integration", "access_token", "token_type", "expires_at"}`.
    Json,
    /// One `NAME=token` line.
    Env {
        /// The variable's name.
        name: String,
    },
}

/// One token file to keep fresh.
#[derive(Debug, Clone)]
pub struct Output {
    /// The integration (configuration name) whose token it holds.
    pub integration: Name,
    /// The file (absolute).
    pub path: PathBuf,
    /// How it is written.
    pub format: Format,
    /// The token in the file is always valid at least this long (while imsbridge answers).
    pub min_validity: Duration,
    /// Run after each new token is written; never through a shell.
    pub exec: Option<Vec<String>>,
    /// How long `exec` may run before it is stopped.
    pub exec_timeout: Duration,
}

/// The agent's configuration.
#[derive(Debug, Clone)]
pub struct AgentConfig {
    /// The imsbridge server.
    pub addr: url::Url,
    /// The file holding the API token (re-read before each request, so it can be rotated).
    pub api_token_file: PathBuf,
    /// A PEM file of extra root certificates for `addr`.
    pub ca_file: Option<PathBuf>,
    /// The longest wait between retries while imsbridge cannot be reached.
    pub max_backoff: Duration,
    /// The token files.
    pub outputs: Vec<Output>,
}

fn valid_env_name(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Reads an API token file: one token, surrounding white space ignored.
pub fn read_api_token(path: &Path) -> anyhow::Result<String> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("could not read the API token file {}", path.display()))?;
    let token = text.trim();
    if token.is_empty() || token.contains(char::is_whitespace) {
        bail!(
            "the API token file {} must hold exactly one API token (an admin creates one under API tokens in the console, with scope token:<integration>)",
            path.display()
        );
    }
    Ok(token.to_owned())
}

impl AgentConfig {
    /// Reads and checks the file at `path`; relative paths in it are relative to its folder.
    pub fn load(path: &Path) -> anyhow::Result<Self> {
        let text = std::fs::read_to_string(path).with_context(|| {
            format!("could not read the agent configuration {}", path.display())
        })?;
        let base = path.parent().unwrap_or(Path::new("."));
        Self::parse(&text, base)
            .with_context(|| format!("the agent configuration {} is not usable", path.display()))
    }

    /// Parses and checks a configuration text.
    #[expect(
        clippy::too_many_lines,
        reason = "one sequential pass; not yet split by responsibility"
    )]
    pub fn parse(text: &str, base: &Path) -> anyhow::Result<Self> {
        let raw: RawConfig = toml::from_str(text).map_err(|e| anyhow::anyhow!("{e}"))?;
        let absolute = |p: &Path| {
            if p.is_absolute() {
                p.to_path_buf()
            } else {
                base.join(p)
            }
        };
        let addr = url::Url::parse(&raw.addr)
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some());
        let Some(addr) = addr else {
            bail!(
                "addr {} is not an http(s) URL; give the imsbridge server's address, for example http://127.0.0.1:8080",
                imsbridge_domain::quoted(&raw.addr)
            );
        };
        let api_token_file = absolute(&raw.api_token_file);
        read_api_token(&api_token_file)?;
        let ca_file = raw.ca_file.as_deref().map(absolute);
        if let Some(ca) = &ca_file {
            let pem = std::fs::read(ca)
                .with_context(|| format!("could not read ca_file {}", ca.display()))?;
            reqwest::Certificate::from_pem_bundle(&pem)
                .ok()
                .filter(|certs| !certs.is_empty())
                .with_context(|| format!("ca_file {} holds no PEM certificate", ca.display()))?;
        }
        if !(1..=3600).contains(&raw.max_backoff_secs) {
            bail!(
                "max_backoff_secs is {}; give 1 to 3600 seconds",
                raw.max_backoff_secs
            );
        }
        if raw.output.is_empty() {
            bail!(
                "no [[output]]: add one per token file, with integration, path and (optionally) format, min_validity_secs and exec"
            );
        }
        let mut seen = BTreeSet::new();
        let mut outputs = Vec::new();
        for (i, o) in raw.output.into_iter().enumerate() {
            let at = format!("[[output]] #{} ({})", i + 1, o.integration);
            let integration = Name::parse(&o.integration)
                .map_err(|e| anyhow::anyhow!("{at}: integration: {e}"))?;
            let path = absolute(&o.path);
            if !path.parent().is_some_and(Path::is_dir) {
                bail!(
                    "{at}: the folder of path {} does not exist; create it first",
                    path.display()
                );
            }
            if path.is_dir() {
                bail!(
                    "{at}: path {} is a folder; name a file in it",
                    path.display()
                );
            }
            if path.file_name().is_none() {
                bail!("{at}: path {} names no file", path.display());
            }
            if !seen.insert(path.clone()) {
                bail!(
                    "{at}: path {} is written by another output too",
                    path.display()
                );
            }
            let format = match (o.format, o.env_name) {
                (RawFormat::Env, name) => {
                    let name = name.unwrap_or_else(|| DEFAULT_ENV_NAME.to_owned());
                    if !valid_env_name(&name) {
                        bail!(
                            "{at}: env_name {} is not a variable name; use letters, digits and '_', not starting with a digit",
                            imsbridge_domain::quoted(&name)
                        );
                    }
                    Format::Env { name }
                }
                (_, Some(_)) => bail!("{at}: env_name applies only to format = \"env\""),
                (RawFormat::Raw, None) => Format::Raw,
                (RawFormat::Json, None) => Format::Json,
            };
            if o.min_validity_secs > MAX_MIN_VALIDITY_SECS {
                bail!(
                    "{at}: min_validity_secs is {}, longer than IMS tokens live; give at most {MAX_MIN_VALIDITY_SECS}",
                    o.min_validity_secs
                );
            }
            if let Some(argv) = &o.exec
                && argv.first().is_none_or(|p| p.trim().is_empty())
            {
                bail!("{at}: exec needs a program: exec = [\"/usr/bin/program\", \"argument\"]");
            }
            if !(1..=3600).contains(&o.exec_timeout_secs) {
                bail!(
                    "{at}: exec_timeout_secs is {}; give 1 to 3600 seconds",
                    o.exec_timeout_secs
                );
            }
            outputs.push(Output {
                integration,
                path,
                format,
                min_validity: Duration::from_secs(o.min_validity_secs),
                exec: o.exec,
                exec_timeout: Duration::from_secs(o.exec_timeout_secs),
            });
        }
        Ok(Self {
            addr,
            api_token_file,
            ca_file,
            max_backoff: Duration::from_secs(raw.max_backoff_secs),
            outputs,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(dir: &Path, body: &str) -> anyhow::Result<AgentConfig> {
        std::fs::write(dir.join("token"), "ibt_test\n").unwrap();
        let text = format!("addr = \"http://127.0.0.1:8080\"\napi_token_file = \"token\"\n{body}");
        AgentConfig::parse(&text, dir)
    }

    #[test]
    fn a_full_configuration_parses_with_defaults_and_relative_paths() {
        let dir = tempfile::tempdir().unwrap();
        let c = parse(
            dir.path(),
            "[[output]]\nintegration = \"target\"\npath = \"t.token\"\n\n[[output]]\nintegration = \"stock\"\npath = \"s.env\"\nformat = \"env\"\nmin_validity_secs = 60\nexec = [\"/bin/true\"]\n",
        )
        .unwrap();
        assert_eq!(c.outputs[0].format, Format::Raw);
        assert_eq!(c.outputs[0].path, dir.path().join("t.token"));
        assert_eq!(c.outputs[0].min_validity, Duration::from_secs(300));
        assert_eq!(
            c.outputs[1].format,
            Format::Env {
                name: DEFAULT_ENV_NAME.into()
            }
        );
        assert_eq!(c.max_backoff, Duration::from_secs(60));
        assert_eq!(c.api_token_file, dir.path().join("token"));
    }

    #[test]
    fn every_mistake_is_refused_with_what_to_write_instead() {
        let dir = tempfile::tempdir().unwrap();
        let out = "[[output]]\nintegration = \"target\"\npath = \"t.token\"\n";
        for (body, needle) in [
            ("", "no [[output]]"),
            (
                &format!("{out}colour = \"blue\"\n") as &str,
                "unknown field `colour`",
            ),
            (&format!("surprise = 1\n{out}"), "unknown field `surprise`"),
            (
                &format!("{out}format = \"yaml\"\n"),
                "unknown variant `yaml`",
            ),
            (
                &format!("{out}env_name = \"X\"\n"),
                "only to format = \"env\"",
            ),
            (
                &format!("{out}format = \"env\"\nenv_name = \"1X\"\n"),
                "not a variable name",
            ),
            (
                &format!("{out}min_validity_secs = 90000\n"),
                "at most 82800",
            ),
            (&format!("{out}exec = []\n"), "exec needs a program"),
            (
                "[[output]]\nintegration = \"Target!\"\npath = \"t\"\n",
                "integration",
            ),
            (
                "[[output]]\nintegration = \"t\"\npath = \"missing/t\"\n",
                "does not exist",
            ),
            (&format!("{out}{out}"), "written by another output"),
            (&format!("max_backoff_secs = 0\n{out}"), "max_backoff_secs"),
        ] {
            let err = format!("{:#}", parse(dir.path(), body).unwrap_err());
            assert!(err.contains(needle), "{body:?}: {err}");
        }
        let err = format!(
            "{:#}",
            AgentConfig::parse("addr = \"ftp://x\"\napi_token_file = \"t\"\n", dir.path())
                .unwrap_err()
        );
        assert!(err.contains("http(s) URL"), "{err}");
        std::fs::write(dir.path().join("empty"), "\n").unwrap();
        let err = format!(
            "{:#}",
            AgentConfig::parse(
                &format!("addr = \"http://x\"\napi_token_file = \"empty\"\n{out}"),
                dir.path()
            )
            .unwrap_err()
        );
        assert!(err.contains("exactly one API token"), "{err}");
    }
}
