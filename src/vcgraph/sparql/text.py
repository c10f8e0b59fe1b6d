"""A SPARQL 1.1 lexer, just deep enough to tell keywords, variables, IRIs, strings and comments apart.

Two jobs need it and neither may be done with regular expressions over raw text:

* binding parameters: ``$region`` in a query file is replaced by a term serialised by pyoxigraph
  (``<http://...>`` or ``"..."^^<...>``), never by user text, and only where ``$region`` is a variable token,
  not inside a string, an IRI or a comment;
* refusing operations that would make the server fetch a URL or read a file (``SERVICE``, ``LOAD``, ``FROM``
  IRIs outside the store), whatever the case, and after the ``\\uXXXX`` escapes that SPARQL decodes before
  parsing (so ``\\u0053ERVICE`` is caught too).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from pyoxigraph import BlankNode, Literal, NamedNode

Term = NamedNode | Literal | BlankNode

_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")

_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<comment>\#[^\n\r]*)
  | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
              |'(?:[^'\\\n\r]|\\.)*'|"(?:[^"\\\n\r]|\\.)*")
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<var>[?$][A-Za-z0-9_\u00B7\u00C0-\uFFFF]+)
  | (?P<word>(?:[A-Za-z_\u00C0-\uFFFF][\w\-.\u00B7\u00C0-\uFFFF]*)?
             :(?:[\w\-.:%\\\u00B7\u00C0-\uFFFF]*[\w\-:%\u00B7\u00C0-\uFFFF])?
            |[A-Za-z_][\w\-]*)
  | (?P<number>[+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?))
  | (?P<other>\^\^|&&|\|\||!=|<=|>=|.)
    """,
    re.VERBOSE | re.DOTALL,
)


@dataclass(frozen=True)
class Token:
    kind: str  # ws, comment, string, iri, var, word, number, other
    text: str
    start: int

    @property
    def keyword(self) -> str | None:
        """The upper-cased keyword for a bare word (``select``, ``SERVICE``), None for anything else."""
        if self.kind == "word" and ":" not in self.text:
            return self.text.upper()
        return None


def decode_escapes(text: str) -> str:
    """Apply SPARQL's codepoint escapes (``\\u0053`` -> ``S``), which the grammar decodes before parsing."""
    return _ESCAPE.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), text)


def tokens(text: str) -> Iterator[Token]:
    """Lex ``text`` into tokens; whitespace and comments included, so joining them gives ``text`` back."""
    position = 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:  # pragma: no cover - the 'other' branch matches any character
            raise ValueError(f"cannot lex SPARQL at position {position}")
        kind = match.lastgroup or "other"
        yield Token(kind, match.group(), position)
        position = match.end()


def line_column(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of a character offset, for error messages."""
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, column


class ParameterError(ValueError):
    """A query parameter is unknown, missing or not a term."""


def parameter_names(query: str) -> set[str]:
    """Names of the ``$name`` variables of a query (its parameters, by the convention of ``queries/``)."""
    return {t.text[1:] for t in tokens(query) if t.kind == "var" and t.text.startswith("$")}


def bind_parameters(query: str, values: Mapping[str, Term]) -> str:
    """Replace each ``$name`` variable token by the serialisation of the term bound to it.

    Terms come from pyoxigraph, whose ``str()`` is their N-Triples form: user text can only reach the query as
    the inside of a properly escaped literal or as a validated IRI. Parameters without a value stay variables.
    """
    for name, term in values.items():
        if not isinstance(term, NamedNode | Literal):
            raise ParameterError(f"parameter {name}: only IRIs and literals can be bound, not {type(term).__name__}")
    out: list[str] = []
    for token in tokens(query):
        if token.kind == "var" and token.text.startswith("$") and token.text[1:] in values:
            out.append(str(values[token.text[1:]]))
        else:
            out.append(token.text)
    return "".join(out)


@dataclass(frozen=True)
class Forbidden:
    """An operation the public service refuses, with where it stands in the text."""

    operation: str
    offset: int
    reason: str


_FETCHING = {
    "SERVICE": "SERVICE would make the server query a remote endpoint; federation is disabled",
    "LOAD": "LOAD would make the server fetch a URL or read a file",
}


def forbidden_operations(text: str, *, allowed_graphs: frozenset[str] | None = None) -> list[Forbidden]:
    """Operations in a query or update that would make the server fetch something.

    ``FROM``/``FROM NAMED``/``USING``/``USING NAMED`` IRIs are refused unless they name a graph in
    ``allowed_graphs`` (they are served from the store, never fetched); with ``allowed_graphs`` None they are
    not checked here.
    """
    found: list[Forbidden] = []
    significant = [t for t in tokens(decode_escapes(text)) if t.kind not in ("ws", "comment")]
    for index, token in enumerate(significant):
        keyword = token.keyword
        if keyword in _FETCHING:
            found.append(Forbidden(keyword, token.start, _FETCHING[keyword]))
        elif keyword in ("FROM", "USING") and allowed_graphs is not None:
            following = significant[index + 1 : index + 3]
            if following and following[0].keyword == "NAMED":
                following = following[1:]
            if following and following[0].kind == "iri":
                iri = following[0].text[1:-1]
                if iri not in allowed_graphs:
                    found.append(
                        Forbidden(
                            keyword,
                            token.start,
                            f"{keyword} <{iri}> names no graph of this store; the server never fetches graphs",
                        )
                    )
    return found
