"""Ingesting a survey file into a real on-disk store: all or nothing, atomic per wave, idempotent."""

from __future__ import annotations

import csv
import json
import logging
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import Workbook
from pyoxigraph import Literal, NamedNode, Quad, Triple

from vcgraph.config import Settings
from vcgraph.http.server import warn_if_reference_data_is_stale
from vcgraph.namespaces import Minter
from vcgraph.service.ingest import (
    IngestError,
    ensure_reference_data,
    ingest_survey,
    replace_changed_graphs,
    stale_reference_graphs,
)
from vcgraph.service.validate import validate_file, validate_store
from vcgraph.store.oxigraph import OxigraphStore
from vcgraph.store.port import Store
from vcgraph.store.remote import RemoteSettings, RemoteStore

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "survey"
VALID = FIXTURES / "valid.csv"
BASE_IRI = "https://w3id.org/vcgraph/"
MINTER = Minter(BASE_IRI)
WAVE = "2026-W1"
WAVE_GRAPH = MINTER.wave_graph(WAVE)
RESTRICTED_GRAPH = MINTER.restricted_graph(WAVE)

STRICTER_SHAPE = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix bm: <https://w3id.org/vcgraph/ontology#> .
<https://example.org/shapes#SizeRequired> a sh:NodeShape ; sh:targetClass bm:Actor ;
    sh:property [ sh:path bm:sizeClass ; sh:minCount 1 ; sh:message "a size is required by this deployment" ] .
"""


def make_home(root: Path, *, stricter: bool = False) -> Path:
    """A checkout with the fixture vocabularies, the project's shapes and the real NUTS list."""
    home = root / "home"
    shutil.copytree(FIXTURES / "ontology", home / "ontology")
    shutil.copytree(ROOT / "shapes", home / "shapes")
    (home / "data" / "reference").mkdir(parents=True)
    shutil.copytree(ROOT / "data" / "reference" / "nuts", home / "data" / "reference" / "nuts")
    if stricter:
        (home / "shapes" / "zz-stricter.ttl").write_text(STRICTER_SHAPE)
    return home


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(store=str(tmp_path / "store"), home=make_home(tmp_path))


@pytest.fixture
def store(settings: Settings) -> Iterator[Store]:
    opened = OxigraphStore(Path(settings.store))
    yield opened
    opened.close()


def rows_of(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def write_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    columns = list(dict.fromkeys(c for row in rows for c in row))
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)
    return path


def with_bad_row(tmp_path: Path) -> Path:
    rows = rows_of(VALID)
    rows[1]["nuts"] = "FRK99"
    return write_csv(tmp_path / "bad.csv", rows)


def quads(store: Store) -> set[Quad]:
    return set(store.quads())


def public_text(store: Store) -> str:
    return " ".join(str(q) for q in store.quads() if MINTER.is_public_graph(q.graph_name.value))


def test_an_ingest_writes_the_wave_and_its_restricted_graph(store: Store, settings: Settings) -> None:
    report = ingest_survey(store, settings, VALID, WAVE)
    assert report.ok and report.written
    assert (report.rows_read, report.rows_ingested, report.errors) == (3, 3, [])
    assert report.graphs == [WAVE_GRAPH.value, RESTRICTED_GRAPH.value]
    assert report.triples_written == len(list(store.quads(WAVE_GRAPH))) + len(list(store.quads(RESTRICTED_GRAPH)))


def test_the_summary_says_what_was_written_where(store: Store, settings: Settings) -> None:
    report = ingest_survey(store, settings, VALID, WAVE)
    assert report.summary() == (
        f"wave {WAVE}: 3 of 3 row(s) ingested from {VALID}, {report.triples_written} triple(s) written to "
        f"{WAVE_GRAPH.value}, {RESTRICTED_GRAPH.value}"
    )


