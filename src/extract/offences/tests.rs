use super::*;

#[test]
fn every_row_of_the_embedded_table_parses() {
    let rows = NATIONAL_MIX_CSV
        .lines()
        .filter(|l| !l.starts_with('#'))
        .count()
        - 1;
    assert_eq!(national_mix().len(), rows);
    assert!(rows > 100, "{rows}");
}

#[test]
fn known_codes() {
    let assault = lookup(" 105a ").unwrap();
    assert_eq!(assault.description, "Assault without injury");
    assert_eq!(assault.group, "Violence against the person");
    // Outcome 16 is the commonest outcome of common assault nationally.
    let max = ASSIGNED_TYPES
        .iter()
        .max_by_key(|&&t| assault.assigned[usize::from(t)])
        .unwrap();
    assert_eq!(*max, 16);
    assert!(lookup("8N").is_some());
    assert!(lookup("ZZZ").is_none());
}

#[test]
fn domestic_abuse_assumption_gives_about_fifteen_percent() {
    let total: f64 = national_mix()
        .iter()
        .map(|o| o.recorded_crimes as f64)
        .sum();
    let da: f64 = national_mix()
        .iter()
        .map(|o| o.recorded_crimes as f64 * o.da_share_assumption)
        .sum();
    let share = da / total;
    assert!((0.13..0.18).contains(&share), "{share}");
}
