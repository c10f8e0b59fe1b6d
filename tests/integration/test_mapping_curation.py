"""The curation round trip: unknown answers -> sheet -> analyst's choices -> overlay -> the next ingest matches."""

from __future__ import annotations

import csv
import datetime as dt
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from vcgraph.config import Settings, project_root
from vcgraph.mappings.curation import SHEET_COLUMNS, CurationError, apply_curation, curate, write_sheet
from vcgraph.mappings.reader import read_export
from vcgraph.mappings.service import ingest_export, load_vocabularies, map_export
from vcgraph.store import Store, open_store
from vcgraph.vocabulary import Vocabularies

FIXTURES = project_root() / "tests" / "fixtures" / "mappings"
EXPORT = (
    "Date de création,Nom de l'organisation,Pays,Région NUTS,Type d'organisation,Secteurs d'activité\n"
    "02/03/2026 10:15,Université de Liège,Belgique,BE332,Labo universitaire,"
    '"Biotechnologies rouges;Ingénierie, électronique"\n'
    "03/03/2026 14:40,Lyon Bioprocédés,France,FRK26,Centre de recherche technologique,Biotechnologies rouges\n"
    '04/03/2026 09:00,Evil Corp,France,FRK24,Centre de recherche technologique,"=HYPERLINK(""http://x"")"\n'
)


@pytest.fixture(scope="module")
def vocabularies() -> Vocabularies:
    return load_vocabularies(Settings())


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(store=str(tmp_path / "store"))


@pytest.fixture
def store(settings: Settings) -> Iterator[Store]:
    opened = open_store(settings.store)
    yield opened
    opened.close()


@pytest.fixture
def mapping_path(tmp_path: Path) -> Path:
    """A private copy of the mapping: the overlay is written next to it."""
    return Path(shutil.copy(FIXTURES / "mini.yaml", tmp_path / "mini.yaml"))


@pytest.fixture
def export(tmp_path: Path) -> Path:
    path = tmp_path / "export.csv"
    path.write_text(EXPORT, encoding="utf-8")
    return path


def fill(sheet: Path, choices: dict[str, str]) -> None:
    with sheet.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        # a CSV sheet shows respondent text starting with "=" as "'=...", as a spreadsheet would need it
        row["chosen_value"] = choices.get(row["raw_answer"].removeprefix("'"), "")
        row["curator"] = "analyst@cluster"
    with sheet.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=SHEET_COLUMNS)
        writer.writeheader()
        writer.writerows(rows)


def test_unknown_answers_appear_in_the_sheet_with_counts_rows_and_suggestions(
    export: Path, mapping_path: Path, settings: Settings, vocabularies: Vocabularies
) -> None:
    sheet = curate(export, str(mapping_path), settings, vocabularies=vocabularies)
    found = {(e.question, e.column, e.raw_answer, e.count, tuple(e.rows)) for e in sheet.entries}
    assert found == {
        ("actor_type", "Type d'organisation", "Labo universitaire", 1, (2,)),
        ("sectors", "Secteurs d'activité", "Biotechnologies rouges", 2, (2, 3)),
        ("sectors", "Secteurs d'activité", '=HYPERLINK("http://x")', 1, (4,)),
    }
    biotech = next(e for e in sheet.entries if e.raw_answer == "Biotechnologies rouges")
    assert biotech.suggestions[0][0] == "biopharma"
    assert 0 < biotech.suggestions[0][1] <= 1


