"""How each question's rows become answer items (one function per ``queries/<id>.rq``)."""

from __future__ import annotations

import bisect
import itertools
import json
import threading
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from fractions import Fraction
from functools import lru_cache
from operator import itemgetter
from typing import Any

from pyoxigraph import NamedNode

from vcgraph.namespaces import BM, NUTS, PROV, RDF, VOCAB
from vcgraph.questions.answer import Row, term_json
from vcgraph.questions.consortium import Candidate, solve_cover
from vcgraph.questions.service import Items, ItemsOnRead, ShapeContext, Table, shaper
from vcgraph.questions.shaping import (
    ANONYMOUS,
    ANONYMOUS_LABEL,
    actor_ref,
    actor_ref_at,
    columns,
    evidence,
    integer,
    iri,
    is_anonymous,
    natural,
    ref,
    sort_key_notation,
    sorted_totally,
    term_iri,
    value,
)

Summary = dict[str, Any] | None
RDF_TYPE = RDF + "type"

_EXAMPLE_STAGE = {"id": "https://w3id.org/vcgraph/vocab/stage/S05", "notation": "S05", "label": "Downstream processing"}
_EXAMPLE_REGION = {"id": "http://data.europa.eu/nuts/code/FRK26", "notation": "FRK26", "label": "Rhône"}
_EXAMPLE_ACTOR = {"id": "https://w3id.org/vcgraph/id/actor/id-fr123", "label": "Beta Process", "anonymous": False}
_EXAMPLE_EVIDENCE = {
    "statement": "https://w3id.org/vcgraph/id/wave/2026-W2/response/R-beta/stage/S05",
    "actor": "https://w3id.org/vcgraph/id/actor/id-fr123",
    "wave": "2026-W2",
    "response": "https://w3id.org/vcgraph/id/wave/2026-W2/response/R-beta",
}


def _code(region_iri: str | None) -> str:
    return region_iri[len(NUTS) :] if region_iri and region_iri.startswith(NUTS) else ""


def _common_prefix(a: str, b: str) -> str:
    length = 0
    while length < min(len(a), len(b)) and a[length] == b[length]:
        length += 1
    return a[:length]


def nearest_regions(target: str, candidates: list[tuple[dict[str, Any], int]]) -> list[dict[str, Any]]:
    """The provider regions closest to ``target`` in the NUTS tree (a NUTS code's parent is the code minus its
    last character, so the longest shared prefix is the nearest shared ancestor); ties all kept."""
    if not candidates:
        return []
    scored = []
    for region, providers in candidates:
        shared = _common_prefix(target, str(region.get("notation") or _code(region["id"])))
        shared = shared if len(shared) >= 2 else ""  # a one-letter overlap is no common country
        scored.append((shared, region, providers))
    best = max(len(shared) for shared, _, _ in scored)
    nearest = [(s, r, p) for s, r, p in scored if len(s) == best]
    nearest.sort(key=lambda entry: (-entry[2], natural(str(entry[1].get("notation") or ""))))
    return [{"region": r, "providers": p, "common_ancestor": s or None} for s, r, p in nearest]


@shaper(
    "gaps-stages",
    example_item={
        **_EXAMPLE_STAGE,
        "order": 5,
        "cross_cutting": False,
        "nearest_providers": [{"region": _EXAMPLE_REGION, "providers": 2, "common_ancestor": "FRK2"}],
        "evidence": {"wave": "2026-W2"},
    },
)
def gaps_stages(rows: list[Row], ctx: ShapeContext) -> tuple[Items, Summary]:
    target = str(ctx.params.echo["region"])
    wave = ctx.wave_id()
    items: dict[str, dict[str, Any]] = {}
    providers: dict[str, list[tuple[dict[str, Any], int]]] = defaultdict(list)
    for row in rows:
        item = items.get(value(row, "stage"))
        if item is None:
            stage = ref(row, "stage")
            assert stage is not None
            item = items[stage["id"]] = {
                **stage,
                "order": value(row, "order"),
                "cross_cutting": bool(value(row, "cross_cutting")),
                "nearest_providers": [],
                "evidence": {"wave": wave},
            }
        region = ref(row, "provider_region")
        if region is not None:
            providers[item["id"]].append((region, integer(row, "providers")))
    for stage_id, item in items.items():
        item["nearest_providers"] = nearest_regions(target, providers[stage_id])
    ordered = sorted(items.values(), key=lambda i: (i["order"] is None, i["order"] or 0, sort_key_notation(i)))
    return ordered, None


def _need_item(
    row: Row, wave: str | None, statement: str = "need", concepts: dict[Any, Any] | None = None
) -> dict[str, Any]:
    """A declared need; one of an anonymous actor keeps its content but loses every IRI and its free text.

    ``concepts`` keeps the references to concepts (stage, technology, product class, urgency) already made for
    this answer: thousands of needs name a few hundred concepts. Each need gets its own copy."""
    anonymous = is_anonymous(row)

    def concept(name: str) -> dict[str, Any] | None:
        if concepts is None:
            return ref(row, name)
        key = (name, row.get(name))
        made = concepts.get(key, _UNSEEN)
        if made is _UNSEEN:
            made = concepts[key] = ref(row, name)
        return None if made is None else dict(made)

    return {
        "id": None if anonymous else iri(row, statement),
        "kind": "structured need" if value(row, "structured") else "need position",
        "actor": actor_ref(row),
        "stage": concept("stage"),
        "technology": concept("technology"),
        "product_class": concept("product_class"),
        "min_trl": value(row, "min_trl"),
        "urgency": concept("urgency"),
        "comment": None if anonymous else value(row, "comment"),
        "evidence": evidence(row, wave, statement=statement),
    }


def _need_sort_key(item: dict[str, Any]) -> tuple[Any, ...]:
    return (
        sort_key_notation(item["stage"]),
        sort_key_notation(item["technology"]),
        item["actor"]["anonymous"],
        str(item["actor"].get("label") or ""),
        str(item["id"] or ""),
    )


def _need_row_sort_key(row: Row) -> tuple[Any, ...]:
    """:func:`_need_sort_key` of the item :func:`_need_item` makes of ``row``, without making it."""
    anonymous = is_anonymous(row)
    return (
        _concept_sort_key(row, "stage"),
        _concept_sort_key(row, "technology"),
        anonymous,
        ANONYMOUS_LABEL if anonymous else str(value(row, "actor_label") or ""),
        "" if anonymous else str(iri(row, "need") or ""),
    )


def _concept_sort_key(row: Row, name: str) -> tuple[Any, ...]:
    """:func:`sort_key_notation` of ``ref(row, name)``."""
    term = row.get(name)
    if term is None:
        return (1, "", "")
    return _concept_key(term, row.get(columns(name)[0]))


@lru_cache(maxsize=4096)
def _concept_key(term: Any, notation: Any) -> tuple[Any, ...]:
    """Cached: the concepts of the needs are those of the vocabularies, a few hundred, met by thousands of needs."""
    return (0, natural(str(term_json(notation) or "")), str(term_json(term) or ""))


_EXAMPLE_NEED = {
    "id": "https://w3id.org/vcgraph/id/wave/2026-W2/response/R-epsilon/need/1",
    "kind": "structured need",
    "actor": {"id": "https://w3id.org/vcgraph/id/actor/id-be0456", "label": "Epsilon Therapeutics", "anonymous": False},
    "stage": _EXAMPLE_STAGE,
    "technology": {
        "id": "https://w3id.org/vcgraph/vocab/technology/T04.02",
        "notation": "T04.02",
        "label": "Membrane adsorbers",
    },
    "product_class": {
        "id": "https://w3id.org/vcgraph/vocab/product-class/P05",
        "notation": "P05",
        "label": "mRNA vaccines & therapeutics",
    },
    "min_trl": 7,
    "urgency": {"id": "https://w3id.org/vcgraph/vocab/urgency/lt6m", "notation": "<6m", "label": "< 6 months"},
    "comment": "membrane capture for mRNA",
    "evidence": {
        "statement": "https://w3id.org/vcgraph/id/wave/2026-W2/response/R-epsilon/need/1",
        "actor": "https://w3id.org/vcgraph/id/actor/id-be0456",
        "wave": "2026-W2",
        "response": "https://w3id.org/vcgraph/id/wave/2026-W2/response/R-epsilon",
    },
}


_NEED_COLUMNS = (
    "need",
    "structured",
    "actor",
    "actor_label",
    "actor_visibility",
    "response",
    "stage",
    "technology",
    "product_class",
    "min_trl",
    "urgency",
    "comment",
)
_NEED_CONCEPTS = ("stage", "technology", "product_class", "urgency")
_TECHNOLOGY_SCHEME = VOCAB + "technology"


@dataclass
class _DeclaredNeed:
    """One need of the region, as its rows give it: what it asks (sets: a need may name several of a kind, and is
    met when one combination is) and its distinct detail rows (one item each)."""

    actors: set[str] = field(default_factory=set)
    stages: set[str] = field(default_factory=set)
    technologies: set[str] = field(default_factory=set)
    min_trls: list[Any] = field(default_factory=list)
    rows: dict[tuple[Any, ...], None] = field(default_factory=dict)  # an ordered set


@dataclass
class _Provision:
    """What provider_region offers in the wave: the providers of each stage, and for each technology each
    provider's best TRL (None when none of its offers of it states one)."""

    stage_providers: defaultdict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    technology_providers: defaultdict[str, dict[str, Any]] = field(default_factory=lambda: defaultdict(dict))
    technologies: set[str] = field(default_factory=set)  # the concepts of the technology scheme
    broader: defaultdict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    narrower: defaultdict[str, set[str]] = field(default_factory=lambda: defaultdict(set))

    def offered_for(self, technology: str) -> set[str]:
        """The technologies whose development meets a need for ``technology``: itself (when it is one of the
        vocabulary), a narrower one, or its family."""
        offered = self.narrower[technology] | self.broader[technology]
        if technology in self.technologies:
            offered.add(technology)
        return offered

    def developers(self, need: _DeclaredNeed, technology: str) -> Iterable[str]:
        """The providers developing what meets ``need``'s ``technology``, at one of its minimum TRLs or above."""
        minimums = [m for m in need.min_trls if isinstance(m, int | float)]
        for offered in self.offered_for(technology):
            for provider, best in self.technology_providers[offered].items():
                if not need.min_trls or (best is not None and any(best >= m for m in minimums)):
                    yield provider

    def meets(self, need: _DeclaredNeed) -> bool:
        """Whether a provider other than the need's actor meets it (the rule of queries/gaps-needs.rq)."""

        def other(provider: str) -> bool:
            return len(need.actors) > 1 or provider not in need.actors

        if need.stages and not need.technologies:
            return any(other(p) for stage in need.stages for p in self.stage_providers[stage])
        if need.technologies and not need.stages:
            return any(other(p) for technology in need.technologies for p in self.developers(need, technology))
        if need.technologies and need.stages:
            stage_providers = set().union(*(self.stage_providers[stage] for stage in need.stages))
            return any(
                other(p) and p in stage_providers
                for technology in need.technologies
                for p in self.developers(need, technology)
            )
        return False  # a need naming neither a stage nor a technology: nothing can meet it


