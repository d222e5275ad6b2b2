use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Manage Adobe IMS integration configurations and serve their access tokens.
#[derive(Debug, Parser)]
#[command(name = "imsbridge", version, about, propagate_version = true)]
pub struct Cli {
    /// Options every command shares.
    #[command(flatten)]
    pub global: GlobalArgs,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Options every command shares; each overrides the settings file and the environment.
#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Settings file (TOML). Default: `<data-dir>/imsbridge.toml` when it exists.
    #[arg(long, global = true, env = "IMSBRIDGE_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Directory for the SQLite database and the master key file.
    #[arg(long, global = true, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Database URL (`sqlite://…` or `postgres://…`); default: SQLite in the data directory.
    #[arg(long, global = true, value_name = "URL")]
    pub database_url: Option<String>,
    /// Log format: `text` or `json`.
    #[arg(long, global = true, value_name = "FORMAT")]
    pub log_format: Option<String>,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the console, the admin API and the token API.
    Serve(ServeArgs),
    /// Run the local Adobe IMS and Developer Console emulator.
    Emulator(EmulatorArgs),
    /// Database maintenance.
    #[command(subcommand)]
    Db(DbCommand),
    /// Master key maintenance.
    #[command(subcommand)]
    Keys(KeysCommand),
}

/// Options of `imsbridge serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on (overrides `server.listen`); port 0 picks a free port.
    #[arg(long)]
    pub listen: Option<SocketAddr>,
    /// Start an IMS emulator in-process and fill a fresh store with demo configurations.
    ///
    /// The demo store lives in a temporary directory (or in `--data-dir`, which must then be
    /// empty) and is discarded on exit unless `--data-dir` was given.
    #[arg(long)]
    pub demo: bool,
}

/// Options of `imsbridge emulator`.
#[derive(Debug, Args)]
pub struct EmulatorArgs {
    /// Address to listen on; port 0 picks a free port (the chosen one is printed).
    #[arg(long, default_value = "127.0.0.1:8180")]
    pub listen: SocketAddr,
    /// Load state from this file at start and save it there on shutdown.
    #[arg(long, value_name = "FILE")]
    pub state: Option<PathBuf>,
}

/// `imsbridge db …`
#[derive(Debug, Subcommand)]
pub enum DbCommand {
    /// Create or upgrade the database schema.
    Migrate,
}

/// `imsbridge keys …`
#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Make a new master key and re-encrypt every stored secret under it, while serving.
    Rotate {
        /// Drop the old keys from the key file afterwards. Leave this off while other
        /// replicas still run with the old key file; run `keys retire` once they restarted.
        #[arg(long)]
        retire_old_keys: bool,
        /// Rows re-encrypted per transaction.
        #[arg(long, default_value_t = 200)]
        batch_size: u32,
    },
    /// Drop keys that nothing is sealed with any more from the key file.
    Retire,
}
