use std::fmt;

use chrono::{DateTime, Utc};
use secrecy::{ExposeSecret, SecretString};
use uuid::Uuid;

use crate::certificate::Certificate;
use crate::console::{ConsoleLink, ConsoleOrgId, CredentialId, RotateEveryDays, SecretUuid};
use crate::error::{ParseError, RuleError};
use crate::ids::{AuthorizationServer, ClientId, OrgId, TechnicalAccountId};
use crate::scopes::{Metascopes, Scopes};
use crate::text::{CloudSolution, Name, Title};

/// The stable identity of a configuration; survives migration.
#[derive(
    Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug, serde::Serialize, serde::Deserialize,
)]
#[serde(transparent)]
pub struct ConfigId(Uuid);

impl ConfigId {
    /// A new, time-ordered id.
    pub fn new() -> Self {
        Self(Uuid::now_v7())
    }

    /// The id as a UUID.
    pub fn as_uuid(&self) -> Uuid {
        self.0
    }
}

impl Default for ConfigId {
    fn default() -> Self {
        Self::new()
    }
}

impl From<Uuid> for ConfigId {
    fn from(id: Uuid) -> Self {
        Self(id)
    }
}

impl fmt::Display for ConfigId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl std::str::FromStr for ConfigId {
    type Err = ParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Uuid::parse_str(s.trim()).map(Self).map_err(|_| {
            ParseError::new(
                "id",
                format!("{:?} is not a configuration id (a UUID)", s.trim()),
                "0190f5a2-7c1e-7d3a-9b2e-4f6a8c0d1e2f",
            )
        })
    }
}

/// How many times a configuration has been changed; every change names the one it read.
#[derive(
    Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug, serde::Serialize, serde::Deserialize,
)]
#[serde(transparent)]
pub struct Revision(u64);

impl Revision {
    /// The revision of a configuration that was just created.
    pub const FIRST: Self = Self(1);

    /// Wraps a stored revision number.
    pub fn new(n: u64) -> Self {
        Self(n)
    }

    /// The revision after this one.
    #[must_use]
    pub fn next(self) -> Self {
        Self(self.0 + 1)
    }

    /// The revision number.
    pub fn get(self) -> u64 {
        self.0
    }

    /// Parses a revision as sent in an `If-Match` header or a form (`"3"` or `"\"3\""`).
    pub fn parse(raw: &str) -> Result<Self, ParseError> {
        let t = raw.trim().trim_start_matches("W/").trim_matches('"');
        t.parse::<u64>()
            .ok()
            .filter(|n| *n >= 1)
            .map(Self)
            .ok_or_else(|| {
                ParseError::new(
                    "revision",
                    format!(
                        "{:?} is not a revision number; send the revision you last read",
                        raw.trim()
                    ),
                    "3",
                )
            })
    }
}

impl fmt::Display for Revision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// The kind of credential a configuration holds.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, serde::Serialize, serde::Deserialize)]
pub enum AuthType {
    /// OAuth Server-to-Server.
    #[serde(rename = "oauth")]
    OAuth,
    /// Service Account (JWT), deprecated.
    #[serde(rename = "jwt")]
    Jwt,
}

impl AuthType {
    /// The key used in the API and in filters.
    pub fn key(self) -> &'static str {
        match self {
            Self::OAuth => "oauth",
            Self::Jwt => "jwt",
        }
    }

    /// Parses `oauth` or `jwt` (any case).
    pub fn parse(raw: &str) -> Result<Self, ParseError> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "oauth" | "oauth-s2s" | "oauth_server_to_server" => Ok(Self::OAuth),
            "jwt" => Ok(Self::Jwt),
            other => Err(ParseError::new(
                "auth_type",
                format!("{other:?} is not an authentication type; use oauth or jwt"),
                "oauth",
            )),
        }
    }
}

impl fmt::Display for AuthType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::OAuth => "OAuth",
            Self::Jwt => "JWT",
        })
    }
}

