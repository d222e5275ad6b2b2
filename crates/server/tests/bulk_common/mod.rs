//! Shared by the bulk migration tests and the benchmarks (whose stores come from the test
//! kit's `TestData`): an emulated Adobe organisation whose JWT
//! credentials share one key pair, so that thousands can be made without key generation.

#![allow(dead_code)]

use std::sync::Arc;

use imsbridge_domain::{
    AuthorizationServer, Certificate, ClientId, CloudSolution, ConfigDraft, ConfigId,
    DraftCredentials, IntegrationConfig, JwtCredentials, Metascopes, Name, OrgId, Origin,
    SecretString, SystemClock, TechnicalAccountId, Title,
};
use imsbridge_emulator::{Emulator, EmulatorHandle, JwtCredential};
use imsbridge_ims::{ImsClient, ProviderOptions, TokenProvider};
use imsbridge_store::{AuditContext, Store};

/// The metascope whose suggested scopes (domain table) and migrated scopes (emulator table)
/// agree, so verification of a suggested plan succeeds.
pub const METASCOPE: &str = "ent_analytics_bulk_ingest_sdk";

/// A token provider talking to the emulator with default options.
pub fn provider() -> TokenProvider {
    TokenProvider::new(
        ImsClient::with_defaults().unwrap(),
        Arc::new(SystemClock),
        ProviderOptions::default(),
    )
}

/// An emulated organisation with a customer project and an auto-generated one.
pub struct Estate {
    pub ims: EmulatorHandle,
    pub project_id: String,
    pub auto_project_id: String,
    key_pem: String,
    cert_pem: String,
}

impl Estate {
    pub async fn start() -> Self {
        let ims = Emulator::spawn().await.unwrap();
        let org = ims.create_org("Bulk Org").unwrap();
        let project = ims.create_project(&org.id, "Customer", false).unwrap();
        let auto = ims.create_project(&org.id, "", true).unwrap();
        // The one key generation; every other credential is bound to this certificate.
        let first = ims
            .create_jwt_credential(&project.id, &[METASCOPE])
            .unwrap();
        Self {
            ims,
            project_id: project.id,
            auto_project_id: auto.id,
            key_pem: first.private_key_pem,
            cert_pem: first.certificate_pem,
        }
    }

    /// A new JWT credential in the customer (or auto-generated) project, sharing the key.
    pub fn jwt_credential(&self, auto: bool) -> JwtCredential {
        let project = if auto {
            &self.auto_project_id
        } else {
            &self.project_id
        };
        self.ims
            .create_jwt_credential_with_certificate(project, &[METASCOPE], &self.cert_pem)
            .unwrap()
    }

    /// The JWT configuration for `credential`, as an AEM export would bring it in.
    pub fn config(
        &self,
        name: &str,
        credential: &JwtCredential,
        origin: Origin,
    ) -> IntegrationConfig {
        let draft = ConfigDraft {
            name: Name::parse(name).unwrap(),
            title: Title::parse(&format!("Analytics {name}")).unwrap(),
            cloud_solution: CloudSolution::Analytics,
            authorization_server: AuthorizationServer::parse(&self.ims.base_url()).unwrap(),
            credentials: DraftCredentials::Jwt(JwtCredentials {
                api_key: ClientId::parse(&credential.client_id).unwrap(),
                client_secret: SecretString::from(credential.client_secret.clone()),
                org_id: OrgId::parse(&credential.org_id).unwrap(),
                technical_account_id: TechnicalAccountId::parse(&credential.technical_account_id)
                    .unwrap(),
                metascopes: Metascopes::parse(METASCOPE).unwrap(),
                private_key: SecretString::from(self.key_pem.clone()),
                certificate: Certificate::parse_pem(&self.cert_pem).unwrap(),
            }),
        };
        IntegrationConfig::import(draft, origin, ConfigId::new(), chrono::Utc::now())
    }

    /// Imports `n` JWT configurations named `{prefix}-{i}`; returns their credentials.
    pub async fn seed(
        &self,
        store: &Store,
        prefix: &str,
        n: usize,
        origin: Origin,
    ) -> Vec<JwtCredential> {
        let audit = AuditContext::actor("test");
        let mut out = Vec::with_capacity(n);
        for i in 0..n {
            let c = self.jwt_credential(origin == Origin::AutoProvisioned);
            store
                .import_config(
                    &self.config(&format!("{prefix}-{i:05}"), &c, origin),
                    &audit,
                )
                .await
                .unwrap();
            out.push(c);
        }
        out
    }
}
