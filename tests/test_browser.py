"""The pages in a real browser (issue 12): Debian's chromium driven by Playwright, against one live
uvicorn server, with the network closed (every request not to the app's own origin is aborted and
recorded), no console errors, and axe-core finding no serious or critical accessibility violation.

Screenshots go to ``tests/out/`` (git-ignored) so a person can look at what the tests saw.
"""

import json
import shutil
from importlib.resources import files
from pathlib import Path

import httpx
import pytest

from api.app import create_app
from kg.ingest import read_source
from kg.settings import Settings
from kg.store import EmbeddedStore
from kg.validation.bundled import bundled_shapes
from kg.validation.runs import Runs
from kg.workspace import Workspace, load_examples
from tests.servers import api_server

playwright_api = pytest.importorskip("playwright.sync_api")

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
OUT = Path(__file__).parent / "out"
AXE = (files("axe_playwright_python") / "axe.min.js").read_text(encoding="utf-8")


def big_model(systems: int = 30) -> bytes:
    """A model whose every work system is one bare activity: several findings each (300+ in all)."""
    lines = [
        "@prefix sts: <https://w3id.org/stskg/ontology#> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .",
    ]
    for i in range(systems):
        lines.append(
            f'<https://example.org/big/ws{i}> a sts:WorkSystem ; rdfs:label "work system {i}" ; '
            f"sts:hasActivity <https://example.org/big/act{i}> ."
        )
        lines.append(f'<https://example.org/big/act{i}> a sts:Activity ; rdfs:label "activity {i}" .')
    return "\n".join(lines).encode()


BAD = "s1-ed-ct-alert-bad"
ODD = b"""
@prefix sts: <https://w3id.org/stskg/ontology#> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<https://example.org/odd> a sts:WorkSystem ; rdfs:label "Odd <i>work</i> & co" ;
    sts:hasActivity <https://example.org/act> .
<https://example.org/act> a sts:Activity ; rdfs:label "<script>document.title='pwned'</script>" .
"""


def _workspace() -> Workspace:
    workspace = Workspace.open(EmbeddedStore(None))
    load_examples(workspace.catalog, max_bytes=10_000_000)
    workspace.catalog.put("odd", read_source(ODD, format="turtle", name="odd.ttl", max_bytes=10_000))
    workspace.catalog.put("big", read_source(big_model(), format="turtle", name="big.ttl", max_bytes=1_000_000))
    runs = Runs(workspace.catalog)
    for info in workspace.catalog.models():
        if info.id != "s0-data-poor":  # one model stays unvalidated, as a new one would be
            runs.run(info.id, bundled_shapes())
    return workspace


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> str:
    settings = Settings(data_dir=tmp_path_factory.mktemp("browser"), write_tokens=["w" * 32])
    with api_server(create_app(settings, workspace=_workspace())) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    assert shutil.which(CHROMIUM), "chromium is not installed: apt-get install -y chromium (scripts/test does)"
    with playwright_api.sync_playwright() as driver:
        chromium = driver.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


class Watch:
    """What a page did that it should not: requests off the app's origin, console errors."""

    def __init__(self) -> None:
        self.foreign: list[str] = []
        self.errors: list[str] = []


@pytest.fixture
def page(browser, site):
    OUT.mkdir(exist_ok=True)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    watch = Watch()

    def gate(route):
        if route.request.url.startswith(site + "/") or route.request.url == site:
            route.continue_()
        else:
            watch.foreign.append(route.request.url)
            route.abort()

    context.route("**/*", gate)
    tab = context.new_page()
    tab.on("console", lambda message: message.type == "error" and watch.errors.append(message.text))
    tab.on("pageerror", lambda error: watch.errors.append(str(error)))
    tab.watch = watch
    yield tab
    context.close()
    assert watch.foreign == [], "the page tried to reach the network"
    assert watch.errors == [], "the browser console reported errors"


