//! The migration plan: one row per JWT configuration that may be migrated by hand, with the
//! OAuth details pre-filled and the client secret left for the admin to supply.
//!
//! JSON (`imsbridge migrate plan --format json`, the default):
//!
//! ```json
//! {
//!   "format": "imsbridge.migration-plan/1",
//!   "plan_id": "0192f1a4-…",
//!   "created_at": "2026-11-26T12:00:00Z",
//!   "rows": [{
//!     "name": "analytics-reporting", "title": "Adobe Analytics reporting",
//!     "cloud_solution": "analytics", "revision": 1,
//!     "client_id": "4f1c…", "org_id": "…@AdobeOrg",
//!     "technical_account_id": "…@techacct.adobe.com",
//!     "metascopes": "ent_analytics_bulk_ingest_sdk",
//!     "scopes": "openid,AdobeID,read_organizations,additional_info.projectedProductContext,additional_info.job_function",
//!     "client_secret": "", "client_secret_env": "", "project_json": "", "keep_jwt_secret": false
//!   }]
//! }
//! ```
//!
//! CSV has the same fields as columns (with `plan_id` repeated on every row), in the order of
//! [`CSV_COLUMNS`]. Each row needs exactly one source for the new client secret:
//!
//! * `client_secret` — the secret itself (keep such a plan file private);
//! * `client_secret_env` — the name of an environment variable holding it;
//! * `project_json` — a Developer Console project JSON file (relative paths are resolved
//!   against the plan file's directory); its OAuth Server-to-Server credential with the row's
//!   client id gives the secret, and its scopes when the row's `scopes` is blank;
//! * `keep_jwt_secret: true` — reuse the JWT credential's stored client secret: the Developer
//!   Console keeps the client id *and* client secret when it migrates a credential.
//!
//! `title`, `cloud_solution` and `metascopes` are for the reader; `name` and `revision` say
//! which configuration the row is for and which revision of it the plan saw: a configuration
//! changed since is refused rather than overwritten. `plan_id` marks every migration the plan
//! makes in the audit log (as its request id `plan:<plan_id>`), which is how a rerun knows a
//! row it has already done.

use std::fmt;

use chrono::{DateTime, Utc};
use imsbridge_domain::{AuthType, Origin};
use imsbridge_store::{ConfigFilter, PageRequest, Store, StoreError};
use serde::{Deserialize, Deserializer, Serialize};

use super::csv;

/// The `format` value of a plan this version reads and writes.
pub const PLAN_FORMAT: &str = "imsbridge.migration-plan/1";

/// The CSV header, in order.
pub const CSV_COLUMNS: [&str; 14] = [
    "plan_id",
    "name",
    "title",
    "cloud_solution",
    "revision",
    "client_id",
    "org_id",
    "technical_account_id",
    "metascopes",
    "scopes",
    "client_secret",
    "client_secret_env",
    "project_json",
    "keep_jwt_secret",
];

/// JSON or CSV.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PlanFormat {
    /// The JSON document described in the module docs.
    #[default]
    Json,
    /// One CSV row per configuration, for spreadsheets.
    Csv,
}

impl PlanFormat {
    /// Parses `json` or `csv`.
    pub fn parse(raw: &str) -> Result<Self, PlanError> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "json" => Ok(Self::Json),
            "csv" => Ok(Self::Csv),
            other => Err(PlanError::Format(format!(
                "{} is not a plan format; use json or csv",
                imsbridge_domain::quoted(other)
            ))),
        }
    }
}

/// A plan file that cannot be read at all (row-level problems are found by validation).
#[derive(Debug, Clone, thiserror::Error)]
pub enum PlanError {
    /// Not a plan in a format this version knows.
    #[error("the plan file cannot be read: {0}")]
    Format(String),
}

/// A migration plan.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Plan {
    /// Always [`PLAN_FORMAT`].
    pub format: String,
    /// Identifies the plan in the audit log, so that reruns recognise their own work.
    pub plan_id: String,
    /// When the plan was made.
    #[serde(default)]
    pub created_at: Option<DateTime<Utc>>,
    /// One row per configuration.
    pub rows: Vec<PlanRow>,
}

/// One configuration to migrate, as written in the file (validated by `apply`).
#[derive(Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct PlanRow {
    /// The configuration's name.
    pub name: String,
    /// Its title (informative).
    #[serde(default, deserialize_with = "null_as_empty")]
    pub title: String,
    /// Its cloud solution (informative).
    #[serde(default, deserialize_with = "null_as_empty")]
    pub cloud_solution: String,
    /// The revision the plan saw.
    pub revision: u64,
    /// The OAuth client id (the Developer Console keeps the JWT one).
    #[serde(default, deserialize_with = "null_as_empty")]
    pub client_id: String,
    /// The organization.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub org_id: String,
    /// The technical account (kept by migration).
    #[serde(default, deserialize_with = "null_as_empty")]
    pub technical_account_id: String,
    /// The JWT metascopes the scopes were suggested from (informative).
    #[serde(default, deserialize_with = "null_as_empty")]
    pub metascopes: String,
    /// The OAuth scopes, comma-separated.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub scopes: String,
    /// The new client secret itself; blank in a generated plan.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub client_secret: String,
    /// The environment variable that holds the new client secret.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub client_secret_env: String,
    /// A Developer Console project JSON file holding the new credential.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub project_json: String,
    /// Reuse the JWT credential's client secret (kept by the Developer Console's migration).
    #[serde(default)]
    pub keep_jwt_secret: bool,
}

