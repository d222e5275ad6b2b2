//! Export and import of configurations, secrets optionally sealed under a passphrase.

use argon2::{Algorithm, Argon2, Params, Version};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use chrono::{DateTime, Utc};
use imsbridge_domain::{
    AuthType, AuthorizationServer, Certificate, ClientId, CloudSolution, ConfigDraft, ConfigId,
    Credentials, DraftCredentials, ExposeSecret, IntegrationConfig, JwtCredentials, Metascopes,
    Name, OAuthCredentials, OrgId, Origin, Revision, Scopes, SecretString, TechnicalAccountId,
    Title, secret_hint,
};
use rand::RngCore;
use secrecy::zeroize::Zeroizing;

use crate::audit::{AuditContext, AuditEntry};
use crate::keyring::{open_with, seal_with};
use crate::{Store, StoreError};

/// The `format` marker of an export document.
pub const EXPORT_FORMAT: &str = "imsbridge-export/1";

/// What a passphrase check seals, to tell a wrong passphrase from a damaged document.
const PASSPHRASE_CHECK: &[u8] = b"imsbridge export passphrase check";

/// A portable copy of configurations (`imsbridge config export`). Secrets are present only
/// when a passphrase was given, each sealed under a key derived from it.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct ExportDocument {
    /// Always [`EXPORT_FORMAT`].
    pub format: String,
    /// When the export was made.
    pub exported_at: DateTime<Utc>,
    /// How secrets are sealed, when the export has them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secrets: Option<ExportSecrets>,
    /// The configurations, ordered by title then name.
    pub configs: Vec<ExportedConfig>,
}

/// The passphrase key derivation of an export: Argon2id with these parameters and salt.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ExportSecrets {
    /// Always `argon2id`.
    pub kdf: String,
    /// Memory cost in KiB.
    pub m_cost: u32,
    /// Iterations.
    pub t_cost: u32,
    /// Parallelism.
    pub p_cost: u32,
    /// Base64 of the random salt.
    pub salt: String,
    /// A known value sealed under the derived key: a wrong passphrase is told apart from a
    /// damaged document.
    pub check: String,
    /// The cipher each secret is sealed with: `aes-256-gcm` (base64 of nonce ‖ ciphertext).
    pub cipher: String,
}

/// One configuration in an export.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct ExportedConfig {
    /// Id; kept on import when it is free.
    pub id: ConfigId,
    /// Unique name.
    pub name: Name,
    /// Display title.
    pub title: Title,
    /// The solution served (`target`, `other:<name>`, …).
    pub cloud_solution: CloudSolution,
    /// IMS base URL.
    pub authorization_server: AuthorizationServer,
    /// `customer` or `auto-provisioned`.
    pub origin: Origin,
    /// `oauth` or `jwt`.
    pub auth_type: AuthType,
    /// Revision at export time (informational; an import starts at 1).
    pub revision: Revision,
    /// Client id (JWT: the API key).
    pub client_id: ClientId,
    /// Organization.
    pub org_id: OrgId,
    /// OAuth scopes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scopes: Option<Scopes>,
    /// Technical account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub technical_account_id: Option<TechnicalAccountId>,
    /// JWT metascopes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metascopes: Option<Metascopes>,
    /// JWT certificate (PEM; public).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate: Option<String>,
    /// Last four characters of the client secret.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_secret_hint: Option<String>,
    /// The client secret, sealed under the passphrase key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<String>,
    /// The JWT private key, sealed under the passphrase key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub private_key: Option<String>,
}

/// What an import did.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct ImportReport {
    /// Configurations created.
    pub created: Vec<Name>,
    /// Configurations left alone because their name exists already.
    pub skipped: Vec<Name>,
    /// Configurations that could not be imported, and why.
    pub failed: Vec<ImportFailure>,
}

/// A configuration an import could not create.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct ImportFailure {
    /// Its name.
    pub name: Name,
    /// Why, in words a person can act on.
    pub reason: String,
}

/// The key sealing an export's secrets, derived from the passphrase.
struct PassphraseKey(Zeroizing<[u8; 32]>);

impl PassphraseKey {
    fn derive(passphrase: &SecretString, s: &ExportSecrets) -> Result<Self, StoreError> {
        if s.kdf != "argon2id" || s.cipher != "aes-256-gcm" {
            return Err(StoreError::Crypto(format!(
                "the export uses {} with {}, which this version cannot open",
                s.kdf, s.cipher
            )));
        }
        let salt = B64
            .decode(&s.salt)
            .map_err(|_| StoreError::Corrupt("the export's salt is not base64".into()))?;
        let params = Params::new(s.m_cost, s.t_cost, s.p_cost, Some(32))
            .map_err(|e| StoreError::Corrupt(format!("the export's key parameters: {e}")))?;
        let mut key = Zeroizing::new([0u8; 32]);
        Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
            .hash_password_into(passphrase.expose_secret().as_bytes(), &salt, key.as_mut())
            .map_err(|e| StoreError::Crypto(format!("passphrase key derivation failed: {e}")))?;
        Ok(Self(key))
    }

