"""Latency of every question on synthetic graphs of 1k, 10k and 50k organisations.

For each question the same run times (a) the raw ``queries/<id>.rq`` on pyoxigraph, its parameters bound exactly
as the service binds them, and (b) the whole service call ``run_question`` (validation, binding, the query,
shaping, paging); the service may add at most 20 % or 2 ms to the raw query, whichever is larger. Results go to
the ``## Questions latency`` section of ``bench/RESULTS.md``.

The service reuses answers until the store is written (``vcgraph.service.cache``). So that (b) times the work
and not a cache hit, the cached *answers* are forgotten before each timed service call; the lookups (public
dataset, waves, concepts, NUTS codes) stay cached, as on a running server after its first request. (c) "warm"
is the same call answered from the cache (what a repeated question costs).

The graphs are built directly as quads following docs/model.md (no survey ingest), over the real vocabularies
of ``ontology/`` and a synthetic NUTS tree (6 countries, 216 NUTS-3 regions, BE3 and FRK among them). Two waves:
every organisation answers the latest one, 30 % answered the earlier one too. 10 % of organisations sit in BE3,
10 % in FRK; 5 % are anonymous.

    python bench/questions.py                 # 1k, 10k and 50k, writes bench/RESULTS.md
    python bench/questions.py --sizes 1000 --repeat 3 --no-write
"""

from __future__ import annotations

import argparse
import math
import platform
import random
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pyoxigraph
from pyoxigraph import QuerySolutions, RdfFormat

from vcgraph.config import Settings
from vcgraph.namespaces import BM, NUTS, NUTS_SCHEME, PROV, RDF, RDFS, SKOS, VOCAB, XSD
from vcgraph.questions import list_questions, run_question
from vcgraph.questions.params import validate_parameters
from vcgraph.service.cache import ANSWERS, cache_for
from vcgraph.service.dataset import public_dataset
from vcgraph.sparql.text import bind_parameters
from vcgraph.store.oxigraph import OxigraphStore
from vcgraph.store.port import Dataset, Store

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "RESULTS.md"
SECTION = "## Questions latency"
BASE = "https://w3id.org/vcgraph/"
ORG = "http://www.w3.org/ns/org#"
SCHEMA = "https://schema.org/"
DCTERMS = "http://purl.org/dc/terms/"

WAVES = (("2025-W1", "2025-03-01T00:00:00"), ("2026-W1", "2026-03-01T00:00:00"))
COUNTRIES = {
    "BE": ["BE1", "BE2", "BE3"],
    "FR": ["FRK", "FRJ", "FRL"],
    "DE": ["DE1", "DE2", "DE3"],
    "NL": ["NL1", "NL2", "NL3"],
    "IT": ["ITC", "ITH", "ITI"],
    "ES": ["ES1", "ES2", "ES3"],
}
STAGE_MODES = ("offer", "offer", "in-house", "need", "plan")
TECH_MODES = ("develop", "develop", "routine", "pilot", "interested")
SECTORS = ("biopharma", "engineering", "ict", "supply-chain")
GMP = ("non-gmp", "gmp-ready", "gmp-certified", "not-applicable")

PARAMETERS: dict[str, dict[str, str]] = {
    "gaps-stages": {"region": "BE3", "product_class": "P05"},
    "gaps-needs": {"region": "BE3", "provider_region": "FRK"},
    "gaps-single-providers": {"region": "FRK"},
    "gaps-skills": {"region": "BE3"},
    "gaps-coverage": {"regions": "BE3,FRK", "product_class": "P05"},
    "convergence-technologies": {"min_sectors": "2", "region": "FRK"},
    "convergence-bridges": {"region": "FRK"},
    "convergence-co-occurrence": {"min_support": "2", "region": "BE3"},
    "matchmaking-needs": {"region": "BE3", "partner_region": "FRK"},
    "matchmaking-mutual": {"region": "BE3", "partner_region": "FRK"},
    "consortium": {"product_class": "P05", "regions": "BE3,FRK"},
    "trends-coverage": {"region": "BE3,FRK"},
    "trends-trl": {"region": "BE3"},
    "trends-needs": {"region": "BE3"},
    "actors": {"region": "BE3", "sector": "biopharma"},
    "actor-profile": {"id": "org-1"},
    "vocabulary": {"scheme": "regions"},
}


