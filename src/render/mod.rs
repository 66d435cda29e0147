//! Render: the run's charts as SVG and PNG, drawn from the run's tables only.
//!
//! Invariant: nothing here computes a statistic; every number drawn is a cell of the run's
//! tables or of `summary.json` (see [`data::RunData`]). Text is drawn with a font embedded in
//! the binary, so the same run gives the same picture on any machine.

pub mod data;

use anyhow::Result;

pub use data::RunData;

/// An image format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ChartFormat {
    /// Scalable vector graphics (for the HTML report).
    Svg,
    /// Portable network graphics (for documents and slides).
    Png,
}

/// A page size to draw for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChartSize {
    /// Fits the text width of an A4 page.
    A4,
    /// A 16:9 slide.
    Slide,
}

/// How charts are drawn.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChartOptions {
    /// Formats to write.
    pub formats: Vec<ChartFormat>,
    /// Page size.
    pub size: ChartSize,
    /// PNG pixel density multiplier (1 = standard, 2 = high-DPI).
    pub png_scale: u32,
}

impl ChartOptions {
    /// SVG and PNG at A4 size, standard density: what `outcome-lens run` writes.
    pub fn standard() -> ChartOptions {
        ChartOptions {
            formats: vec![ChartFormat::Svg, ChartFormat::Png],
            size: ChartSize::A4,
            png_scale: 1,
        }
    }
}

/// Every chart of a run, as (file name, bytes), in a fixed order.
pub fn render_run(_data: &RunData, _options: &ChartOptions) -> Result<Vec<(String, Vec<u8>)>> {
    Ok(Vec::new())
}
