"""The SPARQL 1.1 Service Description of the endpoint (what a GET on /sparql without a query returns)."""

from __future__ import annotations

from collections.abc import Sequence

from pyoxigraph import BlankNode, Literal, NamedNode, Triple

from vcgraph import __version__
from vcgraph.config import Settings
from vcgraph.namespaces import DCTERMS, RDF

SD = "http://www.w3.org/ns/sparql-service-description#"
FORMATS = "http://www.w3.org/ns/formats/"

_RESULT_FORMATS = ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV")
_GRAPH_FORMATS = ("Turtle", "N-Triples", "RDF_XML", "JSON-LD")


def service_description(
    endpoint: str, update_endpoint: str, graphs: Sequence[NamedNode], settings: Settings
) -> list[Triple]:
    """Triples describing the query service at ``endpoint`` and the update service at ``update_endpoint``.

    ``graphs`` are the public named graphs, listed in ``sd:defaultDataset``. The union-default-graph feature
    is declared only in ``union`` mode; no federation feature is declared, because SERVICE is refused.
    """
    rdf_type = NamedNode(RDF + "type")

    def sd(local: str) -> NamedNode:
        return NamedNode(SD + local)

    query_service = NamedNode(endpoint + "#service")
    update_service = NamedNode(update_endpoint + "#service")
    dataset = BlankNode()
    default_graph = BlankNode()
    triples = [
        Triple(query_service, rdf_type, sd("Service")),
        Triple(query_service, sd("endpoint"), NamedNode(endpoint)),
        Triple(query_service, sd("supportedLanguage"), sd("SPARQL11Query")),
        *(Triple(query_service, sd("resultFormat"), NamedNode(FORMATS + name)) for name in _RESULT_FORMATS),
        *(Triple(query_service, sd("resultFormat"), NamedNode(FORMATS + name)) for name in _GRAPH_FORMATS),
        Triple(query_service, NamedNode(DCTERMS + "title"), Literal("vcgraph SPARQL endpoint")),
        Triple(query_service, NamedNode(DCTERMS + "hasVersion"), Literal(__version__)),
        *([Triple(query_service, sd("feature"), sd("UnionDefaultGraph"))] if settings.default_graph == "union" else []),
        Triple(query_service, sd("defaultDataset"), dataset),
        Triple(dataset, rdf_type, sd("Dataset")),
        Triple(dataset, sd("defaultGraph"), default_graph),
        Triple(default_graph, rdf_type, sd("Graph")),
        Triple(update_service, rdf_type, sd("Service")),
        Triple(update_service, sd("endpoint"), NamedNode(update_endpoint)),
        Triple(update_service, sd("supportedLanguage"), sd("SPARQL11Update")),
    ]
    for graph in graphs:
        named = BlankNode()
        triples += [
            Triple(dataset, sd("namedGraph"), named),
            Triple(named, rdf_type, sd("NamedGraph")),
            Triple(named, sd("name"), graph),
        ]
    return triples
