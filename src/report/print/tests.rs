use super::*;

fn table(columns: &[(&str, bool)], rows: &[Vec<&str>]) -> TableBlock {
    TableBlock {
        print: Vec::new(),
        id: "table-7".into(),
        number: "7".into(),
        caption: "Table 7. A table.".into(),
        columns: columns
            .iter()
            .map(|&(name, numeric)| Column {
                name: name.into(),
                numeric,
            })
            .collect(),
        rows: rows
            .iter()
            .map(|cells| Row {
                cells: cells.iter().map(|c| c.to_string()).collect(),
                highlight: false,
            })
            .collect(),
        note: None,
    }
}

/// A table of `rows` rows: an area name, a code and `numbers` numeric columns of 12
/// characters each ("12,345 to 67").
fn wide(rows: usize, numbers: usize) -> TableBlock {
    let names: Vec<String> = (0..numbers).map(|k| format!("Measure {k}")).collect();
    let mut columns = vec![("Area", false), ("Code", false)];
    columns.extend(names.iter().map(|n| (n.as_str(), true)));
    let cells: Vec<Vec<String>> = (0..rows)
        .map(|r| {
            let mut row = vec![format!("Neighbourhood {r}"), format!("C{r}")];
            row.extend((0..numbers).map(|k| format!("{:>2},345 to {k:02}", r + 10)));
            row
        })
        .collect();
    let borrowed: Vec<Vec<&str>> = cells
        .iter()
        .map(|r| r.iter().map(String::as_str).collect())
        .collect();
    table(&columns, &borrowed)
}

#[test]
fn a_table_that_fits_prints_as_it_is() {
    let t = table(
        &[("Force", false), ("Outcomes", true), ("Rate", true)],
        &[
            vec!["Cleveland", "16,168", "57.3%"],
            vec!["Durham", "9,012", "40.1%"],
        ],
    );
    assert!(layout(&t).is_empty());
}

#[test]
fn a_wide_table_splits_into_groups_that_each_fit_and_repeat_the_key_columns() {
    let t = wide(8, 12);
    let parts = layout(&t);
    assert!(parts.len() >= 2, "{} parts", parts.len());
    let mut seen = Vec::new();
    for (k, part) in parts.iter().enumerate() {
        assert_eq!(part.columns[0].name, "Area");
        assert_eq!(part.columns[1].name, "Code");
        let w: f64 = widths(&part.columns, &part.rows).iter().sum();
        assert!(w <= WIDTH, "part {k} is {w} characters wide");
        assert_eq!(part.rows.len(), 8);
        for (row, original) in part.rows.iter().zip(&t.rows) {
            assert_eq!(row.cells.len(), part.columns.len());
            assert_eq!(row.cells[0], original.cells[0]);
        }
        for (i, column) in part.columns.iter().enumerate().skip(2) {
            let j = t
                .columns
                .iter()
                .position(|c| c.name == column.name)
                .unwrap();
            seen.push(j);
            for (row, original) in part.rows.iter().zip(&t.rows) {
                assert_eq!(row.cells[i], original.cells[j], "cell moved");
            }
        }
        if k == 0 {
            assert_eq!(part.label, "");
        } else {
            assert!(
                part.label.starts_with("Table 7, continued: columns ")
                    && part.label.ends_with(" of 14."),
                "{}",
                part.label
            );
        }
    }
    assert_eq!(
        seen,
        (2..14).collect::<Vec<_>>(),
        "every column once, in order"
    );
}

#[test]
fn a_short_wide_table_is_printed_on_its_side() {
    let t = wide(2, 12);
    let parts = layout(&t);
    assert_eq!(parts.len(), 1);
    let part = &parts[0];
    let names: Vec<&str> = part.columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["Area", "Neighbourhood 0", "Neighbourhood 1"]);
    assert_eq!(part.rows.len(), 13, "one row per column after the first");
    assert_eq!(part.rows[0].cells, ["Code", "C0", "C1"]);
    assert_eq!(
        part.rows[12].cells,
        ["Measure 11", "10,345 to 11", "11,345 to 11"]
    );
}

#[test]
fn numbers_need_their_whole_length_and_text_its_longest_word() {
    let close = |a: f64, b: f64| (a - b).abs() < 1e-12;
    assert!(close(cell_width("12,345 to 67", true), 12.0 + PADDING));
    assert!(close(
        cell_width("Criminal damage to a building other than a dwelling", false),
        TEXT_ROOM as f64 + PADDING
    ));
    assert!(close(cell_width("neighbourhoods", false), 14.0 + PADDING));
    assert!(close(cell_width("a b", false), 3.0 + PADDING));
}
