//! Section 6: within the force, from its record-level extract.

use super::*;

pub(super) fn within_section(c: &Input, numbers: &mut Numbers) -> Option<Section> {
    let extracts: Vec<(&String, &TextTable)> = c
        .data
        .tables
        .iter()
        .filter(|(name, _)| name.starts_with("extract_"))
        .filter(|(name, _)| !WHY_TABLES.contains(&name.as_str()))
        .collect();
    if extracts.is_empty() {
        return None;
    }
    let mut blocks = vec![Block::Paragraph {
        text: "These tables and charts come from a force's own record-level data, not from the Home Office tables: they break the force's figures down by area, investigating unit, offence, month and victim.".into(),
    }];
    let extract = c.extract;
    if let Some(extract) = extract {
        blocks.extend(c.scope_differs(&extract.scope_label));
        blocks.extend(extract_summary(c, extract));
        blocks.extend(reconciliation_blocks(c, extract, numbers));
    }
    let (grids, printed): (Vec<_>, Vec<_>) = extracts
        .into_iter()
        .partition(|(name, _)| name.ends_with("_funnel_limits"));
    for (name, table) in printed {
        // A table's chart comes just before it.
        if let Some(extract) = extract {
            blocks.extend(within_figure(c, numbers, name, extract));
        }
        // What the table shows, in words, for the tables that have no chart to say it.
        let next_table = numbers.tables + 1;
        let words = match name.as_str() {
            "extract_da_vs_other" => da_vs_other_words(c, table, next_table),
            "extract_repeat_victims" => repeat_victims_words(c, table, next_table),
            "extract_time_to_closure" => closure_time_words(c, table, next_table),
            _ => None,
        };
        blocks.extend(words.map(|text| Block::Paragraph { text }));
        blocks.extend(generic_table(c, numbers, name, table));
    }
    if !grids.is_empty() {
        let files: Vec<String> = grids
            .iter()
            .map(|(name, _)| format!("tables/{name}.csv"))
            .collect();
        blocks.push(Block::Paragraph {
            text: format!(
                "The funnel limits along a grid of denominators, which a chart draws, are not printed: {}.",
                and_list(&files)
            ),
        });
    }
    Some(Section {
        period: c.extract_window(),
        id: "within-force".into(),
        number: String::new(),
        scope: c
            .extract
            .map(|e| format!("{} (the force's record-level extract)", e.scope_label))
            .unwrap_or_else(|| "the force's record-level extract".to_string()),
        title: "Within-force breakdown".into(),
        blocks: number_tables(blocks),
    })
}

