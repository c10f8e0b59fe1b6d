"""Property-based testing of the running app against its own OpenAPI schema (schemathesis).

A real server on loopback over a store with one ingested wave; schemathesis generates requests for every operation
the schema lists (a bounded number of examples each, so the whole run stays under two minutes) and checks that
no answer is a server error and that every answer with a documented status matches the documented schema.
Requests carry the admin token, so the write paths (SPARQL update, Graph Store, survey upload) parse whatever the
generator invents too; destructive updates stay refused, so the store cannot be wiped from under the run.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
import uvicorn
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error, response_schema_conformance
from schemathesis.core.result import Ok

from vcgraph.config import Settings, project_root
from vcgraph.http.app import create_app
from vcgraph.service.ingest import ingest_survey
from vcgraph.store.oxigraph import OxigraphStore

pytestmark = pytest.mark.e2e

TOKEN = "schemathesis-admin-token-0123"
EXAMPLES = 25


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("schemathesis")
    store = OxigraphStore(folder / "store")
    app_settings = Settings(store=str(folder / "store"), home=project_root(), admin_token=TOKEN)
    fixture = Path(__file__).resolve().parents[1] / "fixtures" / "survey" / "valid.csv"
    assert ingest_survey(store, app_settings, fixture, "2026-W1").ok
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(app_settings, store), host="127.0.0.1", port=port, log_level="error")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "uvicorn did not start"
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def api_schema(base_url: str) -> schemathesis.BaseSchema:
    return schemathesis.openapi.from_url(f"{base_url}/openapi.json")


def test_no_request_the_schema_allows_makes_a_server_error_or_an_undocumented_answer(
    api_schema: schemathesis.BaseSchema, base_url: str
) -> None:
    # Each operation gets its own bounded hypothesis run; failures are collected so that one run reports every
    # operation that fails (with the request that failed), not just the first. (schemathesis's pytest plugin does
    # the same per operation, but does not load under pytest 9.)
    failures: list[str] = []
    operations = []
    for result in api_schema.get_all_operations():
        if isinstance(result, Ok):
            operations.append(result.ok())
        else:
            failures.append(f"the schema of an operation is invalid: {result.err()}")
    assert len(operations) > 20, "the schema lost its operations"
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,  # the same requests on every run: a failure is reproducible, not a coin toss
            database=None,
        )
        def run(case: schemathesis.Case) -> None:
            case.call_and_validate(
                base_url=base_url,
                headers={"Authorization": f"Bearer {TOKEN}"},
                checks=[not_a_server_error, response_schema_conformance],
                timeout=30,
            )

        try:
            run()
        except (Exception, BaseExceptionGroup) as failure:  # a FailureGroup: the request and the checks it failed
            failures.append(f"{operation.label}: {failure}")
    assert not failures, "\n\n".join(failures)
