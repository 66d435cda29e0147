#!/usr/bin/env bash
# Benchmark: the record-level analysis of a 10,000,000-crime synthetic extract, release build.
#
#   1. `outcome-lens synth` writes the extract (seed 1, 40 areas with 4 planted, 10 units with
#      1 planted; about 1.5 GB of CSV) into a scratch folder, and its [extract] section;
#   2. `outcome-lens extract` (read and reduce the extract, every analysis, the audit sample,
#      the extract_* tables as CSV, Parquet and Excel) runs $RUNS times (default 3) under GNU
#      time, which records the wall time, the CPU time (user + system) and the peak resident
#      memory of each run;
#   3. the medians are printed, with the machine's core count and load average (the wall
#      time of a busy machine is longer; the CPU time much less so).
#
#   RUNS=3 and CRIMES=10000000 (defaults); QUICK=1 for 2 runs of 200,000 crimes (a smoke
#   test of the script, not a measurement); CARGO_TARGET_DIR as in common.sh.
# tests/bench/all.sh runs it with the other benchmarks and prints one summary table.
#
# Needs: GNU time (Debian: apt-get install time) and python3. The scratch folder is removed at
# the end unless OUTCOME_LENS_BENCH_DIR names one to keep (a kept extract is reused).
# The release build uses its own target folder so that it does not wait on debug builds.
set -euo pipefail
source "$(dirname "$0")/common.sh"
RUNS="${RUNS:-3}"
if [ "$QUICK" = 1 ]; then
  CRIMES="${CRIMES:-200000}"
fi
CRIMES="${CRIMES:-10000000}"
bench_require /usr/bin/time python3
if [ -n "${OUTCOME_LENS_BENCH_DIR:-}" ]; then
  WORK="$OUTCOME_LENS_BENCH_DIR"
  mkdir -p "$WORK"
else
  WORK="$(mktemp -d)"
  trap 'rm -rf "$WORK"' EXIT
fi

bench_build

if [ ! -f "$WORK/extract.csv" ] || [ "$(cat "$WORK/crimes" 2>/dev/null)" != "$CRIMES" ]; then
  /usr/bin/time -f "%e %M" -o "$WORK/synth.time" "$BIN" synth -q --crimes "$CRIMES" --seed 1 \
    --areas 40 --planted-areas 4 --units 10 --planted-units 1 --out "$WORK/extract.csv" >/dev/null
  echo "$CRIMES" > "$WORK/crimes"
  echo "synth: $(cut -d' ' -f1 "$WORK/synth.time") s" >&2
fi
{
  printf 'inputs = ["unused.csv"]\n[outputs]\nfolder = "run"\n\n'
  cat "$WORK/extract.extract.toml"
  printf '\n[extract.audit]\nseed = 1\nper_stratum = 10\n'
} > "$WORK/analysis.toml"
echo "extract: $(stat -c %s "$WORK/extract.csv") bytes, $(($(wc -l < "$WORK/extract.csv") - 1)) rows, $CRIMES crimes; cores: $(nproc)"

for i in $(seq 1 "$RUNS"); do
  /usr/bin/time -f "%e %M %U %S" -o "$WORK/extract.time.$i" \
    "$BIN" extract -q --config "$WORK/analysis.toml" --force
  echo "run $i: $(cat "$WORK/extract.time.$i") (wall s, peak KB, user s, system s); load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
done
python3 - "$WORK" "$RUNS" "$CRIMES" <<'PY'
import os, statistics, sys
work, runs, crimes = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
times, peaks, cpu = [], [], []
for i in range(1, runs + 1):
    seconds, kb, user, system = open(f"{work}/extract.time.{i}").read().split()
    times.append(float(seconds))
    peaks.append(int(kb))
    cpu.append(float(user) + float(system))
print(f"outcome-lens extract, {runs} runs: median {statistics.median(times):.1f} s wall "
      f"(min {min(times):.1f}, max {max(times):.1f}), {statistics.median(cpu):.1f} s CPU; "
      f"peak memory median {statistics.median(peaks) / 1024 / 1024:.2f} GB "
      f"(max {max(peaks) / 1024 / 1024:.2f} GB)")
print("targets: under 60 s and under 4 GB on a 2-core machine")
if os.environ.get("BENCH_RESULTS"):
    with open(os.environ["BENCH_RESULTS"], "a") as out:
        for key, value in [("extract_crimes", crimes), ("extract_wall_s", statistics.median(times)),
                           ("extract_cpu_s", statistics.median(cpu)),
                           ("extract_peak_gb", statistics.median(peaks) / 1024 / 1024)]:
            out.write(f"{key}\t{value}\n")
PY
