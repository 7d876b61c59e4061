#!/usr/bin/env bash
# Make (or refresh) the virtualenv of one part of the kit, under .venvs/<name>:
#   core     the pipeline package and its test tools
#   airflow | dagster | prefect | kestra   the orchestrator, pinned in <name>/requirements.txt,
#            plus core (Airflow 3 and Prefect 3 cannot share one environment).
# Re-running is cheap: nothing is installed when the requirement files have not changed.
# A failed install stops with its error and leaves no stamp, so the next run tries again.
# Works with Linux and macOS tools (sha256sum or shasum -a 256). PYTHON=python3.12 picks one.
set -euo pipefail
name=${1:?usage: scripts/venv.sh core|airflow|dagster|prefect|kestra}
root=$(cd "$(dirname "$0")/.." && pwd)
venv="$root/.venvs/$name"
cd "$root"  # relative paths in requirement files are relative to the repository root

# The Python versions each virtualenv's pins install on (checked with pip's resolver, see
# compose/README.md); kestra runs Python 3.10 because Kestra's image ships it.
case "$name" in
  core) supported="3.10 3.11 3.12 3.13" ;;
  kestra) supported="3.10" ;;
  airflow | dagster | prefect) supported="3.11 3.12 3.13" ;;
  *) echo "scripts/venv.sh: unknown part '$name' (core, kestra, airflow, dagster or prefect)" >&2; exit 2 ;;
esac

python=${PYTHON:-python3}
if [ -f "$name/.python-version" ]; then  # e.g. kestra/: Kestra's image ships Python 3.10
  wanted="python$(tr -d '[:space:]' < "$name/.python-version")"
  if "$wanted" -c '' 2>/dev/null; then python=$wanted  # a pyenv shim exists even when it cannot run
  elif command -v pyenv >/dev/null && found=$(pyenv versions --bare | grep -E "^${wanted#python}\.[0-9]+$" | tail -1) && [ -n "$found" ]; then
    python="$(pyenv root)/versions/$found/bin/$wanted"
  fi
fi
if ! version=$("$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null); then
  echo "scripts/venv.sh: cannot run '$python'. .venvs/$name needs Python $supported (set PYTHON=...)." >&2
  exit 2
fi
case " $supported " in
  *" $version "*) ;;
  *) echo "scripts/venv.sh: $python is Python $version; .venvs/$name needs Python ${supported// / or }." >&2
     echo "  Install one (python.org, pyenv, Homebrew: brew install python@3.11) and run e.g." >&2
     echo "  PYTHON=python${supported##* } bash scripts/venv.sh $name" >&2
     exit 2 ;;
esac

sha256() {
  if command -v sha256sum >/dev/null; then sha256sum; else shasum -a 256; fi
}

files=("$root/core/pyproject.toml" "$root/core/testkit/pyproject.toml")
# core, and the kit's test helpers (core/testkit: every suite and checker uses them; no image does)
args=(-e "$root/core[test]" -e "$root/core/testkit")
[ "$name" = core ] && args=(-e "$root/core[test,s3server]" -e "$root/core/testkit")
if [ "$name" != core ]; then
  [ -f "$root/$name/requirements.txt" ] || { echo "no $name/requirements.txt" >&2; exit 2; }
  files+=("$root/$name/requirements.txt")
  args=(-r "$root/$name/requirements.txt" "${args[@]}")
  if [ -f "$root/$name/constraints.txt" ]; then
    files+=("$root/$name/constraints.txt")
    args=(-c "$root/$name/constraints.txt" "${args[@]}")
  fi
fi
stamp=$( (cat "${files[@]}"; "$python" --version) | sha256 | cut -d' ' -f1)
if [ -f "$venv/.stamp" ] && [ "$(cat "$venv/.stamp")" = "$stamp" ]; then
  exit 0
fi
echo "Setting up .venvs/$name with Python $version ..." >&2
rm -f "$venv/.stamp"
fail() {
  echo "scripts/venv.sh: $1 failed for .venvs/$name (Python $version); see the messages above." >&2
  echo "  Nothing was stamped: the next run tries again." >&2
  exit 1
}
"$python" -m venv "$venv" || fail "python -m venv"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
"$venv/bin/python" -m pip install --quiet --upgrade pip > "$log" 2>&1 || { grep -v "^WARNING: Location" "$log" >&2; fail "pip install --upgrade pip"; }
"$venv/bin/python" -m pip install --quiet "${args[@]}" > "$log" 2>&1 || { grep -v "^WARNING: Location" "$log" >&2; fail "pip install"; }
grep -v "^WARNING: Location" "$log" >&2 || true  # pip's warnings, if any
"$venv/bin/python" -m pip check >&2 || fail "pip check"
echo "$stamp" > "$venv/.stamp"
