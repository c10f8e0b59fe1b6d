"""vcgraph.ontology.check_ontology: the real ontology passes, and each seeded fault is caught by its check."""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from pathlib import Path

import pytest
from pyoxigraph import Literal, NamedNode, RdfFormat, Triple, parse, serialize

from vcgraph.namespaces import BM, OWL, RDF, RDFS, SKOS, VOCAB
from vcgraph.ontology import CheckReport, check_ontology, fold_label

ROOT = Path(__file__).resolve().parents[2]
ONTOLOGY = ROOT / "ontology"
SHAPES = ROOT / "shapes"
needs_java = pytest.mark.skipif(shutil.which("java") is None, reason="HermiT needs java")


def iri(value: str) -> NamedNode:
    return NamedNode(value)


def en(text: str) -> Literal:
    return Literal(text, language="en")


def fr(text: str) -> Literal:
    return Literal(text, language="fr")


@pytest.fixture
def ontology_copy(tmp_path: Path) -> Path:
    """A private copy of ontology/ that a test may break."""
    target = tmp_path / "ontology"
    shutil.copytree(ONTOLOGY, target)
    return target


def rewrite(path: Path, remove: Sequence[Triple] = (), add: Sequence[Triple] = ()) -> None:
    """Remove and add triples in one Turtle file; every removed triple must be there, so the fault is real."""
    triples = [quad.triple for quad in parse(path=str(path), format=RdfFormat.TURTLE)]
    for triple in remove:
        assert triple in triples, f"seeding a fault: {triple} is not in {path.name}"
    kept = [triple for triple in triples if triple not in remove] + list(add)
    serialize(kept, output=str(path), format=RdfFormat.TURTLE)


def subjects_of(report: CheckReport, check: str) -> set[str]:
    return {finding.subject for finding in report.by_check(check)}


def test_real_ontology_vocabularies_and_shapes_have_no_finding() -> None:
    report = check_ontology(ONTOLOGY, SHAPES, reasoner=False)

    assert report.findings == []
    assert report.passed


@needs_java
def test_real_ontology_is_consistent_for_hermit() -> None:
    report = check_ontology(ONTOLOGY, None, reasoner=True)

    assert "reasoner" in report.checks_run
    assert report.by_check("reasoner") == []


def test_every_family_of_checks_runs() -> None:
    report = check_ontology(ONTOLOGY, SHAPES, reasoner=False)

    for check in ("parse", "ontology-header", "robot:multiple_labels", "robot:missing_label", "undeclared-term",
                  "ontology-translations", "vocab-labels", "vocab-orphan", "vocab-duplicate-notation",
                  "vocab-ambiguous-label", "catalog", "shape-unknown-class"):
        assert check in report.checks_run


def test_missing_french_preflabel_is_an_error(ontology_copy: Path) -> None:
    s04 = iri(VOCAB + "stage/S04")
    rewrite(ontology_copy / "vocab-stage.ttl",
            remove=[Triple(s04, iri(SKOS + "prefLabel"), fr("Procédés amont (USP)"))])

    report = check_ontology(ontology_copy, None, reasoner=False)

    assert not report.passed
    assert [(f.severity, f.subject, f.message) for f in report.by_check("vocab-labels")] == [
        ("ERROR", s04.value, "no skos:prefLabel in 'fr', needs one")
    ]


def test_alt_label_repeating_the_pref_label_is_an_error(ontology_copy: Path) -> None:
    s07 = iri(VOCAB + "stage/S07")
    rewrite(ontology_copy / "vocab-stage.ttl", add=[Triple(s07, iri(SKOS + "altLabel"), en("Fill & finish"))])

    report = check_ontology(ontology_copy, None, reasoner=False)

    assert [(f.subject, f.message) for f in report.by_check("vocab-labels")] == [
        (s07.value, '"Fill & finish"@en is both skos:prefLabel and skos:altLabel')
    ]


def test_missing_english_definition_is_an_error(ontology_copy: Path) -> None:
    gmp = iri(VOCAB + "gmp-status/gmp-ready")
    definition = en("Facilities and quality system designed to GMP standards but not yet certified by an authority.")
    rewrite(ontology_copy / "vocab-gmp-status.ttl", remove=[Triple(gmp, iri(SKOS + "definition"), definition)])

    report = check_ontology(ontology_copy, None, reasoner=False)

    assert subjects_of(report, "vocab-definitions") == {gmp.value}


