//! The words of imsbridge in every language it speaks, English and Korean.
//!
//! Every user-visible sentence lives in a Fluent catalogue, one folder per language under
//! `crates/i18n/locales/` (`console.ftl`, `import.ftl`, `sso.ftl`, `errors.ftl`, `cli.ftl`, `rotation.ftl`).
//! The catalogues are compiled into the binary; the console and the command line read them
//! through [`Lang`]: [`Lang::get`] for a message without arguments, [`Lang::fmt`] for one
//! with arguments, which Fluent places inside the sentence in each language's own word order.
//!
//! Adding a language: add a folder of `.ftl` files with every message of `en/`, a variant
//! here with its tag and native name, and its files to [`Lang::sources`]. The completeness
//! test then checks every message exists and formats.

use std::collections::{HashMap, HashSet};
use std::sync::{LazyLock, Mutex};

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource};
use unic_langid::LanguageIdentifier;

pub use fluent_bundle::FluentValue;

/// A language imsbridge speaks.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Lang {
    /// English.
    En,
    /// Korean.
    Ko,
}

/// The catalogue files, by language (name, text).
type Sources = [(&'static str, &'static str); 6];

const EN_SOURCES: Sources = [
    ("console.ftl", include_str!("../locales/en/console.ftl")),
    ("import.ftl", include_str!("../locales/en/import.ftl")),
    ("sso.ftl", include_str!("../locales/en/sso.ftl")),
    ("errors.ftl", include_str!("../locales/en/errors.ftl")),
    ("cli.ftl", include_str!("../locales/en/cli.ftl")),
    ("rotation.ftl", include_str!("../locales/en/rotation.ftl")),
];

const KO_SOURCES: Sources = [
    ("console.ftl", include_str!("../locales/ko/console.ftl")),
    ("import.ftl", include_str!("../locales/ko/import.ftl")),
    ("sso.ftl", include_str!("../locales/ko/sso.ftl")),
    ("errors.ftl", include_str!("../locales/ko/errors.ftl")),
    ("cli.ftl", include_str!("../locales/ko/cli.ftl")),
    ("rotation.ftl", include_str!("../locales/ko/rotation.ftl")),
];

impl Lang {
    /// Every language, in the order the console's switch lists them.
    pub const ALL: [Self; 2] = [Self::En, Self::Ko];

