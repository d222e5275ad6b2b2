//! What the API shows of a configuration: every non-secret field, and of each secret only
//! whether it is set and its last four characters.

use chrono::{DateTime, Utc};
use imsbridge_domain::{
    AuthType, Credentials, Health, IntegrationConfig, OAuthFields, Revision, SecretString,
    secret_hint,
};
use serde::Serialize;
use utoipa::ToSchema;

/// The console's label for a configuration that still uses JWT.
pub const DEPRECATION_WARNING: &str = "JWT Credentials (deprecated)";

/// A configuration as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct IntegrationView {
    /// Stable id (kept by migration).
    #[schema(value_type = String, format = Uuid)]
    pub id: uuid::Uuid,
    /// Immutable unique name.
    pub name: String,
    /// Display title.
    pub title: String,
    /// The Adobe solution (`target`, `analytics`, …, or `other:<name>`).
    pub cloud_solution: String,
    /// The solution's label.
    pub cloud_solution_label: String,
    /// IMS base URL.
    pub authorization_server: String,
    /// `customer` or `auto-provisioned`.
    #[schema(example = "customer")]
    pub origin: String,
    /// `oauth` or `jwt`.
    #[schema(example = "oauth")]
    pub auth_type: String,
    /// Whether the configuration still uses the deprecated JWT credential.
    pub deprecated: bool,
    /// "JWT Credentials (deprecated)" for JWT configurations.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub warning: Option<&'static str>,
    /// The revision to send back in `If-Match` when changing it.
    #[schema(value_type = u64)]
    pub revision: Revision,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
    /// The last health check.
    pub health: Option<HealthView>,
    /// OAuth details (for OAuth configurations).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub oauth: Option<OAuthView>,
    /// JWT details (for JWT configurations; read-only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub jwt: Option<JwtView>,
    /// Whether an admin may migrate it by hand, and why not.
    pub migration: MigrationView,
}

/// A configuration's last health check.
#[derive(Debug, Serialize, ToSchema)]
pub struct HealthView {
    /// `healthy` or `unhealthy`.
    #[schema(example = "healthy")]
    pub status: String,
    /// When it ran.
    pub checked_at: DateTime<Utc>,
    /// "Token is retrieved successfully", or IMS's reason.
    pub message: String,
    /// IMS's error code.
    pub error_code: Option<String>,
    /// IMS's debug id.
    pub debug_id: Option<String>,
    /// Until when IMS throttles the configuration's client (a 429's `Retry-After` still
    /// running): token requests are answered 503 `too_many_requests` without asking IMS.
    pub throttled_until: Option<DateTime<Utc>>,
}

impl From<&Health> for HealthView {
    fn from(h: &Health) -> Self {
        Self {
            status: h.status.key().to_owned(),
            checked_at: h.checked_at,
            message: h.message.clone(),
            error_code: h.error_code.clone(),
            debug_id: h.debug_id.clone(),
            throttled_until: None,
        }
    }
}

impl HealthView {
    /// The last health check with IMS's throttling of the client added; a configuration
    /// never checked shows the 429 itself as its health.
    pub fn with_throttling(
        health: Option<Self>,
        throttling: Option<&imsbridge_ims::Throttling>,
    ) -> Option<Self> {
        let Some(t) = throttling else {
            return health;
        };
        let mut view = health.unwrap_or_else(|| {
            let error = imsbridge_ims::TokenError::Upstream {
                error: t.error.clone(),
                attempts: 1,
            };
            Self::from(&error.to_health(t.since))
        });
        view.throttled_until = Some(t.until);
        Some(view)
    }
}

/// Whether a secret is set, and its last four characters (long secrets only).
#[derive(Debug, Serialize, ToSchema)]
pub struct SecretView {
    /// Whether it is set.
    pub set: bool,
    /// Its last four characters, for secrets of at least twelve.
    pub last4: Option<String>,
}

impl SecretView {
    /// The view of a stored secret.
    pub fn of(secret: &SecretString) -> Self {
        Self {
            set: true,
            last4: secret_hint(secret),
        }
    }
}

