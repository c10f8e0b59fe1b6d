"""The SPARQL endpoint side by side with Oxigraph server and rdflib-endpoint: same data, same queries, same run.

One synthetic graph (``bench/questions.py``'s builder: real vocabularies, a synthetic NUTS tree, two waves;
``--organisations``, default 1,000, about 80k quads) is dumped once as N-Quads and loaded into each server:

* ``vcgraph serve`` on an on-disk store, twice: with its answer cache (the default: a repeated identical query is
  answered from the cache) and with ``VCGRAPH_CACHE_ENTRIES=0`` (every query evaluated);
* Oxigraph server (``oxigraph serve --union-default-graph``, the engine vcgraph embeds), loaded by ``oxigraph load``;
* rdflib-endpoint over an rdflib ``Dataset(default_union=True)``, run by uvicorn in a child process of this script.

Every server answers every query of the mix once first; the answers (rows, compared as multisets of RDF terms)
must be identical on all of them, or the script stops with exit 1. Then ``wrk`` posts the mix
(``application/sparql-query``, ``Accept: application/sparql-results+json``), cycling through it, at 1, 8 and 32
connections, one server at a time while the others sit idle. Results go to the ``## SPARQL endpoints side by side``
section of ``bench/RESULTS.md`` (other sections are left alone).

    python bench/endpoints.py                         # ~1,000 organisations, 12 s per run
    python bench/endpoints.py --organisations 200 --seconds 3 --no-write

Needs ``wrk`` (Debian package) and the ``bench`` extra (``pip install -e '.[dev,bench]'``).
"""

from __future__ import annotations

import argparse
import importlib.metadata
import math
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pyoxigraph
from pyoxigraph import QueryResultsFormat, QuerySolutions, RdfFormat

sys.path.insert(0, str(Path(__file__).resolve().parent))
import load as load_bench  # bench/load.py: how the real `vcgraph serve` is started, waited for and stopped
import questions as builder  # bench/questions.py: the synthetic graph of the questions benchmark

from vcgraph.config import Settings
from vcgraph.service.dataset import public_dataset
from vcgraph.store.oxigraph import OxigraphStore
from vcgraph.store.port import Dataset

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "RESULTS.md"
SECTION = "## SPARQL endpoints side by side"
BIN = Path(sys.executable).parent
OXIGRAPH = BIN / "oxigraph"
WRK = shutil.which("wrk") or "/usr/bin/wrk"

_PREFIXES = f"""PREFIX bm: <{builder.BM}>
PREFIX org: <{builder.ORG}>
PREFIX skos: <{builder.SKOS}>
PREFIX rdfs: <{builder.RDFS}>
PREFIX nuts: <{builder.NUTS}>
PREFIX vocab: <{builder.VOCAB}>
"""

# Plain SPARQL 1.1 that all three engines evaluate the same way. Counts use DISTINCT where a resource is described
# in both wave graphs: how a union default graph treats a triple present in two graphs (one match or two) is
# where engines may legitimately differ, and that is not what this benchmark measures. Not user-facing questions
# (those live in queries/*.rq): a fixed load mix for the endpoints, so it lives with the benchmark.
QUERIES: dict[str, str] = {
    "count-by-type": _PREFIXES
    + """SELECT ?type (COUNT(DISTINCT ?resource) AS ?count)
WHERE { ?resource a ?type }
GROUP BY ?type
ORDER BY ?type""",
    "actors-of-region": _PREFIXES
    + """SELECT DISTINCT ?actor ?label
WHERE {
  ?actor a bm:Actor ;
         org:hasSite/bm:inRegion ?region .
  ?region skos:broader/skos:broader nuts:BE3 .
  OPTIONAL { ?actor rdfs:label ?label }
}
ORDER BY ?actor""",
    "stage-labels-fr": _PREFIXES
    + """SELECT ?notation ?label
WHERE {
  ?stage skos:inScheme vocab:stage ;
         skos:notation ?notation ;
         skos:prefLabel ?label .
  FILTER(LANG(?label) = "fr")
}
ORDER BY ?notation""",
    "offers-per-stage": _PREFIXES
    + f"""SELECT ?stage (COUNT(?statement) AS ?offers)
WHERE {{ ?statement bm:stage ?stage ; bm:mode <{builder.VOCAB}mode/offer> }}
GROUP BY ?stage
ORDER BY ?stage""",
    "statements-per-technology-family": _PREFIXES
    + """SELECT ?family (COUNT(DISTINCT ?statement) AS ?statements)
WHERE {
  ?statement bm:technology ?technology .
  ?technology skos:broader* ?family .
  ?family skos:topConceptOf vocab:technology .
}
GROUP BY ?family
ORDER BY ?family""",
}

QUERY_HEADERS = {"Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"}
XSD_STRING = builder.XSD + "string"

Term = tuple[str, str, str, str]  # kind, value, datatype, language: comparable across engines
Row = tuple[tuple[str, Term], ...]


class BenchFailure(Exception):
    """A server did not start, answered an error, or answered differently: the run is not comparable."""


# --- the servers ---------------------------------------------------------------------------------------------


