"""Reading tool exports as they come: encodings, delimiters, line ends; XLSX read safely or refused."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from vcgraph.mappings.reader import ExportReadError, read_export, read_export_bytes

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "mappings"
FIRST_ROW = {
    "Date de création": "02/03/2026 10:15",
    "Nom de l'organisation": "Université de Liège",
    "Pays": "Belgique",
    "Région NUTS": "BE332",
    "Type d'organisation": "Laboratoire académique / université",
    "Secteurs d'activité": "Biopharma, biotechnologies;Ingénierie, électronique",
}


@pytest.mark.parametrize(
    ("fixture", "encoding", "delimiter"),
    [
        ("utf8-bom-crlf.csv", "utf-8-sig", ","),
        ("semicolon.csv", "utf-8", ";"),
        ("utf16-tab.txt", "utf-16", "\t"),
    ],
)
def test_unicode_exports_are_read_with_their_encoding_and_delimiter(
    fixture: str, encoding: str, delimiter: str
) -> None:
    table = read_export(FIXTURES / fixture)
    assert (table.encoding, table.delimiter) == (encoding, delimiter)
    assert table.rows[0] == (2, FIRST_ROW)
    assert table.warnings == []


def test_a_latin1_export_is_detected_read_correctly_and_reported() -> None:
    table = read_export(FIXTURES / "latin1.csv")
    assert table.rows[0][1] == FIRST_ROW
    assert "is not UTF-8; read it as cp1252" in table.warnings[0]


def test_a_latin1_export_named_in_the_mapping_is_read_without_a_warning() -> None:
    table = read_export(FIXTURES / "latin1.csv", encoding="latin-1")
    assert table.rows[0][1] == FIRST_ROW
    assert table.warnings == []


def test_a_latin1_export_where_the_mapping_says_utf8_is_refused_naming_line_and_fix() -> None:
    with pytest.raises(ExportReadError, match=r"line 1: byte 0xe9 is not UTF-8 .* set input\.encoding: latin-1"):
        read_export(FIXTURES / "latin1.csv", encoding="utf-8")


def test_a_utf8_export_where_the_mapping_says_latin1_is_refused_rather_than_garbled() -> None:
    with pytest.raises(
        ExportReadError, match=r"is UTF-8 .* but the mapping says encoding latin-1; set input\.encoding: auto"
    ):
        read_export(FIXTURES / "semicolon.csv", encoding="latin-1")


def test_a_header_with_quoted_commas_does_not_fool_the_delimiter_sniffing() -> None:
    data = b'"Sectors (biopharma, ICT, ...)";"Name"\n"ICT";"ACME, Inc."\n'
    table = read_export_bytes(data)
    assert table.delimiter == ";"
    assert table.rows == [(2, {"Sectors (biopharma, ICT, ...)": "ICT", "Name": "ACME, Inc."})]


def test_a_wrong_delimiter_named_in_the_mapping_is_refused_with_the_fix() -> None:
    with pytest.raises(ExportReadError, match=r"single column .* set input\.delimiter in the mapping"):
        read_export(FIXTURES / "semicolon.csv", delimiter=",")


def test_a_quoted_cell_spanning_lines_keeps_the_spreadsheet_row_numbers() -> None:
    table = read_export_bytes(b'a,b\r\n"line one\r\nline two",x\r\n\r\ny,z\r\n')
    assert [number for number, _ in table.rows] == [2, 4]


def test_repeated_headers_are_refused_naming_both_columns() -> None:
    with pytest.raises(ExportReadError, match=r"row 1, column 3: header 'Name' repeats column 1"):
        read_export_bytes(b"Name,Country,Name\nA,BE,B\n")


def test_a_row_longer_than_the_header_is_refused_naming_it() -> None:
    with pytest.raises(ExportReadError, match="row 3: 3 cells but only 2 column headers"):
        read_export_bytes(b"a,b\n1,2\n1,2,3\n")


def test_a_legacy_xls_file_is_refused_with_the_fix() -> None:
    with pytest.raises(ExportReadError, match=r"legacy Excel \.xls file; export it as \.xlsx or CSV"):
        read_export_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 64)


def test_an_xlsx_zip_bomb_is_refused_before_it_is_inflated() -> None:
    with pytest.raises(ExportReadError, match=r"sheet1\.xml would inflate \d+ times .* decompression bomb"):
        read_export(FIXTURES / "zip-bomb.xlsx")


def test_an_archive_too_large_once_unzipped_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("vcgraph.survey.reader.MAX_UNCOMPRESSED_BYTES", 1000)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("xl/worksheets/sheet1.xml", "x" * 2000)
    with pytest.raises(ExportReadError, match=r"2000 bytes once unzipped \(limit 1000\)"):
        read_export_bytes(buffer.getvalue(), name="big.xlsx")


def test_xlsx_formulas_are_never_evaluated_and_links_never_followed() -> None:
    table = read_export(FIXTURES / "formulas.xlsx")
    assert table.format == "xlsx"
    # WEBSERVICE(...) and ='[other.xlsx]Sheet1'!A1 have no cached value: they read as empty, not as a result
    assert [cells["Nom de l'organisation"] for _, cells in table.rows] == ["", ""]
    assert table.rows[0][1]["Pays"] == "Belgique"
