//! Typed OSGi configuration values, as Configuration Admin holds them: scalars of the Java
//! wrapper types, arrays and collections of them.

use std::collections::BTreeMap;
use std::fmt;

/// A configuration's properties by name, in name order.
pub type Properties = BTreeMap<String, OsgiValue>;

/// The Java type of a scalar value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ScalarType {
    /// `java.lang.String`.
    String,
    /// `java.lang.Integer`.
    Integer,
    /// `java.lang.Long`.
    Long,
    /// `java.lang.Float`.
    Float,
    /// `java.lang.Double`.
    Double,
    /// `java.lang.Byte`.
    Byte,
    /// `java.lang.Short`.
    Short,
    /// `java.lang.Character`.
    Character,
    /// `java.lang.Boolean`.
    Boolean,
}

impl ScalarType {
    /// Every type, for tests and lookups.
    pub const ALL: [Self; 9] = [
        Self::String,
        Self::Integer,
        Self::Long,
        Self::Float,
        Self::Double,
        Self::Byte,
        Self::Short,
        Self::Character,
        Self::Boolean,
    ];

    /// The wrapper class's simple name, as `.cfg.json` type hints spell it.
    pub fn wrapper_name(self) -> &'static str {
        match self {
            Self::String => "String",
            Self::Integer => "Integer",
            Self::Long => "Long",
            Self::Float => "Float",
            Self::Double => "Double",
            Self::Byte => "Byte",
            Self::Short => "Short",
            Self::Character => "Character",
            Self::Boolean => "Boolean",
        }
    }

    /// The primitive's name (`int`, `char`, …); `None` for `String`.
    pub fn primitive_name(self) -> Option<&'static str> {
        Some(match self {
            Self::String => return None,
            Self::Integer => "int",
            Self::Long => "long",
            Self::Float => "float",
            Self::Double => "double",
            Self::Byte => "byte",
            Self::Short => "short",
            Self::Character => "char",
            Self::Boolean => "boolean",
        })
    }
}

/// The element type of an array: a wrapper type, or a primitive (`int[]` rather than
/// `Integer[]`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ValueType {
    /// The scalar type.
    pub scalar: ScalarType,
    /// Whether the Java array holds primitives.
    pub primitive: bool,
}

impl ValueType {
    /// A wrapper (boxed) element type.
    pub fn boxed(scalar: ScalarType) -> Self {
        Self {
            scalar,
            primitive: false,
        }
    }
}

/// One scalar value.
#[derive(Clone, Debug, PartialEq)]
pub enum Scalar {
    /// Text.
    String(String),
    /// 32-bit integer.
    Integer(i32),
    /// 64-bit integer.
    Long(i64),
    /// 32-bit floating point.
    Float(f32),
    /// 64-bit floating point.
    Double(f64),
    /// 8-bit integer.
    Byte(i8),
    /// 16-bit integer.
    Short(i16),
    /// One UTF-16 character (any Unicode scalar here).
    Character(char),
    /// True or false.
    Boolean(bool),
}

impl Scalar {
    /// The scalar's type.
    pub fn scalar_type(&self) -> ScalarType {
        match self {
            Self::String(_) => ScalarType::String,
            Self::Integer(_) => ScalarType::Integer,
            Self::Long(_) => ScalarType::Long,
            Self::Float(_) => ScalarType::Float,
            Self::Double(_) => ScalarType::Double,
            Self::Byte(_) => ScalarType::Byte,
            Self::Short(_) => ScalarType::Short,
            Self::Character(_) => ScalarType::Character,
            Self::Boolean(_) => ScalarType::Boolean,
        }
    }

    /// Parses `text` as a value of type `ty` (`true`/`false` for booleans, decimal numbers).
    pub fn parse(ty: ScalarType, text: &str) -> Result<Self, String> {
        let bad = || format!("{text:?} is not a {}", ty.wrapper_name());
        Ok(match ty {
            ScalarType::String => Self::String(text.to_owned()),
            ScalarType::Integer => Self::Integer(text.trim().parse().map_err(|_| bad())?),
            ScalarType::Long => Self::Long(text.trim().parse().map_err(|_| bad())?),
            ScalarType::Float => Self::Float(text.trim().parse().map_err(|_| bad())?),
            ScalarType::Double => Self::Double(text.trim().parse().map_err(|_| bad())?),
            ScalarType::Byte => Self::Byte(text.trim().parse().map_err(|_| bad())?),
            ScalarType::Short => Self::Short(text.trim().parse().map_err(|_| bad())?),
            ScalarType::Character => {
                let mut chars = text.chars();
                match (chars.next(), chars.next()) {
                    (Some(c), None) => Self::Character(c),
                    _ => return Err(format!("{text:?} is not a single character")),
                }
            }
            ScalarType::Boolean => match text.trim().to_ascii_lowercase().as_str() {
                "true" => Self::Boolean(true),
                "false" => Self::Boolean(false),
                _ => return Err(format!("{text:?} is not a Boolean; use true or false")),
            },
        })
    }
}

impl fmt::Display for Scalar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::String(s) => f.write_str(s),
            Self::Integer(n) => n.fmt(f),
            Self::Long(n) => n.fmt(f),
            Self::Float(n) => n.fmt(f),
            Self::Double(n) => n.fmt(f),
            Self::Byte(n) => n.fmt(f),
            Self::Short(n) => n.fmt(f),
            Self::Character(c) => c.fmt(f),
            Self::Boolean(b) => b.fmt(f),
        }
    }
}

/// A property's value: one scalar, an array or a collection (Felix's `[…]` and `(…)`).
#[derive(Clone, Debug, PartialEq)]
pub enum OsgiValue {
    /// One value.
    Single(Scalar),
    /// A Java array.
    Array {
        /// The element type.
        element: ValueType,
        /// The elements, each of the element's scalar type.
        items: Vec<Scalar>,
    },
    /// A `java.util.Collection`.
    Collection {
        /// The element type.
        element: ScalarType,
        /// The elements, each of that type.
        items: Vec<Scalar>,
    },
}

impl OsgiValue {
    /// A single string value.
    pub fn string(s: impl Into<String>) -> Self {
        Self::Single(Scalar::String(s.into()))
    }

    /// A `String[]` value.
    pub fn strings<I, S>(items: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Self::Array {
            element: ValueType::boxed(ScalarType::String),
            items: items
                .into_iter()
                .map(|s| Scalar::String(s.into()))
                .collect(),
        }
    }

    /// Every element (one for a single value), as text.
    pub fn texts(&self) -> Vec<String> {
        match self {
            Self::Single(s) => vec![s.to_string()],
            Self::Array { items, .. } | Self::Collection { items, .. } => {
                items.iter().map(ToString::to_string).collect()
            }
        }
    }

    /// The value as one text: a single value as is, several joined with commas.
    pub fn text(&self) -> String {
        self.texts().join(",")
    }

    /// Checks that every element has the declared type.
    pub(crate) fn is_consistent(&self) -> bool {
        match self {
            Self::Single(_) => true,
            Self::Array { element, items } => {
                items.iter().all(|i| i.scalar_type() == element.scalar)
            }
            Self::Collection { element, items } => {
                items.iter().all(|i| i.scalar_type() == *element)
            }
        }
    }
}
