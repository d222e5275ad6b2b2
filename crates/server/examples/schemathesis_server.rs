//! A self-contained server for property-based API testing (`tests/schemathesis.sh`): a
//! temporary SQLite store, the IMS emulator, one OAuth configuration whose secrets can be
//! listed and rotated through the emulator's I/O Management API, one JWT configuration, and
//! an admin API token written to a file.
//!
//! Usage: `schemathesis_server <port> <token-file>`; serves on 127.0.0.1 until killed.

use std::sync::Arc;

use imsbridge_domain::{
    AuthorizationServer, Certificate, ClientId, CloudSolution, ConfigDraft, ConfigId, ConsoleLink,
    ConsoleOrgId, CredentialId, DraftCredentials, ExposeSecret, IntegrationConfig, JwtCredentials,
    Metascopes, Name, OAuthCredentials, OrgId, Origin, Scopes, SecretString, SystemClock,
    TechnicalAccountId, Title,
};
use imsbridge_emulator::Emulator;
use imsbridge_ims::{ImsClient, ImsClientOptions, ProviderOptions, TokenProvider};
use imsbridge_server::auth::api_tokens;
use imsbridge_server::{Application, Dependencies, Settings, bootstrap_admin};
use imsbridge_store::{AuditContext, Store};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let port: u16 = args.next().unwrap_or_else(|| "0".into()).parse()?;
    let token_file = args
        .next()
        .ok_or("usage: schemathesis_server <port> <token-file>")?;

    let dir = tempfile::tempdir()?;
    let store = Store::open_data_dir(dir.path(), None, None).await?;
    let emulator = Emulator::spawn().await?;
    let org = emulator.create_org("Fuzz Org")?;
    let project = emulator.create_project(&org.id, "fuzz", false)?;
    emulator.add_api(&project.id, "AdobeIOManagementAPISDK")?;
    let oauth = emulator.create_oauth_credential(&project.id, &["openid", "AdobeID"])?;
    let jwt = emulator.create_jwt_credential(&project.id, &["ent_marketing_sdk"])?;
    let server = AuthorizationServer::parse(&emulator.base_url())?;
    let audit = AuditContext::actor("schemathesis-setup");

    let sample = IntegrationConfig::create(
        ConfigDraft {
            name: Name::parse("sample")?,
            title: Title::parse("Sample OAuth")?,
            cloud_solution: CloudSolution::Target,
            authorization_server: server.clone(),
            credentials: DraftCredentials::OAuth(OAuthCredentials {
                client_id: ClientId::parse(&oauth.client_id)?,
                client_secret: SecretString::from(oauth.client_secrets[0].clone()),
                scopes: Scopes::from_items(oauth.scopes.iter().map(String::as_str))?,
                org_id: OrgId::parse(&oauth.org_id)?,
                technical_account_id: None,
            }),
        },
        ConfigId::new(),
        chrono::Utc::now(),
    )?
    .with_console(ConsoleLink {
        console_org_id: Some(ConsoleOrgId::parse(&oauth.console_org_id)?),
        credential_id: Some(CredentialId::parse(&oauth.id)?),
        rotate_every_days: None,
    });
    store.insert_config(&sample, &audit).await?;
    let legacy = IntegrationConfig::import(
        ConfigDraft {
            name: Name::parse("legacy")?,
            title: Title::parse("Legacy JWT")?,
            cloud_solution: CloudSolution::Analytics,
            authorization_server: server,
            credentials: DraftCredentials::Jwt(JwtCredentials {
                api_key: ClientId::parse(&jwt.client_id)?,
                client_secret: SecretString::from(jwt.client_secret.clone()),
                org_id: OrgId::parse(&jwt.org_id)?,
                technical_account_id: TechnicalAccountId::parse(&jwt.technical_account_id)?,
                metascopes: Metascopes::from_items(jwt.metascopes.iter().map(String::as_str))?,
                private_key: SecretString::from(jwt.private_key_pem.clone()),
                certificate: Certificate::parse_pem(&jwt.certificate_pem)?,
            }),
        },
        Origin::Customer,
        ConfigId::new(),
        chrono::Utc::now(),
    );
    store.import_config(&legacy, &audit).await?;

    let password = SecretString::from("schemathesis admin password".to_owned());
    bootstrap_admin(&store, Some(&password)).await?;
    let admin = store.get_user("admin").await?.ok_or("no admin")?;
    let (_, token) = api_tokens::issue(
        &store,
        "schemathesis",
        "admin",
        Some(chrono::Utc::now() + chrono::Duration::days(1)),
        Some(admin.id),
        &audit,
    )
    .await?;

    let provider = TokenProvider::new(
        ImsClient::new(&ImsClientOptions {
            io_management_url: emulator.base_url().parse()?,
            ..ImsClientOptions::default()
        })?,
        Arc::new(SystemClock),
        ProviderOptions::default(),
    );
    let settings = Settings {
        listen: std::net::SocketAddr::from(([127, 0, 0, 1], port)),
        ..Settings::for_tests()
    };
    imsbridge_server::telemetry::init(
        imsbridge_server::LogFormat::Text,
        &imsbridge_server::LogFilter::resolve(|var| std::env::var(var).ok(), "info")
            .expect("RUST_LOG or IMSBRIDGE_LOG is a valid log filter"),
    );
    let app = Application::build(settings, Dependencies::new(store, provider)).await?;
    // The token file appears only once the server is bound: the script waits for it.
    std::fs::write(&token_file, token.expose_secret())?;
    println!("listening on http://127.0.0.1:{}", app.port());
    app.run_until_stopped().await?;
    drop(emulator);
    Ok(())
}
