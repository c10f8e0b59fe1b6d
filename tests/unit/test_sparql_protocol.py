"""Reading SPARQL 1.1 Protocol requests: every accepted form and every refusal, without a server."""

from __future__ import annotations

import pytest

from vcgraph.http.sparql_protocol import (
    ProtocolError,
    QueryRequest,
    UpdateRequest,
    parse_query_request,
    parse_update_request,
)

FORM = "application/x-www-form-urlencoded"


def refusal(call: object, *args: object) -> ProtocolError:
    with pytest.raises(ProtocolError) as caught:
        call(*args)  # type: ignore[operator]
    return caught.value


def test_get_with_a_query_and_dataset_parameters() -> None:
    request = parse_query_request(
        "GET", [("query", "ASK {}"), ("default-graph-uri", "http://g/1"), ("named-graph-uri", "http://g/2")], None, b""
    )
    assert request == QueryRequest("ASK {}", ("http://g/1",), ("http://g/2",))


def test_get_without_any_parameter_asks_for_the_service_description() -> None:
    assert parse_query_request("GET", [], None, b"") is None


def test_get_with_dataset_parameters_but_no_query_is_400() -> None:
    error = refusal(parse_query_request, "GET", [("default-graph-uri", "http://g/1")], None, b"")
    assert error.status == 400 and "missing 'query'" in error.message


def test_a_repeated_query_parameter_is_400() -> None:
    error = refusal(parse_query_request, "GET", [("query", "ASK {}"), ("query", "ASK {}")], None, b"")
    assert error.status == 400 and "2 times" in error.message


def test_an_update_sent_to_the_query_endpoint_is_400() -> None:
    assert refusal(parse_query_request, "GET", [("update", "CLEAR ALL")], None, b"").status == 400
    assert refusal(parse_query_request, "POST", [], FORM, b"update=CLEAR+ALL").status == 400


def test_form_post_reads_percent_encoded_utf8_fields() -> None:
    body = b"query=SELECT+%3Fs+%7B%7D+%23+caf%C3%A9&named-graph-uri=http%3A%2F%2Fg%2F1"
    assert parse_query_request("POST", [], FORM, body) == QueryRequest("SELECT ?s {} # café", (), ("http://g/1",))


def test_form_post_without_query_is_400() -> None:
    assert refusal(parse_query_request, "POST", [], FORM, b"default-graph-uri=x").status == 400


def test_form_post_with_a_query_in_the_url_and_the_body_is_400() -> None:
    assert refusal(parse_query_request, "POST", [("query", "ASK {}")], FORM, b"query=ASK+%7B%7D").status == 400


def test_form_post_that_is_not_utf8_is_400() -> None:
    assert refusal(parse_query_request, "POST", [], FORM, b"query=%FF").status == 400


def test_direct_post_takes_the_body_and_url_dataset_parameters() -> None:
    request = parse_query_request(
        "POST", [("default-graph-uri", "http://g/1")], "application/sparql-query; charset=UTF-8", b"ASK {}"
    )
    assert request == QueryRequest("ASK {}", ("http://g/1",), ())


def test_direct_post_with_a_query_url_parameter_too_is_400() -> None:
    error = refusal(parse_query_request, "POST", [("query", "ASK {}")], "application/sparql-query", b"ASK {}")
    assert error.status == 400


def test_direct_post_in_another_charset_is_415() -> None:
    error = refusal(
        parse_query_request, "POST", [], "application/sparql-query; charset=UTF-16", "ASK {}".encode("utf-16")
    )
    assert error.status == 415 and "UTF-8" in error.message


def test_direct_post_with_invalid_utf8_is_400_naming_the_byte() -> None:
    error = refusal(parse_query_request, "POST", [], "application/sparql-query", b"ASK { \xff }")
    assert error.status == 400 and "byte 6" in error.message


@pytest.mark.parametrize("content_type", [None, "text/plain", "application/sparql-update"])
def test_post_that_is_neither_form_nor_query_is_415(content_type: str | None) -> None:
    assert refusal(parse_query_request, "POST", [], content_type, b"ASK {}").status == 415


def test_other_methods_are_405() -> None:
    assert refusal(parse_query_request, "PUT", [("query", "ASK {}")], None, b"").status == 405


def test_update_by_form_with_using_parameters() -> None:
    body = b"update=CLEAR+ALL&using-graph-uri=http%3A%2F%2Fg%2F1&using-named-graph-uri=http%3A%2F%2Fg%2F2"
    assert parse_update_request("POST", [], FORM, body) == UpdateRequest("CLEAR ALL", ("http://g/1",), ("http://g/2",))


def test_update_by_direct_post() -> None:
    url_parameters = [("using-graph-uri", "http://g/1")]
    request = parse_update_request("POST", url_parameters, "application/sparql-update", b"CLEAR ALL")
    assert request == UpdateRequest("CLEAR ALL", ("http://g/1",), ())


def test_update_by_get_is_405() -> None:
    assert refusal(parse_update_request, "GET", [("update", "CLEAR ALL")], None, b"").status == 405


def test_two_updates_in_one_form_is_400() -> None:
    assert refusal(parse_update_request, "POST", [], FORM, b"update=CLEAR+ALL&update=CLEAR+ALL").status == 400


def test_a_query_sent_to_the_update_endpoint_is_400() -> None:
    assert refusal(parse_update_request, "POST", [], FORM, b"query=ASK+%7B%7D").status == 400


def test_update_with_the_query_media_type_is_415() -> None:
    assert refusal(parse_update_request, "POST", [], "application/sparql-query", b"CLEAR ALL").status == 415
