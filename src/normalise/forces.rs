//! The forces table: canonical names, ONS codes and the aliases each publisher uses.
//!
//! Invariant: a force name from a file is accepted only through an exact alias match (after
//! [`match_key`]); an unknown name is an error that lists the closest known names, never a
//! guess (DATA.md §6).

use std::collections::HashMap;

use crate::normalise::text::match_key;

/// The bundled forces table (`data/reference/forces.csv`), embedded so the binary works from
/// any folder.
pub const FORCES_CSV: &str = include_str!("../../data/reference/forces.csv");

/// What kind of unit a row of the forces table is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ForceKind {
    /// One of the 43 territorial forces of England and Wales.
    Territorial,
    /// British Transport Police.
    Transport,
    /// A total or national unit (England and Wales, Action Fraud): never compared as a force.
    Aggregate,
}

/// One police force.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Force {
    /// Canonical (Home Office) name.
    pub name: String,
    /// ONS police force area code, if any.
    pub ons_code: Option<String>,
    /// The name data.police.uk uses, if any.
    pub police_uk_name: Option<String>,
    /// The data.police.uk slug, if any.
    pub slug: Option<String>,
    /// Territorial, transport or aggregate.
    pub kind: ForceKind,
}

/// Index of a force in a [`ForceTable`].
pub type ForceId = u8;

/// The forces and every name by which they may be written.
#[derive(Debug, Clone)]
pub struct ForceTable {
    forces: Vec<Force>,
    by_key: HashMap<String, ForceId>,
    /// Every name exactly as written, so that lookups of canonical names skip [`match_key`].
    by_name: HashMap<String, ForceId>,
}

/// A problem in the forces table or in an alias given by the user.
#[derive(Debug, thiserror::Error)]
pub enum ForceTableError {
    /// The CSV could not be parsed.
    #[error("forces table line {line}: {reason}")]
    Malformed {
        /// 1-based line.
        line: u64,
        /// What is wrong.
        reason: String,
    },
    /// Two forces claim the same name.
    #[error("forces table: the name {alias:?} is given to both {first:?} and {second:?}")]
    Ambiguous {
        /// The clashing name.
        alias: String,
        /// The force that had it first.
        first: String,
        /// The force that claims it again.
        second: String,
    },
    /// A user alias names a force that does not exist.
    #[error("alias {alias:?} points to unknown force {force:?}; closest known names: {closest}")]
    UnknownTarget {
        /// The alias.
        alias: String,
        /// The force it names.
        force: String,
        /// Suggestions.
        closest: String,
    },
}

impl ForceTable {
    /// The bundled table.
    pub fn bundled() -> Result<ForceTable, ForceTableError> {
        ForceTable::from_csv(FORCES_CSV)
    }

    /// Parses a forces table (`#` comment lines allowed) with the columns
    /// `ons_code,home_office_name,police_uk_name,slug,kind,aliases`.
    pub fn from_csv(text: &str) -> Result<ForceTable, ForceTableError> {
        let mut reader = csv::ReaderBuilder::new()
            .comment(Some(b'#'))
            .from_reader(text.as_bytes());
        let mut table = ForceTable {
            forces: Vec::new(),
            by_key: HashMap::new(),
            by_name: HashMap::new(),
        };
        for record in reader.records() {
            let record = record.map_err(|e| ForceTableError::Malformed {
                line: e.position().map_or(0, |p| p.line()),
                reason: e.to_string(),
            })?;
            let line = record.position().map_or(0, |p| p.line());
            let field = |i: usize| record.get(i).unwrap_or("").trim().to_string();
            let optional = |s: String| (!s.is_empty()).then_some(s);
            let kind = match field(4).as_str() {
                "territorial" => ForceKind::Territorial,
                "transport" => ForceKind::Transport,
                "aggregate" => ForceKind::Aggregate,
                other => {
                    return Err(ForceTableError::Malformed {
                        line,
                        reason: format!(
                            "kind {other:?} is not one of territorial, transport, aggregate"
                        ),
                    })
                }
            };
            let force = Force {
                name: field(1),
                ons_code: optional(field(0)),
                police_uk_name: optional(field(2)),
                slug: optional(field(3)),
                kind,
            };
            if force.name.is_empty() {
                return Err(ForceTableError::Malformed {
                    line,
                    reason: "empty home_office_name".into(),
                });
            }
            let id =
                ForceId::try_from(table.forces.len()).map_err(|_| ForceTableError::Malformed {
                    line,
                    reason: "more than 255 forces".into(),
                })?;
            let mut names = vec![force.name.clone()];
            names.extend(force.police_uk_name.clone());
            names.extend(force.slug.clone());
            names.extend(force.ons_code.clone());
            names.extend(
                field(5)
                    .split('|')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(String::from),
            );
            table.forces.push(force);
            for name in names {
                table.insert(&name, id)?;
            }
        }
        Ok(table)
    }

