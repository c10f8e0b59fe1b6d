"""A query that is nothing but a UNION of groups is run as one query per branch; the rows of the branches are the
rows of the query (bag union), checked on every question file that has this form and on hand-made queries."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, cast

import pytest
from pyoxigraph import NamedNode, Quad, QuerySolutions, Store

from vcgraph.questions.catalog import read_question_file
from vcgraph.questions.params import BoundParameters
from vcgraph.questions.service import execute_table
from vcgraph.sparql.text import union_branches
from vcgraph.store.oxigraph import OxigraphStore
from vcgraph.store.port import Dataset, QueryOutcome
from vcgraph.store.port import Store as StorePort

ROOT = Path(__file__).resolve().parents[2]
EX = "http://example.org/"


def rows(store: Store, text: str) -> Counter[tuple[object, ...]]:
    solutions = store.query(text)
    assert isinstance(solutions, QuerySolutions)
    return Counter(tuple(solution) for solution in solutions)


@pytest.fixture(scope="module")
def store() -> Store:
    store = Store()
    for subject, predicate, obj in [("a", "p", "b"), ("a", "q", "c"), ("b", "p", "c"), ("c", "q", "c")]:
        store.add(Quad(NamedNode(EX + subject), NamedNode(EX + predicate), NamedNode(EX + obj)))
    return store


def test_the_branches_of_a_union_give_the_rows_of_the_query_each_as_many_times(store: Store) -> None:
    text = """PREFIX ex: <http://example.org/>
    # a comment with { braces } and UNION in it
    SELECT ?s ?o ?kind WHERE {
      { ?s ex:p ?o BIND("p" AS ?kind) }
      UNION { ?s ex:q ?o }
      UNION { { SELECT ?s WHERE { ?s ex:p ?x } } }
      UNION { ?s ex:p ?o FILTER(?o != "}") }
    }"""
    branches = union_branches(text)
    assert branches is not None and len(branches) == 4
    together: Counter[tuple[object, ...]] = Counter()
    for branch in branches:
        together.update(rows(store, branch))
    assert together == rows(store, text)


@pytest.mark.parametrize(
    "text",
    [
        "SELECT DISTINCT ?s WHERE { { ?s ?p ?o } UNION { ?o ?p ?s } }",
        "SELECT REDUCED ?s WHERE { { ?s ?p ?o } UNION { ?o ?p ?s } }",
        "SELECT * WHERE { { ?s ?p ?o } UNION { ?o ?p ?s } }",
        "SELECT (COUNT(*) AS ?n) WHERE { { ?s ?p ?o } UNION { ?o ?p ?s } }",
        "SELECT ?s FROM <http://example.org/g> WHERE { { ?s ?p ?o } UNION { ?o ?p ?s } }",
        "SELECT ?s WHERE { { ?s ?p ?o } UNION { ?o ?p ?s } } ORDER BY ?s",
        "SELECT ?s WHERE { { ?s ?p ?o } UNION { ?o ?p ?s } } LIMIT 1",
        "SELECT ?s WHERE { { ?s ?p ?o } UNION { ?o ?p ?s } } VALUES ?s { <http://example.org/a> }",
        "SELECT ?s WHERE { { ?s ?p ?o } UNION { ?o ?p ?s } ?s ?q ?r }",
        "SELECT ?s WHERE { { ?s ?p ?o } UNION { ?o ?p ?s } FILTER(BOUND(?s)) }",
        "SELECT ?s WHERE { { ?s ?p ?o } { ?o ?p ?s } }",
        "SELECT ?s WHERE { { ?s ?p ?o } }",
        "SELECT ?s WHERE { ?s ?p ?o }",
        "ASK { { ?s ?p ?o } UNION { ?o ?p ?s } }",
        "CONSTRUCT { ?s ?p ?o } WHERE { { ?s ?p ?o } UNION { ?o ?p ?s } }",
    ],
)
def test_a_query_of_another_form_is_run_whole(text: str) -> None:
    assert union_branches(text) is None


def test_a_branch_keeps_the_prologue_and_the_projection() -> None:
    branches = union_branches(
        "PREFIX ex: <http://example.org/>\nSELECT ?s ?o WHERE { { ?s ex:p ?o } UNION { ?s ex:q ?o } }"
    )
    assert branches is not None
    assert all(branch.startswith("PREFIX ex: <http://example.org/>\nSELECT ?s ?o WHERE {") for branch in branches)
    assert ["ex:p" in branches[0], "ex:q" in branches[1]] == [True, True]


SPLIT = [
    path
    for path in sorted((ROOT / "queries").glob("*.rq"))
    if union_branches(path.read_text(encoding="utf-8")) and not read_question_file(path).run_whole
]


def test_the_questions_that_list_rows_of_several_kinds_are_run_branch_by_branch() -> None:
    assert {"gaps-needs", "trends-needs", "convergence-bridges"} <= {path.stem for path in SPLIT}


class _Recording:
    """An in-memory store that records the queries sent to it."""

    concurrent_branches = True

    def __init__(self) -> None:
        self.store = OxigraphStore(None)
        self.queries: list[str] = []

    def query(self, query: str, **kwargs: Any) -> QueryOutcome:
        self.queries.append(query)
        return self.store.query(query, **kwargs)

    def query_in_turn(self, queries: Sequence[str], **kwargs: Any) -> Iterator[QueryOutcome]:
        for query in queries:
            yield self.query(query, **kwargs)


@pytest.mark.parametrize("header", ["", "# run: whole\n"])
def test_a_question_whose_header_says_run_whole_is_sent_whole(tmp_path: Path, header: str) -> None:
    path = tmp_path / "two-branches.rq"
    path.write_text(
        f"# id: two-branches\n# route: /api/two\n# title: t\n# question: q?\n{header}"
        "SELECT ?s WHERE { { BIND(1 AS ?s) } UNION { BIND(2 AS ?s) } }\n",
        encoding="utf-8",
    )
    info = read_question_file(path)
    recording = _Recording()
    table = execute_table(cast(StorePort, recording), Dataset(), info, BoundParameters())
    assert sorted(row[0].value for row in table.rows if row[0] is not None) == ["1", "2"]
    assert len(recording.queries) == (1 if header else 2)


@pytest.mark.parametrize("path", SPLIT, ids=lambda path: path.stem)
def test_every_branch_of_a_question_is_a_query_with_the_questions_columns(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    branches = union_branches(text)
    assert branches is not None
    store = Store()
    columns = [v.value for v in _solutions(store, text).variables]
    for branch in branches:
        assert [v.value for v in _solutions(store, branch).variables] == columns


def _solutions(store: Store, text: str) -> QuerySolutions:
    # the parameters left unbound, as an optional parameter is: the text still parses and projects its columns
    solutions = store.query(text.replace("$", "?"))
    assert isinstance(solutions, QuerySolutions)
    return solutions
