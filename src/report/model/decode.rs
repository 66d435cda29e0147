//! The run's typed summary turned into the report's view of it, and the cell formats the
//! sections share.

use super::*;
use crate::run_folder::summary;

/// A focus force of the summary, with its flags read at the run's levels.
pub(super) fn focus_of(f: &summary::Focus, levels: &FlagLevels) -> Result<Focus> {
    let pair = |p: [Option<f64>; 2]| -> Option<(f64, f64)> { Some((p[0]?, p[1]?)) };
    let trend = match &f.trend {
        Some(t) => Some(TrendSummary {
            first_period: t.first_period.clone(),
            first_rate: required(t.first_rate, "trend.first_rate")?,
            last_period: t.last_period.clone(),
            last_rate: required(t.last_rate, "trend.last_rate")?,
            direction: t.direction.clone(),
            periods: t.periods,
            rule_hits: t.rule_hits.clone(),
        }),
        None => None,
    };
    Ok(Focus {
        force: f.force.clone(),
        numerator: f.numerator as f64,
        denominator: f.denominator as f64,
        rate: required(f.rate, "rate")?,
        ci: pair(f.ci95).ok_or_else(|| anyhow!("no ci95"))?,
        flag: f.flag(levels),
        flag_unadjusted: f.flag_unadjusted(levels),
        rank: f.rank,
        of: Some(f.of),
        peer_group: f.peer_group.clone(),
        peer_rate_pooled: f.peer_rate_pooled,
        peer_rate_mean: f.peer_rate_mean,
        expected: f.expected,
        excess: f.excess,
        ratio: f.standardised_ratio,
        ratio_ci: f.standardised_ratio_ci95.and_then(pair),
        trend,
        periods_missing: f.periods_missing.clone(),
    })
}

pub(super) fn opt_percent(x: Option<f64>) -> String {
    x.map(percent).unwrap_or_else(|| "–".into())
}

pub(super) fn opt_count(x: Option<f64>) -> String {
    x.map(count).unwrap_or_else(|| "–".into())
}

pub(super) fn opt_signed(x: Option<f64>) -> String {
    x.map(signed_count).unwrap_or_else(|| "–".into())
}

pub(super) fn limit_cell(pair: (Option<f64>, Option<f64>)) -> String {
    match pair {
        (Some(lo), Some(hi)) => percent_range(lo, hi),
        _ => "–".into(),
    }
}

pub(super) fn text_column(name: &str) -> Column {
    Column {
        name: name.to_string(),
        numeric: false,
    }
}

pub(super) fn number_column(name: &str) -> Column {
    Column {
        name: name.to_string(),
        numeric: true,
    }
}
