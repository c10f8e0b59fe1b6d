"""`vcgraph export`: what it writes, what it never writes, and that it writes the same bytes twice."""

from __future__ import annotations

import gzip
import hashlib
import io
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
import rdflib
from pyoxigraph import BlankNode, Literal, NamedNode, RdfFormat, Triple, parse

from vcgraph.config import Settings
from vcgraph.export import ExportError, ExportReport, export_dataset
from vcgraph.export.publishable import public_view
from vcgraph.store.oxigraph import OxigraphStore

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "export" / "graph.trig"
SHARED = Path(__file__).resolve().parents[3] / "shared"
DCAT_CHECK = SHARED / "tools" / "check_dcat_ap.py"
DEFAULT_BASE = "https://w3id.org/vcgraph/"
CUSTOM_BASE = "https://data.example.org/kg/"

RDF_FILES = {
    ".nt.gz": RdfFormat.N_TRIPLES,
    ".ttl": RdfFormat.TURTLE,
    ".jsonld": RdfFormat.JSON_LD,
    ".rdf": RdfFormat.RDF_XML,
}
RDFLIB_FORMATS = {
    RdfFormat.N_TRIPLES: "nt",
    RdfFormat.TURTLE: "turtle",
    RdfFormat.JSON_LD: "json-ld",
    RdfFormat.RDF_XML: "xml",
}
# Withheld actors (members, anonymous) and what would identify them.
WITHHELD_MARKERS = (
    "members-co-be", "Members Co", "anon-4f872e99a10c6e2a", "Stealth", "BE0999888777", "R-004", "R-005",
)


def load_fixture(tmp_path: Path, base: str = DEFAULT_BASE) -> OxigraphStore:
    store = OxigraphStore(tmp_path / "store")
    text = FIXTURE.read_text(encoding="utf-8").replace(f"@base <{DEFAULT_BASE}>", f"@base <{base}>", 1)
    store.load(text.encode("utf-8"), RdfFormat.TRIG)
    return store


@pytest.fixture
def store(tmp_path: Path) -> OxigraphStore:
    return load_fixture(tmp_path)


@pytest.fixture
def exported(store: OxigraphStore, tmp_path: Path) -> tuple[Path, ExportReport]:
    out = tmp_path / "export"
    return out, export_dataset(store, Settings(store=str(tmp_path / "store")), out)


def file_bytes(path: Path) -> bytes:
    data = path.read_bytes()
    return gzip.decompress(data) if path.name.endswith(".gz") else data


def rdf_format(path: Path) -> RdfFormat | None:
    return next((fmt for suffix, fmt in RDF_FILES.items() if path.name.endswith(suffix)), None)


def from_rdflib(term: rdflib.term.Node) -> NamedNode | Literal | BlankNode:
    if isinstance(term, rdflib.URIRef):
        return NamedNode(str(term))
    if isinstance(term, rdflib.Literal):
        if term.language:
            return Literal(str(term), language=term.language)
        return Literal(str(term), datatype=NamedNode(str(term.datatype)) if term.datatype else None)
    raise AssertionError(f"unexpected blank node or other term in an export: {term!r}")


def parse_with_rdflib(path: Path, fmt: RdfFormat) -> set[Triple]:
    graph = rdflib.Graph()
    graph.parse(io.BytesIO(file_bytes(path)), format=RDFLIB_FORMATS[fmt])
    return {Triple(from_rdflib(s), from_rdflib(p), from_rdflib(o)) for s, p, o in graph}  # type: ignore[arg-type]


def parse_with_pyoxigraph(path: Path, fmt: RdfFormat) -> set[Triple]:
    return {q.triple for q in parse(file_bytes(path), format=fmt)}


def test_export_writes_the_dumps_the_tables_the_catalogue_and_the_void(exported: tuple[Path, ExportReport]) -> None:
    out, report = exported
    written = sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file())
    assert written == [
        "catalog.ttl", "csv/actors.csv", "csv/aggregates.csv", "csv/needs.csv", "csv/statements.csv",
        "ontology.rdf", "ontology.ttl", "vcgraph.jsonld", "vcgraph.nt.gz", "vcgraph.ttl", "vocabularies.rdf",
        "vocabularies.ttl", "void.ttl", "waves/2025-W1.nt.gz", "waves/2025-W1.ttl", "waves/2026-W1.nt.gz",
        "waves/2026-W1.ttl",
    ]
    assert [f.path for f in report.files] == written
    assert (report.public_actors, report.withheld_actors) == (3, 2)


