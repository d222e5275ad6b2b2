//! Client secrets: one list per credential, each secret with a uuid, its creation time and
//! the last time IMS accepted it per grant type. The Developer Console admin routes, the
//! I/O Management API and the token endpoints all work on this one model.

use std::collections::BTreeMap;
use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::model::ClientSecretInfo;
use crate::state::{OAuthRecord, Store};
use crate::{EmulatorError, ids};

/// The Developer Console allows at most two secrets per OAuth credential.
pub(crate) const MAX_SECRETS: usize = 2;

/// The grant type recorded when a JWT exchange presents a secret.
pub(crate) const JWT_BEARER: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";

/// One client secret as stored.
#[derive(Clone, Serialize, Deserialize)]
pub(crate) struct ClientSecret {
    pub(crate) uuid: String,
    pub(crate) value: String,
    pub(crate) created_at: DateTime<Utc>,
    /// Last acceptance per grant type.
    #[serde(default)]
    pub(crate) usages: BTreeMap<String, DateTime<Utc>>,
}

impl fmt::Debug for ClientSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientSecret")
            .field("uuid", &self.uuid)
            .field("value", &"[redacted]")
            .field("created_at", &self.created_at)
            .finish_non_exhaustive()
    }
}

impl ClientSecret {
    pub(crate) fn new(value: String, now: DateTime<Utc>) -> Self {
        Self {
            uuid: ids::secret_uuid(),
            value,
            created_at: now,
            usages: BTreeMap::new(),
        }
    }

    pub(crate) fn last_used(&self) -> Option<DateTime<Utc>> {
        self.usages.values().max().copied()
    }

    pub(crate) fn info(&self) -> ClientSecretInfo {
        ClientSecretInfo {
            uuid: self.uuid.clone(),
            created_at: self.created_at,
            last_used: self.last_used(),
            usages: self.usages.clone(),
        }
    }

    /// The secret as the I/O Management API lists it (Adobe's field names; times in
    /// milliseconds since the epoch, as strings). Never the value.
    pub(crate) fn adobe_json(&self) -> serde_json::Value {
        let usages: Vec<serde_json::Value> = self
            .usages
            .iter()
            .map(|(grant, at)| {
                json!({"last_used_at": at.timestamp_millis().to_string(), "grant_type": grant})
            })
            .collect();
        json!({
            "expires_at": "PERMANENT",
            "expires_at_str": "PERMANENT",
            "created_at": self.created_at.timestamp_millis().to_string(),
            "created_at_str": self.created_at.format("%a, %b %-d %Y %H:%M:%S%.3f UTC").to_string(),
            "uuid": self.uuid,
            "secret_usages": if usages.is_empty() { serde_json::Value::Null } else { json!(usages) },
        })
    }
}

/// How an OAuth credential is found: by client id (admin routes) or by its numeric ids
/// (the I/O Management API).
pub(crate) enum CredentialRef<'a> {
    ClientId(&'a str),
    Console { org: &'a str, credential: &'a str },
}

fn find<'d>(
    oauth: &'d mut BTreeMap<String, OAuthRecord>,
    orgs: &BTreeMap<String, crate::model::Org>,
    r: &CredentialRef<'_>,
) -> Result<&'d mut OAuthRecord, EmulatorError> {
    match r {
        CredentialRef::ClientId(id) => oauth
            .get_mut(*id)
            .ok_or_else(|| EmulatorError::not_found("OAuth credential", *id)),
        CredentialRef::Console { org, credential } => oauth
            .values_mut()
            .find(|rec| {
                rec.id == *credential
                    && orgs
                        .get(&rec.org_id)
                        .is_some_and(|o| o.console_org_id == *org)
            })
            .ok_or_else(|| {
                EmulatorError::not_found(
                    "OAuth Server-to-Server credential",
                    format!("{credential} in organization {org}"),
                )
            }),
    }
}

impl Store {
    /// Adds a secret; refused when the credential already has two.
    pub(crate) fn add_secret(&self, r: &CredentialRef<'_>) -> Result<ClientSecret, EmulatorError> {
        self.mutate(|d, now| {
            let rec = find(&mut d.oauth, &d.orgs, r)?;
            if rec.secrets.len() >= MAX_SECRETS {
                let held: Vec<String> = rec
                    .secrets
                    .iter()
                    .map(|s| {
                        let used = s
                            .last_used()
                            .map_or_else(|| "never used".to_owned(), |t| format!("last used {t}"));
                        format!("{} ({used})", s.uuid)
                    })
                    .collect();
                return Err(EmulatorError::Refused(format!(
                    "an OAuth credential has at most two client secrets and this one has {}; delete one first",
                    held.join(" and ")
                )));
            }
            let secret = ClientSecret::new(ids::oauth_client_secret(), now);
            rec.secrets.push(secret.clone());
            Ok(secret)
        })
    }