@shaper("gaps-needs", example_item=_EXAMPLE_NEED, tabular=True)
def gaps_needs(table: Table, ctx: ShapeContext) -> tuple[Items, Summary]:
    """The needs of the region that no provider meets, decided here from the rows the query lists (see
    queries/gaps-needs.rq): the region's needs, provider_region's stage and technology offers, and the vocabulary
    (labels, technology families)."""
    wave = ctx.wave_id()
    need_at = [table.column(name) for name in _NEED_COLUMNS]
    (need_i, actor_i, stage_i, technology_i, min_trl_i) = (
        table.column(name) for name in ("need", "actor", "stage", "technology", "min_trl")
    )
    provider_i, offered_stage_i, offered_technology_i, offer_trl_i = (
        table.column(name) for name in ("provider", "offered_stage", "offered_technology", "offer_trl")
    )
    concept_i, scheme_i, notation_i, label_i, family_i = (
        table.column(name) for name in ("concept", "concept_scheme", "concept_notation", "concept_label", "family")
    )
    needs: dict[str, _DeclaredNeed] = {}
    provision = _Provision()
    vocabulary = _Vocabulary()
    for row in table.rows:
        need_iri = term_iri(row[need_i])
        if need_iri is not None:
            need = needs.get(need_iri)
            if need is None:
                need = needs[need_iri] = _DeclaredNeed()
            for into, at in ((need.actors, actor_i), (need.stages, stage_i), (need.technologies, technology_i)):
                if (named := term_iri(row[at])) is not None:
                    into.add(named)
            if row[min_trl_i] is not None and (minimum := term_json(row[min_trl_i])) not in need.min_trls:
                need.min_trls.append(minimum)
            need.rows[tuple(row[at] for at in need_at)] = None
            continue
        provider = term_iri(row[provider_i])
        if provider is not None:
            if (stage := term_iri(row[offered_stage_i])) is not None:
                provision.stage_providers[stage].add(provider)
            elif (technology := term_iri(row[offered_technology_i])) is not None:
                by_provider = provision.technology_providers[technology]
                trl = term_json(row[offer_trl_i])
                trl = trl if isinstance(trl, int | float) and not isinstance(trl, bool) else None
                best = by_provider.get(provider)
                by_provider[provider] = trl if best is None or (trl is not None and trl > best) else best
            continue
        concept = term_iri(row[concept_i])
        if concept is None:
            continue
        if (family := term_iri(row[family_i])) is not None:
            provision.broader[concept].add(family)
            provision.narrower[family].add(concept)
            continue
        if term_iri(row[scheme_i]) == _TECHNOLOGY_SCHEME:
            provision.technologies.add(concept)
        vocabulary.add(concept, row[notation_i], row[label_i])
    items = []
    for need in needs.values():
        if provision.meets(need):
            continue
        for values in need.rows:
            items.append(_need_item(_need_detail(values, vocabulary), wave))
    return sorted_totally(items, _need_sort_key), None


@dataclass
class _Vocabulary:
    """The notation and label of each concept, from a query's vocabulary rows. Should an engine give a concept two
    (two labels in the language), the smallest is kept, so that the answer does not depend on the row order."""

    _terms: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    _refs: dict[str, dict[str, Any]] = field(default_factory=dict)

    def add(self, concept: str, notation: Any, label: Any) -> None:
        found, kept = (notation, label), self._terms.get(concept)
        if kept is None or _term_order(found) < _term_order(kept):
            self._terms[concept] = found
            self._refs.pop(concept, None)

    def terms(self, concept: str) -> tuple[Any, Any]:
        """The notation and label terms of ``concept`` (None for each the rows did not give)."""
        return self._terms.get(concept, (None, None))

    def ref(self, concept: str) -> dict[str, Any]:
        """A reference to ``concept`` (a copy: each item owns its own), without labels when the rows gave none."""
        made = self._refs.get(concept)
        if made is None:
            notation, label = self.terms(concept)
            made = self._refs[concept] = {"id": concept, "notation": term_json(notation), "label": term_json(label)}
        return dict(made)


def _need_detail(values: tuple[Any, ...], vocabulary: _Vocabulary) -> Row:
    """A need's row of :data:`_NEED_COLUMNS` as the dict :func:`_need_item` takes, each concept with the notation
    and label the vocabulary rows gave it (the need rows do not carry them)."""
    detail: Row = dict(zip(_NEED_COLUMNS, values, strict=True))
    for name in _NEED_CONCEPTS:
        named = term_iri(detail.get(name))
        if named is not None:
            detail[f"{name}_notation"], detail[f"{name}_label"] = vocabulary.terms(named)
    return detail


def _term_order(terms: tuple[Any, ...]) -> tuple[str, ...]:
    return tuple("" if term is None else str(term) for term in terms)


@shaper(
    "gaps-single-providers",
    example_item={
        "stage": _EXAMPLE_STAGE,
        "product_class": {
            "id": "https://w3id.org/vcgraph/vocab/product-class/P05",
            "notation": "P05",
            "label": "mRNA vaccines & therapeutics",
        },
        "actor": _EXAMPLE_ACTOR,
        "evidence": [_EXAMPLE_EVIDENCE],
    },
)
def gaps_single_providers(rows: list[Row], ctx: ShapeContext) -> tuple[Items, Summary]:
    wave = ctx.wave_id()
    cells: dict[tuple[str, str], dict[str, Any]] = {}
    for row in rows:
        key = (value(row, "stage"), value(row, "product_class"))
        cell = cells.get(key)
        if cell is None:
            stage, product_class = ref(row, "stage"), ref(row, "product_class")
            assert stage is not None and product_class is not None
            cell = cells[key] = {
                "stage": stage,
                "product_class": product_class,
                "actor": actor_ref(row),
                "evidence": [],
                "_order": value(row, "order"),
            }
        proof = evidence(row, wave)
        if proof not in cell["evidence"]:
            cell["evidence"].append(proof)
    ordered = sorted(
        cells.values(),
        key=lambda c: (c["_order"] or 0, sort_key_notation(c["stage"]), sort_key_notation(c["product_class"])),
    )
    for cell in ordered:
        del cell["_order"]
    return ordered, None


@shaper(
    "gaps-skills",
    example_item={
        "id": "https://w3id.org/vcgraph/vocab/skill/K01",
        "notation": "K01",
        "label": "Aseptic processing",
        "reporting_actors": 2,
        "trainers_in_region": 0,
        "trainers_anywhere": 1,
        "training_in_region": False,
        "training_anywhere": True,
        "evidence": {"wave": "2026-W2"},
    },
)
def gaps_skills(rows: list[Row], ctx: ShapeContext) -> tuple[Items, Summary]:
    wave = ctx.wave_id()
    items = []
    for row in rows:
        skill = ref(row, "skill")
        assert skill is not None
        in_region, anywhere = integer(row, "trainers_in_region"), integer(row, "trainers_anywhere")
        items.append(
            {
                **skill,
                "reporting_actors": integer(row, "reporters"),
                "trainers_in_region": in_region,
                "trainers_anywhere": anywhere,
                "training_in_region": in_region > 0,
                "training_anywhere": anywhere > 0,
                "evidence": {"wave": wave},
            }
        )
    items.sort(key=lambda i: (-i["reporting_actors"], sort_key_notation(i)))
    return items, None


@shaper(
    "gaps-coverage",
    example_item={
        **_EXAMPLE_STAGE,
        "order": 5,
        "actors_by_region": {"BE3": 1, "FRK": 3},
        "evidence": {"wave": "2026-W2"},
    },
)
def gaps_coverage(rows: list[Row], ctx: ShapeContext) -> tuple[Items, Summary]:
    regions = [str(code) for code in ctx.params.echo["regions"]]
    wave = ctx.wave_id()
    items: dict[str, dict[str, Any]] = {}
    for row in rows:
        item = items.get(value(row, "stage"))
        if item is None:
            stage = ref(row, "stage")
            assert stage is not None
            item = items[stage["id"]] = {
                **stage,
                "order": value(row, "order"),
                "actors_by_region": dict.fromkeys(regions, 0),
                "evidence": {"wave": wave},
            }
        item["actors_by_region"][_code(iri(row, "region"))] = integer(row, "actors")
    ordered = sorted(items.values(), key=lambda i: (i["order"] is None, i["order"] or 0, sort_key_notation(i)))
    return ordered, None


GMP_SCORE = {"gmp-certified": 1.0, "gmp-ready": 0.5}

# What a candidate matched, as bits of one small number (with the product-class match).
_STAGE_HIT, _TECHNOLOGY_HIT, _FAMILY_HIT, _CLASS_HIT = 1, 2, 4, 8
_CRITERIA = ("stage", "technology", "trl", "product_class", "gmp")
_TOP_SCORE = 100 * len(_CRITERIA)  # the best score in hundredths: each criterion scores at most 1
_UNSEEN: Any = object()
_NO_OFFERS: dict[int, list[Any]] = {}
_NOBODY: set[int] = set()
# What a candidate that does not match the needed technology can have matched: stage, family, product class.
_RESIDUAL_HITS = tuple(
    stage | family | product_class
    for stage in (_STAGE_HIT, 0)
    for family in (_FAMILY_HIT, 0)
    for product_class in (_CLASS_HIT, 0)
)


def _fit(
    need: dict[str, Any], hits: int, best_trl: Any, gmp_status: str | None
) -> tuple[float | None, float | None, float | None, float | None, float]:
    """The fit of one candidate to one need, per criterion (None: the need does not ask for it): stage,
    technology, TRL, product class, GMP. ``hits`` are the candidate's match bits, ``best_trl`` the best TRL of
    the offers that matched the needed technology itself."""
    min_trl = need["min_trl"]
    if need["technology"] is None:
        technology = None
    elif hits & _TECHNOLOGY_HIT:
        technology = 1.0
    else:
        technology = 0.5 if hits & _FAMILY_HIT else 0.0
    if min_trl is None or need["technology"] is None:
        trl = None
    elif best_trl is None:
        trl = 0.0
    else:
        trl = 1.0 if best_trl >= min_trl else round(best_trl / min_trl, 2)
    return (
        None if need["stage"] is None else (1.0 if hits & _STAGE_HIT else 0.0),
        technology,
        trl,
        None if need["product_class"] is None else (1.0 if hits & _CLASS_HIT else 0.0),
        GMP_SCORE.get(str(gmp_status or ""), 0.0),
    )


_Fits = dict[tuple[int, Any, int], tuple[int, tuple[float, int, bool, dict[str, float | None]]]]


