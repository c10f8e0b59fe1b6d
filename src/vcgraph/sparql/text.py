"""A SPARQL 1.1 lexer, just deep enough to tell keywords, variables, IRIs, strings and comments apart.

Two jobs need it and neither may be done with regular expressions over raw text:

* binding parameters: ``$region`` in a query file is replaced by a term serialised by pyoxigraph
  (``<http://...>`` or ``"..."^^<...>``), never by user text, and only where ``$region`` is a variable token,
  not inside a string, an IRI or a comment;
* refusing operations that would make the server fetch a URL or read a file (``SERVICE``, ``LOAD``), whatever
  the case, and after the ``\\uHHHH`` escapes that SPARQL decodes before parsing (so ``\\u0053ERVICE`` is
  caught too), and resolving the ``FROM``/``USING`` graph names the service checks;
* :func:`sparql11_group_concat`, a conformance shim rewriting calls, where a regular expression would also
  match inside strings and comments.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urljoin

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
    return iter(_lexed(text))


@lru_cache(maxsize=16)
def _lexed(text: str) -> tuple[Token, ...]:
    # Each public query is checked by several functions here (fetching operations, dataset clauses, nesting, the
    # GROUP_CONCAT shim), each lexing the same text: it is lexed once. Tokens are frozen, so sharing them is safe.
    lexed: list[Token] = []
    position = 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:  # pragma: no cover - the 'other' branch matches any character
            raise ValueError(f"cannot lex SPARQL at position {position}")
        lexed.append(Token(match.lastgroup or "other", match.group(), position))
        position = match.end()
    return tuple(lexed)


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


def forbidden_operations(text: str) -> list[Forbidden]:
    """Operations in a query or update that would make the server fetch something (``SERVICE``, ``LOAD``).

    ``FROM``/``USING`` clauses are not among them: the engine reads those graphs from the store and never
    fetches them; which graphs a caller may name is decided on :func:`dataset_clauses`.
    """
    found: list[Forbidden] = []
    significant = [t for t in tokens(decode_escapes(text)) if t.kind not in ("ws", "comment")]
    for token in significant:
        keyword = token.keyword
        if keyword in _FETCHING:
            found.append(Forbidden(keyword, token.start, _FETCHING[keyword]))
    return found


@dataclass(frozen=True)
class DatasetClause:
    """One ``FROM``/``FROM NAMED`` (query) or ``USING``/``USING NAMED`` (update) clause, its IRI resolved."""

    keyword: str  # FROM or USING
    named: bool
    iri: str | None  # None when the name could not be resolved (unknown prefix, relative IRI without BASE)
    text: str  # the name as written, for error messages
    offset: int


def _resolve(reference: str, base: str | None) -> str | None:
    """An absolute IRI for ``reference`` (RFC 3986 resolution against ``base``), None if it stays relative."""
    if _ABSOLUTE.match(reference):
        return reference
    if base is None:
        return None
    return urljoin(base, reference)


_ABSOLUTE = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")
_LOCAL_ESCAPE = re.compile(r"\\(.)")


def dataset_clauses(text: str, base: str | None = None) -> list[DatasetClause]:
    """The dataset clauses of a query or update, with prefixed names and relative IRIs resolved.

    ``base`` is the base IRI the engine is given (the endpoint's URL), used until a ``BASE`` declaration.
    ``BASE`` and ``PREFIX`` declarations are followed in order, as the grammar applies them (an update may
    declare more of them between operations). ``FROM``, ``USING`` and ``NAMED`` are keywords nowhere else in
    SPARQL 1.1, so every occurrence outside strings, IRIs and comments starts a dataset clause.
    """
    prefixes: dict[str, str] = {}
    clauses: list[DatasetClause] = []
    significant = [t for t in tokens(decode_escapes(text)) if t.kind not in ("ws", "comment")]
    for index, token in enumerate(significant):
        keyword = token.keyword
        following = significant[index + 1 : index + 3]
        if keyword == "BASE" and following and following[0].kind == "iri":
            base = _resolve(following[0].text[1:-1], base) or base
        elif keyword == "PREFIX" and len(following) == 2 and following[0].kind == "word":
            if following[0].text.endswith(":") and following[1].kind == "iri":
                resolved = _resolve(following[1].text[1:-1], base)
                if resolved is not None:
                    prefixes[following[0].text[:-1]] = resolved
        elif keyword in ("FROM", "USING"):
            named = bool(following) and following[0].keyword == "NAMED"
            name = following[1] if named and len(following) > 1 else (following[0] if following and not named else None)
            if name is None:
                continue  # not a dataset clause the parser would accept; the parser reports it
            iri: str | None = None
            if name.kind == "iri":
                iri = _resolve(name.text[1:-1], base)
            elif name.kind == "word" and ":" in name.text:
                prefix, _, local = name.text.partition(":")
                if prefix in prefixes:
                    iri = prefixes[prefix] + _LOCAL_ESCAPE.sub(r"\1", local)
            clauses.append(DatasetClause(keyword, named, iri, name.text, token.start))
    return clauses


def has_dataset_keyword(text: str, keyword: str) -> bool:
    """Whether ``keyword`` (e.g. ``WITH``) occurs as a keyword, not inside a string, IRI or comment."""
    wanted = keyword.upper()
    return any(t.keyword == wanted for t in tokens(decode_escapes(text)))


class UsingConflict(ValueError):
    """``using-graph-uri`` parameters cannot be applied to this update."""


def add_using_clauses(update: str, clauses: str) -> str:
    """Put ``clauses`` (``USING <g> USING NAMED <h>``, already serialised from terms) into every
    DELETE/INSERT ... WHERE operation of ``update``, just before its ``WHERE``.

    This is how the protocol's ``using-graph-uri``/``using-named-graph-uri`` parameters take effect: as if each
    operation had been written with those USING clauses. The insertion point is a ``WHERE`` keyword at brace
    depth 0 that follows a template's closing brace; the ``DELETE WHERE`` short form cannot take USING clauses,
    so it is refused.
    """
    out: list[str] = []
    depth = 0
    previous: Token | None = None
    for token in tokens(update):
        if token.kind in ("ws", "comment"):
            out.append(token.text)
            continue
        if token.kind == "other" and token.text == "{":
            depth += 1
        elif token.kind == "other" and token.text == "}":
            depth -= 1
        elif token.keyword == "WHERE" and depth == 0 and previous is not None:
            if previous.keyword == "DELETE":
                line, column = line_column(update, token.start)
                raise UsingConflict(
                    f"at {line}:{column}: using-graph-uri/using-named-graph-uri cannot apply to the DELETE WHERE "
                    "short form; write DELETE { ... } WHERE { ... }"
                )
            if previous.text == "}":
                out.append(clauses + " ")
        out.append(token.text)
        previous = token
    return "".join(out)


def sparql11_group_concat(text: str) -> str:
    """Rewrite every ``GROUP_CONCAT( ... )`` call into ``STR(GROUP_CONCAT( ... ))``: SPARQL 1.1 semantics on
    pyoxigraph 0.5.13.

    Conformance shim. SPARQL 1.1 (18.5.1.7) defines GROUP_CONCAT's result as a simple literal; pyoxigraph
    0.5.13 follows SPARQL 1.2 and keeps the language tag the concatenated literals share (``"1 2"@en``), so
    ``FILTER(?g = "1 2")`` fails (W3C ``agg-groupconcat-04``/``-06``). ``STR`` of a simple literal is that
    literal, ``STR`` of an error is an error, so wrapping changes nothing but the tag; and ``STR(...)`` is a
    built-in call wherever the aggregate (itself a built-in call) may stand, so a valid query stays valid.

    The call's extent is found by matching parentheses on tokens: parentheses inside strings, IRIs and
    comments are not tokens of their own, so they cannot end a call early. A ``GROUP_CONCAT`` keyword not
    followed by a balanced argument list is left as it is, for the parser to report; so is one spelt with
    ``\\uHHHH`` escapes (it keeps the engine's behaviour). Remove this shim when the engine returns simple
    literals again.
    """
    significant = [t for t in tokens(text) if t.kind not in ("ws", "comment")]
    opens: list[int] = []  # character offsets where "STR(" goes
    closes: list[int] = []  # character offsets where ")" goes
    for index, token in enumerate(significant):
        if token.keyword != "GROUP_CONCAT":
            continue
        if index + 1 >= len(significant) or significant[index + 1].text != "(":
            continue
        depth = 0
        for closing in significant[index + 1 :]:
            if closing.kind != "other":
                continue
            if closing.text == "(":
                depth += 1
            elif closing.text == ")":
                depth -= 1
                if depth == 0:
                    opens.append(token.start)
                    closes.append(closing.start + 1)
                    break
    if not opens:
        return text
    # Where one call ends right where the next begins (``...)GROUP_CONCAT(...``), the first call's ")" goes first.
    insertions = sorted([(offset, 0, ")") for offset in closes] + [(offset, 1, "STR(") for offset in opens])
    out: list[str] = []
    position = 0
    for offset, _, inserted in insertions:
        out.append(text[position:offset])
        out.append(inserted)
        position = offset
    out.append(text[position:])
    return "".join(out)


_DESTRUCTIVE_TARGETS = {"ALL", "DEFAULT", "NAMED"}


def destructive_operations(text: str) -> list[Forbidden]:
    """``DROP``/``CLEAR`` operations that empty more than one named graph: ``ALL``, ``DEFAULT`` or ``NAMED``
    (with or without ``SILENT``), whatever the case and after ``\\uHHHH`` escapes.

    ``DROP GRAPH <g>`` names what it removes and is not among them. ``DROP`` and ``CLEAR`` are keywords nowhere
    else in SPARQL 1.1, so every occurrence outside strings, IRIs and comments starts such an operation.
    """
    found: list[Forbidden] = []
    significant = [t for t in tokens(decode_escapes(text)) if t.kind not in ("ws", "comment")]
    for index, token in enumerate(significant):
        if token.keyword not in ("DROP", "CLEAR"):
            continue
        following = significant[index + 1 : index + 3]
        if following and following[0].keyword == "SILENT":
            following = following[1:]
        if following and following[0].keyword in _DESTRUCTIVE_TARGETS:
            operation = f"{token.keyword} {following[0].keyword}"
            found.append(Forbidden(operation, token.start, f"{operation} would empty graphs wholesale"))
    return found


_OPENING = {"{": "}", "(": ")", "[": "]"}
_CLOSING = set(_OPENING.values())


def too_deep_nesting(text: str, limit: int) -> int | None:
    """Offset of the first ``{``, ``(`` or ``[`` that opens more than ``limit`` levels deep (the three counted
    together, outside strings, IRIs and comments, after ``\\uHHHH`` escapes), or None.

    pyoxigraph's parser is recursive: a few thousand nested brackets overflow its stack and kill the process
    (SIGSEGV), which no Python exception handler catches. Callers refuse such texts before any parser sees them.
    """
    depth = 0
    for token in tokens(decode_escapes(text)):
        if token.kind != "other":
            continue
        if token.text in _OPENING:
            depth += 1
            if depth > limit:
                return token.start
        elif token.text in _CLOSING:
            depth = max(0, depth - 1)
    return None


def union_branches(text: str) -> tuple[str, ...] | None:
    """The queries, one per branch, whose rows together are the rows of the SELECT query ``text`` (bag union: the
    same rows, each as many times, in another order), or None when ``text`` is not of that form.

    The form: a SELECT of plain variables (no ``*``, DISTINCT or REDUCED, no expression, no FROM) whose WHERE is nothing
    but ``{ ... } UNION { ... } UNION ...`` and that has no solution modifier or VALUES after it. Each branch
    query is ``text`` with the WHERE holding that branch alone, the prologue and comments kept; SPARQL defines
    the UNION of groups as the concatenation of their solutions, so nothing is lost or added. The service runs
    such branches side by side where the store answers them so (:func:`vcgraph.questions.service.execute_table`):
    engines evaluate the branches of one query one after the other, on one core.
    """
    significant = [t for t in tokens(text) if t.kind not in ("ws", "comment")]
    keywords = [t.keyword for t in significant]
    if "SELECT" not in keywords:
        return None
    at = keywords.index("SELECT") + 1
    if any(t.text == "{" for t in significant[:at]):  # a SELECT inside a group: not a query of this form
        return None
    while at < len(significant) and significant[at].text != "{" and significant[at].keyword != "WHERE":
        token = significant[at]
        if token.kind != "var":
            # DISTINCT, REDUCED, an expression, a dataset clause; or *, which projects each branch's own variables
            return None
        at += 1
    if at < len(significant) and significant[at].keyword == "WHERE":
        at += 1
    if at >= len(significant) or significant[at].text != "{":
        return None
    where_open = significant[at]
    spans: list[tuple[int, int]] = []  # each branch's braces, as offsets in text
    depth, start, expect_union = 0, -1, False
    for token in significant[at + 1 :]:
        if depth == 0:
            if token.text == "}":
                where_close = token
                break
            if expect_union:
                if token.keyword != "UNION":
                    return None
                expect_union = False
                continue
            if token.text != "{":
                return None  # a pattern, FILTER, BIND or OPTIONAL beside the branches
            start = token.start
        if token.text in ("{", "(", "["):
            depth += 1
        elif token.text in ("}", ")", "]"):
            depth -= 1
            if depth == 0:
                spans.append((start, token.start + 1))
                expect_union = True
    else:
        return None
    if expect_union is False or len(spans) < 2:
        return None
    if any(t.start > where_close.start for t in significant):
        return None  # ORDER BY, GROUP BY, LIMIT, VALUES...
    head, tail = text[: where_open.start + 1], text[where_close.start :]
    return tuple(f"{head}\n  {text[begin:end]}\n{tail}" for begin, end in spans)
