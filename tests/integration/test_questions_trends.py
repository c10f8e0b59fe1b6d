"""TREND questions on tests/fixtures/questions/trends.trig (waves 2025-W1 then 2025-W2), expected rows computed by
hand from the table at the top of that file."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pyoxigraph import RdfFormat

from vcgraph.config import Settings
from vcgraph.questions import QuestionAnswer, QuestionParameterError, question_rows, run_question
from vcgraph.store.oxigraph import OxigraphStore

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "questions"
W1 = "https://w3id.org/vcgraph/id/wave/2025-W1/response/"
W2 = "https://w3id.org/vcgraph/id/wave/2025-W2/response/"

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OxigraphStore]:
    store = OxigraphStore(tmp_path_factory.mktemp("trends") / "store")
    for name in ("reference.trig", "trends.trig"):
        store.load(FIXTURES / name, RdfFormat.TRIG)
    yield store
    store.close()


@pytest.fixture(scope="module")
def settings() -> Settings:
    return Settings(home=ROOT)


def ask(store: OxigraphStore, settings: Settings, name: str, **params: str) -> QuestionAnswer:
    return run_question(store, settings, name, params, limit=None)


def cells(answer: QuestionAnswer) -> list[tuple[str, str, str, int, int]]:
    return [
        (i["region"]["notation"], i["stage"]["notation"], i["change"], i["from_actors"], i["to_actors"])
        for i in answer.items
    ]


def test_coverage_changes_compare_the_previous_wave_with_the_latest_by_default(
    store: OxigraphStore, settings: Settings
) -> None:
    answer = ask(store, settings, "trends-coverage", region="BE3,FRK")
    assert answer.parameters["from"] == "2025-W1"
    assert answer.parameters["to"] == "2025-W2"
    # BE3 loses S02 (the anonymous t-c stops offering it) and S04, gains S05; FRK gains S04; S01 is unchanged
    assert cells(answer) == [
        ("BE3", "S02", "uncovered", 1, 0),
        ("BE3", "S04", "uncovered", 1, 0),
        ("BE3", "S05", "covered", 0, 1),
        ("FRK", "S04", "covered", 0, 1),
    ]


def test_coverage_changes_restricted_to_a_product_classs_stages(store: OxigraphStore, settings: Settings) -> None:
    answer = ask(store, settings, "trends-coverage", region="BE3", product_class="P08")
    assert cells(answer) == [("BE3", "S02", "uncovered", 1, 0), ("BE3", "S04", "uncovered", 1, 0)]


def test_coverage_of_a_wave_against_itself_has_no_change(store: OxigraphStore, settings: Settings) -> None:
    answer = ask(store, settings, "trends-coverage", region="BE3", **{"from": "2025-W2", "to": "2025-W2"})
    assert answer.items == []


def medians(answer: QuestionAnswer) -> list[tuple[str, float, float, float]]:
    return [(i["notation"], i["from_median"], i["to_median"], i["change"]) for i in answer.items]


def test_median_trl_changes_are_ranked_by_size(store: OxigraphStore, settings: Settings) -> None:
    answer = ask(store, settings, "trends-trl")
    # T12: {3, 5} -> {5, 7}; T04.02: {4, 6} -> {6, 6}
    assert medians(answer) == [("T12", 4.0, 6.0, 2.0), ("T04.02", 5.0, 6.0, 1.0)]
    assert [(e["statement"], e["trl"]) for e in answer.items[1]["evidence"]] == [
        (W1 + "a/technology/T04.02", 4),
        (W1 + "b/technology/T04.02", 6),
        (W2 + "a/technology/T04.02", 6),
        (W2 + "b/technology/T04.02", 6),
    ]


def test_trl_statements_of_a_wave_compared_with_itself_are_listed_on_both_sides(
    store: OxigraphStore, settings: Settings
) -> None:
    rows = question_rows(store, settings, "trends-trl", {"from": "2025-W1", "to": "2025-W1"})
    sides: dict[str, set[str]] = {}
    for row in rows:
        if row.get("statement") is not None:  # not a vocabulary row
            sides.setdefault(str(row["statement"]), set()).add("from" if row.get("from_trl") is not None else "to")
    assert sides and all(side == {"from", "to"} for side in sides.values())


def test_median_trl_in_a_region_hides_anonymous_statements(store: OxigraphStore, settings: Settings) -> None:
    answer = ask(store, settings, "trends-trl", region="BE3")
    assert medians(answer) == [("T04.02", 4.0, 6.0, 2.0), ("T12", 5.0, 7.0, 2.0)]
    assert [e["statement"] for e in answer.items[1]["evidence"]] == [None, None]
    assert "anon-" not in json.dumps(answer.to_json())


def test_an_unchanged_median_is_not_a_trend(store: OxigraphStore, settings: Settings) -> None:
    answer = ask(store, settings, "trends-trl", region="FRK")
    assert medians(answer) == [("T12", 3.0, 5.0, 2.0)]  # T04.02 stays at 6


def needs(answer: QuestionAnswer) -> list[tuple[Any, ...]]:
    return [
        (
            i["status"],
            i["actor"]["label"],
            (i["stage"] or {}).get("notation"),
            (i["technology"] or {}).get("notation"),
            i["from_need"],
            i["to_need"],
        )
        for i in answer.items
    ]


def test_needs_are_paired_across_waves_by_actor_and_content(store: OxigraphStore, settings: Settings) -> None:
    answer = ask(store, settings, "trends-needs")
    assert needs(answer) == [
        ("persisted", "Trend Alpha", "S07", None, W1 + "a/stage/S07", W2 + "a/stage/S07"),
        ("appeared", "an anonymous actor", "S02", None, None, None),
        ("disappeared", "Trend Beta", None, "T01", W1 + "b/need/1", None),
    ]
    assert answer.items[0]["id"] == W2 + "a/stage/S07"
    assert answer.items[1]["id"] is None


def test_trends_need_two_waves_to_default_the_earlier_one(tmp_path: Path, settings: Settings) -> None:
    store = OxigraphStore(tmp_path / "store")
    store.load(FIXTURES / "reference.trig", RdfFormat.TRIG)
    store.load(FIXTURES / "convergence.trig", RdfFormat.TRIG)
    with pytest.raises(QuestionParameterError) as error:
        ask(store, settings, "trends-needs")
    assert error.value.parameter == "from"
    assert error.value.allowed == ["2026-W2"]
