"""Load on the served REST questions: 32 concurrent clients on a ~1M-triple graph, then a 4x overload run.

The graph is built directly as quads following docs/model.md (``bench/questions.py``'s builder: real
vocabularies, a synthetic NUTS tree, two waves), written to an on-disk store that is kept between runs. The
server is the real ``vcgraph serve`` (PooledStore: queries in worker processes, the deployment's limits) on
127.0.0.1; the load is driven by ``wrk`` (Debian package), loopback only, bounded in time.

* alone: on a fresh server, each question once with its benchmark parameters: what a request costs when
  nothing is cached (the engine's time, mostly);
* load: a fresh server (empty answer cache, the deployment's cache settings) and ``--clients`` connections,
  each one request in flight, cycling through the mix from the first request on: the main questions with their
  parameters and the BE3/FRK regions swapped, and ``--profiles`` actor profiles. The first request of each is a
  cache miss computed under load; the answer is then reused until the store is written. ``VCGRAPH_MAX_CONCURRENT``
  is the number of clients, so no request should be refused;
* load, cache off: the same on a fresh server with ``VCGRAPH_CACHE_ENTRIES=0``: every request is evaluated;
* overload: ``--overload`` times as many connections against each server: requests beyond the limit must get a
  fast 503 (``Retry-After``), none may hang (``wrk --timeout``) or fail otherwise. A sequential probe (httpx,
  one request at a time) runs during the overload and times the 503s it gets, which wrk cannot tell apart.

wrk's Lua script counts answers by status and by ``X-Cache`` (hit, shared, miss, bypass). Results go to the
``## Load`` section of ``bench/RESULTS.md`` (other sections are left alone).

    python bench/load.py                        # builds var/bench/load-store on first use (~1M triples)
    python bench/load.py --seconds 10 --no-write
"""

from __future__ import annotations

import argparse
import contextlib
import math
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
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
WRK = shutil.which("wrk") or "/usr/bin/wrk"

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
    def __init__(self, store: Path, env: dict[str, str], log: Path | None = None) -> None:
        """Start ``vcgraph serve`` on ``store``; its log (stderr, its query workers' included) goes to ``log``."""
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        with open(log or os.devnull, "wb") as out:
            self.process = subprocess.Popen(
                [str(VCGRAPH), "serve", "--store", str(store), "--port", str(self.port)],
                env={**os.environ, "VCGRAPH_HOME": str(ROOT), **env},
                stdout=subprocess.DEVNULL,
                stderr=out,
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


# --- the load (wrk) ----------------------------------------------------------------------------------------------


class BenchFailure(Exception):
    """The benchmark cannot go on (a tool missing or failing); reported as a message and exit 1."""


def _swapped(params: dict[str, str]) -> dict[str, str]:
    """The same parameters with the two clusters' regions swapped (BE3 <-> FRK)."""
    swap = {"BE3": "FRK", "FRK": "BE3"}
    return {key: ",".join(swap.get(part, part) for part in value.split(",")) for key, value in params.items()}


def mix_paths(names: list[str], profiles: list[str]) -> list[str]:
    """The request targets of the mix: each question with its parameters, then with the regions swapped, and the
    actor profiles; in an order that interleaves them."""
    paths: list[str] = []
    for name in names:
        path, params = QUESTIONS[name]
        for variant in (params, _swapped(params)):
            target = path + ("?" + str(httpx.QueryParams(variant)) if variant else "")
            if target not in paths:
                paths.append(target)
    paths += [f"/api/actors/{key}" for key in profiles]
    return paths


def lua_script(path: Path, targets: list[str]) -> Path:
    """A wrk script that GETs ``targets`` in turn (each thread from its own offset) and counts the answers by
    status and ``X-Cache``; ``done`` prints the counts of all threads as ``COUNT <status> <x-cache> <n>`` lines."""
    entries = "\n".join(f"  [==[{target}]==]," for target in targets)
    path.write_text(
        "-- generated by bench/load.py\n"
        "local targets = {\n" + entries + "\n}\n"
        "local threads = {}\n"
        "local next_id = 0\n"
        "function setup(thread)\n"
        "  thread:set('id', next_id)\n"
        "  next_id = next_id + 1\n"
        "  table.insert(threads, thread)\n"
        "end\n"
        "function init(args)\n"
        "  counts = {}\n"
        "  turn = id * 7\n"
        "end\n"
        "function request()\n"
        "  turn = turn + 1\n"
        "  return wrk.format('GET', targets[(turn % #targets) + 1])\n"
        "end\n"
        "function response(status, headers, body)\n"
        "  local key = tostring(status) .. ' ' .. (headers['x-cache'] or headers['X-Cache'] or '-')\n"
        "  counts[key] = (counts[key] or 0) + 1\n"
        "end\n"
        "function done(summary, latency, requests)\n"
        "  for _, thread in ipairs(threads) do\n"
        "    for key, n in pairs(thread:get('counts')) do\n"
        "      io.write(string.format('COUNT %s %d\\n', key, n))\n"
        "    end\n"
        "  end\n"
        "end\n",
        encoding="utf-8",
    )
    return path


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}


