use imsbridge_store::{AuditContext, RotateOptions};

use crate::cli::KeysCommand;
use crate::commands::open;
use crate::say;
use crate::settings::Settings;

/// `imsbridge keys …`
pub async fn run(command: KeysCommand, settings: &Settings) -> anyhow::Result<()> {
    let store = open::store(settings).await?;
    let audit = AuditContext::actor("cli");
    match command {
        KeysCommand::Rotate {
            retire_old_keys,
            batch_size,
        } => {
            let report = store
                .rotate_keys(
                    &RotateOptions {
                        batch_size,
                        retire_old_keys,
                    },
                    &audit,
                )
                .await?;
            println!(
                "{}",
                say::fmt(
                    "cli_key_active",
                    &[("key", report.new_key_id.as_str().into())]
                )
            );
            println!(
                "{}",
                say::fmt(
                    "cli_key_resealed",
                    &[
                        ("configs", report.configs_reencrypted.into()),
                        ("tokens", report.tokens_reencrypted.into()),
                    ],
                )
            );
            if report.retired_key_ids.is_empty() {
                let keys = report.previous_key_ids.join(", ");
                println!(
                    "{}",
                    say::fmt("cli_key_previous_kept", &[("keys", keys.into())])
                );
            } else {
                let keys = report.retired_key_ids.join(", ");
                println!("{}", say::fmt("cli_key_retired", &[("keys", keys.into())]));
            }
        }
        KeysCommand::Retire => {
            let retired = store.retire_old_keys().await?;
            if retired.is_empty() {
                println!("{}", say::text("cli_key_none_retired"));
            } else {
                let keys = retired.join(", ");
                println!("{}", say::fmt("cli_key_retired", &[("keys", keys.into())]));
            }
        }
    }
    store.close().await;
    Ok(())
}
