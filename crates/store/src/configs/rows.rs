//! Configuration rows as stored, and their parsing into domain values.

use chrono::{DateTime, Utc};
use imsbridge_domain::{
    AuthType, AuthorizationServer, Certificate, ClientId, CloudSolution, ConfigId, ConsoleLink,
    ConsoleOrgId, CredentialId, Credentials, Health, HealthStatus, IntegrationConfig,
    JwtCredentials, Metascopes, Name, OAuthCredentials, OrgId, Origin, Revision, RotateEveryDays,
    Scopes, SecretUuid, TechnicalAccountId, Title,
};
use uuid::Uuid;

use super::ConfigSummary;
use crate::{Keyring, StoreError, stored_time};

pub(super) const SUMMARY_COLUMNS: &str = "id, name, title, cloud_solution, auth_type, origin, revision, \
    authorization_server, client_id, org_id, client_secret_hint, health_status, \
    health_checked_at, health_message, health_error_code, health_debug_id, created_at, updated_at";

pub(super) const ALL_COLUMNS: &str = "id, name, title, cloud_solution, authorization_server, origin, \
    auth_type, revision, created_at, updated_at, health_status, health_checked_at, \
    health_message, health_error_code, health_debug_id, client_id, org_id, scopes, \
    technical_account_id, metascopes, certificate_pem, key_id, client_secret_ct, private_key_ct, \
    console_org_id, credential_id, rotate_every_days, secret_uuid, secret_since";

// Field names are the column names, which `FromRow` maps by name.
#[allow(clippy::struct_field_names)]
#[derive(sqlx::FromRow)]
pub(super) struct HealthColumns {
    pub(super) health_status: Option<String>,
    pub(super) health_checked_at: Option<DateTime<Utc>>,
    pub(super) health_message: Option<String>,
    pub(super) health_error_code: Option<String>,
    pub(super) health_debug_id: Option<String>,
}

impl HealthColumns {
    fn parse(&self, what: &str) -> Result<Option<Health>, StoreError> {
        let (Some(status), Some(checked_at)) = (&self.health_status, self.health_checked_at) else {
            return Ok(None);
        };
        let status = match status.as_str() {
            "healthy" => HealthStatus::Healthy,
            "unhealthy" => HealthStatus::Unhealthy,
            other => {
                return Err(StoreError::corrupt(
                    what,
                    format!("health status {other:?}"),
                ));
            }
        };
        Ok(Some(Health {
            status,
            checked_at,
            message: self.health_message.clone().unwrap_or_default(),
            error_code: self.health_error_code.clone(),
            debug_id: self.health_debug_id.clone(),
        }))
    }

    pub(super) fn from_health(health: Option<&Health>) -> Self {
        Self {
            health_status: health.map(|h| h.status.key().to_owned()),
            health_checked_at: health.map(|h| stored_time(h.checked_at)),
            health_message: health.map(|h| h.message.clone()),
            health_error_code: health.and_then(|h| h.error_code.clone()),
            health_debug_id: health.and_then(|h| h.debug_id.clone()),
        }
    }
}

