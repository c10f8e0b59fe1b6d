#!/usr/bin/env python3
"""Load time and query latency: embedded pyoxigraph vs Oxigraph server through our adapter vs raw HTTP, one run.

    python bench/remote_store.py                       # 100k and 1M triples, 15 runs per query
    python bench/remote_store.py --triples 100000 --runs 30 --virtuoso --write

For each size, a synthetic capability graph shaped like docs/model.md (actors, sites, capability statements and
needs in one wave graph) is generated in memory as N-Triples, then:

* load: the embedded on-disk store (``OxigraphStore.load``); Oxigraph server through the adapter
  (``RemoteStore.load``: bounded batches through the Graph Store Protocol into a staging graph, then one ADD) and
  ``RemoteStore.replace_graphs`` (staging + swap, the ingest path); and raw HTTP (the whole file in one Graph
  Store POST, the fastest the server can take it);
* queries: the median and p90 of ``--runs`` runs (after two warm-ups) of four model-shaped questions on the wave
  graph, on the embedded store, through the adapter (parse + completeness check into pyoxigraph objects), raw
  with httpx (the bytes only: the engine and the wire) and raw with SPARQLWrapper (urllib, a connection per
  request: why the adapter uses httpx).

``--virtuoso`` adds Virtuoso (scripts/virtuoso.sh, Debian package) through the adapter and raw.
``--write`` replaces the ``## Remote stores`` section of bench/RESULTS.md with the tables.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pyoxigraph
from pyoxigraph import NamedNode, QuerySolutions, RdfFormat
from SPARQLWrapper import JSON, POST, SPARQLWrapper

from vcgraph.store.oxigraph import OxigraphStore
from vcgraph.store.port import Dataset
from vcgraph.store.remote import RemoteSettings, RemoteStore

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "RESULTS.md"
SECTION = "## Remote stores"
BASE = "https://w3id.org/vcgraph/"
BM = "https://w3id.org/vcgraph/ontology#"
VOCAB = "https://w3id.org/vcgraph/vocab/"
NUTS = "http://data.europa.eu/nuts/code/"
WAVE_GRAPH = NamedNode(BASE + "graph/wave/bench")
REGIONS = [f"BE3{n}{m}" for n in range(1, 6) for m in range(1, 6)] + [f"FRK2{n}" for n in range(1, 10)]
PREFIXES = f"""PREFIX bm: <{BM}>
PREFIX mode: <{VOCAB}mode/>
PREFIX stage: <{VOCAB}stage/>
PREFIX technology: <{VOCAB}technology/>
PREFIX nuts: <{NUTS}>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""
QUERIES: dict[str, str] = {
    "offers per stage (aggregate)": PREFIXES
    + """SELECT ?stage (COUNT(DISTINCT ?actor) AS ?actors) WHERE {
  ?statement bm:stage ?stage ; bm:mode mode:offer ; bm:actor ?actor .
} GROUP BY ?stage ORDER BY ?stage""",
    "regional gap (MINUS)": PREFIXES
    + """SELECT DISTINCT ?stage WHERE {
  ?need bm:mode mode:need ; bm:stage ?stage ; bm:actor ?actor .
  ?actor org:hasSite/bm:inRegion nuts:BE332 .
  MINUS { ?offer bm:mode mode:offer ; bm:stage ?stage ; bm:actor ?other .
          ?other org:hasSite/bm:inRegion nuts:BE332 . }
}""",
    "matchmaking (join, LIMIT 50)": PREFIXES
    + """SELECT ?actor ?label WHERE {
  ?s1 bm:actor ?actor ; bm:stage stage:S04 ; bm:mode mode:offer .
  ?s2 bm:actor ?actor ; bm:technology technology:T05 ; bm:mode mode:develop .
  ?actor rdfs:label ?label ; <https://schema.org/addressCountry> "FR" .
} ORDER BY ?label LIMIT 50""",
    "one actor (point lookup)": f"SELECT ?p ?o WHERE {{ <{BASE}id/actor/a42> ?p ?o }}",
}


# ----------------------------------------------------------------------------------------- data


