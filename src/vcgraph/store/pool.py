"""Serving adapter: the embedded on-disk store, with every query evaluated in a killable worker process.

pyoxigraph cannot cancel a running query from Python, so a runaway query (a cartesian product, a path over the
whole graph) would hold a thread and a core until it ends on its own. :class:`PooledStore` evaluates each
``query()`` in one of a few worker processes, each holding a read-only handle on the store
(``pyoxigraph.Store.read_only``); at the deadline the worker is killed with SIGKILL, a fresh one is started in
the background and :class:`~vcgraph.store.port.QueryTimeout` is raised. Writes (update, replace_graphs, load,
clear_graph) go to the one writable handle in this process; each write starts a new *generation*, and a worker
reopens its read-only handle before it answers a query of a newer generation, so an answer never lags behind a
committed write.

With a :class:`MemoryCopy`, each worker also copies the store's graphs, but the private ones it is told to leave
out, into an in-memory store while it has nothing else to do, and answers from that copy once it is complete: the
same engine, 4-6x faster in memory than on disk, and over the union flag when the query's dataset is every graph
of the copy (listing graphs costs the engine one index lookup per graph and pattern: 2-2.5x slower on every
question). The copy belongs to one generation: the first query after a write is answered from disk, and the copy is
rebuilt in the background. So the copy changes how fast an answer comes, never what it says.

Answers travel back serialised (SELECT as SPARQL TSV, CONSTRUCT/DESCRIBE as N-Triples) and are parsed into the
classes the embedded adapter returns. Answers are cut at ``max_rows`` rows (or triples); a cut answer is
recorded in the caller's :class:`~vcgraph.store.notes.AnswerNotes` so the HTTP layer can mark it,
never serve it silently. The service's own queries, whose rows it shapes into an answer of its own, may read more
(:func:`~vcgraph.store.notes.rows_allowed`).

No worker outlives this process: :meth:`PooledStore.close` (and an ``atexit`` hook) kill them; a worker also
dies with its parent (``PR_SET_PDEATHSIG`` on Linux, and a watchdog thread that notices a new parent).
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import io
import itertools
import json
import logging
import os
import queue
import signal
import subprocess
import sys
import threading
import time
import weakref
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pyoxigraph import (
    BlankNode,
    DefaultGraph,
    NamedNode,
    Quad,
    QueryBoolean,
    QueryResultsFormat,
    QuerySolutions,
    QueryTriples,
    RdfFormat,
    Triple,
    parse_query_results,
    serialize,
)
from pyoxigraph import Store as _OxStore

from vcgraph.store.notes import allowed_rows, note_truncation
from vcgraph.store.oxigraph import OxigraphStore, visible_graphs
from vcgraph.store.port import Dataset, GraphName, QueryAborted, QueryOutcome, QueryTimeout, StoreError

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer

log = logging.getLogger("vcgraph.store.pool")

WORKER_START_SECONDS = 60.0
"""How long a new worker may take to import pyoxigraph and open the store before it counts as failed."""

RESPAWN_BACKOFF_SECONDS = 1.0
"""Pause before starting a worker again after a start failed (so a broken store is not a busy loop)."""

_WORKER_CODE = "from vcgraph.store.pool import worker_main; worker_main()"

# --- the wire format between this process and a worker ---------------------------------------------------------

# Request: (generation, query, default_graphs, named_graphs, union_default_graph, base_iri, max_rows), graphs as
# IRIs with None for the default graph. Reply: (result, source, copy state): result (kind, ...) with kind one of
# "solutions" (tsv, truncated), "boolean" (value), "triples" (n-triples, truncated), "syntax" (message),
# "evaluation" (message), "store" (message); source "memory" or "disk"; copy state a CopyState. At start-up
# a worker sends ("ready", pid) or ("store", message) alone.
Request = tuple[int, str, list[str | None] | None, list[str] | None, bool, str | None, int | None]

COPY_CHUNK = 5_000
"""Quads a worker copies into memory between two looks at its request pipe: how long a query may wait for a copy
under way. At the 10,000-organisation graph the longest step took 70 ms (224 ms with 20,000 quads), the whole copy
no longer (7.6 s)."""

CopyState = Literal["off", "building", "complete", "too-large"]
"""Where a worker's memory copy stands; "off" when the pool makes none."""


