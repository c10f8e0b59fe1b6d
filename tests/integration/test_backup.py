"""Backups are consistent, checksummed, and restore gives identical graphs."""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph
import pytest

from vcgraph.service.backup import BackupError, backup, graph_checksums, restore, verify

G = pyoxigraph.NamedNode("http://example.org/graph/wave/2026-W1")


def make_store(path: Path, values: list[str]) -> None:
    store = pyoxigraph.Store(str(path))
    for value in values:
        store.add(
            pyoxigraph.Quad(
                pyoxigraph.NamedNode("http://example.org/s"),
                pyoxigraph.NamedNode("http://example.org/p"),
                pyoxigraph.Literal(value),
                G,
            )
        )
    store.flush()
    del store


def test_backup_then_restore_gives_identical_graphs(tmp_path: Path) -> None:
    make_store(tmp_path / "store", ["a", "b"])
    saved = backup(tmp_path / "store", tmp_path / "backup")
    make_store(tmp_path / "store", ["c"])  # the store changes after the backup
    restored = restore(tmp_path / "backup", tmp_path / "store")
    assert restored == saved
    assert graph_checksums(pyoxigraph.Store.read_only(str(tmp_path / "store"))) == saved


def test_backup_while_a_writer_holds_the_store(tmp_path: Path) -> None:
    make_store(tmp_path / "store", ["a"])
    writer = pyoxigraph.Store(str(tmp_path / "store"))  # as `vcgraph serve` would
    checksums = backup(tmp_path / "store", tmp_path / "backup")
    assert checksums[str(G)].triples == 1
    del writer


def test_restore_refuses_a_store_in_use(tmp_path: Path) -> None:
    make_store(tmp_path / "store", ["a"])
    backup(tmp_path / "store", tmp_path / "backup")
    writer = pyoxigraph.Store(str(tmp_path / "store"))
    with pytest.raises(BackupError, match="in use"):
        restore(tmp_path / "backup", tmp_path / "store")
    del writer


def test_tampered_manifest_is_refused(tmp_path: Path) -> None:
    make_store(tmp_path / "store", ["a"])
    backup(tmp_path / "store", tmp_path / "backup")
    manifest = json.loads((tmp_path / "backup" / "MANIFEST.json").read_text())
    manifest["graphs"][str(G)]["triples"] = 2
    (tmp_path / "backup" / "MANIFEST.json").write_text(json.dumps(manifest))
    with pytest.raises(BackupError, match="does not match"):
        verify(tmp_path / "backup")


def test_backup_into_an_existing_directory_is_refused(tmp_path: Path) -> None:
    make_store(tmp_path / "store", ["a"])
    (tmp_path / "backup").mkdir()
    with pytest.raises(BackupError, match="already exists"):
        backup(tmp_path / "store", tmp_path / "backup")


def test_checksums_do_not_depend_on_insertion_order(tmp_path: Path) -> None:
    make_store(tmp_path / "one", ["a", "b", "c"])
    make_store(tmp_path / "two", ["c", "a", "b"])
    one = graph_checksums(pyoxigraph.Store.read_only(str(tmp_path / "one")))
    two = graph_checksums(pyoxigraph.Store.read_only(str(tmp_path / "two")))
    assert one == two
