//! Render: the run's charts as SVG and PNG, drawn from the run's tables only.
//!
//! Invariant: nothing here computes a statistic; every number drawn is a cell of the run's
//! tables or of `summary.json` (see [`RunData`]). Text is drawn with a font embedded in
//! the binary, so the same run gives the same picture on any machine.

pub mod audit;
pub mod axis;
pub mod canvas;
pub mod caterpillar;
pub mod displacement;
pub mod extract;
pub mod font;
pub mod forest;
pub mod frame;
pub mod funnel;
pub mod labels;
pub mod marks;
pub mod mix;
pub mod model;
pub mod multiples;
pub mod png;
pub mod spc;
pub mod style;
pub mod trend;
pub mod withdrawal;

use anyhow::{anyhow, bail, Context, Result};
use plotters::prelude::{BitMapBackend, DrawingBackend, IntoDrawingArea, SVGBackend};

pub use crate::run_folder::RunData;

use canvas::{drawn, Canvas, TextMode};
use extract::ExtractModel;
use model::Model;
use style::Shape;

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

    /// Whether these are the charts a run folder holds: A4, standard density, both SVG and
    /// PNG (in any order). Only these may replace a run's own charts.
    pub fn is_runs_own(&self) -> bool {
        self.size == ChartSize::A4
            && self.png_scale == 1
            && [ChartFormat::Svg, ChartFormat::Png]
                .iter()
                .all(|f| self.formats.contains(f))
    }
}

/// Which chart to draw.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Chart {
    Funnel,
    Caterpillar,
    Trend(String),
    Spc(String),
    Mix(String),
    Multiples,
    /// A record-level extract's funnel by area or by investigating unit.
    WithinFunnel(extract::WithinKind),
    /// A record-level extract's case-mix-adjusted funnel by area or by investigating unit.
    AdjustedFunnel(extract::WithinKind),
    /// A record-level extract's monthly control chart.
    MonthSpc,
    /// The reviewed audit sample's shares.
    Audit,
    /// The record-level model's adjusted odds ratios.
    Forest,
    /// When victims withdrew.
    Withdrawal,
    /// A focus force's outcome mix by quarter, with the events.
    Displacement(String),
    /// The extract's outcome mix by month, with the events.
    ExtractDisplacement,
}

/// One chart to draw: its file stem, its shape, and what it is.
struct Job {
    stem: String,
    shape: Shape,
    chart: Chart,
}

/// What the charts are drawn from: a whole run (its national tables, perhaps with a
/// record-level extract), or a folder written by `outcome-lens extract` (the extract alone).
enum Subject {
    Run(Box<Model>),
    Extract(Box<ExtractModel>),
}

impl Subject {
    /// Reads a run's tables, or an extract-only folder's (see [`RunData::is_extract_only`]).
    fn read(data: &RunData) -> Result<Subject> {
        if data.is_extract_only() {
            let extract = ExtractModel::read(data)
                .context("cannot read the extract's tables for the charts")?
                .context("summary.json has no extract")?;
            Ok(Subject::Extract(Box::new(extract)))
        } else {
            let model = Model::read(data).context("cannot read the run's tables for the charts")?;
            Ok(Subject::Run(Box::new(model)))
        }
    }

    /// The national model, which an extract-only folder does not have.
    fn national(&self) -> Result<&Model> {
        match self {
            Subject::Run(model) => Ok(model.as_ref()),
            Subject::Extract(_) => bail!("an extract-only folder has no national tables"),
        }
    }

    /// The record-level extract, when there is one.
    fn extract(&self) -> Option<&ExtractModel> {
        match self {
            Subject::Run(model) => model.extract.as_ref(),
            Subject::Extract(extract) => Some(extract.as_ref()),
        }
    }

    /// The extract, or an error saying the run has none.
    fn needs_extract(&self) -> Result<&ExtractModel> {
        self.extract()
            .ok_or_else(|| anyhow!("the run has no record-level extract"))
    }
}