@dataclass
class Endpoint:
    """One served engine: ``url`` takes the query POSTs; ``stop`` ends its process."""

    label: str
    url: str
    process: subprocess.Popen[bytes] | None = None
    vcgraph: load_bench.Server | None = None
    log: Path | None = None

    def stop(self) -> None:
        if self.vcgraph is not None:
            left = self.vcgraph.stop()
            if left:
                print(f"warning: {left} worker processes of {self.label} left after it stopped", file=sys.stderr)
            return
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def _tail(path: Path | None, lines: int = 15) -> str:
    if path is None or not path.exists():
        return ""
    return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])


def _wait_until_answering(endpoint: Endpoint, seconds: float) -> None:
    """Poll with ``ASK {}`` until the endpoint answers 200; fail if its process exits or the time runs out."""
    deadline = time.monotonic() + seconds
    while True:
        if endpoint.process is not None and endpoint.process.poll() is not None:
            raise BenchFailure(
                f"{endpoint.label} exited at start (code {endpoint.process.returncode}):\n{_tail(endpoint.log)}"
            )
        try:
            response = httpx.post(endpoint.url, content=b"ASK {}", headers=QUERY_HEADERS, timeout=5)
            if response.status_code == 200:
                return
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            endpoint.stop()
            raise BenchFailure(f"{endpoint.label} did not answer within {seconds:g} s:\n{_tail(endpoint.log)}")
        time.sleep(0.3)


COPY_DONE = re.compile(r"memory copy of generation \d+ complete \((\d+) quads in ([0-9.]+) s\)")


def start_vcgraph(label: str, nquads: Path, store_dir: Path, env: dict[str, str], logs: Path, workers: int) -> Endpoint:
    """Load the N-Quads into an on-disk store (then flushed and closed), serve it with ``vcgraph serve`` and wait
    until each of its ``workers`` query workers has made its memory copy (its log says so): the steady state of a
    server between two writes."""
    store = OxigraphStore(store_dir)
    store.load(nquads, RdfFormat.N_QUADS)
    store.flush()
    store.close()
    log = logs / f"{store_dir.name}.log"
    try:
        server = load_bench.Server(store_dir, env, log=log)
    except RuntimeError as exc:
        raise BenchFailure(f"{label}: {exc}\n{_tail(log)}") from None
    endpoint = Endpoint(label, server.base_url + "/sparql", vcgraph=server, log=log)
    _wait_until_answering(endpoint, 60)
    deadline = time.monotonic() + 600
    while len(copies := COPY_DONE.findall(log.read_text(encoding="utf-8", errors="replace"))) < workers:
        if time.monotonic() > deadline:
            endpoint.stop()
            raise BenchFailure(f"{label}: its query workers made no memory copy within 600 s:\n{_tail(log)}")
        time.sleep(0.2)
    for quads, seconds in copies:
        print(f"{label}: a query worker copied {int(quads):,} quads into memory in {float(seconds):.1f} s", flush=True)
    return endpoint


def start_oxigraph_in_memory(nquads: Path, logs: Path) -> Endpoint:
    """``oxigraph serve`` without a location (an in-memory store), the N-Quads posted to its Graph Store endpoint:
    the engine as vcgraph's query workers run it, from their memory copies."""
    port = load_bench.free_port()
    log = logs / "oxigraph-memory.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(OXIGRAPH), "serve", "--bind", f"127.0.0.1:{port}", "--union-default-graph"],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    endpoint = Endpoint(OXIGRAPH_MEMORY_LABEL, f"http://127.0.0.1:{port}/query", process=process, log=log)
    _wait_until_answering(endpoint, 60)
    response = httpx.post(
        f"http://127.0.0.1:{port}/store",
        content=nquads.read_bytes(),
        headers={"Content-Type": "application/n-quads"},
        timeout=600,
    )
    if response.status_code >= 300:
        endpoint.stop()
        raise BenchFailure(f"{OXIGRAPH_MEMORY_LABEL}: loading answered {response.status_code}: {response.text[:300]}")
    return endpoint


def start_oxigraph(nquads: Path, location: Path, logs: Path) -> Endpoint:
    loaded = subprocess.run(
        [str(OXIGRAPH), "load", "--location", str(location), "--file", str(nquads)],
        capture_output=True,
        text=True,
    )
    if loaded.returncode != 0:
        raise BenchFailure(f"oxigraph load failed (code {loaded.returncode}): {loaded.stderr.strip()}")
    port = load_bench.free_port()
    log = logs / "oxigraph.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [
                str(OXIGRAPH),
                "serve",
                "--location",
                str(location),
                "--bind",
                f"127.0.0.1:{port}",
                "--union-default-graph",
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    endpoint = Endpoint("Oxigraph server", f"http://127.0.0.1:{port}/query", process=process, log=log)
    _wait_until_answering(endpoint, 60)
    return endpoint


def start_rdflib(nquads: Path, logs: Path) -> Endpoint:
    """rdflib-endpoint in a child process of this script (``--serve-rdflib``): its own interpreter and GIL."""
    port = load_bench.free_port()
    log = logs / "rdflib-endpoint.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve()), "--serve-rdflib", str(nquads), "--port", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    endpoint = Endpoint("rdflib-endpoint", f"http://127.0.0.1:{port}/sparql", process=process, log=log)
    # rdflib parses ~80k quads in pure Python before it can listen
    _wait_until_answering(endpoint, 300)
    return endpoint


