//! The record-level analyses of one force's extract: the outcome rate by area (with a
//! within-force funnel, overdispersion adjustment and flags, and the expectation given each
//! area's offence mix), by offence group and code, by investigating unit (with its own funnel),
//! by month (with a Laney p′ chart and its rule hits), for repeat and first-time victims, the
//! time from recording to closure, and domestic abuse against other crimes.
//!
//! Invariants: every statistic comes from `crate::stats` (this module only counts and
//! arranges); the funnel follows the national funnel's rule for applying the overdispersion
//! adjustment (`compare::funnel`); every list is sorted by name (or month) before it is
//! returned, so outputs do not depend on the order of the extract's rows.

use std::collections::BTreeMap;

use anyhow::{Context, Result};

use crate::compare::funnel::{place_units, AdjustmentRule, FunnelSummary, GridRow};
use crate::config::extract::ExtractConfig;
use crate::config::FunnelConfig;
use crate::extract::dates::{self, SECONDS_PER_DAY};
use crate::extract::offences;
use crate::extract::read::{Crime, Extract, NONE};
use crate::record::Basis;
use crate::stats::{
    self, funnel as sfunnel, overdispersion, proportion, quantile, spc, standardise, Interval,
    Level, Target,
};

/// The name shown for crimes without an investigating unit.
pub const NO_UNIT: &str = "(no unit recorded)";

/// The name of the all-areas row of the time-to-closure table.
pub const ALL_AREAS: &str = "all areas";

/// A numerator over a denominator, with its rate and Wilson 95% interval (both absent when the
/// denominator is 0).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Rate {
    /// Crimes closed with a numerator outcome.
    pub numerator: u64,
    /// Crimes closed with a denominator outcome.
    pub denominator: u64,
    /// numerator / denominator.
    pub rate: Option<f64>,
    /// Wilson 95% interval.
    pub ci95: Option<Interval>,
}

impl Rate {
    pub(crate) fn new(numerator: u64, denominator: u64) -> Result<Rate> {
        let found = proportion::rate_with_interval(numerator, denominator)?;
        Ok(Rate {
            numerator,
            denominator,
            rate: found.map(|(rate, _)| rate),
            ci95: found.map(|(_, interval)| interval),
        })
    }
}

pub use crate::compare::funnel::FunnelPlace;

/// The expectation of a unit's numerator given its offence mix (indirect standardisation
/// against the force's own rate for each offence code).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MixExpectation {
    /// Expected numerator E.
    pub expected: f64,
    /// O / E.
    pub ratio: f64,
    /// The interval of O / E.
    pub ratio_ci95: Interval,
}

/// One area or unit.
#[derive(Debug, Clone, PartialEq)]
pub struct UnitRow {
    /// Its name.
    pub name: String,
    /// Crimes in scope.
    pub crimes: u64,
    /// Of those, without an outcome (type 0).
    pub without_outcome: u64,
    /// The rate in scope.
    pub scope: Rate,
    /// The rate in the comparison group (absent for scope `all`).
    pub comparison: Option<Rate>,
    /// The funnel place (absent when the unit has no denominator or is not a real unit).
    pub place: Option<FunnelPlace>,
    /// The offence-mix expectation.
    pub mix: Option<MixExpectation>,
}

/// A within-force funnel over areas or units.
#[derive(Debug, Clone, PartialEq)]
pub struct UnitFunnel {
    /// One row per unit, sorted by name.
    pub rows: Vec<UnitRow>,
    /// The funnel's parameters (absent when fewer than two units have a denominator).
    pub summary: Option<FunnelSummary>,
    /// The limits along a grid of denominators.
    pub grid: Vec<GridRow>,
}

/// One offence code.
#[derive(Debug, Clone, PartialEq)]
pub struct OffenceRow {
    /// Offence group (from the 2018/19 list; "(not in the 2018/19 offence list)" otherwise).
    pub group: String,
    /// Home Office code.
    pub code: String,
    /// Description (empty when the code is not in the list).
    pub description: String,
    /// Crimes in scope.
    pub crimes: u64,
    /// The rate in scope.
    pub scope: Rate,
    /// The rate in the comparison group.
    pub comparison: Option<Rate>,
}

/// One offence group.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupRow {
    /// Offence group.
    pub group: String,
    /// Crimes in scope.
    pub crimes: u64,
    /// The rate in scope.
    pub scope: Rate,
    /// The rate in the comparison group.
    pub comparison: Option<Rate>,
}

