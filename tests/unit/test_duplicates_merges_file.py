"""The merges file (data/curation/merges.csv): what it accepts, and how a bad row is reported."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from vcgraph.config import Settings
from vcgraph.curation.merges import (
    MERGE_COLUMNS,
    Merge,
    MergeError,
    append_merge,
    load_merge_keys,
    read_merges,
    resolve,
)

BASE = "https://w3id.org/vcgraph/"
A, B, C = (f"{BASE}id/actor/{key}" for key in ("id-be0325777171", "univ-de-liege-be", "universite-liege-be"))


def merges_file(folder: Path, *rows: str, header: str = ",".join(MERGE_COLUMNS)) -> Path:
    path = folder / "merges.csv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def test_a_missing_file_means_no_merge(tmp_path: Path) -> None:
    assert read_merges(tmp_path / "merges.csv", BASE) == []


def test_each_row_is_a_merge_with_its_provenance(tmp_path: Path) -> None:
    path = merges_file(tmp_path, f"{B},{A},Ana,2027-04-01T09:30:00+00:00,same VAT")
    assert read_merges(path, BASE) == [Merge(2, B, A, "Ana", "2027-04-01T09:30:00+00:00", "same VAT")]


def test_blank_lines_are_skipped(tmp_path: Path) -> None:
    path = merges_file(tmp_path, "", f"{B},{A},Ana,,", ",,,,")
    assert [m.row for m in read_merges(path, BASE)] == [3]


def test_a_file_without_the_actor_columns_is_refused_naming_them(tmp_path: Path) -> None:
    path = merges_file(tmp_path, "x,y", header="from,to")
    with pytest.raises(MergeError, match="row 1: missing column\\(s\\) merged_actor, surviving_actor"):
        read_merges(path, BASE)


def test_a_cell_that_is_not_an_actor_iri_of_the_deployment_is_refused_naming_row_and_column(tmp_path: Path) -> None:
    path = merges_file(tmp_path, f"{B},https://example.org/id/actor/x,Ana,,")
    with pytest.raises(MergeError, match=re.escape("row 2, column surviving_actor: 'https://example.org/id/actor/x'")):
        read_merges(path, BASE)


def test_an_actor_merged_into_itself_is_refused(tmp_path: Path) -> None:
    with pytest.raises(MergeError, match="row 2, column surviving_actor: an actor cannot be merged into itself"):
        read_merges(merges_file(tmp_path, f"{A},{A},Ana,,"), BASE)


def test_an_actor_merged_into_two_actors_is_refused_naming_both_rows(tmp_path: Path) -> None:
    path = merges_file(tmp_path, f"{B},{A},Ana,,", f"{B},{C},Ana,,")
    with pytest.raises(
        MergeError, match=re.escape(f"row 3, column surviving_actor: {B} is already merged into {A} on row 2")
    ):
        read_merges(path, BASE)


def test_a_cycle_of_merges_is_refused(tmp_path: Path) -> None:
    with pytest.raises(MergeError, match="closes a cycle of merges"):
        read_merges(merges_file(tmp_path, f"{B},{A},Ana,,", f"{A},{B},Ana,,"), BASE)


def test_a_chain_of_merges_resolves_to_the_last_survivor() -> None:
    merges = [Merge(2, C, B, "Ana", ""), Merge(3, B, A, "Ana", "")]
    assert resolve(merges) == {C: A, B: A}


def test_the_ingest_sees_merges_as_actor_keys(tmp_path: Path) -> None:
    path = merges_file(tmp_path, f"{B},{A},Ana,,")
    assert load_merge_keys(Settings(base_iri=BASE), path) == {"univ-de-liege-be": "id-be0325777171"}


def test_an_appended_merge_reads_back_as_written(tmp_path: Path) -> None:
    path = tmp_path / "curation" / "merges.csv"
    append_merge(path, Merge(0, B, A, "=cmd|' /C calc'!A0", "2027-04-01T09:30:00+00:00", "note, with comma"))
    (merge,) = read_merges(path, BASE)
    assert (merge.curator, merge.note) == ("=cmd|' /C calc'!A0", "note, with comma")


def test_a_curator_cell_that_looks_like_a_formula_is_written_as_text(tmp_path: Path) -> None:
    path = tmp_path / "merges.csv"
    append_merge(path, Merge(0, B, A, "=HYPERLINK(1)", "", ""))
    assert "'=HYPERLINK(1)" in path.read_text(encoding="utf-8")


def test_a_merge_appended_to_a_file_without_final_newline_starts_its_own_row(tmp_path: Path) -> None:
    path = tmp_path / "merges.csv"
    path.write_text(",".join(MERGE_COLUMNS) + f"\n{C},{A},Ana,,", encoding="utf-8")
    append_merge(path, Merge(0, B, A, "Ana", "", ""))
    assert [(m.row, m.merged) for m in read_merges(path, BASE)] == [(2, C), (3, B)]
