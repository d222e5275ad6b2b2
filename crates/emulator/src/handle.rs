//! The library handle of a running emulator: seeding, faults, counters, clock.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::faults::{Endpoint, Fault, FaultRule};
use crate::model::{
    ClientSecretInfo, JwtCredential, OAuthCredential, Org, Project, User, WebCredential,
};
use crate::secrets::{ClientSecret, CredentialRef};
use crate::state::{LoggedRequest, Store};
use crate::{EmulatorError, tokens};

/// A running emulator: seed it, fault it, read its counters, stop it.
/// Dropping it stops the server too (without waiting).
pub struct EmulatorHandle {
    pub(crate) base_url: String,
    pub(crate) store: Arc<Store>,
    pub(crate) stop: Option<oneshot::Sender<()>>,
    pub(crate) task: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for EmulatorHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmulatorHandle")
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}

impl Drop for EmulatorHandle {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        // Graceful shutdown waits for open keep-alive connections; never leak the task.
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

impl EmulatorHandle {
    /// `http://127.0.0.1:PORT`, without a trailing slash.
    pub fn base_url(&self) -> String {
        self.base_url.clone()
    }

    /// Stops accepting, lets in-flight requests finish, and waits for the server.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            // Keep-alive connections could hold graceful shutdown open; bound the wait.
            let abort = task.abort_handle();
            if tokio::time::timeout(Duration::from_secs(5), task)
                .await
                .is_err()
            {
                abort.abort();
            }
        }
    }

    /// Creates an organisation.
    pub fn create_org(&self, name: &str) -> Result<Org, EmulatorError> {
        self.store.create_org(name)
    }

    /// Creates a project; an auto-generated one gets an `AEM-p#####-e######` name.
    pub fn create_project(
        &self,
        org_id: &str,
        name: &str,
        auto_generated: bool,
    ) -> Result<Project, EmulatorError> {
        self.store.create_project(org_id, name, auto_generated)
    }

    /// Marks a project as created by the platform (renaming it `AEM-p#####-e######`).
    pub fn mark_project_auto_generated(&self, project_id: &str) -> Result<Project, EmulatorError> {
        self.store.mark_auto_generated(project_id)
    }

    /// Adds an OAuth Server-to-Server credential with one `p8e-` secret.
    pub fn create_oauth_credential(
        &self,
        project_id: &str,
        scopes: &[&str],
    ) -> Result<OAuthCredential, EmulatorError> {
        self.store
            .create_oauth_credential(project_id, &to_strings(scopes))
    }

    /// Adds a JWT credential with a freshly generated RSA 2048 key pair (blocking: the
    /// key generation takes a fraction of a second).
    pub fn create_jwt_credential(
        &self,
        project_id: &str,
        metascopes: &[&str],
    ) -> Result<JwtCredential, EmulatorError> {
        self.store
            .create_jwt_credential(project_id, &to_strings(metascopes), None)
    }

    /// Adds a JWT credential bound to an uploaded certificate (`private_key_pem` is empty).
    pub fn create_jwt_credential_with_certificate(
        &self,
        project_id: &str,
        metascopes: &[&str],
        certificate_pem: &str,
    ) -> Result<JwtCredential, EmulatorError> {
        self.store
            .create_jwt_credential(project_id, &to_strings(metascopes), Some(certificate_pem))
    }

    /// Binds another certificate to a JWT credential.
    pub fn add_jwt_certificate(
        &self,
        client_id: &str,
        certificate_pem: &str,
    ) -> Result<(), EmulatorError> {
        self.store.add_jwt_certificate(client_id, certificate_pem)
    }

    /// Migrates a JWT credential: an OAuth one with the same client id, secret and
    /// technical account, and scopes from [`crate::scopes_for_metascopes`].
    pub fn migrate_jwt_credential(
        &self,
        client_id: &str,
    ) -> Result<OAuthCredential, EmulatorError> {
        self.store.migrate_jwt_credential(client_id)
    }

    /// Adds a second client secret and returns its value; refused when there are already two.
    pub fn add_client_secret(&self, client_id: &str) -> Result<String, EmulatorError> {
        Ok(self
            .store
            .add_secret(&CredentialRef::ClientId(client_id))?
            .value)
    }

    /// Removes a client secret by its value; refused for the last one.
    pub fn remove_client_secret(&self, client_id: &str, secret: &str) -> Result<(), EmulatorError> {
        self.store.delete_secret(
            &CredentialRef::ClientId(client_id),
            |s| s.value == secret,
            "with that value",
        )
    }

    /// Removes a client secret by its uuid; refused for the last one.
    pub fn remove_client_secret_by_uuid(
        &self,
        client_id: &str,
        uuid: &str,
    ) -> Result<(), EmulatorError> {
        self.store.delete_secret(
            &CredentialRef::ClientId(client_id),
            |s| s.uuid == uuid,
            uuid,
        )
    }

    /// An OAuth credential's secrets as the I/O Management API lists them: uuid, creation
    /// and last use, never the value.
    pub fn client_secrets(&self, client_id: &str) -> Result<Vec<ClientSecretInfo>, EmulatorError> {
        let (_, secrets) = self.store.secrets_of(&CredentialRef::ClientId(client_id))?;
        Ok(secrets.iter().map(ClientSecret::info).collect())
    }

    /// Adds an API to a project, as the Developer Console's "Add API" does. The only code
    /// known is [`crate::IO_MANAGEMENT_API`], which grants the project's OAuth credentials
    /// [`crate::IO_MANAGEMENT_SCOPES`].
    pub fn add_api(&self, project_id: &str, code: &str) -> Result<Project, EmulatorError> {
        self.store.add_service(project_id, code)
    }

    /// Adds a user who can sign in through `/ims/authorize/v2`.
    pub fn create_user(
        &self,
        org_id: &str,
        email: &str,
        name: &str,
        password: &str,
        groups: &[&str],
    ) -> Result<User, EmulatorError> {
        self.store
            .create_user(org_id, email, name, password, &to_strings(groups))
    }

    /// Adds an OAuth Web App credential (the default scopes: `openid`, `AdobeID`, `email`,
    /// `profile`, `address`, `offline_access`, `read_organizations`, `additional_info.roles`).
    pub fn create_web_credential(
        &self,
        project_id: &str,
        redirect_uri_pattern: &str,
        default_redirect_uri: &str,
    ) -> Result<WebCredential, EmulatorError> {
        self.store.create_web_credential(
            project_id,
            redirect_uri_pattern,
            default_redirect_uri,
            None,
        )
    }

    /// Adds an OAuth Web App credential allowed exactly these scopes (which must include
    /// `openid`).
    pub fn create_web_credential_with_scopes(
        &self,
        project_id: &str,
        redirect_uri_pattern: &str,
        default_redirect_uri: &str,
        scopes: &[&str],
    ) -> Result<WebCredential, EmulatorError> {
        self.store.create_web_credential(
            project_id,
            redirect_uri_pattern,
            default_redirect_uri,
            Some(&to_strings(scopes)),
        )
    }

    /// Deletes a JWT credential; once migrated, only 24 h after its last use and after
    /// the OAuth credential has been used.
    pub fn delete_jwt_credential(&self, client_id: &str) -> Result<(), EmulatorError> {
        self.store.delete_jwt_credential(client_id)
    }

    /// The project as the Developer Console's "Download" JSON.
    pub fn project_json(&self, project_id: &str) -> Result<serde_json::Value, EmulatorError> {
        self.store.project_json(project_id)
    }

    /// Sets a fault until cleared (replacing one of the same kind on that endpoint).
    pub fn set_fault(&self, endpoint: Endpoint, fault: Fault) -> Result<(), EmulatorError> {
        self.store
            .faults
            .lock()
            .expect("faults lock")
            .set(FaultRule {
                endpoint,
                fault,
                remaining: None,
            })
    }

    /// Sets a fault for the next `times` requests to that endpoint only.
    pub fn set_fault_times(
        &self,
        endpoint: Endpoint,
        fault: Fault,
        times: u64,
    ) -> Result<(), EmulatorError> {
        self.store
            .faults
            .lock()
            .expect("faults lock")
            .set(FaultRule {
                endpoint,
                fault,
                remaining: Some(times),
            })
    }

    /// Removes every fault.
    pub fn clear_faults(&self) {
        self.store.faults.lock().expect("faults lock").clear();
    }

    /// Requests to the token and exchange endpoints naming this client id, failed or not
    /// (faulted ones included).
    pub fn token_requests(&self, client_id: &str) -> u64 {
        self.store.token_requests(client_id)
    }

    /// Requests to an endpoint; [`Endpoint::Any`] sums all IMS endpoints.
    pub fn total_requests(&self, endpoint: Endpoint) -> u64 {
        self.store.total_requests(endpoint)
    }

    /// The IMS requests seen so far, oldest first (the last 100 000).
    pub fn request_log(&self) -> Vec<LoggedRequest> {
        self.store.request_log()
    }

    /// Lifetime of the access tokens this emulator issues.
    pub fn token_lifetime(&self) -> Duration {
        Duration::from_millis(self.store.token_lifetime_ms.unsigned_abs())
    }

    /// Moves the emulator's clock forward.
    pub fn advance_clock(&self, by: Duration) {
        self.store.clock.advance(by);
    }

    /// The emulator's current time.
    pub fn now(&self) -> DateTime<Utc> {
        self.store.clock.now()
    }

    /// Whether an access token was issued here and is neither expired nor invalidated.
    pub fn is_token_valid(&self, token: &str) -> bool {
        tokens::check_access_token(&self.store, token).is_ok()
    }
}

fn to_strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}
