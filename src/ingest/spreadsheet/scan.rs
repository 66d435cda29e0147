//! A lean XML pull scanner for the large parts of a workbook (an XLSX sheet, an ODS
//! `content.xml`): tags and text as slices of a window over the inflated stream, found with
//! memchr, with no copy of a tag and no check beyond what the readers need. The small parts
//! (workbook, relationships, shared strings) are read with quick-xml.
//!
//! Invariant: a tag ends at the first `>` outside a quoted attribute value; comments,
//! processing instructions, CDATA sections and declarations end at their own terminators; text
//! is handed on raw (its entities resolved by [`append_text`], which also checks its UTF-8), so
//! a document the scanner reads differently from an XML parser can only be one that is not
//! well formed. The window holds at most the largest single tag or text run plus a chunk.

use std::io::BufRead;

/// One piece of the document.
#[derive(Debug, PartialEq, Eq)]
pub enum Event<'a> {
    /// `<name attrs>`.
    Start { name: &'a [u8], attrs: &'a [u8] },
    /// `<name attrs/>`.
    Empty { name: &'a [u8], attrs: &'a [u8] },
    /// `</name>`.
    End { name: &'a [u8] },
    /// Text between tags, raw (entities unresolved).
    Text(&'a [u8]),
    /// The content of a CDATA section.
    CData(&'a [u8]),
    /// The end of the document.
    Eof,
}

/// The most bytes one tag or one run of text may take: far more than any real one, and the
/// bound on what the window holds.
pub const MAX_TOKEN_BYTES: usize = 64 << 20;

/// A window over a stream of XML.
pub struct Scanner<R> {
    source: R,
    buf: Vec<u8>,
    /// The next unread byte in `buf`.
    at: usize,
    ended: bool,
    /// Bytes of the stream before `buf[0]`.
    before: u64,
}

impl<R: BufRead> Scanner<R> {
    /// A scanner reading `source`.
    pub fn new(source: R) -> Scanner<R> {
        Scanner {
            source,
            buf: Vec::with_capacity(1 << 20),
            at: 0,
            ended: false,
            before: 0,
        }
    }

    /// Bytes of the stream scanned so far.
    pub fn position(&self) -> u64 {
        self.before + self.at as u64
    }

    /// Reads more of the stream into the window, keeping the unread bytes. False at the end of
    /// the stream.
    fn fill(&mut self) -> Result<bool, String> {
        if self.ended {
            return Ok(false);
        }
        if self.buf.len() - self.at > MAX_TOKEN_BYTES {
            return Err(format!(
                "a tag or text of more than {MAX_TOKEN_BYTES} bytes (damaged file?)"
            ));
        }
        // The read bytes are dropped once they are half the window, so that a long token does
        // not move the window's bytes on every read.
        if self.at > 0 && self.at >= self.buf.len() / 2 {
            self.buf.drain(..self.at);
            self.before += self.at as u64;
            self.at = 0;
        }
        let chunk = self.source.fill_buf().map_err(|e| e.to_string())?;
        if chunk.is_empty() {
            self.ended = true;
            return Ok(false);
        }
        let n = chunk.len();
        self.buf.extend_from_slice(chunk);
        self.source.consume(n);
        Ok(true)
    }

    /// The next event. Its slices are valid until the next call.
    pub fn next(&mut self) -> Result<Event<'_>, String> {
        loop {
            // Text up to the next '<' (most often the very next byte).
            let mut searched = 0;
            let at_tag = self.buf.get(self.at) == Some(&b'<');
            let lt = if at_tag {
                Some(self.at)
            } else {
                loop {
                    match memchr::memchr(b'<', &self.buf[self.at + searched..]) {
                        Some(i) => break Some(self.at + searched + i),
                        None => {
                            searched = self.buf.len() - self.at;
                            if !self.fill()? {
                                break None;
                            }
                        }
                    }
                }
            };
            let Some(lt) = lt else {
                let text_start = self.at;
                self.at = self.buf.len();
                return Ok(if text_start < self.buf.len() {
                    Event::Text(&self.buf[text_start..])
                } else {
                    Event::Eof
                });
            };
            if lt > self.at {
                let start = self.at;
                self.at = lt;
                return Ok(Event::Text(&self.buf[start..lt]));
            }
            // A tag at `self.at`: make sure its first bytes are in the window.
            while self.buf.len() - self.at < 9 && self.fill()? {}
            let rest = &self.buf[self.at..];
            if rest.starts_with(b"<!--") {
                let end = self.find_from(4, b"-->")?;
                self.at += end + 3;
                continue;
            }
            if rest.starts_with(b"<![CDATA[") {
                let end = self.find_from(9, b"]]>")?;
                let (start, stop) = (self.at + 9, self.at + end);
                self.at += end + 3;
                return Ok(Event::CData(&self.buf[start..stop]));
            }
            if rest.starts_with(b"<?") {
                let end = self.find_from(2, b"?>")?;
                self.at += end + 2;
                continue;
            }
            let end = self.tag_end()?;
            let start = self.at;
            self.at += end + 1;
            if self.buf[start + 1] == b'!' {
                // A declaration (DOCTYPE): to its '>' (an internal subset is not expected).
                continue;
            }
            let tag = &self.buf[start + 1..start + end];
            if let Some(name) = tag.strip_prefix(b"/") {
                let name_end = name
                    .iter()
                    .position(u8::is_ascii_whitespace)
                    .unwrap_or(name.len());
                return Ok(Event::End {
                    name: &name[..name_end],
                });
            }
            let (tag, empty) = match tag.strip_suffix(b"/") {
                Some(tag) => (tag, true),
                None => (tag, false),
            };
            let name_end = tag
                .iter()
                .position(u8::is_ascii_whitespace)
                .unwrap_or(tag.len());
            let (name, attrs) = tag.split_at(name_end);
            if name.is_empty() {
                return Err("a tag with no name (damaged file?)".into());
            }
            return Ok(if empty {
                Event::Empty { name, attrs }
            } else {
                Event::Start { name, attrs }
            });
        }
    }

    /// Passes over an element whose start tag (named `name`) was just read, up to its end
    /// (elements of the same name inside it counted).
    pub fn skip_element(&mut self, name: &[u8]) -> Result<(), String> {
        let mut depth = 0usize;
        loop {
            match self.next()? {
                Event::Start { name: start, .. } if start == name => depth += 1,
                Event::End { name: end } if end == name => {
                    if depth == 0 {
                        return Ok(());
                    }
                    depth -= 1;
                }
                Event::Eof => {
                    return Err(format!(
                        "the XML ends inside <{}> (truncated or damaged file?)",
                        String::from_utf8_lossy(name)
                    ))
                }
                _ => {}
            }
        }
    }

    /// When the next bytes are `<v>TEXT</v></c>` (a cell's value as Excel and most writers
    /// write it: no prefix, no attributes, no markup in the text), the text, with the cursor
    /// moved past the cell's end; otherwise `None`, the cursor unmoved.
    pub fn simple_value(&mut self) -> Result<Option<&[u8]>, String> {
        self.simple_content(b"<v>", b"</v></c>", 64)
    }

    /// When the next bytes are `open`, a text of at most `limit` bytes with no markup, then
    /// `close`, the text, with the cursor moved past `close`; otherwise `None`, the cursor
    /// unmoved (and the caller reads the same bytes event by event).
    pub fn simple_content(
        &mut self,
        open: &[u8],
        close: &[u8],
        limit: usize,
    ) -> Result<Option<&[u8]>, String> {
        if self.buf.len() - self.at < open.len() + limit + close.len() {
            self.fill()?;
        }
        let window = &self.buf[self.at..];
        if !window.starts_with(open) {
            return Ok(None);
        }
        let text = &window[open.len()..];
        let Some(lt) = memchr::memchr(b'<', &text[..text.len().min(limit + 1)]) else {
            return Ok(None);
        };
        if !text[lt..].starts_with(close) {
            return Ok(None);
        }
        let start = self.at + open.len();
        self.at = start + lt + close.len();
        Ok(Some(&self.buf[start..start + lt]))
    }

    /// The offset from `self.at` of `needle`, searched from `from`, reading more as needed.
    fn find_from(&mut self, from: usize, needle: &[u8]) -> Result<usize, String> {
        let mut searched = from;
        loop {
            let window = &self.buf[self.at..];
            if let Some(i) = memchr::memmem::find(&window[searched.min(window.len())..], needle) {
                return Ok(searched + i);
            }
            searched = window.len().saturating_sub(needle.len() - 1).max(from);
            if !self.fill()? {
                return Err("the XML ends inside a comment or section (truncated file?)".into());
            }
        }
    }

    /// The offset from `self.at` of the '>' that ends the tag starting there: the first one
    /// outside a quoted attribute value. Bytes are classed by a table (most are neither a quote
    /// nor '>'), and a quoted value is skipped with memchr.
    fn tag_end(&mut self) -> Result<usize, String> {
        /// 1 for a quote, 2 for '>', 0 for any other byte.
        static CLASS: [u8; 256] = {
            let mut class = [0u8; 256];
            class[b'"' as usize] = 1;
            class[b'\'' as usize] = 1;
            class[b'>' as usize] = 2;
            class
        };
        let mut i = 1;
        let mut quote: Option<u8> = None;
        loop {
            let window = &self.buf[self.at..];
            while i < window.len() {
                if let Some(q) = quote {
                    match memchr::memchr(q, &window[i..]) {
                        Some(j) => {
                            i += j + 1;
                            quote = None;
                        }
                        None => i = window.len(),
                    }
                    continue;
                }
                // Eight bytes at a time while none is a quote or '>' (most of a tag's names).
                while i + 8 <= window.len() {
                    let mut word = [0u8; 8];
                    word.copy_from_slice(&window[i..i + 8]);
                    if has_tag_byte(u64::from_le_bytes(word)) {
                        break;
                    }
                    i += 8;
                }
                if i >= window.len() {
                    break;
                }
                let b = window[i];
                match CLASS[b as usize] {
                    0 => i += 1,
                    2 => return Ok(i),
                    _ => {
                        quote = Some(b);
                        i += 1;
                    }
                }
            }
            if !self.fill()? {
                return Err("the XML ends inside a tag (truncated file?)".into());
            }
        }
    }
}

/// Whether any of the eight bytes of `word` is a quote or '>' (the zero-byte test of
/// `word ^ byte·0x01…01`, Hacker's Delight §6-1).
fn has_tag_byte(word: u64) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let zero_byte = |x: u64| x.wrapping_sub(ONES) & !x & HIGHS;
    zero_byte(word ^ (ONES * u64::from(b'"')))
        | zero_byte(word ^ (ONES * u64::from(b'\'')))
        | zero_byte(word ^ (ONES * u64::from(b'>')))
        != 0
}