/// Who made a configuration.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Origin {
    /// Created by the customer.
    Customer,
    /// Created by the platform; Adobe migrates these automatically.
    AutoProvisioned,
}

impl Origin {
    /// The key used in the API and in filters.
    pub fn key(self) -> &'static str {
        match self {
            Self::Customer => "customer",
            Self::AutoProvisioned => "auto-provisioned",
        }
    }

    /// Parses `customer` or `auto-provisioned`.
    pub fn parse(raw: &str) -> Result<Self, ParseError> {
        match raw.trim().to_ascii_lowercase().replace('_', "-").as_str() {
            "customer" => Ok(Self::Customer),
            "auto-provisioned" | "auto" => Ok(Self::AutoProvisioned),
            other => Err(ParseError::new(
                "origin",
                format!("{other:?} is not an origin; use customer or auto-provisioned"),
                "customer",
            )),
        }
    }
}

/// The outcome of the last health check.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum HealthStatus {
    /// IMS issued a token.
    Healthy,
    /// IMS refused or could not be reached.
    Unhealthy,
}

impl HealthStatus {
    /// The key used in the API and in filters.
    pub fn key(self) -> &'static str {
        match self {
            Self::Healthy => "healthy",
            Self::Unhealthy => "unhealthy",
        }
    }
}

/// The last health check of a configuration.
#[derive(Clone, PartialEq, Eq, Debug, serde::Serialize, serde::Deserialize)]
pub struct Health {
    /// Healthy or not.
    pub status: HealthStatus,
    /// When the check ran.
    pub checked_at: DateTime<Utc>,
    /// "Token is retrieved successfully", or IMS's reason.
    pub message: String,
    /// IMS's error code, when it gave one.
    pub error_code: Option<String>,
    /// IMS's `x-debug-id`, when it gave one.
    pub debug_id: Option<String>,
}

impl Health {
    /// The message AEM shows when a check succeeds.
    pub const SUCCESS_MESSAGE: &'static str = "Token is retrieved successfully";

    /// A successful check at `at`.
    pub fn healthy(at: DateTime<Utc>) -> Self {
        Self {
            status: HealthStatus::Healthy,
            checked_at: at,
            message: Self::SUCCESS_MESSAGE.to_owned(),
            error_code: None,
            debug_id: None,
        }
    }
}

/// OAuth Server-to-Server credential details.
#[derive(Clone, Debug)]
pub struct OAuthCredentials {
    /// The credential's client id.
    pub client_id: ClientId,
    /// The credential's client secret.
    pub client_secret: SecretString,
    /// The scopes to request.
    pub scopes: Scopes,
    /// The organization the credential belongs to.
    pub org_id: OrgId,
    /// The credential's technical account, when known.
    pub technical_account_id: Option<TechnicalAccountId>,
}

/// Service Account (JWT) credential details, kept only until migration.
#[derive(Clone, Debug)]
pub struct JwtCredentials {
    /// The API key, which is the credential's client id.
    pub api_key: ClientId,
    /// The credential's client secret.
    pub client_secret: SecretString,
    /// The organization the credential belongs to.
    pub org_id: OrgId,
    /// The technical account the JWT is issued for (`sub`).
    pub technical_account_id: TechnicalAccountId,
    /// The metascopes claimed in the JWT.
    pub metascopes: Metascopes,
    /// The PEM private key that signs the JWT.
    pub private_key: SecretString,
    /// The public certificate bound to the credential.
    pub certificate: Certificate,
}

impl JwtCredentials {
    /// Checks that a PEM text is a private key block, without revealing any of it in errors.
    pub fn check_private_key(pem_text: &SecretString) -> Result<(), ParseError> {
        let example = "-----BEGIN PRIVATE KEY-----\\n…\\n-----END PRIVATE KEY-----";
        match pem::parse(pem_text.expose_secret().trim()) {
            Ok(block) if matches!(block.tag(), "PRIVATE KEY" | "RSA PRIVATE KEY") => Ok(()),
            Ok(block) => Err(ParseError::new(
                "private_key",
                format!(
                    "holds a {:?} block; a BEGIN PRIVATE KEY block is expected",
                    block.tag()
                ),
                example,
            )),
            Err(_) => Err(ParseError::new(
                "private_key",
                "is not a PEM private key",
                example,
            )),
        }
    }
}