    /// The BCP 47 tag, used in `lang` attributes and the language cookie.
    pub fn code(self) -> &'static str {
        match self {
            Self::En => "en",
            Self::Ko => "ko",
        }
    }

    /// The language's own name, as the switch shows it.
    pub fn native_name(self) -> &'static str {
        match self {
            Self::En => "English",
            Self::Ko => "한국어",
        }
    }

    /// The catalogue files of this language (name, Fluent source).
    pub fn sources(self) -> &'static Sources {
        match self {
            Self::En => &EN_SOURCES,
            Self::Ko => &KO_SOURCES,
        }
    }

    /// Parses a language tag (`ko`, `ko-KR`, `en_GB`, `ko_KR.UTF-8`); unknown ones give `None`.
    pub fn parse(tag: &str) -> Option<Self> {
        let primary = tag
            .trim()
            .split(['-', '_', '.'])
            .next()?
            .to_ascii_lowercase();
        match primary.as_str() {
            "en" => Some(Self::En),
            "ko" => Some(Self::Ko),
            _ => None,
        }
    }

    /// The best language for an `Accept-Language` header: the supported one with the highest
    /// quality, English when none is supported.
    pub fn from_accept_language(header: &str) -> Self {
        let mut best: Option<(f32, Self)> = None;
        for item in header.split(',') {
            let mut parts = item.split(';');
            let Some(lang) = parts.next().and_then(Self::parse) else {
                continue;
            };
            let q = parts
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            if q > 0.0 && best.is_none_or(|(bq, _)| q > bq) {
                best = Some((q, lang));
            }
        }
        best.map_or(Self::En, |(_, lang)| lang)
    }

    /// The language of the command line: Korean when `LC_ALL` (or, when `LC_ALL` is unset or
    /// empty, `LANG`) starts with `ko`; English otherwise.
    pub fn from_env() -> Self {
        Self::from_locale(
            std::env::var("LC_ALL").ok().as_deref(),
            std::env::var("LANG").ok().as_deref(),
        )
    }

    /// [`Lang::from_env`] on given values of `LC_ALL` and `LANG`.
    pub fn from_locale(lc_all: Option<&str>, lang: Option<&str>) -> Self {
        let chosen = lc_all.filter(|v| !v.is_empty()).or(lang).unwrap_or("");
        if chosen.to_ascii_lowercase().starts_with("ko") {
            Self::Ko
        } else {
            Self::En
        }
    }

    /// A message without arguments. A key missing from the catalogue shows as itself (the
    /// completeness test keeps that from happening).
    pub fn get(self, key: &str) -> &'static str {
        catalogue(self)
            .plain
            .get(key)
            .map_or_else(|| missing(key), String::as_str)
    }

    /// A message with its arguments (`("total", 120.into())`), each placed where the
    /// language's sentence puts it.
    pub fn fmt(self, key: &str, args: &[(&str, FluentValue<'_>)]) -> String {
        match self.try_fmt(key, args) {
            Ok(text) | Err(FormatError::Broken(text, _)) => text,
            Err(FormatError::Missing) => missing(key).to_owned(),
        }
    }

    /// Whether the catalogue has a message `key`.
    pub fn has(self, key: &str) -> bool {
        catalogue(self).bundle.has_message(key)
    }

    /// A message with its arguments, or why it could not be formatted.
    pub fn try_fmt(
        self,
        key: &str,
        args: &[(&str, FluentValue<'_>)],
    ) -> Result<String, FormatError> {
        let bundle = &catalogue(self).bundle;
        let pattern = bundle
            .get_message(key)
            .and_then(|m| m.value())
            .ok_or(FormatError::Missing)?;
        let mut fluent_args = FluentArgs::new();
        for (name, value) in args {
            fluent_args.set(*name, value.clone());
        }
        let mut errors = Vec::new();
        let text = bundle
            .format_pattern(pattern, Some(&fluent_args), &mut errors)
            .into_owned();
        if errors.is_empty() {
            Ok(text)
        } else {
            let why = errors.iter().map(ToString::to_string).collect();
            Err(FormatError::Broken(text, why))
        }
    }

    /// The ids of every message of this language's catalogue, sorted.
    pub fn keys(self) -> Vec<&'static str> {
        let mut keys: Vec<&'static str> = catalogue(self).ids.iter().map(String::as_str).collect();
        keys.sort_unstable();
        keys
    }
}

/// Why a message could not be formatted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormatError {
    /// No such message, or one without a value.
    Missing,
    /// The message formatted with errors (an argument missing, …): the text as far as it
    /// went, and the errors.
    Broken(String, Vec<String>),
}

/// A key missing from the catalogue shows as itself, interned so that it lives as long as
/// the messages (keys are literals of the code, so the set is small and bounded).
fn missing(key: &str) -> &'static str {
    static SEEN: LazyLock<Mutex<HashSet<&'static str>>> = LazyLock::new(Mutex::default);
    let mut seen = SEEN
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some(known) = seen.get(key) {
        return known;
    }
    let leaked: &'static str = Box::leak(key.to_owned().into_boxed_str());
    seen.insert(leaked);
    leaked
}

/// One language's loaded catalogue.
struct Catalogue {
    bundle: FluentBundle<FluentResource>,
    /// Every message that needs no argument, formatted once.
    plain: HashMap<String, String>,
    /// Every message id.
    ids: Vec<String>,
}

/// Loads a language's catalogue. The files are part of the binary and tested, so a file
/// that does not parse is a build defect: it panics with the file and the error.
fn load(lang: Lang) -> Catalogue {
    let langid: LanguageIdentifier = lang.code().parse().expect("a valid language tag");
    let mut bundle = FluentBundle::new_concurrent(vec![langid]);
    // Output is escaped by the templates; Unicode isolation marks would only show as noise.
    bundle.set_use_isolating(false);
    let mut ids = Vec::new();
    for (file, text) in lang.sources() {
        let resource = FluentResource::try_new((*text).to_owned()).unwrap_or_else(|(_, e)| {
            panic!("locales/{}/{file} does not parse: {e:?}", lang.code())
        });
        ids.extend(text.lines().filter_map(message_id));
        bundle
            .add_resource(resource)
            .unwrap_or_else(|e| panic!("locales/{}/{file} repeats a message: {e:?}", lang.code()));
    }
    let mut plain = HashMap::new();
    for id in &ids {
        let Some(pattern) = bundle.get_message(id).and_then(|m| m.value()) else {
            continue;
        };
        let mut errors = Vec::new();
        let text = bundle.format_pattern(pattern, None, &mut errors);
        if errors.is_empty() {
            plain.insert(id.clone(), text.into_owned());
        }
    }
    Catalogue { bundle, plain, ids }
}

/// The id a line defines, if it starts a message (`id = …`).
fn message_id(line: &str) -> Option<String> {
    let (id, _) = line.split_once('=')?;
    let id = id.trim_end();
    let mut chars = id.chars();
    let starts = chars.next().is_some_and(|c| c.is_ascii_alphabetic());
    (starts && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-'))
        .then(|| id.to_owned())
}

fn catalogue(lang: Lang) -> &'static Catalogue {
    static CATALOGUES: LazyLock<[Catalogue; 2]> = LazyLock::new(|| Lang::ALL.map(load));
    &CATALOGUES[Lang::ALL.iter().position(|l| *l == lang).unwrap_or(0)]
}
