"""gaps-needs on tests/fixtures/questions/gaps-needs.trig: a provider declaring a technology family meets a need for
a narrower technology of it, and an actor renamed between waves still gives one row per need; on
gaps-needs-own-offers.trig: an actor never meets its own needs, and another provider still does when it offers the
same."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pyoxigraph import RdfFormat

from vcgraph.config import Settings
from vcgraph.questions import question_rows, run_question
from vcgraph.store.oxigraph import OxigraphStore

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "questions"
RESPONSE = "https://w3id.org/vcgraph/id/wave/2026-W2/response/"

pytestmark = pytest.mark.integration


def fixture_store(tmp_path_factory: pytest.TempPathFactory, fixture: str) -> Iterator[OxigraphStore]:
    """A store on disk holding reference.trig and ``fixture``, closed when the module's tests are done."""
    store = OxigraphStore(tmp_path_factory.mktemp(fixture.removesuffix(".trig")) / "store")
    for name in ("reference.trig", fixture):
        store.load(FIXTURES / name, RdfFormat.TRIG)
    yield store
    store.close()


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OxigraphStore]:
    yield from fixture_store(tmp_path_factory, "gaps-needs.trig")


@pytest.fixture(scope="module")
def settings() -> Settings:
    return Settings(home=ROOT)


def test_a_provider_of_the_family_meets_a_need_for_a_narrower_technology(
    store: OxigraphStore, settings: Settings
) -> None:
    # xi develops T04 at TRL 6 >= 5: need/1 (T04.02) is met; nobody develops T01: need/2 stays a gap
    answer = run_question(store, settings, "gaps-needs", {"region": "BE3", "provider_region": "FRK"}, limit=None)
    assert [item["id"] for item in answer.items] == [RESPONSE + "R-nu/need/2"]


def test_a_need_of_an_actor_renamed_between_waves_is_listed_once_with_the_asked_waves_label(
    store: OxigraphStore, settings: Settings
) -> None:
    answer = run_question(store, settings, "gaps-needs", {"region": "BE3", "wave": "2026-W2"}, limit=None)
    assert [(item["id"], item["actor"]["label"]) for item in answer.items] == [(RESPONSE + "R-nu/need/2", "Nu Bio")]
    rows = question_rows(store, settings, "gaps-needs", {"region": "BE3", "wave": "2026-W2"})
    need_rows = [row for row in rows if row.get("need") is not None and row["need"].value == RESPONSE + "R-nu/need/2"]
    assert len(need_rows) == 1


@pytest.fixture(scope="module")
def own_offers_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OxigraphStore]:
    yield from fixture_store(tmp_path_factory, "gaps-needs-own-offers.trig")


def unmet_needs(store: OxigraphStore, settings: Settings) -> list[str]:
    answer = run_question(store, settings, "gaps-needs", {"region": "BE3", "wave": "2026-W2"}, limit=None)
    return sorted(item["id"].removeprefix(RESPONSE) for item in answer.items)


def test_an_actors_own_offers_never_meet_its_needs(own_offers_store: OxigraphStore, settings: Settings) -> None:
    # mm alone offers S07, develops T01 and offers S02 with T04: its stage, technology and combined needs stay gaps
    assert [need for need in unmet_needs(own_offers_store, settings) if need.startswith("R-mm/")] == [
        "R-mm/need/1",
        "R-mm/need/2",
        "R-mm/need/3",
    ]


def test_a_need_is_met_by_another_provider_when_its_own_actor_provides_it_too(
    own_offers_store: OxigraphStore, settings: Settings
) -> None:
    # aa and zz both provide each of aa's needs; aa sorts before zz, so aa is the first of the providers found
    assert [need for need in unmet_needs(own_offers_store, settings) if need.startswith("R-aa/")] == []
