//! Running a plan: validate every row first (refusing the whole plan, with every problem, if
//! any row is wrong), then verify (dry run) or migrate each configuration through the one
//! migration core, a bounded number at a time.
//!
//! Resumable: each configuration is migrated in one store transaction (configuration and
//! audit entry together), marked with the plan's id as the audit request id. A rerun treats a
//! row whose configuration is OAuth at the plan's revision + 1 *and* whose migration entry
//! carries this plan's id as already migrated, and does the rest.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use futures::StreamExt as _;
use imsbridge_domain::{
    AuthType, AuthorizationServer, ClientId, Clock, ConfigId, Credentials, MigrationActor, Name,
    OAuthCredentials, OrgId, Origin, Revision, RuleError, Scopes, SecretString, TechnicalAccountId,
};
use imsbridge_ims::TokenProvider;
use imsbridge_store::{AuditContext, AuditFilter, PageRequest, Store, StoreError};

use super::plan::{Plan, PlanRow};
use super::report::{Outcome, Report, RowReport};
use crate::integrations::{self as migration, MigrationError, MigrationRequest};

/// The audit actions the migration core writes for a committed migration.
pub const MIGRATION_ACTIONS: [&str; 2] = ["config.migrate", "config.migrate.unverified"];

/// Looks up an environment variable (injectable so tests need not touch the process's).
pub type EnvLookup = Arc<dyn Fn(&str) -> Option<String> + Send + Sync>;

/// How to run a plan.
#[derive(Clone)]
pub struct ApplyOptions {
    /// Verify every new credential with IMS and write nothing.
    pub dry_run: bool,
    /// How many configurations are verified or migrated at once (at least 1).
    pub concurrency: usize,
    /// Where relative `project_json` paths start: the plan file's directory.
    pub base_dir: PathBuf,
    /// Who is running the plan, for the audit log.
    pub actor: String,
    /// Reads `client_secret_env` variables.
    pub env: EnvLookup,
}

impl std::fmt::Debug for ApplyOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApplyOptions")
            .field("dry_run", &self.dry_run)
            .field("concurrency", &self.concurrency)
            .field("base_dir", &self.base_dir)
            .field("actor", &self.actor)
            .finish_non_exhaustive()
    }
}

impl Default for ApplyOptions {
    fn default() -> Self {
        Self {
            dry_run: false,
            concurrency: 8,
            base_dir: PathBuf::from("."),
            actor: "cli".to_owned(),
            env: Arc::new(|name| std::env::var(name).ok()),
        }
    }
}

/// One problem that makes the plan unusable.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Problem {
    /// 1-based row number in the plan (0: the plan as a whole).
    pub row: usize,
    /// The row's configuration name, as written.
    pub name: String,
    /// What is wrong and how to fix it. Never a secret.
    pub problem: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.row == 0 {
            write!(f, "plan: {}", self.problem)
        } else {
            write!(f, "row {} ({}): {}", self.row, self.name, self.problem)
        }
    }
}

/// Why a plan was not run.
#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    /// Validation found problems; nothing was changed.
    #[error("the plan was refused and nothing was changed; {} problem(s):\n{}", .0.len(), .0.iter().map(|p| format!("  - {p}")).collect::<Vec<_>>().join("\n"))]
    Refused(Vec<Problem>),
    /// The store failed while validating.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Hears about a run as it goes (the CLI's progress bar).
pub trait Observer: Send + Sync {
    /// Validation passed; `pending` rows will be verified or migrated.
    fn started(&self, _pending: usize) {}
    /// A row finished.
    fn row_done(&self, _row: &RowReport) {}
}

/// An observer that ignores everything.
#[derive(Debug, Clone, Copy, Default)]
pub struct Quiet;

impl Observer for Quiet {}

/// A row that passed validation and still has to be done.
struct Pending {
    index: usize,
    name: Name,
    expected: Revision,
    server: AuthorizationServer,
    oauth: OAuthCredentials,
}

enum Checked {
    Pending(Box<Pending>),
    Done(RowReport),
}

/// The audit request id that marks this plan's migrations.
pub fn plan_marker(plan_id: &str) -> String {
    format!("plan:{plan_id}")
}

