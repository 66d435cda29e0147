use crate::config::{Config, Overrides};
use crate::stats::spc::phases::Improvement;

use super::*;

fn load(extra: &str, outcome: &str) -> anyhow::Result<Config> {
    let text = format!(
        "inputs = [\"x.csv\"]\noutcome = {outcome}\n{extra}\n[outputs]\nfolder = \"out\"\n"
    );
    Config::from_toml(
        std::path::Path::new("dir/a.toml"),
        &text,
        &Overrides::default(),
    )
}

fn error(extra: &str) -> String {
    format!("{:#}", load(extra, "16").expect_err("an error"))
}

#[test]
fn events_baseline_direction_windows_and_target() {
    let config = load(
        "[[events]]\nquarter = \"2019/20 Q1\"\nlabel = \"Action plan\"\nkind = \"action_plan\"\nphase = true\n\n[[events]]\ndate = \"2018-11-15\"\nlabel = \"Training\"\nkind = \"training\"\n\n[spc]\nbaseline = { from = \"2018/19 Q1\", to = \"2018/19 Q4\" }\n\n[monitor]\ntarget = { rate = 0.2, by = \"2019/20 Q4\" }\nquarters = { before = 3, after = 2 }\n",
        "16",
    )
    .unwrap();
    let m = &config.monitor;
    assert_eq!(m.events.len(), 2);
    // Sorted by day: the training first.
    assert_eq!(m.events[0].label, "Training");
    assert_eq!(m.events[0].day, dates::days_from_civil(2018, 11, 15));
    assert!(!m.events[0].starts_phase);
    assert_eq!(m.events[1].day, dates::days_from_civil(2019, 4, 1));
    assert!(m.events[1].starts_phase);
    assert_eq!(m.events[1].kind, EventKind::ActionPlan);
    assert_eq!(
        m.baseline,
        Some((
            dates::days_from_civil(2018, 4, 1),
            dates::days_from_civil(2019, 3, 31)
        ))
    );
    assert_eq!(m.improvement, Improvement::Lower);
    assert!(!m.improvement_given);
    assert_eq!(m.quarters, (3, 2));
    assert_eq!(m.months, (6, 6));
    let target = m.target.as_ref().unwrap();
    assert_eq!(target.by_day, dates::days_from_civil(2020, 3, 31));
    // Another outcome has no direction until one is given; phases = "events" marks them all.
    let other = load(
        "[[events]]\ndate = \"2019-04\"\nlabel = \"Plan\"\n[spc]\nphases = \"events\"\n",
        "[15, 16]",
    )
    .unwrap();
    assert_eq!(other.monitor.improvement, Improvement::Neutral);
    assert!(other.monitor.events[0].starts_phase);
    assert_eq!(other.monitor.events[0].kind, EventKind::Other);
    let higher = load("[spc]\ndirection = \"higher\"\n", "1").unwrap();
    assert_eq!(higher.monitor.improvement, Improvement::Higher);
    assert!(higher.monitor.improvement_given);
}

#[test]
fn errors_name_the_key_and_the_value() {
    let cases = [
        (
            "[[events]]\ndate = \"2019-13-01\"\nlabel = \"x\"\n",
            "events[1].date: \"2019-13-01\" is not a date",
        ),
        (
            "[[events]]\nquarter = \"2019/20 Q5\"\nlabel = \"x\"\n",
            "events[1].quarter: \"2019/20 Q5\" is not a quarter",
        ),
        (
            "[[events]]\ndate = \"2019-04-01\"\nlabel = \"x\"\nkind = \"launch\"\n",
            "events[1].kind: \"launch\" is not one of action_plan, training, policy, recording, inspection, other",
        ),
        (
            "[[events]]\nlabel = \"x\"\n",
            "events[1]: give a date (2019-04-01) or a quarter (2019/20 Q1)",
        ),
        (
            "[[events]]\ndate = \"2019-04-01\"\nquarter = \"2019/20 Q1\"\nlabel = \"x\"\n",
            "events[1]: give date or quarter, not both",
        ),
        (
            "[[events]]\ndate = \"2019-04-01\"\nlabel = \" \"\n",
            "events[1].label: an event needs a label",
        ),
        (
            "[[events]]\ndate = \"2019-04-01\"\nlabel = \"a\"\nphase = true\n[[events]]\nquarter = \"2019/20 Q1\"\nlabel = \"b\"\n",
            "events: \"a\" and \"b\" fall on the same day",
        ),
        (
            "[spc]\nbaseline = { from = \"2018/19\", to = \"2018/19 Q4\" }\n",
            "spc.baseline.from: \"2018/19\" is not a quarter",
        ),
        (
            "[spc]\nbaseline = { from = \"2019/20 Q1\", to = \"2018/19 Q4\" }\n",
            "spc.baseline: to (\"2018/19 Q4\") is before from (\"2019/20 Q1\")",
        ),
        (
            "[spc]\nphases = \"quarterly\"\n",
            "spc.phases: \"quarterly\" is not \"events\"",
        ),
        (
            "[spc]\ndirection = \"down\"\n",
            "spc.direction: \"down\" is not lower, higher or neutral",
        ),
        (
            "[monitor]\ntarget = { rate = 20, by = \"2019/20 Q4\" }\n",
            "monitor.target.rate: 20 is not a rate in [0, 1]",
        ),
        (
            "[monitor]\ntarget = { rate = 0.2, by = \"soon\" }\n",
            "monitor.target.by: \"soon\" is not a quarter",
        ),
        (
            "[monitor]\nmonths = { before = 0, after = 3 }\n",
            "monitor.months: before = 0 and after = 3 must both be at least 1",
        ),
    ];
    for (extra, expected) in cases {
        let message = error(extra);
        assert!(
            message.contains(expected),
            "{expected:?} not in {message:?}"
        );
        assert!(message.starts_with("dir/a.toml"), "{message}");
    }
}