fn draw_chart<DB: DrawingBackend>(
    canvas: &Canvas<DB>,
    subject: &Subject,
    chart: &Chart,
) -> Result<()> {
    canvas.fill(style::WHITE)?;
    match chart {
        Chart::Funnel => funnel::draw(canvas, &funnel::national(subject.national()?)),
        Chart::Caterpillar => caterpillar::draw(canvas, subject.national()?),
        Chart::Trend(force) => trend::draw(canvas, subject.national()?, force),
        Chart::Spc(force) => spc::draw(canvas, &spc::national(subject.national()?, force)?),
        Chart::Mix(force) => mix::draw(canvas, subject.national()?, force),
        Chart::Multiples => multiples::draw(canvas, subject.national()?),
        Chart::WithinFunnel(kind) => funnel::draw(
            canvas,
            &extract::funnel_chart(subject.needs_extract()?, *kind)?,
        ),
        Chart::AdjustedFunnel(kind) => funnel::draw(
            canvas,
            &extract::adjusted_funnel_chart(subject.needs_extract()?, *kind)?,
        ),
        Chart::MonthSpc => spc::draw(canvas, &extract::month_chart(subject.needs_extract()?)?),
        Chart::Audit => audit::draw(canvas, subject.needs_extract()?),
        Chart::Forest => forest::draw(canvas, subject.needs_extract()?),
        Chart::Withdrawal => withdrawal::draw(canvas, subject.needs_extract()?),
        Chart::Displacement(force) => {
            displacement::draw(canvas, &displacement::national(subject.national()?, force)?)
        }
        Chart::ExtractDisplacement => displacement::draw(
            canvas,
            &extract::displacement_chart(subject.needs_extract()?),
        ),
    }
}

/// Draws one chart as SVG text.
fn svg(job: &Job, subject: &Subject, size: ChartSize) -> Result<Vec<u8>> {
    let (width, height) = style::canvas_size(size, job.shape);
    let mut text = String::new();
    {
        let area = SVGBackend::with_string(&mut text, (width, height)).into_drawing_area();
        let canvas = Canvas::new(
            &area,
            (f64::from(width), f64::from(height)),
            1.0,
            TextMode::Strings,
        )?;
        draw_chart(&canvas, subject, &job.chart)?;
        drawn(area.present())?;
    }
    Ok(text.into_bytes())
}

/// How many times finer than the output a PNG is drawn before it is averaged down. plotters
/// draws lines without anti-aliasing and places glyphs on whole pixels; drawing at twice the
/// size and averaging each 2 × 2 block smooths lines and curves and puts letters within half
/// a pixel of where they belong.
const SUPERSAMPLE: u32 = 2;

/// The buffer a PNG is drawn in, at [`SUPERSAMPLE`] times its size. A worker drawing several
/// charts keeps it, so that each chart reuses the pages of the one before instead of
/// faulting in fresh, zeroed memory (up to 14 MB a chart).
#[derive(Default)]
struct PngScratch {
    fine: Vec<u8>,
}

/// Draws one chart as PNG at `scale` pixels per logical pixel.
fn png(
    job: &Job,
    subject: &Subject,
    size: ChartSize,
    scale: u32,
    scratch: &mut PngScratch,
) -> Result<Vec<u8>> {
    let (width, height) = style::canvas_size(size, job.shape);
    let scale = scale.max(1);
    let (w, h) = (width * scale, height * scale);
    let (fine_w, fine_h) = (w * SUPERSAMPLE, h * SUPERSAMPLE);
    let fine = &mut scratch.fine;
    fine.clear();
    fine.resize(fine_w as usize * fine_h as usize * 3, 0);
    {
        let area = BitMapBackend::with_buffer(fine, (fine_w, fine_h)).into_drawing_area();
        let canvas = Canvas::new(
            &area,
            (f64::from(width), f64::from(height)),
            f64::from(scale * SUPERSAMPLE),
            TextMode::Glyphs,
        )?;
        draw_chart(&canvas, subject, &job.chart)?;
        drawn(area.present())?;
    }
    let block_rows = fine_w as usize * 3 * SUPERSAMPLE as usize;
    png::encode_rows(w, h, |y, out| {
        downsample_row(&fine[y * block_rows..(y + 1) * block_rows], out)
    })
}

