"""Batch export for open-data portals: ``vcgraph export DIR``.

Writes only what may be published (see :mod:`vcgraph.export.publishable`), deterministically: the same store
gives the same bytes, so a portal or a diff sees only real changes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from pyoxigraph import Triple

from vcgraph.config import Settings
from vcgraph.export.dcat import Distribution, catalog_triples
from vcgraph.export.layout import (
    CATALOG_FILE,
    VOID_FILE,
    data_date,
    default_download_base,
    wave_dump_files,
    waves,
)
from vcgraph.export.publishable import PublicView, public_view, sort_triples, value_of
from vcgraph.export.serialize import JSON_LD, NTRIPLES, RDF_XML, TURTLE, RdfSyntax, gzip_bytes, serialise
from vcgraph.export.tables import TableBuilder
from vcgraph.export.void import void_triples
from vcgraph.namespaces import BM, RDF, SCHEMA, Minter
from vcgraph.store.port import Store

__all__ = ["ExportError", "ExportReport", "ExportedFile", "export_dataset"]


class ExportError(Exception):
    """The output directory cannot take an export (a file, a foreign non-empty folder, not writable)."""


@dataclass(frozen=True)
class ExportedFile:
    path: str  # relative to the export directory, '/'-separated
    byte_size: int
    sha256: str
    triples: int | None  # for RDF files: how many triples it holds


@dataclass
class ExportReport:
    """What an export wrote, for the CLI to print and for tests to check."""

    directory: Path
    generated: date
    triples: int
    public_actors: int
    withheld_actors: int
    files: list[ExportedFile] = field(default_factory=list)

    def summary(self) -> str:
        lines = [
            f"exported {len(self.files)} files to {self.directory} (data as of {self.generated.isoformat()})",
            f"public graph: {self.triples} triples; actors: {self.public_actors} public, "
            f"{self.withheld_actors} withheld (members/anonymous: in aggregates only)",
        ]
        lines += [f"  {f.path}  {f.byte_size} bytes" for f in self.files]
        return "\n".join(lines)


class _Writer:
    def __init__(self, out_dir: Path) -> None:
        self.out_dir = out_dir
        self.files: list[ExportedFile] = []
        self.distributions: list[Distribution] = []

    def write(self, path: str, data: bytes, triples: int | None = None) -> ExportedFile:
        target = self.out_dir / path
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        except OSError as exc:
            raise ExportError(f"cannot write {target}: {exc.strerror or exc}") from exc
        exported = ExportedFile(path, len(data), hashlib.sha256(data).hexdigest(), triples)
        self.files.append(exported)
        return exported

    def rdf(
        self,
        path: str,
        triples: Sequence[Triple],
        syntax: RdfSyntax,
        title: str,
        dataset: str | None,
        *,
        compress: bool = False,
    ) -> None:
        data = serialise(triples, syntax, presorted=True)
        if compress:
            data = gzip_bytes(data)
        exported = self.write(path, data, len(triples))
        self.distributions.append(
            Distribution(
                path,
                f"{title} ({syntax.name}{', gzip' if compress else ''})",
                f"{title}, {len(triples)} triples, as {syntax.name}{' compressed with gzip' if compress else ''}.",
                syntax.media_type,
                syntax.file_type,
                exported.byte_size,
                exported.sha256,
                compress,
                dataset,
            )
        )


def export_dataset(
    store: Store,
    settings: Settings,
    out_dir: Path,
    *,
    generated: date | None = None,
    download_base: str | None = None,
) -> ExportReport:
    """Export the publishable graph to ``out_dir`` (created): dumps, CSV tables, ``catalog.ttl``, ``void.ttl``.

    ``generated`` dates the catalogue; by default it is taken from the data (end of the latest wave), never the
    clock. ``download_base`` is the URL the directory will be published at (default ``{base}export/``).
    """
    _check_output_directory(out_dir)
    view = public_view(store, settings)
    when = generated or data_date(view)
    download = download_base or default_download_base(settings)
    writer = _Writer(out_dir)
    everything = sort_triples(view.triples())

    title = "vcgraph public graph"
    writer.rdf("vcgraph.nt.gz", everything, NTRIPLES, title, None, compress=True)
    writer.rdf("vcgraph.ttl", everything, TURTLE, title, None)
    writer.rdf("vcgraph.jsonld", everything, JSON_LD, title, None)

    minter = Minter(settings.base_iri)
    for name, graph, label in (
        ("ontology", minter.ontology_graph(), "vcgraph ontology"),
        ("vocabularies", minter.vocabularies_graph(), "vcgraph SKOS vocabularies"),
    ):
        triples = sort_triples(view.graphs.get(graph.value, frozenset()))
        for syntax in (TURTLE, RDF_XML):
            writer.rdf(f"{name}.{syntax.extension}", triples, syntax, label, None)

    wave_infos = waves(view, settings)
    for wave in wave_infos:
        triples = sort_triples(view.graphs[wave.graph])
        nt_path, ttl_path = wave_dump_files(wave.identifier)
        wave_title = f"vcgraph survey wave {wave.identifier}"
        writer.rdf(nt_path, triples, NTRIPLES, wave_title, wave.identifier, compress=True)
        writer.rdf(ttl_path, triples, TURTLE, wave_title, wave.identifier)

    builder = TableBuilder(everything, view.all_quads, view.withheld)
    for table in builder.tables():
        exported = writer.write(f"csv/{table.name}.csv", table.to_csv())
        writer.distributions.append(
            Distribution(
                exported.path,
                f"vcgraph {table.name} table (CSV)",
                _TABLE_DESCRIPTIONS[table.name],
                "text/csv",
                "CSV",
                exported.byte_size,
                exported.sha256,
                False,
                None,
            )
        )

    void = void_triples(view, settings, generated=when, download_base=download)
    writer.write(VOID_FILE, serialise(void, TURTLE), len(void))
    countries = {w.identifier: _countries(view.graphs[w.graph]) for w in wave_infos}
    catalog = catalog_triples(settings, wave_infos, writer.distributions, generated=when, download_base=download,
                              countries=countries)
    writer.write(CATALOG_FILE, serialise(catalog.triples, TURTLE), len(catalog.triples))

    _remove_stale_wave_dumps(out_dir, {f.path for f in writer.files})
    return ExportReport(
        directory=out_dir,
        generated=when,
        triples=len(everything),
        public_actors=_count_public_actors(view),
        withheld_actors=len(view.withheld.actors),
        files=sorted(writer.files, key=lambda f: f.path),
    )


_TABLE_DESCRIPTIONS = {
    "actors": "One row per public actor: name, identifiers, country, type, sectors, clusters, NUTS regions, waves.",
    "statements": "One row per capability or skill statement of a public actor, with its wave and response.",
    "needs": "One row per structured need of a public actor: stage, technology, product class, TRL, urgency.",
    "aggregates": "Distinct actors (all visibilities) per wave and stage, technology, skill or country, with "
    "how many of them are public.",
}


def _check_output_directory(out_dir: Path) -> None:
    """Create ``out_dir``, or accept it when empty or holding an earlier export (which is then overwritten)."""
    if out_dir.exists() and not out_dir.is_dir():
        raise ExportError(f"{out_dir} is a file, not a directory: give a new or empty directory")
    if out_dir.is_dir() and any(out_dir.iterdir()) and not (out_dir / CATALOG_FILE).is_file():
        raise ExportError(
            f"{out_dir} is not empty and holds no earlier export ({CATALOG_FILE}): give a new or empty directory"
        )
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ExportError(f"cannot create {out_dir}: {exc.strerror or exc}") from exc


def _remove_stale_wave_dumps(out_dir: Path, written: set[str]) -> None:
    """Remove dumps an earlier export wrote for a wave that is gone: the directory must match its catalogue."""
    waves_dir = out_dir / "waves"
    if not waves_dir.is_dir():
        return
    for path in waves_dir.iterdir():
        relative = f"waves/{path.name}"
        if path.is_file() and path.name.endswith((".nt.gz", ".ttl")) and relative not in written:
            path.unlink()


def _countries(triples: Iterable[Triple]) -> set[str]:
    """ISO country codes stated for the (public) actors of a wave graph."""
    return {value_of(t.object) for t in triples if t.predicate.value == SCHEMA + "addressCountry"}


def _count_public_actors(view: PublicView) -> int:
    return len(
        {
            value_of(t.subject)
            for t in view.triples()
            if t.predicate.value == RDF + "type" and value_of(t.object) == BM + "Actor"
        }
    )
