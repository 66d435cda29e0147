use std::path::Path;

use indicatif::ProgressBar;

use super::*;
use crate::config::{Config, Overrides};
use crate::ingest::{read_inputs, Table};

const HEADER: &str = "Financial Year,Financial Quarter,Force Name,Offence Description,Offence Group,Offence Subgroup,Offence Code,Offence code expired,Outcome Description,Outcome Group,Outcome Type,Force outcomes for offences recorded in quarter,Force outcomes recorded in quarter\n";

/// Outcome types 1, 16 and 18 as the 2018/19 table writes them.
const OUTCOMES: [(u8, &str, &str); 3] = [
    (1, "Charged/Summonsed", "Charged/Summonsed"),
    (
        16,
        "Evidential difficulties: suspect identified; victim does not support further action",
        "Evidential difficulties (victim does not support action)",
    ),
    (
        18,
        "Investigation complete – no suspect identified",
        "Investigation complete – no suspect identified",
    ),
];

/// (description, subgroup, code) of two offences of the 2018/19 table.
const OFFENCES: [(&str, &str, &str); 2] = [
    ("Assault with injury", "Violence with injury", "8N"),
    ("Assault without injury", "Violence without injury", "105A"),
];

const FORCES: [&str; 3] = ["Avon and Somerset", "Cleveland", "Kent"];

/// The count written for an outcome type of a force, quarter and offence (assigned basis).
fn count(force: usize, quarter: u8, offence: usize, outcome: u8) -> i64 {
    1000 * force as i64 + 100 * i64::from(quarter) + 10 * offence as i64 + i64::from(outcome)
}

/// Cells measured from a table holding every force, quarter 1 and 2, offence and outcome,
/// its rows written in the order `rows` gives.
fn cells_of(rows: Vec<(usize, u8, usize)>, dir: &Path, name: &str) -> Vec<Cell> {
    cells_with(rows, dir, name, "")
}

/// [`cells_of`] with `extra` keys at the top of the analysis file.
fn cells_with(rows: Vec<(usize, u8, usize)>, dir: &Path, name: &str, extra: &str) -> Vec<Cell> {
    let (table, config) = table_with(rows, dir, name, extra);
    outcome_cells(&table, &config).unwrap()
}

/// The canonical table of the rows (see [`cells_of`]), and an analysis file of it with
/// `extra` keys at its top.
fn table_with(
    rows: Vec<(usize, u8, usize)>,
    dir: &Path,
    name: &str,
    extra: &str,
) -> (DataFrame, Config) {
    let mut text = String::from(HEADER);
    for (force, quarter, offence) in rows {
        let (description, subgroup, code) = OFFENCES[offence];
        for (outcome, outcome_description, outcome_group) in OUTCOMES {
            text.push_str(&format!(
                "2018/19,{quarter},{},{description},Violence against the person,{subgroup},{code},,{outcome_description},{outcome_group},{outcome},0,{}\n",
                FORCES[force],
                count(force, quarter, offence, outcome)
            ));
        }
    }
    let input = dir.join(name);
    std::fs::write(&input, text).unwrap();
    let toml = format!(
        "inputs = [{:?}]\n{extra}\n[outputs]\nfolder = \"out\"\n",
        input.display().to_string()
    );
    let config = Config::from_toml(&dir.join("a.toml"), &toml, &Overrides::default()).unwrap();
    let ingested = read_inputs(&config.inputs, &config.forces, &ProgressBar::hidden()).unwrap();
    let Table::Outcomes(table) = ingested.table else {
        panic!("not an outcomes table")
    };
    (table, config)
}

/// Every force, quarters 1 and 2, every offence.
fn every_row() -> Vec<(usize, u8, usize)> {
    let mut rows = Vec::new();
    for force in 0..FORCES.len() {
        for quarter in 1..=2 {
            for offence in 0..OFFENCES.len() {
                rows.push((force, quarter, offence));
            }
        }
    }
    rows
}

