//! Writing configurations where they are consumed: AEM OSGi `.cfg.json` files with Cloud
//! Manager secret placeholders, and aio CLI contexts.

use std::fmt;
use std::path::PathBuf;

use imsbridge_domain::{Credentials, ExposeSecret, IntegrationConfig, Name};
use serde_json::json;

use crate::aem::{CUSTOMIZER_PID, PROVIDER_PID, props};
use crate::osgi::{OsgiValue, Properties, Scalar, cfg_json};

/// Cloud Manager holds at most this many variables per environment.
pub const MAX_CLOUD_MANAGER_VARIABLES: usize = 200;
/// Cloud Manager refuses variable values longer than this (characters).
pub const MAX_CLOUD_MANAGER_VALUE_CHARS: usize = 2048;
/// The file listing the Cloud Manager variables an AEM export needs.
pub const CLOUD_MANAGER_VARIABLES_FILE: &str = "cloudmanager-variables.json";
/// The aio CLI configuration file an aio export writes.
pub const AIO_CONFIG_FILE: &str = "aio-config.json";

/// How to export.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ExportOptions {
    /// Write the client secrets' values (into files marked private).
    pub include_secrets: bool,
}

/// A file to write, relative to the export directory.
#[derive(Clone, PartialEq, Eq)]
pub struct ExportFile {
    /// The path under the export directory.
    pub path: PathBuf,
    /// The file's text.
    pub contents: String,
    /// Whether it holds secrets: write it readable by its owner only (mode 0600).
    pub private: bool,
}

impl fmt::Debug for ExportFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("ExportFile");
        d.field("path", &self.path).field("private", &self.private);
        if self.private {
            d.field(
                "contents",
                &format_args!("({} bytes, private)", self.contents.len()),
            );
        } else {
            d.field("contents", &self.contents);
        }
        d.finish()
    }
}

/// A configuration left out of an export, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Skipped {
    /// Its name.
    pub name: Name,
    /// Why.
    pub reason: String,
}

/// The files of an export.
#[derive(Debug, Default)]
pub struct ExportBundle {
    /// Files to write, in a stable order.
    pub files: Vec<ExportFile>,
    /// Configurations not exported.
    pub skipped: Vec<Skipped>,
}

/// Why an export was refused. Nothing is written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExportError {
    /// More variables than a Cloud Manager environment holds.
    #[error(
        "the export needs {count} Cloud Manager variables and an environment holds at most {max}; export fewer configurations (these are past the limit: {})",
        over.join(", ")
    )]
    TooManyVariables {
        /// How many the export needs.
        count: usize,
        /// The limit.
        max: usize,
        /// The configurations past the limit.
        over: Vec<String>,
    },
    /// Secret values longer than Cloud Manager accepts.
    #[error(
        "Cloud Manager refuses variable values over {max} characters, and these client secrets are longer: {}",
        culprits.join(", ")
    )]
    ValueTooLong {
        /// The limit.
        max: usize,
        /// `configuration (VARIABLE, n characters)` for each.
        culprits: Vec<String>,
    },
    /// A configuration could not be written in the format.
    #[error("{name}: {problem}")]
    Unwritable {
        /// The configuration.
        name: String,
        /// What went wrong.
        problem: String,
    },
}

/// The Cloud Manager variable that holds a configuration's client secret: letters, digits
/// and `_`, at most 100 characters, the same for the same name on every export.
pub fn secret_variable(name: &Name) -> String {
    format!(
        "IMSBRIDGE_{}_CLIENT_SECRET",
        name.as_str().to_ascii_uppercase().replace('-', "_")
    )
}

fn jwt_skipped(c: &IntegrationConfig) -> Skipped {
    Skipped {
        name: c.name.clone(),
        reason: "a Service Account (JWT) configuration; migrate it to OAuth Server-to-Server first"
            .into(),
    }
}

