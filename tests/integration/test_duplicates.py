"""Probable duplicate organisations across waves, and the merges a curator records, on a real on-disk store.

The fixture: two waves in which the same organisations answer under other spellings ("Université de Liège" /
"Univ. de Liège", "GenVax SAS" / "GENVAX"), next to look-alikes that are not duplicates (another country, another
registered number) and two anonymous spellings of one organisation.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from pyoxigraph import NamedNode, Quad

from vcgraph.config import Settings, project_root
from vcgraph.curation.duplicates import (
    REPORT_COLUMNS,
    DuplicateCandidate,
    apply_report,
    find_duplicates,
    record_merge,
    write_report,
)
from vcgraph.curation.merges import MergeError, merges_path, read_merges
from vcgraph.namespaces import Minter
from vcgraph.service.ingest import ingest_survey
from vcgraph.store import Store, open_store

COLUMNS = ("response_id", "submitted", "organisation", "organisation_id", "country", "nuts", "actor_type", "sectors")
COLUMNS += ("stage_S04", "visibility")
WAVE_1 = [
    ("R-1", "2026-03-02", "Université de Liège", "", "BE", "BE332", "A11", "biopharma", "offer", ""),
    ("R-2", "2026-03-02", "Bioprocess Liège SA", "BE0123456789", "BE", "BE332", "A03", "biopharma", "", ""),
    ("R-3", "2026-03-03", "GenVax SAS", "", "FR", "FRK26", "A03", "biopharma", "offer", ""),
    ("R-4", "2026-03-03", "Novadip Biosciences", "BE0222222222", "BE", "BE332", "A03", "biopharma", "", ""),
    ("R-5", "2026-03-04", "Stealth Bio SA", "", "BE", "BE332", "A03", "biopharma", "", "anonymous"),
]
WAVE_2 = [
    ("R-1", "2027-03-02", "Univ. de Liège", "", "BE", "BE332", "A11", "biopharma", "offer", ""),
    ("R-2", "2027-03-02", "Bioprocess Liege S.A.", "BE0123456789", "BE", "BE332", "A03", "biopharma", "", ""),
    ("R-3", "2027-03-03", "GENVAX", "", "FR", "FRK26", "A03", "biopharma", "plan", ""),
    ("R-4", "2027-03-03", "Novadip Biosciences SA", "BE0111111111", "BE", "BE332", "A03", "biopharma", "", ""),
    ("R-5", "2027-03-04", "Stealth-Bio S.A.", "", "BE", "BE332", "A03", "biopharma", "", "anonymous"),
    ("R-6", "2027-03-04", "Université de Liège", "", "FR", "FRK26", "A11", "biopharma", "", ""),
]
W1, W2 = "2026-W1", "2027-W1"
NOW = dt.datetime(2027, 4, 1, 9, 30, tzinfo=dt.UTC)


def actor(settings: Settings, key: str) -> str:
    return f"{settings.base_iri}id/actor/{key}"


def write_wave(folder: Path, name: str, rows: list[tuple[str, ...]]) -> Path:
    path = folder / f"{name}.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([COLUMNS, *rows])
    return path


def make_home(folder: Path) -> Path:
    """A checkout of its own (ontology, shapes and reference data linked), so merges.csv is the test's."""
    home = folder / "home"
    (home / "data").mkdir(parents=True)
    for part in ("ontology", "shapes"):
        (home / part).symlink_to(project_root() / part)
    (home / "data" / "reference").symlink_to(project_root() / "data" / "reference")
    return home


def ingest_waves(folder: Path) -> Settings:
    settings = Settings(store=str(folder / "store"), home=make_home(folder))
    store = open_store(settings.store)
    try:
        for wave, rows in ((W1, WAVE_1), (W2, WAVE_2)):
            report = ingest_survey(store, settings, write_wave(folder, wave, rows), wave)
            assert report.ok, report.text()
    finally:
        store.close()
    return settings


