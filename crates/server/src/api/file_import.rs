//! The file formats of `POST /api/v1/import` (`aem-osgi`, `aio`, `aio-lib-java`): checks the
//! request's `files`, `vars` and `expect`, then runs the one shared operation,
//! [`import_files`]. The answer is its preview (which holds no secret) and what was written.

use std::path::PathBuf;

use imsbridge_domain::SecretString;
use imsbridge_interop::{ImportFormat, ImportPreview, Vars};
use secrecy::ExposeSecret;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::ApiError;
use crate::state::AppState;
use imsbridge_service::file_import::{FileImport, FileImportOutcome, ImportResult};

/// One file of a file-format import.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ImportFileBody {
    /// Its path (relative, such as `apps/mysite/config.author/…provider-x.cfg.json`); it
    /// names the file in the report and gives the run modes of its folder.
    pub path: String,
    /// Its text. It may hold secrets; they are never shown back.
    #[schema(value_type = String, format = Password)]
    pub content: SecretString,
}

/// What a file-format import found and did.
#[derive(Debug, Serialize, ToSchema)]
pub struct FileImportView {
    /// Each configuration found and what the import does with it (format
    /// `imsbridge-import-preview/1`, as `config import --dry-run --report` writes it).
    #[schema(value_type = Object)]
    pub preview: ImportPreview,
    /// What a real run wrote, or tried to (empty on a dry run).
    pub results: Vec<ImportResultView>,
}

/// What happened to one configuration a real run wrote, or tried to.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportResultView {
    /// Its name.
    pub name: String,
    /// `created`, `updated` or `failed`.
    pub status: String,
    /// The revision it has now, when written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revision: Option<u64>,
    /// Why it failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

impl From<ImportResult> for ImportResultView {
    fn from(r: ImportResult) -> Self {
        Self {
            name: r.name,
            status: r.status,
            revision: r.revision,
            reason: r.reason,
        }
    }
}

impl From<FileImportOutcome> for FileImportView {
    fn from(o: FileImportOutcome) -> Self {
        Self {
            preview: o.preview,
            results: o.results.into_iter().map(Into::into).collect(),
        }
    }
}

/// The checked parts of a file-format request.
pub struct FileImportBody {
    /// The format.
    pub format: ImportFormat,
    /// The files.
    pub files: Option<Vec<ImportFileBody>>,
    /// A variables file's text.
    pub vars: Option<SecretString>,
    /// Overwrite existing configurations.
    pub update: bool,
    /// Only the preview.
    pub dry_run: bool,
    /// A reviewed preview.
    pub expect: Option<serde_json::Value>,
}

/// Checks `files` against the limits of [`crate::import_upload::check_files`].
pub fn check_files(
    files: Option<Vec<ImportFileBody>>,
    total_limit: usize,
) -> Result<Vec<(PathBuf, String)>, ApiError> {
    let files = files
        .unwrap_or_default()
        .into_iter()
        .map(|f| (f.path, f.content))
        .collect();
    crate::import_upload::check_files(files, total_limit)
        .map_err(|e| ApiError::invalid_field(e.field, e.message))
}

/// Reads a variables file's text (a Cloud Manager variables export or a `.env` file).
pub fn parse_vars(field: &str, text: Option<&SecretString>) -> Result<Vars, ApiError> {
    match text {
        None => Ok(Vars::new()),
        Some(text) => Vars::parse(text.expose_secret())
            .map_err(|e| ApiError::invalid_field(field, format!("{field}: {e}"))),
    }
}

/// Runs a checked file-format import.
pub async fn run(
    state: &AppState,
    body: FileImportBody,
    caller: &imsbridge_service::Caller,
) -> Result<FileImportView, ApiError> {
    let files = check_files(body.files, state.settings.body_limit_bytes)?;
    let vars = parse_vars("vars", body.vars.as_ref())?;
    let expect = match body.expect {
        None => None,
        Some(value) => Some(
            ImportPreview::from_json(&value.to_string())
                .map_err(|e| ApiError::invalid_field("expect", format!("expect: {e}")))?,
        ),
    };
    if let Some(expected) = expect
        .as_ref()
        .filter(|e| e.source_format != body.format.key())
    {
        return Err(ApiError::invalid_field(
            "expect",
            format!(
                "expect: it is a preview of format {:?}, not {:?}; send the preview this import's dry run answered",
                expected.source_format,
                body.format.key()
            ),
        ));
    }
    let outcome = state
        .services
        .import_files(
            caller,
            FileImport {
                format: body.format,
                files,
                vars,
                update: body.update,
                expect,
                dry_run: body.dry_run,
            },
        )
        .await?;
    Ok(outcome.into())
}
