#!/usr/bin/env bash
# Fuzzes one target (or every target in turn, never two at once) for a bounded time.
#
#   tests/fuzz/run.sh [TARGET] [SECONDS]     # from the project folder; default: all, 600 s each
#
# Builds once with `cargo +nightly fuzz build --dev --sanitizer none` (see README.md here),
# grows tests/fuzz/corpus/TARGET (git-ignored) from the committed seeds, and writes a crashing
# input to tests/fuzz/artifacts/TARGET/. The last lines of each log are the libFuzzer stats.
set -euo pipefail
cd "$(dirname "$0")/../.."
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/outcome-lens/target-fuzz}
targets=(home_office_csv tidy_counts_csv xlsx ods extract_csv analysis_toml audit_reviewed events_csv)
if [[ $# -ge 1 && $1 != all ]]; then targets=("$1"); fi
seconds=${2:-600}
flags=(--dev --sanitizer none --fuzz-dir tests/fuzz)
cargo +nightly fuzz build "${flags[@]}"
for target in "${targets[@]}"; do
  case $target in
    home_office_csv|tidy_counts_csv|extract_csv|audit_reviewed|events_csv) dict=csv.dict max_len=16384 ;;
    xlsx|ods) dict=xml.dict max_len=65536 ;;
    analysis_toml) dict=toml.dict max_len=16384 ;;
    *) echo "unknown target $target" >&2; exit 2 ;;
  esac
  mkdir -p "tests/fuzz/corpus/$target" tests/fuzz/logs
  echo "== $target: $seconds s" >&2
  cargo +nightly fuzz run "${flags[@]}" "$target" \
    "tests/fuzz/corpus/$target" "tests/fuzz/seeds/$target" -- \
    -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -max_len="$max_len" \
    -dict="tests/fuzz/dict/$dict" -print_final_stats=1 \
    2>&1 | tee "tests/fuzz/logs/$target.log" | grep -E '^#[0-9]+ +(INITED|DONE|pulse)|^Done|^stat::|ERROR|panicked|SUMMARY' >&2
done
