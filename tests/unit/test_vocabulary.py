"""Vocabularies: from what a respondent typed to a SKOS concept, and hints when nothing matches."""

from __future__ import annotations

from pathlib import Path

import pytest
from pyoxigraph import Literal, NamedNode, Triple

from vcgraph.namespaces import SKOS, vocab
from vcgraph.vocabulary import SCHEMES, Vocabularies, VocabularyError, normalise

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "survey" / "ontology"
ONTOLOGY = Path(__file__).resolve().parents[2] / "ontology"


@pytest.fixture(scope="module")
def vocabularies() -> Vocabularies:
    return Vocabularies.load(FIXTURE)


def test_every_scheme_the_template_needs_is_loaded(vocabularies: Vocabularies) -> None:
    assert set(SCHEMES) <= set(vocabularies.schemes)


def test_normalise_drops_accents_case_and_extra_spaces() -> None:
    assert normalise("  Procédés   AVAL / Purification ") == "procedes aval / purification"


def test_a_notation_matches_its_concept(vocabularies: Vocabularies) -> None:
    assert vocabularies.match("stage", "S07") == vocab("stage", "S07")


def test_a_notation_matches_in_lower_case(vocabularies: Vocabularies) -> None:
    assert vocabularies.match("stage", "s07") == vocab("stage", "S07")


def test_an_english_pref_label_matches(vocabularies: Vocabularies) -> None:
    assert vocabularies.match("stage", "fill & FINISH") == vocab("stage", "S07")


def test_a_french_pref_label_matches_without_accents(vocabularies: Vocabularies) -> None:
    assert vocabularies.match("stage", "procedes aval / purification") == vocab("stage", "S05")


def test_an_alt_label_matches(vocabularies: Vocabularies) -> None:
    assert vocabularies.match("stage", "dsp") == vocab("stage", "S05")


def test_spaces_inside_a_value_do_not_matter(vocabularies: Vocabularies) -> None:
    assert vocabularies.match("urgency", "< 6 m") == NamedNode("https://w3id.org/vcgraph/vocab/urgency/lt6m")


def test_a_narrower_technology_matches_by_its_dotted_notation(vocabularies: Vocabularies) -> None:
    assert vocabularies.match("technology", "T04.02") == vocab("technology", "T04.02")


def test_an_urgency_notation_matches_its_named_iri(vocabularies: Vocabularies) -> None:
    assert vocabularies.match("urgency", ">24m") == NamedNode("https://w3id.org/vcgraph/vocab/urgency/gt24m")


def test_a_value_of_another_scheme_does_not_match(vocabularies: Vocabularies) -> None:
    assert vocabularies.match("stage", "T01") is None


def test_closest_suggests_known_values_for_a_typo(vocabularies: Vocabularies) -> None:
    assert vocabularies.closest("sector", "biopharm")[0] == "biopharma"


def test_closest_suggests_nothing_for_gibberish(vocabularies: Vocabularies) -> None:
    assert vocabularies.closest("size", "qqqqqq") == []


def test_a_label_shared_by_two_concepts_is_ambiguous_not_a_match() -> None:
    scheme = NamedNode("https://w3id.org/vcgraph/vocab/sector")
    triples: list[Triple] = []
    for notation in ("a", "b"):
        concept = vocab("sector", notation)
        triples += [
            Triple(concept, NamedNode(SKOS + "inScheme"), scheme),
            Triple(concept, NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), NamedNode(SKOS + "Concept")),
            Triple(concept, NamedNode(SKOS + "notation"), Literal(notation)),
            Triple(concept, NamedNode(SKOS + "altLabel"), Literal("shared", language="en")),
        ]
    vocabularies = Vocabularies.from_triples(triples)
    assert vocabularies.match("sector", "shared") is None
    assert vocabularies.candidates("sector", "shared") == [vocab("sector", "a"), vocab("sector", "b")]


def test_a_notation_wins_over_another_concepts_label() -> None:
    scheme = NamedNode("https://w3id.org/vcgraph/vocab/size")
    concept_type = (NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), NamedNode(SKOS + "Concept"))
    triples = [
        Triple(vocab("size", "x"), NamedNode(SKOS + "inScheme"), scheme),
        Triple(vocab("size", "x"), *concept_type),
        Triple(vocab("size", "x"), NamedNode(SKOS + "notation"), Literal("small")),
        Triple(vocab("size", "y"), NamedNode(SKOS + "inScheme"), scheme),
        Triple(vocab("size", "y"), *concept_type),
        Triple(vocab("size", "y"), NamedNode(SKOS + "prefLabel"), Literal("small", language="en")),
    ]
    assert Vocabularies.from_triples(triples).match("size", "small") == vocab("size", "x")


def test_a_concept_label_for_reports_prefers_the_language_asked(vocabularies: Vocabularies) -> None:
    assert vocabularies.label(vocab("stage", "S07"), "fr") == "Remplissage et finition"
    assert vocabularies.label(vocab("stage", "S01"), "fr") == "Raw materials & consumables"


def test_a_directory_without_turtle_is_refused(tmp_path: Path) -> None:
    with pytest.raises(VocabularyError, match=r"no Turtle file"):
        Vocabularies.load(tmp_path)


def test_a_missing_scheme_is_refused_by_name(tmp_path: Path) -> None:
    (tmp_path / "only.ttl").write_text(
        "<https://w3id.org/vcgraph/vocab/size/small> a <http://www.w3.org/2004/02/skos/core#Concept> ;"
        " <http://www.w3.org/2004/02/skos/core#inScheme> <https://w3id.org/vcgraph/vocab/size> .\n"
    )
    with pytest.raises(VocabularyError, match="no concept scheme stage, technology"):
        Vocabularies.load(tmp_path)


def test_a_file_that_is_not_turtle_is_refused_naming_it(tmp_path: Path) -> None:
    (tmp_path / "broken.ttl").write_text("this is not turtle")
    with pytest.raises(VocabularyError, match=r"broken\.ttl"):
        Vocabularies.load(tmp_path)


@pytest.mark.skipif(not (ONTOLOGY / "vocab-stage.ttl").exists(), reason="ontology/ not in this checkout")
def test_the_project_vocabularies_have_every_notation_the_template_uses() -> None:
    project = Vocabularies.load(ONTOLOGY)
    for scheme, notations in {
        "stage": [f"S{i:02d}" for i in range(1, 17)],
        "technology": [f"T{i:02d}" for i in range(1, 21)],
        "mode": [
            "offer",
            "in-house",
            "plan",
            "need",
            "develop",
            "routine",
            "pilot",
            "interested",
            "shortage",
            "training",
        ],
        "visibility": ["public", "members", "anonymous"],
        "urgency": ["<6m", "6-24m", ">24m"],
        "size": ["micro", "small", "medium", "large"],
    }.items():
        assert [n for n in notations if project.match(scheme, n) is None] == [], scheme


def test_a_label_added_after_a_miss_is_matched_at_the_next_ask() -> None:
    vocabularies = Vocabularies.load(FIXTURE)  # its own: the answers remembered are per scheme object
    assert vocabularies.match("stage", "bottling line") is None
    vocabularies.scheme("stage").add_key("bottling line", vocab("stage", "S07"), priority=2)
    assert vocabularies.match("stage", "bottling line") == vocab("stage", "S07")


def test_a_remembered_answer_cannot_be_changed_through_the_list_returned() -> None:
    vocabularies = Vocabularies.load(FIXTURE)
    vocabularies.candidates("stage", "S07").clear()
    assert vocabularies.candidates("stage", "S07") == [vocab("stage", "S07")]
