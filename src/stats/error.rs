//! The one error type of the `stats` module.
//!
//! Every invalid input to a `stats` function comes back as a [`StatsError`]; nothing panics.
//! Messages are lower-case, have no trailing period and name the offending value.

use thiserror::Error;

/// An invalid input to a statistics function.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum StatsError {
    /// A denominator (n) of zero, or a negative or zero real denominator.
    #[error("denominator must be positive, got {value}")]
    NonPositiveDenominator {
        /// The offending denominator.
        value: f64,
    },
    /// A numerator below zero.
    #[error("numerator must not be negative, got {value}")]
    NegativeNumerator {
        /// The offending numerator.
        value: f64,
    },
    /// A numerator larger than its denominator.
    #[error("numerator must not exceed denominator, got {numerator} > {denominator}")]
    NumeratorExceedsDenominator {
        /// The numerator.
        numerator: f64,
        /// The denominator.
        denominator: f64,
    },
    /// A NaN or infinite value where a finite number is required.
    #[error("{what} must be finite, got {value}")]
    NonFinite {
        /// What the value is (e.g. "rate").
        what: &'static str,
        /// The offending value.
        value: f64,
    },
    /// A confidence level outside the open interval (0, 1).
    #[error("confidence level must lie strictly between 0 and 1, got {value}")]
    LevelOutOfRange {
        /// The offending level.
        value: f64,
    },
    /// Two flag levels that are not strictly nested.
    #[error("outer level must be wider than inner level, got outer {outer} and inner {inner}")]
    LevelsNotNested {
        /// The outer (wider) level as given.
        outer: f64,
        /// The inner (narrower) level as given.
        inner: f64,
    },
    /// A probability outside [0, 1].
    #[error("probability must lie in [0, 1], got {value}")]
    ProbabilityOutOfRange {
        /// The offending probability.
        value: f64,
    },
    /// A target or reference rate outside [0, 1].
    #[error("rate must lie in [0, 1], got {value}")]
    RateOutOfRange {
        /// The offending rate.
        value: f64,
    },
    /// A target of exactly 0 or 1 where the natural-scale standard error would be 0.
    #[error("natural-scale z-scores need a target strictly between 0 and 1, got {value}")]
    DegenerateTarget {
        /// The offending target.
        value: f64,
    },
    /// Too few units to estimate overdispersion.
    #[error("overdispersion needs at least {needed} units, got {got}")]
    TooFewUnits {
        /// The minimum number of units.
        needed: usize,
        /// The number supplied.
        got: usize,
    },
    /// A stratum of an audit with no case reviewed (or no population).
    #[error("stratum {index} has no case reviewed")]
    StratumNotReviewed {
        /// The stratum's 0-based position.
        index: usize,
    },
    /// A stratum of one reviewed case out of more, whose variance cannot be estimated.
    #[error("stratum {index} has only one case reviewed, so its variance cannot be estimated")]
    LonelyStratum {
        /// The stratum's 0-based position.
        index: usize,
    },
    /// An empty input slice.
    #[error("{what} must not be empty")]
    EmptyInput {
        /// What was empty (e.g. "values").
        what: &'static str,
    },
    /// Two slices that should have one entry per unit have different lengths.
    #[error("{what} have different lengths, {left} and {right}")]
    LengthMismatch {
        /// What the slices are (e.g. "numerators and denominators").
        what: &'static str,
        /// The length of the first slice.
        left: usize,
        /// The length of the second slice.
        right: usize,
    },
    /// A winsorisation fraction outside [0, 0.5).
    #[error("winsorisation fraction must lie in [0, 0.5), got {value}")]
    FractionOutOfRange {
        /// The offending fraction.
        value: f64,
    },
    /// A funnel grid that is not strictly increasing.
    #[error("grid must be strictly increasing, got {value} after {previous} at position {index}")]
    GridNotIncreasing {
        /// The 0-based position of the offending grid point.
        index: usize,
        /// The grid point before it.
        previous: u64,
        /// The offending grid point.
        value: u64,
    },
    /// A request for overdispersion-adjusted exact limits, which have no standard definition.
    #[error(
        "exact limits have no overdispersion-adjusted form; adjust on the arcsine or natural scale"
    )]
    ExactNotAdjustable,
    /// An overdispersion factor that is not positive, or a between-unit variance below zero.
    #[error("{what} must not be negative, got {value}")]
    NegativeDispersion {
        /// Which parameter ("phi" or "tau2").
        what: &'static str,
        /// The offending value.
        value: f64,
    },
    /// An expected count of zero or below.
    #[error("expected count must be positive, got {value}")]
    NonPositiveExpected {
        /// The offending expected count.
        value: f64,
    },
    /// An SPC rule length too short to mean anything.
    #[error("{rule} length must be at least 2, got {value}")]
    RuleLengthTooShort {
        /// Which rule ("shift" or "trend").
        rule: &'static str,
        /// The offending length.
        value: usize,
    },
    /// A baseline length outside the chart's minimum..=T for a series of T points.
    #[error("baseline must cover between {minimum} and {len} points, got {value}")]
    BaselineOutOfRange {
        /// The offending baseline length.
        value: usize,
        /// The smallest baseline the chart accepts.
        minimum: usize,
        /// The series length.
        len: usize,
    },
    /// An invalid value inside a slice, with the 0-based position of the unit.
    #[error("unit {index}: {source}")]
    Unit {
        /// The 0-based position of the unit in the input.
        index: usize,
        /// What is wrong with it.
        source: Box<StatsError>,
    },
}

impl StatsError {
    /// Wraps `self` with the 0-based position of the unit it concerns.
    #[must_use]
    pub fn at_unit(self, index: usize) -> Self {
        StatsError::Unit {
            index,
            source: Box::new(self),
        }
    }
}

/// Result alias for the `stats` module.
pub type Result<T> = std::result::Result<T, StatsError>;
