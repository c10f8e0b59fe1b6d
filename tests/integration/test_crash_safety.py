"""Crash safety: a writer killed with SIGKILL at any moment leaves the on-disk store exactly before or exactly after.

A subprocess performs the write of a survey ingest (one ``replace_graphs`` of the wave graph and its restricted
graph, as :func:`vcgraph.service.ingest.ingest_survey` does after its checks) of a synthetic 100-organisation wave
(~8,000 triples) on a copy of a store; the test kills it at a random moment of that write, reopens the store and
compares every graph (triple count + SHA-256 of its sorted N-Quads, :func:`vcgraph.service.backup.graph_checksums`)
with the state before and the state after. Four writes cover the four paths of ``OxigraphStore.replace_graphs``:
a new wave (one ``extend``), a new wave bulk-loaded while hidden (the path of waves of 50,000 triples and more,
taken here at this size in chunks of 500), a corrected wave (a small DELETE/INSERT DATA diff) and a different wave
under the same id (staging graphs, then DROP + MOVE). Staging graphs and half-loaded hidden graphs a kill leaves
behind are never part of an answer (ignored here, as every reader ignores them) and are gone when the store is
next opened for writing. Finally the real ingest is re-run on a store
killed mid-write, and completes with the after state.

The checks (SHACL) are left out of the killed subprocess: they take ~10 s for 100 rows and write nothing, so kills
there would prove nothing; the size keeps the 28 kills within about two minutes on a busy machine.
"""

from __future__ import annotations

import random
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph
import pytest
from pyoxigraph import RdfFormat, Triple, serialize

from vcgraph.config import Settings, project_root
from vcgraph.namespaces import Minter
from vcgraph.rdf.mapping import map_records
from vcgraph.reference.loader import ReferenceData, load_reference_data
from vcgraph.service.backup import GraphChecksum, graph_checksums
from vcgraph.service.ingest import ensure_reference_data, ingest_survey, replace_changed_graphs
from vcgraph.store.oxigraph import STAGING, OxigraphStore, hidden_graphs
from vcgraph.survey.reader import read_survey
from vcgraph.survey.template import parse_table
from vcgraph.vocabulary import SCHEMES, Vocabularies

pytestmark = [pytest.mark.integration, pytest.mark.slow]

ROOT = project_root()
ORGANISATIONS = 100
KILLS = 28  # 7 per write path
REDONE = 2  # per write path: the first kills are followed by redoing the write on the killed store
SEED = 20261127

# The killed writer: reads the wave's triples from N-Triples files, says "ready", swaps both graphs of the wave in
# as the ingest does (one replace_graphs call; the reference graphs are already in the store, so the ingest would
# not rewrite them), says how long it took. It imports only the store adapter, so it starts fast.
WRITER = """
import sys, time
from pathlib import Path
from pyoxigraph import NamedNode, RdfFormat, Triple, parse
from vcgraph.store import oxigraph as adapter
from vcgraph.store.oxigraph import OxigraphStore

store_path, wave_graph, wave_file, restricted_graph, restricted_file, bulk = sys.argv[1:7]
if bulk == "bulk":  # the bulk path of a new wave, at this test's size, in many chunks
    adapter.BULK_MIN_TRIPLES, adapter.BULK_CHUNK = 1, 500
def triples(path):
    return [Triple(q.subject, q.predicate, q.object) for q in parse(path=path, format=RdfFormat.N_TRIPLES)]
graphs = {NamedNode(wave_graph): triples(wave_file), NamedNode(restricted_graph): triples(restricted_file)}
store = OxigraphStore(Path(store_path))
print("ready", flush=True)
started = time.monotonic()
store.replace_graphs(graphs)
store.flush()
print(f"done {time.monotonic() - started:.3f}", flush=True)
"""

State = dict[str, GraphChecksum]


@dataclass(frozen=True)
class Write:
    """One write the writer performs on a copy of ``before_store``."""

    name: str
    before_store: Path
    wave_graph: str
    wave_file: Path
    restricted_graph: str
    restricted_file: Path
    bulk: bool = False


