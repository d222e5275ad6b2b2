//! The audit log: who changed what, newest first.

use chrono::{DateTime, Utc};
use imsbridge_store::{AuditFilter, AuditRecord, Page, PageRequest};
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::ServiceError;
use crate::fields::{FieldError, FieldErrorKind, FieldErrors};
use crate::{Caller, Services};

/// The audit log's filters as a caller wrote them; [`AuditQuery::parse`] is their one reader.
#[derive(Debug, Default, Clone)]
pub struct AuditQuery {
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
    /// Only entries at or after this time (RFC 3339).
    pub since: Option<String>,
    /// Only entries before this time (RFC 3339).
    pub until: Option<String>,
}

/// One audit entry.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditView {
    /// Position in the log.
    pub id: i64,
    /// When.
    pub at: DateTime<Utc>,
    /// Who.
    pub actor: String,
    /// What.
    pub action: String,
    /// The kind of target.
    pub target_kind: String,
    /// Its name.
    pub target_name: Option<String>,
    /// Its id.
    pub target_id: Option<String>,
    /// The HTTP request id.
    pub request_id: Option<String>,
    /// The client's address.
    pub client_addr: Option<String>,
    /// Details, such as the non-secret fields that changed.
    #[schema(value_type = Object)]
    pub details: serde_json::Value,
}

impl From<AuditRecord> for AuditView {
    fn from(r: AuditRecord) -> Self {
        Self {
            id: r.id,
            at: r.at,
            actor: r.actor,
            action: r.action,
            target_kind: r.target_kind,
            target_name: r.target_name,
            target_id: r.target_id,
            request_id: r.request_id,
            client_addr: r.client_addr,
            details: r.details,
        }
    }
}

fn filter_value(
    errors: &mut FieldErrors,
    field: &'static str,
    v: Option<&String>,
) -> Option<String> {
    match v {
        Some(s) if s.chars().count() > 256 || s.chars().any(char::is_control) => {
            errors.push(
                FieldError::new(
                    field,
                    FieldErrorKind::TooLong,
                    format!("{field}: must be at most 256 characters of plain text"),
                )
                .arg("max", 256),
            );
            None
        }
        Some(s) if s.trim().is_empty() => None,
        other => other.cloned(),
    }
}

fn time_value(
    errors: &mut FieldErrors,
    field: &'static str,
    v: Option<&String>,
) -> Option<DateTime<Utc>> {
    let raw = v.filter(|s| !s.trim().is_empty())?;
    if let Ok(t) = DateTime::parse_from_rfc3339(raw.trim()) {
        Some(t.with_timezone(&Utc))
    } else {
        errors.push(
            FieldError::new(
                field,
                FieldErrorKind::Invalid,
                format!(
                    "{field}: {} is not an RFC 3339 time; write it like 2026-11-26T09:00:00Z or 2026-11-26T18:00:00+09:00",
                    imsbridge_domain::quoted(raw)
                ),
            )
            .arg("example", "2026-11-26T09:00:00Z"),
        );
        None
    }
}

impl AuditQuery {
    /// The store's filter: blank values are no filter; times parse; `since` comes before
    /// `until`. Every problem is reported.
    pub fn parse(&self) -> Result<AuditFilter, FieldErrors> {
        let mut errors = FieldErrors::new();
        let filter = AuditFilter {
            actor: filter_value(&mut errors, "actor", self.actor.as_ref()),
            action: filter_value(&mut errors, "action", self.action.as_ref()),
            target_kind: filter_value(&mut errors, "target_kind", self.target_kind.as_ref()),
            target_name: filter_value(&mut errors, "target_name", self.target_name.as_ref()),
            target_id: filter_value(&mut errors, "target_id", self.target_id.as_ref()),
            since: time_value(&mut errors, "since", self.since.as_ref()),
            until: time_value(&mut errors, "until", self.until.as_ref()),
        };
        if let (Some(since), Some(until)) = (filter.since, filter.until)
            && since >= until
        {
            errors.push(FieldError::new(
                "until",
                FieldErrorKind::OutOfRange,
                "until: must be later than since (since is included, until is not)",
            ));
        }
        errors.finish(|| filter)
    }
}

impl Services {
    /// One page of the audit log, newest first.
    pub async fn list_audit(
        &self,
        caller: &Caller,
        filter: &AuditFilter,
        page: PageRequest,
    ) -> Result<Page<AuditRecord>, ServiceError> {
        caller.require_read()?;
        Ok(self.store.list_audit(filter, page).await?)
    }
}
