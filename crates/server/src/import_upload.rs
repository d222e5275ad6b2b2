//! Uploaded files for a file import: the limits every front end applies (at most
//! [`MAX_FILES`] files of at most [`MAX_FILE_BYTES`] each, all within the request limit), and
//! the console's staging area, which keeps an upload on the server between its preview and
//! its import so that the files' secrets never travel back to the browser.

use std::collections::{BTreeSet, HashMap};
use std::path::PathBuf;
use std::sync::Mutex;

use chrono::{DateTime, Duration, Utc};
use imsbridge_interop::{ImportFormat, ImportPreview};
use rand::RngCore;
use secrecy::{ExposeSecret, SecretString};
use uuid::Uuid;

/// The most files one import reads.
pub const MAX_FILES: usize = 1_000;
/// The largest file one import reads, in bytes.
pub const MAX_FILE_BYTES: usize = 1024 * 1024;
/// The longest path a file may be named by.
pub const MAX_PATH_CHARS: usize = 1_024;

/// An upload refused, naming the field at fault.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadError {
    /// `files`, `files[3].path`, `files[3].content`.
    pub field: String,
    /// What is wrong and how to fix it. Never holds a file's content.
    pub message: String,
}

impl UploadError {
    fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// Checks uploaded `(path, content)` pairs against the limits: at least one file, at most
/// [`MAX_FILES`], each at most [`MAX_FILE_BYTES`], together at most `total_limit` bytes,
/// every path given once.
pub fn check_files(
    files: Vec<(String, SecretString)>,
    total_limit: usize,
) -> Result<Vec<(PathBuf, String)>, UploadError> {
    if files.is_empty() {
        return Err(UploadError::new(
            "files",
            "files: give at least one file as {\"path\", \"content\"}",
        ));
    }
    if files.len() > MAX_FILES {
        return Err(UploadError::new(
            "files",
            format!(
                "files: {} files is more than {MAX_FILES}; import them in smaller batches",
                files.len()
            ),
        ));
    }
    let mut seen = BTreeSet::new();
    let mut total = 0usize;
    let mut out = Vec::with_capacity(files.len());
    for (i, (path, content)) in files.into_iter().enumerate() {
        let path = path.trim();
        if path.is_empty() || path.chars().count() > MAX_PATH_CHARS || path.contains('\0') {
            return Err(UploadError::new(
                format!("files[{i}].path"),
                format!("files[{i}].path: give the file's path, 1 to {MAX_PATH_CHARS} characters"),
            ));
        }
        if !seen.insert(path.to_owned()) {
            return Err(UploadError::new(
                format!("files[{i}].path"),
                format!("files[{i}].path: {path:?} is given twice; send each file once"),
            ));
        }
        let content = content.expose_secret();
        if content.len() > MAX_FILE_BYTES {
            return Err(UploadError::new(
                format!("files[{i}].content"),
                format!(
                    "files[{i}].content: {path:?} is {} bytes, more than the {MAX_FILE_BYTES} a file may have",
                    content.len()
                ),
            ));
        }
        total += content.len();
        if total > total_limit {
            return Err(UploadError::new(
                "files",
                format!(
                    "files: together they are more than {total_limit} bytes, the request limit; import them in smaller batches"
                ),
            ));
        }
        out.push((PathBuf::from(path), content.to_owned()));
    }
    Ok(out)
}

/// How long a staged upload waits for its import.
pub const STAGING_LIFETIME: Duration = Duration::minutes(10);
/// The most uploads staged at once (one per session).
pub const STAGING_MAX_ENTRIES: usize = 64;
/// The most bytes staged at once.
pub const STAGING_MAX_BYTES: usize = 32 * 1024 * 1024;

/// An upload waiting between its preview and its import.
pub struct Staged {
    /// The session that uploaded it.
    pub user_id: Uuid,
    /// The session's start, which tells it from the same user's other sessions.
    pub session_started: DateTime<Utc>,
    /// The format.
    pub format: ImportFormat,
    /// The files.
    pub files: Vec<(PathBuf, String)>,
    /// The variables file's text.
    pub vars: Option<SecretString>,
    /// Whether existing configurations are overwritten.
    pub update: bool,
    /// The preview shown: the import applies exactly it.
    pub preview: ImportPreview,
    /// When it was staged.
    pub staged_at: DateTime<Utc>,
}

impl Staged {
    fn bytes(&self) -> usize {
        self.files
            .iter()
            .map(|(p, c)| p.as_os_str().len() + c.len())
            .sum::<usize>()
            + self.vars.as_ref().map_or(0, |v| v.expose_secret().len())
    }

    fn belongs_to(&self, user_id: Uuid, session_started: DateTime<Utc>) -> bool {
        self.user_id == user_id && self.session_started == session_started
    }
}

impl std::fmt::Debug for Staged {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Staged")
            .field("user_id", &self.user_id)
            .field("format", &self.format)
            .field("files", &self.files.len())
            .field("staged_at", &self.staged_at)
            .finish_non_exhaustive()
    }
}

/// Why an upload could not be staged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StagingFull {
    /// Too many uploads wait already.
    Entries,
    /// The uploads waiting hold too many bytes.
    Bytes,
}

/// Uploads waiting for their import, in memory, bounded in count and bytes, each for at
/// most [`STAGING_LIFETIME`] and only for the session that uploaded it.
#[derive(Debug)]
pub struct Staging {
    entries: Mutex<HashMap<String, Staged>>,
    max_entries: usize,
    max_bytes: usize,
}

