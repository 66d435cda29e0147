# Intervals for a Poisson count O (METHODS.md section 8.1): exact via qchisq, and Byar's
# approximation restated in base R (PHEindicatormethods' published method; the package is
# not installable here; its vectors of section 13.3 are checked separately in the Rust tests).
source("common.R")
exact <- function(o, level) {
  a <- (1 - level) / 2
  c(if (o == 0) 0 else qchisq(a, 2 * o) / 2, qchisq(1 - a, 2 * o + 2) / 2)
}
byar <- function(o, level) {
  z <- z_of(level)
  lo <- if (o == 0) 0 else o * (1 - 1 / (9 * o) - z / (3 * sqrt(o)))^3
  c(max(lo, 0), (o + 1) * (1 - 1 / (9 * (o + 1)) + z / (3 * sqrt(o + 1)))^3)
}
rows <- list()
for (o in c(0:12, 15, 20, 30, 65, 100, 1045, 17649)) for (lv in c(0.68, 0.95, 0.99, 0.998)) {
  e <- exact(o, lv); b <- byar(o, lv)
  rows[[length(rows) + 1]] <- data.frame(observed = as.integer(o), level = lv,
    exact_lower = e[1], exact_upper = e[2], byar_lower = b[1], byar_upper = b[2])
}
write_reference(do.call(rbind, rows), "count_intervals.csv", "count_intervals.R",
  "exact(o, level) = c(qchisq((1 - level)/2, 2o)/2 [0 when o = 0], qchisq(1 - (1 - level)/2, 2o + 2)/2); byar(o, level) as defined in the script, lower clamped at 0",
  "Byar restates PHEindicatormethods' published formula (METHODS.md section 8.1); PHEindicatormethods is not installable here")
