"""The canonical survey template: what each column accepts, and how every bad cell is reported."""

from __future__ import annotations

from pathlib import Path

import pytest
from pyoxigraph import NamedNode

from vcgraph.namespaces import vocab
from vcgraph.reference.nuts import NUTS_CSV, NutsIndex
from vcgraph.survey.errors import RowError
from vcgraph.survey.reader import SurveyTable
from vcgraph.survey.template import (
    OTHER_TEXT_COLUMNS,
    REQUIRED_COLUMNS,
    OtherAnswer,
    SurveyRecord,
    TemplateResult,
    parse_table,
)
from vcgraph.vocabulary import Vocabularies

ROOT = Path(__file__).resolve().parents[2]
VOCABULARIES = Vocabularies.load(ROOT / "tests" / "fixtures" / "survey" / "ontology")
NUTS = NutsIndex.load(ROOT / "data" / NUTS_CSV)

BASE = {
    "response_id": "R-1",
    "submitted": "2026-03-02",
    "organisation": "Bioprocess Liège SA",
    "country": "BE",
    "nuts": "BE332",
    "actor_type": "A03",
    "sectors": "biopharma",
}


def parse(*rows: dict[str, str], drop: tuple[str, ...] = ()) -> TemplateResult:
    """Parse rows given as overrides of a valid base row (rows 2, 3, ... as in a spreadsheet)."""
    full = [{**BASE, **row} for row in rows]
    columns = [c for c in dict.fromkeys(c for row in full for c in row) if c not in drop]
    table = SurveyTable(columns, [(i + 2, {c: row.get(c, "") for c in columns}) for i, row in enumerate(full)])
    return parse_table(table, VOCABULARIES, NUTS)


def record(**cells: str) -> SurveyRecord:
    result = parse(cells)
    assert result.errors == [], [str(e) for e in result.errors]
    return result.records[0]


def errors(**cells: str) -> list[RowError]:
    result = parse(cells)
    assert result.records == []
    return result.errors


def only_error(**cells: str) -> RowError:
    found = errors(**cells)
    assert len(found) == 1, [str(e) for e in found]
    return found[0]


# the header ----------------------------------------------------------------------------------------------------
def test_a_valid_row_becomes_one_record_and_no_error() -> None:
    result = parse({})
    assert result.errors == [] and result.rows_read == 1 and len(result.records) == 1


@pytest.mark.parametrize("column", REQUIRED_COLUMNS)
def test_a_missing_required_column_is_one_error_naming_it_on_the_header_row(column: str) -> None:
    result = parse({}, {"response_id": "R-2"}, drop=(column,))
    assert result.errors == [RowError(1, column, "", "required column is missing from the header")]
    assert result.records == []


def test_a_missing_column_names_the_unknown_column_probably_meant() -> None:
    table = SurveyTable([*(c for c in BASE if c != "organisation"), "Organization"], [(2, dict(BASE))])
    (error,) = parse_table(table, VOCABULARIES, NUTS).errors
    assert (
        error.reason
        == "required column is missing from the header (is column 'Organization' meant to be 'organisation'?)"
    )


def test_an_unknown_column_is_a_warning_and_is_ignored() -> None:
    result = parse({"favourite_colour": "blue"})
    assert result.warnings == ["row 1, column favourite_colour: not a template column, ignored"]
    assert len(result.records) == 1


def test_a_header_without_any_answer_row_is_an_error() -> None:
    table = SurveyTable(list(BASE), [])
    assert [str(e) for e in parse_table(table, VOCABULARIES, NUTS).errors] == [
        "file: value '': no answer row under the header: nothing to ingest"
    ]


def test_column_order_is_free() -> None:
    table = SurveyTable(list(reversed(BASE)), [(2, dict(BASE))])
    assert parse_table(table, VOCABULARIES, NUTS).errors == []


@pytest.mark.parametrize("column", REQUIRED_COLUMNS)
def test_an_empty_required_cell_is_an_error_naming_its_column(column: str) -> None:
    found = errors(**{column: ""})
    assert RowError(2, column, "", "required value is missing") in found


def test_row_error_reads_row_column_value_reason() -> None:
    assert (
        str(RowError(7, "nuts", "XX9", "not a NUTS 2021 code"))
        == "row 7, column nuts: value 'XX9': not a NUTS 2021 code"
    )


