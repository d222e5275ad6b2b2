//! The bodies of the integration operations, and their one parser: a body becomes the
//! domain's types once, with every field error collected (zero-to-production's
//! `TryFrom<FormData>`). The JSON API deserializes these bodies; the console fills them from
//! its form.

use imsbridge_domain::{
    AuthType, AuthorizationServer, ClientId, CloudSolution, ConsoleLink, ConsoleOrgId,
    CredentialId, Credentials, ExposeSecret, IntegrationConfig, Name, OAuthCredentials, OAuthPatch,
    OrgId, Scopes, SecretString, TechnicalAccountId, Title,
};
use serde::Deserialize;
use serde::de::IgnoredAny;
use utoipa::ToSchema;

use super::console_fields::{id_patch, new_link, parse_days, present};
use crate::fields::{FieldError, FieldErrorKind, FieldErrors};
use crate::project_json::{self, ProjectOAuth};

/// A list of strings or one comma/space-separated string.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(untagged)]
pub enum StringList {
    /// `["a", "b"]`
    Many(Vec<String>),
    /// `"a,b"` or `"a b"`
    One(String),
}

impl StringList {
    fn is_blank(&self) -> bool {
        match self {
            Self::One(s) => s.trim().is_empty(),
            Self::Many(items) => items.iter().all(|s| s.trim().is_empty()),
        }
    }
}

/// The OAuth fields of a create request.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateIntegration {
    /// Unique name: lowercase letters, digits and '-'.
    #[schema(example = "target-production")]
    pub name: String,
    /// Display title (from the project JSON when absent there).
    #[schema(example = "Adobe Target (production)")]
    pub title: Option<String>,
    /// The solution: `target`, `analytics`, `launch`, `asset-compute`, `stock`,
    /// `brand-portal`, `campaign`, `automated-forms-conversion`, or `other:<name>`.
    #[schema(example = "target")]
    pub cloud_solution: String,
    /// IMS base URL (default `https://ims-na1.adobelogin.com`).
    pub authorization_server: Option<String>,
    /// `oauth` (the default). `jwt` is refused: JWT credentials are deprecated.
    #[schema(example = "oauth")]
    pub auth_type: Option<String>,
    /// Client id (or from `project_json`).
    pub client_id: Option<String>,
    /// Client secret (or from `project_json`). Never returned.
    #[schema(value_type = Option<String>, format = Password)]
    pub client_secret: Option<SecretString>,
    /// Scopes, a list or one comma-separated string (or from `project_json`).
    pub scopes: Option<StringList>,
    /// Organization id, `<24 hex>@AdobeOrg` (or from `project_json`).
    pub org_id: Option<String>,
    /// Technical account id (optional).
    pub technical_account_id: Option<String>,
    /// The Developer Console's numeric organization id, which the I/O Management API
    /// addresses (or from `project_json`'s `project.org.id`).
    #[schema(example = "1234567")]
    pub console_org_id: Option<String>,
    /// The Developer Console's numeric credential id (or from `project_json`).
    #[schema(example = "445566")]
    pub credential_id: Option<String>,
    /// Rotate the client secret every this many days (1 to 730); absent: never by schedule.
    #[schema(value_type = Option<u16>, minimum = 1, maximum = 730, example = 90)]
    pub rotate_every_days: Option<serde_json::Value>,
    /// A Developer Console project JSON; fills the OAuth fields not given.
    #[schema(value_type = Option<Object>)]
    pub project_json: Option<serde_json::Value>,
    /// Fetch a token with these details before saving, and refuse them with IMS's error if
    /// it fails (default true). `false` saves without verifying, audited as
    /// `config.create.unverified`; allowed only when `server.allow_unverified_migration` is on.
    pub verify: Option<bool>,
    /// JWT-only fields, accepted only to answer with the deprecation.
    #[serde(default)]
    #[schema(ignore)]
    pub private_key: Option<IgnoredAny>,
    /// See `private_key`.
    #[serde(default)]
    #[schema(ignore)]
    pub certificate: Option<IgnoredAny>,
    /// See `private_key`.
    #[serde(default)]
    #[schema(ignore)]
    pub metascopes: Option<IgnoredAny>,
    /// See `private_key`.
    #[serde(default)]
    #[schema(ignore)]
    pub api_key: Option<IgnoredAny>,
}