def _scored(fits: _Fits, need: dict[str, Any], state: tuple[int, Any, int], gmp_status: Any, width: int) -> int:
    """The rank base, (best score - score) * width, of a candidate in ``state`` (match bits, best TRL, GMP
    number); the fit behind it is kept in ``fits`` as (rank base, (score, max_score, meets_need, breakdown)),
    computed once per state and criteria asked (``fits`` is per criteria asked): many candidates share one."""
    found = fits.get(state)
    if found is None:
        fit = _fit(need, state[0], state[1], gmp_status)
        present = [v for v in fit if v is not None]
        score = round(sum(present), 2)  # hundredths: round(score * 100) orders the scores exactly
        found = fits[state] = (
            (_TOP_SCORE - round(score * 100)) * width,
            (
                score,
                len(present),
                all(v == 1.0 for v in fit[:3] if v is not None),
                dict(zip(_CRITERIA, fit, strict=True)),
            ),
        )
    return found[0]


@dataclass
class _MatchmakingRows:
    """What matchmaking-needs reads from its rows (see queries/matchmaking-needs.rq), keyed for the ranking."""

    # need -> [its detail row (labels from the vocabulary), its stages, technologies, families, product classes]
    needs: dict[Any, list[Any]] = field(default_factory=dict)
    # (match bit, key) -> provider number -> [best TRL, offer IRIs...]
    offered: dict[tuple[int, Any], dict[int, list[Any]]] = field(default_factory=dict)
    classes: dict[Any, set[int]] = field(default_factory=lambda: defaultdict(set))  # class -> provider numbers
    numbers: dict[Any, int] = field(default_factory=dict)  # provider -> its number, in the order met
    # per provider number: (IRI, label, GMP notation, label as ordered), None for an anonymous one
    shown_as: list[tuple[str, Any, Any, str] | None] = field(default_factory=list)

    def offer(self, kind: int, key: Any, provider: Any, offer: str, trl: Any = None) -> None:
        """Record that ``provider``'s ``offer`` matches the needs of ``key`` by ``kind`` (at ``trl``)."""
        number = self.numbers.get(provider)
        if number is None:
            number = self.numbers[provider] = len(self.numbers)
        by_provider = self.offered.get((kind, key))
        if by_provider is None:
            by_provider = self.offered[(kind, key)] = {}
        entry = by_provider.get(number)
        if entry is None:
            entry = by_provider[number] = [None]
        if trl is not None and (entry[0] is None or trl > entry[0]):
            entry[0] = trl
        if offer not in entry[1:]:
            entry.append(offer)


def _provider_order(details: tuple[Any, ...]) -> tuple[bool, tuple[str, ...]]:
    """The provider row kept when a provider has several: an anonymous one (never named), else the smallest."""
    return details[1] != ANONYMOUS, _term_order(details)


def _read_matchmaking_rows(table: Table) -> _MatchmakingRows:
    """The needs, and the partner region's offers keyed by what they match, from the rows the query lists.

    An offer matches by "stage" the needs of the stage it offers; by "technology" the needs of the technology it
    develops or of that technology's family; by "technology-family" (the weaker match) the needs of a narrower
    technology of a family it develops or develops a narrower technology of."""
    need_at = [table.column(name) for name in _NEED_COLUMNS]
    need_i, stage_i, technology_i, class_i = (
        table.column(name) for name in ("need", "stage", "technology", "product_class")
    )
    offer_i, offered_stage_i, offered_technology_i, trl_i = (
        table.column(name) for name in ("offer", "offered_stage", "offered_technology", "offer_trl")
    )
    provider_i, provider_class_i, provider_label_i, provider_visibility_i, provider_gmp_i = (
        table.column(name)
        for name in ("provider", "provider_class", "provider_label", "provider_visibility", "provider_gmp")
    )
    concept_i, scheme_i, notation_i, label_i, top_i, family_i = (
        table.column(name)
        for name in ("concept", "concept_scheme", "concept_notation", "concept_label", "top_concept", "family")
    )
    read = _MatchmakingRows()
    detail_rows: dict[Any, tuple[Any, ...]] = {}  # need -> its smallest detail row, whatever the row order
    stage_offers: list[tuple[str, Any, Any]] = []
    technology_offers: list[tuple[str, Any, Any, Any]] = []
    class_rows: list[tuple[Any, Any]] = []
    providers: dict[Any, tuple[Any, Any, Any]] = {}  # provider -> (label, visibility, GMP status)
    vocabulary = _Vocabulary()
    technologies: set[Any] = set()  # the concepts of the technology vocabulary ...
    families: set[Any] = set()  # ... its top concepts ...
    broader: dict[Any, set[Any]] = defaultdict(set)  # ... and one step up from each
    for row in table.rows:
        need = row[need_i]
        if type(need) is NamedNode:
            declared = read.needs.get(need)
            if declared is None:
                declared = read.needs[need] = [None, set(), set(), set(), set()]
            for keys, at in ((declared[1], stage_i), (declared[2], technology_i), (declared[4], class_i)):
                if row[at] is not None:
                    keys.add(row[at])
            details = tuple(row[at] for at in need_at)
            kept = detail_rows.get(need)
            # the same details again (a need's row per product class, say) need no ordering
            if kept is None or (details != kept and _term_order(details) < _term_order(kept)):
                detail_rows[need] = details
            continue
        offer = row[offer_i]
        if type(offer) is NamedNode:
            if row[offered_stage_i] is not None:
                stage_offers.append((offer.value, row[provider_i], row[offered_stage_i]))
            elif row[offered_technology_i] is not None:
                technology_offers.append((offer.value, row[provider_i], row[offered_technology_i], row[trl_i]))
            continue
        provider = row[provider_i]
        if provider is not None:
            if row[provider_class_i] is not None:
                class_rows.append((provider, row[provider_class_i]))
            details = (row[provider_label_i], row[provider_visibility_i], row[provider_gmp_i])
            kept = providers.get(provider)
            # a provider has a row per product class, most of them with the same details
            if kept is None or (details != kept and _provider_order(details) < _provider_order(kept)):
                providers[provider] = details
            continue
        concept = row[concept_i]
        if concept is None:
            continue
        if row[family_i] is not None:
            broader[concept].add(row[family_i])
            continue
        if term_iri(row[scheme_i]) == _TECHNOLOGY_SCHEME:
            technologies.add(concept)
        if row[top_i] is not None:
            families.add(concept)
        vocabulary.add(concept.value, row[notation_i], row[label_i])

    # each need's details with the vocabulary's notations and labels, and the families of its technologies
    for need, declared in read.needs.items():
        declared[0] = _need_detail(detail_rows[need], vocabulary)
        declared[3].update(family for t in declared[2] for family in broader.get(t, ()) if family in families)
    needed = [set().union(*(declared[at] for declared in read.needs.values())) for at in (1, 2, 3)]
    needed_stages, needed_technologies, needed_families = needed

    for offer_iri, provider, stage in stage_offers:
        if stage in needed_stages:
            read.offer(_STAGE_HIT, stage, provider, offer_iri)
    for offer_iri, provider, technology, trl_term in technology_offers:
        trl = term_json(trl_term)
        up = broader.get(technology, set())
        for key in (({technology} if technology in technologies else set()) | up) & needed_technologies:
            read.offer(_TECHNOLOGY_HIT, key, provider, offer_iri, trl)
        for key in (({technology} if technology in families else set()) | up) & needed_families:
            read.offer(_FAMILY_HIT, key, provider, offer_iri)
    for provider, product_class in class_rows:
        number = read.numbers.get(provider)
        if number is not None:  # a provider with no matching offer is nobody's candidate
            read.classes[product_class].add(number)

    def shown(provider: Any) -> tuple[str, Any, Any, str] | None:
        label, visibility, gmp = providers.get(provider, (None, None, None))
        if visibility == ANONYMOUS:
            return None
        gmp_notation = vocabulary.terms(gmp.value)[0] if type(gmp) is NamedNode else None
        return (provider.value, term_json(label), term_json(gmp_notation), str(term_json(label) or ""))

    read.shown_as = [shown(provider) for provider in read.numbers]  # in the order of numbers
    return read


