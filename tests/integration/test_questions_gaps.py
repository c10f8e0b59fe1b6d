"""GAP questions on the hand-written fixture tests/fixtures/questions/gaps.trig (expected rows computed by hand
from the comment at the top of that file)."""

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


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OxigraphStore]:
    store = OxigraphStore(tmp_path_factory.mktemp("gaps") / "store")
    for name in ("reference.trig", "gaps.trig"):
        store.load(FIXTURES / name, RdfFormat.TRIG)
    yield store
    store.close()


@pytest.fixture(scope="module")
def settings() -> Settings:
    return Settings(home=ROOT)


def ask(store: OxigraphStore, settings: Settings, name: str, **params: str) -> QuestionAnswer:
    return run_question(store, settings, name, params, limit=None)


def notations(items: list[dict[str, Any]]) -> list[str]:
    return [item["notation"] for item in items]


def nearest(item: dict[str, Any]) -> list[tuple[str, int, str | None]]:
    return [(n["region"]["notation"], n["providers"], n["common_ancestor"]) for n in item["nearest_providers"]]


def test_stage_gaps_of_a_region_are_the_stages_no_actor_of_its_subregions_offers(
    store: OxigraphStore, settings: Settings
) -> None:
    answer = ask(store, settings, "gaps-stages", region="BE3")
    # S01, S04 (alpha, BE332) and S05 (eta, BE310) are offered inside BE3
    assert notations(answer.items) == ["S02", "S07", "S13"]
    assert answer.count == 3
    assert answer.parameters == {"region": "BE3", "product_class": None, "wave": "2026-W2"}


def test_stage_gaps_list_the_nearest_provider_regions_in_the_nuts_tree(
    store: OxigraphStore, settings: Settings
) -> None:
    items = {i["notation"]: i for i in ask(store, settings, "gaps-stages", region="BE33").items}
    assert sorted(items) == ["S02", "S05", "S07", "S13"]
    # S05 is offered in FRK26, DE111 and BE310: BE310 shares BE3 with BE33, the others share nothing
    assert nearest(items["S05"]) == [("BE310", 1, "BE3")]
    # the only S02 provider is anonymous: counted in its region, never named
    assert nearest(items["S02"]) == [("FRK27", 1, None)]
    assert nearest(items["S13"]) == []


def test_stage_gaps_tie_between_equally_near_regions_keeps_all_of_them_in_code_order(
    store: OxigraphStore, settings: Settings
) -> None:
    items = {i["notation"]: i for i in ask(store, settings, "gaps-stages", region="FRK").items}
    assert sorted(items) == ["S01", "S07", "S13"]
    assert nearest(items["S01"]) == [("BE332", 1, None)]
    assert nearest(items["S07"]) == [("DE111", 1, None)]


def test_stage_gaps_with_a_product_class_only_consider_its_relevant_stages(
    store: OxigraphStore, settings: Settings
) -> None:
    answer = ask(store, settings, "gaps-stages", region="BE3", product_class="P08")
    assert notations(answer.items) == ["S02", "S13"]
    assert answer.items[1]["cross_cutting"] is True


def test_stage_gaps_of_an_older_wave_use_only_that_waves_statements(store: OxigraphStore, settings: Settings) -> None:
    answer = ask(store, settings, "gaps-stages", region="BE3", wave="2026-W1")
    assert notations(answer.items) == ["S01", "S02", "S04", "S07", "S13"]
    assert all(item["nearest_providers"] == [] for item in answer.items)
    assert answer.items[0]["evidence"] == {"wave": "2026-W1"}


def test_stage_gap_labels_follow_the_requested_language(store: OxigraphStore, settings: Settings) -> None:
    answer = run_question(store, settings, "gaps-stages", {"region": "BE3"}, limit=None, lang="fr")
    assert answer.items[0]["label"] == "Développement de lignées cellulaires"


def test_needs_below_the_minimum_trl_stay_unmet(store: OxigraphStore, settings: Settings) -> None:
    answer = ask(store, settings, "gaps-needs", region="BE3", provider_region="FRK")
    # in FRK iota offers S05 with T04.02 at TRL 6 < 7; nobody offers S07; gamma (anonymous, FRK27) offers S02
    assert [item["id"] for item in answer.items] == [
        RESPONSE + "R-epsilon/need/1",
        RESPONSE + "R-epsilon/stage/S07",
    ]
    need = answer.items[0]
    assert need["kind"] == "structured need"
    assert need["min_trl"] == 7
    assert need["technology"]["notation"] == "T04.02"
    assert need["urgency"]["notation"] == "<6m"
    assert need["evidence"] == {
        "statement": RESPONSE + "R-epsilon/need/1",
        "actor": ACTOR + "epsilon",
        "wave": "2026-W2",
        "response": RESPONSE + "R-epsilon",
    }
    assert answer.items[1]["kind"] == "need position"