def _ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m|h)", text)
    if not match:
        raise BenchFailure(f"unreadable wrk latency {text!r}")
    return float(match.group(1)) * _UNITS[match.group(2)]


@dataclass
class WrkRun:
    label: str
    connections: int
    seconds: float
    requests: int
    requests_per_second: float
    percentiles_ms: dict[str, float]
    max_ms: float
    socket_errors: int
    timeouts: int
    counts: Counter[tuple[int, str]] = field(default_factory=Counter)
    load_average: float = 0.0
    probe: list[tuple[int, float]] = field(default_factory=list)  # (status, seconds) of the sequential probe

    def status(self, code: int) -> int:
        return sum(n for (status, _), n in self.counts.items() if status == code)

    def cache(self, state: str) -> int:
        return sum(n for (status, cache), n in self.counts.items() if status == 200 and cache == state)

    @property
    def errors(self) -> int:
        """Answers other than 200 and 503, plus connections that failed or timed out."""
        other = sum(n for (status, _), n in self.counts.items() if status not in (200, 503))
        return other + self.socket_errors + self.timeouts


def parse_wrk(output: str, label: str, connections: int, load_average: float) -> WrkRun:
    """Read wrk's ``--latency`` report and the script's ``COUNT`` lines."""
    done = re.search(r"(\d+) requests in ([\d.]+)(us|ms|s|m)", output)
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    if not (done and rate):
        raise BenchFailure(f"unreadable wrk report for {label}:\n{output}")
    completed = int(done.group(1))
    percentiles = {
        share: _ms(found.group(1)) if completed else math.nan
        for share in ("50", "90", "99")
        if (found := re.search(rf"^\s+{share}%\s+(\S+)", output, re.MULTILINE))
    }
    latency_line = re.search(r"^\s+Latency\s+\S+\s+\S+\s+(\S+)", output, re.MULTILINE)
    sockets = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    socket_counts = [int(n) for n in sockets.groups()] if sockets else [0, 0, 0, 0]
    counts: Counter[tuple[int, str]] = Counter()
    for status, cache, n in re.findall(r"^COUNT (\d+) (\S+) (\d+)$", output, re.MULTILINE):
        counts[(int(status), cache)] += int(n)
    return WrkRun(
        label=label,
        connections=connections,
        seconds=_ms(done.group(2) + done.group(3)) / 1000,
        requests=completed,
        requests_per_second=float(rate.group(1)),
        percentiles_ms=percentiles,
        max_ms=_ms(latency_line.group(1)) if latency_line and completed else math.nan,
        socket_errors=sum(socket_counts[:3]),
        timeouts=socket_counts[3],
        counts=counts,
        load_average=load_average,
    )


def _probe(base_url: str, target: str, stop: threading.Event, found: list[tuple[int, float]]) -> None:
    """One request at a time until ``stop``: (status, seconds) of each; status 0 for a failed connection."""
    with httpx.Client(timeout=60) as http:
        while not stop.is_set():
            started = time.perf_counter()
            try:
                status = http.get(base_url + target).status_code
            except httpx.HTTPError:
                status = 0
            found.append((status, time.perf_counter() - started))


