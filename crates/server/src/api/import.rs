//! `POST /api/v1/import`: brings existing configurations (an imsbridge export, OAuth or JWT)
//! into the store. The only way a JWT configuration enters through the API: they exist,
//! they cannot be made.

use axum::extract::State;
use imsbridge_domain::SecretString;
use imsbridge_store::{ExportDocument, ImportReport, StoreError};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::extract::Json;
use crate::state::AppState;

/// An export to import.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ImportRequest {
    /// The document written by `imsbridge config export` (format `imsbridge-export/…`).
    #[schema(value_type = Object)]
    pub document: serde_json::Value,
    /// The passphrase its secrets are sealed with, if any.
    #[schema(value_type = Option<String>, format = Password)]
    pub passphrase: Option<SecretString>,
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
/// are skipped. Each configuration is created whole or not at all.
#[utoipa::path(
    post, path = "/api/v1/import", tag = "integrations",
    request_body = ImportRequest,
    responses(
        (status = 200, description = "What was created, skipped or failed", body = ImportView),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody),
        (status = 422, description = "Not an export, or a wrong or missing passphrase", body = ErrorBody),
    ),
    security(("bearer" = []), ("session" = []))
)]
pub async fn import(
    State(state): State<AppState>,
    caller: Caller,
    Json(body): Json<ImportRequest>,
) -> Result<Json<ImportView>, ApiError> {
    caller.require_admin()?;
    let document: ExportDocument = serde_json::from_value(body.document).map_err(|e| {
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
        Ok(report) => Ok(Json(report.into())),
        // Both are about what the caller sent: a wrong or missing passphrase, an unknown
        // format. Their messages name no secret.
        Err(e @ StoreError::Crypto(_)) => Err(ApiError::invalid_field("passphrase", e.to_string())),
        Err(e @ StoreError::Corrupt(_)) => Err(ApiError::invalid_field("document", e.to_string())),
        Err(e) => Err(e.into()),
    }
}