/// One month.
#[derive(Debug, Clone, PartialEq)]
pub struct MonthRow {
    /// The month as `year · 12 + month − 1` (see [`dates::month_index`]).
    pub month: i64,
    /// The rate in scope.
    pub scope: Rate,
    /// The rate in the comparison group.
    pub comparison: Option<Rate>,
    /// The Laney p′ chart point.
    pub spc: Option<spc::ChartPoint>,
    /// Rule hits at this point, judged within its phase.
    pub rules: spc::RuleHits,
    /// The point's variation (None without limits).
    pub variation: Option<crate::stats::spc::phases::Variation>,
    /// Its phase (0 without phases).
    pub phase: usize,
}

/// First-time or repeat victims' crimes.
#[derive(Debug, Clone, PartialEq)]
pub struct RepeatRow {
    /// `first crime in the window`, `repeat: earlier crime in the window` or `all`.
    pub group: &'static str,
    /// Crimes.
    pub crimes: u64,
    /// Distinct victims.
    pub victims: u64,
    /// The rate.
    pub scope: Rate,
}

/// The repeat-victim analysis (crimes in scope that name a victim).
#[derive(Debug, Clone, PartialEq)]
pub struct RepeatVictims {
    /// First-time, repeat, all.
    pub rows: Vec<RepeatRow>,
    /// Victims by their number of numerator closures: (label, victims).
    pub by_closures: Vec<(String, u64)>,
    /// Victims with two or more numerator closures.
    pub two_or_more_closures: u64,
    /// Crimes in scope without a victim reference (left out).
    pub crimes_without_victim: u64,
}

/// Time from recording to a numerator closure, for one area (or all areas) and one group.
#[derive(Debug, Clone, PartialEq)]
pub struct ClosureTimeRow {
    /// The scope or the comparison group, as labelled.
    pub subset: String,
    /// The area, or [`ALL_AREAS`].
    pub area: String,
    /// Closures.
    pub closures: u64,
    /// Median days (type-7 quantile).
    pub median_days: Option<f64>,
    /// Lower quartile, days.
    pub q1_days: Option<f64>,
    /// Upper quartile, days.
    pub q3_days: Option<f64>,
    /// Closures on the day of recording or the next (under one day after recording).
    pub within_1_day: u64,
    /// Closures within seven days of recording.
    pub within_7_days: u64,
}

/// Domestic abuse, other crimes, and all crimes.
#[derive(Debug, Clone, PartialEq)]
pub struct DaRow {
    /// `domestic abuse`, `not domestic abuse`, `all crimes`.
    pub group: &'static str,
    /// Crimes.
    pub crimes: u64,
    /// Of those, without an outcome.
    pub without_outcome: u64,
    /// The rate.
    pub rate: Rate,
    /// Median days from recording to a numerator closure.
    pub median_days_to_closure: Option<f64>,
}

/// The outcome-type mix of domestic abuse and other crimes.
#[derive(Debug, Clone, PartialEq)]
pub struct OutcomeTypeRow {
    /// Outcome type 0–22.
    pub outcome_type: u8,
    /// Its description.
    pub description: String,
    /// Domestic-abuse crimes with this outcome.
    pub domestic_abuse: u64,
    /// Their share of all domestic-abuse crimes.
    pub domestic_abuse_share: Option<f64>,
    /// Other crimes with this outcome.
    pub other: u64,
    /// Their share of all other crimes.
    pub other_share: Option<f64>,
}

/// The Laney chart's parameters for the monthly series.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MonthChart {
    /// p̄.
    pub centre: f64,
    /// Laney's σ_z.
    pub sigma_z: Option<f64>,
    /// Moving ranges screened out.
    pub moving_ranges_screened: usize,
}

