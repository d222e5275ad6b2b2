//! `POST /api/v1/import`: brings existing configurations (an imsbridge export, OAuth or JWT)
//! into the store. The only way a JWT configuration enters through the API: they exist,
//! they cannot be made. With a file `format` (`aem-osgi`, `aio`, `aio-lib-java`) it reads
//! `files` instead: see [`super::file_import`].

use axum::extract::State;
use imsbridge_domain::SecretString;
use imsbridge_store::{ExportDocument, ImportReport, StoreError};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::file_import::{FileImportBody, FileImportView, ImportFileBody};
use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::extract::Json;
use crate::state::AppState;

/// An export to import, or (with a file `format`) the files where configurations live.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ImportRequest {
    /// `imsbridge` (the default: `document` is an imsbridge export), or `aem-osgi`, `aio`,
    /// `aio-lib-java` (`files` holds the files).
    #[schema(example = "aem-osgi")]
    pub format: Option<String>,
    /// The document written by `imsbridge config export` (format `imsbridge-export/…`);
    /// format `imsbridge` only.
    #[schema(value_type = Option<Object>)]
    pub document: Option<serde_json::Value>,
    /// The passphrase its secrets are sealed with, if any; format `imsbridge` only.
    #[schema(value_type = Option<String>, format = Password)]
    pub passphrase: Option<SecretString>,
    /// The files to read (at most 1,000, each at most 1 MiB); file formats only.
    pub files: Option<Vec<ImportFileBody>>,
    /// The text of a Cloud Manager variables JSON or a `.env` file, for `$[secret:NAME]` and
    /// `$[env:NAME]` placeholders; file formats only.
    #[schema(value_type = Option<String>, format = Password)]
    pub vars: Option<SecretString>,
    /// Overwrite configurations of the same name (default `false`); file formats only.
    pub update: Option<bool>,
    /// Only preview: write nothing (default `false`); file formats only.
    pub dry_run: Option<bool>,
    /// A preview a dry run answered: only its rows still at the revision it saw are written;
    /// file formats only.
    #[schema(value_type = Option<Object>)]
    pub expect: Option<serde_json::Value>,
}

/// What an import did: an export's report, or a file import's preview and results.
#[derive(Debug, Serialize, ToSchema)]
#[serde(untagged)]
pub enum ImportAnswer {
    /// Format `imsbridge`.
    Export(ImportView),
    /// A file format.
    Files(FileImportView),
}

/// What the import did.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportView {
    /// Names created.
    pub created: Vec<String>,
    /// Names left alone because they exist already.
    pub skipped: Vec<String>,
    /// Names that could not be imported, and why.
    pub failed: Vec<ImportFailureView>,
}

/// A configuration the import could not create.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportFailureView {
    /// Its name.
    pub name: String,
    /// Why.
    pub reason: String,
}

impl From<ImportReport> for ImportView {
    fn from(r: ImportReport) -> Self {
        Self {
            created: r.created.iter().map(ToString::to_string).collect(),
            skipped: r.skipped.iter().map(ToString::to_string).collect(),
            failed: r
                .failed
                .into_iter()
                .map(|f| ImportFailureView {
                    name: f.name.to_string(),
                    reason: f.reason,
                })
                .collect(),
        }
    }
}

/// Imports existing configurations (OAuth or JWT) from an imsbridge export; names that exist
/// are skipped. Each configuration is created whole or not at all. With a file `format`,
/// reads AEM OSGi configurations, aio CLI contexts or aio-lib-java workspaces from `files`
/// and answers the preview (create, update, skip, needs-secret, needs-certificate per
/// configuration) and what was written; one transaction per configuration.
#[utoipa::path(
    post, path = "/api/v1/import", tag = "integrations",
    request_body = ImportRequest,
    responses(
        (status = 200, description = "What was created, skipped or failed; for a file format, the preview and what was written", body = ImportAnswer),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody),
        (status = 422, description = "Not an export, a wrong or missing passphrase, an unknown format, or files missing, too many or too large", body = ErrorBody),
    ),
    security(("bearer" = []), ("session" = []))
)]
pub async fn import(
    State(state): State<AppState>,
    caller: Caller,
    Json(body): Json<ImportRequest>,
) -> Result<Json<ImportAnswer>, ApiError> {
    caller.require_admin()?;
    let format = body.format.as_deref().unwrap_or("imsbridge");
    if format.trim() != "imsbridge" {
        let Some(format) = imsbridge_interop::ImportFormat::parse(format) else {
            return Err(ApiError::invalid_field(
                "format",
                format!(
                    "format: {format:?} is not known; use imsbridge, aem-osgi, aio or aio-lib-java"
                ),
            ));
        };
        for (field, given) in [
            ("document", body.document.is_some()),
            ("passphrase", body.passphrase.is_some()),
        ] {
            if given {
                return Err(ApiError::invalid_field(
                    field,
                    format!(
                        "{field}: belongs to format imsbridge; with format {} send the files in `files`",
                        format.key()
                    ),
                ));
            }
        }
        let request = FileImportBody {
            format,
            files: body.files,
            vars: body.vars,
            update: body.update.unwrap_or(false),
            dry_run: body.dry_run.unwrap_or(false),
            expect: body.expect,
        };
        let view = super::file_import::run(&state, request, &caller).await?;
        return Ok(Json(ImportAnswer::Files(view)));
    }
    for (field, given) in [
        ("files", body.files.is_some()),
        ("vars", body.vars.is_some()),
        ("update", body.update.is_some()),
        ("dry_run", body.dry_run.is_some()),
        ("expect", body.expect.is_some()),
    ] {
        if given {
            return Err(ApiError::invalid_field(
                field,
                format!(
                    "{field}: belongs to the file formats; set format to aem-osgi, aio or aio-lib-java, or leave {field} out"
                ),
            ));
        }
    }
    let Some(document) = body.document else {
        return Err(ApiError::invalid_field(
            "document",
            "document: give the document `imsbridge config export` wrote, or set format to aem-osgi, aio or aio-lib-java and send files",
        ));
    };
    let document: ExportDocument = serde_json::from_value(document).map_err(|e| {
        ApiError::invalid_field(
            "document",
            format!("document: is not an imsbridge export ({e}); use the file `imsbridge config export` wrote"),
        )
    })?;
    match state
        .store
        .import(&document, body.passphrase.as_ref(), &caller.audit)
        .await
    {
        Ok(report) => Ok(Json(ImportAnswer::Export(report.into()))),
        // Both are about what the caller sent: a wrong or missing passphrase, an unknown
        // format. Their messages name no secret.
        Err(e @ StoreError::Crypto(_)) => Err(ApiError::invalid_field("passphrase", e.to_string())),
        Err(e @ StoreError::Corrupt(_)) => Err(ApiError::invalid_field("document", e.to_string())),
        Err(e) => Err(e.into()),
    }
}
