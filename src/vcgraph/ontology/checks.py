"""Quality checks of the ontology, its SKOS vocabularies and the SHACL shapes that lean on them.

:func:`check_ontology` runs, over every ``*.ttl`` of the ontology folder taken together:

* ``parse``: each file parses (the store loads them all, so one broken file breaks the deployment);
* ``ontology-header``: one ontology IRI with a version IRI, a version number and the metadata a release needs;
* ``robot:<query>``: the ROBOT ``report`` queries (``robot_queries/``, BSD-3), adapted to SKOS labels and to a
  bilingual ontology;
* ``undeclared-term``: every ``bm:`` IRI used anywhere is declared, so Protégé and OWL 2 DL tools agree on it;
* ``deprecated-without-replacement``: a deprecated term says what replaces it;
* ``ontology-translations``: every ``bm:`` class and property of ``vcgraph.ttl`` has there exactly one English
  ``rdfs:label`` and ``skos:definition`` (and no other language: the single-label rule of ROBOT's report, which
  ignores languages, ontodev/robot#356), and its French label and definition in a translation file
  ``vcgraph.<lang>.ttl``, which annotates only terms ``vcgraph.ttl`` declares, in its own language;
* ``vocab-*``: the SKOS rules the survey ingest relies on (en and fr labels and definitions, one notation unique
  in its scheme, no orphan concept, no label naming two concepts of one scheme once case, accents and whitespace
  are ignored);
* ``catalog``: Protégé's ``catalog-v001.xml`` maps the ontology (and any import) to files of the folder;
* ``shape-*``: every class the SHACL shapes target or require, and every ``bm:`` term they use, exists;
* ``reasoner``: HermiT finds the ontology consistent and every class satisfiable (needs java).
"""

from __future__ import annotations

import shutil
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from importlib import resources
from pathlib import Path
from xml.etree.ElementTree import ParseError

import defusedxml.ElementTree as safe_xml
from defusedxml import DefusedXmlException
from pyoxigraph import BlankNode, Literal, NamedNode, Quad, Store, Triple

from vcgraph.namespaces import BM, DCTERMS, ORG, OWL, PROV, RDF, RDFS, SCHEMA, SH, SKOS, XSD
from vcgraph.ontology._rdf import RDF_TYPE, OntologyFileError, TripleIndex, ontology_files, read_triples
from vcgraph.ontology.reasoner import ReasonerError, run_hermit
from vcgraph.ontology.report import CheckReport, Severity

LANGUAGES = ("en", "fr")

# Namespaces whose classes shapes may use without the ontology declaring them: the W3C/DCMI/schema.org terms
# vcgraph reuses (docs/model.md) and those of the DCAT-AP export metadata.
REUSED_NAMESPACES = (
    ORG,
    PROV,
    SKOS,
    DCTERMS,
    SCHEMA,
    RDFS,
    OWL,
    XSD,
    "http://xmlns.com/foaf/0.1/",
    "http://www.w3.org/ns/dcat#",
    "http://www.w3.org/2006/vcard/ns#",
    "http://www.w3.org/ns/adms#",
    "http://www.w3.org/ns/locn#",
    "http://spdx.org/rdf/terms#",
    "http://www.w3.org/ns/odrl/2/",
    "http://data.europa.eu/r5r/",
    "http://rdfs.org/ns/void#",
)

_ENTITY_TYPES = (OWL + "Class", OWL + "ObjectProperty", OWL + "DatatypeProperty", OWL + "AnnotationProperty")
# Annotation properties OWL tools treat as built in; declared in the query store (only) so that ROBOT's
# annotation queries see them, as ROBOT does through the OWL API.
_BUILTIN_ANNOTATIONS = (
    RDFS + "label",
    RDFS + "comment",
    RDFS + "seeAlso",
    RDFS + "isDefinedBy",
    OWL + "versionInfo",
    OWL + "deprecated",
)
_TRUE = Literal("true", datatype=NamedNode(XSD + "boolean"))
CATALOG = "catalog-v001.xml"
# The main ontology file and its translation files (OBO style: vcgraph.fr.ttl holds the French texts), named as
# vcgraph.reference.loader loads them into the ontology graph.
MAIN_FILE = "vcgraph.ttl"
MAIN_LANGUAGE = "en"
TRANSLATION_GLOB = "vcgraph.*.ttl"
# What a translation file may say: texts about a term, never an axiom (those belong in vcgraph.ttl).
TRANSLATED_PROPERTIES = (RDFS + "label", SKOS + "definition", RDFS + "comment", SKOS + "altLabel",
                         SKOS + "scopeNote", SKOS + "example")
