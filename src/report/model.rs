//! The report's content: the run's summary and tables turned into sections of already
//! formatted text, figures and tables, which the HTML and Markdown templates lay out.
//!
//! Invariant: every number shown is a value of `summary.json` or a cell of a table, selected
//! (a focus force's row, the first and last quarter) and formatted, never computed; all the
//! wording lives here, so the HTML and Markdown reports say the same thing. Flags are
//! described by position ("above the 99.8% limit"), never by merit (METHODS.md §6).

use std::collections::BTreeMap;

use anyhow::{anyhow, bail, Context, Result};
use minijinja::Value;
use serde::Serialize;
use serde_json::Value as Json;

use super::format::{
    and_list, count, fixed, level, ordinal, p_value, percent, percent_range, signed_count,
    significant,
};
use super::html;
use crate::render::data::{RunData, TextTable};
use crate::render::style::month_phrase;
use crate::stats::{Flag, FlagLevels, Level};

/// The whole report.
#[derive(Debug, Serialize)]
pub struct Report {
    /// The analysis title.
    pub title: String,
    /// One line under the title: outcome, period, scope, basis.
    pub subtitle: String,
    /// The scope label (for a proxy, "DA proxy: violence offence codes …").
    pub scope_label: String,
    /// Set when the scope is a proxy: what it is and what it is not.
    pub proxy_note: Option<String>,
    /// The numbered sections, in order.
    pub sections: Vec<Section>,
}

/// One numbered section (a level-two heading).
#[derive(Debug, Serialize)]
pub struct Section {
    /// The HTML id.
    pub id: String,
    /// "1", "2", …, or "A" for the appendix.
    pub number: String,
    /// The heading text.
    pub title: String,
    /// The scope the section's figures are for (the run's scope label, or for the
    /// within-force section the extract's own scope).
    pub scope: String,
    /// The section's content in order.
    pub blocks: Vec<Block>,
}

/// A piece of a section.
#[derive(Debug, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Block {
    /// A level-three heading.
    Heading {
        /// The HTML id.
        id: String,
        /// The heading text.
        text: String,
    },
    /// A paragraph.
    Paragraph {
        /// The text.
        text: String,
    },
    /// A bulleted list.
    Bullets {
        /// One entry per bullet.
        items: Vec<String>,
    },
    /// A caveat the reader must not miss, set off from the text.
    Caveat {
        /// The text.
        text: String,
    },
    /// A chart with its caption and text alternative.
    Figure(Figure),
    /// A chart that this run does not hold: a note in its place.
    MissingChart {
        /// The note.
        text: String,
    },
    /// A table.
    Table(TableBlock),
}

/// A chart.
#[derive(Debug, Serialize)]
pub struct Figure {
    /// The HTML id.
    pub id: String,
    /// The figure number.
    pub number: u32,
    /// The caption.
    pub caption: String,
    /// The text alternative: what the chart shows, in words, starting "Figure N shows".
    pub description: String,
    /// The markup for the HTML report: sanitised inline SVG, or `None` when `image` is used.
    pub svg: Option<Value>,
    /// A `data:` URI for an `<img>` (a chart whose SVG could not be inlined, or a PNG).
    pub image: Option<Value>,
    /// The image path for the Markdown report, relative to the run folder.
    pub path: Option<String>,
}

/// A table.
#[derive(Debug, Serialize)]
pub struct TableBlock {
    /// The HTML id.
    pub id: String,
    /// "1", "2", … or "A1", "A2", ….
    pub number: String,
    /// The caption.
    pub caption: String,
    /// The columns.
    pub columns: Vec<Column>,
    /// The rows.
    pub rows: Vec<Row>,
    /// A note under the table.
    pub note: Option<String>,
}

/// A table column.
#[derive(Debug, Serialize)]
pub struct Column {
    /// The header text.
    pub name: String,
    /// Right-aligned (numbers).
    pub numeric: bool,
}

/// A table row.
#[derive(Debug, Serialize)]
pub struct Row {
    /// The cells, already formatted.
    pub cells: Vec<String>,
    /// A focus force's row, shown in bold.
    pub highlight: bool,
}

/// Builds the report from a run's data and charts (file name → bytes, as in `charts/`).
///
/// # Errors
///
/// When `summary.json` or a table lacks a field or column the report needs.
pub fn read(data: &RunData, charts: &[(String, Vec<u8>)]) -> Result<Report> {
    let context = Input::read(data, charts)?;
    let mut numbers = Numbers::default();
    let mut sections = vec![
        summary_section(&context),
        national_section(&context, &mut numbers)?,
        peer_section(&context, &mut numbers)?,
        trend_section(&context, &mut numbers)?,
        mix_section(&context, &mut numbers)?,
    ];
    if let Some(section) = within_section(&context, &mut numbers) {
        sections.push(section);
    }
    sections.push(methods_section(&context, &mut numbers)?);
    for (i, section) in sections.iter_mut().enumerate() {
        section.number = (i + 1).to_string();
    }
    sections.push(appendix_section(&context, &mut numbers)?);
    let c = &context;
    Ok(Report {
        title: c.title.clone(),
        subtitle: format!(
            "{} · {} · {} · {}",
            capitalise(&c.outcome_phrase),
            c.period,
            c.scope_label,
            c.basis_phrase
        ),
        scope_label: c.scope_label.clone(),
        proxy_note: c.proxy.then(|| proxy_note(c)),
        sections,
    })
}

/// Figure and table counters, in document order.
#[derive(Debug, Default)]
struct Numbers {
    figures: u32,
    tables: u32,
    appendix_tables: u32,
}

impl Numbers {
    fn table(&mut self) -> String {
        self.tables += 1;
        self.tables.to_string()
    }

    fn appendix_table(&mut self) -> String {
        self.appendix_tables += 1;
        format!("A{}", self.appendix_tables)
    }
}

/// One row of `force_comparison`, as read (numbers stay as the table holds them).
#[derive(Debug, Clone)]
struct ForceRow {
    force: String,
    numerator: f64,
    denominator: f64,
    rate: Option<f64>,
    ci_low: Option<f64>,
    ci_high: Option<f64>,
    z: Option<f64>,
    z_adjusted: Option<f64>,
    inner: (Option<f64>, Option<f64>),
    outer: (Option<f64>, Option<f64>),
    flag: Option<Flag>,
    flag_unadjusted: Option<Flag>,
    rank: Option<u64>,
    peer_group: String,
    in_national_set: bool,
    focus: bool,
    p_bh: Option<f64>,
}

/// A focus force as `summary.json` describes it.
#[derive(Debug, Clone)]
struct Focus {
    force: String,
    numerator: f64,
    denominator: f64,
    rate: f64,
    ci: (f64, f64),
    flag: Option<Flag>,
    flag_unadjusted: Option<Flag>,
    rank: Option<u64>,
    of: Option<u64>,
    peer_group: Option<String>,
    peer_rate_pooled: Option<f64>,
    peer_rate_mean: Option<f64>,
    expected: Option<f64>,
    excess: Option<f64>,
    ratio: Option<f64>,
    ratio_ci: Option<(f64, f64)>,
    trend: Option<TrendSummary>,
    /// The national set's periods this force holds no counts for (empty when it holds all).
    periods_missing: Vec<String>,
}

/// `summary.json`'s trend of a focus force.
#[derive(Debug, Clone)]
struct TrendSummary {
    first_period: String,
    first_rate: f64,
    last_period: String,
    last_rate: f64,
    direction: String,
    periods: u64,
    rule_hits: Vec<String>,
}

/// Everything the sections read, gathered once.
struct Input<'a> {
    data: &'a RunData,
    charts: BTreeMap<&'a str, &'a [u8]>,
    title: String,
    period: String,
    periods_compared: Vec<String>,
    outcome_phrase: String,
    outcome_descriptions: Vec<String>,
    scope_label: String,
    proxy: bool,
    basis_phrase: String,
    tidy: bool,
    denominator_phrase: String,
    national_set: String,
    n_units: u64,
    target: f64,
    target_kind: String,
    levels: FlagLevels,
    inner_text: String,
    outer_text: String,
    forces: Vec<ForceRow>,
    focus: Vec<Focus>,
    /// `summary.json`'s notices: what is partial, missing or left out (none in older runs).
    notices: Vec<String>,
}

