//! Synthetic record-level extracts with planted effects, for tests, benchmarks and the
//! bundled sample.
//!
//! The model, stated so a reader can check the planted truth against it:
//! - crimes are recorded over whole days from `start` for `months` months, more in summer and
//!   at weekends, at evening-heavy times of day; references run `CL/18/000001`, … per year;
//! - each crime's offence code is drawn from the national offence mix of 2018/19 and is flagged
//!   as domestic abuse with the code's assumed share (`data/reference/national_mix_2018_19.csv`,
//!   an ASSUMPTION), optionally rescaled to an overall share;
//! - its outcome is drawn from the national mix of outcomes assigned for that code in 2018/19,
//!   with the odds of outcome 16 multiplied by [`DA_ODDS_RATIO`] for domestic abuse (and the
//!   non-domestic-abuse probability lowered so that the mixture keeps the national rate), then
//!   raised, for domestic-abuse crimes only, by `raise` in each planted area and planted unit
//!   and by [`REPEAT_UPLIFT`] for a victim's repeat crimes; in a "mix unit" (`--mix-units`),
//!   whose domestic-abuse crimes are mostly of standard risk, the odds are then raised by the
//!   odds ratio that risk mix brings ([`fields::risk_mix_odds_ratio`]), so that adjusted for
//!   risk it has no excess; the other outcomes shrink in proportion;
//! - the outcome is dated after a log-normal delay whose median depends on the outcome; a crime
//!   whose outcome would fall after the window's end is still open (outcome 0, no date);
//! - victims recur: a domestic-abuse crime names an earlier victim of the same area with
//!   probability [`DA_REPEAT_SHARE`], another crime with [`OTHER_REPEAT_SHARE`];
//! - [`DUPLICATE_SHARE`] of closed crimes get an earlier, superseded outcome row, and
//!   [`EXACT_DUPLICATE_SHARE`] of rows are written twice, so the reduction has work to do;
//! - each domestic-abuse crime closed with outcome 16 has a true audit finding, from its own
//!   stream ([`review`]), counted in the truth file's `audit`.
//!
//! Invariant: the same options and seed give the same bytes; nothing but the seed is random;
//! every extract says it is synthetic (the truth file's note and the analysis section).

use std::io::Write;

use anyhow::{bail, Context, Result};
use serde::Serialize;

use crate::extract::dates::{self, SECONDS_PER_DAY};
use crate::extract::offences::{national_mix, NationalOffence, ASSIGNED_TYPES};
use crate::extract::rng::{cumulative, Rng};
use crate::wording::csv_field;

pub mod fields;
pub mod review;

/// Odds ratio of outcome 16 for domestic-abuse crimes against the code's national odds.
pub const DA_ODDS_RATIO: f64 = 1.5;
/// Added to the outcome-16 probability of a victim's repeat domestic-abuse crimes.
pub const REPEAT_UPLIFT: f64 = 0.05;
/// Probability that a domestic-abuse crime names an earlier victim.
pub const DA_REPEAT_SHARE: f64 = 0.30;
/// Probability that another crime with a victim names an earlier victim.
pub const OTHER_REPEAT_SHARE: f64 = 0.06;
/// Share of closed crimes with an earlier, superseded outcome row.
pub const DUPLICATE_SHARE: f64 = 0.04;
/// Share of rows written twice, identically.
pub const EXACT_DUPLICATE_SHARE: f64 = 0.005;
/// Share of crimes never closed, whatever their age.
pub const NEVER_CLOSED_SHARE: f64 = 0.01;
/// Highest outcome-16 probability after the raises.
const MAX_P16: f64 = 0.95;
/// Recent victims remembered per area and flag, from whom repeat victims are drawn.
const VICTIM_POOL: usize = 400;

/// The header the synthetic extract is written with (a force-like layout, not the canonical one).
pub const HEADER: [&str; 11] = [
    "Crime Reference",
    "Date Recorded",
    "Outcome Date",
    "HO Code",
    "Outcome",
    "DA Flag",
    "Neighbourhood",
    "Victim ID",
    "OIC Department",
    "Victim Age Band",
    "Victim Gender",
];

