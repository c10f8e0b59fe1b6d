"""A tool export + a mapping -> rows of the canonical survey template, keeping where each value came from.

Every canonical row keeps the spreadsheet row number of the export, and every canonical column the export
column(s) it was read from, so a problem found later by the template ingest is reported on the ORIGINAL row and
column. Coded answers become template values (vocabulary notations): first by the mapping's declared choices
(and curated synonyms), then by the SKOS labels of the vocabulary. Answers that match nothing are never dropped:
they are returned as :class:`UnmatchedAnswer` s for the curation sheet, and either kept as "other" free text (when
the mapping says the question has an "Other" option) or reported as problems.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from vcgraph.mappings.dates import DateProblem, parse_date
from vcgraph.mappings.model import FieldSpec, Mapping
from vcgraph.mappings.reader import ExportTable
from vcgraph.mappings.text import KnownOptions, normalise
from vcgraph.survey.errors import RowError
from vcgraph.vocabulary import Vocabularies

MULTI_VALUE_JOIN = ";"
OTHER_TEXT_JOIN = "; "


@dataclass
class CanonicalRow:
    """One answer in the canonical template: values by template column, and their origin in the export."""

    row: int
    values: dict[str, str]
    sources: dict[str, str] = field(default_factory=dict)


@dataclass
class UnmatchedAnswer:
    """An answer text of one question that no template value matched, with every row that gave it."""

    curation_key: str
    column: str
    answer: str
    scheme: str | None
    rows: list[int] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.rows)


class MappingResult(NamedTuple):
    canonical_rows: list[CanonicalRow]
    problems: list[RowError]
    unmatched_answers: list[UnmatchedAnswer]
    warnings: list[str]


class _Resolver:
    """Answer text -> template value for one field, memoised (10,000 rows repeat the same few labels)."""

    def __init__(self, spec: FieldSpec, vocabularies: Vocabularies | None) -> None:
        self.spec = spec
        self.vocabularies = vocabularies if spec.scheme else None
        self.by_label: dict[str, str] = {}
        for value, labels in spec.choices.items():
            for label in (value, *labels):
                self.by_label.setdefault(normalise(label), value)
        self.known_labels = [label for labels in spec.choices.values() for label in labels] + list(spec.choices)
        if self.vocabularies is not None and spec.scheme in self.vocabularies.schemes:
            # Options of a multi-choice cell may be any notation or label of the scheme (Kobo writes "p01 p05")
            scheme = self.vocabularies.scheme(spec.scheme)
            self.known_labels += list(scheme.notations.values())
            self.known_labels += [label for names in scheme.labels.values() for label in names.values()]
        self.options = KnownOptions(self.known_labels)
        self.empty = {normalise(label) for label in spec.empty}
        self.ticked = {normalise(label) for label in spec.ticked}
        self.unticked = {normalise(label) for label in spec.unticked}
        self.blank_is_unticked = "" in self.unticked
        self._cache: dict[str, str | None] = {}

    def resolve(self, text: str) -> str | None:
        key = normalise(text)
        if key in self._cache:
            return self._cache[key]
        value = self.by_label.get(key)
        if value is None and self.vocabularies is not None and self.spec.scheme is not None:
            concept = self.vocabularies.match(self.spec.scheme, text)
            if concept is not None:
                value = self.vocabularies.notation(concept)
        self._cache[key] = value
        return value

    def suggestions(self, text: str, n: int = 3) -> list[str]:
        """The closest template values, for a message that says what to write instead."""
        scored = closest_values(self.spec, self.vocabularies, text, n)
        return [value for value, _ in scored]


def closest_values(
    spec: FieldSpec, vocabularies: Vocabularies | None, text: str, n: int = 3
) -> list[tuple[str, float]]:
    """Up to ``n`` (template value, similarity 0..1) pairs closest to ``text``, best first."""
    key = normalise(text)
    candidates: dict[str, str] = {}
    for value, labels in spec.choices.items():
        for label in (value, *labels):
            candidates.setdefault(normalise(label), value)
    if vocabularies is not None and spec.scheme is not None and spec.scheme in vocabularies.schemes:
        scheme = vocabularies.scheme(spec.scheme)
        for concept, notation in scheme.notations.items():
            candidates.setdefault(normalise(notation), notation)
            for label in scheme.labels.get(concept, {}).values():
                candidates.setdefault(normalise(label), notation)
    best: dict[str, float] = {}
    for label, value in candidates.items():
        score = difflib.SequenceMatcher(None, key, label).ratio()
        if score > best.get(value, -1.0):
            best[value] = score
    ranked = sorted(best.items(), key=lambda item: (-item[1], item[0]))
    return [(value, round(score, 2)) for value, score in ranked[:n] if score > 0]


class _ColumnIndex:
    """Finds the export column for a mapping's header, as a person would: ignoring case, accents, spaces."""

    def __init__(self, columns: Sequence[str], group_separator: str | None) -> None:
        self.by_key = {normalise(c): c for c in columns}
        self.group_separator = group_separator
        self.used: set[str] = set()

    def find(self, alternatives: Iterable[str]) -> str | None:
        for wanted in alternatives:
            key = normalise(wanted)
            found = self.by_key.get(key)
            if found is None and self.group_separator:
                # KoboToolbox prefixes headers with their groups ("org/sectors/biopharma" for "sectors/biopharma")
                suffix = normalise(self.group_separator) + key
                matches = [c for k, c in self.by_key.items() if k.endswith(suffix)]
                found = matches[0] if len(matches) == 1 else None
            if found is not None:
                self.used.add(found)
                return found
        return None