def iri(value: str) -> str:
    return f"<{value}>"


def literal(value: str | int, datatype: str | None = None) -> str:
    text = str(value).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{text}"^^<{XSD}{datatype}>' if datatype else f'"{text}"'


def nuts_quads() -> tuple[list[str], list[str]]:
    """A NUTS tree as docs/model.md loads it; returns the quads and the NUTS-3 codes."""
    graph = iri(BASE + "graph/nuts")
    quads: list[str] = []
    leaves: list[str] = []

    def region(code: str, level: int, parent: str | None) -> None:
        node = iri(NUTS + code)
        quads.append(f"{node} <{RDF}type> <{SKOS}Concept> {graph} .")
        quads.append(f"{node} <{SKOS}inScheme> <{NUTS_SCHEME}> {graph} .")
        quads.append(f"{node} <{SKOS}notation> {literal(code)} {graph} .")
        quads.append(f"{node} <{SKOS}prefLabel> {literal('Region ' + code)} {graph} .")
        quads.append(f"{node} <{BM}nutsLevel> {literal(level, 'integer')} {graph} .")
        if parent:
            quads.append(f"{node} <{SKOS}broader> {iri(NUTS + parent)} {graph} .")
        # the code itself and every code above it (each a prefix of the code, down to the country's two letters)
        for length in range(len(code), 1, -1):
            quads.append(f"{node} <{BM}withinRegion> {iri(NUTS + code[:length])} {graph} .")

    for country, level1 in COUNTRIES.items():
        region(country, 0, None)
        for one in level1:
            region(one, 1, country)
            for i in range(1, 4):
                two = f"{one}{i}"
                region(two, 2, one)
                for j in range(1, 5):
                    region(f"{two}{j}", 3, two)
                    leaves.append(f"{two}{j}")
    return quads, leaves


@dataclass
class Vocab:
    stages: list[str]
    technologies: list[str]
    product_classes: list[str]
    actor_types: list[str]
    skills: list[str]


def read_vocab(store: Store) -> Vocab:
    def notations(scheme: str) -> list[str]:
        query = f"SELECT ?n WHERE {{ ?c <{SKOS}inScheme> <{VOCAB}{scheme}> ; <{SKOS}notation> ?n }}"
        outcome = store.query(query, dataset=Dataset(union_default_graph=True))
        assert isinstance(outcome, QuerySolutions)
        return sorted(row["n"].value for row in outcome)

    return Vocab(
        notations("stage"),
        notations("technology"),
        notations("product-class"),
        notations("actor-type"),
        notations("skill"),
    )


