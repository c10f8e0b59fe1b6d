"""The canonical vcgraph survey template: its columns, the notations its cells may hold, and writers.

Shared by the hand-shaped demo (``data/demo/make_demo.py``) and the synthetic benchmark generator
(``bench/generate_survey.py``) so both always write the same template. Stdlib + openpyxl only: these scripts must
run without the vcgraph package (they produce its input, they do not depend on it).

The notations are those of ``docs/model.md`` and the domain brief (stages S01..S16, technology families
T01..T20, product classes P01..P12, actor types A01..A17 in the order of the brief's table 3.2, skills K01..K15).
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterable, Mapping
from datetime import datetime
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
NUTS_REFERENCE = REPO_ROOT / "data" / "reference" / "nuts" / "nuts_2021_eurostat.csv"

STAGES = tuple(f"S{i:02d}" for i in range(1, 17))
TECHNOLOGIES = tuple(f"T{i:02d}" for i in range(1, 21))
PRODUCT_CLASSES = tuple(f"P{i:02d}" for i in range(1, 13))
ACTOR_TYPES = tuple(f"A{i:02d}" for i in range(1, 18))
SKILLS = tuple(f"K{i:02d}" for i in range(1, 16))
SECTORS = ("biopharma", "engineering", "ict", "supply-chain")
SIZES = ("micro", "small", "medium", "large")
GMP_STATUSES = ("non-gmp", "gmp-ready", "gmp-certified", "not-applicable")
STAGE_MODES = ("offer", "in-house", "plan", "need")
TECH_MODES = ("develop", "routine", "pilot", "interested", "need")
# A TRL only makes sense for a technology the organisation actually runs (brief section 2.2).
TECH_MODES_WITH_TRL = ("develop", "routine", "pilot")
URGENCIES = ("<6m", "6-24m", ">24m")
VISIBILITIES = ("public", "members", "anonymous")
CONSENTS = ("yes", "no")
COUNTRIES = ("BE", "FR")
NEED_SLOTS = (1, 2, 3)
NEED_FIELDS = ("stage", "technology", "product_class", "min_trl", "urgency", "text")
MULTI_VALUE_SEPARATOR = ";"

COLUMNS: tuple[str, ...] = (
    "response_id",
    "submitted",
    "organisation",
    "organisation_id",
    "website",
    "country",
    "nuts",
    "actor_type",
    "size",
    "sectors",
    "clusters",
    "product_classes",
    "gmp_status",
    *(f"stage_{s}" for s in STAGES),
    *(f"tech_{t}" for t in TECHNOLOGIES),
    *(f"trl_{t}" for t in TECHNOLOGIES),
    *(f"need{n}_{field}" for n in NEED_SLOTS for field in NEED_FIELDS),
    "skills_shortage",
    "training_offered",
    "contact_email",
    "visibility",
    "consent_contact",
)

# The few English skos:prefLabels (ontology/vocab-*.ttl) the demo writes instead of a notation, as a respondent
# picking from a labelled list would; the template accepts labels as well as notations.
LABELS: dict[str, dict[str, str]] = {
    "actor-type": {"CDMO / CMO": "A03", "Logistics / cold-chain provider": "A07"},
    "product-class": {
        "mRNA vaccines & therapeutics": "P05",
        "Viral vectors": "P07",
        "Autologous cell therapy": "P08",
    },
}


def notation(scheme: str, value: str) -> str:
    """The notation a cell value stands for: itself, or the notation of one of :data:`LABELS`."""
    return LABELS.get(scheme, {}).get(value, value)


# Columns a spreadsheet would hold as numbers; the XLSX files store them as integers, the CSV as digits.
INTEGER_COLUMNS = frozenset({*(f"trl_{t}" for t in TECHNOLOGIES), *(f"need{n}_min_trl" for n in NEED_SLOTS)})

Row = dict[str, str]


def empty_row() -> Row:
    """A row with every template column present and empty (a blank cell means 'not answered')."""
    return dict.fromkeys(COLUMNS, "")


def load_nuts_levels(path: Path = NUTS_REFERENCE) -> dict[str, int]:
    """NUTS 2021 code -> level (0..3) from the Eurostat reference CSV, skipping its non-data heading row."""
    levels: dict[str, int] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        for record in csv.DictReader(handle):
            level = record["nuts_level"].strip()
            if level:
                levels[record["nuts_code"].strip()] = int(float(level))
    return levels


def belgian_enterprise_number(serial: int) -> str:
    """A well-formed Belgian enterprise/VAT number ``BE0xxxxxxxcc`` (check digits = 97 - first 8 digits mod 97).

    The numbers are synthetic: valid check digits so a validating importer accepts them, no claim they exist.
    """
    base = 4_000_000 + serial % 5_000_000  # 8 digits "0xxxxxxx", like the enterprise numbers issued today
    check = 97 - base % 97
    return f"BE{base:08d}{check:02d}"


def _luhn_check_digit(digits: str) -> int:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 0:  # doubled positions, counted from the digit left of the check digit
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return (10 - total % 10) % 10


def french_vat_number(serial: int) -> str:
    """A well-formed French VAT number ``FRkkSSSSSSSSS``: a Luhn-valid SIREN and its key (12 + 3*(SIREN mod 97)) mod 97.

    Synthetic, like :func:`belgian_enterprise_number`.
    """
    stem = f"{(400_000_00 + serial * 7919) % 100_000_000:08d}"
    siren = stem + str(_luhn_check_digit(stem))
    key = (12 + 3 * (int(siren) % 97)) % 97
    return f"FR{key:02d}{siren}"


def write_csv(rows: Iterable[Mapping[str, str]], path: Path) -> int:
    """Write rows as UTF-8 CSV (header = :data:`COLUMNS`, ``\\n`` line ends, minimal quoting); return the count."""
    count = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(COLUMNS)
        for row in rows:
            writer.writerow([row[column] for column in COLUMNS])
            count += 1
    return count


# A fixed instant for everything the XLSX container would otherwise stamp with "now", so reruns are identical.
_FIXED_ZIP_TIME = (2025, 1, 1, 0, 0, 0)
_FIXED_CORE_TIME = datetime(2025, 1, 1)


def write_xlsx(rows: Iterable[Mapping[str, str]], path: Path, sheet_title: str) -> int:
    """Write rows to the first sheet of an XLSX workbook, header in row 1; return the row count.

    Cells are strings, except :data:`INTEGER_COLUMNS` (integers, as a spreadsheet export would hold them) and
    empty answers (no cell at all). The file is byte-for-byte reproducible: openpyxl stamps the document
    properties and the zip entries with the current time, so both are pinned to a fixed instant.
    """
    from openpyxl import Workbook
    from openpyxl.writer.excel import ExcelWriter

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None  # a new Workbook always has one sheet
    sheet.title = sheet_title
    sheet.append(list(COLUMNS))
    count = 0
    for row in rows:
        values: list[str | int | None] = []
        for column in COLUMNS:
            value = row[column]
            if not value:
                values.append(None)
            elif column in INTEGER_COLUMNS:
                values.append(int(value))
            else:
                values.append(value)
        sheet.append(values)
        count += 1

    # ExcelWriter (unlike openpyxl.save_workbook) does not reset properties.modified, so both stamps stay pinned.
    workbook.properties.created = _FIXED_CORE_TIME
    workbook.properties.modified = _FIXED_CORE_TIME
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(workbook, archive).write_data()
    _rezip_with_fixed_times(buffer.getvalue(), path)
    return count


def _rezip_with_fixed_times(data: bytes, path: Path) -> None:
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            pinned = zipfile.ZipInfo(info.filename, date_time=_FIXED_ZIP_TIME)
            pinned.compress_type = zipfile.ZIP_DEFLATED
            pinned.external_attr = info.external_attr
            target.writestr(pinned, source.read(info.filename))


def read_csv(path: Path) -> list[Row]:
    """The rows of a template CSV, as written by :func:`write_csv` (for checks and tests)."""
    with path.open(encoding="utf-8", newline="") as handle:
        return [dict(record) for record in csv.DictReader(handle)]


def split_multi(cell: str) -> list[str]:
    """The values of a multi-valued cell (``a;b``), blanks dropped."""
    return [value.strip() for value in cell.split(MULTI_VALUE_SEPARATOR) if value.strip()]


def _is_belgian_enterprise_number(value: str) -> bool:
    digits = value[2:]
    return (
        len(digits) == 10 and digits.isdigit() and digits[0] in "01" and 97 - int(digits[:8]) % 97 == int(digits[8:])
    )


def _is_french_vat_number(value: str) -> bool:
    digits = value[2:]
    if len(digits) != 11 or not digits.isdigit():
        return False
    siren = digits[2:]
    return _luhn_check_digit(siren[:8]) == int(siren[8]) and (12 + 3 * (int(siren) % 97)) % 97 == int(digits[:2])


def organisation_id_kind(value: str) -> str | None:
    """``"BE"`` (enterprise number), ``"FR"`` (VAT), ``"PIC"`` (9 digits) or None when malformed."""
    if value.startswith("BE") and _is_belgian_enterprise_number(value):
        return "BE"
    if value.startswith("FR") and _is_french_vat_number(value):
        return "FR"
    if len(value) == 9 and value.isdigit():
        return "PIC"
    return None


# A family (T05) or a narrower technology of it (T05.02), as in ontology/vocab-technology.ttl.
_TECHNOLOGY_NOTATION = re.compile(r"^T(0[1-9]|1[0-9]|20)(\.\d{2})?$")


def row_problems(row: Mapping[str, str], nuts_levels: Mapping[str, int]) -> list[str]:
    """Every way ``row`` breaks the template's rules, as ``"column: reason"`` texts (empty = a valid row).

    The rules are those the demo and the synthetic generator promise: notations only, NUTS codes of level 1-3 of
    the row's country, a TRL exactly where a technology is run, needs naming a stage or a technology.
    """
    problems: list[str] = []

    def check(
        column: str, allowed: Iterable[str], multi: bool = False, required: bool = False, scheme: str = ""
    ) -> None:
        value = row[column]
        values = split_multi(value) if multi else ([value] if value else [])
        values = [notation(scheme, v) for v in values]
        if required and not values:
            problems.append(f"{column}: missing")
        allowed_set = set(allowed)
        problems.extend(f"{column}: {v!r} not allowed" for v in values if v not in allowed_set)

    for column in ("response_id", "submitted", "organisation"):
        if not row[column]:
            problems.append(f"{column}: missing")
    if row["submitted"]:
        try:
            datetime.fromisoformat(row["submitted"])
        except ValueError:
            problems.append(f"submitted: {row['submitted']!r} is not ISO 8601")
    if row["organisation_id"] and organisation_id_kind(row["organisation_id"]) is None:
        problems.append(f"organisation_id: {row['organisation_id']!r} malformed")
    if row["website"] and not row["website"].startswith("https://"):
        problems.append(f"website: {row['website']!r} is not an https URL")
    check("country", COUNTRIES, required=True)
    code, country = row["nuts"], row["country"]
    if nuts_levels.get(code) not in (1, 2, 3) or not code.startswith(country) or code.endswith("Z"):
        problems.append(f"nuts: {code!r} is not a NUTS 2021 region of {country}")
    check("actor_type", ACTOR_TYPES, required=True, scheme="actor-type")
    check("size", SIZES)
    check("sectors", SECTORS, multi=True, required=True)
    check("product_classes", PRODUCT_CLASSES, multi=True, scheme="product-class")
    check("gmp_status", GMP_STATUSES)
    for stage in STAGES:
        check(f"stage_{stage}", STAGE_MODES)
    for tech in TECHNOLOGIES:
        check(f"tech_{tech}", TECH_MODES)
        trl, mode = row[f"trl_{tech}"], row[f"tech_{tech}"]
        if mode in TECH_MODES_WITH_TRL and trl not in {str(level) for level in range(1, 10)}:
            problems.append(f"trl_{tech}: {trl!r} should be a TRL 1-9 for a {mode} technology")
        if mode not in TECH_MODES_WITH_TRL and trl:
            problems.append(f"trl_{tech}: {trl!r} given for a technology that is not run ({mode or 'empty'})")
    for n in NEED_SLOTS:
        fields = {name: row[f"need{n}_{name}"] for name in NEED_FIELDS}
        if any(fields.values()) and not (fields["stage"] or fields["technology"]):
            problems.append(f"need{n}_stage: a need names a stage or a technology")
        check(f"need{n}_stage", STAGES)
        if fields["technology"] and not _TECHNOLOGY_NOTATION.match(fields["technology"]):
            problems.append(f"need{n}_technology: {fields['technology']!r} not allowed")
        check(f"need{n}_product_class", PRODUCT_CLASSES)
        check(f"need{n}_min_trl", [str(level) for level in range(1, 10)])
        check(f"need{n}_urgency", URGENCIES)
        if "@" in fields["text"]:
            problems.append(f"need{n}_text: holds an e-mail address")
    check("skills_shortage", SKILLS, multi=True)
    check("training_offered", SKILLS, multi=True)
    email = row["contact_email"]
    if email and not (email.endswith((".test", "@example.org", ".example.org")) and email.count("@") == 1):
        problems.append(f"contact_email: {email!r} is not in a reserved example domain")
    check("visibility", VISIBILITIES, required=True)
    check("consent_contact", CONSENTS)
    return problems
