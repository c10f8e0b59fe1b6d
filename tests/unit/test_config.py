"""Settings come from VCGRAPH_* variables and refuse nonsense with a message naming the variable."""

from __future__ import annotations

import pytest

from vcgraph.config import load_settings


def test_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("VCGRAPH_STORE", "VCGRAPH_BASE_IRI", "VCGRAPH_DEFAULT_GRAPH", "VCGRAPH_QUERY_TIMEOUT"):
        monkeypatch.delenv(name, raising=False)
    settings = load_settings()
    assert settings.store == "var/store"
    assert settings.base_iri == "https://w3id.org/vcgraph/"
    assert settings.default_graph == "union"
    assert settings.query_timeout == 30.0
    assert settings.allow_destructive is False


def test_explicit_store_wins_over_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VCGRAPH_STORE", "/elsewhere")
    assert load_settings("/here").store == "/here"


def test_base_iri_gets_a_trailing_slash(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VCGRAPH_BASE_IRI", "https://kg.example.org/bio")
    assert load_settings().base_iri == "https://kg.example.org/bio/"


@pytest.mark.parametrize(
    "name,value",
    [
        ("VCGRAPH_BASE_IRI", "urn:x:"),
        ("VCGRAPH_BASE_IRI", "https://example.org/onto#"),
        ("VCGRAPH_DEFAULT_GRAPH", "merged"),
        ("VCGRAPH_QUERY_TIMEOUT", "soon"),
        ("VCGRAPH_QUERY_TIMEOUT", "0"),
        ("VCGRAPH_MAX_ROWS", "1.5"),
        ("VCGRAPH_ALLOW_DESTRUCTIVE", "maybe"),
    ],
)
def test_bad_values_are_refused_naming_the_variable(monkeypatch: pytest.MonkeyPatch, name: str, value: str) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ValueError, match=name):
        load_settings()


def test_flags_and_numbers_are_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VCGRAPH_ALLOW_DESTRUCTIVE", "yes")
    monkeypatch.setenv("VCGRAPH_MAX_ROWS", "500")
    monkeypatch.setenv("VCGRAPH_QUERY_TIMEOUT", "2.5")
    settings = load_settings()
    assert settings.allow_destructive is True
    assert settings.max_rows == 500
    assert settings.query_timeout == 2.5