/// Everything the record-level analysis produced.
#[derive(Debug, Clone, PartialEq)]
pub struct ExtractAnalysis {
    /// Crimes in scope.
    pub crimes_in_scope: u64,
    /// Crimes in the comparison group.
    pub crimes_in_comparison: u64,
    /// The overall rate in scope.
    pub overall: Rate,
    /// The overall rate in the comparison group.
    pub overall_comparison: Option<Rate>,
    /// By area, with the area funnel.
    pub areas: UnitFunnel,
    /// By investigating unit, with the unit funnel (absent without a unit column).
    pub units: Option<UnitFunnel>,
    /// By offence group.
    pub groups: Vec<GroupRow>,
    /// By offence code.
    pub offences: Vec<OffenceRow>,
    /// By month.
    pub months: Vec<MonthRow>,
    /// The monthly chart's parameters.
    pub month_chart: Option<MonthChart>,
    /// Each event's effect on the monthly series.
    pub monitor: Vec<crate::compare::monitor::EventEffect>,
    /// Each event's effect on the mix of outcomes.
    pub displacement: Vec<crate::compare::monitor::DisplacementEffect>,
    /// The crimes in scope's outcome mix by month, when the analysis file has events.
    pub outcome_mix: Vec<crate::compare::monitor::MixPeriod>,
    /// The investigation-quality fields and the record-level model, when the extract maps
    /// at least one of the fields.
    pub quality: Option<super::quality::QualityAnalysis>,
    /// Repeat victims (absent without a victim column).
    pub repeat: Option<RepeatVictims>,
    /// Time to closure.
    pub closure_times: Vec<ClosureTimeRow>,
    /// Domestic abuse against other crimes.
    pub da_vs_other: Vec<DaRow>,
    /// The outcome-type mix.
    pub outcome_types: Vec<OutcomeTypeRow>,
    /// Every crime with an outcome, whatever the scope, by the month of its basis date
    /// ([`dates::month_index`]) and offence (index into [`Extract::offences`]): counts by
    /// outcome type, for the reconciliation with the published counts.
    pub all_types: BTreeMap<(i64, u32), [u64; 23]>,
}

/// Counts of one unit.
#[derive(Debug, Clone, Copy, Default)]
struct Tally {
    crimes: u64,
    open: u64,
    x: u64,
    n: u64,
    comparison_x: u64,
    comparison_n: u64,
}

/// Which crimes count where.
struct Classify {
    scope: crate::config::extract::ExtractScope,
    numerator: [bool; 23],
    denominator: [bool; 23],
}

impl Classify {
    fn add(&self, tally: &mut Tally, crime: &Crime) {
        let t = usize::from(crime.outcome);
        if self.scope.includes(crime.domestic_abuse) {
            tally.crimes += 1;
            tally.open += u64::from(crime.outcome == 0);
            tally.x += u64::from(self.numerator[t]);
            tally.n += u64::from(self.denominator[t]);
        } else if self.scope.compares(crime.domestic_abuse) {
            tally.comparison_x += u64::from(self.numerator[t]);
            tally.comparison_n += u64::from(self.denominator[t]);
        }
    }
}

