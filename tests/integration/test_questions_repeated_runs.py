"""A repeated question (one run of its query per value of a list parameter, such as gaps-coverage's regions): its
runs go to the store together, each with the request's context, and its answer is that of its runs one by one.
So do the branches of a question whose query is a UNION of independent branches (gaps-needs)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, cast

import pytest
from pyoxigraph import RdfFormat

from vcgraph.config import Settings
from vcgraph.questions import run_question
from vcgraph.store.notes import allowed_rows
from vcgraph.store.oxigraph import OxigraphStore
from vcgraph.store.port import QueryOutcome, Store

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "questions"
SETTINGS = replace(Settings(home=ROOT), cache_entries=0, question_max_rows=1234)

pytestmark = pytest.mark.integration


class SlowStore:
    """The real store, each query answered after a pause (as a busy engine would), recording how many queries
    were in the store at once and the row allowance each run of the question saw."""

    def __init__(self, store: OxigraphStore, pause: float) -> None:
        self._store = store
        self._pause = pause
        self._lock = threading.Lock()
        self._inside = 0
        self.most_at_once = 0
        self.allowances: list[int | None] = []
        self.branches = 0
        self.consortium_queries = 0

    def query(self, query: str, **kwargs: Any) -> QueryOutcome:
        with self._lock:
            self._inside += 1
            self.most_at_once = max(self.most_at_once, self._inside)
            if query.startswith("# id: gaps-coverage"):  # a run of the question, not a lookup of the service
                self.allowances.append(allowed_rows())
            if query.startswith("# id: gaps-needs"):
                self.branches += 1
            if query.startswith("# id: consortium"):
                self.consortium_queries += 1
        try:
            time.sleep(self._pause)
            return self._store.query(query, **kwargs)
        finally:
            with self._lock:
                self._inside -= 1

    def query_in_turn(self, queries: Sequence[str], **kwargs: Any) -> Iterator[QueryOutcome]:
        for query in queries:
            yield self.query(query, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OxigraphStore]:
    store = OxigraphStore(tmp_path_factory.mktemp("repeated") / "store")
    for name in ("reference.trig", "gaps.trig"):
        store.load(FIXTURES / name, RdfFormat.TRIG)
    yield store
    store.close()


def _coverage(store: Store | SlowStore, regions: str) -> list[tuple[str, dict[str, int]]]:
    answer = run_question(cast(Store, store), SETTINGS, "gaps-coverage", {"regions": regions, "product_class": "P08"})
    return [(item["notation"], item["actors_by_region"]) for item in answer.items]


def test_the_runs_of_a_repeated_question_go_to_the_store_together(store: OxigraphStore) -> None:
    slow = SlowStore(store, pause=0.3)
    _coverage(slow, "BE3,FRK")
    assert slow.most_at_once == 2


def test_each_run_reads_the_row_allowance_of_its_request(store: OxigraphStore) -> None:
    slow = SlowStore(store, pause=0.0)
    _coverage(slow, "BE3,FRK")
    assert slow.allowances == [1234, 1234]


def test_a_repeated_question_answers_as_its_runs_one_by_one(store: OxigraphStore) -> None:
    together = _coverage(store, "BE3,FRK")
    one_by_one: dict[str, dict[str, int]] = {}
    for region in ("BE3", "FRK"):
        for notation, counts in _coverage(store, region):
            one_by_one.setdefault(notation, {}).update(counts)
    assert together == list(one_by_one.items())
    assert together == [("S02", {"BE3": 0, "FRK": 1}), ("S04", {"BE3": 1, "FRK": 1}), ("S13", {"BE3": 0, "FRK": 0})]


def test_the_branches_of_a_union_question_go_to_the_store_together(store: OxigraphStore) -> None:
    slow = SlowStore(store, pause=0.3)
    answer = run_question(cast(Store, slow), SETTINGS, "gaps-needs", {"region": "BE3"}, limit=None)
    assert slow.branches == 5  # needs, stage offers, technology offers, labels, technology families
    assert slow.most_at_once == 4  # CONCURRENT_RUNS
    assert answer == run_question(store, SETTINGS, "gaps-needs", {"region": "BE3"}, limit=None)


class OneByOneStore(SlowStore):
    """A store that answers the branches of a query sent at once wrongly (as Virtuoso 7 does)."""

    concurrent_branches = False


def test_a_store_that_answers_branches_sent_at_once_wrongly_gets_them_one_after_the_other(
    store: OxigraphStore,
) -> None:
    one_by_one = OneByOneStore(store, pause=0.1)
    answer = run_question(cast(Store, one_by_one), SETTINGS, "gaps-needs", {"region": "BE3"}, limit=None)
    assert (one_by_one.branches, one_by_one.most_at_once) == (5, 1)
    assert answer == run_question(store, SETTINGS, "gaps-needs", {"region": "BE3"}, limit=None)


def test_on_such_a_store_the_runs_of_a_repeated_question_still_go_together(store: OxigraphStore) -> None:
    one_by_one = OneByOneStore(store, pause=0.3)
    params = {"product_class": "P08", "regions": "BE3,FRK"}
    answer = run_question(cast(Store, one_by_one), SETTINGS, "consortium", params, limit=None)
    assert (one_by_one.consortium_queries, one_by_one.most_at_once) == (4, 2)  # two runs of two branches
    assert answer == run_question(store, SETTINGS, "consortium", params, limit=None)