/// The local part of a name (after its prefix, if any).
pub fn local(name: &[u8]) -> &[u8] {
    match memchr::memrchr(b':', name) {
        Some(i) => &name[i + 1..],
        None => name,
    }
}

/// The attributes of a tag: (name, raw value) pairs.
pub fn attributes(attrs: &[u8]) -> Attributes<'_> {
    Attributes { rest: attrs }
}

/// See [`attributes`].
pub struct Attributes<'a> {
    rest: &'a [u8],
}

impl<'a> Iterator for Attributes<'a> {
    type Item = Result<(&'a [u8], &'a [u8]), String>;

    fn next(&mut self) -> Option<Self::Item> {
        let rest = self.rest.trim_ascii_start();
        if rest.is_empty() {
            return None;
        }
        let Some(eq) = rest.iter().position(|&b| b == b'=') else {
            self.rest = &[];
            return Some(Err(format!(
                "attribute {:?} has no value",
                String::from_utf8_lossy(rest)
            )));
        };
        let name = rest[..eq].trim_ascii_end();
        let after = rest[eq + 1..].trim_ascii_start();
        let quote = match after.first() {
            Some(&q @ (b'"' | b'\'')) => q,
            _ => {
                self.rest = &[];
                return Some(Err(format!(
                    "attribute {:?} has an unquoted value",
                    String::from_utf8_lossy(name)
                )));
            }
        };
        let Some(close) = after[1..].iter().position(|&b| b == quote) else {
            self.rest = &[];
            return Some(Err(format!(
                "attribute {:?} has an unclosed value",
                String::from_utf8_lossy(name)
            )));
        };
        let value = &after[1..1 + close];
        self.rest = &after[close + 2..];
        Some(Ok((name, value)))
    }
}