@pytest.fixture(scope="module")
def two_waves(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Store, Settings]]:
    """Both waves, ingested once for the tests that only read."""
    settings = ingest_waves(tmp_path_factory.mktemp("duplicates"))
    store = open_store(settings.store)
    yield store, settings
    store.close()


@pytest.fixture
def fresh(tmp_path: Path) -> Iterator[tuple[Store, Settings]]:
    """Both waves in a store of this test's own, for the tests that merge."""
    settings = ingest_waves(tmp_path)
    store = open_store(settings.store)
    yield store, settings
    store.close()


def pairs(candidates: list[DuplicateCandidate]) -> set[tuple[str, str]]:
    return {(c.keep.iri, c.merge.iri) for c in candidates}


def mentions(store: Store, iri: str) -> list[Quad]:
    return [
        q
        for q in store.quads()
        if any(isinstance(t, NamedNode) and (t.value == iri or t.value.startswith(iri + "/")) for t in (q[0], q[2]))
    ]


# finding duplicates ----------------------------------------------------------------------------------------------
def test_one_organisation_spelled_two_ways_in_two_waves_is_a_candidate(two_waves: tuple[Store, Settings]) -> None:
    store, settings = two_waves
    found = find_duplicates(store, settings, threshold=0.85)
    assert (actor(settings, "universite-de-liege-be"), actor(settings, "univ-de-liege-be")) in pairs(found)
    assert (actor(settings, "genvax-sas-fr"), actor(settings, "genvax-fr")) in pairs(found)


def test_the_candidates_are_exactly_the_named_duplicates(two_waves: tuple[Store, Settings]) -> None:
    store, settings = two_waves
    assert pairs(find_duplicates(store, settings)) == {
        (actor(settings, "universite-de-liege-be"), actor(settings, "univ-de-liege-be")),
        (actor(settings, "genvax-sas-fr"), actor(settings, "genvax-fr")),
    }


def test_a_candidate_gives_the_names_waves_similarity_and_why(two_waves: tuple[Store, Settings]) -> None:
    store, settings = two_waves
    (liege,) = [c for c in find_duplicates(store, settings) if c.keep.country == "BE"]
    assert (liege.keep.names, liege.keep.waves) == (["Université de Liège"], [W1])
    assert (liege.merge.names, liege.merge.waves) == (["Univ. de Liège"], [W2])
    assert liege.similarity == 1.0 and liege.reason == "same name once normalised"


def test_the_same_name_in_another_country_is_not_a_candidate(two_waves: tuple[Store, Settings]) -> None:
    store, settings = two_waves
    found = find_duplicates(store, settings, threshold=0.5)
    assert not any(c.keep.country != c.merge.country for c in found)
    assert actor(settings, "universite-de-liege-fr") not in {iri for pair in pairs(found) for iri in pair}


def test_alike_names_with_different_organisation_ids_are_not_candidates(two_waves: tuple[Store, Settings]) -> None:
    store, settings = two_waves
    found = {iri for pair in pairs(find_duplicates(store, settings, threshold=0.5)) for iri in pair}
    assert not found & {actor(settings, "id-be0222222222"), actor(settings, "id-be0111111111")}


def test_anonymous_actors_are_left_out_by_default(two_waves: tuple[Store, Settings]) -> None:
    store, settings = two_waves
    assert not any(c.keep.anonymous or c.merge.anonymous for c in find_duplicates(store, settings, threshold=0.5))


def test_anonymous_actors_are_paired_only_with_anonymous_ones_when_asked(two_waves: tuple[Store, Settings]) -> None:
    store, settings = two_waves
    found = find_duplicates(store, settings, include_anonymous=True)
    (anonymous,) = [c for c in found if c.keep.anonymous or c.merge.anonymous]
    assert anonymous.keep.anonymous and anonymous.merge.anonymous
    assert {*anonymous.keep.names, *anonymous.merge.names} == {"Stealth Bio SA", "Stealth-Bio S.A."}


def test_a_threshold_outside_0_to_1_is_refused(two_waves: tuple[Store, Settings]) -> None:
    store, settings = two_waves
    with pytest.raises(ValueError, match="threshold must be above 0 and at most 1"):
        find_duplicates(store, settings, threshold=1.5)


