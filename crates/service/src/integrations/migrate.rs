//! The one migration operation (JWT → OAuth Server-to-Server), shared by the API, the
//! console and the bulk migration: check the rules, verify the new details with IMS, commit
//! with the revision read, retire cached tokens.

use imsbridge_domain::{
    Clock, IntegrationConfig, MigrationActor, Name, OAuthCredentials, Revision, RuleError,
};
use imsbridge_ims::{TokenError, TokenProvider};
use imsbridge_store::{AuditContext, AuditEntry, Store, StoreError};

use crate::error::{Resource, ServiceError};

/// One migration to perform.
#[derive(Debug, Clone)]
pub struct MigrationRequest {
    /// The configuration to migrate.
    pub name: Name,
    /// The revision the caller read.
    pub expected: Revision,
    /// The new OAuth details.
    pub oauth: OAuthCredentials,
    /// Fetch a token with the new details before committing.
    pub verify: bool,
    /// By hand (refused for auto-provisioned configurations) or by the automatic job.
    pub actor: MigrationActor,
}

/// Why a migration did not happen. Nothing was changed in any case.
#[derive(Debug, thiserror::Error)]
pub enum MigrationError {
    /// No configuration with that name.
    #[error("the integration configuration \"{0}\" does not exist")]
    NotFound(Name),
    /// The rules refuse it (not JWT, auto-provisioned, stale revision).
    #[error(transparent)]
    Rule(#[from] RuleError),
    /// IMS did not issue a token for the new details.
    #[error("the new OAuth details were not accepted by IMS: {0}")]
    Verification(#[source] TokenError),
    /// The store failed (or the configuration changed meanwhile: `StaleRevision`).
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Migrates configuration `request.name` to OAuth.
///
/// The JWT private key and secret go with the old credential when the change commits; the
/// configuration keeps its id, name, title, solution and origin. With `verify`, IMS must
/// issue a token for the new details first, or the migration is refused with IMS's own
/// error (and the refusal is audited as `config.migrate.refused`).
pub async fn migrate(
    store: &Store,
    provider: &TokenProvider,
    clock: &dyn Clock,
    request: MigrationRequest,
    audit: &AuditContext,
) -> Result<IntegrationConfig, MigrationError> {
    let config = store
        .get_config(&request.name)
        .await?
        .ok_or_else(|| MigrationError::NotFound(request.name.clone()))?;
    // Check the rules with the real details before IMS is asked anything.
    config.migrate_to_oauth(
        request.oauth.clone(),
        request.expected,
        request.actor,
        clock.now(),
    )?;
    if request.verify
        && let Err(e) = provider
            .verify(&config.authorization_server, &request.oauth)
            .await
    {
        let entry = AuditEntry {
            action: "config.migrate.refused".into(),
            target_kind: "config".into(),
            target_name: Some(config.name.to_string()),
            target_id: Some(config.id.to_string()),
            details: serde_json::json!({
                "reason": "verification_failed",
                "ims_error": e.error_code(),
                "debug_id": e.debug_id(),
            }),
        };
        if let Err(audit_error) = store.append_audit(audit, &entry).await {
            tracing::warn!(error = %audit_error, "could not audit a refused migration");
        }
        return Err(MigrationError::Verification(e));
    }
    let migrated =
        config.migrate_to_oauth(request.oauth, request.expected, request.actor, clock.now())?;
    let action = if request.verify {
        "config.migrate"
    } else {
        "config.migrate.unverified"
    };
    store
        .update_config(request.expected, &migrated, audit, action)
        .await?;
    provider.retire(migrated.id);
    Ok(migrated)
}

impl From<MigrationError> for ServiceError {
    fn from(e: MigrationError) -> Self {
        match e {
            MigrationError::NotFound(name) => ServiceError::not_found(Resource::Integration, name),
            MigrationError::Rule(rule) => rule.into(),
            MigrationError::Store(store) => store.into(),
            // The caller's policy decides whether skipping is offered; the adapters that
            // allow it say so (see `Services::migrate_integration`).
            MigrationError::Verification(error) => super::verify::verification_error(error, false),
        }
    }
}