    fn seal(&self, context: &str, plain: &[u8]) -> Result<String, StoreError> {
        Ok(B64.encode(seal_with(&self.0, context.as_bytes(), plain)?))
    }

    fn open(&self, context: &str, sealed: &str) -> Result<SecretString, StoreError> {
        let bytes = B64
            .decode(sealed)
            .map_err(|_| StoreError::Corrupt(format!("{context} is not base64")))?;
        let plain = open_with(&self.0, context.as_bytes(), &bytes).map_err(|_| {
            StoreError::Crypto(format!(
                "{context} does not decrypt; the document was altered"
            ))
        })?;
        let text = std::str::from_utf8(&plain)
            .map_err(|_| StoreError::Crypto(format!("{context} is not UTF-8 text")))?;
        Ok(SecretString::from(text.to_owned()))
    }
}

/// Binds a sealed export secret to its configuration and field.
fn export_context(name: &Name, field: &str) -> String {
    format!("imsbridge-export/{name}/{field}")
}

impl Store {
    /// Exports every configuration. Without a passphrase the document holds no secret (only
    /// hints); with one, each secret is sealed with AES-256-GCM under an Argon2id key derived
    /// from it. Audited as `config.export`.
    pub async fn export(
        &self,
        passphrase: Option<&SecretString>,
        audit: &AuditContext,
    ) -> Result<ExportDocument, StoreError> {
        let configs = self.all_configs().await?;
        let sealing = match passphrase {
            None => None,
            Some(passphrase) => {
                let mut salt = [0u8; 16];
                rand::rngs::OsRng.fill_bytes(&mut salt);
                let mut secrets = ExportSecrets {
                    kdf: "argon2id".into(),
                    m_cost: Params::DEFAULT_M_COST,
                    t_cost: Params::DEFAULT_T_COST,
                    p_cost: Params::DEFAULT_P_COST,
                    salt: B64.encode(salt),
                    check: String::new(),
                    cipher: "aes-256-gcm".into(),
                };
                let key = PassphraseKey::derive(passphrase, &secrets)?;
                secrets.check = key.seal("imsbridge-export/check", PASSPHRASE_CHECK)?;
                Some((secrets, key))
            }
        };
        let mut exported = Vec::with_capacity(configs.len());
        for cfg in &configs {
            exported.push(export_one(cfg, sealing.as_ref().map(|(_, k)| k))?);
        }
        let doc = ExportDocument {
            format: EXPORT_FORMAT.into(),
            exported_at: self.now(),
            secrets: sealing.map(|(s, _)| s),
            configs: exported,
        };
        self.append_audit(
            audit,
            &AuditEntry {
                action: "config.export".into(),
                target_kind: "config".into(),
                target_name: None,
                target_id: None,
                details: serde_json::json!({
                    "configs": doc.configs.len(),
                    "with_secrets": doc.secrets.is_some(),
                }),
            },
        )
        .await?;
        Ok(doc)
    }

    /// Every configuration, secrets open, for an export in another format (`aem-osgi`,
    /// `aio`), audited as `config.export` with that format and whether the export writes the
    /// secrets' values.
    pub async fn export_configs(
        &self,
        format: &str,
        with_secrets: bool,
        audit: &AuditContext,
    ) -> Result<Vec<IntegrationConfig>, StoreError> {
        let configs = self.all_configs().await?;
        self.append_audit(
            audit,
            &AuditEntry {
                action: "config.export".into(),
                target_kind: "config".into(),
                target_name: None,
                target_id: None,
                details: serde_json::json!({
                    "configs": configs.len(),
                    "format": format,
                    "with_secrets": with_secrets,
                }),
            },
        )
        .await?;
        Ok(configs)
    }

    /// Imports an export: creates each configuration whose name is free (keeping its id when
    /// that is free too), skips names that exist, and reports the rest. Each configuration
    /// is created whole or not at all, and audited as `config.import`.
    ///
    /// A document with secrets needs its passphrase; a wrong one fails the whole import
    /// before anything is written. JWT configurations enter the store only this way.
    pub async fn import(
        &self,
        doc: &ExportDocument,
        passphrase: Option<&SecretString>,
        audit: &AuditContext,
    ) -> Result<ImportReport, StoreError> {
        if doc.format != EXPORT_FORMAT {
            return Err(StoreError::Corrupt(format!(
                "the document's format is {:?}; expected {EXPORT_FORMAT:?}",
                doc.format
            )));
        }
        let key = match (&doc.secrets, passphrase) {
            (Some(secrets), Some(passphrase)) => {
                let key = PassphraseKey::derive(passphrase, secrets)?;
                key.open("imsbridge-export/check", &secrets.check)
                    .map_err(|_| {
                        StoreError::Crypto("the passphrase is wrong; nothing was imported".into())
                    })?;
                Some(key)
            }
            (Some(_), None) => {
                return Err(StoreError::Crypto(
                    "the export holds secrets sealed with a passphrase; give the passphrase to import it".into(),
                ));
            }
            (None, _) => None,
        };
        let mut report = ImportReport::default();
        for item in &doc.configs {
            if self.get_config_summary(&item.name).await?.is_some() {
                report.skipped.push(item.name.clone());
                continue;
            }
            let draft = match import_draft(item, key.as_ref()) {
                Ok(draft) => draft,
                Err(reason) => {
                    report.failed.push(ImportFailure {
                        name: item.name.clone(),
                        reason,
                    });
                    continue;
                }
            };
            let id = if self.get_config_by_id_exists(item.id).await? {
                ConfigId::new()
            } else {
                item.id
            };
            let cfg = IntegrationConfig::import(draft, item.origin, id, self.clock.now());
            match self.insert_config_as(&cfg, audit, "config.import").await {
                Ok(()) => report.created.push(item.name.clone()),
                // Created by someone else since the check above.
                Err(StoreError::NameTaken(name)) => report.skipped.push(name),
                Err(e) => return Err(e),
            }
        }
        Ok(report)
    }

