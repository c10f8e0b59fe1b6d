"""``vcgraph curate``: writes the sheet, applies it, and turns mistakes into messages with exit code 2."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from vcgraph.mappings.cli import curate_command

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "mappings"
EXPORT = (
    "Date de création,Nom de l'organisation,Pays,Région NUTS,Type d'organisation,Secteurs d'activité\n"
    "02/03/2026 10:15,ULiège,Belgique,BE332,Labo universitaire,Biotechnologies rouges\n"
)

app = typer.Typer()
app.command("curate")(curate_command)


@app.callback()
def main() -> None:
    """A stand-in for the vcgraph app, so that "curate" is a subcommand as it is there."""


runner = CliRunner()


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    export = tmp_path / "export.csv"
    export.write_text(EXPORT, encoding="utf-8")
    return export, Path(shutil.copy(FIXTURES / "mini.yaml", tmp_path / "mini.yaml"))


def test_curate_writes_the_sheet_and_says_what_to_do_next(files: tuple[Path, Path], tmp_path: Path) -> None:
    export, mapping = files
    result = runner.invoke(app, ["curate", str(export), "--mapping", str(mapping), "--out", str(tmp_path / "s.csv")])
    assert result.exit_code == 0, result.output
    assert "2 distinct unmatched answer(s)" in result.output and "vcgraph curate --apply" in result.output
    with (tmp_path / "s.csv").open(encoding="utf-8-sig") as handle:
        assert {row["raw_answer"] for row in csv.DictReader(handle)} == {
            "Labo universitaire",
            "Biotechnologies rouges",
        }


def test_curate_apply_records_the_filled_choices(files: tuple[Path, Path], tmp_path: Path) -> None:
    export, mapping = files
    sheet = tmp_path / "s.csv"
    runner.invoke(app, ["curate", str(export), "--mapping", str(mapping), "--out", str(sheet)])
    rows = list(csv.DictReader(sheet.open(encoding="utf-8-sig")))
    for row in rows:
        row["chosen_value"] = "A11" if row["question"] == "actor_type" else ""
    with sheet.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    result = runner.invoke(app, ["curate", "--apply", str(sheet)])
    assert result.exit_code == 0, result.output
    assert "1 synonym(s) recorded" in result.output
    assert (tmp_path / "mini.curation.yaml").is_file()


def test_an_unknown_mapping_is_an_error_message_not_a_traceback(files: tuple[Path, Path]) -> None:
    export, _ = files
    result = runner.invoke(app, ["curate", str(export), "--mapping", "surveymonkey"])
    assert result.exit_code == 2
    assert "no mapping named 'surveymonkey'" in result.output
    assert "Traceback" not in result.output


def test_curate_without_a_mapping_says_how_to_call_it(files: tuple[Path, Path]) -> None:
    export, _ = files
    result = runner.invoke(app, ["curate", str(export)])
    assert result.exit_code == 2
    assert "give FILE and --mapping" in result.output