# response_id, submitted ----------------------------------------------------------------------------------------
def test_a_duplicate_response_id_is_an_error_naming_the_first_row() -> None:
    result = parse({"response_id": "R-1"}, {"response_id": "R-1", "organisation": "Other SA"})
    assert [str(e) for e in result.errors] == [
        "row 3, column response_id: value 'R-1': duplicate: already used on row 2"
    ]
    assert [r.row for r in result.records] == [2]


def test_response_ids_differing_only_in_spacing_are_duplicates() -> None:
    result = parse({"response_id": "R 1"}, {"response_id": " R   1 ", "organisation": "Other SA"})
    assert [e.column for e in result.errors] == ["response_id"]


def test_a_date_alone_is_midnight_of_that_day() -> None:
    assert record(submitted="2026-03-02").submitted == "2026-03-02T00:00:00"


def test_a_local_date_time_is_kept_as_written() -> None:
    assert record(submitted="2026-03-02T10:15").submitted == "2026-03-02T10:15:00"


def test_a_zoned_date_time_is_given_in_utc() -> None:
    assert record(submitted="2026-03-02T10:15:00+01:00").submitted == "2026-03-02T09:15:00Z"


@pytest.mark.parametrize("value", ["02/03/2026", "March 2nd", "2026-W10-1", "2026-03-02T25:00"])
def test_a_date_not_in_iso_8601_is_an_error(value: str) -> None:
    assert only_error(submitted=value).column == "submitted"


def test_an_impossible_calendar_date_is_an_error() -> None:
    error = only_error(submitted="2026-02-30")
    assert error.column == "submitted" and "not a valid date" in error.reason


# organisation, organisation_id, website ------------------------------------------------------------------------
def test_an_organisation_id_is_compared_without_punctuation_or_case() -> None:
    assert record(organisation_id="be 0123.456.789").organisation_id == "BE0123456789"


def test_an_organisation_id_without_letters_or_digits_is_an_error() -> None:
    assert only_error(organisation_id="-./").column == "organisation_id"


def test_an_organisation_id_longer_than_64_characters_is_an_error() -> None:
    assert "longer than 64 characters" in only_error(organisation_id="B" * 65).reason


def test_the_actor_key_is_the_organisation_id_when_given() -> None:
    assert record(organisation_id="BE0123456789").actor_key == "id-be0123456789"


def test_the_actor_key_is_name_and_country_without_organisation_id() -> None:
    assert record().actor_key == "bioprocess-liege-sa-be"


def test_a_second_row_of_the_same_organisation_is_an_error_naming_the_first() -> None:
    result = parse({"organisation_id": "BE1"}, {"response_id": "R-2", "organisation_id": "be1"})
    assert [str(e) for e in result.errors] == [
        "row 3, column organisation_id: value 'be1': same organisation as row 2: one response per organisation and wave"
    ]


def test_a_website_is_kept_as_an_http_iri() -> None:
    assert record(website="https://bioprocess.example.be/a?b=c").website == "https://bioprocess.example.be/a?b=c"


def test_a_website_with_an_accented_host_name_is_kept_as_an_iri() -> None:
    assert record(website="https://société.example/").website == "https://société.example/"


def test_a_website_without_scheme_is_read_as_https() -> None:
    assert record(website="www.example.org").website == "https://www.example.org"


@pytest.mark.parametrize(
    "value",
    [
        "mailto:anne@example.org",
        "javascript:alert(1)",
        "ftp://example.org/",
        "https://exa mple.org/",
        "https://example.org/<script>",
        "https://user:secret@example.org/",
        "https://",
        "https://example.org:99999/",
    ],
)
def test_a_website_that_is_not_a_valid_http_iri_is_an_error(value: str) -> None:
    assert only_error(website=value).column == "website"


# country, nuts -------------------------------------------------------------------------------------------------
def test_a_country_code_is_upper_cased() -> None:
    assert record(country="be").country == "BE"


def test_a_country_that_is_not_iso_3166_is_an_error() -> None:
    error = only_error(country="XX")
    assert (error.column, error.value) == ("country", "XX")


@pytest.mark.parametrize(("value", "iso"), [("EL", "GR"), ("UK", "GB")])
def test_a_nuts_country_code_is_refused_with_its_iso_code_suggested(value: str, iso: str) -> None:
    errors_found = errors(country=value, nuts="EL30" if iso == "GR" else "UKI3")
    assert any(e.column == "country" and repr(iso) in e.reason for e in errors_found)


