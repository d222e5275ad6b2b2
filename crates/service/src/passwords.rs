//! Password policy and one-time passwords. Hashing and verification run on the bounded
//! pool of [`super::hashing`].

use rand::Rng;
use secrecy::{ExposeSecret, SecretString};

/// Shortest password accepted for a user.
pub const MIN_PASSWORD_LEN: usize = 12;

/// Why a password was refused.
#[derive(Debug, thiserror::Error)]
pub enum PasswordError {
    /// Too short or too long.
    #[error(
        "the password must be between {MIN_PASSWORD_LEN} and 1024 characters long; a passphrase of several words works well"
    )]
    Length,
    /// Hashing failed (never expected).
    #[error("the password could not be hashed")]
    Hash,
    /// Every hashing thread is busy and the queue is full.
    #[error("the server is busy checking other passwords; try again in a second (see Retry-After)")]
    Busy,
}

/// Seconds a client is asked to wait when the hashing pool is full.
pub const BUSY_RETRY_AFTER_SECS: u64 = 1;

/// Checks a new password's length.
pub fn check_policy(password: &SecretString) -> Result<(), PasswordError> {
    let len = password.expose_secret().chars().count();
    if (MIN_PASSWORD_LEN..=1024).contains(&len) {
        Ok(())
    } else {
        Err(PasswordError::Length)
    }
}

/// Hashes a password outside a server (the CLI's offline commands, the first admin), on the
/// process's small shared pool. A server hashes on its own pool (the server's state).
pub async fn hash(password: SecretString) -> Result<String, PasswordError> {
    super::hashing::HashPool::shared().hash(password).await
}

/// A random one-time password: 20 characters from an alphabet without look-alikes.
pub fn generate() -> SecretString {
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::thread_rng();
    let s: String = (0..20)
        .map(|_| char::from(ALPHABET[rng.gen_range(0..ALPHABET.len())]))
        .collect();
    SecretString::from(s)
}
