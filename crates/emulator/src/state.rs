//! The emulator's in-memory state: Developer Console data (optionally persisted to a
//! file), issued tokens, counters and the request log.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::path::PathBuf;
use std::sync::Mutex;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::clock::Clock;
use crate::faults::{Endpoint, FaultTable};
use crate::model::{JwtCredential, OAuthCredential, Org, Project, scopes_for_metascopes};
use crate::{EmulatorError, ids, keys};

/// How long a JWT credential must be unused before a migrated one may be deleted.
const DELETE_GRACE: chrono::TimeDelta = chrono::TimeDelta::hours(24);
/// The Developer Console allows at most two secrets per OAuth credential.
const MAX_SECRETS: usize = 2;
/// Old entries fall off the request log so a long benchmark cannot exhaust memory.
const LOG_CAPACITY: usize = 100_000;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct OAuthRecord {
    pub(crate) credential: OAuthCredential,
    pub(crate) created_at: DateTime<Utc>,
    pub(crate) last_used: Option<DateTime<Utc>>,
    pub(crate) migrated_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct JwtRecord {
    /// The credential as handed out, with `private_key_pem` always empty.
    pub(crate) credential: JwtCredential,
    pub(crate) certificates: Vec<String>,
    pub(crate) created_at: DateTime<Utc>,
    pub(crate) last_used: Option<DateTime<Utc>>,
    pub(crate) migrated_at: Option<DateTime<Utc>>,
}

/// Everything the state file holds.
#[derive(Debug, Default, Serialize, Deserialize)]
pub(crate) struct ConsoleData {
    pub(crate) orgs: BTreeMap<String, Org>,
    pub(crate) projects: BTreeMap<String, Project>,
    /// By client id.
    pub(crate) oauth: BTreeMap<String, OAuthRecord>,
    /// By client id.
    pub(crate) jwt: BTreeMap<String, JwtRecord>,
}

/// An access token the emulator issued.
#[derive(Debug, Clone)]
pub(crate) struct IssuedToken {
    pub(crate) org_id: String,
    pub(crate) expires_at_ms: i64,
    pub(crate) invalidated: bool,
}

/// One request as the log keeps it: never a secret, never the query string.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoggedRequest {
    /// HTTP method.
    pub method: String,
    /// Path without the query string.
    pub path: String,
    /// The IMS endpoint, when the path is one.
    pub endpoint: Option<Endpoint>,
    /// The client id the request named, if any.
    pub client_id: Option<String>,
    /// Response status; `None` when the connection was reset on purpose.
    pub status: Option<u16>,
    /// The injected fault that answered, if one did.
    pub fault: Option<String>,
    /// When, by the emulator's clock.
    pub at: DateTime<Utc>,
}

#[derive(Debug, Default)]
pub(crate) struct Counters {
    pub(crate) by_endpoint: HashMap<Endpoint, u64>,
    pub(crate) by_client: HashMap<String, u64>,
    pub(crate) log: VecDeque<LoggedRequest>,
}

/// Shared state behind every handler.
pub(crate) struct Store {
    pub(crate) clock: Clock,
    pub(crate) data: Mutex<ConsoleData>,
    pub(crate) tokens: Mutex<HashMap<String, IssuedToken>>,
    pub(crate) counters: Mutex<Counters>,
    pub(crate) faults: Mutex<FaultTable>,
    pub(crate) base_url: String,
    state_file: Option<PathBuf>,
}

impl Store {
    pub(crate) fn new(
        clock: Clock,
        base_url: String,
        state_file: Option<PathBuf>,
    ) -> Result<Self, EmulatorError> {
        let data = match &state_file {
            Some(path) if path.exists() => serde_json::from_slice(&std::fs::read(path)?)?,
            _ => ConsoleData::default(),
        };
        Ok(Self {
            clock,
            data: Mutex::new(data),
            tokens: Mutex::new(HashMap::new()),
            counters: Mutex::new(Counters::default()),
            faults: Mutex::new(FaultTable::default()),
            base_url,
            state_file,
        })
    }

