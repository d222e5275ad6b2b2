//! Users: admins manage people; anyone changes their own password.

use chrono::{DateTime, Utc};
use imsbridge_domain::{ExposeSecret, SecretString};
use imsbridge_store::{NewUser, Role, User, UserUpdate};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::{ErrorCode, Resource, ServiceError};
use crate::fields::{FieldError, FieldErrorKind, FieldErrors};
use crate::hashing::Lane;
use crate::passwords::{self, PasswordError};
use crate::{Caller, Principal, Services};

/// A user, without the password hash.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserView {
    /// Stable id.
    #[schema(value_type = String, format = Uuid)]
    pub id: uuid::Uuid,
    /// Login name.
    pub username: String,
    /// `admin` or `viewer`.
    pub role: String,
    /// A disabled user cannot log in.
    pub disabled: bool,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

impl From<&User> for UserView {
    fn from(u: &User) -> Self {
        Self {
            id: u.id.as_uuid(),
            username: u.username.clone(),
            role: u.role.key().to_owned(),
            disabled: u.disabled,
            created_at: u.created_at,
            updated_at: u.updated_at,
        }
    }
}

/// A new user.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateUser {
    /// Login name: 1 to 64 letters, digits, '.', '_', '-' or '@'.
    #[schema(example = "alice")]
    pub username: String,
    /// `admin` or `viewer`.
    #[schema(example = "viewer")]
    pub role: String,
    /// The password (at least 12 characters); when absent a one-time password is made and
    /// returned once.
    #[schema(value_type = Option<String>, format = Password)]
    pub password: Option<SecretString>,
    /// A break-glass user: may sign in with a password even when `sso.allow_local_login`
    /// is off, for when the identity provider is unreachable.
    #[serde(default)]
    pub break_glass: bool,
}

/// A new user, with the one-time password when one was made.
#[derive(Serialize, ToSchema)]
pub struct CreatedUser {
    /// The user.
    pub user: UserView,
    /// Shown once; give it to the user.
    pub one_time_password: Option<String>,
}

/// Changes to a user.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateUser {
    /// New role.
    pub role: Option<String>,
    /// New password (at least 12 characters).
    #[schema(value_type = Option<String>, format = Password)]
    pub password: Option<SecretString>,
    /// Disable or enable.
    pub disabled: Option<bool>,
}

/// A change of one's own password.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangePassword {
    /// The current password.
    #[schema(value_type = String, format = Password)]
    pub current_password: SecretString,
    /// The new password (at least 12 characters).
    #[schema(value_type = String, format = Password)]
    pub new_password: SecretString,
}