CATALOG_NS = "urn:oasis:names:tc:entity:xmlns:xml:catalog"


def check_ontology(ontology_dir: Path, shapes_dir: Path | None, *, reasoner: bool = True) -> CheckReport:
    """Check the ontology folder (and the shapes folder when given); see the module docstring for the checks.

    ``reasoner=False`` leaves HermiT out (it starts a JVM, a few seconds) for quick runs.
    """
    report = CheckReport()
    if not ontology_dir.is_dir():
        report.checks_run.append("parse")
        report.add("parse", "ERROR", str(ontology_dir), "ontology folder not found")
        return report
    files = ontology_files(ontology_dir)
    triples = _read_all(files, report)
    if not files:
        report.add("parse", "ERROR", str(ontology_dir), "no *.ttl file in the ontology folder")
    if report.errors:
        # The other checks would run on part of the ontology and report its missing half as faults.
        return report
    index = TripleIndex(triples)
    _check_header(index, report)
    _run_robot_queries(triples, report)
    _check_declarations(index, triples, report)
    _check_deprecations(index, report)
    _check_translations(ontology_dir, report)
    _check_vocabularies(index, report)
    _check_catalog(ontology_dir, index, report)
    if shapes_dir is not None:
        _check_shapes(shapes_dir, index, report)
    if reasoner:
        _check_reasoner(triples, report)
    return report


def fold_label(text: str) -> str:
    """The key two labels are compared by: accents dropped, case folded, all whitespace removed.

    Stricter than the survey ingest (which collapses whitespace runs): labels that differ only in spacing are
    reported too, so they stay unambiguous whatever whitespace rule a matcher uses.
    """
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch) and not ch.isspace()).casefold()


def _read_all(files: Iterable[Path], report: CheckReport) -> list[Triple]:
    report.checks_run.append("parse")
    triples: list[Triple] = []
    for file in files:
        try:
            triples.extend(read_triples(file))
        except OntologyFileError as error:
            report.add("parse", "ERROR", str(file), error.reason)
    return triples


def _check_header(index: TripleIndex, report: CheckReport) -> None:
    check = "ontology-header"
    report.checks_run.append(check)
    ontologies = sorted(index.instances(OWL + "Ontology"), key=str)
    if len(ontologies) != 1 or not isinstance(ontologies[0], NamedNode):
        found = ", ".join(str(o) for o in ontologies) or "none"
        report.add(check, "ERROR", "owl:Ontology", f"expected exactly one ontology with an IRI, found {found}")
        return
    ontology = ontologies[0]
    subject = ontology.value
    versions = index.objects(ontology, OWL + "versionIRI")
    infos = index.literals(ontology, OWL + "versionInfo")
    if len(versions) != 1 or not isinstance(versions[0], NamedNode) or versions[0] == ontology:
        report.add(check, "ERROR", subject, "needs exactly one owl:versionIRI, an IRI other than the ontology's")
    if len(infos) != 1:
        report.add(check, "ERROR", subject, "needs exactly one owl:versionInfo (the release number)")
    elif len(versions) == 1 and versions[0].value != f"{subject}/{infos[0].value}":
        report.add(
            check,
            "WARN",
            subject,
            f"owl:versionIRI {versions[0].value} does not end with owl:versionInfo {infos[0].value!r}",
        )
    for language in LANGUAGES:
        if not any(title.language == language for title in index.literals(ontology, DCTERMS + "title")):
            report.add(check, "ERROR", subject, f"no dcterms:title in '{language}'")
    for predicate in (DCTERMS + "license", DCTERMS + "creator", DCTERMS + "description"):
        if not index.objects(ontology, predicate):
            report.add(check, "ERROR", subject, f"no {_short(predicate)}")


def _robot_queries() -> dict[str, tuple[Severity, str]]:
    folder = resources.files("vcgraph.ontology") / "robot_queries"
    severities: dict[str, Severity] = {}
    for line in (folder / "report_profile.txt").read_text(encoding="utf-8").splitlines():
        level, _, name = line.partition("\t")
        if level in ("ERROR", "WARN"):
            severities[name.strip()] = "ERROR" if level == "ERROR" else "WARN"
    return {
        name: (severity, (folder / f"{name}.rq").read_text(encoding="utf-8"))
        for name, severity in sorted(severities.items())
    }


