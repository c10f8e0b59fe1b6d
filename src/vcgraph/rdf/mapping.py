"""Step 3 of the ingest: survey records -> the triples of a wave graph and of its restricted graph.

Exactly the shape docs/model.md fixes. Every IRI is minted by :class:`~vcgraph.namespaces.Minter`; there are no
blank nodes and no timestamps of the ingest itself, so the same records always give the same triples. What could
name a person or an anonymous organisation (``contact_email``; the name, identifier and website of an
``anonymous`` actor) is written to the restricted graph only.

The free text of an "Other" answer (``sectors_other``...) becomes a small ``bm:Statement`` per question,
``<response IRI>/other/<question>``, carrying the text as ``bm:otherAnswer`` and the question as
``dcterms:subject`` (the concept scheme whose choices did not fit, ``bm:Cluster`` for clusters; skills add their
``bm:mode``), so a curator can ask "which sectors did respondents miss" and see them per actor and wave. For an
anonymous actor the whole statement goes to the restricted graph: free text can name its author.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass

from pyoxigraph import Literal, NamedNode, Triple

from vcgraph.namespaces import BM, DCTERMS, ORG, PROV, RDF, RDFS, SCHEMA, XSD, Minter, nuts, vocab
from vcgraph.survey.template import SurveyRecord

_TYPE = NamedNode(RDF + "type")
_LABEL = NamedNode(RDFS + "label")
_COMMENT = NamedNode(RDFS + "comment")
_IDENTIFIER = NamedNode(DCTERMS + "identifier")
_URL = NamedNode(SCHEMA + "url")
_EMAIL = NamedNode(SCHEMA + "email")
_COUNTRY = NamedNode(SCHEMA + "addressCountry")
_CLASSIFICATION = NamedNode(ORG + "classification")
_MEMBER_OF = NamedNode(ORG + "memberOf")
_HAS_SITE = NamedNode(ORG + "hasSite")
_GENERATED_BY = NamedNode(PROV + "wasGeneratedBy")
_DERIVED_FROM = NamedNode(PROV + "wasDerivedFrom")
_ATTRIBUTED_TO = NamedNode(PROV + "wasAttributedTo")
_GENERATED_AT = NamedNode(PROV + "generatedAtTime")
_STARTED = NamedNode(PROV + "startedAtTime")
_ENDED = NamedNode(PROV + "endedAtTime")
_INTEGER = NamedNode(XSD + "integer")
_BOOLEAN = NamedNode(XSD + "boolean")
_DATE_TIME = NamedNode(XSD + "dateTime")
_SUBJECT = NamedNode(DCTERMS + "subject")

# What the "Other" text of each question is about: the concept scheme the question offered, and for the two skill
# questions the mode their statements carry.
OTHER_ANSWER_SUBJECTS: dict[str, tuple[NamedNode, NamedNode | None]] = {
    "actor_type_other": (vocab("actor-type"), None),
    "sectors_other": (vocab("sector"), None),
    "clusters_other": (NamedNode(BM + "Cluster"), None),
    "product_classes_other": (vocab("product-class"), None),
    "skills_shortage_other": (vocab("skill"), vocab("mode", "shortage")),
    "training_offered_other": (vocab("skill"), vocab("mode", "training")),
}


@functools.cache
def _bm(local: str) -> NamedNode:
    return NamedNode(BM + local)  # one object per name: made ~50 times per row otherwise


@dataclass(frozen=True)
class WaveTriples:
    """The content of ``{base}graph/wave/<wave>`` and ``{base}graph/restricted/<wave>``."""

    public: list[Triple]
    restricted: list[Triple]


def map_records(records: Iterable[SurveyRecord], wave: str, minter: Minter) -> WaveTriples:
    """The triples of one wave (docs/model.md), deterministic and free of blank nodes."""
    public: dict[Triple, None] = {}  # an ordered set: a cluster named by several actors is written once
    restricted: dict[Triple, None] = {}
    cluster_labels: dict[NamedNode, str] = {}
    records = list(records)
    wave_iri = minter.wave(wave)

    def add(target: dict[Triple, None], s: NamedNode, p: NamedNode, o: NamedNode | Literal) -> None:
        target[Triple(s, p, o)] = None

    if records:
        moments = sorted(r.submitted for r in records)
        add(public, wave_iri, _TYPE, _bm("SurveyWave"))
        add(public, wave_iri, _IDENTIFIER, Literal(wave))
        add(public, wave_iri, _LABEL, Literal(f"Survey wave {wave}"))
        add(public, wave_iri, _STARTED, Literal(moments[0], datatype=_DATE_TIME))
        add(public, wave_iri, _ENDED, Literal(moments[-1], datatype=_DATE_TIME))

    for record in records:
        actor = actor_iri(record, minter)
        # Actor --------------------------------------------------------------------------------------------
        add(public, actor, _TYPE, _bm("Actor"))
        identity = restricted if record.anonymous else public
        add(identity, actor, _LABEL, Literal(record.organisation))
        if record.organisation_id:
            add(identity, actor, _IDENTIFIER, Literal(record.organisation_id))
        if record.website:
            add(identity, actor, _URL, NamedNode(record.website))
        add(public, actor, _COUNTRY, Literal(record.country))
        add(public, actor, _CLASSIFICATION, record.actor_type)
        if record.size is not None:
            add(public, actor, _bm("sizeClass"), record.size)
        for sector in record.sectors:
            add(public, actor, _bm("sector"), sector)
        for product_class in record.product_classes:
            add(public, actor, _bm("productClass"), product_class)
        if record.gmp_status is not None:
            add(public, actor, _bm("gmpStatus"), record.gmp_status)
        add(public, actor, _bm("visibility"), record.visibility)
        if record.consent_contact is not None:
            add(public, actor, _bm("consentContact"), Literal(str(record.consent_contact).lower(), datatype=_BOOLEAN))
        for name in record.clusters:
            cluster = minter.cluster(name)
            add(public, actor, _MEMBER_OF, cluster)
            cluster_labels.setdefault(cluster, name)  # first spelling wins: one label per cluster
        site = minter.site(actor, record.nuts)
        add(public, actor, _HAS_SITE, site)
        add(public, site, _TYPE, _bm("Site"))
        add(public, site, _bm("inRegion"), nuts(record.nuts))
        if record.contact_email:
            add(restricted, actor, _EMAIL, Literal(record.contact_email))

        # Response -----------------------------------------------------------------------------------------
        response = minter.response(wave, record.response_id)
        add(public, response, _TYPE, _bm("SurveyResponse"))
        add(public, response, _IDENTIFIER, Literal(record.response_id))
        add(public, response, _GENERATED_AT, Literal(record.submitted, datatype=_DATE_TIME))
        add(public, response, _GENERATED_BY, wave_iri)
        add(public, response, _ATTRIBUTED_TO, actor)

        def statement(iri: NamedNode, kind: str, mode: NamedNode) -> NamedNode:
            add(public, iri, _TYPE, _bm(kind))
            add(public, iri, _bm("actor"), actor)  # noqa: B023 - called within this iteration only
            add(public, iri, _bm("mode"), mode)
            add(public, iri, _GENERATED_BY, wave_iri)
            add(public, iri, _DERIVED_FROM, response)  # noqa: B023 - called within this iteration only
            return iri

        for position in record.stages:
            iri = statement(NamedNode(f"{response.value}/stage/{position.code}"), "CapabilityStatement", position.mode)
            add(public, iri, _bm("stage"), position.stage)
        for relation in record.technologies:
            iri = statement(
                NamedNode(f"{response.value}/technology/{relation.code}"), "CapabilityStatement", relation.mode
            )
            add(public, iri, _bm("technology"), relation.technology)
            if relation.trl is not None:
                add(public, iri, _bm("trl"), Literal(str(relation.trl), datatype=_INTEGER))
        for need in record.needs:
            iri = statement(NamedNode(f"{response.value}/need/{need.number}"), "Need", vocab("mode", "need"))
            if need.stage is not None:
                add(public, iri, _bm("stage"), need.stage)
            if need.technology is not None:
                add(public, iri, _bm("technology"), need.technology)
            if need.product_class is not None:
                add(public, iri, _bm("productClass"), need.product_class)
            if need.min_trl is not None:
                add(public, iri, _bm("minTrl"), Literal(str(need.min_trl), datatype=_INTEGER))
            if need.urgency is not None:
                add(public, iri, _bm("urgency"), need.urgency)
            if need.text:
                add(public, iri, _COMMENT, Literal(need.text))
        for skill in record.skills:
            iri = statement(
                NamedNode(f"{response.value}/skill/{skill.mode}/{skill.code}"),
                "SkillStatement",
                vocab("mode", skill.mode),
            )
            add(public, iri, _bm("skill"), skill.skill)
        # Free text may identify an anonymous actor: its "Other" answers stay out of the public graph.
        other_target = restricted if record.anonymous else public
        for answer in record.other_answers:
            iri = NamedNode(f"{response.value}/other/{answer.question}")
            subject, other_mode = OTHER_ANSWER_SUBJECTS[answer.column]
            add(other_target, iri, _TYPE, _bm("Statement"))
            add(other_target, iri, _bm("actor"), actor)
            add(other_target, iri, _SUBJECT, subject)
            if other_mode is not None:
                add(other_target, iri, _bm("mode"), other_mode)
            add(other_target, iri, _bm("otherAnswer"), Literal(answer.text))
            add(other_target, iri, _GENERATED_BY, wave_iri)
            add(other_target, iri, _DERIVED_FROM, response)

    for cluster, name in cluster_labels.items():
        add(public, cluster, _TYPE, _bm("Cluster"))
        add(public, cluster, _LABEL, Literal(name))
    return WaveTriples(public=list(public), restricted=list(restricted))


def actor_iri(record: SurveyRecord, minter: Minter) -> NamedNode:
    """The actor's IRI: stable across waves for a given organisation_id (or name + country), or the IRI of the
    actor a curator merged it into (``merged_into`` is already a minted key: never hashed again)."""
    if record.merged_into is not None:
        return minter.actor(record.merged_into)
    return minter.actor(record.actor_key, anonymous=record.anonymous)