/// Runs every analysis.
pub fn analyse(extract: &Extract, config: &ExtractConfig) -> Result<ExtractAnalysis> {
    let (numerator, denominator) = config.measure.masks();
    let classify = Classify {
        scope: config.scope,
        numerator,
        denominator,
    };
    let has_comparison = config.scope.comparison_label().is_some();
    let n_offences = extract.offences.len();
    let n_areas = extract.areas.len();
    let n_units = extract.units.len() + 1;

    // One pass: tallies by area, unit, offence and month, and scope counts by area × offence
    // and unit × offence for the offence-mix expectation.
    let mut overall = Tally::default();
    let mut by_area = vec![Tally::default(); n_areas];
    let mut by_unit = vec![Tally::default(); n_units];
    let mut by_offence = vec![Tally::default(); n_offences];
    let mut area_offence = vec![(0u64, 0u64); n_areas * n_offences];
    let mut unit_offence = vec![(0u64, 0u64); n_units * n_offences];
    let mut by_month: BTreeMap<i64, Tally> = BTreeMap::new();
    // The in-scope crimes' assigned outcome types by month, for displacement.
    let mut types_by_month: BTreeMap<i64, [u64; 23]> = BTreeMap::new();
    // Every crime's outcome type by month (of the basis date) and offence, whatever the
    // scope, for the reconciliation with the published counts.
    let mut all_types: BTreeMap<(i64, u32), [u64; 23]> = BTreeMap::new();
    for crime in &extract.crimes {
        if crime.outcome != 0 {
            let when = match config.measure.basis {
                Basis::AssignedInPeriod => crime.outcome_at,
                Basis::RecordedInPeriod => crime.recorded,
            };
            all_types
                .entry((dates::month_index(when), crime.offence))
                .or_default()[usize::from(crime.outcome)] += 1;
        }
        classify.add(&mut overall, crime);
        let area = crime.area as usize;
        let unit = if crime.unit == NONE {
            n_units - 1
        } else {
            crime.unit as usize
        };
        let offence = crime.offence as usize;
        classify.add(&mut by_area[area], crime);
        classify.add(&mut by_unit[unit], crime);
        classify.add(&mut by_offence[offence], crime);
        let t = usize::from(crime.outcome);
        if config.scope.includes(crime.domestic_abuse) {
            let cell = &mut area_offence[area * n_offences + offence];
            cell.0 += u64::from(numerator[t]);
            cell.1 += u64::from(denominator[t]);
            let cell = &mut unit_offence[unit * n_offences + offence];
            cell.0 += u64::from(numerator[t]);
            cell.1 += u64::from(denominator[t]);
        }
        if denominator[t] {
            let when = match config.measure.basis {
                Basis::AssignedInPeriod => crime.outcome_at,
                Basis::RecordedInPeriod => crime.recorded,
            };
            classify.add(by_month.entry(dates::month_index(when)).or_default(), crime);
        }
        if crime.outcome != 0 && config.scope.includes(crime.domestic_abuse) {
            let when = match config.measure.basis {
                Basis::AssignedInPeriod => crime.outcome_at,
                Basis::RecordedInPeriod => crime.recorded,
            };
            types_by_month.entry(dates::month_index(when)).or_default()[t] += 1;
        }
    }

    let comparison = |t: &Tally| -> Result<Option<Rate>> {
        if has_comparison {
            Ok(Some(Rate::new(t.comparison_x, t.comparison_n)?))
        } else {
            Ok(None)
        }
    };
    let theta0 = if overall.n > 0 {
        overall.x as f64 / overall.n as f64
    } else {
        0.0
    };
    // The force's own rate per offence code, the reference of the offence-mix expectation.
    let code_rates: Vec<f64> = by_offence
        .iter()
        .map(|t| {
            if t.n > 0 {
                t.x as f64 / t.n as f64
            } else {
                0.0
            }
        })
        .collect();
    let expectation = |cells: &[(u64, u64)]| -> Result<Option<MixExpectation>> {
        if overall.x == 0 {
            return Ok(None);
        }
        let strata: Vec<standardise::Stratum> = cells
            .iter()
            .zip(&code_rates)
            .filter(|((_, n), _)| *n > 0)
            .map(|(&(x, n), &r)| standardise::Stratum {
                observed: x,
                denominator: n,
                reference_rate: r,
            })
            .collect();
        if strata.is_empty() {
            return Ok(None);
        }
        let result = standardise::indirect(&strata, theta0, Level::ninety_five())?;
        Ok(Some(MixExpectation {
            expected: result.expected,
            ratio: result.ratio,
            ratio_ci95: result.ratio_interval,
        }))
    };

    let mut area_rows = Vec::with_capacity(n_areas);
    for (i, t) in by_area.iter().enumerate() {
        area_rows.push(UnitRow {
            name: extract.areas[i].clone(),
            crimes: t.crimes,
            without_outcome: t.open,
            scope: Rate::new(t.x, t.n)?,
            comparison: comparison(t)?,
            place: None,
            mix: expectation(&area_offence[i * n_offences..(i + 1) * n_offences])
                .with_context(|| format!("offence-mix expectation of {}", extract.areas[i]))?,
        });
    }
    let areas = place_in_funnel(area_rows, &config.funnel, |_| true).context("area funnel")?;

    let units = if config.columns.unit.is_some() {
        let mut rows = Vec::with_capacity(n_units);
        for (i, t) in by_unit.iter().enumerate() {
            if t.crimes == 0 && t.comparison_n == 0 && i == n_units - 1 {
                continue;
            }
            let name = if i == n_units - 1 {
                NO_UNIT.to_string()
            } else {
                extract.units[i].clone()
            };
            rows.push(UnitRow {
                mix: expectation(&unit_offence[i * n_offences..(i + 1) * n_offences])
                    .with_context(|| format!("offence-mix expectation of {name}"))?,
                name,
                crimes: t.crimes,
                without_outcome: t.open,
                scope: Rate::new(t.x, t.n)?,
                comparison: comparison(t)?,
                place: None,
            });
        }
        Some(
            place_in_funnel(rows, &config.funnel, |row| row.name != NO_UNIT)
                .context("unit funnel")?,
        )
    } else {
        None
    };

    let mut offence_rows = Vec::new();
    let mut group_tallies: BTreeMap<String, Tally> = BTreeMap::new();
    for (i, t) in by_offence.iter().enumerate() {
        if t.crimes == 0 && t.comparison_n == 0 {
            continue;
        }
        let code = &extract.offences[i];
        let (group, description) = match offences::lookup(code) {
            Some(o) => (o.group.clone(), o.description.clone()),
            None => (
                "(not in the 2018/19 offence list)".to_string(),
                String::new(),
            ),
        };
        let g = group_tallies.entry(group.clone()).or_default();
        g.crimes += t.crimes;
        g.x += t.x;
        g.n += t.n;
        g.comparison_x += t.comparison_x;
        g.comparison_n += t.comparison_n;
        offence_rows.push(OffenceRow {
            group,
            code: code.clone(),
            description,
            crimes: t.crimes,
            scope: Rate::new(t.x, t.n)?,
            comparison: comparison(t)?,
        });
    }
    offence_rows.sort_by(|a, b| a.group.cmp(&b.group).then(a.code.cmp(&b.code)));
    let mut groups = Vec::new();
    for (group, t) in &group_tallies {
        groups.push(GroupRow {
            group: group.clone(),
            crimes: t.crimes,
            scope: Rate::new(t.x, t.n)?,
            comparison: comparison(t)?,
        });
    }

    let (months, month_chart) = monthly(&by_month, config, &comparison)?;
    let (monitor, displacement, outcome_mix) = monitor_months(&months, &types_by_month, config)?;
    let repeat = match config.columns.victim_reference {
        Some(_) => Some(repeat_victims(extract, &classify)?),
        None => None,
    };
    let closure_times = closure_times(extract, config, &classify)?;
    let (da_vs_other, outcome_types) = da_vs_other(extract, &classify)?;

    Ok(ExtractAnalysis {
        crimes_in_scope: overall.crimes,
        crimes_in_comparison: extract
            .crimes
            .iter()
            .filter(|c| config.scope.compares(c.domestic_abuse))
            .count() as u64,
        overall: Rate::new(overall.x, overall.n)?,
        overall_comparison: comparison(&overall)?,
        areas,
        units,
        groups,
        offences: offence_rows,
        months,
        month_chart,
        monitor,
        displacement,
        outcome_mix,
        quality: super::quality::analyse(extract, config)?,
        repeat,
        closure_times,
        da_vs_other,
        outcome_types,
        all_types,
    })
}

