"""Parameter validation: user text in, typed pyoxigraph terms out (the only form in which it reaches SPARQL).

Allowed values come from the store itself (the vocabularies, the NUTS graph, the waves), so a new concept or
wave is accepted as soon as it is loaded, and an unknown one is refused with the list of what would work.
Those lookups are reused until the store is written (:mod:`vcgraph.service.cache`), so validating a request
costs dictionary look-ups, not queries; the lists and dicts they return are shared: do not mutate them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pyoxigraph import Literal, NamedNode, QuerySolutions

from vcgraph.config import DEFAULT_BASE_IRI
from vcgraph.namespaces import BM, DCTERMS, NUTS, NUTS_SCHEME, PROV, SKOS, VOCAB, XSD
from vcgraph.questions.binding import bind
from vcgraph.questions.catalog import ParamSpec, QuestionInfo
from vcgraph.service.cache import LOOKUPS, cached, dataset_key
from vcgraph.store.port import Dataset, Store

Term = NamedNode | Literal
LANGUAGES = ("en", "fr")
MAX_LIST = 20
MAX_TEXT = 200
_NUTS_CODE = re.compile(r"^[A-Z]{2}[A-Z0-9]{0,3}$")
_TRUE = {"true", "1", "yes"}
_FALSE = {"false", "0", "no"}


SCHEMES: dict[str, str] = {
    "stages": VOCAB + "stage",
    "technologies": VOCAB + "technology",
    "product-classes": VOCAB + "product-class",
    "actor-types": VOCAB + "actor-type",
    "sectors": VOCAB + "sector",
    "regions": NUTS_SCHEME,
}
"""The vocabularies /api/vocabularies/{scheme} browses, by the name used in the route."""

_ACTOR_KEY = re.compile(r"^[a-z0-9][a-z0-9-]{0,120}$")


class QuestionParameterError(ValueError):
    """A parameter is unknown, missing or has a value outside what is allowed; says which and what is."""

    def __init__(self, parameter: str, message: str, allowed: Sequence[str] | None = None) -> None:
        self.parameter = parameter
        self.allowed = list(allowed) if allowed is not None else None
        text = f"parameter {parameter!r}: {message}"
        if self.allowed is not None:
            text += f"; allowed: {', '.join(self.allowed) if self.allowed else '(none in the store)'}"
        super().__init__(text)
        self.message = message

    def to_dict(self) -> dict[str, Any]:
        return {"parameter": self.parameter, "message": str(self), "allowed": self.allowed}


class UnknownResource(QuestionParameterError):
    """The thing a path parameter names does not exist (or may not be shown): HTTP 404, not 422."""


@dataclass(frozen=True)
class Wave:
    iri: NamedNode
    identifier: str
    started: str | None


@dataclass
class BoundParameters:
    """Validated parameters: terms to bind, the list a query repeats over, and the echo for the answer."""

    terms: dict[str, Term] = field(default_factory=dict)
    repeat_variable: str | None = None
    repeat_values: list[NamedNode] = field(default_factory=list)
    echo: dict[str, Any] = field(default_factory=dict)
    lang: str = "en"

    def bindings(self) -> list[dict[str, Term]]:
        """One binding per query run: a single one, or one per value of the repeated (list) parameter."""
        if self.repeat_variable is None:
            return [dict(self.terms)]
        return [{**self.terms, self.repeat_variable: value} for value in self.repeat_values]


T = TypeVar("T")


def _lookup(store: Store, dataset: Dataset, what: tuple[str, ...], compute: Callable[[], T]) -> T:
    """``compute()`` reused while the store is unchanged (only once a served request configured its cache)."""
    value, _ = cached(store, (LOOKUPS, *what, dataset_key(dataset)), compute)
    return value


def _solutions(store: Store, dataset: Dataset, query: str, values: Mapping[str, Term] | None = None) -> list[Any]:
    text = bind(query, values or {})
    outcome = store.query(text, dataset=dataset)
    assert isinstance(outcome, QuerySolutions)
    return list(outcome)


_WAVES = f"""
SELECT ?wave ?id ?start WHERE {{
  ?wave a <{BM}SurveyWave> ; <{DCTERMS}identifier> ?id .
  OPTIONAL {{ ?wave <{PROV}startedAtTime> ?start }}
}}"""


def waves(store: Store, dataset: Dataset) -> list[Wave]:
    """Every wave in the store, oldest first (by start time, then identifier, as 'latest' is defined)."""
    return _lookup(store, dataset, ("waves",), lambda: _waves(store, dataset))


def _waves(store: Store, dataset: Dataset) -> list[Wave]:
    found: dict[str, Wave] = {}
    for row in _solutions(store, dataset, _WAVES):
        start = row["start"].value if row["start"] is not None else None
        found[row["wave"].value] = Wave(row["wave"], row["id"].value, start)
    return sorted(found.values(), key=lambda w: (w.started or "", w.identifier))


def _concepts(store: Store, dataset: Dataset, scheme: str) -> dict[str, NamedNode]:
    query = f"SELECT ?c ?n WHERE {{ ?c <{SKOS}inScheme> <{VOCAB}{scheme}> ; <{SKOS}notation> ?n }}"
    return _lookup(
        store,
        dataset,
        ("concepts", scheme),
        lambda: {row["n"].value: row["c"] for row in _solutions(store, dataset, query)},
    )


def _natural_key(text: str) -> list[Any]:
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", text)]


_NUTS_LOOKUP = f"ASK {{ $code <{SKOS}inScheme> <{NUTS_SCHEME}> }}"


def _nuts(store: Store, dataset: Dataset, spec_name: str, raw: str) -> NamedNode:
    code = raw.strip().upper()
    hint = "any NUTS 2021 code of level 0-3 loaded in the store (e.g. BE3, FRK, FRK26)"
    if not _NUTS_CODE.match(code):
        raise QuestionParameterError(spec_name, f"{raw!r} is not a NUTS code", [hint])
    iri = NamedNode(NUTS + code)
    known = _lookup(
        store, dataset, ("nuts", code), lambda: bool(store.query(bind(_NUTS_LOOKUP, {"code": iri}), dataset=dataset))
    )
    if not known:
        raise QuestionParameterError(spec_name, f"unknown NUTS code {code!r}", [hint])
    return iri


_ACTOR_LOOKUP = f"""
SELECT ?visibility WHERE {{ $actor a <{BM}Actor> . OPTIONAL {{ $actor <{BM}visibility> ?visibility }} }}"""


def _actor(store: Store, dataset: Dataset, name: str, key: str, base_iri: str) -> NamedNode:
    """A named actor's IRI from its key; anonymous and unknown actors are both 'unknown' (no existence leak)."""
    if not _ACTOR_KEY.match(key) or key.startswith("anon-"):
        raise UnknownResource(name, f"no actor {key!r}")
    iri = NamedNode(f"{base_iri}id/actor/{key}")
    visibilities = _lookup(
        store,
        dataset,
        ("actor", iri.value),
        lambda: [row["visibility"] for row in _solutions(store, dataset, _ACTOR_LOOKUP, {"actor": iri})],
    )
    if not visibilities or NamedNode(VOCAB + "visibility/anonymous") in visibilities:
        raise UnknownResource(name, f"no actor {key!r}")
    return iri


