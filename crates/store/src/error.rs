use imsbridge_domain::{Name, Revision, RuleError};

/// Everything a store operation can fail with. No variant ever carries a secret or key
/// material, so `Display` is safe to log and to show.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The thing asked for does not exist (its kind and name or id are given).
    #[error("{0} was not found")]
    NotFound(String),
    /// A configuration with this name already exists.
    #[error("a configuration named \"{0}\" already exists; choose another name")]
    NameTaken(Name),
    /// A user with this username already exists.
    #[error("a user named \"{0}\" already exists; choose another username")]
    UsernameTaken(String),
    /// The change would leave no enabled admin (the user's name is given); nothing changed.
    #[error("\"{0}\" is the last enabled admin; make another user admin first")]
    LastAdmin(String),
    /// Another unique value (such as an API token hash) is already stored.
    #[error("conflict: {0}")]
    Conflict(String),
    /// The caller changed an older revision than the one stored; nothing was written.
    #[error(
        "the configuration was changed by someone else (you edited revision {expected}, the current revision is {current}); reload it and apply your change again"
    )]
    StaleRevision {
        /// The revision the caller read.
        expected: Revision,
        /// The revision stored now.
        current: Revision,
    },
    /// The domain's rules refuse the change (such as storing a new JWT configuration).
    #[error(transparent)]
    Rule(#[from] RuleError),
    /// Encryption or decryption failed: wrong key, tampered or moved ciphertext.
    #[error("secret could not be decrypted or encrypted: {0}")]
    Crypto(String),
    /// The master key file or value is missing, unreadable or wrong; says which and how to fix it.
    #[error("master key problem: {0}")]
    Key(String),
    /// A stored value no longer parses into a domain type.
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    /// The database URL cannot be used.
    #[error("invalid database URL: {0}")]
    InvalidUrl(String),
    /// The database refused or could not be reached.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// The schema migrations could not be applied.
    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

impl StoreError {
    /// A stored value of `what` that did not parse.
    pub(crate) fn corrupt(what: impl std::fmt::Display, why: impl std::fmt::Display) -> Self {
        Self::Corrupt(format!("{what}: {why}"))
    }
}

/// Whether a database error is a unique-constraint violation.
pub(crate) fn is_unique_violation(err: &sqlx::Error) -> bool {
    err.as_database_error()
        .is_some_and(sqlx::error::DatabaseError::is_unique_violation)
}
