//! The pure heart of imsbridge: values that parse, integration configurations, and the rules
//! that govern them (JWT is read-only and can only be migrated; stale revisions lose).
//!
//! Nothing here performs I/O. Time comes in through [`Clock`].

mod certificate;
mod clock;
mod config;
mod console;
mod diff;
mod error;
mod ids;
mod rotation;
mod scopes;
mod text;

pub mod metascopes;

pub use certificate::Certificate;
pub use clock::{Clock, ManualClock, SystemClock};
pub use config::{
    AuthType, ConfigDraft, ConfigId, Credentials, DraftCredentials, FieldChange, Health,
    HealthStatus, IntegrationConfig, JwtCredentials, MigrationActor, OAuthCredentials, OAuthFields,
    OAuthPatch, Origin, Revision,
};
pub use console::{ConsoleLink, ConsoleOrgId, CredentialId, RotateEveryDays, SecretUuid};
pub use error::{ParseError, RuleError};
pub use ids::{AuthorizationServer, ClientId, OrgId, TechnicalAccountId, quoted};
pub use rotation::{DeleteOld, GraceHours, RotationState};
pub use scopes::{Metascope, Metascopes, Scopes};
pub use secrecy::{ExposeSecret, SecretString};
pub use text::{CloudSolution, Name, Title};

/// The authorization server used when none is given: Adobe IMS production (North America).
pub const DEFAULT_AUTHORIZATION_SERVER: &str = "https://ims-na1.adobelogin.com";

/// The last four characters of a secret, the only part of it ever shown again.
///
/// Secrets shorter than twelve characters show nothing, so that a hint never reveals a
/// meaningful share of the secret.
pub fn secret_hint(secret: &SecretString) -> Option<String> {
    let s = secret.expose_secret();
    let count = s.chars().count();
    (count >= 12).then(|| s.chars().skip(count - 4).collect())
}
