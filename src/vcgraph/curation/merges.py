"""Recorded merges: a curator confirmed that two actor IRIs name one organisation.

Decision: a merge is a row of ``data/curation/merges.csv`` (merged actor IRI, surviving actor IRI, curator,
time, note), and it is *applied*, not only asserted: every wave ingested afterwards writes the merged actor's rows
under the surviving IRI (:func:`load_merge_keys` feeds :func:`vcgraph.survey.template.parse_table`), and
recording a merge rewrites the waves already in the store the same way
(:func:`vcgraph.curation.duplicates.record_merge`). The store then holds exactly what re-ingesting every wave
would give. Why not ``owl:sameAs`` in a curation graph: the store does no reasoning, so every question would
have to follow the links or count one organisation twice; the CSV keeps who merged what, when and why, as a
reviewable file next to the data.

The file holds full actor IRIs of one deployment (``{base}id/actor/<key>``); the ingest matches them by key, the
part after ``id/actor/``.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from vcgraph.config import Settings

MERGE_COLUMNS = ("merged_actor", "surviving_actor", "curator", "recorded_at", "note")
ACTOR_PATH = "id/actor/"
# A minted actor key: a slug, "id-<slug>" or "anon-<hex>" (vcgraph.namespaces.Minter).
_ACTOR_KEY = re.compile(r"^[a-z0-9][a-z0-9-]*$")
# Cells a spreadsheet would run as a formula: written with a leading "'" and read back without it.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class MergeError(ValueError):
    """A merge that cannot be recorded or a merges file that cannot be read; the message names the row/column."""


@dataclass(frozen=True)
class Merge:
    """One row of the merges file: ``merged`` is the same organisation as ``surviving``, which keeps its IRI."""

    row: int
    merged: str
    surviving: str
    curator: str
    recorded_at: str
    note: str = ""


def merges_path(settings: Settings) -> Path:
    """Where the deployment keeps its merges: ``<home>/data/curation/merges.csv``."""
    return settings.data_dir / "curation" / "merges.csv"


def actor_key(iri: str, base_iri: str) -> str | None:
    """The key of an actor IRI of this deployment (``univ-de-liege-be``), or None if ``iri`` is not one."""
    prefix = base_iri + ACTOR_PATH
    if not iri.startswith(prefix):
        return None
    key = iri[len(prefix) :]
    return key if _ACTOR_KEY.match(key) else None


def read_merges(path: Path, base_iri: str) -> list[Merge]:
    """Every merge of ``path`` (none if the file does not exist), checked as a whole.

    Raises :class:`MergeError` naming the row and column of the first problems: a missing column, a cell that is
    not an actor IRI of this deployment, an actor merged into itself, an actor merged into two others, a cycle.
    """
    if not path.is_file():
        return []
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise MergeError(f"{path}: cannot be read as UTF-8 text: {exc}") from exc
    reader = csv.DictReader(io.StringIO(text))
    columns = reader.fieldnames or []
    missing = [c for c in ("merged_actor", "surviving_actor") if c not in columns]
    if missing:
        raise MergeError(f"{path}: row 1: missing column(s) {', '.join(missing)}; expected {', '.join(MERGE_COLUMNS)}")
    problems: list[str] = []
    merges: list[Merge] = []
    for cells in reader:
        number = reader.line_num  # the file's line: the reader skips blank lines without counting them
        values = {column: _unescape((cells.get(column) or "").strip()) for column in MERGE_COLUMNS}
        if not any(values.values()):
            continue  # a blank line a spreadsheet left behind
        bad = [
            f"row {number}, column {column}: {values[column]!r} is not an actor IRI ({base_iri}{ACTOR_PATH}<key>)"
            for column in ("merged_actor", "surviving_actor")
            if actor_key(values[column], base_iri) is None
        ]
        if bad:
            problems += bad
            continue
        if values["merged_actor"] == values["surviving_actor"]:
            problems.append(f"row {number}, column surviving_actor: an actor cannot be merged into itself")
            continue
        merges.append(
            Merge(
                number,
                values["merged_actor"],
                values["surviving_actor"],
                values["curator"],
                values["recorded_at"],
                values["note"],
            )
        )
    problems += _conflicts(merges)
    if problems:
        raise MergeError(f"{path}:\n  " + "\n  ".join(problems))
    return merges


def _conflicts(merges: Sequence[Merge]) -> list[str]:
    """An actor merged into two different actors, or merges that lead back to where they started."""
    problems: list[str] = []
    first: dict[str, Merge] = {}
    for merge in merges:
        earlier = first.setdefault(merge.merged, merge)
        if earlier is not merge and earlier.surviving != merge.surviving:
            problems.append(
                f"row {merge.row}, column surviving_actor: {merge.merged} is already merged into "
                f"{earlier.surviving} on row {earlier.row}"
            )
    if problems:
        return problems
    target = {m.merged: m.surviving for m in merges}
    for merge in merges:
        seen = {merge.merged}
        current = merge.surviving
        while current in target:
            if current in seen:
                return [f"row {merge.row}: merging {merge.merged} into {merge.surviving} closes a cycle of merges"]
            seen.add(current)
            current = target[current]
    return []


def resolve(merges: Sequence[Merge]) -> dict[str, str]:
    """Each merged actor IRI -> the IRI that finally survives (A into B and B into C put A into C)."""
    target = {m.merged: m.surviving for m in merges}
    resolved: dict[str, str] = {}
    for merged in target:
        current = target[merged]
        while current in target:  # read_merges refused cycles
            current = target[current]
        resolved[merged] = current
    return resolved


def load_merge_keys(settings: Settings, path: Path | None = None) -> dict[str, str]:
    """The deployment's merges as actor keys (merged key -> surviving key), for the template ingest."""
    merges = read_merges(path or merges_path(settings), settings.base_iri)
    keys: dict[str, str] = {}
    for merged, surviving in resolve(merges).items():
        merged_key, surviving_key = actor_key(merged, settings.base_iri), actor_key(surviving, settings.base_iri)
        assert merged_key is not None and surviving_key is not None  # checked by read_merges
        keys[merged_key] = surviving_key
    return keys


def append_merge(path: Path, merge: Merge) -> None:
    """Add ``merge`` as the last row of ``path``, creating the file (and its folder) with its header if needed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    new = not path.is_file() or path.stat().st_size == 0
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    if new:
        writer.writerow(MERGE_COLUMNS)
    elif not path.read_bytes().endswith(b"\n"):
        buffer.write("\n")  # a file last saved by hand without its final newline
    writer.writerow(
        [merge.merged, merge.surviving, _escape(merge.curator), _escape(merge.recorded_at), _escape(merge.note)]
    )
    with path.open("a", encoding="utf-8", newline="") as handle:
        handle.write(buffer.getvalue())


def _escape(text: str) -> str:
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def _unescape(text: str) -> str:
    return text[1:] if text.startswith("'") and text[1:].startswith(_FORMULA_STARTS) else text
