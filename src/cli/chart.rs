//! `outcome-lens chart`: redraws a finished run's charts.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{bail, Result};
use clap::ValueEnum;

use crate::exit::Exit;

/// Worked examples, shown after `--help`.
pub const EXAMPLES: &str = "\
Examples:
  # Slide-sized, high-DPI PNGs of the sample run, for a presentation
  outcome-lens chart reports/sample --size slide --formats png --hidpi --out slides/

  # Redraw the SVGs only
  outcome-lens chart reports/sample --formats svg";

/// `outcome-lens chart`.
#[derive(Debug, clap::Args)]
pub struct ChartArgs {
    /// The finished run folder (of `outcome-lens run` or `outcome-lens extract`).
    pub run: PathBuf,
    /// Image formats, comma-separated.
    #[arg(long, value_enum, value_delimiter = ',', default_values_t = [ImageFormat::Svg, ImageFormat::Png])]
    pub formats: Vec<ImageFormat>,
    /// Page size to draw for.
    #[arg(long, value_enum, default_value_t = PageSize::A4)]
    pub size: PageSize,
    /// PNGs at twice the pixel density.
    #[arg(long)]
    pub hidpi: bool,
    /// Where to write the charts (default: <RUN_DIR>/charts).
    #[arg(long, short, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

/// Chart image formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ImageFormat {
    /// SVG.
    Svg,
    /// PNG.
    Png,
}

/// Chart page sizes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PageSize {
    /// The text width of an A4 page.
    A4,
    /// A 16:9 slide.
    Slide,
}

/// Draws the charts into the run's `charts/` (keeping its manifest true) or into `--out`, and
/// prints their paths.
pub fn run(args: &ChartArgs) -> Result<Exit> {
    use crate::render::{ChartFormat, ChartOptions, ChartSize};
    let data = crate::render::RunData::load(&args.run)?;
    let options = ChartOptions {
        formats: args
            .formats
            .iter()
            .map(|f| match f {
                ImageFormat::Svg => ChartFormat::Svg,
                ImageFormat::Png => ChartFormat::Png,
            })
            .collect(),
        size: match args.size {
            PageSize::A4 => ChartSize::A4,
            PageSize::Slide => ChartSize::Slide,
        },
        png_scale: if args.hidpi { 2 } else { 1 },
    };
    // In place, only the run's own charts may be drawn: other sizes or formats would
    // replace the charts its report and manifest describe.
    if args.out.is_none() && !options.is_runs_own() {
        bail!(
            "chart: --size, --formats and --hidpi other than the run's own (A4, svg and png) would replace the charts that {}'s report and manifest describe; give --out DIR for them",
            args.run.display()
        );
    }
    let charts = crate::render::render_run(&data, &options)?;
    let target = crate::run_folder::put_charts(&args.run, args.out.as_deref(), &charts)?;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    for (name, _) in &charts {
        writeln!(out, "{}", target.join(name).display())?;
    }
    Ok(Exit::Success)
}