def _value(store: Store, dataset: Dataset, spec: ParamSpec, raw: str, base_iri: str) -> tuple[Term, Any]:
    """The term to bind and the value to echo for one raw parameter value."""
    text = raw.strip()
    if spec.type == "nuts":
        iri = _nuts(store, dataset, spec.name, text)
        return iri, iri.value[len(NUTS) :]
    if spec.type == "concept":
        assert spec.scheme is not None
        concepts = _concepts(store, dataset, spec.scheme)
        for notation, concept in concepts.items():
            if text.casefold() in (notation.casefold(), concept.value.casefold()):
                return concept, notation
        allowed = sorted(concepts, key=_natural_key)
        raise QuestionParameterError(spec.name, f"unknown {spec.scheme} {raw!r}", allowed)
    if spec.type == "wave":
        known = waves(store, dataset)
        for wave in known:
            if text == wave.identifier:
                return wave.iri, wave.identifier
        raise QuestionParameterError(spec.name, f"unknown wave {raw!r}", [w.identifier for w in known])
    if spec.type == "int":
        allowed_range = [f"an integer from {spec.minimum} to {spec.maximum}"]
        if not re.fullmatch(r"[+-]?\d{1,9}", text):
            raise QuestionParameterError(spec.name, f"{raw!r} is not an integer", allowed_range)
        number = int(text)
        if (spec.minimum is not None and number < spec.minimum) or (spec.maximum is not None and number > spec.maximum):
            raise QuestionParameterError(spec.name, f"{number} is out of range", allowed_range)
        return Literal(str(number), datatype=NamedNode(XSD + "integer")), number
    if spec.type == "bool":
        if text.lower() in _TRUE:
            return Literal("true", datatype=NamedNode(XSD + "boolean")), True
        if text.lower() in _FALSE:
            return Literal("false", datatype=NamedNode(XSD + "boolean")), False
        raise QuestionParameterError(spec.name, f"{raw!r} is not a boolean", ["true", "false"])
    if spec.type == "scheme":
        if text not in SCHEMES:
            raise UnknownResource(spec.name, f"unknown vocabulary {raw!r}", list(SCHEMES))
        return NamedNode(SCHEMES[text]), text
    if spec.type == "actor":
        return _actor(store, dataset, spec.name, text, base_iri), text
    if spec.type == "text":
        if len(text) > MAX_TEXT:
            raise QuestionParameterError(spec.name, f"longer than {MAX_TEXT} characters")
        return Literal(text), text
    raise AssertionError(f"unhandled parameter type {spec.type}")  # pragma: no cover - catalog checks types


