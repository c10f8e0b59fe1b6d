"""gaps-needs on tests/fixtures/questions/gaps-needs.trig: a provider declaring a technology family meets a need for
a narrower technology of it, and an actor renamed between waves still gives one row per need."""

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


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OxigraphStore]:
    store = OxigraphStore(tmp_path_factory.mktemp("gaps-needs") / "store")
    for name in ("reference.trig", "gaps-needs.trig"):
        store.load(FIXTURES / name, RdfFormat.TRIG)
    yield store
    store.close()


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
    assert len(question_rows(store, settings, "gaps-needs", {"region": "BE3", "wave": "2026-W2"})) == 1
