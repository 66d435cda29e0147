//! Charts as the HTML report embeds them: inline SVG when the markup passes a strict
//! allowlist, otherwise an `<img>` with a `data:` URI, which a browser never runs script in.
//!
//! Invariant: the only markup the report inserts without escaping comes from here, and it is
//! either SVG made of allowlisted elements and attributes (no script, event handler, link,
//! style sheet, foreign object or external reference) or a base64 `data:` URI, whose
//! characters cannot end an attribute. Chart text drawn from data (force names) is escaped by
//! the SVG writer; this module checks the result rather than trusting it.

/// SVG elements a chart may contain when it is inlined.
const ELEMENTS: &[&str] = &[
    "svg",
    "g",
    "rect",
    "circle",
    "ellipse",
    "line",
    "polyline",
    "polygon",
    "path",
    "text",
    "tspan",
    "title",
    "desc",
    "defs",
    "clipPath",
    "linearGradient",
    "radialGradient",
    "stop",
];

/// Attribute names that can load or run something; anything starting with `on` is refused too.
const REFUSED_ATTRIBUTES: &[&str] = &["href", "xlink:href", "src", "style"];

/// Text in an attribute value that could fetch or run something.
const REFUSED_VALUES: &[&str] = &["javascript:", "data:", "expression(", "@import", "&#"];

/// SVG markup safe to place inside the HTML page, or `None` when the markup has anything the
/// allowlist does not know (the caller then embeds it as an image).
///
/// `prefix` is prepended to every `id` (and to every `url(#…)` reference), so that two
/// inlined charts cannot collide on an id. The root element is marked `aria-hidden`, because
/// the figure around it carries the text alternative.
pub fn inline_svg(svg: &[u8], prefix: &str) -> Option<String> {
    let text = std::str::from_utf8(svg).ok()?;
    let mut rest = text.trim_start_matches('\u{feff}').trim_start();
    if rest.starts_with("<?xml") {
        let end = rest.find("?>")?;
        rest = rest[end + 2..].trim_start();
    }
    let mut out = String::with_capacity(rest.len() + 64);
    let mut depth = 0usize;
    let mut seen_root = false;
    let mut cursor = rest;
    while !cursor.is_empty() {
        let Some(open) = cursor.find('<') else {
            // Text after the root element closes is not allowed; text inside is copied.
            if depth == 0 && !cursor.trim().is_empty() {
                return None;
            }
            out.push_str(cursor);
            break;
        };
        let (before, from_tag) = cursor.split_at(open);
        if depth == 0 && !before.trim().is_empty() {
            return None;
        }
        if before.contains('>') {
            return None;
        }
        out.push_str(before);
        let end = tag_end(from_tag)?;
        let tag = &from_tag[..=end];
        cursor = &from_tag[end + 1..];
        match parse_tag(tag)? {
            Tag::Close(name) => {
                if depth == 0 || !ELEMENTS.contains(&name) {
                    return None;
                }
                depth -= 1;
                out.push_str(tag);
            }
            Tag::Open {
                name,
                attributes,
                self_closing,
            } => {
                if !ELEMENTS.contains(&name) {
                    return None;
                }
                if depth == 0 {
                    if seen_root || name != "svg" {
                        return None;
                    }
                    seen_root = true;
                }
                out.push('<');
                out.push_str(name);
                if depth == 0 {
                    out.push_str(" aria-hidden=\"true\" focusable=\"false\"");
                }
                for (key, quote, value) in attributes {
                    if !attribute_allowed(key, value) {
                        return None;
                    }
                    out.push(' ');
                    out.push_str(key);
                    out.push('=');
                    out.push(quote);
                    if key == "id" {
                        out.push_str(prefix);
                        out.push_str(value);
                    } else {
                        out.push_str(&value.replace("url(#", &format!("url(#{prefix}")));
                    }
                    out.push(quote);
                }
                if self_closing {
                    out.push_str("/>");
                } else {
                    out.push('>');
                    depth += 1;
                }
                if self_closing && depth == 0 {
                    // A self-closing root: nothing may follow.
                    if !cursor.trim().is_empty() {
                        return None;
                    }
                }
            }
        }
        if depth == 0 && seen_root {
            if !cursor.trim().is_empty() {
                return None;
            }
            break;
        }
    }
    (seen_root && depth == 0).then_some(out)
}

/// A `data:` URI of `bytes` with the given media type, e.g. `data:image/png;base64,…`.
pub fn data_uri(media_type: &str, bytes: &[u8]) -> String {
    format!("data:{media_type};base64,{}", base64(bytes))
}

