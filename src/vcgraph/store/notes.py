"""What the store tells its callers about their answers, and what callers allow it: per request, in context.

A serving adapter cuts long answers at a row cap (:class:`vcgraph.store.pool.PooledStore`); it records the cut
in the notes the caller opened (:func:`noting_answers`), so the HTTP layer marks the response and the cache never
keeps a cut answer. Context variables rather than return values: the cut happens deep under the question service,
and threads started from a request (Starlette's ``run_in_threadpool`` copies the context) still see its notes.
Adapters without a cap of their own never write a note and ignore the allowance.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator
from dataclasses import dataclass


@dataclass
class AnswerNotes:
    """What happened to the answers of one request: ``truncated_at`` is the row cap when any answer was cut."""

    truncated_at: int | None = None


_notes: contextvars.ContextVar[AnswerNotes | None] = contextvars.ContextVar("vcgraph_answer_notes", default=None)


@contextlib.contextmanager
def noting_answers() -> Iterator[AnswerNotes]:
    """Collect notes on the answers of the store calls made inside (threads started from here inherit it,
    as Starlette's ``run_in_threadpool`` copies the context)."""
    notes = AnswerNotes()
    token = _notes.set(notes)
    try:
        yield notes
    finally:
        _notes.reset(token)


_allowance: contextvars.ContextVar[int | None] = contextvars.ContextVar("vcgraph_rows_allowed", default=None)


def allowed_rows() -> int | None:
    """The allowance of :func:`rows_allowed` in effect here, or None (the adapter's own cap)."""
    return _allowance.get()


@contextlib.contextmanager
def rows_allowed(max_rows: int) -> Iterator[None]:
    """Let the store calls made inside read up to ``max_rows`` rows (or triples) before cutting, instead of the
    pool's ``max_rows``.

    For the service's own queries (a question's ``.rq``), whose rows are shaped into an answer rather than sent
    as they are: the pool's cap bounds what a query from outside sends back, and at 1M triples matchmaking-needs
    read 489,312 rows (one per need, candidate and matching statement) before it listed its needs and offers
    apart. Past ``max_rows`` the answer is still cut and noted.
    """
    token = _allowance.set(max_rows)
    try:
        yield
    finally:
        _allowance.reset(token)


def note_truncation(max_rows: int) -> None:
    """Record that an answer was cut at ``max_rows`` in the notes of the current request (if any is open)."""
    notes = _notes.get()
    if notes is not None:
        notes.truncated_at = max_rows
