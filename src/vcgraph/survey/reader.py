"""Step 1 of the ingest: a survey export (CSV or XLSX) -> rows of ``{column: text}``.

The format is told by the content, not the file name (an ``.csv`` saved by Excel may be anything): XLSX is a zip
archive, legacy XLS an OLE2 compound file (refused), anything else must be UTF-8 text. Row numbers are the ones a
spreadsheet user sees: the header is row 1, the first answer row 2, blank rows counted but skipped.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

ZIP_MAGIC = b"PK\x03\x04"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
UTF8_BOM = b"\xef\xbb\xbf"
DELIMITERS = (",", ";", "\t")
MAX_ROWS = 100_000

# An XLSX of a 100,000-row survey is a few tens of MB once unzipped; XML compresses about 10-20x. A member that
# claims more, or a ratio beyond what XML reaches, is a decompression bomb, refused before anything inflates it.
MAX_UNCOMPRESSED_BYTES = 512 * 1024 * 1024
MAX_COMPRESSION_RATIO = 200
MAX_ZIP_MEMBERS = 10_000


class SurveyReadError(ValueError):
    """The file cannot be read as a survey export at all (as opposed to rows with bad values)."""


@dataclass(frozen=True)
class SurveyTable:
    """The header and the non-blank rows of a survey export, each row with its spreadsheet row number."""

    columns: list[str]
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    format: str = "csv"


def read_survey(path: Path) -> SurveyTable:
    """Read a CSV (UTF-8, with or without BOM, ``,`` ``;`` or tab separated) or XLSX (first sheet) export."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SurveyReadError(f"cannot read {path}: {exc.strerror or exc}") from exc
    return read_survey_bytes(data, name=str(path))


def read_survey_bytes(data: bytes, name: str = "<upload>") -> SurveyTable:
    """As :func:`read_survey`, from the bytes of an upload."""
    if not data.strip():
        raise SurveyReadError(f"{name} is empty")
    if data.startswith(OLE2_MAGIC):
        raise SurveyReadError(f"{name} is a legacy Excel .xls file; save it as .xlsx or as CSV (UTF-8)")
    if data.startswith(ZIP_MAGIC):
        return _read_xlsx(data, name)
    return _read_csv(data, name)


def _read_csv(data: bytes, name: str) -> SurveyTable:
    if data.startswith(UTF8_BOM):
        data = data[len(UTF8_BOM) :]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise SurveyReadError(
            f"{name} is neither an XLSX workbook nor UTF-8 text (invalid byte at offset {exc.start}, line {line}); "
            "export the CSV as UTF-8"
        ) from exc
    if "\x00" in text:
        raise SurveyReadError(f"{name} is a binary file, not a CSV or XLSX survey export")
    lines = text.splitlines()
    hint = re.fullmatch(r"sep=(.)", lines[0].strip()) if lines else None
    if hint:
        # Excel's "sep=;" first line names the separator and is not a row (Excel does not show it either).
        delimiter = hint.group(1)
        text = text.split("\n", 1)[1] if "\n" in text else ""
    else:
        # The separator is the one the header uses most: template column names contain none of them, whereas
        # ';' is also the multi-value separator inside cells, so the body must not vote.
        delimiter = max(DELIMITERS, key=lines[0].count) if lines else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        records = list(reader)
    except csv.Error as exc:
        raise SurveyReadError(f"{name}: CSV syntax error at line {reader.line_num}: {exc}") from exc
    return _table([(number, cells) for number, cells in enumerate(records, start=1)], name, "csv")