impl Default for Staging {
    fn default() -> Self {
        Self::new(STAGING_MAX_ENTRIES, STAGING_MAX_BYTES)
    }
}

impl Staging {
    /// A staging area holding at most `max_entries` uploads and `max_bytes` bytes.
    pub fn new(max_entries: usize, max_bytes: usize) -> Self {
        Self {
            entries: Mutex::new(HashMap::new()),
            max_entries,
            max_bytes,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Staged>> {
        self.entries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Stages `staged` and answers its id. The session's earlier upload, if any, is dropped:
    /// a session has one upload waiting at a time.
    pub fn put(&self, staged: Staged, now: DateTime<Utc>) -> Result<String, StagingFull> {
        let mut entries = self.lock();
        entries.retain(|_, s| {
            now - s.staged_at < STAGING_LIFETIME
                && !s.belongs_to(staged.user_id, staged.session_started)
        });
        if entries.len() >= self.max_entries {
            return Err(StagingFull::Entries);
        }
        let held: usize = entries.values().map(Staged::bytes).sum();
        if held + staged.bytes() > self.max_bytes {
            return Err(StagingFull::Bytes);
        }
        let mut raw = [0u8; 24];
        rand::thread_rng().fill_bytes(&mut raw);
        let id = hex::encode(raw);
        entries.insert(id.clone(), staged);
        Ok(id)
    }

    /// Takes the upload `id` when it is the given session's and not expired.
    pub fn take(
        &self,
        id: &str,
        user_id: Uuid,
        session_started: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Option<Staged> {
        let mut entries = self.lock();
        entries.retain(|_, s| now - s.staged_at < STAGING_LIFETIME);
        if !entries
            .get(id)
            .is_some_and(|s| s.belongs_to(user_id, session_started))
        {
            return None;
        }
        entries.remove(id)
    }

    /// The format, the update choice and the preview of upload `id`, when it is the given
    /// session's and not expired; it stays staged.
    pub fn peek(
        &self,
        id: &str,
        user_id: Uuid,
        session_started: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Option<(ImportFormat, bool, ImportPreview)> {
        let mut entries = self.lock();
        entries.retain(|_, s| now - s.staged_at < STAGING_LIFETIME);
        entries
            .get(id)
            .filter(|s| s.belongs_to(user_id, session_started))
            .map(|s| (s.format, s.update, s.preview.clone()))
    }

    /// How many uploads wait.
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// Whether none waits.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn staged(user: Uuid, at: DateTime<Utc>, bytes: usize) -> Staged {
        Staged {
            user_id: user,
            session_started: at,
            format: ImportFormat::AemOsgi,
            files: vec![(PathBuf::from("a.config"), "x".repeat(bytes))],
            vars: None,
            update: false,
            preview: ImportPreview {
                format: imsbridge_interop::preview::PREVIEW_FORMAT.to_owned(),
                source_format: "aem-osgi".to_owned(),
                rows: Vec::new(),
                problems: Vec::new(),
                ignored: Vec::new(),
            },
            staged_at: at,
        }
    }

    #[test]
    fn an_upload_is_taken_once_by_its_own_session_within_ten_minutes() {
        let t0 = Utc::now();
        let (alice, bob) = (Uuid::new_v4(), Uuid::new_v4());
        let staging = Staging::new(4, 1000);
        let id = staging.put(staged(alice, t0, 10), t0).unwrap();
        assert!(staging.peek(&id, bob, t0, t0).is_none());
        assert!(staging.peek(&id, alice, t0, t0).is_some());
        assert!(staging.take(&id, bob, t0, t0).is_none());
        assert!(
            staging
                .take(&id, alice, t0 + Duration::seconds(1), t0)
                .is_none()
        );
        assert!(staging.take(&id, alice, t0, t0).is_some());
        assert!(staging.take(&id, alice, t0, t0).is_none());

        let id = staging.put(staged(alice, t0, 10), t0).unwrap();
        let later = t0 + STAGING_LIFETIME;
        assert!(staging.take(&id, alice, t0, later).is_none());
        assert!(staging.is_empty());
    }

    #[test]
    fn the_area_is_bounded_in_entries_and_bytes_and_one_per_session() {
        let t0 = Utc::now();
        let staging = Staging::new(2, 100);
        let alice = Uuid::new_v4();
        staging.put(staged(alice, t0, 10), t0).unwrap();
        // The same session's new upload replaces its old one.
        staging.put(staged(alice, t0, 10), t0).unwrap();
        assert_eq!(staging.len(), 1);
        staging.put(staged(Uuid::new_v4(), t0, 10), t0).unwrap();
        assert_eq!(
            staging.put(staged(Uuid::new_v4(), t0, 10), t0),
            Err(StagingFull::Entries)
        );
        let roomy = Staging::new(10, 100);
        roomy.put(staged(Uuid::new_v4(), t0, 60), t0).unwrap();
        assert_eq!(
            roomy.put(staged(Uuid::new_v4(), t0, 60), t0),
            Err(StagingFull::Bytes)
        );
        // Expired uploads make room.
        let later = t0 + STAGING_LIFETIME;
        roomy.put(staged(Uuid::new_v4(), later, 60), later).unwrap();
    }
}
