"""Use case: ingest a survey tool's export through a mapping (export -> canonical rows -> template ingest).

The canonical rows go through the very same template ingest as a file in the canonical template
(:func:`vcgraph.service.ingest.ingest_survey`), via a temporary canonical CSV: same checks, same RDF, same SHACL,
same atomic wave replacement. The CSV places each answer on the spreadsheet row it had in the export (the
template reader counts blank lines but skips them), so row numbers in every message are the export's; column
names are translated back to the export's headers.
"""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from vcgraph.config import Settings
from vcgraph.mappings.apply import CanonicalRow, MappingResult, UnmatchedAnswer, apply_mapping
from vcgraph.mappings.model import Mapping, load_mapping
from vcgraph.mappings.reader import ExportTable, read_export
from vcgraph.service.ingest import IngestReport, check_wave_id, ingest_survey
from vcgraph.store.port import Store
from vcgraph.survey.errors import RowError
from vcgraph.vocabulary import Vocabularies

CANONICAL_NAME = "canonical.csv"


@dataclass
class MappedExport:
    """An export read and mapped: the table, the mapping, and what :func:`apply_mapping` made of them."""

    path: Path
    mapping: Mapping
    table: ExportTable
    result: MappingResult


def load_vocabularies(settings: Settings) -> Vocabularies:
    return Vocabularies.load(settings.ontology_dir)


def map_export(
    path: Path,
    mapping: Mapping | str,
    settings: Settings,
    *,
    vocabularies: Vocabularies | None = None,
) -> MappedExport:
    """Read ``path`` with the mapping's encoding/delimiter and map every row to the canonical template."""
    resolved = mapping if isinstance(mapping, Mapping) else load_mapping(mapping)
    table = read_export(path, encoding=resolved.encoding, delimiter=resolved.delimiter)
    vocabularies = vocabularies if vocabularies is not None else load_vocabularies(settings)
    return MappedExport(path, resolved, table, apply_mapping(table, resolved, vocabularies))


def write_canonical_csv(rows: Sequence[CanonicalRow], columns: Sequence[str], target: Path) -> None:
    """A canonical-template CSV whose answers sit on the same spreadsheet rows as in the export."""
    with target.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(columns)
        line = 1
        for row in sorted(rows, key=lambda r: r.row):
            while line < row.row - 1:
                writer.writerow([])
                line += 1
            writer.writerow([row.values.get(column, "") for column in columns])
            line += 1


def _translate(error: RowError, by_row: dict[int, CanonicalRow]) -> RowError:
    """The same problem, named by the export's column (the row numbers already agree)."""
    row = by_row.get(error.row)
    source = row.sources.get(error.column) if row is not None else None
    if not source:
        return error
    return RowError(error.row, source, error.value, f"{error.reason} (template column {error.column})")


def unmatched_warning(unmatched: Sequence[UnmatchedAnswer], path: Path, mapping: Mapping) -> str | None:
    if not unmatched:
        return None
    total = sum(answer.count for answer in unmatched)
    return (
        f"{len(unmatched)} distinct answer(s) ({total} in all) match no template value and were kept as free text "
        f"or reported; run `vcgraph curate {path} --mapping {mapping.path or mapping.name}` to map them"
    )


def ingest_export(
    store: Store,
    settings: Settings,
    path: Path,
    mapping: Mapping | str,
    wave: str,
    *,
    quarantine: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> IngestReport:
    """Ingest a tool export as wave ``wave`` through ``mapping`` (a :class:`Mapping`, a name or a YAML path).

    Raises ``MappingError`` (bad mapping), ``ExportReadError`` (unreadable export), ``IngestError`` (bad wave id),
    all ``ValueError`` s with a message for the user. Row problems are in the report, as for
    :func:`ingest_survey`: by default one bad row rejects the file; ``quarantine`` ingests the others.
    """
    check_wave_id(wave)
    mapped = map_export(path, mapping, settings)
    result = mapped.result
    warnings = list(result.warnings)
    note = unmatched_warning(result.unmatched_answers, path, mapped.mapping)
    if note:
        warnings.append(note)
    file_level = any(problem.row <= 1 for problem in result.problems)
    if file_level or (result.problems and not quarantine):
        return IngestReport(
            path=str(path),
            wave=wave,
            rows_read=len(mapped.table.rows),
            errors=sorted(result.problems),
            warnings=warnings,
            quarantine=quarantine,
        )
    rejected = {problem.row for problem in result.problems}
    kept = [row for row in result.canonical_rows if row.row not in rejected]
    by_row = {row.row: row for row in kept}
    with tempfile.TemporaryDirectory(prefix="vcgraph-mapped-") as folder:
        canonical = Path(folder) / CANONICAL_NAME
        write_canonical_csv(kept, mapped.mapping.targets, canonical)
        report = ingest_survey(store, settings, canonical, wave, quarantine=quarantine, progress=progress)
    report.path = str(path)
    report.rows_read = len(mapped.table.rows)
    report.errors = sorted({*(_translate(e, by_row) for e in report.errors), *result.problems})
    report.warnings = warnings + report.warnings
    return report