def test_duplicate_notation_in_one_scheme_is_an_error(ontology_copy: Path) -> None:
    k02 = iri(VOCAB + "skill/K02")
    rewrite(ontology_copy / "vocab-skill.ttl",
            remove=[Triple(k02, iri(SKOS + "notation"), Literal("K02"))],
            add=[Triple(k02, iri(SKOS + "notation"), Literal("K01"))])

    report = check_ontology(ontology_copy, None, reasoner=False)

    [finding] = report.by_check("vocab-duplicate-notation")
    assert finding.severity == "ERROR"
    assert finding.subject == VOCAB + "skill"
    assert "'K01'" in finding.message and VOCAB + "skill/K02" in finding.message


def test_orphan_concept_is_an_error(ontology_copy: Path) -> None:
    scheme, s16 = iri(VOCAB + "stage"), iri(VOCAB + "stage/S16")
    rewrite(ontology_copy / "vocab-stage.ttl",
            remove=[Triple(s16, iri(SKOS + "topConceptOf"), scheme), Triple(scheme, iri(SKOS + "hasTopConcept"), s16)])

    report = check_ontology(ontology_copy, None, reasoner=False)

    assert subjects_of(report, "vocab-orphan") == {s16.value}
    assert not report.passed


def test_narrower_technology_is_anchored_by_its_broader_family() -> None:
    report = check_ontology(ONTOLOGY, None, reasoner=False)

    assert VOCAB + "technology/T04.05" not in subjects_of(report, "vocab-orphan")


def test_label_naming_two_concepts_after_case_accent_and_space_folding_is_an_error(ontology_copy: Path) -> None:
    # S04 already has the French altLabel "procédés amont"; give the same words, unaccented, to S05.
    s05 = iri(VOCAB + "stage/S05")
    rewrite(ontology_copy / "vocab-stage.ttl", add=[Triple(s05, iri(SKOS + "altLabel"), en("PROCEDES  amont"))])

    report = check_ontology(ontology_copy, None, reasoner=False)

    [finding] = report.by_check("vocab-ambiguous-label")
    assert finding.subject == VOCAB + "stage"
    assert VOCAB + "stage/S04" in finding.message and VOCAB + "stage/S05" in finding.message


def test_same_label_in_two_different_schemes_is_not_ambiguous(ontology_copy: Path) -> None:
    # "need" names a mode; reusing it as an altLabel in the urgency scheme is a different question's answer.
    urgent = iri(VOCAB + "urgency/lt6m")
    rewrite(ontology_copy / "vocab-urgency.ttl", add=[Triple(urgent, iri(SKOS + "altLabel"), en("need"))])

    report = check_ontology(ontology_copy, None, reasoner=False)

    assert report.by_check("vocab-ambiguous-label") == []


def test_fold_label_ignores_case_accents_and_all_whitespace() -> None:
    assert fold_label("Procédés  Amont") == fold_label("procedes amont") == "procedesamont"
    assert fold_label("< 6 m") == fold_label("<6m")


def test_english_and_french_labels_are_not_multiple_labels_but_two_english_ones_are(ontology_copy: Path) -> None:
    actor = iri(BM + "Actor")
    rewrite(ontology_copy / "vcgraph.ttl", add=[Triple(actor, iri(RDFS + "label"), en("stakeholder"))])

    report = check_ontology(ontology_copy, None, reasoner=False)

    assert subjects_of(report, "robot:multiple_labels") == {actor.value}
    assert {f.severity for f in report.by_check("robot:multiple_labels")} == {"ERROR"}


def test_class_without_any_label_is_a_robot_missing_label_error(ontology_copy: Path) -> None:
    site = iri(BM + "Site")
    rewrite(ontology_copy / "vcgraph.ttl", remove=[Triple(site, iri(RDFS + "label"), en("site"))])
    rewrite(ontology_copy / "vcgraph.fr.ttl", remove=[Triple(site, iri(RDFS + "label"), fr("site"))])

    report = check_ontology(ontology_copy, None, reasoner=False)

    assert subjects_of(report, "robot:missing_label") == {site.value}