def test_no_email_address_of_the_input_appears_in_any_exported_file(
    store: OxigraphStore, exported: tuple[Path, ExportReport]
) -> None:
    out, _ = exported
    emails = {q.object.value for q in store.quads() if q.predicate.value == "https://schema.org/email"}
    assert len(emails) == 5
    for path in (p for p in out.rglob("*") if p.is_file()):
        content = file_bytes(path).decode("utf-8").lower()
        for email in emails:
            assert email.lower() not in content, f"{email} found in {path.name}"
        assert "schema.org/email" not in content, path.name


def test_members_and_anonymous_actors_are_in_no_dump_and_no_table(exported: tuple[Path, ExportReport]) -> None:
    out, _ = exported
    for path in (p for p in out.rglob("*") if p.is_file()):
        content = file_bytes(path).decode("utf-8")
        for marker in WITHHELD_MARKERS:
            assert marker not in content, f"{marker} found in {path.name}"


def test_aggregates_count_every_actor_whatever_its_visibility(exported: tuple[Path, ExportReport]) -> None:
    out, _ = exported
    rows = (out / "csv" / "aggregates.csv").read_text(encoding="utf-8-sig").splitlines()
    assert "2026-W1,stage,S05,Downstream processing,need,3,2" in rows
    assert "2026-W1,country,BE,,,4,2" in rows


def test_csv_cells_that_would_start_a_formula_are_neutralised(exported: tuple[Path, ExportReport]) -> None:
    out, _ = exported
    actors = (out / "csv" / "actors.csv").read_text(encoding="utf-8-sig")
    needs = (out / "csv" / "needs.csv").read_text(encoding="utf-8-sig")
    assert ",\"'=HYPERLINK(" in actors
    assert ",'@SUM(A1:A9) affinity capture for AAV" in needs
    for table in (actors, needs):
        assert not re.search(r"(^|,)\"?[=+\-@]", table, re.MULTILINE)


def test_csv_tables_are_utf8_with_bom_and_crlf_rows(exported: tuple[Path, ExportReport]) -> None:
    out, _ = exported
    raw = (out / "csv" / "actors.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfactor,name,")
    assert raw.count(b"\r\n") == 4  # header + three public actors