/// Validates `plan` against the store and then verifies (dry run) or migrates every row that
/// is not done yet, `options.concurrency` at a time.
///
/// Refuses the whole plan, listing every problem, if any row does not parse, has no usable
/// secret, names an unknown or auto-provisioned configuration, or names one that changed since
/// the plan was made (other than by this plan).
pub async fn apply(
    store: &Store,
    provider: &TokenProvider,
    clock: &dyn Clock,
    plan: &Plan,
    options: &ApplyOptions,
    observer: &dyn Observer,
) -> Result<Report, ApplyError> {
    let started_at = clock.now();
    let checked = validate(store, plan, options).await?;
    let mut reports: Vec<Option<RowReport>> = vec![None; checked.len()];
    let mut pending = Vec::new();
    for (i, c) in checked.into_iter().enumerate() {
        match c {
            Checked::Done(r) => reports[i] = Some(r),
            Checked::Pending(p) => pending.push(p),
        }
    }
    observer.started(pending.len());
    for r in reports.iter().flatten() {
        observer.row_done(r);
    }
    let audit = AuditContext {
        actor: options.actor.clone(),
        request_id: Some(plan_marker(&plan.plan_id)),
        client_addr: None,
    };
    let marker = plan_marker(&plan.plan_id);
    let mut done = futures::stream::iter(pending)
        .map(|p| run_row(store, provider, clock, *p, options.dry_run, &audit, &marker))
        .buffer_unordered(options.concurrency.max(1));
    while let Some((index, report)) = done.next().await {
        observer.row_done(&report);
        reports[index] = Some(report);
    }
    Ok(Report::new(
        plan.plan_id.clone(),
        options.dry_run,
        started_at,
        clock.now(),
        reports.into_iter().flatten().collect(),
    ))
}

async fn run_row(
    store: &Store,
    provider: &TokenProvider,
    clock: &dyn Clock,
    p: Pending,
    dry_run: bool,
    audit: &AuditContext,
    marker: &str,
) -> (usize, RowReport) {
    let mut report = RowReport {
        name: p.name.to_string(),
        outcome: Outcome::Failed,
        revision: p.expected.get(),
        new_revision: None,
        reason: None,
        ims_error: None,
        debug_id: None,
    };
    if dry_run {
        match provider.verify(&p.server, &p.oauth).await {
            Ok(_) => report.outcome = Outcome::Verified,
            Err(e) => {
                report.reason = Some(format!("IMS refused the new OAuth details: {e}"));
                report.ims_error = Some(e.error_code());
                report.debug_id = e.debug_id().map(str::to_owned);
            }
        }
        return (p.index, report);
    }
    let request = MigrationRequest {
        name: p.name.clone(),
        expected: p.expected,
        oauth: p.oauth,
        verify: true,
        actor: MigrationActor::Manual,
    };
    match migration::migrate(store, provider, clock, request, audit).await {
        Ok(migrated) => {
            report.outcome = Outcome::Migrated;
            report.new_revision = Some(migrated.revision.get());
        }
        Err(MigrationError::Verification(e)) => {
            report.reason = Some(format!("IMS refused the new OAuth details: {e}"));
            report.ims_error = Some(e.error_code());
            report.debug_id = e.debug_id().map(str::to_owned);
        }
        Err(
            e @ (MigrationError::Store(StoreError::StaleRevision { .. })
            | MigrationError::Rule(RuleError::StaleRevision { .. } | RuleError::NotJwt(_))),
        ) => {
            // Another run of this same plan may have got there first; that is a skip.
            match migrated_by_plan(store, &p.name, p.expected, marker).await {
                Ok(true) => {
                    report.outcome = Outcome::AlreadyMigrated;
                    report.new_revision = Some(p.expected.next().get());
                }
                _ => report.reason = Some(e.to_string()),
            }
        }
        Err(e) => report.reason = Some(e.to_string()),
    }
    (p.index, report)
}

/// Whether configuration `name` was migrated from revision `seen` by the plan with `marker`.
async fn migrated_by_plan(
    store: &Store,
    name: &Name,
    seen: Revision,
    marker: &str,
) -> Result<bool, StoreError> {
    let Some(summary) = store.get_config_summary(name).await? else {
        return Ok(false);
    };
    if summary.auth_type != AuthType::OAuth || summary.revision != seen.next() {
        return Ok(false);
    }
    migrated_from(store, summary.id, seen, Some(marker)).await
}

