# Reference values for a whole analysis run on the real 2018/19 Home Office table,
# computed from the raw CSV with base R alone (read.csv, sums, qnorm, quantile type 7,
# pchisq), independently of outcome-lens's reader, measure and compare stages.
#
# It restates the published funnel-plot method (METHODS.md sections 3.3, 4, 5 and 6:
# arcsine scale, winsorised phi at 10% with type-7 quantiles, DerSimonian-Laird tau2,
# additive adjustment applied because tau2 > 0, flags by strict inequality), as
# FunnelPlotR documents it; FunnelPlotR itself is not installable here (CRAN unreachable).
#
# Two scopes, basis assigned_in_period (`Force outcomes recorded in quarter`), numerator
# outcome type 16, denominator outcome types 1-22 (all assigned), the four quarters of
# 2018/19, national set = the 43 territorial forces (British Transport Police excluded):
#   all    every offence code
#   proxy  the domestic-abuse proxy codes 8N, 105A, 8L, 8Q, 3B
# Run from this folder: Rscript run_2018_19.R
source("common.R")

path <- "../../data/raw/home-office-outcomes/prc-outcomes-open-data-mar2019-tables.FULL.csv.gz"
raw <- read.csv(gzfile(path, encoding = "UTF-8"), check.names = FALSE, colClasses = "character",
                fileEncoding = "UTF-8-BOM")
count <- suppressWarnings(as.numeric(raw[["Force outcomes recorded in quarter"]]))
type <- as.integer(raw[["Outcome Type"]])
force <- raw[["Force Name"]]
code <- raw[["Offence Code"]]

analyse <- function(keep) {
  den_rows <- keep & type >= 1 & type <= 22 & !is.na(count)
  num_rows <- den_rows & type == 16
  den <- tapply(count[den_rows], force[den_rows], sum)
  num <- tapply(count[num_rows], force[num_rows], sum)
  forces <- setdiff(sort(names(den)), "British Transport Police")
  x <- as.numeric(num[forces]); n <- as.numeric(den[forces])
  N <- length(forces)
  theta0 <- sum(x) / sum(n)
  p <- x / n
  s <- 1 / (2 * sqrt(n))
  z <- (asin(sqrt(p)) - asin(sqrt(theta0))) / s
  ql <- quantile(z, 0.1, type = 7, names = FALSE)
  qu <- quantile(z, 0.9, type = 7, names = FALSE)
  zw <- pmin(pmax(z, ql), qu)
  phi <- mean(zw^2)
  chi2 <- N * phi
  w <- 1 / s^2
  tau2 <- if (chi2 < N - 1) 0 else max(0, (chi2 - (N - 1)) / (sum(w) - sum(w^2) / sum(w)))
  lim <- function(level, t2) {
    zz <- z_of(level)
    half <- zz * sqrt(s^2 + t2)
    y0 <- asin(sqrt(theta0))
    list(low = sin(pmax(y0 - half, 0))^2, high = sin(pmin(y0 + half, pi / 2))^2)
  }
  a95 <- lim(0.95, tau2); a998 <- lim(0.998, tau2)
  u95 <- lim(0.95, 0); u998 <- lim(0.998, 0)
  flag <- function(l95, l998) {
    ifelse(p > l998$high, "high_998", ifelse(p > l95$high, "high_95",
      ifelse(p < l998$low, "low_998", ifelse(p < l95$low, "low_95", "within"))))
  }
  data.frame(force = forces, numerator = as.integer(x), denominator = as.integer(n),
             rate = p, target = theta0, phi = phi, tau2 = tau2,
             p_value = pchisq(chi2, N - 1, lower.tail = FALSE),
             z = z, z_adjusted = z * s / sqrt(s^2 + tau2),
             limit95_low = a95$low, limit95_high = a95$high,
             limit998_low = a998$low, limit998_high = a998$high,
             limit95_low_unadjusted = u95$low, limit95_high_unadjusted = u95$high,
             limit998_low_unadjusted = u998$low, limit998_high_unadjusted = u998$high,
             flag = flag(a95, a998), flag_unadjusted = flag(u95, u998),
             stringsAsFactors = FALSE)
}

# Indirect standardisation of one force (METHODS.md section 8): reference stratum rates pooled
# over the 43 forces (the force included), E = sum(n_j r_j), excess = O - E,
# offence mix = E - n theta0.
standardise <- function(keep, stratum, who) {
  den_rows <- keep & type >= 1 & type <= 22 & !is.na(count) & force != "British Transport Police"
  num_rows <- den_rows & type == 16
  ref_den <- tapply(count[den_rows], stratum[den_rows], sum)
  ref_num <- tapply(count[num_rows], stratum[num_rows], sum)
  ref_num[is.na(ref_num)] <- 0
  r <- ref_num[names(ref_den)] / ref_den
  r[is.na(r)] <- 0
  theta0 <- sum(ref_num) / sum(ref_den)
  mine <- den_rows & force == who
  n_j <- tapply(count[mine], stratum[mine], sum)
  o_j <- tapply(count[mine & type == 16], stratum[mine & type == 16], sum)
  o_j[is.na(o_j)] <- 0
  n <- sum(n_j); O <- sum(o_j)
  E <- sum(n_j * r[names(n_j)])
  data.frame(force = who, observed = as.integer(O), denominator = as.integer(n),
             expected = E, excess = O - E, mix = E - n * theta0)
}
group <- raw[["Offence Group"]]
mix <- rbind(
  cbind(scope = "all", strata = "offence_group", standardise(rep(TRUE, length(force)), group, "Cleveland")),
  cbind(scope = "proxy", strata = "offence_code",
        standardise(code %in% c("8N", "105A", "8L", "8Q", "3B"), code, "Cleveland")))
write_reference(mix, "run_2018_19_mix.csv", "run_2018_19.R",
  "standardise(keep, stratum, force) as defined in the script, on the raw 2018/19 CSV read with read.csv",
  notes = "reference rates pooled over the 43 territorial forces, Cleveland included; basis assigned_in_period")

all_offences <- analyse(rep(TRUE, length(force)))
proxy <- analyse(code %in% c("8N", "105A", "8L", "8Q", "3B"))
out <- rbind(cbind(scope = "all", all_offences), cbind(scope = "proxy", proxy))
# RFC 4180: quote the one force name with a comma ("London, City of").
out$force <- ifelse(grepl(",", out$force), paste0('"', out$force, '"'), out$force)
write_reference(out, "run_2018_19.csv", "run_2018_19.R",
  "analyse(keep) as defined in the script, on the raw 2018/19 CSV read with read.csv",
  notes = "scopes: all = every offence code; proxy = codes 8N, 105A, 8L, 8Q, 3B; basis assigned_in_period; 43 territorial forces")