def test_every_rdf_file_parses_back_with_pyoxigraph_and_rdflib_to_exactly_the_exported_triples(
    store: OxigraphStore, exported: tuple[Path, ExportReport], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(rdflib, "NORMALIZE_LITERALS", False)  # compare lexical forms exactly, as written
    out, report = exported
    view = public_view(store, Settings())
    expected = {
        "vcgraph": set(view.triples()),
        "ontology": set(view.graphs[DEFAULT_BASE + "graph/ontology"]),
        "vocabularies": set(view.graphs[DEFAULT_BASE + "graph/vocabularies"]),
        "waves/2025-W1": set(view.graphs[DEFAULT_BASE + "graph/wave/2025-W1"]),
        "waves/2026-W1": set(view.graphs[DEFAULT_BASE + "graph/wave/2026-W1"]),
    }
    counts = {f.path: f.triples for f in report.files}
    checked = 0
    for path in sorted(p for p in out.rglob("*") if p.is_file()):
        fmt = rdf_format(path)
        if fmt is None:
            continue
        relative = str(path.relative_to(out))
        with_pyoxigraph = parse_with_pyoxigraph(path, fmt)
        assert with_pyoxigraph == parse_with_rdflib(path, fmt), relative
        assert len(with_pyoxigraph) == counts[relative], relative
        stem = re.sub(r"\.(nt\.gz|ttl|jsonld|rdf)$", "", relative)
        if stem in expected:
            assert with_pyoxigraph == expected[stem], relative
        checked += 1
    assert checked == 13  # 3 whole dumps, ontology and vocabularies x 2, 2 waves x 2, void, catalogue


def test_exporting_the_same_store_twice_gives_the_same_bytes(store: OxigraphStore, tmp_path: Path) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    export_dataset(store, Settings(), first)
    export_dataset(store, Settings(), second)
    files = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    for relative in files:
        assert (first / relative).read_bytes() == (second / relative).read_bytes(), relative


def test_gzip_dumps_carry_no_file_name_and_no_timestamp(exported: tuple[Path, ExportReport]) -> None:
    out, _ = exported
    header = (out / "vcgraph.nt.gz").read_bytes()[:10]
    flags, mtime = header[3], int.from_bytes(header[4:8], "little")
    assert (flags & 0x08, mtime) == (0, 0)  # FNAME flag unset, MTIME zero


def test_the_catalogue_date_comes_from_the_data_unless_given(store: OxigraphStore, tmp_path: Path) -> None:
    assert export_dataset(store, Settings(), tmp_path / "a").generated == date(2026, 3, 20)
    given = export_dataset(store, Settings(), tmp_path / "b", generated=date(2026, 4, 1))
    assert given.generated == date(2026, 4, 1)
    assert '"2026-04-01"^^xsd:date' in (tmp_path / "b" / "catalog.ttl").read_text(encoding="utf-8")


def test_the_catalogue_gives_each_file_its_byte_size_and_sha256(exported: tuple[Path, ExportReport]) -> None:
    out, _ = exported
    graph = rdflib.Graph().parse(out / "catalog.ttl")
    dcat = rdflib.Namespace("http://www.w3.org/ns/dcat#")
    spdx = rdflib.Namespace("http://spdx.org/rdf/terms#")
    download_base = DEFAULT_BASE + "export/"
    described = set()
    for distribution, url in graph.subject_objects(dcat.downloadURL):
        relative = str(url).removeprefix(download_base)
        data = (out / relative).read_bytes()
        assert int(graph.value(distribution, dcat.byteSize)) == len(data), relative
        checksum = graph.value(distribution, spdx.checksum)
        assert str(graph.value(checksum, spdx.checksumValue)) == hashlib.sha256(data).hexdigest(), relative
        described.add(relative)
    written = {str(p.relative_to(out)) for p in out.rglob("*") if p.is_file()}
    assert described == written - {"catalog.ttl", "void.ttl"}


def test_void_counts_the_triples_of_the_dump_and_links_to_nuts_nace_and_esco(
    exported: tuple[Path, ExportReport],
) -> None:
    out, report = exported
    graph = rdflib.Graph().parse(out / "void.ttl")
    void = rdflib.Namespace("http://rdfs.org/ns/void#")
    dataset = rdflib.URIRef(DEFAULT_BASE + ".well-known/void#dataset")
    assert int(graph.value(dataset, void.triples)) == report.triples
    assert graph.value(dataset, void.sparqlEndpoint) == rdflib.URIRef(DEFAULT_BASE + "sparql")
    links = {
        str(linkset).rsplit("/", 1)[1]: int(graph.value(linkset, void.triples))
        for linkset in graph.subjects(rdflib.RDF.type, void.Linkset)
    }
    assert links == {"nuts": 2, "nace": 1, "esco": 1}  # two public sites, one NACE and one ESCO match


def test_a_custom_base_iri_mints_the_export_under_it(tmp_path: Path) -> None:
    store = load_fixture(tmp_path, CUSTOM_BASE)
    out = tmp_path / "export"
    export_dataset(store, Settings(base_iri=CUSTOM_BASE), out)
    dump = file_bytes(out / "vcgraph.nt.gz").decode("utf-8")
    assert f"<{CUSTOM_BASE}id/actor/lyon-cells-fr>" in dump
    assert "<https://w3id.org/vcgraph/id/" not in dump
    assert "members-co-be" not in dump
    assert f"<{CUSTOM_BASE}export/vcgraph.nt.gz>" in (out / "catalog.ttl").read_text(encoding="utf-8")


@pytest.mark.skipif(not DCAT_CHECK.exists(), reason="the shared DCAT-AP checker is not beside the checkout")
def test_the_export_passes_the_official_dcat_ap_3_shapes(exported: tuple[Path, ExportReport]) -> None:
    out, _ = exported
    result = subprocess.run(
        [sys.executable, str(DCAT_CHECK), str(out)], capture_output=True, text=True, timeout=240, check=False
    )
    last_line = result.stdout.strip().splitlines()[-1]
    assert result.returncode == 0, result.stdout[-3000:]
    assert last_line.endswith(" 0 failed"), last_line


def test_exporting_into_a_file_is_refused_with_a_clear_message(store: OxigraphStore, tmp_path: Path) -> None:
    target = tmp_path / "not-a-directory"
    target.write_text("x")
    with pytest.raises(ExportError, match="is a file, not a directory"):
        export_dataset(store, Settings(), target)


def test_exporting_into_a_foreign_non_empty_directory_is_refused(store: OxigraphStore, tmp_path: Path) -> None:
    target = tmp_path / "documents"
    target.mkdir()
    (target / "thesis.docx").write_text("precious")
    with pytest.raises(ExportError, match="not empty and holds no earlier export"):
        export_dataset(store, Settings(), target)
    assert (target / "thesis.docx").read_text() == "precious"


def test_exporting_again_over_an_earlier_export_drops_the_dumps_of_waves_now_gone(
    store: OxigraphStore, tmp_path: Path
) -> None:
    out = tmp_path / "export"
    export_dataset(store, Settings(), out)
    store.clear_graph(NamedNode(DEFAULT_BASE + "graph/wave/2025-W1"))
    report = export_dataset(store, Settings(), out)
    assert sorted(p.name for p in (out / "waves").iterdir()) == ["2026-W1.nt.gz", "2026-W1.ttl"]
    assert sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file()) == [f.path for f in report.files]
