//! Report: the run as one self-contained HTML page (`report.html`), as Markdown with PNG
//! figures (`report.md`), laid out by templates from the run's summary, tables and charts,
//! and as an editable Word document with the same content (`report.docx`, [`docx`]).
//!
//! Invariant: the report computes nothing; every number in it is a value of `summary.json` or
//! a cell of a table, formatted by `model`. Text from data (force and unit names, offence
//! descriptions, file names) is always escaped: by minijinja's HTML auto-escaping in
//! `.html` templates and by [`markdown::escape`] in `.md` templates; the only unescaped
//! markup is chart SVG that passed the allowlist in [`html`], or a base64 `data:` URI. The
//! HTML page loads nothing and runs nothing: its Content-Security-Policy forbids scripts and
//! every remote load.

pub mod docx;
pub mod format;
pub mod html;
pub mod markdown;
pub mod model;
pub mod print;

use std::borrow::Cow;

use anyhow::{bail, Context, Result};
use minijinja::{AutoEscape, Environment, Error, Output, State, Value};

use crate::render::RunData;

/// The HTML report template.
const HTML_TEMPLATE: &str = include_str!("templates/report.html");
/// The style sheet, included into the HTML template.
const CSS: &str = include_str!("templates/report.css");
/// The Markdown report template.
const MARKDOWN_TEMPLATE: &str = include_str!("templates/report.md");

/// The auto-escape name of the Markdown templates (see [`markdown::escape`]).
const MARKDOWN_ESCAPE: &str = "markdown";

/// The Content-Security-Policy of the HTML report: no scripts at all, styles only inline,
/// images only as `data:` URIs, nothing else from anywhere.
pub const CONTENT_SECURITY_POLICY: &str =
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

/// Builds `report.html`, `report.md` and `report.docx` from a run's data and its charts
/// (file name → bytes, as in the run's `charts/` folder; any subset, including none).
///
/// # Errors
///
/// When the run's summary or tables lack something the report needs (a folder written by
/// `outcome-lens extract` has no national tables), or a template fails.
pub fn build(data: &RunData, charts: &[(String, Vec<u8>)]) -> Result<Vec<(String, Vec<u8>)>> {
    if data.is_extract_only() {
        bail!(
            "the folder holds a record-level extract alone (outcome-lens extract); the report needs a whole run (outcome-lens run)"
        );
    }
    let report = model::read(data, charts).context("cannot read the run for the report")?;
    let env = environment()?;
    let context = Value::from(minijinja::value::Serde(&report));
    let mut out = Vec::new();
    for name in ["report.html", "report.md"] {
        let template = env.get_template(name)?;
        let mut text = template
            .render(&context)
            .with_context(|| format!("cannot lay out {name}"))?;
        if !text.ends_with('\n') {
            text.push('\n');
        }
        out.push((name.to_string(), text.into_bytes()));
    }
    out.push(("report.docx".to_string(), docx::build(&report, charts)?));
    Ok(out)
}

/// The template environment: HTML auto-escaping for `.html`, Markdown escaping for `.md`,
/// undefined values an error (a misspelt field must not print as nothing).
fn environment() -> Result<Environment<'static>> {
    let mut env = Environment::new();
    env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
    env.set_syntax(
        minijinja::syntax::SyntaxConfig::builder()
            .trim_blocks(true)
            .lstrip_blocks(true)
            .build()?,
    );
    env.set_auto_escape_callback(|name| {
        if name.ends_with(".md") {
            AutoEscape::Custom(Cow::Borrowed(MARKDOWN_ESCAPE))
        } else if name.ends_with(".html") {
            AutoEscape::Html
        } else {
            AutoEscape::None
        }
    });
    env.set_formatter(format_value);
    env.add_global("csp", CONTENT_SECURITY_POLICY);
    env.add_template("report.html", HTML_TEMPLATE)?;
    env.add_template("report.css", CSS)?;
    env.add_template("report.md", MARKDOWN_TEMPLATE)?;
    Ok(env)
}

/// Prints a value into a template: Markdown-escaped in `.md` templates, otherwise as
/// minijinja does (HTML-escaped in `.html`).
fn format_value(out: &mut Output, state: &mut State, value: &Value) -> Result<(), Error> {
    if *state.auto_escape() == AutoEscape::Custom(Cow::Borrowed(MARKDOWN_ESCAPE))
        && !value.is_safe()
    {
        let text = if value.is_none() || value.is_undefined() {
            String::new()
        } else {
            value.to_string()
        };
        return out.write_str(&markdown::escape(&text)).map_err(Error::from);
    }
    minijinja::escape_formatter(out, state, value)
}

#[cfg(test)]
mod tests;
