# Reference values for the case-mix-adjusted ratio funnel (METHODS.md §8.4): at an expected
# count E from a record-level model and k = sum(mu (1 - mu)) / sum(mu), the limits on O / E
# are 1 -/+ qnorm(1 - a) * sqrt(k / E), the lower clamped at 0, with a = (1 - level) / 2.
# k is taken from a fitted model: R's glm on the
# L1 data of logistic.R (logistic_data.csv), k from its fitted values weighted by n.
# Run from this folder: REFERENCE_DATE=2026-12-03 Rscript ratio_funnel.R

reference_date <- Sys.getenv("REFERENCE_DATE", "")
if (reference_date == "") reference_date <- format(Sys.Date())
fmt17 <- function(x) format(x, digits = 17)

d <- read.csv("logistic_data.csv", comment.char = "#")
d <- d[d$dataset == "L1", ]
fit <- glm(cbind(x, n - x) ~ offence + risk + repeat_victim + bwv + area, family = binomial, data = d)
mu <- fitted(fit)
k <- sum(d$n * mu * (1 - mu)) / sum(d$n * mu)

con <- file("ratio_funnel.csv", "w")
writeLines(c(
  paste0("# produced-by: ", R.version.string, ", base stats only (glm, qnorm)"),
  "# script: tests/reference/ratio_funnel.R (in this repository)",
  "# call: k = sum(n * mu * (1 - mu)) / sum(n * mu) with mu = fitted(glm(cbind(x, n - x) ~ offence + risk + repeat_victim + bwv + area, family = binomial)) on set L1 of logistic_data.csv; lower = max(0, 1 - qnorm(1 - a) * sqrt(k / E)), upper = 1 + qnorm(1 - a) * sqrt(k / E), a = (1 - level) / 2",
  "# printed-with: format(x, digits = 17)",
  paste0("# date: ", reference_date)
), con)
writeLines("level,k,expected,lower,upper", con)
for (level in c(0.95, 0.998)) {
  a <- (1 - level) / 2
  q <- qnorm(1 - a)
  for (e in c(0.5, 2.5, 10, 37.25, 100, 480.5, 5000)) {
    half <- q * sqrt(k / e)
    writeLines(paste(level, fmt17(k), fmt17(e), fmt17(max(0, 1 - half)), fmt17(1 + half), sep = ","), con)
  }
}
close(con)
