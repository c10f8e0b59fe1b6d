"""The SKOS concept schemes of ``ontology/``, as matchers from what a respondent typed to a concept IRI.

A template value names a concept by its notation (``S07``) or by any English or French prefLabel/altLabel
(``Fill & finish``, ``remplissage et finition``), compared case-, accent- and whitespace-insensitively.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from pyoxigraph import Literal, NamedNode, RdfFormat, Triple, parse

from vcgraph.namespaces import RDF, SKOS, VOCAB

SCHEMES = (
    "stage",
    "technology",
    "product-class",
    "actor-type",
    "sector",
    "trl",
    "gmp-status",
    "mode",
    "size",
    "visibility",
    "urgency",
    "skill",
)
LABEL_LANGUAGES = ("en", "fr")
_SPACES = re.compile(r"\s+")

_TYPE = NamedNode(RDF + "type")
_CONCEPT = NamedNode(SKOS + "Concept")
_IN_SCHEME = NamedNode(SKOS + "inScheme")
_NOTATION = NamedNode(SKOS + "notation")
_PREF = NamedNode(SKOS + "prefLabel")
_ALT = NamedNode(SKOS + "altLabel")
_BROADER = NamedNode(SKOS + "broader")


_MATCHED_MAX = 100_000


class VocabularyError(ValueError):
    """The vocabulary files cannot be loaded (missing, unparsable, or a scheme the ingest needs is absent)."""


def normalise(text: str) -> str:
    """The matching key of a label: accents dropped, case folded, whitespace runs collapsed to one space."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACES.sub(" ", stripped.casefold()).strip()


@dataclass
class Scheme:
    """One concept scheme: its concepts, their notations and labels, and the matching index over them."""

    name: str
    iri: NamedNode
    notations: dict[NamedNode, str] = field(default_factory=dict)
    labels: dict[NamedNode, dict[str, str]] = field(default_factory=dict)  # concept -> lang -> prefLabel
    broader: dict[NamedNode, NamedNode] = field(default_factory=dict)
    _index: dict[str, set[NamedNode]] = field(default_factory=dict)
    _display: dict[str, str] = field(default_factory=dict)  # normalised key -> text as written, for hints
    # text -> its candidates: a survey repeats the same few answers in every row, and normalising one costs
    # ~10 us (half the template checks of a 10,000-row file); bounded, so that a file of distinct junk cannot
    # grow it without end
    _matched: dict[str, tuple[NamedNode, ...]] = field(default_factory=dict)

    def add_key(self, text: str, concept: NamedNode, priority: int) -> None:
        key = normalise(text)
        if not key:
            return
        # A notation wins over a label that happens to equal another concept's notation; labels of the same
        # rank that collide stay ambiguous (the set keeps every candidate).
        self._index.setdefault(f"{priority}:{key}", set()).add(concept)
        # Then without any space at all, after every exact key: "< 6m" is "<6m", "S 07" is "S07".
        self._index.setdefault(f"{priority + 3}:{key.replace(' ', '')}", set()).add(concept)
        self._display.setdefault(key, text)
        self._matched.clear()

    def candidates(self, text: str) -> list[NamedNode]:
        found = self._matched.get(text)
        if found is None:
            found = self._candidates(text)
            if len(self._matched) < _MATCHED_MAX:
                self._matched[text] = found
        return list(found)

    def _candidates(self, text: str) -> tuple[NamedNode, ...]:
        key = normalise(text)
        for priority in range(6):
            found = self._index.get(f"{priority}:{key if priority < 3 else key.replace(' ', '')}")
            if found:
                return tuple(sorted(found, key=lambda c: c.value))
        return ()


