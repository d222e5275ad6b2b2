//! The test kit: one helper per resource a test needs, each cleaned up when the test ends,
//! even when it fails or panics.
//!
//! - [`TestDatabase`]: a fresh PostgreSQL database on the server `TEST_POSTGRES_URL` names,
//!   dropped when the guard drops; databases left by a killed test are swept once stale.
//! - [`TestData`]: a data directory and, on PostgreSQL, a database of its own, opened as the
//!   CLI opens it.
//! - [`TestApp`]: the server on port 0 over a [`TestData`], with the IMS emulator, an admin
//!   token and request helpers; [`on_both_backends!`] runs a case on each database.

mod app;
mod data;
mod postgres;

pub use app::{ADMIN_PASSWORD, Backend, Replica, Session, TestApp, assert_error, json_of};
pub use data::TestData;
pub use postgres::{PREFIX, STALE_AFTER, TestDatabase, URL_VAR, admin_url, sweep};
