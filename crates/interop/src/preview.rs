//! The dry run of an import: what each configuration found would become in this store
//! (create, update, skip, needs a secret, needs a certificate), as a table and as JSON. The
//! JSON, written with `--report`, is also what `--expect` reads back: a real run then applies
//! only the rows whose configuration is still at the revision the preview saw.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use imsbridge_domain::{AuthType, Name};
use serde::{Deserialize, Serialize};

use crate::report::{CandidateStatus, ImportCandidate, ImportReport};

/// The report's `format` marker, so that any other JSON given to `--expect` is refused.
pub const PREVIEW_FORMAT: &str = "imsbridge-import-preview/1";

/// What the store holds under a name the import also found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Existing {
    /// Its revision now.
    pub revision: u64,
    /// OAuth or JWT.
    pub auth_type: AuthType,
}

/// What a row of the import does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RowAction {
    /// A new configuration.
    Create,
    /// Overwrites the configuration of the same name (only with `--update`).
    Update,
    /// Left alone: see the row's reason.
    Skip,
    /// A value could not be read: see the row's missing values.
    NeedsSecret,
    /// A JWT credential whose certificate is not in the files.
    NeedsCertificate,
}

impl RowAction {
    /// `create`, `update`, `skip`, `needs-secret` or `needs-certificate`.
    pub fn key(self) -> &'static str {
        match self {
            Self::Create => "create",
            Self::Update => "update",
            Self::Skip => "skip",
            Self::NeedsSecret => "needs-secret",
            Self::NeedsCertificate => "needs-certificate",
        }
    }

    /// Whether a real run writes this row.
    pub fn writes(self) -> bool {
        matches!(self, Self::Create | Self::Update)
    }
}

/// One configuration of the preview.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreviewRow {
    /// Its name in imsbridge.
    pub name: String,
    /// Its title.
    pub title: String,
    /// The solution, given or guessed.
    pub cloud_solution: String,
    /// `oauth` or `jwt`.
    pub auth_type: String,
    /// What the import does with it.
    pub action: RowAction,
    /// The revision of the configuration of that name, when one exists.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revision: Option<u64>,
    /// Why it is skipped or blocked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The files it was read from.
    pub sources: Vec<String>,
    /// The run modes of those files' folders (`author`, `prod`, …).
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub run_modes: Vec<String>,
    /// Each value that could not be read: its file, property and why.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub missing: Vec<MissingRow>,
    /// Remarks (how the name was chosen, …).
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub notes: Vec<String>,
}

/// A value a row lacks.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MissingRow {
    /// The file.
    pub file: String,
    /// The property.
    pub property: String,
    /// What is wrong and how to fix it.
    pub message: String,
}

/// A file, or part of one, that could not be used.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProblemRow {
    /// The file.
    pub file: String,
    /// The line, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    /// The property, when one is at fault.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub property: Option<String>,
    /// `syntax`, `invalid-value`, `missing-property`, `unpaired`, `conflict`, `unsupported`.
    pub kind: String,
    /// What is wrong and how to fix it.
    pub message: String,
}

/// The whole dry run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportPreview {
    /// Always [`PREVIEW_FORMAT`].
    pub format: String,
    /// The import format read (`aem-osgi`, `aio`, `aio-lib-java`).
    pub source_format: String,
    /// One row per configuration found, by name.
    pub rows: Vec<PreviewRow>,
    /// What could not be used; the rows above are unaffected.
    pub problems: Vec<ProblemRow>,
    /// Files that hold nothing this format imports.
    pub ignored: Vec<String>,
}

/// Decides each candidate's row against what the store holds now.
pub fn preview(
    source_format: &str,
    report: &ImportReport,
    existing: &BTreeMap<Name, Existing>,
    update: bool,
) -> ImportPreview {
    let rows = report
        .candidates
        .iter()
        .map(|c| row(c, existing.get(&c.name).copied(), update))
        .collect();
    let problems = report
        .problems
        .iter()
        .map(|p| ProblemRow {
            file: p.file.display().to_string(),
            line: p.line,
            property: p.property.clone(),
            kind: p.kind.key().to_owned(),
            message: p.message.clone(),
        })
        .collect();
    ImportPreview {
        format: PREVIEW_FORMAT.to_owned(),
        source_format: source_format.to_owned(),
        rows,
        problems,
        ignored: report
            .ignored
            .iter()
            .map(|p| p.display().to_string())
            .collect(),
    }
}

fn row(c: &ImportCandidate, existing: Option<Existing>, update: bool) -> PreviewRow {
    let (action, reason) = match (c.status(), existing) {
        (CandidateStatus::NeedsCertificate, _) => (
            RowAction::NeedsCertificate,
            match &c.credential {
                crate::report::CandidateCredential::NeedsCertificate(jwt) => {
                    Some(jwt.reason.clone())
                }
                _ => None,
            },
        ),
        (CandidateStatus::NeedsSecret, _) => (
            RowAction::NeedsSecret,
            Some("a value could not be read; see missing".to_owned()),
        ),
        (CandidateStatus::Ready, None) => (RowAction::Create, None),
        (CandidateStatus::Ready, Some(e)) if e.auth_type == AuthType::Jwt => (
            RowAction::Skip,
            Some(format!(
                "{} is a JWT configuration here; migrate it to OAuth (Properties, Authentication Type) instead of importing over it",
                c.name
            )),
        ),
        (CandidateStatus::Ready, Some(_)) if update => (RowAction::Update, None),
        (CandidateStatus::Ready, Some(e)) => (
            RowAction::Skip,
            Some(format!(
                "{} exists (revision {}); pass --update to overwrite it",
                c.name, e.revision
            )),
        ),
    };
    let mut run_modes: Vec<String> = c
        .sources
        .iter()
        .flat_map(|s| s.run_modes.as_slice().iter().cloned())
        .collect();
    run_modes.sort();
    run_modes.dedup();
    PreviewRow {
        name: c.name.to_string(),
        title: c.title.to_string(),
        cloud_solution: c.cloud_solution.to_string(),
        auth_type: c.auth_type().to_string(),
        action,
        revision: existing.map(|e| e.revision),
        reason,
        sources: c
            .sources
            .iter()
            .map(|s| s.path.display().to_string())
            .collect(),
        run_modes,
        missing: c
            .missing()
            .iter()
            .map(|m| MissingRow {
                file: m.file.display().to_string(),
                property: m.property.clone(),
                message: m.to_string(),
            })
            .collect(),
        notes: c.notes.clone(),
    }
}

