"""The rule of gaps-needs, decided by the service from the rows its query lists: which needs no provider other than
their own actor meets. Shaped from hand-made rows (a need, the offers of provider_region, the vocabulary)."""

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
INTEGER = NamedNode("http://www.w3.org/2001/XMLSchema#integer")
COLUMNS = (
    *("need", "structured", "actor", "actor_label", "actor_visibility", "response", "stage", "technology"),
    *("product_class", "min_trl", "urgency", "comment", "provider", "offered_stage", "offered_technology"),
    *("offer_trl", "concept", "concept_scheme", "concept_notation", "concept_label", "family"),
)
# T04 is a family with two narrower technologies; T01 stands alone
VOCABULARY: list[Row] = [
    *(
        {"concept": NamedNode(f"{VOCAB}technology/{t}"), "concept_scheme": NamedNode(VOCAB + "technology")}
        for t in ("T01", "T04", "T04.01", "T04.02")
    ),
    *(
        {"concept": NamedNode(f"{VOCAB}technology/{t}"), "family": NamedNode(VOCAB + "technology/T04")}
        for t in ("T04.01", "T04.02")
    ),
    {"concept": NamedNode(VOCAB + "stage/S05"), "concept_scheme": NamedNode(VOCAB + "stage")},
]


def need(*, stage: str | None = None, technology: str | None = None, min_trl: int | None = None) -> Row:
    """A need of actor 'needer'."""
    row: Row = {"need": NamedNode(ID + "wave/W/response/R-needer/need/1"), "actor": NamedNode(ID + "actor/needer")}
    if stage is not None:
        row["stage"] = NamedNode(VOCAB + "stage/" + stage)
    if technology is not None:
        row["technology"] = NamedNode(VOCAB + "technology/" + technology)
    if min_trl is not None:
        row["min_trl"] = Literal(str(min_trl), datatype=INTEGER)
    return row


def offers_stage(provider: str, stage: str) -> Row:
    return {"provider": NamedNode(ID + "actor/" + provider), "offered_stage": NamedNode(VOCAB + "stage/" + stage)}


def develops(provider: str, technology: str, trl: int | None = None) -> Row:
    row: Row = {
        "provider": NamedNode(ID + "actor/" + provider),
        "offered_technology": NamedNode(VOCAB + "technology/" + technology),
    }
    if trl is not None:
        row["offer_trl"] = Literal(str(trl), datatype=INTEGER)
    return row


def unmet(*rows: Row) -> bool:
    """Whether the answer lists the need among ``rows`` (no one meets it)."""
    store = OxigraphStore(None)
    try:
        context = ShapeContext(store, Dataset(), BoundParameters(echo={}), {})
        items: list[dict[str, Any]]
        items, _ = _registry()["gaps-needs"].shape(Table.from_rows(COLUMNS, [*rows, *VOCABULARY]), context)
        return len(items) == 1
    finally:
        store.close()


def test_a_stage_need_is_met_by_another_actor_offering_the_stage() -> None:
    assert not unmet(need(stage="S05"), offers_stage("other", "S05"))


def test_an_actor_never_meets_its_own_stage_need() -> None:
    assert unmet(need(stage="S05"), offers_stage("needer", "S05"))


def test_a_technology_need_is_met_by_a_provider_of_the_technology_at_its_minimum_trl_or_above() -> None:
    assert not unmet(need(technology="T01", min_trl=6), develops("other", "T01", trl=6))
    assert unmet(need(technology="T01", min_trl=6), develops("other", "T01", trl=5))


def test_an_offer_without_a_trl_meets_a_need_without_a_minimum_only() -> None:
    assert not unmet(need(technology="T01"), develops("other", "T01"))
    assert unmet(need(technology="T01", min_trl=4), develops("other", "T01"))


def test_the_best_trl_of_a_providers_offers_counts() -> None:
    assert not unmet(
        need(technology="T01", min_trl=7), develops("other", "T01", trl=3), develops("other", "T01", trl=8)
    )


def test_a_technology_need_is_met_by_its_family_or_a_narrower_technology_not_by_a_sibling() -> None:
    assert not unmet(need(technology="T04.02"), develops("other", "T04"))
    assert not unmet(need(technology="T04"), develops("other", "T04.01"))
    assert unmet(need(technology="T04.02"), develops("other", "T04.01"))


def test_a_stage_and_technology_need_is_met_by_one_provider_doing_both() -> None:
    assert not unmet(need(stage="S05", technology="T01"), offers_stage("one", "S05"), develops("one", "T01"))


def test_a_stage_and_technology_need_is_not_met_by_two_providers_each_doing_half() -> None:
    assert unmet(need(stage="S05", technology="T01"), offers_stage("one", "S05"), develops("two", "T01"))


def test_a_need_naming_neither_a_stage_nor_a_technology_is_never_met() -> None:
    assert unmet(need(), offers_stage("other", "S05"), develops("other", "T01"))