@dataclass(frozen=True)
class MemoryCopy:
    """What each worker copies into memory: every graph of the store (the default graph included) but the hidden
    ones and those whose IRI starts with one of ``leave_out``, if they hold at most ``max_quads`` quads together."""

    leave_out: tuple[str, ...] = ()
    max_quads: int = 5_000_000


def _graph_names(graphs: Sequence[GraphName] | None) -> list[str | None] | None:
    if graphs is None:
        return None
    return [None if isinstance(graph, DefaultGraph) else graph.value for graph in graphs]


def _graph_terms(names: list[str | None] | None) -> list[NamedNode | BlankNode | DefaultGraph] | None:
    if names is None:
        return None
    return [DefaultGraph() if name is None else NamedNode(name) for name in names]


class _RowLimitReached(Exception):
    """Raised by :class:`_RowLimitedBuffer` to stop the engine writing past the row cap."""


class _RowLimitedBuffer(io.BytesIO):
    """The file the engine writes an answer's TSV to: it takes the header and up to ``max_rows`` rows, and stops the
    engine (an exception out of ``write``) once it has one row more, so that a huge answer is never written whole."""

    def __init__(self, max_rows: int | None) -> None:
        super().__init__()
        self.max_rows = max_rows
        self.lines = 0

    def write(self, data: ReadableBuffer, /) -> int:
        written = super().write(data)
        self.lines += bytes(data).count(b"\n")
        if self.max_rows is not None and self.lines > self.max_rows + 1:
            raise _RowLimitReached
        return written


def _solutions_tsv(outcome: QuerySolutions, max_rows: int | None) -> tuple[bytes, bool]:
    """The solutions as SPARQL TSV (terms in N-Triples syntax, which escapes tabs and newlines: one line per row),
    at most ``max_rows`` of them, and whether more existed.

    Written by the engine (to :class:`_RowLimitedBuffer`), not term by term in Python: 0.31 -> 0.12 s for 200,000
    rows of two terms, query included."""
    buffer = _RowLimitedBuffer(max_rows)
    try:
        outcome.serialize(buffer, format=QueryResultsFormat.TSV)
    except _RowLimitReached:
        lines = buffer.getvalue().split(b"\n", (max_rows or 0) + 1)
        return b"\n".join(lines[:-1]) + b"\n", True
    return buffer.getvalue(), False


def _triples_ntriples(outcome: QueryTriples, max_rows: int | None) -> tuple[bytes, bool]:
    triples: list[Triple] = []
    truncated = False
    for triple in outcome:
        if max_rows is not None and len(triples) >= max_rows:
            truncated = True
            break
        triples.append(triple)
    return serialize(triples, format=RdfFormat.N_TRIPLES) or b"", truncated


def _evaluate(store: _OxStore, request: Request, *, union_of_store: bool = False) -> tuple[Any, ...]:
    """The reply to ``request`` evaluated on ``store``; ``union_of_store`` evaluates it over the union of every graph
    of ``store`` instead of the graphs the request lists (the caller checked that they are the same)."""
    _, query, default_graphs, named_graphs, union, base_iri, max_rows = request
    try:
        if union_of_store:
            outcome = store.query(query, base_iri=base_iri, use_default_graph_as_union=True)
        else:
            outcome = store.query(
                query,
                base_iri=base_iri,
                use_default_graph_as_union=union and default_graphs is None,
                default_graph=_graph_terms(default_graphs),
                named_graphs=_graph_terms(named_graphs),  # type: ignore[arg-type]
            )
        if isinstance(outcome, QueryBoolean):
            return ("boolean", bool(outcome))
        if isinstance(outcome, QueryTriples):
            return ("triples", *_triples_ntriples(outcome, max_rows))
        return ("solutions", *_solutions_tsv(outcome, max_rows))
    except SyntaxError as exc:
        return ("syntax", str(exc))
    except OSError as exc:
        return ("store", str(exc))
    except RuntimeError as exc:  # pyoxigraph's evaluation errors
        return ("evaluation", str(exc))