def _run_robot_queries(triples: list[Triple], report: CheckReport) -> None:
    store = Store()
    store.extend(Quad(t.subject, t.predicate, t.object) for t in triples)
    annotation = NamedNode(OWL + "AnnotationProperty")
    store.extend(Quad(NamedNode(iri), RDF_TYPE, annotation) for iri in _BUILTIN_ANNOTATIONS)
    for name, (severity, query) in _robot_queries().items():
        check = f"robot:{name}"
        report.checks_run.append(check)
        rows = sorted({tuple(_text(solution[v]) for v in ("entity", "property", "value")) for solution in
                       store.query(query)})  # type: ignore[union-attr]
        for entity, prop, value in rows:
            detail = f"{_short(prop)} {value!r}" if value else _short(prop)
            report.add(check, severity, entity, detail)


def _check_declarations(index: TripleIndex, triples: list[Triple], report: CheckReport) -> None:
    check = "undeclared-term"
    report.checks_run.append(check)
    declared = _declared_bm_terms(index)
    used = {term.value for triple in triples for term in (triple.subject, triple.predicate, triple.object)
            if isinstance(term, NamedNode) and term.value.startswith(BM)}
    for iri in sorted(used - declared):
        report.add(check, "ERROR", iri, "used but not declared as an owl:Class or OWL property in the ontology")


def _declared_bm_terms(index: TripleIndex) -> set[str]:
    return {term.value for kind in _ENTITY_TYPES for term in index.instances(kind)
            if isinstance(term, NamedNode) and term.value.startswith(BM)}


def _check_deprecations(index: TripleIndex, report: CheckReport) -> None:
    check = "deprecated-without-replacement"
    report.checks_run.append(check)
    for term in sorted(_deprecated(index), key=str):
        if not index.objects(term, DCTERMS + "isReplacedBy"):
            report.add(check, "WARN", str(term.value), "owl:deprecated true but no dcterms:isReplacedBy")


def _deprecated(index: TripleIndex) -> set[NamedNode]:
    return {subject for kind in (*_ENTITY_TYPES, SKOS + "Concept") for subject in index.instances(kind)
            if isinstance(subject, NamedNode) and index.has(subject, OWL + "deprecated", _TRUE)}


def _check_translations(ontology_dir: Path, report: CheckReport) -> None:
    """The English texts live in vcgraph.ttl, one each; every other language in its own translation file."""
    check = "ontology-translations"
    report.checks_run.append(check)
    main_file = ontology_dir / MAIN_FILE
    if not main_file.is_file():
        report.add(check, "ERROR", str(main_file), "the main ontology file is missing")
        return
    # The folder parsed already (check_ontology stops on a parse error), so these reads succeed.
    main = TripleIndex(read_triples(main_file))
    terms = sorted(_declared_bm_terms(main))
    translations = {file: _translation_language(file) for file in sorted(ontology_dir.glob(TRANSLATION_GLOB))}
    translated = TripleIndex(triple for file in translations for triple in read_triples(file))
    for iri in terms:
        term = NamedNode(iri)
        for predicate in (RDFS + "label", SKOS + "definition"):
            texts = main.literals(term, predicate)
            english = [text for text in texts if text.language == MAIN_LANGUAGE]
            if len(english) != 1 or len(texts) != 1:
                report.add(check, "ERROR", iri, f"has {len(texts)} {_short(predicate)} in {MAIN_FILE} "
                           f"({len(english)} in '{MAIN_LANGUAGE}'), needs exactly one, in '{MAIN_LANGUAGE}'")
            for language in LANGUAGES:
                if language == MAIN_LANGUAGE:
                    continue
                count = sum(1 for text in translated.literals(term, predicate) if text.language == language)
                if count != 1:
                    report.add(check, "ERROR", iri, f"has {count} {_short(predicate)} in '{language}' in the "
                               f"translation files, needs exactly one (vcgraph.{language}.ttl)")
    declared = set(terms)
    for file, language in translations.items():
        for triple in read_triples(file):
            subject, predicate, obj = triple.subject, triple.predicate.value, triple.object
            where = f"{_short(predicate)} in {file.name}"
            if not isinstance(subject, NamedNode) or subject.value not in declared:
                report.add(check, "ERROR", str(subject.value if isinstance(subject, NamedNode) else subject),
                           f"{where}: a translation file annotates only terms declared in {MAIN_FILE}")
            elif predicate not in TRANSLATED_PROPERTIES:
                report.add(check, "ERROR", subject.value,
                           f"{where}: a translation file holds only labels and texts, axioms go in {MAIN_FILE}")
            elif not isinstance(obj, Literal) or obj.language != language:
                report.add(check, "ERROR", subject.value, f"{where}: {obj} is not a '{language}' text")