    /// Runs a change on the console data and saves the file when there is one.
    fn mutate<T>(
        &self,
        change: impl FnOnce(&mut ConsoleData, DateTime<Utc>) -> Result<T, EmulatorError>,
    ) -> Result<T, EmulatorError> {
        let now = self.clock.now();
        let mut data = self.data.lock().expect("state lock");
        let out = change(&mut data, now)?;
        if let Some(path) = &self.state_file {
            // Write then rename, so a crash never leaves half a state file behind.
            let tmp = path.with_extension("tmp");
            std::fs::write(&tmp, serde_json::to_vec_pretty(&*data)?)?;
            std::fs::rename(&tmp, path)?;
        }
        Ok(out)
    }

    pub(crate) fn read<T>(&self, f: impl FnOnce(&ConsoleData) -> T) -> T {
        f(&self.data.lock().expect("state lock"))
    }

    pub(crate) fn create_org(&self, name: &str) -> Result<Org, EmulatorError> {
        self.mutate(|d, _| {
            let org = Org {
                id: ids::org_id(),
                name: name.to_owned(),
            };
            d.orgs.insert(org.id.clone(), org.clone());
            Ok(org)
        })
    }

    pub(crate) fn create_project(
        &self,
        org_id: &str,
        name: &str,
        auto_generated: bool,
    ) -> Result<Project, EmulatorError> {
        self.mutate(|d, _| {
            if !d.orgs.contains_key(org_id) {
                return Err(EmulatorError::not_found("organization", org_id));
            }
            let name = if auto_generated || name.is_empty() {
                ids::auto_generated_project_name()
            } else {
                name.to_owned()
            };
            let project = Project {
                id: ids::numeric_id(),
                name,
                org_id: org_id.to_owned(),
                auto_generated,
            };
            d.projects.insert(project.id.clone(), project.clone());
            Ok(project)
        })
    }

    pub(crate) fn mark_auto_generated(&self, project_id: &str) -> Result<Project, EmulatorError> {
        self.mutate(|d, _| {
            let p = d
                .projects
                .get_mut(project_id)
                .ok_or_else(|| EmulatorError::not_found("project", project_id))?;
            if !p.auto_generated {
                p.auto_generated = true;
                p.name = ids::auto_generated_project_name();
            }
            Ok(p.clone())
        })
    }

    pub(crate) fn create_oauth_credential(
        &self,
        project_id: &str,
        scopes: &[String],
    ) -> Result<OAuthCredential, EmulatorError> {
        self.mutate(|d, now| {
            let project = d
                .projects
                .get(project_id)
                .ok_or_else(|| EmulatorError::not_found("project", project_id))?;
            let credential = OAuthCredential {
                id: ids::numeric_id(),
                project_id: project_id.to_owned(),
                client_id: ids::client_id(),
                client_secrets: vec![ids::oauth_client_secret()],
                scopes: clean_list(scopes),
                org_id: project.org_id.clone(),
                technical_account_id: ids::technical_account_id(),
                technical_account_email: ids::technical_account_email(),
            };
            d.oauth.insert(
                credential.client_id.clone(),
                OAuthRecord {
                    credential: credential.clone(),
                    created_at: now,
                    last_used: None,
                    migrated_at: None,
                },
            );
            Ok(credential)
        })
    }

    pub(crate) fn create_jwt_credential(
        &self,
        project_id: &str,
        metascopes: &[String],
        certificate_pem: Option<&str>,
    ) -> Result<JwtCredential, EmulatorError> {
        let metascopes = clean_list(metascopes);
        if metascopes.is_empty() {
            return Err(EmulatorError::InvalidInput(
                "a JWT credential needs at least one metascope".into(),
            ));
        }
        let technical_account_id = ids::technical_account_id();
        // Key generation is slow: do it before taking the lock.
        let (private_key_pem, certificate_pem) = match certificate_pem {
            Some(pem) => {
                keys::public_key_from_certificate(pem)?;
                (String::new(), pem.trim().to_owned() + "\n")
            }
            None => keys::generate_credential_keypair(&technical_account_id)?,
        };
        self.mutate(|d, now| {
            let project = d
                .projects
                .get(project_id)
                .ok_or_else(|| EmulatorError::not_found("project", project_id))?;
            let credential = JwtCredential {
                id: ids::numeric_id(),
                project_id: project_id.to_owned(),
                client_id: ids::client_id(),
                client_secret: ids::jwt_client_secret(),
                org_id: project.org_id.clone(),
                technical_account_id,
                technical_account_email: ids::technical_account_email(),
                metascopes,
                private_key_pem: String::new(),
                certificate_pem: certificate_pem.clone(),
            };
            d.jwt.insert(
                credential.client_id.clone(),
                JwtRecord {
                    credential: credential.clone(),
                    certificates: vec![certificate_pem],
                    created_at: now,
                    last_used: None,
                    migrated_at: None,
                },
            );
            Ok(JwtCredential {
                private_key_pem,
                ..credential
            })
        })
    }

