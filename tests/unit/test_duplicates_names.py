"""How organisation names are compared when looking for duplicate actors."""

from __future__ import annotations

import pytest

from vcgraph.curation.duplicates import name_similarity, normalise_name


@pytest.mark.parametrize(
    ("spelling", "normalised"),
    [
        ("Université de Liège", "universite liege"),
        ("Univ. de Liège", "universite liege"),
        ("University of Liège", "universite liege"),
        ("  UNIVERSITE   DE LIEGE ", "universite liege"),
    ],
)
def test_spellings_of_one_university_normalise_alike(spelling: str, normalised: str) -> None:
    assert normalise_name(spelling) == normalised


@pytest.mark.parametrize(
    "name", ["GenVax SA", "GenVax S.A.", "GenVax SAS", "GenVax SRL", "GenVax SPRL", "GenVax S.P.R.L.", "GenVax GmbH"]
)
def test_legal_forms_are_dropped(name: str) -> None:
    assert normalise_name(name) == "genvax"


def test_abbreviations_are_written_out() -> None:
    assert normalise_name("Inst. Pasteur Lab. St Louis Hosp.") == "institut pasteur laboratoire saint louis hopital"


def test_a_name_made_only_of_a_legal_form_is_kept_as_written() -> None:
    assert normalise_name("S.A.") == "sa"


def test_punctuation_and_hyphens_separate_words() -> None:
    assert normalise_name("Stealth-Bio, S.A.") == "stealth bio"


def test_identical_normalised_names_are_fully_alike() -> None:
    assert name_similarity("universite liege", "universite liege") == 1.0


def test_word_order_does_not_lower_the_similarity() -> None:
    assert name_similarity("liege universite", "universite liege") == 1.0


def test_a_typo_keeps_names_alike() -> None:
    assert name_similarity("bioprocess liege", "bioprocss liege") > 0.9


def test_different_organisations_of_one_town_are_not_alike() -> None:
    assert name_similarity("universite liege", "bioprocess liege") < 0.7