impl CreateIntegration {
    /// Whether the body carries any JWT-only field.
    pub fn has_jwt_fields(&self) -> bool {
        self.private_key.is_some()
            || self.certificate.is_some()
            || self.metascopes.is_some()
            || self.api_key.is_some()
    }
}

/// Changes to an OAuth configuration; absent fields keep their value.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateIntegration {
    /// New title.
    pub title: Option<String>,
    /// New solution.
    pub cloud_solution: Option<String>,
    /// New IMS base URL.
    pub authorization_server: Option<String>,
    /// Must be `oauth` if given; JWT configurations are read-only.
    pub auth_type: Option<String>,
    /// New client id.
    pub client_id: Option<String>,
    /// New client secret (the stored one is kept when absent). Never returned.
    #[schema(value_type = Option<String>, format = Password)]
    pub client_secret: Option<SecretString>,
    /// New scopes.
    pub scopes: Option<StringList>,
    /// New organization id.
    pub org_id: Option<String>,
    /// New technical account id; `null` clears it.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub technical_account_id: Option<Option<String>>,
    /// New Developer Console organization id (numeric); `null` clears it.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub console_org_id: Option<Option<String>>,
    /// New Developer Console credential id (numeric); `null` clears it.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub credential_id: Option<Option<String>>,
    /// New rotation period in days (1 to 730); `null` turns scheduled rotation off.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<u16>, minimum = 1, maximum = 730)]
    pub rotate_every_days: Option<serde_json::Value>,
    /// When the change touches the credential (IMS URL, client id, secret, scopes or org):
    /// fetch a token with the new details before saving (default true). `false` saves
    /// without verifying, audited as `config.update.unverified`; allowed only when
    /// `server.allow_unverified_migration` is on. Other changes are saved without asking IMS.
    pub verify: Option<bool>,
    /// JWT-only fields, accepted only to answer that JWT is read-only.
    #[serde(default)]
    #[schema(ignore)]
    pub private_key: Option<IgnoredAny>,
    /// See `private_key`.
    #[serde(default)]
    #[schema(ignore)]
    pub certificate: Option<IgnoredAny>,
    /// See `private_key`.
    #[serde(default)]
    #[schema(ignore)]
    pub metascopes: Option<IgnoredAny>,
}

impl UpdateIntegration {
    /// Whether the body carries any JWT-only field.
    pub fn has_jwt_fields(&self) -> bool {
        self.private_key.is_some() || self.certificate.is_some() || self.metascopes.is_some()
    }

    /// Whether it changes nothing (`verify` is how to save, not a change).
    pub fn is_empty(&self) -> bool {
        self.title.is_none()
            && self.cloud_solution.is_none()
            && self.authorization_server.is_none()
            && self.client_id.is_none()
            && self.client_secret.is_none()
            && self.scopes.is_none()
            && self.org_id.is_none()
            && self.technical_account_id.is_none()
            && self.console_org_id.is_none()
            && self.credential_id.is_none()
            && self.rotate_every_days.is_none()
    }

