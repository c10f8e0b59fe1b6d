"""CONVERGENCE questions on tests/fixtures/questions/convergence.trig, expected rows computed by hand from the
comment at the top of that file."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from pyoxigraph import RdfFormat

from vcgraph.config import Settings
from vcgraph.questions import QuestionAnswer, run_question
from vcgraph.store.oxigraph import OxigraphStore

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "questions"
RESPONSE = "https://w3id.org/vcgraph/id/wave/2026-W2/response/"

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OxigraphStore]:
    store = OxigraphStore(tmp_path_factory.mktemp("convergence") / "store")
    for name in ("reference.trig", "convergence.trig"):
        store.load(FIXTURES / name, RdfFormat.TRIG)
    yield store
    store.close()


@pytest.fixture(scope="module")
def settings() -> Settings:
    return Settings(home=ROOT)


def ask(store: OxigraphStore, settings: Settings, name: str, **params: str) -> QuestionAnswer:
    return run_question(store, settings, name, params, limit=None)


def technologies(answer: QuestionAnswer) -> list[tuple[str, list[str], list[str], int]]:
    return [
        (
            i["notation"],
            [s["notation"] for s in i["sectors"]],
            [a["label"] for a in i["actors"]],
            i["anonymous_actors"],
        )
        for i in answer.items
    ]


def test_shared_technologies_roll_narrower_statements_up_to_their_family(
    store: OxigraphStore, settings: Settings
) -> None:
    answer = ask(store, settings, "convergence-technologies")
    # 'interested' (bob T01, eve T12) does not count; c-dan is anonymous: counted in sectors, not named
    assert technologies(answer) == [
        ("T01", ["biopharma", "engineering"], ["Cat Biologics", "Eve Equipment"], 0),
        ("T04", ["biopharma", "engineering", "ict"], ["Ana Digital Bio", "Bob Automation", "Cat Biologics"], 1),
        ("T04.02", ["biopharma", "engineering", "ict"], ["Ana Digital Bio", "Bob Automation"], 1),
        ("T12", ["biopharma", "engineering", "ict"], ["Ana Digital Bio", "Bob Automation"], 1),
    ]
    assert answer.items[2]["actors"][1] == {
        "id": "https://w3id.org/vcgraph/id/actor/c-bob",
        "label": "Bob Automation",
        "anonymous": False,
        "sectors": ["engineering"],
        "modes": ["pilot"],
    }
    assert "anon-" not in json.dumps(answer.to_json())


def test_shared_technologies_threshold_on_the_number_of_sectors(store: OxigraphStore, settings: Settings) -> None:
    answer = ask(store, settings, "convergence-technologies", min_sectors="3")
    assert [i["notation"] for i in answer.items] == ["T04", "T04.02", "T12"]


def test_shared_technologies_in_a_region_count_only_its_actors(store: OxigraphStore, settings: Settings) -> None:
    answer = ask(store, settings, "convergence-technologies", region="FRK")
    assert technologies(answer) == [("T04", ["biopharma", "engineering"], ["Bob Automation", "Cat Biologics"], 0)]


def test_no_technology_is_shared_by_four_sectors(store: OxigraphStore, settings: Settings) -> None:
    answer = ask(store, settings, "convergence-technologies", min_sectors="4")
    assert (answer.items, answer.count) == ([], 0)


def bridges(answer: QuestionAnswer) -> list[tuple[str, bool, list[tuple[str, str]]]]:
    return [
        (
            i["actor"]["label"],
            i["multi_sector"],
            [(t["technology"]["notation"], t["family"]["notation"]) for t in i["technologies_outside_typical_sector"]],
        )
        for i in answer.items
    ]


def test_bridges_are_multi_sector_actors_or_actors_outside_a_familys_typical_sectors(
    store: OxigraphStore, settings: Settings
) -> None:
    answer = ask(store, settings, "convergence-bridges")
    # cat (biopharma) stays inside T04/T01's sectors; eve's T01 includes engineering; dan is anonymous
    assert bridges(answer) == [
        ("Ana Digital Bio", True, []),
        ("Bob Automation", False, [("T04.02", "T04"), ("T12", "T12")]),
    ]
    assert answer.summary == {"anonymous_bridging_actors": 1}
    bob = answer.items[1]
    assert [e["statement"] for e in bob["evidence"]] == [
        RESPONSE + "C-bob/technology/T04.02",
        RESPONSE + "C-bob/technology/T12",
    ]


def test_bridges_in_a_region(store: OxigraphStore, settings: Settings) -> None:
    answer = ask(store, settings, "convergence-bridges", region="BE3")
    assert bridges(answer) == [("Ana Digital Bio", True, [])]


def pairs(answer: QuestionAnswer) -> list[tuple[Any, ...]]:
    return [(i["a"]["notation"], i["b"]["notation"], i["support"], i["lift"]) for i in answer.items]


def test_co_occurring_pairs_come_with_support_and_lift(store: OxigraphStore, settings: Settings) -> None:
    answer = ask(store, settings, "convergence-co-occurrence")
    # ana, bob and dan hold T04.02 and T12; 5 actors hold a technology: lift = 3 x 5 / (3 x 3)
    assert pairs(answer) == [("T04.02", "T12", 3, 1.667)]
    assert (answer.items[0]["actors_with_a"], answer.items[0]["actors"]) == (3, 5)


def test_co_occurrence_with_a_lower_support_adds_rarer_pairs(store: OxigraphStore, settings: Settings) -> None:
    answer = ask(store, settings, "convergence-co-occurrence", min_support="1")
    assert pairs(answer) == [("T04.02", "T12", 3, 1.667), ("T01", "T04", 1, 2.5)]


@contextmanager
def _fixture_with(directory: Path, update: str) -> Iterator[OxigraphStore]:
    """A store of its own holding the fixture and what ``update`` adds to it."""
    store = OxigraphStore(directory / "store")
    try:
        for name in ("reference.trig", "convergence.trig"):
            store.load(FIXTURES / name, RdfFormat.TRIG)
        store.update(update)
        yield store
    finally:
        store.close()


def test_an_actor_anonymous_in_another_wave_is_never_named_as_a_bridge(
    tmp_path_factory: pytest.TempPathFactory, settings: Settings
) -> None:
    # Bob chose anonymity in another wave, in that wave's graph; he is public in the asked one
    anonymous_bob = (
        "INSERT DATA { GRAPH <https://w3id.org/vcgraph/graph/wave/2026-W3> { "
        "<https://w3id.org/vcgraph/id/actor/c-bob> <https://w3id.org/vcgraph/ontology#visibility> "
        "<https://w3id.org/vcgraph/vocab/visibility/anonymous> } }"
    )
    with _fixture_with(tmp_path_factory.mktemp("convergence-anonymous"), anonymous_bob) as store:
        for question in ("convergence-bridges", "convergence-technologies"):
            shown = json.dumps(ask(store, settings, question).items)
            assert "c-bob" not in shown and "Bob Automation" not in shown, question
        assert bridges(ask(store, settings, "convergence-bridges")) == [("Ana Digital Bio", True, [])]


def test_an_actor_with_two_sectors_that_did_not_answer_the_asked_wave_is_no_bridge(
    tmp_path_factory: pytest.TempPathFactory, settings: Settings
) -> None:
    # Zed, in BE3 with two sectors, answered only an older wave: his response is in that wave's graph
    zed_in_an_older_wave = """
        BASE <https://w3id.org/vcgraph/>
        PREFIX bm: <https://w3id.org/vcgraph/ontology#>
        PREFIX prov: <http://www.w3.org/ns/prov#>
        PREFIX org: <http://www.w3.org/ns/org#>
        INSERT DATA { GRAPH <graph/wave/2025-W2> {
          <id/wave/2025-W2> a bm:SurveyWave .
          <id/actor/c-zed> a bm:Actor ; bm:sector <vocab/sector/biopharma>, <vocab/sector/ict> ;
              org:hasSite <id/actor/c-zed/site> .
          <id/actor/c-zed/site> bm:inRegion <http://data.europa.eu/nuts/code/BE332> .
          <id/wave/2025-W2/response/C-zed> prov:wasAttributedTo <id/actor/c-zed> .
        } }"""
    with _fixture_with(tmp_path_factory.mktemp("convergence-unanswered"), zed_in_an_older_wave) as store:
        answer = ask(store, settings, "convergence-bridges", region="BE3", wave="2026-W2")
        assert bridges(answer) == [("Ana Digital Bio", True, [])]
