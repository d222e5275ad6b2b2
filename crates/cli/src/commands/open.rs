//! Opening the store and the token provider the way every command does.

use std::sync::Arc;

use anyhow::Context as _;
use imsbridge_domain::{SecretString, SystemClock};
use imsbridge_ims::{ImsClient, SharedTokenCache, TokenProvider};
use imsbridge_server::fleet::Fleet;
use imsbridge_store::{DatabaseKind, DatabaseUrl, MASTER_KEY_ENV, Store};

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

/// A token provider with the configured IMS client options, token budget and refresh
/// timing, and the system clock.
///
/// On PostgreSQL, where several replicas share one database, it is a member of the fleet
/// (returned too, for `serve` to start): a cold token is fetched once for every replica, and
/// access tokens are shared through the store.
pub fn provider_in_fleet(
    settings: &Settings,
    store: &Store,
) -> anyhow::Result<(TokenProvider, Option<Arc<Fleet>>)> {
    let client = ImsClient::new(&settings.ims.client_options())?;
    let mut options = settings.ims.provider_options();
    let fleet =
        (store.database_kind() == DatabaseKind::Postgres).then(|| Fleet::new(store.clone()));
    if let Some(fleet) = &fleet {
        options.shared_cache = Some(Arc::clone(fleet) as Arc<dyn SharedTokenCache>);
    }
    Ok((
        TokenProvider::new(client, Arc::new(SystemClock), options),
        fleet,
    ))
}

/// Like [`provider_in_fleet`], for commands that run once and take no part in elections.
pub fn provider(settings: &Settings, store: &Store) -> anyhow::Result<TokenProvider> {
    Ok(provider_in_fleet(settings, store)?.0)
}

/// The service layer over `store`, for the commands that work offline on the store: they
/// call the same operations as the API and the console, as the local `cli` admin.
pub fn services(
    settings: &Settings,
    store: &Store,
) -> anyhow::Result<(imsbridge_service::Services, imsbridge_service::Caller)> {
    let provider = provider(settings, store)?;
    let services = imsbridge_service::Services::new(
        store.clone(),
        provider,
        Arc::new(SystemClock),
        Arc::new(imsbridge_service::hashing::HashPool::new(1, 64)),
        imsbridge_service::Policy {
            allow_unverified_migration: settings.server.allow_unverified_migration,
            api_token_default_ttl_days: settings.server.api_token_default_ttl_days,
            api_token_max_ttl_days: settings.server.api_token_max_ttl_days,
        },
    );
    let caller = imsbridge_service::Caller::new(imsbridge_service::Principal::User {
        id: uuid::Uuid::nil(),
        username: "cli".to_owned(),
        role: imsbridge_store::Role::Admin,
    });
    Ok((services, caller))
}
