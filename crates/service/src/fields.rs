//! Field errors: every problem of a form or body at once, each with a machine-readable kind
//! and the arguments its message is made of, so that an adapter can render it in the
//! reader's language.

use std::collections::BTreeMap;
use std::fmt;

use imsbridge_domain::ParseError;
use serde::Serialize;
use utoipa::ToSchema;

/// What is wrong with a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FieldErrorKind {
    /// The field is required and absent or blank.
    Missing,
    /// The value does not parse (`problem`, `example`).
    Invalid,
    /// A number outside its range (`min`, `max`, `value`).
    OutOfRange,
    /// Text longer than allowed (`max`).
    TooLong,
    /// A value that is well formed but not allowed here (`reason`).
    NotAllowed,
}

impl FieldErrorKind {
    /// The kind as clients see it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Missing => "missing",
            Self::Invalid => "invalid",
            Self::OutOfRange => "out_of_range",
            Self::TooLong => "too_long",
            Self::NotAllowed => "not_allowed",
        }
    }
}

/// One field's problem.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct FieldError {
    /// The request field at fault.
    #[schema(example = "org_id")]
    pub field: String,
    /// What is wrong, as a code.
    pub kind: FieldErrorKind,
    /// The parts of the message (`problem`, `example`, `min`, `max`, …).
    #[schema(value_type = Object)]
    pub args: BTreeMap<String, String>,
    /// What was wrong and how to fix it, in English.
    pub message: String,
}

impl FieldError {
    /// A problem of `kind` with `field`.
    pub fn new(field: impl Into<String>, kind: FieldErrorKind, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            kind,
            args: BTreeMap::new(),
            message: message.into(),
        }
    }

    /// A required field that is absent or blank, with where to find its value.
    pub fn missing(field: &'static str, hint: &str) -> Self {
        Self::new(
            field,
            FieldErrorKind::Missing,
            format!("{field}: is missing; {hint}"),
        )
        .arg("hint", hint)
    }

    /// Adds an argument of the message.
    #[must_use]
    pub fn arg(mut self, key: &str, value: impl fmt::Display) -> Self {
        self.args.insert(key.to_owned(), value.to_string());
        self
    }

    /// The message without its leading `field: `.
    pub fn detail(&self) -> &str {
        self.message
            .strip_prefix(self.field.as_str())
            .and_then(|m| m.strip_prefix(": "))
            .unwrap_or(&self.message)
    }
}

impl From<ParseError> for FieldError {
    fn from(e: ParseError) -> Self {
        let message = e.to_string();
        Self::new(e.field, FieldErrorKind::Invalid, message)
            .arg("problem", &e.problem)
            .arg("example", e.example)
    }
}

/// Every field error of one request, in the order the fields were checked.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, ToSchema)]
#[serde(transparent)]
pub struct FieldErrors(Vec<FieldError>);

impl FieldErrors {
    /// No errors yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records an error; a field keeps only its first.
    pub fn push(&mut self, e: impl Into<FieldError>) {
        let e = e.into();
        if !self.0.iter().any(|x| x.field == e.field) {
            self.0.push(e);
        }
    }

    /// The value of `result`, recording its error.
    pub fn take<T, E: Into<FieldError>>(&mut self, result: Result<T, E>) -> Option<T> {
        match result {
            Ok(v) => Some(v),
            Err(e) => {
                self.push(e);
                None
            }
        }
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// How many.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// The first error, which clients that read one field show.
    pub fn first(&self) -> Option<&FieldError> {
        self.0.first()
    }

    /// `Ok(value)` when there are no errors.
    pub fn finish<T>(self, value: impl FnOnce() -> T) -> Result<T, Self> {
        if self.0.is_empty() {
            Ok(value())
        } else {
            Err(self)
        }
    }
}

impl From<Vec<FieldError>> for FieldErrors {
    fn from(v: Vec<FieldError>) -> Self {
        Self(v)
    }
}

impl IntoIterator for FieldErrors {
    type Item = FieldError;
    type IntoIter = std::vec::IntoIter<FieldError>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl fmt::Display for FieldErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0.as_slice() {
            [] => f.write_str("the request is not valid"),
            [one] => f.write_str(&one.message),
            [first, rest @ ..] => write!(
                f,
                "{} (and {} more field error{})",
                first.message,
                rest.len(),
                if rest.len() == 1 { "" } else { "s" }
            ),
        }
    }
}
