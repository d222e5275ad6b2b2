use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Manage Adobe IMS integration configurations and serve their access tokens.
#[derive(Debug, Parser)]
#[command(name = "imsbridge", version, propagate_version = true)]
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
// Parsed once per process; boxing the larger variants would buy nothing.
#[allow(clippy::large_enum_variant)]
pub enum Command {
    /// Serve the console, the admin API and the token API.
    Serve(ServeArgs),
    /// Run the local Adobe IMS and Developer Console emulator.
    Emulator(EmulatorArgs),
    /// Integration configurations: over the admin API, or export/import on the store.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Fetch an integration's IMS access token from a running server.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Local users of the console and the API.
    #[command(subcommand)]
    Users(UsersCommand),
    /// Bulk migration of JWT configurations: plan, apply, auto, status.
    #[command(subcommand)]
    Migrate(crate::commands::migrate::MigrateCommand),
    /// Database maintenance.
    #[command(subcommand)]
    Db(DbCommand),
    /// Master key maintenance.
    #[command(subcommand)]
    Keys(KeysCommand),
    /// Keep access token files fresh for programs that read files (runs until stopped).
    Agent(AgentArgs),
}

/// Options of `imsbridge agent`.
#[derive(Debug, Args)]
pub struct AgentArgs {
    /// The agent's TOML file: `addr`, `api_token_file` and one `[[output]]` per token file.
    #[arg(long, env = "IMSBRIDGE_AGENT_CONFIG", value_name = "FILE")]
    pub agent_config: PathBuf,
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
    /// Lifetime of the access tokens it issues, in seconds (2 to 31536000). IMS's own
    /// live 24 hours; shorter ones let tests see refreshes in real time.
    #[arg(long, value_name = "SECS", default_value_t = 86_400, value_parser = parse_token_lifetime)]
    pub token_lifetime_secs: u64,
}

/// `--token-lifetime-secs`: whole seconds within the range the emulator accepts.
fn parse_token_lifetime(raw: &str) -> Result<u64, String> {
    let secs: u64 = raw.trim().parse().map_err(|_| {
        format!(
            "{} is not a whole number of seconds",
            imsbridge_domain::quoted(raw)
        )
    })?;
    imsbridge_emulator::check_token_lifetime(std::time::Duration::from_secs(secs))
        .map_err(|e| e.to_string())?;
    Ok(secs)
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

/// Where the admin API is and how to authenticate to it.
#[derive(Debug, Args)]
pub struct RemoteArgs {
    /// The server's address.
    #[arg(long, env = "IMSBRIDGE_ADDR", default_value = "http://127.0.0.1:8080")]
    pub addr: String,
    /// An API token (`ibt_…`); read from the environment rather than typed where possible.
    #[arg(long, env = "IMSBRIDGE_TOKEN", hide_env_values = true)]
    pub token: Option<String>,
}

/// How results are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    /// An aligned table or lines of text.
    Table,
    /// JSON as the API returns it.
    Json,
}

/// Where a client secret comes from: never the command line itself.
#[derive(Debug, Args)]
// The field names are the flag names people type.
#[allow(clippy::struct_field_names)]
pub struct SecretArgs {
    /// Refused with an explanation: a secret on the command line is visible to other users
    /// in the process list and stays in the shell history.
    #[arg(long, hide = true, value_name = "SECRET")]
    pub client_secret: Option<String>,
    /// Read the client secret from this file.
    #[arg(long, value_name = "FILE", group = "secret")]
    pub client_secret_file: Option<PathBuf>,
    /// Read the client secret from this environment variable.
    #[arg(long, value_name = "VAR", group = "secret")]
    pub client_secret_env: Option<String>,
    /// Read the client secret from standard input.
    #[arg(long, group = "secret")]
    pub client_secret_stdin: bool,
}

/// The OAuth Server-to-Server fields from the Developer Console.
#[derive(Debug, Args)]
pub struct OAuthArgs {
    /// Client ID.
    #[arg(long)]
    pub client_id: Option<String>,
    /// Scopes, comma or space separated.
    #[arg(long)]
    pub scopes: Option<String>,
    /// Organization ID (`<24 hex>@AdobeOrg`).
    #[arg(long)]
    pub org_id: Option<String>,
    /// Technical account ID (`…@techacct.adobe.com`).
    #[arg(long)]
    pub technical_account_id: Option<String>,
    /// The Developer Console's project JSON; fills the fields not given.
    #[arg(long, value_name = "FILE")]
    pub project_json: Option<PathBuf>,
    /// The client secret's source.
    #[command(flatten)]
    pub secret: SecretArgs,
}

