# Overdispersion (METHODS.md sections 4, 5, 6): z-scores on the arcsine and natural
# scales, winsorisation with type-7 quantiles, phi, the chi-squared test, the
# DerSimonian-Laird tau2, adjusted z-scores, adjusted limits and flags.
# Restates FunnelPlotR's published formulas (METHODS.md sections 3.3, 5) in base R on
# quantile(type = 7), pchisq and qnorm; FunnelPlotR itself is not installable here.
# With a fixed target the test has N degrees of freedom and tau2 uses the moment
# equation with a known centre: tau2 = max(0, (N*phi - N) / sum(w)).
source("common.R")

# ---- data sets -------------------------------------------------------------
# 43 force-scale units: denominators 2,000 to 250,000, rates 6% to 32%, made up
# deterministically; unit 20 is Cleveland's real 2018/19 all-offence count 17,649/64,680.
make_forces <- function() {
  i <- 1:43
  n <- round(exp(seq(log(2000), log(250000), length.out = 43)))[order((i * 17) %% 43)]
  rate <- 0.06 + 0.26 * ((i * 0.6180339887498949) %% 1)
  x <- round(n * rate)
  x[20] <- 17649; n[20] <- 64680
  data.frame(x = as.integer(x), n = as.integer(n))
}
# Twelve small units (areas or teams), with x = 0, x = n and n = 1.
small <- data.frame(x = as.integer(c(0, 3, 7, 1, 12, 5, 9, 30, 2, 18, 1, 4)),
                    n = as.integer(c(5, 20, 24, 1, 40, 11, 60, 75, 9, 50, 1, 33)))
# A fixed target of 0.25 with two units exactly on it, so the lower winsorisation
# quantile is exactly 0 (PowerBI-Funnels skips such a bound; METHODS.md section 11).
zero_q <- data.frame(x = as.integer(c(25, 50, 30, 41, 33, 60, 28, 35, 47, 39)),
                     n = as.integer(c(100, 200, 100, 120, 110, 200, 100, 100, 150, 120)))

# ---- the method --------------------------------------------------------------
q7 <- function(v, p) unname(quantile(v, p, type = 7))
analyse <- function(x, n, scale, target, fraction) {
  N <- length(x)
  p <- x / n
  theta0 <- if (is.na(target)) sum(x) / sum(n) else target
  if (scale == "arcsine") {
    s <- 1 / (2 * sqrt(n))
    z <- (asin(sqrt(p)) - asin(sqrt(theta0))) / s
  } else {
    s <- sqrt(theta0 * (1 - theta0) / n)
    z <- (p - theta0) / s
  }
  ql <- q7(z, fraction); qu <- q7(z, 1 - fraction)
  zw <- pmin(pmax(z, ql), qu)
  phi <- mean(zw^2)
  df <- if (is.na(target)) N - 1 else N
  chi2 <- N * phi
  pval <- pchisq(chi2, df, lower.tail = FALSE)
  w <- 1 / s^2
  tau2 <- if (chi2 < df) 0 else if (is.na(target)) max(0, (chi2 - (N - 1)) / (sum(w) - sum(w^2) / sum(w))) else max(0, (chi2 - N) / sum(w))
  list(theta0 = theta0, s = s, z = z, zw = zw, ql = ql, qu = qu, phi = phi, chi2 = chi2, df = df,
       pval = pval, tau2 = tau2,
       z_mult = if (phi > 1) z / sqrt(phi) else z,
       z_add = z * s / sqrt(s^2 + tau2))
}
limits_on_scale <- function(scale, theta0, n, level, k, tau2) {
  z <- z_of(level)
  if (scale == "arcsine") {
    y0 <- asin(sqrt(theta0)); half <- z * sqrt(k / (4 * n) + tau2)
    cbind(sin(pmax(y0 - half, 0))^2, sin(pmin(y0 + half, pi / 2))^2)
  } else {
    half <- z * sqrt(k * theta0 * (1 - theta0) / n + tau2)
    cbind(pmin(pmax(theta0 - half, 0), 1), pmin(pmax(theta0 + half, 0), 1))
  }
}
flag <- function(p, outer, inner) {
  ifelse(p > outer[, 2], "high_998", ifelse(p < outer[, 1], "low_998",
    ifelse(p > inner[, 2], "high_95", ifelse(p < inner[, 1], "low_95", "within"))))
}

# ---- Nphi just below and just above N - 1 --------------------------------------
# Ten units of n = 1,000; unit 10's numerator is moved one count at a time and the
# last value with N*phi < N - 1 and the first with N*phi >= N - 1 are kept.
base_x <- c(200, 214, 188, 226, 205, 191, 219, 197, 210, 0)
base_n <- rep(1000, 10)
nphi <- function(x10) { xx <- base_x; xx[10] <- x10; a <- analyse(xx, base_n, "arcsine", NA, 0.1); a$chi2 - (10 - 1) }
cands <- 150:260
vals <- sapply(cands, nphi)
above <- cands[which(vals >= 0 & cands > 200)[1]]
below <- above - 1
stopifnot(nphi(below) < 0, nphi(above) >= 0)
just_below <- data.frame(x = as.integer(c(base_x[-10], below)), n = as.integer(base_n))
just_above <- data.frame(x = as.integer(c(base_x[-10], above)), n = as.integer(base_n))

