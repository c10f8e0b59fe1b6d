"""Ingesting survey-tool exports through their mappings, into a real on-disk store, compared with the template."""

from __future__ import annotations

import csv
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from pyoxigraph import Literal, NamedNode, Quad

from vcgraph.config import Settings, project_root
from vcgraph.mappings.service import ingest_export
from vcgraph.namespaces import VOCAB, Minter
from vcgraph.service.ingest import ingest_survey
from vcgraph.store import Store, open_store
from vcgraph.survey.errors import RowError

SAMPLES = project_root() / "data" / "samples"
WAVE = "2026-W1"
TOOL_EXPORTS = {
    "google-forms": "google-forms.csv",
    "microsoft-forms": "microsoft-forms.xlsx",
    "kobotoolbox": "kobotoolbox.csv",
    "limesurvey": "limesurvey.csv",
    "eusurvey": "eusurvey.csv",
}


def settings_at(folder: Path) -> Settings:
    return Settings(store=str(folder / "store"))


def wave_quads(store: Store, settings: Settings, wave: str = WAVE) -> set[Quad]:
    minter = Minter(settings.base_iri)
    return {*store.quads(minter.wave_graph(wave)), *store.quads(minter.restricted_graph(wave))}


@pytest.fixture(scope="module")
def canonical_graph(tmp_path_factory: pytest.TempPathFactory) -> set[Quad]:
    """The wave graphs of data/samples/canonical.csv ingested with the canonical-template ingest."""
    settings = settings_at(tmp_path_factory.mktemp("canonical"))
    store = open_store(settings.store)
    try:
        report = ingest_survey(store, settings, SAMPLES / "canonical.csv", WAVE)
        assert report.written and not report.errors, report.text()
        return wave_quads(store, settings)
    finally:
        store.close()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return settings_at(tmp_path)


@pytest.fixture
def store(settings: Settings) -> Iterator[Store]:
    opened = open_store(settings.store)
    yield opened
    opened.close()


@pytest.mark.parametrize("tool", list(TOOL_EXPORTS))
def test_each_tool_export_ingests_to_the_same_graph_as_the_canonical_template(
    tool: str, canonical_graph: set[Quad], store: Store, settings: Settings
) -> None:
    report = ingest_export(store, settings, SAMPLES / TOOL_EXPORTS[tool], tool, WAVE)
    assert report.written and not report.errors, report.text()
    graph = wave_quads(store, settings)
    assert len(graph) > 700
    assert graph - canonical_graph == set()
    assert canonical_graph - graph == set()


def test_one_organisation_answering_two_waves_from_two_tools_is_one_actor(store: Store, settings: Settings) -> None:
    assert ingest_export(store, settings, SAMPLES / "google-forms.csv", "google-forms", "2026-W1").written
    assert ingest_export(store, settings, SAMPLES / "limesurvey.csv", "limesurvey", "2026-W2").written
    actor_type = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    actor_class = NamedNode("https://w3id.org/vcgraph/ontology#Actor")
    minter = Minter(settings.base_iri)

    def actors(wave: str) -> set[str]:
        return {
            str(q.subject)
            for q in store.quads(minter.wave_graph(wave))
            if q.predicate == actor_type and q.object == actor_class
        }

    assert len(actors("2026-W1")) == 10
    assert actors("2026-W1") == actors("2026-W2")


