//! A local stand-in for Adobe IMS and the Developer Console's credential side,
//! wire-compatible with Adobe's own client libraries, with fault injection.
//!
//! Run it as `imsbridge emulator --listen 127.0.0.1:PORT` ([`serve`]) or embed it in
//! tests with [`Emulator::spawn`]. The routes are documented in the crate's README.

mod clock;
mod console;
mod error;
mod faults;
mod ids;
mod ims;
mod keys;
mod model;
mod server;
mod state;
mod wire;

pub use clock::ClockMode;
pub use error::EmulatorError;
pub use faults::{Endpoint, Fault, FaultRule};
pub use model::{JwtCredential, OAuthCredential, Org, Project, scopes_for_metascopes};
pub use server::{Emulator, EmulatorConfig, EmulatorHandle, ServeOptions, serve};
pub use state::LoggedRequest;