/// Where the credential lives in the Developer Console, and its rotation period.
#[derive(Debug, Args)]
pub struct ConsoleArgs {
    /// The Developer Console's numeric organization id (`project.org.id`).
    #[arg(long)]
    pub console_org_id: Option<String>,
    /// The Developer Console's numeric credential id.
    #[arg(long)]
    pub credential_id: Option<String>,
    /// Rotate the client secret every this many days (1 to 730).
    #[arg(long)]
    pub rotate_every_days: Option<u32>,
}

/// Where a passphrase comes from.
#[derive(Debug, Args)]
// The field names are the flag names people type.
#[allow(clippy::struct_field_names)]
pub struct PassphraseArgs {
    /// Read the passphrase from this environment variable.
    #[arg(long, value_name = "VAR", group = "passphrase")]
    pub passphrase_env: Option<String>,
    /// Read the passphrase from this file.
    #[arg(long, value_name = "FILE", group = "passphrase")]
    pub passphrase_file: Option<PathBuf>,
    /// Read the passphrase from standard input.
    #[arg(long, group = "passphrase")]
    pub passphrase_stdin: bool,
}

/// Options of `config export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Write files for AEM (`aem-osgi`: `.cfg.json` pairs and Cloud Manager variables) or
    /// the aio CLI (`aio`: contexts) into DIR instead of an imsbridge export.
    #[arg(long, value_name = "FORMAT", value_parser = parse_export_format, requires = "dir")]
    pub to: Option<imsbridge_interop::ExportFormat>,
    /// With --to: the folder to write into (created if missing).
    #[arg(value_name = "DIR", requires = "to")]
    pub dir: Option<PathBuf>,
    /// Write here (mode 0600) instead of standard output.
    #[arg(long, short, value_name = "FILE", conflicts_with = "to")]
    pub output: Option<PathBuf>,
    /// Include the secrets: sealed under a passphrase in an imsbridge export; with --to, as
    /// values in files only their owner can read.
    #[arg(long)]
    pub include_secrets: bool,
    /// The passphrase.
    #[command(flatten)]
    pub passphrase: PassphraseArgs,
}

/// Options of `config import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// Without --from: one file made by `imsbridge config export`. With --from: files or
    /// folders in that format (folders are read whole).
    #[arg(value_name = "PATH", required = true)]
    pub paths: Vec<PathBuf>,
    /// Read AEM OSGi configurations (`aem-osgi`: `.config`, `.cfg.json`), aio CLI
    /// configurations (`aio`) or aio-lib-java workspace configurations (`aio-lib-java`).
    #[arg(long, value_name = "FORMAT", value_parser = parse_import_format)]
    pub from: Option<imsbridge_interop::ImportFormat>,
    /// Placeholder values: a Cloud Manager variables export (JSON) or a `.env` file. The
    /// environment is read too; this file wins.
    #[arg(long, value_name = "FILE", requires = "from")]
    pub vars: Option<PathBuf>,
    /// Show what would be created, updated, skipped or needs a secret; write nothing.
    #[arg(long, requires = "from")]
    pub dry_run: bool,
    /// With --dry-run: also write the preview as JSON here, for --expect.
    #[arg(long, value_name = "FILE", requires = "dry_run")]
    pub report: Option<PathBuf>,
    /// Overwrite configurations of the same name.
    #[arg(long, requires = "from")]
    pub update: bool,
    /// With --update: a report from --dry-run --report; only its rows still at the revision
    /// it saw are written.
    #[arg(long, value_name = "FILE", requires = "update")]
    pub expect: Option<PathBuf>,
    /// table or json.
    #[arg(long, value_enum, default_value = "table")]
    pub output: OutputFormat,
    /// The passphrase the secrets of an imsbridge export were sealed with.
    #[command(flatten)]
    pub passphrase: PassphraseArgs,
}

fn parse_import_format(raw: &str) -> Result<imsbridge_interop::ImportFormat, String> {
    imsbridge_interop::ImportFormat::parse(raw).ok_or_else(|| {
        format!("{raw:?} is not a format to import; use aem-osgi, aio or aio-lib-java")
    })
}

fn parse_export_format(raw: &str) -> Result<imsbridge_interop::ExportFormat, String> {
    imsbridge_interop::ExportFormat::parse(raw)
        .ok_or_else(|| format!("{raw:?} is not a format to export; use aem-osgi or aio"))
}

