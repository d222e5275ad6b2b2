//! The `.cfg.json` format of AEM as a Cloud Service (Apache Sling's reading of the OSGi
//! Configurator's JSON): one JSON object of properties, `//` and `/* */` comments allowed,
//! with optional type hints in the key (`"size:Integer": 500`, `"ids:Long[]"`,
//! `"claims:Collection<String>"`).
//!
//! Without a hint a string is a `String`, a boolean a `Boolean`, a whole number a `Long`, a
//! decimal a `Double`, and an array an array of its first element's type.

use serde_json::{Map, Number, Value};

use super::SyntaxError;
use super::felix::WriteError;
use super::value::{OsgiValue, Properties, Scalar, ScalarType, ValueType};

/// Replaces comments with spaces (keeping line breaks, so that error lines stay right).
fn strip_comments(text: &str) -> Result<String, SyntaxError> {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    let mut line = 1;
    let mut in_string = false;
    while let Some(c) = chars.next() {
        if c == '\n' {
            line += 1;
        }
        if in_string {
            out.push(c);
            if c == '\\' {
                if let Some(n) = chars.next() {
                    out.push(n);
                }
            } else if c == '"' {
                in_string = false;
            }
            continue;
        }
        match (c, chars.peek()) {
            ('"', _) => {
                in_string = true;
                out.push(c);
            }
            ('/', Some('/')) => {
                while chars.peek().is_some_and(|&n| n != '\n') {
                    chars.next();
                    out.push(' ');
                }
                out.push(' ');
            }
            ('/', Some('*')) => {
                let start = line;
                chars.next();
                out.push_str("  ");
                let mut closed = false;
                while let Some(n) = chars.next() {
                    if n == '*' && chars.peek() == Some(&'/') {
                        chars.next();
                        out.push_str("  ");
                        closed = true;
                        break;
                    }
                    if n == '\n' {
                        line += 1;
                        out.push('\n');
                    } else {
                        out.push(' ');
                    }
                }
                if !closed {
                    return Err(SyntaxError {
                        line: start,
                        column: 1,
                        message: "a /* comment is not closed; add */".into(),
                    });
                }
            }
            _ => out.push(c),
        }
    }
    Ok(out)
}

/// A type hint from a key: `Integer`, `int[]`, `Collection<String>`, …
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Hint {
    Scalar(ScalarType),
    Array(ValueType),
    Collection(ScalarType),
}

fn scalar_named(name: &str) -> Option<ValueType> {
    ScalarType::ALL.iter().find_map(|&t| {
        if t.wrapper_name() == name || (t == ScalarType::Character && name == "Char") {
            Some(ValueType::boxed(t))
        } else if t.primitive_name() == Some(name) {
            Some(ValueType {
                scalar: t,
                primitive: true,
            })
        } else {
            None
        }
    })
}

fn parse_hint(raw: &str) -> Option<Hint> {
    let raw = raw.trim();
    if let Some(element) = raw.strip_suffix("[]") {
        return scalar_named(element.trim()).map(Hint::Array);
    }
    if raw == "Collection" {
        return Some(Hint::Collection(ScalarType::String));
    }
    if let Some(inner) = raw
        .strip_prefix("Collection<")
        .and_then(|r| r.strip_suffix('>'))
    {
        return scalar_named(inner.trim())
            .filter(|t| !t.primitive)
            .map(|t| Hint::Collection(t.scalar));
    }
    scalar_named(raw).map(|t| Hint::Scalar(t.scalar))
}

