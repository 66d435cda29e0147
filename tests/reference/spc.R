# SPC charts and special-cause rules (METHODS.md section 9), restated in base R:
# p-chart and Laney p' chart (PowerBI-SPC's published method), XmR with and without
# moving-range screening (NHSRplotthedots' published method; neither tool is
# installable here), and the four rules of section 9.4. The XmR restatement reproduces
# METHODS.md 13.6/13.7 and the p-chart 13.8, checked at the end of this script.
source("common.R")
D2 <- 1.128; D4 <- 3.267; XMR <- 2.66

mean_mr <- function(v, screen) {
  mr <- abs(diff(v)); m <- mean(mr)
  if (!screen || m <= 0) return(c(m, 0))
  kept <- mr[mr < D4 * m]
  c(mean(kept), length(mr) - length(kept))
}
clamp01 <- function(v) pmin(pmax(v, 0), 1)
p_chart <- function(x, n, base = length(x)) {
  pbar <- sum(x[1:base]) / sum(n[1:base]); s <- sqrt(pbar * (1 - pbar) / n)
  data.frame(value = x / n, centre = pbar, sigma = s, lower_3 = clamp01(pbar - 3 * s), lower_2 = clamp01(pbar - 2 * s),
             upper_2 = clamp01(pbar + 2 * s), upper_3 = clamp01(pbar + 3 * s), mean_mr = NA, sigma_z = NA)
}
laney <- function(x, n, screen, base = length(x)) {
  pbar <- sum(x[1:base]) / sum(n[1:base]); s <- sqrt(pbar * (1 - pbar) / n)
  z <- (x / n - pbar) / s
  m <- mean_mr(z[1:base], screen)[1]; sz <- m / D2; ss <- s * sz
  data.frame(value = x / n, centre = pbar, sigma = ss, lower_3 = clamp01(pbar - 3 * ss), lower_2 = clamp01(pbar - 2 * ss),
             upper_2 = clamp01(pbar + 2 * ss), upper_3 = clamp01(pbar + 3 * ss), mean_mr = m, sigma_z = sz)
}
xmr <- function(y, screen, base = length(y)) {
  xbar <- sum(y[1:base]) / base
  m <- mean_mr(y[1:base], screen)[1]
  data.frame(value = y, centre = xbar, sigma = XMR * m / 3, lower_3 = xbar - XMR * m, lower_2 = xbar - 2 / 3 * XMR * m,
             upper_2 = xbar + 2 / 3 * XMR * m, upper_3 = xbar + XMR * m, mean_mr = m, sigma_z = NA)
}
rules <- function(ch, shift_len, trend_len) {
  v <- ch$value; T <- length(v)
  astro <- v > ch$upper_3 | v < ch$lower_3
  side <- ifelse(v > ch$centre, 1, ifelse(v < ch$centre, -1, 0))
  shift <- rep(FALSE, T)
  r <- rle(side); ends <- cumsum(r$lengths); starts <- ends - r$lengths + 1
  for (k in seq_along(r$lengths)) if (r$values[k] != 0 && r$lengths[k] >= shift_len) shift[starts[k]:ends[k]] <- TRUE
  trend <- rep(FALSE, T)
  d <- c(sign(diff(v)))
  for (dir in c(1, -1)) {
    r <- rle(d == dir); ends <- cumsum(r$lengths); starts <- ends - r$lengths + 1
    for (k in seq_along(r$lengths)) if (r$values[k] && r$lengths[k] + 1 >= trend_len) trend[starts[k]:(ends[k] + 1)] <- TRUE
  }
  # two_of_three: NHSRplotthedots 0.2 (beyond 2 sigma, not beyond 3 sigma);
  # two_of_three_mdc: Making Data Count's 2023 rule (every point beyond 2 sigma counts).
  two <- rep(FALSE, T); two_mdc <- rep(FALSE, T)
  if (T >= 3) for (i in 1:(T - 2)) {
    w <- i:(i + 2)
    for (s in c(1, -1)) if (all(side[w] == s)) {
      near <- if (s == 1) w[v[w] > ch$upper_2[w] & v[w] <= ch$upper_3[w]] else w[v[w] < ch$lower_2[w] & v[w] >= ch$lower_3[w]]
      if (length(near) >= 2) two[near] <- TRUE
      beyond <- if (s == 1) w[v[w] > ch$upper_2[w]] else w[v[w] < ch$lower_2[w]]
      if (length(beyond) >= 2) two_mdc[beyond] <- TRUE
    }
  }
  data.frame(astronomical = astro, shift = shift, trend = trend, two_of_three = two, two_of_three_mdc = two_mdc)
}

