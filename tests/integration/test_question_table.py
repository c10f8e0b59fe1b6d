"""A question's rows read as one Table (for the shapers of large answers) are the rows read as dicts, column for
column, for every question of the catalog; and a Table names a column it lacks."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from pyoxigraph import Literal, NamedNode, RdfFormat

from vcgraph.config import Settings
from vcgraph.questions import list_questions
from vcgraph.questions.answer import Row
from vcgraph.questions.params import validate_parameters
from vcgraph.questions.service import Table, execute_rows, execute_table, get_question
from vcgraph.service.dataset import public_dataset
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
def test_a_question_read_as_a_table_has_the_rows_read_as_dicts(store: OxigraphStore, name: str) -> None:
    info = get_question(SETTINGS, name)
    dataset = public_dataset(store, SETTINGS)
    params = FIXTURE_PARAMS.get(name, info.example)
    bound = validate_parameters(store, dataset, info, params, "en", SETTINGS.base_iri)
    table = execute_table(store, dataset, info, bound)
    rows = execute_rows(store, dataset, info, bound)
    assert rows, f"{name}: the fixtures give no row with {params}: the comparison would prove nothing"
    # as multisets: a query without ORDER BY (matchmaking-needs) may give its rows in another order each run
    assert _counted([table.row(values) for values in table.rows]) == _counted(rows)


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