/// Places the rows that `in_funnel` accepts and that have a denominator in a funnel, and sorts
/// the rows by name.
fn place_in_funnel(
    mut rows: Vec<UnitRow>,
    funnel: &FunnelConfig,
    in_funnel: impl Fn(&UnitRow) -> bool,
) -> Result<UnitFunnel> {
    rows.sort_by(|a, b| a.name.cmp(&b.name));
    let members: Vec<usize> = (0..rows.len())
        .filter(|&i| rows[i].scope.denominator > 0 && in_funnel(&rows[i]))
        .collect();
    let xs: Vec<u64> = members.iter().map(|&i| rows[i].scope.numerator).collect();
    let ns: Vec<u64> = members.iter().map(|&i| rows[i].scope.denominator).collect();
    let Some(result) = within_force_funnel(&xs, &ns, funnel)? else {
        return Ok(UnitFunnel {
            rows,
            summary: None,
            grid: Vec::new(),
        });
    };
    for (k, &i) in members.iter().enumerate() {
        rows[i].place = Some(result.places[k]);
    }
    Ok(UnitFunnel {
        rows,
        summary: Some(result.summary),
        grid: result.grid,
    })
}

/// The result of [`within_force_funnel`].
#[derive(Debug, Clone, PartialEq)]
pub struct WithinForceFunnel {
    /// Each unit's place, in input order.
    pub places: Vec<FunnelPlace>,
    /// The funnel's parameters.
    pub summary: FunnelSummary,
    /// The limits along a plotting grid.
    pub grid: Vec<GridRow>,
}

/// A funnel over units inside one force (every n > 0): the target, φ and τ² are estimated over
/// these units, and the adjustment is applied by the national rule (METHODS.md §5.6: whenever
/// τ² > 0, or φ > 1 for the multiplicative adjustment, and, with `adjust_when = significant`,
/// only when the χ² test is significant at 5%).
///
/// Returns `None` when fewer than two units have a denominator, or when the target is 0 or 1
/// on the natural scale (where z-scores are undefined).
///
/// # Errors
///
/// The errors of `stats` (which the checks above make unreachable for valid counts).
pub fn within_force_funnel(
    xs: &[u64],
    ns: &[u64],
    fc: &FunnelConfig,
) -> Result<Option<WithinForceFunnel>> {
    if xs.len() < 2 || ns.contains(&0) {
        return Ok(None);
    }
    let pooled = sfunnel::pooled_target(xs, ns)?;
    let theta = match fc.target {
        Target::Pooled => pooled,
        Target::Fixed(value) => value,
    };
    if fc.scale == stats::Scale::Natural && (theta <= 0.0 || theta >= 1.0) {
        return Ok(None);
    }
    let od = overdispersion::estimate(xs, ns, fc.target, fc.scale, fc.winsorise)?;
    let rule = AdjustmentRule::of(&od, fc);
    let places = place_units(xs, ns, &od, &rule, fc)?;
    let (grid, summary) = crate::compare::funnel::grid_and_summary(ns, &od, fc, &rule)?;
    Ok(Some(WithinForceFunnel {
        places,
        summary,
        grid,
    }))
}

