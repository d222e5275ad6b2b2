use crate::say;
use std::io::Write as _;
use std::sync::Arc;

use anyhow::Context as _;
use imsbridge_domain::{ExposeSecret, SystemClock};
use imsbridge_emulator::{ClockMode, Emulator, EmulatorConfig};
use imsbridge_server::bulk::{AutoMigration, Backoff, CredentialSource};
use imsbridge_server::serve::StopSignal;
use imsbridge_server::{Application, Dependencies, bootstrap_admin};
use imsbridge_service::rotation::RotationPass;

use crate::cli::ServeArgs;
use crate::commands::{demo, demo_sso, open};
use crate::settings::Settings;

/// `imsbridge serve`: serves until Ctrl-C or SIGTERM.
pub async fn run(
    args: ServeArgs,
    mut settings: Settings,
    data_dir_given: bool,
) -> anyhow::Result<()> {
    if let Some(listen) = args.listen {
        settings.server.listen = listen;
    }
    imsbridge_server::raise_open_files_limit();
    if let Some(sso) = &settings.sso {
        settings.server.sso = Some(
            sso.resolve()
                .map_err(|e| anyhow::anyhow!("invalid settings: {e}"))?,
        );
    }
    if args.demo {
        // The URL is not repeated: it may hold a password.
        anyhow::ensure!(
            settings.database_url.is_none(),
            "--demo runs on a fresh embedded SQLite store of its own, and a database URL is set (by --database-url, IMSBRIDGE_DATABASE_URL or database_url in the settings file); unset it to run the demo, or leave out --demo to serve that database"
        );
        return run_demo(settings, data_dir_given).await;
    }
    let store = open_store_patiently(&settings).await?;
    let (provider, fleet) = open::provider_in_fleet(&settings, &store)?;
    if let Some(otp) =
        bootstrap_admin(&store, settings.server.bootstrap_admin_password.as_ref()).await?
    {
        // Printed, not logged: log files are kept and shipped; this must be seen once.
        println!("{}", say::text("cli_first_admin"));
        println!("admin password: {}", otp.password.expose_secret());
    }
    let job = auto_migration(&settings, &store, &provider)?;
    let database_url = settings
        .database_url
        .as_deref()
        .map(imsbridge_store::DatabaseUrl::parse)
        .transpose()?;
    let app =
        Application::build(settings.server, Dependencies::new(store, provider.clone())).await?;
    // One replica at a time rotates what is due and advances unfinished rotations.
    let rotation = RotationPass::new(app.state().services.clone())
        .spawn(imsbridge_service::rotation::PASS_INTERVAL, database_url);
    // After the build, which installs the metrics recorder. Stopped when `_fleet_tasks` goes,
    // at the end of serving.
    let _fleet_tasks = fleet.map(|f| f.start(provider));
    // Listening for SIGTERM before the announcement: whoever reads it may stop us at once.
    let stop = StopSignal::listen();
    announce(&app)?;
    let result = app.run_until(stop.recv()).await;
    if let Some(job) = job {
        job.abort();
    }
    rotation.abort();
    result?;
    Ok(())
}

/// Opens the store; while a PostgreSQL database refuses connections (restarting, or closed
/// to connections for maintenance), keeps trying, so that a replica started meanwhile comes
/// up by itself once it is back. Any other failure ends `serve` at once.
async fn open_store_patiently(settings: &Settings) -> anyhow::Result<imsbridge_store::Store> {
    let mut delay = std::time::Duration::from_millis(250);
    loop {
        match open::store(settings).await {
            Ok(store) => return Ok(store),
            Err(e) if settings.database_url.is_some() && is_unreachable(&e) => {
                tracing::warn!(error = %format!("{e:#}"), "the database refuses connections; trying again");
                tokio::time::sleep(delay).await;
                delay = (delay * 2).min(std::time::Duration::from_secs(2));
            }
            Err(e) => return Err(e),
        }
    }
}

/// Whether opening the store failed because the database could not be reached or refused
/// the connection (as opposed to a wrong key, URL or schema).
fn is_unreachable(error: &anyhow::Error) -> bool {
    // 55000: the database does not allow connections now (`ALLOW_CONNECTIONS false`);
    // 57P01–57P03: shut down or starting up; 53300: too many connections.
    const REFUSALS: [&str; 5] = ["55000", "57P01", "57P02", "57P03", "53300"];
    error.chain().any(
        |cause| match cause.downcast_ref::<imsbridge_store::StoreError>() {
            Some(imsbridge_store::StoreError::Database(e)) => match e {
                sqlx::Error::Io(_) | sqlx::Error::PoolTimedOut => true,
                sqlx::Error::Database(db) => db.code().is_some_and(|c| REFUSALS.contains(&&*c)),
                _ => false,
            },
            _ => false,
        },
    )
}

/// Starts the automatic migration of auto-provisioned configurations when a credential
/// source is configured; only the replica holding the job lock runs it.
fn auto_migration(
    settings: &Settings,
    store: &imsbridge_store::Store,
    provider: &imsbridge_ims::TokenProvider,
) -> anyhow::Result<Option<tokio::task::JoinHandle<()>>> {
    let Some(source) = settings.migration.credential_source.as_deref() else {
        return Ok(None);
    };
    let source = CredentialSource::new(source)
        .context("the migration.credential_source setting is not usable")?;
    let url = settings
        .database_url
        .as_deref()
        .map(imsbridge_store::DatabaseUrl::parse)
        .transpose()?;
    let job = AutoMigration::new(
        store.clone(),
        provider.clone(),
        Arc::new(SystemClock),
        source,
        Backoff::default(),
    );
    let interval = std::time::Duration::from_secs(settings.migration.auto_interval_secs.max(10));
    Ok(Some(job.spawn(interval, url)))
}

