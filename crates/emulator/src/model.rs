//! What the Developer Console side hands out: organisations, projects and credentials.

use std::fmt;

use serde::{Deserialize, Serialize};

/// An IMS organisation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Org {
    /// `<24 uppercase hex>@AdobeOrg`.
    pub id: String,
    /// Display name.
    pub name: String,
    /// The Developer Console's numeric id of the organisation (`project.org.id` in a project
    /// download, `{orgId}` in I/O Management API paths).
    #[serde(default)]
    pub console_org_id: String,
}

/// A Developer Console project (its single "Production" workspace is implied).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Project {
    /// Numeric id, as a string.
    pub id: String,
    /// Name; `AEM-p12345-e678901` when the platform created it.
    pub name: String,
    /// The owning organisation.
    pub org_id: String,
    /// True when the platform created it for an AEM environment.
    pub auto_generated: bool,
    /// The owning organisation's numeric Developer Console id.
    #[serde(default)]
    pub console_org_id: String,
    /// Codes of the APIs added to the project (`AdobeIOManagementAPISDK`).
    #[serde(default)]
    pub services: Vec<String>,
}

/// An OAuth Server-to-Server credential.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OAuthCredential {
    /// Numeric credential id.
    pub id: String,
    /// The project it belongs to.
    pub project_id: String,
    /// 32 lowercase hex; equal to the JWT credential's when migrated.
    pub client_id: String,
    /// One or two secrets, each starting `p8e-` (a migrated one keeps the JWT secret).
    pub client_secrets: Vec<String>,
    /// Scopes the credential may request.
    pub scopes: Vec<String>,
    /// `…@AdobeOrg`.
    pub org_id: String,
    /// `<24 hex>@techacct.adobe.com`.
    pub technical_account_id: String,
    /// `<uuid>@techacct.adobe.com`.
    pub technical_account_email: String,
    /// The organisation's numeric Developer Console id: with `id`, the credential's address
    /// in the I/O Management API.
    #[serde(default)]
    pub console_org_id: String,
}

/// A Service Account (JWT) credential. `private_key_pem` is only ever filled in the
/// answer to the request that generated the key pair; it is empty when a certificate
/// was uploaded, and the emulator never stores it.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JwtCredential {
    /// Numeric credential id.
    pub id: String,
    /// The project it belongs to.
    pub project_id: String,
    /// 32 lowercase hex (the "API key").
    pub client_id: String,
    /// The client secret.
    pub client_secret: String,
    /// `…@AdobeOrg`.
    pub org_id: String,
    /// `<24 hex>@techacct.adobe.com`.
    pub technical_account_id: String,
    /// `<uuid>@techacct.adobe.com`.
    pub technical_account_email: String,
    /// Metascope codes such as `ent_aem_cloud_api`.
    pub metascopes: Vec<String>,
    /// PKCS#8 PEM of the generated RSA 2048 key; empty for uploaded certificates.
    pub private_key_pem: String,
    /// The (first) certificate bound to the credential.
    pub certificate_pem: String,
}

/// What the emulator shows of a client secret: never its value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientSecretInfo {
    /// 32 lowercase hex; names the secret in `DELETE …/secrets/{uuid}`.
    pub uuid: String,
    /// When it was added.
    pub created_at: chrono::DateTime<chrono::Utc>,
    /// The last time IMS accepted it, for any grant.
    pub last_used: Option<chrono::DateTime<chrono::Utc>>,
    /// The last use per grant type (`client_credentials`, `authorization_code`, …).
    pub usages: std::collections::BTreeMap<String, chrono::DateTime<chrono::Utc>>,
}

/// A person who signs in through `/ims/authorize/v2` (an Adobe ID in an organisation).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    /// IMS user id, `<24 HEX>@<24 hex>`: the `sub` of ID tokens and userinfo.
    pub sub: String,
    /// The organisation, `…@AdobeOrg`.
    pub org_id: String,
    /// Sign-in name; unique across the emulator (case-insensitive).
    pub email: String,
    /// Full name.
    pub name: String,
    /// Group names, given out as the `groups` claim.
    pub groups: Vec<String>,
}