    /// The domain's patch, with every field error.
    pub fn parse(&self) -> Result<OAuthPatch, FieldErrors> {
        let mut errors = FieldErrors::new();
        let title = self.title.as_deref().and_then(|t| {
            required(&mut errors, "title", t, "give the configuration a title")
                .and_then(|t| errors.take(Title::parse(t)))
        });
        let cloud_solution = self
            .cloud_solution
            .as_deref()
            .and_then(|s| errors.take(CloudSolution::parse(s)));
        let authorization_server = self
            .authorization_server
            .as_deref()
            .and_then(|s| errors.take(AuthorizationServer::parse(s)));
        let client_id = self
            .client_id
            .as_deref()
            .and_then(|c| required(&mut errors, "client_id", c, CLIENT_ID_HINT))
            .and_then(|c| errors.take(ClientId::parse(c)));
        if let Some(secret) = &self.client_secret {
            errors.take(check_secret(secret));
        }
        let scopes = self.scopes.as_ref().and_then(|s| {
            if s.is_blank() {
                errors.push(FieldError::missing("scopes", SCOPES_HINT));
                None
            } else {
                errors.take(parse_scopes(s))
            }
        });
        let org_id = self
            .org_id
            .as_deref()
            .and_then(|o| required(&mut errors, "org_id", o, ORG_ID_HINT))
            .and_then(|o| errors.take(OrgId::parse(o)));
        let technical_account_id = self.technical_account_id.as_ref().map(|inner| {
            inner
                .as_deref()
                .filter(|s| !s.trim().is_empty())
                .and_then(|s| errors.take(TechnicalAccountId::parse(s)))
        });
        let console_org_id = id_patch(
            &mut errors,
            self.console_org_id.as_ref(),
            ConsoleOrgId::parse,
        );
        let credential_id = id_patch(
            &mut errors,
            self.credential_id.as_ref(),
            CredentialId::parse,
        );
        let rotate_every_days = self
            .rotate_every_days
            .as_ref()
            .map(|v| parse_days(&mut errors, v));
        errors.finish(|| OAuthPatch {
            console_org_id,
            credential_id,
            rotate_every_days,
            title,
            cloud_solution,
            authorization_server,
            client_id,
            client_secret: self.client_secret.clone(),
            scopes,
            org_id,
            technical_account_id,
        })
    }
}

/// Tells a JSON `null` (clear) from an absent field (keep).
#[allow(clippy::option_option)] // exactly the three states of a JSON merge patch field
fn double_option<'de, D>(d: D) -> Result<Option<Option<String>>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    Option::<String>::deserialize(d).map(Some)
}

/// The OAuth details a JWT configuration is migrated to.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MigrateIntegration {
    /// The revision you read (or send it in `If-Match`).
    pub revision: Option<u64>,
    /// Client id; defaults to the JWT credential's (the Developer Console keeps it).
    pub client_id: Option<String>,
    /// The new OAuth credential's client secret (or from `project_json`). Never returned.
    /// When absent, the JWT credential's client secret is used, which the Developer
    /// Console keeps when it migrates a credential; verification must then be on.
    #[schema(value_type = Option<String>, format = Password)]
    pub client_secret: Option<SecretString>,
    /// Scopes; default: the OAuth credential's in `project_json`, else suggested from the
    /// JWT metascopes.
    pub scopes: Option<StringList>,
    /// Organization id; defaults to the JWT configuration's.
    pub org_id: Option<String>,
    /// Technical account id; defaults to the JWT configuration's.
    pub technical_account_id: Option<String>,
    /// A Developer Console project JSON; fills the fields not given.
    #[schema(value_type = Option<Object>)]
    pub project_json: Option<serde_json::Value>,
    /// Fetch a token with the new details before committing (default true).
    pub verify: Option<bool>,
}

/// A Developer Console project JSON to read.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ParseProjectJson {
    /// The project JSON as downloaded from the Developer Console.
    #[schema(value_type = Object)]
    pub project_json: serde_json::Value,
    /// Chooses the credential when the project has several.
    pub client_id: Option<String>,
}

pub(crate) const CLIENT_ID_HINT: &str =
    "copy the Client ID from the credential's page in the Adobe Developer Console";
pub(crate) const SECRET_HINT: &str =
    "copy a Client Secret from the credential's page in the Adobe Developer Console";
pub(crate) const SCOPES_HINT: &str =
    "copy the scopes from the credential's page in the Adobe Developer Console";
pub(crate) const ORG_ID_HINT: &str = "it ends in @AdobeOrg; the Developer Console shows it";

/// `Some(value)` when it is not blank; otherwise records it as missing.
fn required<'a>(
    errors: &mut FieldErrors,
    field: &'static str,
    value: &'a str,
    hint: &str,
) -> Option<&'a str> {
    if value.trim().is_empty() {
        errors.push(FieldError::missing(field, hint));
        None
    } else {
        Some(value)
    }
}