def test_term_without_french_label_in_the_translation_file_is_an_error(ontology_copy: Path) -> None:
    site = iri(BM + "Site")
    rewrite(ontology_copy / "vcgraph.fr.ttl", remove=[Triple(site, iri(RDFS + "label"), fr("site"))])

    report = check_ontology(ontology_copy, None, reasoner=False)

    assert not report.passed
    assert [(f.severity, f.subject, f.message) for f in report.by_check("ontology-translations")] == [
        ("ERROR", site.value,
         "has 0 rdfs:label in 'fr' in the translation files, needs exactly one (vcgraph.fr.ttl)")
    ]


def test_term_without_french_definition_in_the_translation_file_is_an_error(ontology_copy: Path) -> None:
    site = iri(BM + "Site")
    definition = fr("Lieu où un acteur exerce des activités liées à la bioproduction, rattaché à une région NUTS.")
    rewrite(ontology_copy / "vcgraph.fr.ttl", remove=[Triple(site, iri(SKOS + "definition"), definition)])

    report = check_ontology(ontology_copy, None, reasoner=False)

    assert [f.message for f in report.by_check("ontology-translations")] == [
        "has 0 skos:definition in 'fr' in the translation files, needs exactly one (vcgraph.fr.ttl)"
    ]


def test_missing_translation_file_leaves_every_term_without_french(ontology_copy: Path) -> None:
    (ontology_copy / "vcgraph.fr.ttl").unlink()

    report = check_ontology(ontology_copy, None, reasoner=False)

    assert iri(BM + "Actor").value in subjects_of(report, "ontology-translations")
    assert not report.passed


def test_french_label_back_in_the_main_file_is_an_error(ontology_copy: Path) -> None:
    actor = iri(BM + "Actor")
    rewrite(ontology_copy / "vcgraph.fr.ttl", remove=[Triple(actor, iri(RDFS + "label"), fr("acteur"))])
    rewrite(ontology_copy / "vcgraph.ttl", add=[Triple(actor, iri(RDFS + "label"), fr("acteur"))])

    report = check_ontology(ontology_copy, None, reasoner=False)

    assert [(f.subject, f.message) for f in report.by_check("ontology-translations")] == [
        (actor.value, "has 2 rdfs:label in vcgraph.ttl (1 in 'en'), needs exactly one, in 'en'"),
        (actor.value, "has 0 rdfs:label in 'fr' in the translation files, needs exactly one (vcgraph.fr.ttl)"),
    ]


def test_term_without_english_definition_in_the_main_file_is_an_error(ontology_copy: Path) -> None:
    site = iri(BM + "Site")
    main = ontology_copy / "vcgraph.ttl"
    [definition] = [quad.object for quad in parse(path=str(main), format=RdfFormat.TURTLE)
                    if quad.subject == site and quad.predicate == iri(SKOS + "definition")]
    assert isinstance(definition, Literal)
    rewrite(main, remove=[Triple(site, iri(SKOS + "definition"), definition)])

    report = check_ontology(ontology_copy, None, reasoner=False)

    assert [(f.subject, f.message) for f in report.by_check("ontology-translations")] == [
        (site.value, "has 0 skos:definition in vcgraph.ttl (0 in 'en'), needs exactly one, in 'en'")
    ]


def test_translation_file_annotating_a_term_not_declared_in_the_main_file_is_an_error(ontology_copy: Path) -> None:
    # A concept of a vocabulary file: declared in the folder, but not a term of vcgraph.ttl.
    s04 = iri(VOCAB + "stage/S04")
    rewrite(ontology_copy / "vcgraph.fr.ttl", add=[Triple(s04, iri(RDFS + "label"), fr("procédés amont"))])

    report = check_ontology(ontology_copy, None, reasoner=False)

    assert [(f.subject, f.message) for f in report.by_check("ontology-translations")] == [
        (s04.value, "rdfs:label in vcgraph.fr.ttl: a translation file annotates only terms declared in vcgraph.ttl")
    ]


def test_translation_file_text_in_another_language_is_an_error(ontology_copy: Path) -> None:
    actor = iri(BM + "Actor")
    rewrite(ontology_copy / "vcgraph.fr.ttl", add=[Triple(actor, iri(SKOS + "altLabel"), en("stakeholder"))])

    report = check_ontology(ontology_copy, None, reasoner=False)

    assert [(f.subject, f.message) for f in report.by_check("ontology-translations")] == [
        (actor.value, 'skos:altLabel in vcgraph.fr.ttl: "stakeholder"@en is not a \'fr\' text')
    ]


