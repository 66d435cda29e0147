# Benjamini-Hochberg adjusted p-values: p.adjust(p, method = "BH") (METHODS.md section 10),
# and two-sided normal p-values 2 * pnorm(-abs(z)).
source("common.R")
sets <- list(
  ties = c(0.01, 0.01, 0.02, 0.04, 0.04, 0.5, 1, 0),
  spread = c(0.0001, 0.2, 0.03, 0.9, 0.012, 0.049, 0.051, 0.3, 0.004, 0.7),
  single = c(0.03),
  from_z = 2 * pnorm(-abs(c(-3.2, -2.1, -1.5, -0.2, 0, 0.4, 1.96, 2.5, 3.1, 4.2, -5.3)))
)
rows <- list()
for (nm in names(sets)) {
  p <- sets[[nm]]
  rows[[length(rows) + 1]] <- data.frame(set = nm, index = as.integer(seq_along(p) - 1), p = p, adjusted = p.adjust(p, method = "BH"))
}
write_reference(do.call(rbind, rows), "benjamini_hochberg.csv", "multiplicity.R", "p.adjust(p, method = \"BH\") within each set")
z <- c(-5.3, -3.2, -2.1, -1.959963984540054, -0.2, 0, 0.4, 1.96, 2.5, 3.090232306167813, 4.2, 8.5)
write_reference(data.frame(z = z, p = 2 * pnorm(-abs(z))), "two_sided_p.csv", "multiplicity.R", "2 * pnorm(-abs(z))")