/// `imsbridge config …`
#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// List configurations.
    List {
        /// Server and token.
        #[command(flatten)]
        remote: RemoteArgs,
        /// Output format.
        #[arg(long, short, value_enum, default_value = "table")]
        output: OutputFormat,
        /// `oauth` or `jwt`.
        #[arg(long)]
        auth_type: Option<String>,
        /// A solution key such as `target`.
        #[arg(long)]
        cloud_solution: Option<String>,
        /// `customer` or `auto-provisioned`.
        #[arg(long)]
        origin: Option<String>,
        /// `healthy`, `unhealthy` or `unchecked`.
        #[arg(long)]
        health: Option<String>,
        /// Search in titles and names.
        #[arg(long)]
        search: Option<String>,
        /// Page size.
        #[arg(long, default_value_t = 50)]
        limit: u32,
        /// Items to skip.
        #[arg(long, default_value_t = 0)]
        offset: u64,
    },
    /// Show one configuration (never its secrets).
    Show {
        /// Server and token.
        #[command(flatten)]
        remote: RemoteArgs,
        /// Output format.
        #[arg(long, short, value_enum, default_value = "table")]
        output: OutputFormat,
        /// The configuration's name.
        name: String,
    },
    /// Create an OAuth Server-to-Server configuration.
    Create {
        /// Server and token.
        #[command(flatten)]
        remote: RemoteArgs,
        /// Output format.
        #[arg(long, short, value_enum, default_value = "table")]
        output: OutputFormat,
        /// Unique name (lowercase letters, digits and '-').
        #[arg(long)]
        name: String,
        /// Title.
        #[arg(long)]
        title: Option<String>,
        /// Cloud solution: target, analytics, launch, asset-compute, stock, brand-portal,
        /// campaign, automated-forms-conversion or other:<name>.
        #[arg(long)]
        cloud_solution: String,
        /// IMS base URL (default https://ims-na1.adobelogin.com).
        #[arg(long)]
        authorization_server: Option<String>,
        /// Save without first fetching a token with these details (the server must allow
        /// it: server.allow_unverified_migration).
        #[arg(long)]
        no_verify: bool,
        /// The OAuth fields.
        #[command(flatten)]
        oauth: OAuthArgs,
        /// The Developer Console ids and rotation period.
        #[command(flatten)]
        console: ConsoleArgs,
    },
    /// Change an OAuth configuration read at a revision.
    Update {
        /// Server and token.
        #[command(flatten)]
        remote: RemoteArgs,
        /// Output format.
        #[arg(long, short, value_enum, default_value = "table")]
        output: OutputFormat,
        /// The configuration's name.
        name: String,
        /// The revision you read (`config show`); a newer one means someone else changed it.
        #[arg(long)]
        revision: u64,
        /// New title.
        #[arg(long)]
        title: Option<String>,
        /// New cloud solution.
        #[arg(long)]
        cloud_solution: Option<String>,
        /// New IMS base URL.
        #[arg(long)]
        authorization_server: Option<String>,
        /// Save new credential details without first fetching a token with them (the server
        /// must allow it: server.allow_unverified_migration).
        #[arg(long)]
        no_verify: bool,
        /// New OAuth fields.
        #[command(flatten)]
        oauth: OAuthArgs,
        /// New Developer Console ids and rotation period.
        #[command(flatten)]
        console: ConsoleArgs,
    },
    /// Migrate a JWT configuration to OAuth Server-to-Server.
    Migrate {
        /// Server and token.
        #[command(flatten)]
        remote: RemoteArgs,
        /// Output format.
        #[arg(long, short, value_enum, default_value = "table")]
        output: OutputFormat,
        /// The configuration's name.
        name: String,
        /// The revision you read.
        #[arg(long)]
        revision: u64,
        /// Save without first fetching a token with the new details.
        #[arg(long)]
        no_verify: bool,
        /// The new OAuth fields; client id, org id and scopes default to the JWT ones.
        #[command(flatten)]
        oauth: OAuthArgs,
    },
    /// Delete a configuration.
    Delete {
        /// Server and token.
        #[command(flatten)]
        remote: RemoteArgs,
        /// The configuration's name.
        name: String,
        /// Refuse if the configuration changed since this revision.
        #[arg(long)]
        revision: Option<u64>,
    },
    /// Check Health: fetch a fresh token and record the result.
    Health {
        /// Server and token.
        #[command(flatten)]
        remote: RemoteArgs,
        /// Output format.
        #[arg(long, short, value_enum, default_value = "table")]
        output: OutputFormat,
        /// The configuration's name.
        name: String,
    },
    /// List the credential's client secrets (uuid, created, last used, which one is held;
    /// never values), through Adobe's I/O Management API.
    Secrets {
        /// Server and token.
        #[command(flatten)]
        remote: RemoteArgs,
        /// Output format.
        #[arg(long, short, value_enum, default_value = "table")]
        output: OutputFormat,
        /// The configuration's name.
        name: String,
    },
    /// Rotate a configuration's client secret without downtime (or, with --all-due, every
    /// configuration whose rotation is due, and advance unfinished rotations).
    RotateSecret {
        /// Server and token.
        #[command(flatten)]
        remote: RemoteArgs,
        /// Output format.
        #[arg(long, short, value_enum, default_value = "table")]
        output: OutputFormat,
        /// The configuration's name.
        #[arg(required_unless_present = "all_due", conflicts_with = "all_due")]
        name: Option<String>,
        /// `after_unused` (default): delete the old secret once nothing has used it since the
        /// switch plus the grace period; `now`; or `never`.
        #[arg(long, value_name = "after_unused|now|never")]
        delete_old: Option<String>,
        /// Hours the old secret may still be used after the switch (default 24).
        #[arg(long)]
        grace_hours: Option<u32>,
        /// Run the rotation pass now: every configuration that is due, and unfinished ones.
        #[arg(long, conflicts_with_all = ["delete_old", "grace_hours"])]
        all_due: bool,
    },
    /// Export every configuration as JSON (directly from the store).
    Export(ExportArgs),
    /// Import configurations exported by `config export` (directly into the store).
    Import(ImportArgs),
}