/// Whether the audit log holds a committed migration of `id` from revision `seen` (made by
/// the plan with `marker`, when given).
pub(crate) async fn migrated_from(
    store: &Store,
    id: ConfigId,
    seen: Revision,
    marker: Option<&str>,
) -> Result<bool, StoreError> {
    for action in MIGRATION_ACTIONS {
        let filter = AuditFilter {
            action: Some(action.to_owned()),
            target_kind: Some("config".to_owned()),
            target_id: Some(id.to_string()),
            ..AuditFilter::default()
        };
        let page = store.list_audit(&filter, PageRequest::first(20)).await?;
        if page.items.iter().any(|r| {
            marker.is_none_or(|m| r.request_id.as_deref() == Some(m))
                && r.details
                    .pointer("/revision/from")
                    .and_then(serde_json::Value::as_u64)
                    == Some(seen.get())
        }) {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Checks every row; any problem refuses the whole plan.
async fn validate(
    store: &Store,
    plan: &Plan,
    options: &ApplyOptions,
) -> Result<Vec<Checked>, ApplyError> {
    let mut problems = Vec::new();
    if plan.plan_id.trim().is_empty() {
        problems.push(Problem {
            row: 0,
            name: String::new(),
            problem:
                "plan_id is empty; every plan needs one (write plans with `imsbridge migrate plan`)"
                    .into(),
        });
    }
    let marker = plan_marker(&plan.plan_id);
    let mut seen_names = HashSet::new();
    let mut checked = Vec::with_capacity(plan.rows.len());
    for (i, row) in plan.rows.iter().enumerate() {
        let mut row_problems = Vec::new();
        match check_row(store, i, row, options, &marker, &mut row_problems).await? {
            Some(c) if row_problems.is_empty() => checked.push(c),
            _ => {}
        }
        if !seen_names.insert(row.name.trim().to_owned()) {
            row_problems
                .push("the configuration appears more than once in the plan; keep one row".into());
        }
        problems.extend(row_problems.into_iter().map(|problem| Problem {
            row: i + 1,
            name: row.name.clone(),
            problem,
        }));
    }
    if problems.is_empty() {
        Ok(checked)
    } else {
        Err(ApplyError::Refused(problems))
    }
}

async fn check_row(
    store: &Store,
    index: usize,
    row: &PlanRow,
    options: &ApplyOptions,
    marker: &str,
    problems: &mut Vec<String>,
) -> Result<Option<Checked>, StoreError> {
    let name = match Name::parse(&row.name) {
        Ok(n) => n,
        Err(e) => {
            problems.push(e.to_string());
            return Ok(None);
        }
    };
    let Some(seen) = (row.revision >= 1).then(|| Revision::new(row.revision)) else {
        problems.push(
            "revision must be the configuration's revision (1 or more) when the plan was made"
                .into(),
        );
        return Ok(None);
    };
    let Some(summary) = store.get_config_summary(&name).await? else {
        problems.push("no configuration has this name (deleted or renamed since the plan was made?); remove the row".into());
        return Ok(None);
    };
    if summary.origin == Origin::AutoProvisioned {
        problems.push(format!("{}; remove the row", RuleError::AutoProvisioned));
        return Ok(None);
    }
    if summary.auth_type == AuthType::OAuth
        && summary.revision == seen.next()
        && migrated_from(store, summary.id, seen, Some(marker)).await?
    {
        return Ok(Some(Checked::Done(RowReport {
            name: name.to_string(),
            outcome: Outcome::AlreadyMigrated,
            revision: seen.get(),
            new_revision: Some(summary.revision.get()),
            reason: Some("migrated by an earlier run of this plan".into()),
            ims_error: None,
            debug_id: None,
        })));
    }
    if summary.auth_type == AuthType::OAuth {
        problems.push(format!(
            "the configuration already uses OAuth (revision {}), migrated outside this plan; remove the row",
            summary.revision
        ));
        return Ok(None);
    }
    if summary.revision != seen {
        problems.push(format!(
            "the configuration changed since the plan was made (the plan saw revision {seen}, it is now at {}); make a new plan",
            summary.revision
        ));
        return Ok(None);
    }
    let oauth = resolve_oauth(store, &name, row, options, problems).await?;
    Ok(oauth.map(|oauth| {
        Checked::Pending(Box::new(Pending {
            index,
            name,
            expected: seen,
            server: summary.authorization_server,
            oauth,
        }))
    }))
}

/// The row's OAuth details with the secret from its one source; problems are pushed.
async fn resolve_oauth(
    store: &Store,
    name: &Name,
    row: &PlanRow,
    options: &ApplyOptions,
    problems: &mut Vec<String>,
) -> Result<Option<OAuthCredentials>, StoreError> {
    let client_id = field(problems, ClientId::parse(&row.client_id));
    let org_id = field(problems, OrgId::parse(&row.org_id));
    let technical_account_id = if row.technical_account_id.trim().is_empty() {
        Some(None)
    } else {
        field(
            problems,
            TechnicalAccountId::parse(&row.technical_account_id),
        )
        .map(Some)
    };
    let row_scopes = if row.scopes.trim().is_empty() {
        Some(None)
    } else {
        field(problems, Scopes::parse(&row.scopes)).map(Some)
    };
    let sources = [
        !row.client_secret.trim().is_empty(),
        !row.client_secret_env.trim().is_empty(),
        !row.project_json.trim().is_empty(),
        row.keep_jwt_secret,
    ]
    .iter()
    .filter(|b| **b)
    .count();
    if sources != 1 {
        problems.push(format!(
            "{} sources for the client secret; give exactly one of client_secret, client_secret_env, project_json or keep_jwt_secret",
            if sources == 0 { "no" } else { "several" }
        ));
        return Ok(None);
    }
    let (Some(client_id), Some(org_id), Some(technical_account_id), Some(row_scopes)) =
        (client_id, org_id, technical_account_id, row_scopes)
    else {
        return Ok(None);
    };
    let (secret, scopes) = if !row.client_secret.trim().is_empty() {
        (
            SecretString::from(row.client_secret.trim().to_owned()),
            row_scopes,
        )
    } else if !row.client_secret_env.trim().is_empty() {
        let var = row.client_secret_env.trim();
        let Some(v) = (options.env)(var).filter(|v| !v.trim().is_empty()) else {
            problems.push(format!(
                "the environment variable {var} named by client_secret_env is not set; export it before running the plan"
            ));
            return Ok(None);
        };
        (SecretString::from(v.trim().to_owned()), row_scopes)
    } else if row.keep_jwt_secret {
        let Some(Credentials::Jwt(jwt)) = store.get_config(name).await?.map(|c| c.credentials)
        else {
            problems.push("keep_jwt_secret: the configuration holds no JWT client secret".into());
            return Ok(None);
        };
        (jwt.client_secret, row_scopes)
    } else {
        match read_project_json(&options.base_dir, row.project_json.trim(), &client_id) {
            Ok(project) => {
                let Some(secret) = project.client_secrets.into_iter().next() else {
                    problems.push(format!(
                        "project_json {}: the credential has no client secret",
                        row.project_json.trim()
                    ));
                    return Ok(None);
                };
                if project.org_id != org_id {
                    problems.push(format!(
                        "project_json {}: its organization {} is not the row's {org_id}",
                        row.project_json.trim(),
                        project.org_id
                    ));
                    return Ok(None);
                }
                (secret, row_scopes.or(Some(project.scopes)))
            }
            Err(e) => {
                problems.push(e);
                return Ok(None);
            }
        }
    };
    let Some(scopes) = scopes else {
        problems.push("scopes is empty; list the OAuth scopes, comma-separated".into());
        return Ok(None);
    };
    Ok(Some(OAuthCredentials {
        client_id,
        client_secret: secret,
        scopes,
        org_id,
        technical_account_id,
    }))
}

/// The value, or `None` with its problem pushed.
fn field<T>(problems: &mut Vec<String>, r: Result<T, imsbridge_domain::ParseError>) -> Option<T> {
    r.map_err(|e| problems.push(e.to_string())).ok()
}

fn read_project_json(
    base: &Path,
    path: &str,
    client_id: &ClientId,
) -> Result<crate::project_json::ProjectOAuth, String> {
    let full = base.join(path);
    let text = std::fs::read_to_string(&full)
        .map_err(|e| format!("project_json {}: cannot be read ({e})", full.display()))?;
    let json: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| format!("project_json {}: is not JSON ({e})", full.display()))?;
    crate::project_json::parse(&json, Some(client_id))
        .map_err(|e| format!("{} ({})", e, full.display()))
}