@shaper(
    "matchmaking-needs",
    tabular=True,
    example_item={
        **_EXAMPLE_NEED,
        "candidates": [
            {
                "actor": {
                    "id": "https://w3id.org/vcgraph/id/actor/id-de789",
                    "label": "Theta Separations",
                    "anonymous": False,
                },
                "score": 3.5,
                "max_score": 5,
                "meets_need": True,
                "breakdown": {"stage": 1.0, "technology": 1.0, "trl": 1.0, "product_class": 0.0, "gmp": 0.5},
                "best_trl": 7,
                "gmp_status": "gmp-ready",
                "evidence": [
                    "https://w3id.org/vcgraph/id/wave/2026-W2/response/R-theta/stage/S05",
                    "https://w3id.org/vcgraph/id/wave/2026-W2/response/R-theta/technology/T04.02",
                ],
            }
        ],
        "candidate_count": 1,
        "anonymous_candidates": 0,
    },
)
def matchmaking_needs(table: Table, ctx: ShapeContext) -> tuple[ItemsOnRead, Summary]:
    """Each need with its ``candidates`` best candidates by fit (ties by label, then IRI) and ``candidate_count``,
    how many there are in all.

    The query lists the needs, the partner region's offers and providers, and the vocabulary (see
    queries/matchmaking-needs.rq); :func:`_read_matchmaking_rows` keys the offers by the stage, technology or
    family they match. The join is made here, per need, on small numbers: each
    provider gets a number when first met (hashing a pyoxigraph term is a call into the engine), the offers of a
    key are a dict from provider number to [best TRL, offers...], and a need's candidates are the union of the
    key sets of its stage, technology and family. A set of providers is the bits of one integer (bit = the
    provider's place in the order of ties), so a union, an intersection or a count over a need's hundreds of
    candidates is a few machine operations. A candidate's rank in its need is one integer, (best score - its
    score) * providers + its place. The candidates that match the needed technology (each with its own best TRL)
    are ranked one by one; the others are taken set by set (stage, family, class, GMP) from the best score down,
    lowest bits first, until the cap is met. Fits are computed once per criteria asked and state, and a kept
    candidate's dict once per provider, state and offers, shared by the needs that show it (answers are read,
    never changed). A need is ranked when it is read (:class:`ItemsOnRead`): at 50,000 organisations ranking all
    9,413 needs (188k candidates shown) took 0.9 s, and a page shows 100."""
    wave = ctx.wave_id()
    cap = int(ctx.params.echo["candidates"])
    read = _read_matchmaking_rows(table)
    offered, classes, numbers, shown_as = read.offered, read.classes, read.numbers, read.shown_as
    # Each provider's place, its bit in the sets below: the public ones in the order of ties (label, then IRI),
    # then the anonymous ones.
    ties = sorted((found[3], found[0], number) for number, found in enumerate(shown_as) if found is not None)
    number_at = [number for _, _, number in ties]  # public place -> provider number
    width = len(number_at) or 1
    public_count = len(number_at)
    public = (1 << public_count) - 1
    place = [0] * len(shown_as)
    for index, number in enumerate(number_at):
        place[number] = index
    anonymous_places = itertools.count(len(number_at))
    for number, found in enumerate(shown_as):
        if found is None:
            place[number] = next(anonymous_places)
    gmp_numbers: dict[Any, int] = {}
    gmp_of = [0 if found is None else gmp_numbers.setdefault(found[2], len(gmp_numbers)) for found in shown_as]
    gmp_status = {number: status for status, number in gmp_numbers.items()}
    with_gmp = dict.fromkeys(gmp_status, 0)  # GMP number -> the public providers with that status
    for number in number_at:
        with_gmp[gmp_of[number]] |= 1 << place[number]

    def bit_set(members: Iterable[int]) -> int:
        bits = 0
        for number in members:
            bits |= 1 << place[number]
        return bits

    # Sets of providers as the bits of one integer: a union, intersection or count over a need's hundreds of
    # candidates is then a few machine operations, where a loop over them was most of the question's time.
    offered_bits = {key: bit_set(by_provider) for key, by_provider in offered.items()}
    class_bits = {product_class: bit_set(members) for product_class, members in classes.items()}

    # the offers of several keys of one kind, merged once: kept to the end like the others, as the shown
    # candidates below are told apart by the identity of their entries
    merged_offers: dict[tuple[int, frozenset[Any]], tuple[dict[int, list[Any]], int]] = {}

    def offers_of(kind: int, keys: set[Any]) -> tuple[dict[int, list[Any]], int]:
        """The matching offers of a need's keys of one kind by provider number, and the set of those providers
        (most needs have one key of each kind)."""
        if len(keys) == 1:
            key = (kind, next(iter(keys)))
            return offered.get(key, _NO_OFFERS), offered_bits.get(key, 0)
        several = (kind, frozenset(keys))
        if several in merged_offers:
            return merged_offers[several]
        merged: dict[int, list[Any]] = {}
        for key in keys:
            for number, entry in offered.get((kind, key), _NO_OFFERS).items():
                held = merged.setdefault(number, [None])
                if entry[0] is not None and (held[0] is None or entry[0] > held[0]):
                    held[0] = entry[0]
                held.extend(offer for offer in entry[1:] if offer not in held[1:])
        found = merged_offers[several] = (merged, bit_set(merged))
        return found

    fits_by_asked: dict[tuple[Any, ...], _Fits] = {}
    concepts: dict[Any, Any] = {}
    made_candidates: dict[tuple[Any, ...], dict[str, Any]] = {}
    # a technology's public matching providers as (number, place, best TRL, GMP number), shared by its needs
    technology_matches: dict[tuple[int, Any], list[tuple[int, int, Any, int]]] = {}
    tiers_by_asked: dict[tuple[Any, ...], list[tuple[int, list[tuple[int, int, int]]]]] = {}
    lock = threading.Lock()  # ranking fills the caches above, shared by every read of the answer

    def ranked(detail: Row, keys: tuple[Any, ...], skeleton: dict[str, Any] | None = None) -> dict[str, Any]:
        """The need of ``detail`` row (its item ``skeleton`` when made already) with its best candidates, how many
        there are, and how many are anonymous."""
        actor, stages, technologies, families, product_classes = keys
        with lock:
            need = dict(skeleton or _need_item(detail, wave, concepts=concepts))
            by_stage, stage_set = offers_of(_STAGE_HIT, stages)
            by_technology, technology_set = offers_of(_TECHNOLOGY_HIT, technologies)
            by_family, family_set = offers_of(_FAMILY_HIT, families)
            class_set = 0
            for product_class in product_classes:
                class_set |= class_bits.get(product_class, 0)
            with_class = (
                classes.get(next(iter(product_classes)), _NOBODY)
                if len(product_classes) == 1
                else set().union(*(classes.get(c, _NOBODY) for c in product_classes))
            )
            candidates = stage_set | technology_set | family_set
            own = numbers.get(actor)
            if own is not None:
                candidates &= ~(1 << place[own])  # an actor is not its own partner
            # needs that ask for the same criteria (and minimum TRL) share their fits and the order of the sets below
            asked = (need["stage"] is None, need["technology"] is None, need["product_class"] is None, need["min_trl"])
            fits = fits_by_asked.get(asked)
            if fits is None:
                fits = fits_by_asked[asked] = {}

            # A candidate's rank is one integer: (best score - its score) * width + its place; state_at keeps the
            # state (match bits, best TRL, GMP number) each rank was scored in.
            # Those that match the needed technology each have their own best TRL: ranked one by one (a few per need).
            eligible = candidates & public
            state_at: dict[int, tuple[int, Any, int]] = {}
            ranked = []
            # Tested on the number-keyed dicts and sets, not the bits: a test of one bit of a large integer copies it.
            technology_key = (_TECHNOLOGY_HIT, next(iter(technologies))) if len(technologies) == 1 else None
            matching = technology_matches.get(technology_key) if technology_key else None
            if matching is None:
                matching = [
                    (number, place[number], entry[0], gmp_of[number])
                    for number, entry in by_technology.items()
                    if place[number] < public_count
                ]
                if technology_key:
                    technology_matches[technology_key] = matching
            for number, at, best_trl, gmp in matching:
                if number == own:
                    continue
                hits = (
                    _TECHNOLOGY_HIT
                    | (_STAGE_HIT if number in by_stage else 0)
                    | (_FAMILY_HIT if number in by_family else 0)
                    | (_CLASS_HIT if number in with_class else 0)
                )
                state = (hits, best_trl, gmp)
                fitted = fits.get(state)
                rank = (fitted[0] if fitted else _scored(fits, need, state, gmp_status[state[2]], width)) + at
                state_at[rank] = state
                ranked.append(rank)
            # The others score by which sets they are in: taken set by set from the best score down, each set in the
            # order of places (its lowest bits), until the cap is reached at the end of a score.
            tiers = tiers_by_asked.get(asked)
            if tiers is None:
                tiers = tiers_by_asked[asked] = [
                    (base, list(group))
                    for base, group in itertools.groupby(
                        sorted(
                            (_scored(fits, need, (hits, None, gmp), gmp_status[gmp], width), hits, gmp)
                            for hits in _RESIDUAL_HITS
                            for gmp in gmp_status
                        ),
                        key=itemgetter(0),
                    )
                ]
            rest = eligible & ~technology_set
            taken = 0
            # the cap-th best rank among the technology matches: a set that can only rank after it is not looked at
            bound = sorted(ranked)[cap - 1] if len(ranked) >= cap else None
            for group_base, group in tiers:
                wanted = cap - taken  # from each set of this score at most: all taken so far rank before them
                if wanted <= 0 or not rest or (bound is not None and group_base > bound):
                    break
                for base, hits, gmp in group:
                    state = (hits, None, gmp)
                    members = (
                        rest
                        & with_gmp[gmp]
                        & (stage_set if hits & _STAGE_HIT else ~stage_set)
                        & (family_set if hits & _FAMILY_HIT else ~family_set)
                        & (class_set if hits & _CLASS_HIT else ~class_set)
                    )
                    rest &= ~members
                    for _ in range(wanted):
                        if not members:
                            break
                        lowest = members & -members
                        members ^= lowest
                        rank = base + lowest.bit_length() - 1
                        state_at[rank] = state
                        ranked.append(rank)
                        taken += 1
            kept = sorted(ranked)[:cap]  # a few dozen ranks: a C sort beats heapq's Python loop
            shown = []
            for rank in kept:
                number = number_at[rank % width]
                state = state_at[rank]
                stage_entry, technology_entry, family_entry = (
                    by_stage.get(number),
                    by_technology.get(number),
                    by_family.get(number),
                )
                # The same candidate, in the same state and with the same offers, is shown for many needs (the needs
                # of one stage and class, say): made once and shared, as answers are read and never changed. Its
                # entries (merged ones included) and fits are kept until the end, so their ids are theirs.
                made_key = (number, state, id(fits), id(stage_entry), id(technology_entry), id(family_entry))
                made = made_candidates.get(made_key)
                if made is None:
                    found = shown_as[number]
                    assert found is not None  # only public places are ranked
                    provider_iri, label, gmp, _ = found
                    score, max_score, meets_need, breakdown = fits[state][1]
                    if technology_entry is None and family_entry is None and stage_entry is not None:
                        offers = stage_entry[1:]  # the common case; each entry's offers are distinct
                    else:
                        offers = list(
                            {
                                offer
                                for entry in (stage_entry, technology_entry, family_entry)
                                if entry
                                for offer in entry[1:]
                            }
                        )
                    made = made_candidates[made_key] = {
                        "actor": {"id": provider_iri, "label": label, "anonymous": False},
                        "score": score,
                        "max_score": max_score,
                        "meets_need": meets_need,
                        "breakdown": breakdown,
                        "best_trl": state[1],
                        "gmp_status": gmp,
                        "evidence": sorted(offers),
                    }
                shown.append(made)
            need["candidates"] = shown
            need["candidate_count"] = eligible.bit_count()
            need["anonymous_candidates"] = (candidates & ~public).bit_count()  # counted, never proposed
        return need

    # The needs in answer order, each made and ranked when it is read: making and ranking them all took most of
    # the question's time at 50,000 organisations (9,413 needs, 188k candidates shown), and a page shows 100.
    # Needs tied on the order (anonymous ones: no label, no IRI) are ordered by their details, and those whose
    # details are the same too by their candidates (sorted_totally): made now.
    entries = sorted(
        ((_need_row_sort_key(detail), detail, (detail["actor"], *keys)) for detail, *keys in read.needs.values()),
        key=itemgetter(0),
    )
    read.needs.clear()  # the answer keeps only what making and ranking read
    ordered: list[dict[str, Any] | tuple[Row, tuple[Any, ...], dict[str, Any] | None]] = []
    for _, run in itertools.groupby(entries, key=itemgetter(0)):
        tied = [(detail, keys) for _, detail, keys in run]
        if len(tied) == 1:
            ordered.append((*tied[0], None))
            continue
        made = sorted(
            (
                (json.dumps(skeleton, sort_keys=True, default=str), detail, keys, skeleton)
                for detail, keys in tied
                for skeleton in (_need_item(detail, wave, concepts=concepts),)
            ),
            key=itemgetter(0),
        )
        for _, same in itertools.groupby(made, key=itemgetter(0)):
            alike = [(detail, keys, skeleton) for _, detail, keys, skeleton in same]
            if len(alike) == 1:
                ordered.append(alike[0])
            else:
                ordered.extend(sorted_totally([ranked(*need) for need in alike], _need_sort_key))

    def build(start: int, stop: int) -> list[dict[str, Any]]:
        try:
            return [entry if isinstance(entry, dict) else ranked(*entry) for entry in ordered[start:stop]]
        finally:
            with lock:  # shared within a page: kept, a client reading every page would leave every candidate made
                made_candidates.clear()  # beside the cached answer, which the cache sized without them

    return ItemsOnRead(len(ordered), build, held=(read, offered_bits, class_bits, ordered)), None