#[test]
fn days_of_quarters_months_and_dates() {
    assert_eq!(
        parse_day("2019/20 Q4", true),
        Some(dates::days_from_civil(2020, 3, 31))
    );
    assert_eq!(
        parse_day("2019/20 Q3", false),
        Some(dates::days_from_civil(2019, 10, 1))
    );
    assert_eq!(
        parse_day("2020-02", true),
        Some(dates::days_from_civil(2020, 2, 29))
    );
    assert_eq!(
        parse_day("15/11/2018", false),
        Some(dates::days_from_civil(2018, 11, 15))
    );
    assert_eq!(parse_day("2019-00", false), None);
    assert_eq!(parse_day("nonsense", false), None);
}

#[test]
fn an_events_file_is_read_by_column_name_with_its_lines_in_errors() {
    let text = "\u{feff}Label , QUARTER,kind,Phase\r\n\r\n\"Review, stage 1\",2019/20 Q1,action_plan,yes\r\nTraining,2018/19 Q3,,\r\n";
    let events = events_from_csv(text, "e.csv").unwrap();
    assert_eq!(events.len(), 2);
    assert_eq!(events[0].label, "Review, stage 1");
    assert_eq!(events[0].written, "2019/20 Q1");
    assert_eq!(events[0].day, crate::dates::days_from_civil(2019, 4, 1));
    assert_eq!(events[0].kind, EventKind::ActionPlan);
    assert!(events[0].starts_phase);
    assert_eq!(events[0].place, "e.csv:3");
    assert_eq!(events[1].kind, EventKind::Other);
    assert!(!events[1].starts_phase);
    assert_eq!(events[1].place, "e.csv:4");
    // A date column beside a quarter column: each row fills one.
    let events = events_from_csv(
        "date,quarter,label\n2019-05-01,,a\n,2019/20 Q2,b\n",
        "e.csv",
    )
    .unwrap();
    assert_eq!(events[0].day, crate::dates::days_from_civil(2019, 5, 1));
    assert_eq!(events[1].day, crate::dates::days_from_civil(2019, 7, 1));
    for (text, message) in [
        ("", "e.csv: the events file is empty"),
        ("\n\n", "e.csv: the events file is empty"),
        (
            "date,label\n2019-04-01,a\n2019-02-30,b\n",
            "e.csv:3: date \"2019-02-30\" is not a date",
        ),
        (
            "date,label\n,a\n",
            "e.csv:2: give a date (2019-04-01) or a quarter (2019/20 Q1)",
        ),
        (
            "date,label,label\n",
            "e.csv:1: column \"label\" appears twice (columns 2 and 3)",
        ),
        (
            "label,kind\n",
            "e.csv:1: the header has neither a date nor a quarter column",
        ),
    ] {
        let e = events_from_csv(text, "e.csv").unwrap_err().to_string();
        assert!(e.starts_with(message), "{text:?}: {e}");
    }
    let long = format!("date,label\n2019-04-01,a,{}\n", "x".repeat(500));
    let e = events_from_csv(&long, "e.csv").unwrap_err().to_string();
    assert_eq!(e, "e.csv:2: the row has 3 fields, the header 2");
    let many = format!("date,label\n{}", "2019-04-01,a\n".repeat(10_001));
    let e = events_from_csv(&many, "e.csv").unwrap_err().to_string();
    assert!(e.starts_with("e.csv:10002: more than 10000 events"), "{e}");
}