impl ImportPreview {
    /// The preview as pretty JSON (what `--report` writes).
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a preview always serialises") + "\n"
    }

    /// Reads a report written by [`Self::to_json`].
    pub fn from_json(text: &str) -> Result<Self, String> {
        let preview: Self = serde_json::from_str(text).map_err(|e| {
            format!("it is not an import report ({e}); write one with `config import --dry-run --report FILE`")
        })?;
        if preview.format != PREVIEW_FORMAT {
            return Err(format!(
                "its format is {:?}; this version reads {PREVIEW_FORMAT:?}",
                preview.format
            ));
        }
        Ok(preview)
    }

    /// The rows a real run writes.
    pub fn writes(&self) -> impl Iterator<Item = &PreviewRow> {
        self.rows.iter().filter(|r| r.action.writes())
    }

    /// Keeps, of the rows this run would write, only those an earlier preview (`expected`)
    /// also showed writing with the configuration at the same revision; the others become
    /// skips that say what changed since.
    pub fn restrict_to(&mut self, expected: &Self) {
        let seen: BTreeMap<&str, &PreviewRow> =
            expected.rows.iter().map(|r| (r.name.as_str(), r)).collect();
        for row in self.rows.iter_mut().filter(|r| r.action.writes()) {
            let reason = match seen.get(row.name.as_str()) {
                None => Some("not in the expected report; run the dry run again".to_owned()),
                Some(old) if !old.action.writes() => Some(format!(
                    "the expected report showed it as {}, not as a change",
                    old.action.key()
                )),
                Some(old) if old.revision != row.revision => {
                    Some(match (old.revision, row.revision) {
                        (None, Some(now)) => format!(
                            "it was created (now revision {now}) since the expected report; run the dry run again"
                        ),
                        (Some(then), Some(now)) => format!(
                            "it changed since the expected report (revision {then}, now {now}); run the dry run again"
                        ),
                        (Some(then), None) => format!(
                            "it was deleted since the expected report (revision {then}); run the dry run again"
                        ),
                        (None, None) => unreachable!("the revisions differ"),
                    })
                }
                Some(_) => None,
            };
            if let Some(reason) = reason {
                row.action = RowAction::Skip;
                row.reason = Some(reason);
            }
        }
    }

    /// The preview as an aligned table, problems after it.
    pub fn to_table(&self) -> String {
        let mut out = String::new();
        let width = |f: fn(&PreviewRow) -> String, head: &str| {
            self.rows
                .iter()
                .map(|r| f(r).chars().count())
                .chain([head.len()])
                .max()
                .unwrap_or(0)
        };
        let (a, n, s) = (
            width(|r| r.action.key().to_owned(), "ACTION"),
            width(|r| r.name.clone(), "NAME"),
            width(|r| r.cloud_solution.clone(), "SOLUTION"),
        );
        let _ = writeln!(
            out,
            "{:a$}  {:n$}  {:s$}  DETAIL",
            "ACTION", "NAME", "SOLUTION"
        );
        for r in &self.rows {
            let detail = match (&r.reason, r.missing.first(), r.revision) {
                (_, Some(m), _) => m.message.clone(),
                (Some(reason), None, _) => reason.clone(),
                (None, None, Some(rev)) => format!("revision {rev}"),
                (None, None, None) => r.sources.join(", "),
            };
            let _ = writeln!(
                out,
                "{:a$}  {:n$}  {:s$}  {detail}",
                r.action.key(),
                r.name,
                r.cloud_solution
            );
            for m in r.missing.iter().skip(1) {
                let _ = writeln!(out, "{:a$}  {:n$}  {:s$}  {}", "", "", "", m.message);
            }
        }
        for p in &self.problems {
            let place = match (p.line, &p.property) {
                (Some(line), _) => format!("{}:{line}", p.file),
                (None, Some(prop)) => format!("{} ({prop})", p.file),
                (None, None) => p.file.clone(),
            };
            let _ = writeln!(out, "problem  {place}: {}", p.message);
        }
        let count = |action: RowAction| self.rows.iter().filter(|r| r.action == action).count();
        let _ = writeln!(
            out,
            "{} to create, {} to update, {} skipped, {} need a secret, {} need a certificate, {} problem(s)",
            count(RowAction::Create),
            count(RowAction::Update),
            count(RowAction::Skip),
            count(RowAction::NeedsSecret),
            count(RowAction::NeedsCertificate),
            self.problems.len()
        );
        out
    }
}
