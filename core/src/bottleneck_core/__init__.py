"""BottleNeck monthly wine-sales pipeline: the shared core of the orchestration lab.

Every orchestrator wrapper (Kestra, Airflow, Dagster, Prefect) calls this package;
the step graph in :mod:`bottleneck_core.graph` is the single source of truth.
"""

__version__ = "0.1.0"
