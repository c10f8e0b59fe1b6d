"""Use case: ingest one survey export as one wave (read -> template -> RDF -> SHACL -> store).

By default a file is all or nothing: any invalid row (template error or SHACL violation) rejects the whole file
and nothing is written. With ``quarantine=True`` the valid rows are written and the others reported. Either way
the wave graph and its restricted graph are swapped in one atomic ``replace_graphs``: readers see the previous
wave or the new one, never a mix, and a failed ingest leaves the previous wave untouched. The same file ingested
twice gives the same quads.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from pyoxigraph import NamedNode, Triple

from vcgraph.collector import collector_paused
from vcgraph.config import Settings
from vcgraph.curation.merges import load_merge_keys
from vcgraph.namespaces import WAVE_ID, Minter
from vcgraph.rdf.mapping import WaveTriples, map_records
from vcgraph.reference.loader import ReferenceData, load_reference_data
from vcgraph.store.port import Store
from vcgraph.survey.errors import FILE_ROW, RowError
from vcgraph.survey.reader import SurveyReadError, read_survey
from vcgraph.survey.template import SurveyRecord, TemplateResult, parse_table
from vcgraph.validation.locate import RecordLocator
from vcgraph.validation.shacl import ValidationReport, validate_graph
from vcgraph.vocabulary import SCHEMES, Vocabularies


class IngestError(ValueError):
    """The ingest cannot start (bad wave id); row problems are reported in :class:`IngestReport` instead."""


@dataclass
class IngestReport:
    """What an ingest did: counts, every rejected row with its errors, warnings, what was written where."""

    path: str
    wave: str
    rows_read: int = 0
    rows_ingested: int = 0
    errors: list[RowError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    triples_written: int = 0
    graphs: list[str] = field(default_factory=list)
    written: bool = False
    quarantine: bool = False

    @property
    def rows_rejected(self) -> list[int]:
        """Spreadsheet row numbers of the rejected rows (1 = the header: a missing column; 0 = the whole file)."""
        return sorted({e.row for e in self.errors})

    @property
    def ok(self) -> bool:
        """Every row was valid and the wave was written."""
        return self.written and not self.errors

    def as_dict(self) -> dict[str, object]:
        """JSON-ready form for the REST API."""
        return {
            "path": self.path,
            "wave": self.wave,
            "written": self.written,
            "ok": self.ok,
            "quarantine": self.quarantine,
            "rows_read": self.rows_read,
            "rows_ingested": self.rows_ingested,
            "rows_rejected": self.rows_rejected,
            "triples_written": self.triples_written,
            "graphs": list(self.graphs),
            "errors": [e.as_dict() for e in sorted(self.errors)],
            "warnings": list(self.warnings),
        }

    def summary(self) -> str:
        """One line: what was read, what was written where (or that nothing was)."""
        if self.written:
            return (
                f"wave {self.wave}: {self.rows_ingested} of {self.rows_read} row(s) ingested from {self.path}, "
                f"{self.triples_written} triple(s) written to {', '.join(self.graphs)}"
            )
        rejected = f", {len(self.rows_rejected)} row(s) rejected" if self.errors else ""
        return f"wave {self.wave}: nothing written; {self.rows_read} row(s) read from {self.path}{rejected}"

    def text(self) -> str:
        """The summary, then every error (sorted by row) and every warning, one per line."""
        lines = [self.summary()]
        if self.errors:
            lines.append(f"{len(self.rows_rejected)} row(s) rejected:")
            lines += [f"  {e}" for e in sorted(self.errors)]
        lines += [f"warning: {w}" for w in self.warnings]
        return "\n".join(lines)


def check_wave_id(wave: str) -> None:
    if not WAVE_ID.match(wave):
        raise IngestError(
            f"wave id {wave!r} is invalid: 1-64 characters, letters, digits, '.', '_' or '-', "
            "starting with a letter or digit (e.g. 2026-W1)"
        )


def ensure_reference_data(store: Store, settings: Settings, reference: ReferenceData | None = None) -> dict[str, int]:
    """(Re)load ``ontology/vcgraph.ttl``, the other ``ontology/*.ttl`` and NUTS into their graphs, atomically.

    Idempotent: the same files give the same quads. Returns the number of triples per graph IRI.
    """
    graphs = reference_graphs(settings, reference)
    replace_changed_graphs(store, graphs)
    return {graph.value: len(triples) for graph, triples in graphs.items()}


def reference_graphs(settings: Settings, reference: ReferenceData | None = None) -> dict[NamedNode, list[Triple]]:
    """The reference graphs' IRIs and the triples this checkout gives them."""
    reference = reference or load_reference_data(settings)
    minter = Minter(settings.base_iri)
    return {
        minter.ontology_graph(): reference.ontology,
        minter.vocabularies_graph(): reference.vocabularies,
        minter.nuts_graph(): reference.nuts,
    }


def stale_reference_graphs(store: Store, settings: Settings) -> list[NamedNode]:
    """The reference graphs whose content in ``store`` is not this checkout's: ``vcgraph init`` replaces them.

    The questions rely on them being current: a store initialised before the NUTS graph stated bm:withinRegion
    answers the convergence questions with nothing until it is re-initialised.
    """
    return [graph for graph, triples in reference_graphs(settings).items() if _differs(store, graph, triples)]


def replace_changed_graphs(store: Store, graphs: Mapping[NamedNode, list[Triple]]) -> list[NamedNode]:
    """``store.replace_graphs`` for the graphs whose content differs; returns those graphs.

    The store's atomic swap rewrites every triple (seconds for 10,000s of them), so a graph that already holds
    exactly the given triples is left as it is: the outcome is the same, and re-ingesting a file is cheap.
    """
    changed = {graph: triples for graph, triples in graphs.items() if _differs(store, graph, triples)}
    if changed:
        store.replace_graphs(changed)
    return list(changed)


def _differs(store: Store, graph: NamedNode, triples: list[Triple]) -> bool:
    # A new wave's graph is empty in the store: say so from its first quad instead of building a set of the
    # 800,000 triples of a 10,000-row file only to compare it with an empty one.
    stored = iter(store.quads(graph))
    first = next(stored, None)
    if first is None:
        return bool(triples)
    return {first.triple, *(q.triple for q in stored)} != set(triples)


@dataclass
class CheckedSurvey:
    """The outcome of the template and SHACL steps on one file."""

    template: TemplateResult
    records: list[SurveyRecord]
    triples: WaveTriples
    shacl: ValidationReport


@collector_paused()  # the 800k triples of 10,000 rows are built and held: see collector_paused
def check_survey(
    settings: Settings,
    path: Path,
    wave: str,
    reference: ReferenceData,
    *,
    quarantine: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> CheckedSurvey:
    """Read, check and map a file; with ``quarantine``, drop the rows SHACL rejects and map the rest again."""
    vocabularies = Vocabularies.from_triples(reference.vocabularies, required=SCHEMES)
    try:
        table = read_survey(path)
    except SurveyReadError as exc:
        # An unreadable file is the respondent's problem like a bad cell: reported, not raised, so every caller
        # (CLI, API) shows it the same way and exits/answers with a 4xx-like outcome.
        failed = TemplateResult(errors=[RowError(FILE_ROW, "", "", str(exc))])
        return CheckedSurvey(failed, [], WaveTriples([], []), ValidationReport())
    # A curator's confirmed merges (data/curation/merges.csv) put a merged organisation under its surviving IRI.
    template = parse_table(table, vocabularies, reference.nuts_index, progress, merges=load_merge_keys(settings))
    minter = Minter(settings.base_iri)
    shapes_reference = reference.vocabularies + reference.nuts
    records = list(template.records)
    shacl_errors: list[RowError] = []
    while True:
        triples = map_records(records, wave, minter)
        shacl = validate_graph(
            triples.public, shapes_reference, settings.shapes_dir, locator=RecordLocator(records, wave, minter)
        )
        shacl_errors.extend(shacl.errors)
        rejected = {e.row for e in shacl.errors}
        # Without quarantine one violation rejects the file anyway; with it, rows are dropped until the rest is
        # valid, and a violation no row explains (row 0) keeps the whole file out.
        if not quarantine or not rejected or FILE_ROW in rejected:
            break
        records = [r for r in records if r.row not in rejected]
    shacl.errors = shacl_errors
    return CheckedSurvey(template, records, triples, shacl)


@collector_paused()  # the checked wave's triples are held until written
def ingest_survey(
    store: Store,
    settings: Settings,
    path: Path,
    wave: str,
    *,
    quarantine: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> IngestReport:
    """Ingest ``path`` as wave ``wave``, replacing that wave atomically.

    Raises :class:`IngestError` for a bad wave id, and ``VocabularyError``/``NutsError``/``ShapesError`` for a
    broken checkout (all ``ValueError``). Problems of the file do not raise: an unreadable file (row 0) and bad
    rows are in ``report.errors``, and ``report.written`` says whether anything was written.
    """
    check_wave_id(wave)
    reference = load_reference_data(settings)
    checked = check_survey(settings, path, wave, reference, quarantine=quarantine, progress=progress)
    errors = sorted(set(checked.template.errors + checked.shacl.errors))
    report = IngestReport(
        path=str(path),
        wave=wave,
        rows_read=checked.template.rows_read,
        errors=errors,
        warnings=list(checked.template.warnings),
        quarantine=quarantine,
    )
    file_level = any(e.row == FILE_ROW for e in errors)
    if (errors and not quarantine) or file_level or not checked.records:
        # An empty result would replace the previous wave with nothing: keep the previous wave instead.
        return report
    minter = Minter(settings.base_iri)
    wave_graph, restricted_graph = minter.wave_graph(wave), minter.restricted_graph(wave)
    ensure_reference_data(store, settings, reference)
    replace_changed_graphs(store, {wave_graph: checked.triples.public, restricted_graph: checked.triples.restricted})
    report.rows_ingested = len(checked.records)
    report.triples_written = len(checked.triples.public) + len(checked.triples.restricted)
    report.graphs = [wave_graph.value, restricted_graph.value]
    report.written = True
    return report
