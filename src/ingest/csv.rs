//! A fast RFC 4180 record splitter over text already in memory.
//!
//! Invariant: fields borrow from the input unless they contain an escaped quote; every record
//! reports the line it starts on, counting newlines inside quoted fields, so error messages
//! name the right line. A quoted field that is not closed, or a stray character after a
//! closing quote, is an error, never a silent merge of rows.

use std::borrow::Cow;

use memchr::{memchr, memchr2, memchr3_iter, Memchr3};

/// A structural CSV problem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CsvError {
    /// A quoted field runs to the end of the file.
    UnclosedQuote {
        /// Line where the quoted field starts.
        line: u64,
    },
    /// Something other than a delimiter or line end follows a closing quote.
    TextAfterQuote {
        /// Line of the closing quote.
        line: u64,
        /// The character found.
        found: char,
    },
}

/// Splits comma-separated text into records.
pub struct CsvRecords<'a> {
    text: &'a str,
    pos: usize,
    line: u64,
    /// Every comma, newline and quote from `delimiters_from` on, found in one scan.
    delimiters: Memchr3<'a>,
    delimiters_from: usize,
    /// How many leading fields a record may share with the one before ([`Self::share_leading`]).
    keep: usize,
    /// Where the previous record's first `keep` fields (and the comma after them) lie, when it
    /// was unquoted and had more fields than that: (start, length).
    prefix: Option<(usize, usize)>,
    /// Whether the last record read shared its first `keep` fields with the one before.
    shared: bool,
}

