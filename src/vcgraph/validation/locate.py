"""From a node of a wave graph back to the survey row and column it was written from.

The minted IRIs make this possible without bookkeeping in the graph: a statement IRI is
``<response IRI>/stage/S04`` (column ``stage_S04``), ``/technology/T05`` (``tech_T05``, or ``trl_T05`` for its
``bm:trl``), ``/need/2`` (``need2_*`` by property), ``/skill/shortage/K03`` (``skills_shortage``); an actor, site or
response IRI belongs to the row of its record.
"""

from __future__ import annotations

from collections.abc import Iterable

from vcgraph.namespaces import BM, DCTERMS, ORG, PROV, RDFS, SCHEMA, Minter
from vcgraph.rdf.mapping import actor_iri
from vcgraph.survey.template import SurveyRecord

ACTOR_COLUMNS = {
    RDFS + "label": "organisation",
    DCTERMS + "identifier": "organisation_id",
    SCHEMA + "url": "website",
    SCHEMA + "addressCountry": "country",
    SCHEMA + "email": "contact_email",
    ORG + "classification": "actor_type",
    BM + "sizeClass": "size",
    BM + "sector": "sectors",
    BM + "productClass": "product_classes",
    BM + "gmpStatus": "gmp_status",
    BM + "visibility": "visibility",
    BM + "consentContact": "consent_contact",
    ORG + "memberOf": "clusters",
    ORG + "hasSite": "nuts",
}
RESPONSE_COLUMNS = {
    DCTERMS + "identifier": "response_id",
    PROV + "generatedAtTime": "submitted",
    PROV + "wasAttributedTo": "organisation",
}
NEED_COLUMNS = {
    BM + "stage": "stage",
    BM + "technology": "technology",
    BM + "productClass": "product_class",
    BM + "minTrl": "min_trl",
    BM + "urgency": "urgency",
    RDFS + "comment": "text",
}


class RecordLocator:
    """A :class:`~vcgraph.validation.shacl.RowLocator` over the records of one wave."""

    def __init__(self, records: Iterable[SurveyRecord], wave: str, minter: Minter) -> None:
        self.responses: dict[str, int] = {}
        self.actors: dict[str, int] = {}
        for record in records:
            self.responses[minter.response(wave, record.response_id).value] = record.row
            self.actors[actor_iri(record, minter).value] = record.row

    def locate(self, focus: str, path: str | None) -> tuple[int, str] | None:
        if focus in self.actors:
            return self.actors[focus], ACTOR_COLUMNS.get(path or "", "organisation")
        actor, _, _site = focus.partition("/site/")
        if _site and actor in self.actors:
            return self.actors[actor], "nuts"
        if focus in self.responses:
            return self.responses[focus], RESPONSE_COLUMNS.get(path or "", "response_id")
        # A statement IRI is its response IRI + "/kind/...": look its prefixes up, longest first, rather than
        # scanning every response (10,000 rows with a violation each would be 10^8 comparisons).
        cut = len(focus)
        while (cut := focus.rfind("/", 0, cut)) > 0:
            row = self.responses.get(focus[:cut])
            if row is not None:
                return row, _statement_column(focus[cut + 1 :], path)
        return None


def _statement_column(rest: str, path: str | None) -> str:
    kind, _, detail = rest.partition("/")
    if kind == "stage":
        return f"stage_{detail}"
    if kind == "technology":
        return f"trl_{detail}" if path == BM + "trl" else f"tech_{detail}"
    if kind == "need":
        return f"need{detail}_" + NEED_COLUMNS.get(path or "", "stage")
    if kind == "skill":
        mode = detail.partition("/")[0]
        return "skills_shortage" if mode == "shortage" else "training_offered"
    return "response_id"
