use crate::config::{AuthType, Revision};

/// A value that could not be parsed: which field, what was wrong, and a good example.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {problem} (for example: {example})")]
pub struct ParseError {
    /// The field, as users see it in the API (`org_id`, `scopes`, …).
    pub field: &'static str,
    /// What is wrong with the value. Never contains a secret.
    pub problem: String,
    /// A value that would have been accepted.
    pub example: &'static str,
}

impl ParseError {
    pub(crate) fn new(
        field: &'static str,
        problem: impl Into<String>,
        example: &'static str,
    ) -> Self {
        Self {
            field,
            problem: problem.into(),
            example,
        }
    }
}

/// A change that the domain's rules refuse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RuleError {
    /// JWT (Service Account) credentials are deprecated and can no longer be created.
    #[error(
        "JWT (Service Account) credentials are deprecated in the Adobe Developer Console and can no longer be created; create an OAuth Server-to-Server configuration instead"
    )]
    JwtCreationRefused,
    /// A JWT configuration is read-only; the only change allowed is its migration.
    #[error(
        "JWT configurations are read-only and can no longer be updated; migrate this configuration to OAuth Server-to-Server instead"
    )]
    JwtReadOnly,
    /// Only a JWT configuration can be migrated.
    #[error("this configuration already uses {0}; only JWT configurations can be migrated")]
    NotJwt(AuthType),
    /// Auto-provisioned JWT configurations are migrated by Adobe, never by hand.
    #[error(
        "auto-provisioned JWT configurations are handled automatically by Adobe and must not be migrated manually"
    )]
    AutoProvisioned,
    /// The caller edited an older revision than the one stored.
    #[error(
        "the configuration was changed by someone else (you edited revision {expected}, the current revision is {current}); reload it and apply your change again"
    )]
    StaleRevision {
        /// The revision the caller read.
        expected: Revision,
        /// The revision stored now.
        current: Revision,
    },
}