def test_a_greek_region_belongs_to_country_gr() -> None:
    assert record(country="GR", nuts="EL30").nuts == "EL30"


def test_a_british_region_belongs_to_country_gb() -> None:
    assert record(country="GB", nuts="UKI3").nuts == "UKI3"


def test_a_nuts_code_is_upper_cased() -> None:
    assert record(nuts="be332").nuts == "BE332"


def test_an_unknown_nuts_code_is_an_error() -> None:
    assert str(only_error(nuts="BE999")) == "row 2, column nuts: value 'BE999': not a NUTS 2021 code"


def test_a_country_level_nuts_code_is_an_error() -> None:
    assert "level 1 to 3" in only_error(nuts="BE").reason


def test_a_nuts_code_of_another_country_is_an_error() -> None:
    assert only_error(nuts="FRK26").reason == "region of FR, not of country BE"


def test_an_extra_regio_code_is_a_region_like_any_other() -> None:
    assert record(nuts="BEZZZ").nuts == "BEZZZ"


# vocabulary columns --------------------------------------------------------------------------------------------
def test_a_vocabulary_value_may_be_its_notation() -> None:
    assert record(actor_type="A03").actor_type == vocab("actor-type", "A03")


def test_a_vocabulary_value_may_be_an_english_label_in_any_case_and_spacing() -> None:
    assert record(actor_type="  cdmo  /   CMO ").actor_type == vocab("actor-type", "A03")


def test_a_vocabulary_value_may_be_a_french_label_without_its_accents() -> None:
    assert record(sectors="Ingenierie et electronique").sectors == (vocab("sector", "engineering"),)


def test_a_vocabulary_value_may_be_an_alt_label() -> None:
    assert record(actor_type="CDMO").actor_type == vocab("actor-type", "A03")


def test_an_unknown_vocabulary_value_lists_the_closest_known_ones() -> None:
    error = only_error(actor_type="CDMO / CMOO")
    assert error.column == "actor_type" and "did you mean 'CDMO / CMO'" in error.reason


def test_an_unknown_vocabulary_value_with_nothing_close_lists_the_codes() -> None:
    assert "known codes: large, medium, micro, small" in only_error(size="zzzz").reason


def test_a_single_valued_column_with_several_values_is_an_error() -> None:
    assert "one value only" in only_error(actor_type="A03; A04").reason


def test_the_size_is_resolved() -> None:
    assert record(size="Small").size == vocab("size", "small")


def test_sectors_are_several_values_separated_by_semicolons() -> None:
    assert record(sectors="biopharma; ict").sectors == (vocab("sector", "biopharma"), vocab("sector", "ict"))


def test_a_trailing_semicolon_and_repeated_values_are_ignored() -> None:
    assert record(sectors="ict;ICT;").sectors == (vocab("sector", "ict"),)


def test_every_bad_value_of_a_multi_valued_cell_is_reported() -> None:
    assert [e.value for e in errors(sectors="biopharma; nope; zilch")] == ["nope", "zilch"]


def test_clusters_are_free_names_kept_once_each() -> None:
    assert record(clusters="BioWin; Lyonbiopole; BioWin").clusters == ("BioWin", "Lyonbiopole")


def test_a_cluster_name_too_long_is_an_error() -> None:
    assert only_error(clusters="BioWin; " + "x" * 301).column == "clusters"


def test_product_classes_are_resolved() -> None:
    assert record(product_classes="P01;viral vectors").product_classes == (
        vocab("product-class", "P01"),
        vocab("product-class", "P07"),
    )


def test_the_gmp_status_is_resolved() -> None:
    assert record(gmp_status="GMP-certified").gmp_status == vocab("gmp-status", "gmp-certified")


# stages and technologies ---------------------------------------------------------------------------------------
def test_a_stage_cell_becomes_a_stage_position() -> None:
    (position,) = record(stage_S07="offer").stages
    assert (position.code, position.stage, position.mode) == ("S07", vocab("stage", "S07"), vocab("mode", "offer"))


def test_a_stage_cell_with_a_technology_relation_is_an_error() -> None:
    assert "offer, in-house, plan, need" in only_error(stage_S07="develop").reason


def test_a_technology_cell_becomes_a_relation_with_its_trl() -> None:
    (relation,) = record(tech_T05="develop", trl_T05="6").technologies
    assert (relation.technology, relation.mode, relation.trl) == (
        vocab("technology", "T05"),
        vocab("mode", "develop"),
        6,
    )


