"""Remote adapter: the :class:`~vcgraph.store.port.Store` port over any SPARQL 1.1 store reached by HTTP.

Reads go to the query endpoint (SPARQL 1.1 Protocol), writes to the update endpoint (SPARQL 1.1 Update) or,
when configured, the Graph Store Protocol endpoint, in bounded batches. Answers are parsed into pyoxigraph's
classes (``parse_query_results`` / ``parse``) so the layers above cannot tell this adapter from the embedded one.

We speak HTTP with httpx rather than SPARQLWrapper, for reasons that decide correctness and latency:

* SPARQLWrapper (urllib) opens a new TCP connection per request; httpx keeps a connection pool, which matters
  when one question costs several round trips (graph list, query) and the endpoint must add only milliseconds;
* SPARQLWrapper hides the HTTP status and headers behind its own exceptions and treats every 2xx alike, while a
  partial answer must be told from a full one by its status and headers (Virtuoso: 206, or 200 with
  ``X-SQL-State``, or ``X-SPARQL-MaxRows`` when its row limit cut the answer);
* SPARQLWrapper has one socket timeout; we need separate connect and read timeouts, and a write path (Graph
  Store Protocol with a raw N-Triples body) that it does not offer.

A store that runs out of time may still answer ``200 OK`` and cut its body (Oxigraph server appends an error
message to the stream). Every answer is therefore parsed completely before it is returned: a body that does not
parse to the end raises :class:`TruncatedResult`, never a shorter result.

Configuration (``open_store`` reads it when ``VCGRAPH_STORE`` is an ``http(s)://`` URL, the query endpoint):

=================================  ===================================================================
``VCGRAPH_UPDATE_URL``             SPARQL Update endpoint (default: ``.../query`` -> ``.../update``, else the
                                   query URL itself, as on Virtuoso's ``/sparql``)
``VCGRAPH_GSP_URL``                Graph Store Protocol endpoint for bulk writes (default: none, writes go
                                   through SPARQL Update)
``VCGRAPH_STORE_USER`` / ``_PASSWORD``  credentials, sent on every request (``VCGRAPH_STORE_AUTH``: ``basic``
                                   or ``digest``)
``VCGRAPH_STORE_TIMEOUT``          seconds per HTTP call (default 30)
``VCGRAPH_STORE_BATCH``            triples per write request (default 50000)
``VCGRAPH_STORE_DEFAULT_GRAPH``    IRI of the graph that stands for the port's default graph, for stores
                                   without one of their own (Virtuoso)
``VCGRAPH_STORE_GRAPH_PREFIXES``   space-separated IRI prefixes of the graphs that are vcgraph's, on a shared
                                   store (Virtuoso's system graphs, other services' graphs are then ignored)
``VCGRAPH_STORE_GRAPHS_TTL``       seconds to reuse the graph list (default 0: list on every call); our own
                                   writes refresh it at once, other writers' within that time
=================================  ===================================================================
"""

from __future__ import annotations

import contextlib
import os
import re
import time
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Literal as TypingLiteral

import httpx
from pyoxigraph import (
    BlankNode,
    DefaultGraph,
    NamedNode,
    Quad,
    QueryBoolean,
    QueryResultsFormat,
    QuerySolutions,
    RdfFormat,
    Triple,
    parse,
    parse_query_results,
    serialize,
)
from pyoxigraph import Store as _OxStore

from vcgraph.sparql.text import decode_escapes, tokens
from vcgraph.store.oxigraph import STAGING
from vcgraph.store.port import Dataset, GraphName, QueryOutcome, StoreError, Term

# Stands for "no graph at all" in a protocol dataset: the SPARQL protocol cannot say "an empty default graph"
# other than by naming a graph that holds nothing. Never written to.
EMPTY_GRAPH = NamedNode("urn:vcgraph:empty-graph")

_RESULTS_ACCEPT = "application/sparql-results+json, application/sparql-results+xml;q=0.9"
_NON_EMPTY_BATCH = 100  # graphs whose emptiness one query checks (RemoteStore._non_empty)
_GRAPH_ACCEPT = "application/n-triples, text/turtle;q=0.9"
# Only for text whose form the lexer cannot tell; Virtuoso would answer a CONSTRUCT with a result set here.
_ANY_ACCEPT = f"{_RESULTS_ACCEPT}, application/n-triples;q=0.8, text/turtle;q=0.5"
_FORMS = {"SELECT": _RESULTS_ACCEPT, "ASK": _RESULTS_ACCEPT, "CONSTRUCT": _GRAPH_ACCEPT, "DESCRIBE": _GRAPH_ACCEPT}
# Virtuoso names blank nodes "nodeID://b10003" in result sets, which is not a valid blank node label.
_VIRTUOSO_BNODE_XML = re.compile(rb"<bnode>nodeID://")
_VIRTUOSO_BNODE_JSON = re.compile(rb'("type"\s*:\s*"bnode"\s*,\s*"value"\s*:\s*")nodeID://')
_BODY_EXCERPT = 300
INSERT_DATA_TRIPLES = 1_000
"""Triples per INSERT DATA operation. Virtuoso compiles each operation to SQL and refuses one whose SQL passes
10,000 lines (SP031), which an INSERT DATA of about 3,000 triples does; a write that fits in one request is then
several operations in that one request, still applied together."""
INLINE_WRITE_TRIPLES = 1_000
"""The most triples a write sends inline, in the one update request that replaces its graphs; a bigger write is
staged (``batch_size`` triples per request) and swapped in. Virtuoso 7 compiles an update request as one unit: one
of 5,000 short triples failed (SQ199, "Maximum size (32767) of a code vector exceeded") and the demo survey's wave
(thousands of triples) did not answer within 60 s, where 2,000 passed."""

