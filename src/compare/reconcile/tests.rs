use super::*;
use crate::measure::PeriodKey;

fn q(quarter: u8) -> Period {
    Period::new(2018, quarter).unwrap()
}

/// A published cell of `unit` in 2018/19 `quarter` under `code`, with `counts` by type.
fn cell(unit: &str, quarter: u8, code: &str, counts: &[(usize, i64)], incomplete: u64) -> Cell {
    let mut types = [0i64; 23];
    for &(t, n) in counts {
        types[t] = n;
    }
    Cell {
        unit: unit.into(),
        period: PeriodKey::of_quarter(q(quarter)),
        group: String::new(),
        subgroup: String::new(),
        code: code.into(),
        description: String::new(),
        numerator: 0,
        denominator: 0,
        types: Some(Box::new(types)),
        missing: incomplete,
        incomplete,
    }
}

/// The month index of 2018-`month` (April = 4).
fn month(m: i64) -> i64 {
    2018 * 12 + m - 1
}

#[test]
fn whole_quarters_in_both_are_compared_by_quarter_and_type_and_the_rest_is_said() {
    let cells = vec![
        cell("A", 1, "8N", &[(16, 40), (1, 10)], 0),
        cell("A", 1, "105A", &[(16, 5)], 0),
        cell("A", 1, "3B", &[], 1),
        cell("A", 2, "8N", &[(16, 30)], 0),
        cell("B", 1, "8N", &[(16, 999)], 0),
    ];
    let offences = vec!["8N".to_string(), "105A".to_string(), "99Z".to_string()];
    let mut all_types: BTreeMap<(i64, u32), [u64; 23]> = BTreeMap::new();
    let mut add = |m: i64, offence: u32, t: usize, n: u64| {
        all_types.entry((month(m), offence)).or_default()[t] += n;
    };
    // April to June (2018/19 Q1, whole) and July, August (Q2, not whole).
    add(4, 0, 16, 20);
    add(5, 0, 16, 18);
    add(6, 1, 16, 4);
    add(6, 0, 1, 9);
    add(6, 0, 0, 7);
    add(5, 2, 16, 3);
    add(7, 0, 16, 25);
    add(8, 0, 16, 5);
    let denominator: Vec<u8> = (1..=22).collect();
    let r = reconcile(&cells, "A", &denominator, &offences, &all_types).unwrap();
    assert_eq!(
        r.quarters,
        [q(1)],
        "Q2 has two of its months in the extract"
    );
    assert!(r.quarters_not_published.is_empty());
    assert_eq!(r.codes_not_published, [("99Z".to_string(), 3)]);
    assert_eq!(r.incomplete_cells, 1);
    let all = &r.rows[0];
    // Type 0 (no outcome) is not in the denominator; 99Z is not published for A.
    assert_eq!((all.level, all.extract, all.published), ("all", 51, 55));
    assert_eq!(all.difference, -4);
    assert!((all.share.unwrap() + 4.0 / 55.0).abs() < 1e-15);
    assert_eq!(r.rows[1].quarter, "2018/19 Q1");
    assert_eq!((r.rows[1].extract, r.rows[1].published), (51, 55));
    let types: Vec<(Option<u8>, u64, i64)> = r.rows[2..]
        .iter()
        .map(|x| (x.outcome_type, x.extract, x.published))
        .collect();
    assert_eq!(types, [(Some(1), 9, 10), (Some(16), 42, 45)]);

    // Only the denominator's types are counted.
    let r = reconcile(&cells, "A", &[16], &offences, &all_types).unwrap();
    assert_eq!((r.rows[0].extract, r.rows[0].published), (42, 45));
}

#[test]
fn a_whole_quarter_the_tables_do_not_hold_is_named_and_nothing_else_compared_is_none() {
    let cells = vec![cell("A", 1, "8N", &[(16, 40)], 0)];
    let offences = vec!["8N".to_string()];
    let mut all_types: BTreeMap<(i64, u32), [u64; 23]> = BTreeMap::new();
    for m in 4..=9 {
        all_types.entry((month(m), 0)).or_default()[16] += 1;
    }
    let r = reconcile(&cells, "A", &[16], &offences, &all_types).unwrap();
    assert_eq!(r.quarters, [q(1)]);
    assert_eq!(r.quarters_not_published, [q(2)]);
    assert_eq!(r.rows[0].share, Some((3.0 - 40.0) / 40.0));
    // A force the tables do not have, or an extract with no whole quarter in them.
    assert!(reconcile(&cells, "Z", &[16], &offences, &all_types).is_none());
    let late: BTreeMap<(i64, u32), [u64; 23]> =
        (10..=12).map(|m| ((month(m), 0), [1; 23])).collect();
    assert!(reconcile(&cells, "A", &[16], &offences, &late).is_none());
}

#[test]
fn months_fall_in_financial_quarters() {
    for (m, fy, quarter) in [
        (4, 2018, 1),
        (6, 2018, 1),
        (7, 2018, 2),
        (12, 2018, 3),
        (13, 2018, 4),
        (15, 2018, 4),
        (16, 2019, 1),
    ] {
        assert_eq!(
            quarter_of_month(month(m)),
            Period::new(fy, quarter),
            "month {m}"
        );
    }
}
