"""Survey records -> the triples of a wave graph and its restricted graph, exactly as docs/model.md says."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pyoxigraph import BlankNode, Literal, NamedNode, Triple

from vcgraph.namespaces import BM, DCTERMS, ORG, PROV, RDF, RDFS, SCHEMA, XSD, Minter, nuts, vocab
from vcgraph.rdf.mapping import WaveTriples, map_records
from vcgraph.reference.nuts import NUTS_CSV, NutsIndex
from vcgraph.survey.reader import SurveyTable
from vcgraph.survey.template import SurveyRecord, parse_table
from vcgraph.vocabulary import Vocabularies

ROOT = Path(__file__).resolve().parents[2]
VOCABULARIES = Vocabularies.load(ROOT / "tests" / "fixtures" / "survey" / "ontology")
NUTS = NutsIndex.load(ROOT / "data" / NUTS_CSV)
BASE_IRI = "https://w3id.org/vcgraph/"
MINTER = Minter(BASE_IRI)
WAVE = "2026-W1"
BASE = {
    "response_id": "R-001",
    "submitted": "2026-03-02",
    "organisation": "Bioprocess Liège SA",
    "organisation_id": "BE0123456789",
    "website": "https://bioprocess.example.be/",
    "country": "BE",
    "nuts": "BE332",
    "actor_type": "A03",
    "sectors": "biopharma",
}
ACTOR = NamedNode(BASE_IRI + "id/actor/id-be0123456789")
RESPONSE = NamedNode(BASE_IRI + "id/wave/2026-W1/response/R-001")
WAVE_IRI = NamedNode(BASE_IRI + "id/wave/2026-W1")
# Characters RFC 3987 forbids in an IRI, plus spaces: a minted IRI never holds any of them.
IRI_FORBIDDEN = re.compile(r"[\x00-\x20<>\"{}|^`\\]")


def P(iri: str) -> NamedNode:
    return NamedNode(iri)


def records(*rows: dict[str, str]) -> list[SurveyRecord]:
    full = [{**BASE, **row} for row in rows]
    columns = list(dict.fromkeys(c for row in full for c in row))
    table = SurveyTable(columns, [(i + 2, {c: row.get(c, "") for c in columns}) for i, row in enumerate(full)])
    result = parse_table(table, VOCABULARIES, NUTS)
    assert result.errors == [], [str(e) for e in result.errors]
    return result.records


def mapped(**cells: str) -> WaveTriples:
    return map_records(records(cells), WAVE, MINTER)


def about(triples: list[Triple], subject: NamedNode) -> set[tuple[NamedNode, object]]:
    return {(t.predicate, t.object) for t in triples if t.subject == subject}


def integer(value: int) -> Literal:
    return Literal(str(value), datatype=P(XSD + "integer"))


def test_an_actor_is_described_in_the_wave_graph() -> None:
    public = mapped(size="small", gmp_status="gmp-certified", product_classes="P01", consent_contact="yes").public
    assert about(public, ACTOR) == {
        (P(RDF + "type"), P(BM + "Actor")),
        (P(RDFS + "label"), Literal("Bioprocess Liège SA")),
        (P(DCTERMS + "identifier"), Literal("BE0123456789")),
        (P(SCHEMA + "url"), P("https://bioprocess.example.be/")),
        (P(SCHEMA + "addressCountry"), Literal("BE")),
        (P(ORG + "classification"), vocab("actor-type", "A03")),
        (P(BM + "sizeClass"), vocab("size", "small")),
        (P(BM + "sector"), vocab("sector", "biopharma")),
        (P(BM + "productClass"), vocab("product-class", "P01")),
        (P(BM + "gmpStatus"), vocab("gmp-status", "gmp-certified")),
        (P(BM + "visibility"), vocab("visibility", "public")),
        (P(BM + "consentContact"), Literal("true", datatype=P(XSD + "boolean"))),
        (P(ORG + "hasSite"), P(ACTOR.value + "/site/BE332")),
    }


def test_the_site_lies_in_its_nuts_region() -> None:
    public = mapped().public
    assert about(public, P(ACTOR.value + "/site/BE332")) == {
        (P(RDF + "type"), P(BM + "Site")),
        (P(BM + "inRegion"), nuts("BE332")),
    }


def test_a_cluster_is_written_once_with_its_first_spelling() -> None:
    rows = records({"clusters": "BioWin"}, {"response_id": "R-2", "organisation_id": "FR1", "clusters": "biowin"})
    public = map_records(rows, WAVE, MINTER).public
    cluster = P(BASE_IRI + "id/cluster/biowin")
    assert about(public, cluster) == {(P(RDF + "type"), P(BM + "Cluster")), (P(RDFS + "label"), Literal("BioWin"))}
    assert sum(1 for t in public if t.predicate == P(ORG + "memberOf")) == 2


def test_the_wave_spans_its_first_and_last_submission() -> None:
    rows = records(
        {"submitted": "2026-03-05"}, {"response_id": "R-2", "organisation_id": "FR1", "submitted": "2026-03-01"}
    )
    public = map_records(rows, WAVE, MINTER).public
    date_time = P(XSD + "dateTime")
    assert about(public, WAVE_IRI) == {
        (P(RDF + "type"), P(BM + "SurveyWave")),
        (P(DCTERMS + "identifier"), Literal(WAVE)),
        (P(RDFS + "label"), Literal("Survey wave 2026-W1")),
        (P(PROV + "startedAtTime"), Literal("2026-03-01T00:00:00", datatype=date_time)),
        (P(PROV + "endedAtTime"), Literal("2026-03-05T00:00:00", datatype=date_time)),
    }


def test_a_response_is_generated_by_the_wave_and_attributed_to_the_actor() -> None:
    assert about(mapped().public, RESPONSE) == {
        (P(RDF + "type"), P(BM + "SurveyResponse")),
        (P(DCTERMS + "identifier"), Literal("R-001")),
        (P(PROV + "generatedAtTime"), Literal("2026-03-02T00:00:00", datatype=P(XSD + "dateTime"))),
        (P(PROV + "wasGeneratedBy"), WAVE_IRI),
        (P(PROV + "wasAttributedTo"), ACTOR),
    }


def provenance() -> set[tuple[NamedNode, object]]:
    return {(P(BM + "actor"), ACTOR), (P(PROV + "wasGeneratedBy"), WAVE_IRI), (P(PROV + "wasDerivedFrom"), RESPONSE)}


def test_a_stage_position_is_a_capability_statement_with_provenance() -> None:
    statement = P(RESPONSE.value + "/stage/S04")
    assert about(mapped(stage_S04="offer").public, statement) == provenance() | {
        (P(RDF + "type"), P(BM + "CapabilityStatement")),
        (P(BM + "stage"), vocab("stage", "S04")),
        (P(BM + "mode"), vocab("mode", "offer")),
    }


def test_a_technology_relation_carries_its_trl() -> None:
    statement = P(RESPONSE.value + "/technology/T05")
    assert about(mapped(tech_T05="develop", trl_T05="6").public, statement) == provenance() | {
        (P(RDF + "type"), P(BM + "CapabilityStatement")),
        (P(BM + "technology"), vocab("technology", "T05")),
        (P(BM + "mode"), vocab("mode", "develop")),
        (P(BM + "trl"), integer(6)),
    }


def test_a_need_is_a_statement_of_mode_need_with_its_details() -> None:
    public = mapped(
        need1_stage="S05",
        need1_technology="T04.02",
        need1_product_class="P07",
        need1_min_trl="7",
        need1_urgency="<6m",
        need1_text="free text",
    ).public
    assert about(public, P(RESPONSE.value + "/need/1")) == provenance() | {
        (P(RDF + "type"), P(BM + "Need")),
        (P(BM + "mode"), vocab("mode", "need")),
        (P(BM + "stage"), vocab("stage", "S05")),
        (P(BM + "technology"), vocab("technology", "T04.02")),
        (P(BM + "productClass"), vocab("product-class", "P07")),
        (P(BM + "minTrl"), integer(7)),
        (P(BM + "urgency"), P(BASE_IRI + "vocab/urgency/lt6m")),
        (P(RDFS + "comment"), Literal("free text")),
    }


@pytest.mark.parametrize(("column", "mode"), [("skills_shortage", "shortage"), ("training_offered", "training")])
def test_a_skill_is_a_skill_statement_of_its_mode(column: str, mode: str) -> None:
    statement = P(f"{RESPONSE.value}/skill/{mode}/K03")
    assert about(mapped(**{column: "K03"}).public, statement) == provenance() | {
        (P(RDF + "type"), P(BM + "SkillStatement")),
        (P(BM + "skill"), vocab("skill", "K03")),
        (P(BM + "mode"), vocab("mode", mode)),
    }


def test_a_contact_email_is_written_to_the_restricted_graph_only() -> None:
    graphs = mapped(contact_email="anne@example.org")
    assert graphs.restricted == [Triple(ACTOR, P(SCHEMA + "email"), Literal("anne@example.org"))]
    assert not any("anne@example.org" in str(t) for t in graphs.public)


def test_an_anonymous_actor_is_never_named_in_the_public_graph() -> None:
    graphs = mapped(visibility="anonymous", contact_email="ceo@stealth.example.org")
    (actor,) = {t.subject for t in graphs.public if t.object == P(BM + "Actor")}
    assert re.fullmatch(BASE_IRI + r"id/actor/anon-[0-9a-f]{16}", actor.value)
    public_text = " ".join(str(t) for t in graphs.public)
    for secret in ("Bioprocess", "Liège", "BE0123456789", "bioprocess.example.be", "be0123456789"):
        assert secret not in public_text


def test_an_anonymous_actors_name_identifier_and_website_go_to_the_restricted_graph() -> None:
    graphs = mapped(visibility="anonymous")
    (actor,) = {t.subject for t in graphs.restricted}
    assert about(graphs.restricted, actor) == {
        (P(RDFS + "label"), Literal("Bioprocess Liège SA")),
        (P(DCTERMS + "identifier"), Literal("BE0123456789")),
        (P(SCHEMA + "url"), P("https://bioprocess.example.be/")),
    }


@pytest.mark.parametrize(
    ("column", "question", "scheme"),
    [
        ("sectors_other", "sectors", vocab("sector")),
        ("product_classes_other", "product_classes", vocab("product-class")),
        ("actor_type_other", "actor_type", vocab("actor-type")),
        ("clusters_other", "clusters", P(BM + "Cluster")),
    ],
)
def test_other_text_becomes_a_statement_naming_its_question(column: str, question: str, scheme: NamedNode) -> None:
    graphs = mapped(**{column: "Veterinary vaccines"})
    assert about(graphs.public, P(f"{RESPONSE.value}/other/{question}")) == {
        (P(RDF + "type"), P(BM + "Statement")),
        (P(BM + "actor"), ACTOR),
        (P(DCTERMS + "subject"), scheme),
        (P(BM + "otherAnswer"), Literal("Veterinary vaccines")),
        (P(PROV + "wasGeneratedBy"), WAVE_IRI),
        (P(PROV + "wasDerivedFrom"), RESPONSE),
    }


@pytest.mark.parametrize(
    ("column", "mode"), [("skills_shortage_other", "shortage"), ("training_offered_other", "training")]
)
def test_other_skill_text_carries_the_mode_of_its_question(column: str, mode: str) -> None:
    graphs = mapped(**{column: "Aseptic robotics"})
    facts = about(graphs.public, P(f"{RESPONSE.value}/other/{column.removesuffix('_other')}"))
    assert {(P(DCTERMS + "subject"), vocab("skill")), (P(BM + "mode"), vocab("mode", mode))} <= facts


def test_other_text_is_kept_as_a_plain_string_exactly_as_cleaned() -> None:
    graphs = mapped(sectors_other="Animal health;  cosmetics")
    (text,) = [t.object for t in graphs.public if t.predicate == P(BM + "otherAnswer")]
    assert isinstance(text, Literal)
    assert text == Literal("Animal health; cosmetics") and text.datatype == P(XSD + "string")


def test_the_other_text_of_an_anonymous_actor_goes_to_the_restricted_graph_only() -> None:
    graphs = mapped(visibility="anonymous", sectors_other="Our Stealth-Vax platform")
    assert not any("Stealth-Vax" in str(t) or t.predicate == P(BM + "otherAnswer") for t in graphs.public)
    (statement,) = {t.subject for t in graphs.restricted if t.predicate == P(BM + "otherAnswer")}
    assert statement == P(f"{RESPONSE.value}/other/sectors")
    assert (P(RDF + "type"), P(BM + "Statement")) in about(graphs.restricted, P(f"{RESPONSE.value}/other/sectors"))


def test_a_merged_record_is_written_under_the_surviving_actor_and_its_site() -> None:
    table = SurveyTable(list(BASE), [(2, dict(BASE))])
    (record,) = parse_table(table, VOCABULARIES, NUTS, merges={"id-be0123456789": "universite-de-liege-be"}).records
    public = map_records([record], WAVE, MINTER).public
    survivor = P(BASE_IRI + "id/actor/universite-de-liege-be")
    assert (P(RDF + "type"), P(BM + "Actor")) in about(public, survivor)
    assert (P(ORG + "hasSite"), P(survivor.value + "/site/BE332")) in about(public, survivor)
    assert not any(ACTOR in (t.subject, t.object) for t in public)


def test_the_same_records_always_give_the_same_triples() -> None:
    cells = {"stage_S01": "offer", "tech_T01": "pilot", "clusters": "B; A", "skills_shortage": "K01"}
    assert mapped(**cells) == mapped(**cells)


def test_no_blank_node_is_ever_written() -> None:
    graphs = mapped(stage_S01="offer", need1_stage="S01", clusters="X", contact_email="a@b.example")
    terms = [term for t in graphs.public + graphs.restricted for term in (t.subject, t.object)]
    assert not any(isinstance(term, BlankNode) for term in terms)


def test_the_same_organisation_id_gives_the_same_actor_in_every_wave() -> None:
    first = map_records(records({}), "2025-W1", MINTER).public
    second = map_records(records({"organisation": "Renamed SA"}), "2026-W1", MINTER).public
    assert about(first, ACTOR) and about(second, ACTOR)


HOSTILE = [
    "Quote \"Bio\" 'Tech'",
    "spaces   and\ttabs",
    "angle <brackets> {braces} |pipe| ^caret^ `tick` back\\slash",
    "emoji 🧬 biotech 🚀",
    "!!!",
    "生物技术",
    "x" * 200,
]


@pytest.mark.parametrize("name", HOSTILE)
def test_a_hostile_organisation_name_mints_a_valid_iri(name: str) -> None:
    rows = records({"organisation": name, "organisation_id": "", "clusters": name, "response_id": name[:150]})
    iris = {
        term.value
        for t in map_records(rows, WAVE, MINTER).public
        for term in (t.subject, t.object)
        if isinstance(term, NamedNode)
    }
    assert iris and not any(IRI_FORBIDDEN.search(iri) for iri in iris)


def test_a_name_with_nothing_left_after_slugging_gets_a_hashed_key() -> None:
    (record,) = records({"organisation": "!!!", "organisation_id": ""})
    assert re.fullmatch(r"x[0-9a-f]{12}-be", record.actor_key)


def test_two_names_with_nothing_left_after_slugging_get_different_keys() -> None:
    first, second = records(
        {"organisation": "!!!", "organisation_id": ""},
        {"organisation": "???", "organisation_id": "", "response_id": "R-2"},
    )
    assert first.actor_key != second.actor_key


def test_a_response_id_is_percent_encoded_in_its_iri() -> None:
    (record,) = records({"response_id": "R 1/<a>"})
    public = map_records([record], WAVE, MINTER).public
    assert P(BASE_IRI + "id/wave/2026-W1/response/R%201%2F%3Ca%3E") in {t.subject for t in public}
