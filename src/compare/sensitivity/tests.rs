use super::*;
use crate::config::Overrides;
use crate::measure::{Cell, PeriodKey};
use crate::record::Period;

/// Twelve units over four quarters of tidy counts, `A` far above the others.
fn cells() -> Vec<Cell> {
    let mut cells = Vec::new();
    for q in 1..=4u8 {
        let period = PeriodKey::of_quarter(Period::new(2019, q).unwrap());
        for u in 0..12i64 {
            let (numerator, denominator) = if u == 0 { (70, 100) } else { (30 + u, 100) };
            cells.push(Cell {
                unit: format!("{}", char::from(b'A' + u as u8)),
                period: period.clone(),
                group: String::new(),
                subgroup: String::new(),
                code: String::new(),
                description: String::new(),
                numerator,
                denominator,
                types: None,
                missing: 0,
                incomplete: 0,
            });
        }
    }
    cells
}

fn config(extra: &str) -> Config {
    let text =
        format!("inputs = [\"x.csv\"]\nfocus = [\"A\"]\n{extra}[outputs]\nfolder = \"out\"\n");
    Config::from_toml(
        std::path::Path::new("dir/analysis.toml"),
        &text,
        &Overrides::default(),
    )
    .unwrap()
}

#[test]
fn the_run_comes_first_then_each_alternative_with_whether_its_flag_is_the_runs() {
    let config = config("");
    let focus = vec!["A".to_string()];
    let main = crate::compare::compare(&cells(), &config, &focus, true).unwrap();
    let (other, words) = config
        .with_alternative(Alternative::Overdispersion)
        .unwrap();
    assert_eq!(words, "the multiplicative overdispersion adjustment");
    let alternative = crate::compare::compare(&cells(), &other, &focus, true);
    let failed = Err(anyhow::anyhow!("no cells\nfor this"));
    let rows = rows(
        &config,
        &main,
        &[
            (Alternative::Overdispersion, words, alternative),
            (Alternative::Basis, "the other basis".into(), failed),
        ],
    );
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[0].alternative, AS_RUN);
    assert!(rows[0]
        .setting
        .starts_with("as run: assigned in period, outcome 16"));
    let own = rows[0].result.as_ref().unwrap();
    let a = main.forces.iter().find(|r| r.force == "A").unwrap();
    assert_eq!(
        (own.numerator, own.denominator, own.flag),
        (280, 400, a.flag)
    );
    assert!(own.same_flag);
    assert_eq!(own.excess, None, "tidy counts have no offence mix");
    assert_eq!(rows[1].alternative, "overdispersion");
    let theirs = rows[1].result.as_ref().unwrap();
    assert_eq!(theirs.numerator, 280);
    assert_eq!(theirs.same_flag, theirs.flag == own.flag);
    assert_eq!(rows[2].alternative, "basis");
    assert_eq!(
        rows[2].result,
        Err("no cells\\nfor this".to_string()),
        "one line"
    );
}

#[test]
fn each_alternative_turns_one_choice_and_leaves_the_rest() {
    let config = config("");
    let changed = |a: Alternative| config.with_alternative(a).unwrap();
    let (basis, words) = changed(Alternative::Basis);
    assert_eq!(basis.basis, crate::record::Basis::RecordedInPeriod);
    assert_eq!(words, "the recorded-in-period basis");
    assert_eq!(basis.outcomes, config.outcomes);
    let (outcome, words) = changed(Alternative::Outcome);
    assert_eq!(
        (outcome.outcomes.as_slice(), words.as_str()),
        (&[15, 16][..], "outcomes 15 and 16 together")
    );
    let (back, words) = outcome.with_alternative(Alternative::Outcome).unwrap();
    assert_eq!(
        (back.outcomes.as_slice(), words.as_str()),
        (&[16][..], "outcome 16 alone")
    );
    let (denominator, _) = changed(Alternative::Denominator);
    assert_eq!(denominator.denominator.name, "suspect_identified");
    let (strata, _) = changed(Alternative::Strata);
    assert_eq!(strata.strata, crate::config::Strata::OffenceCode);
    let (city, words) = changed(Alternative::CityOfLondon);
    assert!(!city.include_city_of_london && !city.in_national_set("London, City of"));
    assert_eq!(words, "without the City of London");
    // Outcome lists and denominators other than the named ones have no alternative.
    assert!(self::config("outcome = [14, 16]\n")
        .with_alternative(Alternative::Outcome)
        .is_none());
    assert!(self::config("denominator = [15, 16]\n")
        .with_alternative(Alternative::Denominator)
        .is_none());
    assert_eq!(config.sensitivity, Alternative::ALL, "all by default");
    assert!(self::config("[sensitivity]\nalternatives = []\n")
        .sensitivity
        .is_empty());
}
