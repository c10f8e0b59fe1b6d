"""The web UI's own routes over real HTTP (no browser): the page, its context, the cell click-through and the
link to the SPARQL editor; bad input is a 4xx naming the parameter."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def server(start_server: Callable[..., Any]) -> Any:
    """The e2e server (small seeded graph) answering the project's own queries/."""
    return start_server(home=ROOT)


def test_the_ui_page_is_served_with_a_policy_that_allows_only_this_origin(server: Any) -> None:
    response = server.client.get(server.url("/ui/"))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    policy = response.headers["content-security-policy"]
    for directive in ("default-src 'none'", "script-src 'self'", "connect-src 'self'", "frame-ancestors 'none'"):
        assert directive in policy
    assert "unsafe-inline" not in policy


def test_the_ui_page_loads_no_script_or_style_from_another_origin(server: Any) -> None:
    html = server.client.get(server.url("/ui/")).text
    assert "http://" not in html and "https://" not in html and "//" not in html.replace("<!--", "")


def test_the_server_root_redirects_to_the_ui(server: Any) -> None:
    response = server.client.get(server.url("/"), follow_redirects=False)
    assert response.status_code == 307
    assert response.headers["location"] == "/ui/"


def test_the_context_lists_the_loaded_waves_and_the_base_iri(server: Any) -> None:
    context = server.client.get(server.url("/ui/context.json")).json()
    assert context["waves"] == []  # the seeded graph has a wave graph but no bm:SurveyWave description
    assert context["base_iri"] == "https://w3id.org/vcgraph/"
    assert context["regions"] == []


def test_a_cell_with_an_unknown_stage_is_a_422_naming_the_stage(server: Any) -> None:
    response = server.client.get(server.url("/ui/cell-actors"), params={"stage": "S99", "region": "BE3"})
    assert response.status_code == 422
    assert response.json()["detail"]["parameter"] == "stage"


def test_a_cell_without_a_region_is_a_422_naming_the_region(server: Any) -> None:
    response = server.client.get(server.url("/ui/cell-actors"), params={"stage": "S04"})
    assert response.status_code == 422
    assert response.json()["detail"]["parameter"] in ("stage", "region")


def test_the_editor_link_of_an_unknown_question_is_a_404(server: Any) -> None:
    response = server.client.get(server.url("/ui/sparql/no-such-question"), follow_redirects=False)
    assert response.status_code == 404
    assert "no-such-question" in response.json()["detail"]


def test_the_editor_link_without_a_required_parameter_is_a_422_naming_it(server: Any) -> None:
    response = server.client.get(server.url("/ui/sparql/gaps-stages"), follow_redirects=False)
    assert response.status_code == 422
    assert response.json()["detail"]["parameter"] == "region"


def test_the_editor_link_in_an_unsupported_language_is_a_422_naming_lang(server: Any) -> None:
    response = server.client.get(
        server.url("/ui/sparql/vocabulary"), params={"scheme": "stages", "lang": "de"}, follow_redirects=False
    )
    assert response.status_code == 422
    assert response.json()["detail"]["parameter"] == "lang"


def test_the_editor_link_redirects_to_yasgui_with_the_bound_query(server: Any) -> None:
    response = server.client.get(
        server.url("/ui/sparql/vocabulary"), params={"scheme": "stages", "lang": "fr"}, follow_redirects=False
    )
    assert response.status_code == 303
    location = response.headers["location"]
    assert location.startswith("/sparql#query=%23%20id%3A%20vocabulary")
    assert "%22fr%22" in location  # $lang bound to the literal "fr"
