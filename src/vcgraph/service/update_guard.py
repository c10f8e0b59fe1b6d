"""The destructive-update guard: ``DROP ALL``, ``CLEAR ALL``, ``DROP/CLEAR DEFAULT`` and ``DROP/CLEAR NAMED``
wipe the store, or all of its named graphs, in one line; a deployment refuses them unless it sets
``VCGRAPH_ALLOW_DESTRUCTIVE=true`` (the W3C conformance run does, as its tests start from an empty store).

Even the admin is refused: a stolen or mistyped token should not be able to lose every wave in one request,
and a wave is replaced (atomically) by ingesting it again, never by emptying the store first.
"""

from __future__ import annotations

from vcgraph.config import Settings
from vcgraph.http.errors import ApiError
from vcgraph.sparql.text import destructive_operations, line_column

ALLOW_SETTING = "VCGRAPH_ALLOW_DESTRUCTIVE"


def destructive_refusal(settings: Settings, update: str) -> str | None:
    """Why ``update`` is refused on this deployment (naming the operation and its position), or None."""
    if settings.allow_destructive:
        return None
    found = destructive_operations(update)
    if not found:
        return None
    first = found[0]
    line, column = line_column(update, first.offset)
    return (
        f"refused at {line}:{column}: {first.reason}; destructive updates are disabled on this server "
        f"({ALLOW_SETTING}=true enables them). Name the graphs to drop, or re-ingest a wave to replace it"
    )


def guard_update(settings: Settings, update: str) -> None:
    """Raise HTTP 403 (plain text, as the SPARQL protocol routes answer) for a destructive update."""
    refusal = destructive_refusal(settings, update)
    if refusal is not None:
        raise ApiError(403, "forbidden", refusal, plain_text=True)


def default_graph_delete_refusal(settings: Settings) -> str | None:
    """Why a Graph Store ``DELETE ?default`` is refused (it is ``DROP DEFAULT`` by another name), or None."""
    if settings.allow_destructive:
        return None
    return (
        f"DELETE of the default graph is DROP DEFAULT: destructive operations are disabled on this server "
        f"({ALLOW_SETTING}=true enables them)"
    )
