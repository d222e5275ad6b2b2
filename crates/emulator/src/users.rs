//! Users who sign in, and the OAuth Web App credentials they sign in to.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::model::{User, WebCredential};
use crate::secrets::ClientSecret;
use crate::state::{Store, clean_list};
use crate::{EmulatorError, ids};

/// Scopes a web credential may request when it is created without a list.
pub(crate) const DEFAULT_WEB_SCOPES: [&str; 8] = [
    "openid",
    "AdobeID",
    "email",
    "profile",
    "address",
    "offline_access",
    "read_organizations",
    "additional_info.roles",
];

/// A user as stored: the password only as a salted SHA-256 digest.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct UserRecord {
    pub(crate) user: User,
    salt: String,
    password_sha256: String,
}

fn digest(salt: &str, password: &str) -> String {
    hex::encode(Sha256::digest(format!("{salt}:{password}").as_bytes()))
}

/// An OAuth Web App credential as stored.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct WebRecord {
    pub(crate) id: String,
    pub(crate) project_id: String,
    pub(crate) client_id: String,
    pub(crate) secrets: Vec<ClientSecret>,
    pub(crate) redirect_uri_pattern: String,
    pub(crate) default_redirect_uri: String,
    pub(crate) scopes: Vec<String>,
    pub(crate) org_id: String,
    pub(crate) created_at: DateTime<Utc>,
}

impl WebRecord {
    pub(crate) fn credential(&self) -> WebCredential {
        WebCredential {
            id: self.id.clone(),
            project_id: self.project_id.clone(),
            client_id: self.client_id.clone(),
            client_secret: self
                .secrets
                .first()
                .map(|s| s.value.clone())
                .unwrap_or_default(),
            redirect_uri_pattern: self.redirect_uri_pattern.clone(),
            default_redirect_uri: self.default_redirect_uri.clone(),
            scopes: self.scopes.clone(),
            org_id: self.org_id.clone(),
        }
    }

    pub(crate) fn secret_mut(&mut self, value: &str) -> Option<&mut ClientSecret> {
        self.secrets.iter_mut().find(|s| s.value == value)
    }

    pub(crate) fn secret_matches(&self, value: &str) -> bool {
        self.secrets.iter().any(|s| s.value == value)
    }

    /// Whether a redirect URI matches the registered pattern in full.
    pub(crate) fn redirect_allowed(&self, uri: &str) -> bool {
        pattern_matches(&self.redirect_uri_pattern, uri)
    }

    /// The credential in the Developer Console's project download.
    pub(crate) fn project_json_entry(&self) -> serde_json::Value {
        serde_json::json!({
            "id": self.id,
            "name": "OAuth Web App",
            "integration_type": "oauthwebapp",
            "oauthwebapp": {
                "client_id": self.client_id,
                "client_secrets": self.secrets.iter().map(|s| s.value.as_str()).collect::<Vec<_>>(),
                "redirect_uri_pattern": self.redirect_uri_pattern,
                "default_redirect_uri": self.default_redirect_uri,
                "scopes": self.scopes,
            },
        })
    }
}

/// Adobe's redirect URI pattern: regular expressions (dots escaped, `.*` for "anything
/// after"), comma-separated, each matching the whole URI.
fn pattern_matches(pattern: &str, uri: &str) -> bool {
    pattern
        .split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .filter_map(|p| regex_lite::Regex::new(&format!("^(?:{p})$")).ok())
        .any(|re| re.is_match(uri))
}

fn check_pattern(pattern: &str) -> Result<(), EmulatorError> {
    let parts: Vec<&str> = pattern
        .split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    if parts.is_empty() {
        return Err(EmulatorError::InvalidInput(
            "redirect_uri_pattern is empty; give a regular expression such as https://app\\.example\\.com/auth/callback".into(),
        ));
    }
    for p in parts {
        regex_lite::Regex::new(p).map_err(|e| {
            EmulatorError::InvalidInput(format!(
                "redirect_uri_pattern {p} is not a regular expression ({e}); escape dots as \\."
            ))
        })?;
    }
    Ok(())
}