class _Copy:
    """A worker's in-memory copy of one generation of the store, filled :data:`COPY_CHUNK` quads at a time."""

    def __init__(self, source: _OxStore, generation: int, spec: MemoryCopy) -> None:
        self.generation = generation
        self.spec = spec
        # the graphs the port lists (so that the service's public dataset is exactly the copy's graphs), but those
        # left out
        names = [g for g in visible_graphs(source) if not g.value.startswith(spec.leave_out)]
        # the graphs the copy holds, None for the default graph: a dataset within them is answered the same here
        self.graphs: frozenset[str | None] = frozenset([None, *(g.value for g in names)])
        self.store: _OxStore | None = _OxStore()
        self.state: CopyState = "building"
        self._copied = 0
        self._started = time.monotonic()
        self._quads: Iterator[Quad] | None = itertools.chain(
            source.quads_for_pattern(None, None, None, DefaultGraph()),
            *(source.quads_for_pattern(None, None, None, g) for g in names),
        )

    def step(self) -> None:
        """Copy the next chunk; the copy is complete when the source has no more, dropped when it passes the size."""
        assert self._quads is not None and self.store is not None
        chunk = list(itertools.islice(self._quads, COPY_CHUNK))
        self._copied += len(chunk)
        if self._copied > self.spec.max_quads:
            self.store, self._quads, self.state = None, None, "too-large"
            log.warning(
                "query worker %d: the graphs to copy hold more than %d quads (VCGRAPH_MEMORY_COPY_QUADS): no memory"
                " copy, every answer from disk",
                os.getpid(),
                self.spec.max_quads,
            )
        elif chunk:
            self.store.extend(chunk)
        else:
            self._quads, self.state = None, "complete"
            log.info(
                "query worker %d: memory copy of generation %d complete (%d quads in %.1f s)",
                os.getpid(),
                self.generation,
                self._copied,
                time.monotonic() - self._started,
            )

    def answers(self, request: Request) -> tuple[bool, bool]:
        """(whether the copy can answer ``request``, whether over its union): it can when it is complete, of the
        request's generation, and holds every graph the request's dataset lists (a dataset left to the store's own,
        which holds the graphs left out of the copy, goes to disk)."""
        default_graphs, named_graphs = request[2], request[3]
        if self.state != "complete" or request[0] != self.generation:
            return False, False
        if default_graphs is None or named_graphs is None:
            return False, False
        default, named = set(default_graphs), set[str | None](named_graphs)
        if not default | named <= self.graphs:
            return False, False
        return True, default == self.graphs and named == self.graphs - {None}


def _answer(store: _OxStore, copy: _Copy | None, request: Request) -> tuple[tuple[Any, ...], str]:
    """The reply to ``request`` and where it was evaluated."""
    if copy is not None and copy.store is not None:
        usable, union = copy.answers(request)
        if usable:
            return _evaluate(copy.store, request, union_of_store=union), "memory"
    return _evaluate(store, request), "disk"


def _copy_argument(spec: MemoryCopy | None) -> str:
    return json.dumps(asdict(spec)) if spec is not None else ""


def _copy_spec(argument: str) -> MemoryCopy | None:
    if not argument:
        return None
    fields = json.loads(argument)
    return MemoryCopy(leave_out=tuple(fields["leave_out"]), max_quads=int(fields["max_quads"]))


def _die_with_parent() -> None:
    """Make sure this worker never outlives the server, even one killed with SIGKILL."""
    parent = os.getppid()
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            pr_set_pdeathsig = 1
            ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL)

    # The kernel's signal covers the usual case; this catches the parent dying before prctl ran, or a platform
    # without it. pyoxigraph releases the GIL while it evaluates, so this thread runs during a long query.
    def watch() -> None:
        while True:
            if os.getppid() != parent:
                os._exit(1)
            time.sleep(0.5)

    threading.Thread(target=watch, name="vcgraph-worker-watchdog", daemon=True).start()


OPEN_ATTEMPTS = 20
"""Tries at opening a read-only handle: the writer's background compaction may delete a table file between the
moment the handle reads the list of files and the moment it opens one (RocksDB reports "Corruption ... No such
file"); the next try reads the new list."""


def _open_read_only(path: str) -> _OxStore:
    for attempt in range(OPEN_ATTEMPTS):
        try:
            return _OxStore.read_only(path)
        except (OSError, RuntimeError):
            if attempt == OPEN_ATTEMPTS - 1:
                raise
            time.sleep(0.01 * (attempt + 1))
    raise AssertionError("unreachable")  # pragma: no cover - the loop returns or raises


