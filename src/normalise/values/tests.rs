use super::*;

fn check(input: &str, expected: Count) {
    assert_eq!(parse_count(input), expected, "parse_count({input:?})");
}

#[test]
fn counts() {
    check("151", Count::Value(151));
    check("0", Count::Value(0));
    check("-276", Count::Value(-276));
    check("151.0", Count::Value(151));
    check("1,234", Count::Value(1234));
    check(" 12 ", Count::Value(12));
    check("NA", Count::Missing("NA"));
    check(
        "N/A - offence code expired",
        Count::Missing("N/A - offence code expired"),
    );
    check(
        "N/A \u{2013} offence code expired",
        Count::Missing("N/A - offence code expired"),
    );
    check("..", Count::Missing(".."));
    check("[c]", Count::Missing("[c]"));
    check("", Count::Missing(EMPTY_TOKEN));
}

#[test]
fn invalid_counts_say_why() {
    let reason = |s: &str| match parse_count(s) {
        Count::Invalid(r) => r,
        other => panic!("{s:?} parsed as {other:?}"),
    };
    assert_eq!(reason("151.5"), "count \"151.5\" is not a whole number");
    assert_eq!(
        reason("99999999999999999999"),
        "count \"99999999999999999999\" is too large (the largest accepted is 999999999)"
    );
    assert!(reason("abc").contains("not a number"));
    assert!(reason("1,23").contains("not a number"));
    assert!(reason("=HYPERLINK(\"x\")").contains("not a number"));
}

#[test]
fn expired_and_outcome_type() {
    assert_eq!(parse_expired(""), Some(false));
    assert_eq!(parse_expired("x"), Some(true));
    assert_eq!(parse_expired("yes"), None);
    assert_eq!(parse_outcome_type("16"), Some(16));
    assert_eq!(parse_outcome_type("16.0"), Some(16));
    assert_eq!(parse_outcome_type("23"), None);
    assert_eq!(parse_outcome_type("1a"), None);
}

/// Counts are bounded so that no sum of them can overflow (issue #8: two counts of
/// 9223372036854775807 panicked the run's group sums in a debug build and wrapped in release).
// See: #8
#[test]
fn issue_8_counts_beyond_max_count_are_too_large() {
    check("999999999", Count::Value(MAX_COUNT));
    check("-999999999", Count::Value(-MAX_COUNT));
    check("999,999,999", Count::Value(MAX_COUNT));
    check("999999999.0", Count::Value(MAX_COUNT));
    check("0000000000151", Count::Value(151));
    for text in [
        "1000000000",
        "-1000000000",
        "9223372036854775807",
        "1,000,000,000",
        "1000000000.0",
        "1e20",
    ] {
        match parse_count(text) {
            Count::Invalid(reason) => assert!(
                reason.contains("is too large (the largest accepted is 999999999)"),
                "{text}: {reason}"
            ),
            other => panic!("{text:?} parsed as {other:?}"),
        }
    }
}

#[test]
fn long_values_are_cut_in_messages() {
    let long = "9".repeat(1 << 20);
    let Count::Invalid(reason) = parse_count(&long) else {
        panic!("a million nines parsed");
    };
    assert!(reason.len() < 200, "{}", &reason[..200]);
    assert!(
        reason.ends_with("… (1048576 bytes) is too large (the largest accepted is 999999999)"),
        "{reason}"
    );
}
