//! One module per command.

mod agent;
mod config;
mod db;
mod demo;
mod demo_sso;
mod emulator;
mod interop;
mod keys;
pub(crate) mod migrate;
mod open;
pub(crate) mod remote;
mod rotate;
mod serve;
mod token;
mod transfer;
mod users;

use crate::cli::{Cli, Command};
use crate::settings::Settings;

/// Runs a parsed command line.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let settings = Settings::load(&cli.global)?;
    imsbridge_server::telemetry::init(settings.log_format, &settings.log_filter);
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
