//! Integration configurations: rows, sealed secrets, optimistic concurrency, listing.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use imsbridge_domain::{
    AuthType, AuthorizationServer, Certificate, ClientId, CloudSolution, ConfigId, Credentials,
    ExposeSecret, Health, HealthStatus, IntegrationConfig, JwtCredentials, Metascopes, Name,
    OAuthCredentials, OrgId, Origin, Revision, RuleError, Scopes, TechnicalAccountId, Title,
    secret_hint,
};
use uuid::Uuid;

use crate::audit::{AuditContext, AuditEntry, NewAuditRow, fetch_page, insert_audit};
use crate::backend::{BeginWrite, with_backend};
use crate::error::is_unique_violation;
use crate::page::{Where, escape_like};
use crate::{Keyring, Page, PageRequest, Store, StoreError, stored_time};

/// Which configurations to list; unset fields match everything.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ConfigFilter {
    /// Only OAuth or only JWT.
    pub auth_type: Option<AuthType>,
    /// Only this solution, by key (`target`, `analytics`, …, or `other` for any other).
    pub cloud_solution: Option<String>,
    /// Only customer-created or only auto-provisioned.
    pub origin: Option<Origin>,
    /// Only this health state.
    pub health: Option<HealthFilter>,
    /// Case-insensitive substring of the title or name.
    pub search: Option<String>,
}

/// The health states a list can be filtered by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum HealthFilter {
    /// The last check succeeded.
    Healthy,
    /// The last check failed.
    Unhealthy,
    /// Never checked since the credential last changed.
    Unchecked,
}

/// What a list shows of a configuration: everything but its secrets, read without
/// decrypting anything.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct ConfigSummary {
    /// Stable id.
    pub id: ConfigId,
    /// Unique name.
    pub name: Name,
    /// Display title.
    pub title: Title,
    /// The solution served.
    pub cloud_solution: CloudSolution,
    /// OAuth or JWT.
    pub auth_type: AuthType,
    /// Customer-created or auto-provisioned.
    pub origin: Origin,
    /// Current revision.
    pub revision: Revision,
    /// IMS base URL.
    pub authorization_server: AuthorizationServer,
    /// Client id (a JWT credential's API key).
    pub client_id: ClientId,
    /// Organization.
    pub org_id: OrgId,
    /// Last four characters of the client secret, when it is long enough to show them.
    pub client_secret_hint: Option<String>,
    /// The last health check, if any.
    pub health: Option<Health>,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

impl ConfigSummary {
    /// Whether the console must show the "JWT Credentials (deprecated)" warning.
    pub fn is_deprecated(&self) -> bool {
        self.auth_type == AuthType::Jwt
    }
}

const SUMMARY_COLUMNS: &str = "id, name, title, cloud_solution, auth_type, origin, revision, \
    authorization_server, client_id, org_id, client_secret_hint, health_status, \
    health_checked_at, health_message, health_error_code, health_debug_id, created_at, updated_at";

const ALL_COLUMNS: &str = "id, name, title, cloud_solution, authorization_server, origin, \
    auth_type, revision, created_at, updated_at, health_status, health_checked_at, \
    health_message, health_error_code, health_debug_id, client_id, org_id, scopes, \
    technical_account_id, metascopes, certificate_pem, key_id, client_secret_ct, private_key_ct";

// Field names are the column names, which `FromRow` maps by name.
#[allow(clippy::struct_field_names)]
#[derive(sqlx::FromRow)]
struct HealthColumns {
    health_status: Option<String>,
    health_checked_at: Option<DateTime<Utc>>,
    health_message: Option<String>,
    health_error_code: Option<String>,
    health_debug_id: Option<String>,
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

