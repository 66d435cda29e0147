use super::*;
use crate::config::{Config, Overrides};
use crate::extract::read::read_from;
use indicatif::ProgressBar;
use std::path::Path;

fn config() -> ExtractConfig {
    let text = "inputs = [\"x.csv\"]\n[outputs]\nfolder = \"out\"\n[extract]\nfile = \"e.csv\"\n[extract.columns]\ncrime_reference = \"Ref\"\nrecorded_date = \"Recorded\"\noutcome_date = \"Closed\"\noffence_code = \"Code\"\noutcome = \"Outcome\"\ndomestic_abuse = \"DA\"\narea = \"Area\"\nvictim_reference = \"Victim\"\nunit = \"Team\"\n";
    Config::from_toml(Path::new("a.toml"), text, &Overrides::default())
        .unwrap()
        .extract
        .unwrap()
}

/// Three areas; V1 has three domestic-abuse crimes, so two of them are repeats.
const EXTRACT: &str = "Ref,Recorded,Closed,Code,Outcome,DA,Area,Victim,Team
N1,2019-04-01 10:00,2019-04-03 10:00,8N,16,Y,North,V1,CID
N2,2019-05-01,2019-06-10,8N,1,Y,North,V1,CID
N3,2019-05-02,2019-05-02,105A,16,Y,North,V2,
N4,2019-05-03,,105A,,Y,North,V3,CID
N5,2019-04-05,2019-04-20,8N,16,N,North,V4,CID
N6,2019-04-06,2019-04-07,49,18,N,North,,CID
S1,2019-06-01,2019-06-11,8N,16,Y,South,V1,DAT
S2,2019-04-02,2019-05-02,8N,15,Y,South,V5,DAT
S3,2019-04-03,2019-04-23,8L,21,Y,South,V6,DAT
S4,2019-04-04,2019-04-05,8N,1,N,South,V7,DAT
E1,2019-04-08,2019-04-09,8N,16,Y,East,V8,DAT
";

fn analysed() -> (Extract, ExtractAnalysis) {
    let config = config();
    let extract = read_from(&config, EXTRACT.as_bytes(), &ProgressBar::hidden()).unwrap();
    let analysis = analyse(&extract, &config).unwrap();
    (extract, analysis)
}

fn rate(numerator: u64, denominator: u64) -> (u64, u64) {
    (numerator, denominator)
}

/// An area row as (name, crimes, without outcome, scope counts, comparison counts).
type AreaCounts<'a> = (&'a str, u64, u64, (u64, u64), Option<(u64, u64)>);

#[test]
fn counts_by_area_with_the_comparison_group() {
    let (_, a) = analysed();
    let rows: Vec<AreaCounts> = a
        .areas
        .rows
        .iter()
        .map(|r| {
            (
                r.name.as_str(),
                r.crimes,
                r.without_outcome,
                rate(r.scope.numerator, r.scope.denominator),
                r.comparison.map(|c| rate(c.numerator, c.denominator)),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            ("East", 1, 0, (1, 1), Some((0, 0))),
            ("North", 4, 1, (2, 3), Some((1, 2))),
            ("South", 3, 0, (1, 3), Some((0, 1))),
        ]
    );
    assert_eq!(a.crimes_in_scope, 8);
    assert_eq!(a.crimes_in_comparison, 3);
    assert_eq!(rate(a.overall.numerator, a.overall.denominator), (4, 7));
    let summary = a.areas.summary.as_ref().expect("a funnel over three areas");
    assert!((summary.target - 4.0 / 7.0).abs() < 1e-12);
    assert!(a.areas.rows.iter().all(|r| r.place.is_some()));
    // East has no comparison crimes: no rate rather than a rate of 0.
    assert_eq!(a.areas.rows[0].comparison.and_then(|c| c.rate), None);
}

#[test]
fn offence_mix_expectation_uses_the_forces_own_code_rates() {
    let (_, a) = analysed();
    // Code rates in scope: 8N 3/5, 105A 1/1, 8L 0/1. North: 8N n=2, 105A n=1.
    let north = &a.areas.rows[1];
    let mix = north.mix.expect("an expectation");
    assert!((mix.expected - (2.0 * 0.6 + 1.0)).abs() < 1e-12);
    assert!((mix.ratio - 2.0 / 2.2).abs() < 1e-12);
}

#[test]
fn units_offences_and_months() {
    let (_, a) = analysed();
    let units = a.units.as_ref().unwrap();
    let names: Vec<&str> = units.rows.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, ["(no unit recorded)", "CID", "DAT"]);
    assert!(units.rows[0].place.is_none(), "no unit is not a unit");
    let codes: Vec<(&str, &str, u64)> = a
        .offences
        .iter()
        .map(|o| (o.group.as_str(), o.code.as_str(), o.crimes))
        .collect();
    assert_eq!(
        codes,
        [
            ("Theft offences", "49", 0),
            ("Violence against the person", "105A", 2),
            ("Violence against the person", "8L", 1),
            ("Violence against the person", "8N", 5),
        ]
    );
    assert_eq!(a.groups.len(), 2);
    // Assigned basis: months of the outcome dates (April, May, June 2019).
    let months: Vec<(String, (u64, u64))> = a
        .months
        .iter()
        .map(|m| {
            (
                dates::month_label(m.month),
                rate(m.scope.numerator, m.scope.denominator),
            )
        })
        .collect();
    assert_eq!(
        months,
        [
            ("2019-04".to_string(), (2, 3)),
            ("2019-05".to_string(), (1, 2)),
            ("2019-06".to_string(), (1, 2)),
        ]
    );
    assert!(a.months.iter().all(|m| m.spc.is_some()));
    assert!(a.month_chart.is_some());
}

