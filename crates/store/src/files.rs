//! The data directory and the SQLite database files, private to the service's user whatever
//! the umask: the directory 0700, the database 0600. SQLite gives its `-wal` and `-shm`
//! files the database file's own mode, so making the database file private before SQLite
//! first opens it makes all three private.
//!
//! Files that already exist are left as they are (an operator may have reasons), but a
//! warning at start-up names every one that other users can read.

use std::io;
use std::path::Path;

/// Creates `dir` (and missing parents) if it does not exist; a directory created here is
/// made 0700 whatever the umask. An existing directory is left as it is.
pub fn create_private_dir(dir: &Path) -> io::Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    std::fs::create_dir_all(dir)?;
    set_mode(dir, 0o700)
}

/// Creates an empty database file at `path` with mode 0600 (whatever the umask) unless one
/// exists, so that SQLite never creates it with its default 0644.
pub(crate) fn create_private_file(path: &Path) -> io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    match options.open(path) {
        // The umask may have taken bits away from the mode asked for: set it exactly.
        Ok(_) => set_mode(path, 0o600),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e),
    }
}

/// Logs a warning for the data directory and each SQLite file of `database` that other
/// users may read or change.
pub(crate) fn warn_if_exposed(dir: &Path, database: Option<&Path>) {
    if let Some(mode) = exposed_mode(dir) {
        tracing::warn!(
            path = %dir.display(),
            mode = %format!("{mode:o}"),
            "the data directory is open to other users; run chmod 700 on it"
        );
    }
    let Some(database) = database else {
        return;
    };
    for suffix in ["", "-wal", "-shm"] {
        let mut name = database.as_os_str().to_owned();
        name.push(suffix);
        let path = Path::new(&name);
        if let Some(mode) = exposed_mode(path) {
            tracing::warn!(
                path = %path.display(),
                mode = %format!("{mode:o}"),
                "the database file is readable by other users; run chmod 600 on it"
            );
        }
    }
}

/// The permission bits of `path` when group or others have any of them.
#[cfg(unix)]
pub(crate) fn exposed_mode(path: &Path) -> Option<u32> {
    use std::os::unix::fs::PermissionsExt as _;
    let mode = std::fs::metadata(path).ok()?.permissions().mode() & 0o777;
    (mode & 0o077 != 0).then_some(mode)
}

#[cfg(not(unix))]
pub(crate) fn exposed_mode(_path: &Path) -> Option<u32> {
    None
}

#[cfg(unix)]
fn set_mode(path: &Path, mode: u32) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
}

#[cfg(not(unix))]
fn set_mode(_path: &Path, _mode: u32) -> io::Result<()> {
    Ok(())
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt as _;

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn a_new_directory_and_database_file_are_private_and_existing_ones_are_kept() {
        let temp = tempfile::tempdir().unwrap();
        let dir = temp.path().join("a/b");
        create_private_dir(&dir).unwrap();
        assert_eq!(mode(&dir), 0o700);
        let db = dir.join("x.db");
        create_private_file(&db).unwrap();
        assert_eq!(mode(&db), 0o600);
        assert_eq!(exposed_mode(&db), None);

        set_mode(&db, 0o644).unwrap();
        std::fs::write(&db, b"kept").unwrap();
        create_private_file(&db).unwrap();
        assert_eq!(std::fs::read(&db).unwrap(), b"kept");
        assert_eq!(exposed_mode(&db), Some(0o644));
        set_mode(&dir, 0o755).unwrap();
        create_private_dir(&dir).unwrap();
        assert_eq!(exposed_mode(&dir), Some(0o755));
    }
}
