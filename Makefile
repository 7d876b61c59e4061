# BottleNeck orchestration lab. `make demo` and `make test` are all a fresh machine needs.
MONTH ?= 2026-10

.PHONY: demo test test-core venvs lineage bench screenshots clean

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

lineage: ## regenerate docs/lineage.md and docs/lineage.drawio from the step graph
	@bash scripts/venv.sh core
	@.venvs/core/bin/python scripts/lineage_docs.py

bench: ## time the pipeline on a sample month and on 100k / 1M generated products
	@bash scripts/venv.sh core
	@.venvs/core/bin/python bench/bench_core.py

screenshots: ## lesson 06's pictures: Airflow, Dagster, Prefect (and Kestra if its server runs) in headless Chromium
	@for p in core airflow dagster prefect; do bash scripts/venv.sh $$p || exit 1; done
	@command -v chromium >/dev/null || { echo "needs Debian's chromium: sudo apt-get install -y chromium" >&2; exit 2; }
	@.venvs/core/bin/python scripts/screenshots.py $(TOOLS)

clean: ## remove work files and reports (not the sample sources)
	rm -rf data/work data/output