def test_the_text_of_a_rejected_file_lists_every_error_under_its_summary(
    store: Store, settings: Settings, tmp_path: Path
) -> None:
    report = ingest_survey(store, settings, with_bad_row(tmp_path), WAVE)
    assert report.text().splitlines() == [
        f"wave {WAVE}: nothing written; 3 row(s) read from {tmp_path / 'bad.csv'}, 1 row(s) rejected",
        "1 row(s) rejected:",
        "  row 3, column nuts: value 'FRK99': not a NUTS 2021 code",
    ]


def test_the_report_has_a_json_ready_form(store: Store, settings: Settings, tmp_path: Path) -> None:
    report = ingest_survey(store, settings, with_bad_row(tmp_path), WAVE)
    as_json = json.loads(json.dumps(report.as_dict()))
    assert (as_json["written"], as_json["rows_rejected"]) == (False, [3])
    assert as_json["errors"] == [
        {
            "row": 3,
            "column": "nuts",
            "value": "FRK99",
            "reason": "not a NUTS 2021 code",
            "message": "row 3, column nuts: value 'FRK99': not a NUTS 2021 code",
        }
    ]


def test_an_ingest_loads_the_reference_graphs(store: Store, settings: Settings) -> None:
    ingest_survey(store, settings, VALID, WAVE)
    for graph in (MINTER.ontology_graph(), MINTER.vocabularies_graph(), MINTER.nuts_graph()):
        assert list(store.quads(graph)), graph


def test_reloading_the_reference_data_changes_nothing(store: Store, settings: Settings) -> None:
    ensure_reference_data(store, settings)
    before = quads(store)
    ensure_reference_data(store, settings)
    assert quads(store) == before


def test_an_empty_store_has_every_reference_graph_stale(store: Store, settings: Settings) -> None:
    assert stale_reference_graphs(store, settings) == [
        MINTER.ontology_graph(),
        MINTER.vocabularies_graph(),
        MINTER.nuts_graph(),
    ]


def test_reference_graphs_are_current_after_loading_them(store: Store, settings: Settings) -> None:
    ensure_reference_data(store, settings)
    assert stale_reference_graphs(store, settings) == []


def test_a_nuts_graph_of_an_earlier_version_is_stale_until_reloaded(store: Store, settings: Settings) -> None:
    ensure_reference_data(store, settings)
    store.update("DELETE WHERE { GRAPH ?g { ?region <https://w3id.org/vcgraph/ontology#withinRegion> ?container } }")
    assert stale_reference_graphs(store, settings) == [MINTER.nuts_graph()]
    ensure_reference_data(store, settings)
    assert stale_reference_graphs(store, settings) == []


def test_serving_a_store_with_stale_reference_graphs_logs_how_to_replace_them(
    store: Store, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="vcgraph.http.server"):
        warn_if_reference_data_is_stale(store, settings)
    assert MINTER.nuts_graph().value in caplog.text
    assert f"vcgraph init --store {settings.store}" in caplog.text


