"""Small parts of the export: formula neutralising, what is withheld, deterministic gzip, language choice."""

from __future__ import annotations

import gzip

import pytest
from pyoxigraph import Literal, NamedNode, Quad, Triple

from vcgraph.docs.html import choose_language
from vcgraph.export.publishable import withheld_resources
from vcgraph.export.serialize import gzip_bytes
from vcgraph.export.tables import csv_bytes, neutralise

BM = "https://w3id.org/vcgraph/ontology#"
VIS = "https://w3id.org/vcgraph/vocab/visibility/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
ID = "https://w3id.org/vcgraph/id/"
WAVE = NamedNode("https://w3id.org/vcgraph/graph/wave/W1")


def quad(s: str, p: str, o: str) -> Quad:
    return Quad(NamedNode(s), NamedNode(p), NamedNode(o), WAVE)


@pytest.mark.parametrize("cell", ["=1+1", "+33 1 23", "-2+3", "@SUM(A1)", "\t=1", "\r=1"])
def test_a_cell_a_spreadsheet_would_read_as_a_formula_gets_an_apostrophe(cell: str) -> None:
    assert neutralise(cell) == "'" + cell


@pytest.mark.parametrize("cell", ["Acme", "", "a=b", "BE0123456789", "'quoted"])
def test_other_cells_are_kept_as_they_are(cell: str) -> None:
    assert neutralise(cell) == cell


def test_csv_bytes_neutralise_rows_but_not_the_header() -> None:
    assert csv_bytes(["a", "b"], [["=x", "y"]]) == "\ufeffa,b\r\n'=x,y\r\n".encode()


def actor(key: str, visibility: str | None) -> list[Quad]:
    quads = [quad(ID + "actor/" + key, RDF_TYPE, BM + "Actor")]
    if visibility:
        quads.append(quad(ID + "actor/" + key, BM + "visibility", VIS + visibility))
    return quads


def test_an_actor_is_withheld_unless_public_in_every_wave() -> None:
    quads = [*actor("pub", "public"), *actor("mem", "members"), *actor("anon", "anonymous"), *actor("none", None),
             *actor("mixed", "public"), quad(ID + "actor/mixed", BM + "visibility", VIS + "members")]
    withheld = withheld_resources(quads)
    assert withheld.actors == {ID + "actor/" + k for k in ("mem", "anon", "none", "mixed")}


def test_the_sites_responses_and_statements_of_a_withheld_actor_are_withheld_with_it() -> None:
    response, statement = ID + "wave/W1/response/R1", ID + "wave/W1/response/R1/stage/S04"
    quads = [
        *actor("mem", "members"),
        quad(ID + "actor/mem", "http://www.w3.org/ns/org#hasSite", "https://elsewhere.example/site"),
        quad(response, "http://www.w3.org/ns/prov#wasAttributedTo", ID + "actor/mem"),
        quad(statement, "http://www.w3.org/ns/prov#wasDerivedFrom", response),
    ]
    withheld = withheld_resources(quads)
    assert "https://elsewhere.example/site" in withheld
    assert response in withheld and statement in withheld
    assert ID + "actor/mem/site/BE332" in withheld  # minted below a withheld IRI
    assert ID + "actor/member" not in withheld  # a longer name is not "below"


def test_a_triple_is_hidden_when_its_subject_or_object_is_withheld() -> None:
    withheld = withheld_resources(actor("mem", "members"))
    to_hidden = Triple(NamedNode(ID + "cluster/c"), NamedNode(BM + "member"), NamedNode(ID + "actor/mem"))
    literal = Triple(NamedNode(ID + "cluster/c"), NamedNode(BM + "label"), Literal(ID + "actor/mem"))
    assert withheld.hides(to_hidden)
    assert not withheld.hides(literal)


def test_gzip_bytes_are_the_same_whenever_they_are_made_and_decompress_back() -> None:
    data = b"<a> <b> <c> .\n" * 100
    assert gzip_bytes(data) == gzip_bytes(data)
    assert gzip.decompress(gzip_bytes(data)) == data


@pytest.mark.parametrize(
    ("requested", "accept_language", "chosen"),
    [
        (None, None, "en"),
        ("fr", None, "fr"),
        ("FR-be", "en", "fr"),
        ("de", "fr", "fr"),
        (None, "fr-BE,fr;q=0.9,en;q=0.8", "fr"),
        (None, "de,en;q=0.5,fr;q=0.4", "en"),
        (None, "fr;q=0,en;q=0.1", "en"),
        (None, "es", "en"),
    ],
)
def test_the_page_language_is_the_parameter_else_the_best_accepted_else_english(
    requested: str | None, accept_language: str | None, chosen: str
) -> None:
    assert choose_language(requested, accept_language) == chosen