def _translation_language(file: Path) -> str:
    """``vcgraph.fr.ttl`` -> ``fr``: the language tag a translation file's name announces."""
    return file.name.removeprefix("vcgraph.").removesuffix(".ttl")


def _check_vocabularies(index: TripleIndex, report: CheckReport) -> None:
    for check in ("vocab-labels", "vocab-definitions", "vocab-notation", "vocab-scheme", "vocab-orphan",
                  "vocab-duplicate-notation", "vocab-ambiguous-label"):
        report.checks_run.append(check)
    schemes = {s for s in index.instances(SKOS + "ConceptScheme") if isinstance(s, NamedNode)}
    concepts = sorted((c for c in index.instances(SKOS + "Concept") if isinstance(c, NamedNode)), key=str)
    notations: dict[tuple[NamedNode, str], list[str]] = defaultdict(list)
    names: dict[tuple[NamedNode, str], set[str]] = defaultdict(set)
    for scheme in sorted(schemes, key=str):
        for language in LANGUAGES:
            if not any(label.language == language for label in index.literals(scheme, SKOS + "prefLabel")):
                report.add("vocab-scheme", "WARN", scheme.value, f"scheme has no skos:prefLabel in '{language}'")
    for concept in concepts:
        iri = concept.value
        _check_concept_texts(index, concept, report)
        own_notations = index.literals(concept, SKOS + "notation")
        if len(own_notations) != 1:
            report.add("vocab-notation", "ERROR", iri, f"has {len(own_notations)} skos:notation, needs exactly one")
        in_schemes = [s for s in index.objects(concept, SKOS + "inScheme") if isinstance(s, NamedNode)]
        if not in_schemes:
            report.add("vocab-scheme", "ERROR", iri, "no skos:inScheme")
        for scheme in in_schemes:
            if scheme not in schemes:
                report.add("vocab-scheme", "ERROR", iri, f"skos:inScheme {scheme.value}: not a skos:ConceptScheme")
                continue
            if not _anchored(index, concept, scheme):
                report.add("vocab-orphan", "ERROR", iri,
                           f"neither a top concept of {scheme.value} nor skos:broader a concept of it")
            for notation in own_notations:
                notations[(scheme, notation.value)].append(iri)
            for text in _names(index, concept):
                names[(scheme, fold_label(text))].add(iri)
    for (scheme, code), users in sorted(notations.items(), key=lambda item: (str(item[0][0]), item[0][1])):
        if len(users) > 1:
            report.add("vocab-duplicate-notation", "ERROR", scheme.value,
                       f"notation {code!r} is used by {', '.join(sorted(users))}")
    for (scheme, key), named in sorted(names.items(), key=lambda item: (str(item[0][0]), item[0][1])):
        if len(named) > 1:
            report.add("vocab-ambiguous-label", "ERROR", scheme.value,
                       f"label or notation {key!r} (folded) names {', '.join(sorted(named))}")


def _check_concept_texts(index: TripleIndex, concept: NamedNode, report: CheckReport) -> None:
    pref = index.literals(concept, SKOS + "prefLabel")
    definitions = index.literals(concept, SKOS + "definition")
    # SKOS integrity condition S13: a text is either the preferred or an alternative label, not both.
    for label in sorted(set(pref) & set(index.literals(concept, SKOS + "altLabel")), key=str):
        report.add("vocab-labels", "ERROR", concept.value, f"{label} is both skos:prefLabel and skos:altLabel")
    for language in LANGUAGES:
        count = sum(1 for label in pref if label.language == language)
        if count != 1:
            problem = "no" if count == 0 else f"{count}"
            report.add("vocab-labels", "ERROR", concept.value, f"{problem} skos:prefLabel in '{language}', needs one")
        if not any(definition.language == language for definition in definitions):
            report.add("vocab-definitions", "ERROR", concept.value, f"no skos:definition in '{language}'")


def _anchored(index: TripleIndex, concept: NamedNode, scheme: NamedNode) -> bool:
    """Top concept of ``scheme`` (either direction of the link), or narrower than a concept of it."""
    if index.has(concept, SKOS + "topConceptOf", scheme) or index.has(scheme, SKOS + "hasTopConcept", concept):
        return True
    return any(index.has(parent, SKOS + "inScheme", scheme) for parent in index.objects(concept, SKOS + "broader"))


def _names(index: TripleIndex, concept: NamedNode) -> set[str]:
    """Everything a survey answer may use to name the concept: notation and every pref/alt label."""
    texts = {literal.value for literal in index.literals(concept, SKOS + "notation")}
    for predicate in (SKOS + "prefLabel", SKOS + "altLabel"):
        texts.update(literal.value for literal in index.literals(concept, predicate))
    return {text for text in texts if fold_label(text)}


