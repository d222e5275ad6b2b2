use imsbridge_store::DatabaseKind;

use crate::cli::DbCommand;
use crate::commands::open;
use crate::say;
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
            say::print("cli_database_up_to_date", &[("kind", kind.into())]);
            store.close().await;
            Ok(())
        }
    }
}
