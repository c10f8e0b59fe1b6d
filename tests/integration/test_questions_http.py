"""The REST routes of the questions over the real app (create_app) with a real store: formats, languages, paging,
errors and the OpenAPI description; and run_sparql, the CLI's way to run any .rq file or inline query."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pyoxigraph import RdfFormat

from vcgraph.config import Settings
from vcgraph.http.app import create_app
from vcgraph.questions import QueryRefused, QuestionParameterError, list_questions, run_sparql
from vcgraph.store.oxigraph import OxigraphStore

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "questions"

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OxigraphStore]:
    store = OxigraphStore(tmp_path_factory.mktemp("http") / "store")
    for name in ("reference.trig", "gaps.trig"):
        store.load(FIXTURES / name, RdfFormat.TRIG)
    yield store
    store.close()


@pytest.fixture(scope="module")
def settings() -> Settings:
    return Settings(home=ROOT)


@pytest.fixture(scope="module")
def client(store: OxigraphStore, settings: Settings) -> TestClient:
    return TestClient(create_app(settings, store))


def test_an_unknown_parameter_value_is_a_422_naming_it_and_the_allowed_values(client: TestClient) -> None:
    response = client.get("/api/gaps/stages", params={"region": "BE3", "product_class": "P99"})
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert (detail["parameter"], detail["allowed"]) == ("product_class", ["P05", "P08"])


def test_a_missing_required_parameter_is_a_422(client: TestClient) -> None:
    response = client.get("/api/gaps/stages")
    assert response.status_code == 422
    assert response.json()["detail"]["parameter"] == "region"


def test_a_bad_candidates_cap_of_matchmaking_is_a_422_naming_it(client: TestClient) -> None:
    response = client.get("/api/matchmaking/needs", params={"region": "BE3", "candidates": "0"})
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert (detail["parameter"], detail["allowed"]) == ("candidates", ["an integer from 1 to 1000"])


def test_csv_gives_the_same_items_flattened(client: TestClient) -> None:
    response = client.get("/api/gaps/skills", params={"region": "BE3"}, headers={"Accept": "text/csv"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [(r["notation"], r["reporting_actors"], r["training_in_region"]) for r in rows] == [
        ("K01", "2", "false"),
        ("K02", "1", "true"),
    ]


def test_an_unacceptable_format_is_a_406(client: TestClient) -> None:
    response = client.get("/api/gaps/skills", params={"region": "BE3"}, headers={"Accept": "image/png"})
    assert response.status_code == 406


def test_labels_follow_accept_language(client: TestClient) -> None:
    english = client.get("/api/gaps/skills", params={"region": "BE3"}).json()["items"][0]["label"]
    french = client.get("/api/gaps/skills", params={"region": "BE3"}, headers={"Accept-Language": "fr"})
    assert (english, french.json()["items"][0]["label"]) == ("Aseptic processing", "Procédés aseptiques")
    assert french.headers["content-language"] == "fr"


def test_paging_returns_a_window_and_the_total_count(client: TestClient) -> None:
    body = client.get("/api/gaps/stages", params={"region": "BE33", "limit": 2, "offset": 1}).json()
    assert [i["notation"] for i in body["items"]] == ["S05", "S07"]
    assert (body["count"], body["limit"], body["offset"]) == (4, 2, 1)


def test_openapi_documents_every_question_with_its_parameters_and_an_example(
    client: TestClient, settings: Settings
) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for info in list_questions(settings):
        operation = paths[info.route]["get"]
        documented = {p["name"] for p in operation["parameters"]}
        assert {p.name for p in info.params} | {"limit", "offset"} <= documented, info.id
        example = operation["responses"]["200"]["content"]["application/json"]["example"]
        assert example["question"] == info.id and example["items"], info.id
        assert "422" in operation["responses"]


def test_openapi_documents_the_candidates_cap_of_matchmaking(client: TestClient) -> None:
    operation = client.get("/openapi.json").json()["paths"]["/api/matchmaking/needs"]["get"]
    parameter = next(p for p in operation["parameters"] if p["name"] == "candidates")
    assert "int 1..1000; default: 20" in parameter["description"]
    assert parameter["schema"]["examples"] == ["20"]
    assert "candidate_count" in operation["description"]
    example = operation["responses"]["200"]["content"]["application/json"]["example"]
    assert example["items"][0]["candidate_count"] == len(example["items"][0]["candidates"])


def test_the_catalog_lists_every_question_with_its_query_file(client: TestClient, settings: Settings) -> None:
    catalog = client.get("/api/questions").json()
    assert sorted(q["id"] for q in catalog) == sorted(i.id for i in list_questions(settings))
    stages = next(q for q in catalog if q["id"] == "gaps-stages")
    assert stages["query"] == "queries/gaps-stages.rq"


def test_run_sparql_binds_a_files_parameters_as_the_questions_do(store: OxigraphStore, settings: Settings) -> None:
    text = (ROOT / "queries" / "gaps-skills.rq").read_text(encoding="utf-8")
    table = run_sparql(store, settings, text, {"region": "BE3"})
    assert [row["skill_notation"].value for row in table.rows] == ["K01", "K02"]  # type: ignore[union-attr]
    with pytest.raises(QuestionParameterError) as error:
        run_sparql(store, settings, text, {"region": "XX"})
    assert error.value.parameter == "region"


def test_run_sparql_types_the_parameters_of_an_inline_query_by_their_form(
    store: OxigraphStore, settings: Settings
) -> None:
    query = "SELECT ?s WHERE { ?s <https://w3id.org/vcgraph/ontology#trl> $trl } ORDER BY ?s"
    table = run_sparql(store, settings, query, {"trl": "7"})
    responses = [row["s"].value.split("/response/")[1].split("/")[0] for row in table.rows]  # type: ignore[union-attr]
    assert responses == ["R-delta", "R-theta"]  # the two TRL 7 statements, 7 bound as an xsd:integer


def test_run_sparql_refuses_federation(store: OxigraphStore, settings: Settings) -> None:
    with pytest.raises(QueryRefused, match="SERVICE"):
        run_sparql(store, settings, "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }", {})


def test_run_sparql_refuses_a_parameter_the_query_does_not_have(store: OxigraphStore, settings: Settings) -> None:
    with pytest.raises(QuestionParameterError) as error:
        run_sparql(store, settings, "SELECT * WHERE { ?s ?p $o }", {"x": "1"})
    assert (error.value.parameter, error.value.allowed) == ("x", ["o"])
