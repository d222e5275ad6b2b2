//! API tests: every route, role and error, on SQLite and (with `TEST_POSTGRES_URL`)
//! PostgreSQL, against the IMS emulator.

/// The test kit's harness, under the name the suites use.
mod common {
    pub use imsbridge_testkit::{ADMIN_PASSWORD, Backend, Session, TestApp, assert_error, json_of};
}
pub use imsbridge_testkit::on_both_backends;

mod auth;
mod connections;
mod faults;
mod hardening;
mod http;
mod integrations;
mod login_flood;
mod migration;
mod rotation;
mod secrets;
mod tokens;
mod validation;
mod verification;
