"""HTML pages for people: work-system snapshots and principles. Every text from data is escaped.

The pages are self-contained (inline CSS, no scripts, nothing fetched from elsewhere), so they work
offline and under a strict Content-Security-Policy.
"""

from collections.abc import Iterable
from html import escape
from urllib.parse import quote

from fastapi import Response

from api.rendering import Offer
from kg.principles import Link, Principle, Principles
from kg.snapshot import Snapshot, WorkSystem, local_name

HTML = Offer("html", "text/html", ("application/xhtml+xml",))
#: No scripts, no remote anything: the pages need nothing but their own inline styles.
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; base-uri 'none'; form-action 'none'"
#: OpenAPI for routes that answer JSON or, to a browser, an HTML page.
PAGES = {
    "responses": {
        "200": {"description": "JSON, or a page for people", "content": {"application/json": {}, "text/html": {}}}
    }
}

_STYLE = """
body { font-family: system-ui, sans-serif; margin: 1.5rem auto; max-width: 72rem; padding: 0 1rem; color: #1b1b1b; }
h1 { font-size: 1.5rem; margin-bottom: .2rem; } .meta { color: #555; margin-top: 0; }
.snapshot { display: grid; grid-template-columns: repeat(3, 1fr); gap: .8rem; }
.snapshot section { border: 2px solid #345; border-radius: .4rem; padding: .4rem .8rem; }
.snapshot section.wide { grid-column: span 3; } .snapshot .customers, .snapshot .products { grid-column: span 3; }
.snapshot h2 { font-size: 1rem; margin: .2rem 0 .4rem; color: #234; } .none { color: #a33; font-style: italic; }
ul { margin: 0; padding-left: 1.2rem; } li { margin: .1rem 0; }
.principle { border-top: 1px solid #ccc; padding: .5rem 0; } .principle h3 { margin: .2rem 0; font-size: 1.05rem; }
.label { font-weight: 600; } .source { color: #444; font-size: .9rem; } .note { color: #7a5200; font-size: .9rem; }
nav a { margin-right: .8rem; } code { font-size: .85rem; }
"""


def _page(title: str, body: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{escape(title)}</title>\n<style>{_STYLE}</style>\n</head>\n<body>\n{body}\n</body>\n</html>\n"
    )


def html_response(text: str) -> Response:
    """An HTML page with a Content-Security-Policy that allows nothing but its inline style."""
    return Response(text, media_type="text/html; charset=utf-8", headers={"Content-Security-Policy": CSP})


def _list(items: Iterable[str], empty: str = "none stated") -> str:
    rows = [f"<li>{item}</li>" for item in items]
    return f"<ul>{''.join(rows)}</ul>" if rows else f'<p class="none">{escape(empty)}</p>'


# -- snapshots ------------------------------------------------------------------------------------


def snapshot_page(snap: Snapshot, list_path: str) -> str:
    """Alter's one-page snapshot: customers and products/services on top, activities in the
    middle, participants, information and technologies below. ``list_path`` is the URL path of
    the model's list of work systems."""
    ws = snap.work_system
    boxes = []
    for key, heading, items in snap.elements():
        entries = (f'<span title="{escape(item.iri)}">{escape(item.label)}</span>' for item in items)
        wide = " wide" if key == "activities" else ""
        boxes.append(f'<section class="{key}{wide}" id="{key}"><h2>{escape(heading)}</h2>{_list(entries)}</section>')
    body = (
        f'<nav><a href="{escape(list_path)}">All work systems of {escape(snap.model)}</a>'
        f'<a href="/principles">Principles</a></nav>\n'
        f"<h1>{escape(ws.label)}</h1>\n"
        f'<p class="meta">Work system snapshot &middot; model <code>{escape(snap.model)}</code> &middot; '
        f"{escape(local_name(ws.type))}{_status(ws)} &middot; <code>{escape(ws.iri)}</code></p>\n"
        f'<div class="snapshot">{"".join(boxes)}</div>'
    )
    return _page(f"Snapshot: {ws.label}", body)


def _status(ws: WorkSystem) -> str:
    return f"; {escape(local_name(ws.status))}" if ws.status else ""


def snapshots_page(model_id: str, systems: list[WorkSystem], list_path: str) -> str:
    """The work systems of a model, each linking to its snapshot (under ``list_path``)."""
    entries = (
        f'<a href="{escape(list_path)}/{quote(ws.name, safe="")}">{escape(ws.label)}</a> '
        f'<span class="source">({escape(local_name(ws.type))}{_status(ws)})</span>'
        for ws in systems
    )
    body = f"<h1>Work systems of {escape(model_id)}</h1>\n{_list(entries, 'this model has no work systems')}"
    return _page(f"Work systems of {model_id}", body)


# -- principles -----------------------------------------------------------------------------------


def _link(link: Link) -> str:
    if link.principle is None:
        return f'<span title="{escape(link.iri)}">{escape(link.label)}</span>'
    return f'<a href="/principles/{quote(link.principle, safe="")}">{escape(link.label)}</a>'


def _principle(principle: Principle, heading: str = "h3") -> str:
    parts = [
        f'<{heading}><a href="/principles/{quote(principle.name, safe="")}">{escape(principle.label)}</a></{heading}>'
    ]
    if principle.statement:
        parts.append(f'<p class="statement">{escape(principle.statement)}</p>')
    if principle.rationale:
        parts.append(f'<p class="rationale"><span class="label">Why:</span> {escape(principle.rationale)}</p>')
    for source in principle.sources:
        parts.append(f'<p class="source">Source: {escape(source)}</p>')
    for title, names in (
        ("Broader", principle.broader),
        ("Narrower", principle.narrower),
        ("Related", principle.related),
        ("In tension with", principle.in_tension_with),
    ):
        if names:
            parts.append(f'<p class="links">{title}: {", ".join(_link(link) for link in names)}</p>')
    if principle.note:
        parts.append(f'<p class="note">{escape(principle.note)}</p>')
    return f'<div class="principle">{"".join(parts)}</div>'


def principles_page(principles: Principles) -> str:
    """Every principle with its statement, rationale, sources and links, grouped by scheme."""
    sections = []
    for scheme in principles.schemes:
        members = "".join(_principle(principles.principles[name]) for name in scheme.principles)
        definition = f"<p>{escape(scheme.definition)}</p>" if scheme.definition else ""
        sections.append(
            f'<section class="scheme" id="{escape(scheme.name)}"><h2>{escape(scheme.label)}</h2>'
            f"{definition}{members}</section>"
        )
    body = (
        f'<h1>Principles</h1>\n<p class="meta">{len(principles.principles)} principles in '
        f"{len(principles.schemes)} schemes; each validation finding leads to one of them.</p>\n{''.join(sections)}"
    )
    return _page("stskg principles", body)


def principle_page(principle: Principle, principles: Principles) -> str:
    """One principle on its own page."""
    schemes = {scheme.name: scheme.label for scheme in principles.schemes}
    in_schemes = ", ".join(escape(schemes.get(name, name)) for name in principle.schemes)
    body = (
        '<nav><a href="/principles">All principles</a></nav>\n'
        f'{_principle(principle, "h1")}\n<p class="meta">In: {in_schemes}</p>'
    )
    return _page(principle.label, body)
