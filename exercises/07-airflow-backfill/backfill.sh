#!/usr/bin/env bash
# Exercise 07: reprocess July, August and September 2026 with an Airflow backfill.
# Run the command where Airflow runs (its scheduler executes the backfill's runs), e.g.
#   docker compose -f compose/airflow.yml exec airflow-scheduler <the airflow command below>
# TODO: the DAG's documentation gives this command for May to October: make it cover
# exactly the three months, one run each.
set -euo pipefail
airflow backfill create --dag-id bottleneck_monthly --from-date 2026-05-01 --to-date 2026-10-31
