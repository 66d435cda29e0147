use super::*;
use crate::config::{Config, Overrides};
use std::path::Path;

const HEADER: &str = "Ref,Recorded,Closed,Code,Outcome,DA,Area,Victim,Team\n";

fn config(extra: &str) -> ExtractConfig {
    let text = format!(
        "inputs = [\"x.csv\"]\n[outputs]\nfolder = \"out\"\n[extract]\nfile = \"extract.csv\"\n{extra}\n[extract.columns]\ncrime_reference = \"Ref\"\nrecorded_date = \"Recorded\"\noutcome_date = \"Closed\"\noffence_code = \"Code\"\noutcome = \"Outcome\"\ndomestic_abuse = \"DA\"\narea = \"Area\"\nvictim_reference = \"Victim\"\nunit = \"Team\"\n[extract.outcome_labels]\n\"NSI victim does not support\" = 16\n[extract.flag_values]\nyes = [\"DA\"]\nno = [\"Not DA\"]\n"
    );
    Config::from_toml(Path::new("dir/a.toml"), &text, &Overrides::default())
        .expect("config")
        .extract
        .expect("extract section")
}

fn read(text: &str) -> Result<Extract, ExtractError> {
    read_from(&config(""), text.as_bytes(), &ProgressBar::hidden())
}

fn read_ok(text: &str) -> Extract {
    read(text).unwrap_or_else(|e| panic!("{e}"))
}

fn error(text: &str) -> String {
    read(text).expect_err("an error").to_string()
}

/// The crime with a reference, by its position.
fn crime<'e>(extract: &'e Extract, reference: &str) -> &'e Crime {
    let index = (0..extract.crimes.len())
        .find(|&i| extract.reference(i) == reference)
        .expect("reference");
    &extract.crimes[index]
}

#[test]
fn reduces_to_the_latest_outcome_and_counts_the_reduction() {
    let text = format!(
        "{HEADER}\
A1,01/04/2019,2019-04-10,8N,15,Y,North,V1,CID\n\
A1,01/04/2019,2019-05-01,8N,16,Y,North,V1,CID\n\
B2,02/04/2019,2019-06-01,105A,16,Y,North,V2,CID\n\
B2,02/04/2019,2019-05-01,105A,1,Y,North,V2,CID\n\
C3,03/04/2019,,8L,,N,South,,\n\
C3,03/04/2019,2019-04-20,8L,18,N,South,,\n\
D4,04/04/2019,2019-04-05,8N,16,Y,South,V1,\n\
D4,04/04/2019,2019-04-05,8N,16,Y,South,V1,\n\
E5,05/04/2019,2019-04-06,8N,14,N,South,V3,CID\n\
E5,05/04/2019,2019-04-06,8N,21,Y,East,V3,CID\n\
F6,06/04/2019,,8N,,Y,East,V4,CID\n"
    );
    let extract = read_ok(&text);
    let a = &extract.account;
    assert_eq!(
        (a.rows_read, a.rows_loaded, a.rows_quarantined),
        (11, 11, 0)
    );
    assert_eq!(a.crimes, 6);
    assert_eq!(a.duplicate_rows_reduced, 5);
    assert_eq!(a.crimes_with_several_rows, 5);
    assert_eq!(
        a.duplicates_with_conflicting_fields, 1,
        "E5 changes flag and area"
    );
    assert_eq!(a.crimes_without_outcome, 1, "F6 only");
    assert_eq!(crime(&extract, "A1").outcome, 16, "the later date wins");
    assert_eq!(
        crime(&extract, "B2").outcome,
        16,
        "the later date wins, wherever it is"
    );
    assert_eq!(
        crime(&extract, "C3").outcome,
        18,
        "an outcome beats no outcome"
    );
    assert_eq!(crime(&extract, "D4").outcome, 16);
    let e5 = crime(&extract, "E5");
    assert_eq!(e5.outcome, 21, "equal dates: the later row wins");
    assert!(e5.domestic_abuse);
    assert_eq!(Extract::name(&extract.areas, e5.area), "East");
    assert_eq!(extract.n_victims(), 4);
    assert_eq!(extract.victim_reference(crime(&extract, "D4").victim), "V1");
    assert_eq!(crime(&extract, "C3").unit, NONE);
}