/// The chart that goes with a record-level table, when the run has one: the funnel by area
/// before `extract_by_area`, by investigating unit before `extract_by_unit`, and the monthly
/// control chart before `extract_by_month`.
pub(super) fn within_figure(
    c: &Input,
    numbers: &mut Numbers,
    table: &str,
    e: &ExtractSummary,
) -> Option<Block> {
    let scope = &e.scope_label;
    let source = &e.source;
    let next_table = numbers.tables + 1;
    let (funnel, stem, noun, many) = match table {
        "extract_by_area" => (Some(&e.area_funnel), "extract-funnel-area", "area", "areas"),
        "extract_by_unit" => (
            e.unit_funnel.as_ref(),
            "extract-funnel-unit",
            "investigating unit",
            "investigating units",
        ),
        "extract_by_month" => {
            let months = &e.months;
            let centre = months.centre?;
            let month = |m: &Option<String>| month_phrase(m.as_deref().unwrap_or_default());
            let (first, last) = (month(&months.first), month(&months.last));
            let hits: Vec<String> = months.rule_hits.iter().map(|m| month_phrase(m)).collect();
            let hits = if hits.is_empty() {
                "No month breaks an SPC rule, so the month-to-month changes are within the variation the chart expects.".to_string()
            } else {
                format!(
                    "Months that break an SPC rule are marked: {}.",
                    and_list(&hits)
                )
            };
            return Some(c.figure(
                numbers,
                "extract-spc-month",
                format!(
                    "Laney p′ control chart of the monthly rate of {} in the record-level extract ({scope}, {source}).",
                    c.outcome_phrase
                ),
                |n| {
                    format!(
                        "Figure {n} shows the monthly rate of {scope} closed with {} from {first} to {last}, with the chart's centre line at {}{} and its 2-sigma and 3-sigma limits. {hits} Table {next_table} gives the numbers.",
                        c.outcome_phrase,
                        percent(centre),
                        match c.monitor.and_then(|m| m.baseline.as_ref()) {
                            Some([from, to]) => format!(" (the rate over the months of the baseline, {from} to {to}, that the extract holds)"),
                            None => String::new(),
                        }
                    )
                },
            ));
        }
        _ => return None,
    };
    let funnel = funnel?.stats()?;
    let target = funnel.target?;
    let levels = levels_of(&funnel.levels).unwrap_or(c.levels);
    let (inner, outer) = (
        level(levels.inner().confidence()),
        level(levels.outer().confidence()),
    );
    let mut flagged = Vec::new();
    for (name, units) in &funnel.flagged {
        let Some(flag) = parse_flag(name, &levels) else {
            continue;
        };
        if !units.is_empty() {
            let verb = if units.len() == 1 { "is" } else { "are" };
            flagged.push(format!(
                "{} {verb} {}",
                and_list(units),
                position_at(&levels, flag)
            ));
        }
    }
    let positions = if flagged.is_empty() {
        format!("Every {noun} is {}.", position_at(&levels, Flag::Within))
    } else {
        format!(
            "{}; every other {noun} is within the limits.",
            capitalise(&flagged.join("; "))
        )
    };
    Some(c.figure(
        numbers,
        stem,
        format!(
            "Funnel plot within the force: each {noun}'s rate of {} against its number of outcomes, with the force's own rate and the {inner} and {outer} limits ({scope}, {source}).",
            c.outcome_phrase
        ),
        |n| {
            format!(
                "Figure {n} shows each {noun} as a point at its number of crimes with an outcome (horizontal axis) and its rate (vertical axis), with the force's own rate of {} as a line and the {inner} and {outer} limits, adjusted for overdispersion between the {many}, as a funnel around it. {positions} Table {next_table} gives the numbers.",
                percent(target)
            )
        },
    ))
}

/// A flag in words at `levels`, as [`Input::position`] says it at the national levels.
pub(super) fn position_at(levels: &FlagLevels, flag: Flag) -> String {
    let inner = level(levels.inner().confidence());
    let outer = level(levels.outer().confidence());
    match flag {
        Flag::HighOuter => format!("above the {outer} limit"),
        Flag::HighInner => format!("above the {inner} limit but within the {outer} limit"),
        Flag::Within => format!("within the {inner} and {outer} limits"),
        Flag::LowInner => format!("below the {inner} limit but within the {outer} limit"),
        Flag::LowOuter => format!("below the {outer} limit"),
    }
}