AuthScheme = TypingLiteral["basic", "digest"]


class TruncatedResult(StoreError):
    """The store cut its answer (time or row limit): the result is incomplete and must not be served (502)."""


class StoreTimeout(StoreError):
    """The store did not answer within the configured time (504)."""


@dataclass(frozen=True)
class RemoteSettings:
    """Where and how to reach a remote store; read from the environment by :meth:`from_environment`."""

    query_url: str
    update_url: str | None = None
    gsp_url: str | None = None
    user: str | None = None
    password: str | None = None
    auth_scheme: AuthScheme = "basic"
    timeout: float = 30.0
    batch_size: int = 50_000
    default_graph_iri: str | None = None
    graph_prefixes: tuple[str, ...] | None = None
    graphs_ttl: float = 0.0

    @classmethod
    def from_environment(cls, query_url: str, env: Mapping[str, str] | None = None) -> RemoteSettings:
        """Settings for ``query_url`` (``VCGRAPH_STORE``) from the other ``VCGRAPH_*`` variables of ``env``
        (default: the process environment; given, only it is read, e.g. what ``scripts/virtuoso.sh env`` prints).

        ``VCGRAPH_UPDATE_URL`` defaults to the query URL with its final ``/query`` replaced by ``/update``
        (Oxigraph server, Fuseki), else to the query URL itself (Virtuoso serves both on ``/sparql``).
        """
        env = os.environ if env is None else env
        update_url = env.get("VCGRAPH_UPDATE_URL") or _default_update_url(query_url)
        auth = env.get("VCGRAPH_STORE_AUTH", "basic").lower()
        if auth not in ("basic", "digest"):
            raise StoreError(f"VCGRAPH_STORE_AUTH must be 'basic' or 'digest', not {auth!r}")
        return cls(
            query_url=query_url,
            update_url=update_url,
            gsp_url=env.get("VCGRAPH_GSP_URL") or None,
            user=env.get("VCGRAPH_STORE_USER") or None,
            password=env.get("VCGRAPH_STORE_PASSWORD") or None,
            auth_scheme=auth,  # type: ignore[arg-type]
            timeout=_positive_number("VCGRAPH_STORE_TIMEOUT", env.get("VCGRAPH_STORE_TIMEOUT"), 30.0),
            batch_size=_positive_integer("VCGRAPH_STORE_BATCH", env.get("VCGRAPH_STORE_BATCH"), 50_000),
            default_graph_iri=env.get("VCGRAPH_STORE_DEFAULT_GRAPH") or None,
            graph_prefixes=tuple(env.get("VCGRAPH_STORE_GRAPH_PREFIXES", "").split()) or None,
            graphs_ttl=_non_negative_number("VCGRAPH_STORE_GRAPHS_TTL", env.get("VCGRAPH_STORE_GRAPHS_TTL")),
        )


def _default_update_url(query_url: str) -> str:
    if query_url.rstrip("/").endswith("/query"):
        return query_url.rstrip("/")[: -len("query")] + "update"
    return query_url


def _positive_number(name: str, raw: str | None, default: float) -> float:
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise StoreError(f"{name} must be a positive number, not {raw!r}") from None
    if value <= 0:
        raise StoreError(f"{name} must be a positive number, not {raw!r}")
    return value


def _non_negative_number(name: str, raw: str | None) -> float:
    if raw is None or raw == "":
        return 0.0
    try:
        value = float(raw)
    except ValueError:
        raise StoreError(f"{name} must be a number of seconds (0 or more), not {raw!r}") from None
    if value < 0:
        raise StoreError(f"{name} must be a number of seconds (0 or more), not {raw!r}")
    return value


def _positive_integer(name: str, raw: str | None, default: int) -> int:
    if raw is None or raw == "":
        return default
    if not raw.strip().isdigit() or int(raw) < 1:
        raise StoreError(f"{name} must be a positive integer, not {raw!r}")
    return int(raw)