@dataclass
class _Side:
    """One region's actors in a mutual matchmaking: who they are, what each needs and what each offers."""

    actors: dict[str, int] = field(default_factory=dict)  # actor IRI -> its bit in the side's bit sets
    needs: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # actor -> (need, thing needed)
    offers: dict[str, dict[str, list[str]]] = field(default_factory=dict)  # actor -> thing covered -> offers

    def add(self, actor: str) -> None:
        self.actors.setdefault(actor, len(self.actors))

    def needing(self) -> dict[str, int]:
        """For each thing, the side's actors needing it, as one bit set."""
        sets: dict[str, int] = defaultdict(int)
        for actor, needs in self.needs.items():
            for _, thing in needs:
                sets[thing] |= 1 << self.actors[actor]
        return sets

    def offering(self) -> dict[str, int]:
        """For each thing, the side's actors offering it (or something that covers it), as one bit set."""
        sets: dict[str, int] = defaultdict(int)
        for actor, covered in self.offers.items():
            for thing in covered:
                sets[thing] |= 1 << self.actors[actor]
        return sets


def _bits(bit_set: int) -> Iterator[int]:
    """The positions of the bits set in ``bit_set``, lowest first."""
    while bit_set:
        low = bit_set & -bit_set
        bit_set ^= low
        yield low.bit_length() - 1


@dataclass(eq=False)
class _MutualPairs:
    """The pairs of a mutual matchmaking in answer order (a's label, b's label, a, b), built a few at a time. What
    the answer keeps is, for each a, the bit set of its partners among the b's: counted and ordered without
    building a pair."""

    a_side: _Side
    b_side: _Side
    partners: list[int]  # for each a (by its bit): the b's it pairs with, as a bit set
    groups: list[list[int]]  # the a's in answer order, those of the same label together
    starts: list[int]  # the position in the answer of each group's first pair, and the count at the end
    b_labels: list[str]  # for each b (by its bit): its label as the answer orders on it
    labels: dict[str, Any]
    vocabulary: _Vocabulary
    wave: str | None

    def build(self, start: int, stop: int) -> list[dict[str, Any]]:
        """The items ``start`` to ``stop``: the groups of a's from the one holding ``start``, each ordered when
        reached."""
        group = bisect.bisect_right(self.starts, start) - 1
        skip = start - self.starts[group]
        a_actors, b_actors = list(self.a_side.actors), list(self.b_side.actors)
        items: list[dict[str, Any]] = []
        for members in self.groups[group:]:
            pairs = sorted(
                (self.b_labels[b], a_actors[a], b_actors[b]) for a in members for b in _bits(self.partners[a])
            )
            for _, a, b in pairs[skip : skip + stop - start - len(items)]:
                items.append(self._item(a, b))
            if len(items) == stop - start:
                break
            skip = 0
        return items

    def _item(self, a: str, b: str) -> dict[str, Any]:
        return {
            "a": {"id": a, "label": term_json(self.labels.get(a)), "anonymous": False},
            "b": {"id": b, "label": term_json(self.labels.get(b)), "anonymous": False},
            "a_serves_b": self._links(self.b_side, b, self.a_side, a),
            "b_serves_a": self._links(self.a_side, a, self.b_side, b),
            "evidence": {"wave": self.wave},
        }

    def _links(self, needer: _Side, need_actor: str, provider: _Side, offer_actor: str) -> Items:
        """The (need, offer, what) links where ``offer_actor`` serves a need of ``need_actor``."""
        covered = provider.offers.get(offer_actor, {})
        links = sorted(
            (need, offer, thing) for need, thing in needer.needs.get(need_actor, ()) for offer in covered.get(thing, ())
        )
        return [{"need": need, "offer": offer, "what": self.vocabulary.ref(thing)} for need, offer, thing in links]


@shaper(
    "matchmaking-mutual",
    example_item={
        "a": {"id": "https://w3id.org/vcgraph/id/actor/id-be0123", "label": "Alpha Bio", "anonymous": False},
        "b": _EXAMPLE_ACTOR,
        "a_serves_b": [
            {
                "need": "https://w3id.org/vcgraph/id/wave/2026-W2/response/R-beta/stage/S01",
                "offer": "https://w3id.org/vcgraph/id/wave/2026-W2/response/R-alpha/stage/S01",
                "what": {"id": "https://w3id.org/vcgraph/vocab/stage/S01", "notation": "S01", "label": "Raw materials"},
            }
        ],
        "b_serves_a": [
            {
                "need": "https://w3id.org/vcgraph/id/wave/2026-W2/response/R-alpha/stage/S05",
                "offer": "https://w3id.org/vcgraph/id/wave/2026-W2/response/R-beta/stage/S05",
                "what": _EXAMPLE_STAGE,
            }
        ],
        "evidence": {"wave": "2026-W2"},
    },
    tabular=True,
)
def matchmaking_mutual(table: Table, ctx: ShapeContext) -> tuple[ItemsOnRead, Summary]:
    """The mutually complementary pairs, found here from the rows the query lists (see
    queries/matchmaking-mutual.rq): each region's actors, their needs and offers, and the vocabulary."""
    side_i, actor_i, label_i, visibility_i, need_i, offer_i, stage_i, technology_i = (
        table.column(name)
        for name in ("side", "actor", "actor_label", "actor_visibility", "need", "offer", "stage", "technology")
    )
    concept_i, notation_i, concept_label_i, family_i = (
        table.column(name) for name in ("concept", "concept_notation", "concept_label", "family")
    )
    sides = {"a": _Side(), "b": _Side()}
    labels: dict[str, Any] = {}  # actor -> the smallest of its labels in the asked wave
    anonymous: set[str] = set()  # anonymous in the asked wave: never named, its pairs only counted
    needs: dict[str, set[tuple[str, str]]] = defaultdict(set)  # actor -> (need, thing)
    stage_offers: dict[str, set[tuple[str, str]]] = defaultdict(set)  # actor -> (offer, stage)
    developed: dict[tuple[str, str], set[str]] = defaultdict(set)  # (actor, offer) -> technologies
    broader: dict[str, set[str]] = defaultdict(set)
    vocabulary = _Vocabulary()
    for row in table.rows:
        actor = term_iri(row[actor_i])
        if actor is not None:
            if (side := term_json(row[side_i])) is not None:
                sides[side].add(actor)
                label = row[label_i]
                if label is not None and (actor not in labels or str(label.value) < str(labels[actor].value)):
                    labels[actor] = label
                if row[visibility_i] == ANONYMOUS:
                    anonymous.add(actor)
            elif (need := term_iri(row[need_i])) is not None:
                needs[actor].add((need, term_iri(row[stage_i]) or term_iri(row[technology_i]) or ""))
            elif (offer := term_iri(row[offer_i])) is not None:
                if (stage := term_iri(row[stage_i])) is not None:
                    stage_offers[actor].add((offer, stage))
                elif (technology := term_iri(row[technology_i])) is not None:
                    developed[(actor, offer)].add(technology)
            continue
        concept = term_iri(row[concept_i])
        if concept is None:
            continue
        if (family := term_iri(row[family_i])) is not None:
            broader[concept].add(family)
        else:
            vocabulary.add(concept, row[notation_i], row[concept_label_i])
    # What each offer covers: its stage; or its technologies and, one level up, their families (a narrower
    # technology developed serves the need for the broader one).
    covers: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))  # actor -> thing -> offers
    for actor, stages in stage_offers.items():
        for offer, stage in stages:
            covers[actor][stage].add(offer)
    for (actor, offer), technologies in developed.items():
        for technology in technologies:
            for thing in (technology, *broader.get(technology, ())):
                covers[actor][thing].add(offer)
    for side in sides.values():
        for actor in side.actors:
            if actor in needs:
                side.needs[actor] = sorted(needs[actor])
            if actor in covers:
                side.offers[actor] = {thing: sorted(offers) for thing, offers in covers[actor].items()}
    a_side, b_side = sides["a"], sides["b"]
    b_needing, b_offering = b_side.needing(), b_side.offering()
    b_anonymous = sum(1 << b_side.actors[actor] for actor in anonymous if actor in b_side.actors)
    partners = [0] * len(a_side.actors)
    anonymous_pairs = 0
    for a, bit in a_side.actors.items():
        served = 0  # the b's that a serves ...
        for thing in a_side.offers.get(a, ()):
            served |= b_needing.get(thing, 0)
        serving = 0  # ... and those that serve a
        for thing in {thing for _, thing in a_side.needs.get(a, ())}:
            serving |= b_offering.get(thing, 0)
        mutual = served & serving
        if a in b_side.actors:
            mutual &= ~(1 << b_side.actors[a])  # an actor of both regions is not its own partner
        # a pair with an anonymous actor would name it: counted only
        listed = 0 if a in anonymous else mutual & ~b_anonymous
        anonymous_pairs += mutual.bit_count() - listed.bit_count()
        partners[bit] = listed
    by_label: dict[str, list[int]] = defaultdict(list)
    for a, bit in a_side.actors.items():
        if partners[bit]:
            by_label[str(term_json(labels.get(a)))].append(bit)
    groups = [by_label[label] for label in sorted(by_label)]
    starts = [0, *itertools.accumulate(sum(partners[a].bit_count() for a in group) for group in groups)]
    b_labels = [str(term_json(labels.get(b))) for b in b_side.actors]
    pairs = _MutualPairs(a_side, b_side, partners, groups, starts, b_labels, labels, vocabulary, ctx.wave_id())
    return ItemsOnRead(starts[-1], pairs.build, held=pairs), {"pairs_with_anonymous_actors": anonymous_pairs}


