# Shared set-up of the benchmarks, sourced (not run) by ingest.sh, run.sh, extract.sh and
# all.sh. After `source tests/bench/common.sh`:
#
#   - the working folder is the project root;
#   - RUNS is the number of timed runs (the script's default unless set; QUICK=1 makes it 2);
#   - WARMUP is the number of untimed runs before them (QUICK=1 makes it 0);
#   - CARGO_TARGET_DIR is $HOME/.cache/outcome-lens/target unless set (the one folder every
#     build uses; the release build goes to its release/ folder);
#   - BIN is the release binary.
#
# Functions: bench_require TOOL..., bench_build, bench_venv (sets PYTHON), bench_table DIR
# (writes DIR/outcomes.csv), bench_record KEY VALUE (appends to $BENCH_RESULTS when all.sh
# collects the figures for its summary).
#
# Environment: RUNS, QUICK, CARGO_TARGET_DIR, BENCH_BUILT=1 (skip the build: all.sh has just
# built), BENCH_RESULTS (a file of KEY<TAB>VALUE lines).

cd "$(dirname "${BASH_SOURCE[0]}")/../.."

QUICK="${QUICK:-0}"
if [ "$QUICK" = 1 ]; then
  RUNS="${RUNS:-2}"
  WARMUP="${WARMUP:-0}"
fi
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/outcome-lens/target}"
BIN="$CARGO_TARGET_DIR/release/outcome-lens"
REAL_TABLE="data/raw/home-office-outcomes/prc-outcomes-open-data-mar2019-tables.FULL.csv.gz"

# Fails with a message naming the first missing tool.
bench_require() {
  local tool
  for tool in "$@"; do
    command -v "$tool" >/dev/null || { echo "bench: $tool is required" >&2; exit 1; }
  done
}

# Builds the release binary (a few seconds when only this crate changed, about 22 minutes
# from nothing on 2 cores), unless all.sh has just done so.
bench_build() {
  if [ "${BENCH_BUILT:-0}" != 1 ]; then
    cargo build --release --locked --quiet
  fi
}

# The Python baselines run in a virtual environment with polars pinned, created on first use.
bench_venv() {
  local venv="$HOME/.cache/outcome-lens/bench-venv"
  if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet polars==1.44.2
  fi
  PYTHON="$venv/bin/python"
}

# The full real 2018/19 table (131 MB of CSV) unzipped into $1/outcomes.csv.
bench_table() {
  [ -f "$REAL_TABLE" ] || { echo "bench: $REAL_TABLE is missing" >&2; exit 1; }
  gunzip -c "$REAL_TABLE" > "$1/outcomes.csv"
}

# Records one figure for all.sh's summary.
bench_record() {
  if [ -n "${BENCH_RESULTS:-}" ]; then
    printf '%s\t%s\n' "$1" "$2" >> "$BENCH_RESULTS"
  fi
}
