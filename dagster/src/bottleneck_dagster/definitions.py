"""Entry point Dagster loads (`dagster dev -m bottleneck_dagster.definitions`, `dg dev`, the
gRPC code server in compose): every definition under defs/ is discovered automatically."""

from pathlib import Path

from dagster import definitions, load_from_defs_folder


@definitions
def defs():
    return load_from_defs_folder(path_within_project=Path(__file__).parent)
