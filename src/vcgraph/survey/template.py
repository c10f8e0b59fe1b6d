"""Step 2 of the ingest: rows of the canonical survey template -> typed :class:`SurveyRecord` s + every problem.

The template (docs/model.md and the README) fixes the column names; their order is free and unknown columns are
reported as warnings and ignored. Every problem of every row is reported at once, each as a :class:`RowError`
naming its row and column, so a respondent can fix the file in one pass.

Decisions the template leaves open, taken here:

* ``trl_Txx`` needs a ``tech_Txx`` of ``develop``, ``routine`` or ``pilot``: a TRL without a relation, or with
  ``interested``/``need`` (nothing is operated at a maturity), is an error rather than silently dropped.
* One response per organisation and wave: a second row with the same actor key (same ``organisation_id``, or same
  name and country) is an error naming the first row, since both would describe one actor differently.
* ``organisation_id`` is compared without spaces, dots, dashes and slashes and upper-cased (``BE 0123.456.789`` is
  ``BE0123456789``), so the actor keeps its IRI across waves however the number was typed.
* ``website`` must be an ``http(s)`` URL; a bare host (``www.example.org``) is read as ``https://www.example.org``.
* ``consent_contact`` accepts ``yes``/``no`` and their French and boolean spellings (``oui``, ``non``, ``true``,
  ``false``: what a spreadsheet checkbox exports).
* Free text of a need may not hold an e-mail address: personal data goes to ``contact_email`` only.
* ``country`` is ISO 3166-1 alpha-2: ``EL`` and ``UK`` (NUTS spellings) are refused with ``GR``/``GB`` suggested;
  a ``nuts`` code belongs to the country whose NUTS prefix it carries (``GR`` -> ``EL..``, ``GB`` -> ``UK..``).
* A TRL (``trl_Txx``, ``needN_min_trl``) is a whole number 1-9 or any label of the trl scheme (``TRL 6``).
* ``organisation_id`` holds at most 64 characters, names at most 300, need texts at most 1000.
* A header with no answer row is an error: ingesting it would empty the wave.
* A curator's merges (``merges``: actor key -> surviving actor key, from ``data/curation/merges.csv``) put a row
  under the surviving actor; two rows of one wave that end up as one actor are the usual duplicate-organisation
  error. A merge between an anonymous and a named actor is refused on the row: it would name the anonymous one.
* The ``<question>_other`` columns (:data:`OTHER_TEXT_COLUMNS`) hold the free text of "Other" answers that a
  survey-tool mapping could not match to a vocabulary value; they are kept as text (at most 1000 characters, no
  e-mail address, like a need's text) so nothing a respondent wrote is lost.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from urllib.parse import urlsplit

from pyoxigraph import NamedNode

from vcgraph.namespaces import Minter
from vcgraph.reference.countries import COMMON_MISTAKES, ISO_3166_ALPHA2
from vcgraph.reference.nuts import NutsIndex, nuts_prefix
from vcgraph.survey.errors import FILE_ROW, RowError
from vcgraph.survey.reader import SurveyTable
from vcgraph.vocabulary import Vocabularies, normalise

STAGE_CODES = tuple(f"S{i:02d}" for i in range(1, 17))
TECHNOLOGY_CODES = tuple(f"T{i:02d}" for i in range(1, 21))
NEED_NUMBERS = (1, 2, 3)
NEED_FIELDS = ("stage", "technology", "product_class", "min_trl", "urgency", "text")

REQUIRED_COLUMNS = ("response_id", "submitted", "organisation", "country", "nuts", "actor_type", "sectors")
OPTIONAL_COLUMNS = (
    "organisation_id",
    "website",
    "size",
    "clusters",
    "product_classes",
    "gmp_status",
    *(f"stage_{code}" for code in STAGE_CODES),
    *(f"tech_{code}" for code in TECHNOLOGY_CODES),
    *(f"trl_{code}" for code in TECHNOLOGY_CODES),
    *(f"need{n}_{name}" for n in NEED_NUMBERS for name in NEED_FIELDS),
    "skills_shortage",
    "training_offered",
    "contact_email",
    "visibility",
    "consent_contact",
)
TEMPLATE_COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
# Free text of "Other" answers, one column per multiple-choice question. Optional, and kept out of
# TEMPLATE_COLUMNS because the survey-tool mappings list them after the template columns (mappings.model).
OTHER_TEXT_COLUMNS = (
    "actor_type_other",
    "sectors_other",
    "clusters_other",
    "product_classes_other",
    "skills_shortage_other",
    "training_offered_other",
)
KNOWN_COLUMNS = frozenset(TEMPLATE_COLUMNS) | frozenset(OTHER_TEXT_COLUMNS)

STAGE_MODES = ("offer", "in-house", "plan", "need")
TECHNOLOGY_MODES = ("develop", "routine", "pilot", "interested", "need")
TRL_MODES = ("develop", "routine", "pilot")
SEPARATOR = ";"
ACTOR_PATH = "id/actor/"
_KEY_BASE = "https://key.invalid/"
# The key of an anonymous actor's IRI (Minter.actor); a named actor's key ends with its country or starts with "id-".
ANONYMOUS_KEY = re.compile(r"^anon-[0-9a-f]{16}$")
MAX_TEXT = 1000
MAX_NAME = 300

_DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$")
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_EMAIL = re.compile(rf"^[A-Za-z0-9.!#$%&'*+/=?^_`{{|}}~-]+@{_LABEL}(?:\.{_LABEL})+$")
_EMAIL_IN_TEXT = re.compile(r"[^\s@<>()]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
_HOST = re.compile(r"^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}\.?$|^\d{1,3}(?:\.\d{1,3}){3}$")
_IRI_FORBIDDEN = re.compile(r"[\x00-\x20<>\"{}|\\^`]")
_ID_PUNCTUATION = re.compile(r"[\s./-]+")
_YES = {"yes", "oui", "true", "y", "1"}
_NO = {"no", "non", "false", "n", "0"}


@dataclass(frozen=True)
class StagePosition:
    """``stage_Sxx``: the actor's position on one value-chain stage."""

    code: str
    stage: NamedNode
    mode: NamedNode


