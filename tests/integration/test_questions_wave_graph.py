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