/// The force-style outcome labels the synthetic extract uses (DATA.md §3: records systems use
/// their own labels, so an extract needs an explicit label → number mapping).
pub const OUTCOME_LABELS: [(u8, &str); 20] = [
    (1, "Charged/Summonsed"),
    (2, "Youth Caution"),
    (3, "Adult Caution"),
    (4, "Taken Into Consideration"),
    (5, "Offender Deceased"),
    (6, "Penalty Notice for Disorder"),
    (7, "Cannabis/Khat Warning"),
    (8, "Community Resolution"),
    (9, "CPS - Not In Public Interest"),
    (10, "Police - Not In Public Interest"),
    (11, "Suspect Under Age of Criminal Responsibility"),
    (12, "Suspect Too Ill"),
    (13, "Victim or Key Witness Dead/Too Ill"),
    (
        14,
        "Evidential Difficulties: Suspect Not Identified - Victim Does Not Support",
    ),
    (
        15,
        "Evidential Difficulties: Suspect Identified - Victim Supports",
    ),
    (
        16,
        "Named Suspect Identified: Evidential Difficulties - Victim Does Not Support Police Action",
    ),
    (17, "Prosecution Time Limit Expired"),
    (18, "Investigation Complete - No Suspect Identified"),
    (20, "Transferred to Other Agency"),
    (21, "Not In Public Interest - Police Decision"),
];

/// Investigating units, in the order they are used.
const UNIT_NAMES: [&str; 10] = [
    "Response Team A",
    "Response Team B",
    "Domestic Abuse Team",
    "CID",
    "Neighbourhood Team North",
    "Neighbourhood Team South",
    "Safeguarding Hub",
    "Volume Crime Unit",
    "Response Team C",
    "Public Protection Unit",
];

/// Victim age bands with their weights for domestic-abuse and other victims.
const AGE_BANDS: [(&str, f64, f64); 7] = [
    ("under 16", 0.02, 0.08),
    ("16-24", 0.22, 0.20),
    ("25-34", 0.32, 0.22),
    ("35-44", 0.22, 0.18),
    ("45-54", 0.13, 0.15),
    ("55-64", 0.06, 0.10),
    ("65+", 0.03, 0.07),
];

/// What to synthesise.
#[derive(Debug, Clone, PartialEq)]
pub struct SynthOptions {
    /// Crimes (distinct references).
    pub crimes: u64,
    /// The seed.
    pub seed: u64,
    /// The force named in the note (the data are not that force's).
    pub force: String,
    /// Areas (neighbourhoods).
    pub areas: usize,
    /// Investigating units.
    pub units: usize,
    /// Areas whose domestic-abuse outcome-16 probability is raised.
    pub planted_areas: usize,
    /// Units whose domestic-abuse outcome-16 probability is raised.
    pub planted_units: usize,
    /// Units, other than the planted ones, whose domestic-abuse crimes are mostly of standard
    /// risk, with the outcome-16 odds that mix brings (`fields::risk_mix_odds_ratio`): an
    /// excess the case-mix model explains.
    pub mix_units: usize,
    /// The raise, in probability (0.15 = 15 percentage points).
    pub raise: f64,
    /// The overall domestic-abuse share, if the assumed per-code shares are to be rescaled.
    pub da_share: Option<f64>,
    /// The first day (days since 1970-01-01).
    pub start_day: i64,
    /// Months in the window.
    pub months: u32,
    /// A level change in the domestic-abuse outcome-16 probability for crimes recorded from a
    /// day on (`--change-at`, `--change`).
    pub change: Option<PlantedChange>,
}

/// A planted level change: from `from_day` on, `by` is added to the outcome-16 probability of
/// every domestic-abuse crime (after the area, unit and repeat-victim raises; the sum is kept
/// within 0 and the model's ceiling).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PlantedChange {
    /// The first day (days since 1970-01-01) of crimes recorded under the change.
    pub from_day: i64,
    /// The change in probability (-0.10 = 10 percentage points lower).
    pub by: f64,
}

/// The planted change in the truth file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TruthChange {
    /// The first recording date under the change (`YYYY-MM-DD`).
    pub from: String,
    /// The change in probability.
    pub by: f64,
    /// Which crimes it applies to.
    pub applies_to: String,
    /// Domestic-abuse crimes recorded before the change, and their outcome-16 closures.
    pub before: ChangeCounts,
    /// The same from the change on.
    pub after: ChangeCounts,
}

/// Domestic-abuse crimes and their outcome-16 closures on one side of a planted change.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct ChangeCounts {
    /// Domestic-abuse crimes recorded.
    pub domestic_abuse_crimes: u64,
    /// Of them, closed with outcome 16 within the window.
    pub outcome16: u64,
    /// The mean outcome-16 probability the model gave them.
    pub mean_probability: f64,
}

