"""trends-needs pairs the needs of two waves, and trends-trl compares their TRLs, from the rows their queries list:
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
    *("from_need", "to_need", "actor", "actor_label", "actor_visibility", "stage", "technology", "product_class"),
    *("concept", "concept_notation", "concept_label"),
)
S07 = {"concept": NamedNode(VOCAB + "stage/S07"), "concept_notation": Literal("S07"), "concept_label": Literal("Fill")}


def need(side: str, wave: str, visibility: str = "public") -> Row:
    """A need of actor alpha at stage S07, declared in ``wave``."""
    return {
        f"{side}_need": NamedNode(f"{ID}wave/{wave}/response/R-alpha/stage/S07"),
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


def trl_statement(side: str, wave: str, trl: int, visibility: str = "public") -> Row:
    """A TRL statement of actor alpha on technology T01, in ``wave``."""
    response = f"{ID}wave/{wave}/response/R-alpha"
    return {
        "technology": NamedNode(VOCAB + "technology/T01"),
        f"{side}_trl": Literal(str(trl), datatype=NamedNode("http://www.w3.org/2001/XMLSchema#integer")),
        "statement": NamedNode(response + "/technology/T01"),
        "response": NamedNode(response),
        "actor": NamedNode(ID + "actor/alpha"),
        "actor_visibility": NamedNode(VOCAB + "visibility/" + visibility),
    }


def test_trl_evidence_of_an_actor_anonymous_in_either_wave_names_no_statement() -> None:
    store = OxigraphStore(None)
    try:
        context = ShapeContext(store, Dataset(), BoundParameters(echo={}), {})
        rows = [trl_statement("from", "W1", 4), trl_statement("to", "W2", 7, "anonymous")]
        [item], _ = _registry()["trends-trl"].shape(rows, context)
    finally:
        store.close()
    assert (item["from_median"], item["to_median"]) == (4.0, 7.0)
    assert [(proof["statement"], proof["actor"], proof["trl"]) for proof in item["evidence"]] == [
        (None, None, 4),
        (None, None, 7),
    ]
