# Normal and arcsine funnel limits at single denominators, unadjusted and with the
# multiplicative (phi) and additive (tau2) overdispersion adjustments (METHODS.md
# sections 3.1, 3.3, 5.4, 5.5), restated in base R. The arcsine formulas restate
# FunnelPlotR's published formulas (METHODS.md section 3.3, 5); FunnelPlotR itself is not
# installable here. The normal formula is PHE Fingertips' closed form (section 3.1);
# PHEindicatormethods is not installable here either, and the vectors of section 13.4
# are checked separately in the Rust tests.
# At a single denominator the arcsine angle is clamped to [0, pi/2] before squaring.
source("common.R")

normal_limits <- function(theta0, n, level, phi, tau2) {
  z <- z_of(level)
  k <- max(phi, 1)
  half <- z * sqrt(k * theta0 * (1 - theta0) / n + tau2)
  c(min(max(theta0 - half, 0), 1), min(max(theta0 + half, 0), 1))
}
arcsine_limits <- function(theta0, n, level, phi, tau2) {
  z <- z_of(level)
  k <- max(phi, 1)
  y0 <- asin(sqrt(theta0))
  half <- z * sqrt(k / (4 * n) + tau2)
  c(sin(max(y0 - half, 0))^2, sin(min(y0 + half, pi / 2))^2)
}

grid <- expand.grid(
  n = c(1, 2, 3, 5, 7, 10, 11, 20, 41, 100, 1008, 2000, 64680, 110000, 250000),
  theta0 = c(0, 0.001, 0.06, 0.2, 0.27287, 0.5, 0.806424478571496, 0.999, 1),
  level = c(0.68, 0.95, 0.99, 0.998),
  adjustment = c("none", "multiplicative", "multiplicative_below_one", "additive"),
  stringsAsFactors = FALSE
)
param_of <- function(adj) switch(adj, none = 0, multiplicative = 2.75, multiplicative_below_one = 0.6, additive = 0.0021)
rows <- lapply(seq_len(nrow(grid)), function(i) {
  g <- grid[i, ]
  param <- param_of(g$adjustment)
  phi <- if (startsWith(g$adjustment, "multiplicative")) param else 1
  tau2 <- if (g$adjustment == "additive") param else 0
  nl <- normal_limits(g$theta0, g$n, g$level, phi, tau2)
  al <- arcsine_limits(g$theta0, g$n, g$level, phi, tau2)
  data.frame(n = as.integer(g$n), theta0 = g$theta0, level = g$level,
             adjustment = sub("_below_one", "", g$adjustment), param = param,
             normal_lower = nl[1], normal_upper = nl[2], arcsine_lower = al[1], arcsine_upper = al[2])
})
out <- do.call(rbind, rows)
write_reference(out, "funnel_limits.csv", "funnel_limits.R",
  "normal_limits(theta0, n, level, phi, tau2) and arcsine_limits(...) as defined in the script; param is phi (multiplicative) or tau2 (additive)",
  "restates FunnelPlotR's published formulas (METHODS.md sections 3.3, 5) and PHE's closed form (section 3.1); neither package is installable here")

# The arcsine funnel on a sorted grid with FunnelPlotR's monotonicity fix (METHODS.md 3.3):
# a lower limit larger than the next grid point's is set to 0, an upper limit smaller than
# the next grid point's is set to 1; the last grid point has its angle clamped instead.
grid_limits <- function(theta0, ns, level, tau2) {
  z <- z_of(level)
  y0 <- asin(sqrt(theta0))
  half <- z * sqrt(1 / (4 * ns) + tau2)
  lo <- sin(y0 - half)^2
  hi <- sin(y0 + half)^2
  m <- length(ns)
  next_lo <- c(lo[-1], NA)
  next_hi <- c(hi[-1], NA)
  lo_fixed <- ifelse(is.na(next_lo), sin(max(y0 - half[m], 0))^2, ifelse(lo > next_lo, 0, lo))
  hi_fixed <- ifelse(is.na(next_hi), sin(min(y0 + half[m], pi / 2))^2, ifelse(hi < next_hi, 1, hi))
  data.frame(theta0 = theta0, level = level, tau2 = tau2, n = as.integer(ns),
             raw_lower = lo, raw_upper = hi,
             lower = pmin(pmax(lo_fixed, 0), 1), upper = pmin(pmax(hi_fixed, 0), 1))
}
ns <- c(1:15, 17, 20, 25, 30, 41, 50, 75, 100, 150, 200, 400)
sets <- expand.grid(theta0 = c(0.06, 0.27287, 0.5, 0.806424478571496), level = c(0.95, 0.998), tau2 = c(0, 0.0021))
gout <- do.call(rbind, lapply(seq_len(nrow(sets)), function(i) grid_limits(sets$theta0[i], ns, sets$level[i], sets$tau2[i])))
write_reference(gout, "funnel_grid.csv", "funnel_limits.R",
  "grid_limits(theta0, ns, level, tau2) as defined in the script, ns = c(1:15, 17, 20, 25, 30, 41, 50, 75, 100, 150, 200, 400)",
  "restates FunnelPlotR's monotonicity fix (METHODS.md section 3.3); FunnelPlotR itself is not installable here")