@shaper(
    "consortium",
    example_item={
        "actor": _EXAMPLE_ACTOR,
        "regions": ["FRK"],
        "covers": [_EXAMPLE_STAGE],
        "evidence": [_EXAMPLE_EVIDENCE],
    },
)
def consortium(rows: list[Row], ctx: ShapeContext) -> tuple[Items, Summary]:
    regions = [str(code) for code in ctx.params.echo["regions"]]
    include_cross_cutting = bool(ctx.params.echo["include_cross_cutting"])
    stages: dict[str, dict[str, Any]] = {}
    # per actor: its stages, its regions and its rows; its reference and evidence are built for the chosen few
    members: dict[str, tuple[set[str], set[str], list[Row]]] = {}
    anonymous: set[str] = set()
    codes: dict[str | None, str] = {}
    for row in rows:
        stage_id = value(row, "stage")
        actor = iri(row, "actor")
        if actor is None:  # a relevant stage, with its details
            stage = ref(row, "stage")
            assert stage is not None
            stages.setdefault(
                stage["id"],
                {**stage, "order": value(row, "order"), "cross_cutting": bool(value(row, "cross_cutting"))},
            )
            continue
        if is_anonymous(row):
            anonymous.add(actor)  # cannot be named, so cannot be proposed as a partner
            continue
        member = members.get(actor)
        if member is None:
            member = members[actor] = (set(), set(), [])
        member[0].add(stage_id)
        region = iri(row, "region")
        code = codes.get(region)
        if code is None:
            code = codes[region] = _code(region)
        member[1].add(code)
        member[2].append(row)
    for actor in anonymous:  # anonymous in a wave it also answered publicly: still never named
        members.pop(actor, None)
    wave = ctx.wave_id()

    def proofs(member_rows: list[Row]) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for row in member_rows:
            proof = evidence(row, wave)
            if proof not in out:
                out.append(proof)
        return out

    required = [s for s, info in stages.items() if include_cross_cutting or not info["cross_cutting"]]
    candidates = [Candidate(key, frozenset(m[0]), frozenset(m[1])) for key, m in members.items()]
    result = solve_cover(required, regions, candidates, int(ctx.params.echo["max_size"]))

    def stage_order(stage_id: str) -> tuple[Any, ...]:
        return (stages[stage_id]["order"] or 0, sort_key_notation(stages[stage_id]))

    def stage_ref(stage_id: str) -> dict[str, Any]:
        return {k: stages[stage_id][k] for k in ("id", "notation", "label")}

    items = []
    for chosen in result.members or []:
        member_stages, member_regions, member_rows = members[chosen.key]
        items.append(
            {
                "actor": actor_ref(member_rows[0]),
                "regions": [r for r in regions if r in member_regions],
                "covers": [stage_ref(s) for s in sorted(member_stages, key=stage_order)],
                "evidence": sorted(proofs(member_rows), key=lambda e: str(e["statement"])),
            }
        )
    covered = set().union(*(members[c.key][0] for c in result.members or []))
    summary = {
        "complete": result.members is not None and not result.uncovered_stages and not result.unrepresented_regions,
        "proven_minimal": result.proven_minimal,
        "size": len(result.members) if result.members is not None else None,
        "minimum_exceeds_max_size": result.minimum_exceeds_max_size,
        "required_stages": [stage_ref(s) for s in sorted(required, key=stage_order)],
        "uncovered_stages": [stage_ref(s) for s in sorted(result.uncovered_stages, key=stage_order)],
        "optional_stages_covered": [stage_ref(s) for s in sorted(covered - set(required), key=stage_order)],
        "unrepresented_regions": result.unrepresented_regions,
        "anonymous_candidates_excluded": len(anonymous),
        "method": "exact set cover by iterative-deepening branch and bound over the offers of the listed regions",
        "notes": result.notes,
    }
    return items, summary


_EXAMPLE_TECHNOLOGY = {
    "id": "https://w3id.org/vcgraph/vocab/technology/T12",
    "notation": "T12",
    "label": "Modelling, digital twins & AI/ML",
}
_EXAMPLE_SECTOR = {"id": "https://w3id.org/vcgraph/vocab/sector/ict", "notation": "ict", "label": "ICT"}


@shaper(
    "convergence-technologies",
    tabular=True,
    example_item={
        **_EXAMPLE_TECHNOLOGY,
        "sectors": [_EXAMPLE_SECTOR],
        "sector_count": 2,
        "actors": [{**_EXAMPLE_ACTOR, "sectors": ["engineering"], "modes": ["develop"]}],
        "anonymous_actors": 1,
        "evidence": [_EXAMPLE_EVIDENCE],
    },
)
def convergence_technologies(table: Table, ctx: ShapeContext) -> tuple[Items, Summary]:
    """Technologies shared across sectors, counted from the query's rows: the region's technology statements
    (?statement), its actors (sectors, name, visibility) and the vocabularies (?concept with its labels, or with a
    one-step ?family). Rows are read as tuples: at 50,000 organisations there are 30,000, and a dict per row cost
    a quarter of the question's time."""
    wave = ctx.wave_id()
    min_sectors = int(ctx.params.echo["min_sectors"])
    read = _read_convergence_rows(table)
    actor_at, visibility_at, mode_at = read.actor_at, read.visibility_at, table.column("mode")
    statement_at, technology_at, response_at = read.statement_at, read.technology_at, read.response_at
    details, vocabulary, sectors = read.details, read.vocabulary, read.sectors
    # Each statement counts for its technology and for that technology's family (one step up), and only through
    # an actor with a sector. What it brings (its actor, mode and proof) is worked out once, not once per item it
    # counts for; so is each actor's reference.
    counted: dict[str, list[tuple[str, Any, tuple[Any, ...]]]] = defaultdict(list)
    keys: dict[str, set[str]] = {}
    modes: dict[str, Any] = {}
    for values in read.statements:
        actor, technology = str(term_iri(values[actor_at])), str(term_iri(values[technology_at]))
        if sectors.get(actor):
            if technology not in keys:
                keys[technology] = {technology} | read.broader.get(technology, set())
            mode_iri = str(term_iri(values[mode_at]))
            if mode_iri not in modes:
                modes[mode_iri] = vocabulary.ref(mode_iri)["notation"]
            proof_key = (term_iri(values[statement_at]), actor, term_iri(values[response_at]))
            for key in keys[technology]:
                counted[key].append((actor, modes[mode_iri], proof_key))
    named: dict[str, tuple[dict[str, Any], list[Any]]] = {}  # an actor's reference and sectors
    unnamed: set[str] = set()
    for actor in {actor for backing in counted.values() for actor, _, _ in backing}:
        detail = details.get(actor)
        # every statement's actor has its row (the same region's actors); without one, nothing may name it
        if detail is None or detail[visibility_at] == ANONYMOUS:
            unnamed.add(actor)
        else:
            reference = actor_ref_at(detail, actor_at, read.label_at, visibility_at) or {}
            named[actor] = reference, sorted(s["notation"] for s in sectors[actor].values())
    proofs: dict[tuple[Any, ...], dict[str, Any]] = {}  # shared by the items a statement counts for
    shaped = []
    for technology_id, backing in counted.items():
        item_sectors: dict[str, dict[str, Any]] = {}
        actor_modes: dict[str, set[Any]] = {}
        anonymous: set[str] = set()
        evidence: dict[tuple[Any, ...], dict[str, Any]] = {}
        for actor, mode, proof_key in backing:
            if actor in anonymous:
                continue
            found = actor_modes.get(actor)
            if found is None:
                item_sectors.update(sectors[actor])
                if actor in unnamed:
                    anonymous.add(actor)
                    continue
                found = actor_modes[actor] = set()
            if mode:
                found.add(mode)
            if proof_key not in evidence:
                proof = proofs.get(proof_key)
                if proof is None:
                    statement, _, response = proof_key
                    proof = proofs[proof_key] = {
                        "statement": statement,
                        "actor": actor,
                        "wave": wave,
                        "response": response,
                    }
                evidence[proof_key] = proof
        if len(item_sectors) < min_sectors:
            continue
        reference = vocabulary.ref(technology_id)
        ordered_sectors = sorted(item_sectors.values(), key=sort_key_notation)
        actors = []
        for actor, actor_mode in actor_modes.items():
            actor_ref, actor_sectors = named[actor]
            actors.append({**actor_ref, "sectors": actor_sectors, "modes": sorted(actor_mode)})
        shaped.append(
            {
                **reference,
                "sectors": ordered_sectors,
                "sector_count": len(ordered_sectors),
                "actors": sorted(actors, key=lambda a: (str(a["label"]), a["id"])),
                "anonymous_actors": len(anonymous),
                "evidence": sorted(evidence.values(), key=lambda e: str(e["statement"])),
            }
        )
    return sorted(shaped, key=sort_key_notation), None


@shaper(
    "convergence-bridges",
    tabular=True,
    example_item={
        "actor": _EXAMPLE_ACTOR,
        "sectors": [
            {
                "id": "https://w3id.org/vcgraph/vocab/sector/engineering",
                "notation": "engineering",
                "label": "Engineering & electronics",
            }
        ],
        "multi_sector": False,
        "technologies_outside_typical_sector": [
            {
                "technology": _EXAMPLE_TECHNOLOGY,
                "family": _EXAMPLE_TECHNOLOGY,
                "statement": "https://w3id.org/vcgraph/id/wave/2026-W2/response/R-beta/technology/T12",
            }
        ],
        "evidence": [_EXAMPLE_EVIDENCE],
    },
)
def convergence_bridges(table: Table, ctx: ShapeContext) -> tuple[Items, Summary]:
    """Bridging actors decided from the query's rows: the region's actors who answered the wave (sectors, name,
    visibility), their technology statements (?statement) and the technology vocabulary (?concept with its labels,
    one-step ?family or ?typical sector). Rows are read as tuples (30,000 at 50,000 organisations: a dict each cost
    a quarter of the question's time)."""
    wave = ctx.wave_id()
    read = _read_convergence_rows(table)
    actor_at, label_at, visibility_at = read.actor_at, read.label_at, read.visibility_at
    statement_at, technology_at, response_at = read.statement_at, read.technology_at, read.response_at
    details, vocabulary, sectors, typical = read.details, read.vocabulary, read.sectors, read.typical
    ancestors = _ancestors(read.broader)

    items: dict[str, dict[str, Any]] = {}

    def item_of(actor: str) -> dict[str, Any]:
        item = items.get(actor)
        if item is None:
            detail = details.get(actor)
            item = items[actor] = {
                "actor": (
                    actor_ref_at(detail, actor_at, label_at, visibility_at)
                    if detail is not None
                    else {"id": actor, "label": None, "anonymous": False}
                ),
                "sectors": sorted(sectors[actor].values(), key=sort_key_notation),
                "multi_sector": False,
                "technologies_outside_typical_sector": [],
                "evidence": [],
            }
        return item

    for actor in sorted(details):  # the actors who answered the wave (queries/convergence-bridges.rq)
        if len(sectors[actor]) >= 2:
            item_of(actor)["multi_sector"] = True
    for values in sorted(read.statements, key=lambda v: str(term_iri(v[statement_at]))):
        actor, technology = str(term_iri(values[actor_at])), str(term_iri(values[technology_at]))
        own = set(sectors[actor])
        # the technology or a family above it whose typical sectors include none of the actor's
        for family in sorted({technology} | ancestors.get(technology, set())):
            if typical[family] and not typical[family] & own:
                item = item_of(actor)
                statement = term_iri(values[statement_at])
                link = {
                    "technology": vocabulary.ref(technology),
                    "family": vocabulary.ref(family),
                    "statement": statement,
                }
                if link not in item["technologies_outside_typical_sector"]:
                    item["technologies_outside_typical_sector"].append(link)
                proof = {
                    "statement": statement,
                    "actor": actor,
                    "wave": wave,
                    "response": term_iri(values[response_at]),
                }
                if proof not in item["evidence"]:
                    item["evidence"].append(proof)
    shaped = []
    anonymous = 0
    for actor, item in items.items():
        detail = details.get(actor)
        if detail is not None and detail[visibility_at] == ANONYMOUS:
            anonymous += 1
            continue
        item["technologies_outside_typical_sector"].sort(key=lambda t: sort_key_notation(t["technology"]))
        item["evidence"].sort(key=lambda e: str(e["statement"]))
        shaped.append(item)
    shaped.sort(key=lambda i: (str(i["actor"]["label"]), i["actor"]["id"]))
    return shaped, {"anonymous_bridging_actors": anonymous}