impl SynthOptions {
    /// The defaults of `outcome-lens synth` for `crimes` and `seed`: Cleveland, 12 areas
    /// (2 planted), 8 units (1 planted), a raise of 0.15, 24 months from April 2018.
    pub fn standard(crimes: u64, seed: u64) -> SynthOptions {
        SynthOptions {
            crimes,
            seed,
            force: "Cleveland".into(),
            areas: 12,
            units: 8,
            planted_areas: 2,
            planted_units: 1,
            mix_units: 0,
            raise: 0.15,
            da_share: None,
            start_day: dates::days_from_civil(2018, 4, 1),
            months: 24,
            change: None,
        }
    }
}

/// One area or unit of the planted truth.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlantedUnit {
    /// Its name.
    pub name: String,
    /// Whether its outcome-16 probability was raised.
    pub planted: bool,
    /// The raise (0 when not planted).
    pub raised_by: f64,
    /// For a unit planted with a standard-risk mix, the odds ratio of outcome 16 that mix
    /// brings (its whole excess: adjusted for risk, it has none).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub risk_mix_odds_ratio: Option<f64>,
    /// Crimes generated in it.
    pub crimes: u64,
    /// Domestic-abuse crimes generated in it.
    pub domestic_abuse_crimes: u64,
}

/// The planted truth, written beside the extract.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Truth {
    /// Says that the data are synthetic.
    pub note: String,
    /// The tool and version that made the file.
    pub generator: String,
    /// The seed.
    pub seed: u64,
    /// Crimes.
    pub crimes: u64,
    /// Rows written (crimes + superseded rows + exact duplicates).
    pub rows: u64,
    /// Superseded outcome rows written.
    pub superseded_rows: u64,
    /// Rows written twice.
    pub exact_duplicate_rows: u64,
    /// Domestic-abuse crimes.
    pub domestic_abuse_crimes: u64,
    /// Crimes still open at the window's end.
    pub open_crimes: u64,
    /// First and last day of the window.
    pub window: [String; 2],
    /// The model's constants.
    pub model: serde_json::Value,
    /// Areas.
    pub areas: Vec<PlantedUnit>,
    /// Units.
    pub units: Vec<PlantedUnit>,
    /// The audit findings planted for the domestic-abuse outcome-16 closures.
    pub audit: review::PlantedAudit,
    /// The planted level change, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub change: Option<TruthChange>,
    /// The investigation-quality fields' planted odds ratios.
    pub fields: fields::PlantedFields,
}

/// Per offence code: the domestic-abuse share and the outcome distributions.
struct OffenceModel {
    code: String,
    da_share: f64,
    has_victim: bool,
    /// (p16, cumulative over the other outcome types) for domestic abuse and other crimes.
    da: (f64, Vec<f64>),
    other: (f64, Vec<f64>),
}

/// The types other than 16 in the order of the cumulative distributions.
fn other_types() -> Vec<u8> {
    ASSIGNED_TYPES
        .iter()
        .copied()
        .filter(|&t| t != 16)
        .collect()
}

fn odds_scaled(p: f64, ratio: f64) -> f64 {
    if p <= 0.0 || p >= 1.0 {
        return p;
    }
    let odds = p / (1.0 - p) * ratio;
    odds / (1.0 + odds)
}

fn offence_models(options: &SynthOptions) -> Result<(Vec<OffenceModel>, Vec<f64>)> {
    let mix = national_mix();
    if mix.is_empty() {
        bail!("the embedded national offence mix is empty");
    }
    let total: f64 = mix.iter().map(|o| o.recorded_crimes as f64).sum();
    let assumed: f64 = mix
        .iter()
        .map(|o| o.recorded_crimes as f64 * o.da_share_assumption)
        .sum::<f64>()
        / total;
    let scale = match options.da_share {
        Some(share) if share > 0.0 && share < 1.0 => share / assumed,
        Some(share) => bail!("--da-share {share} is not in (0, 1)"),
        None => 1.0,
    };
    let others = other_types();
    let models = mix
        .iter()
        .map(|o: &NationalOffence| {
            let da_share = (o.da_share_assumption * scale).min(0.95);
            let assigned: f64 = ASSIGNED_TYPES
                .iter()
                .map(|&t| o.assigned[usize::from(t)] as f64)
                .sum();
            let p16 = o.assigned[16] as f64 / assigned;
            let p16_da = odds_scaled(p16, DA_ODDS_RATIO);
            let p16_other = if da_share < 1.0 {
                ((p16 - da_share * p16_da) / (1.0 - da_share)).max(0.5 * p16)
            } else {
                p16
            };
            let weights: Vec<f64> = others
                .iter()
                .map(|&t| o.assigned[usize::from(t)] as f64)
                .collect();
            let other_cum = cumulative(&weights);
            OffenceModel {
                code: o.code.clone(),
                da_share,
                has_victim: !matches!(
                    o.group.as_str(),
                    "Drug offences" | "Possession of weapons offences"
                ),
                da: (p16_da, other_cum.clone()),
                other: (p16_other, other_cum),
            }
        })
        .collect();
    let weights: Vec<f64> = mix.iter().map(|o| o.recorded_crimes as f64).collect();
    Ok((models, cumulative(&weights)))
}

