//! Values for `$[secret:NAME]` and `$[env:NAME]` placeholders: from a Cloud Manager variables
//! export, a `.env` file, or the environment.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;

use crate::dotenv;

/// A variables file that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct VarsError {
    /// What is wrong and how to fix it. Never holds a value.
    pub message: String,
}

/// Placeholder values. Every value is treated as a secret: none is ever displayed.
#[derive(Clone, Default)]
pub struct Vars {
    values: BTreeMap<String, SecretString>,
    /// Secret variables a Cloud Manager export names without a value (it never exports them).
    listed_without_value: BTreeSet<String>,
}

impl fmt::Debug for Vars {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Vars")
            .field("names", &self.values.keys().collect::<Vec<_>>())
            .field("listed_without_value", &self.listed_without_value)
            .finish()
    }
}

impl Vars {
    /// No variables.
    pub fn new() -> Self {
        Self::default()
    }

    /// Variables from `(name, value)` pairs, such as `std::env::vars()`.
    pub fn from_pairs<I, K, V>(pairs: I) -> Self
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<String>,
    {
        Self {
            values: pairs
                .into_iter()
                .map(|(k, v)| (k.into(), SecretString::from(v.into())))
                .collect(),
            listed_without_value: BTreeSet::new(),
        }
    }

    /// These variables with `other`'s on top: a variable `other` has wins, and one it lists
    /// without a value (a Cloud Manager secret) keeps the value these have.
    #[must_use]
    pub fn overridden_by(mut self, other: Vars) -> Self {
        self.values.extend(other.values);
        self.listed_without_value.extend(
            other
                .listed_without_value
                .into_iter()
                .filter(|name| !self.values.contains_key(name)),
        );
        self
    }

    /// Reads a variables file: a Cloud Manager export when it is JSON, a `.env` file
    /// otherwise.
    pub fn parse(text: &str) -> Result<Self, VarsError> {
        let trimmed = text.trim_start_matches('\u{feff}').trim_start();
        if trimmed.starts_with('[') || trimmed.starts_with('{') {
            Self::from_cloud_manager_json(text)
        } else {
            Self::from_dotenv(text)
        }
    }

    /// Reads a `.env` file.
    pub fn from_dotenv(text: &str) -> Result<Self, VarsError> {
        dotenv::read(text)
            .map(Self::from_pairs)
            .map_err(|e| VarsError {
                message: format!("not a .env file: {e}"),
            })
    }

    /// Reads a Cloud Manager variables export: a list of `{"name", "type", "value"}` (the
    /// body of Cloud Manager's `PATCH …/variables`, as `imsbridge` writes it), or the API's
    /// answer `{"_embedded": {"variables": […]}}` or `{"variables": […]}`.
    ///
    /// Cloud Manager never exports the values of `secretString` variables; those are
    /// remembered as listed, so that a placeholder naming one says why it is unresolved.
    pub fn from_cloud_manager_json(text: &str) -> Result<Self, VarsError> {
        let value: Value = serde_json::from_str(text).map_err(|e| VarsError {
            message: format!("not a Cloud Manager variables export: invalid JSON ({e})"),
        })?;
        let list = match &value {
            Value::Array(list) => list,
            Value::Object(o) => o
                .get("_embedded")
                .and_then(|e| e.get("variables"))
                .or_else(|| o.get("variables"))
                .and_then(Value::as_array)
                .ok_or_else(|| VarsError {
                    message: "not a Cloud Manager variables export: expected a list of variables, or an object with \"variables\" or \"_embedded.variables\"".into(),
                })?,
            _ => {
                return Err(VarsError {
                    message: "not a Cloud Manager variables export: expected a JSON list of variables".into(),
                });
            }
        };
        let mut vars = Self::new();
        for (i, item) in list.iter().enumerate() {
            let Some(name) = item.get("name").and_then(Value::as_str) else {
                return Err(VarsError {
                    message: format!("variable #{} has no \"name\"", i + 1),
                });
            };
            let ty = item.get("type").and_then(Value::as_str).unwrap_or("string");
            if !matches!(ty, "string" | "secretString") {
                return Err(VarsError {
                    message: format!(
                        "variable {name} has type {ty:?}; Cloud Manager types are \"string\" and \"secretString\""
                    ),
                });
            }
            match item.get("value") {
                Some(Value::String(v)) => {
                    if let Some(seen) = vars.values.get(name)
                        && seen.expose_secret() != v
                    {
                        return Err(VarsError {
                            message: format!(
                                "variable {name} is listed twice with different values (for different services?); keep one, or export one service's variables"
                            ),
                        });
                    }
                    vars.listed_without_value.remove(name);
                    vars.values
                        .insert(name.to_owned(), SecretString::from(v.clone()));
                }
                None | Some(Value::Null) => {
                    if !vars.values.contains_key(name) {
                        vars.listed_without_value.insert(name.to_owned());
                    }
                }
                Some(_) => {
                    return Err(VarsError {
                        message: format!("variable {name} has a value that is not a string"),
                    });
                }
            }
        }
        Ok(vars)
    }

    /// These variables, falling back to `lower`'s for names they do not set.
    #[must_use]
    pub fn or(mut self, lower: Self) -> Self {
        for (name, value) in lower.values {
            if !self.values.contains_key(&name) {
                self.listed_without_value.remove(&name);
                self.values.insert(name, value);
            }
        }
        for name in lower.listed_without_value {
            if !self.values.contains_key(&name) {
                self.listed_without_value.insert(name);
            }
        }
        self
    }

