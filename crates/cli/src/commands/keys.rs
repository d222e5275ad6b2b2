use imsbridge_store::{AuditContext, RotateOptions};

use crate::cli::KeysCommand;
use crate::commands::open;
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
            println!("Active master key: {}", report.new_key_id);
            println!(
                "Sealed again: {} configuration(s), {} cached token(s).",
                report.configs_reencrypted, report.tokens_reencrypted
            );
            if report.retired_key_ids.is_empty() {
                println!(
                    "Previous keys kept in the key file: {}. Run `imsbridge keys retire` once every replica has restarted.",
                    report.previous_key_ids.join(", ")
                );
            } else {
                println!("Retired keys: {}", report.retired_key_ids.join(", "));
            }
        }
        KeysCommand::Retire => {
            let retired = store.retire_old_keys().await?;
            if retired.is_empty() {
                println!(
                    "No key could be retired: every key in the file still seals something, or only the active key is left."
                );
            } else {
                println!("Retired keys: {}", retired.join(", "));
            }
        }
    }
    store.close().await;
    Ok(())
}
