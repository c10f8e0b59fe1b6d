"""The guarded RDF upload parser: what it refuses (and with which status), what it still reads."""

from __future__ import annotations

import json

import pytest
from pyoxigraph import Literal, NamedNode, Triple

from vcgraph.config import Settings
from vcgraph.rdf.safe_parse import RdfUploadError, parse_rdf_upload
from vcgraph.service.update_guard import destructive_refusal
from vcgraph.sparql.text import destructive_operations

BASE = "http://example.org/base/"
CAP = 1024 * 1024
RDF_NS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"


def refusal(body: bytes, media_type: str | None) -> RdfUploadError:
    with pytest.raises(RdfUploadError) as caught:
        parse_rdf_upload(body, media_type, base_iri=BASE, max_bytes=CAP)
    return caught.value


def rdf_xml(inner: str, *, doctype: str = "") -> bytes:
    return (
        f'<?xml version="1.0"?>{doctype}<rdf:RDF xmlns:rdf="{RDF_NS}">'
        f'<rdf:Description rdf:about="http://e.org/x"><rdf:value>{inner}</rdf:value></rdf:Description></rdf:RDF>'
    ).encode()


EXPECTED = [Triple(NamedNode("http://e.org/x"), NamedNode(RDF_NS + "value"), Literal("v"))]


@pytest.mark.parametrize(
    ("body", "media_type"),
    [
        (b'<http://e.org/x> <http://www.w3.org/1999/02/22-rdf-syntax-ns#value> "v" .', "application/n-triples"),
        (b'<http://e.org/x> <http://www.w3.org/1999/02/22-rdf-syntax-ns#value> "v" .', "text/turtle"),
        (b'\xef\xbb\xbf<http://e.org/x> <http://www.w3.org/1999/02/22-rdf-syntax-ns#value> "v" .', "text/turtle"),
        (rdf_xml("v"), "application/rdf+xml"),
        (
            json.dumps({"@context": {"v": RDF_NS + "value"}, "@id": "http://e.org/x", "v": "v"}).encode(),
            "application/ld+json",
        ),
        (
            json.dumps([{"@id": "http://e.org/x", RDF_NS + "value": [{"@value": "v"}]}]).encode(),
            "application/ld+json",
        ),
    ],
    ids=["n-triples", "turtle", "turtle-with-bom", "rdf-xml", "json-ld-inline-context", "json-ld-expanded-array"],
)
def test_a_plain_document_in_each_format_gives_its_triples(body: bytes, media_type: str) -> None:
    assert parse_rdf_upload(body, media_type, base_iri=BASE, max_bytes=CAP) == EXPECTED


def test_a_turtle_document_starting_with_a_blank_node_list_is_not_taken_for_json() -> None:
    triples = parse_rdf_upload(b'[ <http://e.org/p> "v" ] .', "text/turtle", base_iri=BASE, max_bytes=CAP)
    assert len(triples) == 1


def test_a_missing_content_type_is_415() -> None:
    assert refusal(b"<a> <b> <c> .", None).status == 415


def test_a_content_type_that_is_not_rdf_is_415_naming_it() -> None:
    error = refusal(b"a,b\n1,2\n", "text/csv")
    assert (error.status, "text/csv" in error.reason) == (415, True)


def test_a_body_over_the_cap_is_413() -> None:
    with pytest.raises(RdfUploadError) as caught:
        parse_rdf_upload(b"<a> <b> <c> ." * 100, "text/turtle", base_iri=BASE, max_bytes=64)
    assert caught.value.status == 413


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        (b"PK\x03\x04" + b"\x00" * 40, "zip archive"),
        (b"\x1f\x8b\x08\x00" + b"\x00" * 20, "gzip"),
        (b"%PDF-1.7\n", "PDF"),
        (b"<a> <b> \x00 <c> .", "NUL bytes"),
        ("<a> <b> <c> .".encode("utf-16"), "UTF-16"),
    ],
    ids=["zip", "gzip", "pdf", "nul-bytes", "utf-16"],
)
def test_binary_content_sent_as_turtle_is_422_saying_what_it_is(body: bytes, kind: str) -> None:
    error = refusal(body, "text/turtle")
    assert error.status == 422
    assert kind in error.reason


def test_text_that_is_not_utf8_is_422_with_the_offset() -> None:
    error = refusal(b'<http://e.org/x> <http://e.org/p> "caf\xe9" .', "text/turtle")
    assert error.status == 422
    assert "offset 38" in error.reason


@pytest.mark.parametrize(
    ("body", "media_type", "says"),
    [
        (rdf_xml("v"), "text/turtle", "is RDF/XML"),
        (b'{"@id": "http://e.org/x"}', "application/n-triples", "is JSON"),
        (b"<http://e.org/x> <http://e.org/p> <http://e.org/o> .", "application/ld+json", "not a JSON object"),
        (b"@prefix e: <http://e.org/> . e:x e:p e:o .", "application/rdf+xml", "does not start like XML"),
    ],
    ids=["xml-as-turtle", "json-as-n-triples", "turtle-as-json-ld", "turtle-as-rdf-xml"],
)
def test_a_body_in_another_syntax_than_its_content_type_is_422(body: bytes, media_type: str, says: str) -> None:
    error = refusal(body, media_type)
    assert error.status == 422
    assert says in error.reason


