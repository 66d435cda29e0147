# Reference values for the grouped-binomial logistic regression of outcome on case
# characteristics: R's glm(cbind(x, n - x) ~ offence + risk + repeat_victim + bwv + area,
# family = binomial) on three data sets drawn here (a plain one, one with a sparse level,
# one with quasi-complete separation), fitted with base stats::glm only (no survey package).
# Writes the data (logistic_data.csv, plain CSV, read by the test) and the fits
# (logistic.csv, with a provenance header of '#' lines).
# Run from this folder: REFERENCE_DATE=2026-12-03 Rscript logistic.R

reference_date <- Sys.getenv("REFERENCE_DATE", "")
if (reference_date == "") reference_date <- format(Sys.Date())

fmt17 <- function(x) vapply(x, function(v) if (is.na(v)) "" else format(v, digits = 17), character(1))

offence_levels <- c("violence_with_injury", "violence_without_injury", "stalking_harassment")
risk_levels <- c("standard", "medium", "high")
repeat_levels <- c("no", "yes")
bwv_levels <- c("yes", "no")
area5 <- c("A1", "A2", "A3", "A4", "A5")
area6 <- c(area5, "A6")

# The truth: log-odds effects of each level (the first level is the reference).
eff_offence <- c(violence_with_injury = 0, violence_without_injury = 0.25, stalking_harassment = -0.3)
eff_risk <- c(standard = 0, medium = -0.2, high = -0.5)
eff_repeat <- c(no = 0, yes = 0.35)
eff_bwv <- c(yes = 0, no = log(1.8))
eff_area <- c(A1 = 0, A2 = 0.1, A3 = -0.15, A4 = 0.3, A5 = 0.05, A6 = 0)

set.seed(20261203)

# Every combination of the five factors over A1-A5 (180 patterns), area varying fastest.
design <- function() {
  g <- expand.grid(area = area5, bwv = bwv_levels, repeat_victim = repeat_levels,
                   risk = risk_levels, offence = offence_levels, stringsAsFactors = FALSE)
  g[, c("offence", "risk", "repeat_victim", "bwv", "area")]
}
eta_of <- function(d) {
  -0.6 + eff_offence[d$offence] + eff_risk[d$risk] + eff_repeat[d$repeat_victim] +
    eff_bwv[d$bwv] + eff_area[d$area]
}
# Draws n (then applies shrink_n to it), then x, for the 180 patterns.
draw <- function(shrink_n = function(d, n) n) {
  d <- design()
  n <- 1L + rpois(nrow(d), 40)
  n <- as.integer(shrink_n(d, n))
  x <- rbinom(nrow(d), n, plogis(unname(eta_of(d))))
  d$x <- as.integer(x); d$n <- n
  d
}
# The three A6 patterns of L2 and L3, with fixed counts (not drawn).
a6_rows <- function(n, x) {
  data.frame(offence = offence_levels, risk = c("standard", "medium", "high"),
             repeat_victim = c("no", "yes", "no"), bwv = c("yes", "no", "no"), area = "A6",
             x = as.integer(x), n = as.integer(n), stringsAsFactors = FALSE)
}

L1 <- draw()
L2 <- draw(function(d, n) ifelse(d$risk == "high", pmax(1L, as.integer(ceiling(n / 8))), n))
L2 <- rbind(L2, a6_rows(n = c(3, 4, 2), x = c(1, 0, 1)))
L3 <- draw()
L3 <- rbind(L3, a6_rows(n = c(8, 7, 5), x = c(0, 0, 0)))
datasets <- list(L1 = L1, L2 = L2, L3 = L3)
areas <- list(L1 = area5, L2 = area6, L3 = area6)

descriptions <- c(
  L1 = "L1: all 180 patterns of offence x risk x repeat_victim x bwv x area (A1-A5); n = 1 + rpois(40), x = rbinom(n, plogis(eta)), eta = -0.6 + offence (0, 0.25, -0.3) + risk (0, -0.2, -0.5) + repeat yes 0.35 + bwv no log(1.8) + area (0, 0.1, -0.15, 0.3, 0.05)",
  L2 = "L2 (sparse levels): as L1 freshly drawn, with n = max(1, ceiling(n / 8)) for risk high before x is drawn, plus area A6 in three fixed patterns (violence_with_injury/standard/no/yes, violence_without_injury/medium/yes/no, stalking_harassment/high/no/no) with n = 3, 4, 2 and x = 1, 0, 1",
  L3 = "L3 (quasi-complete separation): as L1 freshly drawn, plus area A6 in the same three patterns as L2 with n = 8, 7, 5 and x = 0, 0, 0, so the area=A6 coefficient diverges; R's unguarded output as it comes"
)

# ---- the data file ------------------------------------------------------------------
data_rows <- do.call(rbind, lapply(names(datasets), function(name) cbind(dataset = name, datasets[[name]])))
data_header <- c(
  paste0("# produced-by: ", R.version.string, ", base stats only (rpois, rbinom)"),
  "# script: tests/reference/logistic.R (in this repository)",
  "# call: set.seed(20261203); each dataset's patterns drawn as its line below says; x successes of n per pattern",
  paste0("# ", descriptions),
  "# printed-with: format(x, digits = 17)",
  paste0("# date: ", reference_date)
)
writeLines(c(data_header, paste(names(data_rows), collapse = ","),
             do.call(paste, c(lapply(data_rows, as.character), sep = ","))),
           "logistic_data.csv")