/// OAuth Server-to-Server details.
#[derive(Debug, Serialize, ToSchema)]
pub struct OAuthView {
    /// Client id.
    pub client_id: String,
    /// The client secret: set or not, last four characters.
    pub client_secret: SecretView,
    /// Scopes.
    pub scopes: Vec<String>,
    /// Organization id.
    pub org_id: String,
    /// Technical account id.
    pub technical_account_id: Option<String>,
    /// The Developer Console's numeric organization id (for the I/O Management API).
    pub console_org_id: Option<String>,
    /// The Developer Console's numeric credential id (for the I/O Management API).
    pub credential_id: Option<String>,
    /// The rotation period in days, if the secret is rotated on a schedule.
    #[schema(value_type = Option<u16>)]
    pub rotate_every_days: Option<u16>,
    /// Adobe's uuid of the client secret held, when a rotation set it.
    pub secret_uuid: Option<String>,
    /// When the client secret held was set.
    pub secret_since: DateTime<Utc>,
    /// When the secret is next due for rotation, if a period is set.
    pub next_rotation_at: Option<DateTime<Utc>>,
}

/// JWT (Service Account) details.
#[derive(Debug, Serialize, ToSchema)]
pub struct JwtView {
    /// The API key (client id).
    pub client_id: String,
    /// The client secret: set or not, last four characters.
    pub client_secret: SecretView,
    /// Organization id.
    pub org_id: String,
    /// Technical account id.
    pub technical_account_id: String,
    /// Metascopes.
    pub metascopes: Vec<String>,
    /// The private key: set or not (never any of it).
    pub private_key: SecretView,
    /// The certificate bound to the credential.
    pub certificate: CertificateView,
}

/// A certificate's public facts.
#[derive(Debug, Serialize, ToSchema)]
pub struct CertificateView {
    /// SHA-256 fingerprint.
    pub fingerprint: String,
    /// Subject.
    pub subject: String,
    /// End of validity.
    pub not_after: DateTime<Utc>,
}