impl<'a> Input<'a> {
    fn read(data: &'a RunData, charts: &'a [(String, Vec<u8>)]) -> Result<Input<'a>> {
        let s = &data.summary;
        let levels_json = get(s, "funnel.levels")?
            .as_array()
            .ok_or_else(|| anyhow!("summary.json: funnel.levels is not a list"))?;
        let level_at = |i: usize| -> Result<Level> {
            let c = levels_json
                .get(i)
                .and_then(Json::as_f64)
                .ok_or_else(|| anyhow!("summary.json: funnel.levels[{i}] is not a number"))?;
            Level::new(c).with_context(|| format!("summary.json: funnel.levels[{i}]"))
        };
        let (inner, outer) = (level_at(0)?, level_at(1)?);
        let levels = FlagLevels::new(outer, inner).context("summary.json: funnel.levels")?;
        let outcomes: Vec<String> = get(s, "outcome")?
            .as_array()
            .map(|a| a.iter().map(|v| v.to_string()).collect())
            .unwrap_or_default();
        let outcome_descriptions: Vec<String> = get(s, "outcome_descriptions")?
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default();
        let outcome_numbers = and_list(&outcomes);
        let outcome_phrase = if outcomes.len() == 1 {
            format!("outcome {outcome_numbers}")
        } else {
            format!("outcomes {outcome_numbers}")
        };
        let basis = text(s, "basis")?;
        let tidy = basis.starts_with("as published");
        let basis_phrase = match basis.as_str() {
            "assigned_in_period" => "outcomes assigned in the quarter".to_string(),
            "recorded_in_period" => "outcomes of offences recorded in the quarter".to_string(),
            other => other.to_string(),
        };
        let denominator_phrase = opt_text(s, "denominator.description")
            .or_else(|| opt_text(s, "denominator.name"))
            .unwrap_or_default();
        let scope_label = text(s, "scope.label")?;
        let proxy = get(s, "scope.proxy")?.as_bool().unwrap_or(false);
        let forces = read_forces(data.table("force_comparison")?, &levels)?;
        let focus = match get(s, "focus")?.as_array() {
            Some(list) => list
                .iter()
                .enumerate()
                .map(|(i, f)| {
                    read_focus(f, &levels).with_context(|| format!("summary.json: focus[{i}]"))
                })
                .collect::<Result<Vec<_>>>()?,
            None => Vec::new(),
        };
        let periods_compared = get(s, "periods_compared")?
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default();
        Ok(Input {
            data,
            charts: charts
                .iter()
                .map(|(name, bytes)| (name.as_str(), bytes.as_slice()))
                .collect(),
            title: text(s, "title")?,
            period: text(s, "period")?,
            periods_compared,
            outcome_phrase,
            outcome_descriptions,
            scope_label,
            proxy,
            basis_phrase,
            tidy,
            denominator_phrase,
            national_set: text(s, "national_set")?,
            n_units: get(s, "n_units")?
                .as_u64()
                .ok_or_else(|| anyhow!("summary.json: n_units is not a count"))?,
            target: number(s, "target")?,
            target_kind: text(s, "target_kind")?,
            inner_text: level(inner.confidence()),
            outer_text: level(outer.confidence()),
            levels,
            forces,
            focus,
            notices: s
                .get("notices")
                .and_then(Json::as_array)
                .map(|list| {
                    list.iter()
                        .filter_map(|n| n.get("text").and_then(Json::as_str))
                        .map(capitalise)
                        .map(|t| format!("{t}."))
                        .collect()
                })
                .unwrap_or_default(),
        })
    }

    fn summary(&self) -> &Json {
        &self.data.summary
    }

    /// A force's row of `force_comparison`.
    fn force_row(&self, force: &str) -> Option<&ForceRow> {
        self.forces.iter().find(|r| r.force == force)
    }

    /// The flag in words, at both levels.
    fn position(&self, flag: Flag) -> String {
        position_at(&self.levels, flag)
    }

    /// The flag in a table cell.
    fn flag_cell(&self, flag: Option<Flag>) -> String {
        let (inner, outer) = (&self.inner_text, &self.outer_text);
        match flag {
            Some(Flag::HighOuter) => format!("above {outer}"),
            Some(Flag::HighInner) => format!("above {inner}"),
            Some(Flag::Within) => "within".to_string(),
            Some(Flag::LowInner) => format!("below {inner}"),
            Some(Flag::LowOuter) => format!("below {outer}"),
            None => "–".to_string(),
        }
    }

    /// "(DA proxy: …, 2018/19)" for captions, so that every table and chart names its scope.
    fn scope_suffix(&self) -> String {
        format!("{}, {}", self.scope_label, self.period)
    }

    /// A figure for a chart stem (`funnel`, `trend-cleveland`, …), or a note when the run has
    /// neither its SVG nor its PNG.
    fn figure(
        &self,
        numbers: &mut Numbers,
        stem: &str,
        caption: String,
        description: impl FnOnce(u32) -> String,
    ) -> Block {
        let svg = self.charts.get(format!("{stem}.svg").as_str()).copied();
        let png = self.charts.get(format!("{stem}.png").as_str()).copied();
        if svg.is_none() && png.is_none() {
            return Block::MissingChart {
                text: format!(
                    "This run has no chart of this ({stem}.svg or {stem}.png in charts/); the table below holds its numbers."
                ),
            };
        }
        numbers.figures += 1;
        let number = numbers.figures;
        let inline = svg.and_then(|bytes| html::inline_svg(bytes, &format!("figure-{number}-")));
        let image = match (&inline, svg, png) {
            (Some(_), _, _) => None,
            (None, Some(bytes), _) => Some(html::data_uri("image/svg+xml", bytes)),
            (None, None, Some(bytes)) => Some(html::data_uri("image/png", bytes)),
            (None, None, None) => None,
        };
        let path = if png.is_some() {
            Some(format!("charts/{stem}.png"))
        } else {
            Some(format!("charts/{stem}.svg"))
        };
        Block::Figure(Figure {
            id: format!("figure-{number}"),
            number,
            caption: format!("Figure {number}. {caption}"),
            description: description(number),
            // Our own chart markup, checked against the allowlist in `html`; data URIs hold
            // only base64 characters. Neither carries text from data unescaped.
            svg: inline.map(Value::from_safe_string),
            image: image.map(Value::from_safe_string),
            path,
        })
    }
}

fn proxy_note(c: &Input) -> String {
    format!(
        "{}. This scope is a proxy: it selects violence offence codes under which much domestic abuse is recorded, \
         but the Home Office tables carry no domestic-abuse flag, so what share of each code is domestic abuse cannot be known from them. \
         Read every figure here as a figure for these offence codes, not for domestic abuse.",
        c.scope_label
    )
}

// ---------------------------------------------------------------------------------------
// 1. Summary

fn summary_section(c: &Input) -> Section {
    let mut blocks = Vec::new();
    blocks.push(Block::Paragraph {
        text: format!(
            "This report compares police forces' use of {} (\"{}\") in {} ({}). Each rate is the share of a force's outcomes that were {}; the outcomes counted (the denominator) are {}. \
             Forces are compared with the national rate of {} ({}) using funnel limits at {} and {}.",
            c.outcome_phrase,
            c.outcome_descriptions.join("\"; \""),
            c.period,
            c.scope_label,
            c.outcome_phrase,
            c.denominator_phrase,
            percent(c.target),
            target_phrase(c),
            c.inner_text,
            c.outer_text,
        ),
    });
    if !c.notices.is_empty() {
        blocks.push(Block::Caveat {
            text: format!(
                "Read the figures below with {}: the data they rest on are not whole.",
                if c.notices.len() == 1 {
                    "this in mind"
                } else {
                    "these in mind"
                }
            ),
        });
        blocks.push(Block::Bullets {
            items: c.notices.clone(),
        });
    }
    if c.focus.is_empty() {
        blocks.push(Block::Paragraph {
            text: "The analysis file names no focus force, so this report describes the national comparison only.".into(),
        });
    }
    for f in &c.focus {
        blocks.push(Block::Heading {
            id: format!("summary-{}", slug(&f.force)),
            text: f.force.clone(),
        });
        blocks.push(Block::Bullets {
            items: focus_summary(c, f),
        });
    }
    blocks.push(Block::Caveat {
        text: format!(
            "A force outside the limits is a prompt to look, not a verdict. The flags describe where a rate sits against limits drawn on the assumption that every force shares the national rate; \
             they say nothing about why it sits there (recording practice, the crimes a force faces, its population), and a high rate of {} is not in itself a judgement on a force.",
            c.outcome_phrase
        ),
    });
    Section {
        id: "summary".into(),
        number: String::new(),
        scope: c.scope_label.clone(),
        title: "Summary".into(),
        blocks,
    }
}

fn target_phrase(c: &Input) -> String {
    match c.target_kind.as_str() {
        "pooled" => format!("the pooled rate of {}", c.national_set),
        _ => "a fixed target set in the analysis file".to_string(),
    }
}

/// The plain-words bullets for one focus force.
fn focus_summary(c: &Input, f: &Focus) -> Vec<String> {
    let mut items = Vec::new();
    let peer = match (&f.peer_group, f.peer_rate_pooled, f.peer_rate_mean) {
        (Some(group), Some(pooled), Some(mean)) => format!(
            "; its peer group ({group}) had a pooled rate of {} and a mean of member rates of {}",
            percent(pooled),
            percent(mean)
        ),
        _ => "; it has no peer group".to_string(),
    };
    items.push(format!(
        "Rate: {} of {}'s outcomes in {} were {} ({} of {}; 95% interval {}), against a national rate of {}{}.",
        percent(f.rate),
        f.force,
        c.period,
        c.outcome_phrase,
        count(f.numerator),
        count(f.denominator),
        percent_range(f.ci.0, f.ci.1),
        percent(c.target),
        peer,
    ));
    if !f.periods_missing.is_empty() {
        let held = c
            .periods_compared
            .len()
            .saturating_sub(f.periods_missing.len());
        items.push(format!(
            "Partial: {} holds counts for {held} of the {} periods the national set holds (none for {}), so its rate is over those {held} against the others' {}.",
            f.force,
            c.periods_compared.len(),
            f.periods_missing.join(", "),
            c.periods_compared.len()
        ));
    }
    if let Some(flag) = f.flag {
        let mut text = format!(
            "Position: after the overdispersion adjustment, {} is {}.",
            f.force,
            c.position(flag)
        );
        match f.flag_unadjusted {
            Some(unadjusted) if unadjusted != flag => text.push_str(&format!(
                " Without the adjustment it would be {}.",
                c.position(unadjusted)
            )),
            Some(_) => text.push_str(" Without the adjustment its position is the same."),
            None => {}
        }
        items.push(text);
    }
    items.push(match (f.rank, f.of) {
        (Some(1), Some(of)) => format!("Rank: the highest rate of the {of} forces in the national set (rank 1 of {of})."),
        (Some(rank), Some(of)) if rank == of => {
            format!("Rank: the lowest rate of the {of} forces in the national set (rank {rank} of {of}).")
        }
        (Some(rank), Some(of)) => format!(
            "Rank: the {} highest rate of the {of} forces in the national set (rank {rank} of {of}).",
            ordinal(rank)
        ),
        _ => format!("Rank: {} is not in the national set, so it has no rank.", f.force),
    });
    if let Some(t) = &f.trend {
        items.push(format!("Trend: {}", trend_sentence(c, &f.force, t)));
    }
    if let (Some(excess), Some(expected)) = (f.excess, f.expected) {
        let ratio = match (f.ratio, f.ratio_ci) {
            (Some(r), Some((lo, hi))) => format!(
                "; standardised ratio {}, 95% interval {} to {}",
                fixed(r, 2),
                fixed(lo, 2),
                fixed(hi, 2)
            ),
            _ => String::new(),
        };
        items.push(format!(
            "Excess: {} closed {} with {} than the national rates for its offence mix predict ({} observed against {} expected{ratio}).",
            f.force,
            more_or_fewer(excess),
            c.outcome_phrase,
            count(f.numerator),
            count(expected),
        ));
    }
    items
}

/// "5,422 more crimes" or "166 fewer crimes".
fn more_or_fewer(x: f64) -> String {
    if x < 0.0 {
        format!("{} fewer crimes", count(-x))
    } else {
        format!("{} more crimes", count(x))
    }
}

