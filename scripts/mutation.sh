#!/usr/bin/env bash
# Mutation testing of core's pipeline modules (docs/testing.md): mutmut makes one deliberate bug
# at a time in the modules listed under [tool.mutmut] in core/pyproject.toml and runs the core
# tests that reach it; a mutant that no test notices "survives".
# Usage: bash scripts/mutation.sh [MUTANT_NAME_PATTERNS...]   e.g. 'bottleneck_core.transforms*'
# Hours on 2 cores for every module; results are kept in core/mutants/ (git-ignored), and a second
# run only tests what changed. The score per module: python scripts/mutation_score.py
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bash "$root/scripts/venv.sh" core
"$root/.venvs/core/bin/python" -m pip install --quiet -e "$root/core[test,s3server,mutation]" 2>&1 | grep -v "^WARNING: Location" || true
cd "$root/core"
"$root/.venvs/core/bin/mutmut" run "$@" || true  # mutmut's exit code says nothing about the score
"$root/.venvs/core/bin/python" "$root/scripts/mutation_score.py"
