//! API tests: every route, role and error, on SQLite and (with `TEST_POSTGRES_URL`)
//! PostgreSQL, against the IMS emulator.

mod common;

mod auth;
mod connections;
mod faults;
mod hardening;
mod http;
mod integrations;
mod login_flood;
mod migration;
mod secrets;
mod tokens;
mod validation;
