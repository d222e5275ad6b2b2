//! OSGi configurations as files: the Felix `.config` format, AEM as a Cloud Service's
//! `.cfg.json`, plain `.cfg` properties; their PIDs and the run modes of their folders.

pub mod cfg_json;
pub mod felix;
pub mod properties;
mod value;

use std::fmt;
use std::path::{Path, PathBuf};

pub use felix::WriteError;
pub use value::{OsgiValue, Properties, Scalar, ScalarType, ValueType};

/// A file that could not be read, with the place of the problem.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}, column {column}: {message}")]
pub struct SyntaxError {
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// What is wrong.
    pub message: String,
}

/// The serialisation of an OSGi configuration file, known from its extension.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FileFormat {
    /// Apache Felix `.config` (AEM 6.5, Managed Services).
    Felix,
    /// `.cfg.json` (AEM as a Cloud Service).
    CfgJson,
    /// `.cfg`: Java properties, strings only.
    Cfg,
}

impl FileFormat {
    /// The format and the file name without its extension, or `None` for other files.
    pub fn of(path: &Path) -> Option<(Self, String)> {
        let name = path.file_name()?.to_str()?;
        [
            (".cfg.json", Self::CfgJson),
            (".config", Self::Felix),
            (".cfg", Self::Cfg),
        ]
        .into_iter()
        .find_map(|(ext, format)| {
            name.strip_suffix(ext)
                .filter(|stem| !stem.is_empty())
                .map(|stem| (format, stem.to_owned()))
        })
    }

    /// Reads a file of this format.
    pub fn read(self, text: &str) -> Result<Properties, SyntaxError> {
        match self {
            Self::Felix => felix::read(text),
            Self::CfgJson => cfg_json::read(text),
            Self::Cfg => Ok(properties::read(text)?
                .into_iter()
                .map(|(k, v)| (k, OsgiValue::string(v)))
                .collect()),
        }
    }
}

/// Run modes named by a configuration folder (`config.author.prod` → `author`, `prod`).
///
/// A file outside a `config…` or `install…` folder applies to every run mode (none listed).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RunModes(Vec<String>);

impl RunModes {
    /// The run modes of the folder holding `path`.
    pub fn of(path: &Path) -> Self {
        let Some(folder) = path
            .parent()
            .and_then(Path::file_name)
            .and_then(|f| f.to_str())
        else {
            return Self::default();
        };
        let modes = ["config.", "install."]
            .iter()
            .find_map(|p| folder.strip_prefix(p))
            .map(|rest| {
                rest.split('.')
                    .filter(|m| !m.is_empty())
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default();
        Self(modes)
    }

    /// Run modes from a list.
    pub fn from_modes<I: IntoIterator<Item = S>, S: Into<String>>(modes: I) -> Self {
        Self(modes.into_iter().map(Into::into).collect())
    }

    /// The run modes, in folder order.
    pub fn as_slice(&self) -> &[String] {
        &self.0
    }

    /// Whether no run mode is named (the configuration applies everywhere).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether every run mode of `self` is among `other`'s, so that AEM running with
    /// `other`'s run modes also applies `self`'s folder.
    pub fn is_subset_of(&self, other: &Self) -> bool {
        self.0.iter().all(|m| other.0.contains(m))
    }
}

impl fmt::Display for RunModes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            f.write_str("all run modes")
        } else {
            f.write_str(&self.0.join("."))
        }
    }
}

/// Where a configuration was read from.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct SourceRef {
    /// The file, as the caller named it.
    pub path: PathBuf,
    /// The run modes of its folder.
    pub run_modes: RunModes,
}

impl SourceRef {
    /// The source of `path`, with the run modes of its folder.
    pub fn of(path: &Path) -> Self {
        Self {
            path: path.to_path_buf(),
            run_modes: RunModes::of(path),
        }
    }
}

impl fmt::Display for SourceRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.path.display(), self.run_modes)
    }
}

/// The subname of a factory configuration's file name: `<factory>~<subname>` (Sling's
/// preferred form), `<factory>-<subname>` (the older one) or `<factory>.<subname>`.
///
/// `Some(None)` when the name is the factory PID alone; `None` when it is another PID.
pub fn factory_subname<'a>(stem: &'a str, factory_pid: &str) -> Option<Option<&'a str>> {
    let rest = stem.strip_prefix(factory_pid)?;
    if rest.is_empty() {
        return Some(None);
    }
    let sub = rest.strip_prefix(['~', '-', '.'])?;
    Some((!sub.is_empty()).then_some(sub))
}
