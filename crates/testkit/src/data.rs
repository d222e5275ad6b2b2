//! A data directory and, on PostgreSQL, a database of its own.

use std::path::Path;

use imsbridge_store::{DatabaseKind, DatabaseUrl, Store};

use crate::TestDatabase;

/// What a store needs for one test: a data directory (the SQLite file, the key file) and, on
/// PostgreSQL, a fresh database, dropped with this value.
#[derive(Debug)]
pub struct TestData {
    kind: DatabaseKind,
    dir: tempfile::TempDir,
    database: Option<TestDatabase>,
}

impl TestData {
    /// The kinds of database tests run on: SQLite always, PostgreSQL too when
    /// `TEST_POSTGRES_URL` is set.
    pub fn kinds() -> Vec<DatabaseKind> {
        let mut kinds = vec![DatabaseKind::Sqlite];
        if crate::admin_url().is_some() {
            kinds.push(DatabaseKind::Postgres);
        }
        kinds
    }

    /// A fresh data directory, with a fresh database on PostgreSQL; `None` when PostgreSQL is
    /// asked for and `TEST_POSTGRES_URL` is unset.
    ///
    /// # Panics
    /// When the directory or the database cannot be made.
    pub async fn new(kind: DatabaseKind) -> Option<Self> {
        let database = match kind {
            DatabaseKind::Sqlite => None,
            DatabaseKind::Postgres => Some(TestDatabase::create().await?),
        };
        Some(Self {
            kind,
            dir: tempfile::tempdir().expect("a temporary data directory"),
            database,
        })
    }

    /// The kind of database.
    pub fn kind(&self) -> DatabaseKind {
        self.kind
    }

    /// The data directory.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// The PostgreSQL database's URL; `None` on SQLite, whose file is in the data directory.
    pub fn url(&self) -> Option<DatabaseUrl> {
        self.database.as_ref().map(TestDatabase::url)
    }

    /// Opens the store as the CLI does.
    ///
    /// # Panics
    /// When the store cannot be opened.
    pub async fn store(&self) -> Store {
        Store::open_data_dir(self.dir(), self.url().as_ref(), None)
            .await
            .expect("the test store opens")
    }
}