@dataclass(frozen=True)
class TechnologyRelation:
    """``tech_Txx`` (+ ``trl_Txx``): the actor's relation to one technology family."""

    code: str
    technology: NamedNode
    mode: NamedNode
    trl: int | None


@dataclass(frozen=True)
class NeedRecord:
    """``needN_*``: one structured need (at least a stage or a technology)."""

    number: int
    stage: NamedNode | None
    technology: NamedNode | None
    product_class: NamedNode | None
    min_trl: int | None
    urgency: NamedNode | None
    text: str | None


@dataclass(frozen=True)
class SkillRecord:
    """One skill of ``skills_shortage`` (mode ``shortage``) or ``training_offered`` (mode ``training``)."""

    mode: str
    code: str
    skill: NamedNode


@dataclass(frozen=True)
class OtherAnswer:
    """``<question>_other``: the free text of an "Other" answer to one multiple-choice question."""

    column: str  # the template column, e.g. ``sectors_other``
    text: str

    @property
    def question(self) -> str:
        """The template column of the question answered (``sectors`` for ``sectors_other``)."""
        return self.column.removesuffix("_other")


@dataclass(frozen=True)
class SurveyRecord:
    """One valid template row, every vocabulary value resolved to its concept IRI."""

    row: int
    response_id: str
    submitted: str  # xsd:dateTime lexical form; a date alone is midnight; zoned times are given in UTC (Z)
    organisation: str
    organisation_id: str | None
    website: str | None
    country: str  # ISO 3166-1 alpha-2
    nuts: str
    actor_type: NamedNode
    size: NamedNode | None
    sectors: tuple[NamedNode, ...]
    clusters: tuple[str, ...]
    product_classes: tuple[NamedNode, ...]
    gmp_status: NamedNode | None
    stages: tuple[StagePosition, ...]
    technologies: tuple[TechnologyRelation, ...]
    needs: tuple[NeedRecord, ...]
    skills: tuple[SkillRecord, ...]
    contact_email: str | None
    visibility: NamedNode
    anonymous: bool
    consent_contact: bool | None
    other_answers: tuple[OtherAnswer, ...] = ()
    merged_into: str | None = None  # the key of the actor a curator merged this one into

    @property
    def actor_key(self) -> str:
        return Minter("").actor_key(self.organisation_id, self.organisation, self.country)

    @property
    def iri_key(self) -> str:
        """The key of the actor IRI minted for this row before any merge (``anon-<hash>`` when anonymous)."""
        # Minted under a throw-away base only to reuse Minter's hashing of anonymous keys.
        minted = Minter(_KEY_BASE).actor(self.actor_key, anonymous=self.anonymous)
        return minted.value.removeprefix(_KEY_BASE + ACTOR_PATH)