def test_a_technology_cell_with_a_stage_position_is_an_error() -> None:
    assert only_error(tech_T05="offer").column == "tech_T05"


@pytest.mark.parametrize("value", ["0", "10", "-1"])
def test_a_trl_outside_1_to_9_is_an_error(value: str) -> None:
    assert str(only_error(tech_T05="develop", trl_T05=value)) == (
        f"row 2, column trl_T05: value '{value}': out of range: must be from 1 to 9"
    )


def test_a_trl_may_be_written_as_its_label() -> None:
    (relation,) = record(tech_T05="routine", trl_T05="trl 8").technologies
    assert relation.trl == 8


def test_a_trl_that_is_not_a_whole_number_is_an_error() -> None:
    assert only_error(tech_T05="develop", trl_T05="6.5").column == "trl_T05"


def test_a_trl_without_a_technology_relation_is_an_error() -> None:
    assert "needs a relation in tech_T05" in only_error(trl_T05="6").reason


def test_a_trl_on_an_interest_is_an_error() -> None:
    assert "develop, routine or pilot only" in only_error(tech_T05="interested", trl_T05="6").reason


# needs ---------------------------------------------------------------------------------------------------------
def test_a_need_resolves_every_field() -> None:
    (need,) = record(
        need2_stage="S05",
        need2_technology="T04.02",
        need2_product_class="P07",
        need2_min_trl="7",
        need2_urgency="<6m",
        need2_text="A membrane adsorber pilot",
    ).needs
    assert need == type(need)(
        2,
        vocab("stage", "S05"),
        vocab("technology", "T04.02"),
        vocab("product-class", "P07"),
        7,
        NamedNode("https://w3id.org/vcgraph/vocab/urgency/lt6m"),
        "A membrane adsorber pilot",
    )


def test_a_need_stage_may_be_a_french_label_in_any_case() -> None:
    (need,) = record(need1_stage="REMPLISSAGE et finition").needs
    assert need.stage == vocab("stage", "S07")


def test_a_need_without_stage_nor_technology_is_an_error() -> None:
    assert only_error(need1_text="Anything").column == "need1_stage"


def test_a_need_text_holding_an_email_address_is_an_error() -> None:
    assert only_error(need1_stage="S05", need1_text="write to anne@example.org").column == "need1_text"


def test_a_need_minimum_trl_outside_1_to_9_is_an_error() -> None:
    assert only_error(need1_stage="S05", need1_min_trl="12").column == "need1_min_trl"


def test_an_unknown_urgency_is_an_error() -> None:
    assert only_error(need1_stage="S05", need1_urgency="soon").column == "need1_urgency"


# skills, contact, visibility, consent --------------------------------------------------------------------------
def test_skills_become_shortage_and_training_records() -> None:
    skills = record(skills_shortage="K03", training_offered="K03; K01").skills
    assert [(s.mode, s.code) for s in skills] == [("shortage", "K03"), ("training", "K03"), ("training", "K01")]


def test_a_contact_email_is_kept() -> None:
    assert record(contact_email="anne@example.org").contact_email == "anne@example.org"


@pytest.mark.parametrize("value", ["anne", "anne@", "@example.org", "anne@example", "an ne@example.org"])
def test_a_contact_email_that_is_not_an_address_is_an_error(value: str) -> None:
    assert only_error(contact_email=value).column == "contact_email"


def test_visibility_defaults_to_public() -> None:
    assert record().visibility == vocab("visibility", "public") and not record().anonymous


def test_an_anonymous_visibility_marks_the_record_anonymous() -> None:
    assert record(visibility="anonymous").anonymous


@pytest.mark.parametrize(("value", "expected"), [("yes", True), ("Oui", True), ("no", False), ("FALSE", False)])
def test_consent_is_yes_or_no(value: str, expected: bool) -> None:
    assert record(consent_contact=value).consent_contact is expected


def test_a_consent_other_than_yes_or_no_is_an_error() -> None:
    assert only_error(consent_contact="maybe").reason == "must be yes or no"


# "Other" free text ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("column", OTHER_TEXT_COLUMNS)
def test_an_other_text_column_is_a_template_column_not_a_warning(column: str) -> None:
    result = parse({column: "Veterinary vaccines"})
    assert result.warnings == [] and len(result.records) == 1