/// The events' effects on the monthly series and on the mix of outcomes, after refusing
/// events outside the months and a baseline shorter than the rule lengths.
fn monitor_months(
    months: &[MonthRow],
    types_by_month: &BTreeMap<i64, [u64; 23]>,
    config: &ExtractConfig,
) -> Result<(
    Vec<crate::compare::monitor::EventEffect>,
    Vec<crate::compare::monitor::DisplacementEffect>,
    Vec<crate::compare::monitor::MixPeriod>,
)> {
    use crate::compare::monitor::{displacement, effects, MixPeriod, SeriesPoint};
    let m = &config.monitor;
    let (Some(first), Some(last)) = (months.first(), months.last()) else {
        return Ok((Vec::new(), Vec::new(), Vec::new()));
    };
    if m.events.is_empty() && m.baseline.is_none() {
        return Ok((Vec::new(), Vec::new(), Vec::new()));
    }
    let days: Vec<(i64, i64)> = months.iter().map(|r| month_days(r.month)).collect();
    let in_baseline = m.baseline.map_or(0, |(from, to)| {
        days.iter().filter(|d| d.0 >= from && d.1 <= to).count()
    });
    crate::compare::trend::check_monitoring(
        m,
        &config.spc,
        (days[0].0, days[days.len() - 1].1),
        (
            &dates::month_label(first.month),
            &dates::month_label(last.month),
        ),
        in_baseline,
    )
    .with_context(|| format!("the extract's months ({})", config.file_label))?;
    let points: Vec<SeriesPoint> = months
        .iter()
        .zip(&days)
        .map(|(r, d)| SeriesPoint {
            label: dates::month_label(r.month),
            days: *d,
            x: r.scope.numerator,
            n: r.scope.denominator,
            rules: r.rules,
            variation: r.variation,
            above: r.spc.is_some_and(|p| p.value > p.centre),
        })
        .collect();
    let unit = config.scope.label();
    let level = crate::stats::Level::ninety_five();
    let effects = effects(unit, &points, m, m.months, level)?;
    let types: Vec<[u64; 23]> = months
        .iter()
        .map(|r| types_by_month.get(&r.month).copied().unwrap_or([0; 23]))
        .collect();
    let shifts = displacement(unit, &days, &types, m, m.months, level)?;
    let mix = if m.events.is_empty() {
        Vec::new()
    } else {
        months
            .iter()
            .zip(days.iter().zip(&types))
            .map(|(r, (d, t))| MixPeriod {
                unit: unit.to_string(),
                label: dates::month_label(r.month),
                days: *d,
                types: *t,
            })
            .collect()
    };
    Ok((effects, shifts, mix))
}

/// A month's first and last days.
pub fn month_days(index: i64) -> (i64, i64) {
    let (year, month) = (index.div_euclid(12), index.rem_euclid(12) + 1);
    (
        dates::days_from_civil(year, month, 1),
        dates::days_from_civil(year, month, dates::days_in_month(year, month)),
    )
}

/// The monthly series with a Laney p′ chart over the months that have a denominator.
fn monthly(
    by_month: &BTreeMap<i64, Tally>,
    config: &ExtractConfig,
    comparison: &dyn Fn(&Tally) -> Result<Option<Rate>>,
) -> Result<(Vec<MonthRow>, Option<MonthChart>)> {
    let points: Vec<(i64, &Tally)> = by_month
        .iter()
        .filter(|(_, t)| t.n > 0)
        .map(|(m, t)| (*m, t))
        .collect();
    let xs: Vec<u64> = points.iter().map(|(_, t)| t.x).collect();
    let ns: Vec<u64> = points.iter().map(|(_, t)| t.n).collect();
    // A month series with a rate of 0 or 1 throughout has no chart (its summary says none).
    let days: Vec<(i64, i64)> = points.iter().map(|(m, _)| month_days(*m)).collect();
    let plan = crate::compare::trend::ChartPlan::for_periods(&days, &config.monitor);
    let crate::compare::trend::ControlChart {
        chart,
        hits,
        variation,
        phase_of,
        ..
    } = crate::compare::trend::control_chart(&xs, &ns, &config.spc, &plan)?;
    let mut rows = Vec::with_capacity(points.len());
    for (k, (month, tally)) in points.iter().enumerate() {
        rows.push(MonthRow {
            month: *month,
            scope: Rate::new(tally.x, tally.n)?,
            comparison: comparison(tally)?,
            spc: chart.as_ref().map(|c| c.points[k]),
            rules: hits[k],
            variation: variation[k],
            phase: phase_of[k],
        });
    }
    let summary = chart.as_ref().map(|c| MonthChart {
        centre: c.centre,
        sigma_z: c.sigma_z,
        moving_ranges_screened: c.moving_ranges_screened,
    });
    Ok((rows, summary))
}