/// Is reliance falling? The first and last quarter, and what the SPC rules say.
fn trend_sentence(c: &Input, force: &str, t: &TrendSummary) -> String {
    let change = match t.direction.as_str() {
        "falling" => format!(
            "{force}'s rate was lower in {} ({}) than in {} ({}).",
            t.last_period,
            percent(t.last_rate),
            t.first_period,
            percent(t.first_rate)
        ),
        "rising" => format!(
            "{force}'s rate was higher in {} ({}) than in {} ({}): on this measure its reliance on {} is not falling.",
            t.last_period,
            percent(t.last_rate),
            t.first_period,
            percent(t.first_rate),
            c.outcome_phrase
        ),
        _ => format!(
            "{force}'s rate was the same in {} as in {} ({}).",
            t.last_period,
            t.first_period,
            percent(t.last_rate)
        ),
    };
    let signals = if t.rule_hits.is_empty() {
        " No SPC rule marks a signal, so the change is within the quarter-to-quarter variation the control chart expects.".to_string()
    } else {
        format!(" SPC rules mark a signal in {}.", and_list(&t.rule_hits))
    };
    let short = match (spc_length(c, "shift_length"), spc_length(c, "trend_length")) {
        (Some(shift), Some(trend)) if t.periods < shift.min(trend) => format!(
            " With {} quarters the shift and trend rules ({}) cannot be met; a longer series is needed to show a sustained change.",
            t.periods,
            rule_points(shift, trend)
        ),
        _ => String::new(),
    };
    format!("{change}{signals}{short}")
}

/// "7 points each" or "7 and 5 points".
fn rule_points(shift: u64, trend: u64) -> String {
    if shift == trend {
        format!("{shift} points each")
    } else {
        format!("{shift} and {trend} points")
    }
}

fn spc_length(c: &Input, key: &str) -> Option<u64> {
    get(c.summary(), &format!("spc.{key}")).ok()?.as_u64()
}

// ---------------------------------------------------------------------------------------
// 2. National comparison

fn national_section(c: &Input, numbers: &mut Numbers) -> Result<Section> {
    let s = c.summary();
    let mut blocks = Vec::new();
    let phi = number(s, "phi")?;
    let tau2 = number(s, "tau2")?;
    let p = number(s, "overdispersion_test.p_value")?;
    blocks.push(Block::Paragraph {
        text: format!(
            "Each force's rate is compared with the national rate of {} ({}; {} units). The limits are {}.",
            percent(c.target),
            target_phrase(c),
            c.n_units,
            text(s, "funnel.description")?,
        ),
    });
    blocks.push(Block::Paragraph {
        text: adjustment_sentence(c, phi, tau2, p)?,
    });
    let mut items = Vec::new();
    for flag in [
        Flag::HighOuter,
        Flag::HighInner,
        Flag::LowInner,
        Flag::LowOuter,
    ] {
        let name = flag.name(&c.levels);
        let forces: Vec<String> = get(s, &format!("flags.{name}"))
            .ok()
            .and_then(Json::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default();
        if !forces.is_empty() {
            items.push(format!(
                "{}: {}.",
                capitalise(&c.position(flag)),
                and_list(&forces)
            ));
        }
    }
    if items.is_empty() {
        items.push(format!(
            "Every force in the national set is {}.",
            c.position(Flag::Within)
        ));
    } else {
        items.push(format!(
            "Every other force in the national set is {}.",
            c.position(Flag::Within)
        ));
    }
    blocks.push(Block::Paragraph {
        text: "Where the forces sit after the overdispersion adjustment:".into(),
    });
    blocks.push(Block::Bullets { items });

    // The funnel and its table.
    let funnel_table_number = numbers.tables + 1;
    let focus_phrase = focus_positions(c);
    blocks.push(c.figure(
        numbers,
        "funnel",
        format!(
            "Funnel plot: each force's rate of {} against its number of outcomes, with the national rate and the {} and {} limits ({}).",
            c.outcome_phrase,
            c.inner_text,
            c.outer_text,
            c.scope_suffix()
        ),
        |n| {
            format!(
                "Figure {n} shows each force as a point at its number of outcomes (horizontal axis) and its rate (vertical axis), with the national rate of {} as a line and the {} and {} limits as a funnel around it. {focus_phrase}Table {funnel_table_number} gives the numbers.",
                percent(c.target),
                c.inner_text,
                c.outer_text,
            )
        },
    ));
    blocks.push(Block::Table(funnel_table(c, numbers)));

    // The caterpillar and its table.
    let caterpillar_table_number = numbers.tables + 1;
    blocks.push(c.figure(
        numbers,
        "caterpillar",
        format!(
            "Each force's rate of {} with its 95% confidence interval, in rank order, against the national rate ({}).",
            c.outcome_phrase,
            c.scope_suffix()
        ),
        |n| {
            format!(
                "Figure {n} shows each force's rate as a point with a bar for its 95% confidence interval, forces ordered by rate, and the national rate of {} as a vertical line. {}Table {caterpillar_table_number} gives the numbers.",
                percent(c.target),
                focus_ranks(c),
            )
        },
    ));
    blocks.push(Block::Table(caterpillar_table(c, numbers)));

    // Flags that depend on the adjustment.
    let changes = get(s, "flag_differs_when_unadjusted")?
        .as_array()
        .cloned()
        .unwrap_or_default();
    if changes.is_empty() {
        blocks.push(Block::Paragraph {
            text: "No force's flag depends on the overdispersion adjustment.".into(),
        });
    } else {
        blocks.push(Block::Paragraph {
            text: "Without the overdispersion adjustment, the limits allow for chance alone and are much narrower, so more forces fall outside them. The table below lists every force whose flag depends on the adjustment.".into(),
        });
        let rows = changes
            .iter()
            .map(|change| {
                let force = change.get("force").and_then(Json::as_str).unwrap_or("");
                let flag = |key: &str| {
                    change
                        .get(key)
                        .and_then(Json::as_str)
                        .and_then(|name| parse_flag(name, &c.levels))
                };
                Row {
                    cells: vec![
                        force.to_string(),
                        c.flag_cell(flag("flag")),
                        c.flag_cell(flag("flag_unadjusted")),
                    ],
                    highlight: c.focus.iter().any(|f| f.force == force),
                }
            })
            .collect();
        blocks.push(Block::Table(TableBlock {
            id: String::new(),
            number: numbers.table(),
            caption: format!(
                "Forces whose flag differs with and without the overdispersion adjustment ({}).",
                c.scope_suffix()
            ),
            columns: vec![
                text_column("Force"),
                text_column("Adjusted limits"),
                text_column("Unadjusted limits"),
            ],
            rows,
            note: None,
        }));
    }
    let outside: Vec<String> = c
        .forces
        .iter()
        .filter(|r| !r.in_national_set)
        .map(|r| r.force.clone())
        .collect();
    if !outside.is_empty() {
        blocks.push(Block::Paragraph {
            text: format!(
                "{} {} shown for reference against the same limits, but {} not in the national set: {} no part in the national rate, φ or τ², and {} no rank.",
                and_list(&outside),
                if outside.len() == 1 { "is" } else { "are" },
                if outside.len() == 1 { "is" } else { "are" },
                if outside.len() == 1 { "it plays" } else { "they play" },
                if outside.len() == 1 { "has" } else { "have" },
            ),
        });
    }
    Ok(Section {
        id: "national".into(),
        number: String::new(),
        scope: c.scope_label.clone(),
        title: "National comparison".into(),
        blocks: number_tables(blocks),
    })
}

/// "Cleveland (27.3%, 64,680 outcomes) is above the 95% limit but within the 99.8% limit. "
fn focus_positions(c: &Input) -> String {
    c.focus
        .iter()
        .filter_map(|f| {
            f.flag.map(|flag| {
                format!(
                    "{} ({}, {} outcomes) is {}. ",
                    f.force,
                    percent(f.rate),
                    count(f.denominator),
                    c.position(flag)
                )
            })
        })
        .collect()
}

/// "Cleveland is ranked 3 of 43. "
fn focus_ranks(c: &Input) -> String {
    c.focus
        .iter()
        .filter_map(|f| match (f.rank, f.of) {
            (Some(rank), Some(of)) => Some(format!("{} is ranked {rank} of {of}. ", f.force)),
            _ => None,
        })
        .collect()
}

fn adjustment_sentence(c: &Input, phi: f64, tau2: f64, p: f64) -> Result<String> {
    let s = c.summary();
    let model = text(s, "funnel.overdispersion")?;
    let scale = text(s, "funnel.scale")?;
    let applied = get(s, "funnel.adjustment_applied")?
        .as_bool()
        .ok_or_else(|| anyhow!("summary.json: funnel.adjustment_applied is not true or false"))?;
    let measured = format!(
        "The overdispersion factor is φ = {} (it would be close to 1 if forces differed by chance alone; overdispersion test p {}), and the between-force variance is τ² = {} on the {scale} scale.",
        significant(phi, 4),
        if p < 0.0001 { "below 0.0001".to_string() } else { format!("= {}", p_value(p)) },
        significant(tau2, 4),
    );
    let applied_text = if applied {
        format!(
            " The limits allow for it: the {model} overdispersion adjustment was applied, so large forces are judged against the typical spread between forces, not against sampling noise alone."
        )
    } else if model == "none" {
        " The overdispersion adjustment was not applied, because the analysis file asks for none: the limits allow for chance variation only, and at force-level denominators most forces can fall outside them.".to_string()
    } else if text(s, "funnel.adjust_when")? == "significant" && p >= 0.05 {
        format!(
            " The {model} overdispersion adjustment was not applied, because the analysis file applies it only when the overdispersion test is significant at 5%, and it is not: the adjusted limits are the unadjusted ones."
        )
    } else {
        format!(
            " The {model} overdispersion adjustment was not applied, because the estimate gives no extra variation to allow for: the adjusted limits are the unadjusted ones."
        )
    };
    Ok(format!("{measured}{applied_text}"))
}

/// Forces in rank order (those without a rank last, by name).
fn ranked<'c>(c: &'c Input) -> Vec<&'c ForceRow> {
    let mut rows: Vec<&ForceRow> = c.forces.iter().collect();
    rows.sort_by(|a, b| {
        (a.rank.is_none(), a.rank, &a.force).cmp(&(b.rank.is_none(), b.rank, &b.force))
    });
    rows
}