fn scalar_from_json(ty: ScalarType, v: &Value) -> Result<Scalar, String> {
    match (ty, v) {
        (ScalarType::String, Value::String(s)) => Ok(Scalar::String(s.clone())),
        (ScalarType::String, Value::Number(n)) => Ok(Scalar::String(n.to_string())),
        (ScalarType::String, Value::Bool(b)) => Ok(Scalar::String(b.to_string())),
        (ScalarType::Boolean, Value::Bool(b)) => Ok(Scalar::Boolean(*b)),
        (ScalarType::Float, Value::Number(n)) => n
            .as_f64()
            .map(|f| Scalar::Float(f as f32))
            .ok_or_else(|| format!("{n} is not a Float")),
        (ScalarType::Double, Value::Number(n)) => n
            .as_f64()
            .map(Scalar::Double)
            .ok_or_else(|| format!("{n} is not a Double")),
        (_, Value::Number(n)) => Scalar::parse(ty, &n.to_string()),
        (_, Value::String(s)) => Scalar::parse(ty, s),
        (_, Value::Bool(b)) => Scalar::parse(ty, &b.to_string()),
        (_, other) => Err(format!("{other} is not a {}", ty.wrapper_name())),
    }
}

fn inferred_type(v: &Value) -> Result<ScalarType, String> {
    match v {
        Value::String(_) => Ok(ScalarType::String),
        Value::Bool(_) => Ok(ScalarType::Boolean),
        Value::Number(n) if n.is_i64() || n.is_u64() => Ok(ScalarType::Long),
        Value::Number(_) => Ok(ScalarType::Double),
        Value::Null => Err("null is not an OSGi value; leave the property out instead".into()),
        Value::Array(_) => Err("arrays cannot hold arrays".into()),
        Value::Object(_) => Err("an object is not an OSGi value; use a string or a list".into()),
    }
}

fn value_from_json(hint: Option<Hint>, v: &Value) -> Result<OsgiValue, String> {
    let items = |ty: ScalarType, v: &Value| -> Result<Vec<Scalar>, String> {
        match v {
            Value::Array(list) => list.iter().map(|i| scalar_from_json(ty, i)).collect(),
            single => Ok(vec![scalar_from_json(ty, single)?]),
        }
    };
    match hint {
        Some(Hint::Scalar(ty)) => Ok(OsgiValue::Single(scalar_from_json(ty, v)?)),
        Some(Hint::Array(element)) => Ok(OsgiValue::Array {
            element,
            items: items(element.scalar, v)?,
        }),
        Some(Hint::Collection(element)) => Ok(OsgiValue::Collection {
            element,
            items: items(element, v)?,
        }),
        None => match v {
            Value::Array(list) => {
                let ty = list.first().map_or(Ok(ScalarType::String), inferred_type)?;
                let items = list
                    .iter()
                    .map(|i| {
                        if inferred_type(i)? == ty {
                            scalar_from_json(ty, i)
                        } else {
                            Err(format!(
                                "the list mixes types ({i} is not a {}); give a type hint such as \"key:String[]\"",
                                ty.wrapper_name()
                            ))
                        }
                    })
                    .collect::<Result<_, _>>()?;
                Ok(OsgiValue::Array {
                    element: ValueType::boxed(ty),
                    items,
                })
            }
            single => Ok(OsgiValue::Single(scalar_from_json(
                inferred_type(single)?,
                single,
            )?)),
        },
    }
}

/// Where `key` starts in `text`, for an error's line number.
fn line_of_key(text: &str, key: &str) -> usize {
    let quoted = format!("\"{key}");
    text.find(&quoted)
        .map_or(1, |at| text[..at].matches('\n').count() + 1)
}

