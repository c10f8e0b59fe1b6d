"""One question, three ways in: the REST route, the CLI (`vcgraph query NAME --param ...`) and the raw `.rq` file
posted to `/sparql` with its parameters bound must give the same answer, for every question of the catalog."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pyoxigraph import RdfFormat
from typer.testing import CliRunner

from vcgraph.cli import app as cli
from vcgraph.config import Settings
from vcgraph.http.app import create_app
from vcgraph.questions import list_questions, question_rows, run_question
from vcgraph.questions.answer import Row
from vcgraph.questions.params import validate_parameters
from vcgraph.service.dataset import public_dataset
from vcgraph.sparql.text import bind_parameters
from vcgraph.store.oxigraph import OxigraphStore

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "questions"
QUESTIONS = sorted(info.id for info in list_questions(Settings(home=ROOT)))
FIXTURE_PARAMS = {"actor-profile": {"id": "beta"}}
"""Where a header's example names something the fixtures do not hold."""


def example(name: str, settings: Settings) -> dict[str, str]:
    info = next(i for i in list_questions(settings) if i.id == name)
    return FIXTURE_PARAMS.get(name, info.example)


pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def location(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("agree") / "store"


@pytest.fixture(scope="module")
def store(location: Path) -> Iterator[OxigraphStore]:
    store = OxigraphStore(location)
    for name in ("reference.trig", "gaps.trig", "matchmaking.trig", "convergence.trig", "trends.trig"):
        store.load(FIXTURES / name, RdfFormat.TRIG)
    store.flush()  # the CLI opens its own read-only handle on the same directory
    yield store
    store.close()


@pytest.fixture(scope="module")
def settings(location: Path) -> Settings:
    return Settings(store=str(location), home=ROOT)


@pytest.fixture(scope="module")
def client(store: OxigraphStore, settings: Settings) -> TestClient:
    return TestClient(create_app(settings, store))


def term_text(binding: dict[str, Any] | None) -> str | None:
    """A SPARQL JSON result binding and a pyoxigraph term, both reduced to (kind, lexical value)."""
    if binding is None:
        return None
    return f"{binding['type'].replace('typed-literal', 'literal')}:{binding['value']}"


def row_text(row: Row) -> tuple[tuple[str, str | None], ...]:
    out = []
    for name, term in sorted(row.items()):
        if term is None:
            out.append((name, None))
        else:
            kind = "uri" if type(term).__name__ == "NamedNode" else "literal"
            out.append((name, f"{kind}:{term.value}"))
    return tuple(out)


def raw_rows(client: TestClient, store: OxigraphStore, settings: Settings, name: str) -> list[Any]:
    """The question's .rq file, its example parameters bound, through the public /sparql endpoint."""
    info = next(i for i in list_questions(settings) if i.id == name)
    bound = validate_parameters(store, public_dataset(store, settings), info, example(name, settings))
    rows = []
    for binding in bound.bindings():
        response = client.post(
            "/sparql",
            content=bind_parameters(info.text, binding).encode("utf-8"),
            headers={"Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"},
        )
        assert response.status_code == 200, response.text
        results = response.json()
        for solution in results["results"]["bindings"]:
            row = {v: term_text(solution.get(v)) for v in results["head"]["vars"]}
            if bound.repeat_variable is not None:
                row[bound.repeat_variable] = "uri:" + binding[bound.repeat_variable].value
            rows.append(tuple(sorted(row.items())))
    return rows


@pytest.mark.parametrize("name", QUESTIONS)
def test_rest_cli_and_raw_query_give_the_same_answer(
    name: str, client: TestClient, store: OxigraphStore, settings: Settings
) -> None:
    info = next(i for i in list_questions(settings) if i.id == name)
    params = example(name, settings)
    service = run_question(store, settings, name, params, limit=None)
    service_rows = question_rows(store, settings, name, params)
    assert service_rows, f"the fixture gives {name} no rows: the comparison would prove nothing"

    path = info.route.format(**params)
    query = {k: v for k, v in params.items() if "{" + k + "}" not in info.route}
    rest = client.get(path, params={**query, "limit": 10_000})
    assert rest.status_code == 200, rest.text
    body = rest.json()
    assert (body["items"], body["count"], body["parameters"]) == (service.items, service.count, service.parameters)

    args = ["query", name, "--format", "json", "--store", settings.store]
    for key, value in params.items():
        args += ["--param", f"{key}={value}"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    printed = json.loads(result.stdout)
    assert (printed["items"], printed["count"]) == (service.items, service.count)

    raw = raw_rows(client, store, settings, name)
    assert sorted(raw, key=repr) == sorted((row_text(r) for r in service_rows), key=repr)
