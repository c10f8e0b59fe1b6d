"""Benchmark: the canonical-template ingest of 1,000 and 10,000 rows, stage by stage, with time and peak memory.

    python bench/ingest.py [--rows 1000 10000] [--seed 1] [--workers N]

For each size, writes a synthetic survey with ``bench/generate_survey.py`` (the same file for the same size and
seed), then runs, each in a fresh process so its peak memory is its own:

- ``stages``: the steps of ``ingest_survey`` one by one (reference data, read + template checks, RDF mapping,
  SHACL validation, the atomic write into a fresh on-disk store), each timed;
- ``ingest``: ``vcgraph.service.ingest.ingest_survey`` end to end, the number issue 4 is about.

Times are wall-clock seconds and CPU seconds of the process (``time.process_time``: every thread, so the SHACL
slices validated on two threads count twice). On a machine shared with other jobs the wall time grows with the
load while the CPU time does not; on an idle 2-core machine wall time is about the CPU time, less what the two
validation threads overlap. Peak memory is the process's maximum resident set size (``ru_maxrss``), interpreter
and libraries included. Target (issue 4): under 20 s and under 1 GB for 10,000 rows.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

ROOT = Path(__file__).resolve().parents[1]
T = TypeVar("T")


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports kilobytes


class Clock:
    """Wall and CPU seconds of named steps, in order, and the peak RSS of the process when each step ended."""

    def __init__(self) -> None:
        self.steps: dict[str, tuple[float, float, float]] = {}

    def time(self, name: str, step: Callable[[], T]) -> T:
        wall, cpu = time.perf_counter(), time.process_time()
        outcome = step()
        self.steps[name] = (time.perf_counter() - wall, time.process_time() - cpu, peak_mb())
        return outcome


def run_stages(survey: Path, store_path: Path, workers: int | None) -> dict[str, object]:
    from vcgraph.collector import collector_paused

    with collector_paused():  # as ingest_survey runs these steps
        return _run_stages(survey, store_path, workers)


def _run_stages(survey: Path, store_path: Path, workers: int | None) -> dict[str, object]:
    from vcgraph.config import Settings
    from vcgraph.namespaces import Minter
    from vcgraph.rdf.mapping import map_records
    from vcgraph.reference.loader import load_reference_data
    from vcgraph.service.ingest import ensure_reference_data, replace_changed_graphs
    from vcgraph.store import open_store
    from vcgraph.survey.reader import read_survey
    from vcgraph.survey.template import parse_table
    from vcgraph.validation.locate import RecordLocator
    from vcgraph.validation.shacl import compile_shapes, validate_graph
    from vcgraph.vocabulary import SCHEMES, Vocabularies

    settings = Settings(store=str(store_path))
    minter = Minter(settings.base_iri)
    clock = Clock()
    reference = clock.time("reference data", lambda: load_reference_data(settings))
    vocabularies = Vocabularies.from_triples(reference.vocabularies, required=SCHEMES)
    clock.time("compile shapes", lambda: compile_shapes(settings.shapes_dir))
    template = clock.time(
        "read + template", lambda: parse_table(read_survey(survey), vocabularies, reference.nuts_index)
    )
    assert not template.errors, [str(e) for e in template.errors[:3]]
    triples = clock.time("RDF mapping", lambda: map_records(template.records, "bench", minter))
    shacl = clock.time(
        "SHACL validation",
        lambda: validate_graph(
            triples.public,
            reference.vocabularies + reference.nuts,
            settings.shapes_dir,
            locator=RecordLocator(template.records, "bench", minter),
            workers=workers,
        ),
    )
    assert shacl.conforms, shacl.text()[:2000]
    store = open_store(settings.store)
    try:
        clock.time("write reference graphs", lambda: ensure_reference_data(store, settings, reference))
        graphs = {minter.wave_graph("bench"): triples.public, minter.restricted_graph("bench"): triples.restricted}
        clock.time("write wave (replace_changed_graphs)", lambda: replace_changed_graphs(store, graphs))
    finally:
        store.close()
    return {
        "steps": clock.steps,
        "triples": len(triples.public) + len(triples.restricted),
        "peak_mb": peak_mb(),
    }


def run_ingest(survey: Path, store_path: Path, _workers: int | None) -> dict[str, object]:
    from vcgraph.config import Settings
    from vcgraph.service.ingest import ingest_survey
    from vcgraph.store import open_store

    settings = Settings(store=str(store_path))
    store = open_store(settings.store)
    clock = Clock()
    try:
        report = clock.time("ingest_survey", lambda: ingest_survey(store, settings, survey, "bench"))
    finally:
        store.close()
    assert report.ok, report.text()[:2000]
    return {"steps": clock.steps, "triples": report.triples_written, "peak_mb": peak_mb()}


def measure(mode: str, survey: Path, workers: int | None) -> dict[str, object]:
    """Run one mode in a fresh interpreter and return what it measured."""
    with tempfile.TemporaryDirectory(prefix="vcgraph-bench-ingest-") as folder:
        command = [sys.executable, __file__, "--child", mode, str(survey), str(Path(folder) / "store")]
        if workers is not None:
            command += ["--workers", str(workers)]
        output = subprocess.run(command, check=True, capture_output=True, text=True, cwd=ROOT).stdout
    return dict(json.loads(output.strip().splitlines()[-1]))


def survey_file(rows: int, seed: int, folder: Path) -> Path:
    target = folder / f"survey-{rows}-seed{seed}.csv"
    if not target.exists():
        subprocess.run(
            [
                sys.executable,
                str(ROOT / "bench" / "generate_survey.py"),
                "--organisations",
                str(rows),
                "--seed",
                str(seed),
                "--out",
                str(target),
            ],
            check=True,
            capture_output=True,
        )
    return target


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000, 10_000])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=None, help="SHACL slices validated at a time (stages only)")
    parser.add_argument("--modes", nargs="+", choices=("stages", "ingest"), default=["stages", "ingest"])
    parser.add_argument("--child", nargs=3, metavar=("MODE", "SURVEY", "STORE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        mode, survey, store = args.child
        run = run_stages if mode == "stages" else run_ingest
        print(json.dumps(run(Path(survey), Path(store), args.workers)))
        return 0
    folder = ROOT / "bench" / "out"
    folder.mkdir(parents=True, exist_ok=True)
    print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    for rows in args.rows:
        survey = survey_file(rows, args.seed, folder)
        for mode in args.modes:
            result = measure(mode, survey, args.workers)
            steps = dict(result["steps"])  # type: ignore[call-overload]
            print(f"\n{rows:,} rows, {mode}: {result['triples']:,} triples, peak RSS {result['peak_mb']:.0f} MB")
            for name, (wall, cpu, peak) in steps.items():
                print(
                    f"  {name:36s} wall {wall:7.2f} s  cpu {cpu:7.2f} s  "
                    f"(per 1,000 rows: wall {wall / rows * 1000:6.2f} s, cpu {cpu / rows * 1000:6.2f} s)  "
                    f"peak RSS so far {peak:5.0f} MB"
                )
    print(f"\nload average after: {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
