"""The exact set-cover solver behind /api/consortium."""

from __future__ import annotations

from vcgraph.questions.consortium import Candidate, solve_cover


def c(key: str, stages: str, regions: str) -> Candidate:
    return Candidate(key, frozenset(stages.split()), frozenset(regions.split()))


def keys(members: list[Candidate] | None) -> list[str] | None:
    return None if members is None else [m.key for m in members]


def test_the_minimum_cover_beats_the_greedy_choice() -> None:
    # greedy takes 'big' (4 stages) first and then needs both others; the optimum is the other two
    candidates = [c("big", "S1 S2 S3 S4", "R"), c("left", "S1 S2 S5", "R"), c("right", "S3 S4 S6", "R")]
    result = solve_cover(["S1", "S2", "S3", "S4", "S5", "S6"], ["R"], candidates, max_size=6)
    assert keys(result.members) == ["left", "right"]
    assert result.proven_minimal is True


def test_every_listed_region_gets_a_member_even_if_its_stages_are_covered() -> None:
    candidates = [c("a", "S1 S2", "BE3"), c("b", "S2", "FRK")]
    result = solve_cover(["S1", "S2"], ["BE3", "FRK"], candidates, max_size=6)
    assert keys(result.members) == ["a", "b"]


def test_stages_no_candidate_offers_are_reported_and_the_rest_still_covered() -> None:
    result = solve_cover(["S1", "S9"], ["R"], [c("a", "S1", "R")], max_size=6)
    assert keys(result.members) == ["a"]
    assert result.uncovered_stages == ["S9"]


def test_a_region_without_candidates_is_reported_unrepresented() -> None:
    result = solve_cover(["S1"], ["R", "Q"], [c("a", "S1", "R")], max_size=6)
    assert keys(result.members) == ["a"]
    assert result.unrepresented_regions == ["Q"]


def test_a_cover_larger_than_max_size_is_proven_impossible() -> None:
    candidates = [c("a", "S1", "R"), c("b", "S2", "R"), c("d", "S3", "R")]
    result = solve_cover(["S1", "S2", "S3"], ["R"], candidates, max_size=2)
    assert result.members is None
    assert (result.minimum_exceeds_max_size, result.proven_minimal) == (True, True)


def test_interchangeable_candidates_resolve_to_the_smallest_key() -> None:
    result = solve_cover(["S1"], ["R"], [c("zeta", "S1", "R"), c("alpha", "S1", "R")], max_size=6)
    assert keys(result.members) == ["alpha"]


def test_an_exhausted_search_budget_falls_back_to_greedy_and_says_so() -> None:
    candidates = [c(f"k{i:02d}", f"S{i} S{i + 1}", "R") for i in range(12)]
    result = solve_cover([f"S{i}" for i in range(13)], ["R"], candidates, max_size=10, node_budget=5)
    assert result.proven_minimal is False
    assert result.members is not None
    assert result.notes and "greedy" in result.notes[0]