/// What `summary.json` says about the record-level extract, in words.
pub(super) fn extract_summary(c: &Input, e: &ExtractSummary) -> Vec<Block> {
    let mut blocks = Vec::new();
    blocks.push(Block::Caveat {
        text: format!("Source of this section: {} (file {}).", e.source, e.file),
    });
    if let Some(rate) = e.rate {
        let comparison = match (&e.comparison_label, e.comparison_rate) {
            (Some(label), Some(rate)) => format!(", against {} for {label}", percent(rate)),
            _ => String::new(),
        };
        blocks.push(Block::Paragraph {
            text: format!(
                "In the extract, {} of {} with an outcome were closed with {} ({} of {}){comparison}.",
                percent(rate),
                e.scope_label,
                c.outcome_phrase,
                count(e.numerator as f64),
                count(e.denominator as f64),
            ),
        });
    }
    let mut items = Vec::new();
    for (funnel, what) in [
        (Some(&e.area_funnel), "areas"),
        (e.unit_funnel.as_ref(), "investigating units"),
    ] {
        let Some(funnel) = funnel.and_then(ExtractFunnel::stats) else {
            continue;
        };
        let levels = levels_of(&funnel.levels).unwrap_or(c.levels);
        let mut flagged = Vec::new();
        for (name, units) in &funnel.flagged {
            let Some(flag) = parse_flag(name, &levels) else {
                continue;
            };
            if !units.is_empty() {
                flagged.push(format!(
                    "{} {}",
                    and_list(units),
                    position_at(&levels, flag)
                ));
            }
        }
        let position = if flagged.is_empty() {
            format!(
                "every one of the {what} is {}",
                position_at(&levels, Flag::Within)
            )
        } else {
            format!("{}; the others are within the limits", flagged.join("; "))
        };
        let phi = funnel
            .phi
            .map(|phi| format!(" (φ = {})", significant(phi, 4)))
            .unwrap_or_default();
        items.push(format!(
            "Against the force's own rate, after the overdispersion adjustment{phi}: {position}. With only {} {what}, φ and τ² are unstable, so read these flags as prompts to look, not findings.",
            funnel.units
        ));
    }
    if !items.is_empty() {
        blocks.push(Block::Bullets { items });
    }
    blocks
}

