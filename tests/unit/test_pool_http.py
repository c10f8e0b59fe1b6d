"""How the app answers when the pool cannot: a REST question that gets no query worker in time is a JSON 503
``timeout`` with Retry-After (the SPARQL endpoint's plain-text form is covered end to end in
tests/e2e/test_limits.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from vcgraph.config import Settings, project_root
from vcgraph.http.app import create_app
from vcgraph.store.pool import PooledStore


@pytest.fixture
def pool(tmp_path: Path) -> Iterator[PooledStore]:
    store = PooledStore(tmp_path / "store", workers=1, query_timeout=0.5)
    yield store
    store.close()


def test_a_rest_question_without_a_free_worker_is_a_json_timeout(pool: PooledStore) -> None:
    settings = Settings(store=str(pool.path), home=project_root(), query_timeout=0.5)
    client = TestClient(create_app(settings, pool))
    busy = pool._idle.get()  # white box: the only worker is taken, as a runaway query would hold it
    try:
        response = client.get("/api/vocabularies/stages")
    finally:
        pool._idle.put(busy)
    assert response.status_code == 503
    assert response.headers["Retry-After"].isdigit()
    assert response.json()["error"] == "timeout"
    assert "no query worker became free within 0.5 s" in response.json()["detail"]


def test_the_same_question_is_answered_once_the_worker_is_free(pool: PooledStore) -> None:
    settings = Settings(store=str(pool.path), home=project_root(), query_timeout=0.5)
    response = TestClient(create_app(settings, pool)).get("/api/vocabularies/stages")
    assert response.status_code == 200
