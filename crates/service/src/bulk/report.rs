//! What a run of a plan did: per row migrated, verified (dry run), skipped or failed with its
//! reason, as JSON and as a table. Reports hold no secrets.

use std::fmt::Write as _;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// What happened to one row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Migrated by this run.
    Migrated,
    /// Dry run: IMS issued a token for the new details; nothing was written.
    Verified,
    /// Skipped: already migrated by an earlier run of this plan.
    AlreadyMigrated,
    /// Not migrated; see the reason.
    Failed,
}

impl Outcome {
    /// The word the table shows.
    pub fn label(self) -> &'static str {
        match self {
            Self::Migrated => "migrated",
            Self::Verified => "verified",
            Self::AlreadyMigrated => "skipped (already migrated)",
            Self::Failed => "failed",
        }
    }
}

/// One row's result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowReport {
    /// The configuration.
    pub name: String,
    /// What happened.
    pub outcome: Outcome,
    /// The revision the plan saw.
    pub revision: u64,
    /// The revision after the migration, when there was one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_revision: Option<u64>,
    /// Why it failed, or a note for a skip.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// IMS's error code, when IMS refused the new details.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ims_error: Option<String>,
    /// IMS's `x-debug-id`, for Adobe support.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub debug_id: Option<String>,
}

/// The whole run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    /// The plan run.
    pub plan_id: String,
    /// Whether nothing was written.
    pub dry_run: bool,
    /// When the run started.
    pub started_at: DateTime<Utc>,
    /// When it ended.
    pub finished_at: DateTime<Utc>,
    /// Rows migrated by this run.
    pub migrated: usize,
    /// Rows verified (dry run).
    pub verified: usize,
    /// Rows already migrated by an earlier run.
    pub skipped: usize,
    /// Rows that failed.
    pub failed: usize,
    /// Every row, in plan order.
    pub rows: Vec<RowReport>,
}

impl Report {
    /// Builds the totals from the rows.
    pub fn new(
        plan_id: String,
        dry_run: bool,
        started_at: DateTime<Utc>,
        finished_at: DateTime<Utc>,
        rows: Vec<RowReport>,
    ) -> Self {
        let count = |o: Outcome| rows.iter().filter(|r| r.outcome == o).count();
        Self {
            plan_id,
            dry_run,
            started_at,
            finished_at,
            migrated: count(Outcome::Migrated),
            verified: count(Outcome::Verified),
            skipped: count(Outcome::AlreadyMigrated),
            failed: count(Outcome::Failed),
            rows,
        }
    }

    /// Whether every row ended well.
    pub fn succeeded(&self) -> bool {
        self.failed == 0
    }

    /// The report as pretty JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a report always serialises") + "\n"
    }

    /// The report as a plain-text table with a summary line.
    pub fn to_table(&self) -> String {
        let header = ["NAME", "OUTCOME", "REVISION", "REASON"];
        let lines: Vec<[String; 4]> = self
            .rows
            .iter()
            .map(|r| {
                let revision = match r.new_revision {
                    Some(n) => format!("{} -> {n}", r.revision),
                    None => r.revision.to_string(),
                };
                let mut reason = r.reason.clone().unwrap_or_default();
                if let Some(code) = &r.ims_error {
                    reason = format!("{reason} [{code}]");
                }
                if let Some(id) = &r.debug_id {
                    reason = format!("{reason} (debug id {id})");
                }
                [
                    r.name.clone(),
                    r.outcome.label().to_owned(),
                    revision,
                    reason,
                ]
            })
            .collect();
        let mut out = table(&header, &lines);
        let _ = write!(
            out,
            "\n{} migrated, {} verified, {} skipped, {} failed{}\n",
            self.migrated,
            self.verified,
            self.skipped,
            self.failed,
            if self.dry_run {
                " (dry run: nothing was written)"
            } else {
                ""
            }
        );
        out
    }
}

/// Left-aligned columns separated by two spaces; the last column is not padded.
pub fn table<const N: usize>(header: &[&str; N], rows: &[[String; N]]) -> String {
    let mut widths = header.map(|h| h.chars().count());
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    let mut line = |cells: Vec<&str>| {
        let mut l = String::new();
        for (i, cell) in cells.iter().enumerate() {
            if i + 1 == N {
                l.push_str(cell);
            } else {
                let _ = write!(l, "{cell:<width$}  ", width = widths[i]);
            }
        }
        out.push_str(l.trim_end());
        out.push('\n');
    };
    line(header.to_vec());
    for row in rows {
        line(row.iter().map(String::as_str).collect());
    }
    out
}