def test_axiom_in_a_translation_file_is_an_error(ontology_copy: Path) -> None:
    site = iri(BM + "Site")
    rewrite(ontology_copy / "vcgraph.fr.ttl", add=[Triple(site, iri(RDFS + "subClassOf"), iri(BM + "Actor"))])

    report = check_ontology(ontology_copy, None, reasoner=False)

    assert [(f.subject, f.message) for f in report.by_check("ontology-translations")] == [
        (site.value, "rdfs:subClassOf in vcgraph.fr.ttl: a translation file holds only labels and texts, "
                     "axioms go in vcgraph.ttl")
    ]


def test_bm_term_used_without_declaration_is_an_error(ontology_copy: Path) -> None:
    s01 = iri(VOCAB + "stage/S01")
    typo = Literal("1", datatype=iri("http://www.w3.org/2001/XMLSchema#integer"))
    rewrite(ontology_copy / "vocab-stage.ttl", add=[Triple(s01, iri(BM + "stageOrdre"), typo)])

    report = check_ontology(ontology_copy, None, reasoner=False)

    assert subjects_of(report, "undeclared-term") == {BM + "stageOrdre"}


def test_deprecated_term_without_replacement_is_a_warning(ontology_copy: Path) -> None:
    true = Literal("true", datatype=iri("http://www.w3.org/2001/XMLSchema#boolean"))
    rewrite(ontology_copy / "vcgraph.ttl", add=[Triple(iri(BM + "Cluster"), iri(OWL + "deprecated"), true)])

    report = check_ontology(ontology_copy, None, reasoner=False)

    assert [(f.severity, f.subject) for f in report.by_check("deprecated-without-replacement")] == [
        ("WARN", BM + "Cluster")
    ]


def test_missing_version_iri_is_a_header_error(ontology_copy: Path) -> None:
    ontology = iri("https://w3id.org/vcgraph/ontology")
    rewrite(ontology_copy / "vcgraph.ttl",
            remove=[Triple(ontology, iri(OWL + "versionIRI"), iri("https://w3id.org/vcgraph/ontology/0.1.0"))])

    report = check_ontology(ontology_copy, None, reasoner=False)

    assert [f.message for f in report.by_check("ontology-header")] == [
        "needs exactly one owl:versionIRI, an IRI other than the ontology's"
    ]


def test_catalog_entry_pointing_to_a_missing_file_is_an_error(ontology_copy: Path) -> None:
    (ontology_copy / "vocab-mode.ttl").rename(ontology_copy / "vocab-modes.ttl")

    report = check_ontology(ontology_copy, None, reasoner=False)

    assert [(f.severity, f.subject) for f in report.by_check("catalog")] == [("ERROR", VOCAB + "mode")]


def test_import_without_a_catalog_entry_is_an_error(ontology_copy: Path) -> None:
    ontology = iri("https://w3id.org/vcgraph/ontology")
    org = iri("http://www.w3.org/ns/org")
    rewrite(ontology_copy / "vcgraph.ttl", add=[Triple(ontology, iri(OWL + "imports"), org)])

    report = check_ontology(ontology_copy, None, reasoner=False)

    [finding] = report.by_check("catalog")
    assert (finding.severity, finding.subject) == ("ERROR", org.value)
    assert "Protégé would fetch it" in finding.message


def test_unknown_class_in_a_shape_is_an_error(ontology_copy: Path, tmp_path: Path) -> None:
    shapes = tmp_path / "shapes"
    shapes.mkdir()
    (shapes / "typo.ttl").write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n"
        "@prefix bm: <https://w3id.org/vcgraph/ontology#> .\n"
        "<urn:shape:actor> a sh:NodeShape ; sh:targetClass bm:Actr ;\n"
        "    sh:property [ sh:path bm:actor ; sh:class bm:Actor ] .\n",
        encoding="utf-8",
    )

    report = check_ontology(ontology_copy, shapes, reasoner=False)

    [finding] = report.by_check("shape-unknown-class")
    assert (finding.severity, finding.subject) == ("ERROR", BM + "Actr")
    assert "typo.ttl" in finding.message
    assert report.by_check("shape-unknown-term") == []


