//! Section 4: the trend and the control charts.

use super::*;

pub(super) fn trend_section(c: &Input, numbers: &mut Numbers) -> Result<Section> {
    let mut blocks = Vec::new();
    let trend = rows::trend(c.data)?;
    let spc = &c.summary().spc;
    let (shift, trend_length) = (spc.shift_length, spc.trend_length);
    let screened = spc.screen_moving_ranges;
    let baseline = c.monitor.and_then(|m| m.baseline.as_ref());
    let phased = c
        .monitor
        .is_some_and(|m| m.events.iter().any(|e| e.starts_phase));
    let centre = match (baseline, phased) {
        (Some([from, to]), false) => format!("the force's rate over the baseline, {from} to {to}, carried on past it"),
        (Some([from, to]), true) => format!("the force's rate over the baseline ({from} to {to}) in its first phase, and over each later phase's own points after an event that starts one"),
        (None, true) => "the force's rate over the points of each phase (a new phase starts at an event that says so)".to_string(),
        (None, false) => "the force's rate over the whole period".to_string(),
    };
    blocks.push(Block::Paragraph {
        text: format!(
            "Is reliance on {} falling? Each focus force's quarterly rate is shown against the national and peer-group rates, and on a Laney p′ control chart. \
             The chart's centre line is {centre}; its limits widen the usual binomial limits by the typical quarter-to-quarter variation, and they differ from quarter to quarter because each quarter has its own number of outcomes. \
             Moving ranges {} screened before the limits are set. Points are marked when they lie beyond the 3-sigma limits, when {} consecutive points lie on one side of the centre line (a shift), when {} consecutive points rise or fall (a trend), or when two of three points lie beyond 2 sigma on the same side.",
            c.outcome_phrase,
            if screened { "above 3.267 times their mean are" } else { "are not" },
            shift,
            trend_length,
        ),
    });
    if let Some(note) = &c.summary().source_note {
        blocks.push(Block::Caveat { text: note.clone() });
    }
    if c.focus.is_empty() {
        blocks.push(Block::Paragraph {
            text: "The analysis file names no focus force, so no force's series is discussed here."
                .into(),
        });
    }
    for f in &c.focus {
        blocks.push(Block::Heading {
            id: format!("trend-{}", slug(&f.force)),
            text: f.force.clone(),
        });
        let rows: &[TrendRow] = trend.get(&f.force).map(Vec::as_slice).unwrap_or_default();
        match &f.trend {
            Some(t) => blocks.push(Block::Paragraph {
                text: trend_sentence(c, &f.force, t),
            }),
            None => blocks.push(Block::Paragraph {
                text: format!(
                    "The run has fewer than two periods for {}, so there is no trend to describe.",
                    f.force
                ),
            }),
        }
        if rows.is_empty() {
            continue;
        }
        let series_table = numbers.tables + 1;
        let first_last = f
            .trend
            .as_ref()
            .map(|t| {
                format!(
                    "from {} in {} to {} in {}",
                    percent(t.first_rate),
                    t.first_period,
                    percent(t.last_rate),
                    t.last_period
                )
            })
            .unwrap_or_default();
        blocks.push(c.figure(
            numbers,
            &format!("trend-{}", slug(&f.force)),
            format!(
                "{}'s quarterly rate of {}, with the national and peer-group rates ({}).",
                f.force, c.outcome_phrase, c.series_suffix(&periods_of(rows))
            ),
            |n| format!(
                "Figure {n} shows {}'s rate in each quarter {first_last}, as a line with 95% confidence intervals, beside the national rate and the pooled rate of its peer group. Table {series_table} gives the numbers.",
                f.force
            ),
        ));
        blocks.push(Block::Table(series_table_block(c, numbers, rows, &f.force)));
        let spc_table = numbers.tables + 1;
        let hits = if f.trend.as_ref().is_some_and(|t| !t.rule_hits.is_empty()) {
            "Marked points are listed in the table."
        } else {
            "No point is marked by any rule."
        };
        blocks.push(c.figure(
            numbers,
            &format!("spc-{}", slug(&f.force)),
            format!(
                "Laney p′ control chart of {}'s quarterly rate ({}).",
                f.force,
                c.series_suffix(&periods_of(rows))
            ),
            |n| format!(
                "Figure {n} shows {}'s quarterly rate with the chart's centre line and its 2-sigma and 3-sigma limits. {hits} Table {spc_table} gives the numbers.",
                f.force
            ),
        ));
        blocks.push(Block::Table(spc_table_block(c, numbers, rows, &f.force)));
    }
    // Every force's series, as small multiples.
    let pivot_table = numbers.tables + 1;
    blocks.push(c.figure(
        numbers,
        "small-multiples",
        format!(
            "Every force's quarterly rate of {}, one small panel per force ({}).",
            c.outcome_phrase,
            c.series_suffix(&trend.values().max_by_key(|r| r.len()).map(|r| periods_of(r)).unwrap_or_default())
        ),
        |n| format!("Figure {n} shows one small chart per force with its quarterly rate on a common scale. Table {pivot_table} gives the numbers."),
    ));
    if let Some(table) = pivot_block(c, numbers, &trend) {
        blocks.push(Block::Table(table));
    }
    Ok(Section {
        id: "trend".into(),
        number: String::new(),
        scope: c.scope_label.clone(),
        period: c.series_span(),
        title: "Trend and SPC".into(),
        blocks: number_tables(blocks),
    })
}

