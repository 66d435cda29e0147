# Reference values for the distribution functions under src/stats/distribution.rs:
# qnorm, qchisq, qbeta and pchisq in the far tails, and pbinom (both tails) including
# force-scale n where statrs' binomial CDF falls short.
source("common.R")

rows <- list()
add <- function(dist, a, b, p, value) rows[[length(rows) + 1]] <<- data.frame(dist = dist, a = a, b = b, p = p, value = value)

for (p in c(1e-15, 1e-10, 1e-6, 0.001, 0.0005, 0.025, 0.16, 0.5, 0.84, 0.975, 0.999, 0.9995, 1 - 1e-10)) {
  add("normal", 0, 1, p, qnorm(p))
}
for (df in c(1, 2, 3, 10, 18, 20, 22, 42, 84, 200, 1000)) {
  for (p in c(1e-10, 0.0005, 0.001, 0.025, 0.5, 0.975, 0.999, 0.9995)) add("chisq", df, 0, p, qchisq(p, df))
}
shapes <- rbind(c(1, 1), c(1, 100), c(100, 1), c(65, 36), c(66, 35), c(1045, 3956), c(1046, 3955),
                c(17649, 47032), c(17650, 47031), c(2, 99999), c(1, 250000), c(125000, 125001),
                c(0.5, 0.5), c(3, 2), c(9856, 2490), c(9857, 2489))
for (i in seq_len(nrow(shapes))) {
  for (p in c(1e-6, 0.001, 0.025, 0.975, 0.999)) add("beta", shapes[i, 1], shapes[i, 2], p, qbeta(p, shapes[i, 1], shapes[i, 2]))
}
qdf <- do.call(rbind, rows)
write_reference(qdf, "quantiles.csv", "quantiles.R",
  "qnorm(p) [dist=normal]; qchisq(p, df = a) [dist=chisq]; qbeta(p, a, b) [dist=beta]")

# Upper tails of chi-squared, for the overdispersion test p-value.
tails <- expand.grid(df = c(1, 2, 9, 10, 42, 43, 100), x = c(0.5, 9, 10, 41, 42, 43, 100, 500))
tails$upper <- pchisq(tails$x, tails$df, lower.tail = FALSE)
write_reference(tails, "chisq_upper.csv", "quantiles.R", "pchisq(x, df, lower.tail = FALSE)")

# Binomial tails, including near the centre at force-scale n and near-ties with 0.025/0.975.
b <- data.frame(
  n = c(1L, 1L, 2L, 10L, 10L, 40L, 100L, 1000L, 1000L, 64680L, 64680L, 64680L, 100000L, 100000L,
        250000L, 250000L, 250000L, 250000L, 250000L),
  theta = c(0.5, 0.025, 0.3, 0.1, 0.9, 0.806424478571496, 0.65, 0.2, 0.2, 0.27287, 0.27287, 0.27287,
            0.06, 0.32, 0.3, 0.3, 0.3, 0.06, 0.94),
  k = c(0L, 0L, 1L, 0L, 9L, 25L, 65L, 180L, 230L, 17649L, 17200L, 18100L, 5800L, 32500L, 75000L,
        74000L, 76000L, 15000L, 235000L)
)
b$lower <- pbinom(b$k, b$n, b$theta)
b$upper <- pbinom(b$k, b$n, b$theta, lower.tail = FALSE)
b$pmf <- dbinom(b$k, b$n, b$theta)
write_reference(b, "binomial.csv", "quantiles.R",
  "pbinom(k, n, theta); pbinom(k, n, theta, lower.tail = FALSE); dbinom(k, n, theta)")