/// A configuration's credential: OAuth, or legacy JWT.
#[derive(Clone, Debug)]
pub enum Credentials {
    /// OAuth Server-to-Server.
    OAuth(OAuthCredentials),
    /// Service Account (JWT).
    Jwt(JwtCredentials),
}

/// Who is asking for a migration.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum MigrationActor {
    /// An admin, by hand or by a bulk plan.
    Manual,
    /// The automatic job for auto-provisioned configurations.
    Automatic,
}

/// An Adobe IMS integration configuration.
///
/// Fields are public for reading; changes go through [`IntegrationConfig::create`],
/// [`IntegrationConfig::update`] and [`IntegrationConfig::migrate_to_oauth`], which enforce
/// the rules.
#[derive(Clone, Debug)]
pub struct IntegrationConfig {
    /// Stable id.
    pub id: ConfigId,
    /// Immutable unique name.
    pub name: Name,
    /// Display title.
    pub title: Title,
    /// The Adobe solution served.
    pub cloud_solution: CloudSolution,
    /// IMS base URL.
    pub authorization_server: AuthorizationServer,
    /// Customer-created or auto-provisioned.
    pub origin: Origin,
    /// Bumped by every change.
    pub revision: Revision,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
    /// The last health check, if any since the credential last changed.
    pub health: Option<Health>,
    /// The credential.
    pub credentials: Credentials,
    /// Where the credential lives in the Developer Console, and its rotation policy.
    pub console: ConsoleLink,
    /// Adobe's uuid of the client secret held, when known (set by a rotation).
    pub secret_uuid: Option<SecretUuid>,
    /// When the client secret held was set.
    pub secret_since: DateTime<Utc>,
}

/// What a new configuration is made from.
#[derive(Clone, Debug)]
pub struct ConfigDraft {
    /// Immutable unique name.
    pub name: Name,
    /// Display title.
    pub title: Title,
    /// The Adobe solution served.
    pub cloud_solution: CloudSolution,
    /// IMS base URL.
    pub authorization_server: AuthorizationServer,
    /// The credential.
    pub credentials: DraftCredentials,
}

/// The credential of a draft. JWT appears here only so that the refusal is a rule, not a
/// missing case.
#[derive(Clone, Debug)]
pub enum DraftCredentials {
    /// OAuth Server-to-Server.
    OAuth(OAuthCredentials),
    /// Service Account (JWT): accepted only when importing existing configurations.
    Jwt(JwtCredentials),
}

/// A change to an OAuth configuration; `None` keeps the current value.
#[derive(Clone, Debug, Default)]
pub struct OAuthPatch {
    /// New title.
    pub title: Option<Title>,
    /// New solution.
    pub cloud_solution: Option<CloudSolution>,
    /// New IMS base URL.
    pub authorization_server: Option<AuthorizationServer>,
    /// New client id.
    pub client_id: Option<ClientId>,
    /// New client secret (the stored one is kept when absent).
    pub client_secret: Option<SecretString>,
    /// New scopes.
    pub scopes: Option<Scopes>,
    /// New org id.
    pub org_id: Option<OrgId>,
    /// New technical account id (`Some(None)` clears it).
    pub technical_account_id: Option<Option<TechnicalAccountId>>,
    /// New Developer Console organization id (`Some(None)` clears it).
    pub console_org_id: Option<Option<ConsoleOrgId>>,
    /// New Developer Console credential id (`Some(None)` clears it).
    pub credential_id: Option<Option<CredentialId>>,
    /// New rotation period (`Some(None)` turns scheduled rotation off).
    pub rotate_every_days: Option<Option<RotateEveryDays>>,
}

