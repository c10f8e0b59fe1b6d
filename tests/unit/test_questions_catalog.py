"""The header of a query file is the description of its question: parsed strictly, reported by file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from vcgraph.questions.catalog import CatalogError, load_catalog, parse_header

ROOT = Path(__file__).resolve().parents[2]

HEADER = """# id: gaps-stages
# route: /api/gaps/stages
# title: Stages nobody offers
# question: Which stages does nobody offer
#   in the region?
# param: region | nuts | required | NUTS code
# param: max_size | int:1:10 | 6 | largest consortium
# param: regions | nuts-list:region | required | codes
# example: region=FRK max_size=3
SELECT * WHERE { ?s ?p $region }
"""


def test_a_header_gives_the_question_its_parameters_and_example() -> None:
    info = parse_header(HEADER, Path("gaps-stages.rq"))
    assert (info.id, info.route, info.title) == ("gaps-stages", "/api/gaps/stages", "Stages nobody offers")
    assert info.question == "Which stages does nobody offer in the region?"
    assert [(p.name, p.type, p.default) for p in info.params] == [
        ("region", "nuts", "required"),
        ("max_size", "int", "6"),
        ("regions", "nuts-list", "required"),
    ]
    assert (info.params[1].minimum, info.params[1].maximum, info.params[2].variable) == (1, 10, "region")
    assert info.example == {"region": "FRK", "max_size": "3"}


def test_a_header_whose_id_is_not_the_file_name_is_refused() -> None:
    with pytest.raises(CatalogError, match="differs from the file name"):
        parse_header(HEADER, Path("other.rq"))


def test_an_unknown_parameter_type_is_refused_with_its_line() -> None:
    text = HEADER.replace("| nuts | required | NUTS code", "| colour | required | NUTS code")
    with pytest.raises(CatalogError, match=r"gaps-stages.rq:6: parameter region: unknown type 'colour'"):
        parse_header(text, Path("gaps-stages.rq"))


def test_a_header_without_a_route_is_refused() -> None:
    with pytest.raises(CatalogError, match="lacks '# route:'"):
        parse_header(HEADER.replace("# route: /api/gaps/stages\n", ""), Path("gaps-stages.rq"))


def test_every_query_file_of_the_project_has_a_valid_header() -> None:
    catalog = load_catalog(ROOT / "queries")
    assert len(catalog) >= 17
    for info in catalog.values():
        assert info.route.startswith("/api/")
        assert info.example, f"{info.id} has no example"
        for name in info.example:
            assert info.param(name) is not None, f"{info.id}: example names unknown parameter {name}"
