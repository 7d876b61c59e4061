# BottleNeck orchestration lab. `make demo` and `make test` are all a fresh machine needs.
MONTH ?= 2026-10

.PHONY: demo test test-core venvs lineage bench bench-wrappers mutation screenshots clean check break restore

demo: ## set up .venvs/core and run the pipeline on a sample month
	@bash scripts/venv.sh core
	@.venvs/core/bin/bottleneck run --month $(MONTH)

test: ## set up every virtualenv and run the whole test suite
	@bash scripts/test.sh

test-core: ## core and kit tests only
	@bash scripts/test.sh core

venvs: ## make every virtualenv (.venvs/core and one per orchestrator)
	@for p in core kestra airflow dagster prefect; do \
	  if [ $$p = core ] || [ -f $$p/requirements.txt ]; then bash scripts/venv.sh $$p || exit 1; fi; done

lineage: ## regenerate what follows the step graph: docs/lineage.md, docs/lineage.drawio, Kestra's monthly flow
	@bash scripts/venv.sh core
	@.venvs/core/bin/python scripts/lineage_docs.py
	@.venvs/core/bin/python scripts/kestra_flow.py

bench: ## core vs a naive pandas script, process start-ups, 10k-1M products, 2M completeness (bench/README.md)
	@bash scripts/venv.sh core
	@.venvs/core/bin/python bench/bench_core.py $(BENCH_ARGS)

bench-wrappers: ## one month in each tool natively, as a student waits for it (bench/README.md)
	@$(MAKE) --no-print-directory venvs
	@.venvs/core/bin/python bench/wrappers.py $(BENCH_ARGS)

mutation: ## mutation testing of core's pipeline modules with mutmut (hours; not in make test; docs/testing.md)
	@SAMPLE=$(SAMPLE) bash scripts/mutation.sh $(MUTANTS)

break: ## failure lab: damage a month's sources in place, e.g. make break MONTH=2026-10 FAULT=negative-prices
	@bash scripts/venv.sh core
	@.venvs/core/bin/bottleneck break --month $(MONTH) $(if $(FAULT),--fault $(FAULT),--list)

restore: ## put back the pristine sources of a month broken by `make break`
	@bash scripts/venv.sh core
	@.venvs/core/bin/bottleneck break --month $(MONTH) --restore

screenshots: ## lesson 06's pictures: Airflow, Dagster, Prefect (and Kestra if its server runs) in headless Chromium
	@for p in core airflow dagster prefect; do bash scripts/venv.sh $$p || exit 1; done
	@command -v chromium >/dev/null || { echo "needs Debian's chromium: sudo apt-get install -y chromium" >&2; exit 2; }
	@.venvs/core/bin/python scripts/screenshots.py $(TOOLS)

clean: ## remove work files and reports (not the sample sources)
	rm -rf data/work data/output

check: ## check an exercise: make check EX=04 (your files), make check EX=04 SOLUTION=1 (the solution)
	@test -n "$(EX)" || { echo "usage: make check EX=04 [SOLUTION=1]   (exercises: exercises/README.md)"; exit 5; }
	@bash scripts/venv.sh core
	@.venvs/core/bin/python exercises/run_check.py $(EX) $(if $(SOLUTION),--solution)

.PHONY: help
help: ## list the targets with their one-line explanation
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "} {printf "  make %-12s %s\n", $$1, $$2}'
