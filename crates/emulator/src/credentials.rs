//! The Developer Console's side of organisations, projects and credentials: creating them,
//! adding APIs to projects, migrating JWT credentials, and the project download.

use serde_json::json;

use crate::model::{JwtCredential, OAuthCredential, Org, Project, scopes_for_metascopes};
use crate::secrets::ClientSecret;
use crate::state::{ConsoleData, JwtRecord, OAuthRecord, Store, clean_list};
use crate::{EmulatorError, ids, keys};

/// How long a JWT credential must be unused before a migrated one may be deleted.
const DELETE_GRACE: chrono::TimeDelta = chrono::TimeDelta::hours(24);

/// The service code of the I/O Management API in the Developer Console.
pub const IO_MANAGEMENT_API: &str = "AdobeIOManagementAPISDK";

/// The scopes adding the I/O Management API to a project grants its OAuth credentials
/// (those Adobe's secret-rotation guide asks for).
pub const IO_MANAGEMENT_SCOPES: [&str; 8] = [
    "AdobeID",
    "openid",
    "read_organizations",
    "additional_info.projectedProductContext",
    "additional_info.roles",
    "adobeio_api",
    "read_client_secret",
    "manage_client_secrets",
];

/// The APIs a project can be given, with their display names and the scopes they grant.
fn service(code: &str) -> Option<(&'static str, &'static [&'static str])> {
    match code {
        IO_MANAGEMENT_API => Some(("I/O Management API", &IO_MANAGEMENT_SCOPES)),
        _ => None,
    }
}

/// Adds the scopes of the project's APIs to a credential's scopes.
fn with_service_scopes(d: &ConsoleData, project_id: &str, scopes: &mut Vec<String>) {
    let Some(project) = d.projects.get(project_id) else {
        return;
    };
    for code in &project.services {
        for s in service(code).map(|(_, s)| s).unwrap_or_default() {
            if !scopes.iter().any(|x| x == s) {
                scopes.push((*s).to_owned());
            }
        }
    }
}

impl Store {
    pub(crate) fn create_org(&self, name: &str) -> Result<Org, EmulatorError> {
        self.mutate(|d, _| {
            let org = Org {
                id: ids::org_id(),
                name: name.to_owned(),
                console_org_id: d.fresh_console_org_id(),
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
            let org = d
                .orgs
                .get(org_id)
                .ok_or_else(|| EmulatorError::not_found("organization", org_id))?;
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
                console_org_id: org.console_org_id.clone(),
                services: Vec::new(),
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

    /// Adds an API to a project; its scopes go to every OAuth Server-to-Server credential
    /// of the project, present and future.
    pub(crate) fn add_service(
        &self,
        project_id: &str,
        code: &str,
    ) -> Result<Project, EmulatorError> {
        let Some((_, scopes)) = service(code) else {
            return Err(EmulatorError::InvalidInput(format!(
                "unknown API code {code}; the emulator knows {IO_MANAGEMENT_API} (I/O Management API)"
            )));
        };
        self.mutate(|d, _| {
            let p = d
                .projects
                .get_mut(project_id)
                .ok_or_else(|| EmulatorError::not_found("project", project_id))?;
            if !p.services.iter().any(|s| s == code) {
                p.services.push(code.to_owned());
            }
            let project = p.clone();
            for rec in d.oauth.values_mut().filter(|r| r.project_id == project_id) {
                for s in scopes {
                    if !rec.scopes.iter().any(|x| x == s) {
                        rec.scopes.push((*s).to_owned());
                    }
                }
            }
            Ok(project)
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
            let mut scopes = clean_list(scopes);
            with_service_scopes(d, project_id, &mut scopes);
            let rec = OAuthRecord {
                id: ids::numeric_id(),
                project_id: project_id.to_owned(),
                client_id: ids::client_id(),
                secrets: vec![ClientSecret::new(ids::oauth_client_secret(), now)],
                scopes,
                org_id: project.org_id.clone(),
                technical_account_id: ids::technical_account_id(),
                technical_account_email: ids::technical_account_email(),
                created_at: now,
                last_used: None,
                migrated_at: None,
            };
            let credential = rec.credential(d);
            d.oauth.insert(rec.client_id.clone(), rec);
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
            let j = jwt.credential.clone();
            let mut scopes = scopes_for_metascopes(&j.metascopes);
            with_service_scopes(d, &j.project_id, &mut scopes);
            // Same IMS client: same id, secret, technical account; scopes from metascopes.
            let rec = OAuthRecord {
                id: ids::numeric_id(),
                project_id: j.project_id.clone(),
                client_id: j.client_id.clone(),
                secrets: vec![ClientSecret::new(j.client_secret.clone(), now)],
                scopes,
                org_id: j.org_id.clone(),
                technical_account_id: j.technical_account_id.clone(),
                technical_account_email: j.technical_account_email.clone(),
                created_at: now,
                last_used: None,
                migrated_at: Some(now),
            };
            let credential = rec.credential(d);
            d.oauth.insert(client_id.to_owned(), rec);
            Ok(credential)
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
            for rec in d.oauth.values().filter(|r| r.project_id == p.id) {
                let c = rec.credential(d);
                credentials.push(json!({
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
                credentials.push(json!({
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
            for rec in d.web.values().filter(|r| r.project_id == p.id) {
                credentials.push(rec.project_json_entry());
            }
            let services: Vec<serde_json::Value> = p
                .services
                .iter()
                .map(|code| json!({"code": code, "name": service(code).map_or("", |s| s.0)}))
                .collect();
            Ok(json!({
                "project": {
                    "id": p.id,
                    "name": p.name,
                    "title": p.name,
                    "org": {
                        "id": d.console_org_id(&p.org_id),
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
                            "services": services,
                            "runtime": {},
                        },
                    },
                },
            }))
        })
    }
}
