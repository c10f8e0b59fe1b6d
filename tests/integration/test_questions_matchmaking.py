"""MATCHMAKING questions on tests/fixtures/questions/matchmaking.trig (and gaps.trig for the consortium), expected
rows computed by hand from the comments at the top of those files."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pyoxigraph import RdfFormat

from vcgraph.config import Settings
from vcgraph.questions import QuestionAnswer, QuestionParameterError, run_question
from vcgraph.store.oxigraph import OxigraphStore

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "questions"
ACTOR = "https://w3id.org/vcgraph/id/actor/"
RESPONSE = "https://w3id.org/vcgraph/id/wave/2026-W2/response/"

pytestmark = pytest.mark.integration


def _store(directory: Path, fixture: str) -> OxigraphStore:
    store = OxigraphStore(directory / "store")
    for name in ("reference.trig", fixture):
        store.load(FIXTURES / name, RdfFormat.TRIG)
    return store


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OxigraphStore]:
    store = _store(tmp_path_factory.mktemp("matchmaking"), "matchmaking.trig")
    yield store
    store.close()


@pytest.fixture(scope="module")
def gaps_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OxigraphStore]:
    store = _store(tmp_path_factory.mktemp("consortium"), "gaps.trig")
    yield store
    store.close()


@pytest.fixture(scope="module")
def settings() -> Settings:
    return Settings(home=ROOT)


def ask(store: OxigraphStore, settings: Settings, name: str, **params: str) -> QuestionAnswer:
    return run_question(store, settings, name, params, limit=None)


def ranking(item: dict[str, Any]) -> list[tuple[str, float, int, bool]]:
    return [(c["actor"]["label"], c["score"], c["max_score"], c["meets_need"]) for c in item["candidates"]]


def test_candidates_are_ranked_by_fit_with_the_score_broken_down(store: OxigraphStore, settings: Settings) -> None:
    answer = ask(store, settings, "matchmaking-needs", region="BE3", partner_region="FRK")
    structured = answer.items[0]
    assert structured["id"] == RESPONSE + "M-eps/need/1"
    # m-beta: stage, T04.02 at TRL 8 >= 7, no P05, GMP-ready; m-delta: stage, only the T04 family, no TRL
    assert ranking(structured) == [("Beta Downstream", 3.5, 5, True), ("Delta Chromatography", 1.5, 5, False)]
    assert structured["candidates"][0]["breakdown"] == {
        "stage": 1.0,
        "technology": 1.0,
        "trl": 1.0,
        "product_class": 0.0,
        "gmp": 0.5,
    }
    assert structured["candidates"][1]["breakdown"]["technology"] == 0.5
    assert structured["candidates"][0]["evidence"] == [
        RESPONSE + "M-beta/stage/S05",
        RESPONSE + "M-beta/technology/T04.02",
    ]


def test_anonymous_providers_are_counted_but_never_proposed(store: OxigraphStore, settings: Settings) -> None:
    answer = ask(store, settings, "matchmaking-needs", region="BE3", partner_region="FRK")
    stage_need = answer.items[1]
    assert stage_need["id"] == RESPONSE + "M-alpha/stage/S05"
    assert ranking(stage_need) == [("Beta Downstream", 1.5, 2, True), ("Delta Chromatography", 1.0, 2, True)]
    assert stage_need["anonymous_candidates"] == 1
    assert "anon-" not in json.dumps(answer.to_json())


def test_needs_without_any_candidate_in_the_partner_region_are_kept_with_none(
    store: OxigraphStore, settings: Settings
) -> None:
    answer = ask(store, settings, "matchmaking-needs", region="BE3", partner_region="DE")
    assert [(i["id"], i["candidates"]) for i in answer.items] == [
        (RESPONSE + "M-eps/need/1", []),
        (RESPONSE + "M-alpha/stage/S05", []),
    ]


def test_each_need_lists_its_best_candidates_up_to_the_cap_with_the_total_count(
    store: OxigraphStore, settings: Settings
) -> None:
    every = ask(store, settings, "matchmaking-needs", region="BE3", partner_region="FRK")
    best = ask(store, settings, "matchmaking-needs", region="BE3", partner_region="FRK", candidates="1")
    assert (every.parameters["candidates"], best.parameters["candidates"]) == (20, 1)
    assert [i["id"] for i in best.items] == [i["id"] for i in every.items]
    for capped, need in zip(best.items, every.items, strict=True):
        assert need["candidate_count"] == len(need["candidates"]) == 2  # the default cap, 20, keeps both
        assert capped["candidates"] == need["candidates"][:1]
        assert capped["candidate_count"] == 2
        assert capped["anonymous_candidates"] == need["anonymous_candidates"]
    assert [ranking(i) for i in best.items] == [
        [("Beta Downstream", 3.5, 5, True)],
        [("Beta Downstream", 1.5, 2, True)],
    ]


@pytest.mark.parametrize("value", ["0", "1001", "all", "2.5"])
def test_a_candidates_cap_outside_1_to_1000_is_refused(store: OxigraphStore, settings: Settings, value: str) -> None:
    with pytest.raises(QuestionParameterError) as error:
        ask(store, settings, "matchmaking-needs", region="BE3", candidates=value)
    assert error.value.parameter == "candidates"
    assert error.value.allowed == ["an integer from 1 to 1000"]


def test_mutual_pairs_spell_out_both_directions(store: OxigraphStore, settings: Settings) -> None:
    answer = ask(store, settings, "matchmaking-mutual", region="BE3", partner_region="FRK")
    assert answer.items == [
        {
            "a": {"id": ACTOR + "m-alpha", "label": "Alpha Media", "anonymous": False},
            "b": {"id": ACTOR + "m-beta", "label": "Beta Downstream", "anonymous": False},
            "a_serves_b": [
                {
                    "need": RESPONSE + "M-beta/stage/S01",
                    "offer": RESPONSE + "M-alpha/stage/S01",
                    "what": {
                        "id": "https://w3id.org/vcgraph/vocab/stage/S01",
                        "notation": "S01",
                        "label": "Raw materials & consumables",
                    },
                }
            ],
            "b_serves_a": [
                {
                    "need": RESPONSE + "M-alpha/stage/S05",
                    "offer": RESPONSE + "M-beta/stage/S05",
                    "what": {
                        "id": "https://w3id.org/vcgraph/vocab/stage/S05",
                        "notation": "S05",
                        "label": "Downstream processing",
                    },
                }
            ],
            "evidence": {"wave": "2026-W2"},
        }
    ]
    # alpha and the anonymous gamma serve each other too: counted, not named
    assert answer.summary == {"pairs_with_anonymous_actors": 1}


def test_mutual_pairs_need_both_directions(store: OxigraphStore, settings: Settings) -> None:
    # seen from FRK, m-delta serves m-alpha's S05 need but needs nothing back
    answer = ask(store, settings, "matchmaking-mutual", region="FRK26", partner_region="BE332")
    assert [(p["a"]["label"], p["b"]["label"]) for p in answer.items] == [("Beta Downstream", "Alpha Media")]


def test_mutual_pairs_require_a_partner_region(store: OxigraphStore, settings: Settings) -> None:
    with pytest.raises(QuestionParameterError) as error:
        ask(store, settings, "matchmaking-mutual", region="BE3")
    assert error.value.parameter == "partner_region"


def members(answer: QuestionAnswer) -> list[tuple[str, list[str], list[str]]]:
    return [(m["actor"]["label"], m["regions"], [s["notation"] for s in m["covers"]]) for m in answer.items]


def test_consortium_reports_the_stages_nobody_named_covers(store: OxigraphStore, settings: Settings) -> None:
    answer = ask(store, settings, "consortium", product_class="P05", regions="BE3,FRK")
    # m-beta and m-delta cover the same (S05, FRK): the smaller IRI is kept
    assert members(answer) == [("Alpha Media", ["BE3"], ["S01"]), ("Beta Downstream", ["FRK"], ["S05"])]
    summary = answer.summary
    assert summary is not None
    assert summary["complete"] is False
    assert summary["proven_minimal"] is True
    assert [s["notation"] for s in summary["uncovered_stages"]] == ["S04", "S07"]
    assert summary["anonymous_candidates_excluded"] == 1


def test_consortium_finds_a_complete_minimal_cover_with_one_actor_per_region(
    gaps_store: OxigraphStore, settings: Settings
) -> None:
    answer = ask(gaps_store, settings, "consortium", product_class="P05", regions="BE3,FRK,DE")
    assert members(answer) == [
        ("Alpha Bio", ["BE3"], ["S01", "S04"]),
        ("Beta Process", ["FRK"], ["S04", "S05"]),
        ("Delta Filtration", ["DE"], ["S05", "S07"]),
    ]
    summary = answer.summary
    assert summary is not None
    assert (summary["complete"], summary["proven_minimal"], summary["size"]) == (True, True, 3)
    assert [s["notation"] for s in summary["required_stages"]] == ["S01", "S04", "S05", "S07"]


def test_consortium_with_cross_cutting_stages_requires_them(gaps_store: OxigraphStore, settings: Settings) -> None:
    answer = ask(
        gaps_store, settings, "consortium", product_class="P05", regions="BE3,FRK,DE", include_cross_cutting="true"
    )
    summary = answer.summary
    assert summary is not None
    assert summary["complete"] is False
    assert [s["notation"] for s in summary["uncovered_stages"]] == ["S13"]


def test_consortium_larger_than_max_size_is_reported_not_returned(
    gaps_store: OxigraphStore, settings: Settings
) -> None:
    answer = ask(gaps_store, settings, "consortium", product_class="P05", regions="BE3,FRK,DE", max_size="2")
    summary = answer.summary
    assert answer.items == []
    assert summary is not None
    assert (summary["minimum_exceeds_max_size"], summary["proven_minimal"], summary["size"]) == (True, True, None)


def test_consortium_max_size_out_of_range_is_refused(gaps_store: OxigraphStore, settings: Settings) -> None:
    with pytest.raises(QuestionParameterError) as error:
        ask(gaps_store, settings, "consortium", product_class="P05", regions="BE3", max_size="11")
    assert error.value.parameter == "max_size"
    assert error.value.allowed == ["an integer from 1 to 10"]


@pytest.mark.parametrize(
    ("name", "params"),
    [("matchmaking-needs", {"region": "BE3"}), ("matchmaking-mutual", {"region": "BE3", "partner_region": "FRK"})],
)
def test_a_page_of_the_cached_answer_is_that_slice_of_the_whole_answer(
    store: OxigraphStore, settings: Settings, name: str, params: dict[str, str]
) -> None:
    whole = run_question(store, settings, name, params, limit=None)  # computed, then kept by the answer cache
    assert whole.count == len(whole.items) > 0
    for offset in range(whole.count + 1):
        page = run_question(store, settings, name, params, limit=2, offset=offset)
        assert (page.items, page.count) == (list(whole.items[offset : offset + 2]), whole.count)
