//! The catalogues are complete: every message exists in every language, uses the same
//! arguments in each, and formats without error, both with its own arguments and with those
//! the code passes; every key the code and the templates look up exists.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use imsbridge_i18n::{FluentValue, FormatError, Lang};

/// The `$variables` a message's source refers to, by message id.
fn variables(lang: Lang) -> BTreeMap<String, BTreeSet<String>> {
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (_, text) in lang.sources() {
        let mut current: Option<String> = None;
        for line in text.lines() {
            if line.starts_with('#') || line.trim().is_empty() {
                continue;
            }
            if let Some((id, _)) = line.split_once(" = ").filter(|_| !line.starts_with(' ')) {
                current = Some(id.to_owned());
                out.entry(id.to_owned()).or_default();
            }
            let Some(id) = &current else { continue };
            for part in line.split('$').skip(1) {
                let name: String = part
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
                    .collect();
                out.get_mut(id).unwrap().insert(name);
            }
        }
    }
    out
}

fn sample(name: &str) -> FluentValue<'static> {
    match name {
        "first" | "last" | "total" | "seconds" | "limit" | "days" | "min" | "max" | "attempt"
        | "rows" | "files" | "failed" | "migrated" | "configs" | "tokens" | "status" => {
            FluentValue::from(3)
        }
        _ => FluentValue::from("x"),
    }
}

#[test]
fn every_message_exists_in_every_language_with_the_same_arguments() {
    let en = variables(Lang::En);
    assert!(
        en.len() > 300,
        "the English catalogue has {} messages",
        en.len()
    );
    for lang in Lang::ALL {
        assert_eq!(
            lang.keys(),
            Lang::En.keys(),
            "{lang:?} has other keys than English"
        );
        let other = variables(lang);
        // Field errors are checked with the arguments the server passes, in its own test:
        // each language picks what it needs of them.
        for (id, vars) in en.iter().filter(|(id, _)| !id.starts_with("field_")) {
            let theirs = &other[id];
            // English may quote the service's own English reason (`detail`), which other
            // languages leave out; every other argument is shared.
            let mut ours = vars.clone();
            ours.remove("detail");
            let mut theirs = theirs.clone();
            theirs.remove("detail");
            assert_eq!(ours, theirs, "{lang:?} {id}: other arguments than English");
        }
    }
}

#[test]
fn every_message_formats_without_errors_with_its_arguments() {
    for lang in Lang::ALL {
        for (id, vars) in variables(lang) {
            let args: Vec<(&str, FluentValue<'_>)> =
                vars.iter().map(|v| (v.as_str(), sample(v))).collect();
            let text = lang
                .try_fmt(&id, &args)
                .unwrap_or_else(|e| panic!("{lang:?} {id}: {e:?}"));
            assert!(!text.trim().is_empty(), "{lang:?} {id} is empty");
            assert!(!text.contains('\u{2068}'), "{lang:?} {id}: isolation marks");
            if vars.is_empty() {
                assert_eq!(lang.get(&id), text, "{lang:?} {id}");
            }
        }
    }
}

/// Every source file and template of the crates that show messages.
fn sources() -> Vec<PathBuf> {
    let crates = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut out = Vec::new();
    let mut dirs = vec![
        crates.join("server/src"),
        crates.join("server/templates"),
        crates.join("cli/src"),
    ];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs" || e == "html") {
                out.push(path);
            }
        }
    }
    assert!(out.len() > 50, "found only {} sources", out.len());
    out
}

/// A look-up in the code: the key and the argument names passed with it.
#[derive(Debug)]
struct Lookup {
    at: String,
    key: String,
    args: Option<Vec<String>>,
}

/// The string literal starting right after `open` (`"key"`), if there is one.
fn literal(text: &str) -> Option<&str> {
    let rest = text.trim_start().strip_prefix('"')?;
    let end = rest.find('"')?;
    let key = &rest[..end];
    let shaped = key.starts_with(|c: char| c.is_ascii_alphabetic())
        && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    shaped.then_some(key)
}