/// Whether a configuration can be migrated by hand.
#[derive(Debug, Serialize, ToSchema)]
pub struct MigrationView {
    /// Whether `POST …/migrate` is allowed.
    pub allowed: bool,
    /// Why not, when it is not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

impl From<&IntegrationConfig> for IntegrationView {
    fn from(c: &IntegrationConfig) -> Self {
        let (oauth, jwt) = match &c.credentials {
            Credentials::OAuth(o) => (
                Some(OAuthView {
                    client_id: o.client_id.to_string(),
                    client_secret: SecretView::of(&o.client_secret),
                    scopes: o.scopes.iter().map(str::to_owned).collect(),
                    org_id: o.org_id.to_string(),
                    technical_account_id: o.technical_account_id.as_ref().map(ToString::to_string),
                    console_org_id: c.console.console_org_id.as_ref().map(ToString::to_string),
                    credential_id: c.console.credential_id.as_ref().map(ToString::to_string),
                    rotate_every_days: c
                        .console
                        .rotate_every_days
                        .map(imsbridge_domain::RotateEveryDays::days),
                    secret_uuid: c.secret_uuid.as_ref().map(ToString::to_string),
                    secret_since: c.secret_since,
                    next_rotation_at: c.rotation_due_at(),
                }),
                None,
            ),
            Credentials::Jwt(j) => (
                None,
                Some(JwtView {
                    client_id: j.api_key.to_string(),
                    client_secret: SecretView::of(&j.client_secret),
                    org_id: j.org_id.to_string(),
                    technical_account_id: j.technical_account_id.to_string(),
                    metascopes: j.metascopes.iter().map(ToString::to_string).collect(),
                    // A private key's tail is no hint anyone needs; show only that it is set.
                    private_key: SecretView {
                        set: true,
                        last4: None,
                    },
                    certificate: CertificateView {
                        fingerprint: j.certificate.fingerprint().to_owned(),
                        subject: j.certificate.subject().to_owned(),
                        not_after: j.certificate.not_after(),
                    },
                }),
            ),
        };
        let migration = match c.check_manual_migration() {
            Ok(()) => MigrationView {
                allowed: true,
                reason: None,
            },
            Err(e) => MigrationView {
                allowed: false,
                reason: Some(e.to_string()),
            },
        };
        Self {
            id: c.id.as_uuid(),
            name: c.name.to_string(),
            title: c.title.to_string(),
            cloud_solution: c.cloud_solution.to_stored(),
            cloud_solution_label: c.cloud_solution.label().to_owned(),
            authorization_server: c.authorization_server.to_string(),
            origin: c.origin.key().to_owned(),
            auth_type: c.auth_type().key().to_owned(),
            deprecated: c.is_deprecated(),
            warning: c.is_deprecated().then_some(DEPRECATION_WARNING),
            revision: c.revision,
            created_at: c.created_at,
            updated_at: c.updated_at,
            health: c.health.as_ref().map(HealthView::from),
            oauth,
            jwt,
            migration,
        }
    }
}

/// The OAuth fields a migration form starts from.
#[derive(Debug, Serialize, ToSchema)]
pub struct MigrationPrefillView {
    /// The configuration's current revision, to send with the migration.
    #[schema(value_type = u64)]
    pub revision: Revision,
    /// The client id (the Developer Console keeps it on migration).
    pub client_id: String,
    /// The organization.
    pub org_id: String,
    /// The technical account, which migration keeps.
    pub technical_account_id: String,
    /// Scopes suggested from the JWT metascopes; check them against the Developer Console.
    pub scopes: Vec<String>,
}

impl MigrationPrefillView {
    /// The view of a prefill at a revision.
    pub fn new(revision: Revision, f: &OAuthFields) -> Self {
        Self {
            revision,
            client_id: f.client_id.to_string(),
            org_id: f.org_id.to_string(),
            technical_account_id: f.technical_account_id.to_string(),
            scopes: f.scopes.iter().map(str::to_owned).collect(),
        }
    }
}

/// A configuration in a list.
#[derive(Debug, serde::Serialize, ToSchema)]
pub struct IntegrationSummaryView {
    /// Stable id.
    #[schema(value_type = String, format = Uuid)]
    pub id: uuid::Uuid,
    /// Unique name.
    pub name: String,
    /// Display title.
    pub title: String,
    /// Solution key.
    pub cloud_solution: String,
    /// Solution label.
    pub cloud_solution_label: String,
    /// `oauth` or `jwt`.
    pub auth_type: String,
    /// Whether it still uses JWT.
    pub deprecated: bool,
    /// "JWT Credentials (deprecated)" for JWT configurations.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub warning: Option<&'static str>,
    /// `customer` or `auto-provisioned`.
    pub origin: String,
    /// Current revision.
    pub revision: u64,
    /// IMS base URL.
    pub authorization_server: String,
    /// Client id.
    pub client_id: String,
    /// Organization.
    pub org_id: String,
    /// The client secret: set, and its last four characters.
    pub client_secret: SecretView,
    /// The last health check.
    pub health: Option<HealthView>,
    /// Created.
    pub created_at: chrono::DateTime<chrono::Utc>,
    /// Last changed.
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

impl From<imsbridge_store::ConfigSummary> for IntegrationSummaryView {
    fn from(s: imsbridge_store::ConfigSummary) -> Self {
        let deprecated = s.auth_type == AuthType::Jwt;
        Self {
            id: s.id.as_uuid(),
            name: s.name.to_string(),
            title: s.title.to_string(),
            cloud_solution: s.cloud_solution.to_stored(),
            cloud_solution_label: s.cloud_solution.label().to_owned(),
            auth_type: s.auth_type.key().to_owned(),
            deprecated,
            warning: deprecated.then_some(DEPRECATION_WARNING),
            origin: s.origin.key().to_owned(),
            revision: s.revision.get(),
            authorization_server: s.authorization_server.to_string(),
            client_id: s.client_id.to_string(),
            org_id: s.org_id.to_string(),
            client_secret: SecretView {
                set: true,
                last4: s.client_secret_hint,
            },
            health: s.health.as_ref().map(HealthView::from),
            created_at: s.created_at,
            updated_at: s.updated_at,
        }
    }
}

/// A page of a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct PageView<T> {
    /// The items.
    pub items: Vec<T>,
    /// How many items match in all.
    pub total: u64,
    /// How many were skipped.
    pub offset: u64,
    /// The page size applied.
    pub limit: u32,
}

/// The OAuth fields found in a project JSON (secrets shown only by their last characters).
#[derive(Debug, serde::Serialize, ToSchema)]
pub struct ProjectJsonView {
    /// The project's title.
    pub project_title: Option<String>,
    /// Client id.
    pub client_id: String,
    /// How many client secrets the credential has, and the last four characters of the first.
    pub client_secret: SecretView,
    /// How many client secrets the credential has.
    pub client_secret_count: usize,
    /// Scopes.
    pub scopes: Vec<String>,
    /// Organization id.
    pub org_id: String,
    /// Technical account id.
    pub technical_account_id: Option<String>,
    /// The Developer Console's numeric organization id (`project.org.id`), when numeric.
    pub console_org_id: Option<String>,
    /// The Developer Console's numeric credential id, when numeric.
    pub credential_id: Option<String>,
}
