# Indirect standardisation for offence mix and the split of the excess (METHODS.md
# section 8), restated in base R: E = sum(n_j r_j), O/E with CI(O)/E (exact via qchisq
# for O < 10, Byar otherwise), gap O - n theta0 = (E - n theta0) + (O - E), per stratum too.
source("common.R")
source_interval <- function(o, level) {
  a <- (1 - level) / 2; z <- z_of(level)
  if (o < 10) {
    c(if (o == 0) 0 else qchisq(a, 2 * o) / 2, qchisq(1 - a, 2 * o + 2) / 2)
  } else {
    c(max(o * (1 - 1 / (9 * o) - z / (3 * sqrt(o)))^3, 0), (o + 1) * (1 - 1 / (9 * (o + 1)) + z / (3 * sqrt(o + 1)))^3)
  }
}
# Four offence strata for seven units (one with O = 0, one with O = 9, one with O = 10); reference rates are pooled over all seven units.
obs <- rbind(c(120, 40, 300, 15), c(0, 0, 0, 0), c(0, 2, 3, 0), c(4, 1, 2, 2), c(10, 0, 0, 0), c(900, 350, 2100, 80), c(33, 12, 51, 7))
den <- rbind(c(1000, 500, 1500, 300), c(10, 5, 3, 2), c(20, 30, 40, 10), c(25, 10, 15, 12), c(60, 5, 3, 2), c(7000, 4200, 9800, 1500), c(300, 90, 260, 70))
rates <- colSums(obs) / colSums(den)
theta0 <- sum(obs) / sum(den)
summary_rows <- list(); strata_rows <- list()
for (lv in c(0.95, 0.998)) for (u in seq_len(nrow(obs))) {
  o_j <- obs[u, ]; n_j <- den[u, ]
  E <- sum(n_j * rates); O <- sum(o_j); n <- sum(n_j)
  ci <- source_interval(O, lv)
  summary_rows[[length(summary_rows) + 1]] <- data.frame(unit = as.integer(u - 1), level = lv, observed = as.integer(O),
    denominator = as.integer(n), theta0 = theta0, expected = E, ratio = O / E, ratio_lower = ci[1] / E, ratio_upper = ci[2] / E,
    method = if (O < 10) "exact" else "byar", standardised_rate = O / E * theta0,
    gap = O - n * theta0, mix = E - n * theta0, excess = O - E)
  if (lv == 0.95) for (j in seq_along(o_j)) {
    strata_rows[[length(strata_rows) + 1]] <- data.frame(unit = as.integer(u - 1), stratum = as.integer(j - 1),
      observed = as.integer(o_j[j]), denominator = as.integer(n_j[j]), reference_rate = rates[j],
      expected = n_j[j] * rates[j], mix = n_j[j] * (rates[j] - theta0), unexplained = o_j[j] - n_j[j] * rates[j])
  }
}
write_reference(do.call(rbind, summary_rows), "standardise_summary.csv", "standardise.R",
  "per unit: E = sum(n_j * rates), CI(O)/E with source_interval(O, level) as defined in the script; rates = colSums(obs)/colSums(den), theta0 = sum(obs)/sum(den)")
write_reference(do.call(rbind, strata_rows), "standardise_strata.csv", "standardise.R",
  "per unit and stratum: n_j * r_j, n_j * (r_j - theta0), O_j - n_j * r_j with the script's obs, den, rates, theta0")