/// The demo's data directory: the one given, which must be empty, or a temporary one that
/// lives as long as the returned guard.
///
/// A fresh store every time: the emulator's credentials live in memory and are new on every
/// start, so configurations from an earlier demo would point at nothing.
fn demo_data_dir(
    settings: &mut Settings,
    data_dir_given: bool,
) -> anyhow::Result<Option<tempfile::TempDir>> {
    if data_dir_given {
        let dir = settings.ensure_data_dir()?;
        let empty = std::fs::read_dir(dir)?.next().is_none();
        anyhow::ensure!(
            empty,
            "--demo needs an empty data directory, and {} is not empty; leave out --data-dir to use a temporary one",
            dir.display()
        );
        return Ok(None);
    }
    // Private from the start: it holds the demo's master key and database.
    let temp = tempfile::Builder::new()
        .prefix("imsbridge-demo-")
        .permissions(std::os::unix::fs::PermissionsExt::from_mode(0o700))
        .tempdir()?;
    settings.data_dir = temp.path().to_path_buf();
    Ok(Some(temp))
}

async fn run_demo(mut settings: Settings, data_dir_given: bool) -> anyhow::Result<()> {
    let _temp = demo_data_dir(&mut settings, data_dir_given)?;
    let emulator = Emulator::spawn_with(EmulatorConfig {
        clock: ClockMode::System,
        ..EmulatorConfig::default()
    })
    .await
    .context("could not start the IMS emulator")?;
    let store = open::store(&settings).await?;
    let seeded = demo::seed(&emulator, &store).await?;
    // Single sign-on needs a redirect URI the browser can reach: on all interfaces, only a
    // public URL names one.
    let sso = if settings.server.listen.ip().is_unspecified()
        && settings.server.public_base_url.is_none()
    {
        None
    } else {
        let sso = demo_sso::seed(
            &emulator,
            &seeded.org_id,
            settings.server.listen,
            settings.server.public_base_url.as_ref(),
        )?;
        settings.server.sso = Some(sso.config.clone());
        Some(sso)
    };
    // Rotation talks to the emulator's I/O Management API, not Adobe's.
    settings.ims.io_management_url = emulator.base_url();
    let provider = open::provider(&settings, &store)?;
    let otp = bootstrap_admin(&store, settings.server.bootstrap_admin_password.as_ref()).await?;
    // An API token for the demo's OAuth integrations, so that fetching a token with curl
    // works straight away.
    let integrations = "token:target-staging,stock-search";
    let (_, integration_token) = imsbridge_server::auth::api_tokens::issue(
        &store,
        "demo integrations",
        integrations,
        Some(chrono::Utc::now() + chrono::Duration::days(7)),
        None,
        &imsbridge_store::AuditContext::actor("demo"),
    )
    .await?;
    let app = Application::build(
        settings.server,
        Dependencies {
            store,
            provider,
            clock: Arc::new(SystemClock),
        },
    )
    .await?;
    let rotation = RotationPass::new(app.state().services.clone())
        .spawn(imsbridge_service::rotation::PASS_INTERVAL, None);
    println!(
        "Demo mode: an IMS emulator runs at {} with demo credentials.",
        emulator.base_url()
    );
    println!("Demo configurations: {}", seeded.names.join(", "));
    println!(
        "The JWT credentials of target-production, analytics-reporting and launch-tags are already migrated in the (emulated) Developer Console; migrate the configurations in the console: Properties, Authentication Type: OAuth, Save & Close."
    );
    if let Some(otp) = otp {
        println!("admin user: {}", otp.username);
        println!("admin password: {}", otp.password.expose_secret());
    }
    match &sso {
        Some(sso) => {
            println!(
                "single sign-on demo user ({}, group {}): {}",
                sso.config.label.as_deref().unwrap_or_default(),
                demo_sso::ADMIN_GROUP,
                sso.email
            );
            println!(
                "single sign-on demo password: {}",
                sso.password.expose_secret()
            );
        }
        None => println!(
            "Single sign-on is not offered: listening on all interfaces, set server.public_base_url to the URL browsers use."
        ),
    }
    println!(
        "integration API token ({integrations}): {}",
        integration_token.expose_secret()
    );
    println!(
        "  try: curl -s -X POST -H \"Authorization: Bearer $TOKEN\" http://{}/api/v1/integrations/target-staging/token",
        app.local_addr()
    );
    // Listening for SIGTERM before the announcement: whoever reads it may stop us at once.
    let stop = StopSignal::listen();
    announce(&app)?;
    let result = app.run_until(stop.recv()).await;
    rotation.abort();
    emulator.shutdown().await;
    result?;
    Ok(())
}

/// Prints the address line that scripts and tests wait for.
fn announce(app: &Application) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    writeln!(out, "imsbridge listening on http://{}", app.local_addr())?;
    writeln!(out, "Open http://{}/ in a browser.", app.local_addr())?;
    out.flush()?;
    Ok(())
}
