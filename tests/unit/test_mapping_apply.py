"""apply_mapping: a tool export + its mapping -> canonical-template rows, problems on the export's rows/columns."""

from __future__ import annotations

import csv

import pytest

from vcgraph.config import project_root
from vcgraph.mappings.apply import apply_mapping
from vcgraph.mappings.model import Mapping, compile_mapping, load_mapping
from vcgraph.mappings.reader import ExportTable, read_export, read_export_bytes
from vcgraph.vocabulary import Vocabularies

SAMPLES = project_root() / "data" / "samples"
SAMPLE_FILES = {
    "google-forms": "google-forms.csv",
    "microsoft-forms": "microsoft-forms.xlsx",
    "kobotoolbox": "kobotoolbox.csv",
    "limesurvey": "limesurvey.csv",
    "eusurvey": "eusurvey.csv",
    "canonical": "canonical.csv",
}


@pytest.fixture(scope="module")
def vocabularies() -> Vocabularies:
    return Vocabularies.load(project_root() / "ontology")


def canonical_answers() -> list[dict[str, str]]:
    with (SAMPLES / "canonical.csv").open(encoding="utf-8", newline="") as handle:
        return [{k: v for k, v in row.items() if v} for row in csv.DictReader(handle)]


def table(text: str) -> ExportTable:
    return read_export_bytes(text.encode("utf-8"))


def mapping_of(fields: dict[str, object], **top: object) -> Mapping:
    return compile_mapping({"tool": "test", "fields": fields, **top}, name="test")


@pytest.mark.parametrize("tool", list(SAMPLE_FILES))
def test_each_sample_export_maps_to_the_canonical_answers(tool: str, vocabularies: Vocabularies) -> None:
    mapping = load_mapping(tool)
    export = read_export(SAMPLES / SAMPLE_FILES[tool], encoding=mapping.encoding, delimiter=mapping.delimiter)
    rows, problems, _unmatched, _warnings = apply_mapping(export, mapping, vocabularies)
    assert problems == []
    assert [row.values for row in rows] == canonical_answers()


@pytest.mark.parametrize("tool", ["google-forms", "microsoft-forms", "kobotoolbox", "limesurvey", "eusurvey"])
def test_other_answers_are_offered_for_curation_and_kept_as_free_text(tool: str, vocabularies: Vocabularies) -> None:
    mapping = load_mapping(tool)
    export = read_export(SAMPLES / SAMPLE_FILES[tool], encoding=mapping.encoding, delimiter=mapping.delimiter)
    rows, _problems, unmatched, _warnings = apply_mapping(export, mapping, vocabularies)
    assert {(u.curation_key, u.answer, tuple(u.rows)) for u in unmatched} == {
        ("sectors", "Cosmétiques, parfums", (5,)),
        ("product_classes", "Exosomes", (8,)),
        ("skills_shortage", "Audit pharmaceutique", (10,)),
    }
    assert rows[3].values["sectors_other"] == "Cosmétiques, parfums"


def test_canonical_rows_keep_the_export_row_numbers_and_source_columns(vocabularies: Vocabularies) -> None:
    mapping = load_mapping("google-forms")
    rows = apply_mapping(read_export(SAMPLES / "google-forms.csv"), mapping, vocabularies).canonical_rows
    assert [row.row for row in rows] == list(range(2, 12))
    assert rows[0].sources["sectors"] == "Sectors you operate in"
    assert (
        rows[0].sources["stage_S02"]
        == "Your position for each value-chain stage [Cell line / strain / starting-material development]"
    )


def test_an_unknown_single_choice_answer_is_a_problem_on_its_row_and_column(vocabularies: Vocabularies) -> None:
    mapping = mapping_of({"size": {"column": "Taille", "scheme": "size", "choices": {"small": ["Petite"]}}})
    result = apply_mapping(table("Taille\nPetite\nMoyennes entreprises\n"), mapping, vocabularies)
    assert len(result.problems) == 1
    assert str(result.problems[0]).startswith(
        "row 3, column Taille: value 'Moyennes entreprises': matches no value of size (closest: medium, "
    )
    assert "run `vcgraph curate`" in result.problems[0].reason
    assert [(u.answer, u.rows) for u in result.unmatched_answers] == [("Moyennes entreprises", [3])]


def test_a_french_vocabulary_label_matches_without_being_declared(vocabularies: Vocabularies) -> None:
    mapping = mapping_of({"size": {"column": "Taille", "scheme": "size"}})
    result = apply_mapping(table("Taille\nMoyenne entreprise\n"), mapping, vocabularies)
    assert result.canonical_rows[0].values == {"size": "medium"}


