"""The roadmap report generated from the demo survey (both waves): its figures are the REST API's answers."""

from __future__ import annotations

import re
import shutil
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from html import unescape
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from vcgraph.config import Settings
from vcgraph.http.app import create_app
from vcgraph.report import ReportError, ReportInfo, build_report
from vcgraph.report.pdf import print_pdf
from vcgraph.service.ingest import ensure_reference_data, ingest_survey
from vcgraph.store.oxigraph import OxigraphStore

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "data" / "demo"
REGIONS = ("BE3", "FRK")


@dataclass
class Built:
    store: OxigraphStore
    settings: Settings
    api: TestClient
    info: ReportInfo
    html: str

    def get(self, route: str, **params: str) -> dict[str, Any]:
        response = self.api.get(route, params={**params, "limit": "10000"})
        assert response.status_code == 200, response.text
        answer: dict[str, Any] = response.json()
        return answer


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Built]:
    directory = tmp_path_factory.mktemp("report")
    settings = Settings(store=str(directory / "store"), home=ROOT)
    store = OxigraphStore(directory / "store")
    ensure_reference_data(store, settings)
    for wave in ("2025-W1", "2026-W1"):
        assert ingest_survey(store, settings, DEMO / f"survey-{wave}.csv", wave).written
    out = directory / "roadmap.html"
    info = build_report(store, settings, out)
    with TestClient(create_app(settings, store)) as api:
        yield Built(store, settings, api, info, out.read_text(encoding="utf-8"))
    store.close()


def table(html: str, source: str) -> str:
    """The HTML of the table (or the 'none' paragraph) the report wrote for one figure."""
    match = re.search(rf'<(table|p) data-source="{re.escape(source)}"[^>]*>.*?</\1>', html, re.S)
    assert match, f"no figure {source}"
    return match.group(0)


def test_the_report_states_the_wave_the_previous_wave_and_the_generation_date(built: Built) -> None:
    assert built.info.wave == "2026-W1"
    assert built.info.previous_wave == "2025-W1"
    assert "survey wave 2026-W1" in built.html
    assert "Compared with the previous wave 2025-W1." in built.html
    generated = built.info.generated
    assert abs((datetime.now(UTC) - generated).total_seconds()) < 3600
    assert f"generated {generated:%Y-%m-%d %H:%M} UTC" in built.html


def test_the_default_regions_are_the_level_one_regions_where_actors_have_sites(built: Built) -> None:
    assert built.info.regions == REGIONS


def test_every_heatmap_cell_equals_the_coverage_answer_of_the_api(built: Built) -> None:
    api = built.get("/api/gaps/coverage", regions="BE3,FRK", wave="2026-W1")
    expected = {(item["notation"], code): item["actors_by_region"][code] for item in api["items"] for code in REGIONS}
    cells = re.findall(r'data-stage="(S\d\d)" data-region="(\w+)" data-count="(\d+)"', built.html)
    assert {(stage, region): int(count) for stage, region, count in cells} == expected
    assert len(cells) == 16 * 2


@pytest.mark.parametrize("region", REGIONS)
def test_the_uncovered_stages_of_each_region_are_the_api_answer(built: Built, region: str) -> None:
    api = built.get("/api/gaps/stages", region=region, wave="2026-W1")
    shown = re.findall(r'<span data-stage="(S\d\d)">', table(built.html, f"gaps-stages:{region}"))
    assert shown == [item["notation"] for item in api["items"]]


def test_wallonia_lacks_the_patient_interface_and_end_of_life_stages(built: Built) -> None:
    shown = re.findall(r'<span data-stage="(S\d\d)">', table(built.html, "gaps-stages:BE3"))
    assert shown == ["S15", "S16"]  # data/demo/README.md, 2026-W1


@pytest.mark.parametrize("region", REGIONS)
def test_the_unmet_needs_of_each_region_are_as_many_as_the_api_lists(built: Built, region: str) -> None:
    api = built.get("/api/gaps/needs", region=region, wave="2026-W1")
    figure = table(built.html, f"gaps-needs:{region}")
    assert f'data-rows="{api["count"]}"' in figure


@pytest.mark.parametrize("region", REGIONS)
def test_the_single_provider_count_of_each_region_is_the_api_count(built: Built, region: str) -> None:
    api = built.get("/api/gaps/single-providers", region=region, wave="2026-W1")
    assert f'data-source="gaps-single-providers:{region}" data-count="{api["count"]}"' in built.html


@pytest.mark.parametrize("region", REGIONS)
def test_the_skill_bars_are_the_api_counts(built: Built, region: str) -> None:
    api = built.get("/api/gaps/skills", region=region, wave="2026-W1")
    figure = re.search(rf'<figure data-source="gaps-skills:{region}">.*?</figure>', built.html, re.S)
    assert figure
    bars = re.findall(r'data-key="([^"]+)" data-series="(\d)" data-value="(\d+)"', figure.group(0))
    expected = {
        (item["notation"], str(series)): value
        for item in api["items"]
        for series, value in enumerate(
            (item["reporting_actors"], item["trainers_in_region"], item["trainers_anywhere"])
        )
    }
    assert {(key, series): int(value) for key, series, value in bars} == expected