/// Reads a `.cfg.json` text.
pub fn read(text: &str) -> Result<Properties, SyntaxError> {
    let stripped = strip_comments(text.trim_start_matches('\u{feff}'))?;
    let value: Value = serde_json::from_str(&stripped).map_err(|e| SyntaxError {
        line: e.line().max(1),
        column: e.column().max(1),
        message: format!("not valid JSON: {e}"),
    })?;
    let Value::Object(map) = value else {
        return Err(SyntaxError {
            line: 1,
            column: 1,
            message: "a .cfg.json file holds one JSON object of properties".into(),
        });
    };
    let mut props = Properties::new();
    for (raw_key, v) in &map {
        if raw_key.starts_with(":configurator:") {
            continue;
        }
        let (key, hint) = match raw_key.rsplit_once(':') {
            Some((key, hint)) => {
                let Some(hint) = parse_hint(hint) else {
                    return Err(SyntaxError {
                        line: line_of_key(&stripped, raw_key),
                        column: 1,
                        message: format!(
                            "{raw_key:?} has an unknown type hint {hint:?}; use one such as Integer, Long, Boolean, String[] or Collection<String>"
                        ),
                    });
                };
                (key, Some(hint))
            }
            None => (raw_key.as_str(), None),
        };
        let value = value_from_json(hint, v).map_err(|message| SyntaxError {
            line: line_of_key(&stripped, raw_key),
            column: 1,
            message: format!("{key}: {message}"),
        })?;
        props.insert(key.to_owned(), value);
    }
    Ok(props)
}

fn scalar_to_json(key: &str, s: &Scalar) -> Result<Value, WriteError> {
    let finite = |f: f64| {
        Number::from_f64(f)
            .map(Value::Number)
            .ok_or_else(|| WriteError {
                property: key.to_owned(),
                problem: format!("{f} cannot be written in JSON"),
            })
    };
    Ok(match s {
        Scalar::String(t) => Value::String(t.clone()),
        Scalar::Character(c) => Value::String(c.to_string()),
        Scalar::Boolean(b) => Value::Bool(*b),
        Scalar::Integer(n) => Value::from(*n),
        Scalar::Long(n) => Value::from(*n),
        Scalar::Byte(n) => Value::from(*n),
        Scalar::Short(n) => Value::from(*n),
        Scalar::Float(f) => finite(f64::from(*f))?,
        Scalar::Double(f) => finite(*f)?,
    })
}

/// The types a value has when read back without a hint.
fn needs_no_hint(ty: ScalarType) -> bool {
    matches!(
        ty,
        ScalarType::String | ScalarType::Boolean | ScalarType::Long | ScalarType::Double
    )
}

/// Writes properties as a `.cfg.json` text (keys in name order, hints only where needed).
pub fn write(props: &Properties) -> Result<String, WriteError> {
    let mut map = Map::new();
    for (key, value) in props {
        if key.is_empty() || key.contains(':') {
            return Err(WriteError {
                property: key.clone(),
                problem: "a .cfg.json property name must be non-empty and hold no ':'".into(),
            });
        }
        if !value.is_consistent() {
            return Err(WriteError {
                property: key.clone(),
                problem: "its elements do not all have the declared type".into(),
            });
        }
        let list = |items: &[Scalar]| -> Result<Value, WriteError> {
            items
                .iter()
                .map(|i| scalar_to_json(key, i))
                .collect::<Result<Vec<_>, _>>()
                .map(Value::Array)
        };
        let (hinted, json) = match value {
            OsgiValue::Single(s) => {
                let ty = s.scalar_type();
                let hint = (!needs_no_hint(ty)).then(|| ty.wrapper_name().to_owned());
                (hint, scalar_to_json(key, s)?)
            }
            OsgiValue::Array { element, items } => {
                let plain = !element.primitive
                    && needs_no_hint(element.scalar)
                    && (element.scalar == ScalarType::String || !items.is_empty());
                let name = if element.primitive {
                    element.scalar.primitive_name().unwrap_or("String")
                } else {
                    element.scalar.wrapper_name()
                };
                let hint = (!plain).then(|| format!("{name}[]"));
                (hint, list(items)?)
            }
            OsgiValue::Collection { element, items } => (
                Some(format!("Collection<{}>", element.wrapper_name())),
                list(items)?,
            ),
        };
        let full = match hinted {
            Some(h) => format!("{key}:{h}"),
            None => key.clone(),
        };
        map.insert(full, json);
    }
    let mut text = serde_json::to_string_pretty(&Value::Object(map)).map_err(|e| WriteError {
        property: String::new(),
        problem: e.to_string(),
    })?;
    text.push('\n');
    Ok(text)
}