fn funnel_table(c: &Input, numbers: &mut Numbers) -> TableBlock {
    let rows = ranked(c)
        .into_iter()
        .map(|r| Row {
            cells: vec![
                r.force.clone(),
                count(r.numerator),
                count(r.denominator),
                opt_percent(r.rate),
                limit_cell(r.inner),
                limit_cell(r.outer),
                c.flag_cell(r.flag),
            ],
            highlight: r.focus,
        })
        .collect();
    TableBlock {
        id: String::new(),
        number: numbers.table(),
        caption: format!(
            "The funnel plot's data: each force's count of {}, outcomes, rate, the adjusted limits at its number of outcomes, and its flag ({}).",
            c.outcome_phrase,
            c.scope_suffix()
        ),
        columns: vec![
            text_column("Force"),
            number_column(&capitalise(&c.outcome_phrase)),
            number_column("Outcomes"),
            number_column("Rate"),
            number_column(&format!("{} limits", c.inner_text)),
            number_column(&format!("{} limits", c.outer_text)),
            text_column("Position"),
        ],
        rows,
        note: Some(format!(
            "Forces in rank order. Limits are those after the overdispersion adjustment; rows in bold are focus forces. National rate {}.",
            percent(c.target)
        )),
    }
}

fn caterpillar_table(c: &Input, numbers: &mut Numbers) -> TableBlock {
    let rows = ranked(c)
        .into_iter()
        .map(|r| Row {
            cells: vec![
                r.rank.map(|k| k.to_string()).unwrap_or_else(|| "–".into()),
                r.force.clone(),
                opt_percent(r.rate),
                match (r.ci_low, r.ci_high) {
                    (Some(lo), Some(hi)) => percent_range(lo, hi),
                    _ => "–".into(),
                },
                c.flag_cell(r.flag),
                c.flag_cell(r.flag_unadjusted),
            ],
            highlight: r.focus,
        })
        .collect();
    TableBlock {
        id: String::new(),
        number: numbers.table(),
        caption: format!(
            "The caterpillar plot's data: each force's rank, rate and 95% confidence interval (Wilson), with its position against the adjusted and the unadjusted limits ({}).",
            c.scope_suffix()
        ),
        columns: vec![
            number_column("Rank"),
            text_column("Force"),
            number_column("Rate"),
            number_column("95% interval"),
            text_column("Adjusted limits"),
            text_column("Unadjusted limits"),
        ],
        rows,
        note: Some("Rank 1 is the highest rate. Rows in bold are focus forces.".into()),
    }
}

// ---------------------------------------------------------------------------------------
// 3. Peer groups

fn peer_section(c: &Input, numbers: &mut Numbers) -> Result<Section> {
    let mut blocks = Vec::new();
    let peers = c.data.table("peer_groups")?;
    if c.focus.is_empty() {
        blocks.push(Block::Paragraph {
            text: "The analysis file names no focus force, so no peer group is discussed here; every configured peer group is listed in the appendix.".into(),
        });
    }
    for f in &c.focus {
        blocks.push(Block::Heading {
            id: format!("peers-{}", slug(&f.force)),
            text: f.force.clone(),
        });
        let Some(group) = f.peer_group.as_deref() else {
            blocks.push(Block::Paragraph {
                text: format!("No peer group is configured for {}.", f.force),
            });
            continue;
        };
        let Some(row) = (0..peers.len()).find(|&i| peers.text(i, "peer_group").ok() == Some(group))
        else {
            bail!(
                "tables/peer_groups.csv has no row for {group:?}, the peer group of {}",
                f.force
            );
        };
        let members = split_members(peers.text(row, "members")?);
        let without = split_members(peers.text(row, "members_without_data")?);
        let owner = peers.text(row, "owner")?;
        let owner_phrase = if owner.is_empty() {
            String::new()
        } else {
            format!(", the group configured for {owner}")
        };
        blocks.push(Block::Paragraph {
            text: format!(
                "{}'s peer group is {group}{owner_phrase}: {}. Together they had a pooled rate of {} ({} of {} outcomes); the mean of the member rates, which counts each force once whatever its size and includes {} itself as the HMIC most-similar-group average does, is {}. {} itself: {}.",
                f.force,
                and_list(&members),
                opt_percent(peers.number(row, "rate_pooled")?),
                count(peers.number(row, "numerator")?.unwrap_or(f64::NAN)),
                count(peers.number(row, "denominator")?.unwrap_or(f64::NAN)),
                f.force,
                opt_percent(peers.number(row, "rate_mean")?),
                f.force,
                percent(f.rate),
            ),
        });
        if !without.is_empty() {
            blocks.push(Block::Paragraph {
                text: format!("No data for: {}.", and_list(&without)),
            });
        }
        let mut rows: Vec<&ForceRow> = members.iter().filter_map(|m| c.force_row(m)).collect();
        rows.sort_by(|a, b| {
            (a.rank.is_none(), a.rank, &a.force).cmp(&(b.rank.is_none(), b.rank, &b.force))
        });
        blocks.push(Block::Table(TableBlock {
            id: String::new(),
            number: numbers.table(),
            caption: format!(
                "The forces of {group}, placed against the national limits ({}).",
                c.scope_suffix()
            ),
            columns: vec![
                text_column("Force"),
                number_column(&capitalise(&c.outcome_phrase)),
                number_column("Outcomes"),
                number_column("Rate"),
                number_column("95% interval"),
                number_column("National rank"),
                text_column("Position (national limits)"),
            ],
            rows: rows
                .into_iter()
                .map(|r| Row {
                    cells: vec![
                        r.force.clone(),
                        count(r.numerator),
                        count(r.denominator),
                        opt_percent(r.rate),
                        match (r.ci_low, r.ci_high) {
                            (Some(lo), Some(hi)) => percent_range(lo, hi),
                            _ => "–".into(),
                        },
                        r.rank.map(|k| k.to_string()).unwrap_or_else(|| "–".into()),
                        c.flag_cell(r.flag),
                    ],
                    highlight: r.focus,
                })
                .collect(),
            note: Some(format!(
                "Pooled peer rate {}; mean of member rates {}; national rate {}.",
                opt_percent(peers.number(row, "rate_pooled")?),
                opt_percent(peers.number(row, "rate_mean")?),
                percent(c.target)
            )),
        }));
        blocks.push(Block::Caveat {
            text: "A peer group has only a handful of forces (most similar groups have about eight). φ and τ² estimated from so few units are unstable, so this report draws no peer-only funnel: each peer is placed against the national limits, and the pooled and mean peer rates are descriptive only.".into(),
        });
    }
    Ok(Section {
        id: "peers".into(),
        number: String::new(),
        scope: c.scope_label.clone(),
        title: "Peer-group comparison".into(),
        blocks: number_tables(blocks),
    })
}

/// Members as `peer_groups.csv` lists them: names joined by "; ".
fn split_members(text: &str) -> Vec<String> {
    text.split("; ")
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
        .collect()
}

// ---------------------------------------------------------------------------------------
// 4. Trend and SPC

fn trend_section(c: &Input, numbers: &mut Numbers) -> Result<Section> {
    let mut blocks = Vec::new();
    let trend = c.data.table("trend")?;
    let shift = spc_length(c, "shift_length");
    let trend_length = spc_length(c, "trend_length");
    let screened = get(c.summary(), "spc.screen_moving_ranges")
        .ok()
        .and_then(Json::as_bool)
        .unwrap_or(true);
    blocks.push(Block::Paragraph {
        text: format!(
            "Is reliance on {} falling? Each focus force's quarterly rate is shown against the national and peer-group rates, and on a Laney p′ control chart. \
             The chart's centre line is the force's rate over the whole period; its limits widen the usual binomial limits by the typical quarter-to-quarter variation, and they differ from quarter to quarter because each quarter has its own number of outcomes. \
             Moving ranges {} screened before the limits are set. Points are marked when they lie beyond the 3-sigma limits, when {} consecutive points lie on one side of the centre line (a shift), when {} consecutive points rise or fall (a trend), or when two of three points lie beyond 2 sigma on the same side.",
            c.outcome_phrase,
            if screened { "above 3.267 times their mean are" } else { "are not" },
            shift.map(|s| s.to_string()).unwrap_or_else(|| "–".into()),
            trend_length.map(|s| s.to_string()).unwrap_or_else(|| "–".into()),
        ),
    });
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
        let rows: Vec<usize> = (0..trend.len())
            .filter(|&i| trend.text(i, "force").ok() == Some(f.force.as_str()))
            .collect();
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
                f.force, c.outcome_phrase, c.scope_suffix()
            ),
            |n| format!(
                "Figure {n} shows {}'s rate in each quarter {first_last}, as a line with 95% confidence intervals, beside the national rate and the pooled rate of its peer group. Table {series_table} gives the numbers.",
                f.force
            ),
        ));
        blocks.push(Block::Table(series_table_block(
            c, numbers, trend, &rows, &f.force,
        )?));
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
                c.scope_suffix()
            ),
            |n| format!(
                "Figure {n} shows {}'s quarterly rate with the chart's centre line and its 2-sigma and 3-sigma limits. {hits} Table {spc_table} gives the numbers.",
                f.force
            ),
        ));
        blocks.push(Block::Table(spc_table_block(
            c, numbers, trend, &rows, &f.force,
        )?));
    }
    // Every force's series, as small multiples.
    let pivot_table = numbers.tables + 1;
    blocks.push(c.figure(
        numbers,
        "small-multiples",
        format!("Every force's quarterly rate of {}, one small panel per force ({}).", c.outcome_phrase, c.scope_suffix()),
        |n| format!("Figure {n} shows one small chart per force with its quarterly rate on a common scale. Table {pivot_table} gives the numbers."),
    ));
    if let Some(table) = pivot_block(c, numbers, trend)? {
        blocks.push(Block::Table(table));
    }
    Ok(Section {
        id: "trend".into(),
        number: String::new(),
        scope: c.scope_label.clone(),
        title: "Trend and SPC: is reliance falling?".into(),
        blocks: number_tables(blocks),
    })
}

