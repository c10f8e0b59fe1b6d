"""Accept header parsing and the choice among offered media types (RFC 9110 12.5.1)."""

from __future__ import annotations

import pytest

from vcgraph.http.negotiation import MediaRange, negotiate, parse_accept, quality_of

RESULTS = ["application/sparql-results+json", "application/sparql-results+xml", "text/csv"]


def test_no_accept_header_gets_the_servers_first_choice() -> None:
    assert negotiate(None, RESULTS) == "application/sparql-results+json"


def test_an_empty_accept_header_accepts_anything() -> None:
    assert negotiate("   ", RESULTS) == "application/sparql-results+json"


def test_the_highest_quality_wins_regardless_of_header_order() -> None:
    assert negotiate("application/sparql-results+json;q=0.2, text/csv;q=0.8", RESULTS) == "text/csv"


def test_equal_qualities_fall_back_to_the_servers_order() -> None:
    assert negotiate("text/csv, application/sparql-results+xml", RESULTS) == "application/sparql-results+xml"


def test_a_type_wildcard_matches_its_subtypes() -> None:
    assert negotiate("text/*", RESULTS) == "text/csv"


def test_the_most_specific_range_sets_the_quality() -> None:
    ranges = parse_accept("text/*;q=0.9, text/csv;q=0.1")
    assert quality_of(ranges, "text/csv") == 0.1
    assert quality_of(ranges, "text/tab-separated-values") == 0.9


def test_q_zero_excludes_a_type_even_under_a_wildcard() -> None:
    assert negotiate("*/*, application/sparql-results+json;q=0", RESULTS) == "application/sparql-results+xml"


def test_nothing_acceptable_gives_none() -> None:
    assert negotiate("image/png", RESULTS) is None


def test_charset_parameter_does_not_prevent_a_match() -> None:
    assert negotiate("text/csv; charset=utf-8", RESULTS) == "text/csv"


def test_an_unknown_parameter_of_an_offered_type_without_parameters_is_ignored() -> None:
    accept = 'application/ld+json; profile="http://www.w3.org/ns/json-ld#compacted"'
    assert negotiate(accept, ["text/turtle", "application/ld+json"]) == "application/ld+json"


def test_a_parameter_the_offered_type_declares_differently_does_not_match() -> None:
    assert negotiate("text/plain;format=flowed", ["text/plain;format=fixed"]) is None


def test_quoted_parameter_values_may_hold_commas_and_semicolons() -> None:
    ranges = parse_accept('text/turtle;foo="a,b;c";q=0.5, text/csv')
    assert ranges == [MediaRange("text", "turtle", (("foo", "a,b;c"),), 0.5), MediaRange("text", "csv")]


def test_parameters_after_q_are_extensions_not_media_type_parameters() -> None:
    assert parse_accept("text/csv;q=0.4;level=1") == [MediaRange("text", "csv", (), 0.4)]


@pytest.mark.parametrize("element", ["garbage", "text/", "*/csv", "text/csv;q=2", "text/csv;q=abc"])
def test_malformed_elements_are_skipped(element: str) -> None:
    assert negotiate(f"{element}, application/sparql-results+xml;q=0.3", RESULTS) == "application/sparql-results+xml"


def test_a_header_with_nothing_readable_is_treated_as_absent() -> None:
    assert negotiate("garbage", RESULTS) == "application/sparql-results+json"


def test_media_types_compare_case_insensitively() -> None:
    assert negotiate("TEXT/CSV", RESULTS) == "text/csv"


def test_a_browser_accept_header_prefers_html_over_rdf() -> None:
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    assert negotiate(browser, ["text/turtle", "application/rdf+xml", "text/html"]) == "text/html"
