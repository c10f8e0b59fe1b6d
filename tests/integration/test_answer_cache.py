"""Questions answered from the cache until the store is written (vcgraph.service.cache), on a real store whose
query calls are counted; writes through the service, the Graph Store Protocol and SPARQL Update make the next
answer fresh."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from pyoxigraph import NamedNode, RdfFormat, Triple, parse

from vcgraph.config import Settings
from vcgraph.http.app import create_app
from vcgraph.questions import QuestionParameterError, run_question
from vcgraph.service.cache import noting_cache
from vcgraph.service.ingest import replace_changed_graphs
from vcgraph.store.notes import note_truncation, noting_answers
from vcgraph.store.oxigraph import OxigraphStore
from vcgraph.store.port import Dataset, QueryOutcome, QueryTimeout
from vcgraph.store.remote import RemoteSettings, RemoteStore

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "questions"
BASE = "https://w3id.org/vcgraph/"
ADMIN_TOKEN = "cache-test-admin-token-0123456789"
QUESTION_MARK = "# id: actors"
"""Text only the actors question's query holds (its header): tells its runs from the lookups'."""

WAVE_3 = NamedNode(BASE + "graph/wave/2026-W3")
WAVE_3_TURTLE = """
@prefix bm: <https://w3id.org/vcgraph/ontology#> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<https://w3id.org/vcgraph/id/wave/2026-W3> a bm:SurveyWave ; dcterms:identifier "2026-W3" ;
    prov:startedAtTime "2026-12-01T09:00:00"^^xsd:dateTime .
<https://w3id.org/vcgraph/id/actor/kappa> a bm:Actor ; rdfs:label "Kappa Labs" ;
    bm:visibility <https://w3id.org/vcgraph/vocab/visibility/public> ;
    org:hasSite <https://w3id.org/vcgraph/id/actor/kappa/site/BE332> .
<https://w3id.org/vcgraph/id/actor/kappa/site/BE332> a bm:Site ;
    bm:inRegion <http://data.europa.eu/nuts/code/BE332> .
<https://w3id.org/vcgraph/id/wave/2026-W3/response/R-kappa> a bm:SurveyResponse ;
    prov:wasGeneratedBy <https://w3id.org/vcgraph/id/wave/2026-W3> ;
    prov:wasAttributedTo <https://w3id.org/vcgraph/id/actor/kappa> .