#[test]
fn incomplete_rows_are_quarantined_with_their_reason() {
    let text = format!(
        "{HEADER}\
,01/04/2019,2019-04-10,8N,16,Y,North,V1,CID\n\
A1,,2019-04-10,8N,16,Y,North,V1,CID\n\
A2,01/04/2019,,8N,16,Y,North,V1,CID\n\
A3,10/04/2019,2019-04-01,8N,16,Y,North,V1,CID\n\
A4,01/04/2019,2019-04-10,8N,16,Y,,V1,CID\n\
A5,01/04/2019,2019-04-10,,16,Y,North,V1,CID\n\
A6,01/04/2019,2019-04-10,8N,16,Y,North\n\
\n\
A7,01/04/2019 15:00,2019-04-01,8N,16,Y,North,V1,CID\n"
    );
    let extract = read_ok(&text);
    let a = &extract.account;
    assert_eq!(
        (a.rows_read, a.rows_loaded, a.rows_quarantined, a.blank_rows),
        (8, 1, 7, 1)
    );
    let reasons: Vec<(u64, &str)> = extract
        .quarantine
        .iter()
        .map(|q| (q.line, q.reason.as_str()))
        .collect();
    assert_eq!(
        reasons,
        [
            (2, "no crime reference"),
            (3, "no recorded date"),
            (4, "no outcome date: outcome 16 has no date"),
            (
                5,
                "outcome date before recorded date: 2019-04-01 is before 10/04/2019"
            ),
            (6, "no area"),
            (7, "no offence code"),
            (8, "wrong number of fields: 7 fields, the header has 9"),
        ]
    );
    assert_eq!(a.quarantine_reasons["no area"], 1);
    assert_eq!(extract.quarantine[0].file, "extract.csv");
    // A7: closed on the day it was recorded, with no time on the outcome date.
    assert_eq!(crime(&extract, "A7").outcome, 16);
}

#[test]
fn bad_values_stop_with_file_line_column_and_value() {
    let row = |outcome: &str, da: &str, recorded: &str, closed: &str| {
        format!("{HEADER}A1,01/04/2019,2019-04-10,8N,16,Y,North,V1,CID\nA2,{recorded},{closed},8N,{outcome},{da},North,V1,CID\n")
    };
    let cases = [
        (
            row("Victim withdrew", "Y", "01/04/2019", "2019-04-10"),
            "dir/extract.csv:3: column \"Outcome\": unknown outcome \"Victim withdrew\"",
        ),
        (
            row("23", "Y", "01/04/2019", "2019-04-10"),
            "dir/extract.csv:3: column \"Outcome\": unknown outcome \"23\"",
        ),
        (
            row("16", "maybe", "01/04/2019", "2019-04-10"),
            "dir/extract.csv:3: column \"DA\": \"maybe\" is not a domestic-abuse flag",
        ),
        (
            row("16", "", "01/04/2019", "2019-04-10"),
            "dir/extract.csv:3: column \"DA\": \"\" is not a domestic-abuse flag",
        ),
        (
            row("16", "Y", "31/02/2019", "2019-04-10"),
            "dir/extract.csv:3: column \"Recorded\": \"31/02/2019\" is not a date",
        ),
        (
            row("16", "Y", "01/04/2019", "10th April"),
            "dir/extract.csv:3: column \"Closed\": \"10th April\" is not a date",
        ),
    ];
    for (text, expected) in cases {
        let message = error(&text);
        assert!(message.starts_with(expected), "{message}");
    }
    let message = error("Ref,Recorded,Outcome,DA,Area\nA1,01/04/2019,16,Y,North\n");
    assert!(
        message.starts_with("dir/extract.csv:1: column \"Closed\" (extract.columns.outcome_date) is not in the header; the header has: Ref, Recorded, Outcome, DA, Area"),
        "{message}"
    );
    let message = error(&format!(
        "{HEADER}A1,01/04/2019,2019-04-10,8N,16,Y,\"North,V1,CID\n"
    ));
    assert!(
        message.starts_with("dir/extract.csv:2: a quoted field is not closed"),
        "{message}"
    );
    assert_eq!(error(""), "dir/extract.csv: the file is empty");
}

