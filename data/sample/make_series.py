"""Makes data/sample/ho-outcomes-synthetic-series.csv.gz: a SYNTHETIC multi-year Home Office
crime-outcomes series made from the real 2018/19 sample (ho-outcomes-ye-mar2019-sample.csv.gz),
so that trend and change-point analyses have more than one year to read.

THE YEARS 2015/16, 2016/17, 2017/18 AND 2019/20 IN THE OUTPUT ARE SYNTHETIC, NOT HOME OFFICE
FIGURES. The real 2018/19 rows are not written; they stay in their own file.

What it does:

- keeps the rows of the five offence codes of the domestic-abuse proxy (8N, 105A, 8L, 8Q, 3B;
  every one of the 44 forces has them), all four quarters and every outcome type;
- writes a copy of each kept row for each synthetic year, with `Financial Year` relabelled and
  the quarter, force, offence and outcome columns unchanged;
- perturbs the two count columns independently, cell by cell: a non-numeric token (`NA`,
  `N/A - offence code expired`, empty, ...) and a negative count (a revision) are kept exactly
  as they are; a count c >= 0 becomes a Poisson draw with mean
  c * VOLUME[year] * exp(N(0, 0.06^2)), the lognormal factor drawn afresh for each cell.
  VOLUME = 2015/16: 0.80, 2016/17: 0.88, 2017/18: 0.95, 2019/20: 1.03 (2018/19 would be 1).
  Poisson draws use Knuth's method for a mean below 30 and round(normal(mean, sqrt(mean)))
  clamped at 0 otherwise (Python's round: halves go to the even integer);
- plants one change: for Cleveland in 2019/20 (all four quarters, so from 2019/20 Q1), after
  the perturbation, for each quarter, offence code and count column, m = round(0.15 * k16) is
  moved out of the outcome type 16 count k16: m // 2 to outcome type 15 and m - m // 2 to
  outcome type 1 (charge/summons) of the same quarter, offence code and column. A quarter, code
  and column is left unchanged when its outcome 16 count is not a number >= 0 or its outcome
  15 or outcome 1 cell is not numeric. Outcome 16's share of outcomes 1-22 thus falls by about
  15% (relative) from 2019/20 Q1 while the total is unchanged.

The output has the input's header and layout (UTF-8 with BOM, CRLF line ends, RFC 4180 quoting
as csv.writer's QUOTE_MINIMAL writes it), rows ordered by year (2015/16, 2016/17, 2017/18,
2019/20) and then in the input's order, and one footnote row after the last data row saying
the years are synthetic. It is gzip-compressed with a zero timestamp.

Reproducible byte for byte: one random.Random(20150401), drawn in a fixed order (kept rows in
file order; for each row the years in the order above; for each year the recorded-in-quarter
column `Force outcomes for offences recorded in quarter` then the assigned-in-quarter column
`Force outcomes recorded in quarter`; for each numeric cell >= 0 the lognormal factor, then the
Poisson draw; cells kept as they are draw nothing).

At the end it prints the rows written per year, Cleveland's assigned-basis outcome 16 share of
outcomes 1-22 (numeric counts only) in the proxy codes for each quarter of each year, the real
2018/19 included for comparison, and the national share per year.

Run from the project root: python3 data/sample/make_series.py
"""
import csv
import gzip
import io
import math
import random

SOURCE = "data/sample/ho-outcomes-ye-mar2019-sample.csv.gz"
TARGET = "data/sample/ho-outcomes-synthetic-series.csv.gz"
SEED = 20150401
CODES = ("8N", "105A", "8L", "8Q", "3B")
REAL_YEAR = "2018/19"
YEARS = ("2015/16", "2016/17", "2017/18", "2019/20")
VOLUME = {"2015/16": 0.80, "2016/17": 0.88, "2017/18": 0.95, "2019/20": 1.03}
NOISE_SD = 0.06
PLANTED_FORCE = "Cleveland"
PLANTED_YEAR = "2019/20"
PLANTED_FALL = 0.15
NOTE = (
    "Note: SYNTHETIC years made by data/sample/make_series.py from the real 2018/19 sample "
    "(years relabelled; counts perturbed; Cleveland's outcome 16 lowered by 15% from 2019/20 Q1). "
    "These are not Home Office figures."
)

HEADER = [
    "Financial Year",
    "Financial Quarter",
    "Force Name",
    "Offence Description",
    "Offence Group",
    "Offence Subgroup",
    "Offence Code",
    "Offence code expired",
    "Outcome Description",
    "Outcome Group",
    "Outcome Type",
    "Force outcomes for offences recorded in quarter",
    "Force outcomes recorded in quarter",
]
YEAR, QUARTER, FORCE, CODE, TYPE = 0, 1, 2, 6, 10
RECORDED, ASSIGNED = 11, 12
COUNTS = (RECORDED, ASSIGNED)


def count(cell):
    """The cell as an integer, or None when it is not a plain (optionally negative) integer."""
    digits = cell[1:] if cell.startswith("-") else cell
    if digits and all(ch in "0123456789" for ch in digits):
        return int(cell)
    return None


