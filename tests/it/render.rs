//! Charts: golden SVGs of the sample run, PNG sizes and non-blankness, redrawing with
//! `outcome-lens chart`, byte-identical output, drawing with no system fonts at all, and the
//! record-level extract's charts (issue #7).
//! Refresh the golden SVGs on purpose with `UPDATE_GOLDEN=1 cargo test --test it render`,
//! then look at them (or at the PNGs beside them) before committing.

use std::path::{Path, PathBuf};

use outcome_lens::render::png::decode_rgb;

use crate::support::{output, root, Workdir};

/// Every chart of the sample run (one focus force and a record-level extract), in the order
/// `render_run` returns them.
const CHARTS: [&str; 16] = [
    "funnel",
    "caterpillar",
    "trend-cleveland",
    "spc-cleveland",
    "offence-mix-cleveland",
    "displacement-cleveland",
    "small-multiples",
    "extract-funnel-area",
    "extract-funnel-unit",
    "extract-adjusted-area",
    "extract-adjusted-unit",
    "extract-odds-ratios",
    "extract-withdrawal",
    "extract-spc-month",
    "extract-displacement",
    "audit-findings",
];

/// The charts drawn from the Home Office tables (the rest are drawn from the extract).
const NATIONAL: [&str; 7] = [
    "funnel",
    "caterpillar",
    "trend-cleveland",
    "spc-cleveland",
    "offence-mix-cleveland",
    "displacement-cleveland",
    "small-multiples",
];

/// Charts drawn tall on A4 (960 × 1240); the rest are 960 × 680.
// The forest plot is tall when the model has more than 16 levels, as the sample's has (27).
const TALL: [&str; 3] = ["caterpillar", "small-multiples", "extract-odds-ratios"];

/// The bundled sample analysis run into `work/run`, with a private ingest cache.
fn sample_run(work: &Workdir) -> PathBuf {
    work.copy_sample();
    let mut cmd = work.command();
    cmd.args([
        "run",
        "--config",
        "analysis.toml",
        "--out",
        "run",
        "--quiet",
    ]);
    let (code, _, stderr) = output(&mut cmd);
    assert_eq!(code, 0, "the sample run failed: {stderr}");
    work.path().join("run")
}

/// `outcome-lens chart <run> <args…>`.
fn chart(work: &Workdir, run: &Path, args: &[&str]) -> (i32, String, String) {
    let mut cmd = work.command();
    cmd.arg("chart").arg(run).args(args);
    output(&mut cmd)
}

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// The share of pixels that are not near-white, and the number of distinct colours.
fn ink(pixels: &[u8]) -> (f64, usize) {
    let inked = pixels
        .chunks(3)
        .filter(|p| p.iter().any(|c| *c < 200))
        .count();
    let mut colours: Vec<&[u8]> = pixels.chunks(3).collect();
    colours.sort();
    colours.dedup();
    (inked as f64 / (pixels.len() / 3) as f64, colours.len())
}

/// Dark pixels (all channels below 100) in the band where the title is drawn.
fn title_ink(width: u32, pixels: &[u8], scale: u32) -> usize {
    let row = width as usize * 3;
    (14 * scale as usize..40 * scale as usize)
        .flat_map(|y| (20 * scale as usize..400 * scale as usize).map(move |x| (y, x)))
        .filter(|(y, x)| {
            pixels[y * row + x * 3..y * row + x * 3 + 3]
                .iter()
                .all(|c| *c < 100)
        })
        .count()
}

/// Compares the run's SVGs with tests/golden/charts/, or rewrites them when UPDATE_GOLDEN=1.
fn check_golden_svgs(charts: &Path) {
    let golden = root().join("tests/golden/charts");
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        let _ = std::fs::remove_dir_all(&golden);
        std::fs::create_dir_all(&golden).unwrap();
        for name in CHARTS {
            let file = format!("{name}.svg");
            std::fs::copy(charts.join(&file), golden.join(&file)).unwrap();
        }
        return;
    }
    for name in CHARTS {
        let file = format!("{name}.svg");
        let actual = String::from_utf8(read(&charts.join(&file)))
            .unwrap()
            .replace("\r\n", "\n");
        let expected = String::from_utf8(read(&golden.join(&file)))
            .unwrap()
            .replace("\r\n", "\n");
        if actual != expected {
            let first = actual
                .lines()
                .zip(expected.lines())
                .position(|(a, e)| a != e)
                .unwrap_or(actual.lines().count().min(expected.lines().count()));
            panic!(
                "tests/golden/charts/{file} differs at line {}:\n```expected\n{}\n```\n```actual\n{}\n```\n(UPDATE_GOLDEN=1 refreshes the goldens; look at the charts before committing)",
                first + 1,
                expected.lines().nth(first).unwrap_or("<end of file>"),
                actual.lines().nth(first).unwrap_or("<end of file>")
            );
        }
    }
}

