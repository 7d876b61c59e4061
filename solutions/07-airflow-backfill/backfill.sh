#!/usr/bin/env bash
# Exercise 07: reprocess July, August and September 2026 with an Airflow backfill.
# Run the command where Airflow runs (its scheduler executes the backfill's runs), e.g.
#   docker compose -f compose/airflow.yml exec airflow-scheduler <the airflow command below>
# The runs of July, August and September start their data interval on the 15th of
# those months: a window from 1 July to 30 September holds exactly those three.
set -euo pipefail
airflow backfill create --dag-id bottleneck_monthly --from-date 2026-07-01 --to-date 2026-09-30
