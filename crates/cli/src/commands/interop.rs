//! `config import --from aem-osgi|aio|aio-lib-java` and `config export --to aem-osgi|aio`:
//! configurations read from and written to the files AEM and the aio CLI use, directly on
//! the store.

use crate::say;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};
use imsbridge_interop::{ExportFormat, ExportOptions, ImportFormat, ImportPreview, Vars};
use imsbridge_service::file_import::{FileImport, FileImportOutcome};
use imsbridge_store::AuditContext;

use crate::cli::{ExportArgs, ImportArgs, OutputFormat};
use crate::commands::open;
use crate::settings::Settings;

/// Files larger than this are not configuration files; reading them is refused.
const MAX_FILE_BYTES: u64 = 1024 * 1024;
/// More files than this under the paths given is almost surely the wrong folder.
const MAX_FILES: usize = 10_000;

/// `config import --from FORMAT PATH…`.
pub async fn import(
    format: ImportFormat,
    args: ImportArgs,
    settings: &Settings,
) -> anyhow::Result<()> {
    let files = read_paths(format, &args.paths)?;
    let mut vars = Vars::from_pairs(std::env::vars());
    if let Some(path) = &args.vars {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("could not read the variables file {}", path.display()))?;
        let file_vars = Vars::parse(&text)
            .map_err(|e| anyhow::anyhow!("the variables file {}: {e}", path.display()))?;
        vars = vars.overridden_by(file_vars);
    }
    let expect = match &args.expect {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("could not read {}", path.display()))?;
            Some(
                ImportPreview::from_json(&text)
                    .map_err(|e| anyhow::anyhow!("--expect {}: {e}", path.display()))?,
            )
        }
        None => None,
    };
    let store = open::store(settings).await?;
    let outcome = async {
        let (services, cli) = open::services(settings, &store)?;
        let request = FileImport {
            format,
            files,
            vars,
            update: args.update,
            expect,
            dry_run: args.dry_run,
        };
        anyhow::Ok(services.import_files(&cli, request).await?)
    }
    .await;
    store.close().await;
    let outcome = outcome?;
    if let Some(path) = &args.report {
        std::fs::write(path, outcome.preview.to_json())
            .with_context(|| format!("could not write the report to {}", path.display()))?;
    }
    print_outcome(&outcome, args.output, args.dry_run)?;
    let failed = outcome
        .results
        .iter()
        .filter(|r| r.status == "failed")
        .count();
    if failed > 0 {
        bail!(say::fmt("cli_import_failed", &[("failed", failed.into())]));
    }
    Ok(())
}

fn print_outcome(
    outcome: &FileImportOutcome,
    output: OutputFormat,
    dry_run: bool,
) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    match output {
        OutputFormat::Json => writeln!(out, "{}", serde_json::to_string_pretty(outcome)?)?,
        OutputFormat::Table => {
            write!(out, "{}", outcome.preview.to_table())?;
            if dry_run {
                writeln!(out, "Dry run: nothing was written.")?;
            }
            for r in &outcome.results {
                match (&r.reason, r.revision) {
                    (Some(reason), _) => writeln!(out, "{}: {} ({reason})", r.name, r.status)?,
                    (None, Some(rev)) => {
                        writeln!(out, "{}: {} (revision {rev})", r.name, r.status)?;
                    }
                    (None, None) => writeln!(out, "{}: {}", r.name, r.status)?,
                }
            }
        }
    }
    Ok(())
}

/// Every file under `paths` that `format` reads: named files always, folders walked for the
/// files whose names the format accepts. Symbolic links are not followed into folders.
fn read_paths(format: ImportFormat, paths: &[PathBuf]) -> anyhow::Result<Vec<(PathBuf, String)>> {
    let mut names = Vec::new();
    for path in paths {
        let meta = std::fs::metadata(path)
            .with_context(|| format!("could not read {}", path.display()))?;
        if meta.is_dir() {
            walk(format, path, &mut names)?;
        } else {
            names.push(path.clone());
        }
    }
    names.sort();
    names.dedup();
    if names.is_empty() {
        bail!(
            "no {} files under {}; name the files or the folder that holds them",
            format.key(),
            paths
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    names
        .into_iter()
        .map(|path| {
            let size = std::fs::metadata(&path)
                .with_context(|| format!("could not read {}", path.display()))?
                .len();
            if size > MAX_FILE_BYTES {
                bail!(
                    "{} is {size} bytes, larger than a configuration file can be ({MAX_FILE_BYTES}); leave it out",
                    path.display()
                );
            }
            let text = std::fs::read_to_string(&path).with_context(|| {
                format!("could not read {} as UTF-8 text", path.display())
            })?;
            Ok((path, text))
        })
        .collect()
}

fn walk(format: ImportFormat, dir: &Path, out: &mut Vec<PathBuf>) -> anyhow::Result<()> {
    let entries =
        std::fs::read_dir(dir).with_context(|| format!("could not read {}", dir.display()))?;
    for entry in entries {
        let entry = entry.with_context(|| format!("could not read {}", dir.display()))?;
        let kind = entry.file_type()?;
        let path = entry.path();
        if kind.is_dir() {
            walk(format, &path, out)?;
        } else if kind.is_file() && format.accepts_path(&path) {
            out.push(path);
            if out.len() > MAX_FILES {
                bail!(
                    "more than {MAX_FILES} {} files under {}; name a narrower folder",
                    format.key(),
                    dir.display()
                );
            }
        }
    }
    Ok(())
}

/// `config export --to FORMAT DIR`.
pub async fn export(
    format: ExportFormat,
    dir: &Path,
    args: &ExportArgs,
    settings: &Settings,
) -> anyhow::Result<()> {
    let store = open::store(settings).await?;
    let configs = store
        .export_configs(
            format.key(),
            args.include_secrets,
            &AuditContext::actor("cli"),
        )
        .await;
    store.close().await;
    let bundle = format.export(
        &configs?,
        ExportOptions {
            include_secrets: args.include_secrets,
        },
    )?;
    for file in &bundle.files {
        let path = dir.join(&file.path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("could not create {}", parent.display()))?;
        }
        write_atomically(&path, file.contents.as_bytes(), file.private)?;
    }
    println!(
        "{}",
        say::fmt(
            "cli_export_written",
            &[
                ("files", bundle.files.len().into()),
                ("dir", dir.display().to_string().into()),
            ],
        )
    );
    for skipped in &bundle.skipped {
        println!(
            "{}",
            say::fmt(
                "cli_export_skipped",
                &[
                    ("name", skipped.name.as_str().into()),
                    ("reason", skipped.reason.as_str().into()),
                ],
            )
        );
    }
    Ok(())
}

/// Writes through a temporary file in the same folder and renames it into place, so that a
/// reader never sees half a file; private files are 0600 from their first byte.
fn write_atomically(path: &Path, bytes: &[u8], private: bool) -> anyhow::Result<()> {
    use std::os::unix::fs::PermissionsExt as _;
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut temp = tempfile::Builder::new()
        .prefix(".imsbridge-")
        .permissions(std::fs::Permissions::from_mode(if private {
            0o600
        } else {
            0o644
        }))
        .tempfile_in(dir)
        .with_context(|| format!("could not write into {}", dir.display()))?;
    temp.write_all(bytes)?;
    temp.as_file().sync_all()?;
    temp.persist(path)
        .with_context(|| format!("could not write {}", path.display()))?;
    Ok(())
}
