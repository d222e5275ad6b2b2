//! The `imsbridge` command line: parses arguments, loads layered settings and runs a command.

mod cli;
mod commands;
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
            eprintln!("error: could not start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(commands::run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // `{:#}` prints the whole chain on one line: "what failed: because …".
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