def synthetic_graph(target_triples: int, seed: int = 7) -> bytes:
    """N-Triples of about ``target_triples`` triples: actors with a site and capability statements and needs."""
    draw = random.Random(seed)
    lines: list[str] = []
    actor_index = 0
    rdf_type = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
    while len(lines) < target_triples:
        actor = f"<{BASE}id/actor/a{actor_index}>"
        country = "BE" if draw.random() < 0.6 else "FR"
        region = draw.choice([r for r in REGIONS if r.startswith(country[0])])
        site = f"<{BASE}id/actor/a{actor_index}/site/{region}>"
        response = f"<{BASE}id/wave/bench/response/R{actor_index}>"
        lines += [
            f"{actor} {rdf_type} <{BM}Actor> .",
            f'{actor} <http://www.w3.org/2000/01/rdf-schema#label> "Organisation {actor_index}" .',
            f'{actor} <https://schema.org/addressCountry> "{country}" .',
            f"{actor} <http://www.w3.org/ns/org#classification> <{VOCAB}actor-type/A{draw.randint(1, 17):02d}> .",
            f"{actor} <http://www.w3.org/ns/org#hasSite> {site} .",
            f"{site} {rdf_type} <{BM}Site> .",
            f"{site} <{BM}inRegion> <{NUTS}{region}> .",
        ]
        for n in range(draw.randint(4, 12)):
            need = draw.random() < 0.2
            kind = "need" if need else ("stage" if n % 2 == 0 else "technology")
            statement = f"<{BASE}id/wave/bench/response/R{actor_index}/{kind}/{n}>"
            lines += [
                f"{statement} {rdf_type} <{BM}{'Need' if need else 'CapabilityStatement'}> .",
                f"{statement} <{BM}actor> {actor} .",
                f"{statement} <http://www.w3.org/ns/prov#wasDerivedFrom> {response} .",
            ]
            if kind == "technology":
                mode = draw.choice(["develop", "routine", "pilot", "interested"])
                lines += [
                    f"{statement} <{BM}technology> <{VOCAB}technology/T{draw.randint(1, 20):02d}> .",
                    f"{statement} <{BM}mode> <{VOCAB}mode/{mode}> .",
                    f'{statement} <{BM}trl> "{draw.randint(1, 9)}"^^<http://www.w3.org/2001/XMLSchema#integer> .',
                ]
            else:
                mode = "need" if need else draw.choice(["offer", "offer", "in-house", "plan"])
                lines += [
                    f"{statement} <{BM}stage> <{VOCAB}stage/S{draw.randint(1, 16):02d}> .",
                    f"{statement} <{BM}mode> <{VOCAB}mode/{mode}> .",
                ]
        actor_index += 1
    return ("\n".join(lines) + "\n").encode("utf-8")


# -------------------------------------------------------------------------------------- servers


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def stop_process(process: subprocess.Popen[bytes], timeout: float) -> None:
    """Ask a server process to stop; kill it if it has not within ``timeout`` seconds."""
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@dataclass
class Server:
    query_url: str
    update_url: str
    gsp_url: str
    stop: Callable[[], None]
    settings: RemoteSettings


def start_oxigraph(directory: Path) -> Server:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "oxigraph"), "serve", "--location", str(directory), "--bind",
         f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        stdin=subprocess.DEVNULL,
    )

    def stop() -> None:
        stop_process(process, 10)

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.post(base + "/query", data={"query": "ASK {}"}, timeout=2).status_code == 200:
                settings = RemoteSettings(
                    query_url=base + "/query", update_url=base + "/update", gsp_url=base + "/store", timeout=600
                )
                return Server(base + "/query", base + "/update", base + "/store", stop, settings)
        except httpx.HTTPError:
            time.sleep(0.05)
    stop()
    raise SystemExit("oxigraph serve did not start")


