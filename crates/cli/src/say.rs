//! What the command line tells people, in their language: Korean when `LC_ALL` (or, unset,
//! `LANG`) starts with `ko`, English otherwise. The words are the same Fluent catalogues the
//! console reads (`crates/i18n/locales/*/cli.ftl` and `errors.ftl`). clap's own `--help` and
//! usage errors stay English.
//!
//! Two lines stay English in every language because scripts read them: `imsbridge listening
//! on URL` and `admin password: …`.

use std::sync::OnceLock;

use imsbridge_i18n::{FluentValue, Lang};
use imsbridge_server::console::errors::{code_key, field_error_text};
use imsbridge_server::console::i18n::Texts;
use imsbridge_service::ServiceError;

use crate::commands::remote::RemoteError;

/// The language of this run, read once from the environment.
pub fn lang() -> Lang {
    static LANG: OnceLock<Lang> = OnceLock::new();
    *LANG.get_or_init(Lang::from_env)
}

/// A message without arguments.
pub fn text(key: &str) -> &'static str {
    lang().get(key)
}

/// A message with arguments.
pub fn fmt(key: &str, args: &[(&str, FluentValue<'_>)]) -> String {
    lang().fmt(key, args)
}

/// Prints a message with arguments on standard output.
pub fn print(key: &str, args: &[(&str, FluentValue<'_>)]) {
    println!("{}", fmt(key, args));
}

/// The line a failed command ends with.
pub fn error_line(e: &anyhow::Error) -> String {
    error_line_in(lang(), e)
}

/// [`error_line`] in `lang`. English keeps the whole chain of what failed and why; other
/// languages say what the error's code means, with the field at fault, or fall back to the
/// English chain behind their own lead when the error carries no code.
pub fn error_line_in(lang: Lang, e: &anyhow::Error) -> String {
    let message = if lang == Lang::En {
        format!("{e:#}")
    } else {
        translated(Texts(lang), e).unwrap_or_else(|| format!("{e:#}"))
    };
    lang.fmt("cli_error", &[("message", message.into())])
}

fn translated(t: Texts, e: &anyhow::Error) -> Option<String> {
    for cause in e.chain() {
        if let Some(service) = cause.downcast_ref::<ServiceError>() {
            return Some(match service {
                ServiceError::Invalid(fields) => fields
                    .clone()
                    .into_iter()
                    .map(|f| format!("{}: {}", f.field, field_error_text(t, &f)))
                    .collect::<Vec<_>>()
                    .join("; "),
                other => t.get(&code_key(other.code())).to_owned(),
            });
        }
        if let Some(remote) = cause.downcast_ref::<RemoteError>() {
            let key = format!("error_{}", remote.code);
            let said = if t.0.has(&key) {
                t.get(&key).to_owned()
            } else {
                remote.message.clone()
            };
            return Some(t.fmt(
                "cli_remote_error",
                &[("message", said.into()), ("status", remote.status.into())],
            ));
        }
    }
    None
}