/// The names of the `("name", …)` pairs of an argument list that starts at `text`.
fn arg_names(text: &str) -> Vec<String> {
    let end = text
        .find("])")
        .or_else(|| text.find("]\n"))
        .unwrap_or(text.len());
    let mut names = Vec::new();
    let mut rest = &text[..end];
    while let Some(i) = rest.find("(\"") {
        rest = &rest[i + 2..];
        if let Some(j) = rest.find('"') {
            names.push(rest[..j].to_owned());
            rest = &rest[j..];
        }
    }
    names
}

fn lookups() -> Vec<Lookup> {
    let mut out = Vec::new();
    for path in sources() {
        let text = std::fs::read_to_string(&path).unwrap();
        let at = path.display().to_string();
        for (call, with_args) in [
            ("get(", false),
            ("say::text(", false),
            ("fmt(", true),
            ("fmt1(", true),
        ] {
            for (i, _) in text.match_indices(call) {
                let before = &text[..i];
                if call == "get(" || call == "fmt(" {
                    // Only look-ups on a message table (`t.get(…)`, `l.fmt(…)`, …), not
                    // `map.get(…)` of a JSON value or a header.
                    let receiver = before.strip_suffix('.').unwrap_or("");
                    let receivers = ["t", "s", "l", "t()", "texts()", "lang", "self.0"];
                    if !receivers.iter().any(|r| {
                        receiver.ends_with(r)
                            && !receiver[..receiver.len() - r.len()]
                                .ends_with(|c: char| c.is_ascii_alphanumeric() || c == '_')
                    }) {
                        continue;
                    }
                } else if before.ends_with(|c: char| c.is_ascii_alphanumeric() || c == '_') {
                    continue; // try_fmt(, …
                }
                let after = &text[i + call.len()..];
                let Some(key) = literal(after) else { continue };
                let args = with_args.then(|| match call {
                    "fmt1(" => {
                        let close = after.find(')').unwrap_or(after.len());
                        after[..close]
                            .split('"')
                            .skip(3)
                            .step_by(2)
                            .map(str::to_owned)
                            .collect()
                    }
                    _ => arg_names(after),
                });
                out.push(Lookup {
                    at: at.clone(),
                    key: key.to_owned(),
                    args,
                });
            }
        }
    }
    out
}

#[test]
fn every_key_the_code_looks_up_exists_and_formats_with_the_arguments_it_passes() {
    let found = lookups();
    assert!(found.len() > 250, "found only {} look-ups", found.len());
    let mut problems = Vec::new();
    for l in &found {
        for lang in Lang::ALL {
            let names = l.args.clone().unwrap_or_default();
            let args: Vec<(&str, FluentValue<'_>)> =
                names.iter().map(|n| (n.as_str(), sample(n))).collect();
            match lang.try_fmt(&l.key, &args) {
                Ok(_) => {}
                Err(FormatError::Broken(_, why)) => {
                    problems.push(format!(
                        "{}: {lang:?} {} with {names:?}: {why:?}",
                        l.at, l.key
                    ));
                }
                Err(FormatError::Missing) => {
                    problems.push(format!("{}: {lang:?} has no message {}", l.at, l.key));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn every_message_is_used_somewhere() {
    let all: String = sources()
        .iter()
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect();
    // Keys built from a code or a kind: `error_<code>` (every ErrorCode, tested in the server).
    let unused: Vec<&str> = Lang::En
        .keys()
        .into_iter()
        .filter(|k| !k.starts_with("error_") && !all.contains(&format!("\"{k}\"")))
        .collect();
    assert!(unused.is_empty(), "messages nothing shows: {unused:?}");
}

#[test]
fn the_command_line_speaks_korean_when_lc_all_or_lang_says_so() {
    assert_eq!(Lang::from_locale(None, Some("ko_KR.UTF-8")), Lang::Ko);
    assert_eq!(
        Lang::from_locale(Some("ko_KR.UTF-8"), Some("en_US.UTF-8")),
        Lang::Ko
    );
    assert_eq!(
        Lang::from_locale(Some("en_US.UTF-8"), Some("ko_KR.UTF-8")),
        Lang::En
    );
    assert_eq!(Lang::from_locale(Some(""), Some("ko")), Lang::Ko);
    assert_eq!(Lang::from_locale(None, Some("C.UTF-8")), Lang::En);
    assert_eq!(Lang::from_locale(None, None), Lang::En);
}
