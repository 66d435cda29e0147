use super::*;

const FAMILY_A: &str = "\u{FEFF}Financial Year,Financial Quarter,Force Name,Offence Description,Offence Group,Offence Subgroup,Offence Code,Offence code expired,Outcome Description,Outcome Group,Outcome Type,Force outcomes for offences recorded in quarter,Force outcomes recorded in quarter";
const FAMILY_B: &str = "Financial Year,Financial Quarter,Force Name,Offence Code,Offence Description,Offence Group,Offence Subgroup,Offence code expired,Outcome Type,Outcome Description,Outcome Group,Outcomes for offences that were recorded in the quarter,Outcomes for investigations closed in the quarter";

fn ho(header: &str) -> HoColumns {
    let cells: Vec<&str> = header.split(',').collect();
    match match_header(&cells) {
        Some(HeaderMatch::HomeOffice(columns)) => columns,
        other => panic!("expected a Home Office header, got {other:?}"),
    }
}

#[test]
fn family_a_maps_count_columns_by_whole_name() {
    let columns = ho(FAMILY_A);
    assert_eq!(columns.recorded_in_period, 11);
    assert_eq!(columns.assigned_in_period, 12);
    assert_eq!(columns.offence_code, 6);
    assert_eq!(columns.outcome_type, 10);
    assert!(columns.ignored.is_empty());
}

#[test]
fn family_b_reorders_columns() {
    let columns = ho(FAMILY_B);
    assert_eq!(columns.offence_code, 3);
    assert_eq!(columns.outcome_type, 8);
    assert_eq!(columns.recorded_in_period, 11);
    assert_eq!(columns.assigned_in_period, 12);
}

#[test]
fn number_of_variant_and_odd_spacing() {
    let header = "FINANCIAL  YEAR, financial quarter ,Force Name,Offence Code,Offence Description,Offence Group,Offence Subgroup,Outcome Type,Number of Outcomes for offences that were recorded in the quarter,Number of Outcomes for investigations that were closed in the quarter,Notes";
    let columns = ho(header);
    assert_eq!(columns.recorded_in_period, 8);
    assert_eq!(columns.assigned_in_period, 9);
    assert_eq!(columns.offence_code_expired, None);
    assert_eq!(columns.ignored, ["Notes"]);
}

#[test]
fn missing_columns_are_named() {
    let header = "Financial Year,Financial Quarter,Force Name,Offence Code,Offence Description,Offence Group,Offence Subgroup,Outcome Type,Force outcomes recorded in quarter";
    let cells: Vec<&str> = header.split(',').collect();
    match match_header(&cells) {
        Some(HeaderMatch::MissingColumns(missing)) => {
            assert_eq!(missing.len(), 1);
            assert!(missing[0].starts_with("Force outcomes for offences recorded in quarter"));
        }
        other => panic!("expected missing columns, got {other:?}"),
    }
}

#[test]
fn tidy_header_and_non_headers() {
    let cells = [
        "unit",
        "period",
        "numerator",
        "denominator",
        "offence_group",
    ];
    match match_header(&cells) {
        Some(HeaderMatch::Tidy(t)) => {
            assert_eq!((t.unit, t.period, t.numerator, t.denominator), (0, 1, 2, 3));
            assert_eq!(t.groups, [(4, "offence_group".to_string())]);
        }
        other => panic!("expected tidy header, got {other:?}"),
    }
    assert!(match_header(&["Outcomes open data, year ending March 2019", "", ""]).is_none());
    assert!(match_header(&["2018/19", "1", "Cleveland"]).is_none());
}
