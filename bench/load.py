"""Load on the served REST questions: 32 concurrent clients on a ~1M-triple graph, then a 4x overload run.

The graph is built directly as quads following docs/model.md (``bench/questions.py``'s builder: real
vocabularies, a synthetic NUTS tree, two waves), written to an on-disk store that is kept between runs. The
server is the real ``vcgraph serve`` (PooledStore: queries in worker processes, the deployment's limits) on
127.0.0.1; the load generator is an asyncio httpx client in this process, loopback only, bounded in time.

* load run: ``--clients`` clients (each one request in flight at a time) cycle through the main questions for
  ``--seconds``; ``VCGRAPH_MAX_CONCURRENT`` is set to the number of clients, so no request should be refused;
* overload run: ``--overload`` times as many clients against the same server: requests beyond the limit must
  get a fast 503 (``Retry-After``), none may hang (client timeout ``--client-timeout``) or fail otherwise.

Results go to the ``## Load`` section of ``bench/RESULTS.md`` (other sections are left alone).

    python bench/load.py                        # builds var/bench/load-store on first use (~1M triples)
    python bench/load.py --seconds 10 --no-write
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pyoxigraph
from pyoxigraph import RdfFormat

sys.path.insert(0, str(Path(__file__).resolve().parent))
import questions as builder  # bench/questions.py: the synthetic graph of the questions benchmark

from vcgraph.store.oxigraph import OxigraphStore

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "RESULTS.md"
SECTION = "## Load"
VCGRAPH = Path(sys.executable).with_name("vcgraph")
DEFAULT_STORE = ROOT / "var" / "bench" / "load-store"

QUESTIONS: dict[str, tuple[str, dict[str, str]]] = {
    "gaps-stages": ("/api/gaps/stages", builder.PARAMETERS["gaps-stages"]),
    "gaps-needs": ("/api/gaps/needs", builder.PARAMETERS["gaps-needs"]),
    "gaps-single-providers": ("/api/gaps/single-providers", builder.PARAMETERS["gaps-single-providers"]),
    "gaps-skills": ("/api/gaps/skills", builder.PARAMETERS["gaps-skills"]),
    "convergence-technologies": ("/api/convergence/technologies", builder.PARAMETERS["convergence-technologies"]),
    "convergence-bridges": ("/api/convergence/bridges", builder.PARAMETERS["convergence-bridges"]),
    "matchmaking-needs": ("/api/matchmaking/needs", builder.PARAMETERS["matchmaking-needs"]),
    "matchmaking-mutual": ("/api/matchmaking/mutual", builder.PARAMETERS["matchmaking-mutual"]),
    "actors": ("/api/actors", builder.PARAMETERS["actors"]),
    "actor-profile": ("/api/actors/org-1", {}),
    "vocabulary": ("/api/vocabularies/stages", {}),
}
"""The main questions (gap, convergence, matchmaking, browsing), with the parameters of bench/questions.py."""


def build_store(path: Path, organisations: int, seed: int = 42) -> int:
    """Write the synthetic graph to an on-disk store at ``path``; returns the number of quads."""
    store = OxigraphStore(path)
    vocab_graph = pyoxigraph.NamedNode(builder.BASE + "graph/vocabularies")
    for vocabulary in sorted((ROOT / "ontology").glob("vocab-*.ttl")):
        store.load(vocabulary, RdfFormat.TURTLE, vocab_graph)
    vocab = builder.read_vocab(store)
    quads, leaves = builder.nuts_quads()
    for wave, start in builder.WAVES:
        graph = builder.iri(f"{builder.BASE}graph/wave/{wave}")
        wave_iri = builder.iri(f"{builder.BASE}id/wave/{wave}")
        quads += [
            f"{wave_iri} <{builder.RDF}type> <{builder.BM}SurveyWave> {graph} .",
            f"{wave_iri} <{builder.DCTERMS}identifier> {builder.literal(wave)} {graph} .",
            f"{wave_iri} <{builder.PROV}startedAtTime> {builder.literal(start, 'dateTime')} {graph} .",
        ]
    count = len(quads)
    store.load(("\n".join(quads) + "\n").encode(), RdfFormat.N_QUADS)
    rng = builder.random.Random(seed)
    batch: list[str] = []
    for index in range(1, organisations + 1):
        batch += builder.organisation_quads(index, vocab, leaves, rng)
        if len(batch) > 200_000 or index == organisations:
            store.load(("\n".join(batch) + "\n").encode(), RdfFormat.N_QUADS)
            count += len(batch)
            batch = []
    store.flush()
    store.close()
    return count


def store_size(path: Path) -> int:
    """Quads in the store (read-only handle, the store must not be served meanwhile)."""
    store = pyoxigraph.Store.read_only(str(path))
    return len(store)


# --- the server ------------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def worker_count(pid: int) -> int:
    count = 0
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    state, parent = stat.read().rsplit(")", 1)[1].split()[:2]
            except FileNotFoundError:
                continue
            count += parent == str(pid) and state != "Z"
    return count


class Server:
    def __init__(self, store: Path, env: dict[str, str]) -> None:
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [str(VCGRAPH), "serve", "--store", str(store), "--port", str(self.port)],
            env={**os.environ, "VCGRAPH_HOME": str(ROOT), **env},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 120
        while True:
            if self.process.poll() is not None:
                raise RuntimeError("vcgraph serve exited at start")
            try:
                if httpx.get(self.base_url + "/api/questions", timeout=5).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("vcgraph serve did not start")
            time.sleep(0.2)

    def stop(self) -> int:
        """Stop the server; returns how many of its worker processes were left (must be 0)."""
        pid = self.process.pid
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        time.sleep(0.3)
        return worker_count(pid)


# --- the load ------------------------------------------------------------------------------------------------


@dataclass
class Sample:
    question: str
    status: int  # 0: the client gave up (timeout) or the connection failed
    seconds: float
    error: str = ""  # the JSON error code of a refusal: "overloaded" (admission) or "timeout" (query deadline)


@dataclass
class Run:
    clients: int
    seconds: float
    names: list[str]
    samples: list[Sample] = field(default_factory=list)

    def of(self, status: int | None = None, question: str | None = None) -> list[float]:
        return sorted(
            s.seconds
            for s in self.samples
            if (status is None or s.status == status) and (question is None or s.question == question)
        )

    def count(self, status: int) -> int:
        return sum(1 for s in self.samples if s.status == status)

    def refused(self, error: str) -> list[float]:
        """Latencies of the 503s with that error code, sorted."""
        return sorted(s.seconds for s in self.samples if s.status == 503 and s.error == error)

    @property
    def errors(self) -> int:
        return sum(1 for s in self.samples if s.status not in (200, 503))


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return float("nan")
    index = min(len(values) - 1, max(0, round(fraction * len(values) + 0.5) - 1))
    return values[index]


async def _client(
    number: int, base_url: str, names: list[str], deadline: float, run: Run, timeout: float, http: httpx.AsyncClient
) -> None:
    turn = number
    while time.monotonic() < deadline:
        name = names[turn % len(names)]
        turn += 1
        path, params = QUESTIONS[name]
        started = time.perf_counter()
        error = ""
        try:
            response = await http.get(base_url + path, params=params, timeout=timeout)
            status = response.status_code
            if status == 503:
                # uvicorn's own connection limit answers a plain-text 503: an admission refusal too
                json_body = response.headers.get("content-type", "").startswith("application/json")
                error = response.json().get("error", "") if json_body else "overloaded"
        except httpx.HTTPError:
            status = 0
        run.samples.append(Sample(name, status, time.perf_counter() - started, error))


async def _load(base_url: str, names: list[str], clients: int, seconds: float, timeout: float) -> Run:
    run = Run(clients, seconds, names)
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(limits=limits) as http:
        deadline = time.monotonic() + seconds
        await asyncio.gather(*(_client(i, base_url, names, deadline, run, timeout, http) for i in range(clients)))
    return run


def load(base_url: str, names: list[str], clients: int, seconds: float, timeout: float) -> Run:
    """``clients`` clients cycling through the questions ``names`` for ``seconds``."""
    if not names:
        raise RuntimeError("no question answers within the query timeout: nothing to load the server with")
    return asyncio.run(_load(base_url, names, clients, seconds, timeout))


# --- the report ------------------------------------------------------------------------------------------------


def ms(value: float) -> str:
    return f"{value * 1000:.0f}"


def report(
    quads: int,
    solo: dict[str, tuple[int, float]],
    run: Run,
    overload: Run,
    left: int,
    args: argparse.Namespace,
) -> str:
    ok = run.of(200)
    lines = [
        SECTION,
        "",
        f"`python bench/load.py` ({datetime.now(UTC):%Y-%m-%d}, Python {platform.python_version()}, "
        f"pyoxigraph {pyoxigraph.__version__}, {os.cpu_count()} cores shared with other work; "
        f"load average at start {os.getloadavg()[0]:.1f}).",
        "",
        f"Graph: {quads:,} quads (synthetic organisations, two waves, real vocabularies, built as "
        "bench/questions.py builds it) in an on-disk store. Server: `vcgraph serve` (PooledStore, "
        f"{args.workers} query workers, query timeout {args.query_timeout:g} s, max_concurrent = clients). "
        "Client: asyncio httpx in one process on 127.0.0.1, each client one request in flight, cycling "
        f"through the REST questions that answer alone within the query timeout ({len(run.names)} of "
        f"{len(solo)}).",
        "",
        "| run | clients | seconds | requests | 200 | 503 overloaded | 503 timeout | errors | req/s | p50 ms (200) "
        "| p99 ms (200) | p99 ms (503 overloaded) | max ms |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for label, r in (("load", run), (f"overload x{args.overload}", overload)):
        everything = r.of()
        lines.append(
            f"| {label} | {r.clients} | {r.seconds:g} | {len(r.samples)} | {r.count(200)} "
            f"| {len(r.refused('overloaded'))} | {len(r.refused('timeout'))} "
            f"| {r.errors} | {len(r.samples) / r.seconds:.0f} | {ms(percentile(r.of(200), 0.5))} "
            f"| {ms(percentile(r.of(200), 0.99))} | {ms(percentile(r.refused('overloaded'), 0.99))} "
            f"| {ms(everything[-1]) if everything else '-'} |"
        )
    lines += [
        "",
        "Per question (ms; `alone`: one request on the idle server, status in brackets when not 200; `-`: left"
        " out of the load mix):",
        "",
        "| question | alone | n | p50 | p99 |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, (status, seconds) in solo.items():
        values = run.of(200, name)
        alone = ms(seconds) + ("" if status == 200 else f" ({status})")
        if name in run.names:
            lines.append(
                f"| {name} | {alone} | {len(values)} | {ms(percentile(values, 0.5))} | {ms(percentile(values, 0.99))} |"
            )
        else:
            lines.append(f"| {name} | {alone} | - | - | - |")
    p99 = percentile(ok, 0.99)
    met = p99 < 0.25 and run.errors == 0 and run.count(503) == 0 and len(run.names) == len(solo)
    lines += [
        "",
        f"Target (p99 < 250 ms, zero errors at {run.clients} clients): **{'met' if met else 'not met'}** "
        f"(p99 {ms(p99)} ms, {run.errors} errors, {run.count(503)} refused, {len(solo) - len(run.names)} "
        "questions too slow alone to be in the mix). Overload: "
        f"{len(overload.refused('overloaded'))} 503 overloaded (p99 "
        f"{ms(percentile(overload.refused('overloaded'), 0.99))} ms), {len(overload.refused('timeout'))} 503 timeout "
        "(waited for a query worker until the query deadline), "
        f"{overload.errors} errors or hangs. Worker processes left after the server stopped: {left}.",
    ]
    return "\n".join(lines) + "\n"


def write_section(text: str, path: Path = RESULTS) -> None:
    """Replace (or append) only the ``## Load`` section; other sections belong to others."""
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--store", type=Path, default=DEFAULT_STORE, help="on-disk store (built if missing)")
    parser.add_argument("--organisations", type=int, default=12_000, help="when building (~84 quads each)")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--overload", type=int, default=4, help="the overload run has this many times the clients")
    parser.add_argument("--overload-seconds", type=float, default=15.0)
    parser.add_argument("--workers", type=int, default=2, help="VCGRAPH_QUERY_WORKERS")
    parser.add_argument("--query-timeout", type=float, default=30.0, help="VCGRAPH_QUERY_TIMEOUT")
    parser.add_argument("--client-timeout", type=float, default=60.0, help="a request slower than this is a hang")
    parser.add_argument("--only", type=lambda text: text.split(","), help="comma-separated question ids")
    parser.add_argument("--no-write", action="store_true", help="print only; leave bench/RESULTS.md alone")
    args = parser.parse_args(argv)
    # `timeout` or a Ctrl-C elsewhere sends SIGTERM: leave through `finally`, which stops the server
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    if not args.store.exists():
        print(f"building {args.store} ({args.organisations:,} organisations)...", flush=True)
        build_store(args.store, args.organisations)
    quads = store_size(args.store)
    print(f"{quads:,} quads", flush=True)
    env = {
        "VCGRAPH_QUERY_WORKERS": str(args.workers),
        "VCGRAPH_QUERY_TIMEOUT": str(args.query_timeout),
        "VCGRAPH_MAX_CONCURRENT": str(args.clients),
    }
    server = Server(args.store, env)
    try:
        solo: dict[str, tuple[int, float]] = {}
        with httpx.Client(timeout=args.client_timeout) as http:
            for name, (path, params) in QUESTIONS.items():
                if args.only and name not in args.only:
                    continue
                started = time.perf_counter()
                response = http.get(server.base_url + path, params=params)
                solo[name] = (response.status_code, time.perf_counter() - started)
                print(f"  {name}: {response.status_code} in {ms(solo[name][1])} ms alone", flush=True)
        # A question that cannot answer alone within the query timeout cannot answer under load either: it is
        # reported with its time alone and left out of the mix, so that the mix measures the serving stack.
        mix = [name for name, (status, _) in solo.items() if status == 200]
        run = load(server.base_url, mix, args.clients, args.seconds, args.client_timeout)
        print(f"load: {len(run.samples)} requests, p99 {ms(percentile(run.of(200), 0.99))} ms", flush=True)
        overload = load(server.base_url, mix, args.clients * args.overload, args.overload_seconds, args.client_timeout)
        print(f"overload: {overload.count(503)} x 503, {overload.errors} errors", flush=True)
    finally:
        left = server.stop()
    text = report(quads, solo, run, overload, left, args)
    print(text)
    if not args.no_write:
        write_section(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
