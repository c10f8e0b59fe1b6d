"""What may be published: the public graphs minus every trace of actors that are not ``public``.

The store's public graphs (every graph but ``restricted/`` and ``staging/``) still hold the actors whose
visibility is ``members`` or ``anonymous``, with their sites, responses and statements, because the questions
count them in aggregates. Dumps and dereferenceable pages must not show them one by one: this module decides,
once, which resources are withheld, so the export and the linked-data routes cannot disagree.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property

from pyoxigraph import BlankNode, Literal, NamedNode, Quad, QuerySolutions, Triple

from vcgraph.config import Settings
from vcgraph.namespaces import BM, ORG, PROV, RDF, VOCAB
from vcgraph.service.dataset import public_graphs
from vcgraph.store.port import Dataset, Store

PUBLIC_VISIBILITY = VOCAB + "visibility/public"
_TYPE = RDF + "type"
_ACTOR_CLASS = BM + "Actor"
_VISIBILITY = BM + "visibility"
_HAS_SITE = ORG + "hasSite"
_ATTRIBUTED_TO = PROV + "wasAttributedTo"
_STATEMENT_ACTOR = BM + "actor"
_DERIVED_FROM = PROV + "wasDerivedFrom"


def value_of(term: NamedNode | BlankNode | Literal | Triple) -> str:
    """The IRI, blank node id or lexical form of a term (a quoted RDF-star triple, never in our data: its text)."""
    return str(term) if isinstance(term, Triple) else term.value


@dataclass(frozen=True)
class Withheld:
    """Resources that must not appear one by one in anything published.

    An actor is withheld unless every visibility stated for it, in every wave, is ``public``: an actor with no
    visibility at all, or ``members``/``anonymous`` in any wave, is withheld (when in doubt, do not publish).
    Its sites, responses and statements are withheld with it, as is every IRI minted below a withheld one
    (``<actor>/site/...``, ``<response>/stage/...``), so a statement cannot leak the actor it belongs to.
    """

    actors: frozenset[str]
    resources: frozenset[str]

    @cached_property
    def _common_prefix(self) -> str:
        # Withheld IRIs are minted under one base: anything outside their common prefix (vocabularies, NUTS,
        # the ontology: most of the graph) is answered without looking further.
        if not self.resources:
            return ""
        first, last = min(self.resources), max(self.resources)  # the sorted extremes bound every common prefix
        length = 0
        while length < min(len(first), len(last)) and first[length] == last[length]:
            length += 1
        return first[:length]

    def __contains__(self, iri: object) -> bool:
        if not isinstance(iri, str) or not self.resources or not iri.startswith(self._common_prefix):
            return False
        if iri in self.resources:
            return True
        # Minted IRIs nest with '/', so checking each '/'-prefix finds "below a withheld IRI" in O(length).
        position = iri.find("/")
        while position != -1:
            if iri[:position] in self.resources:
                return True
            position = iri.find("/", position + 1)
        return False

    def hides(self, triple: Triple | Quad) -> bool:
        """True when the triple's subject or object is withheld."""
        if value_of(triple.subject) in self:
            return True
        return isinstance(triple.object, NamedNode) and value_of(triple.object) in self


def public_quads(store: Store, settings: Settings) -> Iterator[Quad]:
    """Every quad of the public graphs, withheld or not (for aggregates and for computing what to withhold)."""
    for graph in public_graphs(store, settings):
        yield from store.quads(graph)


_LINK_PREDICATES = (_VISIBILITY, _HAS_SITE, _ATTRIBUTED_TO, _STATEMENT_ACTOR, _DERIVED_FROM)