#[test]
fn outcomes_flags_and_offences_in_their_accepted_forms() {
    let text = format!(
        "\u{FEFF}{HEADER}\
A1,2019-04-01,2019-04-10,8n,NSI Victim  Does Not Support,DA,North,V1,CID\r\n\
A2,2019-04-01,2019-04-10,8N,Evidential difficulties: suspect identified; victim does not support further action,yes,North,V1,CID\r\n\
A3,2019-04-01,2019-04-10,8N,Investigation complete \u{2013} no suspect identified,Not DA,North,V1,CID\r\n\
A4,2019-04-01,2019-04-10,8N,Investigation complete - no suspect identified,FALSE,North,V1,CID\r\n\
A5,2019-04-01,2019-04-10,8N,16,1,North,V1,CID\r\n\
A6,2019-04-01,,8N,0,n,North,V1,CID\r\n"
    );
    let extract = read_ok(&text);
    let outcomes: Vec<u8> = extract.crimes.iter().map(|c| c.outcome).collect();
    assert_eq!(outcomes, [16, 16, 18, 18, 16, 0]);
    let flags: Vec<bool> = extract.crimes.iter().map(|c| c.domestic_abuse).collect();
    assert_eq!(flags, [true, true, false, false, true, false]);
    assert_eq!(extract.offences, ["8N"]);
    assert_eq!(extract.account.header_line, 1);
}

#[test]
fn offence_descriptions_map_to_codes() {
    let text = "inputs = [\"x.csv\"]\n[outputs]\nfolder = \"out\"\n[extract]\nfile = \"e.csv\"\n[extract.columns]\ncrime_reference = \"Ref\"\nrecorded_date = \"Recorded\"\noutcome_date = \"Closed\"\noffence_description = \"Offence\"\noutcome = \"Outcome\"\ndomestic_abuse = \"DA\"\narea = \"Area\"\n[extract.offence_codes]\n\"Common assault\" = \"105a\"\n";
    let config = Config::from_toml(Path::new("a.toml"), text, &Overrides::default())
        .unwrap()
        .extract
        .unwrap();
    let csv = "Ref,Recorded,Closed,Offence,Outcome,DA,Area\nA1,01/04/2019,2019-04-02,COMMON ASSAULT,16,Y,North\nA2,01/04/2019,2019-04-02,Affray,16,Y,North\n";
    let message = read_from(&config, csv.as_bytes(), &ProgressBar::hidden())
        .unwrap_err()
        .to_string();
    assert_eq!(
        message,
        "e.csv:3: column \"Offence\": offence \"Affray\" has no Home Office code in [extract.offence_codes]"
    );
    let extract = read_from(
        &config,
        &csv.as_bytes()[..csv.find("A2").unwrap()],
        &ProgressBar::hidden(),
    )
    .unwrap();
    assert_eq!(extract.offences, ["105A"]);
}

/// Quoted fields with commas and line breaks come out the same whatever the chunk size, so a
/// record that straddles two chunks is carried whole; line numbers stay right.
#[test]
fn chunk_boundaries_do_not_change_anything() {
    let mut text = String::from(HEADER);
    for i in 0..60 {
        text.push_str(&format!(
            "R{i},0{}/04/2019 10:00,2019-05-01,8N,16,Y,\"Area, {}\",\"V{}\nsecond line\",\"Team \"\"{}\"\"\"\n",
            1 + i % 9,
            i % 4,
            i % 7,
            i % 3
        ));
    }
    text.push_str("R99,01/04/2019,2019-05-01,8N,bogus,Y,North,V1,CID\n");
    let whole = read_in_chunks(
        &config(""),
        text.as_bytes(),
        &ProgressBar::hidden(),
        1 << 20,
        None,
    );
    let expected = whole.unwrap_err().to_string();
    // 60 records of two lines each after the header: R99 starts on line 122.
    assert!(expected.starts_with("dir/extract.csv:122:"), "{expected}");
    let good = &text[..text.find("R99").unwrap()];
    let reference = read_in_chunks(
        &config(""),
        good.as_bytes(),
        &ProgressBar::hidden(),
        1 << 20,
        None,
    )
    .unwrap();
    assert_eq!(reference.crimes.len(), 60);
    assert_eq!(reference.areas.len(), 4);
    assert_eq!(reference.units, ["Team \"0\"", "Team \"1\"", "Team \"2\""]);
    for chunk in [3, 17, 64, 1000] {
        let extract = read_in_chunks(
            &config(""),
            good.as_bytes(),
            &ProgressBar::hidden(),
            chunk,
            Some(good.len() as u64),
        )
        .unwrap();
        assert_eq!(extract.crimes, reference.crimes, "chunk {chunk}");
        assert_eq!(extract.account, reference.account, "chunk {chunk}");
        let message = read_in_chunks(
            &config(""),
            text.as_bytes(),
            &ProgressBar::hidden(),
            chunk,
            None,
        )
        .unwrap_err()
        .to_string();
        assert_eq!(message, expected, "chunk {chunk}");
    }
}