/// The extract against the published counts for its force (`tables/reconciliation.csv`):
/// a sentence and a table, when the run has both.
fn reconciliation_blocks(c: &Input, e: &ExtractSummary, numbers: &mut Numbers) -> Vec<Block> {
    let (Some(r), Some(table)) = (&e.reconciliation, c.data.tables.get("reconciliation")) else {
        return Vec::new();
    };
    let rows_of = |level: &str| -> Vec<usize> {
        (0..table.len())
            .filter(|&k| table.text(k, "level").ok() == Some(level))
            .collect()
    };
    let (Some(&all), quarters, types) = (
        rows_of("all").first(),
        rows_of("quarter"),
        rows_of("outcome_type"),
    ) else {
        return Vec::new();
    };
    let number = |k: usize, column: &str| cell(table, k, column).unwrap_or(f64::NAN);
    let share_words = |k: usize| {
        cell(table, k, "difference_share")
            .map(|x| format!("{}{}", if x > 0.0 { "+" } else { "" }, percent(x)))
            .unwrap_or_else(|| "–".into())
    };
    let span = match (r.quarters.first(), r.quarters.last()) {
        (Some(first), Some(last)) if first != last => format!("{first} to {last}"),
        (Some(first), _) => first.clone(),
        _ => String::new(),
    };
    let difference = number(all, "difference");
    let mut text = format!(
        "Counted as the Home Office tables count ({}, {}, under the offence codes the published tables hold for {} in each quarter), the extract holds {} outcomes in the {} whole {} both cover ({span}), against {} published: {} {} ({}).",
        c.basis_phrase,
        crate::wording::types_phrase(
            &e.denominator_types
                .iter()
                .map(|&t| u64::from(t))
                .collect::<Vec<_>>()
        ),
        r.force,
        count(number(all, "extract")),
        count(r.quarters.len() as f64),
        if r.quarters.len() == 1 { "quarter" } else { "quarters" },
        count(number(all, "published")),
        count(difference.abs()),
        if difference < 0.0 { "fewer" } else { "more" },
        share_words(all),
    );
    let shares: Vec<(f64, usize)> = quarters
        .iter()
        .filter_map(|&k| Some((cell(table, k, "difference_share")?, k)))
        .collect();
    let low = shares.iter().min_by(|a, b| a.0.total_cmp(&b.0));
    let high = shares.iter().max_by(|a, b| a.0.total_cmp(&b.0));
    if let (Some(low), Some(high)) = (low, high) {
        if shares.len() > 1 {
            text.push_str(&format!(
                " By quarter the difference runs from {} ({}) to {} ({}).",
                share_words(low.1),
                table.text(low.1, "quarter").unwrap_or(""),
                share_words(high.1),
                table.text(high.1, "quarter").unwrap_or("")
            ));
        }
    }
    let agreement = cell(table, all, "difference_share").map(f64::abs);
    text.push_str(match agreement {
        Some(x) if x <= 0.02 => " The extract agrees with the published figures to within 2%.",
        Some(x) if x <= 0.10 => " The extract is within 10% of the published figures; the table shows where they part.",
        _ => " The extract does not match the published figures: it is not the force's whole record of these outcomes (or it counts another scope or window), so its figures are the extract's own, not the published figures broken down.",
    });
    if !r.codes_not_published.is_empty() {
        let n: u64 = r.codes_not_published.iter().map(|(_, n)| n).sum();
        text.push_str(&format!(
            " {} of the extract's outcomes, under {} offence {} the published tables do not hold for {} in their quarter, are left out of the comparison.",
            count(n as f64),
            count(r.codes_not_published.len() as f64),
            if r.codes_not_published.len() == 1 { "code" } else { "codes" },
            r.force
        ));
    }
    if !r.quarters_not_published.is_empty() {
        text.push_str(&format!(
            " The published tables in this run do not hold {} for {}, so {} not compared.",
            and_list(&r.quarters_not_published),
            r.force,
            if r.quarters_not_published.len() == 1 {
                "it is"
            } else {
                "they are"
            }
        ));
    }
    if r.incomplete_cells > 0 {
        text.push_str(&format!(
            " {} published {} with a missing count {} left out whole.",
            count(r.incomplete_cells as f64),
            if r.incomplete_cells == 1 {
                "cell"
            } else {
                "cells"
            },
            if r.incomplete_cells == 1 {
                "was"
            } else {
                "were"
            }
        ));
    }
    let descriptions = crate::normalise::outcomes::outcome_types();
    let label = |k: usize| -> String {
        match table.text(k, "level").unwrap_or("") {
            "all" => "All quarters compared".to_string(),
            "quarter" => table.text(k, "quarter").unwrap_or("").to_string(),
            _ => {
                let t = table.text(k, "outcome_type").unwrap_or("");
                let description = descriptions
                    .iter()
                    .find(|d| d.number.to_string() == t)
                    .map(|d| format!(": {}", d.description))
                    .unwrap_or_default();
                format!("Outcome {t}{description}")
            }
        }
    };
    let rows = std::iter::once(all)
        .chain(quarters.iter().copied())
        .chain(types.iter().copied())
        .map(|k| Row {
            cells: vec![
                label(k),
                count(number(k, "extract")),
                count(number(k, "published")),
                signed_count(number(k, "difference")),
                share_words(k),
            ],
            highlight: k == all,
        })
        .collect();
    vec![
        Block::Paragraph {
            text: format!(
                "Table {} reconciles the extract with the published figures. {text}",
                numbers.tables + 1
            ),
        },
        Block::Table(TableBlock {
            print: Vec::new(),
            id: String::new(),
            number: numbers.table(),
            caption: format!(
                "The extract against the published counts for {} ({}; tables/reconciliation.csv): in all, by quarter and by outcome type.",
                r.force, c.basis_phrase
            ),
            columns: vec![
                text_column("Quarter or outcome type"),
                number_column("Extract"),
                number_column("Published"),
                number_column("Difference"),
                number_column("Difference as a share of published"),
            ],
            rows,
            note: None,
        }),
    ]
}

/// The row of `table` whose `column` holds `value`.
fn row_where(table: &TextTable, column: &str, value: &str) -> Option<usize> {
    (0..table.len()).find(|&r| table.text(r, column).ok() == Some(value))
}

/// A number cell, when present.
fn cell(table: &TextTable, row: usize, column: &str) -> Option<f64> {
    table.number(row, column).ok().flatten()
}

/// "49.5% (600 of 1,212; 95% interval 46.7% to 52.3%)" for a row with a rate.
fn rate_words(table: &TextTable, row: usize) -> Option<String> {
    Some(format!(
        "{} ({} of {}; 95% interval {})",
        percent(cell(table, row, "rate")?),
        count(cell(table, row, "numerator")?),
        count(cell(table, row, "denominator")?),
        percent_range(
            cell(table, row, "ci95_low")?,
            cell(table, row, "ci95_high")?
        )
    ))
}