def worker_main() -> None:
    """Entry point of a worker process: ``python -c <_WORKER_CODE> <store path> <request fd> <reply fd>
    <generation> <memory copy as JSON, or "">``."""
    _die_with_parent()
    # A worker is stopped by its pool (SIGKILL) or by EOF on its request pipe; Ctrl-C on the server's terminal
    # reaches the whole process group, and the server, not each worker, decides what happens then.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    path, request_fd, reply_fd = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    # the pool's generation when it started this worker, read before the store is opened here: the data is at
    # least that recent
    generation = int(sys.argv[4])
    spec = _copy_spec(sys.argv[5])
    requests = Connection(request_fd, writable=False)
    replies = Connection(reply_fd, readable=False)
    try:
        store = _open_read_only(path)
    except (OSError, RuntimeError) as exc:
        replies.send(("store", f"cannot open the store at {path} read-only: {exc}"))
        return
    copy = _Copy(store, generation, spec) if spec else None
    replies.send(("ready", os.getpid()))
    while True:
        if copy is not None and copy.state == "building" and not requests.poll(0):
            copy.step()  # only while no query waits
            continue
        try:
            request: Request = requests.recv()
        except (EOFError, OSError):
            return  # the pool closed the pipe or went away
        if request[0] != generation:
            # a write happened since the handle was opened; a read-only handle sees the data as of opening
            try:
                store = _open_read_only(path)
            except (OSError, RuntimeError) as exc:
                replies.send((("store", f"cannot reopen the store at {path} read-only: {exc}"), "disk", "off"))
                continue
            generation = request[0]
            # the old copy is of an older generation; a store found too large stays so for this worker (finding
            # out again would copy max_quads quads after every write)
            if copy is not None and copy.state != "too-large":
                copy = _Copy(store, generation, copy.spec)
        result, source = _answer(store, copy, request)
        replies.send((result, source, copy.state if copy is not None else "off"))


# --- the pool ------------------------------------------------------------------------------------------------


class _Worker:
    """One worker process and the two pipes to it."""

    def __init__(self, process: subprocess.Popen[bytes], requests: Connection, replies: Connection) -> None:
        self.process = process
        self.requests = requests
        self.replies = replies
        self.answered_from = "disk"  # where its last answer was evaluated: "memory" (its copy) or "disk"

    @property
    def pid(self) -> int:
        return self.process.pid

    def kill(self, *, grace: float = 0.0) -> None:
        """Stop the process: at once, or after ``grace`` seconds if it is already on its way out (it closed its
        pipe), so that its own exit status, not our SIGKILL, says how it ended."""
        if grace:
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=grace)
        with contextlib.suppress(ProcessLookupError):
            self.process.kill()
        self.process.wait()
        self.requests.close()
        self.replies.close()


class _IdleWorkers:
    """The idle workers, in the order they came back, and which of them the next query takes.

    The one that answered last from its memory copy: that copy is the one in the CPU's caches (taken in turn, the
    workers answered the endpoints benchmark's queries up to 1 ms slower: count-by-type 5.5 against 4.4 ms at 1,000
    organisations). When none answered from memory (after a write, while they copy again) the one idle longest, so
    that the queries of one client do not keep one worker answering from disk, never left alone to finish its copy,
    while the other has finished. With no memory copies at all, the one that answered last.
    """

    def __init__(self, *, copying: bool) -> None:
        self._copying = copying
        self._workers: list[_Worker] = []
        self._changed = threading.Condition()

    def put(self, worker: _Worker) -> None:
        with self._changed:
            self._workers.append(worker)
            self._changed.notify()

    def get(self, timeout: float | None = None) -> _Worker:
        """The next worker to ask; raises :class:`queue.Empty` when none comes back within ``timeout`` seconds
        (None: waits as long as it takes)."""
        with self._changed:
            if not self._changed.wait_for(lambda: bool(self._workers), timeout):
                raise queue.Empty
            return self._workers.pop(self._choice())

    def _choice(self) -> int:
        if not self._copying:
            return len(self._workers) - 1
        from_memory = [i for i, worker in enumerate(self._workers) if worker.answered_from == "memory"]
        return from_memory[-1] if from_memory else 0


