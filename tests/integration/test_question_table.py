"""A question's rows read as one Table (what every shaper reads, as tuples or as dicts) are the engine's rows of
each run of its query, column for column, for every question of the catalog; and a Table names a column it lacks."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from pyoxigraph import Literal, NamedNode, QuerySolutions, RdfFormat

from vcgraph.config import Settings
from vcgraph.questions import list_questions
from vcgraph.questions.answer import Row
from vcgraph.questions.params import validate_parameters
from vcgraph.questions.service import Table, execute_table, get_question
from vcgraph.service.dataset import public_dataset
from vcgraph.sparql.text import bind_parameters
from vcgraph.store.oxigraph import OxigraphStore

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "questions"
SETTINGS = Settings(store=":memory:", home=ROOT)
QUESTIONS = sorted(info.id for info in list_questions(SETTINGS))
FIXTURE_PARAMS = {"actor-profile": {"id": "beta"}, "gaps-coverage": {"regions": "BE3,FRK"}}
"""Where a header's example names something the fixtures do not hold, or holds one region where a list repeats
the query once per region."""

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def store() -> Iterator[OxigraphStore]:
    store = OxigraphStore(None)
    for name in ("reference.trig", "gaps.trig", "matchmaking.trig", "convergence.trig", "trends.trig"):
        store.load(FIXTURES / name, RdfFormat.TRIG)
    yield store
    store.close()


@pytest.mark.parametrize("name", QUESTIONS)
def test_a_question_read_as_a_table_has_the_engine_rows_of_each_run(store: OxigraphStore, name: str) -> None:
    info = get_question(SETTINGS, name)
    dataset = public_dataset(store, SETTINGS)
    params = FIXTURE_PARAMS.get(name, info.example)
    bound = validate_parameters(store, dataset, info, params, "en", SETTINGS.base_iri)
    table = execute_table(store, dataset, info, bound)
    # the reference: each run's query bound by the lexer-based binder, read straight from the engine, with the
    # repeated value added to the rows of a query that does not project it
    expected: list[Row] = []
    for binding in bound.bindings():
        outcome = store.query(bind_parameters(info.text, binding), dataset=dataset)
        assert isinstance(outcome, QuerySolutions)
        names = [v.value for v in outcome.variables]
        for solution in outcome:
            row: Row = dict(zip(names, solution, strict=True))
            if bound.repeat_variable is not None and bound.repeat_variable not in row:
                row[bound.repeat_variable] = binding[bound.repeat_variable]
            expected.append(row)
    assert expected, f"{name}: the fixtures give no row with {params}: the comparison would prove nothing"
    # as multisets: a query without ORDER BY (matchmaking-needs) may give its rows in another order each run
    assert _counted([table.row(values) for values in table.rows]) == _counted(expected)


def test_a_repeated_question_is_compared_on_more_than_one_run(store: OxigraphStore) -> None:
    info = get_question(SETTINGS, "gaps-coverage")
    dataset = public_dataset(store, SETTINGS)
    bound = validate_parameters(store, dataset, info, FIXTURE_PARAMS["gaps-coverage"], "en", SETTINGS.base_iri)
    assert bound.repeat_variable is not None and len(list(bound.bindings())) == 2


def _counted(rows: list[Row]) -> Counter[tuple[tuple[str, str], ...]]:
    return Counter(tuple((column, str(term)) for column, term in row.items()) for row in rows)


def test_a_column_the_table_lacks_is_named() -> None:
    table = Table(("need", "provider"), [])
    with pytest.raises(ValueError, match=r"no column \?offer"):
        table.column("offer")


def test_a_table_from_hand_written_rows_leaves_what_a_row_lacks_unbound() -> None:
    need = NamedNode("https://example.org/need")
    table = Table.from_rows(["need", "label"], [{"need": need}, {"label": Literal("x")}])
    assert list(table.rows) == [(need, None), (None, Literal("x"))]
