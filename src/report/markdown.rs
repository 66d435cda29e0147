//! Escaping for the Markdown report: text from data must print as itself in any Markdown
//! renderer, including those that pass raw HTML through.
//!
//! Invariant: after [`escape`], a value contains no raw `<`, `>` or `&` (they become
//! entities), no unescaped Markdown punctuation that could start emphasis, a link, code, a
//! table cell or a heading, and no line break.

/// Markdown punctuation that is backslash-escaped wherever it appears.
const ESCAPED: &[char] = &['\\', '`', '*', '_', '[', ']', '|', '#', '~', '!', '{', '}'];

/// Escapes one value for Markdown text or a table cell.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\r' | '\n' => out.push(' '),
            c if ESCAPED.contains(&c) => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests;
