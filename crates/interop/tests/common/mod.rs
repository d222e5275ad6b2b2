//! Reading fixture directories the way a caller walks a directory: every file under it, as
//! `(path, content)` pairs with paths relative to the fixtures folder.

use std::path::{Path, PathBuf};

/// The fixtures folder.
pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// Every file under `fixtures/<dir>`, sorted by path.
pub fn walk(dir: &str) -> Vec<(PathBuf, String)> {
    fn visit(root: &Path, at: &Path, out: &mut Vec<(PathBuf, String)>) {
        for entry in std::fs::read_dir(at).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                visit(root, &path, out);
            } else {
                let content = std::fs::read_to_string(&path).unwrap();
                out.push((path.strip_prefix(root).unwrap().to_path_buf(), content));
            }
        }
    }
    let root = fixtures();
    let mut out = Vec::new();
    visit(&root, &root.join(dir), &mut out);
    out.sort();
    out
}

/// One fixture file's text.
#[allow(dead_code)] // Not every test binary reads single files.
pub fn read(path: &str) -> String {
    std::fs::read_to_string(fixtures().join(path)).unwrap()
}
