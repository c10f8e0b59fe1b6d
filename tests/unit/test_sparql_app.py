"""create_app: the routers it includes, and why a broken optional router must not be hidden."""

from __future__ import annotations

import sys
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.routing import APIRoute

from vcgraph.config import Settings
from vcgraph.http import questions
from vcgraph.http.app import _optional_router, create_app
from vcgraph.store.oxigraph import OxigraphStore


@pytest.fixture
def modules_dir(tmp_path: Path) -> Iterator[Path]:
    sys.path.insert(0, str(tmp_path))
    yield tmp_path
    sys.path.remove(str(tmp_path))
    for name in ("vcgraph_test_broken_router", "vcgraph_test_router"):
        sys.modules.pop(name, None)


def test_an_absent_optional_module_is_skipped() -> None:
    assert _optional_router("vcgraph_no_such_module_anywhere") is None


def test_an_import_error_inside_an_optional_module_propagates(modules_dir: Path) -> None:
    (modules_dir / "vcgraph_test_broken_router.py").write_text("import vcgraph_missing_dependency\n")
    with pytest.raises(ModuleNotFoundError, match="vcgraph_missing_dependency"):
        _optional_router("vcgraph_test_broken_router")


def test_an_optional_module_without_a_router_is_an_error(modules_dir: Path) -> None:
    (modules_dir / "vcgraph_test_router.py").write_text("ROUTER = None\n")
    with pytest.raises(AttributeError, match="router"):
        _optional_router("vcgraph_test_router")


def test_the_app_serves_the_sparql_routes_and_the_other_parts_routers(tmp_path: Path) -> None:
    app = create_app(Settings(store=str(tmp_path)), OxigraphStore(None))
    paths = set(app.openapi()["paths"])
    assert {"/sparql", "/sparql/update", "/sparql/store"} <= paths
    assert {route.path for route in questions.router.routes if isinstance(route, APIRoute)} <= paths


def test_the_app_keeps_its_settings_and_store_for_the_routes(tmp_path: Path) -> None:
    settings, store = Settings(store=str(tmp_path)), OxigraphStore(None)
    app = create_app(settings, store)
    assert app.state.settings is settings and app.state.store is store


def test_every_openapi_operation_has_its_own_operation_id(tmp_path: Path) -> None:
    # Routes serving GET and HEAD from one function once shared an id; FastAPI then warns and clients clash.
    app = create_app(Settings(store=str(tmp_path)), OxigraphStore(None))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        operations = [operation for path in app.openapi()["paths"].values() for operation in path.values()]
    ids = [operation["operationId"] for operation in operations]
    assert len(ids) == len(set(ids))
    assert any(operation.get("summary", "").endswith("(headers only)") for operation in operations)