    /// The value of `name`.
    pub fn get(&self, name: &str) -> Option<&SecretString> {
        self.values.get(name)
    }

    /// Whether a Cloud Manager export listed `name` as a secret without its value.
    pub fn listed_without_value(&self, name: &str) -> bool {
        self.listed_without_value.contains(name)
    }

    /// How many variables have a value.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// Whether no variable has a value.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }
}

/// One `$[kind:NAME;default=…]` placeholder.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Placeholder {
    /// `secret`, `env` or `prop`.
    pub kind: String,
    /// The variable's name.
    pub name: String,
    /// The `default=` value, if given.
    pub default: Option<String>,
    /// The placeholder as written.
    pub text: String,
}

/// What resolving a value's placeholders gave.
#[derive(Clone, Debug)]
pub enum Resolved {
    /// Every placeholder had a value (or the text had none).
    Value(SecretString),
    /// These placeholders had no value and no default.
    Unresolved(Vec<Placeholder>),
}

/// The placeholders in `text`, with their byte ranges.
fn scan(text: &str) -> Vec<(std::ops::Range<usize>, Placeholder)> {
    let mut found = Vec::new();
    let mut at = 0;
    while let Some(start) = text[at..].find("$[").map(|i| at + i) {
        let Some(end) = text[start..].find(']').map(|i| start + i) else {
            break;
        };
        let inner = &text[start + 2..end];
        at = end + 1;
        let mut parts = inner.split(';');
        let Some((kind, name)) = parts.next().and_then(|h| h.split_once(':')) else {
            continue;
        };
        let default = parts.find_map(|p| p.strip_prefix("default=").map(str::to_owned));
        found.push((
            start..end + 1,
            Placeholder {
                kind: kind.trim().to_owned(),
                name: name.trim().to_owned(),
                default,
                text: text[start..=end].to_owned(),
            },
        ));
    }
    found
}

/// Whether `text` holds a placeholder.
pub fn has_placeholder(text: &str) -> bool {
    !scan(text).is_empty()
}

/// Replaces the placeholders of `text` with their values, their defaults otherwise.
pub fn resolve(text: &str, vars: &Vars) -> Resolved {
    let found = scan(text);
    if found.is_empty() {
        return Resolved::Value(SecretString::from(text.to_owned()));
    }
    let mut out = String::with_capacity(text.len());
    let mut missing = Vec::new();
    let mut last = 0;
    for (range, p) in found {
        out.push_str(&text[last..range.start]);
        last = range.end;
        match (vars.get(&p.name), &p.default) {
            (Some(v), _) => out.push_str(v.expose_secret()),
            (None, Some(d)) => out.push_str(d),
            (None, None) => missing.push(p),
        }
    }
    out.push_str(&text[last..]);
    if missing.is_empty() {
        Resolved::Value(SecretString::from(out))
    } else {
        Resolved::Unresolved(missing)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_resolve_from_vars_then_defaults_and_report_the_rest() {
        let vars = Vars::from_pairs([("A", "one")]);
        let Resolved::Value(v) = resolve("x-$[env:A]-$[env:B;default=two]", &vars) else {
            panic!("resolves")
        };
        assert_eq!(v.expose_secret(), "x-one-two");
        let Resolved::Unresolved(missing) = resolve("$[secret:C]", &vars) else {
            panic!("unresolved")
        };
        assert_eq!(missing[0].name, "C");
        assert_eq!(missing[0].kind, "secret");
        assert_eq!(missing[0].text, "$[secret:C]");
        let Resolved::Value(plain) = resolve("no placeholder", &vars) else {
            panic!("plain")
        };
        assert_eq!(plain.expose_secret(), "no placeholder");
    }

    #[test]
    fn a_cloud_manager_export_takes_values_and_remembers_unexported_secrets() {
        let text = r#"{"_embedded":{"variables":[
            {"name":"PLAIN","type":"string","value":"v"},
            {"name":"HIDDEN","type":"secretString"}]}}"#;
        let vars = Vars::parse(text).unwrap();
        assert_eq!(vars.get("PLAIN").unwrap().expose_secret(), "v");
        assert!(vars.get("HIDDEN").is_none());
        assert!(vars.listed_without_value("HIDDEN"));
        let with_env = vars.or(Vars::from_pairs([("HIDDEN", "h")]));
        assert_eq!(with_env.get("HIDDEN").unwrap().expose_secret(), "h");
        assert!(!with_env.listed_without_value("HIDDEN"));
    }

    #[test]
    fn a_bad_variables_file_says_what_is_wrong_without_showing_values() {
        let err = Vars::parse(r#"[{"name":"A","type":"number","value":"s3cr3t"}]"#).unwrap_err();
        assert!(err.message.contains("secretString"), "{err}");
        assert!(!err.message.contains("s3cr3t"));
        let twice = r#"[{"name":"A","value":"x"},{"name":"A","value":"y"}]"#;
        assert!(Vars::parse(twice).unwrap_err().message.contains("twice"));
        assert!(Vars::parse("[").is_err());
        assert!(format!("{:?}", Vars::from_pairs([("K", "s3cr3t")])).contains('K'));
        assert!(!format!("{:?}", Vars::from_pairs([("K", "s3cr3t")])).contains("s3cr3t"));
    }
}
