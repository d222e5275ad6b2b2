//! Reading the fields of a candidate from any source's properties: placeholders resolved,
//! missing values recorded, bad values turned into problems.

use std::path::Path;

use imsbridge_domain::{AuthorizationServer, ExposeSecret, ParseError, SecretString};
use secrecy::SecretString as Secret;

use crate::report::{MissingReason, MissingValue, Problem, ProblemKind};
use crate::vars::{self, Resolved, Vars};

/// A property's value after placeholders.
pub(crate) enum Lookup {
    /// Not there.
    Absent,
    /// There, but a placeholder is unresolved or the value is encrypted (recorded).
    Missing,
    /// The value.
    Value(Secret),
}

impl Lookup {
    /// The value as plain text (for non-secret properties).
    pub(crate) fn text(&self) -> Option<String> {
        match self {
            Self::Value(v) => Some(v.expose_secret().to_owned()),
            _ => None,
        }
    }
}

/// Whether a value is encrypted with an AEM instance's key: `{` hexadecimal or base64 `}`.
pub(crate) fn is_aem_encrypted(value: &str) -> bool {
    value
        .strip_prefix('{')
        .and_then(|v| v.strip_suffix('}'))
        .is_some_and(|inner| {
            inner.len() >= 16
                && inner
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='))
        })
}

/// Reads one source's values, remembering what is missing.
pub(crate) struct FieldReader<'a> {
    pub file: &'a Path,
    pub vars: &'a Vars,
    pub missing: Vec<MissingValue>,
    pub problems: Vec<Problem>,
}

impl<'a> FieldReader<'a> {
    pub(crate) fn new(file: &'a Path, vars: &'a Vars) -> Self {
        Self {
            file,
            vars,
            missing: Vec::new(),
            problems: Vec::new(),
        }
    }

    /// Resolves `raw` (the value of `property`), recording it as missing when it cannot be.
    pub(crate) fn resolve(&mut self, property: &str, raw: Option<String>) -> Lookup {
        let Some(raw) = raw else {
            return Lookup::Absent;
        };
        match vars::resolve(&raw, self.vars) {
            Resolved::Value(v) => {
                if is_aem_encrypted(v.expose_secret().trim()) {
                    self.missing.push(MissingValue {
                        file: self.file.to_path_buf(),
                        property: property.to_owned(),
                        reason: MissingReason::Encrypted,
                    });
                    Lookup::Missing
                } else {
                    Lookup::Value(v)
                }
            }
            Resolved::Unresolved(list) => {
                for p in list {
                    self.missing.push(MissingValue {
                        file: self.file.to_path_buf(),
                        property: property.to_owned(),
                        reason: MissingReason::Unresolved {
                            listed_without_value: self.vars.listed_without_value(&p.name),
                            placeholder: p.text,
                            variable: p.name,
                        },
                    });
                }
                Lookup::Missing
            }
        }
    }

    /// Records a missing required property.
    pub(crate) fn absent(&mut self, property: &str) {
        self.problems.push(
            Problem::new(
                self.file,
                ProblemKind::MissingProperty,
                format!("the required property {property} is missing"),
            )
            .at(property),
        );
    }

    /// Parses a value, turning a refusal into a problem at `property`.
    pub(crate) fn parse<T>(
        &mut self,
        property: &str,
        value: Option<String>,
        parse: impl FnOnce(&str) -> Result<T, ParseError>,
    ) -> Option<T> {
        let value = value?;
        match parse(&value) {
            Ok(v) => Some(v),
            Err(e) => {
                self.problems.push(
                    Problem::new(
                        self.file,
                        ProblemKind::InvalidValue,
                        format!("{} (for example: {})", e.problem, e.example),
                    )
                    .at(property),
                );
                None
            }
        }
    }

    /// A non-empty secret value.
    pub(crate) fn secret(&mut self, property: &str, lookup: Lookup) -> Option<SecretString> {
        match lookup {
            Lookup::Value(v) if !v.expose_secret().is_empty() => Some(v),
            Lookup::Value(_) | Lookup::Absent => {
                self.missing.push(MissingValue {
                    file: self.file.to_path_buf(),
                    property: property.to_owned(),
                    reason: MissingReason::Absent,
                });
                None
            }
            Lookup::Missing => None,
        }
    }
}

/// The IMS base URL of a token endpoint URL (`…/ims/token/v3` → `…`).
pub(crate) fn server_of_token_url(url: &str) -> Result<AuthorizationServer, ParseError> {
    let trimmed = url.trim().trim_end_matches('/');
    const SUFFIXES: [&str; 7] = [
        "/ims/token/v3",
        "/ims/token/v2",
        "/ims/token/v1",
        "/ims/token",
        "/ims/exchange/jwt",
        "/ims/exchange/v1/jwt",
        "/ims/exchange/v2/jwt",
    ];
    let base: String = match SUFFIXES.iter().find_map(|s| trimmed.strip_suffix(s)) {
        Some(base) => base.to_owned(),
        // Any other path: the origin is the server.
        None => url::Url::parse(trimmed)
            .ok()
            .map(|u| u.origin().ascii_serialization())
            .filter(|o| o != "null")
            .unwrap_or_else(|| trimmed.to_owned()),
    };
    AuthorizationServer::parse(&base)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aem_encrypted_values_are_told_from_secrets() {
        assert!(is_aem_encrypted("{0c5d1f4a8b2e9c7d3f6a1b8e4c2d9f7a}"));
        assert!(is_aem_encrypted("{dGhpcyBpcyBub3QgYSBzZWNyZXQ=}"));
        assert!(!is_aem_encrypted("{short}"));
        assert!(!is_aem_encrypted("p8e-abc{def}"));
        assert!(!is_aem_encrypted("{\"json\": true, \"long enough\": 1}"));
    }

    #[test]
    fn a_token_url_gives_its_server() {
        for (url, server) in [
            (
                "https://ims-na1.adobelogin.com/ims/token/v3",
                "https://ims-na1.adobelogin.com",
            ),
            (
                "https://ims-na1-stg1.adobelogin.com/ims/token/v2/",
                "https://ims-na1-stg1.adobelogin.com",
            ),
            (
                "http://127.0.0.1:8181/base/ims/token/v3",
                "http://127.0.0.1:8181/base",
            ),
            (
                "https://ims.example.com/oauth/whatever",
                "https://ims.example.com",
            ),
        ] {
            assert_eq!(server_of_token_url(url).unwrap().as_str(), server, "{url}");
        }
        assert!(server_of_token_url("http://ims.example.com/ims/token/v3").is_err());
    }
}