def serve_rdflib(nquads: Path, port: int) -> None:
    """Serve the N-Quads with rdflib-endpoint as its README does: a ``Dataset`` (default graph = union of the
    named graphs) in ``SparqlEndpoint``, run by uvicorn."""
    import uvicorn
    from rdflib import Dataset
    from rdflib_endpoint import SparqlEndpoint

    dataset = Dataset(default_union=True)
    dataset.parse(str(nquads), format="nquads")
    print(f"rdflib Dataset: {len(dataset)} triples in the union default graph", flush=True)
    app = SparqlEndpoint(graph=dataset, path="/sparql", cors_enabled=False, title="rdflib-endpoint (benchmark)")
    uvicorn.run(app, host="127.0.0.1", port=port)


# --- the answers ---------------------------------------------------------------------------------------------


def _term(binding: dict[str, str]) -> Term:
    kind = "literal" if binding["type"] == "typed-literal" else binding["type"]
    datatype = binding.get("datatype", "")
    if datatype == XSD_STRING:  # RDF 1.1: a simple literal is an xsd:string; serialisers differ in saying so
        datatype = ""
    return kind, binding["value"], datatype, binding.get("xml:lang", "").lower()


def answer_rows(endpoint: Endpoint, name: str, http: httpx.Client) -> Counter[Row]:
    """The endpoint's rows for one query of the mix, as a multiset of comparable terms."""
    try:
        response = http.post(endpoint.url, content=QUERIES[name].encode(), headers=QUERY_HEADERS)
    except httpx.HTTPError as exc:
        raise BenchFailure(f"{endpoint.label} did not answer {name}: {exc!r}") from None
    if response.status_code != 200:
        raise BenchFailure(f"{endpoint.label} answered {response.status_code} to {name}: {response.text[:300]}")
    try:
        bindings = response.json()["results"]["bindings"]
    except (ValueError, KeyError) as exc:
        raise BenchFailure(f"{endpoint.label} answered {name} with no SPARQL JSON results: {exc}") from None
    return Counter(tuple(sorted((var, _term(value)) for var, value in row.items())) for row in bindings)


def check_answers(endpoints: Sequence[Endpoint]) -> dict[str, int]:
    """Every query on every endpoint; returns rows per query. Raises :class:`BenchFailure` on any difference."""
    rows: dict[str, int] = {}
    with httpx.Client(timeout=300) as http:
        for name in QUERIES:
            reference = answer_rows(endpoints[0], name, http)
            if not reference:
                raise BenchFailure(f"{name} has no answer on {endpoints[0].label}: it would measure nothing")
            for other in endpoints[1:]:
                answer = answer_rows(other, name, http)
                if answer != reference:
                    only_reference = list((reference - answer).elements())[:3]
                    only_other = list((answer - reference).elements())[:3]
                    raise BenchFailure(
                        f"{name}: {other.label} answered {answer.total()} rows, {endpoints[0].label} "
                        f"{reference.total()}; only on {endpoints[0].label}: {only_reference}; "
                        f"only on {other.label}: {only_other}"
                    )
            rows[name] = reference.total()
            print(f"  {name}: {rows[name]} rows, identical on {len(endpoints)} endpoints", flush=True)
    return rows


