//! The section "Is reliance falling?" (when the analysis file sets events, a baseline or a
//! target): the events, each monitored series' variation and phases, the gap to the target,
//! and each event's before/after and interrupted-time-series estimates, with the displacement
//! to other outcomes, each with its caveat.

use super::*;

fn series_name(unit: &str, source: &str) -> String {
    match source {
        "extract" => format!("the extract's {unit} (months)"),
        _ => format!("{unit} (quarters)"),
    }
}

/// A period as the report writes it: a month of the extract in words ("March 2020").
fn period_words(period: &str, source: &str) -> String {
    if source == "extract" {
        month_phrase(period)
    } else {
        period.to_string()
    }
}

fn variation_words(name: &str) -> &'static str {
    match name {
        "special_cause_improving" => "special cause, improving",
        "special_cause_concerning" => "special cause, concerning",
        "special_cause_neutral_high" => "special cause, high",
        "special_cause_neutral_low" => "special cause, low",
        _ => "common cause",
    }
}

pub(super) fn monitor_section(c: &Input, numbers: &mut Numbers) -> Option<Section> {
    let m = c.monitor?;
    let mut blocks = Vec::new();
    let better = match m.better.as_str() {
        "lower" => "the direction of improvement is down (a falling rate improves)",
        "higher" => "the direction of improvement is up (a rising rate improves)",
        _ => "no direction of improvement is set, so special causes are named high or low",
    };
    blocks.push(Block::Paragraph {
        text: format!(
            "This section follows {} over time against the action plan: {better}{}.{}",
            c.outcome_phrase,
            if m.better_given { "" } else { " (the default for outcome 16)" },
            match &m.baseline {
                Some([from, to]) => format!(" The control limits come from the baseline {from} to {to} and are extended past it."),
                None => " The control limits come from every point of each phase.".to_string(),
            }
        ),
    });
    if !m.events.is_empty() {
        blocks.push(Block::Paragraph {
            text: "The events of the action plan, drawn on the trend, control and monthly charts:"
                .into(),
        });
        blocks.push(Block::Bullets {
            items: m
                .events
                .iter()
                .map(|e| {
                    format!(
                        "{}: {} ({}{})",
                        e.date,
                        e.label,
                        e.kind.replace('_', " "),
                        if e.starts_phase {
                            "; the limits are recalculated from here"
                        } else {
                            ""
                        }
                    )
                })
                .collect(),
        });
    }
    let mut lines = Vec::new();
    for s in &m.series {
        let mut line = format!(
            "{}: in {} the rate was {}, {}",
            capitalise(&series_name(&s.unit, &s.source)),
            period_words(&s.last_period, &s.source),
            s.last_rate.map(percent).unwrap_or_else(|| "–".into()),
            s.variation
                .as_deref()
                .map(variation_words)
                .unwrap_or("without control limits")
        );
        if s.phases.len() > 1 {
            line.push_str(&format!(
                "; {} phases, the last {}",
                s.phases.len(),
                variation_words(s.phases.last().map_or("", String::as_str))
            ));
        }
        if !s.special_causes.is_empty() {
            let periods: Vec<String> = s
                .special_causes
                .iter()
                .map(|[p, v]| format!("{} ({})", period_words(p, &s.source), variation_words(v)))
                .collect();
            line.push_str(&format!("; special causes in {}", and_list(&periods)));
        }
        if let (Some(a), Some(t)) = (&s.assurance, &m.target) {
            line.push_str(&format!(
                "; against the target of {}, the process as it stands would {}",
                percent(t.rate),
                match a.as_str() {
                    "consistently_pass" => "meet it every period",
                    "consistently_fail" => "miss it every period",
                    _ => "meet it in some periods and miss it in others",
                }
            ));
        }
        line.push('.');
        lines.push(line);
    }
    if !lines.is_empty() {
        blocks.push(Block::Bullets { items: lines });
    }
    // The control charts are in the trend section and the record-level section: say where.
    let charts: Vec<String> = m
        .series
        .iter()
        .filter_map(|s| {
            let stem = match s.source.as_str() {
                "extract" => "extract-spc-month".to_string(),
                _ => format!("spc-{}", slug(&s.unit)),
            };
            numbers
                .figure_of
                .get(&stem)
                .map(|n| format!("Figure {n} for {}", series_name(&s.unit, &s.source)))
        })
        .collect();
    if !charts.is_empty() {
        blocks.push(Block::Paragraph {
            text: format!(
                "The control charts these labels come from are {}: each shows {}the events as dashed lines{}.",
                and_list(&charts),
                if m.baseline.is_some() {
                    "the baseline shaded, "
                } else {
                    ""
                },
                if m.target.is_some() {
                    " and the target trajectory"
                } else {
                    ""
                }
            ),
        });
    }
    if let Some(t) = &m.target {
        let gaps: Vec<String> = t
            .gaps
            .iter()
            .filter_map(|g| {
                Some(format!(
                    "{} is {} points {} the target in {} (the trajectory from {} to {} by {} stands at {} there).",
                    capitalise(&series_name(&g.unit, &g.source)),
                    fixed(100.0 * g.gap?.abs(), 1),
                    if g.gap? > 0.0 { "above" } else { "below" },
                    period_words(&g.last_period, &g.source),
                    if m.baseline.is_some() { "the baseline's end" } else { "the first period" },
                    percent(t.rate),
                    t.by,
                    g.trajectory.map(percent).unwrap_or_else(|| "–".into())
                ))
            })
            .collect();
        if !gaps.is_empty() {
            blocks.push(Block::Paragraph {
                text: format!(
                    "Against the target of {} by {}: {}",
                    percent(t.rate),
                    t.by,
                    gaps.join(" ")
                ),
            });
        }
    }
    if !m.effects.is_empty() {
        let interval = |v: &Option<[Option<f64>; 3]>, f: &dyn Fn(f64) -> String| match v {
            Some([Some(e), Some(lo), Some(hi)]) => format!("{} ({} to {})", f(*e), f(*lo), f(*hi)),
            _ => "–".into(),
        };
        let points = |x: f64| {
            let text = fixed(100.0 * x, 1);
            if text.starts_with('\u{2212}') || text.chars().all(|c| c == '0' || c == '.') {
                text
            } else {
                format!("+{text}")
            }
        };
        let or = |v: &Option<[Option<f64>; 4]>| match v {
            Some([Some(e), Some(lo), Some(hi), Some(p)]) => format!(
                "{} ({} to {}), {}",
                fixed(e.exp(), 2),
                fixed(lo.exp(), 2),
                fixed(hi.exp(), 2),
                crate::wording::p_phrase(*p)
            ),
            _ => "–".into(),
        };
        blocks.push(Block::Table(TableBlock {
            print: Vec::new(),
            id: String::new(),
            number: numbers.table(),
            caption: format!(
                "Before and after each event (tables/monitor_events.csv, tables/extract_events.csv; {}).",
                c.scope_label
            ),
            columns: vec![
                text_column("Series"),
                text_column("Event"),
                number_column("Before"),
                number_column("After"),
                number_column("Change, points (95% CI)"),
                number_column("Ratio (95% CI)"),
                number_column("Level change, odds ratio (95% CI)"),
                number_column("Slope change per period, odds ratio (95% CI)"),
            ],
            rows: m
                .effects
                .iter()
                .map(|e| Row {
                    cells: vec![
                        capitalise(&series_name(&e.unit, &e.source)),
                        e.event.clone(),
                        format!(
                            "{} ({} periods)",
                            e.before_rate.map(percent).unwrap_or_else(|| "–".into()),
                            e.periods[0]
                        ),
                        format!(
                            "{} ({} periods)",
                            e.after_rate.map(percent).unwrap_or_else(|| "–".into()),
                            e.periods[1]
                        ),
                        interval(&e.difference, &points),
                        interval(&e.ratio, &|x| fixed(x, 3)),
                        or(&e.level_change),
                        or(&e.slope_change),
                    ],
                    highlight: false,
                })
                .collect(),
            note: Some("The change and ratio compare the windows either side of the event (Newcombe's and Katz's intervals); they ignore any trend already under way. The level and slope changes come from a segmented binomial regression over the periods between the events around it, with quasi-binomial errors when the counts vary more than binomially; a level change is the step at the event against the line before it carried on.".into()),
        }));
        let notes: Vec<String> = m
            .effects
            .iter()
            .filter_map(|e| {
                e.note.as_ref().map(|n| {
                    format!(
                        "{}, {}: {n}.",
                        capitalise(&series_name(&e.unit, &e.source)),
                        e.event
                    )
                })
            })
            .chain(m.effects.iter().filter_map(|e| {
                e.sustained_shift
                    .as_ref()
                    .map(|s| format!("{}: {s}", capitalise(&series_name(&e.unit, &e.source))))
            }))
            .collect();
        if !notes.is_empty() {
            blocks.push(Block::Bullets { items: notes });
        }
    }
    if !m.displacement.is_empty() {
        let tables: Vec<&str> = ["home_office", "extract"]
            .into_iter()
            .filter(|s| m.displacement.iter().any(|d| d.source == *s))
            .map(|s| match s {
                "home_office" => "tables/monitor_displacement.csv and tables/outcome_mix.csv",
                _ => "tables/extract_displacement.csv and tables/extract_outcome_mix.csv",
            })
            .collect();
        blocks.push(Block::Paragraph {
            text: format!(
                "Did the crimes move to other outcomes? A fall in outcome 16 is an improvement only if the crimes do not move to outcome 15 (evidential difficulties, victim supports action), 14 or 18. {} ({} have every outcome group).",
                capitalise(
                    &m.displacement
                        .iter()
                        .map(|d| format!("for {}, {}", series_name(&d.unit, &d.source), d.sentence))
                        .collect::<Vec<_>>()
                        .join("; ")
                ),
                tables.join("; ")
            ),
        });
        let mut units: Vec<(&str, &str)> = m
            .displacement
            .iter()
            .map(|d| (d.source.as_str(), d.unit.as_str()))
            .collect();
        units.dedup();
        for (source, unit) in units {
            let (stem, what) = match source {
                "home_office" => (
                    format!("displacement-{}", slug(unit)),
                    format!(
                        "{unit}'s outcomes by quarter ({})",
                        c.series_suffix(
                            &rows::trend(c.data)
                                .ok()
                                .and_then(|t| t.get(unit).map(|r| super::trend::periods_of(r)))
                                .unwrap_or_default()
                        )
                    ),
                ),
                _ => (
                    "extract-displacement".to_string(),
                    format!("the extract's {unit}: outcomes by month"),
                ),
            };
            blocks.push(c.figure(
                numbers,
                &stem,
                format!("The share of each outcome group among the outcomes assigned, {what}, with the events."),
                |n| format!("Figure {n} shows, for each period, the share of the outcomes assigned that were outcome 16, 15, 14 and 18, a charge or summons, an out-of-court disposal and any other outcome; the dashed verticals are the events."),
            ));
        }
    }
    blocks.push(Block::Caveat {
        text: "An event dated in the analysis file is the analyst's statement of when a change began; a change after it is consistent with the event's effect but does not prove it, and the data cannot tell a relabelling of outcomes from a real change in victims' support.".into(),
    });
    Some(Section {
        id: "monitoring".into(),
        number: String::new(),
        title: "Is reliance falling?".into(),
        scope: c.scope_label.clone(),
        period: c.series_span(),
        blocks: number_tables(blocks),
    })
}