@shaper(
    "convergence-co-occurrence",
    example_item={
        "a": {
            "id": "https://w3id.org/vcgraph/vocab/technology/T04.02",
            "notation": "T04.02",
            "label": "Membrane adsorbers",
        },
        "b": _EXAMPLE_TECHNOLOGY,
        "support": 3,
        "actors_with_a": 3,
        "actors_with_b": 3,
        "actors": 5,
        "lift": 1.667,
        "evidence": {"wave": "2026-W2"},
    },
)
def convergence_co_occurrence(rows: list[Row], ctx: ShapeContext) -> tuple[Items, Summary]:
    """The pairs counted from the query's three kinds of rows: holdings (?holder ?technology), families
    (?technology ?family) and labels (?technology with its notation and label)."""
    wave = ctx.wave_id()
    min_support = int(ctx.params.echo["min_support"])
    holdings: dict[str, set[str]] = defaultdict(set)
    broader: dict[str, set[str]] = defaultdict(set)
    vocabulary = _Vocabulary()
    for row in rows:
        technology = iri(row, "technology")
        if technology is None:
            continue
        holder, family = iri(row, "holder"), iri(row, "family")
        if holder is not None:
            holdings[holder].add(technology)
        elif family is not None:
            broader[technology].add(family)
        else:
            vocabulary.add(technology, row.get("technology_notation"), row.get("technology_label"))
    families = _ancestors(broader)
    holders_of: Counter[str] = Counter()
    support: Counter[tuple[str, str]] = Counter()
    for technologies in holdings.values():
        holders_of.update(technologies)
        ordered = sorted(technologies)
        for i, a in enumerate(ordered):
            for b in ordered[i + 1 :]:
                # a technology is not paired with its own family (b narrower than a; IRIs compare as SPARQL's STR)
                if a not in families.get(b, ()):
                    support[(a, b)] += 1
    actors = len(holdings)
    items: Items = [
        {
            "a": vocabulary.ref(a),
            "b": vocabulary.ref(b),
            "support": count,
            "actors_with_a": holders_of[a],
            "actors_with_b": holders_of[b],
            "actors": actors,
            "lift": round(float(Fraction(count * actors, holders_of[a] * holders_of[b])), 3),
            "evidence": {"wave": wave},
        }
        for (a, b), count in support.items()
        if count >= min_support
    ]
    items.sort(key=lambda i: (-i["support"], -i["lift"], sort_key_notation(i["a"]), sort_key_notation(i["b"])))
    return items, None


@dataclass
class _ConvergenceRows:
    """The rows of a convergence query that lists what its answer is counted from (bridges, technologies): the
    region's technology statements (?statement bound), its actors (?actor bound without a ?statement, one row per
    sector), and vocabulary rows (?concept with its labels, a one-step ?family or a ?typical sector). The kind of
    a row is told by what it binds, not by a column of its own: Virtuoso 7 takes about 5 us per value it writes,
    and a ?reason on each of 24k rows cost it 0.1 s at 50,000 organisations (bench/RESULTS.md)."""

    actor_at: int
    label_at: int
    visibility_at: int
    statement_at: int
    technology_at: int
    response_at: int
    statements: list[tuple[Any, ...]] = field(default_factory=list)
    details: dict[str, tuple[Any, ...]] = field(default_factory=dict)  # an actor's first row
    sectors: defaultdict[str, dict[str, dict[str, Any]]] = field(default_factory=lambda: defaultdict(dict))
    broader: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    typical: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    vocabulary: _Vocabulary = field(default_factory=_Vocabulary)


def _read_convergence_rows(table: Table) -> _ConvergenceRows:
    def optional(name: str) -> int | None:
        return table.column(name) if name in table.variables else None

    sector_at, concept_at, family_at = (table.column(n) for n in ("sector", "concept", "family"))
    notation_at, concept_label_at = table.column("concept_notation"), table.column("concept_label")
    typical_at = optional("typical")
    read = _ConvergenceRows(
        actor_at=table.column("actor"),
        label_at=table.column("actor_label"),
        visibility_at=table.column("actor_visibility"),
        statement_at=table.column("statement"),
        technology_at=table.column("technology"),
        response_at=table.column("response"),
    )
    sector_ids: dict[str, set[str]] = defaultdict(set)
    for values in table.rows:
        actor = term_iri(values[read.actor_at])
        if values[read.statement_at] is not None:
            read.statements.append(values)
        elif actor is not None:
            read.details.setdefault(actor, values)
            if (sector_id := term_iri(values[sector_at])) is not None:
                sector_ids[actor].add(sector_id)
        elif (concept := term_iri(values[concept_at])) is not None:
            if (family := term_iri(values[family_at])) is not None:
                read.broader[concept].add(family)
            elif typical_at is not None and (sector := term_iri(values[typical_at])) is not None:
                read.typical[concept].add(sector)
            else:
                read.vocabulary.add(concept, values[notation_at], values[concept_label_at])
    read.sectors = _sector_refs(sector_ids, read.vocabulary)
    return read


def _sector_refs(
    sector_ids: dict[str, set[str]], vocabulary: _Vocabulary
) -> defaultdict[str, dict[str, dict[str, Any]]]:
    """Each actor's sectors as references, their labels taken from the vocabulary rows."""
    refs: defaultdict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
    for actor, ids in sector_ids.items():
        refs[actor] = {i: vocabulary.ref(i) for i in ids}
    return refs


def _ancestors(broader: dict[str, set[str]]) -> dict[str, set[str]]:
    """Every concept above each concept (skos:broader followed one or more times), from the one-step pairs."""
    closed: dict[str, set[str]] = {}

    def above(concept: str, path: frozenset[str]) -> set[str]:
        if concept in closed:
            return closed[concept]
        found: set[str] = set()
        for parent in broader.get(concept, ()):
            if parent not in path:  # a cycle in a hand-edited vocabulary must not loop
                found |= {parent} | above(parent, path | {parent})
        closed[concept] = found
        return found

    for concept in list(broader):
        above(concept, frozenset({concept}))
    return closed


def _wave_pair(ctx: ShapeContext) -> dict[str, Any]:
    return {"from_wave": ctx.wave_id("from"), "to_wave": ctx.wave_id("to")}


@shaper(
    "trends-coverage",
    example_item={
        "stage": _EXAMPLE_STAGE,
        "region": {"id": "http://data.europa.eu/nuts/code/BE3", "notation": "BE3"},
        "change": "covered",
        "from_actors": 0,
        "to_actors": 2,
        "evidence": {"from_wave": "2025-W1", "to_wave": "2025-W2"},
    },
)
def trends_coverage(rows: list[Row], ctx: ShapeContext) -> tuple[Items, Summary]:
    regions = [str(code) for code in ctx.params.echo["region"]]
    waves = _wave_pair(ctx)
    items: Items = []
    for row in rows:
        before, after = integer(row, "from_actors"), integer(row, "to_actors")
        region = iri(row, "region")
        items.append(
            {
                "stage": ref(row, "stage"),
                "region": {"id": region, "notation": _code(region)},
                "change": "covered" if after > 0 else "uncovered",
                "from_actors": before,
                "to_actors": after,
                "evidence": dict(waves),
                "_order": value(row, "order") or 0,
            }
        )
    items.sort(key=lambda i: (regions.index(i["region"]["notation"]), i["_order"], sort_key_notation(i["stage"])))
    for item in items:
        del item["_order"]
    return items, None