impl fmt::Debug for PlanRow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PlanRow")
            .field("name", &self.name)
            .field("revision", &self.revision)
            .field("client_id", &self.client_id)
            .field("org_id", &self.org_id)
            .field("scopes", &self.scopes)
            .field(
                "client_secret",
                &if self.client_secret.is_empty() {
                    ""
                } else {
                    "(set)"
                },
            )
            .field("client_secret_env", &self.client_secret_env)
            .field("project_json", &self.project_json)
            .field("keep_jwt_secret", &self.keep_jwt_secret)
            .finish_non_exhaustive()
    }
}

fn null_as_empty<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(Option::<String>::deserialize(d)?.unwrap_or_default())
}

/// How `plan` fills the rows.
#[derive(Debug, Clone, Copy, Default)]
pub struct PlanOptions {
    /// Pre-set `keep_jwt_secret` on every row (for credentials already migrated in the
    /// Developer Console, which keeps their secret).
    pub keep_jwt_secret: bool,
}

impl Plan {
    /// Lists every JWT configuration that may be migrated by hand (customer-created; the
    /// auto-provisioned ones are migrated automatically) with its OAuth details pre-filled.
    pub async fn generate(
        store: &Store,
        now: DateTime<Utc>,
        options: PlanOptions,
    ) -> Result<Self, StoreError> {
        let filter = ConfigFilter {
            auth_type: Some(AuthType::Jwt),
            origin: Some(Origin::Customer),
            ..ConfigFilter::default()
        };
        let mut rows = Vec::new();
        let mut offset = 0;
        loop {
            let page = store
                .list_configs(
                    &filter,
                    PageRequest {
                        offset,
                        limit: PageRequest::MAX_LIMIT,
                    },
                )
                .await?;
            for summary in &page.items {
                // The summary holds no metascopes; the full configuration does. Secrets are
                // decrypted here but none of them reaches the plan.
                let Some(config) = store.get_config(&summary.name).await? else {
                    continue;
                };
                let Some(prefill) = config.migration_prefill() else {
                    continue;
                };
                let metascopes = match &config.credentials {
                    imsbridge_domain::Credentials::Jwt(j) => j.metascopes.to_string(),
                    imsbridge_domain::Credentials::OAuth(_) => String::new(),
                };
                rows.push(PlanRow {
                    name: config.name.to_string(),
                    title: config.title.to_string(),
                    cloud_solution: config.cloud_solution.to_stored(),
                    revision: config.revision.get(),
                    client_id: prefill.client_id.to_string(),
                    org_id: prefill.org_id.to_string(),
                    technical_account_id: prefill.technical_account_id.to_string(),
                    metascopes,
                    scopes: prefill.scopes.to_string(),
                    keep_jwt_secret: options.keep_jwt_secret,
                    ..PlanRow::default()
                });
            }
            offset += page.items.len() as u64;
            if !page.has_more() || page.items.is_empty() {
                break;
            }
        }
        Ok(Self {
            format: PLAN_FORMAT.to_owned(),
            plan_id: uuid::Uuid::now_v7().to_string(),
            created_at: Some(now),
            rows,
        })
    }

