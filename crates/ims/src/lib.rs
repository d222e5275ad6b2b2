//! The Adobe IMS client and token service of imsbridge.
//!
//! [`ImsClient`] speaks the two grants IMS offers server-to-server integrations: OAuth client
//! credentials (`/ims/token/v3`) and, for configurations not yet migrated, the JWT exchange
//! (`/ims/exchange/jwt`). [`TokenProvider`] puts a cache in front of it: one token per
//! configuration revision, refreshed in the background before it expires, one upstream
//! request at a time per token (single flight), retries with backoff for transient failures
//! and a circuit breaker per authorization server.
//!
//! Secrets (client secrets, private keys, access tokens) are [`secrecy::SecretString`]s and
//! never appear in any `Debug`, `Display` or error text of this crate.

mod breaker;
mod client;
mod error;
mod jwt;
pub mod metrics;
mod provider;
mod retry;
mod shared;
mod token;

pub use breaker::BreakerPolicy;
pub use client::{ClientBuildError, ImsClient, ImsClientOptions};
pub use error::{ImsError, TokenError};
pub use jwt::build_assertion;
pub use provider::{ProviderOptions, ProviderStats, TokenProvider};
pub use retry::{ClockSleeper, RetryPolicy, Sleeper, TokioSleeper};
pub use shared::SharedTokenCache;
pub use token::{AccessToken, Grant, SharedSecret, TokenRequest};
