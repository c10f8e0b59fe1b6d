"""A question's whole answer, built with the collector paused, goes straight to the collector's oldest generation:
its first passes after the pause would otherwise walk all of it to find no cycle."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from pyoxigraph import RdfFormat

from vcgraph.config import Settings
from vcgraph.questions import run_question
from vcgraph.store.oxigraph import OxigraphStore

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "questions"

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def store() -> Iterator[OxigraphStore]:
    store = OxigraphStore(None)
    for name in ("reference.trig", "gaps.trig"):
        store.load(FIXTURES / name, RdfFormat.TRIG)
    yield store
    store.close()


def test_a_whole_answer_is_in_the_oldest_generation_once_built(store: OxigraphStore) -> None:
    gc.disable()  # no pass may move the answer meanwhile: where it is, it was put
    try:
        answer = run_question(
            store,
            replace(Settings(home=ROOT), cache_entries=0),
            "gaps-coverage",
            {"regions": "BE3", "product_class": "P08"},
        )
        assert answer.items
        item = answer.items[0]
        assert any(found is item for found in gc.get_objects(generation=2))
    finally:
        gc.enable()