/// Median delay to an outcome, in days, and the spread of its logarithm.
fn delay(outcome: u8) -> (f64, f64) {
    match outcome {
        16 => (6.0, 1.3),
        14 => (10.0, 1.0),
        18 => (8.0, 1.0),
        1 => (25.0, 1.0),
        2 | 3 | 6 | 7 | 8 => (14.0, 1.0),
        15 => (45.0, 0.9),
        20 => (5.0, 1.0),
        21 => (20.0, 1.0),
        _ => (30.0, 1.0),
    }
}

fn area_names(force: &str, n: usize) -> Vec<String> {
    let districts: &[&str] = if force.eq_ignore_ascii_case("cleveland") {
        &[
            "Hartlepool",
            "Middlesbrough",
            "Redcar and Cleveland",
            "Stockton-on-Tees",
        ]
    } else {
        &["North", "South", "East", "West"]
    };
    (0..n)
        .map(|k| {
            format!(
                "{} {}",
                districts[k % districts.len()],
                k / districts.len() + 1
            )
        })
        .collect()
}

fn unit_names(n: usize) -> Vec<String> {
    (0..n)
        .map(|k| match UNIT_NAMES.get(k) {
            Some(name) => name.to_string(),
            None => format!("Investigation Team {}", k + 1),
        })
        .collect()
}

/// Picks `k` of `n` indices at random.
fn planted(rng: &mut Rng, n: usize, k: usize) -> Vec<bool> {
    let mut order: Vec<usize> = (0..n).collect();
    for position in 0..k.min(n) {
        let pick = position + rng.below((n - position) as u64) as usize;
        order.swap(position, pick);
    }
    let mut out = vec![false; n];
    for &i in &order[..k.min(n)] {
        out[i] = true;
    }
    out
}

/// A remembered victim.
#[derive(Debug, Clone, Copy)]
struct Victim {
    id: u64,
    age_band: usize,
    female: bool,
}

/// One row to write.
struct Row<'a> {
    reference: &'a str,
    recorded: i64,
    outcome: u8,
    outcome_at: i64,
    code: &'a str,
    domestic_abuse: bool,
    area: &'a str,
    victim: Option<Victim>,
    unit: &'a str,
    fields: fields::Fields,
}

fn write_row(out: &mut impl Write, row: &Row<'_>, labels: &[&str; 23]) -> std::io::Result<()> {
    let (y, m, d) = dates::civil_from_days(row.recorded.div_euclid(SECONDS_PER_DAY));
    let seconds = row.recorded.rem_euclid(SECONDS_PER_DAY);
    write!(
        out,
        "{},{d:02}/{m:02}/{y:04} {:02}:{:02},",
        row.reference,
        seconds / 3600,
        (seconds / 60) % 60
    )?;
    if row.outcome != 0 {
        let (y, m, d) = dates::civil_from_days(row.outcome_at.div_euclid(SECONDS_PER_DAY));
        write!(out, "{y:04}-{m:02}-{d:02}")?;
    }
    write!(
        out,
        ",{},{},{},{},",
        row.code,
        csv_field(labels[usize::from(row.outcome)]),
        if row.domestic_abuse { "Y" } else { "N" },
        row.area
    )?;
    match row.victim {
        Some(v) => write!(
            out,
            "V{:07},{},{},{}",
            v.id,
            row.unit,
            AGE_BANDS[v.age_band].0,
            if v.female { "F" } else { "M" }
        )?,
        None => write!(out, ",{},,", row.unit)?,
    }
    fields::write(out, &row.fields)?;
    out.write_all(b"\n")
}