def _excerpt(text: str) -> str:
    text = text.strip()
    return text if len(text) <= _BODY_EXCERPT else text[:_BODY_EXCERPT] + "..."


class RemoteStore:
    """The :class:`~vcgraph.store.port.Store` port over a SPARQL 1.1 endpoint (Oxigraph server, Virtuoso...).

    The port's default graph is the store's own default graph, or, when ``default_graph_iri`` is set, the named
    graph of that IRI: stores such as Virtuoso have no separate default graph to write to, and the SPARQL
    protocol cannot name a store's default graph next to other graphs in ``default-graph-uri``.
    """

    # Virtuoso 7 answered the branches of matchmaking-needs sent at once wrongly (a need's OPTIONAL columns left
    # unbound) in 3 of 4 runs of the parity suite, and rightly in 6 of 6 one after the other; its answers depend on
    # the queries it runs beside (openlink/virtuoso-opensource#1052). Nor can it be given the whole query: it
    # answered gaps-needs' and trends-needs' UNIONs wrongly. A remote store gets the branches one after the other.
    concurrent_branches = False

    def __init__(
        self,
        settings: RemoteSettings,
        *,
        read_only: bool = False,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        if settings.batch_size < 1:
            raise StoreError(f"the write batch size must be at least 1, not {settings.batch_size}")
        for url in (settings.query_url, settings.update_url, settings.gsp_url):
            if url is not None and not url.startswith(("http://", "https://")):
                raise StoreError(f"store endpoint {url!r} is not an http(s) URL")
        self.settings = settings
        self.read_only = read_only
        self._default_iri = NamedNode(settings.default_graph_iri) if settings.default_graph_iri else None
        self._distinct_graph_listing = False
        self._graphs_cache: tuple[float, list[NamedNode]] | None = None
        auth: httpx.Auth | None = None
        if settings.user is not None:
            password = settings.password or ""
            if settings.auth_scheme == "digest":
                auth = httpx.DigestAuth(settings.user, password)
            else:
                auth = httpx.BasicAuth(settings.user, password)
        # Connect fails fast (a dead store is not worth waiting for); reading an answer may take the whole
        # budget. trust_env=False: a proxy from the environment must not see the store's credentials.
        timeout = httpx.Timeout(settings.timeout, connect=min(settings.timeout, 10.0))
        self._client = httpx.Client(
            auth=auth, timeout=timeout, transport=transport, trust_env=False, follow_redirects=False
        )

    # ------------------------------------------------------------------ reads

    def query(self, query: str, *, dataset: Dataset | None = None, base_iri: str | None = None) -> QueryOutcome:
        text = _with_base(query, base_iri)
        return self._evaluate(text, self._dataset_params(self._dataset_of(text, dataset)))

    def query_in_turn(self, queries: Sequence[str], *, dataset: Dataset | None = None) -> Iterator[QueryOutcome]:
        # Each query is sent once the store has answered the one before, as the port says, but while this thread
        # parses that answer rather than after: parsing is ours (0.11 s for 6 MB of JSON, read twice by
        # _parse_answer), and the store would otherwise sit idle meanwhile. At most one answer waits unparsed.
        prepared: dict[bool, list[tuple[str, str]]] = {}  # keyed by whether the store's own dataset is spelled out
        requests: list[tuple[str, list[tuple[str, str]]]] = []
        for text in queries:
            chosen = self._dataset_of(text, dataset)
            spelled_out = chosen is not dataset
            if spelled_out not in prepared:
                prepared[spelled_out] = self._dataset_params(chosen)
            requests.append((text, prepared[spelled_out]))
        if not requests:
            return
        fetcher = ThreadPoolExecutor(1, thread_name_prefix="vcgraph-remote")
        try:
            pending = fetcher.submit(self._fetch, *requests[0])
            for text, params in requests[1:]:
                response = pending.result()
                pending = fetcher.submit(self._fetch, text, params)
                yield _parse_answer(response)
            yield _parse_answer(pending.result())
        finally:
            # A caller that stops reading (or fails) leaves at most the one request in flight to end on its own.
            fetcher.shutdown(wait=False, cancel_futures=True)

    def _dataset_of(self, text: str, dataset: Dataset | None) -> Dataset | None:
        if dataset is None and self._default_iri is not None and not _names_its_dataset(text):
            # Such a store's own dataset is every graph it holds (Virtuoso: system graphs and other tenants'
            # too); the port's is its default graph plus our named graphs, so spell that out.
            return Dataset(default_graphs=[DefaultGraph()])
        return dataset

    def _evaluate(self, text: str, dataset_params: list[tuple[str, str]]) -> QueryOutcome:
        return _parse_answer(self._fetch(text, dataset_params))

    def _fetch(self, text: str, dataset_params: list[tuple[str, str]]) -> httpx.Response:
        """The store's answer to a query, read whole and its status checked, not yet parsed."""
        accept = _FORMS.get(_query_form(text) or "", _ANY_ACCEPT)
        return self._post(
            self.settings.query_url, "query", data=[("query", text), *dataset_params], headers={"Accept": accept}
        )

    def _ask_raw(self, query: str) -> bool:
        """An ASK against the store's own dataset (no protocol dataset), for internal checks."""
        outcome = self._evaluate(query, [])
        if not isinstance(outcome, QueryBoolean):
            raise StoreError(f"the store answered an ASK query with {type(outcome).__name__}")
        return bool(outcome)

    def _construct(self, query: str) -> list[Triple]:
        response = self._post(
            self.settings.query_url, "query", data=[("query", query)], headers={"Accept": "application/n-triples"}
        )
        rdf_format = _rdf_format(response)
        try:
            return [quad.triple for quad in parse(response.content, format=rdf_format)]
        except SyntaxError as exc:
            raise TruncatedResult(
                f"the store's answer from {self.settings.query_url} is cut or malformed: {exc}"
            ) from exc

    def quads(self, graph: GraphName | None = None) -> Iterable[Quad]:
        if graph is None:
            return self._all_quads()
        triples = self._construct(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {self._graph_pattern(graph, '?s ?p ?o')} }}")
        return [Quad(t.subject, t.predicate, t.object, graph) for t in triples]

    def _all_quads(self) -> Iterator[Quad]:
        yield from self.quads(DefaultGraph())
        for name in self.graphs():
            yield from self.quads(name)

    def dump(self, format: RdfFormat, graph: GraphName | None = None) -> bytes:
        if format.supports_datasets:
            data = serialize(self.quads(graph), format=format)
        else:
            data = serialize(
                (quad.triple for quad in self.quads(graph or DefaultGraph())),
                format=format,
            )
        return data or b""

    def graphs(self) -> list[NamedNode]:
        # Every public question lists the graphs first (public_dataset): 20-100 ms on a remote store at 100k
        # triples. With graphs_ttl > 0 the list is reused that long; our own writes drop it at once, another
        # writer's new graph shows up within graphs_ttl (restricted graphs are excluded by name either way).
        ttl = self.settings.graphs_ttl
        cached = self._graphs_cache
        if ttl > 0 and cached is not None and time.monotonic() - cached[0] < ttl:
            return list(cached[1])
        listed_at = time.monotonic()
        listed = self._list_graphs()
        if ttl > 0:
            self._graphs_cache = (listed_at, listed)
        return list(listed)

    def _list_graphs(self) -> list[NamedNode]:
        names: set[str] = set()
        for term in self._graph_names():
            if isinstance(term, NamedNode) and not term.value.startswith(STAGING) and self._is_ours(term.value):
                names.add(term.value)
        if self._default_iri is not None:
            names.discard(self._default_iri.value)
        names.discard(EMPTY_GRAPH.value)
        if self._distinct_graph_listing and names:
            names = self._non_empty(names)
        return [NamedNode(name) for name in sorted(names)]

    def _is_ours(self, graph: str) -> bool:
        prefixes = self.settings.graph_prefixes
        return prefixes is None or graph.startswith(prefixes)

    def _graph_names(self) -> list[Term | None]:
        """The named graphs the store lists, staging and (on Virtuoso) empty created ones included."""
        if not self._distinct_graph_listing:
            # GRAPH ?g {} enumerates the named graphs from the store's graph list instead of scanning every
            # quad (SELECT DISTINCT ?g costs seconds at a million triples on Oxigraph); the FILTER drops
            # graphs that exist but are empty, as the port promises non-empty ones.
            outcome = self._solutions("SELECT ?g WHERE { GRAPH ?g { } FILTER EXISTS { GRAPH ?g { ?s ?p ?o } } }")
            rows = [solution["g"] for solution in outcome]
            if all(row is not None for row in rows):
                return rows
            # Virtuoso answers the empty pattern with one unbound row. It answers DISTINCT from its graph
            # index in milliseconds (but lists empty created graphs: see _non_empty); the FILTER EXISTS form
            # above, which it evaluates once per quad, took 8 minutes at 100k triples.
            self._distinct_graph_listing = True
        return [solution["g"] for solution in self._solutions("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")]

    def _non_empty(self, names: set[str]) -> set[str]:
        """Those of ``names`` that hold at least one triple: one triple of each looked for, a sub-SELECT with LIMIT 1
        per graph (Virtuoso 7: 3 ms for four graphs at 50,000 organisations, where VALUES ?g with FILTER EXISTS
        took 32 ms, before every question), ``_NON_EMPTY_BATCH`` graphs per query."""
        ordered = sorted(names)
        found: set[str] = set()
        for start in range(0, len(ordered), _NON_EMPTY_BATCH):
            branches = " UNION ".join(
                f"{{ SELECT ?g WHERE {{ GRAPH {graph} {{ ?s ?p ?o }} BIND({graph} AS ?g) }} LIMIT 1 }}"
                for graph in (NamedNode(name) for name in ordered[start : start + _NON_EMPTY_BATCH])
            )
            outcome = self._solutions(f"SELECT ?g WHERE {{ {branches} }}")
            found.update(term.value for term in (solution["g"] for solution in outcome) if isinstance(term, NamedNode))
        return found

    def _solutions(self, query: str) -> QuerySolutions:
        outcome = self._evaluate(query, [])
        if not isinstance(outcome, QuerySolutions):
            raise StoreError(f"the store answered a SELECT query with {type(outcome).__name__}")
        return outcome

    # ----------------------------------------------------------------- writes

    def update(self, update: str, *, base_iri: str | None = None) -> None:
        self._require_writable()
        self._post(self._update_url(), "update", data=[("update", _with_base(update, base_iri))])

    def replace_graphs(self, graphs: Mapping[NamedNode, Iterable[Triple]]) -> None:
        self._require_writable()
        plan = _WritePlan(self)
        try:
            for target, triples in graphs.items():
                plan.open(target)
                for triple in triples:
                    plan.add(target, triple)
            if plan.staged is None:
                # Everything fits in one request: replace in place, in one update, one transaction.
                operations = [
                    operation
                    for target, held in plan.held.items()
                    for operation in (f"DROP SILENT GRAPH {target}", *self._inserts(target, held))
                ]
            else:
                # Staged in batches: swap in one update request, so readers see every old graph or every new one.
                plan.finish()
                operations = [
                    f"DROP SILENT GRAPH {target} ;\nMOVE SILENT GRAPH {staging} TO GRAPH {target}"
                    for target, staging in plan.staged.items()
                ]
            if operations:
                self._post(self._update_url(), "update", data=[("update", " ;\n".join(operations))])
        except BaseException:
            plan.discard()
            raise

    def load(self, source: Path | bytes, format: RdfFormat, graph: GraphName | None = None) -> None:
        self._require_writable()
        parse_args: dict[str, object] = {"format": format}
        if isinstance(source, Path):
            parse_args["path"] = str(source)
        else:
            parse_args["input"] = source
        # The parser gives quads in the default graph for triple formats: those go to ``graph``. Quad
        # formats keep their own graphs, as the embedded adapter does.
        triples_graph: GraphName = DefaultGraph() if graph is None or format.supports_datasets else graph
        plan = _WritePlan(self)
        try:
            for quad in parse(**parse_args):  # type: ignore[arg-type]
                target = quad.graph_name
                if isinstance(target, BlankNode):
                    raise StoreError("quads in blank-node graphs cannot be stored; name the graph with an IRI")
                plan.add(triples_graph if isinstance(target, DefaultGraph) else target, quad.triple)
            if plan.staged is None:
                operations = [op for target, held in plan.held.items() for op in self._inserts(target, held)]
            else:
                # Everything is staged: add it to its graphs and drop the staging graphs in one update request.
                plan.finish()
                operations = [
                    f"ADD SILENT GRAPH {staging} TO {self._graph_ref(target)} ;\nDROP SILENT GRAPH {staging}"
                    for target, staging in plan.staged.items()
                ]
            if operations:
                self._post(self._update_url(), "update", data=[("update", " ;\n".join(operations))])
        except BaseException:
            plan.discard()
            raise

    def _inserts(self, target: GraphName, triples: Sequence[Triple]) -> list[str]:
        """Update operations that add ``triples`` to ``target``: INSERT DATA, and a template for blank nodes."""
        stored = self._stored_graph(target)
        ground = [t for t in triples if not _has_blank_node(t)]
        with_blank_nodes = [t for t in triples if _has_blank_node(t)]
        operations = []
        for start in range(0, len(ground), INSERT_DATA_TRIPLES):
            chunk = ground[start : start + INSERT_DATA_TRIPLES]
            operations.append(f"INSERT DATA {{ {_graph_block(stored, chunk)} }}")
        if with_blank_nodes:
            # INSERT DATA may hold blank nodes in SPARQL 1.1 but Virtuoso refuses them there; a template with
            # an empty WHERE makes one fresh node per label, the same everywhere in the request.
            operations.append(f"INSERT {{ {_graph_block(stored, with_blank_nodes)} }} WHERE {{ }}")
        return operations

    def clear_graph(self, graph: GraphName) -> None:
        self._require_writable()
        stored = self._stored_graph(graph)
        operation = "CLEAR SILENT DEFAULT" if stored is None else f"DROP SILENT GRAPH {stored}"
        self._post(self._update_url(), "update", data=[("update", operation)])

    def generation(self) -> int | None:
        # Other clients may write the remote store behind our back: no write count of ours can say that an
        # earlier answer is still true, so nothing is reused (unless VCGRAPH_CACHE_TTL opts into staleness).
        return None

    def close(self) -> None:
        self._client.close()

    # -------------------------------------------------------------- internals

    def _send_triples(self, graph: NamedNode, triples: Sequence[Triple]) -> None:
        body = serialize(triples, format=RdfFormat.N_TRIPLES) or b""
        if self.settings.gsp_url is not None:
            self._post(
                self.settings.gsp_url,
                "graph store write",
                params={"graph": graph.value},
                content=body,
                headers={"Content-Type": "application/n-triples"},
            )
        else:
            # One request per operation: a staging graph is read by nobody until it is moved in place, so nothing
            # needs these in one transaction, and Virtuoso refuses a request of thousands of triples.
            for operation in self._inserts(graph, triples):
                self._post(self._update_url(), "update", data=[("update", operation)])

    def _drop_graphs(self, graphs: Iterable[NamedNode]) -> None:
        drops = " ;\n".join(f"DROP SILENT GRAPH {g}" for g in graphs)
        if not drops:
            return
        # Cleaning up after a failure must not hide that failure; a staging graph left behind is never part
        # of any answer (graphs() hides it) and discard_staging() removes it.
        with contextlib.suppress(StoreError):
            self._post(self._update_url(), "update", data=[("update", drops)])

    def discard_staging(self) -> None:
        """Remove every staging graph on the store, for an operator after a crash.

        Not called automatically, unlike the embedded adapter's: several services may share a remote store,
        and another one's replace may be staging right now.
        """
        self._require_writable()
        staging = [g for g in self._graph_names() if isinstance(g, NamedNode) and g.value.startswith(STAGING)]
        self._drop_graphs(staging)

    def _stored_graph(self, graph: GraphName) -> NamedNode | None:
        """The named graph that holds ``graph`` on the store; None for the store's own default graph."""
        if isinstance(graph, DefaultGraph):
            return self._default_iri
        return graph

    def _graph_pattern(self, graph: GraphName, pattern: str) -> str:
        stored = self._stored_graph(graph)
        return pattern if stored is None else f"GRAPH {stored} {{ {pattern} }}"

    def _graph_ref(self, graph: GraphName) -> str:
        """``GRAPH <iri>`` or ``DEFAULT``, as ADD/MOVE name a graph."""
        stored = self._stored_graph(graph)
        return "DEFAULT" if stored is None else f"GRAPH {stored}"

    def _update_url(self) -> str:
        return self.settings.update_url or _default_update_url(self.settings.query_url)

    def _require_writable(self) -> None:
        if self.read_only:
            raise StoreError(f"the store at {self.settings.query_url} was opened read-only")
        self._graphs_cache = None

    def _dataset_params(self, dataset: Dataset | None) -> list[tuple[str, str]]:
        """``default-graph-uri`` / ``named-graph-uri`` parameters for a port dataset.

        Once either parameter is sent, the protocol dataset is exactly what they list, so both lists are
        spelled out; an empty default graph is the IRI of a graph that holds nothing.
        """
        if dataset is None:
            return []
        default = dataset.default_graphs
        named = dataset.named_graphs
        if default is None and named is None and not dataset.union_default_graph:
            return []
        if default is None and dataset.union_default_graph:
            default = [DefaultGraph(), *self.graphs()]
        elif default is None:
            default = [DefaultGraph()]
        if named is None:
            if list(default) == [DefaultGraph()] and self._default_iri is None:
                return []  # the store's own dataset is exactly this one
            named = self.graphs()
        default_iris = self._resolve_default_graphs(default)
        if not default_iris:
            default_iris = [EMPTY_GRAPH.value]
        # An empty named-graph list must be said too: Virtuoso reads a missing one as "every graph".
        named_iris = [g.value for g in named] or [EMPTY_GRAPH.value]
        params = [("default-graph-uri", iri) for iri in default_iris]
        params += [("named-graph-uri", iri) for iri in named_iris]
        return params

    def _resolve_default_graphs(self, graphs: Sequence[GraphName]) -> list[str]:
        iris: list[str] = []
        for graph in graphs:
            if isinstance(graph, NamedNode):
                iris.append(graph.value)
            elif self._default_iri is not None:
                iris.append(self._default_iri.value)
            elif self._ask_raw("ASK { ?s ?p ?o }"):
                # Dropping an empty graph from a union changes nothing; dropping a non-empty one would.
                raise StoreError(
                    "the remote store has triples in its default graph, which the SPARQL protocol cannot name "
                    "next to other graphs; move them to a named graph or set VCGRAPH_STORE_DEFAULT_GRAPH to "
                    "the IRI of the graph that stands for the default graph"
                )
        return iris

    def _post(
        self,
        url: str,
        what: str,
        *,
        data: list[tuple[str, str]] | None = None,
        content: bytes | None = None,
        params: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        try:
            if data is not None:
                # httpx takes repeated form fields as a mapping of lists.
                form: dict[str, list[str]] = {}
                for key, value in data:
                    form.setdefault(key, []).append(value)
                response = self._client.post(url, data=form, params=params, headers=headers)
            else:
                response = self._client.post(url, content=content, params=params, headers=headers)
        except httpx.TimeoutException as exc:
            raise StoreTimeout(
                f"the store at {url} did not answer the {what} within {self.settings.timeout:g} s"
            ) from exc
        except httpx.RemoteProtocolError as exc:
            # The connection closed before the announced end of the body: a cut answer.
            raise TruncatedResult(f"the store at {url} cut its answer to the {what}: {exc}") from exc
        except httpx.HTTPError as exc:
            raise StoreError(f"cannot reach the store at {url}: {exc}") from exc
        if what != "query":
            # A write may add or empty graphs; dropped after it too, in case a listing ran meanwhile.
            self._graphs_cache = None
        _check_status(response, url, what)
        return response


class _WritePlan:
    """Triples on their way to their graphs: held back while they fit in one request, staged beyond that.

    A write of at most ``batch_size`` triples (and :data:`INLINE_WRITE_TRIPLES`) is sent as one update request,
    which the store applies in one transaction. A bigger one goes to one staging graph per target, ``batch_size``
    triples per request, and the caller moves the staging graphs in place with one update request at the end.

    Triples that mention a blank node are held back to the last request of their graph: a blank node label only
    means the same node within one request, so splitting them would split the node.
    """

    def __init__(self, store: RemoteStore) -> None:
        self.store = store
        self.token = uuid.uuid4().hex
        self.held: dict[GraphName, list[Triple]] = {}
        self.count = 0
        self.staged: dict[GraphName, NamedNode] | None = None
        self.with_blank_nodes: dict[GraphName, list[Triple]] = {}

    def open(self, target: GraphName) -> None:
        """Make ``target`` part of the write even if no triple comes for it (replace with nothing)."""
        self.held.setdefault(target, [])
        if self.staged is not None:
            self._staging(target)

    def add(self, target: GraphName, triple: Triple) -> None:
        if self.staged is None:
            self.held.setdefault(target, []).append(triple)
            self.count += 1
            if self.count > min(self.store.settings.batch_size, INLINE_WRITE_TRIPLES):
                self._start_staging()
            return
        if _has_blank_node(triple):
            self.with_blank_nodes.setdefault(target, []).append(triple)
            return
        batch = self.held.setdefault(target, [])
        batch.append(triple)
        if len(batch) >= self.store.settings.batch_size:
            self.store._send_triples(self._staging(target), batch)
            self.held[target] = []

    def _start_staging(self) -> None:
        self.staged = {}
        held, self.held = self.held, {}
        for target, triples in held.items():
            self._staging(target)
            for triple in triples:
                self.add(target, triple)

    def _staging(self, target: GraphName) -> NamedNode:
        assert self.staged is not None
        staging = self.staged.get(target)
        if staging is None:
            staging = self.staged[target] = NamedNode(f"{STAGING}{self.token}:{len(self.staged)}")
        return staging

    def finish(self) -> None:
        """Send what is still held to the staging graphs."""
        targets = list(self.held) + [t for t in self.with_blank_nodes if t not in self.held]
        for target in targets:
            rest = self.held.get(target, []) + self.with_blank_nodes.get(target, [])
            if rest:
                self.store._send_triples(self._staging(target), rest)
        self.held, self.with_blank_nodes = {}, {}

    def discard(self) -> None:
        if self.staged:
            self.store._drop_graphs(self.staged.values())


def _has_blank_node(triple: Triple) -> bool:
    return isinstance(triple.subject, BlankNode) or isinstance(triple.object, BlankNode)


def _graph_block(graph: NamedNode | None, triples: Sequence[Triple]) -> str:
    """Triples as an update block, in ``graph`` (None: the default graph).

    N-Triples terms are SPARQL terms and pyoxigraph escapes them, so the data cannot break out of the block
    whatever its strings hold.
    """
    body = (serialize(triples, format=RdfFormat.N_TRIPLES) or b"").decode("utf-8")
    return body if graph is None else f"GRAPH {graph} {{\n{body}}}"


def _with_base(text: str, base_iri: str | None) -> str:
    """The protocol has no base IRI parameter; a BASE prologue says the same (a BASE in the text still wins)."""
    if base_iri is None:
        return text
    try:
        base = NamedNode(base_iri)
    except ValueError as exc:
        raise ValueError(f"base IRI {base_iri!r} is not a valid IRI: {exc}") from exc
    return f"BASE {base}\n{text}"


def _check_status(response: httpx.Response, url: str, what: str) -> None:
    status = response.status_code
    state = response.headers.get("X-SQL-State")
    if status == 206 or (state is not None and 200 <= status < 300):
        # Virtuoso's "anytime" answer: what it found before its time limit, flagged by 206 and/or an SQL state
        # (S1TAT) on an otherwise normal 200, with a well-formed body that is nonetheless incomplete.
        message = response.headers.get("X-SQL-Message", "")
        raise TruncatedResult(
            f"the store at {url} returned a partial answer to the {what} (HTTP {status}, SQL state {state or '?'}"
            + (f": {_excerpt(message)}" if message else "")
            + ")"
        )
    if 200 <= status < 300:
        max_rows = response.headers.get("X-SPARQL-MaxRows")
        if max_rows is not None:
            # Virtuoso's ResultSetMaxRows: it cuts the rows and says so only in this header.
            raise TruncatedResult(f"the store at {url} cut the answer to the {what} at its limit of {max_rows} rows")
        return
    body = _excerpt(response.text)
    if status == 400 and what in ("query", "update"):
        raise SyntaxError(f"the store rejected the {what}: {body}")
    if status in (401, 403):
        raise StoreError(f"the store at {url} refused the credentials for the {what} (HTTP {status})")
    if status in (502, 503, 504) or _TIMEOUT_STATES.search(body):
        raise StoreTimeout(f"the store at {url} is unavailable or timed out on the {what} (HTTP {status}): {body}")
    raise StoreError(f"the store at {url} failed the {what} (HTTP {status}): {body}")


# Virtuoso reports its MaxQueryExecutionTime as an SQL error: state S1T00, code SR171 "Transaction timed out".
_TIMEOUT_STATES = re.compile(r"\bS1T00\b|\bSR171\b")


def _decoded(text: str) -> str:
    # Codepoint escapes are rare; skipping the substitution keeps the common case at one scan of the text.
    return decode_escapes(text) if "\\u" in text or "\\U" in text else text


def _names_its_dataset(text: str) -> bool:
    """Whether the query says its own dataset with FROM / FROM NAMED."""
    decoded = _decoded(text)
    if "from" not in decoded.lower():
        return False
    return any(token.keyword == "FROM" for token in tokens(decoded))


def _query_form(text: str) -> str | None:
    """SELECT, ASK, CONSTRUCT or DESCRIBE: the first of these keywords in the text, None if none is."""
    for token in tokens(_decoded(text)):
        keyword = token.keyword
        if keyword in _FORMS:
            return keyword
    return None


def _media_type(response: httpx.Response) -> str:
    return response.headers.get("Content-Type", "").split(";")[0].strip().lower()


def _rdf_format(response: httpx.Response) -> RdfFormat:
    media_type = _media_type(response)
    rdf_format = RdfFormat.from_media_type(media_type) if media_type else None
    if rdf_format is None:
        raise StoreError(f"the store answered with {media_type or 'no content type'}, not an RDF format")
    return rdf_format


def _parse_answer(response: httpx.Response) -> QueryOutcome:
    media_type = _media_type(response)
    body = response.content
    results_format = QueryResultsFormat.from_media_type(media_type) if media_type else None
    if results_format is not None and b"nodeID://" in body:
        pattern = _VIRTUOSO_BNODE_XML if results_format == QueryResultsFormat.XML else _VIRTUOSO_BNODE_JSON
        body = pattern.sub(lambda match: match.group(0)[: -len(b"nodeID://")], body)
    outcome: QueryOutcome | None = None
    try:
        if results_format is not None:
            outcome = parse_query_results(body, format=results_format)
            if isinstance(outcome, QuerySolutions):
                # The parser is lazy: a cut body fails only when its end is reached. Read it all once, then
                # hand out a fresh iterator over the body we now know is whole.
                for _ in outcome:
                    pass
                outcome = parse_query_results(body, format=results_format)
            return outcome
        rdf_format = RdfFormat.from_media_type(media_type) if media_type else None
        if rdf_format is None:
            raise StoreError(f"the store answered with {media_type or 'no content type'}, not a SPARQL result")
        # QueryTriples has no public constructor: load the answer into a scratch in-memory store and let it
        # hand the triples back as the same class the embedded adapter returns.
        scratch = _OxStore()
        scratch.load(body, format=rdf_format)
        return scratch.query("CONSTRUCT WHERE { ?s ?p ?o }")
    except SyntaxError as exc:
        # Not kept alive by this frame in the exception's traceback: a pyoxigraph result may only be freed on the
        # thread that made it, and the exception travels to the event loop's thread.
        outcome = None
        raise TruncatedResult(f"the store's answer is cut or malformed ({media_type}): {exc}") from exc