#[test]
fn repeat_victims_and_time_to_closure() {
    let (extract, a) = analysed();
    let repeat = a.repeat.as_ref().unwrap();
    let rows: Vec<(&str, u64, u64, (u64, u64))> = repeat
        .rows
        .iter()
        .map(|r| {
            (
                r.group,
                r.crimes,
                r.victims,
                rate(r.scope.numerator, r.scope.denominator),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            ("first crime in the window", 6, 6, (3, 5)),
            ("repeat: earlier crime in the window", 2, 1, (1, 2)),
            ("all crimes naming a victim", 8, 6, (4, 7)),
        ]
    );
    assert_eq!(repeat.two_or_more_closures, 1, "V1: N1 and S1");
    assert_eq!(repeat.by_closures[2], ("2".to_string(), 1));
    let earlier = earlier_crimes_of_victim(&extract, |c| c.domestic_abuse);
    let of = |reference: &str| {
        earlier[(0..extract.crimes.len())
            .find(|&i| extract.reference(i) == reference)
            .unwrap()]
    };
    assert_eq!((of("N1"), of("N2"), of("S1"), of("N3")), (0, 1, 2, 0));

    let all = &a.closure_times[0];
    assert_eq!(all.area, ALL_AREAS);
    assert_eq!(all.subset, "domestic-abuse-flagged crimes");
    // Outcome-16 closures in scope: N1 2 days, N3 0 (same day), S1 10, E1 1.
    assert_eq!(all.closures, 4);
    assert!((all.median_days.unwrap() - 1.5).abs() < 1e-12);
    assert!((all.q1_days.unwrap() - 0.75).abs() < 1e-12);
    assert!((all.q3_days.unwrap() - 4.0).abs() < 1e-12);
    assert_eq!((all.within_1_day, all.within_7_days), (1, 3));
    let comparison: Vec<&ClosureTimeRow> = a
        .closure_times
        .iter()
        .filter(|r| r.subset == "crimes not flagged as domestic abuse")
        .collect();
    assert_eq!(comparison.len(), 4);
    assert_eq!(comparison[0].closures, 1);
}

#[test]
fn domestic_abuse_against_other_crimes() {
    let (_, a) = analysed();
    let rows: Vec<(&str, u64, u64, (u64, u64))> = a
        .da_vs_other
        .iter()
        .map(|r| {
            (
                r.group,
                r.crimes,
                r.without_outcome,
                rate(r.rate.numerator, r.rate.denominator),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            ("domestic abuse", 8, 1, (4, 7)),
            ("not domestic abuse", 3, 0, (1, 3)),
            ("all crimes", 11, 1, (5, 10)),
        ]
    );
    let sixteen = a
        .outcome_types
        .iter()
        .find(|r| r.outcome_type == 16)
        .unwrap();
    assert_eq!((sixteen.domestic_abuse, sixteen.other), (4, 1));
    assert!((sixteen.domestic_abuse_share.unwrap() - 0.5).abs() < 1e-12);
    let total: f64 = a
        .outcome_types
        .iter()
        .filter_map(|r| r.domestic_abuse_share)
        .sum();
    assert!((total - 1.0).abs() < 1e-12);
}

/// The within-force funnel places units exactly as the national funnel would.
#[test]
fn within_force_funnel_agrees_with_the_national_funnel() {
    let counts = [
        (30u64, 100u64),
        (50, 100),
        (45, 120),
        (80, 150),
        (20, 90),
        (60, 61),
    ];
    let names = ["A", "B", "C", "D", "E", "F"];
    for funnel_section in [
        "",
        "[funnel]\noverdispersion = \"multiplicative\"\n",
        "[funnel]\nmethod = \"exact\"\nadjust_when = \"significant\"\n",
        "[funnel]\nscale = \"natural\"\nmethod = \"normal\"\n",
    ] {
        let text = format!("inputs = [\"x.csv\"]\n[outputs]\nfolder = \"out\"\n{funnel_section}");
        let config = Config::from_toml(Path::new("a.toml"), &text, &Overrides::default()).unwrap();
        let mut by_unit = std::collections::BTreeMap::new();
        for (name, (x, n)) in names.iter().zip(counts) {
            by_unit.insert(
                *name,
                crate::compare::Counts {
                    numerator: x as i64,
                    denominator: n as i64,
                    missing: 0,
                    incomplete: 0,
                },
            );
        }
        let (national, national_summary, national_grid) =
            crate::compare::funnel::compare_units(&by_unit, &config, &[], &|_| true).unwrap();
        let xs: Vec<u64> = counts.iter().map(|c| c.0).collect();
        let ns: Vec<u64> = counts.iter().map(|c| c.1).collect();
        let ours = within_force_funnel(&xs, &ns, &config.funnel)
            .unwrap()
            .unwrap();
        assert_eq!(ours.summary, national_summary, "{funnel_section}");
        assert_eq!(ours.grid, national_grid, "{funnel_section}");
        for (row, place) in national.iter().zip(&ours.places) {
            assert_eq!(row.flag, place.flag);
            assert_eq!(row.flag_unadjusted, place.flag_unadjusted);
            assert_eq!(row.inner, place.inner);
            assert_eq!(row.outer_unadjusted, place.outer_unadjusted);
            assert_eq!(row.z.to_bits(), place.z.to_bits());
            assert_eq!(row.z_adjusted.to_bits(), place.z_adjusted.to_bits());
        }
    }
}

#[test]
fn no_funnel_without_two_units() {
    let config = config();
    assert_eq!(
        within_force_funnel(&[1], &[2], &config.funnel).unwrap(),
        None
    );
    assert_eq!(within_force_funnel(&[], &[], &config.funnel).unwrap(), None);
}