/// What a migration form is pre-filled with, from the JWT configuration being migrated.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct OAuthFields {
    /// The Developer Console keeps the client id on migration.
    pub client_id: ClientId,
    /// The organization.
    pub org_id: OrgId,
    /// The technical account, which migration keeps.
    pub technical_account_id: TechnicalAccountId,
    /// Scopes suggested from the metascopes.
    pub scopes: Scopes,
}

/// One non-secret field that a change altered, for the audit log.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FieldChange {
    /// The field's API name.
    pub field: String,
    /// The value before, if there was one (secrets: `"(set)"`).
    pub from: Option<String>,
    /// The value after, if there is one (secrets: `"(changed)"`).
    pub to: Option<String>,
}

impl IntegrationConfig {
    /// Creates a configuration from a draft. JWT drafts are refused.
    pub fn create(draft: ConfigDraft, id: ConfigId, now: DateTime<Utc>) -> Result<Self, RuleError> {
        match draft.credentials {
            DraftCredentials::Jwt(_) => Err(RuleError::JwtCreationRefused),
            DraftCredentials::OAuth(_) => Ok(Self::import(draft, Origin::Customer, id, now)),
        }
    }

    /// Brings an existing configuration (OAuth or JWT) in from elsewhere, such as an AEM
    /// export; the only way a JWT configuration enters the store.
    pub fn import(draft: ConfigDraft, origin: Origin, id: ConfigId, now: DateTime<Utc>) -> Self {
        Self {
            id,
            name: draft.name,
            title: draft.title,
            cloud_solution: draft.cloud_solution,
            authorization_server: draft.authorization_server,
            origin,
            revision: Revision::FIRST,
            created_at: now,
            updated_at: now,
            health: None,
            credentials: match draft.credentials {
                DraftCredentials::OAuth(c) => Credentials::OAuth(c),
                DraftCredentials::Jwt(c) => Credentials::Jwt(c),
            },
            console: ConsoleLink::default(),
            secret_uuid: None,
            secret_since: now,
        }
    }

    /// OAuth or JWT.
    pub fn auth_type(&self) -> AuthType {
        match self.credentials {
            Credentials::OAuth(_) => AuthType::OAuth,
            Credentials::Jwt(_) => AuthType::Jwt,
        }
    }

    /// Whether the console must show the "JWT Credentials (deprecated)" warning.
    pub fn is_deprecated(&self) -> bool {
        self.auth_type() == AuthType::Jwt
    }

    /// The credential's client id (a JWT credential's API key).
    pub fn client_id(&self) -> &ClientId {
        match &self.credentials {
            Credentials::OAuth(c) => &c.client_id,
            Credentials::Jwt(c) => &c.api_key,
        }
    }

    /// The credential's organization.
    pub fn org_id(&self) -> &OrgId {
        match &self.credentials {
            Credentials::OAuth(c) => &c.org_id,
            Credentials::Jwt(c) => &c.org_id,
        }
    }

    /// Whether an admin may migrate this configuration by hand, and if not, why.
    pub fn check_manual_migration(&self) -> Result<(), RuleError> {
        match (&self.credentials, self.origin) {
            (Credentials::OAuth(_), _) => Err(RuleError::NotJwt(AuthType::OAuth)),
            (Credentials::Jwt(_), Origin::AutoProvisioned) => Err(RuleError::AutoProvisioned),
            (Credentials::Jwt(_), Origin::Customer) => Ok(()),
        }
    }

    /// The OAuth fields a migration of this JWT configuration starts from.
    pub fn migration_prefill(&self) -> Option<OAuthFields> {
        match &self.credentials {
            Credentials::Jwt(jwt) => Some(OAuthFields {
                client_id: jwt.api_key.clone(),
                org_id: jwt.org_id.clone(),
                technical_account_id: jwt.technical_account_id.clone(),
                scopes: crate::metascopes::suggest(jwt.metascopes.iter()),
            }),
            Credentials::OAuth(_) => None,
        }
    }