/// `imsbridge token …`
#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Print an integration's access token (what an integration would fetch).
    Get {
        /// Server and token.
        #[command(flatten)]
        remote: RemoteArgs,
        /// Output format: the bare token, or the whole answer as JSON.
        #[arg(long, short, value_enum, default_value = "table")]
        output: OutputFormat,
        /// The configuration's name.
        name: String,
        /// Seconds the token must still be valid for.
        #[arg(long)]
        min_validity: Option<u64>,
        /// Fetch a new token even if a cached one is valid.
        #[arg(long)]
        force_refresh: bool,
        /// Milliseconds to wait at most (up to the server's token budget); while IMS is
        /// failing, its reason arrives within them.
        #[arg(long)]
        timeout_ms: Option<u64>,
    },
}

/// `imsbridge users …` (directly on the store).
#[derive(Debug, Subcommand)]
pub enum UsersCommand {
    /// Add a user; the password is read from standard input or generated and printed once.
    Add {
        /// User name.
        username: String,
        /// `admin` or `viewer`.
        #[arg(long, default_value = "viewer")]
        role: String,
        /// Read the password from standard input instead of generating one.
        #[arg(long)]
        password_stdin: bool,
        /// A break-glass user: may sign in with a password even when single sign-on has
        /// turned local sign-in off (`sso.allow_local_login = false`).
        #[arg(long)]
        break_glass: bool,
    },
    /// Set a user's password (read from standard input, or generated and printed once).
    Passwd {
        /// User name.
        username: String,
        /// Read the password from standard input instead of generating one.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Remove a user.
    Remove {
        /// User name.
        username: String,
    },
    /// List users.
    List,
}

#[cfg(test)]
mod tests {
    use clap::Parser as _;

    use super::{Cli, Command};

    fn emulator(args: &[&str]) -> Result<u64, String> {
        let argv = [&["imsbridge", "emulator"], args].concat();
        match Cli::try_parse_from(argv) {
            Ok(Cli {
                command: Command::Emulator(a),
                ..
            }) => Ok(a.token_lifetime_secs),
            Ok(_) => unreachable!("the emulator command parses as itself"),
            Err(e) => Err(e.to_string()),
        }
    }

    #[test]
    fn the_emulator_token_lifetime_defaults_to_imss_24_hours_and_takes_short_ones() {
        assert_eq!(emulator(&[]), Ok(86_400));
        assert_eq!(emulator(&["--token-lifetime-secs", "30"]), Ok(30));
        assert_eq!(
            emulator(&["--token-lifetime-secs", "31536000"]),
            Ok(31_536_000)
        );
    }

    #[test]
    fn a_zero_negative_or_absurd_token_lifetime_is_refused_with_the_allowed_range() {
        for bad in [
            "0",
            "1",
            "31536001",
            "99999999999999999999",
            "-5",
            "ten",
            "1.5",
        ] {
            let err = emulator(&[&format!("--token-lifetime-secs={bad}")]).unwrap_err();
            assert!(err.contains("--token-lifetime-secs"), "{bad}: {err}");
            let explains = err.contains("between 2 seconds and 31536000 seconds")
                || err.contains("is not a whole number of seconds");
            assert!(explains, "{bad}: {err}");
        }
    }
}
