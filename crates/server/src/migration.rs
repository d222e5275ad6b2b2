//! The one migration operation (JWT → OAuth Server-to-Server), shared by the API, the
//! console and the bulk migration: check the rules, verify the new details with IMS, commit
//! with the revision read, retire cached tokens.

use imsbridge_domain::{
    Clock, IntegrationConfig, MigrationActor, Name, OAuthCredentials, Revision, RuleError,
};
use imsbridge_ims::{TokenError, TokenProvider};
use imsbridge_store::{AuditContext, AuditEntry, Store, StoreError};

use crate::error::ApiError;

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
    #[error("the integration configuration {0:?} does not exist")]
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

/// The request field IMS's refusal points at: the scopes for `invalid_scope`; otherwise the
/// client secret, since the client id comes from the JWT credential the Developer Console
/// migrated and stays the same.
fn refused_field(e: &imsbridge_ims::TokenError) -> &'static str {
    match e.ims_error().and_then(imsbridge_ims::ImsError::ims_code) {
        Some("invalid_scope") => "scopes",
        _ => "client_secret",
    }
}

impl From<MigrationError> for ApiError {
    fn from(e: MigrationError) -> Self {
        match e {
            MigrationError::NotFound(name) => {
                ApiError::not_found(format!("the integration configuration {name:?}"))
            }
            MigrationError::Rule(rule) => rule.into(),
            MigrationError::Store(store) => store.into(),
            MigrationError::Verification(token_error) if token_error.is_permanent() => {
                let message = token_error
                    .ims_error()
                    .and_then(|i| i.description())
                    .map_or_else(|| token_error.to_string(), ToOwned::to_owned);
                ApiError::new(
                    axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                    "verification_failed",
                    format!(
                        "IMS refused the new OAuth details, so nothing was changed: {message}. Check the client id, secret and scopes in the Adobe Developer Console, or save without verification (verify=false)"
                    ),
                )
                .with_ims(Some(token_error.error_code()), token_error.debug_id().map(str::to_owned))
                .with_field(refused_field(&token_error))
            }
            MigrationError::Verification(token_error) => token_error.into(),
        }
    }
}