def test_vocabulary_labels_are_accepted_when_the_mapping_declares_no_choice(vocabularies: Vocabularies) -> None:
    mapping = mapping_of({"product_classes": {"column": "C1", "separator": " ", "scheme": "product-class"}})
    result = apply_mapping(table("C1\np05 P01\n"), mapping, vocabularies)
    assert result.canonical_rows[0].values == {"product_classes": "P01;P05"}


def test_a_missing_column_names_the_header_and_the_mapping_path(vocabularies: Vocabularies) -> None:
    mapping = mapping_of({"organisation": {"column": ["Nom", "Name"]}})
    result = apply_mapping(table("Société\nACME\n"), mapping, vocabularies)
    assert [str(p) for p in result.problems] == [
        "row 1, column Nom: value '': no column 'Nom' or 'Name' in the export (mapping fields.organisation); "
        "is this the right mapping for the file?"
    ]
    assert result.canonical_rows == []


def test_headers_match_without_accents_case_or_spaces(vocabularies: Vocabularies) -> None:
    mapping = mapping_of({"organisation": {"column": "Nom de l'organisation"}})
    result = apply_mapping(table("  NOM DE L'ORGANISATION \nACME\n"), mapping, vocabularies)
    assert result.canonical_rows[0].values == {"organisation": "ACME"}


def test_kobotoolbox_headers_match_without_their_group_prefix(vocabularies: Vocabularies) -> None:
    mapping = mapping_of(
        {"sectors": {"options": {"ict": "sectors/ict", "biopharma": "sectors/biopharma"}, "ticked": ["1"]}},
        input={"group_separator": "/"},
    )
    export = table("grp_org/sectors/ict,grp_org/sectors/biopharma\n1,0\n")
    assert apply_mapping(export, mapping, vocabularies).canonical_rows[0].values == {"sectors": "ict"}


def test_a_tick_column_with_an_unexpected_value_is_a_problem(vocabularies: Vocabularies) -> None:
    mapping = mapping_of({"sectors": {"options": {"ict": "A9[SQ001]"}, "ticked": ["Y"], "unticked": [""]}})
    result = apply_mapping(table("A9[SQ001]\nmaybe\n"), mapping, vocabularies)
    assert [str(p) for p in result.problems] == [
        "row 2, column A9[SQ001]: value 'maybe': expected Y when ticked, or empty/0 when not"
    ]


def test_a_tick_column_holding_the_option_label_counts_as_ticked(vocabularies: Vocabularies) -> None:
    mapping = mapping_of({"sectors": {"options": {"ict": "Q/ict"}, "choices": {"ict": ["ICT"]}}})
    assert apply_mapping(table("Q/ict\nICT\n"), mapping, vocabularies).canonical_rows[0].values == {"sectors": "ict"}


def test_a_bad_date_is_a_problem_naming_the_expected_format(vocabularies: Vocabularies) -> None:
    mapping = mapping_of({"submitted": {"column": "Quand", "date": True}}, dates="limesurvey")
    result = apply_mapping(table("Quand\n2/3/2026\n"), mapping, vocabularies)
    assert [str(p) for p in result.problems] == [
        "row 2, column Quand: value '2/3/2026': not a date in LimeSurvey's 2026-03-02 10:15:00 format; "
        "fix the cell or the mapping's date format"
    ]


def test_answers_meaning_no_answer_leave_the_column_empty(vocabularies: Vocabularies) -> None:
    mapping = mapping_of({"size": {"column": "Taille", "scheme": "size", "empty": ["Non concerné"]}})
    assert apply_mapping(table("Taille\nnon concerne\n"), mapping, vocabularies).canonical_rows[0].values == {}


def test_a_template_reshapes_a_tool_response_id(vocabularies: Vocabularies) -> None:
    mapping = mapping_of({"response_id": {"column": "ID", "template": "R-{value:0>3}"}})
    assert apply_mapping(table("ID\n7\n"), mapping, vocabularies).canonical_rows[0].values == {"response_id": "R-007"}


def test_columns_the_mapping_does_not_use_are_reported_as_a_warning(vocabularies: Vocabularies) -> None:
    mapping = mapping_of({"organisation": {"column": "Name"}})
    result = apply_mapping(table("Name,seed\nACME,42\n"), mapping, vocabularies)
    assert result.warnings == ["1 column(s) of the export are not used by mapping test: 'seed'"]