/// Whether two rows' 95% intervals overlap, in words.
fn overlap_words(table: &TextTable, a: usize, b: usize) -> Option<&'static str> {
    let (a_low, a_high) = (cell(table, a, "ci95_low")?, cell(table, a, "ci95_high")?);
    let (b_low, b_high) = (cell(table, b, "ci95_low")?, cell(table, b, "ci95_high")?);
    Some(if a_low <= b_high && b_low <= a_high {
        "the two 95% intervals overlap, so the difference may be sampling variation alone"
    } else {
        "the two 95% intervals do not overlap"
    })
}

/// Domestic abuse against other crimes: the two rates and the median days to a closure.
fn da_vs_other_words(c: &Input, table: &TextTable, number: u32) -> Option<String> {
    let da = row_where(table, "group", "domestic abuse")?;
    let other = row_where(table, "group", "not domestic abuse")?;
    let mut text = format!(
        "Table {number} sets domestic abuse against the force's other crimes: of the domestic-abuse-flagged crimes with an outcome, {} were closed with {}, against {} of the other crimes; {}.",
        rate_words(table, da)?,
        c.outcome_phrase,
        rate_words(table, other)?,
        overlap_words(table, da, other)?
    );
    if let (Some(a), Some(b)) = (
        cell(table, da, "median_days_to_closure"),
        cell(table, other, "median_days_to_closure"),
    ) {
        text.push_str(&format!(
            " The median time from recording to {} was {} days for domestic abuse and {} days for other crimes.",
            closure_phrase(c, true),
            fixed(a, 1),
            fixed(b, 1)
        ));
    }
    Some(text)
}

/// Repeat victims against first crimes.
fn repeat_victims_words(c: &Input, table: &TextTable, number: u32) -> Option<String> {
    let first = row_where(table, "victims_group", "first crime in the window")?;
    let repeat = row_where(
        table,
        "victims_group",
        "repeat: earlier crime in the window",
    )?;
    Some(format!(
        "Table {number} sets crimes against a victim who had an earlier crime in the extract's window ({} crimes against {} victims) against each victim's first crime: {} of the repeat victims' crimes with an outcome were closed with {}, against {} of first crimes; {}.",
        count(cell(table, repeat, "crimes")?),
        count(cell(table, repeat, "victims")?),
        rate_words(table, repeat)?,
        c.outcome_phrase,
        rate_words(table, first)?,
        overlap_words(table, repeat, first)?
    ))
}

/// The days from recording to a closure: the scope's median and quartiles, the quick
/// closures, and the areas with the shortest and longest median.
fn closure_time_words(c: &Input, table: &TextTable, number: u32) -> Option<String> {
    let scope = table.text(0, "subset").ok()?.to_string();
    let all = (0..table.len()).find(|&r| {
        table.text(r, "subset").ok() == Some(scope.as_str())
            && table.text(r, "area").ok() == Some("all areas")
    })?;
    let mut text = format!(
        "Table {number} gives the days from a crime's recording to {}: for {scope}, the median was {} days (the middle half {} to {} days); {} of the {} closures came within a day of recording and {} within 7 days.",
        closure_phrase(c, true),
        fixed(cell(table, all, "median_days")?, 1),
        fixed(cell(table, all, "q1_days")?, 1),
        fixed(cell(table, all, "q3_days")?, 1),
        count(cell(table, all, "within_1_day")?),
        count(cell(table, all, "closures")?),
        count(cell(table, all, "within_7_days")?),
    );
    let areas: Vec<(f64, &str)> = (0..table.len())
        .filter(|&r| r != all && table.text(r, "subset").ok() == Some(scope.as_str()))
        .filter_map(|r| Some((cell(table, r, "median_days")?, table.text(r, "area").ok()?)))
        .collect();
    let shortest = areas.iter().min_by(|a, b| a.0.total_cmp(&b.0));
    let longest = areas.iter().max_by(|a, b| a.0.total_cmp(&b.0));
    if let (Some(short), Some(long)) = (shortest, longest) {
        if areas.len() > 1 {
            text.push_str(&format!(
                " By area, the median ran from {} days ({}) to {} days ({}).",
                fixed(short.0, 1),
                short.1,
                fixed(long.0, 1),
                long.1
            ));
        }
    }
    if let Some(other) = (0..table.len()).find(|&r| {
        table.text(r, "subset").ok() != Some(scope.as_str())
            && table.text(r, "area").ok() == Some("all areas")
    }) {
        text.push_str(&format!(
            " For {}, the median was {} days.",
            table.text(other, "subset").ok()?,
            fixed(cell(table, other, "median_days")?, 1)
        ));
    }
    Some(text)
}

