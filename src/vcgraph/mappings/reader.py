"""Read a survey tool's export (CSV in whatever encoding the tool or Excel wrote, or XLSX) into rows.

Unlike the canonical-template reader (UTF-8 only, by design), exports come as they come: UTF-8 with or without
BOM, UTF-16 (Excel "Unicode text"), Windows-1252/Latin-1 (Excel "CSV" on a French Windows), ``,`` ``;`` or tab
separated, CRLF line ends. The format is told by the content; the encoding by the BOM, UTF-8 validity, or the
mapping. XLSX files are inspected as zip archives before openpyxl sees them (zip bombs), then read in read-only
mode with formulas' cached values only and external links dropped: nothing is evaluated or fetched.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from vcgraph.survey import reader as template_reader
from vcgraph.survey.reader import MAX_ROWS, OLE2_MAGIC, ZIP_MAGIC, SurveyReadError

BOMS = ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))
DELIMITERS = (",", ";", "\t")


class ExportReadError(SurveyReadError):
    """The export cannot be read as a table; the message says what to change (encoding, format, header...)."""


@dataclass(frozen=True)
class ExportTable:
    """Header and non-blank rows of an export; row numbers are those a spreadsheet user sees (header = 1)."""

    columns: list[str]
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    format: str = "csv"
    encoding: str | None = None
    delimiter: str | None = None
    warnings: list[str] = field(default_factory=list)


def read_export(path: Path, *, encoding: str = "auto", delimiter: str = "auto") -> ExportTable:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ExportReadError(f"cannot read {path}: {exc.strerror or exc}") from exc
    return read_export_bytes(data, name=str(path), encoding=encoding, delimiter=delimiter)


def read_export_bytes(
    data: bytes, *, name: str = "<upload>", encoding: str = "auto", delimiter: str = "auto"
) -> ExportTable:
    if not data.strip():
        raise ExportReadError(f"{name} is empty")
    if data.startswith(OLE2_MAGIC):
        raise ExportReadError(f"{name} is a legacy Excel .xls file; export it as .xlsx or CSV instead")
    if data.startswith(ZIP_MAGIC):
        return _read_xlsx(data, name)
    text, used, warnings = decode(data, name, encoding)
    return _read_csv(text, name, used, delimiter, warnings)


def decode(data: bytes, name: str, encoding: str) -> tuple[str, str, list[str]]:
    """The text of a CSV export, the encoding used, and a warning when the encoding was guessed."""
    for bom, bom_encoding in BOMS:
        if data.startswith(bom):
            if encoding not in ("auto", bom_encoding, "utf-8") and not bom_encoding.startswith(encoding):
                raise ExportReadError(
                    f"{name} starts with a {bom_encoding} byte-order mark but the mapping says encoding "
                    f"{encoding}; set input.encoding to auto (or {bom_encoding}) in the mapping"
                )
            return _strict(data, bom_encoding, name), bom_encoding, []
    if encoding in ("auto", "utf-8", "utf-8-sig"):
        try:
            return data.decode("utf-8"), "utf-8", []
        except UnicodeDecodeError as exc:
            if encoding != "auto":
                line = data.count(b"\n", 0, exc.start) + 1
                raise ExportReadError(
                    f"{name}, line {line}: byte 0x{data[exc.start]:02x} is not UTF-8 although the mapping says "
                    "encoding utf-8; re-export as UTF-8, or set input.encoding: latin-1 (or cp1252) in the mapping"
                ) from exc
        # Not UTF-8: what Excel writes on Western European Windows is Windows-1252, a superset of the printable
        # Latin-1 range; a byte undefined in 1252 (0x81, 0x8d...) can only be Latin-1.
        for guess in ("cp1252", "latin-1"):
            try:
                text = data.decode(guess)
            except UnicodeDecodeError:
                continue
            return text, guess, [f"{name} is not UTF-8; read it as {guess} (set input.encoding to be explicit)"]
    if encoding in ("latin-1", "cp1252") and not data.isascii():
        # Every byte string decodes as Latin-1, so a UTF-8 file would silently become "UniversitÃ©"
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            raise ExportReadError(
                f"{name} is UTF-8 (its accented letters are UTF-8 sequences) but the mapping says encoding "
                f"{encoding}; set input.encoding: auto (or utf-8) in the mapping"
            )
    return _strict(data, encoding, name), encoding, []


def _strict(data: bytes, encoding: str, name: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ExportReadError(
            f"{name}, line {line}: byte 0x{data[exc.start]:02x} cannot be decoded as {encoding}; "
            "fix input.encoding in the mapping or re-export the file as UTF-8"
        ) from exc


def _read_csv(text: str, name: str, encoding: str, delimiter: str, warnings: list[str]) -> ExportTable:
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\x00" in text:
        raise ExportReadError(f"{name} is a binary file, not a CSV or XLSX export")
    chosen = _sniff_delimiter(text) if delimiter == "auto" else delimiter
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=chosen)
    records: list[tuple[int, list[str]]] = []
    try:
        for record in reader:
            # a quoted cell may span several lines; a spreadsheet still shows the record as one row
            records.append((len(records) + 1, record))
    except csv.Error as exc:
        raise ExportReadError(f"{name}, line {reader.line_num}: CSV syntax error ({exc})") from exc
    return _table(records, name, "csv", encoding, chosen, warnings)


def _sniff_delimiter(text: str) -> str:
    """The delimiter that splits the header into the most cells, quotes respected (question texts hold commas)."""
    best, best_cells = ",", 0
    for candidate in DELIMITERS:
        header = next(csv.reader(io.StringIO(text, newline=""), delimiter=candidate), [])
        if len(header) > best_cells:
            best, best_cells = candidate, len(header)
    return best


def check_zip(data: bytes, name: str) -> None:
    """Refuse XLSX archives that would inflate absurdly (the template reader's check, with this module's error)."""
    try:
        template_reader.check_zip(data, name)
    except SurveyReadError as exc:
        raise ExportReadError(str(exc)) from exc


def _read_xlsx(data: bytes, name: str) -> ExportTable:
    try:
        records = template_reader.read_xlsx_cells(data, name)
    except SurveyReadError as exc:
        raise ExportReadError(str(exc)) from exc
    return _table(records, name, "xlsx", None, None, [])


def _table(
    records: list[tuple[int, list[str]]],
    name: str,
    fmt: str,
    encoding: str | None,
    delimiter: str | None,
    warnings: list[str],
) -> ExportTable:
    if not records or not any(cell.strip() for cell in records[0][1]):
        raise ExportReadError(f"{name}: row 1 must hold the column headers, and it is empty")
    header = list(records[0][1])
    while header and not header[-1].strip():
        header.pop()
    columns = [" ".join(cell.split()) for cell in header]
    problems: list[str] = []
    seen: dict[str, int] = {}
    for position, column in enumerate(columns, start=1):
        if not column:
            problems.append(f"row 1, column {position}: empty column header")
        elif column in seen:
            problems.append(f"row 1, column {position}: header {column!r} repeats column {seen[column]}")
        else:
            seen[column] = position
    # One header cell holding another delimiter: the file was split with the wrong one
    if len(columns) == 1 and delimiter is not None and any(d in columns[0] for d in DELIMITERS if d != delimiter):
        problems.append(
            f"row 1 has a single column {columns[0][:60]!r}: the delimiter is probably not "
            f"{delimiter!r}; set input.delimiter in the mapping"
        )
    rows: list[tuple[int, dict[str, str]]] = []
    for number, cells in records[1:]:
        if not any(cell.strip() for cell in cells):
            continue
        if any(cell.strip() for cell in cells[len(columns) :]):
            problems.append(f"row {number}: {len(cells)} cells but only {len(columns)} column headers")
            continue
        padded = cells + [""] * (len(columns) - len(cells))
        rows.append((number, {column: padded[i] for i, column in enumerate(columns) if column}))
    if len(rows) > MAX_ROWS:
        raise ExportReadError(f"{name}: more than {MAX_ROWS} rows; split the export into several files")
    if problems:
        raise ExportReadError(f"{name} cannot be read as a table: " + "; ".join(problems[:20]))
    return ExportTable(
        columns=[c for c in columns if c],
        rows=rows,
        format=fmt,
        encoding=encoding,
        delimiter=delimiter,
        warnings=warnings,
    )
