"""The order of needs in an answer never depends on the engine's row order, even for anonymous actors' needs (no
id, the same label): shaped from hand-made query rows, given in every order."""

from __future__ import annotations

from itertools import permutations
from typing import Any

from pyoxigraph import Literal, NamedNode

from vcgraph.questions.answer import Row
from vcgraph.questions.params import BoundParameters
from vcgraph.questions.service import ShapeContext, _registry
from vcgraph.questions.shaping import sorted_totally
from vcgraph.store.oxigraph import OxigraphStore
from vcgraph.store.port import Dataset

ID = "https://w3id.org/vcgraph/id/"
VOCAB = "https://w3id.org/vcgraph/vocab/"
BOOLEAN = NamedNode("http://www.w3.org/2001/XMLSchema#boolean")


def anonymous_need(actor: str, number: int, *, structured: bool, urgency: str | None) -> Row:
    """A need of an anonymous actor at stage S15: the answer shows neither its IRI nor its actor's."""
    response = ID + f"wave/2026-W1/response/R-{actor}"
    row: Row = {
        "need": NamedNode(f"{response}/need/{number}"),
        "response": NamedNode(response),
        "actor": NamedNode(ID + "actor/" + actor),
        "actor_visibility": NamedNode(VOCAB + "visibility/anonymous"),
        "stage": NamedNode(VOCAB + "stage/S15"),
        "stage_notation": Literal("S15"),
        "structured": Literal("true" if structured else "false", datatype=BOOLEAN),
    }
    if urgency is not None:
        row["urgency"] = NamedNode(VOCAB + "urgency/" + urgency)
        row["urgency_notation"] = Literal(urgency)
    return row


ROWS = [
    anonymous_need("anon-a", 1, structured=True, urgency="6-24m"),
    anonymous_need("anon-a", 2, structured=False, urgency=None),
    anonymous_need("anon-b", 1, structured=True, urgency="lt6m"),
]


def shaped(rows: list[Row]) -> list[dict[str, Any]]:
    store = OxigraphStore(None)
    try:
        context = ShapeContext(store, Dataset(), BoundParameters(echo={}), {})
        items, _ = _registry()["gaps-needs"].shape(rows, context)
        return items
    finally:
        store.close()


def test_anonymous_needs_tied_on_stage_and_label_come_in_one_order_whatever_the_row_order() -> None:
    answers = [shaped(list(order)) for order in permutations(ROWS)]
    assert all(answer == answers[0] for answer in answers)
    assert [(item["id"], item["actor"]["label"]) for item in answers[0]] == [(None, "an anonymous actor")] * 3


def test_items_are_ordered_by_the_key_first_and_by_content_only_within_a_tie() -> None:
    items = [{"k": 2, "v": "a"}, {"k": 1, "v": "z"}, {"k": 1, "v": "b"}]
    assert sorted_totally(items, lambda item: item["k"]) == [{"k": 1, "v": "b"}, {"k": 1, "v": "z"}, {"k": 2, "v": "a"}]