#[test]
fn gzip_and_parquet_read_like_csv() {
    use std::io::Write;
    let text = format!(
        "{HEADER}A1,01/04/2019,2019-04-10,8N,16,Y,North,V1,CID\nA1,01/04/2019,2019-04-02,8N,15,Y,North,V1,CID\nB1,02/04/2019 10:30,,105A,,N,South,,\n"
    );
    let plain = read_ok(&text);
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder.write_all(text.as_bytes()).unwrap();
    let gz = encoder.finish().unwrap();
    let zipped = read_from(&config(""), gz.as_slice(), &ProgressBar::hidden()).unwrap();
    assert_eq!(zipped.crimes, plain.crimes);
    assert_eq!(zipped.account.format, "csv.gz");
    assert_eq!(zipped.account.duplicate_rows_reduced, 1);

    let text_column = |name: &str, values: &[Option<&str>]| Column::new(name.into(), values);
    let mut df = DataFrame::new(
        3,
        vec![
            text_column("Ref", &[Some("A1"), Some("A1"), Some("B1")]),
            text_column(
                "Recorded",
                &[
                    Some("2019-04-01"),
                    Some("2019-04-01"),
                    Some("2019-04-02 10:30:00"),
                ],
            ),
            text_column("Closed", &[Some("2019-04-10"), Some("2019-04-02"), None]),
            text_column("Code", &[Some("8N"), Some("8N"), Some("105A")]),
            Column::new("Outcome".into(), &[Some(16i64), Some(15), None]),
            Column::new("DA".into(), &[true, true, false]),
            text_column("Area", &[Some("North"), Some("North"), Some("South")]),
            text_column("Victim", &[Some("V1"), Some("V1"), None]),
            text_column("Team", &[Some("CID"), Some("CID"), None]),
            text_column("Ignored", &[Some("x"), Some("y"), Some("z")]),
        ],
    )
    .unwrap();
    let mut bytes = Vec::new();
    ParquetWriter::new(&mut bytes).finish(&mut df).unwrap();
    let parquet = read_from(&config(""), bytes.as_slice(), &ProgressBar::hidden()).unwrap();
    assert_eq!(parquet.crimes, plain.crimes);
    assert_eq!(parquet.account.format, "parquet");
    assert_eq!(
        (
            parquet.account.rows_read,
            parquet.account.duplicate_rows_reduced
        ),
        (3, 1)
    );
}

#[test]
fn sha256_is_of_the_bytes_as_given() {
    let text = format!("{HEADER}A1,01/04/2019,2019-04-10,8N,16,Y,North,V1,CID\n");
    let extract = read_ok(&text);
    assert_eq!(extract.sha256, crate::output::sha256_hex(text.as_bytes()));
}

#[test]
fn string_index_survives_hash_collisions() {
    let mut index = StrIndex::default();
    let (a, new_a) = index.insert("CR1");
    // Force a collision: point another key's hash at an existing entry.
    let hash = FxBuildHasher.hash_one("CR2");
    index.by_hash.insert(hash, a);
    let (b, new_b) = index.insert("CR2");
    let (b_again, new_again) = index.insert("CR2");
    assert!(new_a && new_b && !new_again);
    assert_ne!(a, b);
    assert_eq!(b, b_again);
    assert_eq!(index.get(b as usize), "CR2");
    assert_eq!(index.insert("CR1"), (a, false));
}
