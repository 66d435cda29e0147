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

use super::format::{
    and_list, count, fixed, level, ordinal, p_value, percent, percent_range, signed_count,
    significant,
};
use super::html;
use crate::render::style::month_phrase;
use crate::run_folder::rows::{self, parse_flag, ForceRow, MixRow, SpcLimits, TrendRow};
use crate::run_folder::summary::{
    levels_of, AuditSummary, ExtractFunnel, ExtractSummary, National,
};
use crate::run_folder::{RunData, TextTable};
use crate::stats::{Flag, FlagLevels};
use crate::wording::capitalise;

// The sections, one file each, in report order; `decode` reads the run's summary and tables.
mod appendix;
mod audit;
mod decode;
mod methods;
mod mix;
mod monitor;
mod national;
mod peers;
mod sensitivity;
mod summary;
mod trend;
mod why;
mod within;

pub use crate::wording::slug;
use appendix::*;
use audit::*;
use decode::*;
use methods::*;
use mix::*;
use monitor::*;
use national::*;
use peers::*;
use sensitivity::*;
use summary::*;
use trend::*;
use why::*;
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
    /// The period they cover ("2018/19", "2015/16 Q1 to 2019/20 Q4", or the extract's
    /// months, "April 2018 to March 2020").
    pub period: String,
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
    /// Taller than wide (the small multiples, the forest plot): in print it may take two
    /// thirds of a page, where other charts are held to under half of one.
    pub tall: bool,
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
    /// How the table prints on A4 when it is wider than the page (see [`super::print`]):
    /// empty when it prints as on screen.
    pub print: Vec<super::print::PrintPart>,
}

/// A table column.
#[derive(Debug, Clone, Serialize)]
pub struct Column {
    /// The header text.
    pub name: String,
    /// Right-aligned (numbers).
    pub numeric: bool,
}

