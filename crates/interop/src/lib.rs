//! Meeting IMS configurations where they already live.
//!
//! * **Import**: [`parse_aem_osgi`] (AEM's OSGi configurations, `.config` and `.cfg.json`),
//!   [`parse_aio`] (aio CLI contexts) and [`parse_aio_lib_java`] (aio-lib-java workspaces)
//!   turn files, given as `(path, content)` pairs, into an [`ImportReport`]: candidate
//!   configurations, each ready or blocked (a secret that is an unresolved placeholder or
//!   AEM-encrypted, a JWT credential without its certificate), and the problems of the files
//!   that could not be used.
//! * **Export**: [`export_aem_osgi`] (the two `.cfg.json` files per configuration and
//!   `cloudmanager-variables.json`) and [`export_aio`] (aio CLI contexts).
//! * **Formats**: [`osgi::felix`] and [`osgi::cfg_json`] read and write typed OSGi
//!   properties; [`Vars`] reads Cloud Manager variables exports and `.env` files.
//!
//! Nothing here touches the file system: callers read and write the files.

pub mod aem;
pub mod aio;
pub mod aio_lib_java;
mod dotenv;
mod export;
mod fields;
mod merge;
pub mod osgi;
pub mod preview;
mod report;
mod solution;
mod vars;

use std::path::{Path, PathBuf};

pub use aem::parse_aem_osgi;
pub use aio::{export_aio, parse_aio};
pub use aio_lib_java::parse_aio_lib_java;
pub use export::{
    AIO_CONFIG_FILE, CLOUD_MANAGER_VARIABLES_FILE, ExportBundle, ExportError, ExportFile,
    ExportOptions, MAX_CLOUD_MANAGER_VALUE_CHARS, MAX_CLOUD_MANAGER_VARIABLES, Skipped,
    export_aem_osgi, secret_variable,
};
pub use preview::{Existing, ImportPreview, PreviewRow, RowAction, preview};
pub use report::{
    CandidateCredential, CandidateStatus, ImportCandidate, ImportReport, JwtSummary, MissingReason,
    MissingValue, PartialOAuth, Problem, ProblemKind,
};
pub use solution::guess as guess_cloud_solution;
pub use vars::{Placeholder, Resolved, Vars, VarsError, has_placeholder, resolve};

/// The formats an import reads besides imsbridge's own export.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ImportFormat {
    /// AEM OSGi configurations (`.config`, `.cfg.json`, `.cfg`).
    AemOsgi,
    /// aio CLI configuration files.
    Aio,
    /// aio-lib-java workspace configurations.
    AioLibJava,
}

impl ImportFormat {
    /// Every format.
    pub const ALL: [Self; 3] = [Self::AemOsgi, Self::Aio, Self::AioLibJava];

    /// The key used on the command line and in the API (`aem-osgi`, `aio`, `aio-lib-java`).
    pub fn key(self) -> &'static str {
        match self {
            Self::AemOsgi => "aem-osgi",
            Self::Aio => "aio",
            Self::AioLibJava => "aio-lib-java",
        }
    }

    /// Parses a key.
    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.key() == raw.trim())
    }

    /// Whether a directory walk should read `path` for this format (by its name only).
    pub fn accepts_path(self, path: &Path) -> bool {
        match self {
            Self::AemOsgi => aem::accepts_path(path),
            Self::Aio => aio::accepts_path(path),
            Self::AioLibJava => aio_lib_java::accepts_path(path),
        }
    }

    /// Reads `files` in this format, resolving placeholders from `vars`.
    pub fn parse_files(self, files: &[(PathBuf, String)], vars: &Vars) -> ImportReport {
        match self {
            Self::AemOsgi => parse_aem_osgi(files, vars),
            Self::Aio => parse_aio(files),
            Self::AioLibJava => parse_aio_lib_java(files, vars),
        }
    }
}

/// The formats an export writes besides imsbridge's own.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ExportFormat {
    /// AEM as a Cloud Service `.cfg.json` files and Cloud Manager variables.
    AemOsgi,
    /// aio CLI contexts.
    Aio,
}

impl ExportFormat {
    /// The key used on the command line (`aem-osgi`, `aio`).
    pub fn key(self) -> &'static str {
        match self {
            Self::AemOsgi => "aem-osgi",
            Self::Aio => "aio",
        }
    }

    /// Parses a key.
    pub fn parse(raw: &str) -> Option<Self> {
        [Self::AemOsgi, Self::Aio]
            .into_iter()
            .find(|f| f.key() == raw.trim())
    }

    /// Writes `configs` in this format.
    pub fn export(
        self,
        configs: &[imsbridge_domain::IntegrationConfig],
        options: ExportOptions,
    ) -> Result<ExportBundle, ExportError> {
        match self {
            Self::AemOsgi => export_aem_osgi(configs, options),
            Self::Aio => Ok(export_aio(configs, options)),
        }
    }
}
