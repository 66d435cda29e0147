//! Pure statistics: plain numbers in, plain structs out.
//!
//! Invariant: nothing here reads files, uses polars or plotters, or knows about police data;
//! every formula in the pipeline lives here, each documented with its formula and reference,
//! and every invalid input returns a [`StatsError`] instead of panicking.
//!
//! Code map:
//! - [`level`]: validated confidence levels and their z.
//! - [`proportion`]: Wilson and Clopper–Pearson intervals.
//! - [`funnel`]: funnel limits (normal, exact, arcsine), grids, the pooled target.
//! - [`overdispersion`]: z-scores, φ, its χ² test, τ², adjusted z-scores.
//! - [`quantile`]: type-7 quantiles and winsorisation.
//! - [`flags`]: the flag vocabulary and classification.
//! - [`multiplicity`]: Benjamini–Hochberg adjusted p-values.
//! - [`standardise`]: indirect standardisation and the excess split.
//! - [`spc`]: p-chart, Laney p′, XmR and the special-cause rules.
//! - [`survey`]: a proportion from a stratified audit sample: estimate, design variance,
//!   intervals, totals, per-stratum exact intervals, bounds and the sample-size planner.
//! - [`agreement`]: Cohen's κ between two reviewers.
//! - [`its`]: before and after a change: Newcombe's difference, Katz's ratio, a binomial GLM
//!   fitted as R's glm, and the segmented (interrupted time series) model on it.
//! - [`displacement`]: outcome shares before and after (each with Newcombe and BH/BY
//!   q-values, the global test) and outcome 15's share within 15 ∪ 16.
//! - [`distribution`]: the distribution functions underneath, accurate to double precision.
//! - [`tolerance`]: the tolerance policy used by the tests.

pub mod agreement;
pub mod displacement;
pub mod distribution;
pub mod error;
pub mod flags;
pub mod funnel;
pub mod glm;
pub mod its;
pub mod level;
pub mod logistic;
pub mod multiplicity;
pub mod overdispersion;
pub mod proportion;
pub mod quantile;
pub mod scale;
pub mod spc;
pub mod standardise;
pub mod survey;
pub mod tolerance;

pub use error::{Result, StatsError};
pub use flags::{classify, classify_z, Direction, Flag};
pub use funnel::{DispersionAdjustment, FunnelLimits, FunnelMethod};
pub use level::{FlagLevels, Level};
pub use overdispersion::{Adjustment, Overdispersion, Scale, Target};
pub use proportion::Interval;