def apply_mapping(table: ExportTable, mapping: Mapping, vocabularies: Vocabularies | None) -> MappingResult:
    """Canonical rows for every row of ``table``, every problem (row, column of the export), unmatched answers."""
    problems: list[RowError] = []
    warnings = list(table.warnings)
    index = _ColumnIndex(table.columns, mapping.group_separator)
    plans: list[_FieldPlan] = []
    for spec in mapping.fields:
        plan = _FieldPlan(spec, _Resolver(spec, vocabularies))
        if spec.columns:
            plan.column = index.find(spec.columns)
            if plan.column is None and spec.required:
                problems.append(_missing(spec.columns, spec.yaml_path))
        for value, alternatives in spec.options.items():
            found = index.find(alternatives)
            if found is None:
                if spec.required:
                    problems.append(_missing(alternatives, f"{spec.yaml_path}.options.{value}"))
            else:
                plan.option_columns.append((value, found))
        if spec.other_columns:
            plan.other_column = index.find(spec.other_columns)
        plan.simple = plan.column is not None and not plan.option_columns and plan.other_column is None
        plans.append(plan)
    if problems:  # the wrong mapping for this file: row-level messages would only repeat it
        return MappingResult([], problems, [], warnings)
    unused = [c for c in table.columns if c not in index.used]
    if unused:
        warnings.append(
            f"{len(unused)} column(s) of the export are not used by mapping {mapping.name}: "
            + ", ".join(repr(c) for c in unused[:10])
            + (" ..." if len(unused) > 10 else "")
        )
    # Where each template column comes from is the same on every row: one dict, shared by all rows
    sources: dict[str, str] = {}
    for plan in plans:
        columns = [c for c in (plan.column, *(c for _, c in plan.option_columns)) if c]
        if columns:
            sources[plan.spec.target] = ", ".join(columns)
        if plan.other_column and plan.spec.other_into:
            joined = ", ".join(
                dict.fromkeys(
                    [*([sources[plan.spec.other_into]] if plan.spec.other_into in sources else []), plan.other_column]
                )
            )
            sources[plan.spec.other_into] = joined
        elif plan.spec.other_into and plan.column:
            sources.setdefault(plan.spec.other_into, plan.column)
    unmatched: dict[tuple[str, str, str], UnmatchedAnswer] = {}
    rows: list[CanonicalRow] = []
    for answer_number, (row_number, cells) in enumerate(table.rows, start=1):
        out = CanonicalRow(row_number, {}, sources)
        for plan in plans:
            plan.fill(out, answer_number, cells, problems, unmatched)
        rows.append(out)
    return MappingResult(rows, problems, list(unmatched.values()), warnings)


def _missing(alternatives: Sequence[str], yaml_path: str) -> RowError:
    expected = " or ".join(repr(a) for a in alternatives)
    return RowError(
        1,
        alternatives[0],
        "",
        f"no column {expected} in the export (mapping {yaml_path}); is this the right mapping for the file?",
    )


