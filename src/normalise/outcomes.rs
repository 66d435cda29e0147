//! Outcome types 0–22 from the bundled `data/reference/outcome_types.csv`.
//!
//! Invariant: outcome types are keyed by number; descriptions are for people, never for
//! selecting rows (DATA.md §3: the group of type 16 also holds type 14).

/// The bundled outcome-types table, embedded so the binary works from any folder.
pub const OUTCOME_TYPES_CSV: &str = include_str!("../../data/reference/outcome_types.csv");

/// One outcome type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutcomeTypeInfo {
    /// The number, 0–22.
    pub number: u8,
    /// The official description.
    pub description: String,
    /// The official outcome group.
    pub group: String,
    /// Whether it counts as "suspect identified" (our definition, DATA.md §7).
    pub suspect_identified: bool,
}

/// Every outcome type in the bundled table, in number order.
pub fn outcome_types() -> Vec<OutcomeTypeInfo> {
    let mut reader = csv::ReaderBuilder::new()
        .comment(Some(b'#'))
        .from_reader(OUTCOME_TYPES_CSV.as_bytes());
    // The table is compiled in and checked by a unit test, so a malformed row cannot reach users.
    reader
        .records()
        .filter_map(Result::ok)
        .filter_map(|r| {
            Some(OutcomeTypeInfo {
                number: r.get(0)?.parse().ok()?,
                description: r.get(1)?.to_string(),
                group: r.get(2)?.to_string(),
                suspect_identified: r.get(3)? == "true",
            })
        })
        .collect()
}

/// The description of an outcome type, if known.
pub fn description(number: u8) -> Option<String> {
    outcome_types()
        .into_iter()
        .find(|t| t.number == number)
        .map(|t| t.description)
}

/// The types counted in the `suspect_identified` denominator.
pub fn suspect_identified_types() -> Vec<u8> {
    outcome_types()
        .into_iter()
        .filter(|t| t.suspect_identified)
        .map(|t| t.number)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_table_has_every_type_once() {
        let types = outcome_types();
        let numbers: Vec<u8> = types.iter().map(|t| t.number).collect();
        assert_eq!(numbers, (0..=22).collect::<Vec<u8>>());
        assert!(description(16)
            .unwrap()
            .starts_with("Evidential difficulties: suspect identified"));
        assert_eq!(
            suspect_identified_types(),
            [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 15, 16, 17, 21, 22]
        );
    }
}
