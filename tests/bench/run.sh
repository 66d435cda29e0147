#!/usr/bin/env bash
# Benchmark: `outcome-lens run` (release) on the full 131 MB real 2018/19 table, side by side
# with tests/bench/reference_rates.py (Python polars computing only the per-force outcome-16
# rates from the same CSV). Prints medians, the ratio, and the cached re-run time.
#
#   full run:   a cold ingest cache every time (hyperfine --prepare empties it)
#   cached run: inputs unchanged, so the canonical table is read from the cache
#
# Needs: hyperfine and GNU time (Debian: apt-get install hyperfine time), python3.
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
cat > "$WORK/analysis.toml" <<TOML
inputs = ["outcomes.csv"]
period = "2018/19"
focus = ["Cleveland"]
[outputs]
folder = "run"
TOML
export OUTCOME_LENS_CACHE="$WORK/cache"
echo "input: $(stat -c %s "$WORK/outcomes.csv") bytes; cores: $(nproc)"

hyperfine --warmup 1 --runs "$RUNS" --export-json "$WORK/full.json" \
  --prepare "rm -rf $WORK/cache" \
  -n outcome-lens-run "$BIN run -q --config $WORK/analysis.toml --force" \
  -n python-reference-rates "$VENV/bin/python tests/bench/reference_rates.py $WORK/outcomes.csv" >&2
"$BIN" run -q --config "$WORK/analysis.toml" --force
hyperfine --warmup 2 --runs "$RUNS" --export-json "$WORK/cached.json" \
  -n outcome-lens-run-cached "$BIN run -q --config $WORK/analysis.toml --force" >&2
rm -rf "$WORK/cache"
/usr/bin/time -f "%M" -o "$WORK/rss" "$BIN" run -q --config "$WORK/analysis.toml" --force
python3 - "$WORK/full.json" "$WORK/cached.json" "$WORK/rss" <<'PY'
import json, statistics, sys
full = {r["command"]: r["times"] for r in json.load(open(sys.argv[1]))["results"]}
cached = json.load(open(sys.argv[2]))["results"][0]["times"]
ours = statistics.median(full["outcome-lens-run"])
theirs = statistics.median(full["python-reference-rates"])
print(f"outcome-lens run, cold cache (ingest, funnel, trend, mix, tables, charts): median {ours:.3f} s")
print(f"python polars per-force rates only:                                    median {theirs:.3f} s")
print(f"ratio: outcome-lens is {theirs / ours:.2f}x faster (target >= 2x)")
print(f"outcome-lens run, cached re-run: median {statistics.median(cached):.3f} s (target < 0.3 s)")
print(f"outcome-lens run peak memory (cold): {int(open(sys.argv[3]).read().split()[-1]) / 1024:.0f} MB")
PY