def time_alone(endpoint: Endpoint, repeat: int) -> dict[str, float]:
    """Median seconds of each query sent alone to the idle endpoint (after the answer check warmed it)."""
    medians: dict[str, float] = {}
    with httpx.Client(timeout=300) as http:
        for name, query in QUERIES.items():
            samples = []
            for _ in range(repeat):
                started = time.perf_counter()
                try:
                    response = http.post(endpoint.url, content=query.encode(), headers=QUERY_HEADERS)
                except httpx.HTTPError as exc:
                    raise BenchFailure(f"{endpoint.label} did not answer {name} alone: {exc!r}") from None
                samples.append(time.perf_counter() - started)
                if response.status_code != 200:
                    raise BenchFailure(f"{endpoint.label} answered {response.status_code} to {name} alone")
            medians[name] = sorted(samples)[len(samples) // 2]
    return medians


ENGINE_UNION = "engine in process, union flag"
ENGINE_PUBLIC = "engine in process, vcgraph's public dataset"
ENGINE_COPY = "engine in process, in-memory copy, union flag"


def time_engine(store_dir: Path, repeat: int) -> dict[str, dict[str, float]]:
    """Median seconds of each query on pyoxigraph in this process (no HTTP), answer written as SPARQL JSON: on
    the store on disk over the union flag (what ``oxigraph serve --union-default-graph`` evaluates) and over
    vcgraph's public dataset (the default graph listed graph by graph, so that restricted graphs stay out), and on
    an in-memory copy of the public graphs over its union flag (what vcgraph's query workers evaluate once they
    have made their copies).

    ``store_dir`` is vcgraph's store, opened read-only beside the server, as its query workers open it.
    """
    store = OxigraphStore(store_dir, read_only=True)
    copy = OxigraphStore(None)  # what a query worker of vcgraph serve answers from: its public graphs, in memory
    try:
        public = public_dataset(store, Settings(store=str(store_dir)))
        for graph in public.default_graphs or ():
            copy.load(pyoxigraph.serialize(store.quads(graph), format=RdfFormat.N_QUADS) or b"", RdfFormat.N_QUADS)
        union = Dataset(union_default_graph=True)
        datasets = {ENGINE_UNION: (store, union), ENGINE_PUBLIC: (store, public), ENGINE_COPY: (copy, union)}
        medians: dict[str, dict[str, float]] = {label: {} for label in datasets}
        for name, query in QUERIES.items():
            for label, (engine, dataset) in datasets.items():
                samples = []
                for _ in range(repeat):
                    started = time.perf_counter()
                    outcome = engine.query(query, dataset=dataset)
                    if not isinstance(outcome, QuerySolutions):
                        raise BenchFailure(f"{name} is not a SELECT query")
                    outcome.serialize(format=QueryResultsFormat.JSON)
                    samples.append(time.perf_counter() - started)
                medians[label][name] = sorted(samples)[len(samples) // 2]
        return medians
    finally:
        store.close()
        copy.close()


# --- the load (wrk) ------------------------------------------------------------------------------------------


def lua_script(path: Path) -> Path:
    """A wrk script posting the mix in turn (each wrk thread cycles through it on its own connections)."""
    bodies = []
    for query in QUERIES.values():
        if "]==]" in query:
            raise BenchFailure("a query of the mix contains the Lua long-string closer ]==]")
        bodies.append(f"  [==[{query}]==],")
    path.write_text(
        "-- generated by bench/endpoints.py: POST the SPARQL mix in turn\n"
        "local bodies = {\n" + "\n".join(bodies) + "\n}\n"
        "local turn = 0\n"
        'wrk.method = "POST"\n'
        f'wrk.headers["Content-Type"] = "{QUERY_HEADERS["Content-Type"]}"\n'
        f'wrk.headers["Accept"] = "{QUERY_HEADERS["Accept"]}"\n'
        "request = function()\n"
        "  turn = turn + 1\n"
        "  return wrk.format(nil, nil, nil, bodies[(turn % #bodies) + 1])\n"
        "end\n",
        encoding="utf-8",
    )
    return path


@dataclass
class WrkRun:
    server: str
    connections: int
    requests: int
    seconds: float
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    non_2xx: int
    socket_errors: int
    timeouts: int
    load_average: float


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}


def _ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m|h)", text)
    if not match:
        raise BenchFailure(f"unreadable wrk latency {text!r}")
    return float(match.group(1)) * _UNITS[match.group(2)]


def parse_wrk(output: str, server: str, connections: int, load_average: float) -> WrkRun:
    """Read wrk's ``--latency`` report: requests, req/s, p50/p99, non-2xx and socket errors."""
    done = re.search(r"(\d+) requests in ([\d.]+)(us|ms|s|m)", output)
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    p50 = re.search(r"^\s+50%\s+(\S+)", output, re.MULTILINE)
    p99 = re.search(r"^\s+99%\s+(\S+)", output, re.MULTILINE)
    if not (done and rate):
        raise BenchFailure(f"unreadable wrk report for {server} at {connections} connections:\n{output}")
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    sockets = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    socket_counts = [int(n) for n in sockets.groups()] if sockets else [0, 0, 0, 0]
    completed = int(done.group(1))
    return WrkRun(
        server=server,
        connections=connections,
        requests=completed,
        seconds=_ms(done.group(2) + done.group(3)) / 1000,
        requests_per_second=float(rate.group(1)),
        # with no request completed wrk still prints latencies (as 0.00us): there are none to report
        p50_ms=_ms(p50.group(1)) if p50 and completed else math.nan,
        p99_ms=_ms(p99.group(1)) if p99 and completed else math.nan,
        non_2xx=int(non_2xx.group(1)) if non_2xx else 0,
        socket_errors=sum(socket_counts[:3]),
        timeouts=socket_counts[3],
        load_average=load_average,
    )


def run_wrk(endpoint: Endpoint, script: Path, connections: int, seconds: float, timeout: float) -> WrkRun:
    threads = 1 if connections == 1 else 2
    command = [
        WRK,
        f"-t{threads}",
        f"-c{connections}",
        f"-d{seconds:g}s",
        f"--timeout={timeout:g}s",
        "--latency",
        "-s",
        str(script),
        endpoint.url,
    ]
    load_average = os.getloadavg()[0]
    try:
        finished = subprocess.run(command, capture_output=True, text=True, timeout=seconds + timeout + 60)
    except subprocess.TimeoutExpired:
        raise BenchFailure(f"wrk did not finish on {endpoint.label} at {connections} connections") from None
    if finished.returncode != 0:
        raise BenchFailure(f"wrk failed on {endpoint.label} (code {finished.returncode}): {finished.stderr.strip()}")
    run = parse_wrk(finished.stdout, endpoint.label, connections, load_average)
    print(
        f"  {endpoint.label} c={connections} ({seconds:g} s): {run.requests_per_second:.1f} req/s, "
        f"p50 {run.p50_ms:.1f} ms, "
        f"p99 {run.p99_ms:.1f} ms, non-2xx {run.non_2xx}, socket errors {run.socket_errors}, "
        f"timeouts {run.timeouts} (load average {load_average:.2f})",
        flush=True,
    )
    return run


