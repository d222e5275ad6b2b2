//! The `imsbridge` command line: parses arguments, loads layered settings and runs a command.

mod cli;
mod commands;
mod say;
mod settings;

use std::process::ExitCode;

use clap::Parser;

pub use cli::Cli;
pub use settings::Settings;

/// Runs the command line with the process's arguments and returns its exit code.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            let e = anyhow::Error::from(e).context(say::text("cli_runtime_failed"));
            eprintln!("{}", say::error_line(&e));
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(commands::run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // One line: "what failed: because …", in the reader's language.
            eprintln!("{}", say::error_line(&e));
            ExitCode::FAILURE
        }
    }
}