/// Checks a client secret's shape without ever quoting it.
pub fn check_secret(secret: &SecretString) -> Result<(), FieldError> {
    let s = secret.expose_secret();
    let len = s.chars().count();
    if s.trim().is_empty() || len > 512 || s.chars().any(char::is_control) {
        return Err(FieldError::new(
            "client_secret",
            FieldErrorKind::Invalid,
            "client_secret: must be 1 to 512 printable characters; copy it from the credential's page in the Adobe Developer Console",
        )
        .arg("max", 512));
    }
    Ok(())
}

fn parse_scopes(list: &StringList) -> Result<Scopes, imsbridge_domain::ParseError> {
    match list {
        StringList::One(s) => Scopes::parse(s),
        StringList::Many(items) => Scopes::from_items(items.iter().map(String::as_str)),
    }
}

/// Refuses JWT by its `auth_type` or its fields.
pub(crate) fn refuses_jwt(
    errors: &mut FieldErrors,
    auth_type: Option<&str>,
    jwt_fields: bool,
) -> bool {
    let auth_type = auth_type.and_then(|a| errors.take(AuthType::parse(a)));
    auth_type == Some(AuthType::Jwt) || jwt_fields
}

/// The OAuth fields of a request, each from the body, else the project JSON, else a default.
pub(crate) struct OAuthInput<'a> {
    pub client_id: Option<&'a str>,
    pub client_secret: Option<&'a SecretString>,
    pub scopes: Option<&'a StringList>,
    pub org_id: Option<&'a str>,
    pub technical_account_id: Option<&'a str>,
    pub project_json: Option<&'a serde_json::Value>,
}

/// Defaults for fields a request leaves out (a migration's prefill).
#[derive(Default)]
pub(crate) struct OAuthDefaults {
    pub client_id: Option<ClientId>,
    pub scopes: Option<Scopes>,
    pub org_id: Option<OrgId>,
    pub technical_account_id: Option<TechnicalAccountId>,
    /// For a migration: the JWT credential's client secret. The Developer Console keeps it
    /// when it migrates a credential, so an admin need not copy it again.
    pub client_secret: Option<SecretString>,
}

/// The client secret of a JWT configuration, which its migrated OAuth credential keeps.
pub fn jwt_client_secret(config: &IntegrationConfig) -> Option<SecretString> {
    match &config.credentials {
        Credentials::Jwt(jwt) => Some(jwt.client_secret.clone()),
        Credentials::OAuth(_) => None,
    }
}

/// Reads a project JSON, recording its problem against `project_json`.
pub(crate) fn parse_project(
    errors: &mut FieldErrors,
    project_json: Option<&serde_json::Value>,
    client_id: Option<&ClientId>,
) -> Option<ProjectOAuth> {
    let json = project_json?;
    match project_json::parse(json, client_id) {
        Ok(p) => Some(p),
        Err(e) => {
            errors.push(
                FieldError::new("project_json", FieldErrorKind::Invalid, e.to_string())
                    .arg("problem", &e.0),
            );
            None
        }
    }
}

