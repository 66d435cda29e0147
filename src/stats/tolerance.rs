//! The tolerance policy for comparing our numbers with reference values (METHODS.md §12).
//!
//! Invariant: every test that compares floats uses these constants and helpers, so the policy
//! is written down once (after statrs' `prec.rs`). Tests never round and never compare text.
//!
//! - Where the reference is exact to double precision (R's `qbinom`, `pbinom`, `qchisq`, `qbeta`,
//!   `binom.test`, `quantile`, `p.adjust`, and base-R restatements of closed formulas),
//!   compare at [`RELATIVE_EXACT`] relative.
//! - Where a reference printed k decimals (the vectors quoted in METHODS.md §13), compare at an
//!   absolute tolerance of 0.5·10⁻ᵏ, from [`printed_decimals`].
//! - A reference of exactly 0 (a clamped limit, a winsorisation bound of 0) must be matched within
//!   [`ABSOLUTE_FLOOR`], since no relative tolerance can be formed around it. Such zeros come from
//!   clamping a value that is itself a difference of probabilities near a tail probability, which
//!   only double rounding resolves: at an exact tie (e.g. the exact upper limit at n = 2,
//!   θ₀ = 1 − √0.975) R's `pbinom` lands on one side and our tail sum on the other, giving 0 and
//!   2.1e-15. The interpolated limit is continuous across the tie, so both are right to rounding.

/// Relative tolerance against a reference that is exact to double precision.
pub const RELATIVE_EXACT: f64 = 1e-9;

/// Absolute tolerance used only when the reference value is exactly 0 (quantities here are
/// probabilities, rates or counts of order 1 or more, so this is far below any printed precision).
pub const ABSOLUTE_FLOOR: f64 = 1e-12;

/// The absolute tolerance 0.5·10⁻ᵏ for a reference printed with k decimals.
#[must_use]
pub fn printed_decimals(k: i32) -> f64 {
    0.5 * 10f64.powi(-k)
}

/// Whether `actual` is within `relative` of `expected` (or within [`ABSOLUTE_FLOOR`] when `expected` is 0).
///
/// Infinities must match exactly in sign; NaN never matches.
#[must_use]
pub fn close_relative(actual: f64, expected: f64, relative: f64) -> bool {
    if expected.is_infinite() || actual.is_infinite() {
        return expected.is_infinite()
            && actual.is_infinite()
            && (expected > 0.0) == (actual > 0.0);
    }
    if expected == 0.0 {
        return actual.abs() <= ABSOLUTE_FLOOR;
    }
    (actual - expected).abs() <= relative * expected.abs()
}

/// Whether `actual` is within the absolute tolerance `absolute` of `expected`.
#[must_use]
pub fn close_absolute(actual: f64, expected: f64, absolute: f64) -> bool {
    (actual - expected).abs() <= absolute
}
