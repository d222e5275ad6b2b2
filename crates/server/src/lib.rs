//! The imsbridge HTTP server: the admin API (`/api/v1`), the token API for integrations,
//! `/metrics`, `/healthz`, `/readyz` and the OpenAPI document; the web console (`console`)
//! is added to the same router and shares [`AppState`], sessions and CSRF.
//!
//! Entry points: [`run`] (bootstrap the first admin, serve until Ctrl-C/SIGTERM), or
//! [`Application::build`] + [`Application::run_until_stopped`] for more control (tests).

pub mod api;
pub mod auth;
pub mod bootstrap;
pub mod connection;
pub mod console;
pub mod error;
pub mod extract;
pub mod fleet;
pub mod http;
pub mod import_upload;
pub mod openapi;
pub mod readiness_chart;
pub mod serve;
pub mod settings;
pub mod startup;
pub mod state;
pub mod telemetry;

use std::sync::Arc;

use imsbridge_domain::{ExposeSecret, SystemClock};
use imsbridge_ims::TokenProvider;
use imsbridge_store::Store;

pub use bootstrap::{OneTimePassword, bootstrap_admin};
pub use error::{ApiError, ServerError};
pub use imsbridge_service::integrations::{MigrationError, MigrationRequest, migrate};
pub use imsbridge_service::{bulk, readiness};
pub use settings::{Settings, TlsSettings};
pub use startup::{Application, Dependencies, router};
pub use state::AppState;
pub use telemetry::{LogFilter, LogFormat};

/// Creates the first admin if the store has no users (printing a one-time password once to
/// standard error), then serves until Ctrl-C or SIGTERM.
pub async fn run(
    settings: Settings,
    store: Store,
    provider: TokenProvider,
) -> Result<(), ServerError> {
    raise_open_files_limit();
    if let Some(otp) = bootstrap_admin(&store, settings.bootstrap_admin_password.as_ref()).await? {
        // Printed, not logged: log files are kept and shipped; this must be seen once.
        eprintln!(
            "\n  Created the first admin user.\n    user name: {}\n    password:  {}\n  This password is shown only once; log in and change it (POST /api/v1/me/password).\n",
            otp.username,
            otp.password.expose_secret()
        );
    }
    let app = Application::build(
        settings,
        Dependencies {
            store,
            provider,
            clock: Arc::new(SystemClock),
        },
    )
    .await?;
    app.run_until_stopped().await
}

/// Raises the soft open-files limit to the hard one, so that connections are not refused for
/// want of file descriptors, and logs the limit in force.
pub fn raise_open_files_limit() {
    match connection::raise_open_files_limit() {
        Ok(limit) => tracing::info!(limit, "open files limit"),
        Err(e) => tracing::warn!(
            error = %e,
            limit = connection::open_files_limit().unwrap_or(0),
            "could not raise the open files limit"
        ),
    }
}
