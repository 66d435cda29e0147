# Exact binomial funnel limits with Spiegelhalter's interpolation (Spiegelhalter 2005a,
# appendix A.1.1; METHODS.md section 3.2), restated on base R's qbinom/pbinom/dbinom.
# r_p is taken from qbinom and then checked against the definition
# F(r_p - 1) < p <= F(r_p), moving one step where qbinom's own fuzz disagrees.
source("common.R")

spiegelhalter_limit <- function(n, theta0, p) {
  r <- qbinom(p, n, theta0)
  while (r > 0 && pbinom(r - 1, n, theta0) >= p) r <- r - 1
  while (pbinom(r, n, theta0) < p) r <- r + 1
  f_r <- pbinom(r, n, theta0)
  f_prev <- if (r > 0) pbinom(r - 1, n, theta0) else 0
  alpha <- (f_r - p) / (f_r - f_prev)
  c(r = r, limit = (r - alpha) / n)
}

exact_limits <- function(n, theta0, level) {
  a <- (1 - level) / 2
  lo <- spiegelhalter_limit(n, theta0, a)
  hi <- spiegelhalter_limit(n, theta0, 1 - a)
  data.frame(n = as.integer(n), theta0 = theta0, level = level,
             r_lower = as.integer(lo[["r"]]), lower = min(max(lo[["limit"]], 0), 1),
             r_upper = as.integer(hi[["r"]]), upper = min(max(hi[["limit"]], 0), 1))
}

cases <- expand.grid(
  n = c(1, 2, 3, 5, 8, 10, 13, 20, 41, 50, 100, 250, 1000, 1008, 5000, 64680, 100000, 250000),
  theta0 = c(0.001, 0.01, 0.06, 0.2, 0.27287, 0.5, 0.806424478571496, 0.94, 0.999),
  level = c(0.68, 0.95, 0.99, 0.998)
)
# Near-ties: targets where F(0) equals a tail probability exactly in real arithmetic
# ((1 - theta0)^n = p), so F(r) sits within rounding of p.
ties <- rbind(
  data.frame(n = 1, theta0 = 0.025, level = 0.95),
  data.frame(n = 1, theta0 = 0.975, level = 0.95),
  data.frame(n = 1, theta0 = 0.001, level = 0.998),
  data.frame(n = 1, theta0 = 0.999, level = 0.998),
  data.frame(n = 2, theta0 = 1 - sqrt(0.975), level = 0.95),
  data.frame(n = 2, theta0 = 1 - sqrt(0.025), level = 0.95),
  data.frame(n = 4, theta0 = 0.5, level = 0.875),
  data.frame(n = 3, theta0 = 0.5, level = 0.75)
)
cases <- rbind(cases, ties)
out <- do.call(rbind, lapply(seq_len(nrow(cases)), function(i) exact_limits(cases$n[i], cases$theta0[i], cases$level[i])))
write_reference(out, "funnel_exact.csv", "funnel_exact.R",
  "spiegelhalter_limit(n, theta0, p) for p = (1 - level)/2 and 1 - (1 - level)/2, as defined in the script, clamped to [0, 1]",
  "restates Spiegelhalter (2005a) A.1.1 on qbinom/pbinom; the r_p = 0 case is clamped to 0")
