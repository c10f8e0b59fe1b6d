"""Reference files are read so that loading them twice writes the very same quads."""

from __future__ import annotations

from pathlib import Path

import pytest
from pyoxigraph import BlankNode

from vcgraph.reference.loader import ontology_files, parse_turtle_file
from vcgraph.vocabulary import VocabularyError

WITH_BLANK_NODES = """
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix ex: <https://example.org/> .
ex:A owl:equivalentClass [ a owl:Restriction ; owl:onProperty ex:p ; owl:someValuesFrom ex:B ] .
ex:C ex:list ( ex:x ex:y ) .
"""


def test_blank_nodes_get_the_same_labels_on_every_read(tmp_path: Path) -> None:
    path = tmp_path / "o.ttl"
    path.write_text(WITH_BLANK_NODES)
    first, second = parse_turtle_file(path), parse_turtle_file(path)
    assert first == second
    assert any(isinstance(t.subject, BlankNode) for t in first)


def test_blank_node_labels_differ_between_different_files(tmp_path: Path) -> None:
    (tmp_path / "a.ttl").write_text(WITH_BLANK_NODES)
    (tmp_path / "b.ttl").write_text(WITH_BLANK_NODES + "ex:D a ex:E .\n")
    labels = [
        {t.subject for t in parse_turtle_file(tmp_path / name) if isinstance(t.subject, BlankNode)}
        for name in ("a.ttl", "b.ttl")
    ]
    assert not labels[0] & labels[1]


def test_a_file_that_is_not_turtle_is_refused_naming_it(tmp_path: Path) -> None:
    (tmp_path / "bad.ttl").write_text("ex:a ex:b")
    with pytest.raises(VocabularyError, match=r"bad\.ttl"):
        parse_turtle_file(tmp_path / "bad.ttl")


def test_the_ontology_and_its_translations_are_told_apart_from_the_schemes(tmp_path: Path) -> None:
    for name in ("vcgraph.ttl", "vcgraph.fr.ttl", "vocab-stage.ttl", "vocab-mode.ttl", "catalog-v001.xml"):
        (tmp_path / name).write_text("")
    ontology, schemes = ontology_files(tmp_path)
    assert ontology == [tmp_path / "vcgraph.fr.ttl", tmp_path / "vcgraph.ttl"]
    assert schemes == [tmp_path / "vocab-mode.ttl", tmp_path / "vocab-stage.ttl"]


def test_an_ontology_directory_without_turtle_is_refused(tmp_path: Path) -> None:
    with pytest.raises(VocabularyError, match="no Turtle file"):
        ontology_files(tmp_path)
