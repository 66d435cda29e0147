use super::*;

#[test]
fn schema_matches_record_fields() {
    // OutcomeRecord has 11 fields; the period expands to three columns (year, quarter, start).
    let names: Vec<String> = schema().iter_names().map(|n| n.to_string()).collect();
    assert_eq!(
        names,
        [
            col::FINANCIAL_YEAR,
            col::QUARTER,
            col::PERIOD_START,
            col::FORCE,
            col::FORCE_CODE,
            col::OFFENCE_CODE,
            col::OFFENCE_DESCRIPTION,
            col::OFFENCE_GROUP,
            col::OFFENCE_SUBGROUP,
            col::OFFENCE_CODE_EXPIRED,
            col::OUTCOME_TYPE,
            col::BASIS,
            col::COUNT,
        ]
    );
    let record = OutcomeRecord {
        period: Period::new(2018, 1).unwrap(),
        force: "Cleveland".into(),
        force_code: Some("E23000013".into()),
        offence_code: "8N".into(),
        offence_description: "Assault with injury".into(),
        offence_group: "Violence against the person".into(),
        offence_subgroup: "Violence with injury".into(),
        offence_code_expired: false,
        outcome_type: OutcomeType::new(16).unwrap(),
        basis: Basis::AssignedInPeriod,
        count: Some(626),
    };
    // Destructuring fails to compile when a field is added without updating the schema.
    let OutcomeRecord {
        period: _,
        force: _,
        force_code: _,
        offence_code: _,
        offence_description: _,
        offence_group: _,
        offence_subgroup: _,
        offence_code_expired: _,
        outcome_type: _,
        basis: _,
        count: _,
    } = record;
}

#[test]
fn financial_years() {
    assert_eq!(parse_financial_year("2018/19"), Some(2018));
    assert_eq!(parse_financial_year("2019-20"), Some(2019));
    assert_eq!(parse_financial_year("1999/00"), Some(1999));
    assert_eq!(parse_financial_year("2018/2019"), Some(2018));
    assert_eq!(parse_financial_year("2018/20"), None);
    assert_eq!(parse_financial_year("2018"), None);
    assert_eq!(parse_financial_year("abc/de"), None);
}

#[test]
fn quarters() {
    assert_eq!(parse_quarter("1"), Some(1));
    assert_eq!(parse_quarter("Q4"), Some(4));
    assert_eq!(parse_quarter("2.0"), Some(2));
    assert_eq!(parse_quarter("5"), None);
    assert_eq!(parse_quarter("Q0"), None);
}

#[test]
fn period_start_dates() {
    // 2018-04-01 is day 17,622 since 1970-01-01; 2019-01-01 is day 17,897.
    assert_eq!(
        Period::new(2018, 1).unwrap().start_days_since_epoch(),
        17_622
    );
    assert_eq!(
        Period::new(2018, 4).unwrap().start_days_since_epoch(),
        17_897
    );
    assert_eq!(Period::new(2018, 3).unwrap().to_string(), "2018/19 Q3");
    assert_eq!(Period::new(1999, 2).unwrap().financial_year(), "1999/00");
}
