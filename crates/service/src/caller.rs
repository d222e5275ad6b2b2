//! Who calls an operation, and what they may do.

use imsbridge_domain::Name;
use imsbridge_store::{AuditContext, Role};

use crate::api_tokens::TokenScope;
use uuid::Uuid;

use crate::error::ServiceError;

/// An authenticated caller.
#[derive(Debug, Clone)]
pub enum Principal {
    /// A person, through a session (or the CLI on the server's machine).
    User {
        /// The user's id.
        id: Uuid,
        /// The user's name.
        username: String,
        /// The user's role.
        role: Role,
    },
    /// A machine, through an API token.
    Token {
        /// The token's id.
        id: Uuid,
        /// The token's label.
        name: String,
        /// What it may do.
        scope: TokenScope,
        /// The user who made the token.
        created_by: Option<Uuid>,
    },
}

impl Principal {
    /// The name recorded in the audit log: a user name, or `api-token:<label>`.
    pub fn actor(&self) -> String {
        match self {
            Self::User { username, .. } => username.clone(),
            Self::Token { name, .. } => format!("api-token:{name}"),
        }
    }

    /// Whether it may read the admin API.
    pub fn can_read(&self) -> bool {
        match self {
            Self::User { .. } => true,
            Self::Token { scope, .. } => matches!(scope, TokenScope::Admin | TokenScope::Read),
        }
    }

    /// Whether it may change things.
    pub fn is_admin(&self) -> bool {
        match self {
            Self::User { role, .. } => *role == Role::Admin,
            Self::Token { scope, .. } => *scope == TokenScope::Admin,
        }
    }

    /// Whether it may fetch access tokens of integration `name`.
    pub fn can_fetch_token(&self, name: &Name) -> bool {
        match self {
            Self::User { role, .. } => *role == Role::Admin,
            Self::Token { scope, .. } => scope.allows_token_for(name),
        }
    }

    /// The user behind this caller (a token's maker), for ownership of new tokens.
    pub fn user_id(&self) -> Option<Uuid> {
        match self {
            Self::User { id, .. } => Some(*id),
            Self::Token { created_by, .. } => *created_by,
        }
    }
}

/// The caller of an operation: who, and the audit context of what they do.
#[derive(Debug, Clone)]
pub struct Caller {
    /// Who.
    pub principal: Principal,
    /// Actor, request id and client address, for the audit log.
    pub audit: AuditContext,
}

impl Caller {
    /// A caller with an audit context of its own actor and no request.
    pub fn new(principal: Principal) -> Self {
        let audit = AuditContext {
            actor: principal.actor(),
            request_id: None,
            client_addr: None,
        };
        Self { principal, audit }
    }

    /// Refuses callers that may not read.
    pub fn require_read(&self) -> Result<(), ServiceError> {
        if self.principal.can_read() {
            Ok(())
        } else {
            Err(ServiceError::Forbidden(
                "this API token may only fetch access tokens of its integrations; use a token with scope read or admin".to_owned(),
            ))
        }
    }

    /// Refuses callers that are not admins.
    pub fn require_admin(&self) -> Result<(), ServiceError> {
        if self.principal.is_admin() {
            Ok(())
        } else {
            Err(ServiceError::Forbidden(
                "this needs the admin role (or an API token with scope admin); viewers and read tokens may only read".to_owned(),
            ))
        }
    }
}
