//! Java `.properties` text, which OSGi `.cfg` files and aio-lib-java's workspace files use:
//! `key=value`, `key: value` or `key value`; `#` and `!` comments; a trailing backslash
//! continues a line; `\t`, `\n`, `\uXXXX` and friends are escapes.

use std::collections::BTreeMap;

use super::SyntaxError;

fn unescape(text: &str, line: usize) -> Result<String, SyntaxError> {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('t') => out.push('\t'),
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('f') => out.push('\u{c}'),
            Some('u') => {
                let hex: String = chars.by_ref().take(4).collect();
                let c = u32::from_str_radix(&hex, 16)
                    .ok()
                    .filter(|_| hex.len() == 4)
                    .and_then(char::from_u32)
                    .ok_or_else(|| SyntaxError {
                        line,
                        column: 1,
                        message: format!("\\u{hex} is not a character escape"),
                    })?;
                out.push(c);
            }
            Some(other) => out.push(other),
            None => {}
        }
    }
    Ok(out)
}

/// Whether a line ends in an odd number of backslashes (so continues on the next line).
fn continues(line: &str) -> bool {
    line.chars().rev().take_while(|&c| c == '\\').count() % 2 == 1
}

/// Reads a `.properties` text into its keys and values (a repeated key keeps the last).
pub fn read(text: &str) -> Result<BTreeMap<String, String>, SyntaxError> {
    let mut out = BTreeMap::new();
    let mut lines = text.trim_start_matches('\u{feff}').lines().enumerate();
    while let Some((index, raw)) = lines.next() {
        let first = index + 1;
        let trimmed = raw.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') || trimmed.starts_with('!') {
            continue;
        }
        let mut logical = trimmed.to_owned();
        while continues(&logical) {
            logical.pop();
            match lines.next() {
                Some((_, next)) => logical.push_str(next.trim_start()),
                None => break,
            }
        }
        // The key ends at the first unescaped '=', ':' or white space.
        let mut key_end = logical.len();
        let mut escaped = false;
        for (i, c) in logical.char_indices() {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '=' || c == ':' || c.is_whitespace() {
                key_end = i;
                break;
            }
        }
        let key = unescape(&logical[..key_end], first)?;
        let mut rest = logical[key_end..].trim_start();
        if let Some(r) = rest.strip_prefix(['=', ':']) {
            rest = r.trim_start();
        }
        out.insert(key, unescape(rest, first)?);
    }
    Ok(out)
}