#[test]
fn cells_come_sorted_by_their_texts_whatever_the_row_order() {
    let dir = tempfile::tempdir().unwrap();
    let mut rows = every_row();
    let sorted_input = cells_of(rows.clone(), dir.path(), "sorted.csv");
    // Kent's second-quarter assault without injury first: the forces, quarters and offences
    // are all met (and given their ids) in the reverse of their order.
    rows.reverse();
    let reversed_input = cells_of(rows, dir.path(), "reversed.csv");
    assert_eq!(reversed_input, sorted_input);

    let mut resorted = reversed_input.clone();
    sort_cells(&mut resorted);
    assert_eq!(resorted, reversed_input);
    assert_eq!(reversed_input.len(), 12);
    let mut expected = Vec::new();
    for (force, name) in FORCES.iter().enumerate() {
        for quarter in 1..=2u8 {
            for (offence, (description, subgroup, code)) in OFFENCES.iter().enumerate() {
                let numerator = count(force, quarter, offence, 16);
                let denominator: i64 = OUTCOMES
                    .iter()
                    .map(|(outcome, _, _)| count(force, quarter, offence, *outcome))
                    .sum();
                expected.push((
                    name.to_string(),
                    format!("2018/19 Q{quarter}"),
                    subgroup.to_string(),
                    code.to_string(),
                    description.to_string(),
                    numerator,
                    denominator,
                ));
            }
        }
    }
    let got: Vec<_> = reversed_input
        .iter()
        .map(|c| {
            (
                c.unit.clone(),
                c.period.label.clone(),
                c.subgroup.clone(),
                c.code.clone(),
                c.description.clone(),
                c.numerator,
                c.denominator,
            )
        })
        .collect();
    assert_eq!(got, expected);
}

/// With events, the focus forces' cells keep their counts by outcome type (the same rows as
/// their sums), and only theirs; without events no cell does.
#[test]
fn the_focus_forces_cells_keep_their_counts_by_type_when_there_are_events() {
    let dir = tempfile::tempdir().unwrap();
    let mut rows = Vec::new();
    for force in 0..FORCES.len() {
        for offence in 0..OFFENCES.len() {
            rows.push((force, 1, offence));
        }
    }
    let plain = cells_of(rows.clone(), dir.path(), "plain.csv");
    assert!(plain.iter().all(|c| c.types.is_none()));
    let extra = "focus = [\"Cleveland\"]\n[[events]]\nquarter = \"2018/19 Q2\"\nlabel = \"x\"\n";
    let cells = cells_with(rows, dir.path(), "mix.csv", extra);
    assert_eq!(cells.len(), plain.len());
    for (cell, before) in cells.iter().zip(&plain) {
        assert_eq!(
            (cell.numerator, cell.denominator),
            (before.numerator, before.denominator)
        );
        if cell.unit == "Cleveland" {
            let types = cell.types.as_ref().expect("Cleveland keeps its types");
            let offence = OFFENCES.iter().position(|o| o.2 == cell.code).unwrap();
            for t in 0..23u8 {
                let expected = if OUTCOMES.iter().any(|o| o.0 == t) {
                    count(1, 1, offence, t)
                } else {
                    0
                };
                assert_eq!(types[usize::from(t)], expected, "type {t}");
            }
            assert_eq!(types[16], cell.numerator);
            assert_eq!(types.iter().sum::<i64>(), cell.denominator);
        } else {
            assert!(cell.types.is_none(), "{}", cell.unit);
        }
    }
}

/// The cells in the period are the cells of the whole table whose period is in it, each the
/// same (for a financial year, a rolling twelve months holding one of the table's quarters,
/// and `all`), and the rows of other periods add nothing to them.
#[test]
fn cells_in_the_period_are_the_whole_tables_cells_of_the_period() {
    let dir = tempfile::tempdir().unwrap();
    for (period, expected) in [
        ("\"2018/19\"", 12),
        ("{ rolling_12_months_to = \"2018/19 Q1\" }", 6),
        ("{ rolling_12_months_to = \"2017/18 Q4\" }", 0),
        ("\"all\"", 12),
    ] {
        let extra = format!("period = {period}\nallow_partial_period = true");
        let (table, config) = table_with(every_row(), dir.path(), "t.csv", &extra);
        let whole = outcome_cells(&table, &config).unwrap();
        assert_eq!(whole.len(), 12);
        let of_period: Vec<Cell> = whole
            .into_iter()
            .filter(|c| crate::compare::in_period(&c.period, &config))
            .collect();
        let in_period = outcome_cells_in_period(&table, &config).unwrap();
        assert_eq!(in_period.len(), expected, "{period}");
        assert_eq!(in_period, of_period, "{period}");
    }
}
