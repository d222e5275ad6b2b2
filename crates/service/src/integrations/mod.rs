//! Integration configurations: list, read, create (OAuth only), update (OAuth only, at the
//! revision read), delete, migrate JWT → OAuth, Check Health, and reading a Developer Console
//! project JSON.

mod console_fields;
mod input;
pub mod migrate;
mod read;
mod verify;
mod write;

pub use input::{
    CreateIntegration, MigrateIntegration, ParseProjectJson, StringList, UpdateIntegration,
    check_secret, jwt_client_secret,
};
pub use migrate::{MigrationError, MigrationRequest, migrate};
pub use read::IntegrationFilter;

use imsbridge_domain::{IntegrationConfig, Name};

use crate::error::{Resource, ServiceError};
use crate::views::{HealthView, IntegrationSummaryView, IntegrationView};
use crate::{Caller, Services};

impl Services {
    /// The view of a configuration, with IMS's throttling of its client.
    pub fn integration_view(&self, config: &IntegrationConfig) -> IntegrationView {
        let mut view = IntegrationView::from(config);
        let throttling = self
            .provider
            .throttling(&config.authorization_server, config.client_id());
        view.health = HealthView::with_throttling(view.health, throttling.as_ref());
        view
    }

    /// The list view of a configuration, with IMS's throttling of its client.
    pub fn integration_summary_view(
        &self,
        summary: imsbridge_store::ConfigSummary,
    ) -> IntegrationSummaryView {
        let throttling = self
            .provider
            .throttling(&summary.authorization_server, &summary.client_id);
        let mut view = IntegrationSummaryView::from(summary);
        view.health = HealthView::with_throttling(view.health, throttling.as_ref());
        view
    }

    /// Reads configuration `raw_name`.
    pub async fn get_integration(
        &self,
        caller: &Caller,
        raw_name: &str,
    ) -> Result<IntegrationConfig, ServiceError> {
        caller.require_read()?;
        let name = Name::parse(raw_name)?;
        self.load_integration(&name).await
    }

    pub(crate) async fn load_integration(
        &self,
        name: &Name,
    ) -> Result<IntegrationConfig, ServiceError> {
        self.store
            .get_config(name)
            .await?
            .ok_or_else(|| ServiceError::not_found(Resource::Integration, name))
    }

    /// The configuration as the store now holds it (timestamps at the store's precision), so
    /// that a write answers exactly what a later read shows.
    pub(crate) async fn stored(
        &self,
        written: IntegrationConfig,
    ) -> Result<IntegrationConfig, ServiceError> {
        Ok(self
            .store
            .get_config_by_id(written.id)
            .await?
            .unwrap_or(written))
    }
}
