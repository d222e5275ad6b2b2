use imsbridge_store::DatabaseKind;

use crate::cli::DbCommand;
use crate::commands::open;
use crate::settings::Settings;

/// `imsbridge db …`
pub async fn run(command: DbCommand, settings: &Settings) -> anyhow::Result<()> {
    match command {
        DbCommand::Migrate => {
            // Opening the store applies every pending migration and checks the master key.
            let store = open::store(settings).await?;
            let kind = match store.database_kind() {
                DatabaseKind::Sqlite => "SQLite",
                DatabaseKind::Postgres => "PostgreSQL",
            };
            println!("The {kind} database is up to date.");
            store.close().await;
            Ok(())
        }
    }
}