def _spawn_worker(path: Path, generation: int, copy: MemoryCopy | None) -> _Worker:
    request_read, request_write = os.pipe()
    reply_read, reply_write = os.pipe()
    arguments = [str(path), str(request_read), str(reply_write), str(generation), _copy_argument(copy)]
    try:
        process = subprocess.Popen(
            [sys.executable, "-c", _WORKER_CODE, *arguments],
            pass_fds=(request_read, reply_write),
            stdin=subprocess.DEVNULL,
        )
    except BaseException:
        for fd in (request_read, request_write, reply_read, reply_write):
            os.close(fd)
        raise
    os.close(request_read)
    os.close(reply_write)
    worker = _Worker(process, Connection(request_write, readable=False), Connection(reply_read, writable=False))
    try:
        if not worker.replies.poll(WORKER_START_SECONDS):
            raise StoreError(f"a query worker did not start within {WORKER_START_SECONDS:g} s")
        reply = worker.replies.recv()
    except (EOFError, OSError) as exc:
        worker.kill(grace=2.0)
        raise StoreError(f"a query worker died while starting ({_exit_reason(process.returncode)})") from exc
    except BaseException:
        worker.kill()
        raise
    if reply[0] != "ready":
        worker.kill()
        raise StoreError(reply[1])
    return worker


def _exit_reason(status: int | None) -> str:
    if status is not None and status < 0:
        try:
            return f"killed by {signal.Signals(-status).name}"
        except ValueError:
            return f"killed by signal {-status}"
    return f"exit status {status}"


_open_pools: weakref.WeakSet[PooledStore] = weakref.WeakSet()


@atexit.register
def _close_open_pools() -> None:
    for pool in list(_open_pools):
        pool.close()


