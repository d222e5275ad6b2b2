use crate::cli::DbCommand;
use crate::commands::open;
use crate::settings::Settings;

/// `imsbridge db …`
pub async fn run(command: DbCommand, settings: &Settings) -> anyhow::Result<()> {
    match command {
        DbCommand::Migrate => {
            // Opening the store applies every pending migration and checks the master key.
            let store = open::store(settings).await?;
            println!("The {:?} database is up to date.", store.database_kind());
            store.close().await;
            Ok(())
        }
    }
}