def visible_state(store_path: Path) -> State:
    """Checksums of every graph a reader can see (staging graphs and graphs still being bulk-loaded excluded,
    as the store's readers exclude them), read without opening the store for writing (which cleans up)."""
    store = pyoxigraph.Store(str(store_path))
    try:
        hidden = {str(graph) for graph in hidden_graphs(store)}
        return {key: value for key, value in graph_checksums(store).items() if key not in hidden}
    finally:
        del store


def staging_graphs(store_path: Path) -> list[str]:
    store = pyoxigraph.Store(str(store_path))
    try:
        return [g.value for g in store.named_graphs() if isinstance(g, pyoxigraph.NamedNode) and STAGING in g.value]
    finally:
        del store


def start_writer(write: Write, store_path: Path) -> subprocess.Popen[str]:
    command = [
        sys.executable, "-c", WRITER, str(store_path),
        write.wave_graph, str(write.wave_file), write.restricted_graph, str(write.restricted_file),
        "bulk" if write.bulk else "transaction",
    ]  # fmt: skip
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    assert process.stdout is not None
    line = process.stdout.readline()
    if line.strip() != "ready":
        process.kill()
        raise AssertionError(f"the writer did not start: {line!r} {process.stderr.read() if process.stderr else ''}")
    return process


def run_writer(write: Write, store_path: Path) -> float:
    """Run the writer to the end; the seconds its write took."""
    process = start_writer(write, store_path)
    out, err = process.communicate(timeout=120)
    assert process.returncode == 0, err
    return float(out.split()[-1])


def write_triples(path: Path, triples: list[Triple]) -> Path:
    path.write_bytes(serialize(triples, format=RdfFormat.N_TRIPLES) or b"")
    return path


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("crash")


@pytest.fixture(scope="module")
def settings(workdir: Path) -> Settings:
    return Settings(store=str(workdir / "unused"), home=ROOT)


@pytest.fixture(scope="module")
def reference(settings: Settings) -> ReferenceData:
    return load_reference_data(settings)


@pytest.fixture(scope="module")
def surveys(workdir: Path) -> tuple[Path, Path]:
    """Two waves of a synthetic survey (the second evolves the first: TRLs, needs, leavers and newcomers)."""
    out = workdir / "survey.csv"
    subprocess.run(
        [sys.executable, str(ROOT / "bench" / "generate_survey.py"), "--organisations", str(ORGANISATIONS),
         "--waves", "2", "--seed", "7", "--out", str(out)],
        check=True, capture_output=True, cwd=ROOT,
    )  # fmt: skip
    return workdir / "survey-W1.csv", workdir / "survey-W2.csv"


def mapped(settings: Settings, reference: ReferenceData, survey: Path, wave: str) -> tuple[list[Triple], list[Triple]]:
    """The wave's public and restricted triples as the ingest maps them (template checks, no SHACL)."""
    vocabularies = Vocabularies.from_triples(reference.vocabularies, required=SCHEMES)
    template = parse_table(read_survey(survey), vocabularies, reference.nuts_index)
    assert template.errors == []
    triples = map_records(template.records, wave, Minter(settings.base_iri))
    return triples.public, triples.restricted


