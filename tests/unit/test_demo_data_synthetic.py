"""The synthetic survey generator of the benchmarks (bench/generate_survey.py): deterministic, valid, realistic."""

from __future__ import annotations

import csv
import subprocess
import sys
from collections import Counter
from itertools import islice
from pathlib import Path

import pytest

from vcgraph.reference.nuts import NutsIndex
from vcgraph.survey.reader import read_survey
from vcgraph.survey.template import parse_table
from vcgraph.vocabulary import Vocabularies

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "bench" / "generate_survey.py"
sys.path.insert(0, str(ROOT / "data" / "demo"))
sys.path.insert(0, str(ROOT / "bench"))

import generate_survey as generator  # noqa: E402  (script folders, not packages)
import survey_template as template  # noqa: E402

Row = dict[str, str]


def wave_of(row: Row) -> int:
    return int(row["response_id"].split("-")[1][1:])


def key(row: Row) -> str:
    return row["organisation_id"] or f"{row['organisation']}|{row['country']}"


@pytest.fixture(scope="module")
def two_waves() -> list[Row]:
    return list(generator.generate(1000, seed=11, waves=2))


def test_the_same_seed_gives_the_same_rows() -> None:
    assert list(generator.generate(200, seed=3, waves=2)) == list(generator.generate(200, seed=3, waves=2))


def test_another_seed_gives_other_rows() -> None:
    first = [r["organisation"] for r in generator.generate(50, seed=3)]
    second = [r["organisation"] for r in generator.generate(50, seed=4)]
    assert first != second


def test_a_smaller_population_is_the_start_of_a_larger_one() -> None:
    small = list(generator.generate(100, seed=5))
    large = list(islice(generator.generate(1000, seed=5), 100))
    assert small == large


def test_every_row_follows_the_template_rules(two_waves: list[Row]) -> None:
    levels = template.load_nuts_levels()
    problems = {r["response_id"]: template.row_problems(r, levels) for r in two_waves}
    assert {rid: p for rid, p in problems.items() if p} == {}


def test_rows_hold_exactly_the_template_columns(two_waves: list[Row]) -> None:
    assert all(tuple(r) == template.COLUMNS for r in two_waves)


def test_response_ids_are_unique_and_each_organisation_answers_once_per_wave(two_waves: list[Row]) -> None:
    assert len({r["response_id"] for r in two_waves}) == len(two_waves)
    for wave in (1, 2):
        keys = Counter(key(r) for r in two_waves if wave_of(r) == wave)
        assert max(keys.values()) == 1


def test_the_first_wave_has_exactly_the_requested_population(two_waves: list[Row]) -> None:
    assert sum(wave_of(r) == 1 for r in two_waves) == 1000


def test_the_second_wave_keeps_most_organisations_and_adds_newcomers(two_waves: list[Row]) -> None:
    first = {key(r) for r in two_waves if wave_of(r) == 1}
    second = {key(r) for r in two_waves if wave_of(r) == 2}
    assert 0.9 * len(first) < len(first & second) < len(first)
    assert len(second - first) == 40  # 4 % newcomers


def test_trls_of_returning_organisations_never_fall_and_some_rise(two_waves: list[Row]) -> None:
    before = {key(r): r for r in two_waves if wave_of(r) == 1}
    rises = 0
    for after in (r for r in two_waves if wave_of(r) == 2 and key(r) in before):
        for technology in template.TECHNOLOGIES:
            old, new = before[key(after)][f"trl_{technology}"], after[f"trl_{technology}"]
            if old and new:
                assert int(new) >= int(old)
                rises += int(new) > int(old)
    assert rises > 100


def test_most_organisations_sit_in_the_two_clusters_regions(two_waves: list[Row]) -> None:
    regions = Counter(r["nuts"][:3] for r in two_waves if wave_of(r) == 1)
    assert 0.65 < (regions["BE3"] + regions["FRK"]) / 1000 < 0.85
    assert len(regions) > 5  # and some elsewhere in Belgium and France