/// Writes a synthetic extract to `out` and returns its planted truth.
pub fn synthesise(options: &SynthOptions, out: &mut impl Write) -> Result<Truth> {
    if options.crimes == 0 {
        bail!("--crimes must be at least 1");
    }
    if options.areas < 2 || options.units < 1 {
        bail!("--areas must be at least 2 and --units at least 1");
    }
    if options.planted_areas > options.areas
        || options.planted_units + options.mix_units > options.units
    {
        bail!("cannot plant more areas or units than there are");
    }
    if !(0.0..=0.8).contains(&options.raise) {
        bail!("--raise {} is not in [0, 0.8]", options.raise);
    }
    if options.months == 0 {
        bail!("--months must be at least 1");
    }
    let mut rng = Rng::new(options.seed);
    let (models, offence_cum) = offence_models(options)?;
    let others = other_types();
    let areas = area_names(&options.force, options.areas);
    let units = unit_names(options.units);
    let area_weights: Vec<f64> = (0..areas.len())
        .map(|_| 0.6 + 0.8 * rng.uniform())
        .collect();
    let unit_weights: Vec<f64> = (0..units.len()).map(|_| 0.5 + rng.uniform()).collect();
    // Domestic-abuse crimes go more often to the specialist units.
    let da_unit_weights: Vec<f64> = units
        .iter()
        .zip(&unit_weights)
        .map(|(name, w)| match name.as_str() {
            "Domestic Abuse Team" => 4.0 * w,
            "Safeguarding Hub" | "Public Protection Unit" => 2.0 * w,
            _ => *w,
        })
        .collect();
    let area_cum = cumulative(&area_weights);
    let unit_cum = cumulative(&unit_weights);
    let da_unit_cum = cumulative(&da_unit_weights);
    let planted_areas = planted(&mut rng, areas.len(), options.planted_areas);
    let planted_units = planted(&mut rng, units.len(), options.planted_units);
    // The mix units come from a stream of their own, so that without them the extract is
    // unchanged.
    let mix_units = {
        let others: Vec<usize> = (0..units.len()).filter(|&u| !planted_units[u]).collect();
        let mut mix_rng = Rng::new(options.seed ^ 0x6D69_7875_6E69_7473);
        let picked = planted(&mut mix_rng, others.len(), options.mix_units);
        let mut out = vec![false; units.len()];
        for (&u, &p) in others.iter().zip(&picked) {
            out[u] = p;
        }
        out
    };
    let mix_odds = fields::risk_mix_odds_ratio();
    let mut labels = [""; 23];
    for (t, label) in OUTCOME_LABELS {
        labels[usize::from(t)] = label;
    }
    let age_da = cumulative(&AGE_BANDS.map(|a| a.1));
    let age_other = cumulative(&AGE_BANDS.map(|a| a.2));
    let hour_weights = [
        3.0, 2.5, 2.0, 1.5, 1.0, 0.8, 0.8, 1.0, 1.5, 2.0, 2.5, 3.0, 3.2, 3.4, 3.6, 3.8, 4.2, 4.6,
        5.0, 5.2, 5.2, 5.0, 4.4, 3.6,
    ];
    let hour_cum = cumulative(&hour_weights);

    // Days of the window with their weights: a summer peak and busier weekends.
    let (start_year, start_month, _) = dates::civil_from_days(options.start_day);
    let end_month = start_year * 12 + start_month - 1 + i64::from(options.months);
    let end_day = dates::days_from_civil(end_month.div_euclid(12), end_month.rem_euclid(12) + 1, 1);
    let window_end = end_day * SECONDS_PER_DAY;
    if let Some(change) = &options.change {
        if !(-0.8..=0.8).contains(&change.by) {
            bail!(
                "--change {} is not a change in probability in [-0.8, 0.8] (-0.10 for 10 points lower)",
                change.by
            );
        }
        if change.from_day <= options.start_day || change.from_day >= end_day {
            bail!(
                "--change-at {} is not inside the window ({} to {}): crimes are needed on both sides",
                dates::format_date(change.from_day * SECONDS_PER_DAY),
                dates::format_date(options.start_day * SECONDS_PER_DAY),
                dates::format_date((end_day - 1) * SECONDS_PER_DAY)
            );
        }
    }
    let day_weights: Vec<f64> = (options.start_day..end_day)
        .map(|day| {
            let (_, month, _) = dates::civil_from_days(day);
            let season = 1.0 + 0.12 * (std::f64::consts::TAU * (month as f64 - 4.0) / 12.0).sin();
            // 1970-01-01 was a Thursday, so day % 7 of 2 and 3 are Saturday and Sunday.
            let weekend = if matches!(day.rem_euclid(7), 2 | 3) {
                1.15
            } else {
                1.0
            };
            season * weekend
        })
        .collect();
    let day_cum = cumulative(&day_weights);
    let day_total = day_cum.last().copied().unwrap_or(1.0);

    let mut truth_areas: Vec<PlantedUnit> = areas
        .iter()
        .zip(&planted_areas)
        .map(|(name, &p)| PlantedUnit {
            name: name.clone(),
            planted: p,
            raised_by: if p { options.raise } else { 0.0 },
            risk_mix_odds_ratio: None,
            crimes: 0,
            domestic_abuse_crimes: 0,
        })
        .collect();
    let mut truth_units: Vec<PlantedUnit> = units
        .iter()
        .zip(&planted_units)
        .zip(&mix_units)
        .map(|((name, &p), &mix)| PlantedUnit {
            name: name.clone(),
            planted: p,
            raised_by: if p { options.raise } else { 0.0 },
            risk_mix_odds_ratio: mix.then_some(mix_odds),
            crimes: 0,
            domestic_abuse_crimes: 0,
        })
        .collect();

    let prefix: String = options
        .force
        .chars()
        .filter(|c| c.is_ascii_alphabetic())
        .take(2)
        .collect::<String>()
        .to_ascii_uppercase();
    let mut pools: Vec<Vec<Victim>> = vec![Vec::new(); areas.len() * 2];
    let mut next_victim: u64 = 1;
    let (mut rows, mut superseded, mut exact, mut da_crimes, mut open) =
        (0u64, 0u64, 0u64, 0u64, 0u64);
    let mut written: u64 = 0;
    let mut sequence: u64 = 0;
    let mut sequence_year = i64::MIN;
    let mut times: Vec<i64> = Vec::new();
    let mut audit = review::PlantedAudit::empty();
    // Before and after the planted change: crimes, outcome-16 closures, summed probability.
    let mut sides = [(0u64, 0u64, 0.0f64); 2];
    let change_from = options
        .change
        .map_or(i64::MAX, |c| c.from_day * SECONDS_PER_DAY);
    writeln!(out, "{},{}", HEADER.join(","), fields::HEADER.join(","))
        .context("cannot write the extract")?;
    // The investigation-quality fields come from a stream of their own, drawn once per crime
    // after its outcome, so the rest of the extract is the same with or without them.
    let mut field_rng = Rng::new(options.seed ^ 0x6669_656C_6473);
    for (k, day) in (options.start_day..end_day).enumerate() {
        // Cumulative rounding: exactly `crimes` crimes over the window.
        let upto = (options.crimes as f64 * day_cum[k] / day_total).round() as u64;
        let count = upto.saturating_sub(written);
        written += count;
        times.clear();
        for _ in 0..count {
            let hour = rng.weighted(&hour_cum) as i64;
            let second = rng.below(3600) as i64;
            times.push(day * SECONDS_PER_DAY + hour * 3600 + second / 60 * 60);
        }
        times.sort_unstable();
        let (year, _, _) = dates::civil_from_days(day);
        if year != sequence_year {
            sequence_year = year;
            sequence = 0;
        }
        for &recorded in &times {
            sequence += 1;
            let reference = format!("{prefix}/{:02}/{sequence:06}", year % 100);
            let model = &models[rng.weighted(&offence_cum)];
            let domestic_abuse = rng.chance(model.da_share);
            let area = rng.weighted(&area_cum);
            let unit = if domestic_abuse {
                rng.weighted(&da_unit_cum)
            } else {
                rng.weighted(&unit_cum)
            };
            truth_areas[area].crimes += 1;
            truth_units[unit].crimes += 1;
            if domestic_abuse {
                da_crimes += 1;
                truth_areas[area].domestic_abuse_crimes += 1;
                truth_units[unit].domestic_abuse_crimes += 1;
            }
            let mut repeat = false;
            let victim = if model.has_victim {
                let pool = &mut pools[area * 2 + usize::from(domestic_abuse)];
                let share = if domestic_abuse {
                    DA_REPEAT_SHARE
                } else {
                    OTHER_REPEAT_SHARE
                };
                if !pool.is_empty() && rng.chance(share) {
                    repeat = true;
                    Some(pool[rng.below(pool.len() as u64) as usize])
                } else {
                    let ages = if domestic_abuse { &age_da } else { &age_other };
                    let victim = Victim {
                        id: next_victim,
                        age_band: rng.weighted(ages),
                        female: rng.chance(if domestic_abuse { 0.78 } else { 0.45 }),
                    };
                    next_victim += 1;
                    if pool.len() < VICTIM_POOL {
                        pool.push(victim);
                    } else {
                        let slot = rng.below(VICTIM_POOL as u64) as usize;
                        pool[slot] = victim;
                    }
                    Some(victim)
                }
            } else {
                None
            };
            let (base, cum) = if domestic_abuse {
                &model.da
            } else {
                &model.other
            };
            let mut p16 = *base;
            if domestic_abuse {
                if planted_areas[area] {
                    p16 += options.raise;
                }
                if planted_units[unit] {
                    p16 += options.raise;
                }
                if repeat {
                    p16 += REPEAT_UPLIFT;
                }
            }
            let after = match &options.change {
                Some(change) if domestic_abuse && recorded >= change_from => {
                    p16 += change.by;
                    true
                }
                _ => false,
            };
            let mut p16 = p16.clamp(0.0, MAX_P16);
            if domestic_abuse && mix_units[unit] {
                p16 = odds_scaled(p16, mix_odds).min(MAX_P16);
            }
            let mut outcome = if rng.chance(p16) {
                16
            } else {
                others[rng.weighted(cum)]
            };
            let (median, spread) = delay(outcome);
            let days = (median.ln() + spread * rng.normal()).exp().min(1_000.0);
            let mut outcome_at = recorded + (days * SECONDS_PER_DAY as f64) as i64;
            if outcome_at >= window_end || rng.chance(NEVER_CLOSED_SHARE) {
                outcome = 0;
                outcome_at = 0;
                open += 1;
            }
            if domestic_abuse {
                let side = &mut sides[usize::from(after)];
                side.0 += 1;
                side.1 += u64::from(outcome == 16);
                side.2 += p16;
            }
            if outcome == 16 && domestic_abuse {
                audit.count(review::true_case(
                    options.seed,
                    &reference,
                    planted_areas[area],
                ));
            }
            let row = Row {
                reference: &reference,
                recorded,
                outcome,
                outcome_at,
                code: &model.code,
                domestic_abuse,
                area: &areas[area],
                victim,
                unit: &units[unit],
                fields: fields::draw(
                    &mut field_rng,
                    outcome,
                    (recorded, outcome_at),
                    unit,
                    domestic_abuse && mix_units[unit],
                ),
            };
            let interim = outcome != 0
                && outcome_at - recorded >= SECONDS_PER_DAY
                && rng.chance(DUPLICATE_SHARE);
            let interim_row = interim.then(|| {
                let types = [15u8, 21, 18, 14, 10];
                let first = types[rng.below(types.len() as u64) as usize];
                let span = (outcome_at - recorded) / SECONDS_PER_DAY;
                let at = recorded + rng.below(span.max(1) as u64) as i64 * SECONDS_PER_DAY;
                Row {
                    outcome: if first == outcome { 15 } else { first },
                    outcome_at: at.min(outcome_at - SECONDS_PER_DAY),
                    ..row
                }
            });
            let interim_first = rng.chance(0.5);
            if let (Some(early), true) = (&interim_row, interim_first) {
                write_row(out, early, &labels)?;
            }
            write_row(out, &row, &labels)?;
            if let (Some(early), false) = (&interim_row, interim_first) {
                write_row(out, early, &labels)?;
            }
            rows += 1;
            if interim_row.is_some() {
                rows += 1;
                superseded += 1;
            }
            if rng.chance(EXACT_DUPLICATE_SHARE) {
                write_row(out, &row, &labels)?;
                rows += 1;
                exact += 1;
            }
        }
    }
    out.flush().context("cannot write the extract")?;
    Ok(Truth {
        note: format!("synthetic extract, not real {} data", options.force),
        generator: format!(
            "{} synth {}",
            env!("CARGO_PKG_NAME"),
            env!("CARGO_PKG_VERSION")
        ),
        seed: options.seed,
        crimes: options.crimes,
        rows,
        superseded_rows: superseded,
        exact_duplicate_rows: exact,
        domestic_abuse_crimes: da_crimes,
        open_crimes: open,
        window: [
            dates::format_date(options.start_day * SECONDS_PER_DAY),
            dates::format_date((end_day - 1) * SECONDS_PER_DAY),
        ],
        model: serde_json::json!({
            "national_mix": "data/reference/national_mix_2018_19.csv (2018/19, 43 territorial forces; domestic-abuse shares are assumptions)",
            "da_share": options.da_share,
            "da_outcome16_odds_ratio": DA_ODDS_RATIO,
            "raise": options.raise,
            "raised_crimes": "domestic-abuse crimes in planted areas and planted units (raises add up)",
            "mix_units": options.mix_units,
            "mix_units_note": "a mix unit's domestic-abuse crimes are mostly of standard risk (DASH shares 0.90, 0.08, 0.02 among crimes without outcome 16, against 0.35, 0.35, 0.30), and their outcome-16 odds are raised by the odds ratio that mix brings, after the other raises: its excess disappears once risk is adjusted for",
            "repeat_victim_uplift": REPEAT_UPLIFT,
            "da_repeat_share": DA_REPEAT_SHARE,
            "other_repeat_share": OTHER_REPEAT_SHARE,
            "duplicate_share": DUPLICATE_SHARE,
            "exact_duplicate_share": EXACT_DUPLICATE_SHARE,
            "never_closed_share": NEVER_CLOSED_SHARE,
        }),
        areas: truth_areas,
        units: truth_units,
        audit,
        fields: fields::planted(),
        change: options.change.map(|c| {
            let counts = |(crimes, outcome16, sum): (u64, u64, f64)| ChangeCounts {
                domestic_abuse_crimes: crimes,
                outcome16,
                mean_probability: if crimes == 0 { 0.0 } else { sum / crimes as f64 },
            };
            TruthChange {
                from: dates::format_date(c.from_day * SECONDS_PER_DAY),
                by: c.by,
                applies_to: "the outcome-16 probability of domestic-abuse crimes recorded on or after `from`, added after the area, unit and repeat-victim raises and kept within 0 and the model's ceiling".into(),
                before: counts(sides[0]),
                after: counts(sides[1]),
            }
        }),
    })
}

