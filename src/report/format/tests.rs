use super::*;

fn check(actual: String, expected: &str) {
    assert_eq!(actual, expected);
}

#[test]
fn percentages_have_one_decimal() {
    check(percent(0.2728664192949907), "27.3%");
    check(percent(0.19159456755391335), "19.2%");
    check(percent(0.0), "0.0%");
    check(percent(1.0), "100.0%");
    check(percent_range(0.2694, 0.2763), "26.9% to 27.6%");
}

#[test]
fn counts_have_thousands_separators_and_a_true_minus() {
    check(count(12226.515346367098), "12,227");
    check(count(-165.8212830200173), "\u{2212}166");
    check(count(621280.0), "621,280");
    check(count(999.4), "999");
    check(count(-0.2), "0");
    check(signed_count(45.9), "+46");
    check(signed_count(-165.8), "\u{2212}166");
    check(signed_count(0.3), "0");
}

#[test]
fn fixed_decimals() {
    check(fixed(38400.48534572647, 1), "38,400.5");
    check(fixed(1.4435020527123537, 2), "1.44");
    check(fixed(-35.39469074720209, 2), "\u{2212}35.39");
    check(fixed(-0.001, 2), "0.00");
    check(fixed(f64::NAN, 2), "–");
}

#[test]
fn significant_figures() {
    check(significant(0.0020045180960929663, 4), "0.002005");
    check(significant(893.0345429238714, 4), "893.0");
    check(significant(228.34510055275902, 4), "228.3");
    check(significant(12345.6, 4), "12,345.6");
    check(significant(0.0, 4), "0.0");
}

#[test]
fn p_values_below_the_printed_precision() {
    check(p_value(0.0), "< 0.0001");
    check(p_value(0.00009), "< 0.0001");
    check(p_value(0.01234567), "0.01235");
    check(p_value(0.5), "0.5000");
}

#[test]
fn levels_and_ordinals() {
    check(level(0.95), "95%");
    check(level(0.998), "99.8%");
    check(level(0.99), "99%");
    check(ordinal(1), "1st");
    check(ordinal(2), "2nd");
    check(ordinal(3), "3rd");
    check(ordinal(4), "4th");
    check(ordinal(11), "11th");
    check(ordinal(12), "12th");
    check(ordinal(13), "13th");
    check(ordinal(22), "22nd");
    check(ordinal(43), "43rd");
}

#[test]
fn lists_in_words() {
    let names = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    check(and_list(&names(&[])), "");
    check(and_list(&names(&["Cleveland"])), "Cleveland");
    check(and_list(&names(&["A", "B"])), "A and B");
    check(and_list(&names(&["A", "B", "C"])), "A, B and C");
}
