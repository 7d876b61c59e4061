"""Regenerate docs/lineage.md, docs/lineage.fr.md and docs/lineage.drawio from core's step graph.

Run by `make lineage`; a test fails when the committed files are out of date.
"""

from __future__ import annotations

import sys
from pathlib import Path

from bottleneck_core import graph, lineage

DOCS = Path(__file__).resolve().parents[1] / "docs"
HEAD = {
    "en": (
        "# Lineage\n\nGenerated from core's step graph by `make lineage`: do not edit by hand.\n"
        "The same diagram as a draw.io file: [lineage.drawio](lineage.drawio).\n"
    ),
    "fr": (
        "# Lignage\n\nGénéré à partir du graphe des étapes du cœur par `make lineage` : ne pas modifier à la main.\n"
        "Le même schéma en fichier draw.io : [lineage.drawio](lineage.drawio).\n"
    ),
}
TABLE = {
    "en": "| step | reads | writes | quality checks | what it does |\n|---|---|---|---|---|\n",
    "fr": "| étape | lit | écrit | contrôles qualité | ce qu'elle fait |\n|---|---|---|---|---|\n",
}


def render(lang: str) -> str:
    rows = "".join(
        f"| `{s.name}` | {', '.join(s.inputs)} | {', '.join(s.outputs)} | {', '.join(s.checks)} | "
        f"{s.fr if lang == 'fr' else s.en} |\n"
        for s in graph.STEPS
    )
    return f"{HEAD[lang]}\n```mermaid\n{lineage.mermaid()}```\n\n{TABLE[lang]}{rows}"


def files() -> dict[Path, str]:
    return {
        DOCS / "lineage.md": render("en"),
        DOCS / "lineage.fr.md": render("fr"),
        DOCS / "lineage.drawio": lineage.drawio(),
    }


if __name__ == "__main__":
    for path, text in files().items():
        path.write_text(text, encoding="utf-8")
        print(path, file=sys.stderr)
