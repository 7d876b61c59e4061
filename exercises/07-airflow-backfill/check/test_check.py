"""Checker of exercise 07: the backfill command covers July–September 2026, one run per month,
and each of those runs writes the same reports as `bottleneck run`.

No scheduler here: the runs the command would create are listed with Airflow's own code (the
DAG's timetable, as `airflow backfill create` does), then each run is executed in-process with
`dag.test()` for the same data interval, against a PostgreSQL metadata database.
"""

from __future__ import annotations

import argparse
import shlex

import airflow_kit  # first: sets AIRFLOW_HOME before airflow is imported
import pytest
from checklib import expect, work_file

WANTED = ["2026-07", "2026-08", "2026-09"]
PARIS = "Europe/Paris"


def backfill_args() -> argparse.Namespace:
    """The arguments of the `airflow backfill create` line of backfill.sh, parsed as Airflow parses them."""
    from airflow.cli import cli_config

    lines = [
        shlex.split(line, comments=True) for line in work_file("backfill.sh").read_text(encoding="utf-8").splitlines()
    ]
    commands = [words for words in lines if words[:3] == ["airflow", "backfill", "create"]]
    expect(
        len(commands) == 1,
        f"backfill.sh should hold one `airflow backfill create` command; found {len(commands)}.",
        f"backfill.sh devrait contenir une commande `airflow backfill create` ; trouvé {len(commands)}.",
        "One command line, not split with backslashes.",
        "Une seule ligne de commande, sans la couper avec des antislashs.",
    )
    parser = argparse.ArgumentParser(add_help=False)
    for arg in (cli_config.ARG_BACKFILL_DAG, cli_config.ARG_BACKFILL_FROM_DATE, cli_config.ARG_BACKFILL_TO_DATE):
        parser.add_argument(*arg.flags, **{k: v for k, v in arg.kwargs.items() if k != "help"})
    try:
        args, _ = parser.parse_known_args(commands[0][3:])
    except SystemExit:
        expect(
            False,
            f"Airflow cannot read this command: {shlex.join(commands[0])}",
            f"Airflow ne peut pas lire cette commande : {shlex.join(commands[0])}",
            "--dag-id, --from-date and --to-date are required; dates as YYYY-MM-DD.",
            "--dag-id, --from-date et --to-date sont obligatoires ; les dates au format AAAA-MM-JJ.",
        )
    return args


@pytest.fixture(scope="module")
def dag():
    bag = airflow_kit.dag_bag()  # the kit's DAG: this exercise changes no DAG
    return bag.dags[airflow_kit.DAG_ID]


def planned_runs(dag, args) -> list:
    """The runs `airflow backfill create` makes for this window (airflow/models/backfill.py)."""
    from airflow.serialization.serialized_objects import DagSerialization

    serialized = DagSerialization.from_dict(DagSerialization.to_dict(dag))
    return list(serialized.iter_dagrun_infos_between(args.from_date, args.to_date))


def month_of(info) -> str:
    import pendulum

    return pendulum.instance(info.data_interval.start).in_timezone(PARIS).strftime("%Y-%m")


def test_starter_command_is_read_by_airflow():
    args = backfill_args()
    expect(
        args.dag_id == airflow_kit.DAG_ID,
        f"--dag-id is {args.dag_id!r}; the DAG is {airflow_kit.DAG_ID}.",
        f"--dag-id vaut {args.dag_id!r} ; le DAG s'appelle {airflow_kit.DAG_ID}.",
    )


def check_months(dag) -> list:
    args = backfill_args()
    runs = planned_runs(dag, args)
    months = [month_of(r) for r in runs]
    expect(
        months == WANTED,
        f"From {args.from_date:%Y-%m-%d} to {args.to_date:%Y-%m-%d} the backfill makes {len(runs)} run(s), "
        f"for {months}; expected one each for {WANTED}.",
        f"Du {args.from_date:%d/%m/%Y} au {args.to_date:%d/%m/%Y} le rattrapage crée {len(runs)} exécution(s), "
        f"pour {months} ; attendu une pour chacun de {WANTED}.",
        "A run's logical date is the start of its data interval, the 15th of the month it processes "
        "(read the DAG's docstring); both dates of the window are inclusive.",
        "La date logique d'une exécution est le début de son intervalle de données, le 15 du mois qu'elle traite "
        "(lisez la docstring du DAG) ; les deux dates de la fenêtre sont incluses.",
    )
    return runs


def test_backfill_creates_one_run_per_month_july_to_september(dag):
    check_months(dag)


def test_each_backfilled_run_matches_bottleneck_run(dag, tmp_path, monkeypatch):
    import pendulum

    import bottleneck_testkit as testing

    runs = check_months(dag)
    airflow_kit.migrate_db()
    data = testing.use_data_dir(tmp_path / "data", monkeypatch)
    for info in runs:
        month = month_of(info)
        testing.sample_month(month, data)
        expected = testing.core_outputs(month, testing.sample_month(month, tmp_path / "core"), tmp_path / "core")
        # dag.test() infers the data interval that ENDS at its logical date: the backfill run's one.
        run = dag.test(logical_date=pendulum.instance(info.data_interval.end))
        assert pendulum.instance(run.data_interval_start) == pendulum.instance(info.data_interval.start), (
            "checker: not the backfill's interval"
        )
        expect(
            str(run.state) == "success",
            f"The run for {month} ended {run.state}.",
            f"L'exécution de {month} a fini en {run.state}.",
        )
        testing.assert_same_outputs(expected, data / "output" / month)
