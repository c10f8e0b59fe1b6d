"""Reading multi-choice cells: known options matched longest first, never split blindly."""

from __future__ import annotations

from vcgraph.mappings.text import Piece, normalise, split_known

SECTORS = ["Biopharma, biotech", "Engineering, electronics", "ICT", "Supply chain, logistics"]


def options(pieces: list[Piece]) -> list[str | None]:
    return [p.option for p in pieces]


def test_labels_compare_without_case_accents_or_extra_spaces() -> None:
    assert normalise("  Chaîne  d'approvisionnement\u00a0LOGISTIQUE ") == "chaine d'approvisionnement logistique"


def test_google_forms_options_containing_the_separator_stay_whole() -> None:
    pieces = split_known("Biopharma, biotech, ICT, Supply chain, logistics", ", ", SECTORS)
    assert options(pieces) == ["Biopharma, biotech", "ICT", "Supply chain, logistics"]


def test_the_longest_known_option_wins() -> None:
    pieces = split_known("Biopharma, biotech", ", ", ["Biopharma", "Biopharma, biotech"])
    assert options(pieces) == ["Biopharma, biotech"]


def test_text_that_is_no_option_is_kept_whole_with_its_commas_and_accents() -> None:
    pieces = split_known("ICT, Cosmétiques, parfums", ", ", SECTORS)
    assert pieces == [Piece("ICT", "ICT"), Piece(None, "Cosmétiques, parfums")]


def test_unknown_text_before_a_known_option_ends_at_that_option() -> None:
    pieces = split_known("Cosmétiques, parfums, Biopharma, biotech", ", ", SECTORS)
    assert pieces == [Piece(None, "Cosmétiques, parfums"), Piece("Biopharma, biotech", "Biopharma, biotech")]


def test_microsoft_forms_trailing_separator_is_ignored() -> None:
    assert options(split_known("Biopharma, biotech;ICT;", ";", SECTORS)) == ["Biopharma, biotech", "ICT"]


def test_stray_spaces_and_case_around_options_are_ignored() -> None:
    pieces = split_known("  biopharma,  BIOTECH ;ict ;", ";", SECTORS)
    assert options(pieces) == ["Biopharma, biotech", "ICT"]


def test_an_option_must_end_at_a_separator_to_match() -> None:
    pieces = split_known("ICT services, Biopharma, biotech", ", ", SECTORS)
    assert pieces == [Piece(None, "ICT services"), Piece("Biopharma, biotech", "Biopharma, biotech")]


def test_kobotoolbox_space_separated_names_split_on_spaces() -> None:
    assert options(split_known("p01  p05 other", " ", ["p01", "p05"])) == ["p01", "p05", None]
