//! The `[sso]` settings: which OpenID Connect provider people sign in with, the client
//! imsbridge is registered as there, how claims map to roles, and whether local passwords
//! still work.

use std::path::PathBuf;

use secrecy::{ExposeSecret as _, SecretString};
use serde::Deserialize;
use url::Url;

use super::roles::RoleMapping;

/// The `[sso]` section as written. Resolve it with [`SsoSettings::resolve`].
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SsoSettings {
    /// The issuer as the provider names it (`iss` of its ID tokens), such as
    /// `https://ims-na1.adobelogin.com`.
    pub issuer_url: Option<String>,
    /// Where the provider's discovery document is; by default
    /// `<issuer>/.well-known/openid-configuration`, then Adobe's
    /// `<issuer>/ims/.well-known/openid-configuration`.
    pub discovery_url: Option<String>,
    /// The client id of imsbridge's web credential at the provider.
    pub client_id: Option<String>,
    /// The client secret; only from the environment (`IMSBRIDGE_SSO__CLIENT_SECRET`).
    pub client_secret: Option<SecretString>,
    /// A file holding the client secret.
    pub client_secret_file: Option<PathBuf>,
    /// Scopes asked for; must include `openid`.
    #[serde(default = "default_scopes")]
    pub scopes: Vec<String>,
    /// The sign-in button's text, such as "Sign in with Adobe".
    pub label: Option<String>,
    /// The claim that lists a person's groups.
    #[serde(default = "default_groups_claim")]
    pub groups_claim: String,
    /// Groups whose members are admins.
    #[serde(default)]
    pub admin_groups: Vec<String>,
    /// Groups whose members are viewers.
    #[serde(default)]
    pub viewer_groups: Vec<String>,
    /// Email domains whose (verified) addresses are admins.
    #[serde(default)]
    pub admin_email_domains: Vec<String>,
    /// Email domains whose (verified) addresses are viewers.
    #[serde(default)]
    pub viewer_email_domains: Vec<String>,
    /// Whether local users may sign in with a password; when off, only break-glass users may.
    #[serde(default = "default_true")]
    pub allow_local_login: bool,
}

fn default_scopes() -> Vec<String> {
    ["openid", "email", "profile"].map(str::to_owned).to_vec()
}

fn default_groups_claim() -> String {
    "groups".to_owned()
}

fn default_true() -> bool {
    true
}

impl Default for SsoSettings {
    fn default() -> Self {
        Self {
            issuer_url: None,
            discovery_url: None,
            client_id: None,
            client_secret: None,
            client_secret_file: None,
            scopes: default_scopes(),
            label: None,
            groups_claim: default_groups_claim(),
            admin_groups: Vec::new(),
            viewer_groups: Vec::new(),
            admin_email_domains: Vec::new(),
            viewer_email_domains: Vec::new(),
            allow_local_login: true,
        }
    }
}

/// Checked single sign-on settings, with the client secret read. `Debug` hides the secret.
#[derive(Debug, Clone)]
pub struct SsoConfig {
    /// The issuer, exactly as ID tokens name it.
    pub issuer: String,
    /// Where discovery is looked for, in order.
    pub discovery_urls: Vec<Url>,
    /// Client id.
    pub client_id: String,
    /// Client secret.
    pub client_secret: SecretString,
    /// Scopes asked for (with `openid`).
    pub scopes: Vec<String>,
    /// The button's text; `None` uses the console's own words.
    pub label: Option<String>,
    /// How claims map to roles.
    pub roles: RoleMapping,
    /// Whether local users other than break-glass ones may sign in with a password.
    pub allow_local_login: bool,
}

/// Whether `url` may be used over plain HTTP: only on this machine (the emulator, tests).
fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

fn web_url(key: &str, raw: &str) -> Result<Url, String> {
    let url = Url::parse(raw.trim()).map_err(|e| {
        format!(
            "sso.{key} = {raw:?} is not a URL ({e}); use for example https://ims-na1.adobelogin.com"
        )
    })?;
    match url.scheme() {
        "https" => Ok(url),
        "http" if is_loopback(&url) => Ok(url),
        _ => Err(format!(
            "sso.{key} = {raw:?} must be an https URL (plain http only on localhost)"
        )),
    }
}

fn clean(list: &[String]) -> Vec<String> {
    list.iter()
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect()
}

