"""The SPARQL lexer that binds parameters and guards against outbound fetches."""

from __future__ import annotations

import pytest
from pyoxigraph import Literal, NamedNode, Store

from vcgraph.sparql.text import (
    ParameterError,
    bind_parameters,
    decode_escapes,
    forbidden_operations,
    line_column,
    parameter_names,
    tokens,
)

QUERY = """# $region in a comment stays
SELECT ?x WHERE {
  ?x <http://example.org/p> "$region in a string stays" .
  ?x <http://example.org/in> $region .
  FILTER(?n < $max)
}"""


def test_tokens_join_back_to_the_text() -> None:
    assert "".join(t.text for t in tokens(QUERY)) == QUERY


def test_parameter_names_are_dollar_variables_outside_strings_and_comments() -> None:
    assert parameter_names(QUERY) == {"region", "max"}


def test_binding_replaces_only_variable_tokens() -> None:
    bound = bind_parameters(QUERY, {"region": NamedNode("http://data.europa.eu/nuts/code/FRK")})
    assert "<http://data.europa.eu/nuts/code/FRK> ." in bound
    assert "# $region in a comment stays" in bound
    assert '"$region in a string stays"' in bound
    assert "$max" in bound


def test_bound_literal_cannot_break_out_of_its_quotes() -> None:
    hostile = 'x" } ; DROP ALL ; SELECT * { "'
    bound = bind_parameters("SELECT * WHERE { ?s ?p $v }", {"v": Literal(hostile)})
    store = Store()
    assert list(store.query(bound)) == []  # parses as one query with one literal
    assert bound.count("DROP") == 1 and '\\"' in bound


def test_binding_a_blank_node_is_refused() -> None:
    from pyoxigraph import BlankNode

    with pytest.raises(ParameterError):
        bind_parameters("SELECT * { ?s ?p $v }", {"v": BlankNode()})  # type: ignore[dict-item]


@pytest.mark.parametrize(
    "text",
    [
        "SELECT * { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }",
        "select * { service silent <http://127.0.0.1:9/> { ?s ?p ?o } }",
        "SELECT * { \\u0053ERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }",
        "LOAD <http://127.0.0.1:9/data.ttl>",
        "load silent <file:///etc/passwd> into graph <http://g>",
    ],
)
def test_fetching_operations_are_found(text: str) -> None:
    assert forbidden_operations(text)


@pytest.mark.parametrize(
    "text",
    [
        "SELECT ?service WHERE { ?service <http://example.org/SERVICE> 'LOAD SERVICE' }",
        "PREFIX ex: <http://example.org/> SELECT * { ?s ex:SERVICE ?o } # SERVICE in a comment",
    ],
)
def test_names_strings_and_comments_are_not_operations(text: str) -> None:
    assert forbidden_operations(text) == []


def test_from_an_unknown_graph_is_refused_and_a_known_one_allowed() -> None:
    text = "SELECT * FROM <http://known/> FROM NAMED <http://elsewhere/x.ttl> { ?s ?p ?o }"
    found = forbidden_operations(text, allowed_graphs=frozenset({"http://known/"}))
    assert [f.operation for f in found] == ["FROM"]
    assert "http://elsewhere/x.ttl" in found[0].reason


def test_codepoint_escapes_are_decoded_before_lexing() -> None:
    assert decode_escapes("\\u0053ERVICE \\U0001F600") == "SERVICE \U0001f600"


def test_line_column_is_one_based() -> None:
    assert line_column("ab\ncd", 4) == (2, 2)