def _median(values: list[int]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return float(ordered[middle])
    return (ordered[middle - 1] + ordered[middle]) / 2


@shaper(
    "trends-trl",
    example_item={
        **_EXAMPLE_TECHNOLOGY,
        "from_median": 4.0,
        "to_median": 6.0,
        "change": 2.0,
        "from_statements": 2,
        "to_statements": 2,
        "evidence": [{**_EXAMPLE_EVIDENCE, "wave": "2025-W2", "trl": 6}],
    },
)
def trends_trl(rows: list[Row], ctx: ShapeContext) -> tuple[Items, Summary]:
    """The technologies whose median TRL changed, from the TRL statements of both waves and the vocabulary rows
    (labels) the query lists. An actor anonymous in either wave is anonymous in all its evidence."""
    waves = _wave_pair(ctx)
    technologies: dict[str, dict[str, Any]] = {}
    vocabulary = _Vocabulary()
    anonymous: set[Any] = set()
    for row in rows:
        if (concept := iri(row, "concept")) is not None:
            vocabulary.add(concept, row.get("concept_notation"), row.get("concept_label"))
            continue
        technology_id = iri(row, "technology")
        if technology_id is None:
            continue
        entry = technologies.get(technology_id)
        if entry is None:
            entry = technologies[technology_id] = {"from": {}, "to": {}, "rows": []}
        # the variable holding the TRL tells the wave (queries/trends-trl.rq)
        side = "from" if row.get("from_trl") is not None else "to"
        trl = integer(row, f"{side}_trl")
        entry[side][str(iri(row, "statement"))] = trl  # keyed by statement: an actor's two statements both count
        entry["rows"].append((side, trl, row))
        if is_anonymous(row):
            anonymous.add(row.get("actor"))

    def proofs(entry_rows: list[tuple[str, int, Row]]) -> list[dict[str, Any]]:
        """The evidence of one technology, built only for those in the answer (a set, not a list scan)."""
        out: list[dict[str, Any]] = []
        seen: set[tuple[Any, ...]] = set()
        for side, trl, row in entry_rows:
            if row.get("actor") in anonymous:
                row = {**row, "actor_visibility": ANONYMOUS}
            proof = {**evidence(row, waves["from_wave" if side == "from" else "to_wave"]), "trl": trl}
            identity = tuple(proof.values())
            if identity not in seen:
                seen.add(identity)
                out.append(proof)
        return out

    items = []
    for technology_id, entry in technologies.items():
        if not entry["from"] or not entry["to"]:
            continue
        before, after = _median(list(entry["from"].values())), _median(list(entry["to"].values()))
        if before == after:
            continue
        items.append(
            {
                **vocabulary.ref(technology_id),
                "from_median": before,
                "to_median": after,
                "change": after - before,
                "from_statements": len(entry["from"]),
                "to_statements": len(entry["to"]),
                # wave, statement and TRL order the proofs totally: an anonymous actor's proofs differ by TRL only
                "evidence": sorted(
                    proofs(entry["rows"]), key=lambda e: (str(e["wave"]), str(e["statement"]), e["trl"])
                ),
            }
        )
    items.sort(key=lambda i: (-abs(i["change"]), sort_key_notation(i)))
    return items, None


_STATUS_ORDER = {"persisted": 0, "appeared": 1, "disappeared": 2}


@shaper(
    "trends-needs",
    tabular=True,
    example_item={
        "id": "https://w3id.org/vcgraph/id/wave/2025-W2/response/R-alpha/stage/S07",
        "status": "persisted",
        "actor": {"id": "https://w3id.org/vcgraph/id/actor/id-be0123", "label": "Alpha Bio", "anonymous": False},
        "stage": {"id": "https://w3id.org/vcgraph/vocab/stage/S07", "notation": "S07", "label": "Fill & finish"},
        "technology": None,
        "product_class": None,
        "from_need": "https://w3id.org/vcgraph/id/wave/2025-W1/response/R-alpha/stage/S07",
        "to_need": "https://w3id.org/vcgraph/id/wave/2025-W2/response/R-alpha/stage/S07",
        "evidence": {"from_wave": "2025-W1", "to_wave": "2025-W2"},
    },
)
def trends_needs(table: Table, ctx: ShapeContext) -> tuple[Items, Summary]:
    """Each need (actor, stage, technology, product class) with the waves it is declared in, from the needs of
    both waves and the vocabulary rows (labels) the query lists. The rows are read as tuples and each need's
    references built once: at 50,000 organisations there are 12,000 needs, and building a dict per row cost as
    much as the shaping.

    An actor is shown as anonymous when it chose so in either wave, and its needs' IRIs are then not shown.
    Needs of equal sort keys come in the order of their first need IRI (from-wave ones first)."""
    waves = _wave_pair(ctx)
    (
        from_need_at, to_need_at, actor_at, actor_label_at, visibility_at, stage_at, technology_at, class_at,
        concept_at, notation_at, concept_label_at,
    ) = (
        table.column(name)
        for name in (
            "from_need", "to_need", "actor", "actor_label", "actor_visibility", "stage", "technology",
            "product_class", "concept", "concept_notation", "concept_label",
        )
    )  # fmt: skip
    vocabulary = _Vocabulary()
    # (actor, stage, technology, product class) -> [its first row (side, need IRI, row), sides -> need IRI, anonymous]
    needs: dict[tuple[str | None, ...], list[Any]] = {}
    for row in table.rows:
        if (concept := term_iri(row[concept_at])) is not None:
            vocabulary.add(concept, row[notation_at], row[concept_label_at])
            continue
        # the variable holding the need tells its wave (queries/trends-needs.rq)
        from_need = term_iri(row[from_need_at])
        side, need = ("from", from_need) if from_need is not None else ("to", term_iri(row[to_need_at]) or "")
        key = (term_iri(row[actor_at]), term_iri(row[stage_at]), term_iri(row[technology_at]), term_iri(row[class_at]))
        entry = needs.get(key)
        if entry is None:
            entry = needs[key] = [(side, need, row), {}, False]
        elif (side, need) < entry[0][:2]:
            entry[0] = (side, need, row)
        if need > entry[1].get(side, ""):
            entry[1][side] = need
        entry[2] = entry[2] or row[visibility_at] == ANONYMOUS

    def concept_ref(term: Any) -> dict[str, Any] | None:
        named = term_iri(term)
        return None if named is None else vocabulary.ref(named)

    keyed = []
    for (side, need, row), sides, anonymous in needs.values():
        status = "persisted" if sides.keys() == {"from", "to"} else ("appeared" if "to" in sides else "disappeared")
        shown = {} if anonymous else sides
        visibility = ANONYMOUS if anonymous else row[visibility_at]
        actor = _actor_shown(row[actor_at], row[actor_label_at], visibility)
        stage, technology = concept_ref(row[stage_at]), concept_ref(row[technology_at])
        item = {
            "id": shown.get("to") or shown.get("from"),
            "status": status,
            "actor": actor,
            "stage": stage,
            "technology": technology,
            "product_class": concept_ref(row[class_at]),
            "from_need": shown.get("from"),
            "to_need": shown.get("to"),
            "evidence": dict(waves),
        }
        order = (
            _STATUS_ORDER[status],
            sort_key_notation(stage),
            sort_key_notation(technology),
            actor["anonymous"],
            str(actor["label"] or ""),
            side,
            need,
        )
        keyed.append((order, item))
    keyed.sort(key=itemgetter(0))
    return [item for _, item in keyed], None


def _actor_shown(actor: Any, label: Any, visibility: Any) -> dict[str, Any]:
    """An actor as :func:`actor_ref_at` shows it, from its terms."""
    shown = actor_ref_at((actor, label, visibility), 0, 1, 2)
    assert shown is not None
    return shown


@shaper(
    "actors",
    example_item={
        "id": "https://w3id.org/vcgraph/id/actor/id-be0123456789",
        "label": "Alpha Bio",
        "country": "BE",
        "actor_type": {"id": "https://w3id.org/vcgraph/vocab/actor-type/A03", "notation": "A03", "label": "CDMO / CMO"},
        "sectors": [
            {
                "id": "https://w3id.org/vcgraph/vocab/sector/biopharma",
                "notation": "biopharma",
                "label": "Biopharma / biotech",
            }
        ],
        "regions": [{"id": "http://data.europa.eu/nuts/code/BE332", "notation": "BE332", "label": "Arr. Liège"}],
        "evidence": {"wave": "2026-W2"},
    },
)
def actors(rows: list[Row], ctx: ShapeContext) -> tuple[Items, Summary]:
    wave = ctx.wave_id()
    items: dict[str, dict[str, Any]] = {}
    for row in rows:
        if is_anonymous(row):  # the query already leaves them out; kept as a guard, the rule is absolute
            continue
        actor = str(iri(row, "actor"))
        item = items.get(actor)
        if item is None:
            item = items[actor] = {
                "id": actor,
                "label": value(row, "actor_label"),
                "country": value(row, "country"),
                "actor_type": ref(row, "actor_type"),
                "sectors": {},
                "regions": {},
                "evidence": {"wave": wave},
            }
        for name, bucket in (("sector", "sectors"), ("site_region", "regions")):
            thing = ref(row, name)
            if thing is not None:
                item[bucket][thing["id"]] = thing
    shaped = []
    for item in items.values():
        item["sectors"] = sorted(item["sectors"].values(), key=sort_key_notation)
        item["regions"] = sorted(item["regions"].values(), key=sort_key_notation)
        shaped.append(item)
    shaped.sort(key=lambda i: (str(i["label"] or "").casefold(), i["id"]))
    return shaped, None


def _local_name(property_iri: str) -> str:
    return property_iri.rpartition("#")[2].rpartition("/")[2]


def _value_json(row: Row) -> Any:
    term = row.get("value")
    if isinstance(term, NamedNode):
        out: dict[str, Any] = {"id": term.value}
        if row.get("value_notation") is not None:
            out["notation"] = value(row, "value_notation")
        if row.get("value_label") is not None:
            out["label"] = value(row, "value_label")
        return out
    return value(row, "value")


def _add(bucket: dict[str, list[Any]], name: str, item: Any) -> None:
    values = bucket.setdefault(name, [])
    if item not in values:
        values.append(item)


@shaper(
    "actor-profile",
    example_item={
        "id": "https://w3id.org/vcgraph/id/actor/id-be0123456789",
        "label": "Alpha Bio",
        "attributes": {
            "sector": [
                {
                    "id": "https://w3id.org/vcgraph/vocab/sector/biopharma",
                    "notation": "biopharma",
                    "label": "Biopharma / biotech",
                }
            ],
            "inRegion": [{"id": "http://data.europa.eu/nuts/code/BE332", "notation": "BE332", "label": "Arr. Liège"}],
        },
        "statements": [
            {
                "id": "https://w3id.org/vcgraph/id/wave/2026-W2/response/R-alpha/stage/S01",
                "types": ["CapabilityStatement"],
                "wave": "2026-W2",
                "response": "https://w3id.org/vcgraph/id/wave/2026-W2/response/R-alpha",
                "properties": {
                    "stage": [
                        {
                            "id": "https://w3id.org/vcgraph/vocab/stage/S01",
                            "notation": "S01",
                            "label": "Raw materials & consumables",
                        }
                    ],
                    "mode": [
                        {"id": "https://w3id.org/vcgraph/vocab/mode/offer", "notation": "offer", "label": "offer"}
                    ],
                },
            }
        ],
    },
)
def actor_profile(rows: list[Row], ctx: ShapeContext) -> tuple[Items, Summary]:
    actor = ctx.params.terms["id"]
    profile: dict[str, Any] = {"id": actor.value, "label": None, "attributes": {}, "statements": {}}
    skipped = {RDF_TYPE, PROV + "wasGeneratedBy", PROV + "wasDerivedFrom", BM + "actor"}
    for row in rows:
        if row.get("actor_label") is not None:
            profile["label"] = value(row, "actor_label")
        prop = str(iri(row, "property"))
        if value(row, "kind") == "attribute":
            if prop != RDF_TYPE:
                _add(profile["attributes"], _local_name(prop), _value_json(row))
            continue
        statement_iri = str(iri(row, "statement"))
        statement = profile["statements"].setdefault(
            statement_iri,
            {
                "id": statement_iri,
                "types": [],
                "wave": value(row, "wave_id"),
                "response": iri(row, "response"),
                "properties": {},
            },
        )
        kind = iri(row, "statement_type")
        if kind and _local_name(kind) not in statement["types"]:
            statement["types"].append(_local_name(kind))
        if prop not in skipped:
            _add(statement["properties"], _local_name(prop), _value_json(row))
    for statement in profile["statements"].values():
        statement["types"].sort()
    profile["statements"] = sorted(profile["statements"].values(), key=lambda s: (str(s["wave"]), s["id"]))
    return [profile], None


@shaper(
    "vocabulary",
    tabular=True,
    example_item={
        **_EXAMPLE_STAGE,
        "broader": None,
        "order": 5,
        "cross_cutting": False,
        "level": None,
    },
)
def vocabulary(table: Table, ctx: ShapeContext) -> tuple[Items, Summary]:
    """Each concept once (its first row), as read from the row's tuple: a vocabulary is small, but it is asked
    for on every page of the UI and each helper call per cell was a third of its cost."""
    concept_at, notation_at, label_at, broader_at, broader_notation_at, order_at, cross_at, level_at = (
        table.column(name)
        for name in (
            "concept",
            "concept_notation",
            "concept_label",
            "broader",
            "broader_notation",
            "order",
            "cross_cutting",
            "level",
        )
    )
    # each item with its sort key, made as it is built: by stage order, then notation in natural order (S2 before
    # S10; the query's ORDER BY compares strings), then IRI, as sort_key_notation orders
    keyed: dict[str, tuple[tuple[Any, ...], dict[str, Any]]] = {}
    for row in table.rows:
        concept = term_json(row[concept_at])
        if concept is None or concept in keyed:
            continue
        broader = row[broader_at]
        notation = term_json(row[notation_at])
        order = term_json(row[order_at])
        item = {
            "id": concept,
            "notation": notation,
            "label": term_json(row[label_at]),
            "broader": (
                {"id": broader.value, "notation": term_json(row[broader_notation_at])}
                if type(broader) is NamedNode
                else None
            ),
            "order": order,
            "cross_cutting": term_json(row[cross_at]),
            "level": term_json(row[level_at]),
        }
        keyed[concept] = ((order is None, order or 0, 0, natural(str(notation or "")), concept), item)
    ordered = [item for _, item in sorted(keyed.values(), key=itemgetter(0))]
    return ordered, None