/// What [`write_files`] wrote.
#[derive(Debug, Clone)]
pub struct Written {
    /// The planted truth.
    pub truth: Truth,
    /// Where it was written (`<stem>.truth.json`).
    pub truth_path: std::path::PathBuf,
    /// Where the `[extract]` section that reads the extract was written
    /// (`<stem>.extract.toml`).
    pub section_path: std::path::PathBuf,
}

/// Writes the synthetic extract to `out`, its planted truth and the `[extract]` section that
/// reads it beside it, each atomically.
///
/// # Errors
///
/// When a file cannot be written.
pub fn write_files(options: &SynthOptions, out: &std::path::Path) -> Result<Written> {
    use anyhow::Context as _;
    let (truth_path, section_path) = companion_paths(out);
    let mut truth = None;
    crate::output::write_atomic(out, |w| {
        truth = Some(synthesise(options, w)?);
        Ok(())
    })?;
    let truth = truth.context("the synthetic extract was not written")?;
    let mut json = serde_json::to_vec_pretty(&truth)?;
    json.push(b'\n');
    crate::output::write_atomic(&truth_path, |w| {
        w.write_all(&json)
            .with_context(|| format!("cannot write {}", truth_path.display()))
    })?;
    let file_name = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let section = extract_section(&file_name, &options.force);
    crate::output::write_atomic(&section_path, |w| {
        w.write_all(section.as_bytes())
            .with_context(|| format!("cannot write {}", section_path.display()))
    })?;
    Ok(Written {
        truth,
        truth_path,
        section_path,
    })
}