    pub(crate) fn add_jwt_certificate(
        &self,
        client_id: &str,
        certificate_pem: &str,
    ) -> Result<(), EmulatorError> {
        keys::public_key_from_certificate(certificate_pem)?;
        self.mutate(|d, _| {
            let rec = d
                .jwt
                .get_mut(client_id)
                .ok_or_else(|| EmulatorError::not_found("JWT credential", client_id))?;
            rec.certificates
                .push(certificate_pem.trim().to_owned() + "\n");
            Ok(())
        })
    }

    pub(crate) fn migrate_jwt_credential(
        &self,
        client_id: &str,
    ) -> Result<OAuthCredential, EmulatorError> {
        self.mutate(|d, now| {
            let jwt = d
                .jwt
                .get_mut(client_id)
                .ok_or_else(|| EmulatorError::not_found("JWT credential", client_id))?;
            if jwt.migrated_at.is_some() || d.oauth.contains_key(client_id) {
                return Err(EmulatorError::Refused(format!(
                    "JWT credential {client_id} has already been migrated"
                )));
            }
            jwt.migrated_at = Some(now);
            let j = &jwt.credential;
            // Same IMS client: same id, secret, technical account; scopes from metascopes.
            let credential = OAuthCredential {
                id: ids::numeric_id(),
                project_id: j.project_id.clone(),
                client_id: j.client_id.clone(),
                client_secrets: vec![j.client_secret.clone()],
                scopes: scopes_for_metascopes(&j.metascopes),
                org_id: j.org_id.clone(),
                technical_account_id: j.technical_account_id.clone(),
                technical_account_email: j.technical_account_email.clone(),
            };
            d.oauth.insert(
                client_id.to_owned(),
                OAuthRecord {
                    credential: credential.clone(),
                    created_at: now,
                    last_used: None,
                    migrated_at: Some(now),
                },
            );
            Ok(credential)
        })
    }

    pub(crate) fn add_client_secret(&self, client_id: &str) -> Result<String, EmulatorError> {
        self.mutate(|d, _| {
            let rec = d
                .oauth
                .get_mut(client_id)
                .ok_or_else(|| EmulatorError::not_found("OAuth credential", client_id))?;
            if rec.credential.client_secrets.len() >= MAX_SECRETS {
                return Err(EmulatorError::Refused(
                    "an OAuth credential has at most two client secrets; remove one first".into(),
                ));
            }
            let secret = ids::oauth_client_secret();
            rec.credential.client_secrets.push(secret.clone());
            Ok(secret)
        })
    }

    pub(crate) fn remove_client_secret(
        &self,
        client_id: &str,
        secret: &str,
    ) -> Result<(), EmulatorError> {
        self.mutate(|d, _| {
            let rec = d
                .oauth
                .get_mut(client_id)
                .ok_or_else(|| EmulatorError::not_found("OAuth credential", client_id))?;
            let secrets = &mut rec.credential.client_secrets;
            let Some(pos) = secrets.iter().position(|s| s == secret) else {
                return Err(EmulatorError::not_found("client secret of", client_id));
            };
            if secrets.len() == 1 {
                return Err(EmulatorError::Refused(
                    "the last client secret cannot be removed; add another first".into(),
                ));
            }
            secrets.remove(pos);
            Ok(())
        })
    }

