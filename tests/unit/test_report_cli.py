"""``vcgraph report``: mistakes become a message naming the problem and exit code 2, never a traceback."""

from __future__ import annotations

from pathlib import Path

import typer
from typer.testing import CliRunner

from vcgraph.report.cli import report_command
from vcgraph.store.oxigraph import OxigraphStore

app = typer.Typer()
app.command("report")(report_command)


@app.callback()
def main() -> None:
    """A stand-in for the vcgraph app, so that "report" is a subcommand as it is there."""


runner = CliRunner()


def test_an_unsupported_language_is_refused_naming_the_option(tmp_path: Path) -> None:
    result = runner.invoke(app, ["report", str(tmp_path / "r.html"), "--lang", "de"])
    assert result.exit_code == 2
    assert "--lang: unsupported language 'de'; allowed: en, fr" in result.output
    assert not (tmp_path / "r.html").exists()


def test_a_store_without_survey_waves_says_to_ingest_one_first(tmp_path: Path) -> None:
    OxigraphStore(tmp_path / "store").close()
    result = runner.invoke(app, ["report", str(tmp_path / "r.html"), "--store", str(tmp_path / "store")])
    assert result.exit_code == 2
    assert "no survey wave is loaded: ingest one first" in " ".join(result.output.split())
    assert result.exception is None or isinstance(result.exception, SystemExit)
