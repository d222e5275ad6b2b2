use reqwest::Method;
use serde_json::json;

use crate::cli::{OutputFormat, TokenCommand};
use crate::commands::remote::Remote;

/// `imsbridge token get`: prints an integration's access token.
pub async fn run(command: TokenCommand) -> anyhow::Result<()> {
    let TokenCommand::Get {
        remote,
        output,
        name,
        min_validity,
        force_refresh,
        timeout_ms,
    } = command;
    let api = Remote::new(&remote)?;
    let body = json!({
        "min_validity": min_validity,
        "force_refresh": force_refresh,
        "timeout_ms": timeout_ms,
    });
    let answer = api
        .call(
            Method::POST,
            &format!("/api/v1/integrations/{name}/token"),
            &[],
            Some(&body),
            None,
        )
        .await?;
    match output {
        OutputFormat::Json => println!("{}", serde_json::to_string_pretty(&answer)?),
        // The bare token, so that `$(imsbridge token get target)` works in scripts.
        OutputFormat::Table => println!("{}", answer["access_token"].as_str().unwrap_or_default()),
    }
    Ok(())
}