def organisation_quads(index: int, vocab: Vocab, leaves: list[str], rng: random.Random) -> list[str]:
    """One organisation: the actor and its site in each wave graph it answered, its response and statements."""
    key = f"org-{index}"
    anonymous = rng.random() < 0.05
    actor = BASE + "id/actor/" + (f"anon-{index:016x}" if anonymous else key)
    draw = rng.random()
    if draw < 0.10:
        nuts3 = rng.choice([c for c in leaves if c.startswith("BE3")])
    elif draw < 0.20:
        nuts3 = rng.choice([c for c in leaves if c.startswith("FRK")])
    else:
        nuts3 = rng.choice(leaves)
    sectors = rng.sample(SECTORS, rng.choice((1, 1, 2)))
    classes = rng.sample(vocab.product_classes, rng.choice((1, 2)))
    gmp = rng.choice(GMP)
    actor_type = rng.choice(vocab.actor_types)
    quads: list[str] = []
    waves = [WAVES[1]] if rng.random() >= 0.3 else list(WAVES)
    for wave, _ in waves:
        graph = iri(f"{BASE}graph/wave/{wave}")
        wave_iri = iri(f"{BASE}id/wave/{wave}")
        a = iri(actor)
        site = iri(f"{actor}/site/{nuts3}")
        quads += [
            f"{a} <{RDF}type> <{BM}Actor> {graph} .",
            f"{a} <{SCHEMA}addressCountry> {literal(nuts3[:2])} {graph} .",
            f"{a} <{ORG}classification> {iri(VOCAB + 'actor-type/' + actor_type)} {graph} .",
            f"{a} <{BM}gmpStatus> {iri(VOCAB + 'gmp-status/' + gmp)} {graph} .",
            f"{a} <{BM}visibility> {iri(VOCAB + 'visibility/' + ('anonymous' if anonymous else 'public'))} {graph} .",
            f"{a} <{ORG}hasSite> {site} {graph} .",
            f"{site} <{RDF}type> <{BM}Site> {graph} .",
            f"{site} <{BM}inRegion> {iri(NUTS + nuts3)} {graph} .",
        ]
        if not anonymous:
            quads.append(f"{a} <{RDFS}label> {literal(f'Organisation {index}')} {graph} .")
        quads += [f"{a} <{BM}sector> {iri(VOCAB + 'sector/' + s)} {graph} ." for s in sectors]
        quads += [f"{a} <{BM}productClass> {iri(VOCAB + 'product-class/' + p)} {graph} ." for p in classes]
        response = f"{BASE}id/wave/{wave}/response/R-{index}"
        r = iri(response)
        quads += [
            f"{r} <{RDF}type> <{BM}SurveyResponse> {graph} .",
            f"{r} <{PROV}wasGeneratedBy> {wave_iri} {graph} .",
            f"{r} <{PROV}wasAttributedTo> {a} {graph} .",
        ]

        def statement(
            path: str,
            kind: str,
            extra: list[tuple[str, str]],
            response: str = response,
            graph: str = graph,
            a: str = a,
            r: str = r,
            wave_iri: str = wave_iri,
            out: list[str] = quads,
        ) -> None:
            s = iri(f"{response}/{path}")
            out.extend(
                [
                    f"{s} <{RDF}type> <{BM}{kind}> {graph} .",
                    f"{s} <{BM}actor> {a} {graph} .",
                    f"{s} <{PROV}wasGeneratedBy> {wave_iri} {graph} .",
                    f"{s} <{PROV}wasDerivedFrom> {r} {graph} .",
                ]
            )
            out.extend(f"{s} <{p}> {o} {graph} ." for p, o in extra)

        for stage in rng.sample(vocab.stages, 4):
            mode = rng.choice(STAGE_MODES)
            statement(
                f"stage/{stage}",
                "CapabilityStatement",
                [(BM + "stage", iri(VOCAB + "stage/" + stage)), (BM + "mode", iri(VOCAB + "mode/" + mode))],
            )
        for technology in rng.sample(vocab.technologies, 2):
            mode = rng.choice(TECH_MODES)
            extra = [
                (BM + "technology", iri(VOCAB + "technology/" + technology)),
                (BM + "mode", iri(VOCAB + "mode/" + mode)),
            ]
            if mode in ("develop", "routine", "pilot"):
                extra.append((BM + "trl", literal(rng.randint(3, 9), "integer")))
            statement(f"technology/{technology}", "CapabilityStatement", extra)
        if rng.random() < 0.5:
            extra = [
                (BM + "mode", iri(VOCAB + "mode/need")),
                (BM + "stage", iri(VOCAB + "stage/" + rng.choice(vocab.stages))),
                (BM + "technology", iri(VOCAB + "technology/" + rng.choice(vocab.technologies))),
                (BM + "productClass", iri(VOCAB + "product-class/" + classes[0])),
                (BM + "minTrl", literal(rng.randint(4, 8), "integer")),
            ]
            statement("need/1", "Need", extra)
        skill = rng.choice(vocab.skills)
        statement(
            f"skill/shortage/{skill}",
            "SkillStatement",
            [(BM + "skill", iri(VOCAB + "skill/" + skill)), (BM + "mode", iri(VOCAB + "mode/shortage"))],
        )
        if rng.random() < 0.1:
            skill = rng.choice(vocab.skills)
            statement(
                f"skill/training/{skill}",
                "SkillStatement",
                [(BM + "skill", iri(VOCAB + "skill/" + skill)), (BM + "mode", iri(VOCAB + "mode/training"))],
            )
    return quads


