use super::*;

#[test]
fn formulas_are_defused_but_numbers_kept() {
    assert_eq!(spreadsheet_safe("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
    assert_eq!(spreadsheet_safe("@SUM(A1)"), "'@SUM(A1)");
    assert_eq!(spreadsheet_safe("+1+1"), "'+1+1");
    assert_eq!(spreadsheet_safe("-276"), "-276");
    assert_eq!(spreadsheet_safe("Cleveland"), "Cleveland");
    assert_eq!(spreadsheet_safe("+1"), "+1");
    assert_eq!(spreadsheet_safe("-0.5e3"), "-0.5e3");
    for value in ["-inf", "+Infinity", "-NaN", "\t=1", "\r=1", "-1+cmd"] {
        assert_eq!(spreadsheet_safe(value), format!("'{value}"), "{value:?}");
    }
}

#[test]
fn csv_fields_are_quoted_when_needed() {
    assert_eq!(csv_field("London, City of"), "\"London, City of\"");
    assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
    assert_eq!(csv_field("8N"), "8N");
}

#[test]
fn atomic_write_leaves_no_temporary_on_failure() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("out.csv");
    let result = write_atomic(&path, |_| anyhow::bail!("boom"));
    assert!(result.is_err());
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    write_atomic(&path, |w| Ok(w.write_all(b"ok")?)).unwrap();
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "ok");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}
