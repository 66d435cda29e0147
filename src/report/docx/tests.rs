use std::io::Read;

use super::*;
use crate::report::tests::sample_with_extract;

/// The charts of the sample, drawn as PNG.
fn pngs(data: &crate::render::RunData) -> Vec<(String, Vec<u8>)> {
    let options = crate::render::ChartOptions {
        formats: vec![crate::render::ChartFormat::Png],
        ..crate::render::ChartOptions::standard()
    };
    crate::render::render_run(data, &options).unwrap()
}

/// A part of the Word package, as text.
fn part(docx: &[u8], name: &str) -> String {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(docx)).unwrap();
    let mut text = String::new();
    archive
        .by_name(name)
        .unwrap_or_else(|_| panic!("no {name}"))
        .read_to_string(&mut text)
        .unwrap();
    text
}

/// See: #21. The Word copy has every section, every table as Word tables (a table too wide
/// for A4 as its printed parts), every figure's PNG, and the same bytes when built again.
#[test]
fn the_word_copy_has_the_sections_tables_and_charts_and_is_deterministic() {
    let data = sample_with_extract();
    let charts = pngs(&data);
    let report = crate::report::model::read(&data, &charts).unwrap();
    let docx = build(&report, &charts).unwrap();
    assert_eq!(docx, build(&report, &charts).unwrap(), "deterministic");
    let document = part(&docx, "word/document.xml");
    for section in &report.sections {
        let heading = if section.number == "A" {
            section.title.clone()
        } else {
            format!("{}. {}", section.number, section.title)
        };
        let escaped = heading.replace('&', "&amp;").replace('\'', "&apos;");
        assert!(
            document.contains(&escaped) || document.contains(&heading),
            "no heading {heading:?}"
        );
    }
    let tables: Vec<&TableBlock> = report
        .sections
        .iter()
        .flat_map(|s| &s.blocks)
        .filter_map(|b| match b {
            Block::Table(t) => Some(t),
            _ => None,
        })
        .collect();
    let expected: usize = tables.iter().map(|t| t.print.len().max(1)).sum();
    assert_eq!(
        document.matches("<w:tbl>").count(),
        expected,
        "one Word table per printed part"
    );
    let figures = report
        .sections
        .iter()
        .flat_map(|s| &s.blocks)
        .filter(|b| matches!(b, Block::Figure(_)))
        .count();
    assert!(figures > 10);
    assert_eq!(
        document.matches("<pic:pic").count(),
        figures,
        "every figure's PNG"
    );
    for k in 1..=figures {
        assert!(
            document.contains(&format!("r:embed=\"rIdImage{k}\"")),
            "picture {k}"
        );
    }
    // A number as the report prints it, and text from data escaped for XML.
    assert!(document.contains("57.3%"));
    assert!(!document.contains("<script"));
}

/// A run whose charts are SVG only (`outcome-lens chart --formats svg`) gets a note in
/// each figure's place, saying how to make the PNGs.
#[test]
fn a_chart_without_a_png_gets_a_note_in_its_place() {
    let data = sample_with_extract();
    let options = crate::render::ChartOptions {
        formats: vec![crate::render::ChartFormat::Svg],
        ..crate::render::ChartOptions::standard()
    };
    let charts = crate::render::render_run(&data, &options).unwrap();
    let report = crate::report::model::read(&data, &charts).unwrap();
    let docx = build(&report, &charts).unwrap();
    let document = part(&docx, "word/document.xml");
    assert!(!document.contains("<pic:pic"));
    assert!(document.contains("as SVG only; Word copies take PNG charts"));
}
