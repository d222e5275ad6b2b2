//! A local stand-in for Adobe IMS and the Developer Console's credential side,
//! wire-compatible with Adobe's own client libraries, with fault injection.
//!
//! Run it as `imsbridge emulator --listen 127.0.0.1:PORT` ([`serve`]) or embed it in
//! tests with [`Emulator::spawn`]. The routes are documented in the crate's README.

mod clock;
mod console;
mod credentials;
mod error;
mod faults;
mod handle;
mod ids;
mod ims;
mod io_management;
mod keys;
mod listener;
mod model;
mod oidc;
mod secrets;
mod server;
mod signin_page;
mod state;
mod tokens;
mod user_oauth;
mod users;
mod wire;

pub use clock::ClockMode;
pub use credentials::{IO_MANAGEMENT_API, IO_MANAGEMENT_SCOPES};
pub use error::EmulatorError;
pub use faults::{Endpoint, Fault, FaultRule};
pub use handle::EmulatorHandle;
pub use model::{
    ClientSecretInfo, JwtCredential, OAuthCredential, Org, Project, User, WebCredential,
    scopes_for_metascopes,
};
pub use server::{
    DEFAULT_TOKEN_LIFETIME, Emulator, EmulatorConfig, MAX_TOKEN_LIFETIME, MIN_TOKEN_LIFETIME,
    ServeOptions, check_token_lifetime, serve,
};
pub use state::LoggedRequest;
