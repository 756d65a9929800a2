"""``/docs`` (Swagger UI), served from the app itself: no CDN, works offline.

The assets come from the ``fastapi-offline`` wheel (Swagger UI 5; mounted at ``/static/docs``); the
page starts it with a script file of ours, so the CSP needs no inline script. There is no ReDoc page:
ReDoc 2 always loads its logo from its CDN (a console error offline, under any CSP that blocks it).
"""

from importlib.resources import files

from fastapi import APIRouter, Request, Response
from fastapi.staticfiles import StaticFiles

from api.pages import DOCS_CSP, page

router = APIRouter(include_in_schema=False)

#: The folder of Swagger UI's and ReDoc's files inside the installed fastapi-offline package.
ASSETS = StaticFiles(directory=str(files("fastapi_offline") / "static"))


@router.get("/docs")
def swagger_ui(request: Request) -> Response:
    return page(request, "docs.html", title="HTTP API", csp=DOCS_CSP, openapi=request.app.openapi_url)