impl SsoSettings {
    /// Checks the settings and reads the client secret, naming the key and the fix of
    /// anything wrong.
    pub fn resolve(&self) -> Result<SsoConfig, String> {
        let raw_issuer = self.issuer_url.as_deref().ok_or(
            "sso.issuer_url is missing; give the provider's issuer, such as https://ims-na1.adobelogin.com",
        )?;
        web_url("issuer_url", raw_issuer)?;
        let issuer = raw_issuer.trim().to_owned();
        let discovery_urls = if let Some(d) = &self.discovery_url {
            vec![web_url("discovery_url", d)?]
        } else {
            let base = issuer.trim_end_matches('/');
            [
                format!("{base}/.well-known/openid-configuration"),
                format!("{base}/ims/.well-known/openid-configuration"),
            ]
            .iter()
            .map(|u| Url::parse(u).map_err(|e| format!("sso.issuer_url: {e}")))
            .collect::<Result<_, _>>()?
        };
        let client_id = self
            .client_id
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .ok_or("sso.client_id is missing; give the client id of imsbridge's OAuth Web App credential")?
            .to_owned();
        let client_secret = match (&self.client_secret, &self.client_secret_file) {
            (Some(_), Some(_)) => {
                return Err("the SSO client secret is given twice, in IMSBRIDGE_SSO__CLIENT_SECRET and in sso.client_secret_file; keep one".into());
            }
            (None, None) => {
                return Err("the SSO client secret is missing; put it in a file named by sso.client_secret_file, or in the environment variable IMSBRIDGE_SSO__CLIENT_SECRET".into());
            }
            (Some(s), None) => s.expose_secret().trim().to_owned(),
            (None, Some(path)) => std::fs::read_to_string(path)
                .map_err(|e| {
                    format!(
                        "sso.client_secret_file {} cannot be read ({e}); check the path and its permissions",
                        path.display()
                    )
                })?
                .trim()
                .to_owned(),
        };
        if client_secret.is_empty() {
            return Err("the SSO client secret is empty; give the secret of imsbridge's OAuth Web App credential".into());
        }
        let scopes = clean(&self.scopes);
        if let Some(bad) = scopes.iter().find(|s| s.contains([' ', ','])) {
            return Err(format!(
                "sso.scopes: {bad:?} is several scopes in one; list each scope separately"
            ));
        }
        if !scopes.iter().any(|s| s == "openid") {
            return Err(format!(
                "sso.scopes = {:?} must include openid (for Adobe IMS: [\"openid\", \"AdobeID\", \"email\", \"profile\"])",
                self.scopes
            ));
        }
        let label = match self.label.as_deref().map(str::trim) {
            Some("") => {
                return Err("sso.label is empty; leave it out for the console's own words, or give the button's text such as \"Sign in with Adobe\"".into());
            }
            other => other.map(str::to_owned),
        };
        let roles = RoleMapping::new(
            &self.groups_claim,
            clean(&self.admin_groups),
            clean(&self.viewer_groups),
            &clean(&self.admin_email_domains),
            &clean(&self.viewer_email_domains),
        )?;
        Ok(SsoConfig {
            issuer,
            discovery_urls,
            client_id,
            client_secret: SecretString::from(client_secret),
            scopes,
            label,
            roles,
            allow_local_login: self.allow_local_login,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn good() -> SsoSettings {
        SsoSettings {
            issuer_url: Some("https://ims-na1.adobelogin.com".into()),
            client_id: Some("abc".into()),
            client_secret: Some(SecretString::from("s3cret")),
            admin_groups: vec!["admins".into()],
            ..SsoSettings::default()
        }
    }

    #[test]
    fn good_settings_resolve_with_adobes_discovery_as_the_fallback() {
        let c = good().resolve().unwrap();
        assert_eq!(c.issuer, "https://ims-na1.adobelogin.com");
        assert_eq!(
            c.discovery_urls.iter().map(Url::as_str).collect::<Vec<_>>(),
            [
                "https://ims-na1.adobelogin.com/.well-known/openid-configuration",
                "https://ims-na1.adobelogin.com/ims/.well-known/openid-configuration",
            ]
        );
        assert!(c.allow_local_login);
        assert!(!format!("{c:?}").contains("s3cret"));
    }

    #[test]
    fn bad_combinations_are_refused_naming_the_key() {
        type Change = fn(&mut SsoSettings);
        let cases: Vec<(Change, &str)> = vec![
            (|s| s.issuer_url = None, "sso.issuer_url"),
            (
                |s| s.issuer_url = Some("http://idp.example.com".into()),
                "https",
            ),
            (
                |s| s.issuer_url = Some("not a url".into()),
                "sso.issuer_url",
            ),
            (
                |s| s.discovery_url = Some("ftp://x".into()),
                "sso.discovery_url",
            ),
            (|s| s.client_id = Some(" ".into()), "sso.client_id"),
            (|s| s.client_secret = None, "IMSBRIDGE_SSO__CLIENT_SECRET"),
            (
                |s| s.client_secret_file = Some("/nonexistent/secret".into()),
                "twice",
            ),
            (|s| s.scopes = vec!["email".into()], "openid"),
            (|s| s.scopes = vec!["openid email".into()], "separately"),
            (|s| s.label = Some(String::new()), "sso.label"),
            (|s| s.admin_groups.clear(), "no one"),
            (|s| s.groups_claim = String::new(), "sso.groups_claim"),
            (
                |s| s.admin_email_domains = vec!["@example.com".into()],
                "admin_email_domains",
            ),
        ];
        for (change, expected) in cases {
            let mut s = good();
            change(&mut s);
            let err = s.resolve().unwrap_err();
            assert!(err.contains(expected), "{expected}: {err}");
        }
        let mut s = good();
        s.client_secret = None;
        s.client_secret_file = Some("/nonexistent/secret".into());
        let err = s.resolve().unwrap_err();
        assert!(err.contains("/nonexistent/secret"), "{err}");
    }

    #[test]
    fn the_secret_comes_from_its_file_trimmed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("secret");
        std::fs::write(&path, "from-file\n").unwrap();
        let mut s = good();
        s.client_secret = None;
        s.client_secret_file = Some(path);
        let c = s.resolve().unwrap();
        assert_eq!(c.client_secret.expose_secret(), "from-file");
    }
}
