"""Turning query rows into answer items: references with labels, redacted actors, evidence.

Conventions of the query files this relies on: a thing projected as ``?x`` comes with ``?x_notation`` and
``?x_label`` when it has them; actors come with ``?<name>_label`` and ``?<name>_visibility``; evidence columns are
``?statement`` and ``?response``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from functools import lru_cache
from itertools import groupby
from typing import Any

from pyoxigraph import Literal, NamedNode

from vcgraph.namespaces import VOCAB
from vcgraph.questions.answer import Row, term_json

ANONYMOUS = NamedNode(VOCAB + "visibility/anonymous")
ANONYMOUS_LABEL = "an anonymous actor"


def value(row: Row, name: str) -> Any:
    """The JSON value of a column (None when unbound or absent)."""
    return term_json(row.get(name))


def iri(row: Row, name: str) -> str | None:
    return term_iri(row.get(name))


def term_iri(term: Any) -> str | None:
    """The IRI of a term, None for anything else (a literal, a blank node, unbound)."""
    return term.value if type(term) is NamedNode else None


@lru_cache(maxsize=256)
def columns(name: str) -> tuple[str, str, str]:
    """The companion columns of ``?name``: ``?name_notation``, ``?name_label``, ``?name_visibility`` (built once,
    not as three f-strings per row)."""
    return f"{name}_notation", f"{name}_label", f"{name}_visibility"


def ref(row: Row, name: str) -> dict[str, Any] | None:
    """``{"id", "notation", "label"}`` of the thing in column ``name``, or None when it is unbound (no
    ``notation`` when the query has no notation column)."""
    notation, label, _ = columns(name)
    reference = _reference(row.get(name), row.get(notation), row.get(label))
    if reference is not None and notation not in row:
        del reference["notation"]
    return reference


def _reference(term: Any, notation: Any, label: Any) -> dict[str, Any] | None:
    if term is None:
        return None
    return {"id": term_json(term), "notation": term_json(notation), "label": term_json(label)}


def is_anonymous(row: Row, name: str = "actor") -> bool:
    return row.get(columns(name)[2]) == ANONYMOUS


def actor_ref(row: Row, name: str = "actor") -> dict[str, Any] | None:
    """An actor as it may appear in an answer: anonymous ones only as 'an anonymous actor', without IRI."""
    _, label, visibility = columns(name)
    return _actor(row.get(name), row.get(label), row.get(visibility))


def actor_ref_at(row: tuple[Any, ...], actor_at: int, label_at: int, visibility_at: int) -> dict[str, Any] | None:
    """:func:`actor_ref` for a row read as a tuple, columns by position."""
    return _actor(row[actor_at], row[label_at], row[visibility_at])


def _actor(term: Any, label: Any, visibility: Any) -> dict[str, Any] | None:
    if term is None:
        return None
    if visibility == ANONYMOUS:
        return {"id": None, "label": ANONYMOUS_LABEL, "anonymous": True}
    return {"id": term_iri(term), "label": term_json(label), "anonymous": False}


def evidence(row: Row, wave: str | None, actor: str = "actor", statement: str = "statement") -> dict[str, Any]:
    """Which statement, from which organisation, wave and response backs an item.

    For an anonymous actor only the wave is given: the statement and response IRIs lead to the actor.
    """
    if is_anonymous(row, actor):
        return {"statement": None, "actor": None, "wave": wave, "response": None}
    return {
        "statement": iri(row, statement),
        "actor": iri(row, actor),
        "wave": wave,
        "response": iri(row, "response"),
    }


def integer(row: Row, name: str, default: int = 0) -> int:
    term = row.get(name)
    if isinstance(term, Literal):
        return int(float(term.value))
    return default


def sort_key_notation(item: dict[str, Any] | None) -> tuple[Any, ...]:
    """Order things by notation (natural order: S2 before S10), then IRI; None last."""
    if item is None:
        return (1, "", "")
    notation = str(item.get("notation") or "")
    return (0, natural(notation), str(item.get("id") or ""))


def sorted_totally(items: list[dict[str, Any]], key: Callable[[dict[str, Any]], Any]) -> list[dict[str, Any]]:
    """``items`` ordered by ``key``, then items tied on it by their whole content.

    An anonymous actor's items have no id and the same label, so ``key`` alone can tie different items; their order
    would then be the engine's row order, which differs from engine to engine (and between a store on disk and its
    copy in memory). Only tied runs are compared by content, as JSON: they are few and short.
    """
    ordered: list[dict[str, Any]] = []
    for _, run in groupby(sorted(items, key=key), key=key):
        tied = list(run)
        if len(tied) > 1:
            tied.sort(key=lambda item: json.dumps(item, sort_keys=True, default=str))
        ordered.extend(tied)
    return ordered


@lru_cache(maxsize=4096)
def natural(text: str) -> tuple[tuple[int, int, str], ...]:
    """A sort key that orders digit runs as numbers: S2 < S10, T04.02 < T04.10. Cached: the notations sorted on
    are those of the vocabularies, a few hundred, sorted again in every answer."""
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in re.split(r"(\d+)", text) if p)
