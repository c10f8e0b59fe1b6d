"""Each encoding problem of real exports, through a mapping: accepted with the right values, or refused with the fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from vcgraph.config import project_root
from vcgraph.mappings.apply import apply_mapping
from vcgraph.mappings.model import load_mapping
from vcgraph.mappings.reader import ExportReadError, read_export
from vcgraph.vocabulary import Vocabularies

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "mappings"
MAPPING = load_mapping(str(FIXTURES / "mini.yaml"))
EXPECTED = [
    {
        "response_id": "T-01",
        "submitted": "2026-03-02T10:15:00",
        "organisation": "Université de Liège",
        "country": "BE",
        "nuts": "BE332",
        "actor_type": "A11",
        "sectors": "biopharma;engineering",
    },
    {
        "response_id": "T-02",
        "submitted": "2026-03-03T14:40:00",
        "organisation": "Lyon Bioprocédés",
        "country": "FR",
        "nuts": "FRK26",
        "actor_type": "A12",
        "sectors": "supply-chain",
    },
]


@pytest.fixture(scope="module")
def vocabularies() -> Vocabularies:
    return Vocabularies.load(project_root() / "ontology")


@pytest.mark.parametrize(
    "fixture",
    ["utf8-bom-crlf.csv", "semicolon.csv", "latin1.csv", "utf16-tab.txt"],
)
def test_each_encoding_gives_the_same_answers(fixture: str, vocabularies: Vocabularies) -> None:
    export = read_export(FIXTURES / fixture, encoding=MAPPING.encoding, delimiter=MAPPING.delimiter)
    rows, problems, unmatched, _ = apply_mapping(export, MAPPING, vocabularies)
    assert problems == [] and unmatched == []
    assert [row.values for row in rows] == EXPECTED


def test_headers_and_answers_without_accents_in_any_case_with_stray_spaces_match(vocabularies: Vocabularies) -> None:
    export = read_export(FIXTURES / "unaccented-spaces.csv")
    rows, problems, _, _ = apply_mapping(export, MAPPING, vocabularies)
    assert problems == []
    unaccented = [dict(row) for row in EXPECTED]
    unaccented[0]["organisation"] = "Universite de Liege"
    unaccented[1]["organisation"] = "Lyon Bioprocedes"
    assert [row.values for row in rows] == unaccented


def test_a_date_in_another_tools_format_is_refused_naming_row_column_and_fix(vocabularies: Vocabularies) -> None:
    export = read_export(FIXTURES / "wrong-date-format.csv")
    _, problems, _, _ = apply_mapping(export, MAPPING, vocabularies)
    assert [str(p) for p in problems] == [
        "row 2, column Date de création: value '3/2/26 10:15:00': not a date in EUSurvey's day-first "
        "02/03/2026 10:15 format; fix the cell or the mapping's date format"
    ]


def test_a_latin1_file_is_refused_when_the_mapping_insists_on_utf8() -> None:
    with pytest.raises(ExportReadError, match=r"latin1\.csv, line 1: .* set input\.encoding: latin-1"):
        read_export(FIXTURES / "latin1.csv", encoding="utf-8")


def test_formulas_in_an_xlsx_export_yield_no_value_rather_than_a_computed_one(vocabularies: Vocabularies) -> None:
    rows, _, _, _ = apply_mapping(read_export(FIXTURES / "formulas.xlsx"), MAPPING, vocabularies)
    assert [row.values.get("organisation") for row in rows] == [None, None]
    assert [row.values["nuts"] for row in rows] == ["BE332", "FRK26"]
