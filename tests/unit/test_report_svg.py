"""The report's charts and texts, without a store: what each SVG mark says, escaping, both languages."""

from __future__ import annotations

import re
from xml.etree import ElementTree

from vcgraph.report import svg
from vcgraph.report.render import TEXTS

SVG = "{http://www.w3.org/2000/svg}"


def parse(text: str) -> ElementTree.Element:
    return ElementTree.fromstring(text)


def test_a_heatmap_cell_carries_its_stage_region_and_count() -> None:
    chart = svg.heatmap([svg.HeatRow("S04", "Upstream", {"BE3": 2, "FRK": 4})], ["BE3", "FRK"], "Coverage", "gap")
    cells = [(g.get("data-stage"), g.get("data-region"), g.get("data-count")) for g in parse(chart).iter(SVG + "g")]
    assert cells == [("S04", "BE3", "2"), ("S04", "FRK", "4")]


def test_a_heatmap_gap_is_written_out_not_only_coloured() -> None:
    chart = svg.heatmap([svg.HeatRow("S15", "Patient interface", {"BE3": 0})], ["BE3"], "Coverage", "gap")
    cell = next(parse(chart).iter(SVG + "g"))
    texts = [t.text for t in cell.iter(SVG + "text")]
    assert texts == ["⚠ 0 gap"]
    assert cell.find(SVG + "rect").get("fill") == svg.GAP_FILL  # type: ignore[union-attr]


def test_the_darkest_heatmap_cells_get_white_text_for_contrast() -> None:
    chart = svg.heatmap([svg.HeatRow("S03", "PD", {"A": 10, "B": 1})], ["A", "B"], "Coverage", "gap")
    fills = {g.get("data-region"): g.find(SVG + "text").get("fill") for g in parse(chart).iter(SVG + "g")}  # type: ignore[union-attr]
    assert fills == {"A": "#ffffff", "B": "#0d2b45"}


def test_labels_are_escaped_so_survey_text_cannot_inject_markup() -> None:
    chart = svg.heatmap([svg.HeatRow("S01", "<script>x</script> & co", {"BE3": 1})], ["BE3"], "<b>", "gap")
    assert "<script>" not in chart
    assert "&lt;script&gt;x&lt;/script&gt; &amp; co" in chart
    parse(chart)  # still well-formed XML


def test_the_heatmap_has_an_accessible_name_and_title() -> None:
    root = parse(svg.heatmap([], ["BE3"], "Coverage of the chain", "gap"))
    assert root.get("role") == "img"
    assert root.get("aria-label") == "Coverage of the chain"
    assert root.find(SVG + "title").text == "Coverage of the chain"  # type: ignore[union-attr]


def test_bars_carry_each_series_value() -> None:
    chart = svg.bars([svg.Bar("K11", "K11 CGT", (5, 0, 2))], ["shortage", "region", "anywhere"], "Skills")
    values = [(g.get("data-key"), g.get("data-series"), g.get("data-value")) for g in parse(chart).iter(SVG + "g")]
    assert values == [("K11", "0", "5"), ("K11", "1", "0"), ("K11", "2", "2")]


def test_a_stage_nobody_covers_is_marked_uncovered_on_the_chain() -> None:
    chart = svg.chain(
        [svg.ChainStage("S01", "Raw", 0, "Acme"), svg.ChainStage("S12", "Point of care", None, "")],
        "Consortium",
        "uncovered",
    )
    stages = {g.get("data-stage"): g for g in parse(chart).iter(SVG + "g")}
    assert stages["S01"].get("data-covered") == "true"
    assert stages["S12"].get("data-covered") == "false"
    assert "⚠ uncovered" in [t.text for t in stages["S12"].iter(SVG + "text")]


def test_english_and_french_texts_have_the_same_keys_and_placeholders() -> None:
    assert TEXTS["en"].keys() == TEXTS["fr"].keys()
    for key, english in TEXTS["en"].items():
        assert set(re.findall(r"\{(\w+)\}", english)) == set(re.findall(r"\{(\w+)\}", TEXTS["fr"][key])), key