ROUNDS_PER_CONNECTION = 5
"""A run lasts long enough for each connection to get about this many answers at the 1-client rate: wrk counts
only the answers that arrive within the run, so a slow server (rdflib-endpoint evaluates one query at a time)
with 32 requests queued would otherwise be charged for the first answers that had no time to arrive."""

MAX_RUN_SECONDS = 120.0


def run_seconds(args: argparse.Namespace, connections: int, one_client_rate: float | None) -> float:
    if one_client_rate is None or one_client_rate <= 0:
        return float(args.seconds)
    needed = ROUNDS_PER_CONNECTION * connections / one_client_rate
    return float(min(MAX_RUN_SECONDS, max(args.seconds, math.ceil(needed))))


def load_rounds(endpoints: Sequence[Endpoint], script: Path, args: argparse.Namespace) -> dict[tuple[str, int], WrkRun]:
    """``args.rounds`` rounds; in each, every client count in turn on every server, the servers' order reversed
    from one round to the next, so that all servers meet the machine's other load at each client count. Kept:
    each server's best run (most requests per second) at each client count, the least disturbed by that load."""
    best: dict[tuple[str, int], WrkRun] = {}
    one_client_rate: dict[str, float] = {}
    order = list(endpoints)
    for round_number in range(1, args.rounds + 1):
        print(f"load, round {round_number} of {args.rounds}:", flush=True)
        for connections in args.connections:
            for endpoint in order:
                seconds = run_seconds(args, connections, one_client_rate.get(endpoint.label))
                run = run_wrk(endpoint, script, connections, seconds, args.timeout)
                if connections == min(args.connections):
                    rate = max(one_client_rate.get(endpoint.label, 0.0), run.requests_per_second)
                    one_client_rate[endpoint.label] = rate
                key = (endpoint.label, connections)
                if key not in best or run.requests_per_second > best[key].requests_per_second:
                    best[key] = run
        order.reverse()
    return best


# --- the report ----------------------------------------------------------------------------------------------

VCGRAPH_CACHED = "vcgraph (answer cache on)"
VCGRAPH_EVALUATED = "vcgraph (cache off)"
OXIGRAPH_LABEL = "Oxigraph server"
OXIGRAPH_MEMORY_LABEL = "Oxigraph server (in memory)"
RDFLIB_LABEL = "rdflib-endpoint"


def versions() -> dict[str, str]:
    oxigraph = subprocess.run([str(OXIGRAPH), "--version"], capture_output=True, text=True).stdout.strip()
    wrk = subprocess.run([WRK, "--version"], capture_output=True, text=True).stdout.splitlines()
    return {
        "Python": platform.python_version(),
        "pyoxigraph": pyoxigraph.__version__,
        "oxigraph server": oxigraph.removeprefix("oxigraph").strip() or "?",
        "rdflib": importlib.metadata.version("rdflib"),
        "rdflib-endpoint": importlib.metadata.version("rdflib-endpoint"),
        "uvicorn": importlib.metadata.version("uvicorn"),
        "wrk": wrk[0].split()[1] if wrk and len(wrk[0].split()) > 1 else "?",
    }


def _number(value: float, digits: int = 1) -> str:
    return "-" if math.isnan(value) else f"{value:,.{digits}f}"


def _ratio(top: float, bottom: float) -> float:
    return top / bottom if bottom > 0 else math.inf


@dataclass
class Verdicts:
    rdflib_ratios: dict[int, float]  # cache off, per connection count
    rdflib_ratios_cached: dict[int, float]
    overhead_ms: float  # at one connection, mean per request, cache off minus Oxigraph server in memory
    allowed_ms: float
    errors: int

    @property
    def ten_times(self) -> bool:
        return self.errors == 0 and all(ratio >= 10 for ratio in self.rdflib_ratios.values())

    @property
    def overhead_within(self) -> bool:
        return self.errors == 0 and self.overhead_ms <= self.allowed_ms


def verdicts(runs: dict[tuple[str, int], WrkRun], connections: Sequence[int]) -> Verdicts:
    def rate(server: str, clients: int) -> float:
        return runs[(server, clients)].requests_per_second

    one = min(connections)
    # the engine vcgraph fronts is pyoxigraph over an in-memory copy of the public graphs: the same engine, in memory
    engine_ms = 1000 / rate(OXIGRAPH_MEMORY_LABEL, one)
    ours_ms = 1000 / rate(VCGRAPH_EVALUATED, one)
    ours = [run for (server, _), run in runs.items() if server.startswith("vcgraph")]
    return Verdicts(
        rdflib_ratios={c: _ratio(rate(VCGRAPH_EVALUATED, c), rate(RDFLIB_LABEL, c)) for c in connections},
        rdflib_ratios_cached={c: _ratio(rate(VCGRAPH_CACHED, c), rate(RDFLIB_LABEL, c)) for c in connections},
        overhead_ms=ours_ms - engine_ms,
        allowed_ms=max(0.2 * engine_ms, 2.0),
        errors=sum(run.non_2xx + run.socket_errors + run.timeouts for run in ours),
    )