    /// Deletes a secret named by uuid or by value; the last one is never deleted.
    pub(crate) fn delete_secret(
        &self,
        r: &CredentialRef<'_>,
        matches: impl Fn(&ClientSecret) -> bool,
        what: &str,
    ) -> Result<(), EmulatorError> {
        self.mutate(|d, _| {
            let rec = find(&mut d.oauth, &d.orgs, r)?;
            let Some(pos) = rec.secrets.iter().position(matches) else {
                return Err(EmulatorError::not_found("client secret", what.to_owned()));
            };
            if rec.secrets.len() == 1 {
                return Err(EmulatorError::Refused(
                    "the last client secret cannot be deleted; add another first".into(),
                ));
            }
            rec.secrets.remove(pos);
            Ok(())
        })
    }

    /// The credential's client id and its secrets (with values: callers decide what to show).
    pub(crate) fn secrets_of(
        &self,
        r: &CredentialRef<'_>,
    ) -> Result<(String, Vec<ClientSecret>), EmulatorError> {
        let mut d = self.data.lock().expect("state lock");
        let d = &mut *d;
        let rec = find(&mut d.oauth, &d.orgs, r)?;
        Ok((rec.client_id.clone(), rec.secrets.clone()))
    }

    /// Notes that IMS accepted `secret` of `client_id` for `grant_type` (OAuth Server-to-Server
    /// and web credentials alike). Like every last-use time, it reaches the state file with
    /// the next change rather than on every token request.
    pub(crate) fn record_secret_use(&self, client_id: &str, secret: &str, grant_type: &str) {
        let now = self.clock.now();
        let mut d = self.data.lock().expect("state lock");
        if let Some(rec) = d.oauth.get_mut(client_id) {
            // The credential's own last use is its OAuth use: the 24-hour rule for deleting
            // a migrated JWT credential depends on it, so a JWT exchange does not count.
            if grant_type != JWT_BEARER {
                rec.last_used = Some(now);
            }
            if let Some(s) = rec.secret_mut(secret) {
                s.usages.insert(grant_type.to_owned(), now);
            }
        } else if let Some(rec) = d.web.get_mut(client_id)
            && let Some(s) = rec.secret_mut(secret)
        {
            s.usages.insert(grant_type.to_owned(), now);
        }
    }
}

/// An OAuth record as state files hold it: today's shape, or the older one whose secrets
/// were bare strings inside `credential`.
#[derive(Deserialize)]
#[serde(untagged)]
pub(crate) enum OAuthRecordFile {
    Current {
        id: String,
        project_id: String,
        client_id: String,
        secrets: Vec<ClientSecret>,
        scopes: Vec<String>,
        org_id: String,
        technical_account_id: String,
        technical_account_email: String,
        created_at: DateTime<Utc>,
        last_used: Option<DateTime<Utc>>,
        migrated_at: Option<DateTime<Utc>>,
    },
    Legacy {
        credential: LegacyCredential,
        created_at: DateTime<Utc>,
        last_used: Option<DateTime<Utc>>,
        migrated_at: Option<DateTime<Utc>>,
    },
}

#[derive(Deserialize)]
pub(crate) struct LegacyCredential {
    id: String,
    project_id: String,
    client_id: String,
    client_secrets: Vec<String>,
    scopes: Vec<String>,
    org_id: String,
    technical_account_id: String,
    technical_account_email: String,
}

impl From<OAuthRecordFile> for OAuthRecord {
    fn from(file: OAuthRecordFile) -> Self {
        match file {
            OAuthRecordFile::Current {
                id,
                project_id,
                client_id,
                secrets,
                scopes,
                org_id,
                technical_account_id,
                technical_account_email,
                created_at,
                last_used,
                migrated_at,
            } => Self {
                id,
                project_id,
                client_id,
                secrets,
                scopes,
                org_id,
                technical_account_id,
                technical_account_email,
                created_at,
                last_used,
                migrated_at,
            },
            OAuthRecordFile::Legacy {
                credential: c,
                created_at,
                last_used,
                migrated_at,
            } => Self {
                id: c.id,
                project_id: c.project_id,
                client_id: c.client_id,
                secrets: c
                    .client_secrets
                    .into_iter()
                    .map(|v| ClientSecret::new(v, created_at))
                    .collect(),
                scopes: c.scopes,
                org_id: c.org_id,
                technical_account_id: c.technical_account_id,
                technical_account_email: c.technical_account_email,
                created_at,
                last_used,
                migrated_at,
            },
        }
    }
}
