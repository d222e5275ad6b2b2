//! Integration configurations: the filter and summary types and the reads; rows and their
//! parsing are in [`rows`], writes (sealed secrets, optimistic concurrency, audit) in [`write`].

mod rows;
mod write;

use std::sync::Arc;

use chrono::{DateTime, Utc};
use imsbridge_domain::{
    AuthType, AuthorizationServer, ClientId, CloudSolution, ConfigId, Health, IntegrationConfig,
    Name, OrgId, Origin, Revision, Title,
};

use crate::audit::fetch_page;
use crate::backend::with_backend;
use crate::page::{Where, escape_like};
use crate::{Page, PageRequest, Store, StoreError};

pub(crate) use rows::secret_context;
use rows::{ALL_COLUMNS, ConfigRow, SUMMARY_COLUMNS, SummaryRow};

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

impl Store {
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

    /// Every configuration, secrets decrypted, ordered by title then name (for export and the
    /// rotation policy).
    pub async fn all_configs(&self) -> Result<Vec<IntegrationConfig>, StoreError> {
        let sql = format!("SELECT {ALL_COLUMNS} FROM configs ORDER BY title_key, name");
        let rows: Vec<ConfigRow> = with_backend!(&self.backend, pool => {
            sqlx::query_as(&sql).fetch_all(pool).await?
        });
        self.with_keys(|keys| rows.iter().map(|r| r.open(keys)).collect())
    }
}
