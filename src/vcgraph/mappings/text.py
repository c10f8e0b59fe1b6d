"""Comparing answer labels the way people type them, and splitting multi-choice cells without guessing.

Labels are compared case-, accent- and whitespace-insensitively (as the vocabulary matcher does). Splitting a
cell such as ``"Biopharma, biotech, ICT"`` on ``", "`` would cut the option "Biopharma, biotech" in two, so a cell
is read by matching the known options longest first at each position; what matches no option is kept whole.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache


@lru_cache(maxsize=65536)
def normalise(text: str) -> str:
    """Casefolded, accents dropped, whitespace runs collapsed to one space, trimmed (memoised: answers repeat)."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return " ".join(stripped.replace("\u00a0", " ").split())


def _fold(text: str) -> tuple[str, list[int]]:
    """The normalised text and, for each of its characters, the index of the original character it comes from."""
    chars: list[str] = []
    origin: list[int] = []
    pending_space = False
    for index, char in enumerate(text):
        if char.isspace() or char == "\u00a0":
            pending_space = bool(chars)
            continue
        decomposed = unicodedata.normalize("NFKD", char)
        folded = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
        if not folded:
            continue
        if pending_space:
            chars.append(" ")
            origin.append(index - 1)
            pending_space = False
        for piece in folded:
            chars.append(piece)
            origin.append(index)
    return "".join(chars), origin


@dataclass(frozen=True)
class Piece:
    """One answer found in a cell: the option it matched (None when it matched no known option) and its text."""

    option: str | None
    text: str


def split_known(cell: str, separator: str, known: Iterable[str]) -> list[Piece]:
    """Read a multi-choice cell as a sequence of known options (longest first) and unknown text chunks.

    ``known`` are option labels; each returned piece carries the label it matched as given in ``known``. A
    trailing separator (Microsoft Forms writes ``A;B;``) is ignored. An unknown chunk runs up to the next
    separator that is followed by a known option, so free text containing the separator stays whole.
    """
    return KnownOptions(known).split(cell, separator)


class KnownOptions:
    """The option labels of one question, folded and indexed once, to split many cells quickly."""

    def __init__(self, known: Iterable[str]) -> None:
        self.by_folded: dict[str, str] = {}
        for label in known:
            key = normalise(label)
            if key:
                self.by_folded.setdefault(key, label)
        # candidates by first character, longest first: the longest option that fits wins
        self.by_first: dict[str, list[str]] = {}
        for key in sorted(self.by_folded, key=len, reverse=True):
            self.by_first.setdefault(key[0], []).append(key)
        self._cache: dict[tuple[str, str], list[Piece]] = {}

    def split(self, cell: str, separator: str) -> list[Piece]:
        cached = self._cache.get((cell, separator))
        if cached is None:
            cached = self._split(cell, separator)
            if len(self._cache) < 100_000:
                self._cache[(cell, separator)] = cached
        return list(cached)

    def _split(self, cell: str, separator: str) -> list[Piece]:
        folded, origin = _fold(cell)
        sep = normalise(separator) if separator.strip() else " "
        by_folded = self.by_folded
        by_first = self.by_first

        def option_at(position: int) -> str | None:
            if position >= len(folded):
                return None
            for key in by_first.get(folded[position], ()):
                end = position + len(key)
                if not folded.startswith(key, position):
                    continue
                # stray spaces before the separator ("A ;B") are typing noise, not part of an option
                rest = folded[end:] if sep == " " else folded[end:].lstrip(" ")
                if rest == "" or rest.startswith(sep) or rest.strip(sep + " ") == "":
                    return key
            return None

        def skip_separators(position: int) -> int:
            while position < len(folded):
                if folded.startswith(sep, position):
                    position += len(sep)
                elif folded[position] == " ":
                    position += 1
                else:
                    break
            return position

        pieces: list[Piece] = []
        position = skip_separators(0)
        while position < len(folded):
            matched = option_at(position)
            if matched is not None:
                pieces.append(Piece(by_folded[matched], by_folded[matched]))
                position = skip_separators(position + len(matched))
                continue
            end = _next_known_boundary(folded, position, sep, option_at)
            chunk_end = end if end is not None else len(folded)
            original = _original_slice(cell, origin, position, chunk_end).strip()
            original = original.rstrip(separator.strip() or " ").strip() if separator.strip() else original
            if original:
                pieces.append(Piece(None, original))
            position = skip_separators(chunk_end)
        return pieces


def _next_known_boundary(folded: str, start: int, sep: str, option_at: Callable[[int], str | None]) -> int | None:
    """Index of the next separator after ``start`` that is followed by a known option."""
    search = start
    while True:
        found = folded.find(sep, search + 1)
        if found < 0:
            return None
        after = found + len(sep)
        while after < len(folded) and folded[after] == " ":
            after += 1
        if after < len(folded) and option_at(after) is not None:
            return found
        search = found


def _original_slice(text: str, origin: list[int], start: int, end: int) -> str:
    if start >= len(origin):
        return ""
    first = origin[start]
    last = origin[end - 1] if end - 1 < len(origin) else len(text) - 1
    return text[first : last + 1]