fn series_table_block(
    c: &Input,
    numbers: &mut Numbers,
    trend: &TextTable,
    rows: &[usize],
    force: &str,
) -> Result<TableBlock> {
    let mut out = Vec::new();
    for &i in rows {
        out.push(Row {
            cells: vec![
                trend.text(i, "period")?.to_string(),
                count(trend.number(i, "numerator")?.unwrap_or(f64::NAN)),
                count(trend.number(i, "denominator")?.unwrap_or(f64::NAN)),
                opt_percent(trend.number(i, "rate")?),
                match (trend.number(i, "ci95_low")?, trend.number(i, "ci95_high")?) {
                    (Some(lo), Some(hi)) => percent_range(lo, hi),
                    _ => "–".into(),
                },
                opt_percent(trend.number(i, "national_rate")?),
                opt_percent(trend.number(i, "peer_rate_pooled")?),
            ],
            highlight: false,
        });
    }
    Ok(TableBlock {
        id: String::new(),
        number: numbers.table(),
        caption: format!(
            "{force}'s quarterly series with the national and peer-group rates ({}).",
            c.scope_suffix()
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
    })
}

fn spc_table_block(
    c: &Input,
    numbers: &mut Numbers,
    trend: &TextTable,
    rows: &[usize],
    force: &str,
) -> Result<TableBlock> {
    let mut out = Vec::new();
    for &i in rows {
        let mut rules = Vec::new();
        for (column, name) in [
            ("rule_beyond_limits", "beyond the 3-sigma limits"),
            ("rule_shift", "shift"),
            ("rule_trend", "trend"),
            ("rule_two_of_three", "two of three beyond 2 sigma"),
        ] {
            if trend.flag(i, column)? {
                rules.push(name.to_string());
            }
        }
        out.push(Row {
            cells: vec![
                trend.text(i, "period")?.to_string(),
                opt_percent(trend.number(i, "rate")?),
                opt_percent(trend.number(i, "spc_centre")?),
                opt_percent(trend.number(i, "spc_lower_3sigma")?),
                opt_percent(trend.number(i, "spc_lower_2sigma")?),
                opt_percent(trend.number(i, "spc_upper_2sigma")?),
                opt_percent(trend.number(i, "spc_upper_3sigma")?),
                if rules.is_empty() {
                    "none".into()
                } else {
                    rules.join("; ")
                },
            ],
            highlight: !rules.is_empty(),
        });
    }
    Ok(TableBlock {
        id: String::new(),
        number: numbers.table(),
        caption: format!("The control chart's data for {force}: rate, centre line, limits and rule hits by quarter ({}).", c.scope_suffix()),
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
    })
}

/// Every force's rate by quarter (a table with one column per quarter).
fn pivot_block(c: &Input, numbers: &mut Numbers, trend: &TextTable) -> Result<Option<TableBlock>> {
    if trend.is_empty() {
        return Ok(None);
    }
    let mut periods: Vec<String> = Vec::new();
    let mut by_force: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    for i in 0..trend.len() {
        let period = trend.text(i, "period")?.to_string();
        if !periods.contains(&period) {
            periods.push(period.clone());
        }
        by_force
            .entry(trend.text(i, "force")?.to_string())
            .or_default()
            .insert(period, opt_percent(trend.number(i, "rate")?));
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
    Ok(Some(TableBlock {
        id: String::new(),
        number: numbers.table(),
        caption: format!(
            "Every force's rate of {} by quarter ({}).",
            c.outcome_phrase,
            c.scope_suffix()
        ),
        columns,
        rows,
        note: None,
    }))
}

// ---------------------------------------------------------------------------------------
// 5. Offence mix

fn mix_section(c: &Input, numbers: &mut Numbers) -> Result<Section> {
    let mut blocks = Vec::new();
    let mix = c.data.table("offence_mix")?;
    let summary = c.data.table("offence_mix_summary")?;
    let stratum = if mix.headers.iter().any(|h| h == "offence_code") {
        "offence_code"
    } else {
        "offence_group"
    };
    let stratum_word = if stratum == "offence_code" {
        "offence code"
    } else {
        "offence group"
    };
    blocks.push(Block::Paragraph {
        text: format!(
            "Rates of {} differ greatly between offences, so a force that records more of a high-rate offence has a higher overall rate for that reason alone. \
             Indirect standardisation by {stratum_word} asks how many closures a force would have had if each of its {stratum_word}s had the national rate for that {stratum_word}. \
             The gap between a force's count and what the plain national rate predicts splits exactly into the part explained by its offence mix and the excess that the mix does not explain.",
            c.outcome_phrase
        ),
    });
    if c.focus.is_empty() {
        blocks.push(Block::Paragraph {
            text: "The analysis file names no focus force, so no force is standardised.".into(),
        });
    }
    for f in &c.focus {
        blocks.push(Block::Heading {
            id: format!("mix-{}", slug(&f.force)),
            text: f.force.clone(),
        });
        let Some(row) =
            (0..summary.len()).find(|&i| summary.text(i, "force").ok() == Some(f.force.as_str()))
        else {
            blocks.push(Block::Paragraph {
                text: if c.tidy {
                    format!("The inputs are tidy counts without offence detail, so {}'s rate cannot be standardised for offence mix.", f.force)
                } else {
                    format!("The run has no offence-mix standardisation for {}.", f.force)
                },
            });
            continue;
        };
        let observed = summary.number(row, "observed")?.unwrap_or(f64::NAN);
        let expected = summary.number(row, "expected")?.unwrap_or(f64::NAN);
        let gap = summary.number(row, "gap_vs_national")?.unwrap_or(f64::NAN);
        let explained = summary
            .number(row, "explained_by_offence_mix")?
            .unwrap_or(f64::NAN);
        let excess = summary.number(row, "excess")?.unwrap_or(f64::NAN);
        let ratio = summary.number(row, "ratio")?;
        let ratio_ci = (
            summary.number(row, "ratio_ci95_low")?,
            summary.number(row, "ratio_ci95_high")?,
        );
        let method = match summary.text(row, "interval_method")? {
            "byar" => "Byar's approximation",
            "exact" => "the exact Poisson interval",
            other => other,
        };
        blocks.push(Block::Paragraph {
            text: format!(
                "At the national rate for each {stratum_word}, {}'s offences would have given {} closures with {}; it had {}. The standardised ratio (observed ÷ expected) is {} (95% interval {} to {}, {method}); 1 would mean exactly as expected for its offence mix.",
                f.force,
                count(expected),
                c.outcome_phrase,
                count(observed),
                ratio.map(|r| fixed(r, 2)).unwrap_or_else(|| "–".into()),
                ratio_ci.0.map(|r| fixed(r, 2)).unwrap_or_else(|| "–".into()),
                ratio_ci.1.map(|r| fixed(r, 2)).unwrap_or_else(|| "–".into()),
            ),
        });
        let explained_text = if explained < 0.0 {
            format!(
                "its offence mix accounts for {} closures: at national rates its mix of offences would give fewer closures than the all-offence national rate predicts, so the mix explains none of the gap",
                signed_count(explained)
            )
        } else {
            format!(
                "its offence mix explains {} closures",
                signed_count(explained)
            )
        };
        blocks.push(Block::Paragraph {
            text: format!(
                "Against the plain national rate of {}, {}'s gap is {} closures. Of that gap, {explained_text}, and {} closures are not explained by offence mix (the excess).",
                percent(c.target),
                f.force,
                signed_count(gap),
                signed_count(excess),
            ),
        });
        let mut rows: Vec<usize> = (0..mix.len())
            .filter(|&i| mix.text(i, "force").ok() == Some(f.force.as_str()))
            .collect();
        // Largest contribution to the excess first: which offences drive the rate.
        let mut keyed = Vec::new();
        for &i in &rows {
            keyed.push((
                mix.number(i, "excess_not_explained")?
                    .unwrap_or(f64::NEG_INFINITY),
                i,
            ));
        }
        keyed.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        rows = keyed.iter().map(|(_, i)| *i).collect();
        let label = |i: usize| -> Result<String> {
            let code = mix.text(i, stratum)?;
            Ok(
                match mix.headers.iter().any(|h| h == "offence_description") {
                    true => format!("{code} {}", mix.text(i, "offence_description")?),
                    false => code.to_string(),
                },
            )
        };
        let drivers: Vec<String> = keyed
            .iter()
            .filter(|(x, _)| *x > 0.0)
            .take(3)
            .map(|(x, i)| Ok(format!("{} ({})", label(*i)?, signed_count(*x))))
            .collect::<Result<_>>()?;
        if !drivers.is_empty() {
            blocks.push(Block::Paragraph {
                text: format!(
                    "The {stratum_word}s that add most to the excess are {}.",
                    and_list(&drivers)
                ),
            });
        }
        let table_number = numbers.tables + 1;
        blocks.push(c.figure(
            numbers,
            &format!("offence-mix-{}", slug(&f.force)),
            format!("{}'s rate of {} by {stratum_word} against the national rate for each ({}).", f.force, c.outcome_phrase, c.scope_suffix()),
            |n| format!(
                "Figure {n} shows, for each {stratum_word}, {}'s rate beside the national rate for that {stratum_word}, and its standardised ratio (observed ÷ expected) with its 95% interval against 1. Table {table_number} gives the numbers.",
                f.force
            ),
        ));
        let mut table_rows = Vec::new();
        for i in rows {
            table_rows.push(Row {
                cells: vec![
                    label(i)?,
                    count(mix.number(i, "numerator")?.unwrap_or(f64::NAN)),
                    count(mix.number(i, "denominator")?.unwrap_or(f64::NAN)),
                    opt_percent(mix.number(i, "rate")?),
                    opt_percent(mix.number(i, "national_rate")?),
                    opt_count(mix.number(i, "expected")?),
                    opt_signed(mix.number(i, "excess_offence_mix")?),
                    opt_signed(mix.number(i, "excess_not_explained")?),
                ],
                highlight: false,
            });
        }
        blocks.push(Block::Table(TableBlock {
            id: String::new(),
            number: numbers.table(),
            caption: format!("{}'s offence mix: each {stratum_word}'s count, rate, national rate, expected count and its part of the gap ({}).", f.force, c.scope_suffix()),
            columns: vec![
                text_column(&capitalise(stratum_word)),
                number_column(&capitalise(&c.outcome_phrase)),
                number_column("Outcomes"),
                number_column("Rate"),
                number_column("National rate"),
                number_column("Expected"),
                number_column("Offence mix"),
                number_column("Not explained"),
            ],
            rows: table_rows,
            note: Some(format!(
                "Ordered by the closures not explained by offence mix, largest first. Totals: expected {}, offence mix {}, not explained {}.",
                count(expected),
                signed_count(explained),
                signed_count(excess)
            )),
        }));
    }
    blocks.push(Block::Caveat {
        text: format!(
            "The split depends on the strata chosen (here, {stratum_word}s) and needs them to be defined the same way for every force. The national rates include each force itself, which matters most for the largest forces. {}s with very few outcomes add noise rather than information.",
            capitalise(stratum_word)
        ),
    });
    Ok(Section {
        id: "offence-mix".into(),
        number: String::new(),
        scope: c.scope_label.clone(),
        title: "Offence mix".into(),
        blocks: number_tables(blocks),
    })
}

// ---------------------------------------------------------------------------------------
// 6. Within-force breakdown

fn within_section(c: &Input, numbers: &mut Numbers) -> Option<Section> {
    let extracts: Vec<(&String, &TextTable)> = c
        .data
        .tables
        .iter()
        .filter(|(name, _)| name.starts_with("extract_"))
        .collect();
    if extracts.is_empty() {
        return None;
    }
    let mut blocks = vec![Block::Paragraph {
        text: "These tables and charts come from a force's own record-level data, not from the Home Office tables: they break the force's figures down by area, investigating unit, offence, month and victim.".into(),
    }];
    let extract = c.summary().get("extract");
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
            .summary()
            .get("extract")
            .and_then(|e| e.get("scope_label"))
            .and_then(Json::as_str)
            .map(|label| format!("{label} (the force's record-level extract)"))
            .unwrap_or_else(|| "the force's record-level extract".to_string()),
        title: "Within-force breakdown".into(),
        blocks: number_tables(blocks),
    })
}

