//! A small RFC 4180 CSV reader and writer: quoted fields, doubled quotes, embedded
//! newlines, CRLF or LF. Pure, so the relay and the browser parse files the same way.

use std::borrow::Cow;

/// A malformed CSV input, with the line it starts on (1-based).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CsvError {
    /// A quoted field never closes.
    #[error("line {line}: a quoted field is not closed")]
    UnclosedQuote { line: usize },
    /// Text follows a closing quote inside one field.
    #[error("line {line}: unexpected character {found:?} after a closing quote")]
    TextAfterQuote { line: usize, found: char },
}

impl CsvError {
    /// The line the malformed row starts on.
    pub fn line(&self) -> usize {
        match self {
            Self::UnclosedQuote { line } | Self::TextAfterQuote { line, .. } => *line,
        }
    }
}

/// One parsed row and the line it started on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub line: usize,
    pub fields: Vec<String>,
}

/// Iterates rows of `text`; a malformed row yields an error and parsing resumes at the
/// next line.
#[derive(Debug, Clone)]
pub struct Reader<'a> {
    text: &'a str,
    pos: usize,
    line: usize,
}

impl<'a> Reader<'a> {
    /// Reads `text` (a leading UTF-8 BOM is skipped).
    pub fn new(text: &'a str) -> Self {
        Self { text: text.strip_prefix('\u{feff}').unwrap_or(text), pos: 0, line: 1 }
    }

    fn skip_to_next_line(&mut self) {
        match self.text[self.pos..].find('\n') {
            Some(i) => {
                self.pos += i + 1;
                self.line += 1;
            }
            None => self.pos = self.text.len(),
        }
    }
}

