//! The emulator's library error type.

/// Everything that can go wrong when starting the emulator or seeding it.
#[derive(Debug, thiserror::Error)]
pub enum EmulatorError {
    /// The listener could not be bound or the server failed.
    #[error("emulator I/O failed: {0}")]
    Io(#[from] std::io::Error),
    /// The state file could not be read or written as JSON.
    #[error("emulator state file is not valid JSON: {0}")]
    StateFile(#[from] serde_json::Error),
    /// An organisation, project or credential does not exist.
    #[error("{kind} {id} does not exist")]
    NotFound {
        /// What was looked up ("organization", "project", "credential").
        kind: &'static str,
        /// The id that was asked for.
        id: String,
    },
    /// The operation breaks a Developer Console rule (secret limit, 24 h delete rule, …).
    #[error("refused: {0}")]
    Refused(String),
    /// The input is malformed (bad certificate, empty metascopes, …).
    #[error("invalid input: {0}")]
    InvalidInput(String),
    /// Key or certificate generation failed.
    #[error("key generation failed: {0}")]
    Crypto(String),
}

impl EmulatorError {
    pub(crate) fn not_found(kind: &'static str, id: impl Into<String>) -> Self {
        Self::NotFound {
            kind,
            id: id.into(),
        }
    }
}
