#!/usr/bin/env bash
# One command for every performance figure in the README: builds the release binary once,
# then runs, side by side with their Python baselines,
#
#   tests/bench/ingest.sh    `outcome-lens ingest` of the full 2018/19 table vs read_csv.py
#   tests/bench/run.sh       `outcome-lens run` on it, cold and cached, vs reference_rates.py
#   tests/bench/extract.sh   `outcome-lens extract` of a 10,000,000-crime synthetic extract
#                            (time and peak memory; there is no Python baseline)
#
# and prints one summary table of the medians, the ratios and whether each target is met.
#
#   bash tests/bench/all.sh                   # RUNS=10 (ingest, run) and 3 (extract)
#   RUNS=5 bash tests/bench/all.sh            # the same number of runs for each
#   QUICK=1 bash tests/bench/all.sh           # 2 runs, no warm-up, 200,000 crimes: checks
#                                             # that the benchmarks work, measures nothing
#   CARGO_TARGET_DIR=/path bash tests/bench/all.sh
#
# The release build goes to $CARGO_TARGET_DIR (default ~/.cache/outcome-lens/target):
# about 22 minutes from nothing on 2 cores, seconds when only this crate changed. Measure on a
# quiet machine: wall times on a busy one are longer (the load average is printed with the
# table; CPU times are steadier).
#
# Needs: hyperfine and GNU time (Debian: apt-get install hyperfine time), python3, and the
# real data in data/raw/.
set -euo pipefail
source "$(dirname "$0")/common.sh"
bench_require cargo hyperfine /usr/bin/time python3

RESULTS="$(mktemp)"
trap 'rm -f "$RESULTS"' EXIT
echo "== building the release binary in $CARGO_TARGET_DIR" >&2
cargo build --release --locked --quiet
export BENCH_BUILT=1 BENCH_RESULTS="$RESULTS" QUICK
[ -n "${RUNS:-}" ] && export RUNS
[ -n "${WARMUP:-}" ] && export WARMUP
load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
for bench in ingest run extract; do
  echo "== tests/bench/$bench.sh" >&2
  bash "tests/bench/$bench.sh"
done

python3 - "$RESULTS" "$QUICK" "$(nproc)" "$load_before" "$(cut -d' ' -f1-3 /proc/loadavg)" \
  "$(git describe --always --dirty 2>/dev/null || echo unknown)" <<'PY'
import sys
results = dict(line.rstrip("\n").split("\t") for line in open(sys.argv[1]) if line.strip())
r = {k: float(v) for k, v in results.items()}
quick, cores, load_before, load_after, commit = sys.argv[2] == "1", *sys.argv[3:]

def met(ok):
    return "met" if ok else "NOT met"

ingest_ratio = r["ingest_python_s"] / r["ingest_ours_s"]
run_ratio = r["run_python_s"] / r["run_ours_s"]
crimes = int(r["extract_crimes"])
rows = [
    ("ingest, full 2018/19 table (131 MB)",
     f'{r["ingest_ours_s"]:.2f} s, {r["ingest_peak_mb"]:.0f} MB', f'{r["ingest_python_s"]:.2f} s',
     f"{ingest_ratio:.2f}x", ">= 2x, < 1 GB",
     f'speed {met(ingest_ratio >= 2)}, memory {met(r["ingest_peak_mb"] < 1024)}'),
    ("run, cold cache", f'{r["run_ours_s"]:.2f} s, {r["run_peak_mb"]:.0f} MB', f'{r["run_python_s"]:.2f} s',
     f"{run_ratio:.2f}x", ">= 2x", met(run_ratio >= 2)),
    ("run, cached re-run", f'{r["run_cached_s"]:.2f} s', "", "", "< 0.3 s", met(r["run_cached_s"] < 0.3)),
    (f"extract, {crimes:,} synthetic crimes",
     f'{r["extract_wall_s"]:.1f} s ({r["extract_cpu_s"]:.1f} s CPU), {r["extract_peak_gb"]:.2f} GB', "",
     "", "< 60 s, < 4 GB",
     met(r["extract_wall_s"] < 60 and r["extract_peak_gb"] < 4)
     + ("" if crimes == 10_000_000 else " (not the 10M target size)")),
]
header = ("Benchmark", "outcome-lens (median)", "Python (median)", "Ratio", "Target", "Result")
widths = [max(len(row[i]) for row in rows + [header]) for i in range(len(header))]
print()
print(f"Summary: commit {commit}, {cores} cores, load average {load_before} before and {load_after} after"
      + ("; QUICK=1: a smoke test, not a measurement" if quick else ""))
for row in [header, tuple("-" * w for w in widths)] + rows:
    print("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip())
PY