#[test]
fn sample_run_charts_match_the_golden_svgs() {
    let work = Workdir::new();
    let run = sample_run(&work);
    let mut expected: Vec<String> = CHARTS
        .iter()
        .flat_map(|c| [format!("{c}.png"), format!("{c}.svg")])
        .collect();
    expected.sort();
    assert_eq!(crate::golden::files_under(&run.join("charts")), expected);
    check_golden_svgs(&run.join("charts"));
}

#[test]
fn run_pngs_fit_a4_and_are_not_blank() {
    let work = Workdir::new();
    let run = sample_run(&work);
    for name in CHARTS {
        let (w, h, pixels) = decode_rgb(&read(&run.join(format!("charts/{name}.png")))).unwrap();
        let expected = if TALL.contains(&name) {
            (960, 1240)
        } else {
            (960, 680)
        };
        assert_eq!((w, h), expected, "{name}");
        let (share, colours) = ink(&pixels);
        assert!(
            share > 0.02 && share < 0.6,
            "{name}: {share} of the pixels are inked"
        );
        // Anti-aliased text and the palette give many colours; a blank or failed drawing few.
        assert!(colours > 50, "{name}: only {colours} colours");
        assert!(title_ink(w, &pixels, 1) > 200, "{name}: no title");
    }
}