    fn check_revision(&self, expected: Revision) -> Result<(), RuleError> {
        if expected == self.revision {
            Ok(())
        } else {
            Err(RuleError::StaleRevision {
                expected,
                current: self.revision,
            })
        }
    }

    /// Applies a change to an OAuth configuration read at revision `expected`.
    ///
    /// JWT configurations are read-only. A change to the credential clears the last health
    /// result, which described the old credential.
    pub fn update(
        &self,
        patch: OAuthPatch,
        expected: Revision,
        now: DateTime<Utc>,
    ) -> Result<Self, RuleError> {
        let Credentials::OAuth(current) = &self.credentials else {
            return Err(RuleError::JwtReadOnly);
        };
        self.check_revision(expected)?;
        let credential_changed = patch.client_id.is_some()
            || patch.client_secret.is_some()
            || patch.scopes.is_some()
            || patch.org_id.is_some()
            || patch.authorization_server.is_some();
        let secret_changed = patch.client_secret.is_some();
        let console = ConsoleLink {
            console_org_id: patch
                .console_org_id
                .unwrap_or_else(|| self.console.console_org_id.clone()),
            credential_id: patch
                .credential_id
                .unwrap_or_else(|| self.console.credential_id.clone()),
            rotate_every_days: patch
                .rotate_every_days
                .unwrap_or(self.console.rotate_every_days),
        };
        let credentials = OAuthCredentials {
            client_id: patch.client_id.unwrap_or_else(|| current.client_id.clone()),
            client_secret: patch
                .client_secret
                .unwrap_or_else(|| current.client_secret.clone()),
            scopes: patch.scopes.unwrap_or_else(|| current.scopes.clone()),
            org_id: patch.org_id.unwrap_or_else(|| current.org_id.clone()),
            technical_account_id: patch
                .technical_account_id
                .unwrap_or_else(|| current.technical_account_id.clone()),
        };
        Ok(Self {
            title: patch.title.unwrap_or_else(|| self.title.clone()),
            cloud_solution: patch
                .cloud_solution
                .unwrap_or_else(|| self.cloud_solution.clone()),
            authorization_server: patch
                .authorization_server
                .unwrap_or_else(|| self.authorization_server.clone()),
            revision: self.revision.next(),
            updated_at: now,
            health: if credential_changed {
                None
            } else {
                self.health.clone()
            },
            credentials: Credentials::OAuth(credentials),
            console,
            secret_uuid: if secret_changed {
                None
            } else {
                self.secret_uuid.clone()
            },
            secret_since: if secret_changed {
                now
            } else {
                self.secret_since
            },
            ..self.clone()
        })
    }

    /// Migrates a JWT configuration read at revision `expected` to OAuth.
    ///
    /// Keeps id, name, title, solution, origin and authorization server; the JWT private key
    /// and secret are dropped with the old credential. Auto-provisioned configurations are
    /// migrated only by the automatic job.
    pub fn migrate_to_oauth(
        &self,
        mut oauth: OAuthCredentials,
        expected: Revision,
        actor: MigrationActor,
        now: DateTime<Utc>,
    ) -> Result<Self, RuleError> {
        let Credentials::Jwt(jwt) = &self.credentials else {
            return Err(RuleError::NotJwt(self.auth_type()));
        };
        if self.origin == Origin::AutoProvisioned && actor == MigrationActor::Manual {
            return Err(RuleError::AutoProvisioned);
        }
        self.check_revision(expected)?;
        if oauth.technical_account_id.is_none() {
            oauth.technical_account_id = Some(jwt.technical_account_id.clone());
        }
        Ok(Self {
            revision: self.revision.next(),
            updated_at: now,
            health: None,
            credentials: Credentials::OAuth(oauth),
            secret_uuid: None,
            secret_since: now,
            ..self.clone()
        })
    }
}
