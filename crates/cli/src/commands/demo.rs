//! Demo data: an emulated Adobe organisation whose Developer Console projects hold OAuth and
//! JWT credentials, and the matching IMS integration configurations in the store.

use anyhow::Context as _;
use imsbridge_domain::{
    AuthorizationServer, Certificate, ClientId, CloudSolution, ConfigDraft, ConfigId, ConsoleLink,
    ConsoleOrgId, CredentialId, DraftCredentials, IntegrationConfig, JwtCredentials, Metascopes,
    Name, OAuthCredentials, OrgId, Origin, Scopes, SecretString, TechnicalAccountId, Title,
};
use imsbridge_emulator::{EmulatorHandle, JwtCredential, OAuthCredential};
use imsbridge_store::{AuditContext, Store};

/// One configuration the demo creates.
struct Seed {
    name: &'static str,
    title: &'static str,
    solution: CloudSolution,
    kind: SeedKind,
}

enum SeedKind {
    Jwt {
        metascopes: &'static [&'static str],
        auto_generated: bool,
    },
    OAuth {
        scopes: &'static [&'static str],
    },
}

fn seeds() -> Vec<Seed> {
    vec![
        Seed {
            name: "target-production",
            title: "Adobe Target (production)",
            solution: CloudSolution::Target,
            kind: SeedKind::Jwt {
                metascopes: &["ent_marketing_sdk"],
                auto_generated: false,
            },
        },
        Seed {
            name: "analytics-reporting",
            title: "Adobe Analytics reporting",
            solution: CloudSolution::Analytics,
            kind: SeedKind::Jwt {
                metascopes: &["ent_analytics_bulk_ingest_sdk"],
                auto_generated: false,
            },
        },
        Seed {
            name: "launch-tags",
            title: "Adobe Launch / Tags property sync",
            solution: CloudSolution::Launch,
            kind: SeedKind::Jwt {
                metascopes: &["ent_reactor_admin_sdk"],
                auto_generated: false,
            },
        },
        Seed {
            name: "asset-compute",
            title: "Asset Compute (AEM-p12345-e678901)",
            solution: CloudSolution::AssetCompute,
            kind: SeedKind::Jwt {
                metascopes: &["asset_compute_meta", "event_receiver_api"],
                auto_generated: true,
            },
        },
        Seed {
            name: "target-staging",
            title: "Adobe Target (staging)",
            solution: CloudSolution::Target,
            kind: SeedKind::OAuth {
                scopes: &[
                    "openid",
                    "AdobeID",
                    "read_organizations",
                    "additional_info.projectedProductContext",
                    "target_sdk",
                ],
            },
        },
        Seed {
            name: "stock-search",
            title: "Adobe Stock search",
            solution: CloudSolution::Stock,
            kind: SeedKind::OAuth {
                scopes: &["openid", "AdobeID", "read_organizations", "stock_search"],
            },
        },
    ]
}

/// What the demo made.
pub struct DemoSeed {
    /// Names of the configurations created.
    pub names: Vec<String>,
    /// The emulated organisation.
    pub org_id: String,
}

/// Seeds the emulator and imports matching configurations into `store`.
pub async fn seed(emulator: &EmulatorHandle, store: &Store) -> anyhow::Result<DemoSeed> {
    let server = AuthorizationServer::parse(&emulator.base_url())
        .context("the emulator's address is not a usable authorization server")?;
    let org = emulator.create_org("Demo Organization")?;
    let audit = AuditContext::actor("demo");
    let mut names = Vec::new();
    for seed in seeds() {
        let project = match &seed.kind {
            SeedKind::Jwt {
                auto_generated: true,
                ..
            } => emulator.create_project(&org.id, seed.title, true)?,
            _ => emulator.create_project(&org.id, seed.title, false)?,
        };
        let mut console = ConsoleLink::default();
        let (credentials, origin) = match seed.kind {
            SeedKind::Jwt {
                metascopes,
                auto_generated,
            } => {
                // Key generation is CPU work; tell the runtime this worker is busy.
                let cred = tokio::task::block_in_place(|| {
                    emulator.create_jwt_credential(&project.id, metascopes)
                })?;
                // The seed's first step happens in the Developer Console: the credential is
                // migrated there (same client id and secret), and both work until the JWT
                // one is deleted. Auto-provisioned ones are left to the automatic job.
                if !auto_generated {
                    emulator.migrate_jwt_credential(&cred.client_id)?;
                }
                let origin = if auto_generated {
                    Origin::AutoProvisioned
                } else {
                    Origin::Customer
                };
                (DraftCredentials::Jwt(jwt_credentials(&cred)?), origin)
            }
            SeedKind::OAuth { scopes } => {
                // With the I/O Management API, the credential can rotate its own secrets.
                emulator.add_api(&project.id, "AdobeIOManagementAPISDK")?;
                let cred = emulator.create_oauth_credential(&project.id, scopes)?;
                console.console_org_id = Some(ConsoleOrgId::parse(&cred.console_org_id)?);
                console.credential_id = Some(CredentialId::parse(&cred.id)?);
                (
                    DraftCredentials::OAuth(oauth_credentials(&cred)?),
                    Origin::Customer,
                )
            }
        };
        let draft = ConfigDraft {
            name: Name::parse(seed.name)?,
            title: Title::parse(seed.title)?,
            cloud_solution: seed.solution,
            authorization_server: server.clone(),
            credentials,
        };
        let config = IntegrationConfig::import(draft, origin, ConfigId::new(), chrono::Utc::now())
            .with_console(console);
        store
            .import_config(&config, &audit)
            .await
            .with_context(|| format!("could not store the demo configuration {}", seed.name))?;
        names.push(seed.name.to_owned());
    }
    Ok(DemoSeed {
        names,
        org_id: org.id,
    })
}

fn oauth_credentials(cred: &OAuthCredential) -> anyhow::Result<OAuthCredentials> {
    Ok(OAuthCredentials {
        client_id: ClientId::parse(&cred.client_id)?,
        client_secret: SecretString::from(
            cred.client_secrets
                .first()
                .context("the emulator made a credential without a secret")?
                .clone(),
        ),
        scopes: Scopes::from_items(cred.scopes.iter().map(String::as_str))?,
        org_id: OrgId::parse(&cred.org_id)?,
        technical_account_id: Some(TechnicalAccountId::parse(&cred.technical_account_id)?),
    })
}

fn jwt_credentials(cred: &JwtCredential) -> anyhow::Result<JwtCredentials> {
    Ok(JwtCredentials {
        api_key: ClientId::parse(&cred.client_id)?,
        client_secret: SecretString::from(cred.client_secret.clone()),
        org_id: OrgId::parse(&cred.org_id)?,
        technical_account_id: TechnicalAccountId::parse(&cred.technical_account_id)?,
        metascopes: Metascopes::from_items(cred.metascopes.iter().map(String::as_str))?,
        private_key: SecretString::from(cred.private_key_pem.clone()),
        certificate: Certificate::parse_pem(&cred.certificate_pem)?,
    })
}