#[test]
fn chart_redraws_slides_at_high_dpi() {
    let work = Workdir::new();
    let run = sample_run(&work);
    let (code, stdout, stderr) = chart(
        &work,
        &run,
        &[
            "--formats",
            "png",
            "--size",
            "slide",
            "--hidpi",
            "--out",
            "slides",
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stdout.lines().count(), CHARTS.len(), "{stdout}");
    for name in CHARTS {
        let (w, h, pixels) =
            decode_rgb(&read(&work.path().join(format!("slides/{name}.png")))).unwrap();
        assert_eq!((w, h), (2560, 1440), "{name}");
        assert!(title_ink(w, &pixels, 2) > 800, "{name}: no title");
    }
    assert_eq!(
        crate::golden::files_under(&work.path().join("slides")).len(),
        CHARTS.len()
    );
}

#[test]
fn redrawn_svgs_are_byte_identical() {
    let work = Workdir::new();
    let run = sample_run(&work);
    let (code, _, stderr) = chart(&work, &run, &["--formats", "svg", "--out", "again"]);
    assert_eq!(code, 0, "{stderr}");
    for name in CHARTS {
        let file = format!("{name}.svg");
        assert!(
            read(&run.join("charts").join(&file)) == read(&work.path().join("again").join(&file)),
            "{file} differs when redrawn"
        );
    }
}

/// The charts use only the fonts compiled into the binary: with every font search path
/// pointing nowhere, the PNGs have their text and are byte for byte the same as usual.
#[test]
fn charts_render_with_no_system_fonts() {
    let work = Workdir::new();
    let run = sample_run(&work);
    let empty = work.path().join("empty-home");
    std::fs::create_dir_all(&empty).unwrap();
    let mut cmd = work.command();
    cmd.env("FONTCONFIG_FILE", "/nonexistent/fonts.conf")
        .env("FONTCONFIG_PATH", "/nonexistent")
        .env("FONTCONFIG_SYSROOT", "/nonexistent")
        .env("XDG_DATA_DIRS", "/nonexistent")
        .env("XDG_DATA_HOME", "/nonexistent")
        .env("XDG_CONFIG_HOME", "/nonexistent")
        .env("HOME", &empty)
        .arg("chart")
        .arg(&run)
        .args(["--formats", "png", "--out", "no-fonts"]);
    let (code, _, stderr) = output(&mut cmd);
    assert_eq!(code, 0, "{stderr}");
    for name in CHARTS {
        let file = format!("{name}.png");
        let bytes = read(&work.path().join("no-fonts").join(&file));
        let (w, _, pixels) = decode_rgb(&bytes).unwrap();
        assert!(title_ink(w, &pixels, 1) > 200, "{file}: no title text");
        assert!(
            bytes == read(&run.join("charts").join(&file)),
            "{file} differs without system fonts"
        );
    }
}

#[test]
fn every_national_chart_names_the_proxy_and_never_says_domestic_abuse() {
    let work = Workdir::new();
    let run = sample_run(&work);
    for name in NATIONAL {
        let text = String::from_utf8(read(&run.join(format!("charts/{name}.svg")))).unwrap();
        assert!(
            text.contains("DA proxy: violence offence codes 8N, 105A, 8L, 8Q, 3B"),
            "{name}"
        );
        let lower = text.to_lowercase();
        assert!(
            !lower.contains("domestic abuse") && !lower.contains("domestic-abuse"),
            "{name}"
        );
        // Charts of the comparison period name it; charts of the series name its span, and
        // every chart carries the analysis file's note that some years are synthetic.
        let period = if [
            "trend-cleveland",
            "spc-cleveland",
            "small-multiples",
            "displacement-cleveland",
        ]
        .contains(&name)
        {
            "2015/16 Q1 to 2019/20 Q4"
        } else {
            "year ending March 2019"
        };
        assert!(
            text.contains(&format!(
                "Source: Home Office police recorded crime outcomes open data, {period}. Only 2018/19 is Home Office data"
            )),
            "{name}"
        );
    }
}

/// The text of an SVG element holding exactly `text` (as chart labels are written).
fn has_text(svg: &str, text: &str) -> bool {
    svg.contains(&format!(">\n{text}\n</text>"))
}

/// See: #7. The sample's extract gets a funnel by area and by investigating unit and a monthly
/// control chart: in the extract's words, naming the extract as their source (never the Home
/// Office tables), with the planted area and unit labelled.
#[test]
fn the_extract_charts_speak_of_areas_units_and_months_and_name_the_extract() {
    let work = Workdir::new();
    let run = sample_run(&work);
    let source = "Source: record-level crime extract force_extract.csv, Cleveland (synthetic extract, not real Cleveland data), April 2018 to March 2020.";
    let svg =
        |name: &str| String::from_utf8(read(&run.join(format!("charts/{name}.svg")))).unwrap();
    for name in [
        "extract-funnel-area",
        "extract-funnel-unit",
        "extract-spc-month",
    ] {
        let text = svg(name);
        assert!(text.contains(source), "{name} lacks the source line");
        assert!(
            text.contains("Domestic-abuse-flagged crimes, Cleveland (synthetic extract, not real Cleveland data)"),
            "{name} does not say whose extract it is"
        );
        assert!(!text.contains("Home Office"), "{name}");
        assert!(!text.contains("by force"), "{name}");
    }

    let area = svg("extract-funnel-area");
    for words in [
        // The title names the extract's scope (it wraps before the period).
        "Cleveland: outcome 16 rate by area, funnel plot, domestic-abuse-flagged crimes,",
        "Denominator per area (neighbourhood): crimes with outcome types 1-22 (log scale)",
        "Areas above the 99.8% limit",
        "Areas within the limits",
        "φ = 3.298, τ² = 0.003683",
    ] {
        assert!(area.contains(words), "the area funnel lacks {words:?}");
    }
    // The planted area is flagged and labelled with its rate and flag; with six areas, every
    // area is named.
    assert!(
        has_text(&area, "Middlesbrough 2 73.4% (above 99.8%)"),
        "{area}"
    );
    for other in [
        "Hartlepool 1",
        "Hartlepool 2",
        "Middlesbrough 1",
        "Redcar and Cleveland 1",
        "Stockton-on-Tees 1",
    ] {
        assert!(has_text(&area, other), "{other} is not labelled");
    }

    let unit = svg("extract-funnel-unit");
    assert!(unit.contains("Cleveland: outcome 16 rate by investigating unit, funnel plot"));
    assert!(unit.contains("Investigating units above the 95% limit only"));
    assert!(
        has_text(&unit, "Neighbourhood Team North 71.2% (above 95%)"),
        "{unit}"
    );

    let month = svg("extract-spc-month");
    for words in [
        "Cleveland: outcome 16 rate by month in the record-level extract, control chart (Laney p′)",
        "Domestic-abuse-flagged crimes: monthly rate",
        "Laney p′ chart of monthly rates; centre line 50.6% and limits from the baseline, carried on past it",
        "Baseline: limits set on Apr 2018 to Mar 2019 (12 months; the baseline 2016/17 Q1 to 2018/19 Q4 within the data)",
        "Beyond a 3σ limit (no points)",
        "Apr 2018",
    ] {
        assert!(month.contains(words), "the monthly chart lacks {words:?}");
    }
    assert!(!month.contains("quarter"));

    // Both formats, wide, not blank.
    for name in [
        "extract-funnel-area",
        "extract-funnel-unit",
        "extract-spc-month",
    ] {
        let (w, h, pixels) = decode_rgb(&read(&run.join(format!("charts/{name}.png")))).unwrap();
        assert_eq!((w, h), (960, 680), "{name}");
        assert!(ink(&pixels).0 > 0.02, "{name} is blank");
    }
}
