"""RemoteSettings.from_environment reads the VCGRAPH_* variables of the process, or of a mapping it is given (what
`scripts/virtuoso.sh env` prints), and then that mapping only."""

from __future__ import annotations

import pytest

from vcgraph.store.remote import RemoteSettings

VIRTUOSO_ENV = {
    "VCGRAPH_STORE": "http://127.0.0.1:8890/sparql",
    "VCGRAPH_UPDATE_URL": "http://127.0.0.1:8890/sparql-auth",
    "VCGRAPH_GSP_URL": "http://127.0.0.1:8890/sparql-graph-crud-auth",
    "VCGRAPH_STORE_USER": "dba",
    "VCGRAPH_STORE_PASSWORD": "secret",
    "VCGRAPH_STORE_AUTH": "digest",
    "VCGRAPH_STORE_DEFAULT_GRAPH": "urn:vcgraph:default",
    "VCGRAPH_STORE_GRAPH_PREFIXES": "https://w3id.org/vcgraph/graph/",
}


def test_a_given_mapping_is_read_and_the_process_environment_is_not(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VCGRAPH_STORE_USER", "someone-else")
    monkeypatch.setenv("VCGRAPH_STORE_TIMEOUT", "5")
    settings = RemoteSettings.from_environment(VIRTUOSO_ENV["VCGRAPH_STORE"], VIRTUOSO_ENV)
    assert settings == RemoteSettings(
        query_url="http://127.0.0.1:8890/sparql",
        update_url="http://127.0.0.1:8890/sparql-auth",
        gsp_url="http://127.0.0.1:8890/sparql-graph-crud-auth",
        user="dba",
        password="secret",
        auth_scheme="digest",
        default_graph_iri="urn:vcgraph:default",
        graph_prefixes=("https://w3id.org/vcgraph/graph/",),
    )


def test_without_a_mapping_the_process_environment_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VCGRAPH_STORE_USER", "someone-else")
    monkeypatch.delenv("VCGRAPH_UPDATE_URL", raising=False)
    settings = RemoteSettings.from_environment("http://127.0.0.1:7878/query")
    assert settings.user == "someone-else"
    assert settings.update_url == "http://127.0.0.1:7878/update"