def test_the_other_text_of_a_tool_export_reaches_the_wave_graph(store: Store, settings: Settings) -> None:
    report = ingest_export(store, settings, SAMPLES / "kobotoolbox.csv", "kobotoolbox", WAVE)
    assert report.written and not any("_other" in warning for warning in report.warnings), report.text()
    bm, subject = "https://w3id.org/vcgraph/ontology#", NamedNode("http://purl.org/dc/terms/subject")
    graph = list(store.quads(Minter(settings.base_iri).wave_graph(WAVE)))

    def value(node: object, predicate: NamedNode) -> str:
        (found,) = [q.object for q in graph if q.subject == node and q.predicate == predicate]
        assert isinstance(found, NamedNode | Literal)
        return found.value

    others = {
        (value(q.subject, q.predicate), value(q.subject, subject), value(q.subject, NamedNode(bm + "actor")))
        for q in graph
        if q.predicate == NamedNode(bm + "otherAnswer")
    }
    actor = settings.base_iri + "id/actor/"
    assert ("Cosmétiques, parfums", VOCAB + "sector", actor + "id-be0456789123") in others
    assert {(text, scheme) for text, scheme, _ in others} == {
        ("Cosmétiques, parfums", VOCAB + "sector"),
        ("Exosomes", VOCAB + "product-class"),
        ("Audit pharmaceutique", VOCAB + "skill"),
    }


def edited_copy(source: Path, target: Path, row: int, column: str, value: str, *, delimiter: str = ",") -> Path:
    with source.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle, delimiter=delimiter))
    rows[row - 1][rows[0].index(column)] = value
    with target.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, delimiter=delimiter).writerows(rows)
    return target


NUTS_COLUMN = "NUTS 3 region of your main site (code)"


def test_a_template_error_names_the_row_and_column_of_the_export(
    tmp_path: Path, store: Store, settings: Settings
) -> None:
    export = edited_copy(SAMPLES / "google-forms.csv", tmp_path / "export.csv", 5, NUTS_COLUMN, "BE999")
    report = ingest_export(store, settings, export, "google-forms", WAVE)
    assert not report.written
    assert report.errors == [RowError(5, NUTS_COLUMN, "BE999", "not a NUTS 2021 code (template column nuts)")]
    assert wave_quads(store, settings) == set()


def test_a_missing_required_answer_names_the_export_column(tmp_path: Path, store: Store, settings: Settings) -> None:
    export = edited_copy(SAMPLES / "google-forms.csv", tmp_path / "export.csv", 6, "Legal name of organisation", "")
    report = ingest_export(store, settings, export, "google-forms", WAVE)
    assert [(e.row, e.column) for e in report.errors] == [(6, "Legal name of organisation")]
    assert "required value is missing" in report.errors[0].reason


def test_a_mapping_problem_rejects_the_file_and_writes_nothing(
    tmp_path: Path, store: Store, settings: Settings
) -> None:
    export = edited_copy(SAMPLES / "google-forms.csv", tmp_path / "export.csv", 3, "Organisation type", "Spaceport")
    report = ingest_export(store, settings, export, "google-forms", WAVE)
    assert not report.written
    assert [(e.row, e.column, e.value) for e in report.errors] == [(3, "Organisation type", "Spaceport")]
    assert wave_quads(store, settings) == set()


def test_quarantine_ingests_the_other_rows_and_reports_the_bad_one(
    tmp_path: Path, store: Store, settings: Settings
) -> None:
    export = edited_copy(SAMPLES / "google-forms.csv", tmp_path / "export.csv", 3, "Organisation type", "Spaceport")
    report = ingest_export(store, settings, export, "google-forms", WAVE, quarantine=True)
    assert report.written
    assert (report.rows_read, report.rows_ingested, report.rows_rejected) == (10, 9, [3])


def test_an_export_that_does_not_fit_the_mapping_is_refused_as_a_whole(store: Store, settings: Settings) -> None:
    report = ingest_export(store, settings, SAMPLES / "limesurvey.csv", "google-forms", WAVE, quarantine=True)
    assert not report.written
    assert {e.row for e in report.errors} == {1}
    assert any("no column 'Timestamp' or 'Horodateur' in the export" in e.reason for e in report.errors)


def test_reingesting_the_same_export_gives_the_same_quads(store: Store, settings: Settings, tmp_path: Path) -> None:
    export = shutil.copy(SAMPLES / "kobotoolbox.csv", tmp_path / "kobo.csv")
    ingest_export(store, settings, Path(export), "kobotoolbox", WAVE)
    first = wave_quads(store, settings)
    ingest_export(store, settings, Path(export), "kobotoolbox", WAVE)
    assert wave_quads(store, settings) == first