/// The raw value of the attribute `name`, if the tag has it.
pub fn attribute<'a>(attrs: &'a [u8], name: &[u8]) -> Result<Option<&'a [u8]>, String> {
    for attr in attributes(attrs) {
        let (key, value) = attr?;
        if key == name {
            return Ok(Some(value));
        }
    }
    Ok(None)
}

/// An attribute's value with entities resolved, if the tag has it.
pub fn text_attribute(attrs: &[u8], name: &[u8]) -> Result<Option<String>, String> {
    match attribute(attrs, name)? {
        Some(raw) => {
            let mut out = String::new();
            append_text(raw, &mut out)?;
            Ok(Some(out))
        }
        None => Ok(None),
    }
}

/// Appends raw XML text to `out`: checked as UTF-8, line ends normalised (`\r\n` and `\r` to
/// `\n`, XML 1.0 §2.11), entity and character references resolved (XML 1.0 §4.6, §4.1).
pub fn append_text(raw: &[u8], out: &mut String) -> Result<(), String> {
    let text = std::str::from_utf8(raw).map_err(|e| format!("text is not UTF-8: {e}"))?;
    if !text.bytes().any(|b| b == b'&' || b == b'\r') {
        out.push_str(text);
        return Ok(());
    }
    let mut rest = text;
    while let Some(i) = rest.find(['&', '\r']) {
        out.push_str(&rest[..i]);
        if rest.as_bytes()[i] == b'\r' {
            out.push('\n');
            rest = rest[i + 1..].strip_prefix('\n').unwrap_or(&rest[i + 1..]);
            continue;
        }
        let Some(semicolon) = rest[i..].find(';') else {
            return Err(format!("an unfinished entity in {:?}", short(rest)));
        };
        let entity = &rest[i + 1..i + semicolon];
        match entity {
            "amp" => out.push('&'),
            "lt" => out.push('<'),
            "gt" => out.push('>'),
            "quot" => out.push('"'),
            "apos" => out.push('\''),
            _ => {
                let code = if let Some(hex) = entity
                    .strip_prefix("#x")
                    .or_else(|| entity.strip_prefix("#X"))
                {
                    u32::from_str_radix(hex, 16).ok()
                } else if let Some(decimal) = entity.strip_prefix('#') {
                    decimal.parse::<u32>().ok()
                } else {
                    None
                };
                match code.and_then(char::from_u32) {
                    Some(c) => out.push(c),
                    None => return Err(format!("unknown entity &{};", short(entity))),
                }
            }
        }
        rest = &rest[i + semicolon + 1..];
    }
    out.push_str(rest);
    Ok(())
}

