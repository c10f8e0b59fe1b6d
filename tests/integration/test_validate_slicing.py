"""Validating a wave in slices gives exactly the report of validating it whole, whatever the slice size."""

from __future__ import annotations

from pathlib import Path

import rdflib
from pyoxigraph import Literal, NamedNode, Triple
from rdflib.namespace import SH

from vcgraph.namespaces import BM, PROV, RDFS, SCHEMA, XSD, Minter, nuts, vocab
from vcgraph.rdf.mapping import map_records
from vcgraph.reference.nuts import NUTS_CSV, NutsIndex, nuts_triples
from vcgraph.survey.reader import SurveyTable
from vcgraph.survey.template import SurveyRecord, parse_table
from vcgraph.validation.locate import RecordLocator
from vcgraph.validation.shacl import ValidationReport, compile_shapes, slices, validate_graph
from vcgraph.vocabulary import Vocabularies

ROOT = Path(__file__).resolve().parents[2]
SHAPES = ROOT / "shapes"
VOCABULARIES = Vocabularies.load(ROOT / "tests" / "fixtures" / "survey" / "ontology")
NUTS = NutsIndex.load(ROOT / "data" / NUTS_CSV)
REFERENCE = VOCABULARIES.triples + nuts_triples(NUTS)
MINTER = Minter("https://w3id.org/vcgraph/")
WAVE = "2026-W1"
ROW = {
    "submitted": "2026-03-02",
    "organisation": "Bioprocess Liège SA",
    "website": "https://bioprocess.example.be/",
    "country": "BE",
    "nuts": "BE332",
    "actor_type": "A03",
    "sectors": "biopharma; ict",
    "clusters": "BioWin",
    "stage_S04": "offer",
    "tech_T05": "develop",
    "trl_T05": "6",
    "need1_stage": "S05",
    "need1_technology": "T04.02",
    "need1_min_trl": "7",
    "skills_shortage": "K03",
}
ROWS = 40
WHOLE = 10**9  # a slice size no test graph reaches: one piece


def survey_records() -> list[SurveyRecord]:
    rows = [{**ROW, "response_id": f"R-{i:03d}", "organisation_id": f"BE{i:010d}"} for i in range(ROWS)]
    columns = list(dict.fromkeys(c for row in rows for c in row))
    table = SurveyTable(columns, [(i + 2, row) for i, row in enumerate(rows)])
    result = parse_table(table, VOCABULARIES, NUTS)
    assert result.errors == [], [str(e) for e in result.errors]
    return result.records


RECORDS = survey_records()


def response(index: int) -> str:
    return MINTER.response(WAVE, f"R-{index:03d}").value


def actor(index: int) -> str:
    return f"https://w3id.org/vcgraph/id/actor/id-be{index:010d}"


def broken_wave() -> list[Triple]:
    """Forty rows with faults spread from the first row to the last, and in the clusters written at the end."""
    public = map_records(RECORDS, WAVE, MINTER).public
    faults = {
        (response(0) + "/technology/T05", BM + "trl"): Literal("12", datatype=NamedNode(XSD + "integer")),
        (response(13) + "/stage/S04", BM + "stage"): vocab("technology", "T01"),
        (actor(21) + "/site/BE332", BM + "inRegion"): nuts("BE"),
        (response(39) + "/stage/S04", BM + "mode"): vocab("mode", "develop"),
        ("https://w3id.org/vcgraph/id/cluster/biowin", RDFS + "label"): Literal("write to anne@example.org"),
    }
    kept = [t for t in public if (t.subject.value, t.predicate.value) not in faults]
    replaced = [Triple(NamedNode(s), NamedNode(p), o) for (s, p), o in faults.items()]
    dropped = Triple(NamedNode(response(27) + "/need/1"), NamedNode(PROV + "wasDerivedFrom"), NamedNode(response(27)))
    extra = Triple(NamedNode(actor(33)), NamedNode(SCHEMA + "email"), Literal("bob@example.org"))
    return [*(t for t in kept if t != dropped), *replaced, extra]


def check(triples: list[Triple], slice_triples: int) -> ValidationReport:
    locator = RecordLocator(RECORDS, WAVE, MINTER)
    return validate_graph(triples, REFERENCE, SHAPES, locator=locator, slice_triples=slice_triples, workers=2)


def test_slices_report_the_same_violations_and_cells_as_the_whole_graph() -> None:
    whole = check(broken_wave(), WHOLE)
    assert not whole.conforms and len(whole.violations) >= 6
    for size in (1, 150, 1_000):
        sliced = check(broken_wave(), size)
        assert (sliced.conforms, sliced.violations, sorted(sliced.errors)) == (
            whole.conforms,
            whole.violations,
            sorted(whole.errors),
        ), size


def test_a_wave_that_conforms_whole_conforms_in_slices() -> None:
    report = check(map_records(RECORDS, WAVE, MINTER).public, 100)
    assert report.conforms and report.violations == [] and report.errors == []


def test_personal_data_in_the_last_slice_is_found_by_the_wave_wide_check() -> None:
    report = check(broken_wave(), 100)
    assert any(
        "personal data in a public graph" in v.message and v.value == "write to anne@example.org"
        for v in report.violations
    )


def results(report: ValidationReport) -> set[tuple[str, ...]]:
    graph = rdflib.Graph().parse(data=report.to_turtle(), format="turtle")
    fields = (SH.focusNode, SH.resultPath, SH.value, SH.sourceConstraintComponent, SH.sourceShape)
    # A blank node (an anonymous property shape) is labelled differently in each report: compared as "_".
    return {
        tuple("_" if isinstance(v := graph.value(result, f), rdflib.BNode) else str(v) for f in fields)
        for result in graph.subjects(rdflib.RDF.type, SH.ValidationResult)
    }


def test_the_merged_report_graph_is_one_report_with_the_results_of_the_whole_graph() -> None:
    sliced, whole = check(broken_wave(), 100), check(broken_wave(), WHOLE)
    assert sliced.to_turtle().count("sh:ValidationReport") == 1
    assert results(sliced) == results(whole)


def test_every_node_of_a_slice_comes_with_all_its_triples_and_the_nodes_it_points_to() -> None:
    graph = broken_wave()
    by_subject: dict[NamedNode, set[Triple]] = {}
    for t in graph:
        by_subject.setdefault(t.subject, set()).add(t)  # type: ignore[arg-type]
    pieces = list(slices(graph, compile_shapes(SHAPES).global_classes, 200))
    assert len(pieces) > 5
    for piece in pieces:
        held = set(piece)
        for t in piece:
            assert by_subject[t.subject] <= held  # type: ignore[index]
            if t.object in by_subject:
                assert by_subject[t.object] <= held  # type: ignore[index]
    assert set().union(*map(set, pieces)) == set(graph)


def test_the_wave_is_in_every_slice_for_its_graph_wide_personal_data_check() -> None:
    wave = MINTER.wave(WAVE)
    pieces = list(slices(broken_wave(), compile_shapes(SHAPES).global_classes, 200))
    assert all(any(t.subject == wave for t in piece) for piece in pieces)


def test_shapes_with_an_inverse_path_validate_the_graph_in_one_piece(tmp_path: Path) -> None:
    (tmp_path / "inverse.ttl").write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n"
        "<https://example.org/S> a sh:NodeShape ; sh:targetClass <https://example.org/C> ;"
        " sh:property [ sh:path [ sh:inversePath <https://example.org/p> ] ; sh:minCount 1 ] .\n"
    )
    assert not compile_shapes(tmp_path).sliceable
    assert compile_shapes(SHAPES).sliceable