def report(
    started: datetime,
    load_at_start: tuple[float, float, float],
    quads: int,
    rows: dict[str, int],
    alone: dict[str, dict[str, float]],
    runs: dict[tuple[str, int], WrkRun],
    args: argparse.Namespace,
) -> str:
    servers = [VCGRAPH_CACHED, VCGRAPH_EVALUATED, OXIGRAPH_LABEL, OXIGRAPH_MEMORY_LABEL, RDFLIB_LABEL]
    engines = [ENGINE_UNION, ENGINE_PUBLIC, ENGINE_COPY]
    connections: list[int] = args.connections
    found = verdicts(runs, connections)
    installed = versions()
    version_text = ", ".join(f"{name} {value}" for name, value in installed.items())
    one = min(connections)
    lines = [
        SECTION,
        "",
        f"`python bench/endpoints.py --organisations {args.organisations} --seconds {args.seconds:g} "
        f"--rounds {args.rounds}` "
        f"({started:%Y-%m-%d %H:%M} UTC; {version_text}). Machine: {os.cpu_count()} cores, shared with the load "
        "generator and whatever else runs (the load averages tell); load average at start "
        f"{load_at_start[0]:.2f} / {load_at_start[1]:.2f} / {load_at_start[2]:.2f} (1 / 5 / 15 min), and before "
        "each run in the table.",
        "",
        f"Data: {quads:,} quads (bench/questions.py's synthetic graph: real vocabularies, synthetic NUTS tree, two "
        "waves), dumped once as N-Quads and loaded into each server. Servers on 127.0.0.1, started and stopped by "
        "the script, measured one at a time while the others sat idle:",
        "",
        "* **vcgraph (answer cache on)**: `vcgraph serve` as deployed (PooledStore: queries in "
        f"{args.workers} worker processes, each answering from its in-memory copy of the public graphs, measured "
        "once every worker had made it), default graph = union of the public graphs. Its answer cache is on "
        "(the default): after the first request of each query, **every request of this mix is served from the "
        "cache** without evaluating the query. This is what a public endpoint does for repeated queries, but it "
        "is not engine work;",
        "* **vcgraph (cache off)**: the same with `VCGRAPH_CACHE_ENTRIES=0`: every request evaluated. The "
        "comparisons with the engines below use this row;",
        f"* **Oxigraph server** {installed['oxigraph server']}: `oxigraph serve --union-default-graph` on a "
        "store made by `oxigraph load`;",
        "* **Oxigraph server (in memory)**: the same without `--location` (an in-memory store), the N-Quads posted "
        "to its `/store`: the engine as vcgraph's query workers run it;",
        "* **rdflib-endpoint**: `SparqlEndpoint` over an rdflib `Dataset(default_union=True)` run by uvicorn, as "
        "its README shows.",
        "",
        f"`VCGRAPH_MAX_CONCURRENT={args.max_concurrent}` (above the highest client count, so no request is refused "
        "with a 503). Load: `wrk` (1 thread at 1 connection, 2 threads above), client timeout "
        f"{args.timeout:g} s, posting the {len(QUERIES)} queries below in turn as `application/sparql-query` with "
        "`Accept: application/sparql-results+json`. Each run lasts "
        f"{args.seconds:g} s, or longer for a slow server: long enough for each connection to get about "
        f"{ROUNDS_PER_CONNECTION} answers at that server's 1-client rate (at most {MAX_RUN_SECONDS:g} s), since wrk "
        f"counts only answers that arrive within the run. {args.rounds} rounds; in each, every client count on "
        "every server, the servers' order reversed from one round to the next; the table keeps each server's best "
        "run at each client count (the one least disturbed by the machine's other load). Before timing, every "
        "server answered every query and the answers were compared row by row (as multisets of RDF terms): "
        f"**identical on all {len(servers)}**.",
        "",
        "Each query alone (median ms of "
        f"{args.repeat}, one at a time, on the idle server; the three `engine` columns are pyoxigraph in the "
        "script's process, no HTTP, answer written as SPARQL JSON: on vcgraph's store on disk over the union flag "
        "as Oxigraph server uses it, and over vcgraph's public dataset, its graphs listed one by one so that "
        "restricted graphs stay out; and on an in-memory copy of the public graphs over its union flag, as "
        "vcgraph's query workers evaluate once they have made their copies):",
        "",
        "| query | rows | " + " | ".join([*servers, *engines]) + " |",
        "|---|---:|" + "---:|" * (len(servers) + len(engines)),
    ]
    for name in QUERIES:
        cells = " | ".join(_number(alone[column][name] * 1000) for column in [*servers, *engines])
        lines.append(f"| {name} | {rows[name]} | {cells} |")
    lines += [
        "",
        "Under load:",
        "",
        "| server | clients | s | requests | req/s | p50 ms | p99 ms | non-2xx | socket errors | timeouts | load avg |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for server in servers:
        for clients in connections:
            run = runs[(server, clients)]
            lines.append(
                f"| {server} | {clients} | {run.seconds:.0f} | {run.requests:,} | {_number(run.requests_per_second)} "
                f"| {_number(run.p50_ms, 2)} | {_number(run.p99_ms, 2)} | {run.non_2xx} | {run.socket_errors} "
                f"| {run.timeouts} | {run.load_average:.2f} |"
            )
    lines += [
        "",
        "Ratios of requests per second:",
        "",
        "| clients | vcgraph (cache off) / rdflib-endpoint | vcgraph (cache on) / rdflib-endpoint "
        "| vcgraph (cache off) / Oxigraph server | vcgraph (cache off) / Oxigraph server (in memory) "
        "| vcgraph (cache on) / Oxigraph server |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    for clients in connections:
        rate = {server: runs[(server, clients)].requests_per_second for server in servers}
        lines.append(
            f"| {clients} | {_ratio(rate[VCGRAPH_EVALUATED], rate[RDFLIB_LABEL]):.1f} "
            f"| {_ratio(rate[VCGRAPH_CACHED], rate[RDFLIB_LABEL]):.1f} "
            f"| {_ratio(rate[VCGRAPH_EVALUATED], rate[OXIGRAPH_LABEL]):.2f} "
            f"| {_ratio(rate[VCGRAPH_EVALUATED], rate[OXIGRAPH_MEMORY_LABEL]):.2f} "
            f"| {_ratio(rate[VCGRAPH_CACHED], rate[OXIGRAPH_LABEL]):.2f} |"
        )
    engine_ms = 1000 / runs[(OXIGRAPH_MEMORY_LABEL, one)].requests_per_second
    disk_ms = 1000 / runs[(OXIGRAPH_LABEL, one)].requests_per_second
    ours_ms = 1000 / runs[(VCGRAPH_EVALUATED, one)].requests_per_second
    p50_gap = runs[(VCGRAPH_EVALUATED, one)].p50_ms - runs[(OXIGRAPH_MEMORY_LABEL, one)].p50_ms
    worst = min(found.rdflib_ratios.values())

    def mean_ms(column: str) -> float:
        return 1000 * sum(alone[column].values()) / len(alone[column])

    # vcgraph's serving path: its time beyond the engine it runs (in-memory copy, union flag), less Oxigraph
    # server's own beyond the same engine run the same way
    serving_gap = (mean_ms(VCGRAPH_EVALUATED) - mean_ms(ENGINE_COPY)) - (
        mean_ms(OXIGRAPH_MEMORY_LABEL) - mean_ms(ENGINE_COPY)
    )
    ten_times = "met" if found.ten_times else "not met"
    overhead = "met" if found.overhead_within else "not met"
    lines += [
        "",
        f"Targets (vcgraph with its cache off, every query evaluated; {found.errors} non-2xx, socket errors or "
        "timeouts in vcgraph's runs):",
        "",
        f"* at least 10x the requests per second of rdflib-endpoint on the same mix: **{ten_times}** "
        f"(lowest ratio {worst:.1f}x; with the answer cache on, at least "
        f"{min(found.rdflib_ratios_cached.values()):.1f}x);",
        f"* /sparql adds at most 20 % or 2 ms over the engine it fronts: **{overhead}** "
        f"(at {one} client, mean time per request {ours_ms:.2f} ms against {engine_ms:.2f} ms for Oxigraph "
        f"server in memory: {found.overhead_ms:+.2f} ms, allowed {found.allowed_ms:.2f} ms; p50 difference "
        f"{p50_gap:+.2f} ms; {disk_ms:.2f} ms for Oxigraph server on disk). vcgraph's query workers evaluate "
        f"over their in-memory copies of the public graphs, with the union flag; Oxigraph server in memory is that "
        f"engine (Oxigraph {installed['oxigraph server']}, pyoxigraph {pyoxigraph.__version__}) run the same way "
        "behind a Rust HTTP server. From the queries alone (means over the mix): vcgraph "
        f"{mean_ms(VCGRAPH_EVALUATED):.1f} ms, Oxigraph server in memory {mean_ms(OXIGRAPH_MEMORY_LABEL):.1f} ms, "
        f"the engine in process on an in-memory copy {mean_ms(ENGINE_COPY):.1f} ms (on the store on disk: "
        f"{mean_ms(ENGINE_UNION):.1f} ms over the union flag, {mean_ms(ENGINE_PUBLIC):.1f} ms over the public "
        f"dataset); vcgraph's serving path takes {serving_gap:+.1f} ms beyond Oxigraph server's (Python HTTP "
        "stack, the query text's checks, the hand-off to a query worker process and back, the serialisation).",
    ]
    return "\n".join(lines) + "\n"


def write_section(text: str, path: Path = RESULTS) -> None:
    """Replace (or append) only this section; the other sections belong to other benchmarks."""
    current = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks and conformance\n"
    start = current.find("\n" + SECTION + "\n")
    if start < 0:
        updated = current.rstrip("\n") + "\n\n" + text.rstrip("\n") + "\n"
    else:
        start += 1
        following = current.find("\n## ", start + len(SECTION))
        tail = current[following + 1 :] if following >= 0 else ""
        updated = current[:start] + text.rstrip("\n") + "\n" + ("\n" + tail if tail else "")
    path.write_text(updated, encoding="utf-8")


# --- the run -------------------------------------------------------------------------------------------------


def _connections(text: str) -> list[int]:
    try:
        values = sorted({int(part) for part in text.split(",") if part.strip()})
    except ValueError:
        raise argparse.ArgumentTypeError(f"--connections: whole numbers separated by commas, not {text!r}") from None
    if not values or values[0] < 1:
        raise argparse.ArgumentTypeError(f"--connections must be at least 1, not {text!r}")
    return values


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--organisations", type=int, default=1_000, help="synthetic organisations (~80 quads each)")
    parser.add_argument("--seconds", type=float, default=12.0, help="wrk duration of each run")
    parser.add_argument("--connections", type=_connections, default=[1, 8, 32], help="comma-separated, e.g. 1,8,32")
    parser.add_argument("--timeout", type=float, default=60.0, help="wrk's client timeout (s)")
    parser.add_argument("--rounds", type=int, default=2, help="load rounds (best run of each kept)")
    parser.add_argument("--repeat", type=int, default=5, help="times each query is sent alone (median reported)")
    parser.add_argument("--workers", type=int, default=2, help="VCGRAPH_QUERY_WORKERS of vcgraph serve")
    parser.add_argument("--workdir", type=Path, help="where stores and logs go (default: a temporary directory)")
    parser.add_argument("--no-write", action="store_true", help="print only; leave bench/RESULTS.md alone")
    # internal: the child process that serves rdflib-endpoint
    parser.add_argument("--serve-rdflib", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if min(args.organisations, args.rounds, args.repeat, args.workers) < 1 or args.seconds <= 0:
        parser.error("--organisations, --seconds, --rounds, --repeat and --workers must be positive")
    args.max_concurrent = max(args.connections) * 2
    return args


def run(args: argparse.Namespace, workdir: Path) -> int:
    for tool in (WRK, str(OXIGRAPH)):
        if not Path(tool).exists():
            raise BenchFailure(f"{tool} is missing (wrk: Debian package 'wrk'; oxigraph: the dev extra)")
    started = datetime.now(UTC)
    load_at_start = os.getloadavg()
    print(f"load average at start {load_at_start[0]:.2f}; building {args.organisations:,} organisations", flush=True)
    store, quads = builder.build_store(args.organisations)
    nquads = workdir / "graph.nq"
    nquads.write_bytes(store.dump(RdfFormat.N_QUADS))
    store.close()
    print(f"{quads:,} quads -> {nquads}", flush=True)
    logs = workdir / "logs"
    logs.mkdir(exist_ok=True)
    serving = {
        "VCGRAPH_QUERY_WORKERS": str(args.workers),
        "VCGRAPH_MAX_CONCURRENT": str(args.max_concurrent),
    }
    endpoints: list[Endpoint] = []
    try:
        endpoints.append(start_vcgraph(VCGRAPH_CACHED, nquads, workdir / "vcgraph-cached", serving, logs, args.workers))
        evaluated = {**serving, "VCGRAPH_CACHE_ENTRIES": "0"}
        endpoints.append(
            start_vcgraph(VCGRAPH_EVALUATED, nquads, workdir / "vcgraph-evaluated", evaluated, logs, args.workers)
        )
        endpoints.append(start_oxigraph(nquads, workdir / "oxigraph", logs))
        endpoints.append(start_oxigraph_in_memory(nquads, logs))
        endpoints.append(start_rdflib(nquads, logs))
        print("answers:", flush=True)
        rows = check_answers(endpoints)
        alone = {endpoint.label: time_alone(endpoint, args.repeat) for endpoint in endpoints}
        engine = time_engine(workdir / "vcgraph-evaluated", args.repeat)
        runs = load_rounds(endpoints, lua_script(workdir / "mix.lua"), args)
    finally:
        for endpoint in endpoints:
            endpoint.stop()
    text = report(started, load_at_start, quads, rows, {**alone, **engine}, runs, args)
    print(text)
    if not args.no_write:
        write_section(text)
    return 0


def main(argv: list[str] | None = None) -> int:
    args = parse_arguments(argv)
    if args.serve_rdflib is not None:
        if args.port is None:
            print("--serve-rdflib needs --port", file=sys.stderr)
            return 2
        serve_rdflib(args.serve_rdflib, args.port)
        return 0
    # `timeout` or a Ctrl-C elsewhere sends SIGTERM: leave through `finally`, which stops the servers
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        if args.workdir is not None:
            args.workdir.mkdir(parents=True, exist_ok=True)
            if any(args.workdir.iterdir()):
                raise BenchFailure(f"--workdir {args.workdir} is not empty: each run loads fresh stores")
            return run(args, args.workdir)
        with tempfile.TemporaryDirectory(prefix="vcgraph-endpoints-") as workdir:
            return run(args, Path(workdir))
    except BenchFailure as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
