#!/usr/bin/env bash
# Benchmark: `outcome-lens ingest` (release) on the full 131 MB real 2018/19 table, side by
# side with a Python polars read of the same CSV (tests/bench/read_csv.py).
# Prints the median of several runs of each, their ratio, and our peak memory.
# tests/bench/all.sh runs it with the other benchmarks and prints one summary table.
#
#   RUNS=10 (default), QUICK=1 for 2 runs and no warm-up; CARGO_TARGET_DIR as in common.sh.
#
# Needs: hyperfine and GNU time (Debian: apt-get install hyperfine time), python3.
# The Python baseline runs in a virtual environment under ~/.cache/outcome-lens/bench-venv
# with polars pinned (created on first use).
set -euo pipefail
source "$(dirname "$0")/common.sh"
RUNS="${RUNS:-10}"
WARMUP="${WARMUP:-2}"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
bench_require hyperfine /usr/bin/time python3
bench_venv
bench_build
bench_table "$WORK"
echo "input: $(stat -c %s "$WORK/outcomes.csv") bytes, $(wc -l < "$WORK/outcomes.csv") lines"
echo "python: $("$PYTHON" -c 'import sys, polars; print(sys.version.split()[0], "polars", polars.__version__)')"
echo "cores: $(nproc)"

hyperfine --warmup "$WARMUP" --runs "$RUNS" --export-json "$WORK/times.json" \
  -n outcome-lens "$BIN ingest -q $WORK/outcomes.csv --out $WORK/out.parquet" \
  -n python-polars "$PYTHON tests/bench/read_csv.py $WORK/outcomes.csv" >&2

/usr/bin/time -f "%M" -o "$WORK/rss" "$BIN" ingest -q "$WORK/outcomes.csv" --out "$WORK/out.parquet" >/dev/null
python3 - "$WORK/times.json" "$WORK/rss" <<'PY'
import json, os, statistics, sys
results = {r["command"]: r["times"] for r in json.load(open(sys.argv[1]))["results"]}
ours = statistics.median(results["outcome-lens"])
theirs = statistics.median(results["python-polars"])
rss_mb = int(open(sys.argv[2]).read().split()[-1]) / 1024
print(f"outcome-lens ingest (parse, normalise, write Parquet): median {ours:.3f} s")
print(f"python polars read_csv (read only):                   median {theirs:.3f} s")
print(f"ratio: outcome-lens is {theirs / ours:.2f}x faster (target >= 2x)")
print(f"outcome-lens peak memory: {rss_mb:.0f} MB (target < 1024 MB)")
if os.environ.get("BENCH_RESULTS"):
    with open(os.environ["BENCH_RESULTS"], "a") as out:
        for key, value in [("ingest_ours_s", ours), ("ingest_python_s", theirs), ("ingest_peak_mb", rss_mb)]:
            out.write(f"{key}\t{value}\n")
PY
