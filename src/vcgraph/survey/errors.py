"""The one shape every problem with a survey takes: where it is (row, column), what was there, and why."""

from __future__ import annotations

from dataclasses import dataclass

FILE_ROW = 0
"""``row`` of a problem that belongs to the file as a whole rather than to one row."""


@dataclass(frozen=True, order=True)
class RowError:
    """A problem with one cell (or one row, or the whole file when ``row`` is 0), as a spreadsheet user sees it."""

    row: int
    column: str
    value: str
    reason: str

    def as_dict(self) -> dict[str, object]:
        """JSON-ready form, with the one-line message as ``message``."""
        return {
            "row": self.row,
            "column": self.column,
            "value": self.value,
            "reason": self.reason,
            "message": str(self),
        }

    def __str__(self) -> str:
        where = "file" if self.row == FILE_ROW else f"row {self.row}"
        if self.column:
            where += f", column {self.column}"
        return f"{where}: value {self.value!r}: {self.reason}"
