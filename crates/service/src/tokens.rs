//! API tokens: admins make tokens for automation and integrations (shown once), list them
//! (never the secret) and revoke them.

use chrono::{DateTime, Duration, Utc};
use imsbridge_domain::{ExposeSecret, SecretString};
use imsbridge_store::{ApiToken, ApiTokenId};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::api_tokens::{IssueError, issue};
use crate::error::{Resource, ServiceError};
use crate::fields::{FieldError, FieldErrorKind, FieldErrors};
use crate::{Caller, Services};

/// An API token, without its secret.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApiTokenView {
    /// Stable id.
    #[schema(value_type = String, format = Uuid)]
    pub id: uuid::Uuid,
    /// Label.
    pub name: String,
    /// The token's first characters, to recognise it.
    #[schema(example = "ibt_AbCdEfGh")]
    pub prefix: String,
    /// `admin`, `read`, or `token:<name>[,<name>…]`.
    pub scope: String,
    /// When it stops working.
    pub expires_at: Option<DateTime<Utc>>,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// The id of the user who made it.
    #[schema(value_type = Option<String>, format = Uuid)]
    pub created_by: Option<uuid::Uuid>,
    /// Last use (to the minute).
    pub last_used_at: Option<DateTime<Utc>>,
    /// When it was revoked.
    pub revoked_at: Option<DateTime<Utc>>,
    /// Whether it works now.
    pub active: bool,
}

impl ApiTokenView {
    /// The view of a stored token at time `now`.
    pub fn new(t: &ApiToken, now: DateTime<Utc>) -> Self {
        Self {
            id: t.id.as_uuid(),
            name: t.name.clone(),
            prefix: t.prefix.clone(),
            scope: t.scope.clone(),
            expires_at: t.expires_at,
            created_at: t.created_at,
            created_by: t.created_by.map(|u| u.as_uuid()),
            last_used_at: t.last_used_at,
            revoked_at: t.revoked_at,
            active: t.is_usable(now),
        }
    }
}

/// A new API token.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateApiToken {
    /// Label, 1 to 64 characters of plain text.
    #[schema(example = "ci-pipeline")]
    pub name: String,
    /// `admin`, `read`, or `token:<integration name>[,<name>…]`.
    #[schema(example = "token:target-production")]
    pub scope: String,
    /// Lifetime in days (default from the server's settings; at most its maximum).
    pub expires_in_days: Option<u32>,
}

/// A new API token with its secret, shown this once.
#[derive(Serialize, ToSchema)]
pub struct CreatedApiToken {
    /// The token: send it as `Authorization: Bearer …`. It is not shown again.
    pub token: String,
    /// Its details.
    #[serde(flatten)]
    pub details: ApiTokenView,
}

fn parse_id(raw: &str) -> Result<ApiTokenId, ServiceError> {
    uuid::Uuid::parse_str(raw.trim())
        .map(ApiTokenId::from)
        .map_err(|_| {
            ServiceError::invalid(FieldError::new(
                "id",
                FieldErrorKind::Invalid,
                "id: is not an API token id (a UUID, as listed by GET /api/v1/api-tokens)",
            ))
        })
}

fn scope_error(problem: &str) -> FieldError {
    FieldError::new(
        "scope",
        FieldErrorKind::Invalid,
        format!("scope: {problem}"),
    )
    .arg("problem", problem)
    .arg("example", "token:target-production")
}

impl Services {
    /// Every API token (never their secrets).
    pub async fn list_api_tokens(
        &self,
        caller: &Caller,
    ) -> Result<Vec<ApiTokenView>, ServiceError> {
        caller.require_admin()?;
        let now = self.clock.now();
        let tokens = self.store.list_api_tokens().await?;
        Ok(tokens.iter().map(|t| ApiTokenView::new(t, now)).collect())
    }

    /// API token `raw_id`.
    pub async fn get_api_token(
        &self,
        caller: &Caller,
        raw_id: &str,
    ) -> Result<ApiTokenView, ServiceError> {
        caller.require_admin()?;
        let id = parse_id(raw_id)?;
        self.store
            .list_api_tokens()
            .await?
            .iter()
            .find(|t| t.id == id)
            .map(|t| ApiTokenView::new(t, self.clock.now()))
            .ok_or_else(|| ServiceError::not_found(Resource::ApiToken, id))
    }

    /// Makes an API token; its secret is returned this once.
    pub async fn create_api_token(
        &self,
        caller: &Caller,
        body: &CreateApiToken,
    ) -> Result<(ApiTokenView, SecretString), ServiceError> {
        caller.require_admin()?;
        let mut errors = FieldErrors::new();
        let name = body.name.trim();
        if name.is_empty() || name.chars().count() > 64 || name.chars().any(char::is_control) {
            errors.push(
                FieldError::new(
                    "name",
                    FieldErrorKind::Invalid,
                    "name: must be 1 to 64 characters of plain text (for example ci-pipeline)",
                )
                .arg("max", 64)
                .arg("example", "ci-pipeline"),
            );
        }
        if let Err(problem) = crate::TokenScope::parse(&body.scope) {
            errors.push(scope_error(&problem));
        }
        let max = self.policy.api_token_max_ttl_days.max(1);
        if body.expires_in_days.is_some_and(|d| d == 0 || d > max) {
            errors.push(
                FieldError::new(
                    "expires_in_days",
                    FieldErrorKind::OutOfRange,
                    format!("expires_in_days: must be between 1 and {max}"),
                )
                .arg("min", 1)
                .arg("max", max),
            );
        }
        if !errors.is_empty() {
            return Err(errors.into());
        }
        let days = body
            .expires_in_days
            .unwrap_or(self.policy.api_token_default_ttl_days)
            .min(max);
        let expires_at = self.clock.now() + Duration::days(i64::from(days.max(1)));
        let created_by = caller.principal.user_id().map(Into::into);
        let issued = match issue(
            &self.store,
            name,
            &body.scope,
            Some(expires_at),
            created_by,
            &caller.audit,
        )
        .await
        {
            // The maker was deleted in the meantime: make the token without an owner.
            Err(IssueError::Store(imsbridge_store::StoreError::NotFound(_))) => {
                issue(
                    &self.store,
                    name,
                    &body.scope,
                    Some(expires_at),
                    None,
                    &caller.audit,
                )
                .await
            }
            other => other,
        };
        let (token, secret) = issued.map_err(|e| match e {
            IssueError::Scope(problem) => ServiceError::invalid(scope_error(&problem)),
            IssueError::Store(s) => s.into(),
        })?;
        Ok((ApiTokenView::new(&token, self.clock.now()), secret))
    }

    /// Revokes API token `raw_id` at once.
    pub async fn revoke_api_token(
        &self,
        caller: &Caller,
        raw_id: &str,
    ) -> Result<(), ServiceError> {
        caller.require_admin()?;
        let id = parse_id(raw_id)?;
        self.store.revoke_api_token(id, &caller.audit).await?;
        Ok(())
    }
}

/// The secret of a new token as its maker sees it, once.
pub fn reveal(secret: &SecretString) -> String {
    secret.expose_secret().to_owned()
}
