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

/// The canonical schema holds text as `String` or as dictionaries; anything else, or another
/// order, does not conform.
#[test]
fn conforms_accepts_plain_and_dictionary_text() {
    assert!(conforms(&schema()));
    let mut dictionary = schema();
    let force = enum_column(col::FORCE, &["Cleveland", "Durham"], vec![1, 0, 1]).unwrap();
    dictionary.set_dtype(col::FORCE, force.dtype().clone());
    assert!(conforms(&dictionary));
    let mut numeric_force = schema();
    numeric_force.set_dtype(col::FORCE, DataType::Int64);
    assert!(!conforms(&numeric_force));
    let mut categorical_count = schema();
    categorical_count.set_dtype(col::COUNT, force.dtype().clone());
    assert!(!conforms(&categorical_count), "count is not a text column");
    let mut fields: Vec<Field> = schema().iter_fields().collect();
    fields.reverse();
    let mut reordered: Schema = fields.into_iter().collect();
    assert!(!conforms(&reordered));
    reordered.remove(col::COUNT);
    assert!(!conforms(&reordered));
}

/// Dictionary columns hold `values[id]`, nulls where asked, and turn back into the same text.
#[test]
fn enum_columns_hold_their_values() {
    let force = enum_column(col::FORCE, &["Cleveland", "Durham"], vec![1, 0, 1]).unwrap();
    let code = enum_column_nullable(
        col::FORCE_CODE,
        &["E23000013"],
        vec![Some(0), None, Some(0)],
    )
    .unwrap();
    let df = DataFrame::new(3, vec![force, code]).unwrap();
    let text = as_text(&df).unwrap();
    let forces: Vec<Option<&str>> = text
        .column(col::FORCE)
        .unwrap()
        .str()
        .unwrap()
        .iter()
        .collect();
    assert_eq!(forces, [Some("Durham"), Some("Cleveland"), Some("Durham")]);
    let codes: Vec<Option<&str>> = text
        .column(col::FORCE_CODE)
        .unwrap()
        .str()
        .unwrap()
        .iter()
        .collect();
    assert_eq!(codes, [Some("E23000013"), None, Some("E23000013")]);
    // Categories must be distinct, and an id must name one.
    assert!(enum_column(col::FORCE, &["Cleveland", "Cleveland"], vec![0]).is_err());
    assert!(enum_column(col::FORCE, &["Cleveland"], vec![0, 1]).is_err());
    // Three hundred categories need sixteen-bit ids.
    let many: Vec<String> = (0..300).map(|i| format!("code {i}")).collect();
    let many: Vec<&str> = many.iter().map(String::as_str).collect();
    let codes = enum_column(col::OFFENCE_CODE, &many, vec![299, 0]).unwrap();
    let codes = codes.cast(&DataType::String).unwrap();
    assert_eq!(codes.str().unwrap().get(0), Some("code 299"));
}
