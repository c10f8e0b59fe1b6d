"""trends-needs pairs the needs of two waves from the rows its query lists (the needs of each wave, the vocabulary):
shaped from hand-made rows."""

from __future__ import annotations

from typing import Any

from pyoxigraph import Literal, NamedNode

from vcgraph.questions.answer import Row
from vcgraph.questions.params import BoundParameters
from vcgraph.questions.service import ShapeContext, Table, _registry
from vcgraph.store.oxigraph import OxigraphStore
from vcgraph.store.port import Dataset

ID = "https://w3id.org/vcgraph/id/"
VOCAB = "https://w3id.org/vcgraph/vocab/"
COLUMNS = (
    *("side", "need", "actor", "actor_label", "actor_visibility", "stage", "technology", "product_class"),
    *("concept", "concept_notation", "concept_label"),
)
S07 = {"concept": NamedNode(VOCAB + "stage/S07"), "concept_notation": Literal("S07"), "concept_label": Literal("Fill")}


def need(side: str, wave: str, visibility: str = "public") -> Row:
    """A need of actor alpha at stage S07, declared in ``wave``."""
    return {
        "side": Literal(side),
        "need": NamedNode(f"{ID}wave/{wave}/response/R-alpha/stage/S07"),
        "actor": NamedNode(ID + "actor/alpha"),
        "actor_label": Literal("Alpha Bio"),
        "actor_visibility": NamedNode(VOCAB + "visibility/" + visibility),
        "stage": NamedNode(VOCAB + "stage/S07"),
    }


def shaped(*rows: Row) -> list[dict[str, Any]]:
    store = OxigraphStore(None)
    try:
        context = ShapeContext(store, Dataset(), BoundParameters(echo={}), {})
        items, _ = _registry()["trends-needs"].shape(Table.from_rows(COLUMNS, rows), context)
        return items
    finally:
        store.close()


def test_a_need_declared_in_both_waves_persisted_with_its_stage_labelled_from_the_vocabulary_rows() -> None:
    [item] = shaped(S07, need("from", "W1"), need("to", "W2"))
    assert (item["status"], item["from_need"], item["to_need"]) == (
        "persisted",
        f"{ID}wave/W1/response/R-alpha/stage/S07",
        f"{ID}wave/W2/response/R-alpha/stage/S07",
    )
    assert item["stage"] == {"id": VOCAB + "stage/S07", "notation": "S07", "label": "Fill"}
    assert item["actor"] == {"id": ID + "actor/alpha", "label": "Alpha Bio", "anonymous": False}


def test_an_actor_anonymous_in_either_wave_is_shown_anonymous_without_its_needs_iris() -> None:
    for rows in (
        (need("from", "W1"), need("to", "W2", "anonymous")),
        (need("to", "W2", "anonymous"), need("from", "W1")),
    ):
        [item] = shaped(*rows, S07)
        assert item["actor"] == {"id": None, "label": "an anonymous actor", "anonymous": True}
        assert (item["id"], item["from_need"], item["to_need"]) == (None, None, None)
        assert item["status"] == "persisted"


def test_a_need_of_the_later_wave_only_appeared() -> None:
    [item] = shaped(need("to", "W2"))
    assert (item["status"], item["from_need"], item["stage"]["notation"]) == ("appeared", None, None)