def test_every_actor_type_sector_and_visibility_occurs(two_waves: list[Row]) -> None:
    assert {r["actor_type"] for r in two_waves} == set(template.ACTOR_TYPES)
    assert {s for r in two_waves for s in template.split_multi(r["sectors"])} == set(template.SECTORS)
    assert {r["visibility"] for r in two_waves} == set(template.VISIBILITIES)


def test_some_organisations_have_no_identifier_and_unique_names(two_waves: list[Row]) -> None:
    names = [r["organisation"] for r in two_waves if wave_of(r) == 1 and not r["organisation_id"]]
    assert 50 < len(names) < 150
    assert len(set(names)) == len(names)


def test_actor_profiles_are_coherent_logistics_firms_offer_storage_or_distribution(two_waves: list[Row]) -> None:
    logistics = [r for r in two_waves if r["actor_type"] == "A07"]
    offering = [r for r in logistics if "offer" in (r["stage_S10"], r["stage_S11"])]
    assert len(offering) > 0.8 * len(logistics)
    assert not any(r["stage_S02"] == "offer" for r in logistics)


def test_the_ingest_template_check_accepts_every_generated_row(tmp_path: Path) -> None:
    # What a benchmark ingests must be valid for the real `vcgraph ingest`, or it would measure error reporting.
    path = tmp_path / "survey.csv"
    template.write_csv(generator.generate_wave(400, 13, 2), path)
    vocabularies = Vocabularies.load(ROOT / "ontology")
    nuts = NutsIndex.load(ROOT / "data" / "reference" / "nuts" / "nuts_2021_eurostat.csv")
    result = parse_table(read_survey(path), vocabularies, nuts)
    assert [str(e) for e in result.errors][:5] == []
    assert result.warnings == []
    assert len(result.records) == result.rows_read


def test_a_population_below_one_is_refused() -> None:
    with pytest.raises(ValueError, match="n_organisations"):
        list(generator.generate(0, seed=1))


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args], capture_output=True, text=True, timeout=120, check=False
    )


def test_cli_writes_one_csv_per_wave_named_after_the_wave(tmp_path: Path) -> None:
    result = run_cli("--organisations", "300", "--waves", "2", "--seed", "9", "--out", str(tmp_path / "s.csv"))
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s-W1.csv", "s-W2.csv"]
    with (tmp_path / "s-W1.csv").open(encoding="utf-8", newline="") as handle:
        table = list(csv.reader(handle))
    assert tuple(table[0]) == template.COLUMNS
    assert [dict(zip(table[0], r, strict=True)) for r in table[1:]] == list(generator.generate_wave(300, 9, 1))


def test_cli_writes_a_single_wave_to_exactly_the_given_file(tmp_path: Path) -> None:
    out = tmp_path / "nested" / "survey.csv"
    result = run_cli("--organisations", "20", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert len(template.read_csv(out)) == 20


def test_cli_writes_xlsx_when_asked(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    out = tmp_path / "survey.xlsx"
    assert run_cli("--organisations", "15", "--out", str(out)).returncode == 0
    sheet = load_workbook(out, read_only=True).worksheets[0]
    assert len(list(sheet.iter_rows(values_only=True))) == 16  # header + 15


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (("--organisations", "0"), "--organisations"),
        (("--organisations", "10", "--waves", "0"), "--waves"),
        (("--organisations", "10", "--out", "survey.json"), "--out"),
    ],
)
def test_cli_refuses_bad_arguments_naming_the_option(tmp_path: Path, args: tuple[str, ...], named: str) -> None:
    if "--out" not in args:
        args = (*args, "--out", str(tmp_path / "s.csv"))
    result = run_cli(*args)
    assert result.returncode != 0
    assert named in result.stderr
    assert "Traceback" not in result.stderr
    assert not any(tmp_path.iterdir())