/// Averages each 2 × 2 block of two rows of an RGB image (rounding half up) into `out`, one
/// row of the image half as wide. Written so that it compiles without bounds checks: the
/// general loop it replaced took about a fifth of the CPU time of drawing a run's PNGs.
fn downsample_row(rows: &[u8], out: &mut [u8]) {
    const _: () = assert!(SUPERSAMPLE == 2, "downsample_row averages 2 × 2 blocks");
    let (top, bottom) = rows.split_at(rows.len() / 2);
    for ((pixel, a), b) in out
        .chunks_exact_mut(3)
        .zip(top.chunks_exact(6))
        .zip(bottom.chunks_exact(6))
    {
        for c in 0..3 {
            let sum = u16::from(a[c]) + u16::from(a[c + 3]) + u16::from(b[c]) + u16::from(b[c + 3]);
            pixel[c] = ((sum + 2) / 4) as u8;
        }
    }
}

/// Every chart of a run, as (file name, bytes), in a fixed order: the funnel, the
/// caterpillar, then per focus force (in the order of `summary.json`) the trend, SPC and
/// offence-mix charts, then the small multiples, then, when the run has a record-level extract,
/// its funnels by area and by investigating unit and its monthly control chart; each in SVG
/// then PNG, as asked. A folder written by `outcome-lens extract` (no national tables, see
/// [`RunData::is_extract_only`]) gets the extract's charts alone, drawn exactly as a run with
/// the same extract and settings draws them.
///
/// # Errors
///
/// When the run's tables lack something a chart needs, or drawing fails.
pub fn render_run(data: &RunData, options: &ChartOptions) -> Result<Vec<(String, Vec<u8>)>> {
    style::register_fonts()?;
    let subject = Subject::read(data)?;
    let mut jobs = match &subject {
        Subject::Run(model) => national_jobs(model),
        Subject::Extract(_) => Vec::new(),
    };
    if let Some(extract) = subject.extract() {
        jobs.extend(extract_jobs(extract));
    }
    let mut formats = options.formats.clone();
    formats.sort();
    formats.dedup();
    let tasks: Vec<(&Job, ChartFormat)> = jobs
        .iter()
        .flat_map(|job| formats.iter().map(move |format| (job, *format)))
        .collect();
    // The longest jobs are started first (PNGs before SVGs, tall charts before wide ones), so
    // that the two cores finish together rather than one waiting on a large chart begun last.
    let mut order: Vec<usize> = (0..tasks.len()).collect();
    order.sort_by_key(|&i| {
        let (job, format) = tasks[i];
        (format == ChartFormat::Svg, job.shape != Shape::Tall)
    });
    let mut rendered = in_parallel(&order, |scratch: &mut PngScratch, &i| {
        let (job, format) = tasks[i];
        let (extension, bytes) = match format {
            ChartFormat::Svg => ("svg", svg(job, &subject, options.size)),
            ChartFormat::Png => (
                "png",
                png(job, &subject, options.size, options.png_scale, scratch),
            ),
        };
        let name = format!("{}.{extension}", job.stem);
        let bytes = bytes.with_context(|| format!("chart {name}"));
        (i, name, bytes)
    });
    rendered.sort_by_key(|(i, _, _)| *i);
    rendered
        .into_iter()
        .map(|(_, name, bytes)| Ok((name, bytes?)))
        .collect()
}