/// "an outcome-16 closure" (or "an outcome 15 or 16 closure"); without the article when
/// `article` is false.
fn closure_phrase(c: &Input, article: bool) -> String {
    let outcomes = c
        .outcome_phrase
        .trim_start_matches("outcomes ")
        .trim_start_matches("outcome ");
    let noun = if c.outcome_phrase.starts_with("outcomes ") {
        format!("outcome {} closure", outcomes.replace(" and ", " or "))
    } else {
        format!("outcome-{outcomes} closure")
    };
    if article {
        format!("an {noun}")
    } else {
        noun
    }
}

/// A record-level table as it is, made readable: columns that hold one value in every row
/// (its `source`, `scope`, unit or event) move to the caption, unadjusted limits are left to
/// the CSV, `…_low`/`…_high` pairs become one range, cells are formatted by what their
/// column holds, rows that counted no crimes fold into one line under the table ("20
/// offence codes with no crimes: …"), and a `sentence` or `note` column is printed as a
/// list after it (a column of prose, mostly empty in a note's case, would take a page's
/// width of its own).
pub(super) fn generic_table(
    c: &Input,
    numbers: &mut Numbers,
    name: &str,
    table: &TextTable,
) -> Vec<Block> {
    let constant = |column: usize| -> Option<&str> {
        let first = table.rows.first()?.get(column)?;
        table
            .rows
            .iter()
            .all(|r| r.get(column) == Some(first))
            .then_some(first.as_str())
    };
    let count_column = ["crimes", "denominator"]
        .iter()
        .find_map(|h| table.headers.iter().position(|x| x == h));
    let no_crimes = |r: &Vec<String>| -> bool {
        count_column.is_some_and(|k| r.get(k).is_some_and(|v| v.parse::<f64>() == Ok(0.0)))
    };
    let shown: Vec<&Vec<String>> = table.rows.iter().filter(|r| !no_crimes(r)).collect();
    let mut scope = None;
    let mut fixed_values: Vec<String> = Vec::new();
    let mut sentence = None;
    let mut keep: Vec<(String, Vec<usize>)> = Vec::new();
    let mut i = 0;
    while i < table.headers.len() {
        let header = &table.headers[i];
        if (header == "source" || header == "scope") && constant(i).is_some() {
            if header == "scope" {
                scope = constant(i).map(String::from);
            }
            i += 1;
            continue;
        }
        if header == "sentence" || header == "note" {
            sentence = Some(i);
            i += 1;
            continue;
        }
        // The series, event or level every row is of: said once, in the caption.
        let said_once = constant(i)
            .filter(|v| table.rows.len() > 1 && !v.is_empty())
            .and_then(|value| match header.as_str() {
                "unit" | "subset" => Some(value.to_string()),
                "event" | "event_date" | "event_kind" | "area_level" | "stratified_by" => {
                    Some(format!("{} {value}", header.replace('_', " ")))
                }
                _ => None,
            });
        if let Some(text) = said_once {
            fixed_values.push(text);
            i += 1;
            continue;
        }
        if header.ends_with("_unadjusted") {
            i += 1;
            continue;
        }
        if let Some(stem) = header.strip_suffix("_low") {
            if table.headers.get(i + 1).map(String::as_str) == Some(&format!("{stem}_high")) {
                keep.push((stem.to_string(), vec![i, i + 1]));
                i += 2;
                continue;
            }
        }
        keep.push((header.clone(), vec![i]));
        i += 1;
    }
    let columns: Vec<Column> = keep
        .iter()
        .map(|(header, indices)| Column {
            name: column_title(c, header),
            numeric: indices.iter().all(|&k| {
                table.rows.iter().all(|r| {
                    r.get(k)
                        .is_none_or(|v| v.is_empty() || v.parse::<f64>().is_ok())
                })
            }),
        })
        .collect();
    let rows = shown
        .iter()
        .map(|r| Row {
            cells: keep
                .iter()
                .map(|(header, indices)| {
                    let cells: Vec<String> = indices
                        .iter()
                        .map(|&k| {
                            format_cell(c, header, r.get(k).map(String::as_str).unwrap_or(""))
                        })
                        .collect();
                    if cells.iter().all(|x| x == "–") {
                        "–".to_string()
                    } else {
                        cells.join(" to ")
                    }
                })
                .collect(),
            highlight: false,
        })
        .collect();
    let note = (shown.len() < table.rows.len()).then(|| {
        let left: Vec<&Vec<String>> = table.rows.iter().filter(|r| no_crimes(r)).collect();
        // The rows are named by the column the table is by (`extract_by_offence_code`: the
        // offence code), else by its first column; a table of fields' levels names each level
        // with its field ("victim ethnicity: not recorded").
        let by = name.strip_prefix("extract_by_");
        let column = |h: &str| table.headers.iter().position(|x| x == h);
        let field = column("field_words").or(column("field"));
        let (noun, key) = keep
            .iter()
            .find(|(h, _)| Some(h.as_str()) == by)
            .or(keep.first())
            .map(|(h, k)| (column_title(c, h).to_lowercase(), k[0]))
            .unwrap_or_else(|| ("row".into(), 0));
        let level = column("level");
        let noun = match (field, level) {
            (Some(_), Some(_)) => "level".to_string(),
            _ => noun,
        };
        let name_of = |r: &Vec<String>| -> String {
            match (field, level) {
                (Some(f), Some(l)) => format!(
                    "{}: {}",
                    r.get(f).map_or("", String::as_str),
                    r.get(l).map_or("", String::as_str)
                ),
                _ => r.get(key).cloned().unwrap_or_default(),
            }
        };
        let counted = count_column
            .and_then(|k| table.headers.get(k))
            .map(|h| h.replace('_', " "))
            .unwrap_or_default();
        format!(
            "{} {} with no {counted} {} not shown: {}.",
            count(left.len() as f64),
            plural(&noun, left.len()),
            if left.len() == 1 { "is" } else { "are" },
            left.iter()
                .map(|r| name_of(r))
                .collect::<Vec<_>>()
                .join(", ")
        )
    });
    let title = match name {
        "extract_da_vs_other" => "Domestic abuse against other crimes".to_string(),
        _ => capitalise(&name.trim_start_matches("extract_").replace('_', " ")),
    };
    let mut about = vec![title];
    about.extend(scope);
    about.extend(fixed_values);
    let mut blocks = vec![Block::Table(TableBlock {
        print: Vec::new(),
        id: String::new(),
        number: numbers.table(),
        caption: format!(
            "Record-level extract: {} (tables/{name}.csv).",
            about.join(", ")
        ),
        columns,
        rows,
        note,
    })];
    if let Some(k) = sentence {
        let mut items: Vec<String> = Vec::new();
        for text in shown.iter().filter_map(|r| r.get(k)) {
            // A sentence about the whole event repeats on each of its rows: once is enough.
            if !text.is_empty() && !items.contains(text) {
                items.push(text.clone());
            }
        }
        if !items.is_empty() {
            blocks.push(Block::Bullets { items });
        }
    }
    blocks
}

