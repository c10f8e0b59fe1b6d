"""The cached binder of the questions gives exactly what vcgraph.sparql.text.bind_parameters gives."""

from __future__ import annotations

from pathlib import Path

import pytest
from pyoxigraph import Literal, NamedNode

from vcgraph.questions.binding import bind
from vcgraph.sparql.text import ParameterError, bind_parameters, parameter_names

QUERIES = sorted((Path(__file__).resolve().parents[2] / "queries").glob("*.rq"))


@pytest.mark.parametrize("path", QUERIES, ids=lambda p: p.stem)
def test_binding_a_query_file_matches_bind_parameters(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    names = sorted(parameter_names(text))
    values: dict[str, NamedNode | Literal] = {
        name: (NamedNode(f"http://example.org/{name}") if i % 2 else Literal('say "hi" $x', language="en"))
        for i, name in enumerate(names[:-1])  # the last one stays unbound: it must stay a variable
    }
    assert bind(text, values) == bind_parameters(text, values)


def test_a_parameter_inside_a_string_or_comment_is_not_bound() -> None:
    text = 'SELECT * WHERE { ?s ?p "$region" } # $region\nLIMIT 1 $region'
    assert bind(text, {"region": NamedNode("http://x/BE3")}) == (
        'SELECT * WHERE { ?s ?p "$region" } # $region\nLIMIT 1 <http://x/BE3>'
    )


def test_only_iris_and_literals_can_be_bound() -> None:
    with pytest.raises(ParameterError):
        bind("SELECT * WHERE { ?s ?p $o }", {"o": "raw text"})  # type: ignore[dict-item]
