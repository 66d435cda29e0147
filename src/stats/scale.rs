//! The scale on which z-scores, φ and τ² are computed, shared by the funnel limits and the
//! overdispersion estimate (its own module, so that neither imports the other for it).

/// The scale on which z-scores, φ and τ² are computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scale {
    /// y = asin√p, standard error 1/(2√n): FunnelPlotR's scale, and the default.
    Arcsine,
    /// y = p, standard error √(θ₀(1 − θ₀)/n).
    Natural,
}
