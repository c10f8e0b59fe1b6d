"""Use cases: check a survey file without writing it, and re-check every wave already in a store."""

from __future__ import annotations

from pathlib import Path

from pyoxigraph import NamedNode, Triple

from vcgraph.config import Settings
from vcgraph.namespaces import Minter
from vcgraph.reference.loader import load_reference_data
from vcgraph.service.ingest import check_survey, check_wave_id
from vcgraph.store.port import Store
from vcgraph.survey.errors import FILE_ROW, RowError
from vcgraph.validation.shacl import ValidationReport, validate_graph

CHECK_WAVE = "check"
"""The wave id used to mint IRIs when a file is validated without being ingested (IRIs are never written)."""


def validate_file(settings: Settings, path: Path, *, wave: str = CHECK_WAVE) -> ValidationReport:
    """Template and SHACL check of a survey file, as ``ingest_survey`` would run them; nothing is written.

    A file that cannot be read at all is reported as one file-level error (row 0), not raised.
    """
    check_wave_id(wave)
    reference = load_reference_data(settings)
    checked = check_survey(settings, path, wave, reference)
    report = ValidationReport(
        conforms=not checked.template.errors and checked.shacl.conforms,
        errors=sorted(set(checked.template.errors + checked.shacl.errors)),
        violations=checked.shacl.violations,
        warnings=list(checked.template.warnings),
        report_turtle=checked.shacl.report_turtle,
        graphs=[str(path)],
    )
    return report


def validate_store(store: Store, settings: Settings) -> ValidationReport:
    """SHACL check of each wave graph of ``store`` with the reference graphs the store holds.

    Violations cannot be traced to a survey row any more: they are reported as file-level errors naming the
    wave graph and the offending node.
    """
    minter = Minter(settings.base_iri)
    wave_prefix = minter.wave_graph("")
    reference: list[Triple] = []
    for graph in (minter.vocabularies_graph(), minter.nuts_graph()):
        reference += [Triple(q.subject, q.predicate, q.object) for q in store.quads(graph)]
    report = ValidationReport()
    for graph in store.graphs():
        if not graph.value.startswith(wave_prefix.value):
            continue
        data = [Triple(q.subject, q.predicate, q.object) for q in store.quads(graph)]
        checked = validate_graph(data, reference, settings.shapes_dir)
        checked.errors = [_in_graph(e, graph) for e in checked.errors]
        checked.graphs = [graph.value]
        report.merge(checked)
    return report


def _in_graph(error: RowError, graph: NamedNode) -> RowError:
    return RowError(FILE_ROW, error.column, error.value, f"{error.reason} in graph <{graph.value}>")
