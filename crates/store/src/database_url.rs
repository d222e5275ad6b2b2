use std::fmt;
use std::path::Path;
use std::str::FromStr;

use crate::StoreError;

/// Where the database lives: `sqlite://…` or `postgres://…`.
///
/// `Debug` and `Display` hide any password, so the URL can be logged as it is.
#[derive(Clone, PartialEq, Eq)]
pub struct DatabaseUrl(url::Url);

/// Which database a [`DatabaseUrl`] points at.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum DatabaseKind {
    /// A SQLite file.
    Sqlite,
    /// A PostgreSQL server.
    Postgres,
}

impl DatabaseUrl {
    /// Parses a `sqlite:` or `postgres:`/`postgresql:` URL.
    pub fn parse(raw: &str) -> Result<Self, StoreError> {
        let url = url::Url::parse(raw.trim()).map_err(|e| {
            StoreError::InvalidUrl(format!(
                "{e}; use sqlite:///path/to/imsbridge.db or postgres://user@host:5432/imsbridge"
            ))
        })?;
        let this = Self(url);
        this.kind()?;
        Ok(this)
    }

    /// The URL of a SQLite database file, created if missing.
    pub fn sqlite_file(path: &Path) -> Result<Self, StoreError> {
        let absolute = std::path::absolute(path).map_err(|e| {
            StoreError::InvalidUrl(format!("{} cannot be resolved: {e}", path.display()))
        })?;
        let mut url = url::Url::from_file_path(&absolute).map_err(|()| {
            StoreError::InvalidUrl(format!("{} is not a usable path", absolute.display()))
        })?;
        url.set_query(Some("mode=rwc"));
        // `Url` refuses to change a special scheme such as `file` into `sqlite`, so rebuild it.
        Self::parse(&url.as_str().replacen("file:", "sqlite:", 1))
    }

    /// Which database this is.
    pub fn kind(&self) -> Result<DatabaseKind, StoreError> {
        match self.0.scheme() {
            "sqlite" => Ok(DatabaseKind::Sqlite),
            "postgres" | "postgresql" => Ok(DatabaseKind::Postgres),
            other => Err(StoreError::InvalidUrl(format!(
                "scheme {other:?} is not supported; use sqlite: or postgres:"
            ))),
        }
    }

    /// The full URL, password included; only for handing to the database driver.
    pub fn expose_secret(&self) -> &str {
        self.0.as_str()
    }

    /// A copy pointing at another database on the same PostgreSQL server (tests, admin tools).
    #[must_use]
    pub fn with_database(&self, database: &str) -> Self {
        let mut url = self.0.clone();
        url.set_path(&format!("/{database}"));
        Self(url)
    }

    fn redacted(&self) -> url::Url {
        let mut url = self.0.clone();
        if url.password().is_some() {
            // Cannot fail: a URL with a password has a host.
            let _ = url.set_password(Some("********"));
        }
        url
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("DatabaseUrl")
            .field(&self.redacted().as_str())
            .finish()
    }
}

impl fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.redacted().as_str())
    }
}

impl FromStr for DatabaseUrl {
    type Err = StoreError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<String> for DatabaseUrl {
    type Error = StoreError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl<'de> serde::Deserialize<'de> for DatabaseUrl {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Self::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_postgres_password_is_never_printed() {
        let url =
            DatabaseUrl::parse("postgres://admin:hunter2@db.internal:5432/imsbridge").unwrap();
        assert!(!format!("{url}").contains("hunter2"));
        assert!(!format!("{url:?}").contains("hunter2"));
        assert!(url.expose_secret().contains("hunter2"));
        assert_eq!(url.kind().unwrap(), DatabaseKind::Postgres);
    }

    #[test]
    fn a_sqlite_file_url_is_absolute_and_created_on_demand() {
        let url = DatabaseUrl::sqlite_file(Path::new("/tmp/x y/imsbridge.db")).unwrap();
        assert_eq!(url.kind().unwrap(), DatabaseKind::Sqlite);
        assert!(
            url.expose_secret()
                .starts_with("sqlite:///tmp/x%20y/imsbridge.db")
        );
        assert!(url.expose_secret().ends_with("mode=rwc"));
    }

    #[test]
    fn other_schemes_are_refused() {
        assert!(DatabaseUrl::parse("mysql://x@y/z").is_err());
        assert!(DatabaseUrl::parse("not a url").is_err());
    }
}