def run_wrk(
    label: str, server: Server, script: Path, connections: int, seconds: float, timeout: float, probe: str | None
) -> WrkRun:
    command = [
        WRK,
        "-t2",
        f"-c{connections}",
        f"-d{seconds:g}s",
        f"--timeout={timeout:g}s",
        "--latency",
        "-s",
        str(script),
        server.base_url,
    ]
    load_average = os.getloadavg()[0]
    stop = threading.Event()
    probed: list[tuple[int, float]] = []
    prober = threading.Thread(target=_probe, args=(server.base_url, probe, stop, probed)) if probe else None
    try:
        if prober:
            prober.start()
        finished = subprocess.run(command, capture_output=True, text=True, timeout=seconds + timeout + 60)
    except subprocess.TimeoutExpired:
        raise BenchFailure(f"wrk did not finish ({label})") from None
    finally:
        stop.set()
        if prober:
            prober.join()
    if finished.returncode != 0:
        raise BenchFailure(f"wrk failed ({label}, code {finished.returncode}): {finished.stderr.strip()}")
    run = parse_wrk(finished.stdout, label, connections, load_average)
    run.probe = probed
    print(
        f"{label}: c={connections} {run.requests} requests, {run.requests_per_second:.0f} req/s, "
        f"p50 {run.percentiles_ms.get('50', math.nan):.1f} ms, p99 {run.percentiles_ms.get('99', math.nan):.1f} ms, "
        f"max {run.max_ms:.0f} ms, statuses {dict(run.counts)}, socket errors {run.socket_errors}, "
        f"timeouts {run.timeouts} (load average {load_average:.2f})",
        flush=True,
    )
    return run


# --- the report ------------------------------------------------------------------------------------------------


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return math.nan
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * len(ordered) + 0.5) - 1))
    return ordered[index]


def _n(value: float, digits: int = 0) -> str:
    return "-" if math.isnan(value) else f"{value:,.{digits}f}"


def _probe_503_ms(run: WrkRun, fraction: float) -> float:
    return percentile([seconds * 1000 for status, seconds in run.probe if status == 503], fraction)


def load_met(run: WrkRun) -> bool:
    """The issue's target at ``--clients``: p99 under 250 ms, no error, nothing refused."""
    return run.percentiles_ms.get("99", math.inf) < 250 and run.errors == 0 and run.status(503) == 0


def overload_met(run: WrkRun) -> bool:
    """Only 200s and fast 503s (the probe's 503s under 250 ms at p99, when it got any), no failed or timed-out
    connection."""
    refused = [seconds for status, seconds in run.probe if status == 503]
    return run.errors == 0 and (not refused or _probe_503_ms(run, 0.99) < 250)