def build_store(organisations: int, seed: int = 42) -> tuple[OxigraphStore, int]:
    """An in-memory store with the vocabularies, NUTS and ``organisations`` synthetic organisations."""
    store = OxigraphStore(None)
    vocab_graph = pyoxigraph.NamedNode(BASE + "graph/vocabularies")
    for path in sorted((ROOT / "ontology").glob("vocab-*.ttl")):
        store.load(path, RdfFormat.TURTLE, vocab_graph)
    vocab = read_vocab(store)
    quads, leaves = nuts_quads()
    for wave, start in WAVES:
        graph = iri(f"{BASE}graph/wave/{wave}")
        w = iri(f"{BASE}id/wave/{wave}")
        quads += [
            f"{w} <{RDF}type> <{BM}SurveyWave> {graph} .",
            f"{w} <{DCTERMS}identifier> {literal(wave)} {graph} .",
            f"{w} <{PROV}startedAtTime> {literal(start, 'dateTime')} {graph} .",
        ]
    rng = random.Random(seed)
    for index in range(1, organisations + 1):
        quads += organisation_quads(index, vocab, leaves, rng)
    store.load(("\n".join(quads) + "\n").encode("utf-8"), RdfFormat.N_QUADS)
    return store, len(quads)


def elapsed_ms(function: Callable[[], object]) -> float:
    start = time.perf_counter()
    function()
    return (time.perf_counter() - start) * 1000


def compare(
    raw: Callable[[], object],
    service: Callable[[], object],
    repeat: int,
    before_service: Callable[[], object] = lambda: None,
    statistic: Callable[[list[float]], float] = min,
) -> tuple[float, float]:
    """Best of ``repeat`` alternated runs of each side (after one warm-up each when repeating), or another
    ``statistic`` of them (``statistics.median``); ``before_service`` runs untimed before each service run (it
    forgets the cached answers).

    The machine is shared: alternating exposes both sides to the same load, and the minimum is the estimate
    least disturbed by other processes (for the overhead budget); the median is what a user meets.
    """
    if repeat > 1:
        raw()
        before_service()
        service()
    raw_samples, service_samples = [], []
    for _ in range(repeat):
        raw_samples.append(elapsed_ms(raw))
        before_service()
        service_samples.append(elapsed_ms(service))
    return statistic(raw_samples), statistic(service_samples)


@dataclass
class Measure:
    question: str
    raw_ms: float
    service_ms: float
    items: int
    warm_ms: float = 0.0
    note: str = ""

    @property
    def allowed_ms(self) -> float:
        return max(0.2 * self.raw_ms, 2.0)

    @property
    def overhead_ms(self) -> float:
        return self.service_ms - self.raw_ms

    @property
    def ok(self) -> bool:
        return self.overhead_ms <= self.allowed_ms


LARGE = 10_000
"""From this many organisations each side runs --repeat-large times (1: no warm-up), to stay within minutes."""

NOT_A_HIT_MS = 1000.0
"""A warm call slower than this was computed again (its answer is not kept), not answered from the cache."""

SKIP_ABOVE_S = 600.0
"""A question whose raw time, extrapolated linearly from the previous size, exceeds this is not run again."""


