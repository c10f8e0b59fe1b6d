"""The analyst's web UI in headless Chromium against a real server holding the demo survey (both waves).

Chromium is the Debian package (``/usr/bin/chromium``), driven by Playwright without ``playwright install``; the
tests skip with the reason when it is absent. Every request the pages make is recorded and must stay on
127.0.0.1. Screenshots go to ``test-artifacts/`` (the README's two to ``docs/screenshots/`` with
VCGRAPH_UPDATE_SCREENSHOTS=1).
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

import httpx
import pytest
import uvicorn

from vcgraph.config import Settings
from vcgraph.http.app import create_app
from vcgraph.report import build_report
from vcgraph.service.ingest import ensure_reference_data, ingest_survey
from vcgraph.store.oxigraph import OxigraphStore

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "data" / "demo"
ARTIFACTS = ROOT / "test-artifacts"
# The README's screenshots are refreshed only on request (VCGRAPH_UPDATE_SCREENSHOTS=1), so a test run never
# leaves the checkout modified; by default they go with the other artifacts.
SCREENSHOTS = ROOT / "docs" / "screenshots" if os.environ.get("VCGRAPH_UPDATE_SCREENSHOTS") else ARTIFACTS
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# The questions run real SPARQL over the demo graph; on a shared CI machine a view can take a while.
VIEW_TIMEOUT_MS = 240_000

playwright_api = pytest.importorskip(
    "playwright.sync_api", reason="Playwright is not installed (pip install playwright)"
)
if not Path(CHROMIUM).exists():
    pytest.skip("Chromium is not installed (Debian packages chromium and chromium-driver)", allow_module_level=True)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class DemoServer:
    base_url: str
    store: OxigraphStore
    settings: Settings


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoServer]:
    directory = tmp_path_factory.mktemp("ui-demo")
    settings = Settings(store=str(directory / "store"), home=ROOT)
    store = OxigraphStore(directory / "store")
    ensure_reference_data(store, settings)
    for wave in ("2025-W1", "2026-W1"):
        report = ingest_survey(store, settings, DEMO / f"survey-{wave}.csv", wave)
        assert report.written, report.errors
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings, store), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "uvicorn did not start"
        time.sleep(0.05)
    yield DemoServer(f"http://127.0.0.1:{port}", store, settings)
    server.should_exit = True
    thread.join(timeout=30)
    store.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with playwright_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@dataclass
class Recorded:
    """What a page asked for and complained about."""

    requests: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)

    def foreign(self) -> list[str]:
        """Requests that left this machine's loopback (data: and blob: URLs never leave the page)."""
        return [
            url
            for url in self.requests
            if urlsplit(url).scheme not in ("data", "blob") and urlsplit(url).hostname != "127.0.0.1"
        ]


@pytest.fixture
def recorded() -> Recorded:
    return Recorded()


@pytest.fixture
def page(
    browser: Browser, demo_server: DemoServer, recorded: Recorded, request: pytest.FixtureRequest
) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="en-GB", accept_downloads=True)
    opened = context.new_page()
    opened.on("request", lambda req: recorded.requests.append(req.url))
    opened.on("console", lambda msg: recorded.console_errors.append(msg.text) if msg.type == "error" else None)
    opened.on("pageerror", lambda error: recorded.console_errors.append(str(error)))
    opened.set_default_timeout(VIEW_TIMEOUT_MS)
    yield opened
    ARTIFACTS.mkdir(exist_ok=True)
    opened.screenshot(path=str(ARTIFACTS / f"ui-{request.node.name}.png"), full_page=True)
    context.close()


def open_view(page: Page, demo_server: DemoServer, view: str) -> None:
    page.goto(f"{demo_server.base_url}/ui/#/{view}")
    wait_for_view(page, view.split("/")[0].split("?")[0])


def wait_for_view(page: Page, name: str) -> None:
    page.wait_for_selector(f"main[data-ready='{name}'][aria-busy='false']", timeout=VIEW_TIMEOUT_MS)


def test_the_server_root_leads_to_the_ui_page_with_a_strict_csp(demo_server: DemoServer) -> None:
    response = httpx.get(demo_server.base_url + "/", follow_redirects=True, timeout=30)
    assert response.url.path == "/ui/"
    policy = response.headers["content-security-policy"]
    assert "default-src 'none'" in policy
    assert "connect-src 'self'" in policy
    assert "script-src 'self'" in policy


