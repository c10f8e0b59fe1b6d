"""The roadmap report: every figure asked of the graph through :func:`vcgraph.questions.run_question`, the very
function behind the REST API, then written as one self-contained HTML file (and, on request, a PDF)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from vcgraph.config import Settings
from vcgraph.questions import QuestionParameterError, run_question, run_sparql
from vcgraph.questions.params import waves
from vcgraph.service.dataset import public_dataset
from vcgraph.store.port import Store

QUERIES = Path(__file__).resolve().parent / "queries"
REGIONS_QUERY = Path(__file__).resolve().parent.parent / "ui" / "queries" / "regions-in-use.rq"
LANGUAGES = ("en", "fr")
CONSORTIUM_MAX_SIZE = "10"
"""The largest consortium the question allows: the report proposes one whenever one exists."""
PRIORITY_CLASSES = 3
"""How many product classes get a consortium when none are named: those named by the most declared needs."""


class ReportError(ValueError):
    """The report cannot be made as asked (no wave loaded, unknown region, no Chromium for --pdf...)."""


@dataclass(frozen=True)
class Source:
    """One question asked for the report, with the exact parameters: the same call as ``GET {route}?{params}``."""

    question: str
    params: dict[str, str]


@dataclass
class ReportData:
    """What the report shows, as the questions answered it (JSON-ready items, as the API returns them)."""

    lang: str
    generated: datetime
    wave: str
    previous_wave: str | None
    regions: list[str]
    region_labels: dict[str, str]
    answers: dict[str, dict[str, Any]] = field(default_factory=dict)
    sources: dict[str, Source] = field(default_factory=dict)
    priority_classes: list[str] = field(default_factory=list)
    wave_table: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class ReportInfo:
    """What :func:`build_report` wrote and from what."""

    html: Path
    pdf: Path | None
    wave: str
    previous_wave: str | None
    regions: tuple[str, ...]
    priority_classes: tuple[str, ...]
    generated: datetime
    sources: dict[str, Source]
    """Each figure block of the report (its ``data-source`` attribute in the HTML) -> the question call behind it."""


def _ask(
    store: Store, settings: Settings, data: ReportData, key: str, question: str, params: Mapping[str, str]
) -> dict[str, Any]:
    clean = {name: value for name, value in params.items() if value}
    try:
        answer = run_question(store, settings, question, clean, limit=None, lang=data.lang).to_json()
    except QuestionParameterError as exc:
        raise ReportError(f"{question}: {exc}") from exc
    data.answers[key] = answer
    data.sources[key] = Source(question, clean)
    return answer


def _regions_in_use(store: Store, settings: Settings) -> list[dict[str, Any]]:
    return run_sparql(store, settings, REGIONS_QUERY.read_text(encoding="utf-8"), {}).to_dict()["rows"]


def _priority_classes(data: ReportData) -> list[str]:
    """The product classes the declared needs name most often (ties by notation), from the matchmaking answers."""
    counted: Counter[str] = Counter()
    for key, answer in data.answers.items():
        if key.startswith("matchmaking-needs:"):
            for need in answer["items"]:
                if need.get("product_class"):
                    counted[need["product_class"]["notation"]] += 1
    ranked = sorted(counted.items(), key=lambda pair: (-pair[1], pair[0]))
    return [notation for notation, _ in ranked[:PRIORITY_CLASSES]]


def gather(
    store: Store,
    settings: Settings,
    *,
    lang: str = "en",
    wave: str | None = None,
    regions: Sequence[str] | None = None,
    priority_classes: Sequence[str] | None = None,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> ReportData:
    """Ask every question the report shows. ``regions`` default to the level-1 NUTS regions where actors have
    sites (the clusters' regions); ``wave`` to the latest loaded one."""
    if lang not in LANGUAGES:
        raise ReportError(f"lang: unsupported language {lang!r}; allowed: {', '.join(LANGUAGES)}")
    loaded = [w.identifier for w in waves(store, public_dataset(store, settings))]
    if not loaded:
        raise ReportError("no survey wave is loaded: ingest one first (vcgraph ingest FILE --wave ID)")
    chosen = wave or loaded[-1]
    if chosen not in loaded:
        raise ReportError(f"wave: unknown wave {chosen!r}; loaded: {', '.join(loaded)}")
    position = loaded.index(chosen)
    previous = loaded[position - 1] if position > 0 else None
    in_use = _regions_in_use(store, settings)
    labels = {row["notation"]: row.get("label") or row["notation"] for row in in_use}
    chosen_regions = list(regions) if regions else [row["notation"] for row in in_use if row.get("level") == 1]
    for code in chosen_regions:
        if code not in labels:
            raise ReportError(f"regions: no actor has a site in {code!r}; regions in use: {', '.join(labels)}")
    if not chosen_regions:
        raise ReportError("regions: no level-1 NUTS region holds a site; name the regions to report on")
    data = ReportData(lang, now(), chosen, previous, chosen_regions, labels)
    joined = ",".join(chosen_regions)

    _ask(store, settings, data, "coverage", "gaps-coverage", {"regions": joined, "wave": chosen})
    for region in chosen_regions:
        _ask(store, settings, data, f"gaps-stages:{region}", "gaps-stages", {"region": region, "wave": chosen})
        _ask(store, settings, data, f"gaps-needs:{region}", "gaps-needs", {"region": region, "wave": chosen})
        _ask(
            store,
            settings,
            data,
            f"gaps-single-providers:{region}",
            "gaps-single-providers",
            {"region": region, "wave": chosen},
        )
        _ask(store, settings, data, f"gaps-skills:{region}", "gaps-skills", {"region": region, "wave": chosen})
    _ask(store, settings, data, "convergence-technologies", "convergence-technologies", {"wave": chosen})
    _ask(store, settings, data, "convergence-bridges", "convergence-bridges", {"wave": chosen})
    _ask(store, settings, data, "convergence-co-occurrence", "convergence-co-occurrence", {"wave": chosen})
    for region in chosen_regions:
        for partner in chosen_regions:
            if partner != region:
                _ask(
                    store,
                    settings,
                    data,
                    f"matchmaking-needs:{region}:{partner}",
                    "matchmaking-needs",
                    # The report shows each need's best candidate that meets it, which need not be among the
                    # best 20 by fit (the route's default): ask for every candidate the route allows.
                    {"region": region, "partner_region": partner, "wave": chosen, "candidates": "1000"},
                )
    for index, region in enumerate(chosen_regions):
        for partner in chosen_regions[index + 1 :]:
            _ask(
                store,
                settings,
                data,
                f"matchmaking-mutual:{region}:{partner}",
                "matchmaking-mutual",
                {"region": region, "partner_region": partner, "wave": chosen},
            )
    _ask(store, settings, data, "product-classes", "vocabulary", {"scheme": "product-classes"})
    data.priority_classes = list(priority_classes) if priority_classes else _priority_classes(data)
    for product_class in data.priority_classes:
        _ask(
            store,
            settings,
            data,
            f"consortium:{product_class}",
            "consortium",
            {"product_class": product_class, "regions": joined, "max_size": CONSORTIUM_MAX_SIZE, "wave": chosen},
        )
    if previous is not None:
        window = {"from": previous, "to": chosen}
        _ask(store, settings, data, "trends-coverage", "trends-coverage", {"region": joined, **window})
        _ask(store, settings, data, "trends-needs", "trends-needs", window)
        _ask(store, settings, data, "trends-trl", "trends-trl", window)
    data.wave_table = run_sparql(
        store, settings, (QUERIES / "wave-responses.rq").read_text(encoding="utf-8"), {}
    ).to_dict()["rows"]
    return data


def build_report(
    store: Store,
    settings: Settings,
    out: Path,
    *,
    pdf: bool = False,
    lang: str = "en",
    wave: str | None = None,
    regions: Sequence[str] | None = None,
    priority_classes: Sequence[str] | None = None,
) -> ReportInfo:
    """Write the roadmap report to ``out`` (HTML, self-contained) and, with ``pdf``, ``out`` with suffix ``.pdf``.

    Raises :class:`ReportError` (a ``ValueError``) with a message naming the bad argument, or saying why the PDF
    cannot be printed.
    """
    from vcgraph.report.pdf import print_pdf
    from vcgraph.report.render import render_html

    if out.exists() and out.is_dir():
        raise ReportError(f"out: {out} is a directory; give the HTML file to write")
    if out.suffix.lower() == ".pdf":
        raise ReportError(f"out: {out} names the PDF; give the HTML file, the PDF is written next to it (--pdf)")
    if not out.parent.is_dir():
        raise ReportError(f"out: the folder {out.parent} does not exist")
    data = gather(store, settings, lang=lang, wave=wave, regions=regions, priority_classes=priority_classes)
    out.write_text(render_html(data, settings), encoding="utf-8")
    pdf_path = print_pdf(out, out.with_suffix(".pdf")) if pdf else None
    return ReportInfo(
        html=out,
        pdf=pdf_path,
        wave=data.wave,
        previous_wave=data.previous_wave,
        regions=tuple(data.regions),
        priority_classes=tuple(data.priority_classes),
        generated=data.generated,
        sources=dict(data.sources),
    )