pub(super) fn series_table_block(
    c: &Input,
    numbers: &mut Numbers,
    rows: &[TrendRow],
    force: &str,
) -> TableBlock {
    let mut out = Vec::new();
    for r in rows {
        out.push(Row {
            cells: vec![
                r.period.clone(),
                count(r.numerator),
                count(r.denominator),
                opt_percent(r.rate),
                match r.ci95 {
                    Some((lo, hi)) => percent_range(lo, hi),
                    None => "–".into(),
                },
                opt_percent(r.national_rate),
                opt_percent(r.peer_rate),
            ],
            highlight: false,
        });
    }
    TableBlock {
        print: Vec::new(),
        id: String::new(),
        number: numbers.table(),
        caption: format!(
            "{force}'s quarterly series with the national and peer-group rates ({}).",
            c.series_suffix(&periods_of(rows))
        ),
        columns: vec![
            text_column("Quarter"),
            number_column(&capitalise(&c.outcome_phrase)),
            number_column("Outcomes"),
            number_column("Rate"),
            number_column("95% interval"),
            number_column("National rate"),
            number_column("Peer pooled rate"),
        ],
        rows: out,
        note: None,
    }
}

pub(super) fn spc_table_block(
    c: &Input,
    numbers: &mut Numbers,
    rows: &[TrendRow],
    force: &str,
) -> TableBlock {
    let mut out = Vec::new();
    for r in rows {
        let mut rules = Vec::new();
        for (hit, name) in [
            (r.rules.beyond_limits, "beyond the 3-sigma limits"),
            (r.rules.shift, "shift"),
            (r.rules.trend, "trend"),
            (r.rules.two_of_three, "two of three beyond 2 sigma"),
        ] {
            if hit {
                rules.push(name.to_string());
            }
        }
        let line = |pick: fn(&SpcLimits) -> f64| opt_percent(r.spc.as_ref().map(pick));
        out.push(Row {
            cells: vec![
                r.period.clone(),
                opt_percent(r.rate),
                line(|s| s.centre),
                line(|s| s.lower_3),
                line(|s| s.lower_2),
                line(|s| s.upper_2),
                line(|s| s.upper_3),
                if rules.is_empty() {
                    "none".into()
                } else {
                    rules.join("; ")
                },
            ],
            highlight: !rules.is_empty(),
        });
    }
    TableBlock {
        print: Vec::new(),
        id: String::new(),
        number: numbers.table(),
        caption: format!("The control chart's data for {force}: rate, centre line, limits and rule hits by quarter ({}).", c.series_suffix(&periods_of(rows))),
        columns: vec![
            text_column("Quarter"),
            number_column("Rate"),
            number_column("Centre"),
            number_column("Lower 3σ"),
            number_column("Lower 2σ"),
            number_column("Upper 2σ"),
            number_column("Upper 3σ"),
            text_column("Rules"),
        ],
        rows: out,
        note: None,
    }
}

/// Every force's rate by quarter (a table with one column per quarter).
pub(super) fn pivot_block(
    c: &Input,
    numbers: &mut Numbers,
    trend: &BTreeMap<String, Vec<TrendRow>>,
) -> Option<TableBlock> {
    if trend.values().all(Vec::is_empty) {
        return None;
    }
    let mut periods: Vec<String> = Vec::new();
    let mut by_force: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    for (force, series) in trend {
        for r in series {
            if !periods.contains(&r.period) {
                periods.push(r.period.clone());
            }
            by_force
                .entry(force.clone())
                .or_default()
                .insert(r.period.clone(), opt_percent(r.rate));
        }
    }
    let mut columns = vec![text_column("Force")];
    columns.extend(periods.iter().map(|p| number_column(p)));
    let rows = by_force
        .into_iter()
        .map(|(force, rates)| {
            let mut cells = vec![force.clone()];
            cells.extend(
                periods
                    .iter()
                    .map(|p| rates.get(p).cloned().unwrap_or_else(|| "–".into())),
            );
            Row {
                cells,
                highlight: c.focus.iter().any(|f| f.force == force),
            }
        })
        .collect();
    Some(TableBlock {
        print: Vec::new(),
        id: String::new(),
        number: numbers.table(),
        caption: format!(
            "Every force's rate of {} by quarter ({}).",
            c.outcome_phrase,
            c.series_suffix(
                &trend
                    .values()
                    .max_by_key(|r| r.len())
                    .map(|r| periods_of(r))
                    .unwrap_or_default()
            )
        ),
        columns,
        rows,
        note: None,
    })
}

/// The periods of a series, in order.
pub(super) fn periods_of(rows: &[TrendRow]) -> Vec<String> {
    rows.iter().map(|r| r.period.clone()).collect()
}