impl<'a> CsvRecords<'a> {
    /// Starts at the beginning of `text` (a byte-order mark must already be stripped).
    pub fn new(text: &'a str) -> CsvRecords<'a> {
        CsvRecords::starting_at_line(text, 1)
    }

    /// Starts at the beginning of `text`, which begins on line `line` of its file.
    pub fn starting_at_line(text: &'a str, line: u64) -> CsvRecords<'a> {
        CsvRecords {
            text,
            pos: 0,
            line,
            delimiters: memchr3_iter(b',', b'\n', b'"', text.as_bytes()),
            delimiters_from: 0,
            keep: 0,
            prefix: None,
            shared: false,
        }
    }

    /// From now on, a record whose first `keep` fields are byte for byte those of the record
    /// before (and unquoted) keeps those fields as they are in `fields`: only the rest of it is
    /// split, and [`Self::shared`] says so. The rows of a Home Office table come in runs that
    /// share their period, force and offence, so most rows are split from their ninth field.
    pub fn share_leading(&mut self, keep: usize) {
        self.keep = keep;
        self.prefix = None;
    }

    /// Whether the last record read kept its first `keep` fields from the one before (always
    /// false unless [`Self::share_leading`] was called).
    pub fn shared(&self) -> bool {
        self.shared
    }

    /// The line the next record starts on.
    pub fn line(&self) -> u64 {
        self.line
    }

    /// Bytes consumed so far (for progress reporting).
    pub fn position(&self) -> usize {
        self.pos
    }

    /// Reads the next record into `fields` and returns the line it starts on, or `None` at
    /// the end of the text. A blank line yields one empty field.
    pub fn next_record(&mut self, fields: &mut Vec<Cow<'a, str>>) -> Result<Option<u64>, CsvError> {
        self.shared = false;
        let bytes = self.text.as_bytes();
        if self.pos >= bytes.len() {
            fields.clear();
            return Ok(None);
        }
        let start_line = self.line;
        if let Some((start, len)) = self.prefix.take() {
            let record_start = self.pos;
            // `fields` must still hold the previous record's fields, borrowed from it.
            let previous = fields.len() > self.keep
                && fields
                    .first()
                    .is_some_and(|f| std::ptr::eq(f.as_ptr(), bytes[start..].as_ptr()));
            if previous && bytes[record_start..].starts_with(&bytes[start..start + len]) {
                fields.truncate(self.keep);
                self.pos = record_start + len;
                self.delimiters = memchr3_iter(b',', b'\n', b'"', &bytes[self.pos..]);
                self.delimiters_from = self.pos;
                if self.unquoted_record(fields, record_start) {
                    self.shared = true;
                    self.prefix = Some((record_start, len));
                    return Ok(Some(start_line));
                }
                // A quote further on: read the record whole, below.
                self.pos = record_start;
                self.delimiters = memchr3_iter(b',', b'\n', b'"', &bytes[record_start..]);
                self.delimiters_from = record_start;
            }
        }
        fields.clear();
        // Fast path: a line without quotes splits at every comma (almost every row of a
        // Home Office table; only `"London, City of"` is quoted).
        if self.unquoted_record(fields, self.pos) {
            return Ok(Some(start_line));
        }
        fields.clear();
        let result = self.quoted_record(fields, start_line);
        // Delimiters are found again from where the quoted record ended.
        self.delimiters = memchr3_iter(b',', b'\n', b'"', &bytes[self.pos.min(bytes.len())..]);
        self.delimiters_from = self.pos;
        result
    }

    /// Reads the rest of a record (which starts at `record_start`) from `self.pos`, without
    /// quotes, from the delimiters found in one scan; false (and nothing consumed) at a quote.
    /// Remembers where the record's first `keep` fields lie, for the next record.
    fn unquoted_record(&mut self, fields: &mut Vec<Cow<'a, str>>, record_start: usize) -> bool {
        let bytes = self.text.as_bytes();
        let mut field_start = self.pos;
        loop {
            let Some(found) = self.delimiters.next() else {
                let mut end = bytes.len();
                if end > field_start && bytes[end - 1] == b'\r' {
                    end -= 1;
                }
                fields.push(Cow::Borrowed(&self.text[field_start..end]));
                self.pos = bytes.len();
                return true;
            };
            let at = self.delimiters_from + found;
            match bytes[at] {
                b',' => {
                    fields.push(Cow::Borrowed(&self.text[field_start..at]));
                    field_start = at + 1;
                    if fields.len() == self.keep {
                        self.prefix = Some((record_start, field_start - record_start));
                    }
                }
                b'\n' => {
                    let end = if at > field_start && bytes[at - 1] == b'\r' {
                        at - 1
                    } else {
                        at
                    };
                    fields.push(Cow::Borrowed(&self.text[field_start..end]));
                    self.pos = at + 1;
                    self.line += 1;
                    return true;
                }
                _ => {
                    self.prefix = None;
                    return false;
                }
            }
        }
    }

    /// Reads a record that holds a quote, field by field.
    fn quoted_record(
        &mut self,
        fields: &mut Vec<Cow<'a, str>>,
        start_line: u64,
    ) -> Result<Option<u64>, CsvError> {
        let bytes = self.text.as_bytes();
        loop {
            if bytes.get(self.pos) == Some(&b'"') {
                let (field, end) = self.quoted_field(self.pos)?;
                fields.push(field);
                self.pos = end;
                match bytes.get(self.pos) {
                    None => return Ok(Some(start_line)),
                    Some(b',') => self.pos += 1,
                    Some(b'\n') => {
                        self.pos += 1;
                        self.line += 1;
                        return Ok(Some(start_line));
                    }
                    Some(b'\r') if bytes.get(self.pos + 1) == Some(&b'\n') => {
                        self.pos += 2;
                        self.line += 1;
                        return Ok(Some(start_line));
                    }
                    Some(_) => {
                        let found = self.text[self.pos..].chars().next().unwrap_or('?');
                        return Err(CsvError::TextAfterQuote {
                            line: self.line,
                            found,
                        });
                    }
                }
            } else {
                match memchr2(b',', b'\n', &bytes[self.pos..]) {
                    Some(offset) => {
                        let end = self.pos + offset;
                        if bytes[end] == b',' {
                            fields.push(Cow::Borrowed(&self.text[self.pos..end]));
                            self.pos = end + 1;
                        } else {
                            let field_end = if end > self.pos && bytes[end - 1] == b'\r' {
                                end - 1
                            } else {
                                end
                            };
                            fields.push(Cow::Borrowed(&self.text[self.pos..field_end]));
                            self.pos = end + 1;
                            self.line += 1;
                            return Ok(Some(start_line));
                        }
                    }
                    None => {
                        let mut end = bytes.len();
                        if end > self.pos && bytes[end - 1] == b'\r' {
                            end -= 1;
                        }
                        fields.push(Cow::Borrowed(&self.text[self.pos..end]));
                        self.pos = bytes.len();
                        return Ok(Some(start_line));
                    }
                }
            }
        }
    }

    /// Reads a quoted field whose opening quote is at `open`; returns the field and the
    /// position just after its closing quote.
    fn quoted_field(&mut self, open: usize) -> Result<(Cow<'a, str>, usize), CsvError> {
        let bytes = self.text.as_bytes();
        let open_line = self.line;
        let mut segment_start = open + 1;
        let mut search = open + 1;
        let mut owned: Option<String> = None;
        loop {
            let Some(offset) = memchr(b'"', &bytes[search..]) else {
                return Err(CsvError::UnclosedQuote { line: open_line });
            };
            let quote = search + offset;
            self.line += bytecount_newlines(&bytes[search..quote]);
            if bytes.get(quote + 1) == Some(&b'"') {
                // An escaped quote: keep one of the pair.
                owned
                    .get_or_insert_with(String::new)
                    .push_str(&self.text[segment_start..=quote]);
                segment_start = quote + 2;
                search = quote + 2;
            } else {
                let tail = &self.text[segment_start..quote];
                let field = match owned {
                    Some(mut s) => {
                        s.push_str(tail);
                        Cow::Owned(s)
                    }
                    None => Cow::Borrowed(tail),
                };
                return Ok((field, quote + 1));
            }
        }
    }
}

fn bytecount_newlines(bytes: &[u8]) -> u64 {
    memchr::memchr_iter(b'\n', bytes).count() as u64
}

#[cfg(test)]
mod tests;