def test_the_bridging_actor_count_is_the_api_count(built: Built) -> None:
    api = built.get("/api/convergence/bridges", wave="2026-W1")
    assert f'data-source="convergence-bridges" data-count="{api["count"]}"' in built.html


def test_each_priority_product_class_gets_the_consortium_the_api_builds(built: Built) -> None:
    # The demo's needs name product classes; the report asks for consortia of up to ten, the API's largest.
    assert built.info.priority_classes
    for product_class in built.info.priority_classes:
        api = built.get(
            "/api/consortium", product_class=product_class, regions="BE3,FRK", max_size="10", wave="2026-W1"
        )
        size = api["summary"]["size"] if api["summary"]["complete"] else ""
        assert f'data-source="consortium:{product_class}" data-size="{size}"' in built.html
        members = table(built.html, f"consortium-members:{product_class}")
        assert f'data-rows="{len(api["items"])}"' in members


def test_the_changes_in_needs_are_the_api_trend_counts(built: Built) -> None:
    api = built.get("/api/trends/needs", **{"from": "2025-W1", "to": "2026-W1"})
    counted = Counter(item["status"] for item in api["items"])
    assert (
        f'data-persisted="{counted["persisted"]}" data-appeared="{counted["appeared"]}" '
        f'data-disappeared="{counted["disappeared"]}"'
    ) in built.html


def test_the_coverage_changes_are_the_api_trend_rows(built: Built) -> None:
    api = built.get("/api/trends/coverage", region="BE3,FRK", **{"from": "2025-W1", "to": "2026-W1"})
    assert f'data-source="trends-coverage" data-rows="{api["count"]}"' in built.html
    assert api["count"] == 2  # S12 became covered in both regions


def test_the_appendix_lists_each_wave_with_its_response_count(built: Built) -> None:
    waves = table(built.html, "waves")
    rows = re.findall(r"<tr><td>([^<]+)</td><td>[^<]*</td><td>[^<]*</td><td class=\"num\">(\d+)</td>", waves)
    assert rows == [("2025-W1", "60"), ("2026-W1", "62")]


def test_the_appendix_names_the_question_and_parameters_behind_every_figure(built: Built) -> None:
    sources = table(built.html, "sources")
    for key, source in built.info.sources.items():
        assert f"<code>{key}</code>" in sources
        assert f"<code>{source.question}</code>" in sources


def test_the_report_is_self_contained_no_script_and_no_external_reference(built: Built) -> None:
    assert "<script" not in built.html
    assert re.findall(r'(?:src|href)="[^"#]', built.html) == []
    assert "@import" not in built.html
    assert "default-src 'none'" in built.html


def test_the_report_in_french_has_french_headings(built: Built, tmp_path: Path) -> None:
    info = build_report(built.store, built.settings, tmp_path / "fr.html", lang="fr", regions=["BE3"])
    html = unescape(info.html.read_text(encoding="utf-8"))
    assert '<html lang="fr">' in html
    assert "Couverture de la chaîne de valeur" in html
    assert "vague d'enquête 2026-W1" in html


@pytest.mark.skipif(shutil.which("chromium") is None, reason="Chromium is not installed (Debian package chromium)")
def test_the_pdf_is_printed_by_headless_chromium(built: Built, tmp_path: Path) -> None:
    html = tmp_path / "roadmap.html"
    html.write_text(built.html, encoding="utf-8")
    pdf = print_pdf(html, tmp_path / "roadmap.pdf")
    assert pdf.read_bytes().startswith(b"%PDF-")
    assert pdf.stat().st_size > 20_000


def test_without_chromium_the_pdf_is_a_clear_error(
    built: Built, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VCGRAPH_CHROMIUM", str(tmp_path / "no-such-chromium"))
    html = tmp_path / "roadmap.html"
    html.write_text(built.html, encoding="utf-8")
    with pytest.raises(ReportError, match="--pdf needs headless Chromium: install the Debian package 'chromium'"):
        print_pdf(html, tmp_path / "roadmap.pdf")


def test_an_unknown_wave_is_refused_naming_the_loaded_ones(built: Built, tmp_path: Path) -> None:
    with pytest.raises(ReportError, match=r"wave: unknown wave '2030-W9'; loaded: 2025-W1, 2026-W1"):
        build_report(built.store, built.settings, tmp_path / "r.html", wave="2030-W9")


def test_a_region_without_actors_is_refused_naming_it(built: Built, tmp_path: Path) -> None:
    with pytest.raises(ReportError, match=r"regions: no actor has a site in 'DE1'"):
        build_report(built.store, built.settings, tmp_path / "r.html", regions=["DE1"])


def test_an_output_named_pdf_is_refused_since_the_pdf_goes_next_to_the_html(built: Built, tmp_path: Path) -> None:
    with pytest.raises(ReportError, match=r"out: .*r\.pdf names the PDF"):
        build_report(built.store, built.settings, tmp_path / "r.pdf", pdf=True)
    assert not (tmp_path / "r.pdf").exists()
