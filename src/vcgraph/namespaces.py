"""IRIs of the vcgraph model (see docs/model.md): the one place they are spelled out in Python."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from urllib.parse import quote

from pyoxigraph import NamedNode

BM = "https://w3id.org/vcgraph/ontology#"
ONTOLOGY_IRI = "https://w3id.org/vcgraph/ontology"
VOCAB = "https://w3id.org/vcgraph/vocab/"
NUTS = "http://data.europa.eu/nuts/code/"
NUTS_SCHEME = "http://data.europa.eu/nuts/scheme/2021"

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"
OWL = "http://www.w3.org/2002/07/owl#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
ORG = "http://www.w3.org/ns/org#"
PROV = "http://www.w3.org/ns/prov#"
DCTERMS = "http://purl.org/dc/terms/"
SCHEMA = "https://schema.org/"
SH = "http://www.w3.org/ns/shacl#"

PREFIXES: dict[str, str] = {
    "bm": BM,
    "vocab": VOCAB,
    "nuts": NUTS,
    "rdf": RDF,
    "rdfs": RDFS,
    "xsd": XSD,
    "owl": OWL,
    "skos": SKOS,
    "org": ORG,
    "prov": PROV,
    "dcterms": DCTERMS,
    "schema": SCHEMA,
}


def bm(local: str) -> NamedNode:
    return NamedNode(BM + local)


def vocab(scheme: str, notation: str | None = None) -> NamedNode:
    """A concept scheme (``vocab("stage")``) or one of its concepts (``vocab("stage", "S04")``)."""
    if notation is None:
        return NamedNode(VOCAB + scheme)
    return NamedNode(f"{VOCAB}{scheme}/{quote(notation, safe='.-_')}")


def nuts(code: str) -> NamedNode:
    return NamedNode(NUTS + code)


_NON_SLUG = re.compile(r"[^a-z0-9]+")


def slug(text: str, max_length: int = 80) -> str:
    """A stable, IRI-safe key for free text: accents dropped, lower case, runs of other characters -> '-'.

    Text with nothing left (only punctuation, or a non-Latin script) gets a hash, so the key is never empty
    and two such texts do not collide.
    """
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    key = _NON_SLUG.sub("-", folded).strip("-")[:max_length].strip("-")
    if not key:
        key = "x" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]
    return key


class Minter:
    """Mints the IRIs of things read from surveys under a deployment's base IRI (``VCGRAPH_BASE_IRI``)."""

    def __init__(self, base_iri: str) -> None:
        self.base = base_iri

    # graphs
    def ontology_graph(self) -> NamedNode:
        return NamedNode(self.base + "graph/ontology")

    def vocabularies_graph(self) -> NamedNode:
        return NamedNode(self.base + "graph/vocabularies")

    def nuts_graph(self) -> NamedNode:
        return NamedNode(self.base + "graph/nuts")

    def wave_graph(self, wave: str) -> NamedNode:
        return NamedNode(f"{self.base}graph/wave/{wave}")

    def restricted_graph(self, wave: str) -> NamedNode:
        return NamedNode(f"{self.base}graph/restricted/{wave}")

    def staging_prefix(self) -> str:
        return self.base + "graph/staging/"

    def restricted_prefix(self) -> str:
        return self.base + "graph/restricted/"

    def private_prefixes(self) -> tuple[str, ...]:
        """The IRI prefixes of the graphs no public query reads."""
        return (self.restricted_prefix(), self.staging_prefix())

    def is_public_graph(self, graph: str) -> bool:
        return not graph.startswith(self.private_prefixes())

    # things
    def actor_key(self, organisation_id: str | None, name: str, country: str) -> str:
        if organisation_id and organisation_id.strip():
            return "id-" + slug(organisation_id)
        return f"{slug(name)}-{slug(country)}"

    def actor(self, key: str, anonymous: bool = False) -> NamedNode:
        if anonymous:
            key = "anon-" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]
        return NamedNode(f"{self.base}id/actor/{key}")

    def site(self, actor: NamedNode, nuts_code: str) -> NamedNode:
        return NamedNode(f"{actor.value}/site/{quote(nuts_code, safe='')}")

    def cluster(self, name: str) -> NamedNode:
        return NamedNode(f"{self.base}id/cluster/{slug(name)}")

    def wave(self, wave: str) -> NamedNode:
        return NamedNode(f"{self.base}id/wave/{wave}")

    def response(self, wave: str, response_id: str) -> NamedNode:
        return NamedNode(f"{self.base}id/wave/{wave}/response/{quote(response_id.strip(), safe='')}")


WAVE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
