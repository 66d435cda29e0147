use super::*;

fn check(text: &str, expected: Option<&str>) {
    let parsed = parse(text).map(format_date_time);
    assert_eq!(parsed.as_deref(), expected, "{text:?}");
}

#[test]
fn accepted_forms() {
    check("2019-04-01", Some("2019-04-01 00:00"));
    check("2019/04/01", Some("2019-04-01 00:00"));
    check("01/04/2019", Some("2019-04-01 00:00"));
    check("1/4/2019", Some("2019-04-01 00:00"));
    check("01-04-2019", Some("2019-04-01 00:00"));
    check("01.04.2019", Some("2019-04-01 00:00"));
    check("2019-04-01 14:05", Some("2019-04-01 14:05"));
    check("2019-04-01T14:05:59", Some("2019-04-01 14:05"));
    check("2019-04-01T14:05:59.123Z", Some("2019-04-01 14:05"));
    check("2019-04-01T14:05:59+01:00", Some("2019-04-01 14:05"));
    check("2019-04-01 14:05:00.000000000", Some("2019-04-01 14:05"));
    check("01/04/2019 09:30", Some("2019-04-01 09:30"));
    check("  01/04/2019 9:30:10 ", Some("2019-04-01 09:30"));
    check("29/02/2020", Some("2020-02-29 00:00"));
}

#[test]
fn rejected_forms() {
    for text in [
        "",
        "2019",
        "2019-13-01",
        "2019-02-29",
        "31/04/2019",
        "04/13/2019",
        "01/04/19",
        "2019-04-01 24:00",
        "2019-04-01 10:60",
        "2019-04-01x",
        "2019-04-01 10:00 AM",
        "1st April 2019",
        "2019-04/01",
        "43556",
    ] {
        assert_eq!(parse(text), None, "{text:?}");
    }
}

#[test]
fn civil_round_trip_and_known_days() {
    assert_eq!(days_from_civil(1970, 1, 1), 0);
    assert_eq!(days_from_civil(2000, 3, 1), 11_017);
    assert_eq!(civil_from_days(-1), (1969, 12, 31));
    for days in (-800_000..800_000).step_by(997) {
        let (y, m, d) = civil_from_days(days);
        assert_eq!(days_from_civil(y, m, d), days);
    }
}

#[test]
fn months() {
    let t = parse("2019-03-31 23:59").unwrap();
    let u = parse("2019-04-01").unwrap();
    assert_eq!(month_index(u) - month_index(t), 1);
    assert_eq!(month_label(month_index(t)), "2019-03");
    assert_eq!(month_start(month_index(u)), "2019-04-01");
    assert_eq!(format_british(t), "31/03/2019 23:59");
}