def test_home_draws_the_chain_in_stage_order_with_counts_per_region_and_marks_the_gaps(
    page: Page, demo_server: DemoServer
) -> None:
    open_view(page, demo_server, "home")
    stages = page.locator(".chain .stage .notation").all_inner_texts()
    assert stages == [f"S{n:02d}" for n in range(1, 17)]
    api = httpx.get(
        demo_server.base_url + "/api/gaps/coverage", params={"regions": "BE3,FRK"}, timeout=VIEW_TIMEOUT_MS / 1000
    ).json()
    gaps = sum(1 for item in api["items"] for code in ("BE3", "FRK") if item["actors_by_region"][code] == 0)
    assert page.locator(".chain .count.gap").count() == gaps > 0
    # the demo's known gap: nobody in Wallonia offers S15 patient interface
    s15_be3 = page.locator(".chain .stage").nth(14).locator(".count").first
    assert "gap" in (s15_be3.get_attribute("class") or "")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "home.png"))


def test_a_product_class_filter_keeps_only_its_relevant_stages(page: Page, demo_server: DemoServer) -> None:
    open_view(page, demo_server, "home")
    page.select_option("#f-pc", "P08")
    wait_for_view(page, "home")
    api = httpx.get(
        demo_server.base_url + "/api/gaps/coverage",
        params={"regions": "BE3,FRK", "product_class": "P08"},
        timeout=VIEW_TIMEOUT_MS / 1000,
    ).json()
    shown = page.locator(".chain .stage .notation").all_inner_texts()
    assert shown == [item["notation"] for item in api["items"]]
    assert len(shown) < 16


def test_a_heatmap_cell_clicks_through_to_the_actors_and_responses_behind_it(
    page: Page, demo_server: DemoServer
) -> None:
    open_view(page, demo_server, "heatmap")
    cell = page.locator(".heatmap button[data-stage='S04'][data-region='BE3']")
    count = int(cell.inner_text())
    cell.click()
    dialog = page.locator("#detail")
    dialog.locator("table.evidence tbody tr").first.wait_for()
    assert dialog.locator("table.evidence tbody tr").count() == count
    assert dialog.locator("a[href^='/id/wave/2026-W1/response/']").count() == count
    page.keyboard.press("Escape")
    assert not dialog.is_visible()


def test_an_unmet_need_opens_its_evidence_organisation_wave_and_response(page: Page, demo_server: DemoServer) -> None:
    open_view(page, demo_server, "gaps/needs")
    row = page.locator("table tbody tr", has_text="TissuLab")
    row.get_by_role("button", name="Evidence").click()
    dialog = page.locator("#detail")
    dialog.wait_for()
    text = dialog.inner_text()
    assert "TissuLab Wallonie SRL" in text
    assert "2026-W1" in text
    assert "T18.01" in text
    response_link = dialog.locator("a[href*='/response/R2026-']").first
    href = response_link.get_attribute("href") or ""
    assert httpx.get(demo_server.base_url + href, timeout=60).status_code == 200


def test_a_gaps_table_sorts_by_a_column_and_downloads_as_csv(page: Page, demo_server: DemoServer) -> None:
    open_view(page, demo_server, "gaps/skills")
    header = page.get_by_role("button", name=re.compile("sort by Actors reporting"))
    header.click()
    header.click()
    assert page.locator("th[aria-sort='descending']").count() == 1
    counts = [int(v) for v in page.locator("table tbody tr td:nth-child(2)").all_inner_texts()]
    assert counts == sorted(counts, reverse=True)
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download CSV").click()
    download = download_info.value
    saved = ARTIFACTS / "gaps-skills.csv"
    ARTIFACTS.mkdir(exist_ok=True)
    download.save_as(str(saved))
    lines = saved.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("id,notation,label,reporting_actors")
    assert len(lines) - 1 == len(counts)


def test_a_ranked_partner_opens_the_explanation_of_its_fit(page: Page, demo_server: DemoServer) -> None:
    open_view(page, demo_server, "matchmaking")
    need = page.locator("article.need", has_text="AAVance Liège SRL").filter(has_text="S04")
    partner_row = need.locator("tbody tr", has_text="Vectopole Isère SAS").first
    partner_row.get_by_role("button", name="Why?").click()
    dialog = page.locator("#detail")
    dialog.wait_for()
    assert "Why Vectopole Isère SAS fits" in dialog.inner_text()
    assert dialog.locator("table.explanation tbody tr.met").count() == 5
    assert dialog.locator("a[href*='/response/R2026-']").count() >= 1


