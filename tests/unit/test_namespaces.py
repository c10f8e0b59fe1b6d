"""IRIs minted from survey text are stable and always valid IRIs."""

from __future__ import annotations

import pytest
from pyoxigraph import NamedNode

from vcgraph.namespaces import WAVE_ID, Minter, slug

HOSTILE = [
    'Bio "Quotes" & Sons',
    "a b\tc\nd",
    "<script>{x}|^`\\",
    "Biothérapies d'Auvergne",
    "🧬🧪",
    "   ",
    "ÆØÅ — ™",
    "a" * 500,
]


@pytest.mark.parametrize("name", HOSTILE)
def test_actor_iri_from_any_name_is_a_valid_iri(name: str) -> None:
    minter = Minter("https://example.org/kg/")
    iri = minter.actor(minter.actor_key(None, name, "BE"))
    NamedNode(iri.value)  # pyoxigraph validates IRIs on construction
    assert all(c not in iri.value for c in ' "<>{}|^`\\')


def test_slug_folds_accents_and_case() -> None:
    assert slug("Université de Liège") == slug("UNIVERSITE DE LIEGE ")


def test_slug_of_text_without_latin_letters_is_a_stable_hash() -> None:
    assert slug("🧬") == slug("🧬") != slug("🧪")
    assert slug("🧬").startswith("x")


def test_organisation_id_is_the_key_when_given() -> None:
    minter = Minter("https://example.org/")
    assert minter.actor_key("BE 0123.456.789", "Any name", "BE") == "id-be-0123-456-789"
    assert minter.actor_key(None, "Any name", "BE") == "any-name-be"


def test_anonymous_actor_iri_does_not_reveal_the_name() -> None:
    minter = Minter("https://example.org/")
    iri = minter.actor(minter.actor_key(None, "Secret Biotech", "FR"), anonymous=True)
    assert "secret" not in iri.value
    assert iri == minter.actor(minter.actor_key(None, "Secret Biotech", "FR"), anonymous=True)


def test_response_ids_are_percent_encoded() -> None:
    iri = Minter("https://example.org/").response("2026-W1", "R 1/<2>")
    assert iri.value.endswith("/response/R%201%2F%3C2%3E")


def test_restricted_and_staging_graphs_are_not_public() -> None:
    minter = Minter("https://example.org/")
    assert not minter.is_public_graph(minter.restricted_graph("2026-W1").value)
    assert minter.is_public_graph(minter.wave_graph("2026-W1").value)


@pytest.mark.parametrize("wave,ok", [("2026-W1", True), ("w", True), ("../x", False), ("a b", False), ("", False)])
def test_wave_ids(wave: str, ok: bool) -> None:
    assert bool(WAVE_ID.match(wave)) is ok
