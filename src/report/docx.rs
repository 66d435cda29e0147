//! The report as an editable Word document (`report.docx`), for analysts who edit the
//! narrative before a report goes to the inspectorate: the same sections, paragraphs and
//! tables as `report.html` (Word tables, set out as print does so that they fit A4), and the
//! charts as their PNG images. Made with docx-rs (bokuweb, MIT, maintained; built without its
//! `image` feature: the charts are our own PNGs, whose size their header gives).
//!
//! Invariant: every text is the report model's, as the HTML and Markdown reports print it
//! (docx-rs escapes it for XML); the document is the same bytes from the same run (picture
//! ids are numbered here, not by docx-rs's process-wide counter, and nothing is dated).

use std::collections::BTreeMap;
use std::io::Cursor;

use anyhow::{Context, Result};
use docx_rs::{
    AlignmentType, Docx, PageMargin, Paragraph, Pic, Run, RunFonts, Style, StyleType, Table,
    TableCell, TableLayoutType, TableRow, WidthType,
};

use super::html::png_size;
use super::model::{Block, Column, Figure, Report, Row, TableBlock};

/// A4 in twentieths of a point, and the report's print margins (15 mm top, 14 mm sides,
/// 16 mm bottom), as `report.css` sets them.
const A4: (u32, u32) = (11_906, 16_838);
const MARGIN: PageMargin = PageMargin {
    top: 850,
    left: 794,
    bottom: 907,
    right: 794,
    header: 425,
    footer: 425,
    gutter: 0,
};
/// The A4 text width (210 mm less the two 14 mm margins), which a chart and a table fill; a
/// tall chart is held to 170 mm high, as in print. Word measures pictures in EMU (36,000 to
/// the millimetre) and tables in twentieths of a point.
const TEXT_WIDTH_MM: u64 = 182;
const TEXT_WIDTH_EMU: u64 = TEXT_WIDTH_MM * 36_000;
const TALL_EMU: u64 = 170 * 36_000;
const TEXT_WIDTH_TWIPS: f64 = TEXT_WIDTH_MM as f64 * 1440.0 / 25.4;
/// Body and table type sizes, in half-points.
const BODY: usize = 20;
const TABLE: usize = 15;

/// Builds `report.docx` from the report model and the run's charts (file name → bytes).
///
/// # Errors
///
/// When the document cannot be written.
pub fn build(report: &Report, charts: &[(String, Vec<u8>)]) -> Result<Vec<u8>> {
    let charts: BTreeMap<&str, &[u8]> = charts
        .iter()
        .map(|(name, bytes)| (name.as_str(), bytes.as_slice()))
        .collect();
    let mut doc = Docx::new()
        .page_size(A4.0, A4.1)
        .page_margin(MARGIN)
        .default_fonts(RunFonts::new().ascii("DejaVu Sans").hi_ansi("DejaVu Sans"))
        .default_size(BODY)
        .add_style(heading("Title", "Title", 36))
        .add_style(heading("Heading1", "heading 1", 28))
        .add_style(heading("Heading2", "heading 2", 24))
        .add_style(
            Style::new("Caption", StyleType::Paragraph)
                .name("caption")
                .bold()
                .size(BODY),
        );
    let mut pictures = 0;
    doc = doc
        .add_paragraph(text_paragraph(&report.title).style("Title"))
        .add_paragraph(Paragraph::new().add_run(Run::new().add_text(&report.subtitle).italic()));
    if let Some(note) = &report.proxy_note {
        doc = doc.add_paragraph(text_paragraph(note));
    }
    for section in &report.sections {
        let heading = if section.number == "A" {
            section.title.clone()
        } else {
            format!("{}. {}", section.number, section.title)
        };
        doc = doc
            .add_paragraph(text_paragraph(&heading).style("Heading1"))
            .add_paragraph(
                Paragraph::new().add_run(
                    Run::new()
                        .add_text(format!(
                            "Scope: {} · Period: {}",
                            section.scope, section.period
                        ))
                        .italic(),
                ),
            );
        for block in &section.blocks {
            doc = match block {
                Block::Heading { text, .. } => {
                    doc.add_paragraph(text_paragraph(text).style("Heading2"))
                }
                Block::Paragraph { text } => doc.add_paragraph(text_paragraph(text)),
                Block::Bullets { items } => items.iter().fold(doc, |doc, item| {
                    doc.add_paragraph(text_paragraph(&format!("• {item}")).indent(
                        Some(360),
                        None,
                        None,
                        None,
                    ))
                }),
                Block::Caveat { text } => doc.add_paragraph(
                    Paragraph::new()
                        .add_run(Run::new().add_text(text).italic())
                        .indent(Some(360), None, None, None),
                ),
                Block::MissingChart { text } => {
                    doc.add_paragraph(Paragraph::new().add_run(Run::new().add_text(text).italic()))
                }
                Block::Figure(figure) => {
                    pictures += 1;
                    add_figure(doc, figure, &charts, pictures)
                }
                Block::Table(table) => add_table(doc, table),
            };
        }
    }
    let mut out = Cursor::new(Vec::new());
    doc.build()
        .pack(&mut out)
        .context("cannot write report.docx")?;
    Ok(out.into_inner())
}

