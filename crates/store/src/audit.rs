//! The append-only audit log.

use chrono::{DateTime, Utc};

use crate::backend::{Backend, with_backend};
use crate::page::{Arg, Where};
use crate::{Page, PageRequest, Store, StoreError};

/// Who is making a change, and from where; recorded with it.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct AuditContext {
    /// The user name, API token name or `system`.
    pub actor: String,
    /// The HTTP request id, when the change came over HTTP.
    pub request_id: Option<String>,
    /// The client's address, when known.
    pub client_addr: Option<String>,
}

impl AuditContext {
    /// A context with only an actor (CLI, background jobs).
    pub fn actor(actor: impl Into<String>) -> Self {
        Self {
            actor: actor.into(),
            request_id: None,
            client_addr: None,
        }
    }
}

/// What happened, to what; the who and when come from the [`AuditContext`] and the clock.
#[derive(Clone, Debug, PartialEq)]
pub struct AuditEntry {
    /// A dotted verb such as `config.update` or `user.login`.
    pub action: String,
    /// The kind of thing acted on: `config`, `user`, `api_token`, `keyring`, …
    pub target_kind: String,
    /// Its name, when it has one.
    pub target_name: Option<String>,
    /// Its id, when it has one.
    pub target_id: Option<String>,
    /// Anything else worth keeping, such as the fields that changed. Never secrets.
    pub details: serde_json::Value,
}

/// A stored audit entry.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct AuditRecord {
    /// Position in the log; later entries have larger ids.
    pub id: i64,
    /// When it was recorded.
    pub at: DateTime<Utc>,
    /// Who acted.
    pub actor: String,
    /// What they did.
    pub action: String,
    /// The kind of thing acted on.
    pub target_kind: String,
    /// Its name.
    pub target_name: Option<String>,
    /// Its id.
    pub target_id: Option<String>,
    /// The HTTP request id.
    pub request_id: Option<String>,
    /// The client's address.
    pub client_addr: Option<String>,
    /// Details, such as the fields that changed.
    pub details: serde_json::Value,
}

/// Which audit entries to list; unset fields match everything.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AuditFilter {
    /// Only this actor.
    pub actor: Option<String>,
    /// Only this action.
    pub action: Option<String>,
    /// Only this kind of target.
    pub target_kind: Option<String>,
    /// Only this target name.
    pub target_name: Option<String>,
    /// Only this target id.
    pub target_id: Option<String>,
    /// Only entries at or after this time.
    pub since: Option<DateTime<Utc>>,
    /// Only entries before this time.
    pub until: Option<DateTime<Utc>>,
}

#[derive(sqlx::FromRow)]
struct AuditRow {
    id: i64,
    at: DateTime<Utc>,
    actor: String,
    action: String,
    target_kind: String,
    target_name: Option<String>,
    target_id: Option<String>,
    request_id: Option<String>,
    client_addr: Option<String>,
    details: String,
}

impl TryFrom<AuditRow> for AuditRecord {
    type Error = StoreError;
    fn try_from(row: AuditRow) -> Result<Self, StoreError> {
        Ok(Self {
            details: serde_json::from_str(&row.details)
                .map_err(|e| StoreError::corrupt(format!("audit entry {}", row.id), e))?,
            id: row.id,
            at: row.at,
            actor: row.actor,
            action: row.action,
            target_kind: row.target_kind,
            target_name: row.target_name,
            target_id: row.target_id,
            request_id: row.request_id,
            client_addr: row.client_addr,
        })
    }
}

/// An audit entry ready to be written, inside whatever transaction makes the change.
pub(crate) struct NewAuditRow {
    pub(crate) at: DateTime<Utc>,
    pub(crate) actor: String,
    pub(crate) action: String,
    pub(crate) target_kind: String,
    pub(crate) target_name: Option<String>,
    pub(crate) target_id: Option<String>,
    pub(crate) request_id: Option<String>,
    pub(crate) client_addr: Option<String>,
    pub(crate) details: String,
}

impl NewAuditRow {
    pub(crate) fn new(at: DateTime<Utc>, ctx: &AuditContext, entry: &AuditEntry) -> Self {
        Self {
            at,
            actor: ctx.actor.clone(),
            action: entry.action.clone(),
            target_kind: entry.target_kind.clone(),
            target_name: entry.target_name.clone(),
            target_id: entry.target_id.clone(),
            request_id: ctx.request_id.clone(),
            client_addr: ctx.client_addr.clone(),
            details: entry.details.to_string(),
        }
    }
}

pub(crate) const INSERT_AUDIT: &str = "INSERT INTO audit_log \
    (at, actor, action, target_kind, target_name, target_id, request_id, client_addr, details) \
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";