/// Standard base64 with padding (RFC 4648 §4).
pub fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        let symbols = [(n >> 18) & 63, (n >> 12) & 63, (n >> 6) & 63, n & 63];
        for (i, s) in symbols.iter().enumerate() {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[*s as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// One tag of the markup.
#[derive(Debug, PartialEq, Eq)]
enum Tag<'a> {
    /// `<name attr="value" …>` or `<name … />`.
    Open {
        name: &'a str,
        attributes: Vec<(&'a str, char, &'a str)>,
        self_closing: bool,
    },
    /// `</name>`.
    Close(&'a str),
}

/// The index of the `>` that ends the tag starting at `text[0] == '<'`, skipping quoted
/// attribute values.
fn tag_end(text: &str) -> Option<usize> {
    let mut quote: Option<char> = None;
    for (i, c) in text.char_indices().skip(1) {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '<') => return None,
            (None, '>') => return Some(i),
            (None, _) => {}
        }
    }
    None
}

/// Parses one tag; comments, processing instructions, doctypes and CDATA are refused.
fn parse_tag(tag: &str) -> Option<Tag<'_>> {
    let inner = tag.strip_prefix('<')?.strip_suffix('>')?;
    if let Some(name) = inner.strip_prefix('/') {
        let name = name.trim_end();
        return is_name(name).then_some(Tag::Close(name));
    }
    let (inner, self_closing) = match inner.strip_suffix('/') {
        Some(rest) => (rest, true),
        None => (inner, false),
    };
    let name_end = inner
        .find(|c: char| c.is_ascii_whitespace())
        .unwrap_or(inner.len());
    let name = &inner[..name_end];
    if !is_name(name) {
        return None;
    }
    let mut attributes = Vec::new();
    let mut rest = inner[name_end..].trim_start();
    while !rest.is_empty() {
        let eq = rest.find('=')?;
        let key = rest[..eq].trim_end();
        if !is_name(key) {
            return None;
        }
        let after = rest[eq + 1..].trim_start();
        let quote = after.chars().next().filter(|c| *c == '"' || *c == '\'')?;
        let close = after[1..].find(quote)? + 1;
        let value = &after[1..close];
        if value.contains('<') {
            return None;
        }
        attributes.push((key, quote, value));
        let next = &after[close + 1..];
        // Attributes must be separated by white space.
        if !next.is_empty() && !next.starts_with(|c: char| c.is_ascii_whitespace()) {
            return None;
        }
        rest = next.trim_start();
    }
    Some(Tag::Open {
        name,
        attributes,
        self_closing,
    })
}

/// An element or attribute name: ASCII letters, digits, `-` and `:`, starting with a letter.
fn is_name(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_alphabetic())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == ':')
}

/// Whether an attribute may be kept on inlined SVG.
fn attribute_allowed(key: &str, value: &str) -> bool {
    let key_lower = key.to_ascii_lowercase();
    if key_lower.starts_with("on") || REFUSED_ATTRIBUTES.contains(&key_lower.as_str()) {
        return false;
    }
    let value_lower = value.to_ascii_lowercase();
    if REFUSED_VALUES.iter().any(|v| value_lower.contains(v)) {
        return false;
    }
    // url(…) may only point inside the same document.
    let mut rest = value_lower.as_str();
    while let Some(i) = rest.find("url(") {
        let target = rest[i + 4..].trim_start_matches(['\'', '"', ' ']);
        if !target.starts_with('#') {
            return false;
        }
        rest = &rest[i + 4..];
    }
    true
}

/// The width and height an SVG's root element declares (`<svg width="960" height="1240"`).
pub fn svg_size(bytes: &[u8]) -> Option<(f64, f64)> {
    let head = &bytes[..bytes.len().min(512)];
    // The cut may fall inside a character; the root element comes before it.
    let text = match std::str::from_utf8(head) {
        Ok(text) => text,
        Err(e) => std::str::from_utf8(&head[..e.valid_up_to()]).ok()?,
    };
    let root = &text[text.find("<svg")?..];
    let root = &root[..root.find('>')?];
    let attribute = |name: &str| -> Option<f64> {
        let start = root.find(&format!(" {name}=\""))? + name.len() + 3;
        let end = start + root[start..].find('"')?;
        root[start..end].parse().ok()
    };
    Some((attribute("width")?, attribute("height")?))
}

/// The width and height in a PNG's header.
pub fn png_size(bytes: &[u8]) -> Option<(f64, f64)> {
    if bytes.get(..8)? != b"\x89PNG\r\n\x1a\n" || bytes.get(12..16)? != b"IHDR" {
        return None;
    }
    let word = |at: usize| -> Option<f64> {
        Some(f64::from(u32::from_be_bytes(
            bytes.get(at..at + 4)?.try_into().ok()?,
        )))
    };
    Some((word(16)?, word(20)?))
}

#[cfg(test)]
mod tests;