def start_virtuoso(directory: Path) -> Server:
    env = {
        **os.environ,
        "VIRTUOSO_DATA": str(directory),
        "VIRTUOSO_HTTP_PORT": str(free_port()),
        "VIRTUOSO_SQL_PORT": str(free_port()),
        "VIRTUOSO_MAX_ROWS": "10000000",
        "VIRTUOSO_MAX_QUERY_SECONDS": "600",
    }
    script = str(ROOT / "scripts" / "virtuoso.sh")
    with (directory.parent / "virtuoso-script.log").open("w") as log:
        started = subprocess.run(
            [script, "start"], env=env, stdout=subprocess.PIPE, stderr=log, stdin=subprocess.DEVNULL, text=True
        )
    def stop() -> None:
        subprocess.run([script, "stop"], env=env, capture_output=True, stdin=subprocess.DEVNULL, timeout=120)

    if started.returncode != 0:
        stop()
        raise SystemExit(f"virtuoso did not start: see {directory.parent / 'virtuoso-script.log'}")
    values = dict(
        line.removeprefix("export ").split("=", 1) for line in started.stdout.splitlines() if line.startswith("export ")
    )

    settings = replace(RemoteSettings.from_environment(values["VCGRAPH_STORE"], values), timeout=600)
    return Server(settings.query_url, settings.update_url or "", settings.gsp_url or "", stop, settings)


# ------------------------------------------------------------------------------------ measuring


def timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def latencies(action: Callable[[], object], runs: int) -> tuple[float, float]:
    """Median and p90 in milliseconds, after two warm-up runs."""
    for _ in range(2):
        action()
    samples = sorted(timed(action) * 1000 for _ in range(runs))
    return statistics.median(samples), samples[min(len(samples) - 1, int(len(samples) * 0.9))]


def consume(outcome: object) -> int:
    """Materialise an answer the way a caller would (rows or triples), so lazy results are paid for."""
    if isinstance(outcome, QuerySolutions | pyoxigraph.QueryTriples):
        return sum(1 for _ in outcome)
    return 1


def raw_query(client: httpx.Client, url: str, query: str, graph: NamedNode) -> Callable[[], object]:
    form = {"query": query, "default-graph-uri": graph.value, "named-graph-uri": graph.value}
    headers = {"Accept": "application/sparql-results+json"}

    def run() -> bytes:
        response = client.post(url, data=form, headers=headers)
        response.raise_for_status()
        return response.content

    return run


def sparqlwrapper_query(url: str, query: str, graph: NamedNode, settings: RemoteSettings) -> Callable[[], object]:
    def run() -> bytes:
        wrapper = SPARQLWrapper(url)
        wrapper.setMethod(POST)
        wrapper.setQuery(query)
        wrapper.addDefaultGraph(graph.value)
        wrapper.addNamedGraph(graph.value)
        wrapper.setReturnFormat(JSON)
        wrapper.setTimeout(600)
        body: bytes = wrapper.query().response.read()
        return body

    return run


@dataclass
class Row:
    engine: str
    triples: int
    loads: dict[str, float]
    queries: dict[str, dict[str, tuple[float, float]]]  # question -> way -> (median, p90)


def bench_size(size: int, runs: int, with_virtuoso: bool, workdir: Path) -> list[Row]:
    data = synthetic_graph(size)
    triples = data.count(b"\n")
    dataset = Dataset(default_graphs=[WAVE_GRAPH], named_graphs=[WAVE_GRAPH])
    rows: list[Row] = []
    print(f"# {triples} triples", flush=True)

    embedded = OxigraphStore(workdir / f"embedded-{size}")
    load_embedded = timed(lambda: embedded.load(data, RdfFormat.N_TRIPLES, WAVE_GRAPH))
    embedded_queries: dict[str, dict[str, tuple[float, float]]] = {}
    for name, query in QUERIES.items():
        embedded_queries[name] = {
            "vcgraph": latencies(lambda q=query: consume(embedded.query(q, dataset=dataset)), runs)  # type: ignore[misc]
        }
    rows.append(Row("pyoxigraph embedded (disk)", triples, {"load": load_embedded}, embedded_queries))
    print(f"embedded load {load_embedded:.2f} s", flush=True)
    embedded.close()

    engines: list[tuple[str, Callable[[Path], Server]]] = [("Oxigraph server 0.5.13", start_oxigraph)]
    if with_virtuoso:
        engines.append(("Virtuoso 7.2 (Debian)", start_virtuoso))
    for engine, start in engines:
        server = start(workdir / f"{engine.split()[0].lower()}-{size}")
        try:
            rows.append(measure_server(engine, server, data, triples, dataset, runs))
        finally:
            server.stop()
    return rows


