"""Lineage diagrams drawn from the step graph: Mermaid for the docs, draw.io for the course."""

from __future__ import annotations

from html import escape

from . import graph


def _attr(value: str) -> str:
    """An XML attribute value, quoted (html.escape: xml.sax.saxutils would import urllib)."""
    return f'"{escape(value, quote=True)}"'


def _nodes() -> list[tuple[str, str, int]]:
    """(id, kind, rank) for every source, step and table, in a stable order."""
    rank: dict[str, int] = {}
    nodes = []
    for step in graph.STEPS:
        for item in step.inputs:
            if item not in rank:
                rank[item] = 0
                nodes.append((item, "source", 0))
        rank[step.name] = max(rank[i] for i in step.inputs) + 1
        nodes.append((step.name, "step", rank[step.name]))
        for out in step.outputs:
            rank[out] = rank[step.name] + 1
            nodes.append((out, "table" if out in graph.TABLES else "file", rank[out]))
    return nodes


def _edges() -> list[tuple[str, str]]:
    return [(i, s.name) for s in graph.STEPS for i in s.inputs] + [(s.name, o) for s in graph.STEPS for o in s.outputs]


def _id(name: str) -> str:
    return name.replace(":", "_").replace(".", "_")


def _label(name: str, kind: str) -> str:
    if kind != "source":
        return name
    from .sources import SOURCES

    return f"{SOURCES[name.split(':')[1]].stems[0]}.xlsx"


def mermaid() -> str:
    shapes = {"source": '[/"{}"/]', "step": '("{}")', "table": '[("{}")]', "file": '[["{}"]]'}
    lines = ["flowchart LR"]
    for name, kind, _ in _nodes():
        label = _label(name, kind)
        if kind == "step":
            label = f"{name}<br/>{len(graph.get(name).checks)} check(s)"
        lines.append(f"    {_id(name)}{shapes[kind].format(label)}")
    lines += [f"    {_id(a)} --> {_id(b)}" for a, b in _edges()]
    lines += ["    classDef step fill:#e8f0fe,stroke:#3367d6", "    classDef source fill:#fef7e0,stroke:#b06000"]
    lines.append("    class " + ",".join(s.name for s in graph.STEPS) + " step")
    return "\n".join(lines) + "\n"


def drawio() -> str:
    styles = {
        "source": "shape=parallelogram;perimeter=parallelogramPerimeter;fillColor=#fef7e0;strokeColor=#b06000;",
        "step": "rounded=1;whiteSpace=wrap;fillColor=#e8f0fe;strokeColor=#3367d6;",
        "table": "shape=cylinder3;whiteSpace=wrap;boundedLbl=1;size=8;fillColor=#f1f3f4;",
        "file": "shape=document;whiteSpace=wrap;fillColor=#e6f4ea;strokeColor=#137333;",
    }
    cells = ['<mxCell id="0"/>', '<mxCell id="1" parent="0"/>']
    row: dict[int, int] = {}
    for name, kind, rank in _nodes():
        y = row.get(rank, 0)
        row[rank] = y + 1
        cells.append(
            f'<mxCell id={_attr(_id(name))} value={_attr(_label(name, kind))} style="{styles[kind]}" vertex="1" parent="1">'
            f'<mxGeometry x="{rank * 170}" y="{y * 70}" width="140" height="46" as="geometry"/></mxCell>'
        )
    for n, (a, b) in enumerate(_edges()):
        cells.append(
            f'<mxCell id="e{n}" style="endArrow=block;html=1;" edge="1" parent="1" source={_attr(_id(a))} '
            f'target={_attr(_id(b))}><mxGeometry relative="1" as="geometry"/></mxCell>'
        )
    body = "\n        ".join(cells)
    return (
        '<mxfile host="bottleneck-core">\n  <diagram id="lineage" name="BottleNeck lineage">\n'
        f"    <mxGraphModel><root>\n        {body}\n    </root></mxGraphModel>\n  </diagram>\n</mxfile>\n"
    )