    pub(crate) fn delete_jwt_credential(&self, client_id: &str) -> Result<(), EmulatorError> {
        self.mutate(|d, now| {
            let jwt = d
                .jwt
                .get(client_id)
                .ok_or_else(|| EmulatorError::not_found("JWT credential", client_id))?;
            if let Some(migrated_at) = jwt.migrated_at {
                let oauth_used_since = d
                    .oauth
                    .get(client_id)
                    .and_then(|o| o.last_used)
                    .is_some_and(|used| used >= migrated_at);
                if !oauth_used_since {
                    return Err(EmulatorError::Refused(
                        "the OAuth credential has not been used since the migration; \
                         switch your application to it first"
                            .into(),
                    ));
                }
                let last_jwt_activity = jwt.last_used.map_or(migrated_at, |u| u.max(migrated_at));
                let allowed_at = last_jwt_activity + DELETE_GRACE;
                if now < allowed_at {
                    return Err(EmulatorError::Refused(format!(
                        "the JWT credential was used at {last_jwt_activity}; \
                         it can be deleted 24 hours later, from {allowed_at}"
                    )));
                }
            }
            d.jwt.remove(client_id);
            Ok(())
        })
    }

    pub(crate) fn project_json(
        &self,
        project_id: &str,
    ) -> Result<serde_json::Value, EmulatorError> {
        self.read(|d| {
            let p = d
                .projects
                .get(project_id)
                .ok_or_else(|| EmulatorError::not_found("project", project_id))?;
            let org = d.orgs.get(&p.org_id);
            let mut credentials = Vec::new();
            for rec in d.oauth.values().filter(|r| r.credential.project_id == p.id) {
                let c = &rec.credential;
                credentials.push(serde_json::json!({
                    "id": c.id,
                    "name": "OAuth Server-to-Server",
                    "integration_type": "oauth_server_to_server",
                    "oauth_server_to_server": {
                        "client_id": c.client_id,
                        "client_secrets": c.client_secrets,
                        "technical_account_email": c.technical_account_email,
                        "technical_account_id": c.technical_account_id,
                        "scopes": c.scopes,
                    },
                }));
            }
            for rec in d.jwt.values().filter(|r| r.credential.project_id == p.id) {
                let c = &rec.credential;
                credentials.push(serde_json::json!({
                    "id": c.id,
                    "name": "Service Account (JWT)",
                    "integration_type": "service",
                    "jwt": {
                        "client_id": c.client_id,
                        "client_secret": c.client_secret,
                        "techacct": c.technical_account_id,
                        "meta_scopes": c.metascopes,
                        "key": "",
                    },
                }));
            }
            Ok(serde_json::json!({
                "project": {
                    "id": p.id,
                    "name": p.name,
                    "title": p.name,
                    "org": {
                        "id": p.org_id.trim_end_matches("@AdobeOrg"),
                        "name": org.map_or("", |o| o.name.as_str()),
                        "ims_org_id": p.org_id,
                    },
                    "workspace": {
                        "id": format!("{}1", p.id),
                        "name": "Production",
                        "title": "",
                        "action_url": "",
                        "app_url": "",
                        "details": {
                            "credentials": credentials,
                            "services": [],
                            "runtime": {},
                        },
                    },
                },
            }))
        })
    }

    /// Records a request in the counters and the log.
    pub(crate) fn record(&self, entry: LoggedRequest, counts_for_client: bool) {
        let mut c = self.counters.lock().expect("counters lock");
        if let Some(endpoint) = entry.endpoint {
            *c.by_endpoint.entry(endpoint).or_default() += 1;
            if counts_for_client && let Some(id) = &entry.client_id {
                *c.by_client.entry(id.clone()).or_default() += 1;
            }
        }
        if c.log.len() >= LOG_CAPACITY {
            c.log.pop_front();
        }
        c.log.push_back(entry);
    }

    pub(crate) fn token_requests(&self, client_id: &str) -> u64 {
        let c = self.counters.lock().expect("counters lock");
        c.by_client.get(client_id).copied().unwrap_or(0)
    }

    pub(crate) fn total_requests(&self, endpoint: Endpoint) -> u64 {
        let c = self.counters.lock().expect("counters lock");
        if endpoint == Endpoint::Any {
            c.by_endpoint.values().sum()
        } else {
            c.by_endpoint.get(&endpoint).copied().unwrap_or(0)
        }
    }

    pub(crate) fn request_log(&self) -> Vec<LoggedRequest> {
        let c = self.counters.lock().expect("counters lock");
        c.log.iter().cloned().collect()
    }
}

/// Trims, drops empties and duplicates, keeps order.
fn clean_list(items: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for item in items {
        let item = item.trim();
        if !item.is_empty() && !out.iter().any(|o| o == item) {
            out.push(item.to_owned());
        }
    }
    out
}
