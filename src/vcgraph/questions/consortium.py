"""The consortium solver: the smallest set of actors covering required stages, with at least one per region.

This is set cover (NP-hard) with side constraints, but realistic instances are small once reduced: candidates
with the same coverage are interchangeable and a candidate whose coverage is contained in another's is never
needed. What is left is solved exactly by iterative deepening depth-first search (size 1, 2, ... max_size),
branching on the uncovered element with the fewest candidates and pruning with a counting bound; the first
cover found is therefore of minimum size. A node budget keeps pathological inputs bounded: when it runs out the
answer says it is not proven minimal.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

NODE_BUDGET = 500_000


@dataclass(frozen=True)
class Candidate:
    """An actor that may join: the stages it offers and the listed regions it has a site in."""

    key: str
    stages: frozenset[str]
    regions: frozenset[str]


@dataclass
class CoverResult:
    members: list[Candidate] | None  # None: no consortium of at most max_size exists (or none was found)
    uncovered_stages: list[str]  # required stages no candidate offers: no consortium can cover them
    unrepresented_regions: list[str]  # listed regions with no candidate at all
    proven_minimal: bool
    minimum_exceeds_max_size: bool = False
    explored_nodes: int = 0
    notes: list[str] = field(default_factory=list)


class _BudgetExhausted(Exception):
    pass


def _reduce(candidates: Iterable[Candidate], elements: frozenset[str]) -> list[tuple[frozenset[str], Candidate]]:
    """One representative per distinct coverage (the smallest key), dominated coverages dropped."""
    by_cover: dict[frozenset[str], Candidate] = {}
    for candidate in candidates:
        cover = (candidate.stages | {f"region:{r}" for r in candidate.regions}) & elements
        if not cover:
            continue
        kept = by_cover.get(cover)
        if kept is None or candidate.key < kept.key:
            by_cover[cover] = candidate
    covers = sorted(by_cover, key=lambda c: (-len(c), by_cover[c].key))
    # Largest first, so a cover can only be dominated by one kept before it; and if it is contained in a dominated
    # cover it is contained in the one dominating that, so comparing with the kept ones is enough (not with all
    # covers: quadratic in the distinct coverages, thousands from 10,000 organisations).
    undominated: list[frozenset[str]] = []
    for cover in covers:
        if not any(cover < kept for kept in undominated):
            undominated.append(cover)
    return [(cover, by_cover[cover]) for cover in undominated]


def solve_cover(
    required_stages: Iterable[str],
    regions: Iterable[str],
    candidates: Iterable[Candidate],
    max_size: int,
    node_budget: int = NODE_BUDGET,
) -> CoverResult:
    """A minimum-size set of candidates covering every coverable required stage and every listed region."""
    candidate_list = list(candidates)
    region_list = list(dict.fromkeys(regions))
    offered = set().union(*(c.stages for c in candidate_list)) if candidate_list else set()
    required = sorted(set(required_stages))
    uncovered = [s for s in required if s not in offered]
    present_regions = set().union(*(c.regions for c in candidate_list)) if candidate_list else set()
    unrepresented = [r for r in region_list if r not in present_regions]
    elements = frozenset(
        [s for s in required if s in offered] + [f"region:{r}" for r in region_list if r in present_regions]
    )
    options = _reduce(candidate_list, elements)
    result = CoverResult(None, uncovered, unrepresented, proven_minimal=False)
    if not elements:
        result.members = []
        result.proven_minimal = True
        return result

    covering: dict[str, list[int]] = {e: [i for i, (cover, _) in enumerate(options) if e in cover] for e in elements}
    largest = max(len(cover) for cover, _ in options)
    nodes = 0

    def search(missing: frozenset[str], chosen: list[int], slots: int) -> list[int] | None:
        nonlocal nodes
        nodes += 1
        if nodes > node_budget:
            raise _BudgetExhausted
        if not missing:
            return list(chosen)
        if slots == 0 or slots * largest < len(missing):
            return None
        pivot = min(missing, key=lambda e: (len(covering[e]), e))
        for index in covering[pivot]:
            if index in chosen:
                continue
            chosen.append(index)
            found = search(missing - options[index][0], chosen, slots - 1)
            chosen.pop()
            if found is not None:
                return found
        return None

    try:
        for size in range(1, max_size + 1):
            found = search(elements, [], size)
            if found is not None:
                result.members = sorted((options[i][1] for i in found), key=lambda c: c.key)
                result.proven_minimal = True
                break
        else:
            result.minimum_exceeds_max_size = True
            result.proven_minimal = True
    except _BudgetExhausted:
        result.notes.append(f"search stopped after {node_budget} nodes; falling back to a greedy cover")
        result.members = _greedy(elements, options, max_size)
        result.minimum_exceeds_max_size = result.members is None
    result.explored_nodes = nodes
    return result


def _greedy(
    elements: frozenset[str], options: list[tuple[frozenset[str], Candidate]], max_size: int
) -> list[Candidate] | None:
    missing = set(elements)
    members: list[Candidate] = []
    while missing and len(members) < max_size:
        # max() keeps the first of equals: options are ordered by size then key, so ties are deterministic
        cover, best = max(options, key=lambda option: len(option[0] & missing))
        if not cover & missing:
            break
        members.append(best)
        missing -= cover
    return sorted(members, key=lambda c: c.key) if not missing else None
