//! Flags: where a unit's rate sits against two nested funnel limits.
//!
//! Invariant: the comparisons are strict, so a unit exactly on a limit is `Within`
//! (METHODS.md §6); the outer limit is checked before the inner one.
//! Flags describe position, not merit.

use super::error::{Result, StatsError};
use super::funnel::FunnelLimits;
use super::level::FlagLevels;

/// The position of a unit against an outer (e.g. 99.8%) and an inner (e.g. 95%) pair of limits.
///
/// With the standard levels these are `high_998`, `high_95`, `within`, `low_95` and `low_998`;
/// [`Flag::name`] renders the name from the levels actually in use (e.g. `high_99`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Flag {
    /// Strictly above the outer upper limit (`high_998` by default).
    HighOuter,
    /// Strictly above the inner upper limit but not the outer one (`high_95`).
    HighInner,
    /// Inside or on both limits (`within`).
    Within,
    /// Strictly below the inner lower limit but not the outer one (`low_95`).
    LowInner,
    /// Strictly below the outer lower limit (`low_998`).
    LowOuter,
}

/// The side of the target a flag lies on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    /// Above the upper limit.
    High,
    /// Below the lower limit.
    Low,
}

impl Flag {
    /// Every flag, from the highest position to the lowest.
    pub const ALL: [Flag; 5] = [
        Flag::HighOuter,
        Flag::HighInner,
        Flag::Within,
        Flag::LowInner,
        Flag::LowOuter,
    ];

    /// The flag's name for the levels in use: "high_998", "high_95", "within", "low_95", "low_998"
    /// with the standard levels, or e.g. "high_99" and "low_68" with others.
    #[must_use]
    pub fn name(&self, levels: &FlagLevels) -> String {
        match self {
            Flag::HighOuter => format!("high_{}", levels.outer().label()),
            Flag::HighInner => format!("high_{}", levels.inner().label()),
            Flag::Within => "within".to_string(),
            Flag::LowInner => format!("low_{}", levels.inner().label()),
            Flag::LowOuter => format!("low_{}", levels.outer().label()),
        }
    }

    /// Whether the unit is outside a limit (any flag but `within`).
    #[must_use]
    pub fn is_flagged(&self) -> bool {
        *self != Flag::Within
    }

    /// Whether this flag is `gate` or more extreme on the same side: `high_998` reaches
    /// `high_95` and itself, `low_95` reaches only the low flags at or beyond it, and `within`
    /// reaches only itself. A `--fail-on high_95` gate so fires for a `high_998` unit too.
    #[must_use]
    pub fn reaches(&self, gate: Flag) -> bool {
        match gate {
            Flag::HighInner => matches!(self, Flag::HighInner | Flag::HighOuter),
            Flag::LowInner => matches!(self, Flag::LowInner | Flag::LowOuter),
            other => *self == other,
        }
    }

    /// The flag a name means for the levels in use: its name (`high_95`), or the same name
    /// with `above_` or `below_` for `high_` or `low_` (`above_95`); `None` for any other.
    #[must_use]
    pub fn from_name(name: &str, levels: &FlagLevels) -> Option<Flag> {
        let name = name
            .strip_prefix("above_")
            .map(|rest| format!("high_{rest}"))
            .or_else(|| {
                name.strip_prefix("below_")
                    .map(|rest| format!("low_{rest}"))
            })
            .unwrap_or_else(|| name.to_string());
        Flag::ALL.into_iter().find(|f| f.name(levels) == name)
    }

    /// High, low, or `None` for `Within`.
    #[must_use]
    pub fn direction(&self) -> Option<Direction> {
        match self {
            Flag::HighOuter | Flag::HighInner => Some(Direction::High),
            Flag::LowOuter | Flag::LowInner => Some(Direction::Low),
            Flag::Within => None,
        }
    }
}

/// Classifies a rate p against the outer and inner limits at its denominator.
///
/// ```text
/// p > U_outer → HighOuter;  p < L_outer → LowOuter;  p > U_inner → HighInner;  p < L_inner → LowInner;  else Within
/// ```
///
/// # Errors
///
/// [`StatsError::NonFinite`] when p is NaN or infinite.
pub fn classify(p: f64, outer: &FunnelLimits, inner: &FunnelLimits) -> Result<Flag> {
    if !p.is_finite() {
        return Err(StatsError::NonFinite {
            what: "rate",
            value: p,
        });
    }
    Ok(if p > outer.upper {
        Flag::HighOuter
    } else if p < outer.lower {
        Flag::LowOuter
    } else if p > inner.upper {
        Flag::HighInner
    } else if p < inner.lower {
        Flag::LowInner
    } else {
        Flag::Within
    })
}

/// Classifies an (adjusted) z-score against the levels' normal quantiles: |z| > z_outer, then |z| > z_inner.
///
/// On the transformed scale this is the same test as [`classify`] wherever the limits are not clamped (METHODS.md §6).
///
/// # Errors
///
/// [`StatsError::NonFinite`] when z is NaN or infinite.
pub fn classify_z(z: f64, levels: &FlagLevels) -> Result<Flag> {
    if !z.is_finite() {
        return Err(StatsError::NonFinite {
            what: "z-score",
            value: z,
        });
    }
    let (outer, inner) = (levels.outer().z(), levels.inner().z());
    Ok(if z > outer {
        Flag::HighOuter
    } else if z < -outer {
        Flag::LowOuter
    } else if z > inner {
        Flag::HighInner
    } else if z < -inner {
        Flag::LowInner
    } else {
        Flag::Within
    })
}

#[cfg(test)]
mod tests;