/// The chart that goes with a record-level table, when the run has one: the funnel by area
/// before `extract_by_area`, by investigating unit before `extract_by_unit`, and the monthly
/// control chart before `extract_by_month`.
fn within_figure(c: &Input, numbers: &mut Numbers, table: &str, e: &Json) -> Option<Block> {
    let text_of = |key: &str| e.get(key).and_then(Json::as_str).unwrap_or_default();
    let scope = text_of("scope_label");
    let source = text_of("source");
    let next_table = numbers.tables + 1;
    let (key, stem, noun, many) = match table {
        "extract_by_area" => ("area_funnel", "extract-funnel-area", "area", "areas"),
        "extract_by_unit" => (
            "unit_funnel",
            "extract-funnel-unit",
            "investigating unit",
            "investigating units",
        ),
        "extract_by_month" => {
            let months = e.get("months")?;
            let centre = months.get("centre").and_then(Json::as_f64)?;
            let month = |key: &str| month_phrase(&opt_text(months, key).unwrap_or_default());
            let (first, last) = (month("first"), month("last"));
            let hits: Vec<String> = months
                .get("rule_hits")
                .and_then(Json::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(Json::as_str)
                        .map(month_phrase)
                        .collect()
                })
                .unwrap_or_default();
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
                        "Figure {n} shows the monthly rate of {scope} closed with {} from {first} to {last}, with the chart's centre line at {} and its 2-sigma and 3-sigma limits. {hits} Table {next_table} gives the numbers.",
                        c.outcome_phrase,
                        percent(centre)
                    )
                },
            ));
        }
        _ => return None,
    };
    let funnel = e.get(key)?;
    let target = funnel.get("target").and_then(Json::as_f64)?;
    let levels = extract_levels(funnel).unwrap_or(c.levels);
    let (inner, outer) = (
        level(levels.inner().confidence()),
        level(levels.outer().confidence()),
    );
    let mut flagged = Vec::new();
    if let Some(map) = funnel.get("flagged").and_then(Json::as_object) {
        for (name, units) in map {
            let Some(flag) = parse_flag(name, &levels) else {
                continue;
            };
            let units: Vec<String> = units
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|v| v.as_str().map(String::from))
                        .collect()
                })
                .unwrap_or_default();
            if !units.is_empty() {
                let verb = if units.len() == 1 { "is" } else { "are" };
                flagged.push(format!(
                    "{} {verb} {}",
                    and_list(&units),
                    position_at(&levels, flag)
                ));
            }
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

/// The levels of a within-force funnel in `summary.json`'s `extract` (they may differ from
/// the national funnel's when `[extract.funnel]` sets them).
fn extract_levels(funnel: &Json) -> Option<FlagLevels> {
    let levels = funnel.get("levels")?.as_array()?;
    let at = |i: usize| Level::new(levels.get(i)?.as_f64()?).ok();
    FlagLevels::new(at(1)?, at(0)?).ok()
}