@pytest.fixture(scope="module")
def writes(
    workdir: Path, settings: Settings, reference: ReferenceData, surveys: tuple[Path, Path]
) -> Iterator[list[Write]]:
    minter = Minter(settings.base_iri)
    first_public, first_restricted = mapped(settings, reference, surveys[0], "2026-W1")
    before = workdir / "before"
    store = OxigraphStore(before)
    ensure_reference_data(store, settings, reference)
    replace_changed_graphs(
        store, {minter.wave_graph("2026-W1"): first_public, minter.restricted_graph("2026-W1"): first_restricted}
    )
    store.flush()
    store.close()
    del store

    second_public, second_restricted = mapped(settings, reference, surveys[1], "2026-W2")
    replaced_public, replaced_restricted = mapped(settings, reference, surveys[1], "2026-W1")
    # A corrected file: one actor's label changes (two triples: the old one out, the new one in).
    label = next(t for t in first_public if t.predicate.value.endswith("#label") and "/id/actor/" in str(t.subject))
    corrected = [t for t in first_public if t != label]
    assert isinstance(label.object, pyoxigraph.Literal)
    corrected.append(Triple(label.subject, label.predicate, pyoxigraph.Literal(label.object.value + " (corrected)")))

    def write(name: str, wave: str, public: list[Triple], restricted: list[Triple], bulk: bool = False) -> Write:
        return Write(
            name,
            before,
            minter.wave_graph(wave).value,
            write_triples(workdir / f"{name}-public.nt", public),
            minter.restricted_graph(wave).value,
            write_triples(workdir / f"{name}-restricted.nt", restricted),
            bulk,
        )

    yield [
        write("new-wave", "2026-W2", second_public, second_restricted),
        write("new-wave-bulk", "2026-W2", second_public, second_restricted, bulk=True),
        write("corrected-wave", "2026-W1", corrected, first_restricted),
        write("replaced-wave", "2026-W1", replaced_public, replaced_restricted),
    ]


def test_a_writer_killed_at_any_moment_leaves_the_store_before_or_after_and_the_write_can_be_redone(
    workdir: Path, writes: list[Write]
) -> None:
    draw = random.Random(SEED)
    before = visible_state(writes[0].before_store)
    afters: dict[str, State] = {}
    durations: dict[str, float] = {}
    for write in writes:
        target = workdir / f"after-{write.name}"
        shutil.copytree(write.before_store, target)
        durations[write.name] = run_writer(write, target)
        afters[write.name] = visible_state(target)
        assert afters[write.name] != before, f"{write.name}: the write changes nothing, so it proves nothing"
        assert staging_graphs(target) == []

    outcomes: list[tuple[str, float, bool, str]] = []
    for kill in range(KILLS):
        write = writes[kill % len(writes)]
        store_path = workdir / f"killed-{kill}"
        shutil.copytree(write.before_store, store_path)
        process = start_writer(write, store_path)
        delay = draw.uniform(0, durations[write.name])
        time.sleep(delay)
        was_running = process.poll() is None
        process.send_signal(signal.SIGKILL)  # a no-op when the writer has already finished
        process.wait(timeout=30)

        state = visible_state(store_path)
        outcome = "before" if state == before else "after" if state == afters[write.name] else "MIXED"
        outcomes.append((write.name, delay, was_running, outcome))
        differing = sorted(
            k for k in state.keys() | afters[write.name].keys() if state.get(k) != afters[write.name].get(k)
        )
        assert outcome != "MIXED", (
            f"{write.name}: killed after {delay:.3f} s, the store is neither before nor after; graphs differing from "
            f"after: {differing}"
        )
        if kill < REDONE * len(writes):
            # Redoing the same write on the killed store completes, leaves the after state and no staging graph.
            run_writer(write, store_path)
            assert visible_state(store_path) == afters[write.name]
            assert staging_graphs(store_path) == []
        shutil.rmtree(store_path)
    killed_mid_write = sum(1 for *_, was_running, _ in outcomes if was_running)
    assert killed_mid_write >= KILLS // 2, f"too few kills landed during a write to prove anything: {outcomes}"


def test_the_real_ingest_rerun_on_a_store_killed_mid_write_completes_with_the_after_state(
    workdir: Path, writes: list[Write], settings: Settings, surveys: tuple[Path, Path]
) -> None:
    replaced = next(write for write in writes if write.name == "replaced-wave")
    store_path = workdir / "killed-then-ingested"
    shutil.copytree(replaced.before_store, store_path)
    process = start_writer(replaced, store_path)
    time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)

    store = OxigraphStore(store_path)
    report = ingest_survey(store, settings, surveys[1], "2026-W1")
    store.flush()
    store.close()
    del store
    assert report.ok, report.text()
    expected = workdir / "expected-after-ingest"
    shutil.copytree(replaced.before_store, expected)
    run_writer(replaced, expected)
    assert visible_state(store_path) == visible_state(expected)
