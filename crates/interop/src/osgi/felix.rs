//! Apache Felix's `.config` format (its `ConfigurationHandler`), which AEM 6.5 and Managed
//! Services keep OSGi configurations in:
//!
//! ```text
//! # a comment line
//! name="Smart Content Service"
//! auth.token.provider.scope=["openid","AdobeID"]
//! auth.token.provider.reuse.access.token=B"true"
//! timeout=I"30"
//! claims=("\"iss\"\ :\ \"ORG\"")
//! ```
//!
//! A value is an optional one-letter type code (`T I L F D X S C B`, lowercase for
//! primitives) and a quoted value, an array `[…]` or a collection `(…)`. Floats and doubles
//! are written as their raw IEEE-754 bits, as Felix does.

use std::fmt::Write as _;

use super::SyntaxError;
use super::value::{OsgiValue, Properties, Scalar, ScalarType, ValueType};

/// Why a configuration cannot be written in a format.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("property {property:?}: {problem}")]
pub struct WriteError {
    /// The property.
    pub property: String,
    /// What is wrong with it.
    pub problem: String,
}

fn type_of_code(c: char) -> Option<ValueType> {
    let scalar = match c.to_ascii_uppercase() {
        'T' if c == 'T' => ScalarType::String,
        'I' => ScalarType::Integer,
        'L' => ScalarType::Long,
        'F' => ScalarType::Float,
        'D' => ScalarType::Double,
        'X' => ScalarType::Byte,
        'S' => ScalarType::Short,
        'C' => ScalarType::Character,
        'B' => ScalarType::Boolean,
        _ => return None,
    };
    Some(ValueType {
        scalar,
        primitive: c.is_ascii_lowercase(),
    })
}

fn code_of_type(ty: ValueType) -> Option<char> {
    let upper = match ty.scalar {
        ScalarType::String => return None,
        ScalarType::Integer => 'I',
        ScalarType::Long => 'L',
        ScalarType::Float => 'F',
        ScalarType::Double => 'D',
        ScalarType::Byte => 'X',
        ScalarType::Short => 'S',
        ScalarType::Character => 'C',
        ScalarType::Boolean => 'B',
    };
    Some(if ty.primitive {
        upper.to_ascii_lowercase()
    } else {
        upper
    })
}

struct Reader<'a> {
    chars: std::iter::Peekable<std::str::Chars<'a>>,
    line: usize,
    column: usize,
}