impl<'a> Reader<'a> {
    /// Splits what is left to read into readers of about `records` whole records each, in
    /// order: each starts where the one before ends, on the line it ends on, so reading
    /// them one after another (or side by side) gives exactly the rows, lines and errors
    /// this reader would have. Where a quote may open a field the split is found by
    /// reading (fields borrowed, nothing kept), so a quoted newline or a malformed row
    /// never cuts a record in two; elsewhere a line is a record.
    pub fn into_runs(mut self, records: usize) -> Vec<Reader<'a>> {
        let records = records.max(1);
        let (mut runs, mut fields) = (Vec::new(), Vec::new());
        loop {
            let (start, start_line) = (self.pos, self.line);
            if let Some(end) = self.quote_free_lines(records) {
                (self.pos, self.line) = (end, self.line + records);
            } else {
                let mut count = 0;
                while count < records && self.next_record(&mut fields).is_some() {
                    count += 1;
                }
                if count == 0 {
                    break;
                }
            }
            runs.push(Reader { text: &self.text[..self.pos], pos: start, line: start_line });
        }
        runs
    }

    /// Where the next `lines` lines end, when none of them holds a quote: each is then
    /// one whole record, so the split need not read their fields (reading them was a
    /// second parse of the whole file on one core).
    fn quote_free_lines(&self, lines: usize) -> Option<usize> {
        let rest = &self.text[self.pos..];
        let mut end = 0;
        for _ in 0..lines {
            end += rest[end..].find('\n')? + 1;
        }
        (!rest.as_bytes()[..end].contains(&b'"')).then_some(self.pos + end)
    }

    /// Reads the next record into `fields` (cleared first), each field borrowing the text
    /// unless it had doubled quotes; returns the line the record started on. The
    /// allocation-free path for large inputs; the iterator gives owned rows.
    pub fn next_record(&mut self, fields: &mut Vec<Cow<'a, str>>) -> Option<Result<usize, CsvError>> {
        fields.clear();
        if self.pos >= self.text.len() {
            return None;
        }
        let text: &'a str = self.text;
        let start_line = self.line;
        let bytes = text.as_bytes();
        let mut field: Cow<'a, str> = Cow::Borrowed("");
        let mut i = self.pos;
        loop {
            if i >= bytes.len() {
                fields.push(std::mem::take(&mut field));
                self.pos = i;
                return Some(Ok(start_line));
            }
            match bytes[i] {
                b'"' if field.is_empty() => match self.quoted_field(i, start_line) {
                    Ok((quoted, end)) => {
                        field = quoted;
                        i = end;
                    }
                    Err(e) => return Some(Err(e)),
                },
                b',' => {
                    fields.push(std::mem::take(&mut field));
                    i += 1;
                }
                b'\r' if bytes.get(i + 1) == Some(&b'\n') => i += 1,
                b'\n' => {
                    fields.push(std::mem::take(&mut field));
                    self.pos = i + 1;
                    self.line += 1;
                    return Some(Ok(start_line));
                }
                _ => {
                    let next = text[i..].find([',', '\n', '\r']).map_or(text.len(), |k| i + k);
                    let segment = &text[i..next];
                    if field.is_empty() {
                        field = Cow::Borrowed(segment);
                    } else {
                        field.to_mut().push_str(segment);
                    }
                    i = next;
                    if bytes.get(i) == Some(&b'\r') && bytes.get(i + 1) != Some(&b'\n') {
                        field.to_mut().push('\r');
                        i += 1;
                    }
                }
            }
        }
    }

    /// The quoted field opening at byte `i` (borrowed when it holds no doubled quote) and
    /// where it ends; a quote never closed, or text after the closing one, is an error and
    /// the reader moves on to the next line.
    fn quoted_field(&mut self, i: usize, start_line: usize) -> Result<(Cow<'a, str>, usize), CsvError> {
        let text: &'a str = self.text;
        let bytes = text.as_bytes();
        let mut j = i + 1;
        let mut quoted: Option<Cow<'a, str>> = None;
        loop {
            let Some(k) = text[j..].find('"') else {
                self.pos = i;
                self.skip_to_next_line();
                return Err(CsvError::UnclosedQuote { line: start_line });
            };
            let chunk = &text[j..j + k];
            self.line += chunk.matches('\n').count();
            match quoted.as_mut() {
                None => quoted = Some(Cow::Borrowed(chunk)),
                Some(q) => q.to_mut().push_str(chunk),
            }
            j += k + 1;
            if bytes.get(j) != Some(&b'"') {
                break;
            }
            if let Some(q) = quoted.as_mut() {
                q.to_mut().push('"');
            }
            j += 1;
        }
        match bytes.get(j) {
            None | Some(b',') | Some(b'\n') | Some(b'\r') => Ok((quoted.unwrap_or_default(), j)),
            Some(_) => {
                let found = text[j..].chars().next().unwrap_or(' ');
                self.pos = j;
                self.skip_to_next_line();
                Err(CsvError::TextAfterQuote { line: start_line, found })
            }
        }
    }
}

impl Iterator for Reader<'_> {
    type Item = Result<Row, CsvError>;

    fn next(&mut self) -> Option<Self::Item> {
        let mut fields = Vec::new();
        match self.next_record(&mut fields)? {
            Ok(line) => Some(Ok(Row { line, fields: fields.into_iter().map(Cow::into_owned).collect() })),
            Err(e) => Some(Err(e)),
        }
    }
}

/// A CSV field, quoted only when it must be.
pub fn escape(field: &str) -> Cow<'_, str> {
    if field.contains([',', '"', '\n', '\r']) || field.starts_with(' ') || field.ends_with(' ') {
        Cow::Owned(format!("\"{}\"", field.replace('"', "\"\"")))
    } else {
        Cow::Borrowed(field)
    }
}

