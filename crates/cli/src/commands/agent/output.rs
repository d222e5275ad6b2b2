//! Token files: their contents in each format, written atomically with mode 0600.

use std::fs::{File, Permissions};
use std::io::Write as _;
use std::os::unix::fs::PermissionsExt as _;
use std::path::Path;

use imsbridge_domain::{ExposeSecret, SecretString};
use serde_json::json;

use super::config::Format;

/// A token as issued, as far as a file needs it.
pub struct Issued {
    /// The access token.
    pub access_token: SecretString,
    /// `bearer`.
    pub token_type: String,
    /// The server's expiry time, as it wrote it.
    pub expires_at: String,
}

/// The file's bytes for `token` in `format`.
pub fn render(format: &Format, integration: &str, token: &Issued) -> SecretString {
    let t = token.access_token.expose_secret();
    SecretString::from(match format {
        Format::Raw => t.to_owned(),
        Format::Json => {
            let mut s = json!({
                "integration": integration,
                "access_token": t,
                "token_type": token.token_type,
                "expires_at": token.expires_at,
            })
            .to_string();
            s.push('\n');
            s
        }
        Format::Env { name } => {
            // IMS tokens are base64url with dots; anything else is quoted, so that shells,
            // systemd and docker read the same value.
            if t.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'))
            {
                format!("{name}={t}\n")
            } else {
                let quoted = t.replace('\\', "\\\\").replace('"', "\\\"");
                format!("{name}=\"{quoted}\"\n")
            }
        }
    })
}

fn sync_dir(dir: &Path) -> std::io::Result<()> {
    File::open(dir)?.sync_all()
}

/// Replaces `path` with `bytes` so that a reader sees the old file or the new one, never a
/// part: a temporary file in the same folder (mode 0600), fsync, rename, fsync the folder.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut tmp = tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .suffix(".tmp")
        .permissions(Permissions::from_mode(0o600))
        .tempfile_in(dir)?;
    // The umask may have taken bits away, never added any; set the mode plainly anyway.
    tmp.as_file()
        .set_permissions(Permissions::from_mode(0o600))?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    sync_dir(dir)
}

/// Removes a token file that holds an expired token.
pub fn remove(path: &Path) -> std::io::Result<()> {
    match std::fs::remove_file(path) {
        Ok(()) => sync_dir(path.parent().unwrap_or(Path::new("."))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token(t: &str) -> Issued {
        Issued {
            access_token: SecretString::from(t.to_owned()),
            token_type: "bearer".into(),
            expires_at: "2030-01-01T00:00:00Z".into(),
        }
    }

    #[test]
    fn each_format_writes_what_its_readers_expect() {
        let t = token("eyJ.abc-_9");
        assert_eq!(render(&Format::Raw, "x", &t).expose_secret(), "eyJ.abc-_9");
        let json: serde_json::Value =
            serde_json::from_str(render(&Format::Json, "target", &t).expose_secret()).unwrap();
        assert_eq!(
            json,
            json!({"integration": "target", "access_token": "eyJ.abc-_9", "token_type": "bearer", "expires_at": "2030-01-01T00:00:00Z"})
        );
        let env = Format::Env {
            name: "IMS_ACCESS_TOKEN".into(),
        };
        assert_eq!(
            render(&env, "x", &t).expose_secret(),
            "IMS_ACCESS_TOKEN=eyJ.abc-_9\n"
        );
        assert_eq!(
            render(&env, "x", &token("a b\"c")).expose_secret(),
            "IMS_ACCESS_TOKEN=\"a b\\\"c\"\n"
        );
    }

    #[test]
    fn an_atomic_write_leaves_one_owner_only_file_and_no_temporary_files() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.token");
        std::fs::write(&path, "old").unwrap();
        std::fs::set_permissions(&path, Permissions::from_mode(0o644)).unwrap();
        write_atomically(&path, b"new").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new");
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["t.token"]);
        remove(&path).unwrap();
        remove(&path).unwrap();
        assert!(!path.exists());
    }
}
