//! `.env` files: `NAME=value` lines, optionally `export NAME=value`, values bare, in single
//! quotes (taken literally) or in double quotes (with `\n`, `\"`, `\\` escapes); `#` starts
//! a comment line.

use crate::osgi::SyntaxError;

/// Reads a `.env` text into its variables, in file order (a repeated name keeps the last).
pub fn read(text: &str) -> Result<Vec<(String, String)>, SyntaxError> {
    let mut out: Vec<(String, String)> = Vec::new();
    let mut lines = text.trim_start_matches('\u{feff}').lines().enumerate();
    while let Some((index, raw)) = lines.next() {
        let line = index + 1;
        let fail = |message: String| SyntaxError {
            line,
            column: 1,
            message,
        };
        let trimmed = raw.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let body = trimmed
            .strip_prefix("export ")
            .map_or(trimmed, str::trim_start);
        let Some((name, value)) = body.split_once('=') else {
            return Err(fail(format!(
                "{trimmed:?} is not a NAME=value line (a .env file holds one variable per line)"
            )));
        };
        let name = name.trim();
        if name.is_empty()
            || name.starts_with(|c: char| c.is_ascii_digit())
            || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        {
            return Err(fail(format!(
                "{name:?} is not a variable name; use letters, digits and '_'"
            )));
        }
        let value = value.trim_start();
        let value = if let Some(rest) = value.strip_prefix('\'') {
            let mut text = rest.to_owned();
            while !text.contains('\'') {
                let Some((_, next)) = lines.next() else {
                    return Err(fail(format!("the value of {name} has no closing '")));
                };
                text.push('\n');
                text.push_str(next);
            }
            let end = text.find('\'').unwrap_or(text.len());
            text[..end].to_owned()
        } else if let Some(rest) = value.strip_prefix('"') {
            let mut text = rest.to_owned();
            loop {
                if let Some(end) = closing_quote(&text) {
                    break unescape_double(&text[..end]);
                }
                let Some((_, next)) = lines.next() else {
                    return Err(fail(format!("the value of {name} has no closing \"")));
                };
                text.push('\n');
                text.push_str(next);
            }
        } else {
            // A bare value ends at an unquoted " #" comment.
            let end = value.find(" #").unwrap_or(value.len());
            value[..end].trim_end().to_owned()
        };
        out.retain(|(n, _)| n != name);
        out.push((name.to_owned(), value));
    }
    Ok(out)
}

fn closing_quote(text: &str) -> Option<usize> {
    let mut escaped = false;
    for (i, c) in text.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '"' => return Some(i),
            _ => {}
        }
    }
    None
}

fn unescape_double(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('t') => out.push('\t'),
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::read;

    #[test]
    fn dotenv_lines_take_bare_quoted_and_exported_values() {
        let text = "# secrets\nexport A=1\nB='two words'\nC=\"line\\nbreak \\\"q\\\"\"\nD=bare # note\nA=3\n";
        let vars = read(text).unwrap();
        let get = |n: &str| vars.iter().find(|(k, _)| k == n).map(|(_, v)| v.as_str());
        assert_eq!(get("A"), Some("3"));
        assert_eq!(get("B"), Some("two words"));
        assert_eq!(get("C"), Some("line\nbreak \"q\""));
        assert_eq!(get("D"), Some("bare"));
        assert_eq!(vars.len(), 4);
    }

    #[test]
    fn a_line_without_an_equals_sign_is_refused_with_its_line_number() {
        let err = read("A=1\n\nnot a variable\n").unwrap_err();
        assert_eq!(err.line, 3);
        assert!(err.message.contains("NAME=value"), "{err}");
        assert_eq!(read("1A=x").unwrap_err().line, 1);
        assert!(read("A=\"open").is_err());
    }
}