    fn insert(&mut self, name: &str, id: ForceId) -> Result<(), ForceTableError> {
        let key = match_key(name);
        match self.by_key.get(&key) {
            Some(&existing) if existing != id => Err(ForceTableError::Ambiguous {
                alias: name.to_string(),
                first: self.forces[usize::from(existing)].name.clone(),
                second: self.forces[usize::from(id)].name.clone(),
            }),
            _ => {
                self.by_key.insert(key, id);
                self.by_name.insert(name.to_string(), id);
                Ok(())
            }
        }
    }

    /// Adds a user alias (from the analysis file) for an existing force.
    pub fn add_alias(&mut self, alias: &str, force: &str) -> Result<(), ForceTableError> {
        let id = self
            .lookup(force)
            .ok_or_else(|| ForceTableError::UnknownTarget {
                alias: alias.to_string(),
                force: force.to_string(),
                closest: self.closest_names(force, 3).join(", "),
            })?;
        self.insert(alias, id)
    }

    /// Finds a force by any of its names (case-, space- and dash-insensitive).
    pub fn lookup(&self, name: &str) -> Option<ForceId> {
        if let Some(&id) = self.by_name.get(name) {
            return Some(id);
        }
        self.by_key.get(&match_key(name)).copied()
    }

    /// The force with this id.
    pub fn force(&self, id: ForceId) -> &Force {
        &self.forces[usize::from(id)]
    }

    /// All forces, in table order.
    pub fn forces(&self) -> &[Force] {
        &self.forces
    }

    /// Up to `k` canonical names closest to `name` by edit distance, for error messages.
    pub fn closest_names(&self, name: &str, k: usize) -> Vec<String> {
        // Only the start of a long name is compared: the edit distance costs the product of
        // the lengths, and a megabyte-long cell would take minutes against every alias.
        let key: String = match_key(name).chars().take(CLOSEST_NAME_CHARS).collect();
        // Totals (England and Wales, Action Fraud) are never offered as a force.
        let mut scored: Vec<(usize, &str)> = self
            .by_key
            .iter()
            .filter(|(_, &id)| self.forces[usize::from(id)].kind != ForceKind::Aggregate)
            .map(|(alias, &id)| {
                (
                    edit_distance(&key, alias),
                    self.forces[usize::from(id)].name.as_str(),
                )
            })
            .collect();
        scored.sort();
        let mut names: Vec<String> = Vec::new();
        for (_, name) in scored {
            if names.len() == k {
                break;
            }
            if !names.iter().any(|n| n == name) {
                names.push(name.to_string());
            }
        }
        names
    }
}

/// How many characters of a name [`ForceTable::closest_names`] compares.
const CLOSEST_NAME_CHARS: usize = 64;

/// Levenshtein distance over characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        current[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != cb);
            current[j + 1] = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        std::mem::swap(&mut previous, &mut current);
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests;