@dataclass
class TemplateResult:
    """What the template step makes of a table: the valid records, every error, warnings, counts."""

    records: list[SurveyRecord] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    rows_read: int = 0

    @property
    def rejected_rows(self) -> list[int]:
        return sorted({e.row for e in self.errors})


def parse_table(
    table: SurveyTable,
    vocabularies: Vocabularies,
    nuts: NutsIndex,
    progress: Callable[[int, int], None] | None = None,
    *,
    merges: Mapping[str, str] | None = None,
) -> TemplateResult:
    """Check every row of ``table`` against the template and resolve it to a :class:`SurveyRecord`.

    ``progress(rows done, rows total)`` is called after each row. ``merges`` maps the actor key of a merged actor
    (``Minter`` key, ``anon-<hash>`` for an anonymous one) to the key of the actor it was merged into.
    """
    result = TemplateResult(rows_read=len(table.rows))
    present = set(table.columns)
    for column in table.columns:
        if column not in KNOWN_COLUMNS:
            result.warnings.append(f"row 1, column {column}: not a template column, ignored")
    missing = [c for c in REQUIRED_COLUMNS if c not in present]
    unknown = [c for c in table.columns if c not in KNOWN_COLUMNS]
    for column in missing:
        reason = "required column is missing from the header"
        # "Organisation " or "organization" is the usual cause: name the column that was probably meant.
        near = difflib.get_close_matches(column, unknown, n=1, cutoff=0.75) or [
            c for c in unknown if normalise(c).replace(" ", "_") == column
        ]
        if near:
            reason += f" (is column {near[0]!r} meant to be {column!r}?)"
        result.errors.append(RowError(1, column, "", reason))
    if missing:
        return result
    if not table.rows:
        result.errors.append(RowError(FILE_ROW, "", "", "no answer row under the header: nothing to ingest"))
        return result
    seen_ids: dict[str, int] = {}
    seen_actors: dict[str, int] = {}
    for done, (number, cells) in enumerate(table.rows, start=1):
        row = _RowParser(number, cells, vocabularies, nuts)
        record = row.parse()
        if record is not None and merges:
            record = _merged(record, merges, row)
        response_id = " ".join(cells.get("response_id", "").split())  # as the record and its IRI see it
        if response_id:
            if response_id in seen_ids:
                row.error("response_id", response_id, f"duplicate: already used on row {seen_ids[response_id]}")
            else:
                seen_ids[response_id] = number
        if record is not None:
            keys = {record.actor_key, record.iri_key} | ({record.merged_into} if record.merged_into else set())
            first = next((seen_actors[key] for key in sorted(keys) if key in seen_actors), None)
            if first is not None:
                column = "organisation_id" if record.organisation_id else "organisation"
                merged = f" (merged into actor {record.merged_into} by a curator)" if record.merged_into else ""
                row.error(
                    column,
                    cells.get(column, ""),
                    f"same organisation as row {first}{merged}: one response per organisation and wave",
                )
            else:
                seen_actors.update(dict.fromkeys(keys, number))
        result.errors.extend(row.errors)
        if record is not None and not row.errors:
            result.records.append(record)
        if progress is not None:
            progress(done, len(table.rows))
    return result


