//! Micro-benchmark of the `stats` hot path: funnel limits on a 1,000-point grid and φ/τ² for 43 units.
//!
//! Run with `cargo bench --bench stats` (release build). Each workload is repeated many times
//! with `std::time::Instant`; the median and minimum wall time per repetition are printed.
//! The target (issue #3) is well under 10 ms for limits plus φ/τ² at this size.

use std::hint::black_box;
use std::time::{Duration, Instant};

use outcome_lens::stats::funnel::{self, DispersionAdjustment, FunnelMethod};
use outcome_lens::stats::overdispersion::{self, Adjustment, Scale, Target};
use outcome_lens::stats::Level;

/// 43 force-scale units, made up deterministically: denominators 2,000–250,000 and rates
/// 6%–32%, with Cleveland's 2018/19 all-offence count 17,649/64,680 as one of them.
fn forces() -> (Vec<u64>, Vec<u64>) {
    let golden = 0.618_033_988_749_894_9_f64;
    let (lo, hi) = (2000_f64.ln(), 250_000_f64.ln());
    let mut x = Vec::with_capacity(43);
    let mut n = Vec::with_capacity(43);
    for i in 1..=43_u32 {
        let position = f64::from((i * 17) % 43) / 42.0;
        let denominator = (lo + (hi - lo) * position).exp().round();
        let rate = 0.06 + 0.26 * (f64::from(i) * golden).fract();
        n.push(denominator as u64);
        x.push((denominator * rate).round() as u64);
    }
    x[19] = 17_649;
    n[19] = 64_680;
    (x, n)
}

fn time<T>(name: &str, repetitions: usize, mut work: impl FnMut() -> T) -> Duration {
    let mut samples: Vec<Duration> = (0..repetitions)
        .map(|_| {
            let start = Instant::now();
            black_box(work());
            start.elapsed()
        })
        .collect();
    samples.sort_unstable();
    let median = samples[samples.len() / 2];
    println!(
        "{name:<58} median {:>9.3} ms   min {:>9.3} ms   ({repetitions} runs)",
        median.as_secs_f64() * 1e3,
        samples[0].as_secs_f64() * 1e3
    );
    median
}

fn main() {
    let (x, n) = forces();
    let grid = funnel::grid(1000, 250_000, 1000, &n).expect("valid grid");
    let levels = [Level::ninety_five(), Level::ninety_nine_point_eight()];
    let od =
        overdispersion::estimate(&x, &n, Target::Pooled, Scale::Arcsine, 0.1).expect("valid units");
    println!(
        "43 units; grid of {} denominators (1,000 geometric points from 1,000 to 250,000, plus the units'); φ = {:.1}, τ² = {:.5}",
        grid.len(),
        od.phi,
        od.tau2
    );
    let runs = 200;

    time(
        "phi/tau2: overdispersion::estimate (arcsine, 43 units)",
        5000,
        || {
            overdispersion::estimate(
                black_box(&x),
                black_box(&n),
                Target::Pooled,
                Scale::Arcsine,
                0.1,
            )
        },
    );
    for method in [
        FunnelMethod::Normal,
        FunnelMethod::Exact,
        FunnelMethod::Arcsine,
    ] {
        time(
            &format!("limits_on_grid {method:?}, 95% then 99.8%"),
            runs,
            || {
                levels.map(|level| {
                    funnel::limits_on_grid(
                        method,
                        od.target,
                        black_box(&grid),
                        level,
                        DispersionAdjustment::None,
                    )
                })
            },
        );
    }
    for adjustment in [Adjustment::Additive, Adjustment::Multiplicative] {
        let params = od.dispersion_adjustment(adjustment);
        time(
            &format!("limits_on_grid Arcsine {adjustment:?}, 95% then 99.8%"),
            runs,
            || {
                levels.map(|level| {
                    funnel::limits_on_grid(
                        FunnelMethod::Arcsine,
                        od.target,
                        black_box(&grid),
                        level,
                        params,
                    )
                })
            },
        );
    }
    time(
        "limits_on_grid_at_levels Exact, 95% and 99.8% together",
        runs,
        || {
            funnel::limits_on_grid_at_levels(
                FunnelMethod::Exact,
                od.target,
                black_box(&grid),
                &levels,
                DispersionAdjustment::None,
            )
        },
    );
    // One funnel chart's worth of work: phi/tau2, then every method at both levels
    // (exact through the shared-level path) and both adjusted arcsine funnels.
    let total = time(
        "phi/tau2 + all limits above in one pass (one funnel chart)",
        runs,
        || {
            let od = overdispersion::estimate(&x, &n, Target::Pooled, Scale::Arcsine, 0.1)?;
            let mut out = Vec::new();
            for method in [
                FunnelMethod::Normal,
                FunnelMethod::Exact,
                FunnelMethod::Arcsine,
            ] {
                out.extend(funnel::limits_on_grid_at_levels(
                    method,
                    od.target,
                    &grid,
                    &levels,
                    DispersionAdjustment::None,
                )?);
            }
            for adjustment in [Adjustment::Additive, Adjustment::Multiplicative] {
                let params = od.dispersion_adjustment(adjustment);
                out.extend(funnel::limits_on_grid_at_levels(
                    FunnelMethod::Arcsine,
                    od.target,
                    &grid,
                    &levels,
                    params,
                )?);
            }
            Ok::<_, outcome_lens::stats::StatsError>(out)
        },
    );
    println!(
        "target: well under 10 ms for limits plus phi/tau2; median of the full pass {:.3} ms",
        total.as_secs_f64() * 1e3
    );
}