    async fn get_config_by_id_exists(&self, id: ConfigId) -> Result<bool, StoreError> {
        let n: i64 = crate::backend::with_backend!(&self.backend, pool => {
            sqlx::query_scalar("SELECT COUNT(*) FROM configs WHERE id = $1")
                .bind(id.as_uuid())
                .fetch_one(pool)
                .await?
        });
        Ok(n > 0)
    }
}

fn export_one(
    cfg: &IntegrationConfig,
    key: Option<&PassphraseKey>,
) -> Result<ExportedConfig, StoreError> {
    let seal = |field: &str, secret: &SecretString| -> Result<Option<String>, StoreError> {
        key.map(|k| {
            k.seal(
                &export_context(&cfg.name, field),
                secret.expose_secret().as_bytes(),
            )
        })
        .transpose()
    };
    let mut out = ExportedConfig {
        id: cfg.id,
        name: cfg.name.clone(),
        title: cfg.title.clone(),
        cloud_solution: cfg.cloud_solution.clone(),
        authorization_server: cfg.authorization_server.clone(),
        origin: cfg.origin,
        auth_type: cfg.auth_type(),
        revision: cfg.revision,
        client_id: cfg.client_id().clone(),
        org_id: cfg.org_id().clone(),
        scopes: None,
        technical_account_id: None,
        metascopes: None,
        certificate: None,
        client_secret_hint: None,
        client_secret: None,
        private_key: None,
    };
    match &cfg.credentials {
        Credentials::OAuth(o) => {
            out.scopes = Some(o.scopes.clone());
            out.technical_account_id.clone_from(&o.technical_account_id);
            out.client_secret_hint = secret_hint(&o.client_secret);
            out.client_secret = seal("client_secret", &o.client_secret)?;
        }
        Credentials::Jwt(j) => {
            out.technical_account_id = Some(j.technical_account_id.clone());
            out.metascopes = Some(j.metascopes.clone());
            out.certificate = Some(j.certificate.pem().to_owned());
            out.client_secret_hint = secret_hint(&j.client_secret);
            out.client_secret = seal("client_secret", &j.client_secret)?;
            out.private_key = seal("private_key", &j.private_key)?;
        }
    }
    Ok(out)
}

/// The draft an exported configuration becomes, or why it cannot be imported.
fn import_draft(item: &ExportedConfig, key: Option<&PassphraseKey>) -> Result<ConfigDraft, String> {
    let open = |field: &str, sealed: Option<&String>| -> Result<SecretString, String> {
        let (Some(key), Some(sealed)) = (key, sealed) else {
            return Err(format!(
                "the export holds no {field}; export again with a passphrase to include secrets"
            ));
        };
        key.open(&export_context(&item.name, field), sealed)
            .map_err(|e| e.to_string())
    };
    let client_secret = open("client_secret", item.client_secret.as_ref())?;
    let credentials = match item.auth_type {
        AuthType::OAuth => DraftCredentials::OAuth(OAuthCredentials {
            client_id: item.client_id.clone(),
            client_secret,
            scopes: item
                .scopes
                .clone()
                .ok_or("an OAuth configuration needs scopes")?,
            org_id: item.org_id.clone(),
            technical_account_id: item.technical_account_id.clone(),
        }),
        AuthType::Jwt => {
            let private_key = open("private_key", item.private_key.as_ref())?;
            JwtCredentials::check_private_key(&private_key).map_err(|e| e.to_string())?;
            DraftCredentials::Jwt(JwtCredentials {
                api_key: item.client_id.clone(),
                client_secret,
                org_id: item.org_id.clone(),
                technical_account_id: item
                    .technical_account_id
                    .clone()
                    .ok_or("a JWT configuration needs a technical account id")?,
                metascopes: item
                    .metascopes
                    .clone()
                    .ok_or("a JWT configuration needs metascopes")?,
                private_key,
                certificate: Certificate::parse_pem(
                    item.certificate
                        .as_deref()
                        .ok_or("a JWT configuration needs its certificate")?,
                )
                .map_err(|e| e.to_string())?,
            })
        }
    };
    Ok(ConfigDraft {
        name: item.name.clone(),
        title: item.title.clone(),
        cloud_solution: item.cloud_solution.clone(),
        authorization_server: item.authorization_server.clone(),
        credentials,
    })
}
