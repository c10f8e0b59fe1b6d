"""vcgraph.ontology.normalise: canonical Turtle that keeps exactly the triples and is the same every time."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

from vcgraph.ontology import OntologyFileError, normalise

ROOT = Path(__file__).resolve().parents[2]
ONTOLOGY = ROOT / "ontology"
PROTEGE = ROOT / "tests" / "fixtures" / "ontology" / "vcgraph-protege.owl"

# Blank nodes are where serialisers usually go non-deterministic: an OWL list, a restriction, a union.
WITH_BLANK_NODES = """\
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix ex: <https://example.org/o#> .
[] a owl:AllDisjointClasses ; owl:members ( ex:A ex:B ex:C ) .
ex:A rdfs:subClassOf [ a owl:Restriction ; owl:onProperty ex:p ; owl:someValuesFrom ex:B ] .
ex:p rdfs:domain [ a owl:Class ; owl:unionOf ( ex:A ex:C ) ] .
ex:B rdfs:subClassOf [ a owl:Restriction ; owl:onProperty ex:p ; owl:allValuesFrom ex:C ] .
"""


def graph(path: Path) -> Graph:
    return Graph().parse(path, format="xml" if path.suffix == ".owl" else "turtle")


@pytest.mark.parametrize("name", ["vcgraph.ttl", "vocab-technology.ttl", "vocab-trl.ttl"])
def test_normalised_file_has_exactly_the_same_triples(tmp_path: Path, name: str) -> None:
    out = tmp_path / name

    normalise(ONTOLOGY / name, out)

    assert isomorphic(graph(ONTOLOGY / name), graph(out))


def test_normalising_twice_gives_the_same_bytes(tmp_path: Path) -> None:
    first, second = tmp_path / "a.ttl", tmp_path / "b.ttl"

    normalise(ONTOLOGY / "vocab-stage.ttl", first)
    normalise(ONTOLOGY / "vocab-stage.ttl", second)

    assert first.read_bytes() == second.read_bytes()


def test_normalising_a_normalised_file_changes_nothing(tmp_path: Path) -> None:
    once, twice = tmp_path / "once.ttl", tmp_path / "twice.ttl"

    normalise(ONTOLOGY / "vcgraph.ttl", once)
    normalise(once, twice)

    assert once.read_text(encoding="utf-8") == twice.read_text(encoding="utf-8")


def test_protege_rdfxml_and_turtle_of_the_same_ontology_normalise_to_the_same_text(tmp_path: Path) -> None:
    # Protégé names dcterms "terms" and uses a default namespace: stable prefixes hide that difference.
    from_turtle, from_protege = tmp_path / "turtle.ttl", tmp_path / "protege.ttl"

    normalise(ONTOLOGY / "vcgraph.ttl", from_turtle)
    normalise(PROTEGE, from_protege)

    assert from_turtle.read_text(encoding="utf-8") == from_protege.read_text(encoding="utf-8")
    assert "PREFIX dcterms: <http://purl.org/dc/terms/>" in from_protege.read_text(encoding="utf-8")


def test_output_is_sorted_by_subject(tmp_path: Path) -> None:
    out = tmp_path / "stage.ttl"

    normalise(ONTOLOGY / "vocab-stage.ttl", out)

    subjects = [line for line in out.read_text(encoding="utf-8").splitlines() if line.startswith("stage:S")]
    assert subjects == [f"stage:S{i:02d}" for i in range(1, 17)]


def test_blank_nodes_are_written_identically_in_separate_processes(tmp_path: Path) -> None:
    source = tmp_path / "axioms.ttl"
    source.write_text(WITH_BLANK_NODES, encoding="utf-8")
    outputs = []
    for seed in ("1", "2"):
        target = tmp_path / f"out-{seed}.ttl"
        code = "import sys; from pathlib import Path; from vcgraph.ontology import normalise; " \
               "normalise(Path(sys.argv[1]), Path(sys.argv[2]))"
        env = {**os.environ, "PYTHONHASHSEED": seed}
        subprocess.run([sys.executable, "-c", code, str(source), str(target)], check=True, env=env, timeout=120)
        outputs.append(target.read_text(encoding="utf-8"))

    assert outputs[0] == outputs[1]
    assert isomorphic(Graph().parse(data=WITH_BLANK_NODES, format="turtle"), Graph().parse(data=outputs[0]))


def test_invalid_input_raises_an_error_naming_the_file(tmp_path: Path) -> None:
    broken = tmp_path / "broken.ttl"
    broken.write_text("<urn:a> <urn:b> .\n", encoding="utf-8")

    with pytest.raises(OntologyFileError) as caught:
        normalise(broken, tmp_path / "out.ttl")

    assert str(broken) in str(caught.value)
    assert not (tmp_path / "out.ttl").exists()