/// A redirect URI must be an absolute http(s) URL without a fragment.
pub(crate) fn check_redirect_uri(uri: &str) -> Result<(), String> {
    let url = url::Url::parse(uri).map_err(|e| format!("{uri} is not an absolute URL ({e})"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!("{uri} is not an http or https URL"));
    }
    if url.fragment().is_some() {
        return Err(format!(
            "{uri} has a fragment, which a redirect URI may not have"
        ));
    }
    Ok(())
}

impl Store {
    pub(crate) fn create_user(
        &self,
        org_id: &str,
        email: &str,
        name: &str,
        password: &str,
        groups: &[String],
    ) -> Result<User, EmulatorError> {
        let email = email.trim();
        if !email.contains('@') || email.starts_with('@') || email.ends_with('@') {
            return Err(EmulatorError::InvalidInput(format!(
                "email {email:?} is not an email address"
            )));
        }
        if password.is_empty() {
            return Err(EmulatorError::InvalidInput(
                "password is empty; give the user a password to sign in with".into(),
            ));
        }
        self.mutate(|d, _| {
            if !d.orgs.contains_key(org_id) {
                return Err(EmulatorError::not_found("organization", org_id));
            }
            if d.users
                .values()
                .any(|u| u.user.email.eq_ignore_ascii_case(email))
            {
                return Err(EmulatorError::Refused(format!(
                    "a user with email {email} already exists"
                )));
            }
            let name = match name.trim() {
                "" => email.split('@').next().unwrap_or(email).to_owned(),
                n => n.to_owned(),
            };
            let user = User {
                sub: ids::user_sub(),
                org_id: org_id.to_owned(),
                email: email.to_owned(),
                name,
                groups: clean_list(groups),
            };
            let salt = ids::secret_uuid();
            let password_sha256 = digest(&salt, password);
            d.users.insert(
                user.sub.clone(),
                UserRecord {
                    user: user.clone(),
                    salt,
                    password_sha256,
                },
            );
            Ok(user)
        })
    }

    /// The user with this email and password, if both are right.
    pub(crate) fn authenticate(&self, email: &str, password: &str) -> Option<User> {
        self.read(|d| {
            d.users
                .values()
                .find(|u| u.user.email.eq_ignore_ascii_case(email.trim()))
                .filter(|u| digest(&u.salt, password) == u.password_sha256)
                .map(|u| u.user.clone())
        })
    }

    pub(crate) fn user(&self, sub: &str) -> Option<User> {
        self.read(|d| d.users.get(sub).map(|u| u.user.clone()))
    }

    pub(crate) fn create_web_credential(
        &self,
        project_id: &str,
        redirect_uri_pattern: &str,
        default_redirect_uri: &str,
        scopes: Option<&[String]>,
    ) -> Result<WebCredential, EmulatorError> {
        check_pattern(redirect_uri_pattern)?;
        check_redirect_uri(default_redirect_uri)
            .map_err(|e| EmulatorError::InvalidInput(format!("default_redirect_uri: {e}")))?;
        if !pattern_matches(redirect_uri_pattern, default_redirect_uri) {
            return Err(EmulatorError::InvalidInput(format!(
                "default_redirect_uri {default_redirect_uri} does not match redirect_uri_pattern {redirect_uri_pattern}"
            )));
        }
        let scopes = match scopes {
            Some(s) => clean_list(s),
            None => DEFAULT_WEB_SCOPES.iter().map(|s| (*s).to_owned()).collect(),
        };
        if !scopes.iter().any(|s| s == "openid") {
            return Err(EmulatorError::InvalidInput(
                "a web credential's scopes must include openid".into(),
            ));
        }
        self.mutate(|d, now| {
            let project = d
                .projects
                .get(project_id)
                .ok_or_else(|| EmulatorError::not_found("project", project_id))?;
            let rec = WebRecord {
                id: ids::numeric_id(),
                project_id: project_id.to_owned(),
                client_id: ids::client_id(),
                secrets: vec![ClientSecret::new(ids::oauth_client_secret(), now)],
                redirect_uri_pattern: redirect_uri_pattern.trim().to_owned(),
                default_redirect_uri: default_redirect_uri.to_owned(),
                scopes,
                org_id: project.org_id.clone(),
                created_at: now,
            };
            let credential = rec.credential();
            d.web.insert(rec.client_id.clone(), rec);
            Ok(credential)
        })
    }
}
