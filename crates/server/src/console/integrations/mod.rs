//! Tools › Security › Adobe IMS Integrations: the list, Create, Properties (OAuth editable,
//! JWT read-only with the Authentication Type switch), Save & Close, Check Health, Delete.
//!
//! Every change is an operation of the service layer; these files only turn forms into the
//! operations' inputs and their errors back into forms.

mod deleting;
mod form;
mod list;
mod properties;
mod rotation;
mod saving;

use axum::http::StatusCode;
use axum::response::Response;
use imsbridge_domain::IntegrationConfig;
use imsbridge_service::ServiceError;

pub use deleting::{confirm_delete, delete};
pub use list::{check_health, list, selection};
pub use properties::properties;
pub use rotation::{SecretsPanel, rotate_secret};
pub use saving::{create, new_form, save};

use super::Console;
use crate::state::AppState;

/// The configuration named in the URL, or the page that says why not (a name that cannot
/// exist is simply not found).
async fn load(
    state: &AppState,
    console: &Console,
    raw: &str,
) -> Result<IntegrationConfig, Response> {
    state
        .services
        .get_integration(&console.caller, raw)
        .await
        .map_err(|e| match e {
            ServiceError::Invalid(_) => console.error_page(
                StatusCode::NOT_FOUND,
                console.t().get("not_found").to_owned(),
            ),
            other => console.service_error_page(other),
        })
}
