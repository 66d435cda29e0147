# Reference values for the stratified audit estimate (src/stats/survey.rs; METHODS-2.md
# sections 1-3): R's survey package run on four reviewed samples, one with a stratum of two
# cases, one with a share of 0 in a stratum, the bundled sample's reviewed audit, METHODS-2's
# D1 and one with a census stratum.
#   svydesign(ids = ~1, strata = ~h, fpc = ~N_h), svymean, svytotal,
#   svyciprop(method = "mean" | "xlogit" | "beta"), svyby for each stratum's mean and SE,
#   svychisq for the Rao-Scott test that strata differ.
# Each stratum's exact hypergeometric interval is a base-R restatement (phyper) of the rule
# in METHODS-2.md section 3.
# Run from this folder: Rscript audit.R
source("common.R")
suppressPackageStartupMessages(library(survey))
produced_by <- sprintf("R %s (Debian r-base-core %s), survey %s", r_version, deb_version,
                       as.character(packageVersion("survey")))

samples <- list(
  # Four areas, one with no inappropriate closure found.
  S1 = data.frame(N = c(412, 230, 95, 60), n = c(12, 9, 6, 5), y = c(4, 1, 2, 0)),
  # A stratum of two reviewed cases out of three.
  S2 = data.frame(N = c(50, 30, 3), n = c(8, 6, 2), y = c(2, 3, 1)),
  # Five units, a larger audit.
  S3 = data.frame(N = c(1200, 800, 300, 150, 40), n = c(30, 20, 10, 8, 4), y = c(9, 3, 4, 0, 1)),
  # The bundled sample's reviewed audit (data/sample/audit_reviewed.csv, synthetic findings):
  # six areas, five reviewed in each, inappropriate findings counted.
  S4 = data.frame(N = c(113, 126, 88, 105, 95, 73), n = c(5, 5, 5, 5, 5, 5), y = c(1, 2, 1, 2, 1, 1)),
  # METHODS-2.md's D1 (its Rao-Scott vector: F = 0.7694264483 on 1.693232774 and 33.86465547).
  S5 = data.frame(N = c(120, 60, 20), n = c(10, 8, 5), y = c(1, 2, 0)),
  # A census stratum (n = N) and a stratum whose cases all agree.
  S6 = data.frame(N = c(300, 12, 90, 45), n = c(25, 12, 15, 10), y = c(8, 7, 0, 6))
)

rows <- list()
add <- function(sample, stratum, quantity, value) {
  rows[[length(rows) + 1]] <<- data.frame(sample = sample, stratum = as.integer(stratum),
                                          quantity = quantity, value = as.numeric(value))
}
hyper_interval <- function(N, n, y, level = 0.95) {
  half <- (1 - level) / 2
  kept <- Filter(function(M) {
    phyper(y - 1, M, N - M, n, lower.tail = FALSE) > half && phyper(y, M, N - M, n) > half
  }, 0:N)
  c(min(kept), max(kept)) / N
}

for (name in names(samples)) {
  s <- samples[[name]]
  data <- do.call(rbind, lapply(seq_len(nrow(s)), function(h) {
    data.frame(h = h, N_h = s$N[h], y = c(rep(1, s$y[h]), rep(0, s$n[h] - s$y[h])))
  }))
  design <- svydesign(ids = ~1, strata = ~h, fpc = ~N_h, data = data)
  m <- svymean(~y, design, deff = TRUE)
  p <- coef(m)[[1]]
  v <- vcov(m)[1, 1]
  add(name, 0, "p", p)
  add(name, 0, "se", sqrt(v))
  add(name, 0, "df", degf(design))
  add(name, 0, "deff", deff(m)[[1]])
  add(name, 0, "n_eff", p * (1 - p) / v)
  for (method in c("mean", "xlogit", "beta")) {
    ci <- attr(svyciprop(~y, design, method = method, level = 0.95), "ci")
    add(name, 0, paste0(method, "_lower"), ci[[1]])
    add(name, 0, paste0(method, "_upper"), ci[[2]])
  }
  # The Rao-Scott test that strata differ (svychisq's default, statistic = "F").
  design <- update(design, hf = factor(h), yf = factor(y))
  rs <- svychisq(~hf + yf, design)
  add(name, 0, "rs_f", rs$statistic[[1]])
  add(name, 0, "rs_ndf", rs$parameter[["ndf"]])
  add(name, 0, "rs_ddf", rs$parameter[["ddf"]])
  add(name, 0, "rs_p", rs$p.value[[1]])
  t <- svytotal(~y, design)
  add(name, 0, "total", coef(t)[[1]])
  add(name, 0, "total_se", SE(t)[[1]])
  by <- svyby(~y, ~h, design, svymean)
  for (h in seq_len(nrow(s))) {
    add(name, h, "p", by$y[h])
    add(name, h, "se", by$se[h])
    ci <- hyper_interval(s$N[h], s$n[h], s$y[h])
    add(name, h, "exact_lower", ci[1])
    add(name, h, "exact_upper", ci[2])
  }
}
table <- do.call(rbind, rows)
write_reference(
  table, "audit.csv", "audit.R",
  "svydesign(ids=~1, strata=~h, fpc=~N_h); svymean(deff=TRUE); svyciprop(method=mean|xlogit|beta, level=0.95); svytotal; svyby(~y, ~h, svymean); svychisq(~factor(h) + factor(y)) (Rao-Scott F); hypergeometric rule of METHODS-2 section 3 (phyper)",
  notes = "samples S1-S6: N_h, n_h, y_h as in the script; stratum 0 is the whole sample"
)