    fn from_health(health: Option<&Health>) -> Self {
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
struct SummaryRow {
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

fn parse_revision(row: &str, n: i64) -> Result<Revision, StoreError> {
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
struct ConfigRow {
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
}

/// Where a configuration's secret is bound to by the associated data of its ciphertext.
pub(crate) fn secret_context(id: ConfigId, field: &str) -> String {
    format!("configs/{id}/{field}")
}

impl ConfigRow {
    /// Parses the row and opens its secrets.
    fn open(&self, keys: &Keyring) -> Result<IntegrationConfig, StoreError> {
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
        })
    }
}

/// The column values of a configuration, secrets sealed, ready to bind.
struct ConfigValues {
    id: Uuid,
    name: String,
    title: String,
    title_key: String,
    cloud_solution: String,
    cloud_solution_key: String,
    authorization_server: String,
    origin: String,
    auth_type: String,
    revision: i64,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    health: HealthColumns,
    client_id: String,
    org_id: String,
    scopes: Option<String>,
    technical_account_id: Option<String>,
    metascopes: Option<String>,
    certificate_pem: Option<String>,
    client_secret_hint: Option<String>,
    key_id: String,
    client_secret_ct: Vec<u8>,
    private_key_ct: Option<Vec<u8>>,
}

fn revision_i64(revision: Revision) -> Result<i64, StoreError> {
    i64::try_from(revision.get())
        .map_err(|_| StoreError::Conflict(format!("revision {revision} is out of range")))
}

impl ConfigValues {
    fn seal(
        cfg: &IntegrationConfig,
        revision: Revision,
        keys: &Keyring,
    ) -> Result<Self, StoreError> {
        let (client_secret, private_key) = match &cfg.credentials {
            Credentials::OAuth(o) => (&o.client_secret, None),
            Credentials::Jwt(j) => (&j.client_secret, Some(&j.private_key)),
        };
        let (key_id, client_secret_ct) = keys.seal(
            &secret_context(cfg.id, "client_secret"),
            client_secret.expose_secret().as_bytes(),
        )?;
        let private_key_ct = private_key
            .map(|pk| {
                keys.seal(
                    &secret_context(cfg.id, "private_key"),
                    pk.expose_secret().as_bytes(),
                )
                .map(|(_, ct)| ct)
            })
            .transpose()?;
        let (scopes, technical_account_id, metascopes, certificate_pem) = match &cfg.credentials {
            Credentials::OAuth(o) => (
                Some(o.scopes.to_string()),
                o.technical_account_id.as_ref().map(ToString::to_string),
                None,
                None,
            ),
            Credentials::Jwt(j) => (
                None,
                Some(j.technical_account_id.to_string()),
                Some(j.metascopes.to_string()),
                Some(j.certificate.pem().to_owned()),
            ),
        };
        Ok(Self {
            id: cfg.id.as_uuid(),
            name: cfg.name.to_string(),
            title: cfg.title.to_string(),
            title_key: cfg.title.as_str().to_lowercase(),
            cloud_solution: cfg.cloud_solution.to_stored(),
            cloud_solution_key: cfg.cloud_solution.key().to_owned(),
            authorization_server: cfg.authorization_server.to_string(),
            origin: cfg.origin.key().to_owned(),
            auth_type: cfg.auth_type().key().to_owned(),
            revision: revision_i64(revision)?,
            created_at: stored_time(cfg.created_at),
            updated_at: stored_time(cfg.updated_at),
            health: HealthColumns::from_health(cfg.health.as_ref()),
            client_id: cfg.client_id().to_string(),
            org_id: cfg.org_id().to_string(),
            scopes,
            technical_account_id,
            metascopes,
            certificate_pem,
            client_secret_hint: secret_hint(client_secret),
            key_id,
            client_secret_ct,
            private_key_ct,
        })
    }
}

/// The columns written on insert and update, in bind order (`$1` … `$27`).
const WRITE_COLUMNS: [&str; 27] = [
    "id",
    "name",
    "title",
    "title_key",
    "cloud_solution",
    "cloud_solution_key",
    "authorization_server",
    "origin",
    "auth_type",
    "revision",
    "created_at",
    "updated_at",
    "health_status",
    "health_checked_at",
    "health_message",
    "health_error_code",
    "health_debug_id",
    "client_id",
    "org_id",
    "scopes",
    "technical_account_id",
    "metascopes",
    "certificate_pem",
    "client_secret_hint",
    "key_id",
    "client_secret_ct",
    "private_key_ct",
];

fn insert_sql() -> String {
    let placeholders: Vec<String> = (1..=WRITE_COLUMNS.len()).map(|i| format!("${i}")).collect();
    format!(
        "INSERT INTO configs ({}) VALUES ({})",
        WRITE_COLUMNS.join(", "),
        placeholders.join(", ")
    )
}

/// Updates every column but the id, only if the stored revision is `$28`.
fn update_sql() -> String {
    let sets: Vec<String> = WRITE_COLUMNS
        .iter()
        .enumerate()
        .skip(1)
        .map(|(i, c)| format!("{c} = ${}", i + 1))
        .collect();
    format!(
        "UPDATE configs SET {} WHERE id = $1 AND revision = ${}",
        sets.join(", "),
        WRITE_COLUMNS.len() + 1
    )
}

/// Binds [`ConfigValues`] in [`WRITE_COLUMNS`] order.
macro_rules! bind_config {
    ($query:expr, $v:expr) => {{
        let v: &ConfigValues = $v;
        $query
            .bind(v.id)
            .bind(&v.name)
            .bind(&v.title)
            .bind(&v.title_key)
            .bind(&v.cloud_solution)
            .bind(&v.cloud_solution_key)
            .bind(&v.authorization_server)
            .bind(&v.origin)
            .bind(&v.auth_type)
            .bind(v.revision)
            .bind(v.created_at)
            .bind(v.updated_at)
            .bind(&v.health.health_status)
            .bind(v.health.health_checked_at)
            .bind(&v.health.health_message)
            .bind(&v.health.health_error_code)
            .bind(&v.health.health_debug_id)
            .bind(&v.client_id)
            .bind(&v.org_id)
            .bind(&v.scopes)
            .bind(&v.technical_account_id)
            .bind(&v.metascopes)
            .bind(&v.certificate_pem)
            .bind(&v.client_secret_hint)
            .bind(&v.key_id)
            .bind(&v.client_secret_ct)
            .bind(&v.private_key_ct)
    }};
}

fn config_target(cfg: &IntegrationConfig, action: &str, details: serde_json::Value) -> AuditEntry {
    AuditEntry {
        action: action.to_owned(),
        target_kind: "config".into(),
        target_name: Some(cfg.name.to_string()),
        target_id: Some(cfg.id.to_string()),
        details,
    }
}

impl Store {
    /// Stores a new OAuth configuration (made by `IntegrationConfig::create`) and audits it
    /// as `config.create`.
    ///
    /// A JWT configuration is refused ([`RuleError::JwtCreationRefused`]): those enter only
    /// through [`Store::import_config`] or [`Store::import`]. A name already in use is
    /// [`StoreError::NameTaken`]; nothing is written then.
    pub async fn insert_config(
        &self,
        cfg: &IntegrationConfig,
        audit: &AuditContext,
    ) -> Result<(), StoreError> {
        if cfg.auth_type() == AuthType::Jwt {
            return Err(RuleError::JwtCreationRefused.into());
        }
        self.insert_config_as(cfg, audit, "config.create").await
    }

    /// Stores a configuration brought in from elsewhere (made by `IntegrationConfig::import`,
    /// OAuth or JWT), audited as `config.import`. A name already in use is
    /// [`StoreError::NameTaken`].
    pub async fn import_config(
        &self,
        cfg: &IntegrationConfig,
        audit: &AuditContext,
    ) -> Result<(), StoreError> {
        self.insert_config_as(cfg, audit, "config.import").await
    }

    pub(crate) async fn insert_config_as(
        &self,
        cfg: &IntegrationConfig,
        audit: &AuditContext,
        action: &str,
    ) -> Result<(), StoreError> {
        let values = ConfigValues::seal(cfg, cfg.revision, &self.keys())?;
        let details = serde_json::json!({
            "title": cfg.title.as_str(),
            "cloud_solution": cfg.cloud_solution.to_stored(),
            "auth_type": cfg.auth_type().key(),
            "origin": cfg.origin.key(),
            "client_id": cfg.client_id().as_str(),
            "org_id": cfg.org_id().as_str(),
            "revision": cfg.revision.get(),
        });
        let audit_row = NewAuditRow::new(self.now(), audit, &config_target(cfg, action, details));
        let sql = insert_sql();
        let result: Result<(), sqlx::Error> = with_backend!(&self.backend, pool => {
            async {
                let mut tx = pool.begin_write().await?;
                bind_config!(sqlx::query(&sql), &values).execute(&mut *tx).await?;
                insert_audit!(&mut *tx, &audit_row)?;
                tx.commit().await
            }
            .await
        });
        self.cache.invalidate();
        match result {
            Err(e) if is_unique_violation(&e) => Err(StoreError::NameTaken(cfg.name.clone())),
            other => Ok(other?),
        }
    }

    /// The configuration with this name, secrets decrypted.
    pub async fn get_config(&self, name: &Name) -> Result<Option<IntegrationConfig>, StoreError> {
        let sql = format!("SELECT {ALL_COLUMNS} FROM configs WHERE name = $1");
        let row: Option<ConfigRow> = with_backend!(&self.backend, pool => {
            sqlx::query_as(&sql).bind(name.as_str()).fetch_optional(pool).await?
        });
        row.map(|r| self.with_keys(|keys| r.open(keys))).transpose()
    }

    /// Like [`Store::get_config`], but answered from memory when this configuration was read
    /// less than the read-cache TTL ago (see [`Store::set_read_cache_ttl`]) and nothing was
    /// written through this store since. For serving access tokens.
    pub async fn cached_config(
        &self,
        name: &Name,
    ) -> Result<Option<Arc<IntegrationConfig>>, StoreError> {
        if let Some(hit) = self.cache.config(name) {
            return Ok(Some(hit));
        }
        let ticket = self.cache.ticket();
        let found = self
            .cache
            .config_or_stale(name, self.get_config(name).await)?;
        if let Some(config) = &found {
            self.cache.put_config(ticket, Arc::clone(config));
        }
        Ok(found)
    }

    /// The configuration with this id, secrets decrypted.
    pub async fn get_config_by_id(
        &self,
        id: ConfigId,
    ) -> Result<Option<IntegrationConfig>, StoreError> {
        let sql = format!("SELECT {ALL_COLUMNS} FROM configs WHERE id = $1");
        let row: Option<ConfigRow> = with_backend!(&self.backend, pool => {
            sqlx::query_as(&sql).bind(id.as_uuid()).fetch_optional(pool).await?
        });
        row.map(|r| self.with_keys(|keys| r.open(keys))).transpose()
    }

    /// The summary of the configuration with this name, without decrypting anything.
    pub async fn get_config_summary(
        &self,
        name: &Name,
    ) -> Result<Option<ConfigSummary>, StoreError> {
        let sql = format!("SELECT {SUMMARY_COLUMNS} FROM configs WHERE name = $1");
        let row: Option<SummaryRow> = with_backend!(&self.backend, pool => {
            sqlx::query_as(&sql).bind(name.as_str()).fetch_optional(pool).await?
        });
        row.map(ConfigSummary::try_from).transpose()
    }

    async fn current_revision(&self, id: ConfigId) -> Result<Option<Revision>, StoreError> {
        let n: Option<i64> = with_backend!(&self.backend, pool => {
            sqlx::query_scalar("SELECT revision FROM configs WHERE id = $1")
                .bind(id.as_uuid())
                .fetch_optional(pool)
                .await?
        });
        n.map(|n| parse_revision(&id.to_string(), n)).transpose()
    }

    /// The error for a write that matched no row: the revision moved on, or the row is gone.
    async fn stale_or_missing(&self, id: ConfigId, expected: Revision) -> StoreError {
        match self.current_revision(id).await {
            Ok(Some(current)) => StoreError::StaleRevision { expected, current },
            Ok(None) => StoreError::NotFound(format!("configuration {id}")),
            Err(e) => e,
        }
    }

    /// Replaces the configuration read at revision `expected` with `after` (an edit or a
    /// migration made by the domain), stored at revision `expected + 1`, and audits it as
    /// `action` with the changed fields as details.
    ///
    /// If the stored revision is not `expected`, nothing changes and the result is
    /// [`StoreError::StaleRevision`] with the current revision.
    pub async fn update_config(
        &self,
        expected: Revision,
        after: &IntegrationConfig,
        audit: &AuditContext,
        action: &str,
    ) -> Result<(), StoreError> {
        let Some(before) = self.get_config_by_id(after.id).await? else {
            return Err(StoreError::NotFound(format!(
                "configuration {}",
                after.name
            )));
        };
        if before.revision != expected {
            return Err(StoreError::StaleRevision {
                expected,
                current: before.revision,
            });
        }
        if before.name != after.name {
            return Err(StoreError::Conflict(format!(
                "a configuration's name cannot change ({} to {}); create a new configuration instead",
                before.name, after.name
            )));
        }
        let next = expected.next();
        let values = ConfigValues::seal(after, next, &self.keys())?;
        let details = serde_json::json!({
            "revision": { "from": expected.get(), "to": next.get() },
            "changes": before.diff(after),
        });
        let audit_row = NewAuditRow::new(self.now(), audit, &config_target(after, action, details));
        let sql = update_sql();
        let expected_n = revision_i64(expected)?;
        let updated: u64 = with_backend!(&self.backend, pool => {
            let mut tx = pool.begin_write().await?;
            let done = bind_config!(sqlx::query(&sql), &values)
                .bind(expected_n)
                .execute(&mut *tx)
                .await?;
            if done.rows_affected() == 1 {
                insert_audit!(&mut *tx, &audit_row)?;
                tx.commit().await?;
            } else {
                tx.rollback().await?;
            }
            done.rows_affected()
        });
        if updated == 1 {
            self.cache.invalidate();
            Ok(())
        } else {
            Err(self.stale_or_missing(after.id, expected).await)
        }
    }

    /// Deletes a configuration (and its cached tokens), if still at `expected` when given,
    /// and audits it as `config.delete`.
    pub async fn delete_config(
        &self,
        name: &Name,
        expected: Option<Revision>,
        audit: &AuditContext,
    ) -> Result<(), StoreError> {
        let Some(current) = self.get_config_summary(name).await? else {
            return Err(StoreError::NotFound(format!("configuration {name}")));
        };
        let expected = expected.unwrap_or(current.revision);
        if current.revision != expected {
            return Err(StoreError::StaleRevision {
                expected,
                current: current.revision,
            });
        }
        let details = serde_json::json!({
            "title": current.title.as_str(),
            "auth_type": current.auth_type.key(),
            "revision": current.revision.get(),
        });
        let entry = AuditEntry {
            action: "config.delete".into(),
            target_kind: "config".into(),
            target_name: Some(name.to_string()),
            target_id: Some(current.id.to_string()),
            details,
        };
        let audit_row = NewAuditRow::new(self.now(), audit, &entry);
        let expected_n = revision_i64(expected)?;
        let deleted: u64 = with_backend!(&self.backend, pool => {
            let mut tx = pool.begin_write().await?;
            let done = sqlx::query("DELETE FROM configs WHERE id = $1 AND revision = $2")
                .bind(current.id.as_uuid())
                .bind(expected_n)
                .execute(&mut *tx)
                .await?;
            if done.rows_affected() == 1 {
                insert_audit!(&mut *tx, &audit_row)?;
                tx.commit().await?;
            } else {
                tx.rollback().await?;
            }
            done.rows_affected()
        });
        if deleted == 1 {
            self.cache.invalidate();
            Ok(())
        } else {
            Err(self.stale_or_missing(current.id, expected).await)
        }
    }

    /// Records the result of a health check of the configuration at revision `checked`.
    ///
    /// Does not bump the revision and is not audited. A check of a revision that is no
    /// longer current describes an old credential, so it is refused with
    /// [`StoreError::StaleRevision`].
    pub async fn record_health(
        &self,
        id: ConfigId,
        checked: Revision,
        health: &Health,
    ) -> Result<(), StoreError> {
        let h = HealthColumns::from_health(Some(health));
        let checked_n = revision_i64(checked)?;
        let updated = with_backend!(&self.backend, pool => {
            sqlx::query(
                "UPDATE configs SET health_status = $1, health_checked_at = $2, \
                 health_message = $3, health_error_code = $4, health_debug_id = $5 \
                 WHERE id = $6 AND revision = $7",
            )
            .bind(&h.health_status)
            .bind(h.health_checked_at)
            .bind(&h.health_message)
            .bind(&h.health_error_code)
            .bind(&h.health_debug_id)
            .bind(id.as_uuid())
            .bind(checked_n)
            .execute(pool)
            .await?
            .rows_affected()
        });
        if updated == 1 {
            Ok(())
        } else {
            Err(self.stale_or_missing(id, checked).await)
        }
    }

    /// Lists configuration summaries ordered by title then name, without decrypting
    /// anything.
    pub async fn list_configs(
        &self,
        filter: &ConfigFilter,
        page: PageRequest,
    ) -> Result<Page<ConfigSummary>, StoreError> {
        let mut w = Where::default();
        if let Some(t) = filter.auth_type {
            let p = w.arg(t.key());
            w.push(format!("auth_type = {p}"));
        }
        if let Some(key) = &filter.cloud_solution {
            let p = w.arg(key.trim().to_lowercase());
            w.push(format!("cloud_solution_key = {p}"));
        }
        if let Some(origin) = filter.origin {
            let p = w.arg(origin.key());
            w.push(format!("origin = {p}"));
        }
        match filter.health {
            Some(HealthFilter::Healthy) => w.push("health_status = 'healthy'".into()),
            Some(HealthFilter::Unhealthy) => w.push("health_status = 'unhealthy'".into()),
            Some(HealthFilter::Unchecked) => w.push("health_status IS NULL".into()),
            None => {}
        }
        if let Some(search) = filter
            .search
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            let p = w.arg(format!("%{}%", escape_like(&search.to_lowercase())));
            w.push(format!(
                "(title_key LIKE {p} ESCAPE '\\' OR name LIKE {p} ESCAPE '\\')"
            ));
        }
        let (offset, limit) = page.sql();
        let n = w.next_index();
        let count_sql = format!("SELECT COUNT(*) FROM configs{}", w.sql());
        let list_sql = format!(
            "SELECT {SUMMARY_COLUMNS} FROM configs{} ORDER BY title_key, name LIMIT ${n} OFFSET ${}",
            w.sql(),
            n + 1
        );
        let (total, rows) =
            fetch_page::<SummaryRow>(&self.backend, &count_sql, &list_sql, &w.args, limit, offset)
                .await?;
        Ok(Page {
            items: rows
                .into_iter()
                .map(ConfigSummary::try_from)
                .collect::<Result<_, _>>()?,
            total,
            offset: page.offset,
            limit: page.effective_limit(),
        })
    }

    /// Every configuration, secrets decrypted, ordered by title then name (for export).
    pub(crate) async fn all_configs(&self) -> Result<Vec<IntegrationConfig>, StoreError> {
        let sql = format!("SELECT {ALL_COLUMNS} FROM configs ORDER BY title_key, name");
        let rows: Vec<ConfigRow> = with_backend!(&self.backend, pool => {
            sqlx::query_as(&sql).fetch_all(pool).await?
        });
        self.with_keys(|keys| rows.iter().map(|r| r.open(keys)).collect())
    }
}