/// The OAuth credential of a request, with every field error recorded.
pub(crate) fn oauth_from_input(
    errors: &mut FieldErrors,
    input: &OAuthInput<'_>,
    defaults: OAuthDefaults,
) -> Option<(OAuthCredentials, Option<ProjectOAuth>)> {
    let client_id = input
        .client_id
        .and_then(|c| required(errors, "client_id", c, CLIENT_ID_HINT))
        .and_then(|c| errors.take(ClientId::parse(c)));
    let client_id_blank = input.client_id.is_some() && client_id.is_none();
    let project = parse_project(
        errors,
        input.project_json,
        client_id.as_ref().or(defaults.client_id.as_ref()),
    );
    let p = project.as_ref();
    let client_id = client_id
        .or_else(|| p.map(|p| p.client_id.clone()))
        .or(defaults.client_id);
    if client_id.is_none() && !client_id_blank {
        errors.push(FieldError::missing("client_id", CLIENT_ID_HINT));
    }
    let client_secret = input
        .client_secret
        .cloned()
        .or_else(|| p.and_then(|p| p.client_secrets.first().cloned()))
        .or(defaults.client_secret);
    match &client_secret {
        Some(secret) => {
            errors.take(check_secret(secret));
        }
        None => errors.push(FieldError::missing("client_secret", SECRET_HINT)),
    }
    let scopes = match input.scopes {
        Some(list) if list.is_blank() => {
            errors.push(FieldError::missing("scopes", SCOPES_HINT));
            None
        }
        Some(list) => errors.take(parse_scopes(list)),
        None => {
            let s = p.map(|p| p.scopes.clone()).or(defaults.scopes);
            if s.is_none() {
                errors.push(FieldError::missing("scopes", SCOPES_HINT));
            }
            s
        }
    };
    let org_id = if let Some(o) = input.org_id {
        required(errors, "org_id", o, ORG_ID_HINT).and_then(|o| errors.take(OrgId::parse(o)))
    } else {
        let o = p.map(|p| p.org_id.clone()).or(defaults.org_id);
        if o.is_none() {
            errors.push(FieldError::missing("org_id", ORG_ID_HINT));
        }
        o
    };
    let technical_account_id = match input.technical_account_id.filter(|s| !s.trim().is_empty()) {
        Some(t) => errors.take(TechnicalAccountId::parse(t)),
        None => p
            .and_then(|p| p.technical_account_id.clone())
            .or(defaults.technical_account_id),
    };
    Some((
        OAuthCredentials {
            client_id: client_id?,
            client_secret: client_secret?,
            scopes: scopes?,
            org_id: org_id?,
            technical_account_id,
        },
        project,
    ))
}

/// A parsed create request.
pub(crate) struct NewIntegration {
    pub name: Name,
    pub title: Title,
    pub cloud_solution: CloudSolution,
    pub authorization_server: AuthorizationServer,
    pub oauth: OAuthCredentials,
    pub console: ConsoleLink,
}

impl TryFrom<&CreateIntegration> for NewIntegration {
    type Error = FieldErrors;

    fn try_from(body: &CreateIntegration) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let name = required(
            &mut errors,
            "name",
            &body.name,
            "give the configuration a short name such as the integration's id",
        )
        .and_then(|n| errors.take(Name::parse(n)));
        let explicit_title = body.title.as_deref().and_then(|t| {
            required(&mut errors, "title", t, "give the configuration a title")
                .and_then(|t| errors.take(Title::parse(t)))
        });
        let title_given = body.title.is_some();
        let cloud_solution = required(
            &mut errors,
            "cloud_solution",
            &body.cloud_solution,
            "choose the Adobe solution the configuration is for",
        )
        .and_then(|s| errors.take(CloudSolution::parse(s)));
        let authorization_server = match body.authorization_server.as_deref() {
            Some(s) if !s.trim().is_empty() => errors.take(AuthorizationServer::parse(s)),
            _ => Some(AuthorizationServer::default()),
        };
        let oauth = oauth_from_input(
            &mut errors,
            &OAuthInput {
                client_id: body.client_id.as_deref(),
                client_secret: body.client_secret.as_ref(),
                scopes: body.scopes.as_ref(),
                org_id: body.org_id.as_deref(),
                technical_account_id: body.technical_account_id.as_deref(),
                project_json: body.project_json.as_ref(),
            },
            OAuthDefaults::default(),
        );
        let (oauth, project) = match oauth {
            Some((o, p)) => (Some(o), p),
            None => (None, None),
        };
        let console = new_link(
            &mut errors,
            body.console_org_id.as_deref(),
            body.credential_id.as_deref(),
            body.rotate_every_days.as_ref(),
            project.as_ref(),
        );
        let title = explicit_title.or_else(|| {
            if title_given {
                return None;
            }
            let from_project = project
                .and_then(|p| p.project_title)
                .and_then(|t| Title::parse(&t).ok());
            if from_project.is_none() {
                errors.push(FieldError::missing(
                    "title",
                    "give the configuration a title",
                ));
            }
            from_project
        });
        match (name, title, cloud_solution, authorization_server, oauth) {
            (
                Some(name),
                Some(title),
                Some(cloud_solution),
                Some(authorization_server),
                Some(oauth),
            ) if errors.is_empty() => Ok(Self {
                name,
                title,
                cloud_solution,
                authorization_server,
                oauth,
                console,
            }),
            _ => Err(errors),
        }
    }
}
