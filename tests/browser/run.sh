#!/usr/bin/env bash
# Browser test of the HTML report (issues #6 and #21): Debian's Chromium, headless, loads the
# sample's and the full 2018/19 run's report.html from disk and check.mjs (playwright-core)
# checks that each made no network request, logged no console error, drew every figure, and
# prints to A4 within a page bound with every section, no near-empty page, every table inside
# the page box, no number or word broken across lines and no chart split across pages; and
# that a run whose unit names are markup runs and loads nothing.
#
# Installs what it needs when missing: chromium and poppler-utils (pdftotext, pdfinfo) with
# apt-get, and playwright-core with `npm ci` (node_modules/ beside this script, git-ignored).
# It fails, never skips, when the browser cannot start.
#
# Environment: CARGO_TARGET_DIR; CHROMIUM (default /usr/bin/chromium);
# OUTCOME_LENS_BROWSER_OUT (where the screenshot and PDF go; default
# ~/.cache/outcome-lens/browser).
# Closing line: "browser: N passed, 0 failed", or "browser: N passed, M failed" and exit 1.
set -euo pipefail
cd "$(dirname "$0")/../.."

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/outcome-lens/target}"
out="${OUTCOME_LENS_BROWSER_OUT:-$HOME/.cache/outcome-lens/browser}"

fail() {
  echo "browser: $*" >&2
  echo "browser: 0 passed, 1 failed"
  exit 1
}
step() { echo "== browser [${SECONDS}s]: $*"; }

# shellcheck source=../lib/apt.sh
. tests/lib/apt.sh

# 1. Chromium, pdftotext and playwright-core.
if [ ! -x "${CHROMIUM:-/usr/bin/chromium}" ]; then
  step "installing chromium (apt-get)"
  apt_install chromium || fail "could not install chromium with apt-get"
fi
if ! command -v pdftotext >/dev/null || ! command -v pdfinfo >/dev/null; then
  step "installing poppler-utils (apt-get)"
  apt_install poppler-utils || fail "could not install poppler-utils with apt-get"
fi
command -v node >/dev/null || fail "no node on PATH (Node.js 20 or newer is needed)"
step "npm ci (playwright-core)"
(cd tests/browser && npm ci --no-audit --no-fund --loglevel=error) || fail "npm ci failed in tests/browser"

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# The sections a run's report must have: six, a within-force section when the run has
# record-level tables, "Why does the force stand out?" when the extract maps investigation-
# quality fields (the run has the record-level model), the audit's when it read a reviewed
# audit sample back, the monitoring section when the analysis file sets events, a baseline or
# a target, and the appendix.
sections_of() {
  local run="$1" sections=7
  if compgen -G "$run/tables/extract_*.csv" >/dev/null; then
    sections=$((sections + 1))
  fi
  if [ -f "$run/tables/extract_model.csv" ]; then
    sections=$((sections + 1))
  fi
  if [ -f "$run/tables/audit_estimates.csv" ]; then
    sections=$((sections + 1))
  fi
  if grep -q '"monitor": {' "$run/summary.json"; then
    sections=$((sections + 1))
  fi
  echo "$sections"
}

# 2. A fresh run of the bundled sample, and the real 2018/19 table in full (all offences,
# focus Cleveland), as README's first example runs it.
step "running the sample analysis"
cargo run --locked -q -- run --out "$tmp/run" --force -q || fail "the sample run failed"
[ -f "$tmp/run/report.html" ] || fail "the sample run wrote no report.html"
step "running the full 2018/19 table"
mkdir -p "$tmp/full"
cat >"$tmp/full/analysis.toml" <<TOML
inputs = ["$PWD/data/raw/home-office-outcomes/prc-outcomes-open-data-mar2019-tables.FULL.csv.gz"]
period = "2018/19"
focus = ["Cleveland"]
[outputs]
folder = "run"
TOML
cargo run --locked -q -- run --config "$tmp/full/analysis.toml" --force -q 2>/dev/null \
  || fail "the full 2018/19 run failed"
# Page bounds: the sample's report (11 sections, 36 tables, 16 figures) prints to 51 A4 pages
# and the full run's (7 sections, 12 tables, 6 figures) to 19; the bounds leave a few pages
# of room, no more. (The report before issue #21 printed to 51 and 21 pages with 33 and 11
# tables, its wide tables broken inside numbers and words and some pages near-empty.)
sample_pages=55
full_pages=22

# 3. A run whose unit names are markup (tidy counts).
step "running a tidy-counts analysis with hostile unit names"
mkdir -p "$tmp/hostile"
{
  echo 'unit,period,numerator,denominator'
  for q in 1 2 3 4; do
    echo "\"<script>alert(1)</script>\",2019/20 Q$q,$((50 + q)),100"
    echo "\"\"\"><img src=x onerror=alert(1)>\",2019/20 Q$q,$((20 + q)),100"
    for unit in C D E F G H; do
      echo "Area $unit,2019/20 Q$q,$((30 + q * 2)),100"
    done
  done
} >"$tmp/hostile/units.csv"
cat >"$tmp/hostile/analysis.toml" <<'TOML'
inputs = ["units.csv"]
focus = ["<script>alert(1)</script>"]
[outputs]
folder = "run"
TOML
cargo run --locked -q -- run --config "$tmp/hostile/analysis.toml" --force -q \
  || fail "the hostile-names run failed"

# 4. The checks (check.mjs prints the closing line).
step "checking in $(${CHROMIUM:-/usr/bin/chromium} --version 2>/dev/null || echo chromium)"
node tests/browser/check.mjs \
  --report "sample:$tmp/run/report.html:$(sections_of "$tmp/run"):$sample_pages" \
  --report "full-2018-19:$tmp/full/run/report.html:$(sections_of "$tmp/full/run"):$full_pages" \
  --out "$out" --hostile "$tmp/hostile/run/report.html"
