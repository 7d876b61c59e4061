#!/usr/bin/env bash
# Start-up cost of one-step processes (what an orchestrator pays per task): best wall time of N
# tries of `python -c pass`, `bottleneck steps` and `bottleneck step extract_*` on a sample month.
# Usage: bash scripts/step_times.sh [MONTH] [N]   (uses .venvs/core and a private data folder)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
month=${1:-2026-10}; tries=${2:-7}
py="$root/.venvs/core/bin/python"; bn="$root/.venvs/core/bin/bottleneck"
data=$(mktemp -d); trap 'rm -rf "$data"' EXIT
mkdir -p "$data/sources" && cp -r "$root/data/sources/$month" "$data/sources/"
export BOTTLENECK_DATA_DIR="$data"
best() {
  local b=999999999 s e d
  for _ in $(seq "$tries"); do
    s=$(date +%s%N); "$@" >/dev/null 2>&1; e=$(date +%s%N); d=$(( (e - s) / 1000000 ))
    (( d < b )) && b=$d
  done
  printf '%6d ms  %s\n' "$b" "${*#"$root/"}"
}
best "$py" -c pass
best "$bn" steps
for src in erp link web; do best "$bn" step "extract_$src" --month "$month"; done
"$bn" run --month "$month" >/dev/null 2>&1
best "$bn" step merge --month "$month"