def report(
    quads: int,
    solo: dict[str, tuple[int, float]],
    mix: list[str],
    targets: list[str],
    warm_up: tuple[int, float],
    runs: list[WrkRun],
    left: int,
    args: argparse.Namespace,
) -> str:
    lines = [
        SECTION,
        "",
        f"`python bench/load.py` (run of {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, Python {platform.python_version()}, "
        f"pyoxigraph {pyoxigraph.__version__}, {os.cpu_count()} cores shared by the server, its query workers and "
        f"wrk; load average at start {args.load_at_start:.1f}).",
        "",
        f"Graph: {quads:,} quads (synthetic organisations, two waves, real vocabularies, built as "
        "bench/questions.py builds it) in an on-disk store. Server: `vcgraph serve` (PooledStore, "
        f"{args.workers} query workers, query timeout {args.query_timeout:g} s, max_concurrent = {args.clients}, "
        "the answer cache as deployed unless the run says `cache off`). Load: `wrk` (2 threads, client timeout "
        f"{args.client_timeout:g} s), each connection one request in flight, cycling through {len(targets)} "
        f"requests: the {len(mix)} main questions that answer alone within the query timeout, each with its "
        f"benchmark parameters and with the BE3/FRK regions swapped, and {args.profiles} actor profiles.",
        "",
        "* `load`: steady state. The server has answered each request of the mix once before (a sequential warm-up: "
        f"{warm_up[0]} of {len(targets)} answered in {warm_up[1]:.1f} s), as a running server has the questions its "
        "users keep asking; its answers are reused until the store is written. Then the overload run on the "
        "same server.",
        "* `load, cold start`: a fresh server (empty cache) under the same load from its first request: the first "
        "request of each target is evaluated under load while the others asking for it wait for that answer.",
        "* `cache off`: a fresh server with `VCGRAPH_CACHE_ENTRIES=0`: every request is evaluated by the engine.",
        "",
        "`errors`: answers other than 200 and 503, failed connections and wrk timeouts. During each overload run a "
        "sequential probe (one request at a time) times the 503s it gets, which wrk cannot tell apart from 200s.",
        "",
        "| run | connections | seconds | requests | req/s | 200 (hit / shared / miss / bypass) | 503 | errors "
        "| p50 ms | p90 ms | p99 ms | max ms | probe 503 p50 / p99 ms |",
        "|---|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for run in runs:
        cache = " / ".join(f"{run.cache(state):,}" for state in ("hit", "shared", "miss", "bypass"))
        probe = (
            f"{_n(_probe_503_ms(run, 0.5), 1)} / {_n(_probe_503_ms(run, 0.99), 1)} "
            f"({sum(1 for status, _ in run.probe if status == 503)} of {len(run.probe)})"
            if run.probe
            else ""
        )
        lines.append(
            f"| {run.label} | {run.connections} | {run.seconds:.0f} | {run.requests:,} "
            f"| {run.requests_per_second:,.0f} "
            f"| {run.status(200):,} ({cache}) | {run.status(503):,} | {run.errors} "
            f"| {_n(run.percentiles_ms.get('50', math.nan), 1)} | {_n(run.percentiles_ms.get('90', math.nan), 1)} "
            f"| {_n(run.percentiles_ms.get('99', math.nan), 1)} | {_n(run.max_ms)} | {probe} |"
        )
    lines += [
        "",
        "Each question alone on a fresh server (nothing cached; status in brackets when not 200; left out of the "
        "mix when it cannot answer within the query timeout):",
        "",
        "| question | alone ms | in the mix |",
        "|---|---:|---|",
    ]
    for name, (status, seconds) in solo.items():
        alone = f"{seconds * 1000:,.0f}" + ("" if status == 200 else f" ({status})")
        lines.append(f"| {name} | {alone} | {'yes' if name in mix else 'no'} |")
    by_label = {run.label: run for run in runs}
    cached, overloaded = by_label.get("load"), by_label.get(f"overload x{args.overload}")
    too_slow = [name for name, (status, _) in solo.items() if status != 200]
    if cached and overloaded:
        p99 = cached.percentiles_ms.get("99", math.nan)
        overloaded_p99 = overloaded.percentiles_ms.get("99", math.nan)
        probed = sum(1 for status, _ in overloaded.probe if status == 503)
        refusals = (
            f"the probe's 503s in {_n(_probe_503_ms(overloaded, 0.99), 1)} ms at p99"
            if probed
            else "the probe was never refused"
        )
        lines += [
            "",
            f"Target at {args.clients} clients (p99 under 250 ms, zero errors), the deployment's settings (answer "
            f"cache on): **{'met' if load_met(cached) else 'not met'}** (p99 {_n(p99, 1)} ms, {cached.errors} errors, "
            f"{cached.status(503)} refused; {len(too_slow)} of the {len(solo)} main questions too slow alone to be in "
            f"the mix{': ' + ', '.join(too_slow) if too_slow else ''}). At {args.overload}x overload: "
            f"**{'met' if overload_met(overloaded) else 'not met'}** ({overloaded.status(503):,} refused with 503, "
            f"{overloaded.errors} errors or hangs, p99 of all answers {_n(overloaded_p99, 1)} ms, {refusals}).",
        ]
    cold = by_label.get("load, cold start")
    if cold:
        lines += [
            "",
            f"From a cold start the same load has p99 {_n(cold.percentiles_ms.get('99', math.nan), 1)} ms "
            f"({cold.errors} errors, {cold.status(503)} answered 503; {cold.cache('miss')} answers evaluated, "
            f"{cold.cache('shared')} waited for one being evaluated): the verdict above is the steady state's, after "
            "each question has been answered once since the server started or the store was last written.",
        ]
    lines += ["", f"Worker processes left after the servers stopped: {left}."]
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


def time_alone(server: Server, names: list[str], timeout: float) -> dict[str, tuple[int, float]]:
    solo: dict[str, tuple[int, float]] = {}
    with httpx.Client(timeout=timeout) as http:
        for name in names:
            path, params = QUESTIONS[name]
            started = time.perf_counter()
            try:
                status = http.get(server.base_url + path, params=params).status_code
            except httpx.HTTPError:
                status = 0  # no answer within the client timeout
            solo[name] = (status, time.perf_counter() - started)
            print(f"  {name}: {status} in {solo[name][1] * 1000:,.0f} ms alone", flush=True)
    return solo


def warm(server: Server, targets: list[str], timeout: float) -> tuple[int, float]:
    """Ask every target of the mix once, one at a time: what fills the answer cache before the "load" run.
    Returns how many answered 200 and the seconds it took."""
    started = time.perf_counter()
    answered = 0
    with httpx.Client(timeout=timeout) as http:
        for target in targets:
            with contextlib.suppress(httpx.HTTPError):  # no answer in time: counted as not answered
                answered += http.get(server.base_url + target).status_code == 200
    seconds = time.perf_counter() - started
    print(f"warm-up: {answered} of {len(targets)} targets answered in {seconds:.1f} s", flush=True)
    return answered, seconds


def answering_profiles(server: Server, wanted: int, timeout: float) -> list[str]:
    """Keys of the first ``wanted`` organisations whose profile answers 200 (anonymous ones are not named)."""
    found: list[str] = []
    with httpx.Client(timeout=timeout) as http:
        index = 1
        while len(found) < wanted and index < wanted * 4:
            if http.get(f"{server.base_url}/api/actors/org-{index}").status_code == 200:
                found.append(f"org-{index}")
            index += 1
    return found


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--store", type=Path, default=DEFAULT_STORE, help="on-disk store (built if missing)")
    parser.add_argument("--organisations", type=int, default=12_000, help="when building (~84 quads each)")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=60.0, help="each load run")
    parser.add_argument("--overload", type=int, default=4, help="the overload runs have this many times the clients")
    parser.add_argument("--overload-seconds", type=float, default=20.0)
    parser.add_argument("--profiles", type=int, default=40, help="actor profiles in the mix")
    parser.add_argument("--workers", type=int, default=2, help="VCGRAPH_QUERY_WORKERS")
    parser.add_argument("--query-timeout", type=float, default=30.0, help="VCGRAPH_QUERY_TIMEOUT")
    parser.add_argument(
        "--client-timeout",
        type=float,
        default=60.0,
        help="a request slower than this is a hang (raised to the query timeout + 30 s)",
    )
    parser.add_argument("--only", type=lambda text: text.split(","), help="comma-separated question ids")
    parser.add_argument("--no-cache-off", action="store_true", help="skip the runs with the answer cache off")
    parser.add_argument("--no-write", action="store_true", help="print only; leave bench/RESULTS.md alone")
    args = parser.parse_args(argv)
    # A client that gives up before the server's own deadline would report a hang the server never had.
    args.client_timeout = max(args.client_timeout, args.query_timeout + 30)
    return args


