//! The plan's CSV (RFC 4180, through the `csv` crate), guarded against formula injection.
//!
//! Plans are opened in spreadsheets, and their titles come from imported files. As OWASP
//! advises, a cell that a spreadsheet would run as a formula (it begins with `=`, `+`, `-`,
//! `@`, a tab or a carriage return) is written with a leading `'`, and so is a value that
//! already begins with `'`. Reading strips exactly one leading `'`, giving back the original.

/// Characters that make a spreadsheet treat a cell as a formula, and the quote that marks a
/// neutralised cell.
const NEUTRALISED_STARTS: [char; 7] = ['=', '+', '-', '@', '\t', '\r', '\''];

/// One record as CSV text, ending in `\r\n` as RFC 4180 asks.
pub fn write_record<S: AsRef<str>>(fields: &[S]) -> String {
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .quote_style(csv::QuoteStyle::Necessary)
        .from_writer(Vec::new());
    writer
        .write_record(fields.iter().map(|f| neutralise(f.as_ref()).into_owned()))
        .expect("writing to memory cannot fail");
    let bytes = writer.into_inner().expect("writing to memory cannot fail");
    String::from_utf8(bytes).expect("CSV of UTF-8 fields is UTF-8")
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

/// Parses CSV text into records (with the line each starts on); blank lines are skipped and
/// each field loses the one `'` that [`write_record`] added.
pub fn parse(text: &str) -> Result<Vec<(usize, Vec<String>)>, CsvError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    check_quotes(text)?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut records = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| CsvError {
            line: e.position().map_or(0, |p| line_at(text, p)),
            problem: e.to_string(),
        })?;
        let line = record.position().map_or(0, |p| line_at(text, p));
        records.push((line, record.iter().map(restore).collect()));
    }
    Ok(records)
}

/// The line an editor shows for a position: the crate counts records, not the line breaks
/// inside quoted fields, and a record's position may point at the line break before it.
fn line_at(text: &str, position: &csv::Position) -> usize {
    let bytes = text.as_bytes();
    let mut byte = usize::try_from(position.byte())
        .unwrap_or(usize::MAX)
        .min(bytes.len());
    while byte < bytes.len() && matches!(bytes[byte], b'\r' | b'\n') {
        byte += 1;
    }
    bytes[..byte].split(|b| *b == b'\n').count()
}

fn neutralise(field: &str) -> std::borrow::Cow<'_, str> {
    if field.starts_with(NEUTRALISED_STARTS) {
        format!("'{field}").into()
    } else {
        field.into()
    }
}

fn restore(field: &str) -> String {
    field.strip_prefix('\'').unwrap_or(field).to_owned()
}

/// The `csv` crate reads a quote inside an unquoted field, or a quote never closed, as text;
/// in a plan both mean a hand edit went wrong, so they are refused with their line.
fn check_quotes(text: &str) -> Result<(), CsvError> {
    let (mut line, mut opened_on) = (1, 1);
    let (mut quoted, mut at_field_start) = (false, true);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
            }
            (true, '"') => quoted = false,
            (false, '"') if at_field_start => (quoted, opened_on) = (true, line),
            (false, '"') => {
                return Err(CsvError {
                    line,
                    problem: "a quote inside an unquoted field; quote the whole field and double the quote".into(),
                });
            }
            _ => {}
        }
        if c == '\n' {
            line += 1;
        }
        at_field_start = !quoted && matches!(c, ',' | '\n' | '\r');
    }
    if quoted {
        return Err(CsvError {
            line: opened_on,
            problem: "a quoted field is never closed".into(),
        });
    }
    Ok(())
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

    #[test]
    fn formula_cells_are_neutralised_and_read_back_as_they_were() {
        // (original, as written to the cell)
        let cases = [
            (
                "=HYPERLINK(\"http://evil\",\"x\")",
                "'=HYPERLINK(\"http://evil\",\"x\")",
            ),
            ("+1+2", "'+1+2"),
            ("-2+3", "'-2+3"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tcmd", "'\tcmd"),
            ("\rcmd", "'\rcmd"),
            ("'quoted", "''quoted"),
            ("''twice", "'''twice"),
            ("plain=value", "plain=value"),
            ("a-b", "a-b"),
        ];
        let originals: Vec<&str> = cases.iter().map(|(o, _)| *o).collect();
        let text = write_record(&originals);
        let mut raw = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(text.as_bytes());
        let cells = raw.records().next().unwrap().unwrap();
        for ((original, written), cell) in cases.iter().zip(cells.iter()) {
            assert_eq!(cell, *written, "{original:?} as written");
        }
        assert_eq!(parse(&text).unwrap()[0].1, originals);
    }
}
