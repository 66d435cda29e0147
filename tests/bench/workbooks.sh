#!/usr/bin/env bash
# Benchmark (issue #22): the full 2018/19 table as XLSX (shared strings, as Excel lays it out)
# and as ODS (written by LibreOffice), `outcome-lens ingest` side by side with polars
# read_excel (fastexcel) and pandas read_excel (calamine, and odf for ODS), interleaved run
# for run; then a synthetic twelve-year series of workbooks run end to end: cold, after one
# workbook changed, and cached. Prints medians, ratios and peak memory.
#
#   RUNS=5 (default); ODF_RUNS=N adds N runs of pandas' odf reader (default 0: on the full
#   table it reads a 967 MB content.xml into a DOM, many minutes and gigabytes).
#   OUTCOME_LENS_BENCH_DIR=DIR keeps the workbooks (default ~/.cache/outcome-lens/bench-workbooks).
#
# The workbooks are made once by tests/bench/make_workbooks.py (about three minutes, and
# LibreOffice for the ODS: apt-get install libreoffice-calc-nogui). Needs GNU time and python3
# with polars, fastexcel, pandas, python-calamine and odfpy (pip install them).
set -euo pipefail
source "$(dirname "$0")/common.sh"
RUNS="${RUNS:-5}"
ODF_RUNS="${ODF_RUNS:-0}"
BOOKS="${OUTCOME_LENS_BENCH_DIR:-$HOME/.cache/outcome-lens/bench-workbooks}"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
bench_require /usr/bin/time python3 soffice
bench_build
python3 tests/bench/make_workbooks.py "$REAL_TABLE" "$BOOKS" 12
PYTHON="${PYTHON:-python3}"
echo "python: $("$PYTHON" -c 'import sys, polars, fastexcel, pandas; print(sys.version.split()[0], "polars", polars.__version__, "fastexcel", fastexcel.__version__, "pandas", pandas.__version__)')"
echo "cores: $(nproc); xlsx $(stat -c %s "$BOOKS/outcomes-2018-19.xlsx") bytes; ods $(stat -c %s "$BOOKS/outcomes-2018-19.ods") bytes"

# The series run: every workbook, the comparison of the last year.
mkdir -p "$WORK/series"
cp "$BOOKS"/series/*.xlsx "$WORK/series/"
cat > "$WORK/series.toml" <<TOML
inputs = ["series/*.xlsx"]
period = "2019/20"
focus = ["Cleveland"]
[outputs]
folder = "run"
TOML

python3 - "$BIN" "$PYTHON" "$BOOKS" "$WORK" "$RUNS" "$ODF_RUNS" <<'PY'
import os, statistics, subprocess, sys, zipfile
bin_, python, books, work, runs, odf_runs = sys.argv[1:4] + [sys.argv[4], int(sys.argv[5]), int(sys.argv[6])]
xlsx, ods = f"{books}/outcomes-2018-19.xlsx", f"{books}/outcomes-2018-19.ods"

def timed(command, env=None):
    """Wall seconds and peak RSS (MB) of one run, by GNU time."""
    out = f"{work}/time.txt"
    subprocess.run(["/usr/bin/time", "-f", "%e %M", "-o", out] + command, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    wall, rss = open(out).read().split()[-2:]
    return float(wall), int(rss) / 1024

commands = {
    "outcome-lens ingest xlsx": [bin_, "ingest", "-q", xlsx, "--out", f"{work}/x.parquet"],
    "polars read_excel xlsx": [python, "tests/bench/read_workbook.py", "polars", xlsx],
    "pandas calamine xlsx": [python, "tests/bench/read_workbook.py", "pandas-calamine", xlsx],
    "outcome-lens ingest ods": [bin_, "ingest", "-q", ods, "--out", f"{work}/o.parquet"],
    "polars read_excel ods": [python, "tests/bench/read_workbook.py", "polars", ods],
    "pandas calamine ods": [python, "tests/bench/read_workbook.py", "pandas-calamine", ods],
}
times = {name: [] for name in commands}
for round_ in range(runs):
    for name, command in commands.items():
        times[name].append(timed(command))
for _ in range(odf_runs):
    times.setdefault("pandas odf ods", []).append(
        timed([python, "tests/bench/read_workbook.py", "pandas-odf", ods]))

# The canonical Parquet from each copy of the table, and from the CSV.
subprocess.run(["bash", "-c", f"gunzip -c data/raw/home-office-outcomes/prc-outcomes-open-data-mar2019-tables.FULL.csv.gz > {work}/t.csv"], check=True)
subprocess.run([bin_, "ingest", "-q", f"{work}/t.csv", "--out", f"{work}/c.parquet"], check=True, stdout=subprocess.DEVNULL)
same = [open(f"{work}/{n}.parquet", "rb").read() == open(f"{work}/c.parquet", "rb").read() for n in "xo"]

# The series: cold (empty cache), one workbook changed (its zip comment, so its bytes and
# sha256 change and its rows do not), cached (nothing changed).
series = {"series cold": [], "series one changed": [], "series cached": []}
changed = sorted(os.listdir(f"{work}/series"))[-1]
for round_ in range(runs):
    env = dict(os.environ, OUTCOME_LENS_CACHE=f"{work}/cache-{round_}")
    run = lambda out: [bin_, "run", "-q", "--config", f"{work}/series.toml", "--out", f"{work}/{out}-{round_}"]
    series["series cold"].append(timed(run("cold"), env))
    with zipfile.ZipFile(f"{work}/series/{changed}", "a") as book:
        book.comment = f"round {round_}".encode()
    series["series one changed"].append(timed(run("changed"), env))
    series["series cached"].append(timed(run("cached"), env))
times.update(series)

def median(name, i):
    return statistics.median(t[i] for t in times[name])

print()
print(f"{'command':28} {'runs':>4} {'median s':>9} {'peak MB':>8}")
for name in times:
    print(f"{name:28} {len(times[name]):4} {median(name, 0):9.3f} {median(name, 1):8.0f}")
print()
ours_x, ours_o = median("outcome-lens ingest xlsx", 0), median("outcome-lens ingest ods", 0)
polars_x = median("polars read_excel xlsx", 0)
fastest_o = min((median(n, 0), n) for n in times if n.endswith(" ods") and not n.startswith("outcome"))
print(f"xlsx: {polars_x / ours_x:.2f}x polars read_excel (target >= 3x), peak {median('outcome-lens ingest xlsx', 1):.0f} MB (target <= 300)")
print(f"ods:  {fastest_o[0] / ours_o:.2f}x {fastest_o[1]}, the fastest Python reader (target >= 3x)")
print(f"series: cold {median('series cold', 0):.2f} s, {median('series cold', 1):.0f} MB (targets < 15 s, < 1024 MB); "
      f"one changed {median('series one changed', 0):.2f} s (< 3 s); cached {median('series cached', 0):.3f} s (< 0.5 s)")
print(f"canonical Parquet from XLSX and ODS byte for byte that from the CSV: {same[0]} and {same[1]}")
PY