/// `noun` for `n` things: "offence code" → "offence codes".
fn plural(noun: &str, n: usize) -> String {
    if n == 1 || noun.ends_with('s') {
        noun.to_string()
    } else {
        format!("{noun}s")
    }
}

/// A column name for people: `ci95` → "95% interval", `limit998` → "99.8% limits",
/// `z_adjusted` → "Adjusted z", others with spaces for underscores.
pub(super) fn column_title(c: &Input, header: &str) -> String {
    let inner = c.levels.inner().label();
    let outer = c.levels.outer().label();
    let mapped = match header {
        "ci95" => "95% interval".to_string(),
        "comparison_ci95" => "comparison 95% interval".to_string(),
        "ratio_ci95" => "ratio 95% interval".to_string(),
        "z_adjusted" => "adjusted z".to_string(),
        "numerator" => format!("{} (numerator)", c.outcome_phrase),
        "denominator" => "outcomes (denominator)".to_string(),
        "comparison_numerator" => format!("comparison: {}", c.outcome_phrase),
        "comparison_denominator" => "comparison: outcomes".to_string(),
        "without_outcome" => "crimes without an outcome".to_string(),
        "closures" | "outcome16_closures" => format!("{}s", closure_phrase(c, false)),
        "median_days" | "median_days_to_closure" => {
            format!("median days to {}", closure_phrase(c, true))
        }
        "q1_days" => "lower quartile, days".to_string(),
        "q3_days" => "upper quartile, days".to_string(),
        "within_1_day" => "closed within a day".to_string(),
        "within_7_days" => "closed within 7 days".to_string(),
        "spc_centre" => "centre line".to_string(),
        "spc_lower_3sigma" => "lower 3σ limit".to_string(),
        "spc_lower_2sigma" => "lower 2σ limit".to_string(),
        "spc_upper_2sigma" => "upper 2σ limit".to_string(),
        "spc_upper_3sigma" => "upper 3σ limit".to_string(),
        "rule_beyond_limits" => "beyond 3σ".to_string(),
        "rule_shift" => "shift".to_string(),
        "rule_trend" => "trend".to_string(),
        "rule_two_of_three" => "two of three beyond 2σ".to_string(),
        "victims_group" => "which crimes".to_string(),
        "subset" => "group".to_string(),
        "expected_given_offence_mix" => "expected given the offence mix".to_string(),
        h if h == crate::tables::limit_stem(&inner) => format!("{} limits", c.inner_text),
        h if h == crate::tables::limit_stem(&outer) => format!("{} limits", c.outer_text),
        h => h.replace('_', " "),
    };
    capitalise(&mapped)
}

