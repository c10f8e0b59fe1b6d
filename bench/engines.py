"""Every question on every engine: pyoxigraph embedded, Oxigraph server and Virtuoso, scale by scale.

    python bench/engines.py                                   # 1k and 10k, embedded + Oxigraph server
    python bench/engines.py --sizes 1000,10000,50000 --engines embedded,oxigraph,virtuoso --repeat 3

For each size, the synthetic survey graph of ``bench/questions.py`` (same generator, seed and question parameters)
is dumped once as N-Quads. Then each engine, in a process of its own (so that its memory is its own and a crash
loses one engine, not the run):

* **load**: the engine's own bulk path for an initial load, wall seconds: ``pyoxigraph.Store.bulk_load`` into an
  on-disk store (embedded, and served: the same store opened as ``vcgraph serve`` opens it, its query workers
  answering from their memory copies, measured once both had made theirs); ``oxigraph load`` into the server's
  directory before ``oxigraph serve``; Virtuoso's bulk loader (``scripts/virtuoso.sh load``: ``ld_dir`` +
  ``rdf_loader_run`` + checkpoint) after its start;
* **peak memory**: of the engine's process (``VmHWM``) for a server, after every question ran; for the embedded
  store, of the bench process holding both the engine and the service (``ru_maxrss``); for the served store, of
  its query worker processes, summed;
* **questions**: ``bench/questions.py``'s ``measure`` over the engine's ``Store`` adapter (``OxigraphStore`` or
  ``RemoteStore``): **raw** is the question's ``.rq`` with its parameters bound, sent through the adapter over the
  same public dataset, every value of every row read (what any client of the answer pays: for a server, the HTTP
  round trip and the parse of the results); **service** is ``run_question`` (validation, binding, the same query,
  shaping); the budget is the one of issue 3, max(20 % of raw, 2 ms). The median of ``--repeat`` alternated runs
  per side after a warm-up (``--repeat 1``: one run, no warm-up): the latency a user meets, as issue 7 asks, where
  ``bench/questions.py`` keeps the best run for issue 3's overhead budget. A question that fails (time-out, engine
  error) is reported with the error and the others go on; from the second size on, a question expected over
  ``--skip-above`` seconds (its raw time grown as the graph did) is not run;
* **probes** (``--probes``): the ``.rq`` files of ``bench/floor/``, bound to the latest wave and BE3 and run raw
  like the questions, but the best run kept. Each is a piece of work that questions cannot avoid (every statement
  of a wave read once, the region's actors, their needs), so its time is a floor under the questions that need
  that piece, engine by engine, in the same run.

``--write`` replaces the ``## Engines`` section of ``bench/RESULTS.md``. Virtuoso needs the Debian package
``virtuoso-opensource`` (``make virtuoso`` or ``scripts/virtuoso.sh install``); it is started with
``MaxQueryExecutionTime`` = ``--timeout``, 10M ``ResultSetMaxRows`` and no cost-estimate refusal, so that its
limits do not cut what is measured.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pyoxigraph
from pyoxigraph import RdfFormat

sys.path.insert(0, str(Path(__file__).resolve().parent))
import questions as question_bench
from remote_store import free_port, stop_process

from vcgraph.config import Settings
from vcgraph.http.server import open_served_store
from vcgraph.namespaces import NUTS
from vcgraph.service.dataset import public_dataset
from vcgraph.sparql.text import bind_parameters
from vcgraph.store.oxigraph import OxigraphStore
from vcgraph.store.pool import PooledStore
from vcgraph.store.port import Store
from vcgraph.store.remote import RemoteSettings, RemoteStore

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "RESULTS.md"
SECTION = "## Engines"
PROBES = ROOT / "bench" / "floor"
PROBE_PREFIX = "probe: "
OXIGRAPH = Path(sys.executable).parent / "oxigraph"
VIRTUOSO_SCRIPT = ROOT / "scripts" / "virtuoso.sh"
ENGINES = {
    "embedded": "pyoxigraph embedded (disk)",
    "served": "pyoxigraph as vcgraph serve runs it (memory copies)",
    "oxigraph": "Oxigraph server",
    "virtuoso": "Virtuoso 7 (Debian)",
}


@dataclass
class QuestionRun:
    question: str
    raw_ms: float | None = None
    service_ms: float | None = None
    items: int | None = None
    error: str = ""
    answer: str = ""  # a probe's answer: its values when one row, else how many rows

    @property
    def allowed_ms(self) -> float | None:
        return None if self.raw_ms is None else max(0.2 * self.raw_ms, 2.0)

    @property
    def within_budget(self) -> bool | None:
        if self.raw_ms is None or self.service_ms is None or self.allowed_ms is None:
            return None
        return self.service_ms - self.raw_ms <= self.allowed_ms


@dataclass
class EngineRun:
    engine: str
    organisations: int
    quads: int
    load_s: float | None = None
    peak_mb: float | None = None
    memory_of: str = ""
    questions: list[QuestionRun] = field(default_factory=list)
    error: str = ""


# ------------------------------------------------------------------------------------ engines


@dataclass
class Engine:
    """A loaded engine: the Store adapter vcgraph uses for it, and how to read its memory and stop it."""

    store: Store
    stop: Callable[[], None]
    peak_mb: Callable[[], float | None]
    memory_of: str


def vm_hwm_mb(pid: int) -> float | None:
    """The peak resident set of process ``pid`` (Linux ``VmHWM``), None when it cannot be read."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def own_peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports kilobytes


def timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def start_embedded(nquads: Path, workdir: Path) -> tuple[Engine, float]:
    location = workdir / "embedded"

    def load() -> None:
        engine = pyoxigraph.Store(str(location))
        engine.bulk_load(path=str(nquads), format=RdfFormat.N_QUADS)
        engine.flush()
        del engine  # closed: OxigraphStore opens it again

    load_s = timed(load)
    store = OxigraphStore(location)
    return Engine(store, store.close, own_peak_mb, "the bench process (engine + service)"), load_s


def start_served(nquads: Path, workdir: Path, timeout: float, copy_quads: int) -> tuple[Engine, float]:
    """The store as ``vcgraph serve`` opens it (:func:`vcgraph.http.server.open_served_store`: two query workers,
    each answering from its memory copy of the public graphs), once every worker has made its copy."""
    location = workdir / "served"

    def load() -> None:
        engine = pyoxigraph.Store(str(location))
        engine.bulk_load(path=str(nquads), format=RdfFormat.N_QUADS)
        engine.flush()
        del engine

    load_s = timed(load)
    settings = Settings(home=ROOT, store=str(location), query_timeout=timeout, memory_copy_quads=copy_quads)
    store = open_served_store(settings)
    assert isinstance(store, PooledStore)
    started = time.perf_counter()
    copied = store.wait_for_copies(public_dataset(store, settings), seconds=3600)
    if copied:
        print(f"  memory copies made {time.perf_counter() - started:.1f} s after the store opened", flush=True)
    else:
        print(f"  the public graphs hold more than {copy_quads:,} quads: no memory copy", flush=True)

    def peak() -> float | None:
        # the query workers hold the engine and their copies; the service runs in this process
        peaks = [vm_hwm_mb(pid) for pid in store.worker_pids()]
        return sum(p for p in peaks if p is not None) or None

    # the engine's name says "memory copies"; where none was made (a store above copy_quads), the note says so
    held = "engine + memory copies" if copied else "engine only: no memory copy, every answer from disk"
    return Engine(store, store.close, peak, f"the query worker processes ({held}), summed"), load_s