/// A table row.
#[derive(Debug, Clone, Serialize)]
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
    if let Some(section) = why_section(&context, &mut numbers)? {
        sections.push(section);
    }
    if let Some(section) = audit_section(&context, &mut numbers)? {
        sections.push(section);
    }
    if let Some(section) = monitor_section(&context, &mut numbers) {
        sections.push(section);
    }
    sections.push(methods_section(&context, &mut numbers)?);
    for (i, section) in sections.iter_mut().enumerate() {
        section.number = (i + 1).to_string();
    }
    sections.push(appendix_section(&context, &mut numbers)?);
    for section in &mut sections {
        for block in &mut section.blocks {
            if let Block::Table(table) = block {
                table.print = super::print::layout(table);
            }
        }
    }
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
    /// Each chart's figure number, by stem, for sections that refer back to it.
    figure_of: BTreeMap<String, u32>,
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
    /// The national part of `summary.json`.
    national: &'a National,
    /// The record-level extract's part, when the run has one.
    extract: Option<&'a ExtractSummary>,
    /// The reviewed audit sample's part, when the run read one back.
    audit: Option<&'a AuditSummary>,
    /// Monitoring against the action plan, when the analysis file sets it.
    monitor: Option<&'a crate::run_folder::summary::MonitorSummary>,
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
        let s = data.summary.national()?;
        let levels = s.levels()?;
        let (inner, outer) = (levels.inner(), levels.outer());
        let outcomes: Vec<String> = s.outcome.iter().map(u8::to_string).collect();
        let outcome_numbers = and_list(&outcomes);
        let outcome_phrase = if outcomes.len() == 1 {
            format!("outcome {outcome_numbers}")
        } else {
            format!("outcomes {outcome_numbers}")
        };
        let basis_phrase = match s.basis.as_str() {
            "assigned_in_period" => "outcomes assigned in the quarter".to_string(),
            "recorded_in_period" => "outcomes of offences recorded in the quarter".to_string(),
            other => other.to_string(),
        };
        let denominator_phrase = s
            .denominator
            .description
            .clone()
            .unwrap_or_else(|| s.denominator.name.clone());
        let forces = rows::forces(data, &levels)?;
        let focus = s
            .focus
            .iter()
            .enumerate()
            .map(|(i, f)| focus_of(f, &levels).with_context(|| format!("summary.json: focus[{i}]")))
            .collect::<Result<Vec<_>>>()?;
        Ok(Input {
            data,
            national: s,
            extract: data.summary.extract.as_ref(),
            audit: data.summary.audit.as_ref(),
            monitor: data.summary.monitor.as_ref(),
            charts: charts
                .iter()
                .map(|(name, bytes)| (name.as_str(), bytes.as_slice()))
                .collect(),
            title: data.summary.title.clone(),
            period: s.period.clone(),
            periods_compared: s.periods_compared.clone(),
            outcome_phrase,
            outcome_descriptions: s.outcome_descriptions.iter().flatten().cloned().collect(),
            scope_label: s.scope.label.clone(),
            proxy: s.scope.proxy,
            basis_phrase,
            tidy: s.tidy(),
            denominator_phrase,
            national_set: s.national_set.clone(),
            n_units: s.n_units,
            target: required(s.target, "target")?,
            target_kind: s.target_kind.clone(),
            inner_text: level(inner.confidence()),
            outer_text: level(outer.confidence()),
            levels,
            forces,
            focus,
            notices: s
                .notices
                .iter()
                .map(|n| format!("{}.", capitalise(&n.text)))
                .collect(),
        })
    }

    fn summary(&self) -> &National {
        self.national
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

    /// The span of the quarterly series ("2015/16 Q1 to 2019/20 Q4"), from the trend table.
    fn series_span(&self) -> String {
        let Some(table) = self.data.tables.get("trend") else {
            return self.period.clone();
        };
        let mut periods: Vec<(&str, &str)> = (0..table.len())
            .filter_map(|r| {
                Some((
                    table.text(r, "period_start").ok()?,
                    table.text(r, "period").ok()?,
                ))
            })
            .collect();
        periods.sort();
        match (periods.first(), periods.last()) {
            (Some(first), Some(last)) if first.1 != last.1 => format!("{} to {}", first.1, last.1),
            (Some(first), _) => first.1.to_string(),
            _ => self.period.clone(),
        }
    }

    /// The extract's months in words ("April 2018 to March 2020").
    fn extract_window(&self) -> String {
        self.extract
            .and_then(|e| match (&e.months.first, &e.months.last) {
                (Some(first), Some(last)) => {
                    Some(format!("{} to {}", month_phrase(first), month_phrase(last)))
                }
                _ => None,
            })
            .unwrap_or_else(|| "the extract's window".to_string())
    }

    /// A caveat for a section drawn from the extract when its scope or period differs from
    /// the national sections': it says both, plainly.
    fn scope_differs(&self, scope: &str) -> Option<Block> {
        let window = self.extract_window();
        (scope != self.scope_label || window != self.period).then(|| Block::Caveat {
            text: format!(
                "This section's scope and period differ from those of the national sections: it counts {scope} from {window} in the force's own records, where sections 2, 3 and 5 count \"{}\"{} in {} from the Home Office tables. Its figures are not the national figures broken down, and they need not add up to them.",
                self.scope_label,
                if self.proxy { " (a proxy scope)" } else { "" },
                self.period,
            ),
        })
    }

    /// "(DA proxy: …, 2018/19)" for captions, so that every table and chart names its scope.
    fn scope_suffix(&self) -> String {
        format!("{}, {}", self.scope_label, self.period)
    }

    /// [`Input::scope_suffix`] for a series over `periods`: the comparison period when they
    /// are its quarters, else their span ("2015/16 Q1 to 2019/20 Q4").
    fn series_suffix(&self, periods: &[String]) -> String {
        match (periods.first(), periods.last()) {
            (Some(first), Some(last)) if periods != self.periods_compared.as_slice() => {
                if first == last {
                    format!("{}, {first}", self.scope_label)
                } else {
                    format!("{}, {first} to {last}", self.scope_label)
                }
            }
            _ => self.scope_suffix(),
        }
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
        numbers.figure_of.insert(stem.to_string(), number);
        let inline = svg.and_then(|bytes| html::inline_svg(bytes, &format!("figure-{number}-")));
        let image = match (&inline, svg, png) {
            (Some(_), _, _) => None,
            (None, Some(bytes), _) => Some(html::data_uri("image/svg+xml", bytes)),
            (None, None, Some(bytes)) => Some(html::data_uri("image/png", bytes)),
            (None, None, None) => None,
        };
        let tall = svg
            .and_then(html::svg_size)
            .or_else(|| png.and_then(html::png_size))
            .is_some_and(|(width, height)| height > width);
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
            tall,
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

/// A number the summary must hold.
fn required(x: Option<f64>, key: &str) -> Result<f64> {
    x.ok_or_else(|| anyhow!("summary.json: {key} is not a number"))
}

#[cfg(test)]
mod tests;