def _check_catalog(ontology_dir: Path, index: TripleIndex, report: CheckReport) -> None:
    """Protégé resolves the ontology and its imports through catalog-v001.xml; every entry must lead to a file."""
    check = "catalog"
    report.checks_run.append(check)
    catalog = ontology_dir / CATALOG
    imports = sorted(str(target.value) for ontology in index.instances(OWL + "Ontology")
                     for target in index.objects(ontology, OWL + "imports") if isinstance(target, NamedNode))
    if not catalog.is_file():
        severity: Severity = "ERROR" if imports else "WARN"
        report.add(check, severity, str(catalog), "no Protégé catalog: Protégé would look the ontology IRIs up online")
        return
    try:
        root = safe_xml.parse(catalog).getroot()
    except (ParseError, DefusedXmlException) as error:
        report.add(check, "ERROR", str(catalog), f"not a readable XML catalog: {error}")
        return
    entries = {element.get("name", ""): element.get("uri", "") for element in root.iter(f"{{{CATALOG_NS}}}uri")}
    for name, local in sorted(entries.items()):
        if "://" in local or not (ontology_dir / local).is_file():
            report.add(check, "ERROR", name, f"catalog maps it to {local!r}, not a file of {ontology_dir.name}/")
    for target in imports:
        if target not in entries:
            report.add(check, "ERROR", target, "owl:imports target without a catalog entry: Protégé would fetch it")
    for ontology in sorted(index.instances(OWL + "Ontology"), key=str):
        own = [ontology, *index.objects(ontology, OWL + "versionIRI")]
        for term in own:
            if isinstance(term, NamedNode) and term.value not in entries:
                report.add(check, "WARN", term.value, "no catalog entry for the ontology's own IRI")


def _check_shapes(shapes_dir: Path, index: TripleIndex, report: CheckReport) -> None:
    report.checks_run.extend(["shape-unknown-class", "shape-unknown-term"])
    if not shapes_dir.is_dir():
        report.add("parse", "ERROR", str(shapes_dir), "shapes folder not found")
        return
    declared_classes = {c.value for c in index.instances(OWL + "Class") if isinstance(c, NamedNode)}
    declared_bm = _declared_bm_terms(index)
    for file in sorted(shapes_dir.glob("*.ttl")):
        try:
            shapes = read_triples(file)
        except OntologyFileError as error:
            report.add("parse", "ERROR", str(file), error.reason)
            continue
        classes = {t.object.value for t in shapes if t.predicate.value in (SH + "targetClass", SH + "class")
                   and isinstance(t.object, NamedNode)}
        for iri in sorted(classes):
            known = iri in declared_classes or (iri.startswith(REUSED_NAMESPACES) and not iri.startswith(BM))
            if not known:
                report.add("shape-unknown-class", "ERROR", iri,
                           f"used by sh:targetClass/sh:class in {file.name} but not an owl:Class of the ontology "
                           "nor a term of a reused vocabulary")
        used_bm = {term.value for t in shapes for term in (t.subject, t.predicate, t.object)
                   if isinstance(term, NamedNode) and term.value.startswith(BM)}
        for iri in sorted(used_bm - declared_bm - classes):
            report.add("shape-unknown-term", "ERROR", iri, f"used in {file.name} but not declared in the ontology")


def _check_reasoner(triples: list[Triple], report: CheckReport) -> None:
    check = "reasoner"
    report.checks_run.append(check)
    java = shutil.which("java")
    if java is None:
        report.add(check, "WARN", "HermiT", "java not found on PATH: consistency was not checked")
        return
    try:
        result = run_hermit(triples, java)
    except ReasonerError as error:
        report.add(check, "ERROR", "HermiT", f"the reasoner failed: {error}")
        return
    if not result.consistent:
        report.add(check, "ERROR", "HermiT", "the ontology with its vocabularies is inconsistent")
    for iri in result.unsatisfiable:
        report.add(check, "ERROR", iri, "unsatisfiable class (equivalent to owl:Nothing)")


def _text(term: NamedNode | BlankNode | Literal | Triple | None) -> str:
    if term is None:
        return ""
    if isinstance(term, NamedNode | Literal):
        return term.value
    return str(term)


def _short(iri: str) -> str:
    for prefix, namespace in (("rdfs:", RDFS), ("rdf:", RDF), ("owl:", OWL), ("skos:", SKOS),
                              ("dcterms:", DCTERMS), ("bm:", BM)):
        if iri.startswith(namespace):
            return prefix + iri[len(namespace):]
    return iri