def test_a_need_met_exactly_at_the_minimum_trl_anywhere_is_no_gap(store: OxigraphStore, settings: Settings) -> None:
    # theta (DE111) offers S05 and T04.02 at TRL 7; delta offers S07; gamma offers S02
    answer = ask(store, settings, "gaps-needs", region="BE3")
    assert answer.items == []
    assert answer.count == 0


def test_needs_of_anonymous_actors_are_listed_without_any_iri(store: OxigraphStore, settings: Settings) -> None:
    answer = ask(store, settings, "gaps-needs", region="BE3", provider_region="BE3")
    assert [(i["stage"]["notation"], i["actor"]["label"]) for i in answer.items] == [
        ("S02", "an anonymous actor"),
        ("S05", "Epsilon Therapeutics"),
        ("S07", "Epsilon Therapeutics"),
    ]
    anonymous = answer.items[0]
    assert anonymous["id"] is None
    assert anonymous["actor"] == {"id": None, "label": "an anonymous actor", "anonymous": True}
    assert anonymous["evidence"] == {"statement": None, "actor": None, "wave": "2026-W2", "response": None}
    assert "anon-" not in json.dumps(answer.to_json())


def test_single_providers_are_cells_exactly_one_actor_offers(store: OxigraphStore, settings: Settings) -> None:
    answer = ask(store, settings, "gaps-single-providers", region="FRK")
    cells = [(i["stage"]["notation"], i["product_class"]["notation"], i["actor"]["label"]) for i in answer.items]
    # (S05, P05) has two providers (beta, iota); S05 is not relevant to P08
    assert cells == [
        ("S02", "P08", "an anonymous actor"),
        ("S04", "P05", "Beta Process"),
        ("S04", "P08", "Beta Process"),
    ]
    assert answer.items[1]["evidence"] == [
        {
            "statement": RESPONSE + "R-beta/stage/S04",
            "actor": ACTOR + "beta",
            "wave": "2026-W2",
            "response": RESPONSE + "R-beta",
        }
    ]
    assert "anon-" not in json.dumps(answer.to_json())


def test_skill_shortages_count_anonymous_reporters_and_training_in_and_out_of_the_region(
    store: OxigraphStore, settings: Settings
) -> None:
    answer = ask(store, settings, "gaps-skills", region="BE3")
    rows = [
        (i["notation"], i["reporting_actors"], i["trainers_in_region"], i["trainers_anywhere"]) for i in answer.items
    ]
    assert rows == [("K01", 2, 0, 1), ("K02", 1, 1, 2)]
    assert answer.items[0]["training_in_region"] is False


def test_coverage_matrix_counts_offering_actors_per_relevant_stage_and_region(
    store: OxigraphStore, settings: Settings
) -> None:
    answer = ask(store, settings, "gaps-coverage", regions="BE3,FRK", product_class="P08")
    assert [(i["notation"], i["actors_by_region"]) for i in answer.items] == [
        ("S02", {"BE3": 0, "FRK": 1}),
        ("S04", {"BE3": 1, "FRK": 1}),
        ("S13", {"BE3": 0, "FRK": 0}),
    ]
    assert answer.parameters["regions"] == ["BE3", "FRK"]


def test_an_unknown_region_is_refused_naming_the_parameter(store: OxigraphStore, settings: Settings) -> None:
    with pytest.raises(QuestionParameterError) as error:
        ask(store, settings, "gaps-stages", region="ZZ9")
    assert error.value.parameter == "region"
    assert "ZZ9" in str(error.value)


def test_an_unknown_product_class_is_refused_with_the_allowed_notations(
    store: OxigraphStore, settings: Settings
) -> None:
    with pytest.raises(QuestionParameterError) as error:
        ask(store, settings, "gaps-stages", region="BE3", product_class="P99")
    assert error.value.parameter == "product_class"
    assert error.value.allowed == ["P05", "P08"]


def test_an_unknown_wave_is_refused_with_the_loaded_waves(store: OxigraphStore, settings: Settings) -> None:
    with pytest.raises(QuestionParameterError) as error:
        ask(store, settings, "gaps-stages", region="BE3", wave="2030-W9")
    assert error.value.allowed == ["2026-W1", "2026-W2"]
