"""Geometry of the work-system diagram: a :class:`kg.snapshot.Snapshot` laid out as boxes in lanes.

Alter's snapshot as a picture: customers and products/services on top, the activities in process
order (``sts:precedes``, :func:`kg.elements.process_order`) with arrows for the flow, then
participants, information and technologies. Elements with findings are marked with their count.
The template ``diagram.svg`` draws what :func:`layout` computes; nothing here writes markup.
"""

from dataclasses import dataclass, field

from kg.elements import process_order
from kg.snapshot import Item, Snapshot

WIDTH = 1120
NODE_W, NODE_H, GAP, PAD, TITLE = 168, 46, 14, 12, 24


@dataclass
class Node:
    iri: str
    lines: list[str]
    label: str
    x: float
    y: float
    kind: str
    findings: int = 0
    who: str = ""


@dataclass
class Lane:
    key: str
    title: str
    x: float
    y: float
    w: float
    h: float
    empty: bool


@dataclass
class Diagram:
    width: int
    height: int
    lanes: list[Lane] = field(default_factory=list)
    nodes: list[Node] = field(default_factory=list)
    arrows: list[tuple[float, float, float, float]] = field(default_factory=list)
    node_w: int = NODE_W
    node_h: int = NODE_H


def _lines(text: str, width: int = 24, count: int = 2) -> list[str]:
    """``text`` wrapped into at most ``count`` lines of about ``width`` characters (… when cut)."""
    words, lines, current = text.split(), [], ""
    for word in words:
        if current and len(current) + 1 + len(word) > width:
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}".strip()
    lines.append(current)
    if len(lines) > count:
        lines = lines[:count]
        lines[-1] = lines[-1][: width - 1].rstrip() + "…"
    return [line if len(line) <= width + 4 else line[: width + 3] + "…" for line in lines]


def _grid(items: list[Item], kind: str, x: float, y: float, w: float, flagged: dict[str, int]) -> tuple[list, float]:
    """Nodes for ``items`` in rows filling a lane of width ``w``; returns the nodes and the lane height."""
    per_row = max(1, int((w - PAD) // (NODE_W + GAP)))
    nodes = []
    for index, item in enumerate(items):
        row, column = divmod(index, per_row)
        nodes.append(
            Node(
                item.iri,
                _lines(item.label),
                item.label,
                x + PAD + column * (NODE_W + GAP),
                y + TITLE + PAD + row * (NODE_H + GAP),
                kind,
                flagged.get(item.iri, 0),
                ", ".join(item.played_by),
            )
        )
    rows = max(1, -(-len(items) // per_row))
    return nodes, TITLE + 2 * PAD + rows * NODE_H + (rows - 1) * GAP


def layout(snap: Snapshot, flow: list[tuple[str, str]], flagged: dict[str, int]) -> Diagram:
    """The diagram of ``snap``; ``flow`` holds ``(earlier, later)`` activity pairs and ``flagged``
    the number of findings per element IRI."""
    diagram = Diagram(WIDTH, 0)
    y = 0.0
    for row in (
        (("customers", "Customers", snap.customers), ("products", "Products and services", snap.products)),
        None,
        (
            ("participants", "Participants", snap.participants),
            ("information", "Information", snap.information),
            ("technologies", "Technologies", snap.technologies),
        ),
    ):
        if row is None:
            y += _activities(diagram, snap, flow, flagged, y) + GAP
            continue
        w = (WIDTH - GAP * (len(row) - 1)) / len(row)
        height = 0.0
        placed = []
        for index, (key, title, items) in enumerate(row):
            x = index * (w + GAP)
            nodes, h = _grid(items, key, x, y, w, flagged)
            diagram.nodes += nodes
            placed.append((key, title, x, not items))
            height = max(height, h)
        diagram.lanes += [Lane(key, title, x, y, w, height, empty) for key, title, x, empty in placed]
        y += height + GAP
    diagram.height = int(y)
    return diagram


def _activities(diagram: Diagram, snap: Snapshot, flow, flagged, y: float) -> float:
    by_iri = {item.iri: item for item in snap.activities}
    columns = process_order(by_iri, flow)
    per_column = max((len(c) for c in columns), default=1)
    step = NODE_W + 3 * GAP
    # Too many columns for the width: wrap the process onto several bands.
    per_band = max(1, int((WIDTH - PAD) // step))
    bands = [columns[i : i + per_band] for i in range(0, len(columns), per_band)] or [[]]
    band_h = per_column * (NODE_H + GAP)
    where: dict[str, tuple[float, float]] = {}
    for b, band in enumerate(bands):
        for c, column in enumerate(band):
            for r, iri in enumerate(column):
                item = by_iri[iri]
                x, top = PAD + c * step, y + TITLE + PAD + b * (band_h + GAP) + r * (NODE_H + GAP)
                where[iri] = (x, top)
                diagram.nodes.append(Node(iri, _lines(item.label), item.label, x, top, "activity", flagged.get(iri, 0)))
    for start, end in flow:
        if start in where and end in where and start != end:
            (x1, y1), (x2, y2) = where[start], where[end]
            if x2 > x1:
                diagram.arrows.append((x1 + NODE_W, y1 + NODE_H / 2, x2 - 2, y2 + NODE_H / 2))
            else:  # back to an earlier column or onto the next band: from the bottom to the top
                diagram.arrows.append((x1 + NODE_W / 2, y1 + NODE_H, x2 + NODE_W / 2, y2 - 2))
    height = TITLE + 2 * PAD + len(bands) * band_h + (len(bands) - 1) * GAP - GAP
    diagram.lanes.append(Lane("activities", "Major activities and processes", 0, y, WIDTH, height, not by_iri))
    return height