def withheld_in_store(store: Store, settings: Settings) -> Withheld:
    """:func:`withheld_resources` reading only the quads it looks at (one indexed query, not a full scan).

    For answering one request quickly; the export, which reads every quad anyway, uses the quads it has.
    """
    predicates = " ".join(f"<{p}>" for p in _LINK_PREDICATES)  # constants of this module, not user input
    query = (
        f"SELECT ?s ?p ?o ?g WHERE {{ GRAPH ?g {{ {{ VALUES ?p {{ {predicates} }} ?s ?p ?o }}\n"
        f"UNION {{ VALUES (?p ?o) {{ (<{_TYPE}> <{_ACTOR_CLASS}>) }} ?s ?p ?o }} }} }}"
    )
    result = store.query(query, dataset=Dataset(named_graphs=public_graphs(store, settings)))
    assert isinstance(result, QuerySolutions)
    return withheld_resources(Quad(row["s"], row["p"], row["o"], row["g"]) for row in result)


def withheld_resources(quads: Iterable[Quad]) -> Withheld:
    """Compute :class:`Withheld` from the quads of the public graphs."""
    actors: set[str] = set()
    visibilities: dict[str, set[str]] = defaultdict(set)
    sites: dict[str, set[str]] = defaultdict(set)
    attributed: dict[str, set[str]] = defaultdict(set)  # actor -> responses
    by_actor: dict[str, set[str]] = defaultdict(set)  # actor -> statements
    derived: dict[str, set[str]] = defaultdict(set)  # response -> statements
    for quad in quads:
        predicate = quad.predicate.value
        subject = value_of(quad.subject)
        target = value_of(quad.object) if isinstance(quad.object, NamedNode) else None
        if predicate == _TYPE and target == _ACTOR_CLASS:
            actors.add(subject)
        elif target is None:
            continue
        elif predicate == _VISIBILITY:
            visibilities[subject].add(target)
        elif predicate == _HAS_SITE:
            sites[subject].add(target)
        elif predicate == _ATTRIBUTED_TO:
            attributed[target].add(subject)
        elif predicate == _STATEMENT_ACTOR:
            by_actor[target].add(subject)
        elif predicate == _DERIVED_FROM:
            derived[target].add(subject)
    # An actor whose only stated visibility is public is published; an actor without one, or with another in
    # any wave, is not. A subject with a non-public visibility but no rdf:type bm:Actor is withheld all the same.
    hidden_actors = {a for a in actors if visibilities.get(a) != {PUBLIC_VISIBILITY}}
    hidden_actors |= {a for a, seen in visibilities.items() if seen != {PUBLIC_VISIBILITY}}
    resources: set[str] = set(hidden_actors)
    for actor in hidden_actors:
        resources |= sites[actor]
        resources |= by_actor[actor]
        for response in attributed[actor]:
            resources.add(response)
            resources |= derived[response]
    return Withheld(frozenset(hidden_actors), frozenset(resources))


@dataclass(frozen=True)
class PublicView:
    """The publishable content of the store: per public graph, its triples minus the withheld ones.

    Unordered on purpose: only serialisation needs an order, and :func:`serialise` sorts what it writes.
    """

    graphs: dict[str, frozenset[Triple]]
    withheld: Withheld
    all_quads: list[Quad]
    publishable: frozenset[Triple]

    def triples(self) -> frozenset[Triple]:
        """Every publishable triple once (a triple stated in two graphs is one triple)."""
        return self.publishable


def public_view(store: Store, settings: Settings) -> PublicView:
    quads = list(public_quads(store, settings))
    withheld = withheld_resources(quads)
    graphs: dict[str, set[Triple]] = defaultdict(set)
    for quad in quads:
        if isinstance(quad.graph_name, NamedNode) and not withheld.hides(quad):
            graphs[quad.graph_name.value].add(quad.triple)
    frozen = {g: frozenset(ts) for g, ts in sorted(graphs.items())}
    return PublicView(frozen, withheld, quads, frozenset().union(*frozen.values()))


def sort_triples(triples: Iterable[Triple]) -> list[Triple]:
    """Triples in a stable order (their N-Triples text), so every serialisation is byte-for-byte repeatable."""
    # A triple's text starts with its subject's, so one subject's triples stay together (Turtle groups them).
    return sorted(triples, key=str)