datasets <- list(forces43 = make_forces(), small12 = small, zero_quantile = zero_q,
                 just_below = just_below, just_above = just_above)
configs <- rbind(
  data.frame(dataset = "forces43", scale = "arcsine", target = NA, fraction = 0.1),
  data.frame(dataset = "forces43", scale = "natural", target = NA, fraction = 0.1),
  data.frame(dataset = "forces43", scale = "arcsine", target = NA, fraction = 0),
  data.frame(dataset = "forces43", scale = "arcsine", target = NA, fraction = 0.05),
  data.frame(dataset = "forces43", scale = "arcsine", target = 0.2, fraction = 0.1),
  data.frame(dataset = "forces43", scale = "natural", target = 0.2, fraction = 0.1),
  data.frame(dataset = "small12", scale = "arcsine", target = NA, fraction = 0.1),
  data.frame(dataset = "small12", scale = "natural", target = NA, fraction = 0.1),
  data.frame(dataset = "zero_quantile", scale = "arcsine", target = 0.25, fraction = 0.1),
  data.frame(dataset = "zero_quantile", scale = "natural", target = 0.25, fraction = 0.1),
  data.frame(dataset = "just_below", scale = "arcsine", target = NA, fraction = 0.1),
  data.frame(dataset = "just_above", scale = "arcsine", target = NA, fraction = 0.1)
)

summary_rows <- list(); unit_rows <- list()
for (i in seq_len(nrow(configs))) {
  cf <- configs[i, ]
  d <- datasets[[cf$dataset]]
  a <- analyse(d$x, d$n, cf$scale, cf$target, cf$fraction)
  target_kind <- if (is.na(cf$target)) "pooled" else "fixed"
  target_value <- if (is.na(cf$target)) 0 else cf$target
  summary_rows[[i]] <- data.frame(dataset = cf$dataset, scale = cf$scale, target = target_kind,
    target_value = target_value, fraction = cf$fraction, n_units = length(d$x), theta0 = a$theta0,
    winsor_lower = a$ql, winsor_upper = a$qu, phi = a$phi, chi2 = a$chi2, df = as.integer(a$df),
    p_value = a$pval, tau2 = a$tau2)
  p <- d$x / d$n
  un95 <- limits_on_scale(cf$scale, a$theta0, d$n, 0.95, 1, 0)
  un998 <- limits_on_scale(cf$scale, a$theta0, d$n, 0.998, 1, 0)
  ad95 <- limits_on_scale(cf$scale, a$theta0, d$n, 0.95, 1, a$tau2)
  ad998 <- limits_on_scale(cf$scale, a$theta0, d$n, 0.998, 1, a$tau2)
  km <- max(a$phi, 1)
  mu95 <- limits_on_scale(cf$scale, a$theta0, d$n, 0.95, km, 0)
  mu998 <- limits_on_scale(cf$scale, a$theta0, d$n, 0.998, km, 0)
  unit_rows[[i]] <- data.frame(dataset = cf$dataset, scale = cf$scale, target = target_kind,
    fraction = cf$fraction, unit = as.integer(seq_along(d$x) - 1), x = d$x, n = d$n,
    z = a$z, z_winsorised = a$zw, z_multiplicative = a$z_mult, z_additive = a$z_add,
    add_lower_95 = ad95[, 1], add_upper_95 = ad95[, 2], add_lower_998 = ad998[, 1], add_upper_998 = ad998[, 2],
    mult_lower_95 = mu95[, 1], mult_upper_95 = mu95[, 2], mult_lower_998 = mu998[, 1], mult_upper_998 = mu998[, 2],
    flag_unadjusted = flag(p, un998, un95), flag_additive = flag(p, ad998, ad95),
    flag_multiplicative = flag(p, mu998, mu95))
}
write_reference(do.call(rbind, summary_rows), "overdispersion_summary.csv", "overdispersion.R",
  "analyse(x, n, scale, target, fraction) as defined in the script; target_value 0 with target = pooled means the pooled sum(x)/sum(n)",
  "restates FunnelPlotR's published formulas (METHODS.md sections 3.3, 5); FunnelPlotR itself is not installable here")
write_reference(do.call(rbind, unit_rows), "overdispersion_units.csv", "overdispersion.R",
  "analyse(...) per unit; limits_on_scale(scale, theta0, n, level, k, tau2) and flag(p, outer, inner) as defined in the script",
  "restates FunnelPlotR's published formulas (METHODS.md sections 3.3, 5, 6); FunnelPlotR itself is not installable here")
