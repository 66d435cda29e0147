use super::*;

fn check(input: &str, expected: &str) {
    assert_eq!(clean(input), expected, "clean({input:?})");
}

#[test]
fn repairs_dash_mojibake_and_whitespace() {
    check("Caution – youths", "Caution – youths");
    check("Caution \u{0096} youths", "Caution – youths");
    check("Caution \u{FFFD} youths", "Caution – youths");
    check("Caution â€“ youths", "Caution – youths");
    check("  Assault  with\tinjury ", "Assault with injury");
    check("Assault\u{00A0}with injury", "Assault with injury");
    check("8N", "8N");
}

#[test]
fn match_keys_ignore_case_dashes_and_bom() {
    assert_eq!(match_key("\u{FEFF}Financial Year"), "financial year");
    assert_eq!(match_key("Caution – Youths"), match_key("caution - youths"));
    assert_eq!(match_key("Drug Offences"), match_key("Drug offences"));
}

#[test]
fn long_values_are_cut_for_messages() {
    assert_eq!(quote_for_message("Clevland"), "\"Clevland\"");
    let sixty = "é".repeat(60);
    assert_eq!(quote_for_message(&sixty), format!("{sixty:?}"));
    let long = format!("{sixty}x");
    assert_eq!(
        quote_for_message(&long),
        format!("{sixty:?}… ({} bytes)", long.len())
    );
}
