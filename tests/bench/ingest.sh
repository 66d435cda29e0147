#!/usr/bin/env bash
# Benchmark: `outcome-lens ingest` (release) on the full 131 MB real 2018/19 table, side by
# side with a Python polars read of the same CSV (tests/bench/read_csv.py).
# Prints the median of several runs of each, their ratio, and our peak memory.
#
# Needs: hyperfine and GNU time (Debian: apt-get install hyperfine time), python3.
# The Python baseline runs in a virtual environment under ~/.cache/outcome-lens/bench-venv
# with polars pinned (created on first use).
set -euo pipefail
cd "$(dirname "$0")/../.."

RUNS="${RUNS:-10}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/outcome-lens/target}"
SOURCE="../shared/realdata/home-office-outcomes/prc-outcomes-open-data-mar2019-tables.FULL.csv.gz"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

for tool in hyperfine /usr/bin/time python3; do
  command -v "$tool" >/dev/null || { echo "bench: $tool is required" >&2; exit 1; }
done

VENV="$HOME/.cache/outcome-lens/bench-venv"
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet polars==1.44.2
fi

cargo build --release --locked --quiet
BIN="$CARGO_TARGET_DIR/release/outcome-lens"
gunzip -c "$SOURCE" > "$WORK/outcomes.csv"
echo "input: $(stat -c %s "$WORK/outcomes.csv") bytes, $(wc -l < "$WORK/outcomes.csv") lines"
echo "python: $("$VENV/bin/python" -c 'import sys, polars; print(sys.version.split()[0], "polars", polars.__version__)')"
echo "cores: $(nproc)"

hyperfine --warmup 2 --runs "$RUNS" --export-json "$WORK/times.json" \
  -n outcome-lens "$BIN ingest -q $WORK/outcomes.csv --out $WORK/out.parquet" \
  -n python-polars "$VENV/bin/python tests/bench/read_csv.py $WORK/outcomes.csv" >&2

/usr/bin/time -f "%M" -o "$WORK/rss" "$BIN" ingest -q "$WORK/outcomes.csv" --out "$WORK/out.parquet" >/dev/null
python3 - "$WORK/times.json" "$WORK/rss" <<'PY'
import json, statistics, sys
results = {r["command"]: r["times"] for r in json.load(open(sys.argv[1]))["results"]}
ours = statistics.median(results["outcome-lens"])
theirs = statistics.median(results["python-polars"])
rss_mb = int(open(sys.argv[2]).read().split()[-1]) / 1024
print(f"outcome-lens ingest (parse, normalise, write Parquet): median {ours:.3f} s")
print(f"python polars read_csv (read only):                   median {theirs:.3f} s")
print(f"ratio: outcome-lens is {theirs / ours:.2f}x faster (target >= 2x)")
print(f"outcome-lens peak memory: {rss_mb:.0f} MB (target < 1024 MB)")
PY