@pytest.mark.parametrize(
    "doctype",
    [
        '<!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>',
        '<!DOCTYPE r [<!ENTITY e SYSTEM "file:///etc/passwd">]>',
        '<!DOCTYPE r SYSTEM "http://127.0.0.1:9/evil.dtd">',
        '<!doctype r [<!entity e "x">]>',
    ],
    ids=["billion-laughs", "external-file-entity", "external-dtd", "lower-case"],
)
def test_rdf_xml_with_a_document_type_declaration_is_422_before_parsing(doctype: str) -> None:
    error = refusal(rdf_xml("&e;", doctype=doctype), "application/rdf+xml")
    assert error.status == 422
    assert "declaration" in error.reason


def test_an_entity_declaration_without_doctype_is_refused_too() -> None:
    body = rdf_xml("v").replace(b"<rdf:RDF", b'<!ENTITY e "x"><rdf:RDF', 1)
    assert "<!ENTITY" in refusal(body, "application/rdf+xml").reason


@pytest.mark.parametrize(
    "document",
    [
        {"@context": "http://127.0.0.1:9/context.jsonld", "@id": "http://e.org/x"},
        {"@context": ["file:///etc/passwd", {"v": "http://e.org/v"}], "@id": "http://e.org/x"},
        {"@context": {"@import": "http://127.0.0.1:9/c"}, "@id": "http://e.org/x"},
        {"@id": "http://e.org/x", "http://e.org/p": {"@context": "http://127.0.0.1:9/nested", "@id": "http://e/y"}},
        {"@context": {"t": {"@id": "http://e.org/t", "@context": "http://127.0.0.1:9/scoped"}}, "@id": "http://e/x"},
    ],
    ids=["string", "in-a-list", "import", "nested-node", "scoped-term"],
)
def test_json_ld_with_a_remote_context_is_422_naming_it(document: dict[str, object]) -> None:
    error = refusal(json.dumps(document).encode(), "application/ld+json")
    assert error.status == 422
    assert "refused" in error.reason
    assert "never fetches" in error.reason


def test_json_ld_nested_beyond_the_parsers_depth_is_422() -> None:
    body = b"[" * 100_000 + b"]" * 100_000
    assert refusal(body, "application/ld+json").status == 422


def test_owl_imports_is_422_naming_the_imported_ontology() -> None:
    body = b"<http://e.org/o> <http://www.w3.org/2002/07/owl#imports> <http://127.0.0.1:9/other.owl> ."
    error = refusal(body, "text/turtle")
    assert error.status == 422
    assert "http://127.0.0.1:9/other.owl" in error.reason


def test_a_syntax_error_is_400_with_the_parsers_position() -> None:
    error = refusal(b"<http://e.org/x> <http://e.org/p> .", "text/turtle")
    assert error.status == 400
    assert "line 1 column 35" in error.reason


@pytest.mark.parametrize(
    ("update", "operation"),
    [
        ("DROP ALL", "DROP ALL"),
        ("clear silent all", "CLEAR ALL"),
        ("DROP DEFAULT", "DROP DEFAULT"),
        ("CLEAR NAMED", "CLEAR NAMED"),
        ("INSERT DATA { <a:x> <a:p> 1 } ;\n# comment\nDROP\n  SILENT NAMED", "DROP NAMED"),
        ("\\u0044ROP ALL", "DROP ALL"),
    ],
)
def test_destructive_operations_are_found_in_any_spelling(update: str, operation: str) -> None:
    assert [found.operation for found in destructive_operations(update)] == [operation]


@pytest.mark.parametrize(
    "update",
    [
        "DROP GRAPH <http://e.org/g>",
        "CLEAR SILENT GRAPH <http://e.org/all>",
        'INSERT DATA { <a:x> <a:p> "DROP ALL" }',
        "# DROP ALL\nINSERT DATA { <a:x> <a:p> <a:o> }",
        "INSERT DATA { <http://e.org/DROP/ALL> <a:p> <a:o> }",
    ],
    ids=["drop-graph", "clear-graph", "in-a-string", "in-a-comment", "in-an-iri"],
)
def test_targeted_operations_and_quoted_text_are_not_destructive(update: str) -> None:
    assert destructive_operations(update) == []


def test_the_refusal_names_the_position_and_the_setting() -> None:
    message = destructive_refusal(Settings(), "INSERT DATA { <a:x> <a:p> 1 } ;\n  DROP ALL")
    assert message is not None
    assert message.startswith("refused at 2:3: DROP ALL")
    assert "VCGRAPH_ALLOW_DESTRUCTIVE=true" in message


def test_the_setting_allows_destructive_updates() -> None:
    assert destructive_refusal(Settings(allow_destructive=True), "DROP ALL") is None