/// For each crime accepted by `include`, how many earlier crimes (by recorded date, then by
/// crime reference, so the answer does not depend on the order of the extract's rows)
/// accepted by `include` name the same victim. Other crimes get 0.
pub fn earlier_crimes_of_victim(extract: &Extract, include: impl Fn(&Crime) -> bool) -> Vec<u32> {
    let mut order: Vec<(u32, i64, u32)> = extract
        .crimes
        .iter()
        .enumerate()
        .filter(|(_, c)| c.victim != NONE && include(c))
        .map(|(i, c)| (c.victim, c.recorded, i as u32))
        .collect();
    order.sort_unstable_by(|a, b| {
        (a.0, a.1).cmp(&(b.0, b.1)).then_with(|| {
            extract
                .reference(a.2 as usize)
                .cmp(extract.reference(b.2 as usize))
        })
    });
    let mut earlier = vec![0u32; extract.crimes.len()];
    let mut run = 0u32;
    for k in 0..order.len() {
        run = if k > 0 && order[k - 1].0 == order[k].0 {
            run + 1
        } else {
            0
        };
        earlier[order[k].2 as usize] = run;
    }
    earlier
}

fn repeat_victims(extract: &Extract, classify: &Classify) -> Result<RepeatVictims> {
    let in_scope = |c: &Crime| classify.scope.includes(c.domestic_abuse);
    let earlier = earlier_crimes_of_victim(extract, in_scope);
    let mut tallies = [Tally::default(); 3];
    let mut victims_seen: [Vec<bool>; 3] = [
        vec![false; extract.n_victims()],
        vec![false; extract.n_victims()],
        vec![false; extract.n_victims()],
    ];
    let mut victims = [0u64; 3];
    let mut closures = vec![0u32; extract.n_victims()];
    let mut without_victim = 0;
    for (i, crime) in extract.crimes.iter().enumerate() {
        if !in_scope(crime) {
            continue;
        }
        if crime.victim == NONE {
            without_victim += 1;
            continue;
        }
        let group = usize::from(earlier[i] > 0);
        let v = crime.victim as usize;
        for g in [group, 2] {
            classify.add(&mut tallies[g], crime);
            if !victims_seen[g][v] {
                victims_seen[g][v] = true;
                victims[g] += 1;
            }
        }
        if classify.numerator[usize::from(crime.outcome)] {
            closures[v] += 1;
        }
    }
    let labels = [
        "first crime in the window",
        "repeat: earlier crime in the window",
        "all crimes naming a victim",
    ];
    let mut rows = Vec::new();
    for g in 0..3 {
        rows.push(RepeatRow {
            group: labels[g],
            crimes: tallies[g].crimes,
            victims: victims[g],
            scope: Rate::new(tallies[g].x, tallies[g].n)?,
        });
    }
    let mut by_count = [0u64; 5];
    for (v, seen) in victims_seen[2].iter().enumerate() {
        if *seen {
            by_count[(closures[v] as usize).min(4)] += 1;
        }
    }
    let by_closures = by_count
        .iter()
        .enumerate()
        .map(|(k, &n)| {
            let label = if k == 4 {
                "4 or more".to_string()
            } else {
                k.to_string()
            };
            (label, n)
        })
        .collect();
    Ok(RepeatVictims {
        rows,
        by_closures,
        two_or_more_closures: by_count[2..].iter().sum(),
        crimes_without_victim: without_victim,
    })
}

/// Days from recording to the outcome, never below 0 (an outcome dated without a time on the
/// day of recording would otherwise come out a few hours negative).
pub fn days_to_outcome(crime: &Crime) -> f64 {
    ((crime.outcome_at - crime.recorded) as f64 / SECONDS_PER_DAY as f64).max(0.0)
}

