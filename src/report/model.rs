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
use crate::wording::capitalise;

// The sections, one file each, in report order; `decode` reads the run's summary and tables.
mod appendix;
mod decode;
mod methods;
mod mix;
mod national;
mod peers;
mod summary;
mod trend;
mod within;

pub use crate::wording::slug;
use appendix::*;
use decode::*;
use methods::*;
use mix::*;
use national::*;
use peers::*;
use summary::*;
use trend::*;
use within::*;

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

/// Forces in rank order (those without a rank last, by name).
fn ranked<'c>(c: &'c Input) -> Vec<&'c ForceRow> {
    let mut rows: Vec<&ForceRow> = c.forces.iter().collect();
    rows.sort_by(|a, b| {
        (a.rank.is_none(), a.rank, &a.force).cmp(&(b.rank.is_none(), b.rank, &b.force))
    });
    rows
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

#[cfg(test)]
mod tests;
