"""The curation loop: answers that match no template value -> a sheet an analyst fills -> mapping synonyms.

``curate`` lists every distinct unmatched answer of an export (question, export column, raw answer, how many
respondents gave it, on which rows) with the closest template values and a similarity score (0..1, difflib
ratio over case/accent-folded labels). The analyst fills ``chosen_value`` (a notation such as ``biopharma`` or
``P05``, or any label the vocabulary knows) and ``apply_curation`` records each choice as a synonym in the
mapping's overlay ``<mapping stem>.curation.yaml``, next to the mapping, with its provenance (sheet, sheet row,
curator, time). The next ingest with that mapping matches those answers. Overlay rather than ``skos:altLabel``
triples: a respondent's wording is a property of one questionnaire in one tool, not of the shared vocabulary,
and the overlay is a reviewable text file that travels with the mapping.

Sheets are written as CSV (UTF-8 with BOM, so Excel shows accents) or XLSX, chosen by the file suffix. Answers
come from respondents: cells that a spreadsheet would run as formulas (``=``, ``+``, ``-``, ``@``) are
written as text (XLSX) or prefixed with ``'`` (CSV), and read back without it.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from vcgraph.config import Settings
from vcgraph.mappings.apply import closest_values
from vcgraph.mappings.model import FieldSpec, Mapping, MappingError, load_mapping
from vcgraph.mappings.reader import read_export
from vcgraph.mappings.service import load_vocabularies, map_export
from vcgraph.mappings.text import normalise
from vcgraph.vocabulary import Vocabularies

SHEET_COLUMNS = (
    "mapping",
    "question",
    "column",
    "raw_answer",
    "count",
    "rows",
    "suggested_value",
    "suggested_label",
    "similarity",
    "other_suggestions",
    "chosen_value",
    "curator",
)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
MAX_LISTED_ROWS = 20


class CurationError(ValueError):
    """A curation sheet that cannot be applied; the message names the sheet row and column."""


@dataclass
class CurationEntry:
    question: str
    column: str
    raw_answer: str
    count: int
    rows: list[int]
    suggestions: list[tuple[str, float]] = field(default_factory=list)
    suggested_label: str = ""
    chosen_value: str = ""
    curator: str = ""


@dataclass
class CurationSheet:
    """The unmatched answers of one export under one mapping, most frequent first."""

    mapping: Mapping
    source: Path
    entries: list[CurationEntry]

    def rows(self) -> list[dict[str, str]]:
        mapping_ref = str(self.mapping.path.resolve()) if self.mapping.path else self.mapping.name
        out = []
        for entry in self.entries:
            best = entry.suggestions[0] if entry.suggestions else ("", 0.0)
            listed = entry.rows[:MAX_LISTED_ROWS]
            out.append(
                {
                    "mapping": mapping_ref,
                    "question": entry.question,
                    "column": entry.column,
                    "raw_answer": entry.raw_answer,
                    "count": str(entry.count),
                    "rows": " ".join(map(str, listed)) + (" ..." if len(entry.rows) > len(listed) else ""),
                    "suggested_value": best[0],
                    "suggested_label": entry.suggested_label,
                    "similarity": f"{best[1]:.2f}" if best[0] else "",
                    "other_suggestions": "; ".join(f"{v} ({s:.2f})" for v, s in entry.suggestions[1:]),
                    "chosen_value": entry.chosen_value,
                    "curator": entry.curator,
                }
            )
        return out


def _label(vocabularies: Vocabularies | None, scheme: str | None, value: str, spec: FieldSpec) -> str:
    if vocabularies is not None and scheme is not None and scheme in vocabularies.schemes:
        concept = vocabularies.match(scheme, value)
        if concept is not None:
            return vocabularies.label(concept)
    labels = spec.choices.get(value)
    return labels[0] if labels else ""


def curate(
    path: Path,
    mapping: Mapping | str,
    settings: Settings,
    *,
    vocabularies: Vocabularies | None = None,
) -> CurationSheet:
    """The curation sheet of ``path`` under ``mapping``: every distinct unmatched answer with suggestions."""
    vocabularies = vocabularies if vocabularies is not None else load_vocabularies(settings)
    mapped = map_export(path, mapping, settings, vocabularies=vocabularies)
    specs = {spec.curation_key: spec for spec in mapped.mapping.fields}
    entries = []
    for answer in mapped.result.unmatched_answers:
        spec = specs[answer.curation_key]
        suggestions = closest_values(spec, vocabularies, answer.answer, 3)
        label = _label(vocabularies, spec.scheme, suggestions[0][0], spec) if suggestions else ""
        entry = CurationEntry(answer.curation_key, answer.column, answer.answer, answer.count, answer.rows)
        entry.suggestions, entry.suggested_label = suggestions, label
        entries.append(entry)
    entries.sort(key=lambda e: (-e.count, e.question, normalise(e.raw_answer)))
    return CurationSheet(mapped.mapping, path, entries)


def _safe(text: str) -> str:
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _unsafe(text: str) -> str:
    return text[1:] if text.startswith("'") and text[1:].startswith(FORMULA_STARTS) else text


def write_sheet(sheet: CurationSheet, target: Path) -> Path:
    """Write the sheet as XLSX (suffix .xlsx) or CSV (anything else)."""
    rows = sheet.rows()
    if target.suffix.lower() == ".xlsx":
        from openpyxl import Workbook

        workbook = Workbook()
        worksheet = workbook.active
        assert worksheet is not None
        worksheet.title = "curation"
        worksheet.append(list(SHEET_COLUMNS))
        for number, row in enumerate(rows, start=2):
            for position, column in enumerate(SHEET_COLUMNS, start=1):
                cell = worksheet.cell(row=number, column=position)
                cell.value = row[column]
                cell.data_type = "s"  # a respondent's "=HYPERLINK(...)" stays text, never a formula
        workbook.save(target)
        return target
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(SHEET_COLUMNS)
    for row in rows:
        writer.writerow([_safe(row[column]) for column in SHEET_COLUMNS])
    target.write_bytes(b"\xef\xbb\xbf" + buffer.getvalue().encode("utf-8"))
    return target


@dataclass
class CurationOutcome:
    overlay: Path
    recorded: int
    skipped: int
    synonyms: list[dict[str, Any]] = field(default_factory=list)

    def text(self) -> str:
        return (
            f"{self.recorded} synonym(s) recorded in {self.overlay}; {self.skipped} answer(s) left without a "
            "chosen value"
        )


def _resolve_choice(spec: FieldSpec, vocabularies: Vocabularies | None, chosen: str) -> str | None:
    key = normalise(chosen)
    for value, labels in spec.choices.items():
        if key in {normalise(value), *(normalise(label) for label in labels)}:
            return value
    if vocabularies is not None and spec.scheme is not None and spec.scheme in vocabularies.schemes:
        concept = vocabularies.match(spec.scheme, chosen)
        if concept is not None:
            return vocabularies.notation(concept)
    return None


def apply_curation(
    sheet_path: Path,
    settings: Settings,
    *,
    vocabularies: Vocabularies | None = None,
    now: dt.datetime | None = None,
) -> CurationOutcome:
    """Record the filled ``chosen_value`` s of a sheet as synonyms in the mapping's overlay; all or nothing."""
    table = read_export(sheet_path)
    missing = [c for c in ("mapping", "question", "raw_answer", "chosen_value") if c not in table.columns]
    if missing:
        raise CurationError(f"{sheet_path}: row 1: missing column(s) {', '.join(missing)}; is this a curation sheet?")
    references = {cells["mapping"].strip() for _, cells in table.rows if cells.get("mapping", "").strip()}
    if len(references) != 1:
        raise CurationError(f"{sheet_path}: column mapping: expected one mapping on every row, found {len(references)}")
    reference = references.pop()
    try:
        mapping = load_mapping(reference)
    except MappingError as exc:
        raise CurationError(f"{sheet_path}: column mapping: {exc}") from exc
    assert mapping.overlay_path is not None  # loaded from a file
    vocabularies = vocabularies if vocabularies is not None else load_vocabularies(settings)
    specs = {spec.curation_key: spec for spec in mapping.fields}
    stamp = (now or dt.datetime.now(dt.UTC)).replace(microsecond=0).isoformat()
    problems: list[str] = []
    new: list[dict[str, Any]] = []
    skipped = 0
    for number, cells in table.rows:
        chosen = _unsafe(cells.get("chosen_value", "").strip())
        if not chosen:
            skipped += 1
            continue
        question = cells.get("question", "").strip()
        spec = specs.get(question)
        if spec is None:
            problems.append(f"row {number}, column question: {question!r} is no question of mapping {mapping.name}")
            continue
        value = _resolve_choice(spec, vocabularies, chosen)
        if value is None:
            hint = ", ".join(v for v, _ in closest_values(spec, vocabularies, chosen, 3))
            problems.append(
                f"row {number}, column chosen_value: {chosen!r} is no value of {question}"
                + (f" (closest: {hint})" if hint else "")
            )
            continue
        new.append(
            {
                "target": question,
                "answer": _unsafe(cells.get("raw_answer", "")),
                "value": value,
                "sheet": sheet_path.name,
                "sheet_row": number,
                "curator": _unsafe(cells.get("curator", "").strip()),
                "applied_at": stamp,
            }
        )
    if problems:
        raise CurationError(f"{sheet_path}: nothing recorded:\n  " + "\n  ".join(problems))
    overlay = mapping.overlay_path
    existing = _read_overlay(overlay)
    # A later choice for the same answer replaces the earlier one (a curator may correct a mistake)
    keyed = {(e["target"], normalise(e["answer"])): e for e in existing}
    for entry in new:
        keyed[(entry["target"], normalise(entry["answer"]))] = entry
    _write_overlay(overlay, mapping, list(keyed.values()))
    return CurationOutcome(overlay, len(new), skipped, new)


def _read_overlay(path: Path) -> list[dict[str, Any]]:
    if not path.is_file():
        return []
    document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    entries = document.get("synonyms") if isinstance(document, dict) else None
    if not isinstance(entries, list):
        raise CurationError(f"{path}: expected a 'synonyms' list; fix or remove the file")
    return [dict(e) for e in entries if isinstance(e, dict)]


def _write_overlay(path: Path, mapping: Mapping, entries: Sequence[dict[str, Any]]) -> None:
    header = (
        f"# Curated synonyms of mapping {mapping.name}, recorded by `vcgraph curate --apply`.\n"
        "# Each entry: the answer as respondents wrote it, the template value it means, and where the choice\n"
        "# came from. Merged into the mapping's choices when the mapping is loaded.\n"
    )
    body = yaml.safe_dump({"synonyms": list(entries)}, sort_keys=False, allow_unicode=True, width=120)
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(header + body, encoding="utf-8")
    temporary.replace(path)  # never leave a half-written overlay that would break the next load