impl Reader<'_> {
    fn peek(&mut self) -> Option<char> {
        self.chars.peek().copied()
    }

    fn next(&mut self) -> Option<char> {
        let c = self.chars.next()?;
        if c == '\n' {
            self.line += 1;
            self.column = 0;
        } else {
            self.column += 1;
        }
        Some(c)
    }

    fn error(&self, message: impl Into<String>) -> SyntaxError {
        SyntaxError {
            line: self.line,
            column: self.column.max(1),
            message: message.into(),
        }
    }

    fn skip_whitespace(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.next();
        }
    }

    /// White space, and backslash–newline continuations between the elements of a list.
    fn skip_list_space(&mut self) {
        loop {
            self.skip_whitespace();
            if self.peek() != Some('\\') {
                return;
            }
            let mut ahead = self.chars.clone();
            ahead.next();
            if !matches!(ahead.next(), Some('\r' | '\n')) {
                return;
            }
            self.next();
        }
    }

    /// One escaped character after a backslash.
    fn escape(&mut self) -> Result<char, SyntaxError> {
        let Some(c) = self.next() else {
            return Err(self.error("the file ends after a backslash"));
        };
        Ok(match c {
            'b' => '\u{8}',
            't' => '\t',
            'n' => '\n',
            'f' => '\u{c}',
            'r' => '\r',
            'u' => {
                let unit = self.hex4()?;
                if (0xD800..0xDC00).contains(&unit) {
                    // A surrogate pair, as Java writes characters outside the BMP.
                    if self.next() != Some('\\') || self.next() != Some('u') {
                        return Err(
                            self.error("a \\u surrogate escape is not followed by its pair")
                        );
                    }
                    let low = self.hex4()?;
                    let code =
                        0x10000 + ((unit - 0xD800) << 10) + (low.wrapping_sub(0xDC00) & 0x3FF);
                    char::from_u32(code)
                        .ok_or_else(|| self.error("a \\u escape is not a character"))?
                } else {
                    char::from_u32(unit)
                        .ok_or_else(|| self.error("a \\u escape is not a character"))?
                }
            }
            other => other,
        })
    }

    fn hex4(&mut self) -> Result<u32, SyntaxError> {
        let mut value = 0;
        for _ in 0..4 {
            let digit = self
                .next()
                .and_then(|c| c.to_digit(16))
                .ok_or_else(|| self.error("a \\u escape needs four hexadecimal digits"))?;
            value = value * 16 + digit;
        }
        Ok(value)
    }

    fn name(&mut self) -> Result<String, SyntaxError> {
        let mut name = String::new();
        while let Some(c) = self.peek() {
            if c.is_whitespace() || c == '=' || c == '"' {
                break;
            }
            self.next();
            if c == '\\' {
                name.push(self.escape()?);
            } else {
                name.push(c);
            }
        }
        Ok(name)
    }

    /// The text between double quotes; the opening quote is already read.
    fn quoted(&mut self) -> Result<String, SyntaxError> {
        let start = self.line;
        let mut text = String::new();
        loop {
            match self.next() {
                None => {
                    return Err(SyntaxError {
                        line: start,
                        column: 1,
                        message: "a quoted value is not closed; add the closing \"".into(),
                    });
                }
                Some('"') => return Ok(text),
                Some('\\') => text.push(self.escape()?),
                Some(c) => text.push(c),
            }
        }
    }

    fn scalar(&mut self, ty: ValueType) -> Result<Scalar, SyntaxError> {
        let text = self.quoted()?;
        parse_scalar(ty.scalar, &text).map_err(|m| self.error(m))
    }

    fn list(&mut self, ty: ValueType, close: char) -> Result<Vec<Scalar>, SyntaxError> {
        let mut items = Vec::new();
        loop {
            self.skip_list_space();
            match self.next() {
                Some(c) if c == close => return Ok(items),
                Some('"') => items.push(self.scalar(ty)?),
                Some(c) => {
                    return Err(self.error(format!(
                        "expected a quoted element or {close:?} in a list, found {c:?}"
                    )));
                }
                None => return Err(self.error(format!("a list is not closed; add {close:?}"))),
            }
            self.skip_list_space();
            match self.peek() {
                Some(',') => {
                    self.next();
                }
                Some(c) if c == close => {}
                Some(c) => {
                    return Err(self.error(format!(
                        "expected ',' or {close:?} after a list element, found {c:?}"
                    )));
                }
                None => return Err(self.error(format!("a list is not closed; add {close:?}"))),
            }
        }
    }

    fn value(&mut self, key: &str) -> Result<OsgiValue, SyntaxError> {
        let mut c = self.next();
        let mut ty = ValueType::boxed(ScalarType::String);
        if let Some(code) = c
            && let Some(t) = type_of_code(code)
            && matches!(self.peek(), Some('"' | '[' | '('))
        {
            ty = t;
            c = self.next();
        }
        match c {
            Some('"') => Ok(OsgiValue::Single(self.scalar(ty)?)),
            Some('[') => Ok(OsgiValue::Array {
                element: ty,
                items: self.list(ty, ']')?,
            }),
            Some('(') => Ok(OsgiValue::Collection {
                element: ty.scalar,
                items: self.list(ty, ')')?,
            }),
            _ => Err(self.error(format!(
                "expected a value after {key}=, such as \"text\", B\"true\", I\"30\" or [\"a\",\"b\"]"
            ))),
        }
    }
}

