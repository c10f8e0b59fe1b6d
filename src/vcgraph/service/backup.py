"""Backup and restore of the embedded store, with a checksum per graph.

A backup is a RocksDB checkpoint taken through a read-only handle, so it is consistent (one snapshot) and can be
taken while ``vcgraph serve`` holds the store open for writing. ``MANIFEST.json`` beside it records, for every
graph, its triple count and the SHA-256 of its sorted N-Quads lines: restore refuses a backup that does not match
its manifest, and checks the restored store against it before putting it in place.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph

from vcgraph import __version__

MANIFEST = "MANIFEST.json"
DATA = "store"
DEFAULT_GRAPH_KEY = "(default graph)"


class BackupError(Exception):
    """A backup cannot be made or restored (message says why, for the user)."""


@dataclass(frozen=True)
class GraphChecksum:
    triples: int
    sha256: str


def graph_checksums(store: pyoxigraph.Store) -> dict[str, GraphChecksum]:
    """Checksum of every graph: SHA-256 over its sorted N-Quads lines (order-independent, byte-exact)."""
    lines: dict[str, list[str]] = {}
    for quad in store:
        graph = quad.graph_name
        key = DEFAULT_GRAPH_KEY if isinstance(graph, pyoxigraph.DefaultGraph) else str(graph)
        lines.setdefault(key, []).append(f"{quad.subject} {quad.predicate} {quad.object} .")
    checksums: dict[str, GraphChecksum] = {}
    for key in sorted(lines):
        digest = hashlib.sha256()
        for line in sorted(lines[key]):
            digest.update(line.encode("utf-8") + b"\n")
        checksums[key] = GraphChecksum(len(lines[key]), digest.hexdigest())
    return checksums


def backup(store_path: Path, target: Path) -> dict[str, GraphChecksum]:
    """Write a consistent copy of the store at ``store_path`` into ``target`` (which must not exist)."""
    if not store_path.is_dir():
        raise BackupError(f"{store_path}: no store here")
    if target.exists():
        raise BackupError(f"{target} already exists; choose a new directory for the backup")
    try:
        source = pyoxigraph.Store.read_only(str(store_path))
    except OSError as exc:
        raise BackupError(f"cannot open the store at {store_path}: {exc}") from exc
    target.mkdir(parents=True)
    try:
        source.backup(str(target / DATA))
        # Checksums are computed on the checkpoint, not the live store, so they describe exactly what was saved.
        checksums = graph_checksums(pyoxigraph.Store.read_only(str(target / DATA)))
        manifest = {
            "vcgraph": __version__,
            "graphs": {k: {"triples": v.triples, "sha256": v.sha256} for k, v in checksums.items()},
        }
        (target / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    except Exception:
        shutil.rmtree(target, ignore_errors=True)
        raise
    return checksums


def read_manifest(backup_dir: Path) -> dict[str, GraphChecksum]:
    try:
        manifest = json.loads((backup_dir / MANIFEST).read_text(encoding="utf-8"))
        return {k: GraphChecksum(int(v["triples"]), str(v["sha256"])) for k, v in manifest["graphs"].items()}
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise BackupError(f"{backup_dir}: not a vcgraph backup ({MANIFEST} missing or unreadable: {exc})") from exc


def verify(backup_dir: Path) -> dict[str, GraphChecksum]:
    """Check a backup against its manifest; returns the checksums or raises :class:`BackupError`."""
    expected = read_manifest(backup_dir)
    try:
        actual = graph_checksums(pyoxigraph.Store.read_only(str(backup_dir / DATA)))
    except OSError as exc:
        raise BackupError(f"{backup_dir}: the backup's store cannot be opened: {exc}") from exc
    if actual != expected:
        differing = sorted(set(actual) ^ set(expected) | {k for k in actual if actual[k] != expected.get(k)})
        raise BackupError(f"{backup_dir}: the backup does not match its manifest (graphs: {', '.join(differing)})")
    return actual


def restore(backup_dir: Path, store_path: Path) -> dict[str, GraphChecksum]:
    """Replace the store at ``store_path`` by the backup. The service must be stopped (the store unlocked).

    The backup is copied next to the store and verified there; only then is the old store moved aside and the
    copy renamed into place, so an interrupted restore leaves either the old store or the complete new one.
    """
    expected = verify(backup_dir)
    if store_path.exists():
        try:  # fails if `vcgraph serve` (or an ingest) holds the store
            probe = pyoxigraph.Store(str(store_path))
            del probe
        except OSError as exc:
            raise BackupError(f"{store_path} is in use (stop `vcgraph serve` first): {exc}") from exc
    staging = store_path.with_name(store_path.name + ".restoring")
    previous = store_path.with_name(store_path.name + ".before-restore")
    shutil.rmtree(staging, ignore_errors=True)
    shutil.copytree(backup_dir / DATA, staging)
    if graph_checksums(pyoxigraph.Store.read_only(str(staging))) != expected:
        shutil.rmtree(staging, ignore_errors=True)
        raise BackupError("the copied store does not match the backup's manifest; nothing was changed")
    shutil.rmtree(previous, ignore_errors=True)
    if store_path.exists():
        store_path.rename(previous)
    staging.rename(store_path)
    shutil.rmtree(previous, ignore_errors=True)
    return expected