def run(args: argparse.Namespace) -> int:
    if not Path(WRK).exists():
        raise BenchFailure("wrk is missing (Debian package 'wrk')")
    args.load_at_start = os.getloadavg()[0]
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
    names = [name for name in QUESTIONS if not args.only or name in args.only]
    left = 0
    runs: list[WrkRun] = []
    overload = args.clients * args.overload
    probe = QUESTIONS["vocabulary"][0]
    server = Server(args.store, env)
    try:
        solo = time_alone(server, names, args.client_timeout)
        profiles = answering_profiles(server, args.profiles, args.client_timeout)
        # A question that cannot answer alone within the query timeout cannot answer under load either: it is
        # reported with its time alone and left out of the mix, so that the mix measures the serving stack.
        mix = [name for name, (status, _) in solo.items() if status == 200 and name != "actor-profile"]
        targets = mix_paths(mix, profiles)
        script = lua_script(args.store.parent / "load-mix.lua", targets)
        warm_up = warm(server, targets, args.client_timeout)
        runs.append(run_wrk("load", server, script, args.clients, args.seconds, args.client_timeout, None))
        runs.append(
            run_wrk(
                f"overload x{args.overload}",
                server,
                script,
                overload,
                args.overload_seconds,
                args.client_timeout,
                probe,
            )
        )
    finally:
        left += server.stop()
    server = Server(args.store, env)
    try:
        runs.append(run_wrk("load, cold start", server, script, args.clients, args.seconds, args.client_timeout, None))
    finally:
        left += server.stop()
    if not args.no_cache_off:
        server = Server(args.store, {**env, "VCGRAPH_CACHE_ENTRIES": "0"})
        try:
            cache_off = "load, cache off"
            runs.append(run_wrk(cache_off, server, script, args.clients, args.seconds, args.client_timeout, None))
            runs.append(
                run_wrk(
                    f"overload x{args.overload}, cache off",
                    server,
                    script,
                    overload,
                    args.overload_seconds,
                    args.client_timeout,
                    probe,
                )
            )
        finally:
            left += server.stop()
    text = report(quads, solo, mix, targets, warm_up, runs, left, args)
    print(text)
    if not args.no_write:
        write_section(text)
    return 0


def main(argv: list[str] | None = None) -> int:
    args = parse_arguments(argv)
    # `timeout` or a Ctrl-C elsewhere sends SIGTERM: leave through `finally`, which stops the server
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        return run(args)
    except (BenchFailure, RuntimeError) as exc:
        print(f"bench/load.py: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