# ---- the fits -----------------------------------------------------------------------
out <- list()
warning_lines <- character()
for (name in names(datasets)) {
  d <- datasets[[name]]
  d$offence <- factor(d$offence, levels = offence_levels)
  d$risk <- factor(d$risk, levels = risk_levels)
  d$repeat_victim <- factor(d$repeat_victim, levels = repeat_levels)
  d$bwv <- factor(d$bwv, levels = bwv_levels)
  d$area <- factor(d$area, levels = areas[[name]])
  warns <- character()
  fit <- withCallingHandlers(
    stats::glm(cbind(x, n - x) ~ offence + risk + repeat_victim + bwv + area,
               family = binomial, data = d),
    warning = function(w) { warns <<- c(warns, conditionMessage(w)); invokeRestart("muffleWarning") }
  )
  warning_lines <- c(warning_lines, sprintf("%s: R warned: %s; converged = %s", name,
    if (length(warns) == 0) "(none)" else paste(unique(warns), collapse = " | "), fit$converged))
  if (name == "L3") {
    # No warning at the default glm.control when the A6 fitted probabilities stay above
    # glm.fit's 10 * .Machine$double.eps; a tighter refit shows the estimate still running off.
    p6 <- fitted(fit)[d$area == "A6"]
    warns2 <- character()
    tight <- withCallingHandlers(
      stats::glm(cbind(x, n - x) ~ offence + risk + repeat_victim + bwv + area, family = binomial,
                 data = d, control = glm.control(epsilon = 1e-14, maxit = 100)),
      warning = function(w) { warns2 <<- c(warns2, conditionMessage(w)); invokeRestart("muffleWarning") }
    )
    warning_lines <- c(warning_lines, sprintf(
      "L3: at the default glm.control (epsilon = 1e-8, maxit = 25) the A6 fitted probabilities are %s (above 10 * .Machine$double.eps), so glm.fit stops on the deviance criterion without a warning; refitted with glm.control(epsilon = 1e-14, maxit = 100), area=A6 = %s after %d iterations and R warns: %s (that refit is not in the table)",
      paste(sprintf("%.3g", p6), collapse = ", "), sprintf("%.6g", coef(tight)[["areaA6"]]), tight$iter,
      if (length(warns2) == 0) "(none)" else paste(unique(warns2), collapse = " | ")))
  }
  co <- summary(fit)$coefficients
  # Term names: the intercept, or variable=level for each non-reference level.
  vars <- c("offence", "risk", "repeat_victim", "bwv", "area")
  term <- rownames(co)
  for (v in vars) {
    hit <- startsWith(term, v) & term != "(Intercept)"
    term[hit] <- paste0(v, "=", substring(term[hit], nchar(v) + 1))
  }
  z <- qnorm(0.975)
  est <- co[, 1]; se <- co[, 2]
  out[[length(out) + 1]] <- data.frame(
    dataset = name, term = term, estimate = est, std_error = se, z_value = co[, 3],
    p_value = co[, 4], odds_ratio = exp(est), or_low = exp(est - z * se), or_high = exp(est + z * se),
    stringsAsFactors = FALSE
  )
  out[[length(out) + 1]] <- data.frame(
    dataset = name,
    term = c("(deviance)", "(null_deviance)", "(df_residual)", "(iterations)", "(converged)"),
    estimate = c(fit$deviance, fit$null.deviance, fit$df.residual, fit$iter, as.numeric(fit$converged)),
    std_error = NA, z_value = NA, p_value = NA, odds_ratio = NA, or_low = NA, or_high = NA,
    stringsAsFactors = FALSE
  )
}
table <- do.call(rbind, out)
rownames(table) <- NULL

cols <- lapply(table, function(col) if (is.character(col)) col else fmt17(col))
header <- c(
  paste0("# produced-by: ", R.version.string, ", base stats only (stats::glm; no survey package)"),
  "# script: tests/reference/logistic.R (in this repository)",
  "# call: stats::glm(cbind(x, n - x) ~ offence + risk + repeat_victim + bwv + area, family = binomial); summary(fit)$coefficients; odds_ratio = exp(estimate), or_low/or_high = exp(estimate -/+ qnorm(0.975) * std_error) (Wald)",
  "# data: tests/reference/logistic_data.csv, drawn by the script with set.seed(20261203); reference levels offence violence_with_injury, risk standard, repeat_victim no, bwv yes, area A1",
  paste0("# ", descriptions),
  paste0("# ", warning_lines),
  "# rows (deviance), (null_deviance), (df_residual), (iterations) = fit$iter, (converged) = 1 or 0 carry the value in estimate",
  "# printed-with: format(x, digits = 17)",
  paste0("# date: ", reference_date)
)
writeLines(c(header, paste(names(table), collapse = ","), do.call(paste, c(cols, sep = ","))),
           "logistic.csv")