def accessible(page, name: str) -> None:
    """axe-core on the page: no serious or critical violation; a full-page screenshot is kept."""
    page.screenshot(path=str(OUT / f"{name}.png"), full_page=True)
    page.evaluate(AXE)  # evaluated by the driver, not as a page script, so the CSP does not apply
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    bad = [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes'][:3]]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert bad == [], f"{name}: accessibility violations"


def test_a_person_goes_from_home_to_model_report_diagram_and_editor(page, site):
    """Home -> a model -> its report -> a work system's diagram -> the SPARQL editor, where a query
    shows rows: all offline, without console errors, accessible (issue 12)."""
    page.goto(site + "/")
    assert page.title() == "Models · stskg"
    row = page.locator("tr", has=page.locator(f"code:text-is('{BAD}')"))
    latest = {m["id"]: m["latestValidation"] for m in httpx.get(site + "/").json()["models"]}
    shown = row.locator(".badge.Warning").first.inner_text().split()[0]
    assert shown == str(latest[BAD]["counts"]["Warning"]) != "0"
    accessible(page, "home")

    row.locator("a").first.click()
    page.wait_for_url(f"{site}/models/{BAD}")
    assert page.locator("h2", has_text="Work systems").is_visible()
    accessible(page, "model")

    page.get_by_role("link", name="report").click()
    page.wait_for_url(f"{site}/models/{BAD}/validation")
    assert page.locator("h2#summary-h").inner_text() == "Summary"
    assert page.locator("figure.chart svg rect").count() >= 1
    first_group = page.locator(".principle-group h3 a").first
    assert first_group.get_attribute("href").startswith("/principles/")
    assert "https://" not in page.locator(".principle-group").first.inner_text()  # names, not IRIs
    accessible(page, "report")

    page.locator("a", has_text="snapshot:").first.click()
    page.wait_for_load_state()
    assert "/snapshots/" in page.url
    diagram = page.locator(".diagram svg")
    assert diagram.locator("rect.node.activity").count() >= 2
    assert diagram.locator("rect.node.flagged").count() >= 1  # the finding's element is marked
    assert diagram.locator("text.lane-title", has_text="Participants").count() == 1
    accessible(page, "snapshot")

    page.get_by_role("link", name="SPARQL", exact=True).click()
    page.wait_for_url(f"{site}/sparql")
    page.locator(".yasqe .CodeMirror").wait_for()
    page.locator(".yasqe_queryButton").click()
    rows = page.locator(".yasr table tbody tr")
    rows.first.wait_for(timeout=15_000)
    assert rows.count() >= 5
    assert "Configure and support the eMAR" in page.locator(".yasr").inner_text()
    page.screenshot(path=str(OUT / "sparql.png"), full_page=True)


def test_a_report_of_300_findings_is_usable(page, site):
    """300+ findings: summary on top, rule groups folded, the page stays short, filters narrow it."""
    page.goto(site + "/models/big/validation")
    total = int(page.locator("p[role=status]").inner_text().split(" of ")[1].split()[0])
    assert total >= 300
    closed = page.locator("details.rule:not([open])").count()
    assert closed >= 1  # big rule groups start folded
    height = page.evaluate("document.body.scrollHeight")
    assert height < 6000, f"the page is {height}px tall"
    accessible(page, "report-big")
    page.locator("input[name=severity][value=Warning]").check()
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url("**severity=Warning**")
    shown = int(page.locator("p[role=status]").inner_text().split()[1])
    assert 0 < shown < total
    assert page.locator("details.rule .badge.Violation").count() == 0


def test_hostile_labels_stay_text(page, site):
    """A label holding markup is shown as text: no script runs, the title is the label."""
    page.goto(site + "/models/odd/snapshots/odd")
    assert page.title() == "Snapshot: Odd <i>work</i> & co · stskg"
    assert page.locator("main i").count() == 0
    assert "<script>document.title='pwned'</script>" in page.locator(".snapshot").inner_text()


def test_docs_principles_and_query_forms_work_offline(page, site):
    """Swagger UI renders from local files; a principle lists its rules; a query has a form."""
    page.goto(site + "/docs")
    page.locator(".swagger-ui .opblock").first.wait_for(timeout=20_000)
    assert page.locator(".swagger-ui .opblock").count() > 20
    page.screenshot(path=str(OUT / "docs.png"))
    page.goto(site + "/principles/Multifunctionality")
    assert page.locator("h1").inner_text() == "multifunctionality (organism versus mechanism)"
    accessible(page, "principle")
    page.goto(site + "/queries/critical-activities")
    page.locator("select[name=model]").select_option(BAD)
    accessible(page, "query-form")
    page.locator("select[name=format]").select_option("json")
    page.get_by_role("button", name="Run").click()
    page.wait_for_url("**/queries/critical-activities?*")
    assert "format=json" in page.url and f"model={BAD}" in page.url
    rows = json.loads(page.locator("body").inner_text())["results"]["bindings"]
    assert rows and rows[0]["shortfall"]["value"] == "true"