def _wait_for(url: str, process: subprocess.Popen[bytes] | None, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"the server exited with code {process.returncode}")
        try:
            if httpx.post(url, data={"query": "ASK {}"}, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer within {seconds:.0f} s")


def start_oxigraph(nquads: Path, workdir: Path, timeout: float) -> tuple[Engine, float]:
    location = workdir / "oxigraph"
    started = time.perf_counter()
    loaded = subprocess.run(
        [str(OXIGRAPH), "load", "--location", str(location), "--file", str(nquads)], capture_output=True, text=True
    )
    load_s = time.perf_counter() - started
    if loaded.returncode != 0:
        raise RuntimeError(f"oxigraph load failed: {loaded.stderr.strip()[-500:]}")
    port = free_port()
    log = (workdir / "oxigraph.log").open("wb")
    process = subprocess.Popen(
        [str(OXIGRAPH), "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}"],
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"

    def stop() -> None:
        stop_process(process, 30)
        log.close()

    try:
        _wait_for(base + "/query", process, 120)
    except RuntimeError:
        stop()
        raise
    settings = RemoteSettings(
        query_url=base + "/query", update_url=base + "/update", gsp_url=base + "/store", timeout=timeout
    )
    store = RemoteStore(settings)
    return Engine(store, stop, lambda: vm_hwm_mb(process.pid), "the oxigraph server process"), load_s


def start_virtuoso(nquads: Path, workdir: Path, timeout: float) -> tuple[Engine, float]:
    data = workdir / "virtuoso"
    env = {
        **os.environ,
        "VIRTUOSO_DATA": str(data),
        "VIRTUOSO_HTTP_PORT": str(free_port()),
        "VIRTUOSO_SQL_PORT": str(free_port()),
        "VIRTUOSO_MAX_ROWS": "10000000",
        "VIRTUOSO_MAX_QUERY_SECONDS": str(int(timeout)),
        # Virtuoso refuses a query whose *estimated* time exceeds MaxQueryCostEstimationTime before running it; its
        # estimates for our questions were 1 to 11,000 hours on 84k quads (2026-12-04). 0 turns the check off, so
        # that what is measured is the real time, bounded by --timeout; a limit of 1e9 s still refused gaps-needs at
        # 50,000 organisations (estimated 1.9e9 s, or a negative figure where the estimate overflowed)
        "VIRTUOSO_MAX_ESTIMATE_SECONDS": "0",
    }
    script = str(VIRTUOSO_SCRIPT)
    log = (workdir / "virtuoso-script.log").open("w")

    def stop() -> None:
        subprocess.run([script, "stop"], env=env, capture_output=True, stdin=subprocess.DEVNULL, timeout=300)
        log.close()

    started = subprocess.run(
        [script, "start"], env=env, stdout=subprocess.PIPE, stderr=log, stdin=subprocess.DEVNULL, text=True
    )
    if started.returncode != 0:
        stop()
        raise RuntimeError(f"virtuoso did not start: see {workdir / 'virtuoso-script.log'}")
    values = dict(
        line.removeprefix("export ").split("=", 1) for line in started.stdout.splitlines() if line.startswith("export ")
    )
    started_loading = time.perf_counter()
    loaded = subprocess.run([script, "load", str(nquads)], env=env, capture_output=True, text=True, timeout=3600)
    load_s = time.perf_counter() - started_loading
    if loaded.returncode != 0:
        stop()
        raise RuntimeError(f"virtuoso bulk load failed: {loaded.stderr.strip()[-500:]}")
    # what `scripts/virtuoso.sh start` prints (export VCGRAPH_...=...), read as vcgraph reads its environment
    settings = replace(RemoteSettings.from_environment(values["VCGRAPH_STORE"], values), timeout=timeout)

    def peak() -> float | None:
        # virtuoso.lck holds VIRT_PID=<pid> while the server runs (as scripts/virtuoso.sh reads it)
        try:
            text = (data / "virtuoso.lck").read_text()
        except OSError:
            return None
        pid = text.strip().removeprefix("VIRT_PID=")
        return vm_hwm_mb(int(pid)) if pid.isdigit() else None

    return Engine(RemoteStore(settings), stop, peak, "the virtuoso-t process"), load_s


# ------------------------------------------------------------------------------------ one engine, one size


def probe_answer(rows: list[tuple[object, ...]]) -> str:
    """What a probe found, for the report: the values of a one-row answer (a count), else the number of rows."""
    if len(rows) != 1:
        return f"{len(rows):,} rows"
    return ", ".join(str(getattr(value, "value", value)) for value in rows[0] if value is not None)


def bound_probe(path: Path) -> str:
    """The probe's text with $wave bound to the latest wave of the synthetic graph and $region to BE3."""
    values = {
        "wave": pyoxigraph.NamedNode(f"{question_bench.BASE}id/wave/{question_bench.WAVES[-1][0]}"),
        "region": pyoxigraph.NamedNode(f"{NUTS}BE3"),
    }
    return bind_parameters(path.read_text(encoding="utf-8"), values)


def measure_probes(store: Store, settings: Settings, repeat: int) -> list[QuestionRun]:
    """Each ``bench/floor/*.rq`` raw on ``store``: best of ``repeat`` runs (after a warm-up when repeating)."""
    dataset = public_dataset(store, settings)
    runs = []
    for path in sorted(PROBES.glob("*.rq")):
        text = bound_probe(path)
        rows: list[tuple[object, ...]] = []

        def raw(text: str = text, rows: list[tuple[object, ...]] = rows) -> None:
            outcome = store.query(text, dataset=dataset)
            assert isinstance(outcome, pyoxigraph.QuerySolutions)
            rows[:] = [tuple(solution) for solution in outcome]  # every value read

        name = PROBE_PREFIX + path.stem
        try:
            if repeat > 1:
                raw()
            best_ms = min(timed(raw) for _ in range(repeat)) * 1000
        except Exception as exc:  # an engine's time-out or error is a result of this benchmark
            runs.append(QuestionRun(name, error=f"{type(exc).__name__}: {exc}"[:300]))
            print(f"  {name:28s} failed: {runs[-1].error.splitlines()[0]}", flush=True)
            continue
        runs.append(QuestionRun(name, raw_ms=best_ms, items=len(rows), answer=probe_answer(rows)))
        print(f"  {name:28s} raw {best_ms:9.1f} ms  {runs[-1].answer}", flush=True)
    return runs


def run_engine(engine_id: str, size: int, nquads: Path, quads: int, args: argparse.Namespace) -> EngineRun:
    """Load ``nquads`` into the engine, run every question on it; in the child process of that engine."""
    run = EngineRun(ENGINES[engine_id], size, quads)
    with tempfile.TemporaryDirectory(prefix=f"vcgraph-engines-{engine_id}-", dir=args.workdir) as work:
        workdir = Path(work)
        if engine_id == "embedded":
            engine, run.load_s = start_embedded(nquads, workdir)
        elif engine_id == "served":
            engine, run.load_s = start_served(nquads, workdir, args.timeout, args.memory_copy_quads)
        elif engine_id == "oxigraph":
            engine, run.load_s = start_oxigraph(nquads, workdir, args.timeout)
        else:
            engine, run.load_s = start_virtuoso(nquads, workdir, args.timeout)
        print(f"  {run.engine}: loaded {quads:,} quads in {run.load_s:.1f} s", flush=True)
        # sampled before each question and at the end: a served worker stopped at a deadline is replaced by a
        # fresh one, and the peak of the one stopped would be lost with it
        peaks: list[float] = []

        def sample_peak() -> None:
            peak = engine.peak_mb()
            if peak is not None:
                peaks.append(peak)

        try:
            settings = Settings(home=ROOT)
            if args.probes:
                run.questions += measure_probes(engine.store, settings, args.repeat)
            skip = set(args.skip.get(engine_id, []))
            for question in sorted(info.id for info in question_bench.list_questions(settings)):
                sample_peak()
                if args.only and question not in args.only:
                    continue
                if question in skip:
                    run.questions.append(QuestionRun(question, error="not run: expected over --skip-above"))
                    print(f"  {question:28s} not run: expected over --skip-above", flush=True)
                    continue
                try:
                    (measured,) = question_bench.measure(
                        engine.store, settings, args.repeat, {question}, {}, statistics.median
                    )
                except Exception as exc:  # an engine's time-out or error is a result of this benchmark
                    run.questions.append(QuestionRun(question, error=f"{type(exc).__name__}: {exc}"[:300]))
                    print(f"  {question:28s} failed: {run.questions[-1].error.splitlines()[0]}", flush=True)
                    continue
                run.questions.append(QuestionRun(question, measured.raw_ms, measured.service_ms, measured.items))
            sample_peak()
            run.peak_mb = max(peaks, default=None)
            run.memory_of = engine.memory_of
        finally:
            engine.stop()
    return run


# ------------------------------------------------------------------------------------ the report


def _ms(value: float | None) -> str:
    return "" if value is None else f"{value:,.1f}"


def report(runs: list[EngineRun], args: argparse.Namespace) -> str:
    started = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        SECTION,
        "",
        f"`python bench/engines.py --sizes {','.join(str(s) for s in args.sizes)} --engines "
        f"{','.join(args.engines)} --repeat {args.repeat} --repeat-large {args.repeat_large} --timeout "
        f"{args.timeout:g}{' --probes' if args.probes else ''}` (written {started}; "
        f"Python {platform.python_version()}, "
        f"pyoxigraph {pyoxigraph.__version__}, {platform.machine()}, {os.cpu_count()} cores). The graph of "
        "`bench/questions.py` at each size, dumped as N-Quads and bulk-loaded into each engine by its own loader; "
        "every question through vcgraph's `Store` adapter for that engine. **raw** = the bound `.rq` through the "
        "adapter (every value read), **service** = `run_question`; median of the runs per side (a probe: best run, a "
        "floor); budget max(20 % of raw, 2 ms); --repeat runs per side after a warm-up below 10,000 organisations, "
        "--repeat-large from 10,000 "
        "(1: one run, no warm-up). Peak memory: see its column's note per engine.",
        "",
        "| engine | organisations | quads | load s | peak MB (of) |",
        "|---|---:|---:|---:|---|",
    ]
    for run in runs:
        peak = f"{run.peak_mb:,.0f} ({run.memory_of})" if run.peak_mb is not None else run.error
        lines.append(f"| {run.engine} | {run.organisations:,} | {run.quads:,} | {_ms(run.load_s)} | {peak} |")
    # the probes after the questions whose floor they are
    questions = sorted(
        {q.question for run in runs for q in run.questions}, key=lambda q: (q.startswith(PROBE_PREFIX), q)
    )
    for size in args.sizes:
        at_size = [run for run in runs if run.organisations == size]
        if not at_size:
            continue
        lines += ["", f"### {size:,} organisations: raw / service ms (within budget; under 1 s)", ""]
        lines.append("| question | " + " | ".join(run.engine for run in at_size) + " |")
        lines.append("|---|" + "---|" * len(at_size))
        for question in questions:
            cells = []
            for run in at_size:
                found = next((q for q in run.questions if q.question == question), None)
                if found is None:
                    cells.append("")
                elif found.error:
                    cells.append(found.error.splitlines()[0].replace("|", "/"))  # an engine's message is long
                elif question.startswith(PROBE_PREFIX):
                    cells.append(f"{_ms(found.raw_ms)} (raw only; {found.answer})")
                else:
                    verdict = "within" if found.within_budget else "**over**"
                    second = "< 1 s" if (found.service_ms or 0) < 1000 else "**> 1 s**"
                    cells.append(f"{_ms(found.raw_ms)} / {_ms(found.service_ms)} ({verdict}; {second})")
            lines.append(f"| {question} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def write_section(text: str, path: Path = RESULTS) -> None:
    content = path.read_text(encoding="utf-8")
    start = content.find(SECTION + "\n")
    if start < 0:
        path.write_text(content.rstrip("\n") + "\n\n" + text, encoding="utf-8")
        return
    end = content.find("\n## ", start + len(SECTION))
    rest = "" if end < 0 else content[end + 1 :]
    path.write_text(content[:start] + text + ("\n" + rest if rest else ""), encoding="utf-8")


# ------------------------------------------------------------------------------------ main


def _sizes(text: str) -> list[int]:
    return [int(x) for x in text.split(",")]


def _engines(text: str) -> list[str]:
    names = [x.strip() for x in text.split(",") if x.strip()]
    unknown = sorted(set(names) - set(ENGINES))
    if unknown:
        raise argparse.ArgumentTypeError(f"unknown engine(s) {unknown}: choose from {', '.join(ENGINES)}")
    return names


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=_sizes, default=[1_000, 10_000], help="organisations, e.g. 1000,10000")
    parser.add_argument("--engines", type=_engines, default=["embedded", "oxigraph"], help=", ".join(ENGINES))
    parser.add_argument("--repeat", type=int, default=3, help="alternated runs per side (the median kept)")
    parser.add_argument(
        "--repeat-large", type=int, default=1, help=f"the same from {question_bench.LARGE:,} organisations"
    )
    parser.add_argument(
        "--only", type=lambda s: set(s.split(",")), help="comma-separated question ids (none: the probes alone)"
    )
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds a query may take on a server")
    parser.add_argument("--skip-above", type=float, default=600.0, help="skip a question expected over this (s)")
    parser.add_argument("--workdir", type=Path, default=None, help="where stores go (default: the temp dir)")
    parser.add_argument(
        "--memory-copy-quads",
        type=int,
        default=Settings().memory_copy_quads,
        help="the served engine's VCGRAPH_MEMORY_COPY_QUADS (default: vcgraph's)",
    )
    parser.add_argument("--probes", action="store_true", help="also run bench/floor/*.rq raw on each engine")
    parser.add_argument("--write", action="store_true", help=f"replace {SECTION} in bench/RESULTS.md")
    parser.add_argument("--child", nargs=4, metavar=("ENGINE", "SIZE", "NQUADS", "QUADS"), help=argparse.SUPPRESS)
    parser.add_argument("--skip-json", default="{}", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.skip = json.loads(args.skip_json)
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.child:
        engine_id, size, nquads, quads = args.child
        run = run_engine(engine_id, int(size), Path(nquads), int(quads), args)
        print("RESULT " + json.dumps(asdict(run)), flush=True)
        return 0
    runs: list[EngineRun] = []
    last: dict[str, tuple[int, dict[str, float]]] = {}  # engine -> (size, raw seconds per question)
    with tempfile.TemporaryDirectory(prefix="vcgraph-engines-", dir=args.workdir) as work:
        for size in args.sizes:
            built, quads = question_bench.build_store(size)
            nquads = Path(work) / f"graph-{size}.nq"
            nquads.write_bytes(built.dump(RdfFormat.N_QUADS))
            built.close()
            print(f"{size:,} organisations: {quads:,} quads", flush=True)
            for engine_id in args.engines:
                skip: dict[str, list[str]] = {engine_id: []}
                if engine_id in last:
                    before, raw_s = last[engine_id]
                    skip[engine_id] = [q for q, s in raw_s.items() if s * size / before > args.skip_above]
                child = [sys.executable, __file__, "--child", engine_id, str(size), str(nquads), str(quads)]
                repeat = args.repeat if size < question_bench.LARGE else args.repeat_large
                child += ["--repeat", str(repeat), "--timeout", str(args.timeout), "--skip-json", json.dumps(skip)]
                child += ["--memory-copy-quads", str(args.memory_copy_quads)]
                if args.only:
                    child += ["--only", ",".join(sorted(args.only))]
                if args.probes:
                    child.append("--probes")
                if args.workdir:
                    child += ["--workdir", str(args.workdir)]
                result = None
                with subprocess.Popen(child, stdout=subprocess.PIPE, text=True) as process:
                    assert process.stdout is not None
                    for line in process.stdout:  # the child's progress, shown as it comes
                        if line.startswith("RESULT "):
                            result = line
                        else:
                            print(line, end="", flush=True)
                if result is None:
                    runs.append(EngineRun(ENGINES[engine_id], size, quads, error=f"failed (exit {process.returncode})"))
                    continue
                payload = json.loads(result.removeprefix("RESULT "))
                payload["questions"] = [QuestionRun(**q) for q in payload["questions"]]
                run = EngineRun(**payload)
                runs.append(run)
                last[engine_id] = (size, {q.question: q.raw_ms / 1000 for q in run.questions if q.raw_ms})
    text = report(runs, args)
    print(text)
    if args.write:
        write_section(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