/// Writes an audit row on `$executor` (a pool or, usually, the change's transaction).
macro_rules! insert_audit {
    ($executor:expr, $row:expr) => {{
        let row: &$crate::audit::NewAuditRow = $row;
        sqlx::query($crate::audit::INSERT_AUDIT)
            .bind(row.at)
            .bind(&row.actor)
            .bind(&row.action)
            .bind(&row.target_kind)
            .bind(&row.target_name)
            .bind(&row.target_id)
            .bind(&row.request_id)
            .bind(&row.client_addr)
            .bind(&row.details)
            .execute($executor)
            .await
    }};
}
pub(crate) use insert_audit;

/// Guarded write, audit, commit, in one write transaction: `$write` (given the transaction as
/// `$tx`) makes the change and evaluates to the rows it changed. When it changed any, `$row`
/// is appended to the audit log and the transaction commits; when its guard (a revision, a
/// state) matched nothing, it rolls back and leaves no audit row. Evaluates to
/// `Result<u64, sqlx::Error>`, the rows changed.
macro_rules! audited_write {
    ($backend:expr, $row:expr, |$tx:ident| $write:expr) => {
        $crate::backend::with_backend!($backend, pool => {
            async {
                let mut $tx = $crate::backend::BeginWrite::begin_write(pool).await?;
                let changed: u64 = $write;
                if changed == 0 {
                    $tx.rollback().await?;
                } else {
                    $crate::audit::insert_audit!(&mut *$tx, $row)?;
                    $tx.commit().await?;
                }
                Ok::<u64, sqlx::Error>(changed)
            }
            .await
        })
    };
}
pub(crate) use audited_write;

impl Store {
    /// Records an event that is not itself a store change (a login, a token served, a
    /// failed migration attempt).
    pub async fn append_audit(
        &self,
        audit: &AuditContext,
        entry: &AuditEntry,
    ) -> Result<(), StoreError> {
        let row = NewAuditRow::new(self.now(), audit, entry);
        with_backend!(&self.backend, pool => { insert_audit!(pool, &row)?; });
        Ok(())
    }

    /// Lists audit entries, newest first.
    pub async fn list_audit(
        &self,
        filter: &AuditFilter,
        page: PageRequest,
    ) -> Result<Page<AuditRecord>, StoreError> {
        let mut w = Where::default();
        for (column, value) in [
            ("actor", &filter.actor),
            ("action", &filter.action),
            ("target_kind", &filter.target_kind),
            ("target_name", &filter.target_name),
            ("target_id", &filter.target_id),
        ] {
            if let Some(value) = value {
                let p = w.arg(value.clone());
                w.push(format!("{column} = {p}"));
            }
        }
        if let Some(since) = filter.since {
            let p = w.time(since);
            w.push(format!("at >= {p}"));
        }
        if let Some(until) = filter.until {
            let p = w.time(until);
            w.push(format!("at < {p}"));
        }
        let (offset, limit) = page.sql();
        let n = w.next_index();
        let count_sql = format!("SELECT COUNT(*) FROM audit_log{}", w.sql());
        let list_sql = format!(
            "SELECT id, at, actor, action, target_kind, target_name, target_id, request_id, \
             client_addr, details FROM audit_log{} ORDER BY id DESC LIMIT ${} OFFSET ${}",
            w.sql(),
            n,
            n + 1
        );
        let (total, rows) =
            fetch_page::<AuditRow>(&self.backend, &count_sql, &list_sql, &w.args, limit, offset)
                .await?;
        Ok(Page {
            items: rows
                .into_iter()
                .map(AuditRecord::try_from)
                .collect::<Result<_, _>>()?,
            total,
            offset: page.offset,
            limit: page.effective_limit(),
        })
    }
}

/// Runs a count query and a page query that share arguments.
pub(crate) async fn fetch_page<R>(
    backend: &Backend,
    count_sql: &str,
    list_sql: &str,
    args: &[Arg],
    limit: i64,
    offset: i64,
) -> Result<(u64, Vec<R>), StoreError>
where
    R: Send + Unpin,
    R: for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow>,
    R: for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow>,
{
    with_backend!(backend, pool => {
        let mut count = sqlx::query_scalar::<_, i64>(count_sql);
        for a in args {
            count = match a {
                Arg::Text(t) => count.bind(t),
                Arg::Time(t) => count.bind(t),
            };
        }
        let total = count.fetch_one(pool).await?;
        let mut list = sqlx::query_as::<_, R>(list_sql);
        for a in args {
            list = match a {
                Arg::Text(t) => list.bind(t),
                Arg::Time(t) => list.bind(t),
            };
        }
        let rows = list.bind(limit).bind(offset).fetch_all(pool).await?;
        Ok((u64::try_from(total).unwrap_or(0), rows))
    })
}
