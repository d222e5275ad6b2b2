//! The one log set-up of the binary: text or JSON lines on standard error, filtered by
//! `RUST_LOG`, else `IMSBRIDGE_LOG`, else the `log_level` setting.

use serde::Deserialize;
use tracing_subscriber::EnvFilter;

/// Log line format.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Human-readable lines.
    #[default]
    Text,
    /// One JSON object per line.
    Json,
}

/// The log filter in force, and where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogFilter {
    /// `tracing` filter directives, such as `info` or `imsbridge=debug,warn`.
    pub directives: String,
    /// `RUST_LOG`, `IMSBRIDGE_LOG` or `log_level`.
    pub source: &'static str,
}

impl LogFilter {
    /// The filter from the first of `RUST_LOG`, `IMSBRIDGE_LOG` (as `lookup` finds them) and
    /// the `log_level` setting that is set. A value that is not a valid filter is refused,
    /// naming where it came from, rather than replaced by a default.
    pub fn resolve(
        lookup: impl Fn(&str) -> Option<String>,
        log_level: &str,
    ) -> Result<Self, String> {
        let (directives, source) = ["RUST_LOG", "IMSBRIDGE_LOG"]
            .into_iter()
            .find_map(|var| lookup(var).map(|value| (value, var)))
            .unwrap_or_else(|| (log_level.to_owned(), "log_level"));
        EnvFilter::try_new(&directives).map_err(|e| {
            format!(
                "{source} = {directives:?} is not a log filter ({e}); use a level such as `info` or directives such as `imsbridge=debug,warn`"
            )
        })?;
        Ok(Self { directives, source })
    }
}

/// Installs the global subscriber (once; later calls do nothing). Colours only on a
/// terminal: journald, files and pipes get plain text.
pub fn init(format: LogFormat, filter: &LogFilter) {
    let filter = EnvFilter::try_new(&filter.directives).unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| (*v).to_owned())
        }
    }

    #[test]
    fn rust_log_wins_then_imsbridge_log_then_the_setting() {
        type Vars<'a> = &'a [(&'a str, &'a str)];
        let cases: &[(Vars, &str, &str)] = &[
            (&[], "debug", "log_level"),
            (&[("IMSBRIDGE_LOG", "warn")], "warn", "IMSBRIDGE_LOG"),
            (
                &[("IMSBRIDGE_LOG", "warn"), ("RUST_LOG", "imsbridge=trace")],
                "imsbridge=trace",
                "RUST_LOG",
            ),
        ];
        for (vars, directives, source) in cases {
            let f = LogFilter::resolve(env(vars), "debug").unwrap();
            assert_eq!(f.directives, *directives, "{vars:?}");
            assert_eq!(f.source, *source, "{vars:?}");
        }
    }

    #[test]
    fn a_bad_filter_is_refused_naming_its_source() {
        let err = LogFilter::resolve(env(&[("RUST_LOG", "imsbridge=loud")]), "info").unwrap_err();
        assert!(err.starts_with("RUST_LOG = \"imsbridge=loud\""), "{err}");
        let err = LogFilter::resolve(env(&[]), "imsbridge=loud").unwrap_err();
        assert!(err.starts_with("log_level"), "{err}");
    }
}
