//! Reading the run's summary and tables into the report's inputs.

use super::*;

pub(super) fn read_forces(table: &TextTable, levels: &FlagLevels) -> Result<Vec<ForceRow>> {
    let inner = levels.inner().label();
    let outer = levels.outer().label();
    let has_bh = table.headers.iter().any(|h| h == "p_bh");
    let mut rows = Vec::with_capacity(table.len());
    for i in 0..table.len() {
        let context = || format!("tables/force_comparison.csv row {}", i + 1);
        let flag = |column: &str| -> Result<Option<Flag>> {
            let name = table.text(i, column)?;
            if name.is_empty() {
                return Ok(None);
            }
            parse_flag(name, levels)
                .map(Some)
                .ok_or_else(|| anyhow!("{column} {name:?} is not a flag of these levels"))
        };
        let pair = |low: String, high: String| -> Result<(Option<f64>, Option<f64>)> {
            Ok((table.number(i, &low)?, table.number(i, &high)?))
        };
        rows.push(ForceRow {
            force: table.text(i, "force").with_context(context)?.to_string(),
            numerator: table
                .number(i, "numerator")
                .with_context(context)?
                .unwrap_or(f64::NAN),
            denominator: table
                .number(i, "denominator")
                .with_context(context)?
                .unwrap_or(f64::NAN),
            rate: table.number(i, "rate").with_context(context)?,
            ci_low: table.number(i, "ci95_low").with_context(context)?,
            ci_high: table.number(i, "ci95_high").with_context(context)?,
            z: table.number(i, "z").with_context(context)?,
            z_adjusted: table.number(i, "z_adjusted").with_context(context)?,
            inner: pair(format!("limit{inner}_low"), format!("limit{inner}_high"))
                .with_context(context)?,
            outer: pair(format!("limit{outer}_low"), format!("limit{outer}_high"))
                .with_context(context)?,
            flag: flag("flag").with_context(context)?,
            flag_unadjusted: flag("flag_unadjusted").with_context(context)?,
            rank: table
                .number(i, "rank")
                .with_context(context)?
                .map(|r| r as u64),
            peer_group: table
                .text(i, "peer_group")
                .with_context(context)?
                .to_string(),
            in_national_set: table.flag(i, "in_national_set").with_context(context)?,
            focus: table.flag(i, "focus").with_context(context)?,
            p_bh: if has_bh {
                table.number(i, "p_bh").with_context(context)?
            } else {
                None
            },
        });
    }
    Ok(rows)
}

pub(super) fn read_focus(f: &Json, levels: &FlagLevels) -> Result<Focus> {
    let flag = |key: &str| opt_text(f, key).and_then(|name| parse_flag(&name, levels));
    let pair = |key: &str| -> Option<(f64, f64)> {
        let list = f.get(key)?.as_array()?;
        Some((list.first()?.as_f64()?, list.get(1)?.as_f64()?))
    };
    let trend = match f.get("trend") {
        Some(t) if t.is_object() => Some(TrendSummary {
            first_period: text(t, "first_period")?,
            first_rate: number(t, "first_rate")?,
            last_period: text(t, "last_period")?,
            last_rate: number(t, "last_rate")?,
            direction: text(t, "direction")?,
            periods: get(t, "periods")?.as_u64().unwrap_or(0),
            rule_hits: t
                .get("rule_hits")
                .and_then(Json::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(|v| v.as_str().map(String::from))
                        .collect()
                })
                .unwrap_or_default(),
        }),
        _ => None,
    };
    Ok(Focus {
        force: text(f, "force")?,
        numerator: number(f, "numerator")?,
        denominator: number(f, "denominator")?,
        rate: number(f, "rate")?,
        ci: pair("ci95").ok_or_else(|| anyhow!("no ci95"))?,
        flag: flag("flag"),
        flag_unadjusted: flag("flag_unadjusted"),
        rank: f.get("rank").and_then(Json::as_u64),
        of: f.get("of").and_then(Json::as_u64),
        peer_group: opt_text(f, "peer_group"),
        peer_rate_pooled: f.get("peer_rate_pooled").and_then(Json::as_f64),
        peer_rate_mean: f.get("peer_rate_mean").and_then(Json::as_f64),
        expected: f.get("expected").and_then(Json::as_f64),
        excess: f.get("excess").and_then(Json::as_f64),
        ratio: f.get("standardised_ratio").and_then(Json::as_f64),
        ratio_ci: pair("standardised_ratio_ci95"),
        trend,
        periods_missing: f
            .get("periods_missing")
            .and_then(Json::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default(),
    })
}

/// The flag a run wrote under these levels ("high_998", "within", …).
pub(super) fn parse_flag(name: &str, levels: &FlagLevels) -> Option<Flag> {
    Flag::ALL.into_iter().find(|f| f.name(levels) == name)
}

pub(super) fn text(value: &Json, path: &str) -> Result<String> {
    get(value, path)?
        .as_str()
        .map(String::from)
        .ok_or_else(|| anyhow!("summary.json: {path} is not text"))
}

pub(super) fn opt_text(value: &Json, path: &str) -> Option<String> {
    get(value, path).ok()?.as_str().map(String::from)
}

pub(super) fn number(value: &Json, path: &str) -> Result<f64> {
    get(value, path)?
        .as_f64()
        .ok_or_else(|| anyhow!("summary.json: {path} is not a number"))
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
