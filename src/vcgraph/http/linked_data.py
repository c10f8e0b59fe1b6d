"""Linked data on the web: every IRI minted under the base dereferences, and so do the ontology and the VoID.

* ``GET /id/...``: the resource named ``{base}id/...`` (the path after the base, so a deployment with its own
  ``VCGRAPH_BASE_IRI`` serves its own IRIs): HTML for browsers, Turtle, JSON-LD, RDF/XML or N-Triples by content
  negotiation (``?format=`` overrides it, for links). Withheld resources (actors that are not ``public``, and
  their sites, responses and statements) answer 404 exactly as unknown IRIs do, so their existence is not told.
* ``GET /vocab/...``: the SKOS schemes and concepts, the same way.
* ``GET /ontology`` (and ``/ontology/<version>`` for its ``owl:versionIRI``): the ontology graph, or its HTML
  documentation in English or French (``?lang=fr`` or ``Accept-Language``).
* ``GET /.well-known/void``: the VoID description of the published graph.

Content negotiation uses :mod:`vcgraph.http.negotiation` (the SPARQL endpoint's), so both agree on ``Accept``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Annotated, TypeVar

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from pyoxigraph import Literal, NamedNode, QuerySolutions, Triple

from vcgraph.config import Settings
from vcgraph.docs.html import Labels, Linker, choose_language
from vcgraph.docs.ontology import render_ontology
from vcgraph.docs.resource import Statement, render_resource
from vcgraph.export.layout import data_date
from vcgraph.export.publishable import Withheld, public_view, withheld_in_store
from vcgraph.export.serialize import JSON_LD, NTRIPLES, RDF_XML, TURTLE, RdfSyntax, serialise
from vcgraph.export.void import void_triples
from vcgraph.http.deps import get_settings, get_store
from vcgraph.http.errors import ApiError
from vcgraph.http.negotiation import negotiate
from vcgraph.namespaces import ONTOLOGY_IRI, OWL, VOCAB, Minter
from vcgraph.service.dataset import public_graphs
from vcgraph.sparql.text import bind_parameters
from vcgraph.store.port import Dataset, Store

router = APIRouter(tags=["linked data"])

_Endpoint = TypeVar("_Endpoint", bound=Callable[..., Response])


def _get_and_head(path: str, summary: str) -> Callable[[_Endpoint], _Endpoint]:
    """Route GET and HEAD of ``path`` to one function, as two routes: one ``api_route`` with both methods gives
    both OpenAPI operations the same operation id (FastAPI derives it from the route, not the method)."""

    def register(endpoint: _Endpoint) -> _Endpoint:
        router.get(path, summary=summary)(endpoint)
        router.head(path, summary=summary + " (headers only)")(endpoint)
        return endpoint

    return register

HTML = "text/html"
RDF_SYNTAXES: dict[str, RdfSyntax] = {s.media_type: s for s in (TURTLE, JSON_LD, RDF_XML, NTRIPLES)}
# Server preference when the client's qualities tie (``*/*``): Turtle, readable and compact, then HTML.
PAGE_TYPES = (TURTLE.media_type, HTML, JSON_LD.media_type, RDF_XML.media_type, NTRIPLES.media_type)
DATA_TYPES = (TURTLE.media_type, JSON_LD.media_type, RDF_XML.media_type, NTRIPLES.media_type)
FORMAT_NAMES = {"ttl": TURTLE.media_type, "jsonld": JSON_LD.media_type, "rdf": RDF_XML.media_type,
                "nt": NTRIPLES.media_type, "html": HTML}
VARY = "Accept, Accept-Language"

FormatParam = Annotated[
    str | None, Query(alias="format", description="ttl, jsonld, rdf, nt or html: overrides the Accept header")
]
LangParam = Annotated[str | None, Query(description="en or fr: language of the HTML page")]

_OUTGOING = "SELECT ?g ?p ?o WHERE { GRAPH ?g { $resource ?p ?o } }"
_INCOMING = "SELECT ?g ?s ?p WHERE { GRAPH ?g { ?s ?p $resource } FILTER(isIRI(?s)) }"


def _not_found(what: str) -> ApiError:
    return ApiError(404, "not_found", f"{what} is not published here", headers={"Vary": VARY})


def choose_media_type(request: Request, format_name: str | None, offered: Sequence[str]) -> str:
    """The media type to answer with: ``?format=`` if given, else the client's ``Accept``; 406 if none fits."""
    if format_name is not None:
        chosen = FORMAT_NAMES.get(format_name.lower())
        if chosen is None or chosen not in offered:
            names = ", ".join(n for n, t in FORMAT_NAMES.items() if t in offered)
            raise ApiError(400, "bad_request", f"format={format_name!r}: use one of {names}")
        return chosen
    chosen = negotiate(request.headers.get("accept"), offered)
    if chosen is None:
        raise ApiError(406, "not_acceptable", "this resource is available as " + ", ".join(offered),
                       headers={"Vary": VARY})
    return chosen