def measure_server(
    engine: str, server: Server, data: bytes, triples: int, dataset: Dataset, runs: int
) -> Row:
    store = RemoteStore(server.settings)
    auth: httpx.Auth | None = None
    if server.settings.user is not None:
        auth = httpx.DigestAuth(server.settings.user, server.settings.password or "")
    client = httpx.Client(timeout=600, auth=auth)

    def clear() -> None:
        store.clear_graph(WAVE_GRAPH)

    loads: dict[str, float] = {}
    loads["raw"] = timed(
        lambda: client.post(
            server.gsp_url,
            params={"graph": WAVE_GRAPH.value},
            content=data,
            headers={"Content-Type": "application/n-triples"},
        ).raise_for_status()
    )
    clear()
    loads["load"] = timed(lambda: store.load(data, RdfFormat.N_TRIPLES, WAVE_GRAPH))
    parsed = [quad.triple for quad in pyoxigraph.parse(data, format=RdfFormat.N_TRIPLES)]
    loads["replace"] = timed(lambda: store.replace_graphs({WAVE_GRAPH: parsed}))
    print(f"{engine} loads " + ", ".join(f"{k} {v:.2f} s" for k, v in loads.items()), flush=True)

    queries: dict[str, dict[str, tuple[float, float]]] = {}
    for name, query in QUERIES.items():
        queries[name] = {
            "vcgraph": latencies(lambda q=query: consume(store.query(q, dataset=dataset)), runs),  # type: ignore[misc]
            "raw httpx": latencies(raw_query(client, server.query_url, query, WAVE_GRAPH), runs),
        }
        if server.settings.user is None:  # SPARQLWrapper's digest support is beside the point here
            queries[name]["raw SPARQLWrapper"] = latencies(
                sparqlwrapper_query(server.query_url, query, WAVE_GRAPH, server.settings), runs
            )
        print(f"{engine} {name}: " + ", ".join(f"{k} {v[0]:.1f} ms" for k, v in queries[name].items()), flush=True)
    queries["graph list (once per question)"] = {"vcgraph": latencies(store.graphs, runs)}
    store.close()
    client.close()
    return Row(engine, triples, loads, queries)


# -------------------------------------------------------------------------------------- reports


FINDINGS = """What the runs taught the adapter (each point has a test in tests/integration/test_remote_store_*.py):

- Completeness. Oxigraph server 0.5.13 answers a query that hits `--timeout-s` with `200 OK` and the rows so far,
  then the error text in the body; Virtuoso 7.2 answers an interrupted query with `200` (or `206`) and
  `X-SQL-State: S1TAT` and a well-formed but partial body (a wrong COUNT), cuts rows at `ResultSetMaxRows` with
  only an `X-SPARQL-MaxRows` header, and reports `MaxQueryExecutionTime` as a 500 `S1T00 ... SR171`. The adapter
  parses every answer to its end and reads those headers: `TruncatedResult` (502) / `StoreTimeout` (504), never
  a short answer.
- Atomic replacement costs writes. Oxigraph server has no graph rename: `MOVE`/`ADD` copy the quads and `DROP`
  deletes them one by one, each about as dear as loading them: at 100k triples a staged `load` cost 5.6x and a
  staged `replace` 9x the raw POST there, against 2x and 1.6x on Virtuoso. Writes of at most
  `VCGRAPH_STORE_BATCH` triples (50k) are therefore one update request, atomic by themselves; only bigger ones
  stage.
- Virtuoso dialect: `SELECT DISTINCT ?g { GRAPH ?g { ?s ?p ?o } FILTER EXISTS {...} }` ran once per quad (474 s
  at 100k triples) while `DISTINCT` alone takes 0.1 s; `GRAPH ?g {}` returns one unbound row; blank nodes come
  back as `nodeID://...`; a CONSTRUCT is answered as a result set if Accept allows it; `INSERT DATA` refuses
  blank nodes; a missing `named-graph-uri` means every graph. All handled in the adapter.
- httpx over SPARQLWrapper: the same figures on a warm loopback (both send the same bytes), but SPARQLWrapper
  opens a connection per request and cannot see the headers that flag a partial answer.
"""