/// A cell formatted by what its column holds: rates and limits as percentages, ratios and
/// z-scores to two places, flags in words, counts with thousands separators.
pub(super) fn format_cell(c: &Input, header: &str, value: &str) -> String {
    if value.is_empty() {
        return "–".to_string();
    }
    if header == "flag" || header == "flag_unadjusted" {
        return match parse_flag(value, &c.levels) {
            Some(flag) => c.flag_cell(Some(flag)),
            None => value.to_string(),
        };
    }
    match value {
        "true" => return "yes".to_string(),
        "false" => return "no".to_string(),
        _ => {}
    }
    let Ok(x) = value.parse::<f64>() else {
        return value.to_string();
    };
    let is_rate = header.contains("rate")
        || header.contains("share")
        || header.starts_with("ci95")
        || header.starts_with("comparison_ci95")
        || header.starts_with("limit")
        || header == "target"
        || header.starts_with("spc_");
    if header.starts_with("ratio") || header == "z" || header == "z_adjusted" {
        fixed(x, 2)
    } else if header.contains("days") && value.contains('.') {
        // Days to a closure, as the sentences give them.
        fixed(x, 1)
    } else if is_rate {
        percent(x)
    } else if header.starts_with("expected") {
        count(x)
    } else if !value.contains('.') && !value.contains('e') {
        // Whole numbers (counts); a code such as an outcome type reads the same.
        if header.ends_with("type") || header.ends_with("code") {
            value.to_string()
        } else {
            count(x)
        }
    } else {
        fixed(x, 2)
    }
}