def link_header(request: Request, offered: Sequence[str]) -> str:
    """``Link: <...?format=ttl>; rel="alternate"; type="text/turtle", ...``: where each other representation is."""
    path = request.scope.get("root_path", "") + request.url.path
    return ", ".join(
        f'<{path}?format={key}>; rel="alternate"; type="{media_type}"'
        for key, media_type in FORMAT_NAMES.items() if media_type in offered
    )


def rdf_response(triples: Sequence[Triple], media_type: str, link: str | None = None) -> Response:
    syntax = RDF_SYNTAXES[media_type]
    headers = {"Vary": VARY, **({"Link": link} if link else {})}
    return Response(serialise(triples, syntax), media_type=syntax.media_type, headers=headers)


def html_response(html: str, language: str, link: str) -> Response:
    return Response(html, media_type="text/html; charset=utf-8",
                    headers={"Vary": VARY, "Content-Language": language, "Link": link})


def alternates(request: Request, offered: Sequence[str]) -> list[tuple[str, str]]:
    path = request.scope.get("root_path", "") + request.url.path
    names = {"ttl": "Turtle", "jsonld": "JSON-LD", "rdf": "RDF/XML", "nt": "N-Triples"}
    return [(label, f"{path}?format={key}") for key, label in names.items() if FORMAT_NAMES[key] in offered]


def _minted_iri(request: Request, settings: Settings) -> str:
    """``{base}id/...`` from the request path as the client sent it (percent-escapes kept, as minted)."""
    raw: bytes = request.scope.get("raw_path") or request.url.path.encode("utf-8")
    path = raw.decode("latin-1").split("?", 1)[0]
    start = path.find("/id/")
    return settings.base_iri + path[start + 1 :]


def _solutions(store: Store, query: str, resource: NamedNode, graphs: list[NamedNode]) -> QuerySolutions:
    result = store.query(bind_parameters(query, {"resource": resource}), dataset=Dataset(named_graphs=graphs))
    assert isinstance(result, QuerySolutions)
    return result


def describe(store: Store, settings: Settings, iri: str) -> tuple[list[Statement], list[Statement], Withheld]:
    """What the public graphs say about ``iri`` and who points to it, minus everything withheld.

    Empty when the resource is unknown or withheld: the two cases must look the same from outside.
    """
    try:
        resource = NamedNode(iri)
    except ValueError:
        return [], [], Withheld(frozenset(), frozenset())
    withheld = withheld_in_store(store, settings)
    if iri in withheld:
        return [], [], withheld
    graphs = public_graphs(store, settings)
    outgoing = [
        Statement(row["g"].value, iri, row["p"].value, row["o"])
        for row in _solutions(store, _OUTGOING, resource, graphs)
        if not (isinstance(row["o"], NamedNode) and row["o"].value in withheld)
    ]
    incoming = [
        Statement(row["g"].value, row["s"].value, row["p"].value, resource)
        for row in _solutions(store, _INCOMING, resource, graphs)
        if row["s"].value not in withheld
    ] if outgoing else []
    key = lambda s: (s.graph, s.subject, s.predicate, str(s.object))  # noqa: E731
    return sorted(outgoing, key=key), sorted(incoming, key=key), withheld


def _labels_for(store: Store, settings: Settings, statements: Sequence[Statement], language: str) -> Labels:
    """Labels (and ontology terms' labels) of everything the page shows, from the public graphs only."""
    wave_graphs = settings.base_iri + "graph/wave/"
    waves = {f"{settings.base_iri}id/wave/{s.graph[len(wave_graphs):]}" for s in statements
             if s.graph.startswith(wave_graphs)}  # the provenance column names each wave by its label
    mentioned = sorted({s.subject for s in statements} | {s.predicate for s in statements} | waves
                       | {s.object.value for s in statements if isinstance(s.object, NamedNode)})
    names = {f"x{i}": NamedNode(iri) for i, iri in enumerate(mentioned)}
    if not names:
        return Labels([], language)
    values = " ".join(f"${name}" for name in names)
    query = (
        "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
        f"SELECT ?x ?p ?label WHERE {{ VALUES ?x {{ {values} }} VALUES ?p {{ skos:prefLabel rdfs:label }}\n"
        "GRAPH ?g { ?x ?p ?label } }"
    )
    graphs = public_graphs(store, settings)
    result = store.query(bind_parameters(query, names), dataset=Dataset(named_graphs=graphs))
    assert isinstance(result, QuerySolutions)
    return Labels([Triple(row["x"], row["p"], row["label"]) for row in result
                   if isinstance(row["label"], Literal)], language)


