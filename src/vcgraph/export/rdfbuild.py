"""A tiny triple builder for the metadata we describe (catalogue, VoID): terms from strings, no blank nodes."""

from __future__ import annotations

from datetime import date

from pyoxigraph import Literal, NamedNode, Triple

from vcgraph.namespaces import XSD

Object = NamedNode | Literal | str


class Triples:
    """Collects triples; a ``str`` object is an IRI, use :meth:`text`/:meth:`typed` for literals."""

    def __init__(self) -> None:
        self._triples: set[Triple] = set()

    def add(self, subject: str, predicate: str, obj: Object) -> None:
        term = NamedNode(obj) if isinstance(obj, str) else obj
        self._triples.add(Triple(NamedNode(subject), NamedNode(predicate), term))

    def add_all(self, subject: str, pairs: list[tuple[str, Object]]) -> None:
        for predicate, obj in pairs:
            self.add(subject, predicate, obj)

    @property
    def triples(self) -> set[Triple]:
        return set(self._triples)


def text(value: str, language: str | None = None) -> Literal:
    return Literal(value, language=language) if language else Literal(value)


def typed(value: str | int, datatype: str) -> Literal:
    return Literal(str(value), datatype=NamedNode(datatype))


def integer(value: int) -> Literal:
    return typed(value, XSD + "integer")


def day(value: date) -> Literal:
    return typed(value.isoformat(), XSD + "date")