def test_the_report_is_a_sheet_with_empty_confirm_cells(two_waves: tuple[Store, Settings], tmp_path: Path) -> None:
    store, settings = two_waves
    report = write_report(find_duplicates(store, settings), tmp_path / "duplicates.csv")
    with report.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == list(REPORT_COLUMNS)
    assert [(r["keep_name"], r["merge_name"], r["confirm"]) for r in rows] == [
        ("GenVax SAS", "GENVAX", ""),
        ("Université de Liège", "Univ. de Liège", ""),
    ]


# recording merges --------------------------------------------------------------------------------------------------
def test_a_merge_moves_every_statement_of_the_merged_actor_to_the_surviving_one(
    fresh: tuple[Store, Settings],
) -> None:
    store, settings = fresh
    merged, surviving = actor(settings, "univ-de-liege-be"), actor(settings, "universite-de-liege-be")
    outcome = record_merge(store, settings, merged, surviving, curator="Ana Curator", now=NOW)
    assert mentions(store, merged) == []
    response = NamedNode(f"{settings.base_iri}id/wave/{W2}/response/R-1")
    attributed = NamedNode("http://www.w3.org/ns/prov#wasAttributedTo")
    assert [q.object.value for q in store.quads(Minter(settings.base_iri).wave_graph(W2)) if q.subject == response
            and q.predicate == attributed] == [surviving]  # fmt: skip
    assert outcome.graphs == [Minter(settings.base_iri).wave_graph(W2).value]


def test_a_recorded_merge_is_a_row_of_the_merges_file_with_who_and_when(fresh: tuple[Store, Settings]) -> None:
    store, settings = fresh
    merged, surviving = actor(settings, "genvax-fr"), actor(settings, "genvax-sas-fr")
    record_merge(store, settings, merged, surviving, curator="Ana Curator", note="same VAT on the website", now=NOW)
    (merge,) = read_merges(merges_path(settings), settings.base_iri)
    assert (merge.merged, merge.surviving, merge.curator, merge.recorded_at, merge.note) == (
        merged,
        surviving,
        "Ana Curator",
        "2027-04-01T09:30:00+00:00",
        "same VAT on the website",
    )


def test_after_a_merge_the_store_is_what_ingesting_every_wave_again_gives(
    fresh: tuple[Store, Settings], tmp_path: Path
) -> None:
    store, settings = fresh
    record_merge(
        store, settings, actor(settings, "univ-de-liege-be"), actor(settings, "universite-de-liege-be"), curator="A"
    )
    merged_store = set(store.quads())
    for wave, rows in ((W1, WAVE_1), (W2, WAVE_2)):
        assert ingest_survey(store, settings, write_wave(tmp_path, wave, rows), wave).ok
    assert set(store.quads()) == merged_store


def test_after_a_merge_the_pair_is_no_longer_a_candidate(fresh: tuple[Store, Settings]) -> None:
    store, settings = fresh
    record_merge(store, settings, actor(settings, "genvax-fr"), actor(settings, "genvax-sas-fr"), curator="A")
    assert pairs(find_duplicates(store, settings)) == {
        (actor(settings, "universite-de-liege-be"), actor(settings, "univ-de-liege-be"))
    }


def test_a_later_wave_of_a_merged_actor_is_ingested_under_the_surviving_iri(
    fresh: tuple[Store, Settings], tmp_path: Path
) -> None:
    store, settings = fresh
    merged, surviving = actor(settings, "genvax-fr"), actor(settings, "genvax-sas-fr")
    record_merge(store, settings, merged, surviving, curator="A")
    wave_3 = write_wave(tmp_path, "2028-W1", [("R-1", "2028-03-01", "GENVAX", "", "FR", "FRK26", "A03", "ict", "", "")])
    assert ingest_survey(store, settings, wave_3, "2028-W1").ok
    assert mentions(store, merged) == []
    assert any(q.subject.value == surviving for q in store.quads(Minter(settings.base_iri).wave_graph("2028-W1")))