/// The files written beside a synthetic extract: its planted truth (`<stem>.truth.json`) and
/// the `[extract]` section that reads it (`<stem>.extract.toml`).
pub fn companion_paths(extract: &std::path::Path) -> (std::path::PathBuf, std::path::PathBuf) {
    let stem = extract
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "extract".into());
    (
        extract.with_file_name(format!("{stem}.truth.json")),
        extract.with_file_name(format!("{stem}.extract.toml")),
    )
}

/// The `[extract]` section that reads an extract written by [`synthesise`]; `file` is its
/// path relative to the analysis file.
pub fn extract_section(file: &str, force: &str) -> String {
    let mut text = format!(
        "[extract]\nfile = {file:?}\nforce = {force:?}\nnote = \"synthetic extract, not real {force} data\"\nscope = \"da\"\narea_level = \"neighbourhood\"\n\n[extract.columns]\n"
    );
    let fields = [
        ("crime_reference", 0),
        ("recorded_date", 1),
        ("outcome_date", 2),
        ("offence_code", 3),
        ("outcome", 4),
        ("domestic_abuse", 5),
        ("area", 6),
        ("victim_reference", 7),
        ("unit", 8),
        ("victim_age_band", 9),
        ("victim_sex", 10),
    ];
    for (field, column) in fields {
        text.push_str(&format!("{field} = {:?}\n", HEADER[column]));
    }
    text.push_str("# Investigation-quality fields (optional; issue #20)\n");
    // The quality fields' keys, then the three free fields, in the order of fields::HEADER.
    let quality = crate::config::extract::QUALITY_FIELDS
        .iter()
        .map(|f| f.key)
        .chain(["withdrawal_date", "ethnicity", "officer"]);
    for (field, column) in quality.zip(fields::HEADER) {
        text.push_str(&format!("{field} = {column:?}\n"));
    }
    text.push_str("\n# The force's own outcome labels (DATA.md section 3: select on the number).\n[extract.outcome_labels]\n");
    for (number, label) in OUTCOME_LABELS {
        text.push_str(&format!("{label:?} = {number}\n"));
    }
    text
}

#[cfg(test)]
mod tests;