/// Checks a user name's shape.
pub fn check_username(raw: &str) -> Result<String, FieldError> {
    let name = raw.trim();
    let ok = (1..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-' | b'@'));
    if ok {
        Ok(name.to_owned())
    } else {
        Err(FieldError::new(
            "username",
            FieldErrorKind::Invalid,
            "username: must be 1 to 64 letters, digits, '.', '_', '-' or '@' (for example alice)",
        )
        .arg("example", "alice"))
    }
}

fn parse_role(raw: &str) -> Result<Role, FieldError> {
    Role::parse(raw).ok_or_else(|| {
        FieldError::new(
            "role",
            FieldErrorKind::Invalid,
            format!(
                "role: {} is not a role; use admin or viewer",
                imsbridge_domain::quoted(raw.trim())
            ),
        )
        .arg("example", "viewer")
    })
}

fn password_policy(field: &'static str, p: &SecretString) -> Result<(), FieldError> {
    passwords::check_policy(p).map_err(|e| {
        FieldError::new(field, FieldErrorKind::TooLong, format!("{field}: {e}"))
            .arg("min", passwords::MIN_PASSWORD_LEN)
            .arg("max", 1024)
    })
}

impl From<PasswordError> for ServiceError {
    fn from(e: PasswordError) -> Self {
        match e {
            PasswordError::Length => ServiceError::invalid(
                FieldError::new(
                    "password",
                    FieldErrorKind::TooLong,
                    format!("password: {e}"),
                )
                .arg("min", passwords::MIN_PASSWORD_LEN)
                .arg("max", 1024),
            ),
            PasswordError::Busy => ServiceError::Busy(e.to_string()),
            PasswordError::Hash => ServiceError::Internal(Box::new(e)),
        }
    }
}

impl Services {
    async fn find_user(&self, raw: &str) -> Result<User, ServiceError> {
        let username = check_username(raw).map_err(ServiceError::invalid)?;
        self.store
            .get_user(&username)
            .await?
            .ok_or_else(|| ServiceError::not_found(Resource::User, &username))
    }

    /// Every user.
    pub async fn list_users(&self, caller: &Caller) -> Result<Vec<User>, ServiceError> {
        caller.require_read()?;
        Ok(self.store.list_users().await?)
    }

    /// User `raw_name`.
    pub async fn get_user(&self, caller: &Caller, raw_name: &str) -> Result<User, ServiceError> {
        caller.require_read()?;
        self.find_user(raw_name).await
    }

    /// Creates a user; without a password, a one-time password is made and returned once.
    pub async fn create_user(
        &self,
        caller: &Caller,
        body: &CreateUser,
    ) -> Result<(User, Option<SecretString>), ServiceError> {
        caller.require_admin()?;
        let mut errors = FieldErrors::new();
        let username = errors.take(check_username(&body.username));
        let role = errors.take(parse_role(&body.role));
        if let Some(p) = &body.password {
            errors.take(password_policy("password", p));
        }
        let (Some(username), Some(role)) = (username, role) else {
            return Err(errors.into());
        };
        if !errors.is_empty() {
            return Err(errors.into());
        }
        let (password, one_time) = match &body.password {
            Some(p) => (p.clone(), false),
            None => (passwords::generate(), true),
        };
        let password_hash = self.hashing.hash(password.clone()).await?;
        let new = NewUser {
            username,
            password_hash,
            role,
        };
        let user = if body.break_glass {
            self.store
                .create_break_glass_user(&new, &caller.audit)
                .await?
        } else {
            self.store.create_user(&new, &caller.audit).await?
        };
        Ok((user, one_time.then_some(password)))
    }

    /// Changes user `raw_name`'s role, password or disabled flag (their sessions end).
    pub async fn update_user(
        &self,
        caller: &Caller,
        raw_name: &str,
        body: &UpdateUser,
    ) -> Result<User, ServiceError> {
        caller.require_admin()?;
        let user = self.find_user(raw_name).await?;
        let mut errors = FieldErrors::new();
        let role = body
            .role
            .as_deref()
            .and_then(|r| errors.take(parse_role(r)));
        if let Some(p) = &body.password {
            errors.take(password_policy("password", p));
        }
        if !errors.is_empty() {
            return Err(errors.into());
        }
        let password_hash = match &body.password {
            Some(p) => Some(self.hashing.hash(p.clone()).await?),
            None => None,
        };
        // All of it in one transaction, which also keeps the last enabled admin.
        let update = UserUpdate {
            role,
            disabled: body.disabled,
            password_hash,
        };
        Ok(self
            .store
            .update_user(user.id, &update, &caller.audit)
            .await?)
    }

    /// Deletes user `raw_name` and the API tokens they made; nobody deletes themselves.
    pub async fn delete_user(&self, caller: &Caller, raw_name: &str) -> Result<User, ServiceError> {
        caller.require_admin()?;
        let user = self.find_user(raw_name).await?;
        if let Principal::User { id, .. } = &caller.principal
            && *id == user.id.as_uuid()
        {
            return Err(ServiceError::conflict(
                ErrorCode::SelfDelete,
                "you cannot delete yourself; ask another admin",
            ));
        }
        self.store.delete_user(user.id, &caller.audit).await?;
        Ok(user)
    }

    /// Changes the caller's own password, given the current one.
    pub async fn change_own_password(
        &self,
        caller: &Caller,
        body: &ChangePassword,
    ) -> Result<(), ServiceError> {
        let Principal::User { id, .. } = &caller.principal else {
            return Err(ServiceError::conflict(
                ErrorCode::NotAUser,
                "API tokens have no password; log in as the user",
            ));
        };
        let user = self
            .store
            .get_user_by_id((*id).into())
            .await?
            .ok_or_else(|| ServiceError::not_found(Resource::User, &caller.audit.actor))?;
        let current_ok = self
            .hashing
            .verify(
                body.current_password.clone(),
                Some(user.password_hash.clone()),
                Lane::Normal,
            )
            .await?;
        if !current_ok {
            return Err(ServiceError::Forbidden(
                "the current password is wrong".to_owned(),
            ));
        }
        password_policy("new_password", &body.new_password).map_err(ServiceError::invalid)?;
        let h = self.hashing.hash(body.new_password.clone()).await?;
        self.store
            .set_password_hash(user.id, &h, &caller.audit)
            .await?;
        Ok(())
    }
}

/// The one-time password as the caller sees it, once.
pub fn reveal(password: &SecretString) -> String {
    password.expose_secret().to_owned()
}