/// Felix writes floats and doubles as their raw bits; a decimal written by hand is read too.
fn parse_scalar(ty: ScalarType, text: &str) -> Result<Scalar, String> {
    match ty {
        ScalarType::Float => match text.trim().parse::<i32>() {
            Ok(bits) => Ok(Scalar::Float(f32::from_bits(bits as u32))),
            Err(_) => Scalar::parse(ty, text),
        },
        ScalarType::Double => match text.trim().parse::<i64>() {
            Ok(bits) => Ok(Scalar::Double(f64::from_bits(bits as u64))),
            Err(_) => Scalar::parse(ty, text),
        },
        _ => Scalar::parse(ty, text),
    }
}

/// Reads a Felix `.config` text.
pub fn read(text: &str) -> Result<Properties, SyntaxError> {
    let mut r = Reader {
        chars: text.trim_start_matches('\u{feff}').chars().peekable(),
        line: 1,
        column: 0,
    };
    let mut props = Properties::new();
    loop {
        r.skip_whitespace();
        match r.peek() {
            None => return Ok(props),
            Some('#') => {
                while r.next().is_some_and(|c| c != '\n') {}
                continue;
            }
            _ => {}
        }
        let name = r.name()?;
        if name.is_empty() {
            return Err(r.error("expected a property name, such as name=\"value\""));
        }
        r.skip_whitespace();
        if r.next() != Some('=') {
            return Err(r.error(format!("expected '=' after the property name {name}")));
        }
        r.skip_whitespace();
        let value = r.value(&name)?;
        props.insert(name, value);
    }
}

fn escape_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '\\' | '"' | ' ' | '=' => {
                out.push('\\');
                out.push(c);
            }
            '\u{8}' => out.push_str("\\b"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\u{c}' => out.push_str("\\f"),
            '\r' => out.push_str("\\r"),
            // Other white space ends a name when read back: write it as an escape.
            c if (c as u32) < 0x20 || c.is_whitespace() => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
}

fn write_scalar(out: &mut String, value: &Scalar) {
    out.push('"');
    match value {
        Scalar::String(s) => escape_into(out, s),
        Scalar::Character(c) => escape_into(out, &c.to_string()),
        Scalar::Float(f) => {
            let _ = write!(out, "{}", f.to_bits() as i32);
        }
        Scalar::Double(d) => {
            let _ = write!(out, "{}", d.to_bits() as i64);
        }
        other => {
            let _ = write!(out, "{other}");
        }
    }
    out.push('"');
}

/// Writes properties as a Felix `.config` text, one property per line in name order.
pub fn write(props: &Properties) -> Result<String, WriteError> {
    let mut out = String::new();
    for (key, value) in props {
        if key.is_empty() {
            return Err(WriteError {
                property: key.clone(),
                problem: "a property needs a name".into(),
            });
        }
        if !value.is_consistent() {
            return Err(WriteError {
                property: key.clone(),
                problem: "its elements do not all have the declared type".into(),
            });
        }
        // A leading '#' would read as a comment.
        if key.starts_with('#') {
            out.push('\\');
        }
        escape_into(&mut out, key);
        out.push('=');
        let list = |out: &mut String, items: &[Scalar], open: char, close: char| {
            out.push(open);
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_scalar(out, item);
            }
            out.push(close);
        };
        match value {
            OsgiValue::Single(s) => {
                if let Some(code) = code_of_type(ValueType::boxed(s.scalar_type())) {
                    out.push(code);
                }
                write_scalar(&mut out, s);
            }
            OsgiValue::Array { element, items } => {
                if let Some(code) = code_of_type(*element) {
                    out.push(code);
                } else if element.primitive {
                    return Err(WriteError {
                        property: key.clone(),
                        problem: "String has no primitive form".into(),
                    });
                }
                list(&mut out, items, '[', ']');
            }
            OsgiValue::Collection { element, items } => {
                if let Some(code) = code_of_type(ValueType::boxed(*element)) {
                    out.push(code);
                }
                list(&mut out, items, '(', ')');
            }
        }
        out.push('\n');
    }
    Ok(out)
}