class PooledStore:
    """The :class:`~vcgraph.store.port.Store` port over an on-disk store, for serving untrusted queries.

    ``workers`` processes evaluate queries; a query still running ``query_timeout`` seconds after ``query()``
    was called (waiting for a free worker included) raises :class:`QueryTimeout`. Answers longer than
    ``max_rows`` rows (or triples), or than the allowance in effect (:func:`~vcgraph.store.notes.rows_allowed`),
    are cut and noted (:func:`~vcgraph.store.notes.noting_answers`). With ``memory_copy``, each worker answers from
    an in-memory copy of the store once it has made one (see the module's documentation). Raises
    :class:`StoreError` when the store cannot be opened or no worker starts.
    """

    concurrent_branches = True  # queries sent at once go to as many workers

    def __init__(
        self,
        path: Path,
        *,
        workers: int,
        query_timeout: float,
        max_rows: int | None = None,
        memory_copy: MemoryCopy | None = None,
    ) -> None:
        if workers < 1:
            raise ValueError("a pool needs at least one worker")
        self.path = path
        self.query_timeout = query_timeout
        self.max_rows = max_rows
        self.memory_copy = memory_copy
        self._sources: Counter[str] = Counter()
        self._copy_states: Counter[str] = Counter()
        self._size = workers
        self._writer = OxigraphStore(path)
        self._generation = 0
        self._lock = threading.Lock()
        self._live: set[_Worker] = set()
        self._idle = _IdleWorkers(copying=memory_copy is not None)
        self._spawns: queue.Queue[bool] = queue.Queue()
        self._closed = False
        # Workers are started from one long-lived thread: PR_SET_PDEATHSIG fires when the *thread* that started a
        # process ends, so starting them from a request's pool thread (which may be retired) would kill them.
        self._spawner = threading.Thread(target=self._spawn_loop, name="vcgraph-pool-spawner", daemon=True)
        self._started = threading.Event()
        self._start_error: BaseException | None = None
        self._spawner.start()
        self._started.wait()
        if self._start_error is not None:
            self._spawns.put(False)
            self._spawner.join()
            self._writer.close()
            raise self._start_error
        _open_pools.add(self)

    # -- workers ------------------------------------------------------------------------------------------------

    def _spawn_loop(self) -> None:
        try:
            for _ in range(self._size):
                self._adopt(_spawn_worker(self.path, self._generation, self.memory_copy))
        except BaseException as exc:  # reported to the constructor's thread
            self._start_error = exc
            for worker in list(self._live):
                self._discard(worker)
            self._started.set()
            return
        self._started.set()
        while self._spawns.get():
            while not self._closed:
                try:
                    self._adopt(_spawn_worker(self.path, self._generation, self.memory_copy))
                    break
                except (StoreError, OSError) as exc:
                    log.error("cannot start a query worker (retrying): %s", exc)
                    time.sleep(RESPAWN_BACKOFF_SECONDS)

    def _adopt(self, worker: _Worker) -> None:
        with self._lock:
            if self._closed:
                worker.kill()
                return
            self._live.add(worker)
        self._idle.put(worker)

    def _discard(self, worker: _Worker, *, grace: float = 0.0) -> None:
        with self._lock:
            self._live.discard(worker)
        worker.kill(grace=grace)

    def _replace(self, worker: _Worker, *, grace: float = 0.0) -> None:
        self._discard(worker, grace=grace)
        if not self._closed:
            self._spawns.put(True)

    def worker_pids(self) -> list[int]:
        """Process ids of the live workers (for monitoring and tests)."""
        with self._lock:
            return sorted(worker.pid for worker in self._live)

    # -- queries --------------------------------------------------------------------------------------------------

    def query(self, query: str, *, dataset: Dataset | None = None, base_iri: str | None = None) -> QueryOutcome:
        if self._closed:
            raise StoreError("the store is closed")
        deadline = time.monotonic() + self.query_timeout
        worker = self._checkout(deadline)
        allowed = allowed_rows()
        max_rows = allowed if allowed is not None else self.max_rows
        result, _, _ = self._ask(worker, self._request(query, dataset, base_iri, max_rows), deadline)
        return self._outcome(result, max_rows)

    def query_in_turn(self, queries: Sequence[str], *, dataset: Dataset | None = None) -> Iterator[QueryOutcome]:
        for query in queries:
            yield self.query(query, dataset=dataset)

    def query_each_worker(self, query: str, *, dataset: Dataset | None = None) -> list[QueryOutcome]:
        """Every worker's answer to ``query``, each worker asked once (all of them held meanwhile): for checks and
        tests that every worker sees the same data, which the queries of one client, all answered by the same
        worker, would not show."""
        if self._closed:
            raise StoreError("the store is closed")
        request = self._request(query, dataset, None, self.max_rows)
        replies = self._each_worker(request, time.monotonic() + self.query_timeout)
        return [self._outcome(result, self.max_rows) for result, _, _ in replies]

    def _request(self, query: str, dataset: Dataset | None, base_iri: str | None, max_rows: int | None) -> Request:
        ds = dataset or Dataset()
        return (
            self._generation,
            query,
            _graph_names(ds.default_graphs),
            [graph.value for graph in ds.named_graphs] if ds.named_graphs is not None else None,
            ds.union_default_graph,
            base_iri,
            max_rows,
        )

    def _checkout(self, deadline: float) -> _Worker:
        """An idle worker, chosen as :class:`_IdleWorkers` says."""
        busy = QueryTimeout(f"no query worker became free within {self.query_timeout:g} s (the server is busy)")
        try:
            worker = self._idle.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            raise busy from None
        if time.monotonic() >= deadline:  # the wait for a worker took the whole budget
            self._idle.put(worker)
            raise busy
        return worker

    def _ask(self, worker: _Worker, request: Request, deadline: float) -> tuple[tuple[Any, ...], str, str]:
        """``worker``'s reply to ``request``: the reply, where it was evaluated, the state of the worker's copy.
        The worker goes back to the idle ones, or is replaced when it overran ``deadline`` or died."""
        try:
            worker.requests.send(request)
            if not worker.replies.poll(max(0.0, deadline - time.monotonic())):
                self._replace(worker)
                raise QueryTimeout(f"the query was stopped after {self.query_timeout:g} s")
            result, source, copy_state = worker.replies.recv()
        except (EOFError, OSError) as exc:
            self._replace(worker, grace=2.0)  # reaps it, so its exit status is known
            raise QueryAborted(
                f"the query engine stopped while evaluating this query ({_exit_reason(worker.process.returncode)});"
                " it was restarted"
            ) from exc
        worker.answered_from = source
        self._idle.put(worker)
        with self._lock:
            self._sources[source] += 1
            self._copy_states[copy_state] += 1
        return result, source, copy_state

    def _each_worker(self, request: Request, deadline: float) -> list[tuple[tuple[Any, ...], str, str]]:
        """Every worker's reply to ``request``: all of them are taken first, so that no worker is asked twice."""
        workers: list[_Worker] = []
        try:
            while len(workers) < self._size:
                workers.append(self._checkout(deadline))
        except QueryTimeout:
            for worker in workers:
                self._idle.put(worker)
            raise
        replies = []
        for index, worker in enumerate(workers):
            try:
                replies.append(self._ask(worker, request, deadline))
            except (QueryTimeout, QueryAborted):
                for unasked in workers[index + 1 :]:
                    self._idle.put(unasked)
                raise
        return replies

    def wait_for_copies(self, dataset: Dataset, seconds: float) -> bool:
        """Wait until every worker answers ``dataset`` from its memory copy (True), or until none will: no copy is
        made, or one is too large (False). Raises :class:`QueryTimeout` after ``seconds``.

        For benchmarks and tests that measure the steady state between two writes: asks every worker ``ASK {}``
        over ``dataset`` until each answers from memory.
        """
        if self.memory_copy is None:
            return False
        deadline = time.monotonic() + seconds
        request = self._request("ASK {}", dataset, None, None)
        while True:
            replies = self._each_worker(request, deadline)
            if any(state == "too-large" for _, _, state in replies):
                return False
            if all(source == "memory" for _, source, _ in replies):
                return True
            if time.monotonic() > deadline:
                raise QueryTimeout(f"the workers made no memory copy within {seconds:g} s: {self.copy_states()}")
            time.sleep(0.02)

    def answered_from(self) -> dict[str, int]:
        """How many answers came from a worker's memory copy (``memory``) and from the disk (``disk``)."""
        with self._lock:
            return dict(self._sources)

    def copy_states(self) -> dict[str, int]:
        """How many answers were given while the answering worker's copy was in each state: ``off`` (no copy),
        ``building``, ``complete`` or ``too-large`` (more than ``max_quads`` quads to copy: none kept)."""
        with self._lock:
            return dict(self._copy_states)

    def _outcome(self, reply: tuple[Any, ...], max_rows: int | None) -> QueryOutcome:
        kind = reply[0]
        if kind == "solutions":
            if reply[2]:
                note_truncation(max_rows or 0)
            return parse_query_results(reply[1], format=QueryResultsFormat.TSV)
        if kind == "boolean":
            document = b'{"head":{},"boolean":%s}' % (b"true" if reply[1] else b"false")
            return parse_query_results(document, format=QueryResultsFormat.JSON)
        if kind == "triples":
            if reply[2]:
                note_truncation(max_rows or 0)
            # QueryTriples has no public constructor: a scratch in-memory store hands the triples back as one.
            scratch = _OxStore()
            scratch.load(reply[1], format=RdfFormat.N_TRIPLES)
            return scratch.query("CONSTRUCT WHERE { ?s ?p ?o }")
        if kind == "syntax":
            raise SyntaxError(reply[1])
        if kind == "evaluation":
            raise RuntimeError(reply[1])
        raise StoreError(str(reply[1]))

    # -- writes and direct reads: the writable handle in this process -----------------------------------------

    def generation(self) -> int | None:
        """The write generation: exact, as every write goes through this process's one writable handle."""
        return self._generation

    def _wrote(self) -> None:
        with self._lock:
            self._generation += 1

    def update(self, update: str, *, base_iri: str | None = None) -> None:
        try:
            self._writer.update(update, base_iri=base_iri)
        finally:  # a failed update may still be a committed no-op; a spurious reopen costs little
            self._wrote()

    def replace_graphs(self, graphs: Mapping[NamedNode, Iterable[Triple]]) -> None:
        try:
            self._writer.replace_graphs(graphs)
        finally:
            self._wrote()

    def load(self, source: Path | bytes, format: RdfFormat, graph: GraphName | None = None) -> None:
        try:
            self._writer.load(source, format, graph)
        finally:
            self._wrote()

    def clear_graph(self, graph: GraphName) -> None:
        try:
            self._writer.clear_graph(graph)
        finally:
            self._wrote()

    def dump(self, format: RdfFormat, graph: GraphName | None = None) -> bytes:
        return self._writer.dump(format, graph)

    def quads(self, graph: GraphName | None = None) -> Iterable[Quad]:
        return self._writer.quads(graph)

    def graphs(self) -> list[NamedNode]:
        return self._writer.graphs()

    def close(self) -> None:
        """Stop every worker (SIGKILL: they hold read-only handles, nothing to flush) and close the store."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            workers = list(self._live)
            self._live.clear()
        self._spawns.put(False)
        self._spawner.join(timeout=WORKER_START_SECONDS)
        # (a worker started meanwhile is killed by _adopt, which sees the pool closed)
        for worker in workers:
            worker.kill()
        self._writer.close()
        _open_pools.discard(self)
