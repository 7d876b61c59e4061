#!/usr/bin/env bash
# The whole test suite: core and kit checks in .venvs/core, then each orchestrator wrapper
# in its own virtualenv, then the exercises' checkers (part `exercises`).
# Usage: scripts/test.sh [core airflow dagster prefect kestra exercises] [-- pytest args]
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
parts=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do parts+=("$1"); shift; done
[ "${1:-}" = "--" ] && shift
if [ ${#parts[@]} -eq 0 ]; then
  parts=(core)
  for tool in kestra airflow dagster prefect; do
    [ -f "$tool/requirements.txt" ] && parts+=("$tool")
  done
  parts+=(exercises)  # last: its checkers reuse the tools' virtualenvs made above
fi
reports=$(mktemp -d)
status=0
for part in "${parts[@]}"; do
  venv=$part
  [ "$part" = exercises ] && venv=core  # exercises/tests runs in core; each checker in its tool's venv
  if ! bash scripts/venv.sh "$venv"; then
    echo "!! could not set up .venvs/$part" >&2; status=1; continue
  fi
  # A wrapper's tests run with its folder as pytest's rootdir: pytest's importlib mode names
  # test modules after their path from the rootdir, and `airflow.tests.x` would register our
  # airflow/ folder as a module called `airflow`, hiding the real library.
  if [ "$part" = core ]; then targets=(core/tests tests) rootdir=.; else targets=("$part/tests") rootdir=$part; fi
  # exercises: every starter fails for its intended reason and every solution passes (exercises/README.md)
  echo "=== $part: pytest ${targets[*]}"
  BOTTLENECK_PARITY_DIR="$reports/parity" ".venvs/$venv/bin/python" -m pytest -c pytest.ini --rootdir "$rootdir" \
    "${targets[@]}" --junitxml="$reports/$part.xml" "$@" || status=1
done
# Parity and the closing line run in .venvs/core, also when only one tool's part was asked for.
bash scripts/venv.sh core >/dev/null || { echo "!! could not set up .venvs/core" >&2; exit 1; }
# The reports written in every virtualenv must be identical to each other, not only to core's;
# a full run (no pytest arguments) must also have every part's reports for each parity month.
require=""
if [ $# -eq 0 ]; then  # every part but the exercises, whose checkers write no parity reports
  for part in "${parts[@]}"; do [ "$part" = exercises ] || require="$require${require:+,}$part"; done
fi
if [ -d "$reports/parity" ] || [ -n "$require" ]; then
  mkdir -p "$reports/parity"
  .venvs/core/bin/python scripts/parity.py "$reports/parity" --require "$require" || status=1
fi
# One closing line for the whole suite; under CI a skipped test fails the run.
.venvs/core/bin/python scripts/test_summary.py "$reports"
[ $? -eq 0 ] || status=1
rm -rf "$reports"
exit $status