def check_zip(data: bytes, name: str) -> None:
    """Refuse archives that would inflate absurdly, before any XML is parsed."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise SurveyReadError(f"{name} starts like a zip (XLSX) archive but is not one ({exc})") from exc
    with archive:
        members = archive.infolist()
        if len(members) > MAX_ZIP_MEMBERS:
            raise SurveyReadError(f"{name}: {len(members)} files inside the XLSX archive; not a survey export")
        total = 0
        for member in members:
            total += member.file_size
            ratio = member.file_size / max(member.compress_size, 1)
            if ratio > MAX_COMPRESSION_RATIO and member.file_size > 1024 * 1024:
                raise SurveyReadError(
                    f"{name}: {member.filename} would inflate {ratio:.0f} times ({member.file_size} bytes); "
                    "refused as a decompression bomb: re-save the workbook from the survey tool"
                )
        if total > MAX_UNCOMPRESSED_BYTES:
            raise SurveyReadError(
                f"{name}: {total} bytes once unzipped (limit {MAX_UNCOMPRESSED_BYTES}); split the export"
            )


def read_xlsx_cells(data: bytes, name: str) -> list[tuple[int, list[str]]]:
    """The cells of the first sheet of an XLSX workbook, as text, with their spreadsheet row numbers.

    The one XLSX reader of the project (canonical template and survey-tool exports): the archive is checked for
    bombs first; openpyxl then reads in read-only mode, through defusedxml (no entity expansion), with the values
    Excel cached (no formula is evaluated) and external links dropped (nothing is fetched).
    """
    check_zip(data, name)
    from xml.etree.ElementTree import ParseError

    from openpyxl import load_workbook
    from openpyxl.xml import DEFUSEDXML

    if not DEFUSEDXML:  # openpyxl only uses defusedxml when it can import it; without it XML entities expand
        raise SurveyReadError("XLSX reading needs the defusedxml package; install it (pip install defusedxml)")
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError, ParseError) as exc:
        raise SurveyReadError(f"{name} is a zip archive but not a readable XLSX workbook ({exc})") from exc
    try:
        if not workbook.worksheets:
            raise SurveyReadError(f"{name}: the workbook has no worksheet")
        sheet = workbook.worksheets[0]
        numbered: list[tuple[int, list[str]]] = []
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            if number > MAX_ROWS + 1:
                raise SurveyReadError(f"{name}: more than {MAX_ROWS} rows; split the survey into several files")
            numbered.append((number, [_cell_text(value) for value in values]))
    except (ParseError, ValueError) as exc:  # defusedxml refusals are ValueErrors too
        if isinstance(exc, SurveyReadError):
            raise
        raise SurveyReadError(f"{name}: the workbook's XML cannot be read safely ({exc})") from exc
    finally:
        workbook.close()
    return numbered


def _read_xlsx(data: bytes, name: str) -> SurveyTable:
    return _table(read_xlsx_cells(data, name), name, "xlsx")


def _cell_text(value: object) -> str:
    """The text a spreadsheet user typed, for the typed values openpyxl returns."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # TRL 6 typed in Excel comes back as 6.0
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _table(numbered: list[tuple[int, list[str]]], name: str, fmt: str) -> SurveyTable:
    header_at = next((i for i, (_, cells) in enumerate(numbered) if any(c.strip() for c in cells)), None)
    if header_at is None:
        raise SurveyReadError(f"{name} has no header row")
    header_row, header = numbered[header_at]
    if header_row != 1:
        raise SurveyReadError(f"{name}: the header must be on row 1, found it on row {header_row}")
    # Trailing empty header cells are what spreadsheets leave after the last column; not columns.
    while header and not header[-1].strip():
        header.pop()
    columns = [cell.strip() for cell in header]
    problems: list[str] = []
    seen: dict[str, int] = {}
    for position, column in enumerate(columns, start=1):
        if not column:
            problems.append(f"row 1, column {position}: empty column name")
        elif column in seen:
            problems.append(f"row 1, column {position}: column {column!r} repeats column {seen[column]}")
        else:
            seen[column] = position
    rows: list[tuple[int, dict[str, str]]] = []
    for number, cells in numbered[header_at + 1 :]:
        if not any(cell.strip() for cell in cells):
            continue
        extra = [c for c in cells[len(columns) :] if c.strip()]
        if extra:
            problems.append(f"row {number}: {len(columns) + len(extra)} cells but only {len(columns)} columns")
            continue
        padded = cells + [""] * (len(columns) - len(cells))
        rows.append((number, {column: padded[i].strip() for i, column in enumerate(columns) if column}))
    if len(rows) > MAX_ROWS:
        raise SurveyReadError(f"{name}: more than {MAX_ROWS} rows; split the survey into several files")
    if problems:
        raise SurveyReadError(f"{name} cannot be read as a table: " + "; ".join(problems))
    return SurveyTable(columns=[c for c in columns if c], rows=rows, format=fmt)
