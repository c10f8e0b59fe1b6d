"""The NUTS 2021 classification (Eurostat), read from the CSV copy in ``data/reference/nuts/``.

The CSV is taken as it comes (see its SOURCE.md): levels written ``0.0``..``3.0``, a region's name only in the
column of its own level, a non-data heading row with empty fields, Extra-Regio ``..Z`` codes (kept), Greece ``EL``
and the United Kingdom ``UK`` where ISO 3166 says ``GR`` and ``GB``.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

from pyoxigraph import Literal, NamedNode, Triple

from vcgraph.namespaces import BM, DCTERMS, NUTS_SCHEME, RDF, SKOS, XSD, nuts

NUTS_CSV = Path("reference") / "nuts" / "nuts_2021_eurostat.csv"
"""Where the code list sits under ``Settings.data_dir``."""

SOURCE = "https://ec.europa.eu/eurostat/web/nuts"
LICENSE = "https://creativecommons.org/licenses/by/4.0/"
ATTRIBUTION = "NUTS 2021 classification, © European Union, Eurostat (reuse with attribution, CC BY 4.0)"

# ISO 3166-1 alpha-2 -> the NUTS country code, where they differ.
ISO_TO_NUTS = {"GR": "EL", "GB": "UK"}
NUTS_TO_ISO = {v: k for k, v in ISO_TO_NUTS.items()}
_CODE = re.compile(r"^[A-Z]{2}[A-Z0-9]{0,3}$")


class NutsError(ValueError):
    """The NUTS code list cannot be read."""


@dataclass(frozen=True)
class Region:
    code: str
    level: int
    name: str


class NutsIndex:
    """Every NUTS 2021 code, its level, name and parent chain."""

    def __init__(self, regions: dict[str, Region]) -> None:
        self.regions = regions

    @classmethod
    def load(cls, path: Path) -> NutsIndex:
        try:
            text = path.read_text(encoding="utf-8-sig")
        except OSError as exc:
            raise NutsError(f"cannot read the NUTS code list {path}: {exc}") from exc
        return cls.parse(text, str(path))

    @classmethod
    def parse(cls, text: str, name: str = "<nuts>") -> NutsIndex:
        regions: dict[str, Region] = {}
        reader = csv.DictReader(io.StringIO(text, newline=""))
        expected = {"nuts_code", "nuts_level", "country", "nuts_1", "nuts_2", "nuts_3"}
        if not reader.fieldnames or not expected <= set(reader.fieldnames):
            raise NutsError(f"{name}: expected the columns {sorted(expected)}, found {reader.fieldnames}")
        for row in reader:
            code = (row["nuts_code"] or "").strip()
            level_text = (row["nuts_level"] or "").strip()
            if not level_text:  # the heading row between EU and EFTA/candidate countries
                continue
            try:
                level = int(float(level_text))
            except ValueError as exc:
                raise NutsError(f"{name}, line {reader.line_num}: level {level_text!r} is not a number") from exc
            if not _CODE.match(code) or level != len(code) - 2 or not 0 <= level <= 3:
                raise NutsError(f"{name}, line {reader.line_num}: {code!r} is not a NUTS code of level {level}")
            column = "country" if level == 0 else f"nuts_{level}"
            regions[code] = Region(code, level, (row[column] or "").strip() or code)
        if not regions:
            raise NutsError(f"{name} holds no NUTS code")
        return cls(regions)

    def exists(self, code: str) -> bool:
        return code in self.regions

    def level(self, code: str) -> int | None:
        region = self.regions.get(code)
        return region.level if region else None

    def parent(self, code: str) -> str | None:
        if len(code) <= 2:
            return None
        return code[:-1]

    def parents(self, code: str) -> list[str]:
        """The chain of broader codes up to the country, nearest first."""
        chain: list[str] = []
        current = self.parent(code)
        while current is not None:
            chain.append(current)
            current = self.parent(current)
        return chain

    def country(self, code: str) -> str:
        """The ISO 3166-1 alpha-2 country of a code (``EL30`` -> ``GR``)."""
        prefix = code[:2]
        return NUTS_TO_ISO.get(prefix, prefix)

    def name(self, code: str) -> str | None:
        region = self.regions.get(code)
        return region.name if region else None


def nuts_prefix(iso_country: str) -> str:
    """The NUTS country code for an ISO 3166-1 alpha-2 code (``GR`` -> ``EL``)."""
    return ISO_TO_NUTS.get(iso_country, iso_country)


def nuts_triples(index: NutsIndex) -> list[Triple]:
    """The code list as SKOS concepts (docs/model.md, graph ``{base}graph/nuts``), with its attribution."""
    t = NamedNode(RDF + "type")
    scheme = NamedNode(NUTS_SCHEME)
    in_scheme = NamedNode(SKOS + "inScheme")
    level_of = NamedNode(BM + "nutsLevel")
    within = NamedNode(BM + "withinRegion")
    integer = NamedNode(XSD + "integer")
    out = [
        Triple(scheme, t, NamedNode(SKOS + "ConceptScheme")),
        Triple(scheme, NamedNode(SKOS + "prefLabel"), Literal("NUTS 2021", language="en")),
        # DCAT-AP's category-scheme shape asks for a title: the export describes this scheme as one.
        Triple(scheme, NamedNode(DCTERMS + "title"), Literal("NUTS 2021", language="en")),
        Triple(scheme, NamedNode(DCTERMS + "source"), NamedNode(SOURCE)),
        Triple(scheme, NamedNode(DCTERMS + "license"), NamedNode(LICENSE)),
        Triple(scheme, NamedNode(DCTERMS + "rightsHolder"), Literal("European Union, Eurostat")),
        Triple(scheme, NamedNode(DCTERMS + "bibliographicCitation"), Literal(ATTRIBUTION)),
    ]
    for code in sorted(index.regions):
        region = index.regions[code]
        concept = nuts(code)
        out += [
            Triple(concept, t, NamedNode(SKOS + "Concept")),
            Triple(concept, in_scheme, scheme),
            Triple(concept, NamedNode(SKOS + "notation"), Literal(code)),
            Triple(concept, NamedNode(SKOS + "prefLabel"), Literal(region.name)),
            Triple(concept, level_of, Literal(str(region.level), datatype=integer)),
        ]
        parent = index.parent(code)
        if parent is None:
            out.append(Triple(concept, NamedNode(SKOS + "topConceptOf"), scheme))
        elif parent in index.regions:
            out.append(Triple(concept, NamedNode(SKOS + "broader"), nuts(parent)))
        # The region and every region above it, one triple each: a query finds a region's actors starting from
        # this one pattern (region bound); pyoxigraph planned the four skos:broader paths it replaces after
        # reading the whole wave (docs/model.md).
        out += [Triple(concept, within, nuts(c)) for c in [code, *index.parents(code)] if c in index.regions]
    return out
