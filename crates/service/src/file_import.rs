//! Import from the files where configurations already live (AEM OSGi configurations, aio CLI
//! contexts, aio-lib-java workspaces): the dry run against the store, then one transaction
//! per configuration, audited as `config.import`.
//!
//! The JSON API (`POST /api/v1/import` with a `format`), the console's Import page and
//! `imsbridge config import --from` all run [`Services::import_files`].

use std::collections::BTreeMap;
use std::path::PathBuf;

use chrono::{DateTime, Utc};
use imsbridge_domain::{
    ConfigDraft, ConfigId, DraftCredentials, IntegrationConfig, OAuthPatch, Origin,
};
use imsbridge_interop::{Existing, ImportFormat, ImportPreview, Vars, preview};
use imsbridge_store::{AuditContext, Store, StoreError};
use serde::{Deserialize, Serialize};

use crate::{Caller, ServiceError, Services};

/// What to import and how.
#[derive(Debug)]
pub struct FileImport {
    /// The files' format.
    pub format: ImportFormat,
    /// `(path, content)` of every file read; paths only name things in the report.
    pub files: Vec<(PathBuf, String)>,
    /// Placeholder values (`$[secret:NAME]`, `$[env:NAME]`).
    pub vars: Vars,
    /// Whether existing configurations of the same name are overwritten.
    pub update: bool,
    /// A reviewed dry run: only its rows still at the revision it saw are written.
    pub expect: Option<ImportPreview>,
    /// Only the preview; nothing is written.
    pub dry_run: bool,
}

/// What happened to one configuration a real run wrote, or tried to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportResult {
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

/// The preview, and what a real run did.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct FileImportOutcome {
    /// Each configuration found, and what the import does with it.
    pub preview: ImportPreview,
    /// What was written (empty on a dry run).
    pub results: Vec<ImportResult>,
}

impl FileImportOutcome {
    /// Whether every row meant to be written was.
    pub fn all_written(&self) -> bool {
        self.results.iter().all(|r| r.status != "failed")
    }
}

impl Services {
    /// Imports configurations from AEM's or the aio CLI's files (admins only): see
    /// [`import_files`].
    pub async fn import_files(
        &self,
        caller: &Caller,
        request: FileImport,
    ) -> Result<FileImportOutcome, ServiceError> {
        caller.require_admin()?;
        Ok(import_files(&self.store, request, self.clock.now(), &caller.audit).await?)
    }
}

/// Reads `request.files`, previews them against the store, and unless it is a dry run
/// writes each ready row in its own transaction. A row that fails (its name taken or its
/// revision moved on meanwhile) is reported and the others still land.
pub async fn import_files(
    store: &Store,
    request: FileImport,
    now: DateTime<Utc>,
    audit: &AuditContext,
) -> Result<FileImportOutcome, StoreError> {
    let report = request.format.parse_files(&request.files, &request.vars);
    let mut existing = BTreeMap::new();
    for candidate in &report.candidates {
        if let Some(summary) = store.get_config_summary(&candidate.name).await? {
            existing.insert(
                candidate.name.clone(),
                Existing {
                    revision: summary.revision.get(),
                    auth_type: summary.auth_type,
                },
            );
        }
    }
    let mut preview = preview(request.format.key(), &report, &existing, request.update);
    if let Some(expected) = &request.expect {
        preview.restrict_to(expected);
    }
    let mut results = Vec::new();
    if !request.dry_run {
        for row in preview.writes() {
            let Some(draft) = report
                .candidate(&row.name)
                .and_then(imsbridge_interop::ImportCandidate::draft)
            else {
                continue;
            };
            let outcome = match row.revision {
                None => create(store, draft, now, audit).await,
                Some(revision) => update(store, draft, revision, now, audit).await,
            };
            results.push(match outcome {
                Ok((status, revision)) => ImportResult {
                    name: row.name.clone(),
                    status: status.to_owned(),
                    revision: Some(revision),
                    reason: None,
                },
                Err(e) => ImportResult {
                    name: row.name.clone(),
                    status: "failed".to_owned(),
                    revision: None,
                    reason: Some(match e {
                        StoreError::NameTaken(name) => format!(
                            "{name} was created by someone else meanwhile; run the import again to review it"
                        ),
                        StoreError::StaleRevision { expected, current } => format!(
                            "it changed meanwhile (revision {expected}, now {current}); run the import again to review it"
                        ),
                        StoreError::Rule(rule) => rule.to_string(),
                        other => return Err(other),
                    }),
                },
            });
        }
    }
    Ok(FileImportOutcome { preview, results })
}

async fn create(
    store: &Store,
    draft: ConfigDraft,
    now: DateTime<Utc>,
    audit: &AuditContext,
) -> Result<(&'static str, u64), StoreError> {
    let cfg = IntegrationConfig::import(draft, Origin::Customer, ConfigId::new(), now);
    store.import_config(&cfg, audit).await?;
    Ok(("created", cfg.revision.get()))
}

async fn update(
    store: &Store,
    draft: ConfigDraft,
    revision: u64,
    now: DateTime<Utc>,
    audit: &AuditContext,
) -> Result<(&'static str, u64), StoreError> {
    let Some(current) = store.get_config(&draft.name).await? else {
        return Err(StoreError::NotFound(format!(
            "configuration {}",
            draft.name
        )));
    };
    let DraftCredentials::OAuth(oauth) = draft.credentials else {
        return Err(imsbridge_domain::RuleError::JwtCreationRefused.into());
    };
    let expected = imsbridge_domain::Revision::new(revision);
    let patch = OAuthPatch {
        title: Some(draft.title),
        cloud_solution: Some(draft.cloud_solution),
        authorization_server: Some(draft.authorization_server),
        client_id: Some(oauth.client_id),
        client_secret: Some(oauth.client_secret),
        scopes: Some(oauth.scopes),
        org_id: Some(oauth.org_id),
        technical_account_id: Some(oauth.technical_account_id),
        // A file carries no Developer Console link: the configuration keeps its own.
        ..OAuthPatch::default()
    };
    let after = current.update(patch, expected, now)?;
    store
        .update_config(expected, &after, audit, "config.import")
        .await?;
    Ok(("updated", expected.next().get()))
}
