# Reference values for the before/after comparison and the interrupted time series
# (src/stats/its.rs; METHODS-2.md section 8) and for outcome displacement
# (src/stats/displacement.rs; section 10): R's glm(family = binomial | quasibinomial),
# prop.test, acf, p.adjust and chisq.test on four series and two displacement tables.
# The series' counts are written into the table (quantity n or x, index t), so the test
# reads its inputs from here.
# Run from this folder: Rscript its.R
source("common.R")

rows <- list()
add <- function(case, index, quantity, value) {
  rows[[length(rows) + 1]] <<- data.frame(case = case, index = as.integer(index),
                                          quantity = quantity, value = as.numeric(value))
}
wil <- function(x, n) as.numeric(prop.test(x, n, correct = FALSE)$conf.int)
newc <- function(x1, n1, x2, n2) { p1 <- x1 / n1; p2 <- x2 / n2; a <- wil(x1, n1); b <- wil(x2, n2)
  d <- p2 - p1; c(d, d - sqrt((p2 - b[1])^2 + (a[2] - p1)^2), d + sqrt((b[2] - p2)^2 + (p1 - a[1])^2)) }

# Series D of METHODS-2.md section 8; a quarterly force series (large counts, 12 quarters,
# change after the 7th); a monthly extract series (small counts); a series drawn from the
# binomial model itself (dispersion below 1, so the binomial errors are the ones adopted).
set.seed(20261202)
quarterly_n <- round(runif(12, 2600, 3400))
quarterly_p <- plogis(-1.2 - 0.01 * (1:12) - 0.25 * (1:12 >= 8) + rnorm(12, 0, 0.04))
monthly_n <- round(runif(18, 25, 60))
monthly_p <- plogis(-0.9 - 0.45 * (1:18 >= 10) + rnorm(18, 0, 0.1))
set.seed(7)
plain_n <- rep(400, 16)
plain_x <- rbinom(16, plain_n, plogis(-1 + 0.02 * (1:16)))
series <- list(
  D = list(n = c(369, 384, 390, 386, 374, 356, 336, 320, 311, 312, 322, 339, 359, 376, 388, 390,
                 382, 366, 347, 328, 315, 310, 315, 329),
           x = c(112, 136, 114, 128, 100, 97, 125, 114, 106, 89, 85, 101, 118, 105, 110, 109, 91,
                 98, 95, 86, 60, 72, 77, 68), t0 = 13),
  Q = list(n = quarterly_n, x = rbinom(12, quarterly_n, quarterly_p), t0 = 8),
  M = list(n = monthly_n, x = rbinom(18, monthly_n, monthly_p), t0 = 10),
  B = list(n = plain_n, x = plain_x, t0 = 9)
)

for (name in names(series)) {
  s <- series[[name]]
  T <- length(s$n)
  for (t in seq_len(T)) { add(name, t, "n", s$n[t]); add(name, t, "x", s$x[t]) }
  add(name, 0, "t0", s$t0)
  t <- seq_len(T); after <- as.integer(t >= s$t0); tafter <- (t - s$t0) * after
  x <- s$x; n <- s$n
  x1 <- sum(x[after == 0]); n1 <- sum(n[after == 0]); x2 <- sum(x[after == 1]); n2 <- sum(n[after == 1])
  d <- newc(x1, n1, x2, n2)
  add(name, 0, "diff", d[1]); add(name, 0, "diff_lower", d[2]); add(name, 0, "diff_upper", d[3])
  se <- sqrt(1 / x2 - 1 / n2 + 1 / x1 - 1 / n1)
  rr <- exp(log((x2 / n2) / (x1 / n1)) + c(0, -1, 1) * qnorm(0.975) * se)
  add(name, 0, "ratio", rr[1]); add(name, 0, "ratio_lower", rr[2]); add(name, 0, "ratio_upper", rr[3])
  add(name, 0, "ratio_se_log", se)
  fit <- glm(cbind(x, n - x) ~ t + after + tafter, family = binomial)
  co <- summary(fit)$coefficients
  ci <- confint.default(fit)
  for (k in 1:4) {
    add(name, k, "estimate", co[k, 1]); add(name, k, "se", co[k, 2]); add(name, k, "p", co[k, 4])
    add(name, k, "lower", ci[k, 1]); add(name, k, "upper", ci[k, 2])
  }
  X2 <- sum(residuals(fit, "pearson")^2)
  add(name, 0, "iterations", fit$iter); add(name, 0, "deviance", deviance(fit))
  add(name, 0, "pearson", X2); add(name, 0, "pearson_p", pchisq(X2, T - 4, lower.tail = FALSE))
  add(name, 0, "acf1", acf(residuals(fit, "pearson"), plot = FALSE)$acf[2])
  q <- glm(cbind(x, n - x) ~ t + after + tafter, family = quasibinomial)
  phi <- summary(q)$dispersion
  add(name, 0, "dispersion", phi)
  qc <- summary(q)$coefficients
  sq <- sqrt(diag(vcov(q)))
  for (k in 1:4) {
    add(name, k, "quasi_se", qc[k, 2]); add(name, k, "quasi_p", qc[k, 4])
    add(name, k, "quasi_lower", coef(q)[k] - qt(0.975, T - 4) * sq[k])
    add(name, k, "quasi_upper", coef(q)[k] + qt(0.975, T - 4) * sq[k])
  }
  # The effect at the last period, delta method under the adopted covariance (quasi when
  # the dispersion exceeds 1).
  V <- if (phi > 1) vcov(q) else vcov(fit)
  b <- coef(fit); xT <- c(1, T, 1, T - s$t0); xC <- c(1, T, 0, 0)
  pT <- plogis(sum(xT * b)); pC <- plogis(sum(xC * b))
  g <- pT * (1 - pT) * xT - pC * (1 - pC) * xC
  add(name, 0, "effect_fitted", pT); add(name, 0, "effect_counterfactual", pC)
  add(name, 0, "effect", pT - pC); add(name, 0, "effect_se", sqrt(t(g) %*% V %*% g))
}

