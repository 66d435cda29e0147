//! Two-sided confidence levels and the normal quantile that goes with them.
//!
//! Invariant: a [`Level`] always holds a confidence c strictly inside (0, 1) and
//! its z = Φ⁻¹(1 − (1 − c)/2), computed once from the normal inverse CDF (METHODS.md §1);
//! no z value is ever written as a literal.

use super::distribution::normal_quantile_upper;
use super::error::{Result, StatsError};

/// A validated two-sided confidence level c in (0, 1), such as 0.95 or 0.998.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Level {
    confidence: f64,
    z: f64,
}

impl Level {
    /// Builds a level from a confidence in (0, 1), e.g. `Level::new(0.998)`.
    ///
    /// # Errors
    ///
    /// [`StatsError::LevelOutOfRange`] when `confidence` is not strictly between 0 and 1 (or is NaN).
    pub fn new(confidence: f64) -> Result<Self> {
        if !(confidence > 0.0 && confidence < 1.0) {
            return Err(StatsError::LevelOutOfRange { value: confidence });
        }
        Ok(Level {
            confidence,
            z: normal_quantile_upper(1.0 - confidence),
        })
    }

    /// The 95% level, the conventional inner funnel limit (z = 1.959964…).
    #[must_use]
    pub fn ninety_five() -> Self {
        Level {
            confidence: 0.95,
            z: normal_quantile_upper(1.0 - 0.95),
        }
    }

    /// The 99.8% level, the conventional outer funnel limit (z = 3.090232…).
    #[must_use]
    pub fn ninety_nine_point_eight() -> Self {
        Level {
            confidence: 0.998,
            z: normal_quantile_upper(1.0 - 0.998),
        }
    }

    /// The confidence c, e.g. 0.95.
    #[must_use]
    pub fn confidence(&self) -> f64 {
        self.confidence
    }

    /// The total two-sided tail probability α = 1 − c.
    #[must_use]
    pub fn alpha(&self) -> f64 {
        1.0 - self.confidence
    }

    /// The one-sided tail probability a = (1 − c)/2, e.g. 0.025 for 95%.
    #[must_use]
    pub fn tail_probability(&self) -> f64 {
        (1.0 - self.confidence) / 2.0
    }

    /// The normal quantile z = Φ⁻¹(1 − (1 − c)/2), e.g. 1.959964… for 95%.
    ///
    /// Computed as √2 · erfc⁻¹(1 − c), which keeps full precision for c close to 1.
    #[must_use]
    pub fn z(&self) -> f64 {
        self.z
    }

    /// The label used in flag names: the percentage with its decimal point removed.
    ///
    /// 95% gives "95", 99.8% gives "998", 99% gives "99", 68% gives "68", 99.99% gives "9999".
    #[must_use]
    pub fn label(&self) -> String {
        // Six decimals of a percentage is far finer than any level in use;
        // rounding there removes binary noise such as 99.80000000000001.
        let percent = format!("{:.6}", self.confidence * 100.0);
        let trimmed = percent.trim_end_matches('0').trim_end_matches('.');
        trimmed.replace('.', "")
    }
}

/// The pair of levels a flag is judged against: an outer (wider) and an inner (narrower) level.
///
/// Invariant: the outer confidence is strictly greater than the inner one.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FlagLevels {
    outer: Level,
    inner: Level,
}

impl FlagLevels {
    /// Builds a pair from an outer level (e.g. 99.8%) and an inner level (e.g. 95%).
    ///
    /// # Errors
    ///
    /// [`StatsError::LevelsNotNested`] when the outer level is not strictly wider than the inner one.
    pub fn new(outer: Level, inner: Level) -> Result<Self> {
        if outer.confidence <= inner.confidence {
            return Err(StatsError::LevelsNotNested {
                outer: outer.confidence,
                inner: inner.confidence,
            });
        }
        Ok(FlagLevels { outer, inner })
    }

    /// The default pair used by funnel plots: 99.8% outside 95%.
    #[must_use]
    pub fn standard() -> Self {
        FlagLevels {
            outer: Level::ninety_nine_point_eight(),
            inner: Level::ninety_five(),
        }
    }

    /// The outer (wider) level.
    #[must_use]
    pub fn outer(&self) -> Level {
        self.outer
    }

    /// The inner (narrower) level.
    #[must_use]
    pub fn inner(&self) -> Level {
        self.inner
    }
}

#[cfg(test)]
mod tests;