fn closure_times(
    extract: &Extract,
    config: &ExtractConfig,
    classify: &Classify,
) -> Result<Vec<ClosureTimeRow>> {
    // (label, whether the subset is the comparison group rather than the scope)
    let mut subsets: Vec<(&str, bool)> = vec![(config.scope.label(), false)];
    if let Some(label) = config.scope.comparison_label() {
        subsets.push((label, true));
    }
    let mut rows = Vec::new();
    for &(label, comparison) in &subsets {
        let include = |c: &Crime| {
            if comparison {
                classify.scope.compares(c.domestic_abuse)
            } else {
                classify.scope.includes(c.domestic_abuse)
            }
        };
        let mut by_area: Vec<Vec<f64>> = vec![Vec::new(); extract.areas.len()];
        for crime in &extract.crimes {
            if include(crime) && classify.numerator[usize::from(crime.outcome)] {
                by_area[crime.area as usize].push(days_to_outcome(crime));
            }
        }
        let mut order: Vec<usize> = (0..extract.areas.len()).collect();
        order.sort_by(|&a, &b| extract.areas[a].cmp(&extract.areas[b]));
        let mut all: Vec<f64> = Vec::new();
        for &i in &order {
            all.extend_from_slice(&by_area[i]);
        }
        rows.push(closure_row(label, ALL_AREAS, &all)?);
        for &i in &order {
            rows.push(closure_row(label, &extract.areas[i], &by_area[i])?);
        }
    }
    Ok(rows)
}

fn closure_row(subset: &str, area: &str, days: &[f64]) -> Result<ClosureTimeRow> {
    let q = |p: f64| -> Result<Option<f64>> {
        if days.is_empty() {
            Ok(None)
        } else {
            Ok(Some(quantile::quantile_type7(days, p)?))
        }
    };
    Ok(ClosureTimeRow {
        subset: subset.to_string(),
        area: area.to_string(),
        closures: days.len() as u64,
        median_days: q(0.5)?,
        q1_days: q(0.25)?,
        q3_days: q(0.75)?,
        within_1_day: days.iter().filter(|&&d| d < 1.0).count() as u64,
        within_7_days: days.iter().filter(|&&d| d <= 7.0).count() as u64,
    })
}

fn da_vs_other(
    extract: &Extract,
    classify: &Classify,
) -> Result<(Vec<DaRow>, Vec<OutcomeTypeRow>)> {
    let mut tallies = [Tally::default(); 3];
    let mut days: [Vec<f64>; 3] = [Vec::new(), Vec::new(), Vec::new()];
    let mut types = [[0u64; 23]; 2];
    let everything = Classify {
        scope: crate::config::extract::ExtractScope::All,
        numerator: classify.numerator,
        denominator: classify.denominator,
    };
    for crime in &extract.crimes {
        let g = if crime.domestic_abuse { 0 } else { 1 };
        for k in [g, 2] {
            everything.add(&mut tallies[k], crime);
            if classify.numerator[usize::from(crime.outcome)] {
                days[k].push(days_to_outcome(crime));
            }
        }
        types[g][usize::from(crime.outcome)] += 1;
    }
    let labels = ["domestic abuse", "not domestic abuse", "all crimes"];
    let mut rows = Vec::new();
    for k in 0..3 {
        rows.push(DaRow {
            group: labels[k],
            crimes: tallies[k].crimes,
            without_outcome: tallies[k].open,
            rate: Rate::new(tallies[k].x, tallies[k].n)?,
            median_days_to_closure: if days[k].is_empty() {
                None
            } else {
                Some(quantile::quantile_type7(&days[k], 0.5)?)
            },
        });
    }
    let totals = [tallies[0].crimes, tallies[1].crimes];
    let share = |count: u64, total: u64| (total > 0).then(|| count as f64 / total as f64);
    let descriptions = crate::normalise::outcomes::outcome_types();
    let mut outcome_rows = Vec::new();
    for info in descriptions {
        let t = usize::from(info.number);
        if t > 22 || types[0][t] + types[1][t] == 0 {
            continue;
        }
        outcome_rows.push(OutcomeTypeRow {
            outcome_type: info.number,
            description: info.description,
            domestic_abuse: types[0][t],
            domestic_abuse_share: share(types[0][t], totals[0]),
            other: types[1][t],
            other_share: share(types[1][t], totals[1]),
        });
    }
    Ok((rows, outcome_rows))
}

#[cfg(test)]
mod tests;
