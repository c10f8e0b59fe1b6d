"""Charts of the report as inline SVG written in Python: no script, no external reference, printable as is.

Every mark carries the figure it draws in ``data-*`` attributes and a ``<title>``, so a reader's screen reader
and a test can both read the numbers back.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

GAP_FILL = "#fde8eb"
GAP_INK = "#b00020"
BLUES = ("#deebf7", "#b6d3ec", "#6aa6d6", "#2b6fab", "#0d3f73")
MEMBER_COLOURS = ("#0b5cad", "#1b6e2e", "#8a4b00", "#6b4fa0", "#00707a", "#9c2a6b", "#505a64", "#7a6a00")


def _attr(value: object) -> str:
    return escape(str(value), quote=True)


def _clip(text: str, length: int) -> str:
    """``text`` cut to ``length`` characters, with an ellipsis when something was cut (the title keeps it all)."""
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


def _shade(count: int, maximum: int) -> tuple[str, str]:
    """Fill and text colour of a heatmap cell: red for a gap, five blues otherwise (AA contrast for the text)."""
    if count == 0:
        return GAP_FILL, GAP_INK
    level = min(5, max(1, -(-count * 5 // max(maximum, 1))))
    return BLUES[level - 1], "#ffffff" if level >= 4 else "#0d2b45"


@dataclass(frozen=True)
class HeatRow:
    notation: str
    label: str
    counts: dict[str, int]


def heatmap(rows: Sequence[HeatRow], regions: Sequence[str], title: str, gap_word: str) -> str:
    """Stage rows x region columns; a cell shows the number of actors offering the stage there."""
    label_width, cell_width, cell_height, head = 330, 110, 24, 34
    width = label_width + cell_width * len(regions) + 10
    height = head + cell_height * len(rows) + 10
    maximum = max([count for row in rows for count in row.counts.values()] + [1])
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart heatmap" role="img" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" aria-label="{_attr(title)}">',
        f"<title>{escape(title)}</title>",
    ]
    for column, region in enumerate(regions):
        x = label_width + column * cell_width + cell_width / 2
        parts.append(f'<text x="{x}" y="22" text-anchor="middle" font-weight="700">{escape(region)}</text>')
    for index, row in enumerate(rows):
        y = head + index * cell_height
        parts.append(
            f'<text x="4" y="{y + 17}" font-size="13"><tspan font-weight="700">{escape(row.notation)}</tspan> '
            f"{escape(_clip(row.label, 44))}</text>"
        )
        for column, region in enumerate(regions):
            count = row.counts.get(region, 0)
            fill, ink = _shade(count, maximum)
            x = label_width + column * cell_width
            shown = f"⚠ 0 {gap_word}" if count == 0 else str(count)
            parts.append(
                f'<g class="cell" data-stage="{_attr(row.notation)}" data-region="{_attr(region)}" '
                f'data-count="{count}"><title>{escape(row.notation)} {escape(region)}: {count}</title>'
                f'<rect x="{x + 1}" y="{y + 1}" width="{cell_width - 2}" height="{cell_height - 2}" fill="{fill}"/>'
                f'<text x="{x + cell_width / 2}" y="{y + 17}" text-anchor="middle" fill="{ink}" '
                f'font-weight="700">{escape(shown)}</text></g>'
            )
    parts.append("</svg>")
    return "".join(parts)


@dataclass(frozen=True)
class Bar:
    key: str
    label: str
    values: tuple[int, ...]


def bars(items: Sequence[Bar], series: Sequence[str], title: str) -> str:
    """Grouped horizontal bars, one group per item, one bar per series (with its value written at its end)."""
    colours = ("#b00020", "#0b5cad", "#1b6e2e")
    label_width, bar_height, gap, scale_width = 300, 14, 10, 320
    group_height = bar_height * len(series) + gap
    legend_height = 22 * len(series)
    height = legend_height + group_height * len(items) + 10
    width = label_width + scale_width + 60
    maximum = max([v for item in items for v in item.values] + [1])
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart bars" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" aria-label="{_attr(title)}">',
        f"<title>{escape(title)}</title>",
    ]
    for index, name in enumerate(series):
        y = 4 + index * 22
        parts.append(
            f'<rect x="4" y="{y}" width="14" height="14" fill="{colours[index % 3]}"/>'
            f'<text x="24" y="{y + 12}" font-size="13">{escape(name)}</text>'
        )
    for row, item in enumerate(items):
        top = legend_height + row * group_height
        parts.append(f'<text x="4" y="{top + bar_height + 2}" font-size="13">{escape(_clip(item.label, 42))}</text>')
        for index, value in enumerate(item.values):
            y = top + index * bar_height
            length = scale_width * value / maximum
            parts.append(
                f'<g data-key="{_attr(item.key)}" data-series="{index}" data-value="{value}">'
                f"<title>{escape(item.label)}, {escape(series[index])}: {value}</title>"
                f'<rect x="{label_width}" y="{y}" width="{max(length, 1):.1f}" height="{bar_height - 2}" '
                f'fill="{colours[index % 3]}"/>'
                f'<text x="{label_width + length + 4:.1f}" y="{y + 11}" font-size="12">{value}</text></g>'
            )
    parts.append("</svg>")
    return "".join(parts)


@dataclass(frozen=True)
class ChainStage:
    notation: str
    label: str
    member: int | None  # index of the covering member, None when nobody covers it
    member_name: str


def chain(stages: Sequence[ChainStage], title: str, uncovered_word: str) -> str:
    """The relevant stages of a product class left to right, each coloured by the member covering it."""
    box_width, box_height, per_row = 150, 62, 6
    rows = -(-len(stages) // per_row) or 1
    width = per_row * (box_width + 8) + 8
    height = rows * (box_height + 10) + 8
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart chain" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" aria-label="{_attr(title)}">',
        f"<title>{escape(title)}</title>",
    ]
    for index, stage in enumerate(stages):
        x = 8 + (index % per_row) * (box_width + 8)
        y = 8 + (index // per_row) * (box_height + 10)
        if stage.member is None:
            fill, edge, ink, who = GAP_FILL, GAP_INK, GAP_INK, f"⚠ {uncovered_word}"
        else:
            edge = MEMBER_COLOURS[stage.member % len(MEMBER_COLOURS)]
            fill, ink, who = "#ffffff", "#1a1a1a", stage.member_name
        parts.append(
            f'<g data-stage="{_attr(stage.notation)}" data-covered="{"false" if stage.member is None else "true"}">'
            f"<title>{escape(stage.notation)} {escape(stage.label)}: {escape(who)}</title>"
            f'<rect x="{x}" y="{y}" width="{box_width}" height="{box_height}" rx="4" fill="{fill}" stroke="{edge}" '
            f'stroke-width="3"/>'
            f'<text x="{x + 6}" y="{y + 17}" font-size="13" font-weight="700">{escape(stage.notation)}</text>'
            f'<text x="{x + 6}" y="{y + 34}" font-size="11">{escape(_clip(stage.label, 24))}</text>'
            f'<text x="{x + 6}" y="{y + 52}" font-size="11" font-weight="700" fill="{ink}">'
            f"{escape(_clip(who, 26))}</text>"
            "</g>"
        )
    parts.append("</svg>")
    return "".join(parts)