    /// The plan as pretty JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a plan always serialises") + "\n"
    }

    /// The plan as CSV with a header row.
    pub fn to_csv(&self) -> String {
        let mut out = csv::write_record(&CSV_COLUMNS);
        for r in &self.rows {
            out.push_str(&csv::write_record(&[
                self.plan_id.as_str(),
                &r.name,
                &r.title,
                &r.cloud_solution,
                &r.revision.to_string(),
                &r.client_id,
                &r.org_id,
                &r.technical_account_id,
                &r.metascopes,
                &r.scopes,
                &r.client_secret,
                &r.client_secret_env,
                &r.project_json,
                if r.keep_jwt_secret { "true" } else { "false" },
            ]));
        }
        out
    }

    /// The plan in `format`.
    pub fn render(&self, format: PlanFormat) -> String {
        match format {
            PlanFormat::Json => self.to_json(),
            PlanFormat::Csv => self.to_csv(),
        }
    }

    /// Reads a plan: JSON when the text starts with `{`, CSV otherwise.
    pub fn parse(text: &str) -> Result<Self, PlanError> {
        let trimmed = text.trim_start_matches('\u{feff}').trim_start();
        if trimmed.starts_with('{') {
            let plan: Self = serde_json::from_str(trimmed).map_err(|e| {
                PlanError::Format(format!(
                    "it is not a valid JSON plan ({e}); write one with `imsbridge migrate plan`"
                ))
            })?;
            if plan.format != PLAN_FORMAT {
                return Err(PlanError::Format(format!(
                    "its format is {}; this version reads \"{PLAN_FORMAT}\"",
                    imsbridge_domain::quoted(&plan.format)
                )));
            }
            Ok(plan)
        } else {
            Self::from_csv(text)
        }
    }

    fn from_csv(text: &str) -> Result<Self, PlanError> {
        let records = csv::parse(text).map_err(|e| PlanError::Format(e.to_string()))?;
        let mut records = records.into_iter();
        let Some((_, header)) = records.next() else {
            return Err(PlanError::Format("the CSV plan is empty".into()));
        };
        let index = |column: &str| header.iter().position(|h| h.trim() == column);
        let missing: Vec<&str> = ["plan_id", "name", "revision"]
            .into_iter()
            .filter(|c| index(c).is_none())
            .collect();
        if !missing.is_empty() {
            return Err(PlanError::Format(format!(
                "the CSV header lacks the column(s) {}; expected {}",
                missing.join(", "),
                CSV_COLUMNS.join(",")
            )));
        }
        if let Some(unknown) = header.iter().find(|h| !CSV_COLUMNS.contains(&h.trim())) {
            return Err(PlanError::Format(format!(
                "the CSV header has an unknown column {}; expected {}",
                imsbridge_domain::quoted(unknown),
                CSV_COLUMNS.join(",")
            )));
        }
        let mut plan_id: Option<String> = None;
        let mut rows = Vec::new();
        for (line, record) in records {
            let get = |column: &str| {
                index(column)
                    .and_then(|i| record.get(i))
                    .map(|s| s.trim().to_owned())
                    .unwrap_or_default()
            };
            let id = get("plan_id");
            match &plan_id {
                None => plan_id = Some(id),
                Some(seen) if *seen != id => {
                    return Err(PlanError::Format(format!(
                        "CSV line {line}: plan_id {} differs from the first row's {}; a file holds one plan",
                        imsbridge_domain::quoted(&id),
                        imsbridge_domain::quoted(seen)
                    )));
                }
                Some(_) => {}
            }
            let revision = get("revision").parse::<u64>().map_err(|_| {
                PlanError::Format(format!(
                    "CSV line {line}: revision {} is not a number",
                    imsbridge_domain::quoted(&get("revision"))
                ))
            })?;
            let keep = match get("keep_jwt_secret").to_ascii_lowercase().as_str() {
                "" | "false" | "no" | "0" => false,
                "true" | "yes" | "1" => true,
                other => {
                    return Err(PlanError::Format(format!(
                        "CSV line {line}: keep_jwt_secret {} is not true or false",
                        imsbridge_domain::quoted(other)
                    )));
                }
            };
            rows.push(PlanRow {
                name: get("name"),
                title: get("title"),
                cloud_solution: get("cloud_solution"),
                revision,
                client_id: get("client_id"),
                org_id: get("org_id"),
                technical_account_id: get("technical_account_id"),
                metascopes: get("metascopes"),
                scopes: get("scopes"),
                client_secret: get("client_secret"),
                client_secret_env: get("client_secret_env"),
                project_json: get("project_json"),
                keep_jwt_secret: keep,
            });
        }
        Ok(Self {
            format: PLAN_FORMAT.to_owned(),
            plan_id: plan_id.unwrap_or_default(),
            created_at: None,
            rows,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Plan {
        Plan {
            format: PLAN_FORMAT.into(),
            plan_id: "p-1".into(),
            created_at: None,
            rows: vec![PlanRow {
                name: "a".into(),
                title: "Title, with comma".into(),
                revision: 3,
                client_id: "abc".into(),
                scopes: "openid,AdobeID".into(),
                keep_jwt_secret: true,
                ..PlanRow::default()
            }],
        }
    }

    #[test]
    fn a_plan_reads_back_the_same_from_json_and_from_csv() {
        let plan = sample();
        assert_eq!(Plan::parse(&plan.to_json()).unwrap().rows, plan.rows);
        let csv = Plan::parse(&plan.to_csv()).unwrap();
        assert_eq!(csv.rows, plan.rows);
        assert_eq!(csv.plan_id, "p-1");
    }

    #[test]
    fn a_plan_row_never_shows_its_secret_in_debug() {
        let mut plan = sample();
        plan.rows[0].client_secret = "p8e-very-secret".into();
        assert!(!format!("{plan:?}").contains("p8e-very-secret"));
    }

    #[test]
    fn a_json_plan_of_another_format_is_refused() {
        let text = sample().to_json().replace(PLAN_FORMAT, "other/9");
        assert!(
            Plan::parse(&text)
                .unwrap_err()
                .to_string()
                .contains("other/9")
        );
    }
}