@pytest.mark.parametrize("column", OTHER_TEXT_COLUMNS)
def test_other_text_is_kept_with_its_column(column: str) -> None:
    assert record(**{column: "  Veterinary   vaccines "}).other_answers == (OtherAnswer(column, "Veterinary vaccines"),)


def test_an_other_answer_names_the_question_it_answers() -> None:
    assert OtherAnswer("product_classes_other", "Phages").question == "product_classes"


def test_empty_other_text_columns_give_no_other_answer() -> None:
    assert record(sectors_other="", actor_type_other="  ").other_answers == ()


def test_other_text_longer_than_1000_characters_is_an_error() -> None:
    error = only_error(sectors_other="x" * 1001)
    assert (error.column, error.reason) == ("sectors_other", "longer than 1000 characters")


def test_other_text_holding_an_email_address_is_an_error() -> None:
    error = only_error(training_offered_other="ask anne@example.org")
    assert error.column == "training_offered_other"
    assert error.reason == "holds an e-mail address: personal data goes in contact_email only"


# a curator's merges -----------------------------------------------------------------------------------------------
def parse_merged(merges: dict[str, str], *rows: dict[str, str]) -> TemplateResult:
    full = [{**BASE, **row} for row in rows]
    columns = list(dict.fromkeys(c for row in full for c in row))
    table = SurveyTable(columns, [(i + 2, {c: row.get(c, "") for c in columns}) for i, row in enumerate(full)])
    return parse_table(table, VOCABULARIES, NUTS, merges=merges)


def test_a_merged_organisation_is_put_under_the_surviving_actor() -> None:
    (merged,) = parse_merged({"bioprocess-liege-sa-be": "id-be0123456789"}, {}).records
    assert merged.merged_into == "id-be0123456789"


def test_an_organisation_no_merge_names_keeps_its_own_actor() -> None:
    (kept,) = parse_merged({"other-be": "id-be0123456789"}, {}).records
    assert kept.merged_into is None


def test_an_anonymous_organisation_is_matched_by_the_key_of_its_hashed_iri() -> None:
    (anonymous,) = parse({"visibility": "anonymous"}).records
    survivor = "anon-0123456789abcdef"
    (merged,) = parse_merged({anonymous.iri_key: survivor}, {"visibility": "anonymous"}).records
    assert anonymous.iri_key.startswith("anon-") and merged.merged_into == survivor


def test_a_row_merged_into_an_organisation_answering_the_same_wave_is_a_duplicate() -> None:
    result = parse_merged(
        {"bioprocess-liege-sa-be": "id-be0123456789"},
        {"organisation_id": "BE0123456789", "organisation": "Bioprocess Liège"},
        {"response_id": "R-2"},
    )
    (error,) = result.errors
    assert (error.row, error.column) == (3, "organisation")
    assert error.reason == (
        "same organisation as row 2 (merged into actor id-be0123456789 by a curator): "
        "one response per organisation and wave"
    )


def test_a_merge_of_a_named_row_into_an_anonymous_actor_is_an_error() -> None:
    error = parse_merged({"bioprocess-liege-sa-be": "anon-0123456789abcdef"}, {}).errors[0]
    assert error.column == "visibility" and "an anonymous and a named actor cannot be merged" in error.reason


# every problem at once -----------------------------------------------------------------------------------------
def test_every_problem_of_a_row_is_reported_at_once() -> None:
    found = errors(submitted="yesterday", nuts="FRK26", actor_type="robot", tech_T01="develop", trl_T01="12")
    assert [e.column for e in found] == ["submitted", "nuts", "actor_type", "trl_T01"]


def test_every_bad_row_is_reported_and_good_rows_are_kept() -> None:
    result = parse(
        {"response_id": "R-1", "country": "XX"},
        {"response_id": "R-2", "organisation": "Good SA"},
        {"response_id": "R-3", "organisation": "Bad SA", "sectors": ""},
    )
    assert result.rejected_rows == [2, 4]
    assert [r.response_id for r in result.records] == ["R-2"]


def test_a_stage_missing_from_the_vocabulary_is_an_error_not_a_silent_drop() -> None:
    s16 = vocab("stage", "S16")
    partial = Vocabularies.from_triples([t for t in VOCABULARIES.triples if t.subject != s16])
    table = SurveyTable([*BASE, "stage_S16"], [(2, {**BASE, "stage_S16": "offer"})])
    (error,) = parse_table(table, partial, NUTS).errors
    assert (error.column, error.reason) == ("stage_S16", "stage S16 is not in the stage vocabulary")
