"""How each question's rows become answer items (one function per ``queries/<id>.rq``)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from vcgraph.namespaces import NUTS
from vcgraph.questions.answer import Row
from vcgraph.questions.service import Items, ShapeContext, shaper
from vcgraph.questions.shaping import (
    actor_ref,
    evidence,
    integer,
    iri,
    is_anonymous,
    natural,
    ref,
    sort_key_notation,
    value,
)

Summary = dict[str, Any] | None

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
    items: dict[str, dict[str, Any]] = {}
    providers: dict[str, list[tuple[dict[str, Any], int]]] = defaultdict(list)
    for row in rows:
        stage = ref(row, "stage")
        assert stage is not None
        item = items.setdefault(
            stage["id"],
            {
                **stage,
                "order": value(row, "order"),
                "cross_cutting": bool(value(row, "cross_cutting")),
                "nearest_providers": [],
                "evidence": {"wave": ctx.wave_id()},
            },
        )
        region = ref(row, "provider_region")
        if region is not None:
            providers[item["id"]].append((region, integer(row, "providers")))
    for stage_id, item in items.items():
        item["nearest_providers"] = nearest_regions(target, providers[stage_id])
    ordered = sorted(items.values(), key=lambda i: (i["order"] is None, i["order"] or 0, sort_key_notation(i)))
    return ordered, None


def _need_item(row: Row, ctx: ShapeContext, statement: str = "need") -> dict[str, Any]:
    """A declared need; one of an anonymous actor keeps its content but loses every IRI and its free text."""
    anonymous = is_anonymous(row)
    return {
        "id": None if anonymous else iri(row, statement),
        "kind": "structured need" if value(row, "structured") else "need position",
        "actor": actor_ref(row),
        "stage": ref(row, "stage"),
        "technology": ref(row, "technology"),
        "product_class": ref(row, "product_class"),
        "min_trl": value(row, "min_trl"),
        "urgency": ref(row, "urgency"),
        "comment": None if anonymous else value(row, "comment"),
        "evidence": evidence(row, ctx.wave_id(), statement=statement),
    }


def _need_sort_key(item: dict[str, Any]) -> tuple[Any, ...]:
    return (
        sort_key_notation(item["stage"]),
        sort_key_notation(item["technology"]),
        item["actor"]["anonymous"],
        str(item["actor"].get("label") or ""),
        str(item["id"] or ""),
    )


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


@shaper("gaps-needs", example_item=_EXAMPLE_NEED)
def gaps_needs(rows: list[Row], ctx: ShapeContext) -> tuple[Items, Summary]:
    items = [_need_item(row, ctx) for row in rows]
    return sorted(items, key=_need_sort_key), None


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
    cells: dict[tuple[str, str], dict[str, Any]] = {}
    for row in rows:
        stage, product_class = ref(row, "stage"), ref(row, "product_class")
        assert stage is not None and product_class is not None
        cell = cells.setdefault(
            (stage["id"], product_class["id"]),
            {
                "stage": stage,
                "product_class": product_class,
                "actor": actor_ref(row),
                "evidence": [],
                "_order": value(row, "order"),
            },
        )
        proof = evidence(row, ctx.wave_id())
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
                "evidence": {"wave": ctx.wave_id()},
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
    items: dict[str, dict[str, Any]] = {}
    for row in rows:
        stage = ref(row, "stage")
        assert stage is not None
        item = items.setdefault(
            stage["id"],
            {
                **stage,
                "order": value(row, "order"),
                "actors_by_region": dict.fromkeys(regions, 0),
                "evidence": {"wave": ctx.wave_id()},
            },
        )
        item["actors_by_region"][_code(iri(row, "region"))] = integer(row, "actors")
    ordered = sorted(items.values(), key=lambda i: (i["order"] is None, i["order"] or 0, sort_key_notation(i)))
    return ordered, None
