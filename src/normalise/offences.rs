//! Offence groups in one spelling.
//!
//! Invariant: offence groups are compared without case (DATA.md §2.4: other files write
//! `Drug Offences`), so every known group is stored in the single spelling below; unknown
//! groups are kept as cleaned text.

use std::borrow::Cow;

use crate::normalise::text::{clean, match_key};

/// The ten offence groups of the 2018/19 table, in their canonical spelling.
pub const OFFENCE_GROUPS: &[&str] = &[
    "Criminal damage and arson",
    "Drug offences",
    "Fraud offences to 2012/13",
    "Miscellaneous crimes against society",
    "Possession of weapons offences",
    "Public order offences",
    "Robbery",
    "Sexual offences",
    "Theft offences",
    "Violence against the person",
];

/// The canonical spelling of an offence group.
pub fn canonical_group(text: &str) -> Cow<'_, str> {
    if OFFENCE_GROUPS.contains(&text) {
        return Cow::Borrowed(text);
    }
    let key = match_key(text);
    match OFFENCE_GROUPS.iter().find(|g| match_key(g) == key) {
        Some(group) => Cow::Borrowed(group),
        None => clean(text),
    }
}

/// An offence code as compared: trimmed and upper-cased (`8n` → `8N`).
pub fn normalise_code(code: &str) -> String {
    code.trim().to_ascii_uppercase()
}

#[cfg(test)]
mod tests;
