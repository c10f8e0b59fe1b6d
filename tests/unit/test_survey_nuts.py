"""The NUTS 2021 code list: read with its quirks, and published as SKOS concepts."""

from __future__ import annotations

from pathlib import Path

import pytest
from pyoxigraph import Literal, NamedNode, Triple

from vcgraph.namespaces import BM, DCTERMS, NUTS_SCHEME, SKOS, XSD, nuts
from vcgraph.reference.nuts import NUTS_CSV, NutsError, NutsIndex, nuts_prefix, nuts_triples

CSV = Path(__file__).resolve().parents[2] / "data" / NUTS_CSV


@pytest.fixture(scope="module")
def index() -> NutsIndex:
    return NutsIndex.load(CSV)


def test_every_data_row_of_the_eurostat_list_is_a_region(index: NutsIndex) -> None:
    assert len(index.regions) == 2121  # 2,122 rows, one of them the EFTA/candidates heading


def test_levels_written_as_floats_are_integers(index: NutsIndex) -> None:
    assert [index.level(c) for c in ("BE", "BE3", "BE33", "BE332")] == [0, 1, 2, 3]


def test_a_region_name_is_taken_from_the_column_of_its_level(index: NutsIndex) -> None:
    assert index.name("BE21") == "Prov. Antwerpen" and index.name("BE211") == "Arr. Antwerpen"


def test_extra_regio_codes_are_kept(index: NutsIndex) -> None:
    assert index.exists("BEZZZ") and index.level("BEZ") == 1


def test_the_parent_chain_runs_up_to_the_country(index: NutsIndex) -> None:
    assert index.parents("FRK26") == ["FRK2", "FRK", "FR"]


def test_the_country_of_a_greek_code_is_gr(index: NutsIndex) -> None:
    assert index.country("EL30") == "GR" and nuts_prefix("GR") == "EL"


def test_the_country_of_a_uk_code_is_gb(index: NutsIndex) -> None:
    assert index.country("UKI3") == "GB" and nuts_prefix("GB") == "UK"


def test_an_unknown_code_does_not_exist(index: NutsIndex) -> None:
    assert not index.exists("BE999") and index.level("BE999") is None


def test_a_list_without_the_expected_columns_is_refused() -> None:
    with pytest.raises(NutsError, match="expected the columns"):
        NutsIndex.parse("code,name\nBE,Belgium\n")


def test_a_code_whose_length_disagrees_with_its_level_is_refused() -> None:
    with pytest.raises(NutsError, match="line 2"):
        NutsIndex.parse("nuts_code,nuts_level,country,nuts_1,nuts_2,nuts_3\nBE1,2.0,,,x,\n")


def test_each_region_is_a_skos_concept_with_notation_level_and_broader(index: NutsIndex) -> None:
    triples = set(nuts_triples(index))
    region = nuts("BE332")
    assert {
        Triple(region, NamedNode(SKOS + "inScheme"), NamedNode(NUTS_SCHEME)),
        Triple(region, NamedNode(SKOS + "notation"), Literal("BE332")),
        Triple(region, NamedNode(BM + "nutsLevel"), Literal("3", datatype=NamedNode(XSD + "integer"))),
        Triple(region, NamedNode(SKOS + "broader"), nuts("BE33")),
    } <= triples


def test_a_region_lies_within_itself_and_every_region_above_it_and_no_other(index: NutsIndex) -> None:
    within = NamedNode(BM + "withinRegion")
    containers = {t.object for t in nuts_triples(index) if t.subject == nuts("BE332") and t.predicate == within}
    assert containers == {nuts("BE332"), nuts("BE33"), nuts("BE3"), nuts("BE")}


def test_a_country_lies_within_itself_only(index: NutsIndex) -> None:
    within = NamedNode(BM + "withinRegion")
    assert {t.object for t in nuts_triples(index) if t.subject == nuts("FR") and t.predicate == within} == {nuts("FR")}


def test_a_country_is_a_top_concept_of_the_scheme(index: NutsIndex) -> None:
    assert Triple(nuts("BE"), NamedNode(SKOS + "topConceptOf"), NamedNode(NUTS_SCHEME)) in set(nuts_triples(index))


def test_the_scheme_carries_its_source_and_licence(index: NutsIndex) -> None:
    about_scheme = {(t.predicate, t.object) for t in nuts_triples(index) if t.subject == NamedNode(NUTS_SCHEME)}
    assert (NamedNode(DCTERMS + "license"), NamedNode("https://creativecommons.org/licenses/by/4.0/")) in about_scheme
    assert any(p == NamedNode(DCTERMS + "source") for p, _ in about_scheme)
    assert (NamedNode(DCTERMS + "title"), Literal("NUTS 2021", language="en")) in about_scheme
