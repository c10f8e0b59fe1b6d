"""vcgraph.ontology.diff_ontologies: the release notes between two versions of the ontology."""

from __future__ import annotations

from pathlib import Path

from vcgraph.namespaces import BM, VOCAB
from vcgraph.ontology import DeprecatedTerm, Term, diff_ontologies

FIXTURES = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "ontology"
OLD, NEW = FIXTURES / "release-0.1.0.ttl", FIXTURES / "release-0.2.0.ttl"
ONTOLOGY = Path(__file__).resolve().parents[2] / "ontology"


def test_added_terms_are_listed_with_their_label() -> None:
    diff = diff_ontologies(OLD, NEW)

    assert diff.added == [Term(BM + "Cluster", "cluster"), Term(VOCAB + "mode/pilot", "piloting")]


def test_newly_deprecated_term_is_listed_with_its_replacement() -> None:
    diff = diff_ontologies(OLD, NEW)

    assert diff.deprecated == [DeprecatedTerm(BM + "Network", "network", (BM + "Cluster",))]


def test_removed_and_changed_terms_are_listed() -> None:
    diff = diff_ontologies(OLD, NEW)

    assert diff.removed == [Term(BM + "oldNote", "old note")]
    assert diff.changed == [Term(BM + "Site", "site of an actor")]


def test_versions_come_from_owl_version_info() -> None:
    diff = diff_ontologies(OLD, NEW)

    assert (diff.old_version, diff.new_version) == ("0.1.0", "0.2.0")


def test_text_form_reads_as_release_notes() -> None:
    text = str(diff_ontologies(OLD, NEW))

    assert text.splitlines()[0] == "ontology 0.1.0 -> 0.2.0"
    assert f"  + {BM}Cluster (cluster)" in text
    assert f"  ! {BM}Network (network) -> replaced by {BM}Cluster" in text
    assert f"  - {BM}oldNote (old note)" in text
    assert "removed (1)" in text


def test_same_release_gives_an_empty_diff() -> None:
    diff = diff_ontologies(ONTOLOGY, ONTOLOGY)

    assert diff.is_empty
    assert diff.new_version == "0.1.0"


def test_a_folder_is_compared_as_all_its_turtle_files(tmp_path: Path) -> None:
    release = tmp_path / "release"
    release.mkdir()
    (release / "vcgraph.ttl").write_text((ONTOLOGY / "vcgraph.ttl").read_text(encoding="utf-8"), encoding="utf-8")

    diff = diff_ontologies(release, ONTOLOGY)

    assert VOCAB + "stage/S01" in {term.iri for term in diff.added}
    assert diff.removed == [] and diff.deprecated == []
