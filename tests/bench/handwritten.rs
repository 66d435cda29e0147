//! The hand-written parts against the well-kept crates that do the same job, on the same
//! inputs (issue #17, item 8): each figure ARCHITECTURE.md gives for keeping one comes from
//! here.
//!
//! - CSV: `ingest::csv::CsvRecords` against the `csv` crate (csv-core inside) splitting the
//!   real 2018/19 table (131 MB, 621,280 records) into fields, neither checking UTF-8 (the
//!   ingest checks it once, beforehand, on two threads).
//! - PNG: `render::png::encode_rgb` against the `png` crate (0.17, the version plotters'
//!   `image` already brings) encoding the sample run's twelve chart bitmaps, both with the Up
//!   filter; the png crate at its `Fast` and `Default` compression.
//! - Parquet: `output::write_parquet` (two threads encoding columns with polars' encoder)
//!   against polars' own `ParquetWriter` with the same compression, on the real table's
//!   canonical form.
//!
//! Run with `cargo bench --bench handwritten` (release). Each workload runs `RUNS` times
//! (default 9) in turn with its rival (interleaved), and the medians and their ratio are printed.

use std::hint::black_box;
use std::io::Read;
use std::path::Path;
use std::time::{Duration, Instant};

use outcome_lens::ingest::csv::CsvRecords;
use outcome_lens::render::png;
use outcome_lens::run_folder::{summary, RunData, TextTable};

