//! `imsbridge agent`: keeps access token files fresh for programs that only read files.
//!
//! Each `[[output]]` of the agent's TOML file gets its own task: it fetches the
//! integration's token from imsbridge's token API, writes the file atomically (mode 0600)
//! when the token changed, runs `exec`, and renews ahead of expiry. While imsbridge cannot be
//! reached it keeps the file as long as the token is valid and retries with backoff. A bad
//! configuration stops it at once with a non-zero exit; otherwise it runs until SIGTERM or
//! Ctrl-C.

mod client;
mod config;
mod output;
mod schedule;
mod worker;

use std::sync::Arc;

use crate::cli::AgentArgs;

pub use config::AgentConfig;

/// Runs the agent until it is stopped.
pub async fn run(args: AgentArgs) -> anyhow::Result<()> {
    let config = AgentConfig::load(&args.agent_config)?;
    let client = Arc::new(client::Client::new(&config)?);
    let signal = imsbridge_server::serve::StopSignal::listen();
    let (stop, stopping) = tokio::sync::watch::channel(false);
    let mut tasks = tokio::task::JoinSet::new();
    for output in config.outputs.clone() {
        tasks.spawn(worker::run(
            output,
            Arc::clone(&client),
            config.max_backoff,
            stopping.clone(),
        ));
    }
    tracing::info!(
        addr = %config.addr,
        outputs = config.outputs.len(),
        "imsbridge agent started"
    );
    signal.recv().await;
    tracing::info!("stopping the imsbridge agent");
    let _ = stop.send(true);
    while tasks.join_next().await.is_some() {}
    Ok(())
}