/// A flag in words at `levels`, as [`Input::position`] says it at the national levels.
fn position_at(levels: &FlagLevels, flag: Flag) -> String {
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

/// What `summary.json` says about the record-level extract, in words (every field optional).
fn extract_summary(c: &Input, e: &Json) -> Vec<Block> {
    let mut blocks = Vec::new();
    let text_of = |key: &str| e.get(key).and_then(Json::as_str).map(String::from);
    let number_of = |key: &str| e.get(key).and_then(Json::as_f64);
    if let Some(source) = text_of("source") {
        let file = text_of("file")
            .map(|f| format!(" (file {f})"))
            .unwrap_or_default();
        blocks.push(Block::Caveat {
            text: format!("Source of this section: {source}{file}."),
        });
    }
    if let (Some(scope), Some(rate), Some(numerator), Some(denominator)) = (
        text_of("scope_label"),
        number_of("rate"),
        number_of("numerator"),
        number_of("denominator"),
    ) {
        let comparison = match (text_of("comparison_label"), number_of("comparison_rate")) {
            (Some(label), Some(rate)) => format!(", against {} for {label}", percent(rate)),
            _ => String::new(),
        };
        blocks.push(Block::Paragraph {
            text: format!(
                "In the extract, {} of {scope} with an outcome were closed with {} ({} of {}){comparison}.",
                percent(rate),
                c.outcome_phrase,
                count(numerator),
                count(denominator),
            ),
        });
    }
    let mut items = Vec::new();
    for (key, what) in [
        ("area_funnel", "areas"),
        ("unit_funnel", "investigating units"),
    ] {
        let Some(funnel) = e.get(key) else { continue };
        let levels = extract_levels(funnel).unwrap_or(c.levels);
        let mut flagged = Vec::new();
        if let Some(map) = funnel.get("flagged").and_then(Json::as_object) {
            for (name, units) in map {
                let Some(flag) = parse_flag(name, &levels) else {
                    continue;
                };
                let units: Vec<String> = units
                    .as_array()
                    .map(|a| {
                        a.iter()
                            .filter_map(|v| v.as_str().map(String::from))
                            .collect()
                    })
                    .unwrap_or_default();
                if !units.is_empty() {
                    flagged.push(format!(
                        "{} {}",
                        and_list(&units),
                        position_at(&levels, flag)
                    ));
                }
            }
        }
        let n = funnel.get("units").and_then(Json::as_u64);
        let position = if flagged.is_empty() {
            format!(
                "every one of the {what} is {}",
                position_at(&levels, Flag::Within)
            )
        } else {
            format!("{}; the others are within the limits", flagged.join("; "))
        };
        let phi = funnel
            .get("phi")
            .and_then(Json::as_f64)
            .map(|phi| format!(" (φ = {})", significant(phi, 4)))
            .unwrap_or_default();
        items.push(format!(
            "Against the force's own rate, after the overdispersion adjustment{phi}: {position}.{}",
            n.map(|n| format!(" With only {n} {what}, φ and τ² are unstable, so read these flags as prompts to look, not findings."))
                .unwrap_or_default()
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
fn generic_table(c: &Input, numbers: &mut Numbers, name: &str, table: &TextTable) -> TableBlock {
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
fn column_title(c: &Input, header: &str) -> String {
    let inner = c.levels.inner().label();
    let outer = c.levels.outer().label();
    let mapped = match header {
        "ci95" => "95% interval".to_string(),
        "comparison_ci95" => "comparison 95% interval".to_string(),
        "ratio_ci95" => "ratio 95% interval".to_string(),
        "z_adjusted" => "adjusted z".to_string(),
        h if h == format!("limit{inner}") => format!("{} limits", c.inner_text),
        h if h == format!("limit{outer}") => format!("{} limits", c.outer_text),
        h => h.replace('_', " "),
    };
    capitalise(&mapped)
}

/// A cell formatted by what its column holds: rates and limits as percentages, ratios and
/// z-scores to two places, flags in words, counts with thousands separators.
fn format_cell(c: &Input, header: &str, value: &str) -> String {
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

// ---------------------------------------------------------------------------------------
// 7. Data and methods

fn methods_section(c: &Input, numbers: &mut Numbers) -> Result<Section> {
    let s = c.summary();
    let mut blocks = Vec::new();
    blocks.push(Block::Heading {
        id: "methods-sources".into(),
        text: "Sources".into(),
    });
    blocks.push(Block::Paragraph {
        text: if c.tidy {
            "The inputs are tidy counts (unit, period, numerator, denominator) as published elsewhere or supplied by a force; the analysis file records their source.".to_string()
        } else {
            "The inputs are the Home Office \"Police recorded crime and outcomes open data tables\" (Open Government Licence v3.0), one row per quarter, force, offence code and outcome type.".to_string()
        },
    });
    blocks.push(Block::Paragraph {
        text: "The run folder's manifest.json lists every input file with its sha256 checksum and row accounting, and the analysis file as run; summary.json and the tables/ folder hold every number in this report.".into(),
    });
    if c.proxy {
        blocks.push(Block::Caveat {
            text: proxy_note(c),
        });
    }

    blocks.push(Block::Heading {
        id: "methods-definitions".into(),
        text: "Scope and definitions".into(),
    });
    let scope_detail = scope_detail(s);
    let mut definitions = vec![
        (
            "Outcome",
            format!(
                "{} (\"{}\")",
                c.outcome_phrase,
                c.outcome_descriptions.join("\"; \"")
            ),
        ),
        (
            "Period",
            format!("{} (quarters: {})", c.period, c.periods_compared.join(", ")),
        ),
        (
            "Scope",
            if scope_detail.is_empty() {
                c.scope_label.clone()
            } else {
                format!("{} ({scope_detail})", c.scope_label)
            },
        ),
        ("Basis", c.basis_phrase.clone()),
        ("Denominator", c.denominator_phrase.clone()),
        (
            "National set",
            format!("{} ({} units)", c.national_set, c.n_units),
        ),
        (
            "Target",
            format!("{} ({})", percent(c.target), target_phrase(c)),
        ),
    ];
    if !c.tidy {
        definitions.push((
            "Basis in full",
            match text(s, "basis")?.as_str() {
                "assigned_in_period" => "each quarter counts the outcomes assigned (investigations closed) in that quarter, whenever the offence was recorded".to_string(),
                "recorded_in_period" => "each quarter counts the outcomes so far of the offences recorded in that quarter; recent quarters are still filling up".to_string(),
                other => other.to_string(),
            },
        ));
    }
    blocks.push(Block::Table(key_value_table(
        numbers,
        "What was counted.".into(),
        definitions,
    )));

    blocks.push(Block::Heading {
        id: "methods-funnel".into(),
        text: "Funnel limits and overdispersion".into(),
    });
    let bounds = get(s, "funnel.winsor_bounds")?
        .as_array()
        .cloned()
        .unwrap_or_default();
    let bound = |i: usize| {
        bounds
            .get(i)
            .and_then(Json::as_f64)
            .map(|x| fixed(x, 2))
            .unwrap_or_else(|| "–".into())
    };
    let applied = get(s, "funnel.adjustment_applied")?
        .as_bool()
        .unwrap_or(false);
    let funnel_rows = vec![
        ("Limits", text(s, "funnel.description")?),
        ("Unadjusted method", text(s, "funnel.method")?),
        ("Levels", format!("{} and {}", c.inner_text, c.outer_text)),
        ("Overdispersion model", text(s, "funnel.overdispersion")?),
        ("Scale of z, φ and τ²", text(s, "funnel.scale")?),
        (
            "Winsorised",
            format!(
                "{} at each end (z-scores clamped to {} and {})",
                percent(number(s, "funnel.winsorise")?),
                bound(0),
                bound(1)
            ),
        ),
        (
            "φ (overdispersion factor)",
            significant(number(s, "phi")?, 4),
        ),
        (
            "τ² (between-force variance)",
            significant(number(s, "tau2")?, 4),
        ),
        (
            "Test statistic N·φ",
            fixed(number(s, "overdispersion_test.statistic")?, 1),
        ),
        (
            "Degrees of freedom",
            fixed(number(s, "overdispersion_test.df")?, 0),
        ),
        (
            "p-value",
            p_value(number(s, "overdispersion_test.p_value")?),
        ),
        (
            "Adjustment rule",
            match text(s, "funnel.adjust_when")?.as_str() {
                "tau2_positive" => {
                    "apply whenever τ² > 0 (φ > 1 for the multiplicative model)".to_string()
                }
                "significant" => {
                    "apply only when the overdispersion test is significant at 5%".to_string()
                }
                other => other.to_string(),
            },
        ),
        (
            "Adjustment applied",
            if applied {
                "yes".to_string()
            } else {
                "no: the adjusted limits equal the unadjusted ones".to_string()
            },
        ),
    ];
    blocks.push(Block::Table(key_value_table(
        numbers,
        "How the limits were drawn.".into(),
        funnel_rows,
    )));
    blocks.push(Block::Paragraph {
        text: format!(
            "{} Flags are strict: a force exactly on a limit is within it. Both sets of flags, with and without the adjustment, are in the tables.",
            adjustment_sentence(c, number(s, "phi")?, number(s, "tau2")?, number(s, "overdispersion_test.p_value")?)?
        ),
    });
    blocks.push(Block::Paragraph {
        text: "When overdispersion is as large as it usually is between police forces, the additive model can still give limits that are too narrow; beta-binomial limits, an alternative for that case, are not offered.".into(),
    });
    if c.forces.iter().any(|r| r.p_bh.is_some()) {
        blocks.push(Block::Paragraph {
            text: "Benjamini–Hochberg adjusted p-values are given in the appendix beside the flags, for context: comparing many forces at 95% flags some by chance alone. They do not replace the flags.".into(),
        });
    }

    blocks.push(Block::Heading {
        id: "methods-spc".into(),
        text: "Control charts".into(),
    });
    blocks.push(Block::Paragraph {
        text: format!(
            "Quarterly series use a {} chart{}; a shift needs {} consecutive points on one side of the centre line, and a trend {} consecutive points each higher (or each lower) than the one before.",
            match text(s, "spc.chart")?.as_str() {
                "laney_p_prime" => "Laney p′".to_string(),
                other => other.to_string(),
            },
            if get(s, "spc.screen_moving_ranges")?.as_bool().unwrap_or(false) {
                ", with moving ranges above 3.267 times their mean screened out before the limits are set (the NHS \"Making Data Count\" spreadsheet does not screen)"
            } else {
                ", without screening of moving ranges"
            },
            fixed(number(s, "spc.shift_length")?, 0),
            fixed(number(s, "spc.trend_length")?, 0),
        ),
    });

    blocks.push(Block::Heading {
        id: "methods-rows".into(),
        text: "Row accounting and data quality".into(),
    });
    let read = number(s, "rows.read")?;
    let loaded = number(s, "rows.loaded")?;
    let quarantined = number(s, "rows.quarantined")?;
    let missing = number(s, "missing_cells_in_scope")?;
    blocks.push(Block::Table(key_value_table(
        numbers,
        "Rows read, loaded and set aside.".into(),
        vec![
            ("Rows read", count(read)),
            ("Rows loaded", count(loaded)),
            ("Rows quarantined (could not be loaded; listed with the reason in quarantine.csv)", count(quarantined)),
            ("Cells in scope with no count (for example \"N/A - offence code expired\"), treated as missing, not zero", count(missing)),
        ],
    )));

    blocks.push(Block::Heading {
        id: "methods-caveats".into(),
        text: "Caveats".into(),
    });
    blocks.push(Block::Bullets {
        items: vec![
            "A point outside the limits is a prompt to look, not a verdict. Funnel plots are screening tools: they show where to ask questions, and the answers lie in how each force records and closes crimes.".into(),
            format!("Data quality: forces record crimes and assign outcomes in different ways, and some cells of the source tables hold no count ({} in this scope). Differences in recording practice show up in these rates as much as differences in outcomes.", count(missing)),
            "Revisions: the Home Office revises these tables and re-issues them; a later vintage can change the numbers. The checksum of each input in manifest.json says exactly which file was used.".into(),
            "Method: near a limit, a force's flag can change with the method used for the limits; the method is named in every chart and above.".into(),
        ],
    });
    blocks.push(Block::Heading {
        id: "methods-reading".into(),
        text: "Further reading".into(),
    });
    blocks.push(Block::Paragraph {
        text: "METHODS.md, in the outcome-lens repository, explains each method for a reader of this report: the target rate (section 1), confidence levels (2), intervals (3), funnel plots (4), z-scores (5), overdispersion (6), flags (7), many comparisons (8), offence mix (9), control charts (10) and how the numbers are checked (11), with references.".into(),
    });
    Ok(Section {
        id: "methods".into(),
        number: String::new(),
        scope: c.scope_label.clone(),
        title: "Data and methods".into(),
        blocks: number_tables(blocks),
    })
}

/// The scope's include and exclude lists in words.
fn scope_detail(s: &Json) -> String {
    let mut parts = Vec::new();
    for (key, words) in [
        ("include_groups", "offence groups"),
        ("include_subgroups", "offence subgroups"),
        ("include_codes", "offence codes"),
        ("exclude_groups", "excluding offence groups"),
        ("exclude_subgroups", "excluding offence subgroups"),
        ("exclude_codes", "excluding offence codes"),
    ] {
        let list: Vec<String> = get(s, &format!("scope.{key}"))
            .ok()
            .and_then(Json::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default();
        if !list.is_empty() {
            parts.push(format!("{words} {}", list.join(", ")));
        }
    }
    parts.join("; ")
}

fn key_value_table(
    numbers: &mut Numbers,
    caption: String,
    rows: Vec<(&str, String)>,
) -> TableBlock {
    TableBlock {
        id: String::new(),
        number: numbers.table(),
        caption,
        columns: vec![text_column("Item"), text_column("Value")],
        rows: rows
            .into_iter()
            .map(|(k, v)| Row {
                cells: vec![k.to_string(), v],
                highlight: false,
            })
            .collect(),
        note: None,
    }
}

// ---------------------------------------------------------------------------------------
// Appendix

fn appendix_section(c: &Input, numbers: &mut Numbers) -> Result<Section> {
    let mut blocks = vec![Block::Paragraph {
        text: "The tables below repeat the run's tables in full where the sections above show a selection. Every table is also in the run folder as CSV (tables/), Parquet (data/) and one workbook (tables.xlsx).".into(),
    }];
    let has_bh = c.forces.iter().any(|r| r.p_bh.is_some());
    let mut columns = vec![
        text_column("Force"),
        number_column(&capitalise(&c.outcome_phrase)),
        number_column("Outcomes"),
        number_column("Rate"),
        number_column("z"),
        number_column("Adjusted z"),
        number_column(&format!("{} limits", c.inner_text)),
        number_column(&format!("{} limits", c.outer_text)),
        text_column("Adjusted"),
        text_column("Unadjusted"),
        number_column("Rank"),
        text_column("Peer group"),
    ];
    if has_bh {
        columns.push(number_column("BH p"));
    }
    let rows = c
        .forces
        .iter()
        .map(|r| {
            let mut cells = vec![
                r.force.clone(),
                count(r.numerator),
                count(r.denominator),
                opt_percent(r.rate),
                r.z.map(|z| fixed(z, 2)).unwrap_or_else(|| "–".into()),
                r.z_adjusted
                    .map(|z| fixed(z, 2))
                    .unwrap_or_else(|| "–".into()),
                limit_cell(r.inner),
                limit_cell(r.outer),
                c.flag_cell(r.flag),
                c.flag_cell(r.flag_unadjusted),
                r.rank.map(|k| k.to_string()).unwrap_or_else(|| "–".into()),
                if r.peer_group.is_empty() {
                    "–".into()
                } else {
                    r.peer_group.clone()
                },
            ];
            if has_bh {
                cells.push(r.p_bh.map(p_value).unwrap_or_else(|| "–".into()));
            }
            Row {
                cells,
                highlight: r.focus,
            }
        })
        .collect();
    blocks.push(Block::Table(TableBlock {
        id: String::new(),
        number: numbers.appendix_table(),
        caption: format!("Force comparison in full, alphabetical (tables/force_comparison.csv; {}).", c.scope_suffix()),
        columns,
        rows,
        note: Some("z is on the scale named in the methods; the adjusted z allows for overdispersion. Limits are the adjusted limits at each force's number of outcomes; the unadjusted limits and the forces' ONS codes are in the CSV.".into()),
    }));

    let peers = c.data.table("peer_groups")?;
    let mut peer_rows = Vec::new();
    for i in 0..peers.len() {
        let owner = peers.text(i, "owner")?;
        peer_rows.push(Row {
            cells: vec![
                peers.text(i, "peer_group")?.to_string(),
                if owner.is_empty() {
                    "–".into()
                } else {
                    owner.to_string()
                },
                and_list(&split_members(peers.text(i, "members")?)),
                count(peers.number(i, "numerator")?.unwrap_or(f64::NAN)),
                count(peers.number(i, "denominator")?.unwrap_or(f64::NAN)),
                opt_percent(peers.number(i, "rate_pooled")?),
                opt_percent(peers.number(i, "rate_mean")?),
            ],
            highlight: c
                .focus
                .iter()
                .any(|f| f.peer_group.as_deref() == peers.text(i, "peer_group").ok()),
        });
    }
    blocks.push(Block::Table(TableBlock {
        id: String::new(),
        number: numbers.appendix_table(),
        caption: format!(
            "Peer groups (tables/peer_groups.csv; {}).",
            c.scope_suffix()
        ),
        columns: vec![
            text_column("Peer group"),
            text_column("For"),
            text_column("Members"),
            number_column(&capitalise(&c.outcome_phrase)),
            number_column("Outcomes"),
            number_column("Pooled rate"),
            number_column("Mean rate"),
        ],
        rows: peer_rows,
        note: None,
    }));

    let summary = c.data.table("offence_mix_summary")?;
    if !summary.is_empty() {
        let mut rows = Vec::new();
        for i in 0..summary.len() {
            rows.push(Row {
                cells: vec![
                    summary.text(i, "force")?.to_string(),
                    opt_count(summary.number(i, "observed")?),
                    opt_count(summary.number(i, "denominator")?),
                    opt_count(summary.number(i, "expected")?),
                    summary
                        .number(i, "ratio")?
                        .map(|r| fixed(r, 3))
                        .unwrap_or_else(|| "–".into()),
                    match (
                        summary.number(i, "ratio_ci95_low")?,
                        summary.number(i, "ratio_ci95_high")?,
                    ) {
                        (Some(lo), Some(hi)) => format!("{} to {}", fixed(lo, 3), fixed(hi, 3)),
                        _ => "–".into(),
                    },
                    opt_signed(summary.number(i, "gap_vs_national")?),
                    opt_signed(summary.number(i, "explained_by_offence_mix")?),
                    opt_signed(summary.number(i, "excess")?),
                ],
                highlight: false,
            });
        }
        blocks.push(Block::Table(TableBlock {
            id: String::new(),
            number: numbers.appendix_table(),
            caption: format!("Offence-mix standardisation of each focus force (tables/offence_mix_summary.csv; {}).", c.scope_suffix()),
            columns: vec![
                text_column("Force"),
                number_column("Observed"),
                number_column("Outcomes"),
                number_column("Expected"),
                number_column("Ratio"),
                number_column("95% interval"),
                number_column("Gap vs national"),
                number_column("Offence mix"),
                number_column("Excess"),
            ],
            rows,
            note: None,
        }));
    }
    Ok(Section {
        id: "appendix".into(),
        number: "A".into(),
        scope: c.scope_label.clone(),
        title: "Appendix: tables".into(),
        blocks: number_tables(blocks),
    })
}

// ---------------------------------------------------------------------------------------
// Reading and small helpers

/// Gives every table its HTML id from its number.
fn number_tables(mut blocks: Vec<Block>) -> Vec<Block> {
    for block in &mut blocks {
        if let Block::Table(table) = block {
            table.id = format!("table-{}", table.number.to_lowercase());
            table.caption = format!("Table {}. {}", table.number, table.caption);
        }
    }
    blocks
}

fn read_forces(table: &TextTable, levels: &FlagLevels) -> Result<Vec<ForceRow>> {
    let inner = levels.inner().label();
    let outer = levels.outer().label();
    let has_bh = table.headers.iter().any(|h| h == "p_bh");
    let mut rows = Vec::with_capacity(table.len());
    for i in 0..table.len() {
        let context = || format!("tables/force_comparison.csv row {}", i + 1);
        let flag = |column: &str| -> Result<Option<Flag>> {
            let name = table.text(i, column)?;
            if name.is_empty() {
                return Ok(None);
            }
            parse_flag(name, levels)
                .map(Some)
                .ok_or_else(|| anyhow!("{column} {name:?} is not a flag of these levels"))
        };
        let pair = |low: String, high: String| -> Result<(Option<f64>, Option<f64>)> {
            Ok((table.number(i, &low)?, table.number(i, &high)?))
        };
        rows.push(ForceRow {
            force: table.text(i, "force").with_context(context)?.to_string(),
            numerator: table
                .number(i, "numerator")
                .with_context(context)?
                .unwrap_or(f64::NAN),
            denominator: table
                .number(i, "denominator")
                .with_context(context)?
                .unwrap_or(f64::NAN),
            rate: table.number(i, "rate").with_context(context)?,
            ci_low: table.number(i, "ci95_low").with_context(context)?,
            ci_high: table.number(i, "ci95_high").with_context(context)?,
            z: table.number(i, "z").with_context(context)?,
            z_adjusted: table.number(i, "z_adjusted").with_context(context)?,
            inner: pair(format!("limit{inner}_low"), format!("limit{inner}_high"))
                .with_context(context)?,
            outer: pair(format!("limit{outer}_low"), format!("limit{outer}_high"))
                .with_context(context)?,
            flag: flag("flag").with_context(context)?,
            flag_unadjusted: flag("flag_unadjusted").with_context(context)?,
            rank: table
                .number(i, "rank")
                .with_context(context)?
                .map(|r| r as u64),
            peer_group: table
                .text(i, "peer_group")
                .with_context(context)?
                .to_string(),
            in_national_set: table.flag(i, "in_national_set").with_context(context)?,
            focus: table.flag(i, "focus").with_context(context)?,
            p_bh: if has_bh {
                table.number(i, "p_bh").with_context(context)?
            } else {
                None
            },
        });
    }
    Ok(rows)
}

fn read_focus(f: &Json, levels: &FlagLevels) -> Result<Focus> {
    let flag = |key: &str| opt_text(f, key).and_then(|name| parse_flag(&name, levels));
    let pair = |key: &str| -> Option<(f64, f64)> {
        let list = f.get(key)?.as_array()?;
        Some((list.first()?.as_f64()?, list.get(1)?.as_f64()?))
    };
    let trend = match f.get("trend") {
        Some(t) if t.is_object() => Some(TrendSummary {
            first_period: text(t, "first_period")?,
            first_rate: number(t, "first_rate")?,
            last_period: text(t, "last_period")?,
            last_rate: number(t, "last_rate")?,
            direction: text(t, "direction")?,
            periods: get(t, "periods")?.as_u64().unwrap_or(0),
            rule_hits: t
                .get("rule_hits")
                .and_then(Json::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(|v| v.as_str().map(String::from))
                        .collect()
                })
                .unwrap_or_default(),
        }),
        _ => None,
    };
    Ok(Focus {
        force: text(f, "force")?,
        numerator: number(f, "numerator")?,
        denominator: number(f, "denominator")?,
        rate: number(f, "rate")?,
        ci: pair("ci95").ok_or_else(|| anyhow!("no ci95"))?,
        flag: flag("flag"),
        flag_unadjusted: flag("flag_unadjusted"),
        rank: f.get("rank").and_then(Json::as_u64),
        of: f.get("of").and_then(Json::as_u64),
        peer_group: opt_text(f, "peer_group"),
        peer_rate_pooled: f.get("peer_rate_pooled").and_then(Json::as_f64),
        peer_rate_mean: f.get("peer_rate_mean").and_then(Json::as_f64),
        expected: f.get("expected").and_then(Json::as_f64),
        excess: f.get("excess").and_then(Json::as_f64),
        ratio: f.get("standardised_ratio").and_then(Json::as_f64),
        ratio_ci: pair("standardised_ratio_ci95"),
        trend,
        periods_missing: f
            .get("periods_missing")
            .and_then(Json::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default(),
    })
}

/// The flag a run wrote under these levels ("high_998", "within", …).
fn parse_flag(name: &str, levels: &FlagLevels) -> Option<Flag> {
    [
        Flag::HighOuter,
        Flag::HighInner,
        Flag::Within,
        Flag::LowInner,
        Flag::LowOuter,
    ]
    .into_iter()
    .find(|f| f.name(levels) == name)
}

/// A value at a dotted path of `summary.json`.
fn get<'j>(value: &'j Json, path: &str) -> Result<&'j Json> {
    let mut current = value;
    for key in path.split('.') {
        current = current
            .get(key)
            .ok_or_else(|| anyhow!("summary.json has no {path}"))?;
    }
    Ok(current)
}

fn text(value: &Json, path: &str) -> Result<String> {
    get(value, path)?
        .as_str()
        .map(String::from)
        .ok_or_else(|| anyhow!("summary.json: {path} is not text"))
}

fn opt_text(value: &Json, path: &str) -> Option<String> {
    get(value, path).ok()?.as_str().map(String::from)
}

fn number(value: &Json, path: &str) -> Result<f64> {
    get(value, path)?
        .as_f64()
        .ok_or_else(|| anyhow!("summary.json: {path} is not a number"))
}

fn opt_percent(x: Option<f64>) -> String {
    x.map(percent).unwrap_or_else(|| "–".into())
}

fn opt_count(x: Option<f64>) -> String {
    x.map(count).unwrap_or_else(|| "–".into())
}

fn opt_signed(x: Option<f64>) -> String {
    x.map(signed_count).unwrap_or_else(|| "–".into())
}

fn limit_cell(pair: (Option<f64>, Option<f64>)) -> String {
    match pair {
        (Some(lo), Some(hi)) => percent_range(lo, hi),
        _ => "–".into(),
    }
}

fn text_column(name: &str) -> Column {
    Column {
        name: name.to_string(),
        numeric: false,
    }
}

fn number_column(name: &str) -> Column {
    Column {
        name: name.to_string(),
        numeric: true,
    }
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// A chart file-name slug, the same rule the chart code uses for per-force charts:
/// "London, City of" → "london-city-of".
pub fn slug(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    if out.is_empty() {
        "unit".to_string()
    } else {
        out
    }
}

#[cfg(test)]
mod tests;
