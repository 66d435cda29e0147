//! Section 2's last part: how sensitive the finding is to the analysis file's choices, from
//! `tables/sensitivity.csv` (the run compared each alternative from the same cells).

use super::*;

/// A row of the sensitivity table, as the report reads it.
struct Alternative<'t> {
    name: &'t str,
    setting: &'t str,
    flag: Option<Flag>,
    same: Option<bool>,
    excess: Option<f64>,
    cells: Vec<String>,
    note: &'t str,
}

fn alternatives<'t>(c: &Input, table: &'t TextTable, force: &str) -> Vec<Alternative<'t>> {
    let text = |r: usize, column: &str| table.text(r, column).unwrap_or("");
    let number = |r: usize, column: &str| table.number(r, column).ok().flatten();
    (0..table.len())
        .filter(|&r| text(r, "force") == force)
        .map(|r| {
            let flag = parse_flag(text(r, "flag"), &c.levels);
            let shown =
                |x: Option<f64>, f: fn(f64) -> String| x.map(f).unwrap_or_else(|| "–".into());
            let rank = match (number(r, "rank"), number(r, "of")) {
                (Some(rank), Some(of)) => format!("{} of {}", count(rank), count(of)),
                _ => "–".into(),
            };
            let same = match text(r, "same_flag_as_run") {
                "true" => Some(true),
                "false" => Some(false),
                _ => None,
            };
            Alternative {
                name: text(r, "alternative"),
                setting: text(r, "setting"),
                flag,
                same,
                excess: number(r, "excess"),
                cells: vec![
                    capitalise(text(r, "setting")),
                    shown(number(r, "numerator"), count),
                    shown(number(r, "denominator"), count),
                    shown(number(r, "rate"), percent),
                    shown(number(r, "target"), percent),
                    if flag.is_some() {
                        c.flag_cell(flag)
                    } else {
                        "–".into()
                    },
                    rank,
                    shown(number(r, "explained_by_offence_mix"), signed_count),
                    shown(number(r, "excess"), signed_count),
                    match same {
                        Some(true) => "yes".into(),
                        Some(false) => "no".into(),
                        None => "–".into(),
                    },
                ],
                note: text(r, "note"),
            }
        })
        .collect()
}

/// One sentence: does the force's position hold under every alternative, and if not, under
/// which it changes; with the range of the excess.
pub(super) fn sensitivity_sentence(c: &Input, force: &str) -> Option<String> {
    let table = c.data.tables.get("sensitivity")?;
    let rows = alternatives(c, table, force);
    let (own, others) = rows.split_first()?;
    if own.name != "as_run" || others.is_empty() {
        return None;
    }
    let position = position_words(c, own.flag?);
    let changed: Vec<String> = others
        .iter()
        .filter(|a| a.same == Some(false))
        .map(|a| {
            format!(
                "with {} it is {}",
                a.setting,
                a.flag.map_or_else(String::new, |f| position_words(c, f))
            )
        })
        .collect();
    let failed: Vec<&str> = others
        .iter()
        .filter(|a| a.same.is_none())
        .map(|a| a.setting)
        .collect();
    let mut text = if changed.is_empty() {
        format!(
            "The finding holds under every alternative the run tried ({}): {force} is {position} under each.",
            count(others.len() as f64 - failed.len() as f64)
        )
    } else {
        format!(
            "The finding depends on the analysis file's choices: {force} is {position} as run, but {}.",
            and_list(&changed)
        )
    };
    let excesses: Vec<(f64, &str)> = rows
        .iter()
        .filter_map(|a| {
            Some((
                a.excess?,
                if a.name == "as_run" {
                    "as run"
                } else {
                    a.setting
                },
            ))
        })
        .collect();
    let low = excesses.iter().min_by(|a, b| a.0.total_cmp(&b.0));
    let high = excesses.iter().max_by(|a, b| a.0.total_cmp(&b.0));
    if let (Some(low), Some(high), Some(own_excess)) = (low, high, own.excess) {
        text.push_str(&format!(
            " The excess over the offence-mix expectation is {} as run and ranges from {} ({}) to {} ({}).",
            signed_count(own_excess),
            signed_count(low.0),
            low.1,
            signed_count(high.0),
            high.1
        ));
    }
    if !failed.is_empty() {
        text.push_str(&format!(
            " {} could not be compared (the table gives why).",
            capitalise(&and_list(
                &failed.iter().map(|s| s.to_string()).collect::<Vec<_>>()
            ))
        ));
    }
    Some(text)
}

/// "above the 95% limit but within the 99.8% limit", "within the limits".
fn position_words(c: &Input, flag: Flag) -> String {
    match flag {
        Flag::Within => "within the limits".to_string(),
        flag => position_at(&c.levels, flag),
    }
}

/// The heading, the sentence per focus force and the table.
pub(super) fn sensitivity_blocks(c: &Input, numbers: &mut Numbers) -> Vec<Block> {
    let Some(table) = c.data.tables.get("sensitivity") else {
        return Vec::new();
    };
    if table.is_empty() || c.focus.is_empty() {
        return Vec::new();
    }
    let mut blocks = vec![
        Block::Heading {
            id: "sensitivity".into(),
            text: "How sensitive is the finding?".into(),
        },
        Block::Paragraph {
            text: format!(
                "The comparison rests on choices the analysis file makes: the basis, the outcome types counted, the denominator, the offence-mix strata, the national set and the overdispersion adjustment. The run compared the same cells again under each reasonable alternative, one at a time; Table {} gives the focus {} under each (tables/sensitivity.csv).",
                numbers.tables + 1,
                if c.focus.len() == 1 { "force" } else { "forces" }
            ),
        },
    ];
    for f in &c.focus {
        if let Some(text) = sensitivity_sentence(c, &f.force) {
            blocks.push(Block::Paragraph { text });
        }
    }
    let mut rows = Vec::new();
    let mut notes = Vec::new();
    for f in &c.focus {
        for a in alternatives(c, table, &f.force) {
            let mut cells = a.cells;
            if c.focus.len() > 1 {
                cells.insert(0, f.force.clone());
            }
            if !a.note.is_empty() {
                notes.push(format!("{}: {}", a.setting, a.note));
            }
            rows.push(Row {
                cells,
                highlight: a.name == "as_run",
            });
        }
    }
    let mut columns = vec![
        text_column("Setting"),
        number_column(&format!("{} (numerator)", capitalise(&c.outcome_phrase))),
        number_column("Outcomes (denominator)"),
        number_column("Rate"),
        number_column("National rate"),
        text_column("Position"),
        number_column("Rank"),
        number_column("Explained by offence mix"),
        number_column("Excess"),
        text_column("Same position as run"),
    ];
    if c.focus.len() > 1 {
        columns.insert(0, text_column("Force"));
    }
    blocks.push(Block::Table(TableBlock {
        print: Vec::new(),
        id: String::new(),
        number: numbers.table(),
        caption: format!(
            "The focus {} as run (first row) and under each alternative, one at a time ({}).",
            if c.focus.len() == 1 {
                "force"
            } else {
                "forces"
            },
            c.scope_suffix()
        ),
        columns,
        rows,
        note: (!notes.is_empty()).then(|| notes.join(" ")),
    }));
    blocks
}
