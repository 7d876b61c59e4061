#!/usr/bin/env bash
# Make (or refresh) the virtualenv of one part of the kit, under .venvs/<name>:
#   core     the pipeline package and its test tools
#   airflow | dagster | prefect | kestra   the orchestrator, pinned in <name>/requirements.txt,
#            plus core (Airflow 3 and Prefect 3 cannot share one environment).
# Re-running is cheap: nothing is installed when the requirement files have not changed.
set -euo pipefail
name=${1:?usage: scripts/venv.sh core|airflow|dagster|prefect|kestra}
root=$(cd "$(dirname "$0")/.." && pwd)
venv="$root/.venvs/$name"
cd "$root"  # relative paths in requirement files are relative to the repository root
python=${PYTHON:-python3}
if [ -f "$name/.python-version" ]; then  # e.g. kestra/: Kestra's image ships Python 3.10
  wanted="python$(tr -d '[:space:]' < "$name/.python-version")"
  if "$wanted" -c '' 2>/dev/null; then python=$wanted  # a pyenv shim exists even when it cannot run
  elif command -v pyenv >/dev/null && found=$(pyenv versions --bare | grep -E "^${wanted#python}\.[0-9]+$" | tail -1) && [ -n "$found" ]; then
    python="$(pyenv root)/versions/$found/bin/$wanted"
  else echo "warning: $wanted not usable, using $python" >&2; fi
fi

files=("$root/core/pyproject.toml")
args=(-e "$root/core[test]")
[ "$name" = core ] && args=(-e "$root/core[test,s3server]")
if [ "$name" != core ]; then
  [ -f "$root/$name/requirements.txt" ] || { echo "no $name/requirements.txt" >&2; exit 2; }
  files+=("$root/$name/requirements.txt")
  args=(-r "$root/$name/requirements.txt" "${args[@]}")
  if [ -f "$root/$name/constraints.txt" ]; then
    files+=("$root/$name/constraints.txt")
    args=(-c "$root/$name/constraints.txt" "${args[@]}")
  fi
fi
stamp=$( (cat "${files[@]}"; "$python" --version) | sha256sum | cut -d' ' -f1)
if [ -f "$venv/.stamp" ] && [ "$(cat "$venv/.stamp")" = "$stamp" ]; then
  exit 0
fi
echo "Setting up .venvs/$name ..." >&2
"$python" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --upgrade pip 2>&1 | grep -v "^WARNING: Location" >&2 || true
"$venv/bin/python" -m pip install --quiet "${args[@]}" 2>&1 | grep -v "^WARNING: Location" >&2 || true
"$venv/bin/python" -m pip check >&2
echo "$stamp" > "$venv/.stamp"