def _merged(record: SurveyRecord, merges: Mapping[str, str], row: _RowParser) -> SurveyRecord | None:
    """``record`` under the actor a curator merged it into, if any; None (and a row error) if that would name an
    anonymous actor or publish a named one's answers anonymously."""
    survivor = merges.get(record.iri_key)
    if survivor is None:
        return record
    if record.anonymous != bool(ANONYMOUS_KEY.match(survivor)):
        row.error(
            "visibility",
            row.cells.get("visibility", ""),
            f"this organisation is merged into actor {survivor} (data/curation/merges.csv), "
            "whose visibility differs: an anonymous and a named actor cannot be merged",
        )
        return None
    return replace(record, merged_into=survivor)


def _ascii_host(host: str) -> str:
    """The ASCII (IDNA) form of a host name, so ``société.example`` is checked like ``xn--socit-esab.example``."""
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        return ""


class _RowParser:
    """Reads one row, collecting every problem instead of stopping at the first."""

    def __init__(self, number: int, cells: dict[str, str], vocabularies: Vocabularies, nuts: NutsIndex) -> None:
        self.number = number
        self.cells = cells
        self.vocabularies = vocabularies
        self.nuts = nuts
        self.errors: list[RowError] = []

    def error(self, column: str, value: str, reason: str) -> None:
        self.errors.append(RowError(self.number, column, value, reason))

    def text(self, column: str, required: bool = False, max_length: int = MAX_NAME) -> str | None:
        value = " ".join(self.cells.get(column, "").split())
        if not value:
            if required:
                self.error(column, "", "required value is missing")
            return None
        if len(value) > max_length:
            self.error(column, value[:40] + "...", f"longer than {max_length} characters")
            return None
        return value

    # vocabulary values --------------------------------------------------------------------------------------
    def concept(self, column: str, scheme: str, value: str, allowed: tuple[str, ...] | None = None) -> NamedNode | None:
        vocabularies = self.vocabularies
        found = vocabularies.candidates(scheme, value)
        what = scheme.replace("-", " ")
        if len(found) > 1:
            names = ", ".join(vocabularies.notation(c) or c.value for c in found)
            self.error(column, value, f"ambiguous {what}: names {names}; give the code instead")
            return None
        if not found:
            hints = vocabularies.closest(scheme, value)
            if allowed is not None:
                hints = [h for h in hints if self._notation_in(scheme, h, allowed)]
            if hints:
                self.error(column, value, f"unknown {what}; did you mean " + " or ".join(repr(h) for h in hints) + "?")
            else:
                known = allowed or tuple(vocabularies.scheme(scheme).notations.values())
                shown = ", ".join(sorted(known)[:20]) + (", ..." if len(known) > 20 else "")
                self.error(column, value, f"unknown {what}; known codes: {shown}")
            return None
        concept = found[0]
        if allowed is not None and vocabularies.notation(concept) not in allowed:
            self.error(column, value, f"not allowed here; use one of: {', '.join(allowed)}")
            return None
        return concept

    def _given(self, *columns: str) -> bool:
        return any(self.cells.get(column, "").strip() for column in columns)

    def _notation_in(self, scheme: str, text: str, allowed: tuple[str, ...]) -> bool:
        concept = self.vocabularies.match(scheme, text)
        return concept is not None and self.vocabularies.notation(concept) in allowed

    def single(
        self, column: str, scheme: str, required: bool = False, allowed: tuple[str, ...] | None = None
    ) -> NamedNode | None:
        value = self.text(column, required=required)
        if value is None:
            return None
        if SEPARATOR in value.strip(SEPARATOR + " "):
            self.error(column, value, f"one value only (found several separated by '{SEPARATOR}')")
            return None
        return self.concept(column, scheme, value.strip(SEPARATOR + " "), allowed)

    def many(self, column: str, scheme: str, required: bool = False) -> tuple[NamedNode, ...]:
        values = self.split(column, required)
        concepts: list[NamedNode] = []
        for value in values:
            concept = self.concept(column, scheme, value)
            if concept is not None and concept not in concepts:
                concepts.append(concept)
        return tuple(concepts)

    def split(self, column: str, required: bool = False) -> list[str]:
        raw = self.cells.get(column, "")
        # A trailing ';' is how Microsoft Forms ends every multi-choice cell: empty parts are not values.
        values = [" ".join(part.split()) for part in raw.split(SEPARATOR)]
        values = [v for v in values if v]
        if not values and required:
            self.error(column, raw, "required value is missing")
        return values

    # typed values --------------------------------------------------------------------------------------------
    def trl(self, column: str) -> int | None:
        """A TRL written as a number (``6``) or as any notation or label of the trl scheme (``TRL 6``)."""
        value = self.text(column)
        if value is None:
            return None
        try:
            number = int(value)
        except ValueError:
            concept = self.vocabularies.match("trl", value)
            notation = self.vocabularies.notation(concept) if concept is not None else None
            if notation is None or not notation.isdigit():
                self.error(column, value, "not a TRL: a whole number from 1 to 9 (or a TRL label such as 'TRL 6')")
                return None
            number = int(notation)
        if not 1 <= number <= 9:
            self.error(column, value, "out of range: must be from 1 to 9")
            return None
        return number

    def submitted(self) -> str | None:
        value = self.text("submitted", required=True)
        if value is None:
            return None
        if not _DATE_TIME.match(value):
            self.error("submitted", value, "not an ISO 8601 date (2026-03-02) or date-time (2026-03-02T10:00:00)")
            return None
        try:
            moment = dt.datetime.fromisoformat(value)
        except ValueError as exc:
            self.error("submitted", value, f"not a valid date: {exc}")
            return None
        if moment.tzinfo is not None:
            moment = moment.astimezone(dt.UTC)
            return moment.replace(tzinfo=None).isoformat() + "Z"
        return moment.isoformat()

    def country(self) -> str | None:
        value = self.text("country", required=True)
        if value is None:
            return None
        code = value.upper()
        if code in COMMON_MISTAKES:
            self.error("country", value, f"not an ISO 3166-1 alpha-2 code; did you mean {COMMON_MISTAKES[code]!r}?")
            return None
        if code not in ISO_3166_ALPHA2:
            self.error("country", value, "not an ISO 3166-1 alpha-2 country code (e.g. BE, FR)")
            return None
        return code

    def region(self, country: str | None) -> str | None:
        value = self.text("nuts", required=True)
        if value is None:
            return None
        code = value.upper().replace(" ", "")
        level = self.nuts.level(code)
        if level is None:
            self.error("nuts", value, "not a NUTS 2021 code")
            return None
        if level == 0:
            self.error("nuts", value, "a country, not a region: give a NUTS code of level 1 to 3 (e.g. BE33)")
            return None
        prefix = nuts_prefix(country) if country is not None else ""
        if country is not None and code[:2] != prefix:
            self.error(
                "nuts",
                value,
                f"region of {self.nuts.country(code)}, not of country {country}"
                + (f" (NUTS codes of {country} start with {prefix})" if prefix != country else ""),
            )
            return None
        return code

    def website(self) -> str | None:
        value = self.text("website", max_length=2000)
        if value is None:
            return None
        url = value if "://" in value or ":" in value.split("/")[0] else "https://" + value
        parts = urlsplit(url)
        reason = None
        if parts.scheme.lower() not in ("http", "https"):
            reason = "not a web address: must start with http:// or https://"
        elif _IRI_FORBIDDEN.search(url):
            reason = 'contains spaces or characters not allowed in a web address (<>"{}|\\^`)'
        elif "@" in parts.netloc:
            reason = "a web address may not carry a user name or password"
        elif not parts.hostname or not _HOST.match(_ascii_host(parts.hostname)):
            reason = "no valid host name (e.g. https://www.example.org)"
        else:
            try:
                if parts.port is not None and not 0 < parts.port < 65536:
                    reason = "invalid port"
            except ValueError:
                reason = "invalid port"
        if reason is None:
            try:
                NamedNode(url)
            except ValueError as exc:
                reason = f"not a valid IRI ({exc})"
        if reason is not None:
            self.error("website", value, reason)
            return None
        return url

    def email(self) -> str | None:
        value = self.text("contact_email", max_length=254)
        if value is None:
            return None
        if value.lower().startswith("mailto:"):
            value = value[len("mailto:") :]
        if not _EMAIL.match(value):
            self.error("contact_email", value, "not an e-mail address (name@example.org)")
            return None
        return value

    def yes_no(self, column: str) -> bool | None:
        value = self.text(column)
        if value is None:
            return None
        key = normalise(value)
        if key in _YES:
            return True
        if key in _NO:
            return False
        self.error(column, value, "must be yes or no")
        return None

    def clusters(self) -> tuple[str, ...]:
        names: list[str] = []
        for name in self.split("clusters"):
            if len(name) > MAX_NAME:
                self.error("clusters", name[:40] + "...", f"a cluster name is longer than {MAX_NAME} characters")
            elif name not in names:
                names.append(name)
        return tuple(names)

    def organisation_id(self) -> str | None:
        # 64 characters hold any VAT, enterprise number or PIC, and stay under the 80 of a slug, so two
        # identifiers never share an actor IRI by truncation.
        value = self.text("organisation_id", max_length=64)
        if value is None:
            return None
        normalised = _ID_PUNCTUATION.sub("", value).upper()
        if not normalised:
            self.error("organisation_id", value, "no letter or digit: not an identifier")
            return None
        return normalised

    # structured groups ---------------------------------------------------------------------------------------
    def stages(self) -> tuple[StagePosition, ...]:
        out: list[StagePosition] = []
        for code in STAGE_CODES:
            column = f"stage_{code}"
            mode = self.single(column, "mode", allowed=STAGE_MODES)
            stage = self.vocabularies.match("stage", code)
            if mode is not None and stage is None:
                self.error(column, self.cells.get(column, ""), f"stage {code} is not in the stage vocabulary")
            elif mode is not None and stage is not None:
                out.append(StagePosition(code, stage, mode))
        return tuple(out)

    def technologies(self) -> tuple[TechnologyRelation, ...]:
        out: list[TechnologyRelation] = []
        for code in TECHNOLOGY_CODES:
            column, trl_column = f"tech_{code}", f"trl_{code}"
            has_relation = bool(self.cells.get(column, "").strip())
            mode = self.single(column, "mode", allowed=TECHNOLOGY_MODES)
            trl = self.trl(trl_column)
            technology = self.vocabularies.match("technology", code)
            if trl is not None:
                if not has_relation:
                    self.error(trl_column, str(trl), f"a TRL needs a relation in {column} (develop, routine or pilot)")
                    continue
                if mode is not None and self.vocabularies.notation(mode) not in TRL_MODES:
                    self.error(
                        trl_column,
                        str(trl),
                        f"a TRL applies to develop, routine or pilot only, not to {self.vocabularies.notation(mode)}",
                    )
                    continue
            if mode is not None and technology is None:
                self.error(column, self.cells.get(column, ""), f"{code} is not in the technology vocabulary")
            elif mode is not None and technology is not None:
                out.append(TechnologyRelation(code, technology, mode, trl))
        return tuple(out)

    def needs(self) -> tuple[NeedRecord, ...]:
        out: list[NeedRecord] = []
        for n in NEED_NUMBERS:
            prefix = f"need{n}_"
            if not any(self.cells.get(prefix + name, "").strip() for name in NEED_FIELDS):
                continue
            errors_before = len(self.errors)
            stage = self.single(prefix + "stage", "stage")
            technology = self.single(prefix + "technology", "technology")
            product_class = self.single(prefix + "product_class", "product-class")
            min_trl = self.trl(prefix + "min_trl")
            urgency = self.single(prefix + "urgency", "urgency")
            text = self.text(prefix + "text", max_length=MAX_TEXT)
            if text is not None and _EMAIL_IN_TEXT.search(text):
                self.error(prefix + "text", text, "holds an e-mail address: personal data goes in contact_email only")
            if stage is None and technology is None and not self._given(prefix + "stage", prefix + "technology"):
                self.error(prefix + "stage", "", f"a need names a stage or a technology ({prefix}technology)")
            if len(self.errors) == errors_before:
                out.append(NeedRecord(n, stage, technology, product_class, min_trl, urgency, text))
        return tuple(out)

    def skills(self) -> tuple[SkillRecord, ...]:
        out: list[SkillRecord] = []
        for column, mode in (("skills_shortage", "shortage"), ("training_offered", "training")):
            for skill in self.many(column, "skill"):
                out.append(SkillRecord(mode, self.vocabularies.notation(skill) or "", skill))
        return tuple(out)

    def other_answers(self) -> tuple[OtherAnswer, ...]:
        out: list[OtherAnswer] = []
        for column in OTHER_TEXT_COLUMNS:
            text = self.text(column, max_length=MAX_TEXT)
            if text is None:
                continue
            if _EMAIL_IN_TEXT.search(text):
                self.error(column, text, "holds an e-mail address: personal data goes in contact_email only")
                continue
            out.append(OtherAnswer(column, text))
        return tuple(out)

    def parse(self) -> SurveyRecord | None:
        response_id = self.text("response_id", required=True, max_length=200)
        submitted = self.submitted()
        organisation = self.text("organisation", required=True)
        organisation_id = self.organisation_id()
        website = self.website()
        country = self.country()
        region = self.region(country)
        actor_type = self.single("actor_type", "actor-type", required=True)
        size = self.single("size", "size")
        sectors = self.many("sectors", "sector", required=True)
        clusters = self.clusters()
        product_classes = self.many("product_classes", "product-class")
        gmp_status = self.single("gmp_status", "gmp-status")
        stages = self.stages()
        technologies = self.technologies()
        needs = self.needs()
        skills = self.skills()
        email = self.email()
        visibility = self.single("visibility", "visibility")
        if visibility is None and not self.cells.get("visibility", "").strip():
            visibility = self.vocabularies.match("visibility", "public")
            if visibility is None:
                self.error("visibility", "", "the visibility vocabulary has no 'public' concept to default to")
        consent = self.yes_no("consent_contact")
        other_answers = self.other_answers()
        if (
            self.errors
            or response_id is None
            or submitted is None
            or organisation is None
            or country is None
            or region is None
            or actor_type is None
            or visibility is None
        ):
            return None
        return SurveyRecord(
            row=self.number,
            response_id=response_id,
            submitted=submitted,
            organisation=organisation,
            organisation_id=organisation_id,
            website=website,
            country=country,
            nuts=region,
            actor_type=actor_type,
            size=size,
            sectors=sectors,
            clusters=clusters,
            product_classes=product_classes,
            gmp_status=gmp_status,
            stages=stages,
            technologies=technologies,
            needs=needs,
            skills=skills,
            contact_email=email,
            visibility=visibility,
            anonymous=self.vocabularies.notation(visibility) == "anonymous",
            consent_contact=consent,
            other_answers=other_answers,
        )
