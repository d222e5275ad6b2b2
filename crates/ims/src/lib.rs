//! The Adobe IMS client and token service of imsbridge.
//!
//! [`ImsClient`] speaks the two grants IMS offers server-to-server integrations: OAuth client
//! credentials (`/ims/token/v3`) and, for configurations not yet migrated, the JWT exchange
//! (`/ims/exchange/jwt`). [`TokenProvider`] puts a cache in front of it: one token per
//! configuration revision, refreshed in the background before it expires, one upstream
//! fetch at a time per token (single flight, detached from its callers), a budget per caller
//! within which it always answers with IMS's own reason, retries with backoff for transient
//! failures, throttling (`429 Retry-After`) remembered per client, a circuit breaker per
//! authorization server that notices a recovered IMS within about two seconds, and permanent
//! failures remembered briefly per configuration revision.
//!
//! Secrets (client secrets, private keys, access tokens) are [`secrecy::SecretString`]s and
//! never appear in any `Debug`, `Display` or error text of this crate.
//!
//! ```no_run
//! # async fn example(config: imsbridge_domain::IntegrationConfig) -> Result<(), Box<dyn std::error::Error>> {
//! use std::sync::Arc;
//! use imsbridge_domain::{ExposeSecret, SystemClock};
//! use imsbridge_ims::{ImsClient, ProviderOptions, TokenProvider, TokenRequest};
//!
//! // Install the metrics recorder first: per-configuration handles are registered on first use.
//! imsbridge_ims::metrics::describe();
//! let provider = TokenProvider::new(
//!     ImsClient::with_defaults()?,
//!     Arc::new(SystemClock),
//!     ProviderOptions::default(),
//! );
//! let token = provider.token(&config, TokenRequest::new()).await?;
//! let header = format!("Bearer {}", token.token.expose_secret());
//! # drop(header);
//! # Ok(())
//! # }
//! ```

mod acquire;
mod breaker;
mod client;
mod entry;
mod error;
mod fleet;
mod flight;
mod gate;
pub mod io_management;
mod jwt;
pub mod metrics;
mod provider;
mod retry;
mod shared;
mod throttle;
mod token;

pub use breaker::BreakerPolicy;
pub use client::{ClientBuildError, ImsClient, ImsClientOptions};
pub use error::{ImsError, TokenError, whole_seconds};
pub use io_management::{
    CredentialRef, DEFAULT_IO_MANAGEMENT_URL, IO_MANAGEMENT_SCOPES, IoManagementClient,
    IoManagementError, NewSecret, SecretInfo,
};
pub use jwt::build_assertion;
pub use provider::{ProviderOptions, ProviderStats, TokenProvider};
pub use retry::{ClockSleeper, RetryPolicy, Sleeper, TokioSleeper};
pub use shared::{FetchLease, Lease, SharedTokenCache};
pub use throttle::Throttling;
pub use token::{AccessToken, Grant, SharedSecret, TokenRequest};
