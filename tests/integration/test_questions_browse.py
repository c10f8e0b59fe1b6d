"""BROWSING (actors, actor profile, vocabularies) on tests/fixtures/questions/gaps.trig, over the service and the
REST routes (404 for unknown or anonymous actors, French labels with Accept-Language)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pyoxigraph import RdfFormat

from vcgraph.config import Settings
from vcgraph.http.app import create_app
from vcgraph.questions import QuestionAnswer, run_question
from vcgraph.store.oxigraph import OxigraphStore

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "questions"
ACTOR = "https://w3id.org/vcgraph/id/actor/"
RESPONSE = "https://w3id.org/vcgraph/id/wave/2026-W2/response/"

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OxigraphStore]:
    store = OxigraphStore(tmp_path_factory.mktemp("browse") / "store")
    for name in ("reference.trig", "gaps.trig"):
        store.load(FIXTURES / name, RdfFormat.TRIG)
    yield store
    store.close()


@pytest.fixture(scope="module")
def settings() -> Settings:
    return Settings(home=ROOT)


@pytest.fixture(scope="module")
def app(store: OxigraphStore, settings: Settings) -> FastAPI:
    return create_app(settings, store)


def ask(store: OxigraphStore, settings: Settings, name: str, **params: str) -> QuestionAnswer:
    return run_question(store, settings, name, params, limit=None)


def labels(answer: QuestionAnswer) -> list[str]:
    return [item["label"] for item in answer.items]


def test_actors_lists_the_named_actors_of_the_latest_wave_by_name(store: OxigraphStore, settings: Settings) -> None:
    answer = ask(store, settings, "actors")
    # gamma and zeta are anonymous: never listed
    assert labels(answer) == [
        "Alpha Bio",
        "Beta Process",
        "Delta Filtration",
        "Epsilon Therapeutics",
        "Eta Engineering",
        "Iota Membranes",
        "Theta Separations",
    ]
    assert "anon-" not in json.dumps(answer.to_json())


def test_actors_filter_by_region_and_sector(store: OxigraphStore, settings: Settings) -> None:
    answer = ask(store, settings, "actors", region="BE3", sector="biopharma")
    assert labels(answer) == ["Alpha Bio", "Epsilon Therapeutics"]
    assert answer.items[0]["regions"] == [
        {"id": "http://data.europa.eu/nuts/code/BE332", "notation": "BE332", "label": "Arr. Liège"}
    ]
    assert answer.items[0]["actor_type"]["notation"] == "A03"


def test_actors_filter_by_stage_uses_the_requested_wave(store: OxigraphStore, settings: Settings) -> None:
    assert labels(ask(store, settings, "actors", stage="S05")) == [
        "Beta Process",
        "Delta Filtration",
        "Eta Engineering",
        "Iota Membranes",
        "Theta Separations",
    ]
    assert labels(ask(store, settings, "actors", stage="S05", wave="2026-W1")) == ["Alpha Bio"]


def test_actors_filter_by_technology_family_and_name(store: OxigraphStore, settings: Settings) -> None:
    # T04 includes T04.02 (iota, theta; alpha too but 'Alpha Bio' does not contain 'ta')
    answer = ask(store, settings, "actors", technology="T04", q="TA")
    assert labels(answer) == ["Delta Filtration", "Iota Membranes", "Theta Separations"]


def test_actors_with_a_filter_nobody_matches_is_empty(store: OxigraphStore, settings: Settings) -> None:
    assert ask(store, settings, "actors", actor_type="A06").items == []


def test_an_actor_profile_has_its_attributes_and_every_statement_with_provenance(
    store: OxigraphStore, settings: Settings
) -> None:
    answer = ask(store, settings, "actor-profile", id="beta")
    profile = answer.items[0]
    assert (profile["id"], profile["label"]) == (ACTOR + "beta", "Beta Process")
    assert [s["notation"] for s in profile["attributes"]["sector"]] == ["biopharma", "engineering"]
    assert profile["attributes"]["inRegion"] == [
        {"id": "http://data.europa.eu/nuts/code/FRK26", "notation": "FRK26", "label": "Rhône"}
    ]
    assert [s["id"] for s in profile["statements"]] == [
        RESPONSE + "R-beta/skill/training/K01",
        RESPONSE + "R-beta/stage/S04",
        RESPONSE + "R-beta/stage/S05",
        RESPONSE + "R-beta/technology/T01",
    ]
    technology = profile["statements"][3]
    assert technology["wave"] == "2026-W2"
    assert technology["response"] == RESPONSE + "R-beta"
    assert technology["types"] == ["CapabilityStatement"]
    assert technology["properties"]["trl"] == [8]


def test_an_anonymous_actor_profile_is_not_found(app: FastAPI) -> None:
    response = TestClient(app).get("/api/actors/anon-9f8e7d6c5b4a3921")
    assert response.status_code == 404
    assert response.json()["detail"]["parameter"] == "id"


def test_an_unknown_actor_profile_is_not_found(app: FastAPI) -> None:
    assert TestClient(app).get("/api/actors/nobody").status_code == 404


def test_a_vocabulary_lists_its_concepts_in_stage_order_with_french_labels(app: FastAPI) -> None:
    response = TestClient(app).get("/api/vocabularies/stages", headers={"Accept-Language": "fr-BE, fr;q=0.9, en;q=0.5"})
    assert response.status_code == 200
    assert response.headers["content-language"] == "fr"
    items = response.json()["items"]
    assert [(i["notation"], i["label"]) for i in items[:2]] == [
        ("S01", "Matières premières et consommables"),
        ("S02", "Développement de lignées cellulaires"),
    ]
    assert items[-1]["cross_cutting"] is True


def test_regions_in_use_are_the_site_regions_and_their_ancestors(store: OxigraphStore, settings: Settings) -> None:
    answer = ask(store, settings, "vocabulary", scheme="regions")
    # FRK1 and FRK11 exist in the NUTS graph but hold no site
    in_use = [
        "BE",
        "BE3",
        "BE31",
        "BE310",
        "BE33",
        "BE332",
        "DE",
        "DE1",
        "DE11",
        "DE111",
        "FR",
        "FRK",
        "FRK2",
        "FRK26",
        "FRK27",
    ]
    assert sorted(i["notation"] for i in answer.items) == sorted(in_use)


def test_an_unknown_vocabulary_is_not_found_with_the_known_ones(app: FastAPI) -> None:
    response = TestClient(app).get("/api/vocabularies/colours")
    assert response.status_code == 404
    assert response.json()["detail"]["allowed"] == [
        "stages",
        "technologies",
        "product-classes",
        "actor-types",
        "sectors",
        "regions",
    ]