def poisson(rng, mean):
    if mean < 30:
        limit = math.exp(-mean)
        k, p = 0, 1.0
        while True:
            p *= rng.random()
            if p <= limit:
                return k
            k += 1
    return max(0, round(rng.gauss(mean, math.sqrt(mean))))


def perturb(rng, cell, volume):
    c = count(cell)
    if c is None or c < 0:
        return cell
    factor = math.exp(rng.gauss(0.0, NOISE_SD))
    return str(poisson(rng, c * volume * factor))


def plant(rows):
    """Moves 15% of Cleveland's outcome 16 counts to outcomes 15 and 1, in place."""
    cells = {}
    groups = []
    for row in rows:
        if row[FORCE] != PLANTED_FORCE:
            continue
        group = (row[QUARTER], row[CODE])
        if group not in cells:
            cells[group] = {}
            groups.append(group)
        cells[group][row[TYPE]] = row
    moved = skipped = 0
    for group in groups:
        by_type = cells[group]
        for column in COUNTS:
            r16, r15, r1 = by_type.get("16"), by_type.get("15"), by_type.get("1")
            if r16 is None or r15 is None or r1 is None:
                skipped += 1
                continue
            k16, k15, k1 = count(r16[column]), count(r15[column]), count(r1[column])
            if k16 is None or k16 < 0 or k15 is None or k1 is None:
                skipped += 1
                continue
            m = round(PLANTED_FALL * k16)
            r16[column] = str(k16 - m)
            r15[column] = str(k15 + m // 2)
            r1[column] = str(k1 + m - m // 2)
            moved += m
    return moved, skipped


def share(rows, force, quarter=None):
    """Outcome 16's share of outcomes 1-22 on the assigned basis (numeric counts only)."""
    top = total = 0
    for row in rows:
        if force is not None and row[FORCE] != force:
            continue
        if quarter is not None and row[QUARTER] != quarter:
            continue
        kind = count(row[TYPE])
        c = count(row[ASSIGNED])
        if kind is None or c is None or not 1 <= kind <= 22:
            continue
        total += c
        if kind == 16:
            top += c
    return top / total if total else float("nan")


def main():
    with open(SOURCE, "rb") as f:
        text = gzip.decompress(f.read()).decode("utf-8-sig")
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader)
    if header != HEADER:
        raise SystemExit(f"{SOURCE}: unexpected header {header!r}")
    kept = [row for row in reader if len(row) == len(HEADER) and row[CODE] in CODES]
    if any(row[YEAR] != REAL_YEAR for row in kept):
        raise SystemExit(f"{SOURCE}: a kept row is not {REAL_YEAR}")

    rng = random.Random(SEED)
    out = {year: [] for year in YEARS}
    for row in kept:
        for year in YEARS:
            copy = list(row)
            copy[YEAR] = year
            for column in COUNTS:
                copy[column] = perturb(rng, row[column], VOLUME[year])
            out[year].append(copy)
    moved, skipped = plant(out[PLANTED_YEAR])

    buffer = io.StringIO(newline="")
    buffer.write("\ufeff")
    writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(HEADER)
    for year in YEARS:
        writer.writerows(out[year])
    writer.writerow([NOTE])
    raw = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as gz:
        gz.write(buffer.getvalue().encode("utf-8"))
    data = raw.getvalue()
    with open(TARGET, "wb") as f:
        f.write(data)

    print(f"wrote {TARGET}: {len(data):,} bytes; SYNTHETIC years, seed {SEED}")
    print(f"kept input rows ({REAL_YEAR}, codes {', '.join(CODES)}): {len(kept):,}")
    for year in YEARS:
        print(f"  {year}: {len(out[year]):,} rows written")
    print(
        f"planted: {moved:,} outcome-16 counts moved in {PLANTED_FORCE} {PLANTED_YEAR} "
        f"(both columns); {skipped} quarter/code/column groups left unchanged"
    )
    series = {year: out[year] for year in YEARS[:3]}
    series[REAL_YEAR] = kept
    series[YEARS[3]] = out[YEARS[3]]
    print(f"{PLANTED_FORCE} outcome 16 share of outcomes 1-22, assigned basis, proxy codes:")
    print(f"  {'year':<15}" + "  ".join(f"{'Q' + q:<6}" for q in "1234") + "  year")
    for year, rows in series.items():
        cells = "  ".join(f"{share(rows, PLANTED_FORCE, q):.4f}" for q in "1234")
        label = year + (" (real)" if year == REAL_YEAR else "")
        print(f"  {label:<15}{cells}  {share(rows, PLANTED_FORCE):.4f}")
    real, planted = share(kept, PLANTED_FORCE), share(out[PLANTED_YEAR], PLANTED_FORCE)
    print(f"  {PLANTED_YEAR} against {REAL_YEAR}: {planted / real - 1:+.1%} (relative)")
    print("National outcome 16 share of outcomes 1-22, assigned basis, proxy codes:")
    for year, rows in series.items():
        label = year + (" (real)" if year == REAL_YEAR else "")
        print(f"  {label:<15}{share(rows, None):.4f}")


if __name__ == "__main__":
    main()
