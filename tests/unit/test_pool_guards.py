"""The guards in front of the pool: bracket depth before any parser, the mark on cut JSON answers, the
refusals of the public query service (size, depth)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from vcgraph.config import Settings
from vcgraph.http.limits import mark_truncated
from vcgraph.service.sparql import MAX_NESTING, SparqlRefused, SparqlTooLarge, run_query, run_update
from vcgraph.sparql.text import too_deep_nesting
from vcgraph.store.oxigraph import OxigraphStore


def test_nesting_within_the_limit_passes() -> None:
    assert too_deep_nesting("SELECT * { { ?s ?p ?o FILTER((1)) } }", 4) is None


def test_nesting_past_the_limit_gives_the_offset_of_the_first_bracket_too_deep() -> None:
    text = "SELECT * { { ( [" + "}"
    assert too_deep_nesting(text, 3) == text.index("[")


def test_braces_parentheses_and_brackets_count_together() -> None:
    assert too_deep_nesting("{([", 2) == 2


def test_closed_brackets_free_their_level() -> None:
    assert too_deep_nesting("{}" * 1000, 1) is None


def test_brackets_in_strings_iris_and_comments_do_not_count() -> None:
    text = 'SELECT * { ?s ?p "{{{{" . ?s <http://x/((((> ?o } # [[[[\n'
    assert too_deep_nesting(text, 1) is None


def test_escaped_brackets_count_as_the_parser_decodes_them() -> None:
    assert too_deep_nesting("SELECT * \\u007B \\u007B ?s ?p ?o } }", 1) is not None


def test_ten_thousand_nested_brackets_are_found_without_recursion() -> None:
    assert too_deep_nesting("(" * 10_000, MAX_NESTING) == MAX_NESTING


def test_a_cut_json_object_gets_truncated_as_its_first_member() -> None:
    body = b'{"head":{"vars":["s"]},"results":{"bindings":[]}}'
    marked = json.loads(mark_truncated(body))
    assert marked == {"truncated": True, "head": {"vars": ["s"]}, "results": {"bindings": []}}


def test_an_empty_json_object_gets_the_member_without_a_dangling_comma() -> None:
    assert json.loads(mark_truncated(b" { } ")) == {"truncated": True}


def test_a_json_document_that_is_not_an_object_is_left_alone() -> None:
    assert mark_truncated(b"[1, 2]") == b"[1, 2]"


@pytest.fixture
def store(tmp_path: Path) -> OxigraphStore:
    return OxigraphStore(tmp_path / "store")


def test_a_query_longer_than_max_query_bytes_is_refused_as_too_large(store: OxigraphStore, tmp_path: Path) -> None:
    settings = Settings(store=str(tmp_path / "store"), home=tmp_path, max_query_bytes=100)
    with pytest.raises(SparqlTooLarge, match="at most 100"):
        run_query(store, settings, "SELECT * { ?s ?p ?o } #" + "x" * 100)


def test_a_deeply_nested_query_is_refused_before_the_engine_parses_it(store: OxigraphStore, tmp_path: Path) -> None:
    settings = Settings(store=str(tmp_path / "store"), home=tmp_path)
    # in-process: were the engine to parse this, the test process itself would die of a stack overflow
    with pytest.raises(SparqlRefused, match=f"nested more than {MAX_NESTING} deep"):
        run_query(store, settings, "SELECT * {" + "{" * 10_000 + "}" * 10_000 + "}")


def test_a_deeply_nested_update_is_refused_before_the_engine_parses_it(store: OxigraphStore) -> None:
    update = "INSERT { <urn:a> <urn:b> <urn:c> } WHERE { FILTER" + "(" * 10_000 + "1" + ")" * 10_000 + " }"
    with pytest.raises(SparqlRefused, match="refused at 1:"):
        run_update(store, update)
