#!/usr/bin/env bash
# The Word copy of the report (issue #21) opened as its readers open it: LibreOffice,
# headless, converts the sample run's report.docx to PDF and to HTML without error, and the
# checks below find every section heading, the Word tables and the charts in what it made.
#
# Installs what it needs when missing: libreoffice-writer-nogui and poppler-utils (pdftotext,
# pdfinfo) with apt-get. It fails, never skips, when LibreOffice cannot convert.
#
# Environment: CARGO_TARGET_DIR; OUTCOME_LENS_OFFICE_OUT (where the PDF goes; default
# ~/.cache/outcome-lens/office).
# Closing line: "office: N passed, M failed", and exit 1 when any check failed.
set -euo pipefail
cd "$(dirname "$0")/../.."

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/outcome-lens/target}"
out="${OUTCOME_LENS_OFFICE_OUT:-$HOME/.cache/outcome-lens/office}"

passed=0
failed=0
check() {
  local name="$1"
  shift
  if "$@"; then
    passed=$((passed + 1))
    echo "ok   $name"
  else
    failed=$((failed + 1))
    echo "FAIL $name"
  fi
}
finish() {
  echo "office: $passed passed, $failed failed"
  [ "$failed" -eq 0 ]
  exit $?
}
step() { echo "== office [${SECONDS}s]: $*"; }

# shellcheck source=../lib/apt.sh
. tests/lib/apt.sh
if ! command -v soffice >/dev/null; then
  step "installing libreoffice-writer-nogui (apt-get)"
  apt_install libreoffice-writer-nogui || { check "libreoffice installs" false; finish; }
fi
if ! command -v pdftotext >/dev/null || ! command -v pdfinfo >/dev/null; then
  step "installing poppler-utils (apt-get)"
  apt_install poppler-utils || { check "poppler-utils installs" false; finish; }
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
step "running the sample analysis"
cargo run --locked -q -- run --out "$tmp/run" --force -q
docx="$tmp/run/report.docx"
check "the run wrote report.docx" test -s "$docx"

# LibreOffice with a profile of its own, so that a desktop session's does not interfere.
profile="file://$tmp/profile"
convert() {
  soffice "-env:UserInstallation=$profile" --headless --convert-to "$1" --outdir "$tmp/$2" "$docx" \
    >"$tmp/$2.log" 2>&1
}
step "converting report.docx to PDF and HTML in $(soffice --version 2>/dev/null | head -1)"
check "LibreOffice converts report.docx to PDF" convert pdf pdf
check "LibreOffice converts report.docx to HTML" convert html html
pdf="$tmp/pdf/report.pdf"
html="$tmp/html/report.html"
check "the PDF exists" test -s "$pdf"
check "the HTML exists" test -s "$html"
mkdir -p "$out"
[ -s "$pdf" ] && cp "$pdf" "$out/report-docx.pdf"

pages="$(pdfinfo "$pdf" 2>/dev/null | sed -n 's/^Pages:[[:space:]]*//p')"
echo "     $pages A4 pages"
check "the PDF has pages" test "${pages:-0}" -gt 10
text="$tmp/report.txt"
pdftotext -layout "$pdf" "$text" 2>/dev/null || true
tr -s '[:space:]' ' ' <"$text" >"$tmp/flat.txt"
# Every section heading of the HTML report, in the Word copy's text.
grep -o '<h2 id="[^"]*">[^<]*</h2>' "$tmp/run/report.html" | sed 's/<[^>]*>//g' >"$tmp/headings.txt"
sections="$(wc -l <"$tmp/headings.txt")"
missing=0
while IFS= read -r heading; do
  heading="${heading//&#x27;/\'}"
  if ! grep -qF "$heading" "$tmp/flat.txt"; then
    echo "     missing: $heading"
    missing=$((missing + 1))
  fi
done <"$tmp/headings.txt"
check "every section heading ($sections) is in the PDF" test "$sections" -ge 7 -a "$missing" -eq 0
check "the summary's figures are in the PDF" grep -qF "57.3% of Cleveland's outcomes in 2018/19 were outcome 16 (9,261 of 16,168" "$tmp/flat.txt"
# Tables: LibreOffice's HTML has one <table> per Word table; the report's HTML has the same
# number once its wide tables are counted as their printed parts.
word_tables="$(grep -o '<table' "$html" | wc -l)"
report_tables="$(grep -o '<table id="table-[^"]*" class="screen-only"\|<table class="print-only"\|<table id="table-[^"]*">' "$tmp/run/report.html" | grep -vc 'screen-only' || true)"
echo "     $word_tables Word tables; the report prints $report_tables"
check "every table is a Word table" test "$word_tables" -eq "$report_tables" -a "$word_tables" -gt 30
images="$(grep -o '<img' "$html" | wc -l)"
figures="$(grep -o '<figure id=' "$tmp/run/report.html" | wc -l)"
echo "     $images images; the report has $figures figures"
check "every figure is an image" test "$images" -eq "$figures" -a "$figures" -gt 10
finish
