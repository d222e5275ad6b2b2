//! One module per command.

mod agent;
mod config;
mod db;
mod demo;
mod demo_sso;
mod emulator;
mod keys;
pub(crate) mod migrate;
mod open;
mod remote;
mod serve;
mod token;
mod transfer;
mod users;

use crate::cli::{Cli, Command};
use crate::settings::Settings;

/// Runs a parsed command line.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let settings = Settings::load(&cli.global)?;
    crate::commands::logging::init(&settings);
    match cli.command {
        Command::Serve(args) => serve::run(args, settings, cli.global.data_dir.is_some()).await,
        Command::Emulator(args) => emulator::run(args).await,
        Command::Config(command) => config::run(command, &settings).await,
        Command::Token(command) => token::run(command).await,
        Command::Users(command) => users::run(command, &settings).await,
        Command::Db(command) => db::run(command, &settings).await,
        Command::Keys(command) => keys::run(command, &settings).await,
        Command::Migrate(command) => migrate::run(command, &settings).await,
        Command::Agent(args) => agent::run(args).await,
    }
}

pub(crate) mod logging {
    use crate::settings::{LogFormat, Settings};
    use tracing_subscriber::EnvFilter;

    /// Installs the global log subscriber; logs go to standard error.
    pub fn init(settings: &Settings) {
        let filter = EnvFilter::try_from_env("IMSBRIDGE_LOG")
            .or_else(|_| EnvFilter::try_new(&settings.log_level))
            .unwrap_or_else(|_| EnvFilter::new("info"));
        // Colours only on a terminal: journald, files and pipes get plain text.
        let builder = tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
            .with_writer(std::io::stderr);
        let _ = match settings.log_format {
            LogFormat::Json => builder.json().try_init(),
            LogFormat::Text => builder.try_init(),
        };
    }
}