# Displacement: METHODS-2.md section 10's table, and one with a small group.
tables <- list(
  P1 = rbind(c(1250, 520, 600, 800, 330, 500), c(1040, 690, 610, 850, 350, 560)),
  P2 = rbind(c(210, 40, 15, 96, 61, 7), c(150, 71, 22, 90, 70, 3))
)
for (name in names(tables)) {
  tab <- tables[[name]]
  for (k in 1:6) { add(name, k, "before", tab[1, k]); add(name, k, "after", tab[2, k]) }
  ct <- suppressWarnings(chisq.test(tab))
  add(name, 0, "pearson", ct$statistic); add(name, 0, "pearson_p", ct$p.value)
  E <- ct$expected; G2 <- 2 * sum(tab * log(tab / E))
  add(name, 0, "g2", G2); add(name, 0, "g2_p", pchisq(G2, 5, lower.tail = FALSE))
  p <- sapply(1:6, function(k) prop.test(tab[, k], rowSums(tab), correct = FALSE)$p.value)
  bh <- p.adjust(p, "BH"); by <- p.adjust(p, "BY")
  for (k in 1:6) {
    d <- newc(tab[1, k], sum(tab[1, ]), tab[2, k], sum(tab[2, ]))
    add(name, k, "diff", d[1]); add(name, k, "diff_lower", d[2]); add(name, k, "diff_upper", d[3])
    add(name, k, "p", p[k]); add(name, k, "bh", bh[k]); add(name, k, "by", by[k])
  }
  pair <- c(tab[1, 1] + tab[1, 2], tab[2, 1] + tab[2, 2])
  add(name, 0, "share15_p", prop.test(c(tab[1, 2], tab[2, 2]), pair, correct = FALSE)$p.value)
  add(name, 0, "log_odds_ratio", log((tab[2, 2] / tab[2, 1]) / (tab[1, 2] / tab[1, 1])))
  add(name, 0, "log_odds_ratio_se", sqrt(sum(1 / c(tab[1, 1:2], tab[2, 1:2]))))
  add(name, 0, "combined_p", prop.test(pair, rowSums(tab), correct = FALSE)$p.value)
}

table <- do.call(rbind, rows)
write_reference(
  table, "its.csv", "its.R",
  "glm(cbind(x, n - x) ~ t + after + tafter, family = binomial | quasibinomial), summary.glm, confint.default, acf; prop.test(correct = FALSE) Wilson limits for Newcombe's difference; Katz's ratio; chisq.test, p.adjust(BH, BY) for displacement",
  notes = "series D (METHODS-2 section 8), Q, M, B drawn with set.seed as in the script; tables P1 (METHODS-2 section 10), P2; index 0 is the whole case, k the coefficient (1 = intercept, 2 = t, 3 = level change, 4 = slope change) or group (16, 15, 14, 18, 1, other)"
)
