"""ontology/ keeps the contract of docs/model.md: every term and scheme it names, with the data queries rely on."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from pyoxigraph import Literal, NamedNode, QuerySolutions, RdfFormat, Store, parse

from vcgraph.namespaces import BM, OWL, RDF, RDFS, SKOS, VOCAB

ROOT = Path(__file__).resolve().parents[2]
ONTOLOGY = ROOT / "ontology"
MODEL = ROOT / "docs" / "model.md"
XSD_INTEGER = NamedNode("http://www.w3.org/2001/XMLSchema#integer")
SCHEMES = ("stage", "technology", "product-class", "actor-type", "sector", "trl", "gmp-status", "mode", "size",
           "visibility", "urgency", "skill")


@pytest.fixture(scope="module")
def store() -> Store:
    """Every ontology/*.ttl in one store, parsed by pyoxigraph as the server's loader does."""
    loaded = Store()
    for file in sorted(ONTOLOGY.glob("*.ttl")):
        loaded.extend(parse(path=str(file), format=RdfFormat.TURTLE))
    return loaded


def values(store: Store, query: str) -> list[str]:
    prefixes = f"PREFIX bm: <{BM}> PREFIX skos: <{SKOS}> PREFIX owl: <{OWL}> PREFIX rdfs: <{RDFS}> PREFIX rdf: <{RDF}> "
    return sorted(str(row[0].value) for row in store.query(prefixes + query))  # type: ignore[union-attr]


def notations(store: Store, scheme: str, top_only: bool = False) -> list[str]:
    anchor = "skos:topConceptOf" if top_only else "skos:inScheme"
    return values(store, f"SELECT ?n WHERE {{ ?c {anchor} <{VOCAB}{scheme}> ; skos:notation ?n }}")


def test_every_ontology_file_parses_with_pyoxigraph() -> None:
    for file in sorted(ONTOLOGY.glob("*.ttl")):
        assert list(parse(path=str(file), format=RdfFormat.TURTLE)), file.name


def test_every_bm_term_of_the_model_is_declared_with_english_and_french_label_and_definition(store: Store) -> None:
    terms = set(re.findall(r"\bbm:([A-Za-z]+)", MODEL.read_text(encoding="utf-8")))
    assert {"Actor", "Need", "stageOrder", "relevantStage", "nutsLevel", "consentContact"} <= terms
    for term in sorted(terms):
        subject = f"<{BM}{term}>"
        kinds = values(store, f"SELECT ?k WHERE {{ {subject} a ?k }}")
        assert set(kinds) & {OWL + "Class", OWL + "ObjectProperty", OWL + "DatatypeProperty"}, term
        for predicate in ("rdfs:label", "skos:definition"):
            languages = values(store, f"SELECT (LANG(?v) AS ?l) WHERE {{ {subject} {predicate} ?v }}")
            assert languages == ["en", "fr"], (term, predicate)


def test_ontology_header_has_the_release_iris_and_licence(store: Store) -> None:
    ontology = "<https://w3id.org/vcgraph/ontology>"
    assert values(store, f"SELECT ?v WHERE {{ {ontology} owl:versionIRI ?v }}") == [
        "https://w3id.org/vcgraph/ontology/0.1.0"
    ]
    assert values(store, f"SELECT ?v WHERE {{ {ontology} owl:versionInfo ?v }}") == ["0.1.0"]
    assert values(store, f"SELECT ?v WHERE {{ {ontology} <http://purl.org/dc/terms/license> ?v }}") == [
        "https://creativecommons.org/licenses/by/4.0/"
    ]
    assert values(store, "SELECT ?i WHERE { ?o owl:imports ?i }") == []


def test_class_hierarchy_follows_the_model(store: Store) -> None:
    expected = {
        "Actor": "http://www.w3.org/ns/org#Organization",
        "Site": "http://www.w3.org/ns/org#Site",
        "Cluster": "http://www.w3.org/ns/org#Organization",
        "SurveyWave": "http://www.w3.org/ns/prov#Activity",
        "SurveyResponse": "http://www.w3.org/ns/prov#Entity",
        "Statement": "http://www.w3.org/ns/prov#Entity",
        "CapabilityStatement": BM + "Statement",
        "Need": BM + "CapabilityStatement",
        "SkillStatement": BM + "Statement",
    }
    for cls, parent in expected.items():
        assert values(store, f"SELECT ?p WHERE {{ <{BM}{cls}> rdfs:subClassOf ?p }}") == [parent], cls


def test_reused_classes_in_axioms_are_declared_so_the_ontology_stays_owl2_dl(store: Store) -> None:
    used = values(store, """SELECT DISTINCT ?c WHERE {
        { ?x rdfs:subClassOf|owl:disjointWith|rdfs:domain|rdfs:range ?c }
        FILTER(isIRI(?c) && !STRSTARTS(STR(?c), "http://www.w3.org/2001/XMLSchema#"))
        FILTER NOT EXISTS { ?c a owl:Class } }""")
    assert used == []


def test_each_scheme_of_the_model_exists_with_its_notations(store: Store) -> None:
    for scheme in SCHEMES:
        assert values(store, f"SELECT ?t WHERE {{ <{VOCAB}{scheme}> a ?t }}") == [SKOS + "ConceptScheme"], scheme
    assert notations(store, "stage") == [f"S{i:02d}" for i in range(1, 17)]
    assert notations(store, "technology", top_only=True) == [f"T{i:02d}" for i in range(1, 21)]
    assert notations(store, "product-class") == [f"P{i:02d}" for i in range(1, 13)]
    assert notations(store, "actor-type") == [f"A{i:02d}" for i in range(1, 18)]
    assert notations(store, "skill") == [f"K{i:02d}" for i in range(1, 16)]
    assert notations(store, "sector") == ["biopharma", "engineering", "ict", "supply-chain"]
    assert notations(store, "trl") == [str(i) for i in range(1, 10)]
    assert notations(store, "gmp-status") == ["gmp-certified", "gmp-ready", "non-gmp", "not-applicable"]
    assert notations(store, "mode") == sorted(
        ["offer", "in-house", "plan", "need", "develop", "routine", "pilot", "interested", "shortage", "training"]
    )
    assert notations(store, "size") == ["large", "medium", "micro", "small"]
    assert notations(store, "visibility") == ["anonymous", "members", "public"]
    assert notations(store, "urgency") == ["6-24m", "<6m", ">24m"]


def test_concept_iris_are_scheme_slash_notation_except_urgency(store: Store) -> None:
    rows = store.query(f"PREFIX skos: <{SKOS}> SELECT ?c ?s ?n WHERE {{ ?c skos:inScheme ?s ; skos:notation ?n }}")
    assert isinstance(rows, QuerySolutions)
    for concept, scheme, notation in rows:
        if scheme.value != VOCAB + "urgency":
            assert concept.value == f"{scheme.value}/{notation.value}"
    assert values(store, f"SELECT ?c WHERE {{ ?c skos:inScheme <{VOCAB}urgency> }}") == [
        f"{VOCAB}urgency/6-24m", f"{VOCAB}urgency/gt24m", f"{VOCAB}urgency/lt6m"
    ]


def test_stages_are_ordered_one_to_sixteen_and_only_s13_s14_cut_across(store: Store) -> None:
    order = values(store, f"SELECT ?o WHERE {{ ?s skos:inScheme <{VOCAB}stage> ; bm:stageOrder ?o }}")
    assert sorted(int(o) for o in order) == list(range(1, 17))
    assert values(store, "SELECT ?s WHERE { ?s bm:isCrossCutting true }") == [f"{VOCAB}stage/S13", f"{VOCAB}stage/S14"]
    s04 = store.quads_for_pattern(NamedNode(f"{VOCAB}stage/S04"), NamedNode(BM + "stageOrder"), None)
    assert [q.object for q in s04] == [Literal("4", datatype=XSD_INTEGER)]


def test_every_technology_family_has_narrower_technologies_sectors_and_main_stages(store: Store) -> None:
    for family in range(1, 21):
        iri = f"<{VOCAB}technology/T{family:02d}>"
        children = values(store, f"SELECT ?n WHERE {{ ?c skos:broader {iri} ; skos:notation ?n }}")
        assert len(children) >= 2 and all(n.startswith(f"T{family:02d}.") for n in children), family
        sectors = values(store, f"SELECT ?s WHERE {{ {iri} bm:typicalSector ?s }}")
        assert sectors and all(s.startswith(VOCAB + "sector/") for s in sectors), family
        stages = values(store, f"SELECT ?s WHERE {{ {iri} bm:mainStage ?s }}")
        assert stages and all(s.startswith(VOCAB + "stage/") for s in stages), family


def test_technology_family_table_examples_from_the_brief(store: Store) -> None:
    def stages_of(family: str) -> list[str]:
        rows = values(store, f"SELECT ?n WHERE {{ <{VOCAB}technology/{family}> bm:mainStage/skos:notation ?n }}")
        return rows

    assert stages_of("T02") == ["S03", "S04", "S05"]
    assert stages_of("T08") == ["S04", "S05", "S06", "S07", "S12"]
    assert stages_of("T11") == ["S13", "S14"]
    assert values(store, f"SELECT ?n WHERE {{ <{VOCAB}technology/T14> bm:typicalSector/skos:notation ?n }}") == [
        "ict", "supply-chain"
    ]


def relevant(store: Store, product: str) -> set[str]:
    query = f"SELECT ?n WHERE {{ <{VOCAB}product-class/{product}> bm:relevantStage/skos:notation ?n }}"
    return set(values(store, query))


def test_cross_cutting_and_end_of_life_stages_are_relevant_to_every_product_class(store: Store) -> None:
    for product in range(1, 13):
        assert {"S13", "S14", "S16"} <= relevant(store, f"P{product:02d}")


def test_patient_interface_is_relevant_only_to_cell_based_product_classes(store: Store) -> None:
    with_s15 = {f"P{p:02d}" for p in range(1, 13) if "S15" in relevant(store, f"P{p:02d}")}
    assert with_s15 == {"P08", "P09", "P10"}


def test_autologous_cell_therapy_has_no_cell_line_or_purification_stage(store: Store) -> None:
    car_t = relevant(store, "P08")
    assert "S02" not in car_t and "S05" not in car_t
    assert {"S04", "S06", "S07", "S10", "S12", "S15"} <= car_t


def test_mrna_chain_includes_formulation_and_decentralised_manufacturing(store: Store) -> None:
    assert {"S01", "S04", "S05", "S06", "S07", "S11", "S12"} <= relevant(store, "P05")
    assert "S12" not in relevant(store, "P01")


def test_biosimilars_are_related_to_antibodies_and_proteins_not_narrower(store: Store) -> None:
    p03 = f"<{VOCAB}product-class/P03>"
    assert values(store, f"SELECT ?r WHERE {{ {p03} skos:related ?r }}") == [
        f"{VOCAB}product-class/P01", f"{VOCAB}product-class/P04"
    ]
    assert values(store, f"SELECT ?b WHERE {{ {p03} skos:broader ?b }}") == []


def test_actor_types_follow_the_brief_order_with_nace_close_matches(store: Store) -> None:
    def label(code: str) -> str:
        rows = values(store, f"""SELECT ?l WHERE {{ <{VOCAB}actor-type/{code}> skos:prefLabel ?l
                                 FILTER(LANG(?l) = "en") }}""")
        return rows[0]

    assert label("A01") == "Large pharma / biopharma"
    assert label("A03") == "CDMO / CMO"
    assert label("A17") == "Training provider"
    matches = values(store, f"SELECT ?m WHERE {{ <{VOCAB}actor-type/A03> skos:closeMatch ?m }}")
    assert matches == ["http://data.europa.eu/ux2/nace2/2120", "http://data.europa.eu/ux2/nace2/7211"]
    unmatched = values(store, f"""SELECT ?c WHERE {{ ?c skos:inScheme <{VOCAB}actor-type>
                                  FILTER NOT EXISTS {{ ?c skos:closeMatch ?m }} }}""")
    assert unmatched == []


def test_usual_synonyms_are_alt_labels(store: Store) -> None:
    def alt_labels(concept: str) -> set[str]:
        return set(values(store, f"SELECT ?l WHERE {{ <{VOCAB}{concept}> skos:altLabel ?l }}"))

    assert {"USP", "amont"} <= alt_labels("stage/S04")
    assert {"DSP", "purification"} <= alt_labels("stage/S05")
    assert {"CDMO", "CMO", "façonnier"} <= alt_labels("actor-type/A03")


def test_trl_concepts_carry_their_integer_value(store: Store) -> None:
    for level in range(1, 10):
        quads = store.quads_for_pattern(NamedNode(f"{VOCAB}trl/{level}"), NamedNode(RDF + "value"), None)
        assert [q.object for q in quads] == [Literal(str(level), datatype=XSD_INTEGER)]
    assert values(store, f"""SELECT ?l WHERE {{ <{VOCAB}trl/4> skos:prefLabel ?l FILTER(LANG(?l) = "en") }}""") == [
        "technology validated in lab"
    ]


def test_catalog_resolves_the_ontology_iris_to_local_files() -> None:
    catalog = ET.parse(ONTOLOGY / "catalog-v001.xml").getroot()
    entries = {el.get("name"): el.get("uri") for el in catalog.iter("{urn:oasis:names:tc:entity:xmlns:xml:catalog}uri")}
    assert entries["https://w3id.org/vcgraph/ontology"] == "vcgraph.ttl"
    assert entries["https://w3id.org/vcgraph/ontology/0.1.0"] == "vcgraph.ttl"
    for scheme in SCHEMES:
        assert entries[f"{VOCAB}{scheme}"] == f"vocab-{scheme}.ttl"
    for local in entries.values():
        assert local is not None and (ONTOLOGY / local).is_file()