def measure(
    store: Store,
    settings: Settings,
    repeat: int,
    only: set[str] | None,
    skip: dict[str, str],
    statistic: Callable[[list[float]], float] = min,
) -> list[Measure]:
    dataset = public_dataset(store, settings)
    cache = cache_for(store, settings)
    if cache is None or not cache.enabled:
        raise SystemExit("the answer cache is off (VCGRAPH_CACHE_ENTRIES/BYTES = 0?): the warm figure needs it")
    results = []
    for info in sorted(list_questions(settings), key=lambda i: i.id):
        if (only and info.id not in only) or info.id in skip:
            continue
        params = PARAMETERS[info.id]
        bound = validate_parameters(store, dataset, info, params, "en", settings.base_iri)
        texts = [bind_parameters(info.text, binding) for binding in bound.bindings()]

        def raw(texts: list[str] = texts) -> None:
            for text in texts:
                outcome = store.query(text, dataset=dataset)
                assert isinstance(outcome, QuerySolutions)
                for solution in outcome:
                    tuple(solution)  # every value read, as any client of the answer does

        def service(name: str = info.id, params: dict[str, str] = params) -> None:
            run_question(store, settings, name, params)

        def forget_answers() -> None:
            cache.clear(ANSWERS)

        raw_ms, service_ms = compare(raw, service, repeat, forget_answers, statistic)
        answer = run_question(store, settings, info.id, params, limit=0)  # the count: no item need be built
        service()  # the default page, cached: what the warm runs find
        # a warm call that is not a hit is an answer too large to keep (a quarter of the cache): it was computed
        # again, and computing it twice more (matchmaking-mutual at 50,000 organisations took ~15 min each before
        # it listed its rows) tells nothing new
        first_warm_ms = elapsed_ms(service)
        warm_ms = (
            first_warm_ms
            if first_warm_ms > NOT_A_HIT_MS
            else min(first_warm_ms, *(elapsed_ms(service) for _ in range(max(repeat, 3) - 1)))
        )
        results.append(Measure(info.id, raw_ms, service_ms, answer.count, warm_ms))
        print(
            f"  {info.id:28s} raw {raw_ms:9.1f} ms  service {service_ms:9.1f} ms  warm {warm_ms:7.3f} ms  "
            f"items {answer.count}",
            flush=True,
        )
    return results


def expected_raw_s(before: tuple[int, float] | None, last: tuple[int, float], size: int) -> float:
    """The raw time expected at ``size`` organisations from (organisations, ms) measured before: growing as it
    grew between the last two sizes (matchmaking-mutual grew with the square of the graph before it listed its
    rows: 0.3 s at 1,000, 30 s at 10,000, ~15 min per evaluation at 50,000), at least linearly."""
    organisations, raw_ms = last
    exponent = 1.0
    if before is not None and before[1] > 0 and raw_ms > 0 and organisations > before[0]:
        exponent = max(1.0, math.log(raw_ms / before[1]) / math.log(organisations / before[0]))
    return float(raw_ms * (size / organisations) ** exponent / 1000)