/// Appends a CDATA section's text to `out`: checked as UTF-8, line ends normalised.
pub fn append_cdata(raw: &[u8], out: &mut String) -> Result<(), String> {
    let text = std::str::from_utf8(raw).map_err(|e| format!("text is not UTF-8: {e}"))?;
    out.push_str(&text.replace("\r\n", "\n").replace('\r', "\n"));
    Ok(())
}

/// The first 40 characters of a text, for a message.
fn short(text: &str) -> String {
    text.chars().take(40).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn events(xml: &str, chunk: usize) -> Vec<String> {
        let reader = std::io::BufReader::with_capacity(chunk, xml.as_bytes());
        let mut scanner = Scanner::new(reader);
        let mut out = Vec::new();
        loop {
            let event = scanner.next().unwrap();
            let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
            out.push(match event {
                Event::Start { name, attrs } => format!("<{}|{}>", text(name), text(attrs)),
                Event::Empty { name, attrs } => format!("<{}|{}/>", text(name), text(attrs)),
                Event::End { name } => format!("</{}>", text(name)),
                Event::Text(t) => format!("T{}", text(t)),
                Event::CData(t) => format!("C{}", text(t)),
                Event::Eof => break,
            });
        }
        out
    }

    #[test]
    fn tags_text_and_sections_at_any_chunk_size() {
        let xml = r#"<?xml version="1.0"?><!-- a <c> comment --><a x="1>2" y='a"b'><x:c r="A1"/>t &amp; u<![CDATA[<raw>]]></a >"#;
        let expected = [
            r#"<a| x="1>2" y='a"b'>"#,
            r#"<x:c| r="A1"/>"#,
            "Tt &amp; u",
            "C<raw>",
            "</a>",
        ];
        for chunk in [1, 2, 3, 7, 64, 4096] {
            // Text split across chunks arrives whole: the scanner reads to the next '<'.
            assert_eq!(events(xml, chunk), expected, "chunk {chunk}");
        }
        let mut scanner = Scanner::new(&b"<a"[..]);
        assert!(scanner.next().unwrap_err().contains("ends inside a tag"));
        let mut scanner = Scanner::new(&b"<!-- x"[..]);
        assert!(scanner
            .next()
            .unwrap_err()
            .contains("ends inside a comment"));
    }

    #[test]
    fn attributes_and_text() {
        let attrs = br#" r="B2"  t = 's' s="3""#;
        let pairs: Vec<_> = attributes(attrs).map(Result::unwrap).collect();
        assert_eq!(pairs, [(&b"r"[..], &b"B2"[..]), (b"t", b"s"), (b"s", b"3")]);
        assert_eq!(attribute(attrs, b"t").unwrap(), Some(&b"s"[..]));
        assert!(attribute(b" r=B2", b"r").is_err());
        assert!(attribute(b" r=\"B2", b"r").is_err());
        let mut out = String::new();
        append_text(b"a &amp; b &lt;&#65;&#x42;\r\nc\rd", &mut out).unwrap();
        assert_eq!(out, "a & b <AB\nc\nd");
        assert!(append_text(b"&nbsp;", &mut String::new()).is_err());
        assert!(append_text(b"&amp", &mut String::new()).is_err());
        assert!(append_text(b"\xff", &mut String::new()).is_err());
        assert_eq!(local(b"x:row"), b"row");
        for (word, special) in [
            (*b"abcdefgh", false),
            (*b"abc>efgh", true),
            (*b"a\"cdefgh", true),
            (*b"abcdefg'", true),
            (*b"=:/- 09z", false),
        ] {
            assert_eq!(has_tag_byte(u64::from_le_bytes(word)), special, "{word:?}");
        }
        assert_eq!(local(b"row"), b"row");
    }
}
