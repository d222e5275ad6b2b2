//! The first admin: on first start with no users, an `admin` user is created with a
//! one-time password (printed once by the caller) or a configured one.

use imsbridge_domain::{ExposeSecret, SecretString};
use imsbridge_store::{AuditContext, NewUser, Role, Store};

use crate::auth::passwords;
use crate::error::ServerError;

/// The user name of the first admin.
pub const BOOTSTRAP_ADMIN: &str = "admin";

/// A generated password for the first admin, to show once.
pub struct OneTimePassword {
    /// The user name (`admin`).
    pub username: String,
    /// The password.
    pub password: SecretString,
}

impl std::fmt::Debug for OneTimePassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OneTimePassword")
            .field("username", &self.username)
            .finish_non_exhaustive()
    }
}

/// Creates the `admin` user when the store has no users. With `preset` that password is
/// used (and `None` returned); otherwise a one-time password is made and returned for the
/// caller to print once. Does nothing when users exist.
pub async fn bootstrap_admin(
    store: &Store,
    preset: Option<&SecretString>,
) -> Result<Option<OneTimePassword>, ServerError> {
    if store.count_users().await.map_err(ServerError::Store)? > 0 {
        return Ok(None);
    }
    let (password, generated) = match preset {
        Some(p) if !p.expose_secret().trim().is_empty() => (p.clone(), false),
        _ => (passwords::generate(), true),
    };
    let password_hash = passwords::hash(password.clone())
        .await
        .map_err(|e| ServerError::Bootstrap(e.to_string()))?;
    let created = store
        .create_user(
            &NewUser {
                username: BOOTSTRAP_ADMIN.to_owned(),
                password_hash,
                role: Role::Admin,
            },
            &AuditContext::actor("system"),
        )
        .await;
    match created {
        Ok(_) => {}
        // Another replica made it first: theirs stands.
        Err(imsbridge_store::StoreError::UsernameTaken(_)) => return Ok(None),
        Err(e) => return Err(ServerError::Store(e)),
    }
    tracing::info!(
        username = BOOTSTRAP_ADMIN,
        generated,
        "created the first admin user"
    );
    Ok(generated.then(|| OneTimePassword {
        username: BOOTSTRAP_ADMIN.to_owned(),
        password,
    }))
}
