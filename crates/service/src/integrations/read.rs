//! Reading configurations: the filtered list, the migration prefill, a project JSON, and
//! Check Health (which records its result but changes nothing else).

use imsbridge_domain::{AuthType, ClientId, CloudSolution, Health, Origin, RuleError, secret_hint};
use imsbridge_store::{ConfigFilter, ConfigSummary, HealthFilter, Page, PageRequest};

use super::input::{ParseProjectJson, parse_project};
use crate::error::ServiceError;
use crate::fields::{FieldError, FieldErrorKind, FieldErrors};
use crate::views::{MigrationPrefillView, ProjectJsonView, SecretView};
use crate::{Caller, Services};

/// The list's filters as a caller wrote them; [`IntegrationFilter::parse`] is their one
/// reader.
#[derive(Debug, Default, Clone)]
pub struct IntegrationFilter {
    /// `oauth` or `jwt`.
    pub auth_type: Option<String>,
    /// A solution key or `other`.
    pub cloud_solution: Option<String>,
    /// `customer` or `auto-provisioned`.
    pub origin: Option<String>,
    /// `healthy`, `unhealthy` or `unchecked`.
    pub health: Option<String>,
    /// Search text.
    pub q: Option<String>,
}

fn non_empty(v: Option<&String>) -> Option<&str> {
    v.map(|s| s.trim()).filter(|s| !s.is_empty())
}

impl IntegrationFilter {
    /// The store's filter, and the problem of each value that could not be read (those
    /// filters are left out).
    pub fn parse(&self) -> (ConfigFilter, FieldErrors) {
        let mut errors = FieldErrors::new();
        let health = non_empty(self.health.as_ref()).and_then(|h| {
            match h.to_ascii_lowercase().as_str() {
                "healthy" => Some(HealthFilter::Healthy),
                "unhealthy" => Some(HealthFilter::Unhealthy),
                "unchecked" | "unknown" | "none" => Some(HealthFilter::Unchecked),
                other => {
                    errors.push(
                        FieldError::new(
                            "health",
                            FieldErrorKind::Invalid,
                            format!(
                                "health: \"{other}\" is not a health state; use healthy, unhealthy or unchecked"
                            ),
                        )
                        .arg("problem", format!("\"{other}\" is not a health state"))
                        .arg("example", "healthy"),
                    );
                    None
                }
            }
        });
        let cloud_solution = non_empty(self.cloud_solution.as_ref()).and_then(|raw| {
            if raw.eq_ignore_ascii_case("other") {
                Some("other".to_owned())
            } else {
                errors
                    .take(CloudSolution::parse(raw))
                    .map(|s| s.key().to_owned())
            }
        });
        let search = non_empty(self.q.as_ref()).and_then(|s| {
            if s.chars().count() > 128 || s.chars().any(char::is_control) {
                errors.push(
                    FieldError::new(
                        "q",
                        FieldErrorKind::TooLong,
                        "q: the search text must be at most 128 characters of plain text",
                    )
                    .arg("max", 128),
                );
                None
            } else {
                Some(s.to_owned())
            }
        });
        let auth_type =
            non_empty(self.auth_type.as_ref()).and_then(|a| errors.take(AuthType::parse(a)));
        let origin = non_empty(self.origin.as_ref()).and_then(|o| errors.take(Origin::parse(o)));
        (
            ConfigFilter {
                auth_type,
                cloud_solution,
                origin,
                health,
                search,
            },
            errors,
        )
    }
}

impl Services {
    /// One page of configurations matching `filter`.
    pub async fn list_integrations(
        &self,
        caller: &Caller,
        filter: &ConfigFilter,
        page: PageRequest,
    ) -> Result<Page<ConfigSummary>, ServiceError> {
        caller.require_read()?;
        Ok(self.store.list_configs(filter, page).await?)
    }

    /// What a migration form of JWT configuration `raw_name` starts from.
    pub async fn migration_prefill(
        &self,
        caller: &Caller,
        raw_name: &str,
    ) -> Result<MigrationPrefillView, ServiceError> {
        let config = self.get_integration(caller, raw_name).await?;
        config.check_manual_migration()?;
        let prefill = config
            .migration_prefill()
            .ok_or(RuleError::NotJwt(config.auth_type()))?;
        Ok(MigrationPrefillView::new(config.revision, &prefill))
    }

    /// The OAuth fields of a Developer Console project JSON (secrets only by their tails).
    pub fn read_project_json(
        &self,
        caller: &Caller,
        body: &ParseProjectJson,
    ) -> Result<ProjectJsonView, ServiceError> {
        caller.require_admin()?;
        let mut errors = FieldErrors::new();
        let client_id = body
            .client_id
            .as_deref()
            .and_then(|c| errors.take(ClientId::parse(c)));
        let project = parse_project(&mut errors, Some(&body.project_json), client_id.as_ref());
        let Some(p) = project.filter(|_| errors.is_empty()) else {
            return Err(errors.into());
        };
        Ok(ProjectJsonView {
            project_title: p.project_title,
            client_id: p.client_id.to_string(),
            client_secret: SecretView {
                set: !p.client_secrets.is_empty(),
                last4: p.client_secrets.first().and_then(secret_hint),
            },
            client_secret_count: p.client_secrets.len(),
            scopes: p.scopes.iter().map(str::to_owned).collect(),
            org_id: p.org_id.to_string(),
            technical_account_id: p.technical_account_id.map(|t| t.to_string()),
            console_org_id: p.console_org_id.map(|c| c.to_string()),
            credential_id: p.credential_id.map(|c| c.to_string()),
        })
    }

    /// Check Health: fetches a fresh token (bypassing the cache) and records the result on
    /// the configuration. IMS refusing is a result, not an error.
    pub async fn check_health(
        &self,
        caller: &Caller,
        raw_name: &str,
    ) -> Result<Health, ServiceError> {
        caller.require_admin()?;
        let config = self.get_integration(caller, raw_name).await?;
        let health = self.provider.check_health(&config).await;
        match self
            .store
            .record_health(config.id, config.revision, &health)
            .await
        {
            // Changed while we checked: the result describes the old credential; report it
            // but do not record it.
            Ok(()) | Err(imsbridge_store::StoreError::StaleRevision { .. }) => {}
            Err(e) => return Err(e.into()),
        }
        Ok(health)
    }
}
