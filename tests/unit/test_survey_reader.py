"""Reading survey exports: CSV or XLSX told by content, rows numbered as a spreadsheet user sees them."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from vcgraph.survey.reader import SurveyReadError, read_survey, read_survey_bytes


def write_xlsx(path: Path, rows: list[list[object]], *, first_sheet: str = "answers") -> Path:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = first_sheet
    for row in rows:
        sheet.append(row)
    other = workbook.create_sheet("notes")
    other.append(["response_id"])
    other.append(["not an answer"])
    workbook.save(path)
    return path


def test_a_csv_gives_rows_of_column_to_text_numbered_from_2() -> None:
    table = read_survey_bytes(b"response_id,organisation\nR-1,Acme\nR-2,Beta\n")
    assert table.columns == ["response_id", "organisation"]
    assert table.rows == [
        (2, {"response_id": "R-1", "organisation": "Acme"}),
        (3, {"response_id": "R-2", "organisation": "Beta"}),
    ]


def test_a_utf8_byte_order_mark_is_not_part_of_the_first_column_name() -> None:
    table = read_survey_bytes("\ufeffresponse_id,organisation\nR-1,Société\n".encode())
    assert table.columns[0] == "response_id" and table.rows[0][1]["organisation"] == "Société"


def test_a_semicolon_separated_csv_is_read_and_semicolons_inside_quotes_stay_in_the_cell() -> None:
    table = read_survey_bytes(b'response_id;sectors\nR-1;"biopharma; ict"\n')
    assert table.rows[0][1]["sectors"] == "biopharma; ict"


def test_an_excel_separator_hint_line_names_the_separator_and_is_not_a_row() -> None:
    table = read_survey_bytes(b"sep=;\nresponse_id;organisation\nR-1;Acme, Inc\n")
    assert table.rows == [(2, {"response_id": "R-1", "organisation": "Acme, Inc"})]


def test_a_blank_row_is_skipped_but_still_counted() -> None:
    table = read_survey_bytes(b"response_id\nR-1\n\n,\nR-2\n")
    assert [number for number, _ in table.rows] == [2, 5]


def test_a_quoted_cell_spanning_lines_counts_as_one_row() -> None:
    table = read_survey_bytes(b'response_id,text\nR-1,"two\nlines"\nR-2,x\n')
    assert [number for number, _ in table.rows] == [2, 3]


def test_cells_are_stripped_and_short_rows_padded() -> None:
    table = read_survey_bytes(b"a,b,c\n  x  ,y\n")
    assert table.rows[0][1] == {"a": "x", "b": "y", "c": ""}


def test_a_row_with_more_cells_than_columns_is_refused_naming_the_row() -> None:
    with pytest.raises(SurveyReadError, match="row 3: 3 cells but only 2 columns"):
        read_survey_bytes(b"a,b\n1,2\n1,2,3\n")


def test_a_repeated_column_name_is_refused() -> None:
    with pytest.raises(SurveyReadError, match="column 'a' repeats column 1"):
        read_survey_bytes(b"a,b,a\n1,2,3\n")


def test_an_empty_file_is_refused() -> None:
    with pytest.raises(SurveyReadError, match="is empty"):
        read_survey_bytes(b"  \n")


def test_text_that_is_not_utf8_is_refused_with_its_position() -> None:
    with pytest.raises(SurveyReadError, match="invalid byte at offset 17, line 2"):
        read_survey_bytes("organisation\nSoci\u00e9t\u00e9\n".encode("latin-1"))


def test_a_legacy_xls_file_is_refused_with_advice() -> None:
    with pytest.raises(SurveyReadError, match=r"legacy Excel \.xls"):
        read_survey_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100)


def test_a_zip_that_is_not_a_workbook_is_refused(tmp_path: Path) -> None:
    archive = tmp_path / "survey.xlsx"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("hello.txt", "hi")
    with pytest.raises(SurveyReadError, match="not a readable XLSX workbook"):
        read_survey(archive)


def test_a_missing_file_is_refused() -> None:
    with pytest.raises(SurveyReadError, match="cannot read"):
        read_survey(Path("/nonexistent/survey.csv"))


def test_the_first_sheet_of_an_xlsx_is_read(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "s.xlsx", [["response_id", "organisation"], ["R-1", "Acme"]])
    table = read_survey(path)
    assert table.format == "xlsx" and table.rows == [(2, {"response_id": "R-1", "organisation": "Acme"})]


def test_an_xlsx_is_recognised_by_its_content_whatever_its_name(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "s.csv", [["response_id"], ["R-1"]])
    assert read_survey(path).format == "xlsx"


def test_xlsx_numbers_and_dates_read_as_a_user_typed_them(tmp_path: Path) -> None:
    rows: list[list[object]] = [
        ["trl_T01", "submitted", "when", "consent_contact"],
        [6.0, dt.datetime(2026, 3, 2, 10, 0), dt.date(2026, 3, 4), True],
    ]
    table = read_survey(write_xlsx(tmp_path / "s.xlsx", rows))
    assert table.rows[0][1] == {
        "trl_T01": "6",
        "submitted": "2026-03-02T10:00:00",
        "when": "2026-03-04T00:00:00",
        "consent_contact": "true",
    }


def test_an_xlsx_formula_is_never_evaluated(tmp_path: Path) -> None:
    # A workbook saved by a library has no cached value: reading it gives an empty cell, not the formula text
    # and not a computed value.
    path = write_xlsx(tmp_path / "s.xlsx", [["response_id", "organisation"], ["R-1", '=HYPERLINK("http://x","y")']])
    assert read_survey(path).rows[0][1]["organisation"] == ""


def test_template_xlsx_bomb_is_refused_before_parsing(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"<a>" + b" " * (50 * 1024 * 1024) + b"</a>")
    with pytest.raises(SurveyReadError, match="decompression bomb"):
        read_survey(bomb)


def test_template_xlsx_with_an_entity_declaration_is_refused(tmp_path: Path) -> None:
    import io

    buffer = io.BytesIO()
    workbook = Workbook()
    workbook.active.append(["response_id"])
    workbook.save(buffer)
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    hostile = tmp_path / "entities.xlsx"
    with zipfile.ZipFile(hostile, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">]>' + data
            target.writestr(item, data)
    with pytest.raises(SurveyReadError):
        read_survey(hostile)