/// The national charts: the funnel, the caterpillar, each focus force's trend, SPC and
/// offence-mix charts, and the small multiples.
fn national_jobs(model: &Model) -> Vec<Job> {
    let mut jobs: Vec<Job> = vec![
        Job {
            stem: "funnel".to_string(),
            shape: Shape::Wide,
            chart: Chart::Funnel,
        },
        Job {
            stem: "caterpillar".to_string(),
            shape: Shape::Tall,
            chart: Chart::Caterpillar,
        },
    ];
    for force in &model.context.focus {
        let slug = style::slug(force);
        if model.trend.contains_key(force) {
            jobs.push(Job {
                stem: format!("trend-{slug}"),
                shape: Shape::Wide,
                chart: Chart::Trend(force.clone()),
            });
        }
        if spc::has_chart(model, force) {
            jobs.push(Job {
                stem: format!("spc-{slug}"),
                shape: Shape::Wide,
                chart: Chart::Spc(force.clone()),
            });
        }
        if mix::has_chart(model, force) {
            jobs.push(Job {
                stem: format!("offence-mix-{slug}"),
                shape: Shape::Wide,
                chart: Chart::Mix(force.clone()),
            });
        }
        if displacement::has_chart(model, force) {
            jobs.push(Job {
                stem: format!("displacement-{slug}"),
                shape: Shape::Wide,
                chart: Chart::Displacement(force.clone()),
            });
        }
    }
    jobs.push(Job {
        stem: "small-multiples".to_string(),
        shape: Shape::Tall,
        chart: Chart::Multiples,
    });
    jobs
}

/// The record-level extract's charts: its funnels by area and by investigating unit (when it
/// has them) and its monthly control chart (when it has limits).
fn extract_jobs(extract: &ExtractModel) -> Vec<Job> {
    let mut jobs = Vec::new();
    for kind in extract::WithinKind::ALL {
        if extract.funnel(kind).is_some() {
            jobs.push(Job {
                stem: kind.stem(),
                shape: Shape::Wide,
                chart: Chart::WithinFunnel(kind),
            });
        }
    }
    for kind in extract::WithinKind::ALL {
        if extract.adjusted_funnel(kind).is_some() {
            jobs.push(Job {
                stem: kind.adjusted_stem(),
                shape: Shape::Wide,
                chart: Chart::AdjustedFunnel(kind),
            });
        }
    }
    if forest::has_chart(extract) {
        jobs.push(Job {
            stem: "extract-odds-ratios".to_string(),
            shape: if extract.odds_ratios.len() > 16 {
                Shape::Tall
            } else {
                Shape::Wide
            },
            chart: Chart::Forest,
        });
    }
    if withdrawal::has_chart(extract) {
        jobs.push(Job {
            stem: "extract-withdrawal".to_string(),
            shape: if extract.withdrawal.len() > 16 {
                Shape::Tall
            } else {
                Shape::Wide
            },
            chart: Chart::Withdrawal,
        });
    }
    if extract.has_month_chart() {
        jobs.push(Job {
            stem: "extract-spc-month".to_string(),
            shape: Shape::Wide,
            chart: Chart::MonthSpc,
        });
    }
    if extract.outcome_mix.len() >= 2 {
        jobs.push(Job {
            stem: "extract-displacement".to_string(),
            shape: Shape::Wide,
            chart: Chart::ExtractDisplacement,
        });
    }
    if audit::has_chart(extract) {
        jobs.push(Job {
            stem: "audit-findings".to_string(),
            shape: Shape::Wide,
            chart: Chart::Audit,
        });
    }
    jobs
}

/// Maps `work` over `items` on all cores (charts are independent), keeping the items' order.
/// Each worker has its own `S`, made once and passed to every item it takes.
fn in_parallel<T: Sync, S: Default, R: Send>(
    items: &[T],
    work: impl Fn(&mut S, &T) -> R + Sync,
) -> Vec<R> {
    let threads = std::thread::available_parallelism()
        .map_or(1, std::num::NonZeroUsize::get)
        .min(items.len());
    if threads <= 1 {
        let mut state = S::default();
        return items.iter().map(|item| work(&mut state, item)).collect();
    }
    let next = std::sync::atomic::AtomicUsize::new(0);
    let mut results: Vec<(usize, R)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let (mut done, mut state) = (Vec::new(), S::default());
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(item) = items.get(i) else { break };
                        done.push((i, work(&mut state, item)));
                    }
                    done
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|worker| {
                worker
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    });
    results.sort_by_key(|(i, _)| *i);
    results.into_iter().map(|(_, r)| r).collect()
}

#[cfg(test)]
mod tests;