#[derive(sqlx::FromRow)]
pub(super) struct SummaryRow {
    id: Uuid,
    name: String,
    title: String,
    cloud_solution: String,
    auth_type: String,
    origin: String,
    revision: i64,
    authorization_server: String,
    client_id: String,
    org_id: String,
    client_secret_hint: Option<String>,
    #[sqlx(flatten)]
    health: HealthColumns,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

/// Parses a stored column into a domain value, or says which row and column is corrupt.
fn parse<T, E: std::fmt::Display>(
    row: &str,
    column: &str,
    result: Result<T, E>,
) -> Result<T, StoreError> {
    result.map_err(|e| StoreError::corrupt(format!("configuration {row}, column {column}"), e))
}

pub(super) fn parse_revision(row: &str, n: i64) -> Result<Revision, StoreError> {
    parse(row, "revision", u64::try_from(n).map(Revision::new))
}

impl TryFrom<SummaryRow> for ConfigSummary {
    type Error = StoreError;
    fn try_from(r: SummaryRow) -> Result<Self, StoreError> {
        let row = r.name.clone();
        Ok(Self {
            id: ConfigId::from(r.id),
            name: parse(&row, "name", Name::parse(&r.name))?,
            title: parse(&row, "title", Title::parse(&r.title))?,
            cloud_solution: parse(
                &row,
                "cloud_solution",
                CloudSolution::parse(&r.cloud_solution),
            )?,
            auth_type: parse(&row, "auth_type", AuthType::parse(&r.auth_type))?,
            origin: parse(&row, "origin", Origin::parse(&r.origin))?,
            revision: parse_revision(&row, r.revision)?,
            authorization_server: parse(
                &row,
                "authorization_server",
                AuthorizationServer::parse(&r.authorization_server),
            )?,
            client_id: parse(&row, "client_id", ClientId::parse(&r.client_id))?,
            org_id: parse(&row, "org_id", OrgId::parse(&r.org_id))?,
            client_secret_hint: r.client_secret_hint,
            health: r.health.parse(&format!("configuration {row}"))?,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    }
}

/// A full configuration row, secrets still sealed.
#[derive(sqlx::FromRow)]
pub(super) struct ConfigRow {
    id: Uuid,
    name: String,
    title: String,
    cloud_solution: String,
    authorization_server: String,
    origin: String,
    auth_type: String,
    revision: i64,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    #[sqlx(flatten)]
    health: HealthColumns,
    client_id: String,
    org_id: String,
    scopes: Option<String>,
    technical_account_id: Option<String>,
    metascopes: Option<String>,
    certificate_pem: Option<String>,
    key_id: String,
    client_secret_ct: Vec<u8>,
    private_key_ct: Option<Vec<u8>>,
    #[sqlx(flatten)]
    console: ConsoleColumns,
}

/// The Developer Console link and rotation columns.
#[derive(sqlx::FromRow)]
pub(super) struct ConsoleColumns {
    pub(super) console_org_id: Option<String>,
    pub(super) credential_id: Option<String>,
    pub(super) rotate_every_days: Option<i64>,
    pub(super) secret_uuid: Option<String>,
    pub(super) secret_since: Option<DateTime<Utc>>,
}

impl ConsoleColumns {
    pub(super) fn from_config(cfg: &IntegrationConfig) -> Self {
        Self {
            console_org_id: cfg.console.console_org_id.as_ref().map(ToString::to_string),
            credential_id: cfg.console.credential_id.as_ref().map(ToString::to_string),
            rotate_every_days: cfg.console.rotate_every_days.map(|d| i64::from(d.days())),
            secret_uuid: cfg.secret_uuid.as_ref().map(ToString::to_string),
            secret_since: Some(stored_time(cfg.secret_since)),
        }
    }

    fn parse(
        &self,
        row: &str,
        updated_at: DateTime<Utc>,
    ) -> Result<(ConsoleLink, Option<SecretUuid>, DateTime<Utc>), StoreError> {
        let link = ConsoleLink {
            console_org_id: self
                .console_org_id
                .as_deref()
                .map(|v| parse(row, "console_org_id", ConsoleOrgId::parse(v)))
                .transpose()?,
            credential_id: self
                .credential_id
                .as_deref()
                .map(|v| parse(row, "credential_id", CredentialId::parse(v)))
                .transpose()?,
            rotate_every_days: self
                .rotate_every_days
                .map(|v| parse(row, "rotate_every_days", RotateEveryDays::new(v)))
                .transpose()?,
        };
        let uuid = self
            .secret_uuid
            .as_deref()
            .map(|v| parse(row, "secret_uuid", SecretUuid::parse(v)))
            .transpose()?;
        Ok((link, uuid, self.secret_since.unwrap_or(updated_at)))
    }
}

/// Where a configuration's secret is bound to by the associated data of its ciphertext.
pub(crate) fn secret_context(id: ConfigId, field: &str) -> String {
    format!("configs/{id}/{field}")
}

impl ConfigRow {
    /// Parses the row and opens its secrets.
    pub(super) fn open(&self, keys: &Keyring) -> Result<IntegrationConfig, StoreError> {
        let row = self.name.clone();
        let id = ConfigId::from(self.id);
        let client_secret = keys.open_string(
            &self.key_id,
            &secret_context(id, "client_secret"),
            &self.client_secret_ct,
        )?;
        let client_id = parse(&row, "client_id", ClientId::parse(&self.client_id))?;
        let org_id = parse(&row, "org_id", OrgId::parse(&self.org_id))?;
        let technical_account_id = self
            .technical_account_id
            .as_deref()
            .map(|t| parse(&row, "technical_account_id", TechnicalAccountId::parse(t)))
            .transpose()?;
        let missing = |column: &str| {
            StoreError::corrupt(
                format!("configuration {row}"),
                format!("{column} is missing"),
            )
        };
        let credentials = match parse(&row, "auth_type", AuthType::parse(&self.auth_type))? {
            AuthType::OAuth => Credentials::OAuth(OAuthCredentials {
                client_id,
                client_secret,
                scopes: parse(
                    &row,
                    "scopes",
                    Scopes::parse(self.scopes.as_deref().ok_or_else(|| missing("scopes"))?),
                )?,
                org_id,
                technical_account_id,
            }),
            AuthType::Jwt => Credentials::Jwt(JwtCredentials {
                api_key: client_id,
                client_secret,
                org_id,
                technical_account_id: technical_account_id
                    .ok_or_else(|| missing("technical_account_id"))?,
                metascopes: parse(
                    &row,
                    "metascopes",
                    Metascopes::parse(
                        self.metascopes
                            .as_deref()
                            .ok_or_else(|| missing("metascopes"))?,
                    ),
                )?,
                private_key: keys.open_string(
                    &self.key_id,
                    &secret_context(id, "private_key"),
                    self.private_key_ct
                        .as_deref()
                        .ok_or_else(|| missing("private_key"))?,
                )?,
                certificate: parse(
                    &row,
                    "certificate_pem",
                    Certificate::parse_pem(
                        self.certificate_pem
                            .as_deref()
                            .ok_or_else(|| missing("certificate_pem"))?,
                    ),
                )?,
            }),
        };
        let (console, secret_uuid, secret_since) = self.console.parse(&row, self.updated_at)?;
        Ok(IntegrationConfig {
            id,
            name: parse(&row, "name", Name::parse(&self.name))?,
            title: parse(&row, "title", Title::parse(&self.title))?,
            cloud_solution: parse(
                &row,
                "cloud_solution",
                CloudSolution::parse(&self.cloud_solution),
            )?,
            authorization_server: parse(
                &row,
                "authorization_server",
                AuthorizationServer::parse(&self.authorization_server),
            )?,
            origin: parse(&row, "origin", Origin::parse(&self.origin))?,
            revision: parse_revision(&row, self.revision)?,
            created_at: self.created_at,
            updated_at: self.updated_at,
            health: self.health.parse(&format!("configuration {row}"))?,
            credentials,
            console,
            secret_uuid,
            secret_since,
        })
    }
}
