"""Loading survey-tool mappings: by name or path, validated against the shipped JSON Schema, overlays merged."""

from __future__ import annotations

from pathlib import Path

import pytest

from vcgraph.mappings.model import MappingError, available_mappings, load_mapping

TOOLS = ("google-forms", "microsoft-forms", "kobotoolbox", "limesurvey", "eusurvey")


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


MINIMAL = """
tool: test
fields:
  organisation: {column: Name}
  sectors: {column: Sectors, separator: ', ', scheme: sector}
"""


@pytest.mark.parametrize("tool", TOOLS)
def test_every_shipped_tool_mapping_loads_by_name(tool: str) -> None:
    mapping = load_mapping(tool)
    assert mapping.tool == tool
    assert "response_id" in mapping.targets and "stage_S16" in mapping.targets


def test_the_shipped_mappings_are_listed_by_name() -> None:
    assert set(TOOLS) | {"canonical"} <= set(available_mappings())


def test_a_mapping_loads_from_a_path(tmp_path: Path) -> None:
    mapping = load_mapping(str(write(tmp_path / "mine.yaml", MINIMAL)))
    assert mapping.name == "mine"
    assert mapping.targets == ["organisation", "sectors"]


def test_an_unknown_name_lists_the_known_ones() -> None:
    with pytest.raises(MappingError, match=r"no mapping named 'surveymonkey' \(known: .*google-forms"):
        load_mapping("surveymonkey")


def test_a_schema_violation_names_its_yaml_path(tmp_path: Path) -> None:
    path = write(tmp_path / "bad.yaml", MINIMAL.replace("separator: ', '", "separator: 5"))
    with pytest.raises(MappingError, match=r"fields\.sectors\.separator: 5 is not of type 'string'"):
        load_mapping(str(path))


def test_every_schema_violation_is_reported_at_once(tmp_path: Path) -> None:
    text = MINIMAL.replace("separator: ', '", "separator: 5") + "  website: {colum: Site}\n"
    with pytest.raises(MappingError) as caught:
        load_mapping(str(write(tmp_path / "bad.yaml", text)))
    assert "fields.sectors.separator" in str(caught.value)
    assert "fields.website" in str(caught.value)


def test_a_field_with_two_sources_is_refused(tmp_path: Path) -> None:
    text = MINIMAL.replace("{column: Name}", "{column: Name, value: ACME}")
    with pytest.raises(MappingError, match=r"fields\.organisation: give exactly one of column, generate, value"):
        load_mapping(str(write(tmp_path / "bad.yaml", text)))


def test_a_column_that_is_not_in_the_template_is_refused(tmp_path: Path) -> None:
    text = MINIMAL + "  turnover: {column: Turnover}\n"
    with pytest.raises(MappingError, match=r"fields\.turnover: 'turnover' is not a column of the survey template"):
        load_mapping(str(write(tmp_path / "bad.yaml", text)))


def test_a_separator_on_a_single_valued_column_is_refused(tmp_path: Path) -> None:
    text = MINIMAL.replace("{column: Name}", "{column: Name, separator: ';'}")
    with pytest.raises(MappingError, match=r"fields\.organisation: 'organisation' holds one value"):
        load_mapping(str(write(tmp_path / "bad.yaml", text)))


def test_a_date_field_without_a_format_is_refused(tmp_path: Path) -> None:
    text = MINIMAL + "  submitted: {column: When, date: true}\n"
    with pytest.raises(MappingError, match=r"fields\.submitted\.date: no date format"):
        load_mapping(str(write(tmp_path / "bad.yaml", text)))


def test_invalid_yaml_is_refused_with_its_line(tmp_path: Path) -> None:
    with pytest.raises(MappingError, match=r"line 2, column 1: not valid YAML: found (a tab|character '\\t')"):
        load_mapping(str(write(tmp_path / "bad.yaml", "tool: x\n\tfields: 1\n")))


def test_two_fields_writing_one_template_column_are_refused(tmp_path: Path) -> None:
    text = (
        MINIMAL
        + "matrices:\n  m: {target: 'stage_{row}', rows: {S01: A}}\n  n: {target: 'stage_{row}', rows: {S01: B}}\n"
    )
    with pytest.raises(MappingError, match=r"matrices\.n\.rows\.S01: writes 'stage_S01', already written by"):
        load_mapping(str(write(tmp_path / "bad.yaml", text)))


def test_a_matrix_gives_one_field_per_row(tmp_path: Path) -> None:
    text = (
        MINIMAL
        + "matrices:\n  stages: {target: 'stage_{row}', scheme: mode, rows: {S01: 'B1[SQ001]', S02: 'B1[SQ002]'}}\n"
    )
    mapping = load_mapping(str(write(tmp_path / "m.yaml", text)))
    stage_fields = {f.target: f.columns for f in mapping.fields if f.curation_key == "stages"}
    assert stage_fields == {"stage_S01": ("B1[SQ001]",), "stage_S02": ("B1[SQ002]",)}


def test_the_curation_overlay_next_to_the_mapping_adds_synonyms(tmp_path: Path) -> None:
    write(tmp_path / "mine.yaml", MINIMAL)
    write(
        tmp_path / "mine.curation.yaml",
        "synonyms:\n  - {target: sectors, answer: Biotechnologie, value: biopharma, sheet: s.csv}\n",
    )
    mapping = load_mapping(str(tmp_path / "mine.yaml"))
    sectors = next(f for f in mapping.fields if f.target == "sectors")
    assert sectors.choices == {"biopharma": ("Biotechnologie",)}
    assert mapping.overlay_synonyms == 1


def test_an_overlay_naming_an_unknown_question_is_refused(tmp_path: Path) -> None:
    write(tmp_path / "mine.yaml", MINIMAL)
    write(tmp_path / "mine.curation.yaml", "synonyms:\n  - {target: colour, answer: Blue, value: blue}\n")
    with pytest.raises(MappingError, match=r"synonyms\.0\.target: 'colour' is no field or matrix of mapping mine"):
        load_mapping(str(tmp_path / "mine.yaml"))


def test_the_shipped_schema_is_a_valid_json_schema() -> None:
    import jsonschema

    from vcgraph.mappings.model import mapping_schema

    jsonschema.Draft202012Validator.check_schema(mapping_schema())