def markdown(rows: Sequence[Row], sizes: Sequence[int], runs: int) -> str:
    out = [
        SECTION,
        "",
        "`python bench/remote_store.py --triples "
        + " ".join(str(size) for size in sizes)
        + f" --runs {runs}{' --virtuoso' if any('Virtuoso' in r.engine for r in rows) else ''} --write`"
        " (owner: the remote-store adapter). One run on this machine, "
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {platform.machine()} {os.cpu_count()} cores shared with other "
        "work, pyoxigraph / oxigraph 0.5.13. Synthetic capability graph shaped like docs/model.md (actors, sites, "
        "capability statements, needs) in one wave graph; every engine on local disk; servers on 127.0.0.1.",
        "",
        "Load (seconds): `raw` = the whole N-Triples file in one Graph Store POST; `load` = `Store.load` "
        "(GSP batches of 50k triples into a staging graph, then one ADD: all or nothing); `replace` = "
        "`Store.replace_graphs` (staging, then DROP + MOVE in one update: the ingest path).",
        "",
        "| engine | triples | raw | load | replace |",
        "|---|---:|---:|---:|---:|",
    ]
    for row in rows:
        loads = row.loads
        if "raw" in loads:
            figures = f"{loads['raw']:.2f} | {loads['load']:.2f} | {loads['replace']:.2f}"
            out.append(f"| {row.engine} | {row.triples:,} | {figures} |")
        else:
            out.append(f"| {row.engine} | {row.triples:,} | | {loads['load']:.2f} | |")
    out += [
        "",
        f"Query latency, median / p90 of {runs} runs in ms, on the wave graph (dataset = that graph): `vcgraph` = "
        "through the Store port (answer parsed in full into pyoxigraph objects, truncation checked); "
        "`raw httpx` = the same POST, bytes only; `raw SPARQLWrapper` = the same with a new connection per request.",
        "",
        "| engine | triples | question | vcgraph | raw httpx | raw SPARQLWrapper |",
        "|---|---:|---|---:|---:|---:|",
    ]
    for row in rows:
        for name, ways in row.queries.items():
            cells = [f"{ways[w][0]:.1f} / {ways[w][1]:.1f}" if w in ways else "" for w in
                     ("vcgraph", "raw httpx", "raw SPARQLWrapper")]
            out.append(f"| {row.engine} | {row.triples:,} | {name} | " + " | ".join(cells) + " |")
    out += ["", FINDINGS]
    return "\n".join(out)


def write_section(text: str) -> None:
    """Replace only our section of RESULTS.md (other sections belong to other parts of vcgraph)."""
    current = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else "# Benchmarks and conformance\n"
    start = current.find(SECTION + "\n")
    if start == -1:
        updated = current.rstrip("\n") + "\n\n" + text
    else:
        end = current.find("\n## ", start + len(SECTION))
        rest = current[end + 1 :] if end != -1 else ""
        updated = current[:start] + text + ("\n" + rest if rest else "")
    RESULTS.write_text(updated, encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--triples", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--virtuoso", action="store_true", help="also Virtuoso (scripts/virtuoso.sh)")
    parser.add_argument("--write", action="store_true", help=f"write the tables to {RESULTS}")
    args = parser.parse_args(argv)
    if any(size < 1000 for size in args.triples) or args.runs < 1:
        parser.error("--triples must be at least 1000 and --runs at least 1")
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="vcgraph-bench-") as tmp:
        for done, size in enumerate(args.triples, start=1):
            rows += bench_size(size, args.runs, args.virtuoso, Path(tmp))
            if args.write:  # after each size, so a long run that is stopped still leaves its figures
                write_section(markdown(rows, args.triples[:done], args.runs))
    print(markdown(rows, args.triples, args.runs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