fn runs() -> usize {
    std::env::var("RUNS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(9)
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

/// A named workload returning a check value (so its work is not optimised away).
type Workload<'a> = (&'a str, Box<dyn FnMut() -> u64 + 'a>);

/// Runs each workload `runs()` times, the workloads in turn, and prints their medians and the
/// ratio of each to the first.
fn interleaved(title: &str, workloads: &mut [Workload<'_>]) {
    let mut times: Vec<Vec<Duration>> = vec![Vec::new(); workloads.len()];
    let mut checks = vec![0u64; workloads.len()];
    for _ in 0..runs() {
        for (k, (_, work)) in workloads.iter_mut().enumerate() {
            let start = Instant::now();
            checks[k] = black_box(work());
            times[k].push(start.elapsed());
        }
    }
    println!("{title}");
    let first = median(times[0].clone());
    for (k, (name, _)) in workloads.iter().enumerate() {
        let m = median(times[k].clone());
        println!(
            "  {name:<44} median {:>9.2} ms  ({:.2}x the first; check {})",
            m.as_secs_f64() * 1e3,
            m.as_secs_f64() / first.as_secs_f64(),
            checks[k]
        );
    }
}

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn real_table_text() -> String {
    let path = root()
        .join("data/raw/home-office-outcomes/prc-outcomes-open-data-mar2019-tables.FULL.csv.gz");
    let file = std::fs::File::open(&path).expect("the real table");
    let mut text = String::new();
    flate2::read::GzDecoder::new(file)
        .read_to_string(&mut text)
        .expect("the real table is gzip-compressed UTF-8");
    text
}

fn csv(text: &str) {
    interleaved(
        "CSV: split the real 2018/19 table into fields (count of fields)",
        &mut [
            (
                "outcome-lens CsvRecords",
                Box::new(|| {
                    let mut records = CsvRecords::new(text);
                    let mut fields = Vec::new();
                    let mut n = 0u64;
                    while let Some(_line) = records.next_record(&mut fields).expect("CSV") {
                        n += fields.len() as u64;
                    }
                    n
                }),
            ),
            (
                "csv crate ByteRecord (csv-core)",
                Box::new(|| {
                    let mut reader = csv::ReaderBuilder::new()
                        .has_headers(false)
                        .flexible(true)
                        .from_reader(text.as_bytes());
                    let mut record = csv::ByteRecord::new();
                    let mut n = 0u64;
                    while reader.read_byte_record(&mut record).expect("CSV") {
                        n += record.len() as u64;
                    }
                    n
                }),
            ),
        ],
    );
}

/// The sample run's charts as RGB bitmaps, drawn from the committed golden run.
fn chart_bitmaps() -> Vec<png::Rgb> {
    let dir = root().join("tests/golden/sample");
    let summary = summary::from_text(&std::fs::read_to_string(dir.join("summary.json")).unwrap())
        .expect("the golden summary");
    let mut tables = std::collections::BTreeMap::new();
    for entry in std::fs::read_dir(dir.join("tables")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(&path).unwrap();
        tables.insert(name, TextTable::from_csv(&text).unwrap());
    }
    let data = RunData { summary, tables };
    let charts =
        outcome_lens::render::render_run(&data, &outcome_lens::render::ChartOptions::standard())
            .expect("the sample's charts");
    charts
        .iter()
        .filter(|(name, _)| name.ends_with(".png"))
        .map(|(_, bytes)| png::decode_rgb(bytes).expect("our PNG"))
        .collect()
}

fn png_crate(bitmaps: &[png::Rgb], compression: ::png::Compression) -> u64 {
    let mut total = 0u64;
    for (width, height, rgb) in bitmaps {
        let mut out = Vec::new();
        let mut encoder = ::png::Encoder::new(&mut out, *width, *height);
        encoder.set_color(::png::ColorType::Rgb);
        encoder.set_depth(::png::BitDepth::Eight);
        encoder.set_filter(::png::FilterType::Up);
        encoder.set_adaptive_filter(::png::AdaptiveFilterType::NonAdaptive);
        encoder.set_compression(compression);
        let mut writer = encoder.write_header().expect("PNG header");
        writer.write_image_data(rgb).expect("PNG data");
        writer.finish().expect("PNG end");
        total += out.len() as u64;
    }
    total
}

fn pngs(bitmaps: &[png::Rgb]) {
    let pixels: u64 = bitmaps
        .iter()
        .map(|(w, h, _)| u64::from(*w) * u64::from(*h))
        .sum();
    interleaved(
        &format!(
            "PNG: encode the sample run's {} chart bitmaps ({:.1} Mpixels; check = bytes written)",
            bitmaps.len(),
            pixels as f64 / 1e6
        ),
        &mut [
            (
                "outcome-lens render::png (Up, zlib level 3)",
                Box::new(|| {
                    bitmaps
                        .iter()
                        .map(|(w, h, rgb)| png::encode_rgb(*w, *h, rgb).unwrap().len() as u64)
                        .sum()
                }),
            ),
            (
                "png crate 0.17 (Up, Compression::Fast)",
                Box::new(|| png_crate(bitmaps, ::png::Compression::Fast)),
            ),
            (
                "png crate 0.17 (Up, Compression::Default)",
                Box::new(|| png_crate(bitmaps, ::png::Compression::Default)),
            ),
        ],
    );
}

fn parquet() {
    use polars::prelude::*;
    let forces = outcome_lens::normalise::forces::ForceTable::bundled().unwrap();
    let path = root()
        .join("data/raw/home-office-outcomes/prc-outcomes-open-data-mar2019-tables.FULL.csv.gz");
    let ingested =
        outcome_lens::ingest::read_inputs(&[path], &forces, &indicatif::ProgressBar::hidden())
            .expect("the real table");
    let outcome_lens::ingest::Table::Outcomes(table) = ingested.table else {
        panic!("a Home Office table");
    };
    let dir = std::env::temp_dir().join(format!("outcome-lens-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let ours = dir.join("ours.parquet");
    let theirs = dir.join("theirs.parquet");
    let mut a = table.clone();
    let mut b = table.clone();
    interleaved(
        &format!(
            "Parquet: write the real table's canonical form ({} rows; check = file bytes)",
            table.height()
        ),
        &mut [
            (
                "outcome-lens output::write_parquet (2 threads)",
                Box::new(|| {
                    outcome_lens::output::write_parquet(&ours, &mut a).unwrap();
                    std::fs::metadata(&ours).unwrap().len()
                }),
            ),
            (
                "polars ParquetWriter (LZ4_RAW, one thread)",
                Box::new(|| {
                    let file = std::fs::File::create(&theirs).unwrap();
                    ParquetWriter::new(file)
                        .with_compression(ParquetCompression::Lz4Raw)
                        .finish(&mut b)
                        .unwrap();
                    std::fs::metadata(&theirs).unwrap().len()
                }),
            ),
        ],
    );
    let same = std::fs::read(&ours).unwrap() == std::fs::read(&theirs).unwrap();
    println!("  the two files are byte for byte the same: {same}");
    let _ = std::fs::remove_dir_all(&dir);
}

fn main() {
    println!(
        "cores: {}",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    let text = real_table_text();
    csv(&text);
    drop(text);
    pngs(&chart_bitmaps());
    parquet();
}
