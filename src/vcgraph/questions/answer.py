"""Answers: the JSON envelope every question returns, its CSV flattening, and raw SPARQL tables."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pyoxigraph import BlankNode, Literal, NamedNode
from rich.table import Table

Term = NamedNode | Literal | BlankNode
Row = dict[str, Term | None]

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> str:
    """A CSV cell a spreadsheet will not run: text starting like a formula gets a leading apostrophe."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    text = str(value)
    if text.startswith(_FORMULA_START):
        return "'" + text
    return text


def _short(value: Any) -> str:
    """How one element of a list shows in a single CSV cell: its notation, label or IRI."""
    if isinstance(value, Mapping):
        for key in ("notation", "label", "id", "statement"):
            if value.get(key) not in (None, ""):
                return str(value[key])
        if isinstance(value.get("actor"), Mapping):  # a candidate or member: shown by its actor
            return _short(value["actor"])
        return json.dumps(value, sort_keys=True, ensure_ascii=False)
    return "" if value is None else str(value)


def flatten(item: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """One CSV row: nested objects become dotted columns, lists become '; '-joined cells."""
    row: dict[str, Any] = {}
    for key, value in item.items():
        column = f"{prefix}{key}"
        if isinstance(value, Mapping):
            row.update(flatten(value, column + "."))
        elif isinstance(value, list):
            row[column] = "; ".join(_short(v) for v in value)
        else:
            row[column] = value
    return row


def to_csv(items: Sequence[dict[str, Any]]) -> str:
    rows = [flatten(item) for item in items]
    columns: list[str] = []
    for row in rows:
        columns.extend(c for c in row if c not in columns)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([safe_cell(row.get(c)) for c in columns])
    return out.getvalue()


@dataclass
class QuestionAnswer:
    """A question's answer: the shaped ``items`` (one page of them). The raw query rows behind them are not kept
    (they are many times the answer's size and would keep large answers out of the cache): see
    :func:`vcgraph.questions.service.question_rows`."""

    question: str
    parameters: dict[str, Any]
    items: Sequence[dict[str, Any]]  # a page's are a list; a whole answer's may be built as they are read
    count: int
    limit: int | None
    offset: int
    summary: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "question": self.question,
            "parameters": self.parameters,
            "items": self.items,
            "count": self.count,
            "limit": self.limit,
            "offset": self.offset,
        }
        if self.summary is not None:
            out["summary"] = self.summary
        return out

    def to_json(self) -> dict[str, Any]:
        """The JSON answer as a JSON-ready dict (``json.dumps`` it to write it)."""
        return self.to_dict()

    def to_csv(self) -> str:
        return to_csv(self.items)

    def to_rich_table(self) -> Table:
        """The same table as the CSV, for a terminal."""
        rows = [flatten(item) for item in self.items]
        columns: list[str] = []
        for row in rows:
            columns.extend(c for c in row if c not in columns)
        table = Table(*columns, title=f"{self.question}: {self.count} item(s)")
        for row in rows:
            table.add_row(*(safe_cell(row.get(c)) for c in columns))
        return table


_XSD = "http://www.w3.org/2001/XMLSchema#"
_LITERAL_KINDS: dict[str, type] = {
    **{_XSD + name: int for name in ("integer", "int", "long", "short", "nonNegativeInteger", "positiveInteger")},
    **{_XSD + name: float for name in ("decimal", "double", "float")},
    _XSD + "boolean": bool,
}


def _boolean(text: str) -> bool:
    return text in ("true", "1")


_CONVERT: dict[str, Callable[[str], Any]] = {
    datatype: (kind if kind is not bool else _boolean) for datatype, kind in _LITERAL_KINDS.items()
}


def term_json(term: Term | None) -> Any:
    """A term as plain JSON: IRIs as strings, numbers and booleans as such, other literals as text.

    Called for nearly every cell of every answer, so: exact type tests (pyoxigraph's term classes cannot be
    subclassed) and one dict lookup per literal."""
    if term is None:
        return None
    kind = type(term)
    if kind is NamedNode:
        return term.value
    if kind is Literal:
        convert = _CONVERT.get(term.datatype.value)  # type: ignore[union-attr]
        return term.value if convert is None else convert(term.value)
    return f"_:{term.value}"


@dataclass
class SparqlTable:
    """A SELECT result as a table (for ``vcgraph query --file`` / inline queries)."""

    variables: list[str]
    rows: list[Row]

    def to_dict(self) -> dict[str, Any]:
        return {"variables": self.variables, "rows": [{k: term_json(v) for k, v in r.items()} for r in self.rows]}

    def to_json(self) -> dict[str, Any]:
        return self.to_dict()

    def to_rich_table(self) -> Table:
        table = Table(*self.variables, title=f"{len(self.rows)} row(s)")
        for row in self.rows:
            table.add_row(*(safe_cell(term_json(row.get(v))) for v in self.variables))
        return table

    def to_csv(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(self.variables)
        for row in self.rows:
            writer.writerow([safe_cell(term_json(row.get(v))) for v in self.variables])
        return out.getvalue()
