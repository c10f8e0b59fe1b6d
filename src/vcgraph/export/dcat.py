"""The DCAT-AP 3 catalogue (``catalog.ttl``) of an export, for data.europa.eu and national CKAN portals.

Code-list values (file types, licence, languages, frequency, themes, access rights...) are the EU Publications
Office authority IRIs. Each is typed and given its ``skos:inScheme`` here, as the official shapes check the class
and the scheme of a value without fetching the code lists.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from vcgraph.config import Settings
from vcgraph.export.layout import CATALOG_FILE, WaveInfo, sparql_endpoint, void_document
from vcgraph.export.rdfbuild import Triples, day, text, typed
from vcgraph.export.serialize import ADMS, DCAT, DCATAP, FOAF, SPDX, VCARD
from vcgraph.namespaces import DCTERMS, PROV, RDF, SKOS, XSD

AUTHORITY = "http://publications.europa.eu/resource/authority/"
IANA = "https://www.iana.org/assignments/media-types/"
LICENCE = AUTHORITY + "licence/CC_BY_4_0"
LICENCE_TYPE_SCHEME = "http://purl.org/adms/licencetype/1.0"
PUBLISHER_TYPE = "http://purl.org/adms/publishertype/NonProfitOrganisation"
PUBLISHER_TYPE_SCHEME = "http://purl.org/adms/publishertype/1.0"
SHA256 = SPDX + "checksumAlgorithm_sha256"
SPARQL_PROTOCOL = "https://www.w3.org/TR/sparql11-protocol/"
DCAT_AP_3 = "http://data.europa.eu/r5r/"

# (authority table, code, class of the value, English label)
CODES: dict[str, tuple[str, str, str, str]] = {
    "ENG": ("language", "ENG", DCTERMS + "LinguisticSystem", "English"),
    "FRA": ("language", "FRA", DCTERMS + "LinguisticSystem", "French"),
    "IRREG": ("frequency", "IRREG", DCTERMS + "Frequency", "irregular"),
    "HEAL": ("data-theme", "HEAL", SKOS + "Concept", "Health"),
    "TECH": ("data-theme", "TECH", SKOS + "Concept", "Science and technology"),
    "ECON": ("data-theme", "ECON", SKOS + "Concept", "Economy and finance"),
    "PUBLIC": ("access-right", "PUBLIC", DCTERMS + "RightsStatement", "public"),
    "STABLE": ("planned-availability", "STABLE", SKOS + "Concept", "stable"),
    "COMPLETED": ("distribution-status", "COMPLETED", SKOS + "Concept", "Completed"),
}
SCHEME_TITLES = {
    "language": "Languages",
    "frequency": "Frequency",
    "data-theme": "Data theme",
    "access-right": "Access right",
    "planned-availability": "Planned availability",
    "distribution-status": "Distribution status",
    "file-type": "File type",
    "country": "Countries and territories",
}
THEMES = ("HEAL", "TECH", "ECON")

# ISO 3166-1 alpha-2 -> the Publications Office country table's code (ISO alpha-3), for the European countries the
# surveys cover; an actor from elsewhere simply adds no spatial coverage (the code list is not fetched).
EU_COUNTRY_CODES: dict[str, tuple[str, str]] = {
    "AT": ("AUT", "Austria"), "BE": ("BEL", "Belgium"), "BG": ("BGR", "Bulgaria"), "CH": ("CHE", "Switzerland"),
    "CY": ("CYP", "Cyprus"), "CZ": ("CZE", "Czechia"), "DE": ("DEU", "Germany"), "DK": ("DNK", "Denmark"),
    "EE": ("EST", "Estonia"), "ES": ("ESP", "Spain"), "FI": ("FIN", "Finland"), "FR": ("FRA", "France"),
    "GB": ("GBR", "United Kingdom"), "GR": ("GRC", "Greece"), "HR": ("HRV", "Croatia"), "HU": ("HUN", "Hungary"),
    "IE": ("IRL", "Ireland"), "IS": ("ISL", "Iceland"), "IT": ("ITA", "Italy"), "LI": ("LIE", "Liechtenstein"),
    "LT": ("LTU", "Lithuania"), "LU": ("LUX", "Luxembourg"), "LV": ("LVA", "Latvia"), "MT": ("MLT", "Malta"),
    "NL": ("NLD", "Netherlands"), "NO": ("NOR", "Norway"), "PL": ("POL", "Poland"), "PT": ("PRT", "Portugal"),
    "RO": ("ROU", "Romania"), "SE": ("SWE", "Sweden"), "SI": ("SVN", "Slovenia"), "SK": ("SVK", "Slovakia"),
}


def code(key: str) -> str:
    table, notation, _cls, _label = CODES[key]
    return f"{AUTHORITY}{table}/{notation}"


@dataclass(frozen=True)
class Distribution:
    """One exported file as the catalogue describes it."""

    path: str  # relative to the export directory, '/'-separated
    title: str
    description: str
    media_type: str  # IANA, of the content (before compression)
    file_type: str  # Publications Office file-type code
    byte_size: int
    sha256: str
    compressed: bool
    dataset: str | None  # wave identifier, or None for the whole graph


def catalog_triples(
    settings: Settings,
    wave_infos: Sequence[WaveInfo],
    distributions: Sequence[Distribution],
    *,
    generated: date,
    download_base: str,
    countries: dict[str, set[str]] | None = None,
) -> Triples:
    """The catalogue; ``countries`` maps a wave identifier to the ISO codes of its public actors (spatial coverage)."""
    doc = download_base + CATALOG_FILE
    catalog, publisher, contact, whole, service = (
        doc + "#catalog", doc + "#publisher", doc + "#contact", doc + "#dataset", doc + "#sparql-service")
    homepage = settings.base_iri
    out = Triples()
    modified = day(generated)

    out.add_all(catalog, [
        (RDF + "type", DCAT + "Catalog"),
        (DCTERMS + "title", text("vcgraph open data catalogue", "en")),
        (DCTERMS + "title", text("Catalogue de données ouvertes vcgraph", "fr")),
        (DCTERMS + "description", text(
            "Dumps, tables and SPARQL access to the vcgraph knowledge graph of the European healthcare "
            "biomanufacturing value chain.", "en")),
        (DCTERMS + "description", text(
            "Exports, tableaux et accès SPARQL au graphe de connaissances vcgraph de la chaîne de valeur "
            "européenne de la bioproduction en santé.", "fr")),
        (DCTERMS + "publisher", publisher),
        (FOAF + "homepage", homepage),
        (DCTERMS + "language", code("ENG")),
        (DCTERMS + "language", code("FRA")),
        (DCTERMS + "license", LICENCE),
        (DCTERMS + "issued", day(_first_day(wave_infos, generated))),
        (DCTERMS + "modified", modified),
        (DCTERMS + "conformsTo", DCAT_AP_3),
        (DCAT + "themeTaxonomy", AUTHORITY + "data-theme"),
        (DCAT + "dataset", whole),
        (DCAT + "service", service),
    ])
    out.add(DCAT_AP_3, RDF + "type", DCTERMS + "Standard")
    out.add(homepage, RDF + "type", FOAF + "Document")
    out.add_all(publisher, [
        (RDF + "type", FOAF + "Agent"),
        (RDF + "type", FOAF + "Organization"),
        (FOAF + "name", text("vcgraph project", "en")),
        (FOAF + "homepage", homepage),
        (DCTERMS + "type", PUBLISHER_TYPE),
    ])
    out.add_all(PUBLISHER_TYPE, [
        (RDF + "type", SKOS + "Concept"),
        (SKOS + "prefLabel", text("Non-profit organisation", "en")),
        (SKOS + "inScheme", PUBLISHER_TYPE_SCHEME),
    ])
    out.add_all(PUBLISHER_TYPE_SCHEME, [
        (RDF + "type", SKOS + "ConceptScheme"),
        (DCTERMS + "title", text("Publisher type", "en")),
    ])
    out.add_all(contact, [
        (RDF + "type", VCARD + "Kind"),
        (RDF + "type", VCARD + "Organization"),
        (VCARD + "fn", text("vcgraph project")),
        (VCARD + "hasURL", homepage),  # a web page, not a mailbox: no e-mail address in any export
    ])

    def describe_dataset(iri: str, title_en: str, title_fr: str, description: str) -> None:
        out.add_all(iri, [
            (RDF + "type", DCAT + "Dataset"),
            (DCTERMS + "title", text(title_en, "en")),
            (DCTERMS + "title", text(title_fr, "fr")),
            (DCTERMS + "description", text(description, "en")),
            (DCTERMS + "publisher", publisher),
            (DCAT + "contactPoint", contact),
            (DCTERMS + "language", code("ENG")),
            (DCTERMS + "language", code("FRA")),
            (DCTERMS + "accrualPeriodicity", code("IRREG")),
            (DCTERMS + "accessRights", code("PUBLIC")),
            (DCTERMS + "license", LICENCE),
            (DCTERMS + "modified", modified),
            (DCAT + "landingPage", homepage),
            (DCAT + "keyword", text("biomanufacturing", "en")),
            (DCAT + "keyword", text("value chain", "en")),
            (DCAT + "keyword", text("knowledge graph", "en")),
            (DCAT + "keyword", text("bioproduction", "fr")),
        ])
        for theme in THEMES:
            out.add(iri, DCAT + "theme", code(theme))

    describe_dataset(
        whole, "vcgraph knowledge graph (all waves)", "Graphe de connaissances vcgraph (toutes les vagues)",
        "The whole public graph: every survey wave, the ontology, the SKOS vocabularies and the NUTS regions. "
        "Actors that are not public appear only in the aggregates table.",
    )
    out.add(whole, DCTERMS + "identifier", text(whole))
    countries = countries or {}
    spatial = {code for codes in countries.values() for code in codes}

    def add_spatial(dataset: str, codes: set[str]) -> None:
        for iso in sorted(codes & EU_COUNTRY_CODES.keys()):
            alpha3, name = EU_COUNTRY_CODES[iso]
            location = f"{AUTHORITY}country/{alpha3}"
            out.add(dataset, DCTERMS + "spatial", location)
            out.add_all(location, [
                (RDF + "type", DCTERMS + "Location"),
                (RDF + "type", SKOS + "Concept"),
                (SKOS + "inScheme", AUTHORITY + "country"),
                (SKOS + "prefLabel", text(name, "en")),
            ])

    add_spatial(catalog, spatial)
    add_spatial(whole, spatial)
    starts = sorted(w.started[:10] for w in wave_infos if w.started)
    ends = sorted(w.ended[:10] for w in wave_infos if w.ended)
    if starts and ends:
        period = f"{doc}#period"
        out.add(whole, DCTERMS + "temporal", period)
        out.add(period, RDF + "type", DCTERMS + "PeriodOfTime")
        out.add(period, DCAT + "startDate", typed(starts[0], XSD + "date"))
        out.add(period, DCAT + "endDate", typed(ends[-1], XSD + "date"))
    out.add(whole, RDF + "type", "http://rdfs.org/ns/void#Dataset")
    out.add(whole, "http://rdfs.org/ns/void#sparqlEndpoint", sparql_endpoint(settings))
    out.add(whole, "http://www.w3.org/2000/01/rdf-schema#seeAlso", void_document(settings))

    wave_dataset: dict[str, str] = {}
    for wave in wave_infos:
        iri = f"{doc}#dataset/wave/{wave.identifier}"
        wave_dataset[wave.identifier] = iri
        describe_dataset(
            iri, f"vcgraph survey wave {wave.identifier}", f"Vague d'enquête vcgraph {wave.identifier}",
            f"What survey wave {wave.identifier} says: public actors, their sites, responses and statements.",
        )
        out.add(iri, DCTERMS + "identifier", text(iri))
        add_spatial(iri, countries.get(wave.identifier, set()))
        out.add(iri, PROV + "wasGeneratedBy", wave.iri)
        out.add(wave.iri, RDF + "type", PROV + "Activity")
        out.add(whole, DCTERMS + "hasPart", iri)
        out.add(iri, DCTERMS + "isPartOf", whole)
        if wave.started and wave.ended:
            period = f"{doc}#period/{wave.identifier}"
            out.add(iri, DCTERMS + "temporal", period)
            out.add(period, RDF + "type", DCTERMS + "PeriodOfTime")
            out.add(period, DCAT + "startDate", typed(wave.started[:10], XSD + "date"))
            out.add(period, DCAT + "endDate", typed(wave.ended[:10], XSD + "date"))

    for dist in distributions:
        iri = f"{doc}#distribution/{dist.path}"
        owner = whole if dist.dataset is None else wave_dataset[dist.dataset]
        checksum = f"{doc}#checksum/{dist.path}"
        media = IANA + dist.media_type
        file_type = f"{AUTHORITY}file-type/{dist.file_type}"
        out.add(owner, DCAT + "distribution", iri)
        out.add_all(iri, [
            (RDF + "type", DCAT + "Distribution"),
            (DCTERMS + "title", text(dist.title, "en")),
            (DCTERMS + "description", text(dist.description, "en")),
            (DCAT + "accessURL", download_base),
            (DCAT + "downloadURL", download_base + dist.path),
            (DCAT + "mediaType", media),
            (DCTERMS + "format", file_type),
            (DCAT + "byteSize", typed(dist.byte_size, XSD + "nonNegativeInteger")),
            ("http://spdx.org/rdf/terms#checksum", checksum),
            (DCTERMS + "license", LICENCE),
            (DCTERMS + "modified", modified),
            (DCATAP + "availability", code("STABLE")),
            (ADMS + "status", code("COMPLETED")),
        ])
        out.add(media, RDF + "type", DCTERMS + "MediaType")
        out.add(file_type, RDF + "type", DCTERMS + "MediaTypeOrExtent")
        out.add(file_type, SKOS + "inScheme", AUTHORITY + "file-type")
        if dist.compressed:
            out.add(iri, DCAT + "compressFormat", IANA + "application/gzip")
            out.add(IANA + "application/gzip", RDF + "type", DCTERMS + "MediaType")
        out.add_all(checksum, [
            (RDF + "type", SPDX + "Checksum"),
            (SPDX + "algorithm", SHA256),
            (SPDX + "checksumValue", typed(dist.sha256, XSD + "hexBinary")),
        ])
    out.add(SHA256, RDF + "type", SPDX + "ChecksumAlgorithm")

    endpoint = sparql_endpoint(settings)
    sparql_distribution = doc + "#distribution/sparql"
    out.add(whole, DCAT + "distribution", sparql_distribution)
    out.add_all(sparql_distribution, [
        (RDF + "type", DCAT + "Distribution"),
        (DCTERMS + "title", text("SPARQL 1.1 endpoint", "en")),
        (DCTERMS + "description", text("Live access to the public graph with SPARQL 1.1 queries.", "en")),
        (DCAT + "accessURL", endpoint),
        (DCAT + "accessService", service),
        (DCTERMS + "format", AUTHORITY + "file-type/SPARQLQ"),
        (DCTERMS + "license", LICENCE),
        (DCATAP + "availability", code("STABLE")),
    ])
    out.add(AUTHORITY + "file-type/SPARQLQ", RDF + "type", DCTERMS + "MediaTypeOrExtent")
    out.add(AUTHORITY + "file-type/SPARQLQ", SKOS + "inScheme", AUTHORITY + "file-type")
    out.add_all(service, [
        (RDF + "type", DCAT + "DataService"),
        (DCTERMS + "title", text("vcgraph SPARQL 1.1 endpoint", "en")),
        (DCTERMS + "description", text("SPARQL 1.1 Protocol endpoint over the public graph (read-only).", "en")),
        (DCAT + "endpointURL", endpoint),
        (DCAT + "endpointDescription", endpoint),
        (DCTERMS + "conformsTo", SPARQL_PROTOCOL),
        (DCTERMS + "format", AUTHORITY + "file-type/SPARQLQ"),
        (DCTERMS + "license", LICENCE),
        (DCTERMS + "accessRights", code("PUBLIC")),
        (DCTERMS + "publisher", publisher),
        (DCAT + "contactPoint", contact),
        (DCAT + "servesDataset", whole),
        (DCAT + "keyword", text("SPARQL", "en")),
        (DCAT + "keyword", text("linked data", "en")),
        *[(DCAT + "servesDataset", wave_dataset[w.identifier]) for w in wave_infos],
        *[(DCAT + "theme", code(theme)) for theme in THEMES],
    ])
    out.add(SPARQL_PROTOCOL, RDF + "type", DCTERMS + "Standard")

    out.add_all(LICENCE, [
        (RDF + "type", DCTERMS + "LicenseDocument"),
        (DCTERMS + "type", "http://purl.org/adms/licencetype/Attribution"),
    ])
    out.add_all("http://purl.org/adms/licencetype/Attribution", [
        (RDF + "type", SKOS + "Concept"),
        (SKOS + "prefLabel", text("Attribution", "en")),
        (SKOS + "inScheme", LICENCE_TYPE_SCHEME),
    ])
    out.add_all(LICENCE_TYPE_SCHEME, [
        (RDF + "type", SKOS + "ConceptScheme"),
        (DCTERMS + "title", text("Licence type", "en")),
    ])
    for key in sorted(CODES):
        table, _notation, cls, label = CODES[key]
        value = code(key)
        out.add_all(value, [
            (RDF + "type", cls),
            (SKOS + "inScheme", AUTHORITY + table),
            (SKOS + "prefLabel", text(label, "en")),
        ])
        if cls != SKOS + "Concept":
            out.add(value, RDF + "type", SKOS + "Concept")
    out.add(homepage, RDF + "type", FOAF + "Document")
    for table, title in SCHEME_TITLES.items():
        out.add_all(AUTHORITY + table, [
            (RDF + "type", SKOS + "ConceptScheme"),
            (DCTERMS + "title", text(title, "en")),
        ])
    return out


def _first_day(wave_infos: Sequence[WaveInfo], generated: date) -> date:
    """When the catalogue's content was first issued: the start of the earliest wave (else ``generated``)."""
    starts = sorted(w.started[:10] for w in wave_infos if w.started)
    for start in starts:
        try:
            return min(date.fromisoformat(start), generated)
        except ValueError:
            continue
    return generated