def test_serving_a_store_that_does_not_answer_logs_a_warning_instead_of_failing(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    unreachable = RemoteStore(RemoteSettings(query_url="http://127.0.0.1:9/query", timeout=2.0))
    with caplog.at_level(logging.WARNING, logger="vcgraph.http.server"):
        warn_if_reference_data_is_stale(unreachable, settings)
    assert "could not compare the store's reference graphs" in caplog.text


def test_serving_a_current_store_logs_no_warning(
    store: Store, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    ensure_reference_data(store, settings)
    with caplog.at_level(logging.WARNING, logger="vcgraph.http.server"):
        warn_if_reference_data_is_stale(store, settings)
    assert caplog.records == []


def test_ingesting_the_same_file_twice_gives_the_same_store(store: Store, settings: Settings) -> None:
    ingest_survey(store, settings, VALID, WAVE)
    before = quads(store)
    ingest_survey(store, settings, VALID, WAVE)
    assert quads(store) == before


def test_only_graphs_whose_content_changed_are_rewritten(store: Store) -> None:
    one = [Triple(NamedNode("https://example.org/a"), NamedNode("https://example.org/p"), Literal("1"))]
    two = [Triple(NamedNode("https://example.org/a"), NamedNode("https://example.org/p"), Literal("2"))]
    first, second = NamedNode("https://example.org/g1"), NamedNode("https://example.org/g2")
    assert replace_changed_graphs(store, {first: one, second: one}) == [first, second]
    assert replace_changed_graphs(store, {first: one, second: one}) == []
    assert replace_changed_graphs(store, {first: one, second: two}) == [second]
    assert {q.object for q in store.quads(second)} == {Literal("2")}


def test_a_new_file_for_the_same_wave_replaces_the_wave_entirely(
    store: Store, settings: Settings, tmp_path: Path
) -> None:
    ingest_survey(store, settings, VALID, WAVE)
    smaller = write_csv(tmp_path / "smaller.csv", rows_of(VALID)[:1])
    ingest_survey(store, settings, smaller, WAVE)
    text = " ".join(str(q) for q in store.quads(WAVE_GRAPH)) + " ".join(str(q) for q in store.quads(RESTRICTED_GRAPH))
    assert "R-001" in text and "R-002" not in text and "Stealth" not in text and "ceo@" not in text


def test_another_wave_is_left_alone(store: Store, settings: Settings) -> None:
    ingest_survey(store, settings, VALID, "2025-W1")
    old = set(store.quads(MINTER.wave_graph("2025-W1")))
    ingest_survey(store, settings, VALID, WAVE)
    assert set(store.quads(MINTER.wave_graph("2025-W1"))) == old


def test_an_invalid_row_rejects_the_whole_file_and_writes_nothing(
    store: Store, settings: Settings, tmp_path: Path
) -> None:
    report = ingest_survey(store, settings, with_bad_row(tmp_path), WAVE)
    assert not report.written and report.rows_ingested == 0
    assert report.rows_rejected == [3]
    assert [e.column for e in report.errors] == ["nuts"]
    assert store.graphs() == []


def test_a_failed_ingest_leaves_the_previous_wave_intact(store: Store, settings: Settings, tmp_path: Path) -> None:
    ingest_survey(store, settings, VALID, WAVE)
    before = quads(store)
    report = ingest_survey(store, settings, with_bad_row(tmp_path), WAVE)
    assert not report.written and quads(store) == before


def test_quarantine_writes_the_valid_rows_and_reports_the_others(
    store: Store, settings: Settings, tmp_path: Path
) -> None:
    report = ingest_survey(store, settings, with_bad_row(tmp_path), WAVE, quarantine=True)
    assert report.written and not report.ok
    assert (report.rows_ingested, report.rows_rejected) == (2, [3])
    text = " ".join(str(q) for q in store.quads(WAVE_GRAPH))
    assert "R-001" in text and "R-003" in text and "R-002" not in text


def test_quarantine_with_no_valid_row_keeps_the_previous_wave(store: Store, settings: Settings, tmp_path: Path) -> None:
    ingest_survey(store, settings, VALID, WAVE)
    before = quads(store)
    rows = rows_of(VALID)
    for row in rows:
        row["country"] = "XX"
    report = ingest_survey(store, settings, write_csv(tmp_path / "all-bad.csv", rows), WAVE, quarantine=True)
    assert not report.written and report.rows_rejected == [2, 3, 4] and quads(store) == before


def test_a_shacl_violation_rejects_the_file_naming_row_and_column(tmp_path: Path) -> None:
    settings = Settings(store=str(tmp_path / "store"), home=make_home(tmp_path, stricter=True))
    rows = rows_of(VALID)
    rows[2]["size"] = ""
    store = OxigraphStore(Path(settings.store))
    report = ingest_survey(store, settings, write_csv(tmp_path / "nosize.csv", rows), WAVE)
    assert not report.written
    assert [str(e) for e in report.errors] == [
        "row 4, column size: value '': SHACL: a size is required by this deployment"
    ]
    assert store.graphs() == []


def test_quarantine_drops_the_rows_shacl_rejects(tmp_path: Path) -> None:
    settings = Settings(store=str(tmp_path / "store"), home=make_home(tmp_path, stricter=True))
    rows = rows_of(VALID)
    rows[2]["size"] = ""
    store = OxigraphStore(Path(settings.store))
    report = ingest_survey(store, settings, write_csv(tmp_path / "nosize.csv", rows), WAVE, quarantine=True)
    assert report.written and (report.rows_ingested, report.rows_rejected) == (2, [4])


def test_emails_are_stored_in_the_restricted_graph_only(store: Store, settings: Settings) -> None:
    ingest_survey(store, settings, VALID, WAVE)
    restricted = " ".join(str(q) for q in store.quads(RESTRICTED_GRAPH))
    assert "anne@bioprocess.example.be" in restricted and "ceo@stealth.example.org" in restricted
    assert "@" not in public_text(store).replace("@en", "").replace("@fr", "")
    assert "schema.org/email" not in public_text(store)


def test_an_anonymous_actor_is_never_named_in_the_public_graphs(store: Store, settings: Settings) -> None:
    ingest_survey(store, settings, VALID, WAVE)
    text = public_text(store)
    assert "Stealth" not in text and "stealth.example.org" not in text
    assert "Stealth Cell Therapy" in " ".join(str(q) for q in store.quads(RESTRICTED_GRAPH))


def test_an_xlsx_export_gives_the_same_graph_as_the_csv(tmp_path: Path, settings: Settings) -> None:
    rows = list(csv.reader(VALID.open(encoding="utf-8", newline="")))
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        # Typed cells, as Excel would hold them: numbers for TRLs, text elsewhere.
        sheet.append([int(cell) if cell.isdigit() else cell for cell in row])
    workbook.save(tmp_path / "valid.xlsx")
    from_csv = OxigraphStore(tmp_path / "csv-store")
    from_xlsx = OxigraphStore(tmp_path / "xlsx-store")
    assert ingest_survey(from_csv, settings, VALID, WAVE).ok
    assert ingest_survey(from_xlsx, settings, tmp_path / "valid.xlsx", WAVE).ok
    assert quads(from_csv) == quads(from_xlsx)


@pytest.mark.parametrize("wave", ["", "../x", "a b", "-W1", "x" * 65, "W1/../../etc"])
def test_a_bad_wave_id_is_refused_before_anything_is_read(store: Store, settings: Settings, wave: str) -> None:
    with pytest.raises(IngestError, match="wave id"):
        ingest_survey(store, settings, VALID, wave)
    assert store.graphs() == []


def test_an_unreadable_file_is_reported_as_a_file_error_and_nothing_is_written(
    store: Store, settings: Settings, tmp_path: Path
) -> None:
    (tmp_path / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64)
    report = ingest_survey(store, settings, tmp_path / "old.xls", WAVE)
    assert not report.written and report.rows_rejected == [0]
    assert "legacy Excel .xls file" in report.errors[0].reason
    assert store.graphs() == []


def test_validating_an_unreadable_file_reports_it_invalid(settings: Settings, tmp_path: Path) -> None:
    (tmp_path / "empty.csv").write_bytes(b"")
    report = validate_file(settings, tmp_path / "empty.csv")
    assert not report.conforms and [e.row for e in report.errors] == [0]


def test_progress_is_reported_row_by_row(store: Store, settings: Settings) -> None:
    seen: list[tuple[int, int]] = []
    ingest_survey(store, settings, VALID, WAVE, progress=lambda done, total: seen.append((done, total)))
    assert seen == [(1, 3), (2, 3), (3, 3)]


def test_validating_a_valid_file_reports_it_valid(settings: Settings) -> None:
    report = validate_file(settings, VALID)
    assert report.conforms and report.errors == [] and report.text().startswith("valid")


def test_validating_a_bad_file_lists_every_error(settings: Settings, tmp_path: Path) -> None:
    rows = rows_of(VALID)
    rows[0]["trl_T01"] = "12"
    rows[2]["contact_email"] = "not-an-email"
    report = validate_file(settings, write_csv(tmp_path / "bad.csv", rows))
    assert not report.conforms
    assert [(e.row, e.column) for e in report.errors] == [(2, "trl_T01"), (4, "contact_email")]


def test_a_validation_report_has_a_json_ready_form(settings: Settings, tmp_path: Path) -> None:
    rows = rows_of(VALID)
    rows[0]["trl_T01"] = "12"
    as_json = json.loads(json.dumps(validate_file(settings, write_csv(tmp_path / "bad.csv", rows)).as_dict()))
    assert as_json["conforms"] is False and [e["column"] for e in as_json["errors"]] == ["trl_T01"]


def test_validating_the_store_checks_every_wave(store: Store, settings: Settings) -> None:
    ingest_survey(store, settings, VALID, WAVE)
    ingest_survey(store, settings, VALID, "2025-W1")
    report = validate_store(store, settings)
    assert report.conforms and report.graphs == [MINTER.wave_graph("2025-W1").value, WAVE_GRAPH.value]


def test_validating_a_hand_broken_store_names_the_graph_and_node(store: Store, settings: Settings) -> None:
    ingest_survey(store, settings, VALID, WAVE)
    store.update(
        f"INSERT DATA {{ GRAPH <{WAVE_GRAPH.value}> {{ "
        "<https://w3id.org/vcgraph/id/wave/2026-W1/response/R-001/technology/T01> "
        "<https://w3id.org/vcgraph/ontology#trl> 42 } }"
    )
    report = validate_store(store, settings)
    assert not report.conforms
    assert any(WAVE_GRAPH.value in e.reason and "technology/T01" in e.reason for e in report.errors)


def test_validating_the_store_flags_a_statement_of_a_wave_its_graph_does_not_describe(
    store: Store, settings: Settings
) -> None:
    # the questions read a wave's statements in the graphs describing it (docs/model.md), so a wave graph holding a
    # statement of another wave is an error the store check must name
    ingest_survey(store, settings, VALID, WAVE)
    statement = "https://w3id.org/vcgraph/id/wave/2026-W1/response/R-001/technology/T01"
    store.update(
        f"DELETE {{ GRAPH <{WAVE_GRAPH.value}> {{ <{statement}> <http://www.w3.org/ns/prov#wasGeneratedBy> ?w }} }}"
        f" INSERT {{ GRAPH <{WAVE_GRAPH.value}> {{ <{statement}> <http://www.w3.org/ns/prov#wasGeneratedBy>"
        " <https://w3id.org/vcgraph/id/wave/2025-W1> } }"
        f" WHERE {{ GRAPH <{WAVE_GRAPH.value}> {{ <{statement}> <http://www.w3.org/ns/prov#wasGeneratedBy> ?w }} }}"
    )
    report = validate_store(store, settings)
    assert not report.conforms
    assert any(WAVE_GRAPH.value in e.reason and "technology/T01" in e.reason for e in report.errors)


DEMO = ROOT / "data" / "demo" / "survey-2026-W1.csv"


@pytest.mark.skipif(not (DEMO.exists() and (ROOT / "ontology" / "vcgraph.ttl").exists()), reason="no demo data")
def test_the_demo_survey_ingests_with_the_project_ontology(tmp_path: Path) -> None:
    settings = Settings(store=str(tmp_path / "store"), home=ROOT)
    store = OxigraphStore(tmp_path / "store")
    report = ingest_survey(store, settings, DEMO, WAVE)
    assert report.ok, report.text()
    assert NamedNode(WAVE_GRAPH.value) in store.graphs()


@pytest.mark.skipif(not (ROOT / "ontology" / "vcgraph.ttl").exists(), reason="ontology/ not in this checkout")
def test_reloading_the_project_reference_data_changes_nothing(tmp_path: Path) -> None:
    settings = Settings(store=str(tmp_path / "store"), home=ROOT)
    store = OxigraphStore(tmp_path / "store")
    counts = ensure_reference_data(store, settings)
    before = quads(store)
    assert ensure_reference_data(store, settings) == counts and quads(store) == before
    assert all(counts.values())