def validate_parameters(
    store: Store,
    dataset: Dataset,
    info: QuestionInfo,
    raw: Mapping[str, str | None],
    lang: str = "en",
    base_iri: str = DEFAULT_BASE_IRI,
) -> BoundParameters:
    """Check every raw value against the question's header and the store; raise on the first bad one."""
    if lang not in LANGUAGES:
        raise QuestionParameterError("lang", f"unsupported language {lang!r}", list(LANGUAGES))
    names = {p.name for p in info.params}
    for name in raw:
        if name not in names:
            raise QuestionParameterError(name, f"not a parameter of {info.id}", sorted(names))
    bound = BoundParameters(lang=lang)
    bound.terms["lang"] = Literal(lang)
    for spec in info.params:
        given = raw.get(spec.name)
        if given is not None and given.strip() == "":
            given = None
        if given is None:
            if spec.required:
                raise QuestionParameterError(spec.name, "is required")
            if spec.default == "optional":
                bound.echo[spec.name] = None
                continue
            if spec.default in ("latest", "previous") and spec.type == "wave":
                known = waves(store, dataset)
                needed = 1 if spec.default == "latest" else 2
                if len(known) < needed:
                    raise QuestionParameterError(
                        spec.name,
                        f"needs {needed} loaded survey wave(s) to default to the {spec.default} one",
                        [w.identifier for w in known],
                    )
                chosen = known[-needed]
                bound.terms[spec.name] = chosen.iri
                bound.echo[spec.name] = chosen.identifier
                continue
            given = spec.default
        if spec.type == "nuts-list":
            codes = [c for c in (part.strip() for part in given.split(",")) if c]
            if not codes or len(codes) > MAX_LIST:
                raise QuestionParameterError(spec.name, f"give 1 to {MAX_LIST} comma-separated NUTS codes")
            iris: list[NamedNode] = []
            for code in codes:
                iri = _nuts(store, dataset, spec.name, code)
                if iri not in iris:
                    iris.append(iri)
            assert spec.variable is not None
            bound.repeat_variable = spec.variable
            bound.repeat_values = iris
            bound.echo[spec.name] = [iri.value[len(NUTS) :] for iri in iris]
            continue
        term, echo = _value(store, dataset, spec, given, base_iri)
        bound.terms[spec.name] = term
        bound.echo[spec.name] = echo
    return bound
