#!/usr/bin/env bash
# Benchmark: `outcome-lens run` (release) on the full 131 MB real 2018/19 table, side by side
# with tests/bench/reference_rates.py (Python polars computing only the per-force outcome-16
# rates from the same CSV). Prints medians, the ratio, and the cached re-run time.
# tests/bench/all.sh runs it with the other benchmarks and prints one summary table.
#
#   full run:   a cold ingest cache every time (hyperfine --prepare empties it)
#   cached run: inputs unchanged, so the canonical table is read from the cache
#
#   RUNS=10 (default), QUICK=1 for 2 runs and no warm-up; CARGO_TARGET_DIR as in common.sh.
#
# Needs: hyperfine and GNU time (Debian: apt-get install hyperfine time), python3.
set -euo pipefail
source "$(dirname "$0")/common.sh"
RUNS="${RUNS:-10}"
WARMUP="${WARMUP:-1}"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
bench_require hyperfine /usr/bin/time python3
bench_venv
bench_build
bench_table "$WORK"
cat > "$WORK/analysis.toml" <<TOML
inputs = ["outcomes.csv"]
period = "2018/19"
focus = ["Cleveland"]
[outputs]
folder = "run"
TOML
export OUTCOME_LENS_CACHE="$WORK/cache"
echo "input: $(stat -c %s "$WORK/outcomes.csv") bytes; cores: $(nproc)"

hyperfine --warmup "$WARMUP" --runs "$RUNS" --export-json "$WORK/full.json" \
  --prepare "rm -rf $WORK/cache" \
  -n outcome-lens-run "$BIN run -q --config $WORK/analysis.toml --force" \
  -n python-reference-rates "$PYTHON tests/bench/reference_rates.py $WORK/outcomes.csv" >&2
"$BIN" run -q --config "$WORK/analysis.toml" --force
hyperfine --warmup "$((WARMUP + 1))" --runs "$RUNS" --export-json "$WORK/cached.json" \
  -n outcome-lens-run-cached "$BIN run -q --config $WORK/analysis.toml --force" >&2
rm -rf "$WORK/cache"
/usr/bin/time -f "%M" -o "$WORK/rss" "$BIN" run -q --config "$WORK/analysis.toml" --force
python3 - "$WORK/full.json" "$WORK/cached.json" "$WORK/rss" <<'PY'
import json, os, statistics, sys
full = {r["command"]: r["times"] for r in json.load(open(sys.argv[1]))["results"]}
cached = statistics.median(json.load(open(sys.argv[2]))["results"][0]["times"])
ours = statistics.median(full["outcome-lens-run"])
theirs = statistics.median(full["python-reference-rates"])
rss_mb = int(open(sys.argv[3]).read().split()[-1]) / 1024
print(f"outcome-lens run, cold cache (ingest, funnel, trend, mix, tables, charts): median {ours:.3f} s")
print(f"python polars per-force rates only:                                    median {theirs:.3f} s")
print(f"ratio: outcome-lens is {theirs / ours:.2f}x faster (target >= 2x)")
print(f"outcome-lens run, cached re-run: median {cached:.3f} s (target < 0.3 s)")
print(f"outcome-lens run peak memory (cold): {rss_mb:.0f} MB")
if os.environ.get("BENCH_RESULTS"):
    with open(os.environ["BENCH_RESULTS"], "a") as out:
        for key, value in [("run_ours_s", ours), ("run_python_s", theirs), ("run_cached_s", cached), ("run_peak_mb", rss_mb)]:
            out.write(f"{key}\t{value}\n")
PY