def test_merging_an_anonymous_and_a_named_actor_is_refused(fresh: tuple[Store, Settings]) -> None:
    store, settings = fresh
    (anonymous,) = {c.keep.iri for c in find_duplicates(store, settings, include_anonymous=True) if c.keep.anonymous}
    with pytest.raises(MergeError, match="would name the anonymous one"):
        record_merge(store, settings, anonymous, actor(settings, "id-be0123456789"), curator="A")
    assert read_merges(merges_path(settings), settings.base_iri) == []


def test_merging_two_actors_that_answered_one_wave_is_refused(fresh: tuple[Store, Settings]) -> None:
    store, settings = fresh
    with pytest.raises(MergeError, match=f"both answered wave {W2}"):
        record_merge(
            store, settings, actor(settings, "univ-de-liege-be"), actor(settings, "id-be0111111111"), curator="A"
        )


def test_merging_an_actor_in_no_wave_is_refused(fresh: tuple[Store, Settings]) -> None:
    store, settings = fresh
    with pytest.raises(MergeError, match="is in no wave of the store"):
        record_merge(store, settings, actor(settings, "nobody-be"), actor(settings, "genvax-fr"), curator="A")


def test_merging_an_already_merged_actor_again_is_refused(fresh: tuple[Store, Settings]) -> None:
    store, settings = fresh
    merged = actor(settings, "genvax-fr")
    record_merge(store, settings, merged, actor(settings, "genvax-sas-fr"), curator="A")
    with pytest.raises(MergeError, match="is already merged into"):
        record_merge(store, settings, merged, actor(settings, "id-be0123456789"), curator="A")


def test_a_merge_without_a_curator_is_refused(fresh: tuple[Store, Settings]) -> None:
    store, settings = fresh
    with pytest.raises(MergeError, match="say who confirmed the merge"):
        record_merge(store, settings, actor(settings, "genvax-fr"), actor(settings, "genvax-sas-fr"), curator=" ")


# applying a report ------------------------------------------------------------------------------------------------
def confirmed_report(store: Store, settings: Settings, target: Path, confirm: dict[str, str]) -> Path:
    """The duplicates report with ``confirm`` (merge actor key -> cell) filled in, as a curator would."""
    write_report(find_duplicates(store, settings), target)
    with target.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        row["confirm"] = confirm.get(row["merge_actor"].rsplit("/", 1)[-1], "")
    with target.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=REPORT_COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    return target


def test_applying_a_report_records_the_confirmed_rows_only(fresh: tuple[Store, Settings], tmp_path: Path) -> None:
    store, settings = fresh
    report = confirmed_report(store, settings, tmp_path / "r.csv", {"genvax-fr": "yes", "univ-de-liege-be": "no"})
    (outcome,) = apply_report(store, settings, report, curator="Ana Curator")
    assert (outcome.merge.merged, outcome.merge.surviving) == (
        actor(settings, "genvax-fr"),
        actor(settings, "genvax-sas-fr"),
    )
    assert mentions(store, actor(settings, "genvax-fr")) == []
    assert mentions(store, actor(settings, "univ-de-liege-be")) != []


def test_a_report_with_an_unreadable_confirm_cell_records_nothing_and_names_the_row(
    fresh: tuple[Store, Settings], tmp_path: Path
) -> None:
    store, settings = fresh
    report = confirmed_report(store, settings, tmp_path / "r.csv", {"genvax-fr": "yes", "univ-de-liege-be": "maybe"})
    with pytest.raises(MergeError, match=r"row 3, column confirm: 'maybe' is not yes or no"):
        apply_report(store, settings, report, curator="Ana Curator")
    assert read_merges(merges_path(settings), settings.base_iri) == []


def test_a_report_that_is_not_a_duplicates_report_is_refused(fresh: tuple[Store, Settings], tmp_path: Path) -> None:
    store, settings = fresh
    other = tmp_path / "other.csv"
    other.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(MergeError, match="row 1: missing column"):
        apply_report(store, settings, other, curator="A")