"""

pytestmark = pytest.mark.integration


class CountingStore(OxigraphStore):
    """The embedded store, counting the runs of the actors question's query (and able to slow them down, fail
    them or cut them, as a busy or capped serving store would)."""

    def __init__(self) -> None:
        super().__init__(None)
        self.question_runs = 0
        self.all_queries = 0
        self.delay = 0.0
        self.fail_next: BaseException | None = None
        self.cut_next = False
        self._count_lock = threading.Lock()

    def query(self, query: str, *, dataset: Dataset | None = None, base_iri: str | None = None) -> QueryOutcome:
        with self._count_lock:
            self.all_queries += 1
            if QUESTION_MARK in query:
                self.question_runs += 1
        if QUESTION_MARK in query:
            if self.delay:
                time.sleep(self.delay)
            if self.fail_next is not None:
                error, self.fail_next = self.fail_next, None
                raise error
            if self.cut_next:
                self.cut_next = False
                note_truncation(1)  # what PooledStore records when it cuts an answer at max_rows
        return super().query(query, dataset=dataset, base_iri=base_iri)


class UnknowableStore(CountingStore):
    """A store whose writes by others cannot be seen (what a remote store says with generation None)."""

    def generation(self) -> int | None:
        return None


def seeded(store: CountingStore) -> CountingStore:
    for name in ("reference.trig", "gaps.trig"):
        store.load(FIXTURES / name, RdfFormat.TRIG)
    return store


@pytest.fixture
def store() -> Iterator[CountingStore]:
    store = seeded(CountingStore())
    yield store
    store.close()


@pytest.fixture
def settings() -> Settings:
    return Settings(home=ROOT, admin_token=ADMIN_TOKEN)


def actor_labels(store: OxigraphStore, settings: Settings) -> list[str]:
    return [item["label"] for item in run_question(store, settings, "actors", {}, limit=None).items]


def wave_3_triples() -> list[Triple]:
    return [quad.triple for quad in parse(WAVE_3_TURTLE.encode(), format=RdfFormat.TURTLE)]


def test_a_repeated_question_runs_no_store_query(store: CountingStore, settings: Settings) -> None:
    first = run_question(store, settings, "actors", {"region": "BE3"})
    queries_before = store.all_queries
    second = run_question(store, settings, "actors", {"region": "BE3"})
    assert store.all_queries == queries_before  # neither the question nor any lookup ran again
    assert second.to_json() == first.to_json()


def test_pages_of_one_question_are_cut_from_one_answer(store: CountingStore, settings: Settings) -> None:
    whole = run_question(store, settings, "actors", {}, limit=None)
    page = run_question(store, settings, "actors", {}, limit=2, offset=1)
    assert store.question_runs == 1
    assert page.items == whole.items[1:3]
    assert (page.count, page.limit, page.offset) == (whole.count, 2, 1)


def test_another_page_over_http_reuses_the_answer_and_says_hit(store: CountingStore, settings: Settings) -> None:
    client = TestClient(create_app(settings, store))
    first = client.get("/api/actors", params={"limit": 2})
    second = client.get("/api/actors", params={"limit": 2, "offset": 2})
    assert (first.headers["X-Cache"], second.headers["X-Cache"]) == ("miss", "hit")
    assert store.question_runs == 1
    assert second.json()["items"] == run_question(store, settings, "actors", {}, limit=None).items[2:4]


def test_another_spelling_of_the_same_parameters_shares_the_answer(store: CountingStore, settings: Settings) -> None:
    run_question(store, settings, "actors", {"sector": "biopharma"})
    run_question(store, settings, "actors", {"sector": " BIOPHARMA "})
    assert store.question_runs == 1


def test_other_parameters_or_language_are_other_answers(store: CountingStore, settings: Settings) -> None:
    run_question(store, settings, "actors", {"region": "BE3"})
    run_question(store, settings, "actors", {"region": "FRK"})
    run_question(store, settings, "actors", {"region": "BE3"}, lang="fr")
    assert store.question_runs == 3


def test_ingesting_a_new_wave_makes_the_next_answer_fresh(store: CountingStore, settings: Settings) -> None:
    assert "Kappa Labs" not in actor_labels(store, settings)
    # the write the survey ingest makes (service.ingest.ingest_survey) once a file is checked
    replace_changed_graphs(store, {WAVE_3: wave_3_triples()})
    assert actor_labels(store, settings) == ["Kappa Labs"]  # the new latest wave, and only it


def test_a_graph_store_put_makes_the_next_answer_fresh(store: CountingStore, settings: Settings) -> None:
    client = TestClient(create_app(settings, store))
    assert client.get("/api/actors").headers["X-Cache"] == "miss"
    assert client.get("/api/actors").headers["X-Cache"] == "hit"
    put = client.put(
        "/sparql/store",
        params={"graph": WAVE_3.value},
        content=WAVE_3_TURTLE.encode(),
        headers={"Authorization": f"Bearer {ADMIN_TOKEN}", "Content-Type": "text/turtle"},
    )
    assert put.status_code == 201
    fresh = client.get("/api/actors")
    assert fresh.headers["X-Cache"] == "miss"
    assert [item["label"] for item in fresh.json()["items"]] == ["Kappa Labs"]


def test_a_sparql_update_makes_the_next_answer_fresh(store: CountingStore, settings: Settings) -> None:
    client = TestClient(create_app(settings, store))
    before = [item["label"] for item in client.get("/api/actors").json()["items"]]
    update = (
        "DELETE DATA { GRAPH <https://w3id.org/vcgraph/graph/wave/2026-W2> { <https://w3id.org/vcgraph/id/actor/beta> "
        '<http://www.w3.org/2000/01/rdf-schema#label> "Beta Process" } } ;\n'
        "INSERT DATA { GRAPH <https://w3id.org/vcgraph/graph/wave/2026-W2> { <https://w3id.org/vcgraph/id/actor/beta> "
        '<http://www.w3.org/2000/01/rdf-schema#label> "Beta Renamed" } }'
    )
    response = client.post(
        "/sparql/update",
        data={"update": update},
        headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
    )
    assert response.status_code == 204
    after = [item["label"] for item in client.get("/api/actors").json()["items"]]
    assert "Beta Process" in before
    assert "Beta Renamed" in after and "Beta Process" not in after


def test_concurrent_identical_requests_run_the_query_once(store: CountingStore, settings: Settings) -> None:
    # The lookups (public dataset, waves) are made once first, as on a running server, so that every thread
    # reaches the answer itself while the first one is still computing it.
    run_question(store, settings, "actors", {"region": "FRK"})
    store.question_runs = 0
    store.delay = 0.5
    start = threading.Barrier(8)
    answers: list[dict[str, object]] = []

    def ask() -> None:
        start.wait()
        answers.append(run_question(store, settings, "actors", {"region": "BE3"}).to_json())

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert store.question_runs == 1
    assert len(answers) == 8 and all(answer == answers[0] for answer in answers)


def test_a_store_without_a_generation_is_never_cached(settings: Settings) -> None:
    store = seeded(UnknowableStore())
    first = run_question(store, settings, "actors", {})
    queries_after_first = store.all_queries
    with noting_cache() as cache:
        second = run_question(store, settings, "actors", {})
    assert store.question_runs == 2
    assert store.all_queries == 2 * queries_after_first  # the lookups ran again too
    assert cache.status == "bypass"
    assert second.to_json() == first.to_json()


def test_a_store_without_a_generation_is_cached_within_the_opt_in_ttl(settings: Settings) -> None:
    store = seeded(UnknowableStore())
    with_ttl = Settings(home=ROOT, cache_ttl=3600.0)
    run_question(store, with_ttl, "actors", {})
    run_question(store, with_ttl, "actors", {})
    assert store.question_runs == 1


def test_the_remote_adapter_has_no_generation() -> None:
    remote = RemoteStore(RemoteSettings.from_environment("http://127.0.0.1:9/query"))
    try:
        assert remote.generation() is None
    finally:
        remote.close()


def test_a_zero_cache_size_runs_every_question(store: CountingStore) -> None:
    off = Settings(home=ROOT, cache_entries=0)
    run_question(store, off, "actors", {})
    run_question(store, off, "actors", {})
    assert store.question_runs == 2


def test_a_failed_question_is_not_cached(store: CountingStore, settings: Settings) -> None:
    store.fail_next = QueryTimeout("the query was stopped after 30 s")
    with pytest.raises(QueryTimeout):
        run_question(store, settings, "actors", {})
    answer = run_question(store, settings, "actors", {})
    assert store.question_runs == 2
    assert answer.count > 0


def test_a_refused_parameter_is_refused_again(store: CountingStore, settings: Settings) -> None:
    for _ in range(2):
        with pytest.raises(QuestionParameterError, match="sector"):
            run_question(store, settings, "actors", {"sector": "astrology"})


def test_a_truncated_answer_is_not_cached_and_stays_marked(store: CountingStore, settings: Settings) -> None:
    store.cut_next = True
    with noting_answers() as notes:
        run_question(store, settings, "actors", {})
    assert notes.truncated_at == 1
    with noting_answers() as notes:
        run_question(store, settings, "actors", {})
    assert notes.truncated_at is None
    assert store.question_runs == 2


COUNT_ACTORS = "SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE { ?a a <https://w3id.org/vcgraph/ontology#Actor> }"
JSON_RESULTS = {"Accept": "application/sparql-results+json"}


def count_of(response: httpx.Response) -> int:
    body = response.json()
    return int(body["results"]["bindings"][0]["n"]["value"])


def test_a_repeated_sparql_query_runs_no_store_query(store: CountingStore, settings: Settings) -> None:
    client = TestClient(create_app(settings, store))
    first = client.get("/sparql", params={"query": COUNT_ACTORS}, headers=JSON_RESULTS)
    queries_before = store.all_queries
    second = client.get("/sparql", params={"query": COUNT_ACTORS}, headers=JSON_RESULTS)
    assert (first.headers["X-Cache"], second.headers["X-Cache"]) == ("miss", "hit")
    assert store.all_queries == queries_before
    assert second.content == first.content


def test_a_sparql_answer_in_another_format_is_another_answer(store: CountingStore, settings: Settings) -> None:
    client = TestClient(create_app(settings, store))
    client.get("/sparql", params={"query": COUNT_ACTORS}, headers=JSON_RESULTS)
    csv = client.get("/sparql", params={"query": COUNT_ACTORS}, headers={"Accept": "text/csv"})
    assert csv.headers["X-Cache"] == "miss"
    assert csv.headers["content-type"].startswith("text/csv")


def test_a_large_sparql_answer_is_served_but_not_kept(
    store: CountingStore, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("vcgraph.http.sparql.MAX_CACHED_ANSWER_BYTES", 10)
    client = TestClient(create_app(settings, store))
    for _ in range(2):
        response = client.get("/sparql", params={"query": COUNT_ACTORS}, headers=JSON_RESULTS)
        assert (response.status_code, response.headers["X-Cache"]) == (200, "miss")


def test_a_sparql_update_makes_the_next_sparql_answer_fresh(store: CountingStore, settings: Settings) -> None:
    client = TestClient(create_app(settings, store))
    before = count_of(client.get("/sparql", params={"query": COUNT_ACTORS}, headers=JSON_RESULTS))
    update = (
        "INSERT DATA { GRAPH <https://w3id.org/vcgraph/graph/wave/2026-W2> { "
        "<https://w3id.org/vcgraph/id/actor/new> a <https://w3id.org/vcgraph/ontology#Actor> } }"
    )
    headers = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    assert client.post("/sparql/update", data={"update": update}, headers=headers).status_code == 204
    after = client.get("/sparql", params={"query": COUNT_ACTORS}, headers=JSON_RESULTS)
    assert after.headers["X-Cache"] == "miss"
    assert count_of(after) == before + 1


def test_a_refused_sparql_query_is_refused_again(store: CountingStore, settings: Settings) -> None:
    client = TestClient(create_app(settings, store))
    for _ in range(2):
        response = client.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p }"})
        assert response.status_code == 400
