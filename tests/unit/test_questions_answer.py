"""The answer envelope and its CSV form."""

from __future__ import annotations

import csv
import io

from vcgraph.questions.answer import QuestionAnswer, flatten, safe_cell, to_csv


def test_cells_that_a_spreadsheet_would_run_are_neutralised() -> None:
    assert [safe_cell(v) for v in ("=1+1", "+32", "-x", "@SUM(A1)", "\tx", "plain")] == [
        "'=1+1",
        "'+32",
        "'-x",
        "'@SUM(A1)",
        "'\tx",
        "plain",
    ]


def test_numbers_and_booleans_stay_as_they_are() -> None:
    assert (safe_cell(-3), safe_cell(1.5), safe_cell(True), safe_cell(None)) == ("-3", "1.5", "true", "")


def test_nested_objects_become_dotted_columns_and_lists_joined_cells() -> None:
    item = {
        "id": "https://x/S05",
        "stage": {"id": "https://x/S05", "notation": "S05", "label": "DSP"},
        "actors_by_region": {"BE3": 1, "FRK": 0},
        "sectors": [{"notation": "ict"}, {"notation": "biopharma"}],
        "candidates": [{"actor": {"id": "https://x/a", "label": "Alpha"}, "score": 2}],
    }
    assert flatten(item) == {
        "id": "https://x/S05",
        "stage.id": "https://x/S05",
        "stage.notation": "S05",
        "stage.label": "DSP",
        "actors_by_region.BE3": 1,
        "actors_by_region.FRK": 0,
        "sectors": "ict; biopharma",
        "candidates": "Alpha",
    }


def test_csv_has_the_union_of_the_columns_of_every_item() -> None:
    text = to_csv([{"a": 1}, {"b": "=x"}])
    assert list(csv.reader(io.StringIO(text))) == [["a", "b"], ["1", ""], ["", "'=x"]]


def test_the_json_envelope_has_question_parameters_items_count_and_paging() -> None:
    answer = QuestionAnswer("gaps-stages", {"region": "BE3"}, [{"id": "x"}], count=5, limit=1, offset=2)
    assert answer.to_json() == {
        "question": "gaps-stages",
        "parameters": {"region": "BE3"},
        "items": [{"id": "x"}],
        "count": 5,
        "limit": 1,
        "offset": 2,
    }
