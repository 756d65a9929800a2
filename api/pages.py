"""HTML pages for people: Jinja2 templates (``api/templates``, autoescaped) on one base layout.

Every page is one negotiated representation of a resource that also answers JSON or RDF; routes
pick HTML with :data:`HTML` and call :func:`page`. Pages load nothing but the app's own files
(``/static``): the Content-Security-Policy below allows exactly that, so they work offline.
"""

from pathlib import Path

import jinja2
from fastapi import Request, Response
from fastapi.templating import Jinja2Templates

from api.rendering import Offer

HTML = Offer("html", "text/html", ("application/xhtml+xml",))
#: Scripts, styles, fonts, images and fetches from the app itself only; no frames, no plugins.
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
#: The API docs' vendor code (Swagger UI, ReDoc) sets styles inline and ReDoc starts a blob worker.
DOCS_CSP = CSP.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'") + "; worker-src blob:"
#: The SPARQL editor (YASGUI, CodeMirror) writes style attributes into the markup it builds.
EDITOR_CSP = CSP.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")
#: OpenAPI for routes that answer JSON or, to a browser, an HTML page.
PAGES = {
    "responses": {
        "200": {"description": "JSON, or a page for people", "content": {"application/json": {}, "text/html": {}}}
    }
}

TEMPLATE_DIR = Path(__file__).parent / "templates"
STATIC_DIR = Path(__file__).parent / "static"

#: Autoescaping everywhere (the SVG partials too, not only ``*.html``).
_ENV = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATE_DIR), autoescape=True, trim_blocks=True, lstrip_blocks=True
)
templates = Jinja2Templates(env=_ENV)

#: The navigation every page shows: (label, path).
NAV = (
    ("Models", "/"),
    ("Principles", "/principles"),
    ("SPARQL", "/sparql"),
    ("Named queries", "/queries"),
    ("Ontology", "/ontology"),
    ("API docs", "/docs"),
)


def page(request: Request, template: str, *, status_code: int = 200, csp: str = CSP, **context: object) -> Response:
    """``template`` rendered with ``context`` (plus ``nav`` and ``path``), under the page CSP."""
    response = templates.TemplateResponse(
        request,
        template,
        {"nav": NAV, "path": request.url.path, **context},
        status_code=status_code,
        headers={"Content-Security-Policy": csp, "Vary": "Accept"},
    )
    return response
