//! Text normalisation applied before any text is matched or stored.
//!
//! Invariant: every string that comes from a data file passes through [`clean`] before it is
//! stored, and through [`match_key`] before it is compared, so dash variants, Windows-1252
//! mojibake and stray whitespace never split one value into two.

use std::borrow::Cow;

/// The dash the Home Office uses in outcome descriptions (U+2013 EN DASH).
pub const EN_DASH: char = '\u{2013}';

/// Mojibake forms of the en dash seen or expected in files that passed through Windows-1252
/// (DATA.md §2.7): the C1 control U+0096 (raw byte 0x96 decoded as Latin-1), the replacement
/// character U+FFFD, and the UTF-8-read-as-1252 sequence `â€“`.
const DASH_MOJIBAKE: [&str; 3] = ["\u{0096}", "\u{FFFD}", "\u{00E2}\u{20AC}\u{201C}"];

/// Cleans a text value: repairs en-dash mojibake, trims, and collapses runs of whitespace
/// (including non-breaking spaces) to one space. Borrows when nothing changes.
pub fn clean(text: &str) -> Cow<'_, str> {
    if is_clean_ascii(text) {
        return Cow::Borrowed(text);
    }
    let mut repaired = Cow::Borrowed(text);
    for bad in DASH_MOJIBAKE {
        if repaired.contains(bad) {
            repaired = Cow::Owned(repaired.replace(bad, "\u{2013}"));
        }
    }
    let mut out = String::with_capacity(repaired.len());
    for word in repaired.split(|c: char| c.is_whitespace() || c == '\u{00A0}') {
        if word.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    if out == text {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(out)
    }
}

/// A value as a message shows it: quoted, and when longer than 60 characters cut there and
/// followed by its length in bytes, so that a 50 MB cell still gives a one-line message.
pub fn quote_for_message(value: &str) -> String {
    const SHOWN_CHARS: usize = 60;
    match value.char_indices().nth(SHOWN_CHARS) {
        None => format!("{value:?}"),
        Some((cut, _)) => format!("{:?}… ({} bytes)", &value[..cut], value.len()),
    }
}

/// Text from outside (a header name, a library's error message) as a message shows it, unquoted:
/// control characters such as a carriage return or a NUL escaped (`\r`, `\u{0}`), so that the
/// message stays on one line, and when longer than 300 characters cut there and followed by its
/// length in bytes (both found by fuzzing).
pub fn one_line(text: &str) -> Cow<'_, str> {
    const SHOWN_CHARS: usize = 300;
    let cut = text.char_indices().nth(SHOWN_CHARS).map(|(i, _)| i);
    if cut.is_none() && !text.chars().any(char::is_control) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len().min(4 * SHOWN_CHARS) + 16);
    for c in text[..cut.unwrap_or(text.len())].chars() {
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    if cut.is_some() {
        out.push_str(&format!("… ({} bytes)", text.len()));
    }
    Cow::Owned(out)
}

/// The key two texts are compared by: [`clean`]ed, lower-cased, every dash variant written as
/// `-`, and a leading UTF-8 byte-order mark removed.
pub fn match_key(text: &str) -> String {
    let text = text.trim_start_matches('\u{FEFF}');
    let cleaned = clean(text);
    let mut key = String::with_capacity(cleaned.len());
    for c in cleaned.chars() {
        match c {
            '\u{2010}'..='\u{2015}' | '\u{2212}' => key.push('-'),
            _ => key.extend(c.to_lowercase()),
        }
    }
    key
}

/// True when `text` is printable ASCII with no leading, trailing or doubled spaces, so that
/// [`clean`] would return it unchanged. This is the fast path for almost every cell.
fn is_clean_ascii(text: &str) -> bool {
    let bytes = text.as_bytes();
    if bytes.first() == Some(&b' ') || bytes.last() == Some(&b' ') {
        return false;
    }
    let mut previous_space = false;
    for &b in bytes {
        if !(0x20..0x7f).contains(&b) {
            return false;
        }
        let space = b == b' ';
        if space && previous_space {
            return false;
        }
        previous_space = space;
    }
    true
}

#[cfg(test)]
mod tests;