/// One CSV line (with `\n`).
pub fn line<S: AsRef<str>>(fields: &[S]) -> String {
    let mut out = fields.iter().map(|f| escape(f.as_ref()).into_owned()).collect::<Vec<_>>().join(",");
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_record_borrows_unless_quotes_are_doubled() {
        let text = "a,\"b, c\",\"say \"\"hi\"\"\",,\"line\nbreak\"\r\nnext\n";
        let mut reader = Reader::new(text);
        let mut fields = Vec::new();
        assert_eq!(reader.next_record(&mut fields), Some(Ok(1)));
        let values: Vec<&str> = fields.iter().map(|f| f.as_ref()).collect();
        assert_eq!(values, ["a", "b, c", "say \"hi\"", "", "line\nbreak"]);
        assert!(matches!(fields[1], Cow::Borrowed(_)) && matches!(fields[2], Cow::Owned(_)));
        assert_eq!(reader.next_record(&mut fields), Some(Ok(3)));
        assert_eq!(fields, [Cow::Borrowed("next")]);
        assert_eq!(reader.next_record(&mut fields), None);
    }

    #[test]
    fn runs_read_exactly_what_one_reader_reads() {
        let text = "\u{feff}h1,h2\na,\"b\nc\"\r\n\"open,x\nnext,1\n\"q\"z,2\n\n5'10\",3\n\"say \"\"hi\"\"\",4\nlast,5";
        let whole: Vec<_> = Reader::new(text).collect();
        for size in 1..=whole.len() + 1 {
            let runs = Reader::new(text).into_runs(size);
            assert_eq!(runs.len(), whole.len().div_ceil(size), "runs of {size}");
            let joined: Vec<_> = runs.into_iter().flatten().collect();
            assert_eq!(joined, whole, "runs of {size}");
        }
        assert!(whole.iter().any(|r| r.is_err()), "the text holds malformed rows");
        let plain: String = (0..50).map(|k| format!("row{k},{k}\n")).collect::<String>() + "no newline,x";
        let quoted_later = format!("{plain}\n\"a\nb\",1\nz,2\n");
        for text in [plain.as_str(), quoted_later.as_str(), "\n\n\n", "x"] {
            let whole: Vec<_> = Reader::new(text).collect();
            for size in [1, 2, 7, 50, 51, 60] {
                let joined: Vec<_> = Reader::new(text).into_runs(size).into_iter().flatten().collect();
                assert_eq!(joined, whole, "runs of {size} over {text:?}");
            }
        }
    }

    fn rows(text: &str) -> Vec<Result<Vec<String>, CsvError>> {
        Reader::new(text).map(|r| r.map(|row| row.fields)).collect()
    }

    #[test]
    fn reads_quotes_newlines_and_crlf() {
        let text = "a,b,c\r\n\"x, y\",\"say \"\"hi\"\"\",\"multi\nline\"\r\n1,,3";
        let r = rows(text);
        assert_eq!(r[0], Ok(vec!["a".into(), "b".into(), "c".into()]));
        assert_eq!(r[1], Ok(vec!["x, y".into(), "say \"hi\"".into(), "multi\nline".into()]));
        assert_eq!(r[2], Ok(vec!["1".into(), "".into(), "3".into()]));
        let lines: Vec<usize> = Reader::new(text).map(|r| r.unwrap().line).collect();
        assert_eq!(lines, [1, 2, 4]);
    }

    #[test]
    fn reports_malformed_rows_and_goes_on() {
        let r = rows("a,\"b\"x,c\nok,1\n\"open");
        assert_eq!(r[0], Err(CsvError::TextAfterQuote { line: 1, found: 'x' }));
        assert_eq!(r[1], Ok(vec!["ok".into(), "1".into()]));
        assert_eq!(r[2], Err(CsvError::UnclosedQuote { line: 3 }));
    }

    #[test]
    fn write_then_read_round_trips() {
        let fields = ["plain", "with,comma", "with \"quote\"", "two\nlines", ""];
        let text = line(&fields);
        assert_eq!(rows(&text)[0], Ok(fields.iter().map(|s| s.to_string()).collect()));
    }
}
