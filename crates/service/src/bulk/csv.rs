//! The little CSV the plan needs (RFC 4180: comma-separated, fields quoted with `"` when they
//! hold a comma, quote or line break, quotes doubled), so that a spreadsheet can open and save
//! a plan without a CSV crate in the build.

/// One record as CSV text, ending in `\r\n` as RFC 4180 asks.
pub fn write_record<S: AsRef<str>>(fields: &[S]) -> String {
    let mut line = String::new();
    for (i, field) in fields.iter().enumerate() {
        if i > 0 {
            line.push(',');
        }
        let f = field.as_ref();
        if f.contains([',', '"', '\n', '\r']) || f.starts_with(' ') || f.ends_with(' ') {
            line.push('"');
            line.push_str(&f.replace('"', "\"\""));
            line.push('"');
        } else {
            line.push_str(f);
        }
    }
    line.push_str("\r\n");
    line
}

/// A malformed CSV text: the 1-based line where the problem starts.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("CSV line {line}: {problem}")]
pub struct CsvError {
    /// Where.
    pub line: usize,
    /// What.
    pub problem: String,
}

/// Parses CSV text into records (with the line each starts on); blank lines are skipped.
pub fn parse(text: &str) -> Result<Vec<(usize, Vec<String>)>, CsvError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut records = Vec::new();
    let mut record: Vec<String> = Vec::new();
    let mut field = String::new();
    let mut chars = text.chars().peekable();
    let mut line = 1;
    let mut start_line = 1;
    let mut quoted = false;
    let mut was_quoted = false;
    while let Some(c) = chars.next() {
        if quoted {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                '"' => quoted = false,
                '\n' => {
                    line += 1;
                    field.push(c);
                }
                _ => field.push(c),
            }
            continue;
        }
        match c {
            '"' if field.is_empty() && !was_quoted => {
                quoted = true;
                was_quoted = true;
            }
            '"' => {
                return Err(CsvError {
                    line,
                    problem: "a quote inside an unquoted field; quote the whole field and double the quote".into(),
                });
            }
            ',' => {
                record.push(std::mem::take(&mut field));
                was_quoted = false;
            }
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' | '\r' => {
                record.push(std::mem::take(&mut field));
                was_quoted = false;
                if !(record.len() == 1 && record[0].is_empty()) {
                    records.push((start_line, std::mem::take(&mut record)));
                }
                record.clear();
                line += 1;
                start_line = line;
            }
            _ => field.push(c),
        }
    }
    if quoted {
        return Err(CsvError {
            line: start_line,
            problem: "a quoted field is never closed".into(),
        });
    }
    if !field.is_empty() || !record.is_empty() || was_quoted {
        record.push(field);
        records.push((start_line, record));
    }
    Ok(records)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_with_commas_quotes_and_line_breaks_survive_a_round_trip() {
        let fields = ["plain", "a,b", "say \"hi\"", "two\nlines", "", " padded "];
        let text = write_record(&fields) + &write_record(&["x"]);
        let parsed = parse(&text).unwrap();
        assert_eq!(parsed.len(), 2);
        assert_eq!(parsed[0].1, fields);
        assert_eq!(parsed[1], (3, vec!["x".to_owned()]));
    }

    #[test]
    fn a_stray_quote_and_an_unclosed_quote_are_reported_with_their_line() {
        assert_eq!(parse("a,b\nc\"d\n").unwrap_err().line, 2);
        assert_eq!(parse("a\n\"open,\n").unwrap_err().line, 2);
    }
}
