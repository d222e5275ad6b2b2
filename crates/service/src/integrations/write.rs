//! Changing configurations: create (OAuth only), update (OAuth only, at the revision read),
//! delete, and migrate JWT → OAuth; new credential details verified with IMS first.

use imsbridge_domain::{
    ConfigDraft, ConfigId, DraftCredentials, IntegrationConfig, MigrationActor, Name, Revision,
    RuleError,
};
use imsbridge_store::StoreError;

use super::input::{
    MigrateIntegration, NewIntegration, OAuthDefaults, OAuthInput, jwt_client_secret,
    oauth_from_input, refuses_jwt,
};
use super::migrate::{MigrationRequest, migrate};
use super::verify::credential_changed;
use super::{CreateIntegration, UpdateIntegration};
use crate::error::{Resource, ServiceError};
use crate::fields::FieldErrors;
use crate::{Caller, Services};

impl Services {
    /// Creates an OAuth Server-to-Server configuration after IMS issued a token for it
    /// (unless `verify` is false and this server allows it). JWT is refused (deprecated).
    pub async fn create_integration(
        &self,
        caller: &Caller,
        body: &CreateIntegration,
    ) -> Result<IntegrationConfig, ServiceError> {
        caller.require_admin()?;
        let mut errors = FieldErrors::new();
        if refuses_jwt(
            &mut errors,
            body.auth_type.as_deref(),
            body.has_jwt_fields(),
        ) {
            return Err(RuleError::JwtCreationRefused.into());
        }
        let verify = self.wants_verification(body.verify)?;
        let new = match NewIntegration::try_from(body) {
            Ok(new) if errors.is_empty() => new,
            Ok(_) => return Err(errors.into()),
            Err(more) => {
                for e in more {
                    errors.push(e);
                }
                return Err(errors.into());
            }
        };
        let draft = ConfigDraft {
            name: new.name,
            title: new.title,
            cloud_solution: new.cloud_solution,
            authorization_server: new.authorization_server,
            credentials: DraftCredentials::OAuth(new.oauth),
        };
        let config = IntegrationConfig::create(draft, ConfigId::new(), self.clock.now())?
            .with_console(new.console);
        // A taken name is refused before IMS is asked anything.
        if self.store.get_config_summary(&config.name).await?.is_some() {
            return Err(StoreError::NameTaken(config.name.clone()).into());
        }
        if verify {
            self.verify_oauth(&config).await?;
            self.store.insert_config(&config, &caller.audit).await?;
        } else {
            self.store
                .insert_config_unverified(&config, &caller.audit)
                .await?;
        }
        self.stored(config).await
    }

    /// Updates OAuth configuration `raw_name`, read at revision `expected`. A change of the
    /// credential (IMS URL, client id, secret, scopes, org) is verified with IMS first, unless
    /// `verify` is false and this server allows it; other changes are not.
    pub async fn update_integration(
        &self,
        caller: &Caller,
        raw_name: &str,
        expected: Revision,
        body: &UpdateIntegration,
    ) -> Result<IntegrationConfig, ServiceError> {
        caller.require_admin()?;
        let mut errors = FieldErrors::new();
        if refuses_jwt(
            &mut errors,
            body.auth_type.as_deref(),
            body.has_jwt_fields(),
        ) {
            return Err(RuleError::JwtReadOnly.into());
        }
        let verify = self.wants_verification(body.verify)?;
        let current = self.get_integration(caller, raw_name).await?;
        let patch = match body.parse() {
            Ok(patch) if errors.is_empty() => patch,
            Ok(_) => return Err(errors.into()),
            Err(more) => {
                for e in more {
                    errors.push(e);
                }
                return Err(errors.into());
            }
        };
        let after = current.update(patch, expected, self.clock.now())?;
        // Only new credential details need IMS's word; a title or solution change keeps
        // the credential as it was saved.
        let changed = credential_changed(&current, &after);
        if changed && verify {
            self.verify_oauth(&after).await?;
        }
        let action = if changed && !verify {
            "config.update.unverified"
        } else {
            "config.update"
        };
        self.store
            .update_config(expected, &after, &caller.audit, action)
            .await?;
        self.provider.retire(after.id);
        self.stored(after).await
    }

    /// Deletes configuration `raw_name`; with `expected`, only if still at that revision.
    pub async fn delete_integration(
        &self,
        caller: &Caller,
        raw_name: &str,
        expected: Option<Revision>,
    ) -> Result<(), ServiceError> {
        caller.require_admin()?;
        let name = Name::parse(raw_name)?;
        let summary = self
            .store
            .get_config_summary(&name)
            .await?
            .ok_or_else(|| ServiceError::not_found(Resource::Integration, &name))?;
        self.store
            .delete_config(&name, expected, &caller.audit)
            .await?;
        self.provider.retire(summary.id);
        Ok(())
    }

    /// Migrates JWT configuration `raw_name`, read at revision `expected`, to OAuth
    /// Server-to-Server, after verifying the new details with IMS (unless `verify` is false
    /// and this server allows it). Fields left out come from the JWT credential.
    pub async fn migrate_integration(
        &self,
        caller: &Caller,
        raw_name: &str,
        expected: Revision,
        body: &MigrateIntegration,
    ) -> Result<IntegrationConfig, ServiceError> {
        caller.require_admin()?;
        let verify = self.wants_verification(body.verify)?;
        let config = self.get_integration(caller, raw_name).await?;
        // Refuse before asking IMS anything: auto-provisioned and non-JWT configurations
        // fail the same with any OAuth details.
        config.check_manual_migration()?;
        let prefill = config
            .migration_prefill()
            .ok_or(RuleError::NotJwt(config.auth_type()))?;
        let mut errors = FieldErrors::new();
        let oauth = oauth_from_input(
            &mut errors,
            &OAuthInput {
                client_id: body.client_id.as_deref(),
                client_secret: body.client_secret.as_ref(),
                scopes: body.scopes.as_ref(),
                org_id: body.org_id.as_deref(),
                technical_account_id: body.technical_account_id.as_deref(),
                project_json: body.project_json.as_ref(),
            },
            OAuthDefaults {
                client_id: Some(prefill.client_id),
                scopes: Some(prefill.scopes),
                org_id: Some(prefill.org_id),
                technical_account_id: Some(prefill.technical_account_id),
                // Only with verification: a kept secret is proven by IMS before anything
                // changes.
                client_secret: verify.then(|| jwt_client_secret(&config)).flatten(),
            },
        );
        let Some((oauth, _)) = oauth.filter(|_| errors.is_empty()) else {
            return Err(errors.into());
        };
        let migrated = migrate(
            &self.store,
            &self.provider,
            self.clock.as_ref(),
            MigrationRequest {
                name: config.name.clone(),
                expected,
                oauth,
                verify,
                actor: MigrationActor::Manual,
            },
            &caller.audit,
        )
        .await
        .map_err(|e| self.offer_skip(e.into()))?;
        self.stored(migrated).await
    }
}