fn heading(id: &str, name: &str, size: usize) -> Style {
    Style::new(id, StyleType::Paragraph)
        .name(name)
        .bold()
        .size(size)
}

fn text_paragraph(text: &str) -> Paragraph {
    Paragraph::new().add_run(Run::new().add_text(text))
}

/// A figure: its caption, its PNG at the text width (or a note when the run drew no PNG of
/// it) and its description.
fn add_figure(doc: Docx, figure: &Figure, charts: &BTreeMap<&str, &[u8]>, number: u32) -> Docx {
    let caption = Paragraph::new()
        .add_run(Run::new().add_text(&figure.caption))
        .style("Caption")
        .keep_next(true);
    let png = figure
        .path
        .as_deref()
        .and_then(|path| path.strip_prefix("charts/"))
        .filter(|name| name.ends_with(".png"))
        .and_then(|name| charts.get(name).copied())
        .and_then(|bytes| Some((bytes, png_size(bytes)?)));
    let image = match png {
        Some((bytes, (width, height))) => {
            let (mut w, mut h) = (TEXT_WIDTH_EMU, (TEXT_WIDTH_EMU as f64 * height / width) as u64);
            if h > TALL_EMU {
                w = (w as f64 * TALL_EMU as f64 / h as f64) as u64;
                h = TALL_EMU;
            }
            let pic = Pic::new_with_dimensions(bytes.to_vec(), width as u32, height as u32)
                .id(format!("rIdImage{number}"))
                .size(w as u32, h as u32);
            Paragraph::new()
                .add_run(Run::new().add_image(pic))
                .keep_next(true)
        }
        None => Paragraph::new().add_run(
            Run::new()
                .add_text("This chart is in the run's charts/ folder as SVG only; Word copies take PNG charts (outcome-lens chart RUN --formats png).")
                .italic(),
        ),
    };
    doc.add_paragraph(caption)
        .add_paragraph(image)
        .add_paragraph(text_paragraph(&figure.description))
}

/// A table as Word tables: whole when it fits A4, else as print sets it out (on its side or
/// in groups of columns), each part under its own caption.
fn add_table(mut doc: Docx, table: &TableBlock) -> Docx {
    let parts: Vec<(&str, &[Column], &[Row])> = if table.print.is_empty() {
        vec![(table.caption.as_str(), &table.columns, &table.rows)]
    } else {
        table
            .print
            .iter()
            .enumerate()
            .map(|(k, part)| {
                let caption = if k == 0 {
                    table.caption.as_str()
                } else {
                    part.label.as_str()
                };
                (caption, part.columns.as_slice(), part.rows.as_slice())
            })
            .collect()
    };
    for (caption, columns, rows) in parts {
        doc = doc
            .add_paragraph(
                Paragraph::new()
                    .add_run(Run::new().add_text(caption))
                    .style("Caption")
                    .keep_next(true),
            )
            .add_table(word_table(columns, rows));
    }
    if let Some(note) = &table.note {
        doc = doc.add_paragraph(Paragraph::new().add_run(Run::new().add_text(note).size(TABLE)));
    }
    doc
}

fn word_table(columns: &[Column], rows: &[Row]) -> Table {
    // Columns in proportion to what print needs of each (a number's whole length, a text's
    // longest word), filling the text width: Word would otherwise make them equal and break
    // names inside words.
    let needs = super::print::widths(columns, rows);
    let total: f64 = needs.iter().sum::<f64>().max(1.0);
    let grid: Vec<usize> = needs
        .iter()
        .map(|w| (w / total * TEXT_WIDTH_TWIPS).floor() as usize)
        .collect();
    let cell = |text: &str, numeric: bool, bold: bool| {
        let mut run = Run::new().add_text(text).size(TABLE);
        if bold {
            run = run.bold();
        }
        let mut paragraph = Paragraph::new().add_run(run);
        if numeric {
            paragraph = paragraph.align(AlignmentType::Right);
        }
        TableCell::new().add_paragraph(paragraph)
    };
    let sized = |cells: Vec<TableCell>| -> Vec<TableCell> {
        cells
            .into_iter()
            .zip(&grid)
            .map(|(c, &w)| c.width(w, WidthType::Dxa))
            .collect()
    };
    let header = TableRow::new(sized(
        columns
            .iter()
            .map(|c| cell(&c.name, c.numeric, true))
            .collect(),
    ))
    .cant_split();
    let body = rows.iter().map(|r| {
        TableRow::new(sized(
            r.cells
                .iter()
                .zip(columns)
                .map(|(text, c)| cell(text, c.numeric, r.highlight))
                .collect(),
        ))
        .cant_split()
    });
    Table::new(std::iter::once(header).chain(body).collect())
        .set_grid(grid.clone())
        .layout(TableLayoutType::Fixed)
        .width(TEXT_WIDTH_TWIPS as usize, WidthType::Dxa)
}

#[cfg(test)]
mod tests;