def report(runs: list[tuple[int, int, float, list[Measure], dict[str, str]]], repeat: int, repeat_large: int) -> str:
    lines = [
        SECTION,
        "",
        f"`python bench/questions.py` (run of {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, "
        f"pyoxigraph {pyoxigraph.__version__}, "
        f"Python {platform.python_version()}, {platform.machine()}, in-memory store, 2 cores shared with other jobs; "
        f"best of {repeat} alternated runs per side after a warm-up, {repeat_large} run(s) without warm-up "
        f"from {LARGE:,} organisations). "
        "Synthetic graphs built as quads following docs/model.md (real `ontology/vocab-*.ttl`, a 216-region "
        "NUTS tree, two waves). **raw** = the `.rq` file with its parameters bound, on pyoxigraph, every value "
        "of every row read; "
        "**service** = `run_question` (validation against the store, binding, the same query, shaping, paging), "
        "its cached answers forgotten before each run and its lookups (public dataset, waves, concepts, NUTS "
        "codes) cached, as on a running server after its first request; **warm** = the same call answered "
        "from the cache (a repeated question, until the store is written). "
        "Budget: the service may add max(20 % of raw, 2 ms).",
        "",
    ]
    for organisations, quads, load_s, measures, skipped in runs:
        passed = sum(m.ok for m in measures)
        lines += [
            f"### {organisations:,} organisations ({quads:,} quads, built and loaded in {load_s:.0f} s): "
            f"{passed}/{len(measures)} within budget",
            "",
            "| question | raw ms | service ms | added ms | budget ms | warm ms | items | within budget |",
            "|---|---:|---:|---:|---:|---:|---:|---|",
        ]
        lines += [
            f"| {m.question} | {m.raw_ms:.1f} | {m.service_ms:.1f} | {m.overhead_ms:+.1f} | {m.allowed_ms:.1f} | "
            f"{m.warm_ms:.2f} | {m.items} | {'yes' if m.ok else '**no**'} |"
            for m in measures
        ]
        lines += [f"| {question} | | | | | | | {why} |" for question, why in sorted(skipped.items())]
        lines.append("")
    return "\n".join(lines)


def write_section(text: str, path: Path = RESULTS) -> None:
    """Replace (or append) only the ``## Questions latency`` section; other sections belong to others."""
    current = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks and conformance\n"
    start = current.find(SECTION)
    if start < 0:
        updated = current.rstrip("\n") + "\n\n" + text.rstrip("\n") + "\n"
    else:
        following = current.find("\n## ", start + len(SECTION))
        tail = current[following + 1 :] if following >= 0 else ""
        updated = current[:start] + text.rstrip("\n") + "\n" + ("\n" + tail if tail else "")
    path.write_text(updated, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=lambda s: [int(x) for x in s.split(",")], default=[1_000, 10_000, 50_000])
    parser.add_argument("--repeat", type=int, default=5, help="alternated runs per side (best kept)")
    parser.add_argument("--repeat-large", type=int, default=1, help=f"the same from {LARGE:,} organisations")
    parser.add_argument("--only", help="comma-separated question ids")
    parser.add_argument("--no-write", action="store_true", help="print only; leave bench/RESULTS.md alone")
    args = parser.parse_args(argv)
    settings = Settings(home=ROOT)
    only = set(args.only.split(",")) if args.only else None
    runs: list[tuple[int, int, float, list[Measure], dict[str, str]]] = []
    skip: dict[str, str] = {}
    failures = 0
    for organisations in args.sizes:
        start = time.perf_counter()
        store, quads = build_store(organisations)
        load_s = time.perf_counter() - start
        print(f"{organisations} organisations: {quads} quads in {load_s:.1f} s", flush=True)
        repeat = args.repeat if organisations < LARGE else args.repeat_large
        measures = measure(store, settings, repeat, only, skip)
        failures += sum(not m.ok for m in measures)
        runs.append((organisations, quads, load_s, measures, dict(skip)))
        following = args.sizes[args.sizes.index(organisations) + 1 :]
        if following:
            previous = {m.question: (size, m.raw_ms) for size, _, _, ms, _ in runs[-2:-1] for m in ms}
            for m in measures:
                expected_s = expected_raw_s(previous.get(m.question), (organisations, m.raw_ms), following[0])
                if expected_s > SKIP_ABOVE_S and m.question not in skip:
                    skip[m.question] = (
                        f"not run from {following[0]:,} organisations: {m.raw_ms / 1000:.1f} s raw at "
                        f"{organisations:,}, ~{expected_s:.0f} s expected"
                    )
        store.close()
    text = report(runs, args.repeat, args.repeat_large)
    print(text)
    if not args.no_write:
        write_section(text)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
