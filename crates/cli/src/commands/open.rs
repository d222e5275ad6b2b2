//! Opening the store and the token provider the way every command does.

use std::sync::Arc;

use anyhow::Context as _;
use chrono::{DateTime, Utc};
use futures::future::BoxFuture;
use imsbridge_domain::{ConfigId, Revision, SecretString, SystemClock};
use imsbridge_ims::{AccessToken, ImsClient, ProviderOptions, SharedTokenCache, TokenProvider};
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

/// A token provider with the configured IMS client options and token budget, and the
/// system clock.
///
/// On PostgreSQL, where several replicas share one database, access tokens are shared
/// through the store so that the replicas do not each ask IMS for the same token.
pub fn provider(settings: &Settings, store: &Store) -> anyhow::Result<TokenProvider> {
    let client = ImsClient::new(&settings.ims.client_options())?;
    let mut options = ProviderOptions {
        token_budget: settings.ims.token_budget(),
        ..ProviderOptions::default()
    };
    if store.database_kind() == DatabaseKind::Postgres {
        options.shared_cache = Some(Arc::new(StoreTokenCache(store.clone())));
    }
    Ok(TokenProvider::new(client, Arc::new(SystemClock), options))
}

/// Access tokens shared between replicas through the store's encrypted token cache.
#[derive(Debug)]
struct StoreTokenCache(Store);

impl SharedTokenCache for StoreTokenCache {
    fn load(
        &self,
        id: ConfigId,
        revision: Revision,
    ) -> BoxFuture<'_, Option<(SecretString, DateTime<Utc>)>> {
        Box::pin(async move {
            match self.0.get_cached_token(id, revision).await {
                Ok(found) => found,
                Err(e) => {
                    // The cache is an optimisation: on failure IMS is asked instead.
                    tracing::warn!(error = %e, config = %id, "could not read the shared token cache");
                    None
                }
            }
        })
    }

    fn save<'a>(
        &'a self,
        id: ConfigId,
        revision: Revision,
        token: &'a AccessToken,
    ) -> BoxFuture<'a, ()> {
        Box::pin(async move {
            if let Err(e) = self
                .0
                .put_cached_token(
                    id,
                    revision,
                    token.token.as_secret_string(),
                    token.expires_at,
                )
                .await
            {
                tracing::warn!(error = %e, config = %id, "could not write the shared token cache");
            }
        })
    }
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