def test_the_consortium_builder_shows_its_cover_on_the_chain(page: Page, demo_server: DemoServer) -> None:
    open_view(page, demo_server, "matchmaking?product_class=P05&regions=BE3,FRK")
    # P05 needs seven members in the demo: more than the default limit of six, so the builder says so first.
    assert page.locator("#cons-summary").inner_text() == "No cover within the size limit."
    page.fill("#cons-max", "10")
    page.dispatch_event("#cons-max", "change")
    wait_for_view(page, "matchmaking")
    api = httpx.get(
        demo_server.base_url + "/api/consortium",
        params={"product_class": "P05", "regions": "BE3,FRK", "max_size": "10"},
        timeout=VIEW_TIMEOUT_MS / 1000,
    ).json()
    size = api["summary"]["size"]
    assert page.locator("#cons-summary").inner_text() == f"Complete cover with {size} member(s), proven minimal."
    chain = page.locator(".consortium .chain .stage")
    assert chain.count() == len(api["summary"]["required_stages"])
    assert page.locator(".consortium .chain .stage.gap").count() == 0
    members = page.locator(".consortium table tbody tr").count()
    assert members == size


def test_the_language_switch_shows_the_ui_in_french_and_back(page: Page, demo_server: DemoServer) -> None:
    open_view(page, demo_server, "home")
    page.get_by_role("button", name="Afficher en français").click()
    wait_for_view(page, "home")
    assert page.locator("html").get_attribute("lang") == "fr"
    assert page.locator("nav").get_by_role("link", name="Lacunes").is_visible()
    assert page.locator(".view h2").inner_text() == "La chaîne de valeur, étape par étape"
    page.screenshot(path=str(ARTIFACTS / "ui-home-fr.png"))
    page.get_by_role("button", name="Show in English").click()
    wait_for_view(page, "home")
    assert page.locator("html").get_attribute("lang") == "en"


def test_a_french_browser_gets_the_french_ui_first(browser: Browser, demo_server: DemoServer) -> None:
    context = browser.new_context(locale="fr-FR")
    try:
        french = context.new_page()
        french.goto(f"{demo_server.base_url}/ui/#/home")
        wait_for_view(french, "home")
        assert french.locator("html").get_attribute("lang") == "fr"
        assert french.locator("#filters legend").inner_text() == "Régions"
    finally:
        context.close()


def test_the_convergence_view_draws_the_actor_technology_sector_network(page: Page, demo_server: DemoServer) -> None:
    open_view(page, demo_server, "convergence")
    assert page.locator("#network canvas").count() > 0
    page.select_option("#network-focus", label="ict (sector)")
    assert page.locator("#network-neighbours").inner_text().startswith("Connected to:")


def test_the_trends_view_lists_the_stage_that_became_covered(page: Page, demo_server: DemoServer) -> None:
    open_view(page, demo_server, "trends")
    rows = page.locator("table", has_text="became covered").locator("tbody tr", has_text="S12")
    assert rows.count() == 2  # S12 in BE3 and in FRK, as data/demo/README.md says


def test_the_sparql_link_opens_the_editor_with_the_view_query_bound(page: Page, demo_server: DemoServer) -> None:
    open_view(page, demo_server, "gaps/stages")
    href = page.get_by_role("link", name="Open this query in the SPARQL editor").get_attribute("href")
    response = httpx.get(demo_server.base_url + (href or ""), follow_redirects=False, timeout=60)
    assert response.status_code == 303
    target = response.headers["location"]
    assert target.startswith("/sparql#query=")
    query = unquote(target.split("#query=", 1)[1])
    assert "# id: gaps-stages" in query
    assert "<http://data.europa.eu/nuts/code/BE3>" in query
    assert "$region" not in query.split("PREFIX", 1)[1]


def test_no_page_requests_anything_outside_127_0_0_1(page: Page, demo_server: DemoServer, recorded: Recorded) -> None:
    for view in ("home", "heatmap", "gaps/stages", "gaps/needs", "convergence", "matchmaking", "trends"):
        open_view(page, demo_server, view)
    assert any("/api/" in url for url in recorded.requests)
    assert recorded.foreign() == []
    assert [error for error in recorded.console_errors if "Content Security Policy" in error] == []


def test_the_report_renders_in_the_browser_without_any_request(
    page: Page, demo_server: DemoServer, recorded: Recorded
) -> None:
    out = ARTIFACTS / "report.html"
    ARTIFACTS.mkdir(exist_ok=True)
    build_report(demo_server.store, demo_server.settings, out)
    page.goto(out.as_uri())
    assert page.locator("svg.heatmap g.cell").count() == 32
    assert [url for url in recorded.requests if not url.startswith("file:")] == []
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "report.png"))
