//! Password hashing with argon2id, off the async threads.

use argon2::Argon2;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
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
}

/// Checks a new password's length.
pub fn check_policy(password: &SecretString) -> Result<(), PasswordError> {
    let len = password.expose_secret().chars().count();
    if (MIN_PASSWORD_LEN..=1024).contains(&len) {
        Ok(())
    } else {
        Err(PasswordError::Length)
    }
}

/// Hashes a password (argon2id, PHC string). Runs on the blocking pool: hashing is slow on
/// purpose.
pub async fn hash(password: SecretString) -> Result<String, PasswordError> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(password.expose_secret().as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|_| PasswordError::Hash)
    })
    .await
    .map_err(|_| PasswordError::Hash)?
}

/// Whether `password` matches the PHC string `stored`. With `stored = None` (no such user)
/// it still spends the time of a real verification, so that timing does not reveal which
/// user names exist.
pub async fn verify(password: SecretString, stored: Option<String>) -> bool {
    tokio::task::spawn_blocking(move || {
        let hash = stored.unwrap_or_else(|| dummy_hash().to_owned());
        let Ok(parsed) = PasswordHash::new(&hash) else {
            return false;
        };
        let ok = Argon2::default()
            .verify_password(password.expose_secret().as_bytes(), &parsed)
            .is_ok();
        ok && stored_is_real(&hash)
    })
    .await
    .unwrap_or(false)
}

fn stored_is_real(hash: &str) -> bool {
    hash != dummy_hash()
}

/// A fixed hash of a random password, computed once, for unknown users.
fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| {
        let salt = SaltString::generate(&mut OsRng);
        let random: [u8; 16] = rand::thread_rng().r#gen();
        Argon2::default()
            .hash_password(&random, &salt)
            .map(|h| h.to_string())
            .unwrap_or_default()
    })
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