/// The two `.cfg.json` files per OAuth configuration, in AEM as a Cloud Service's format,
/// with the client secret as `$[secret:<VARIABLE>]`, and `cloudmanager-variables.json`
/// listing the variables (their values only with [`ExportOptions::include_secrets`]).
#[expect(
    clippy::too_many_lines,
    reason = "one sequential pass; not yet split by responsibility"
)]
pub fn export_aem_osgi(
    configs: &[IntegrationConfig],
    options: ExportOptions,
) -> Result<ExportBundle, ExportError> {
    let mut bundle = ExportBundle::default();
    let mut variables = Vec::new();
    let mut too_long = Vec::new();
    let mut exported: Vec<&IntegrationConfig> = Vec::new();
    for c in configs {
        let Credentials::OAuth(oauth) = &c.credentials else {
            bundle.skipped.push(jwt_skipped(c));
            continue;
        };
        let variable = secret_variable(&c.name);
        let chars = oauth.client_secret.expose_secret().chars().count();
        if chars > MAX_CLOUD_MANAGER_VALUE_CHARS {
            too_long.push(format!("{} ({variable}, {chars} characters)", c.name));
        }
        let mut provider = Properties::new();
        let mut put = |k: &str, v: OsgiValue| {
            provider.insert(k.to_owned(), v);
        };
        put(props::NAME, OsgiValue::string(c.name.as_str()));
        put(props::TITLE, OsgiValue::string(c.title.as_str()));
        put(
            props::CLIENT_ID,
            OsgiValue::string(oauth.client_id.as_str()),
        );
        put(props::SCOPE, OsgiValue::string(oauth.scopes.to_string()));
        put(props::ORG_ID, OsgiValue::string(oauth.org_id.as_str()));
        put(props::GRANTS, OsgiValue::string("client_credentials"));
        put(
            props::DEFAULT_CLAIMS,
            OsgiValue::strings([format!("\"iss\" : \"{}\"", oauth.org_id)]),
        );
        put(
            props::TOKEN_REQUEST,
            OsgiValue::string(c.authorization_server.endpoint("/ims/token/v3")),
        );
        put(props::REUSE, OsgiValue::Single(Scalar::Boolean(true)));
        put(props::CUSTOMIZER_TYPE, OsgiValue::string(c.name.as_str()));
        put(
            props::IMSBRIDGE_SOLUTION,
            OsgiValue::string(c.cloud_solution.to_stored()),
        );
        if let Some(t) = &oauth.technical_account_id {
            put(
                props::IMSBRIDGE_TECHNICAL_ACCOUNT,
                OsgiValue::string(t.as_str()),
            );
        }
        let mut customizer = Properties::new();
        customizer.insert(
            props::CUSTOMIZER_OWN_TYPE.into(),
            OsgiValue::string(c.name.as_str()),
        );
        customizer.insert(
            props::CLIENT_SECRET.into(),
            OsgiValue::string(format!("$[secret:{variable}]")),
        );
        for (pid, properties) in [(PROVIDER_PID, provider), (CUSTOMIZER_PID, customizer)] {
            let contents = cfg_json::write(&properties).map_err(|e| ExportError::Unwritable {
                name: c.name.to_string(),
                problem: e.to_string(),
            })?;
            bundle.files.push(ExportFile {
                path: PathBuf::from(format!("{pid}~{}.cfg.json", c.name)),
                contents,
                private: false,
            });
        }
        let mut entry = json!({ "name": variable, "type": "secretString" });
        if options.include_secrets {
            entry["value"] = json!(oauth.client_secret.expose_secret());
        }
        variables.push(entry);
        exported.push(c);
    }
    if variables.len() > MAX_CLOUD_MANAGER_VARIABLES {
        return Err(ExportError::TooManyVariables {
            count: variables.len(),
            max: MAX_CLOUD_MANAGER_VARIABLES,
            over: exported[MAX_CLOUD_MANAGER_VARIABLES..]
                .iter()
                .map(|c| c.name.to_string())
                .collect(),
        });
    }
    if !too_long.is_empty() {
        return Err(ExportError::ValueTooLong {
            max: MAX_CLOUD_MANAGER_VALUE_CHARS,
            culprits: too_long,
        });
    }
    let mut contents =
        serde_json::to_string_pretty(&variables).map_err(|e| ExportError::Unwritable {
            name: CLOUD_MANAGER_VARIABLES_FILE.into(),
            problem: e.to_string(),
        })?;
    contents.push('\n');
    bundle.files.push(ExportFile {
        path: PathBuf::from(CLOUD_MANAGER_VARIABLES_FILE),
        contents,
        private: options.include_secrets,
    });
    Ok(bundle)
}