# ---- series --------------------------------------------------------------------
p_num <- c(14, 12, 15, 8, 16, 11, 12, 14, 16, 17, 5, 11, 13, 10, 14, 5, 12, 10, 11, 5, 10, 8, 11, 12, 11, 18, 18, 21, 14, 15, 18, 22, 17, 16, 20, 15)
p_den <- c(52, 64, 70, 60, 67, 69, 67, 54, 79, 59, 49, 61, 41, 51, 56, 43, 57, 48, 69, 41, 40, 46, 59, 62, 57, 65, 75, 70, 76, 69, 64, 67, 84, 67, 69, 78)
# A force-scale monthly series: n near 5,000, a drift up, a point exactly on the centre
# (equal denominators make x/n and sum(x)/sum(n) the same division) and an outlier month.
big_den <- rep(5000, 24)
big_num <- c(1000, 1010, 985, 1000, 1020, 990, 1000, 1005, 1030, 1040, 1055, 1070, 1090, 1100, 880, 1000, 960, 940, 950, 930, 945, 955, 940, 1006)
y_136 <- c(1, 2, 1, 2, 10, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1)
y_137 <- c(-0.56047565, -0.23017749, 1.55870831, 0.07050839, 0.12928774, 1.71506499, 0.46091621, -1.26506123, -0.68685285, -0.44566197,
           1.22408180, 0.35981383, 0.40077145, 0.11068272, -0.55584113, 1.78691314, 0.49785048, -1.96661716, 0.70135590, -0.47279141)
y_137b <- y_137; y_137b[15] <- 10
# Ties and points on the centre (mean exactly 5): an on-centre point breaks a shift, a tie breaks a trend.
y_ties <- c(5, 5, 6, 6, 7, 7, 5, 4, 3, 3, 2, 5, 6, 6, 6, 6, 6, 6, 5, 6, 6, 6, 6, 6, 6, 6, 1, 2, 3, 4, 5, 6, 7, 8, 8, 5, 9, 9.5, 0.5, 1, -1.5, 5.25, 5.25, 0.5, 0.5, 10)
# All values are dyadic, so sums are exact; the last value makes the mean exactly 5.
y_ties <- c(y_ties, 5 * (length(y_ties) + 1) - sum(y_ties))
stopifnot(sum(y_ties) / length(y_ties) == 5)

charts <- list(
  list(series = "ptest_p", chart = "p", screen = TRUE, base = 36, ch = p_chart(p_num, p_den), x = p_num, n = p_den),
  list(series = "ptest_laney", chart = "laney", screen = TRUE, base = 36, ch = laney(p_num, p_den, TRUE), x = p_num, n = p_den),
  list(series = "ptest_laney_unscreened", chart = "laney", screen = FALSE, base = 36, ch = laney(p_num, p_den, FALSE), x = p_num, n = p_den),
  list(series = "big_p", chart = "p", screen = TRUE, base = 24, ch = p_chart(big_num, big_den), x = big_num, n = big_den),
  list(series = "big_p_baseline12", chart = "p", screen = TRUE, base = 12, ch = p_chart(big_num, big_den, 12), x = big_num, n = big_den),
  list(series = "big_laney", chart = "laney", screen = TRUE, base = 24, ch = laney(big_num, big_den, TRUE), x = big_num, n = big_den),
  list(series = "big_laney_baseline12", chart = "laney", screen = TRUE, base = 12, ch = laney(big_num, big_den, TRUE, 12), x = big_num, n = big_den),
  list(series = "xmr_136", chart = "xmr", screen = TRUE, base = 18, ch = xmr(y_136, TRUE), x = NULL, n = NULL),
  list(series = "xmr_136_unscreened", chart = "xmr", screen = FALSE, base = 18, ch = xmr(y_136, FALSE), x = NULL, n = NULL),
  list(series = "xmr_137", chart = "xmr", screen = TRUE, base = 20, ch = xmr(y_137, TRUE), x = NULL, n = NULL),
  list(series = "xmr_137b", chart = "xmr", screen = TRUE, base = 20, ch = xmr(y_137b, TRUE), x = NULL, n = NULL),
  list(series = "xmr_137b_unscreened", chart = "xmr", screen = FALSE, base = 20, ch = xmr(y_137b, FALSE), x = NULL, n = NULL),
  list(series = "xmr_ties", chart = "xmr", screen = TRUE, base = length(y_ties), ch = xmr(y_ties, TRUE), x = NULL, n = NULL),
  list(series = "xmr_ties_baseline10", chart = "xmr", screen = FALSE, base = 10, ch = xmr(y_ties, FALSE, 10), x = NULL, n = NULL)
)

