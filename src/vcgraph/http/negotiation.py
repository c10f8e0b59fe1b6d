"""HTTP content negotiation (RFC 9110 section 12.5.1): which of the types we can write does the client prefer?

Each type we offer takes the quality of the *most specific* media range of the ``Accept`` header that
matches it (``text/turtle`` beats ``text/*`` beats ``*/*``), whatever their order in the header; ``q=0`` means
"not this one". Among the types of equal quality the server's order decides.

Media-range parameters: ``q`` ends the range's own parameters (what follows are accept-extensions, ignored);
``charset`` is ignored (we always write UTF-8); any other parameter must equal the offered type's parameter of
that name when the offered type declares one, and is ignored otherwise (``application/ld+json;profile=...``
still gets JSON-LD).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

_TOKEN = r"[!#$%&'*+.^_`|~0-9A-Za-z-]+"
_RANGE = re.compile(rf"\s*({_TOKEN})/({_TOKEN})\s*")
_PARAMETER = re.compile(rf"\s*;\s*({_TOKEN})\s*=\s*({_TOKEN}|\"(?:[^\"\\]|\\.)*\")\s*")
_EMPTY_PARAMETER = re.compile(r"\s*;\s*")
_QVALUE = re.compile(r"^(?:0(?:\.\d{0,3})?|1(?:\.0{0,3})?)$")


@dataclass(frozen=True)
class MediaRange:
    """One element of an ``Accept`` header."""

    type: str
    subtype: str
    parameters: tuple[tuple[str, str], ...] = ()
    quality: float = 1.0

    def specificity(self, media_type: str) -> int | None:
        """How precisely this range names ``media_type`` (higher = more specific), None if it does not."""
        offered_type, _, rest = media_type.partition(";")
        main, _, sub = offered_type.strip().lower().partition("/")
        offered_parameters = dict(_parameters(";" + rest) if rest else [])
        if self.type == "*":
            level = 0 if self.subtype == "*" else -1
        elif self.type != main:
            return None
        elif self.subtype == "*":
            level = 1
        elif self.subtype != sub:
            return None
        else:
            level = 2
        if level < 0:
            return None  # "*/json" is not a valid range; RFC 9110 only allows "*/*"
        for name, value in self.parameters:
            if name in offered_parameters and offered_parameters[name] != value:
                return None
        compared = sum(1 for name, _ in self.parameters if name in offered_parameters)
        return level * 100 + compared


def _parameters(text: str) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    position = 0
    while position < len(text):
        match = _PARAMETER.match(text, position)
        if match is None:
            empty = _EMPTY_PARAMETER.match(text, position)
            if empty is None or empty.end() == position:
                break
            position = empty.end()
            continue
        value = match.group(2)
        if value.startswith('"'):
            value = re.sub(r"\\(.)", r"\1", value[1:-1])
        found.append((match.group(1).lower(), value))
        position = match.end()
    return found


def _split_elements(header: str) -> list[str]:
    """Split on commas that are not inside a quoted parameter value."""
    elements: list[str] = []
    current: list[str] = []
    quoted = escaped = False
    for char in header:
        if escaped:
            escaped = False
        elif char == "\\" and quoted:
            escaped = True
        elif char == '"':
            quoted = not quoted
        elif char == "," and not quoted:
            elements.append("".join(current))
            current = []
            continue
        current.append(char)
    elements.append("".join(current))
    return [element for element in elements if element.strip()]


def parse_accept(header: str | None) -> list[MediaRange]:
    """The media ranges of an ``Accept`` header, in header order.

    Malformed elements are skipped rather than refused, as RFC 9110 lets a server do: a client that sends
    ``Accept: garbage, text/turtle`` still gets Turtle. An absent, empty or wholly unreadable header accepts
    anything.
    """
    if header is None or not header.strip():
        return [MediaRange("*", "*")]
    ranges: list[MediaRange] = []
    for element in _split_elements(header):
        match = _RANGE.match(element)
        if match is None:
            continue
        rest = element[match.end() :]
        parameters: list[tuple[str, str]] = []
        quality = 1.0
        valid = True
        for name, value in _parameters(rest):
            if name == "q":
                if not _QVALUE.match(value):
                    valid = False
                quality = float(value) if valid else 0.0
                break  # accept-extensions follow q; they do not describe the media type
            if name != "charset":
                parameters.append((name, value))
        if valid:
            ranges.append(MediaRange(match.group(1).lower(), match.group(2).lower(), tuple(parameters), quality))
    # A header with nothing readable in it says nothing about the client's preferences: treat it as absent.
    return ranges or [MediaRange("*", "*")]


def quality_of(ranges: Sequence[MediaRange], media_type: str) -> float:
    """The quality the client gives ``media_type``: that of the most specific matching range, 0 if none."""
    best: tuple[int, float] | None = None
    for media_range in ranges:
        level = media_range.specificity(media_type)
        if level is not None and (best is None or level > best[0]):
            best = (level, media_range.quality)
    return best[1] if best else 0.0


def negotiate(accept: str | None, offered: Sequence[str]) -> str | None:
    """The offered media type the client prefers, None when it accepts none of them (HTTP 406)."""
    return _negotiated(accept, tuple(offered))


@lru_cache(maxsize=256)
def _negotiated(accept: str | None, offered: tuple[str, ...]) -> str | None:
    # Kept per header: a client sends the same Accept on every request, and reading it anew took a tenth of the
    # server's own time per request on the endpoints benchmark's queries. Headers are bounded by the HTTP server.
    ranges = parse_accept(accept)
    chosen: str | None = None
    chosen_quality = 0.0
    for media_type in offered:
        quality = quality_of(ranges, media_type)
        if quality > chosen_quality:
            chosen, chosen_quality = media_type, quality
    return chosen
