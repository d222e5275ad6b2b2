//! `imsbridge config export` and `import`: configurations as a JSON document, directly on
//! the store.

use std::io::{Read as _, Write as _};

use anyhow::{Context as _, bail};
use imsbridge_store::{AuditContext, ExportDocument};
use secrecy::SecretString;

use crate::cli::{ExportArgs, ImportArgs, PassphraseArgs};
use crate::commands::open;
use crate::say;
use crate::settings::Settings;

/// Writes every configuration to a file or standard output.
pub async fn export(args: ExportArgs, settings: &Settings) -> anyhow::Result<()> {
    let passphrase = if args.include_secrets {
        Some(read_passphrase(&args.passphrase)?.context(
            "--include-secrets needs a passphrase to seal them with: --passphrase-env VAR, --passphrase-file FILE or --passphrase-stdin",
        )?)
    } else {
        None
    };
    let store = open::store(settings).await?;
    let doc = store
        .export(passphrase.as_ref(), &AuditContext::actor("cli"))
        .await?;
    store.close().await;
    let text = serde_json::to_string_pretty(&doc)?;
    if let Some(path) = &args.output {
        write_private(path, text.as_bytes())?;
        eprintln!(
            "{}",
            say::fmt(
                "cli_exported",
                &[
                    ("count", doc.configs.len().into()),
                    ("path", path.display().to_string().into()),
                ],
            )
        );
    } else {
        let mut out = std::io::stdout().lock();
        writeln!(out, "{text}")?;
    }
    Ok(())
}

/// Creates the configurations of an export whose names are free.
pub async fn import(args: ImportArgs, settings: &Settings) -> anyhow::Result<()> {
    let [file] = args.paths.as_slice() else {
        bail!(
            "an imsbridge export is one file, and {} paths were given; to read AEM or aio files, add --from aem-osgi, aio or aio-lib-java",
            args.paths.len()
        );
    };
    if file.is_dir() {
        bail!(
            "{} is a folder, and an imsbridge export is one file; to read AEM or aio files, add --from aem-osgi, aio or aio-lib-java",
            file.display()
        );
    }
    let text = std::fs::read_to_string(file)
        .with_context(|| format!("could not read {}", file.display()))?;
    let doc: ExportDocument = serde_json::from_str(&text).with_context(|| {
        format!(
            "{} is not an imsbridge export (made by `imsbridge config export`); to read AEM or aio files, add --from aem-osgi, aio or aio-lib-java",
            file.display()
        )
    })?;
    let passphrase = read_passphrase(&args.passphrase)?;
    let store = open::store(settings).await?;
    let report = store
        .import(&doc, passphrase.as_ref(), &AuditContext::actor("cli"))
        .await;
    store.close().await;
    let report = report?;
    say::print(
        "cli_imported_created",
        &[("count", report.created.len().into())],
    );
    if !report.skipped.is_empty() {
        let names: Vec<String> = report.skipped.iter().map(ToString::to_string).collect();
        say::print(
            "cli_imported_skipped",
            &[("names", names.join(", ").into())],
        );
    }
    for failure in &report.failed {
        say::print(
            "cli_not_imported",
            &[
                ("name", failure.name.to_string().into()),
                ("reason", failure.reason.as_str().into()),
            ],
        );
    }
    if report.failed.is_empty() {
        Ok(())
    } else {
        bail!(say::fmt(
            "cli_import_failed",
            &[("failed", report.failed.len().into())]
        ))
    }
}

fn read_passphrase(args: &PassphraseArgs) -> anyhow::Result<Option<SecretString>> {
    let raw = if let Some(var) = &args.passphrase_env {
        Some(
            std::env::var(var)
                .with_context(|| format!("the environment variable {var} is not set"))?,
        )
    } else if let Some(file) = &args.passphrase_file {
        Some(
            std::fs::read_to_string(file)
                .with_context(|| format!("could not read {}", file.display()))?,
        )
    } else if args.passphrase_stdin {
        let mut s = String::new();
        std::io::stdin().read_to_string(&mut s)?;
        Some(s)
    } else {
        None
    };
    match raw.map(|s| s.trim_end_matches(['\r', '\n']).to_owned()) {
        Some(s) if s.chars().count() < 12 => {
            bail!("the passphrase is too short; use at least 12 characters")
        }
        Some(s) => Ok(Some(SecretString::from(s))),
        None => Ok(None),
    }
}

/// Writes a file that only its owner can read: an export may hold sealed secrets.
fn write_private(path: &std::path::Path, bytes: &[u8]) -> anyhow::Result<()> {
    use std::os::unix::fs::OpenOptionsExt as _;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)
        .with_context(|| format!("could not write {}", path.display()))?;
    file.write_all(bytes)?;
    Ok(())
}