# ---- checks against METHODS.md section 13 ------------------------------------------
near <- function(a, b, k) stopifnot(abs(a - b) <= 0.5 * 10^-k)
c136 <- xmr(y_136, TRUE); near(c136$centre[1], 1.944444, 6); near(c136$lower_3[1], -0.7155556, 7); near(c136$upper_3[1], 4.6044444, 7)
u136 <- xmr(y_136, FALSE); near(u136$lower_3[1], -3.0626144, 7); near(u136$upper_3[1], 6.9515033, 7)
c137 <- xmr(y_137, TRUE); near(c137$centre[1], 0.1416238, 7); near(c137$lower_3[1], -3.01138, 5); near(c137$upper_3[1], 3.294627, 6)
c137b <- xmr(y_137b, TRUE); near(c137b$centre[1], 0.6694159, 7); near(c137b$lower_3[1], -2.383666, 6); near(c137b$upper_3[1], 3.722497, 6)
u137b <- xmr(y_137b, FALSE); near(u137b$lower_3[1], -4.596625, 6); near(u137b$upper_3[1], 5.935457, 6)
pc <- p_chart(p_num, p_den); near(pc$centre[1], 0.2163265306, 10)
near(100 * pc$upper_3[1:3], c(38.76, 37.07, 36.4), 2); near(100 * pc$upper_2[1:3], c(33.05, 31.93, 31.48), 2)
near(100 * pc$lower_2[1:3], c(10.21, 11.34, 11.79), 2); near(100 * pc$lower_3[1:3], c(4.5, 6.19, 6.87), 2)

chart_rows <- list(); rule_rows <- list()
for (c in charts) {
  T <- nrow(c$ch)
  x <- if (is.null(c$x)) rep(0L, T) else as.integer(c$x)
  n <- if (is.null(c$n)) rep(0L, T) else as.integer(c$n)
  chart_rows[[length(chart_rows) + 1]] <- data.frame(series = c$series, chart = c$chart, screen = c$screen,
    baseline = as.integer(c$base), t = as.integer(seq_len(T) - 1), x = x, n = n, c$ch)
  for (lens in list(c(7, 7), c(6, 5), c(8, 3))) {
    rule_rows[[length(rule_rows) + 1]] <- data.frame(series = c$series, shift_length = as.integer(lens[1]),
      trend_length = as.integer(lens[2]), t = as.integer(seq_len(T) - 1), rules(c$ch, lens[1], lens[2]))
  }
}
charts_df <- do.call(rbind, chart_rows)
charts_df$mean_mr[is.na(charts_df$mean_mr)] <- -1
charts_df$sigma_z[is.na(charts_df$sigma_z)] <- -1
write_reference(charts_df, "spc_charts.csv", "spc.R",
  "p_chart(x, n, base), laney(x, n, screen, base), xmr(y, screen, base) as defined in the script; for xmr x and n are 0 and value is y; mean_mr and sigma_z are -1 where not defined",
  "restates PowerBI-SPC's and NHSRplotthedots' published methods (METHODS.md section 9); neither is installable here")
write_reference(do.call(rbind, rule_rows), "spc_rules.csv", "spc.R",
  "rules(chart, shift_length, trend_length) as defined in the script, on each chart of spc_charts.csv",
  "restates the rules of METHODS.md section 9.4 (NHSRplotthedots' definitions); two_of_three_mdc is the Making Data Count 2023 two-of-three rule (METHODS-2.md section 7.2: points beyond 3 sigma count)")
