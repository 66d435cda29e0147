#!/usr/bin/env bash
# Benchmark: `outcome-lens chart` (release) redrawing every chart of the real 2018/19
# all-offences run (43 forces plus British Transport Police, focus Cleveland: funnel,
# caterpillar, trend, SPC, offence mix and small multiples) as SVG and PNG at A4 size.
# Prints the median of several runs; the target is under 1 s. Also times the slide size at
# high DPI (2560 × 1440 PNGs), which is not part of the target.
#
# Needs: hyperfine (Debian: apt-get install hyperfine), python3, and the real table in data/raw/.
set -euo pipefail
cd "$(dirname "$0")/../.."

RUNS="${RUNS:-20}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/outcome-lens/target}"
SOURCE="$PWD/data/raw/home-office-outcomes/prc-outcomes-open-data-mar2019-tables.FULL.csv.gz"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
for tool in hyperfine python3; do
  command -v "$tool" >/dev/null || { echo "bench: $tool is required" >&2; exit 1; }
done

cargo build --release --locked --quiet
BIN="$CARGO_TARGET_DIR/release/outcome-lens"
cat > "$WORK/analysis.toml" <<TOML
inputs = ["$SOURCE"]
period = "2018/19"
focus = ["Cleveland"]
[outputs]
folder = "run"
TOML
export OUTCOME_LENS_CACHE="$WORK/cache"
"$BIN" run --config "$WORK/analysis.toml" --quiet
echo "forces: $(($(wc -l < "$WORK/run/tables/force_comparison.csv") - 1)); cores: $(nproc)"

hyperfine --warmup 2 --runs "$RUNS" --export-json "$WORK/a4.json" \
  -n "chart (A4, svg+png)" "$BIN chart $WORK/run --out $WORK/a4" >&2
hyperfine --warmup 1 --runs "$RUNS" --export-json "$WORK/slide.json" \
  -n "chart (slide, svg+png, hidpi)" "$BIN chart $WORK/run --size slide --hidpi --out $WORK/slide" >&2
echo "charts: $(ls "$WORK/a4" | wc -l) files, $(du -sk "$WORK/a4" | cut -f1) KB"

python3 - "$WORK/a4.json" "$WORK/slide.json" <<'PY'
import json, statistics, sys
a4 = statistics.median(json.load(open(sys.argv[1]))["results"][0]["times"])
slide = statistics.median(json.load(open(sys.argv[2]))["results"][0]["times"])
print(f"outcome-lens chart, all six charts, SVG + PNG, A4:          median {a4:.3f} s (target < 1 s)")
print(f"outcome-lens chart, all six charts, SVG + PNG, slide, hidpi: median {slide:.3f} s")
PY