def test_shape_classes_of_reused_vocabularies_are_accepted(ontology_copy: Path, tmp_path: Path) -> None:
    shapes = tmp_path / "shapes"
    shapes.mkdir()
    (shapes / "dcat.ttl").write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n"
        "<urn:shape:dataset> a sh:NodeShape ; sh:targetClass <http://www.w3.org/ns/dcat#Dataset> ;\n"
        "    sh:property [ sh:path <http://purl.org/dc/terms/publisher> ;\n"
        "                  sh:class <http://xmlns.com/foaf/0.1/Agent> ] .\n",
        encoding="utf-8",
    )

    report = check_ontology(ontology_copy, shapes, reasoner=False)

    assert report.by_check("shape-unknown-class") == []


def test_undeclared_bm_property_in_a_shape_is_an_error(ontology_copy: Path, tmp_path: Path) -> None:
    shapes = tmp_path / "shapes"
    shapes.mkdir()
    (shapes / "paths.ttl").write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n"
        "@prefix bm: <https://w3id.org/vcgraph/ontology#> .\n"
        "<urn:shape:need> a sh:NodeShape ; sh:targetClass bm:Need ;\n"
        "    sh:property [ sh:path bm:minTRL ; sh:maxCount 1 ] .\n",
        encoding="utf-8",
    )

    report = check_ontology(ontology_copy, shapes, reasoner=False)

    assert subjects_of(report, "shape-unknown-term") == {BM + "minTRL"}


def test_syntax_error_is_reported_with_file_and_position(ontology_copy: Path) -> None:
    broken = ontology_copy / "vocab-size.ttl"
    text = broken.read_text(encoding="utf-8").rstrip("\n") + "\n"
    broken.write_text(text + 'vocab:size skos:note "unterminated .\n', encoding="utf-8")
    bad_line = text.count("\n") + 1

    report = check_ontology(ontology_copy, None, reasoner=False)

    [finding] = report.findings
    assert (finding.check, finding.severity) == ("parse", "ERROR")
    assert finding.subject.endswith("vocab-size.ttl")
    assert f"line {bad_line} column 22" in finding.message


def test_missing_ontology_folder_is_a_finding_not_an_exception(tmp_path: Path) -> None:
    report = check_ontology(tmp_path / "nowhere", None)

    assert not report.passed
    assert [f.check for f in report.errors] == ["parse"]


@needs_java
def test_hermit_reports_an_unsatisfiable_class(ontology_copy: Path) -> None:
    # Actor and Site are disjoint: a class below both can have no member.
    hybrid = iri(BM + "ActorSite")
    rewrite(ontology_copy / "vcgraph.ttl", add=[
        Triple(hybrid, iri(RDF + "type"), iri(OWL + "Class")),
        Triple(hybrid, iri(RDFS + "subClassOf"), iri(BM + "Actor")),
        Triple(hybrid, iri(RDFS + "subClassOf"), iri(BM + "Site")),
        Triple(hybrid, iri(RDFS + "label"), en("actor site")),
    ])

    report = check_ontology(ontology_copy, None, reasoner=True)

    assert subjects_of(report, "reasoner") == {hybrid.value}


@needs_java
def test_hermit_reports_a_vocabulary_that_contradicts_the_ontology(ontology_copy: Path) -> None:
    # A concept typed as an actor violates "bm:Actor disjoint with skos:Concept".
    s01 = iri(VOCAB + "stage/S01")
    rewrite(ontology_copy / "vocab-stage.ttl", add=[Triple(s01, iri(RDF + "type"), iri(BM + "Actor"))])

    report = check_ontology(ontology_copy, None, reasoner=True)

    assert [f.message for f in report.by_check("reasoner")] == ["the ontology with its vocabularies is inconsistent"]


def test_report_text_ends_with_a_verdict(ontology_copy: Path) -> None:
    s04 = iri(VOCAB + "stage/S04")
    rewrite(ontology_copy / "vocab-stage.ttl",
            remove=[Triple(s04, iri(SKOS + "prefLabel"), fr("Procédés amont (USP)"))])

    text = str(check_ontology(ontology_copy, None, reasoner=False))

    assert text.splitlines()[-1].startswith("FAILED: 1 error(s), 0 warning(s)")
    assert f"ERROR vocab-labels  {s04.value}: no skos:prefLabel in 'fr'" in text
