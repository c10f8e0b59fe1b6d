"""Where the questions read a wave's statements: from the graph that describes the wave (docs/model.md, "Named
graphs"), found by that description (``GRAPH ?g { $wave a bm:SurveyWave }``), not by the graph's name.

Fixture: tests/fixtures/questions/gaps.trig, whose 2026-W2 offers inside BE3 are alpha S01 S04 and eta S05."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pyoxigraph import RdfFormat

from vcgraph.config import Settings
from vcgraph.questions import run_question
from vcgraph.questions.params import validate_parameters
from vcgraph.questions.service import execute_rows, get_question
from vcgraph.service.dataset import public_dataset
from vcgraph.store.oxigraph import OxigraphStore

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "questions"
PREFIXES = """
PREFIX bm: <https://w3id.org/vcgraph/ontology#>
PREFIX prov: <http://www.w3.org/ns/prov#>
"""
WAVE_GRAPH = "https://w3id.org/vcgraph/graph/wave/2026-W2"
OTHER_GRAPH = "https://w3id.org/vcgraph/graph/imported/offers"
ALPHA_S01 = "https://w3id.org/vcgraph/id/wave/2026-W2/response/R-alpha/stage/S01"

pytestmark = pytest.mark.integration


@pytest.fixture
def store(tmp_path: Path) -> Iterator[OxigraphStore]:
    store = OxigraphStore(tmp_path / "store")
    for name in ("reference.trig", "gaps.trig"):
        store.load(FIXTURES / name, RdfFormat.TRIG)
    yield store
    store.close()


def stage_gaps(store: OxigraphStore) -> list[str]:
    answer = run_question(store, Settings(home=ROOT), "gaps-stages", {"region": "BE3", "wave": "2026-W2"}, limit=None)
    return [item["notation"] for item in answer.items]


def move(store: OxigraphStore, subject: str, to_graph: str) -> None:
    """Move every triple of ``subject`` from the 2026-W2 wave graph to ``to_graph``."""
    store.update(
        f"DELETE {{ GRAPH <{WAVE_GRAPH}> {{ <{subject}> ?p ?o }} }}"
        f" INSERT {{ GRAPH <{to_graph}> {{ <{subject}> ?p ?o }} }}"
        f" WHERE {{ GRAPH <{WAVE_GRAPH}> {{ <{subject}> ?p ?o }} }}"
    )


def test_the_fixture_statement_is_in_its_waves_graph(store: OxigraphStore) -> None:
    assert store.query(f"ASK {{ GRAPH <{WAVE_GRAPH}> {{ <{ALPHA_S01}> ?p ?o }} }}")
    assert stage_gaps(store) == ["S02", "S07", "S13"]


def test_a_wave_graph_under_another_name_is_read_by_what_it_describes(store: OxigraphStore) -> None:
    store.update(f"MOVE <{WAVE_GRAPH}> TO <{OTHER_GRAPH}>")
    assert stage_gaps(store) == ["S02", "S07", "S13"]


def test_a_statement_outside_any_graph_describing_its_wave_is_not_read(store: OxigraphStore) -> None:
    # the statement still says prov:wasGeneratedBy 2026-W2, but its graph does not describe that wave: it is not
    # part of the wave as docs/model.md defines it, and S01 becomes a gap of BE3
    move(store, ALPHA_S01, OTHER_GRAPH)
    assert stage_gaps(store) == ["S01", "S02", "S07", "S13"]


def test_a_statement_in_a_second_graph_describing_its_wave_is_read(store: OxigraphStore) -> None:
    move(store, ALPHA_S01, OTHER_GRAPH)
    store.update(
        PREFIXES
        + f"INSERT DATA {{ GRAPH <{OTHER_GRAPH}> {{ <https://w3id.org/vcgraph/id/wave/2026-W2> a bm:SurveyWave }} }}"
    )
    assert stage_gaps(store) == ["S02", "S07", "S13"]


def add_kappa_offering_s02_without_a_site(store: OxigraphStore) -> None:
    store.update(
        PREFIXES
        + f"""PREFIX mode: <https://w3id.org/vcgraph/vocab/mode/>
        INSERT DATA {{ GRAPH <{WAVE_GRAPH}> {{
          <https://w3id.org/vcgraph/id/actor/kappa> a bm:Actor .
          <https://w3id.org/vcgraph/id/wave/2026-W2/response/R-kappa/stage/S02> a bm:CapabilityStatement ;
              bm:actor <https://w3id.org/vcgraph/id/actor/kappa> ; bm:mode mode:offer ;
              bm:stage <https://w3id.org/vcgraph/vocab/stage/S02> ;
              prov:wasGeneratedBy <https://w3id.org/vcgraph/id/wave/2026-W2> .
        }} }}"""
    )


def stage_gap_rows(store: OxigraphStore) -> list[tuple[str, str | None, int]]:
    """The raw rows of gaps-stages for BE3: (stage notation, provider region notation, providers)."""
    settings = Settings(home=ROOT)
    info = get_question(settings, "gaps-stages")
    dataset = public_dataset(store, settings)
    bound = validate_parameters(store, dataset, info, {"region": "BE3", "wave": "2026-W2"}, "en", settings.base_iri)
    rows = execute_rows(store, dataset, info, bound)
    found = [
        (
            str(row["stage_notation"].value),
            None if row.get("provider_region_notation") is None else str(row["provider_region_notation"].value),
            int(row["providers"].value),
        )
        for row in rows
    ]
    return sorted(found, key=lambda row: (row[0], row[1] or "", row[2]))


def test_a_gap_nobody_provides_has_one_row_without_a_region_and_no_provider(store: OxigraphStore) -> None:
    assert [row for row in stage_gap_rows(store) if row[0] == "S13"] == [("S13", None, 0)]


def test_a_provider_without_a_site_region_is_counted_in_no_region(store: OxigraphStore) -> None:
    # kappa offers S02 (a gap of BE3 that only gamma, in FRK27, provides) but has no site
    add_kappa_offering_s02_without_a_site(store)
    assert [row for row in stage_gap_rows(store) if row[0] == "S02" and row[2] > 0] == [("S02", "FRK27", 1)]
    answer = run_question(store, Settings(home=ROOT), "gaps-stages", {"region": "BE3", "wave": "2026-W2"}, limit=None)
    items = {item["notation"]: item for item in answer.items}
    assert sorted(items) == ["S02", "S07", "S13"]
    assert [(n["region"]["notation"], n["providers"]) for n in items["S02"]["nearest_providers"]] == [("FRK27", 1)]
