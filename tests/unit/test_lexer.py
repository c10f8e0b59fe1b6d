"""The SPARQL lexer that binds parameters and guards against outbound fetches."""

from __future__ import annotations

import pytest
from pyoxigraph import Literal, NamedNode, QuerySolutions, Store

from vcgraph.sparql.text import (
    ParameterError,
    bind_parameters,
    decode_escapes,
    forbidden_operations,
    line_column,
    parameter_names,
    sparql11_group_concat,
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
    solutions = Store().query(bound)  # parses as one query with one literal
    assert isinstance(solutions, QuerySolutions)
    assert list(solutions) == []
    assert bound.count("DROP") == 1 and '\\"' in bound


def test_binding_a_blank_node_is_refused() -> None:
    from pyoxigraph import BlankNode

    with pytest.raises(ParameterError):
        bind_parameters("SELECT * { ?s ?p $v }", {"v": BlankNode()})


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


def test_from_clauses_are_not_fetching_operations() -> None:
    # The engine reads FROM graphs from the store; which ones may be named is the service's decision.
    assert forbidden_operations("SELECT * FROM <http://elsewhere/x.ttl> FROM NAMED <http://e/g> { ?s ?p ?o }") == []


def test_codepoint_escapes_are_decoded_before_lexing() -> None:
    assert decode_escapes("\\u0053ERVICE \\U0001F600") == "SERVICE \U0001f600"


def test_line_column_is_one_based() -> None:
    assert line_column("ab\ncd", 4) == (2, 2)


@pytest.mark.parametrize(
    ("query", "rewritten"),
    [
        ("SELECT (GROUP_CONCAT(?o) AS ?g) {}", "SELECT (STR(GROUP_CONCAT(?o)) AS ?g) {}"),
        ("SELECT (group_concat(?o) AS ?g) {}", "SELECT (STR(group_concat(?o)) AS ?g) {}"),
        (
            'SELECT (GROUP_CONCAT(DISTINCT ?o ; SEPARATOR = ")") AS ?g) {}',
            'SELECT (STR(GROUP_CONCAT(DISTINCT ?o ; SEPARATOR = ")")) AS ?g) {}',
        ),
        (
            "SELECT (GROUP_CONCAT(CONCAT(STR(?o), <http://e/)>)) AS ?g) {}",
            "SELECT (STR(GROUP_CONCAT(CONCAT(STR(?o), <http://e/)>))) AS ?g) {}",
        ),
        ("SELECT (GROUP_CONCAT (\n  ?o # )\n) AS ?g) {}", "SELECT (STR(GROUP_CONCAT (\n  ?o # )\n)) AS ?g) {}"),
        (
            "SELECT * { { SELECT (GROUP_CONCAT(?o) AS ?g) {} } } ORDER BY (GROUP_CONCAT(?x))",
            "SELECT * { { SELECT (STR(GROUP_CONCAT(?o)) AS ?g) {} } } ORDER BY (STR(GROUP_CONCAT(?x)))",
        ),
        (
            "SELECT (CONCAT(GROUP_CONCAT(?a), GROUP_CONCAT(?b)) AS ?g) {}",
            "SELECT (CONCAT(STR(GROUP_CONCAT(?a)), STR(GROUP_CONCAT(?b))) AS ?g) {}",
        ),
        (
            "SELECT (GROUP_CONCAT(GROUP_CONCAT(?o)) AS ?g) {}",
            "SELECT (STR(GROUP_CONCAT(STR(GROUP_CONCAT(?o)))) AS ?g) {}",
        ),
    ],
)
def test_group_concat_calls_are_wrapped_in_str(query: str, rewritten: str) -> None:
    assert sparql11_group_concat(query) == rewritten


@pytest.mark.parametrize(
    "query",
    [
        'SELECT * { ?s <http://e/GROUP_CONCAT(> "GROUP_CONCAT(?o)" } # GROUP_CONCAT(?o)',
        "PREFIX ex: <http://e/> SELECT (ex:GROUP_CONCAT(?o) AS ?g) { ?GROUP_CONCAT ?p ?o }",
        "SELECT (GROUP_CONCAT(?o AS ?g {",  # unbalanced: left for the parser to report
        "SELECT ?GROUP_CONCAT {}",
    ],
)
def test_group_concat_in_strings_iris_comments_and_names_is_untouched(query: str) -> None:
    assert sparql11_group_concat(query) == query


def test_the_rewrite_keeps_group_concat_a_valid_aggregate() -> None:
    # pyoxigraph parses the rewrite and gives SPARQL 1.1's answer: a simple literal, not "1 2"@en.
    query = 'SELECT (GROUP_CONCAT(?o) AS ?g) { VALUES ?o { "1"@en "2"@en } }'
    solutions = Store().query(sparql11_group_concat(query))
    assert isinstance(solutions, QuerySolutions)
    assert [solution["g"] for solution in solutions] in ([Literal("1 2")], [Literal("2 1")])