@dataclass
class _FieldPlan:
    spec: FieldSpec
    resolver: _Resolver
    column: str | None = None
    option_columns: list[tuple[str, str]] = field(default_factory=list)
    other_column: str | None = None

    simple: bool = False  # one column, no tick columns, no "other" column: set once the columns are found

    def fill(
        self,
        out: CanonicalRow,
        answer_number: int,
        cells: dict[str, str],
        problems: list[RowError],
        unmatched: dict[tuple[str, str, str], UnmatchedAnswer],
    ) -> None:
        spec = self.spec
        if self.simple:
            # one column, no tick columns, no "other" column: the common case (grids are mostly empty cells)
            raw = cells.get(self.column or "", "")
            if not raw or raw.isspace():
                return
        values: list[str] = []
        others: list[str] = []

        def unknown(column: str, text: str) -> None:
            self._unknown(out, column, text, values, others, problems, unmatched)

        if spec.generate is not None:
            values.append(spec.generate.format(index=answer_number, row=out.row))
        elif spec.value is not None:
            values.append(spec.value)
        elif self.column is not None:
            raw = cells.get(self.column, "").strip()
            if raw and normalise(raw) not in self.resolver.empty:
                self._read_cell(raw, out.row, values, problems, unknown)
        for value, column in self.option_columns:
            raw = cells.get(column, "").strip()
            if not raw and self.resolver.blank_is_unticked:
                continue
            folded = normalise(raw)
            # Kobo label-mode exports and some LimeSurvey settings write the option's label instead of Y/1
            if folded in self.resolver.ticked or (raw and self.resolver.resolve(raw) == value):
                values.append(value)
            elif folded not in self.resolver.unticked:
                expected = "/".join(t for t in spec.ticked if t) or "a tick mark"
                problems.append(RowError(out.row, column, raw, f"expected {expected} when ticked, or empty/0 when not"))
        if self.other_column is not None:
            text = cells.get(self.other_column, "").strip()
            if text and normalise(text) not in self.resolver.empty:
                # The free text of "Other" may well name a known value ("ICT" typed instead of ticked)
                resolved = self.resolver.resolve(text) if spec.is_coded else None
                if resolved is not None:
                    values.append(resolved)
                elif spec.is_coded:
                    unknown(self.other_column, text)
                else:
                    others.append(text)
        if spec.other_into == spec.target:
            values.extend(others)
            others = []
        if values:
            if spec.is_multi or len(values) > 1:
                out.values[spec.target] = MULTI_VALUE_JOIN.join(sorted(set(values)))
            else:
                out.values[spec.target] = values[0]
        if others and spec.other_into:
            previous = out.values.get(spec.other_into)
            out.values[spec.other_into] = OTHER_TEXT_JOIN.join([*([previous] if previous else []), *others])

    def _unknown(
        self,
        out: CanonicalRow,
        column: str,
        text: str,
        values: list[str],
        others: list[str],
        problems: list[RowError],
        unmatched: dict[tuple[str, str, str], UnmatchedAnswer],
    ) -> None:
        """An answer no template value matches: offered for curation, then kept as text or reported."""
        spec = self.spec
        # Free names (clusters) are values as they stand; only coded answers are for a curator to map
        if spec.is_coded and spec.other != "keep" and spec.other_into != spec.target:
            key = (spec.curation_key, column, text)
            entry = unmatched.get(key)
            if entry is None:
                entry = unmatched[key] = UnmatchedAnswer(spec.curation_key, column, text, spec.scheme)
            entry.rows.append(out.row)
        if spec.other == "in-cell" or column == self.other_column:
            others.append(text)  # kept as the "_other" free text, and offered for curation
        elif spec.other == "keep":
            values.append(text)
        else:
            hint = self.resolver.suggestions(text)
            known = f"closest: {', '.join(hint)}; " if hint else ""
            problems.append(
                RowError(
                    out.row,
                    column,
                    text,
                    f"matches no value of {spec.target} ({known}add it to the mapping's choices, or run "
                    "`vcgraph curate` and fill the chosen value)",
                )
            )

    def _read_cell(
        self,
        raw: str,
        row: int,
        values: list[str],
        problems: list[RowError],
        unknown: Callable[[str, str], None],
    ) -> None:
        spec = self.spec
        column = self.column or ""
        if spec.date_format is not None:
            try:
                values.append(parse_date(raw, spec.date_format))
            except DateProblem as exc:
                problems.append(RowError(row, column, raw, str(exc)))
            return
        if spec.separator is not None:
            for piece in self.resolver.options.split(raw, spec.separator):
                if normalise(piece.text) in self.resolver.empty:
                    continue
                resolved = self.resolver.resolve(piece.option or piece.text)
                if resolved is not None:
                    values.append(resolved)
                else:
                    unknown(column, piece.text)
            return
        if spec.is_coded:
            resolved = self.resolver.resolve(raw)
            if resolved is not None:
                values.append(resolved)
            else:
                unknown(column, raw)
            return
        text = " ".join(raw.split())
        if spec.template is not None:
            text = spec.template.format(value=text)
        values.append(text)
