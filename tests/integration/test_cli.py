"""The `vcgraph` command: a thin shell that ends user mistakes with a message and a non-zero exit code."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from vcgraph.cli import app

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "data" / "demo" / "survey-2025-W1.csv"


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> str:
    store = str(tmp_path_factory.mktemp("cli") / "store")
    runner = CliRunner()
    assert runner.invoke(app, ["init", "--store", store]).exit_code == 0
    result = runner.invoke(app, ["ingest", str(DEMO), "--wave", "2025-W1", "--store", store])
    assert result.exit_code == 0, result.output
    return store


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.output


def test_stats_counts_the_ingested_wave(demo_store: str) -> None:
    code, output = run("stats", "--format", "json", "--store", demo_store)
    assert code == 0
    figures = json.loads(output)
    assert [w["wave"] for w in figures["waves"]] == ["2025-W1"]
    assert figures["waves"][0]["responses"] == 60


def test_a_named_question_answers_as_json(demo_store: str) -> None:
    code, output = run("query", "gaps-stages", "--param", "region=BE3", "--format", "json", "--store", demo_store)
    assert code == 0
    answer = json.loads(output)
    assert answer["parameters"]["region"] == "BE3"
    assert answer["count"] == len(answer["items"]) > 0


def test_an_unknown_parameter_value_exits_2_naming_it(demo_store: str) -> None:
    code, output = run("query", "gaps-stages", "--param", "region=XX9", "--store", demo_store)
    assert code == 2
    assert "region" in output


def test_a_parameter_without_a_value_is_refused(demo_store: str) -> None:
    code, output = run("query", "gaps-stages", "--param", "region", "--store", demo_store)
    assert code == 2
    assert "name=value" in output


def test_deeply_nested_query_text_is_refused_before_the_parser(demo_store: str) -> None:
    code, output = run("query", "SELECT * WHERE " + "{" * 5000 + "}" * 5000, "--store", demo_store)
    assert code == 2
    assert "nested" in output


def test_service_in_an_inline_query_is_refused(demo_store: str) -> None:
    code, output = run("query", "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }", "--store", demo_store)
    assert code == 2
    assert "SERVICE" in output


def test_ingest_of_a_missing_file_exits_2(demo_store: str, tmp_path: Path) -> None:
    code, output = run("ingest", str(tmp_path / "nope.csv"), "--wave", "2026-W1", "--store", demo_store)
    assert code == 2
    assert "no such file" in output


def test_an_error_naming_a_long_path_with_brackets_is_printed_whole_on_one_line(
    demo_store: str, tmp_path: Path
) -> None:
    # Exports are named after their questions ("Q5[other]"): the name is text, not console markup, and a message
    # longer than the console is not cut into lines (it once read "nope.csv: no" / "such file").
    missing = tmp_path / ("survey-export-" + "x" * 120 + "-Q5[other].csv")
    code, output = run("ingest", str(missing), "--wave", "2026-W1", "--store", demo_store)
    assert code == 2
    assert f"error: {missing}: no such file" in output.splitlines()


def test_ingest_with_a_bad_wave_id_exits_2(demo_store: str) -> None:
    code, output = run("ingest", str(DEMO), "--wave", "../etc", "--store", demo_store)
    assert code == 2
    assert "wave id" in output


def test_rejected_survey_exits_1_and_writes_nothing(demo_store: str, tmp_path: Path) -> None:
    broken = tmp_path / "broken.csv"
    lines = DEMO.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    row = lines[1].split(",")
    row[header.index("nuts")] = "ZZ999"
    broken.write_text("\n".join([lines[0], ",".join(row)]) + "\n", encoding="utf-8")
    before = run("stats", "--format", "json", "--store", demo_store)[1]
    code, output = run("ingest", str(broken), "--wave", "2099-W1", "--store", demo_store)
    assert code == 1
    assert "row 2, column nuts" in output
    assert run("stats", "--format", "json", "--store", demo_store)[1] == before


def test_bad_setting_is_reported_with_its_variable(monkeypatch: pytest.MonkeyPatch, demo_store: str) -> None:
    monkeypatch.setenv("VCGRAPH_DEFAULT_GRAPH", "merged")
    code, output = run("stats", "--store", demo_store)
    assert code == 2
    assert "VCGRAPH_DEFAULT_GRAPH" in output


def test_ontology_normalise_requires_a_target() -> None:
    code, _ = run("ontology", "normalise", str(ROOT / "ontology" / "vcgraph.ttl"))
    assert code == 2
