//! Opening the store and the token provider the way every command does.

use std::sync::Arc;

use anyhow::Context as _;
use imsbridge_domain::{SecretString, SystemClock};
use imsbridge_ims::{ImsClient, ProviderOptions, TokenProvider};
use imsbridge_store::{DatabaseUrl, MASTER_KEY_ENV, Store};

use crate::settings::Settings;

/// Opens (and migrates) the store named by the settings: the database URL if one is set,
/// otherwise SQLite in the data directory; the master key from the environment or the data
/// directory's key file.
pub async fn store(settings: &Settings) -> anyhow::Result<Store> {
    let url = settings
        .database_url
        .as_deref()
        .map(DatabaseUrl::parse)
        .transpose()
        .context("the database_url setting is not usable")?;
    let master_key = std::env::var(MASTER_KEY_ENV).ok().map(SecretString::from);
    let dir = settings.ensure_data_dir()?;
    Store::open_data_dir(dir, url.as_ref(), master_key)
        .await
        .with_context(|| format!("could not open the store in {}", dir.display()))
}

/// A token provider with the configured IMS client options and the system clock.
pub fn provider(settings: &Settings) -> anyhow::Result<TokenProvider> {
    let client = ImsClient::new(&settings.ims.client_options())?;
    Ok(TokenProvider::new(
        client,
        Arc::new(SystemClock),
        ProviderOptions::default(),
    ))
}
