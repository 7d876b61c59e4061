#!/usr/bin/env bash
# Mutation testing of core's pipeline modules (docs/testing.md): mutmut makes one deliberate bug
# at a time in the modules listed under [tool.mutmut] in core/pyproject.toml and runs the core
# tests that reach it; a mutant that no test notices "survives".
# Usage: bash scripts/mutation.sh [MUTANT_NAME_PATTERNS...]   e.g. 'bottleneck_core.transforms*'
#        SAMPLE=0.15 bash scripts/mutation.sh                  a seeded 15 % of each module's mutants
# Hours on 2 cores for every module; results are kept in core/mutants/ (git-ignored), and a second
# run only tests what changed. The score per module: python scripts/mutation_score.py [--sample F]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bash "$root/scripts/venv.sh" core
"$root/.venvs/core/bin/python" -m pip install --quiet -e "$root/core[test,s3server,mutation]" 2>&1 | grep -v "^WARNING: Location" || true
cd "$root/core"
python="$root/.venvs/core/bin/python"
if [ -n "${SAMPLE:-}" ]; then
  # mutmut makes every mutant before it runs any: a pattern that matches none does only that.
  # Then the sample's mutants not found yet are run (a new test cannot lose a mutant found).
  "$root/.venvs/core/bin/mutmut" run 'bottleneck_core.no_such_module.*' >/dev/null 2>&1 || true
  mapfile -t names < <("$python" "$root/scripts/mutation_score.py" --sample "$SAMPLE" --names)
  if [ "${#names[@]}" -gt 0 ]; then  # with no name mutmut would run every mutant
    "$root/.venvs/core/bin/mutmut" run "${names[@]}" || true
  fi
  "$python" "$root/scripts/mutation_score.py" --sample "$SAMPLE"
else
  "$root/.venvs/core/bin/mutmut" run "$@" || true  # mutmut's exit code says nothing about the score
  "$python" "$root/scripts/mutation_score.py"
fi
