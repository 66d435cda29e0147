#!/usr/bin/env bash
# Executes notebooks/01-explore-run.ipynb headless against a fresh run of the bundled sample
# and fails on any cell error. The committed notebook is never rewritten: the executed copy
# goes to a temporary folder (or to $OUTCOME_LENS_NOTEBOOK_OUT when that is set).
#
# The virtual environment lives outside the clone, in ${OUTCOME_LENS_VENV:-~/.cache/outcome-lens/
# notebook-venv}; it is (re)built only when missing or when notebooks/requirements.txt or the
# Python version changed (their hash is kept in the venv), so repeated runs reuse it.
#
# Environment: OUTCOME_LENS_VENV (venv folder), PYTHON (interpreter for a new venv, default
# python3, 3.11 or newer), CARGO_TARGET_DIR, OUTCOME_LENS_NOTEBOOK_OUT (keep the executed copy).
# Closing line: "notebook: 1 passed, 0 failed", or "notebook: 0 passed, 1 failed" and exit 1.
set -euo pipefail
cd "$(dirname "$0")/../.."
root="$PWD"

notebook="notebooks/01-explore-run.ipynb"
requirements="notebooks/requirements.txt"
venv="${OUTCOME_LENS_VENV:-$HOME/.cache/outcome-lens/notebook-venv}"
python="${PYTHON:-python3}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/outcome-lens/target}"

fail() {
  echo "notebook: $*" >&2
  echo "notebook: 0 passed, 1 failed"
  exit 1
}
step() { echo "== notebook [${SECONDS}s]: $*"; }

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# 1. The virtual environment, built once per requirements.txt and Python version.
command -v "$python" >/dev/null || fail "no $python on PATH (set PYTHON to a Python 3.11+ interpreter)"
"$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
  || fail "$("$python" --version 2>&1) is too old: the notebook needs Python 3.11 or newer"
want="$( { cat "$requirements"; "$python" -c 'import sys; print(sys.version)'; } | sha256sum | cut -d' ' -f1)"
mkdir -p "$(dirname "$venv")"
exec 9>"$venv.lock"
flock 9 # two runs at once must not build the same venv
if [ ! -x "$venv/bin/python" ] || [ "$(cat "$venv/.requirements.sha256" 2>/dev/null)" != "$want" ]; then
  step "building the virtual environment in $venv (once per requirements.txt)"
  rm -rf "$venv"
  "$python" -m venv "$venv" || fail "could not create the virtual environment $venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$requirements" \
    || fail "pip could not install $requirements"
  echo "$want" >"$venv/.requirements.sha256" # written last: a half-built venv is rebuilt
else
  step "reusing the virtual environment in $venv"
fi
flock -u 9

# 2. A fresh run of the bundled sample, in a temporary folder.
step "running the sample analysis"
cargo run --locked -q -- run --out "$tmp/run" --force -q || fail "the sample run failed"
[ -d "$tmp/run/data" ] || fail "the sample run wrote no data/ folder"

# 3. The notebook, executed headless against that run.
step "executing $notebook"
export OUTCOME_LENS_RUN="$tmp/run"
export PATH="$venv/bin:$PATH"
export JUPYTER_PREFER_ENV_PATH=1 # the venv's python3 kernel, not one a user registered
export MPLBACKEND=module://matplotlib_inline.backend_inline
executed="$tmp/executed.ipynb"
if ! "$venv/bin/jupyter" nbconvert --to notebook --execute \
  --ExecutePreprocessor.timeout=600 --ExecutePreprocessor.kernel_name=python3 \
  --output-dir "$tmp" --output executed.ipynb "$root/$notebook"; then
  fail "a cell raised an error (the traceback is above)"
fi

# nbconvert stops at the first error; this also catches an error output it let through.
"$venv/bin/python" - "$executed" <<'PY' || fail "the executed notebook holds an error output"
import sys
import nbformat

nb = nbformat.read(sys.argv[1], as_version=4)
code = [c for c in nb.cells if c.cell_type == "code"]
errors = [o for c in code for o in c.get("outputs", []) if o.get("output_type") == "error"]
unrun = [c for c in code if c.get("execution_count") is None and c.source.strip()]
for e in errors:
    print(f"{e.get('ename')}: {e.get('evalue')}", file=sys.stderr)
if unrun:
    print(f"{len(unrun)} code cell(s) did not run", file=sys.stderr)
print(f"executed {len(code)} code cells")
sys.exit(1 if errors or unrun else 0)
PY

if [ -n "${OUTCOME_LENS_NOTEBOOK_OUT:-}" ]; then
  cp "$executed" "$OUTCOME_LENS_NOTEBOOK_OUT"
  echo "executed notebook copied to $OUTCOME_LENS_NOTEBOOK_OUT"
fi
echo "== notebook [${SECONDS}s]: done"
echo "notebook: 1 passed, 0 failed"