class Vocabularies:
    """Every concept scheme found in a directory of Turtle files, by short name (``stage``, ``mode``...)."""

    def __init__(self, schemes: dict[str, Scheme], triples: list[Triple]) -> None:
        self.schemes = schemes
        self.triples = triples

    @classmethod
    def load(cls, directory: Path, required: Iterable[str] = SCHEMES) -> Vocabularies:
        """Load ``directory/*.ttl`` (pyoxigraph; nothing is fetched) and index the schemes under ``vocab:``."""
        files = sorted(directory.glob("*.ttl"))
        if not files:
            raise VocabularyError(f"no Turtle file (*.ttl) in the vocabulary directory {directory}")
        triples: list[Triple] = []
        for file in files:
            try:
                triples.extend(parse(path=str(file), format=RdfFormat.TURTLE))
            except (SyntaxError, OSError, ValueError) as exc:
                raise VocabularyError(f"cannot parse {file}: {exc}") from exc
        try:
            return cls.from_triples(triples, required)
        except VocabularyError as exc:
            raise VocabularyError(f"{directory}: {exc}") from exc

    @classmethod
    def from_triples(cls, triples: list[Triple], required: Iterable[str] = ()) -> Vocabularies:
        """Index the concept schemes found in ``triples``; raise if a ``required`` scheme is absent."""
        in_scheme: dict[NamedNode, list[NamedNode]] = {}
        concepts: set[NamedNode] = set()
        notations: dict[NamedNode, str] = {}
        labels: dict[NamedNode, list[tuple[NamedNode, Literal]]] = {}
        broader: dict[NamedNode, NamedNode] = {}
        for t in triples:
            s, p, o = t.subject, t.predicate, t.object
            if not isinstance(s, NamedNode):
                continue
            if p == _IN_SCHEME and isinstance(o, NamedNode):
                in_scheme.setdefault(s, []).append(o)
            elif p == _TYPE and o == _CONCEPT:
                concepts.add(s)
            elif p == _NOTATION and isinstance(o, Literal):
                notations[s] = o.value
            elif p in (_PREF, _ALT) and isinstance(o, Literal):
                labels.setdefault(s, []).append((p, o))
            elif p == _BROADER and isinstance(o, NamedNode):
                broader[s] = o
        schemes: dict[str, Scheme] = {}
        for concept in sorted(concepts, key=lambda c: c.value):
            for scheme_iri in in_scheme.get(concept, []):
                if not scheme_iri.value.startswith(VOCAB):
                    continue
                name = scheme_iri.value[len(VOCAB) :]
                scheme = schemes.setdefault(name, Scheme(name, scheme_iri))
                notation = notations.get(concept)
                if notation is not None:
                    scheme.notations[concept] = notation
                    scheme.add_key(notation, concept, 0)
                for predicate, label in labels.get(concept, []):
                    if label.language is not None and label.language not in LABEL_LANGUAGES:
                        continue
                    if predicate == _PREF and label.language:
                        scheme.labels.setdefault(concept, {})[label.language] = label.value
                    scheme.add_key(label.value, concept, 1 if predicate == _PREF else 2)
                if concept in broader:
                    scheme.broader[concept] = broader[concept]
        missing = [name for name in required if name not in schemes]
        if missing:
            raise VocabularyError(f"no concept scheme {', '.join(missing)} (vocab:<name> with skos:inScheme)")
        return cls(schemes, triples)

    def scheme(self, name: str) -> Scheme:
        try:
            return self.schemes[name]
        except KeyError:
            raise VocabularyError(f"unknown concept scheme {name!r}") from None

    def match(self, scheme: str, text: str) -> NamedNode | None:
        """The one concept of ``scheme`` that ``text`` names; None if unknown or ambiguous (see ``candidates``)."""
        found = self.scheme(scheme).candidates(text)
        return found[0] if len(found) == 1 else None

    def candidates(self, scheme: str, text: str) -> list[NamedNode]:
        """Every concept ``text`` names at its best matching rank (more than one = ambiguous label)."""
        return self.scheme(scheme).candidates(text)

    def closest(self, scheme: str, text: str, n: int = 3) -> list[str]:
        """Up to ``n`` known values (notations or labels as written) closest to ``text``, for "did you mean"."""
        known = self.scheme(scheme)._display
        keys = difflib.get_close_matches(normalise(text), list(known), n=n, cutoff=0.5)
        return [known[key] for key in keys]

    def notation(self, concept: NamedNode) -> str | None:
        for scheme in self.schemes.values():
            if concept in scheme.notations:
                return scheme.notations[concept]
        return None

    def label(self, concept: NamedNode, language: str = "en") -> str:
        """The prefLabel in ``language`` (else English, else the notation, else the IRI), for reports."""
        for scheme in self.schemes.values():
            if concept in scheme.notations or concept in scheme.labels:
                names = scheme.labels.get(concept, {})
                return names.get(language) or names.get("en") or scheme.notations.get(concept) or concept.value
        return concept.value

    def broader(self, concept: NamedNode) -> NamedNode | None:
        for scheme in self.schemes.values():
            if concept in scheme.broader:
                return scheme.broader[concept]
        return None

    def concepts(self, scheme: str) -> list[NamedNode]:
        return sorted(self.scheme(scheme).notations, key=lambda c: c.value)