def test_applying_the_filled_sheet_makes_the_next_ingest_match(
    export: Path, mapping_path: Path, settings: Settings, store: Store, vocabularies: Vocabularies, tmp_path: Path
) -> None:
    before = ingest_export(store, settings, export, str(mapping_path), "2026-W1")
    assert not before.written
    assert [(e.row, e.column, e.value) for e in before.errors] == [(2, "Type d'organisation", "Labo universitaire")]

    sheet = write_sheet(curate(export, str(mapping_path), settings, vocabularies=vocabularies), tmp_path / "s.csv")
    fill(
        sheet,
        {"Labo universitaire": "A11", "Biotechnologies rouges": "Biopharma, biotech", '=HYPERLINK("http://x")': "ict"},
    )
    outcome = apply_curation(sheet, settings, vocabularies=vocabularies, now=dt.datetime(2026, 3, 20, tzinfo=dt.UTC))
    assert (outcome.recorded, outcome.skipped) == (3, 0)
    assert outcome.overlay == tmp_path / "mini.curation.yaml"

    mapped = map_export(export, str(mapping_path), settings, vocabularies=vocabularies)
    assert mapped.result.problems == []
    assert [row.values.get("sectors") for row in mapped.result.canonical_rows] == [
        "biopharma;engineering",
        "biopharma",
        "ict",
    ]
    after = ingest_export(store, settings, export, str(mapping_path), "2026-W1")
    assert after.written and after.rows_ingested == 3, after.text()


def test_the_overlay_records_provenance_of_each_choice(
    export: Path, mapping_path: Path, settings: Settings, vocabularies: Vocabularies, tmp_path: Path
) -> None:
    sheet = write_sheet(curate(export, str(mapping_path), settings, vocabularies=vocabularies), tmp_path / "s.csv")
    fill(sheet, {"Labo universitaire": "A11"})
    apply_curation(sheet, settings, vocabularies=vocabularies, now=dt.datetime(2026, 3, 20, tzinfo=dt.UTC))
    text = (tmp_path / "mini.curation.yaml").read_text(encoding="utf-8")
    assert "answer: Labo universitaire" in text and "value: A11" in text
    assert "sheet: s.csv" in text and "curator: analyst@cluster" in text
    assert "applied_at: '2026-03-20T00:00:00+00:00'" in text


def test_a_chosen_value_that_is_no_template_value_is_refused_naming_row_and_column(
    export: Path, mapping_path: Path, settings: Settings, vocabularies: Vocabularies, tmp_path: Path
) -> None:
    sheet = write_sheet(curate(export, str(mapping_path), settings, vocabularies=vocabularies), tmp_path / "s.csv")
    fill(sheet, {"Labo universitaire": "A11", "Biotechnologies rouges": "astrophysics"})
    with pytest.raises(CurationError, match=r"row \d, column chosen_value: 'astrophysics' is no value of sectors"):
        apply_curation(sheet, settings, vocabularies=vocabularies)
    assert not (tmp_path / "mini.curation.yaml").exists()


def test_respondent_text_is_written_to_an_xlsx_sheet_as_text_never_as_a_formula(
    export: Path, mapping_path: Path, settings: Settings, vocabularies: Vocabularies, tmp_path: Path
) -> None:
    from openpyxl import load_workbook

    sheet = write_sheet(curate(export, str(mapping_path), settings, vocabularies=vocabularies), tmp_path / "s.xlsx")
    worksheet = load_workbook(sheet).active
    assert worksheet is not None
    cells = [row[3] for row in worksheet.iter_rows(min_row=2)]
    formula_cell = next(c for c in cells if str(c.value).startswith("=HYPERLINK"))
    assert formula_cell.data_type == "s"
    answers = {cells["raw_answer"] for _, cells in read_export(sheet).rows}
    assert '=HYPERLINK("http://x")' in answers


def test_respondent_text_is_defused_in_a_csv_sheet_and_read_back_unchanged(
    export: Path, mapping_path: Path, settings: Settings, vocabularies: Vocabularies, tmp_path: Path
) -> None:
    sheet = write_sheet(curate(export, str(mapping_path), settings, vocabularies=vocabularies), tmp_path / "s.csv")
    assert "'=HYPERLINK" in sheet.read_text(encoding="utf-8-sig")
    fill(sheet, {'=HYPERLINK("http://x")': "ict"})
    outcome = apply_curation(sheet, settings, vocabularies=vocabularies)
    assert outcome.synonyms[0]["answer"] == '=HYPERLINK("http://x")'
