# Shared helpers for the reference-table scripts in tests/reference/.
# Each script sources this file, computes its table with base R only, and writes it
# with write_reference(), which adds the provenance header of METHODS.md section 12.
# Run from this folder: Rscript <script>.R

r_version <- paste(R.version$major, R.version$minor, sep = ".")
deb_version <- tryCatch(
  system("dpkg-query -W -f='${Version}' r-base-core", intern = TRUE),
  error = function(e) "unknown"
)
produced_by <- sprintf("R %s (Debian r-base-core %s), base stats only", r_version, deb_version)
reference_date <- Sys.getenv("REFERENCE_DATE", "2026-11-28") # the day a table was made

# Every number is printed with 17 significant digits, one value at a time
# (format() on a whole vector would pad and share an exponent).
fmt17 <- function(x) vapply(x, function(v) format(v, digits = 17), character(1))

write_reference <- function(df, file, script, call, notes = character()) {
  cols <- lapply(df, function(col) {
    if (is.integer(col) || is.character(col) || is.logical(col)) as.character(col) else fmt17(col)
  })
  header <- c(
    paste0("# produced-by: ", produced_by),
    paste0("# script: tests/reference/", script, " (in this repository)"),
    paste0("# call: ", call),
    paste0("# ", notes),
    "# printed-with: format(x, digits = 17)",
    paste0("# date: ", reference_date)
  )
  if (length(notes) == 0) header <- header[!startsWith(header, "# ") | nchar(header) > 2]
  body <- do.call(paste, c(cols, sep = ","))
  writeLines(c(header, paste(names(df), collapse = ","), body), file)
}

# Two-sided level c -> z = qnorm(1 - (1 - c)/2), computed as in the Rust code from the total tail.
z_of <- function(level) qnorm((1 - level) / 2, lower.tail = FALSE)