def _resource_response(
    request: Request, store: Store, settings: Settings, iri: str, format_name: str | None, lang: str | None
) -> Response:
    media_type = choose_media_type(request, format_name, PAGE_TYPES)
    outgoing, incoming, _ = describe(store, settings, iri)
    if not outgoing:
        raise _not_found(iri)
    if media_type != HTML:
        triples = {Triple(NamedNode(s.subject), NamedNode(s.predicate), s.object)
                   for s in [*outgoing, *incoming]}
        return rdf_response(list(triples), media_type, link_header(request, PAGE_TYPES))
    language = choose_language(lang, request.headers.get("accept-language"))
    labels = _labels_for(store, settings, [*outgoing, *incoming], language)
    linker = Linker(settings.base_iri, request.scope.get("root_path", ""))
    html = render_resource(iri, outgoing, incoming, labels, linker, base_iri=settings.base_iri,
                           alternates=alternates(request, PAGE_TYPES))
    return html_response(html, language, link_header(request, PAGE_TYPES))


@_get_and_head("/id/{path:path}", "Dereference a minted IRI")
def minted_resource(
    path: str,
    request: Request,
    format_name: FormatParam = None,
    lang: LangParam = None,
    store: Store = Depends(get_store),
    settings: Settings = Depends(get_settings),
) -> Response:
    return _resource_response(request, store, settings, _minted_iri(request, settings), format_name, lang)


@_get_and_head("/vocab/{path:path}", "Dereference a SKOS scheme or concept")
def vocabulary_resource(
    path: str,
    request: Request,
    format_name: FormatParam = None,
    lang: LangParam = None,
    store: Store = Depends(get_store),
    settings: Settings = Depends(get_settings),
) -> Response:
    raw: bytes = request.scope.get("raw_path") or request.url.path.encode("utf-8")
    local = raw.decode("latin-1").split("?", 1)[0].split("/vocab/", 1)[1]
    return _resource_response(request, store, settings, VOCAB + local, format_name, lang)


def _ontology_response(
    request: Request, store: Store, settings: Settings, version: str | None, format_name: str | None,
    lang: str | None,
) -> Response:
    media_type = choose_media_type(request, format_name, PAGE_TYPES)
    minter = Minter(settings.base_iri)
    ontology = list(t.triple for t in store.quads(minter.ontology_graph()))
    if not ontology:
        raise _not_found(f"the ontology (load it with `vcgraph init`) {ONTOLOGY_IRI}")
    if version is not None:
        versions = {t.object.value for t in ontology
                    if t.subject == NamedNode(ONTOLOGY_IRI) and t.predicate == NamedNode(OWL + "versionIRI")
                    and isinstance(t.object, NamedNode)}
        if f"{ONTOLOGY_IRI}/{version}" not in versions:
            raise _not_found(f"{ONTOLOGY_IRI}/{version}")
    if media_type != HTML:
        return rdf_response(ontology, media_type, link_header(request, PAGE_TYPES))
    language = choose_language(lang, request.headers.get("accept-language"))
    vocabularies = [q.triple for q in store.quads(minter.vocabularies_graph())]
    linker = Linker(settings.base_iri, request.scope.get("root_path", ""))
    html = render_ontology(ontology, vocabularies, language, linker, alternates(request, PAGE_TYPES))
    return html_response(html, language, link_header(request, PAGE_TYPES))


@_get_and_head("/ontology", "The ontology: RDF or HTML documentation")
def ontology(
    request: Request,
    format_name: FormatParam = None,
    lang: LangParam = None,
    store: Store = Depends(get_store),
    settings: Settings = Depends(get_settings),
) -> Response:
    return _ontology_response(request, store, settings, None, format_name, lang)


@_get_and_head("/ontology/{version}", "One version of the ontology")
def ontology_version(
    version: str,
    request: Request,
    format_name: FormatParam = None,
    lang: LangParam = None,
    store: Store = Depends(get_store),
    settings: Settings = Depends(get_settings),
) -> Response:
    return _ontology_response(request, store, settings, version, format_name, lang)


@_get_and_head("/.well-known/void", "VoID description of the dataset")
def well_known_void(
    request: Request,
    format_name: FormatParam = None,
    store: Store = Depends(get_store),
    settings: Settings = Depends(get_settings),
) -> Response:
    media_type = choose_media_type(request, format_name, DATA_TYPES)
    view = public_view(store, settings)
    triples = void_triples(view, settings, generated=data_date(view))
    return rdf_response(list(triples), media_type, link_header(request, DATA_TYPES))