/// An OAuth Web App credential: a confidential client of the authorization code flow.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebCredential {
    /// Numeric credential id.
    pub id: String,
    /// The project it belongs to.
    pub project_id: String,
    /// 32 lowercase hex.
    pub client_id: String,
    /// The client secret (`p8e-…`), shown here and in the project download only.
    pub client_secret: String,
    /// Regular expression(s), comma-separated, that a `redirect_uri` must match in full.
    pub redirect_uri_pattern: String,
    /// Where the code goes when the authorize request names no `redirect_uri`.
    pub default_redirect_uri: String,
    /// Scopes the client may request.
    pub scopes: Vec<String>,
    /// `…@AdobeOrg`.
    pub org_id: String,
}

impl fmt::Debug for WebCredential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebCredential")
            .field("id", &self.id)
            .field("client_id", &self.client_id)
            .field("client_secret", &"[redacted]")
            .field("redirect_uri_pattern", &self.redirect_uri_pattern)
            .field("default_redirect_uri", &self.default_redirect_uri)
            .field("scopes", &self.scopes)
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for OAuthCredential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OAuthCredential")
            .field("id", &self.id)
            .field("client_id", &self.client_id)
            .field("client_secrets", &"[redacted]")
            .field("scopes", &self.scopes)
            .field("org_id", &self.org_id)
            .field("console_org_id", &self.console_org_id)
            .field("technical_account_id", &self.technical_account_id)
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for JwtCredential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JwtCredential")
            .field("id", &self.id)
            .field("client_id", &self.client_id)
            .field("client_secret", &"[redacted]")
            .field("org_id", &self.org_id)
            .field("technical_account_id", &self.technical_account_id)
            .field("metascopes", &self.metascopes)
            .field("private_key_pem", &"[redacted]")
            .finish_non_exhaustive()
    }
}

/// Scopes the Developer Console gives the OAuth credential that replaces a JWT one.
///
/// Every migrated credential gets `openid`, `AdobeID` and `read_organizations`; each
/// metascope then adds the scopes of the table below (README "Migration table").
/// A metascope not in the table carries over under its own name, so nothing is lost.
pub fn scopes_for_metascopes(metascopes: &[String]) -> Vec<String> {
    let mut scopes: Vec<String> = ["openid", "AdobeID", "read_organizations"]
        .into_iter()
        .map(String::from)
        .collect();
    for meta in metascopes {
        let extra: &[&str] = match meta.as_str() {
            "ent_aem_cloud_api" => &["additional_info.projectedProductContext"],
            "ent_analytics_bulk_ingest_sdk" => &[
                "additional_info.projectedProductContext",
                "additional_info.job_function",
            ],
            "ent_reactor_admin_sdk" => &[
                "additional_info.projectedProductContext",
                "additional_info.roles",
                "additional_info.job_function",
            ],
            "ent_marketing_sdk" | "ent_reactor_sdk" => &[
                "additional_info.projectedProductContext",
                "additional_info.roles",
            ],
            "ent_campaign_sdk" => &["additional_info.projectedProductContext", "campaign_sdk"],
            "ent_user_sdk" => &["user_management_sdk"],
            "ent_adobeio_sdk" => &["adobeio_api"],
            "ent_cloudmgr_sdk" => &["additional_info.projectedProductContext", "cloudmgr_sdk"],
            "asset_compute_meta" => &["asset_compute", "event_receiver_api", "adobeio_api"],
            "ent_stock_sdk" => &["stock_sdk"],
            "ent_brand_portal_sdk" => &[
                "additional_info.projectedProductContext",
                "brand_portal_sdk",
            ],
            other => {
                push_unique(&mut scopes, other);
                &[]
            }
        };
        for s in extra {
            push_unique(&mut scopes, s);
        }
    }
    scopes
}

fn push_unique(scopes: &mut Vec<String>, scope: &str) {
    if !scopes.iter().any(|s| s == scope) {
        scopes.push(scope.to_owned());
    }
}
