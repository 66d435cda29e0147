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
        blocks.extend(extract_summary(c, extract));
    }
    let (grids, printed): (Vec<_>, Vec<_>) = extracts
        .into_iter()
        .partition(|(name, _)| name.ends_with("_funnel_limits"));
    for (name, table) in printed {
        // A table's chart comes just before it.
        if let Some(extract) = extract {
            blocks.extend(within_figure(c, numbers, name, extract));
        }
        blocks.push(Block::Table(generic_table(c, numbers, name, table)));
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

/// A record-level table as it is, made readable: constant `source` and `scope` columns move
/// to the caption, unadjusted limits are left to the CSV, `…_low`/`…_high` pairs become one
/// range, and cells are formatted by what their column holds.
pub(super) fn generic_table(
    c: &Input,
    numbers: &mut Numbers,
    name: &str,
    table: &TextTable,
) -> TableBlock {
    let constant = |column: usize| -> Option<&str> {
        let first = table.rows.first()?.get(column)?;
        table
            .rows
            .iter()
            .all(|r| r.get(column) == Some(first))
            .then_some(first.as_str())
    };
    let mut scope = None;
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
    let rows = table
        .rows
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
    let title = capitalise(&name.trim_start_matches("extract_").replace('_', " "));
    TableBlock {
        id: String::new(),
        number: numbers.table(),
        caption: match scope {
            Some(scope) => format!("Record-level extract: {title}, {scope} (tables/{name}.csv)."),
            None => format!("Record-level extract: {title} (tables/{name}.csv)."),
        },
        columns,
        rows,
        note: None,
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
