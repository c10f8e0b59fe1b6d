"""The benchmark's probes (bench/floor/*.rq, run by bench/engines.py --probes) count what they say they count.

Each probe is timed as a floor under the questions, so a probe that read less than its header says would make the
floor look lower than it is. These tests count the same things from the generated quads, in Python.
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import pyoxigraph
import pytest
from pyoxigraph import RdfFormat

from vcgraph.config import Settings
from vcgraph.namespaces import BM, NUTS, ORG, PROV, VOCAB
from vcgraph.service.dataset import public_dataset

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))

import engines  # noqa: E402  (a script folder, not a package)
import questions as question_bench  # noqa: E402

Generated = tuple[dict[str, engines.QuestionRun], list[pyoxigraph.Quad], dict[str, int]]
LATEST_WAVE = f"{question_bench.BASE}id/wave/{question_bench.WAVES[-1][0]}"
NEED = VOCAB + "mode/need"


@pytest.fixture(scope="module")
def generated() -> Generated:
    store, _ = question_bench.build_store(300)
    quads = list(pyoxigraph.parse(store.dump(RdfFormat.N_QUADS), format=RdfFormat.N_QUADS))
    settings = Settings(home=ROOT)
    probes = {run.question: run for run in engines.measure_probes(store, settings, repeat=1)}
    # wave-statements answers one row per mode: the report keeps only how many, so its counts are read here
    outcome = store.query(
        engines.bound_probe(engines.PROBES / "wave-statements.rq"), dataset=public_dataset(store, settings)
    )
    assert isinstance(outcome, pyoxigraph.QuerySolutions)
    per_mode = {row["mode"].value: int(row["statements"].value) for row in outcome}
    store.close()
    return probes, quads, per_mode


def _objects(quads: list[pyoxigraph.Quad], predicate: str) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for quad in quads:
        subject, value = quad.subject, quad.object
        if quad.predicate.value == predicate and isinstance(subject, pyoxigraph.NamedNode):
            assert isinstance(value, pyoxigraph.NamedNode), quad  # the generator's links are all IRIs
            found.setdefault(subject.value, set()).add(value.value)
    return found


def _region_actors(quads: list[pyoxigraph.Quad], code: str) -> set[str]:
    """Actors with a site whose NUTS code starts with ``code`` (NUTS codes nest by prefix)."""
    site_region = _objects(quads, BM + "inRegion")
    return {
        actor
        for actor, sites in _objects(quads, ORG + "hasSite").items()
        if any(region.removeprefix(NUTS).startswith(code) for site in sites for region in site_region.get(site, ()))
    }


def _latest_wave_statements(quads: list[pyoxigraph.Quad]) -> dict[str, str]:
    """The latest wave's statements and their mode."""
    waves = _objects(quads, PROV + "wasGeneratedBy")
    modes = _objects(quads, BM + "mode")
    return {s: mode for s, mode_set in modes.items() if LATEST_WAVE in waves.get(s, ()) for mode in mode_set}


def test_every_probe_answers(generated: Generated) -> None:
    probes, _, _ = generated
    assert sorted(probes) == [engines.PROBE_PREFIX + path.stem for path in sorted(engines.PROBES.glob("*.rq"))]
    assert all(not run.error and run.raw_ms is not None for run in probes.values())


def test_wave_statements_reads_every_statement_of_the_wave_once(
    generated: Generated,
) -> None:
    probes, quads, answered = generated
    per_mode = Counter(_latest_wave_statements(quads).values())
    assert answered == dict(per_mode)
    assert probes["probe: wave-statements"].items == len(per_mode) > 3


def test_wave_needs_counts_the_needs_of_the_wave(
    generated: Generated,
) -> None:
    probes, quads, _ = generated
    needs = [s for s, mode in _latest_wave_statements(quads).items() if mode == NEED]
    assert probes["probe: wave-needs"].answer == str(len(needs)) != "0"


def test_region_actors_counts_each_actor_with_a_site_in_the_region_once(
    generated: Generated,
) -> None:
    probes, quads, _ = generated
    assert probes["probe: region-actors"].answer == str(len(_region_actors(quads, "BE3"))) != "0"


def test_region_needs_counts_the_needs_of_the_region_actors_in_the_wave(
    generated: Generated,
) -> None:
    probes, quads, _ = generated
    actors = _region_actors(quads, "BE3")
    actor_of = _objects(quads, BM + "actor")
    needs = [
        s for s, mode in _latest_wave_statements(quads).items() if mode == NEED and actor_of.get(s, set()) & actors
    ]
    assert probes["probe: region-needs"].answer == str(len(needs)) != "0"
