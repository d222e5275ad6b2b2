//! The harness of the token service tests: the IMS emulator, a provider on a `ManualClock`
//! whose retry waits go through a `ClockSleeper`, and configurations made from emulator
//! credentials.

#![allow(dead_code)]

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use imsbridge_domain::{
    AuthorizationServer, Certificate, ClientId, CloudSolution, ConfigDraft, ConfigId,
    DraftCredentials, ExposeSecret, IntegrationConfig, JwtCredentials, ManualClock, Metascopes,
    Name, OAuthCredentials, OrgId, Origin, Scopes, SecretString, TechnicalAccountId, Title,
};
use imsbridge_emulator::{Emulator, EmulatorHandle, JwtCredential, OAuthCredential};
use imsbridge_ims::{ClockSleeper, ImsClient, ProviderOptions, TokenProvider};

pub const SCOPES: [&str; 3] = ["openid", "AdobeID", "read_organizations"];

pub struct Harness {
    pub emulator: EmulatorHandle,
    pub clock: ManualClock,
    pub sleeper: ClockSleeper,
    pub provider: TokenProvider,
    pub project_id: String,
}

impl Harness {
    pub async fn start() -> Self {
        Self::with_options(|_| {}).await
    }

    pub async fn with_options(tune: impl FnOnce(&mut ProviderOptions)) -> Self {
        let emulator = Emulator::spawn().await.expect("emulator starts");
        let org = emulator.create_org("Test Org").unwrap();
        let project = emulator.create_project(&org.id, "Test", false).unwrap();
        let clock = ManualClock::new(Utc::now());
        let sleeper = ClockSleeper::new(clock.clone());
        let mut options = ProviderOptions {
            sleeper: Arc::new(sleeper.clone()),
            // A generous budget for a machine shared with builds; tests of budgets give
            // their requests short ones.
            token_budget: Duration::from_secs(30),
            ..ProviderOptions::default()
        };
        tune(&mut options);
        let provider = TokenProvider::new(
            ImsClient::with_defaults().unwrap(),
            Arc::new(clock.clone()),
            options,
        );
        Self {
            emulator,
            clock,
            sleeper,
            provider,
            project_id: project.id,
        }
    }

    pub fn server(&self) -> AuthorizationServer {
        AuthorizationServer::parse(&self.emulator.base_url()).unwrap()
    }

    pub fn oauth_credential(&self) -> OAuthCredential {
        self.emulator
            .create_oauth_credential(&self.project_id, &SCOPES)
            .unwrap()
    }

    pub fn oauth_config(&self, name: &str) -> (IntegrationConfig, OAuthCredential) {
        let cred = self.oauth_credential();
        (self.config_for(name, oauth_credentials(&cred)), cred)
    }

    pub fn config_for(&self, name: &str, creds: OAuthCredentials) -> IntegrationConfig {
        let draft = ConfigDraft {
            name: Name::parse(name).unwrap(),
            title: Title::parse("Adobe Target").unwrap(),
            cloud_solution: CloudSolution::Target,
            authorization_server: self.server(),
            credentials: DraftCredentials::OAuth(creds),
        };
        IntegrationConfig::create(draft, ConfigId::new(), self.clock.now_utc()).unwrap()
    }

    pub fn jwt_config(&self) -> (IntegrationConfig, JwtCredential) {
        let cred = self
            .emulator
            .create_jwt_credential(
                &self.project_id,
                &["ent_aem_cloud_api", "ent_marketing_sdk"],
            )
            .unwrap();
        let creds = JwtCredentials {
            api_key: ClientId::parse(&cred.client_id).unwrap(),
            client_secret: SecretString::from(cred.client_secret.clone()),
            org_id: OrgId::parse(&cred.org_id).unwrap(),
            technical_account_id: TechnicalAccountId::parse(&cred.technical_account_id).unwrap(),
            metascopes: Metascopes::from_items(cred.metascopes.iter().map(String::as_str)).unwrap(),
            private_key: SecretString::from(cred.private_key_pem.clone()),
            certificate: Certificate::parse_pem(&cred.certificate_pem).unwrap(),
        };
        let draft = ConfigDraft {
            name: Name::parse("analytics-jwt").unwrap(),
            title: Title::parse("Adobe Analytics").unwrap(),
            cloud_solution: CloudSolution::Analytics,
            authorization_server: self.server(),
            credentials: DraftCredentials::Jwt(creds),
        };
        let config = IntegrationConfig::import(
            draft,
            Origin::Customer,
            ConfigId::new(),
            self.clock.now_utc(),
        );
        (config, cred)
    }

    pub fn advance(&self, by: Duration) {
        self.clock.advance(chrono::Duration::from_std(by).unwrap());
    }
}

pub trait NowUtc {
    fn now_utc(&self) -> chrono::DateTime<Utc>;
}

impl NowUtc for ManualClock {
    fn now_utc(&self) -> chrono::DateTime<Utc> {
        imsbridge_domain::Clock::now(self)
    }
}

pub fn oauth_credentials(cred: &OAuthCredential) -> OAuthCredentials {
    OAuthCredentials {
        client_id: ClientId::parse(&cred.client_id).unwrap(),
        client_secret: SecretString::from(cred.client_secrets[0].clone()),
        scopes: Scopes::from_items(cred.scopes.iter().map(String::as_str)).unwrap(),
        org_id: OrgId::parse(&cred.org_id).unwrap(),
        technical_account_id: None,
    }
}

/// Waits (a few milliseconds at a time, two seconds at most) for a background task's effect.
pub async fn eventually(what: &str, mut condition: impl FnMut() -> bool) {
    for _ in 0..1000 {
        if condition() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    panic!("timed out waiting until {what}");
}

/// Like [`eventually`], for a condition that has to await.
pub async fn eventually_async<F, Fut>(what: &str, mut condition: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    for _ in 0..1000 {
        if condition().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    panic!("timed out waiting until {what}");
}

pub fn expose(token: &imsbridge_ims::AccessToken) -> String {
    token.token.expose_secret().to_owned()
}
