# Wilson score and exact Clopper-Pearson intervals for a proportion (METHODS.md section 2).
# Wilson is restated in base R from its closed form (PHEindicatormethods' phe_proportion;
# the package is not installable here, and its published vectors of section 13.1-13.2 are
# checked separately in the Rust tests). Clopper-Pearson is binom.test(x, n, conf.level)$conf.int.
source("common.R")

wilson <- function(x, n, level) {
  z <- z_of(level)
  centre <- 2 * x + z^2
  half <- z * sqrt(z^2 + 4 * x * (1 - x / n))
  c(max((centre - half) / (2 * (n + z^2)), 0), min((centre + half) / (2 * (n + z^2)), 1))
}
cases <- rbind(
  expand.grid(x = 0, n = c(1, 2, 10, 1000)), expand.grid(x = 1, n = c(1, 2, 10, 1000)),
  data.frame(x = c(5, 10, 3, 65, 1045, 9856, 17649, 125000, 249999, 9, 99), n = c(10, 10, 7, 100, 5000, 12345, 64680, 250000, 250000, 10, 100))
)
levels <- c(0.68, 0.9, 0.95, 0.99, 0.998)
rows <- list()
for (i in seq_len(nrow(cases))) for (lv in levels) {
  x <- cases$x[i]; n <- cases$n[i]
  w <- wilson(x, n, lv)
  cp <- binom.test(x, n, conf.level = lv)$conf.int
  rows[[length(rows) + 1]] <- data.frame(x = as.integer(x), n = as.integer(n), level = lv,
    wilson_lower = w[1], wilson_upper = w[2], cp_lower = cp[1], cp_upper = cp[2])
}
write_reference(do.call(rbind, rows), "proportion_intervals.csv", "proportion_intervals.R",
  "wilson(x, n, level) as defined in the script; binom.test(x, n, conf.level = level)$conf.int",
  "Wilson restates PHEindicatormethods' closed form (METHODS.md section 2.1); PHEindicatormethods is not installable here")
