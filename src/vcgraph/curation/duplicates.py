"""Probable duplicate organisations across waves and survey tools, for a curator to confirm, and their merges.

The same organisation answers one wave as "Univ. de Liège" and the next as "Université de Liège", without an
``organisation_id``: two actor IRIs. :func:`find_duplicates` lists such pairs: same country, same visibility class
(named with named, anonymous with anonymous: a merge must never name an anonymous actor), no conflicting
``organisation_id`` (two different registered numbers are two legal entities), and names alike once normalised
(:func:`normalise_name`: accents and case folded, abbreviations such as "Univ." written out, legal forms such as SA
or GmbH and small words dropped) by a similarity of at least ``threshold``: the normalised Indel similarity of
RapidFuzz (``fuzz.ratio``, the edit-based ratio difflib approximates), in word order as written or sorted. RapidFuzz
rather than difflib: it scores every pair of a country in C++, seconds for thousands of actors where difflib
takes minutes.

A curator confirms pairs in the report (:func:`write_report`, column ``confirm``) and
:func:`apply_report` / :func:`record_merge` record each merge (see :mod:`vcgraph.curation.merges` for why a merge
rewrites the IRIs rather than adding ``owl:sameAs``).
"""

from __future__ import annotations

import bisect
import csv
import datetime as dt
import io
import re
import unicodedata
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pyoxigraph import Literal, NamedNode, Quad, Triple
from rapidfuzz import fuzz, process

from vcgraph.config import Settings
from vcgraph.curation.merges import (
    Merge,
    MergeError,
    actor_key,
    append_merge,
    merges_path,
    read_merges,
    resolve,
)
from vcgraph.namespaces import BM, DCTERMS, RDF, RDFS, SCHEMA, vocab
from vcgraph.store.port import Store

DEFAULT_THRESHOLD = 0.85
REPORT_COLUMNS = (
    "similarity",
    "country",
    "keep_actor",
    "keep_name",
    "keep_identifier",
    "keep_waves",
    "merge_actor",
    "merge_name",
    "merge_identifier",
    "merge_waves",
    "reason",
    "confirm",
    "curator",
    "note",
)
YES = frozenset({"yes", "y", "oui", "true", "1", "x"})
NO = frozenset({"", "no", "n", "non", "false", "0"})

# Abbreviations and translations written out so that spellings of one name compare equal. French is the
# reference spelling because most respondents are Walloon or from Auvergne-Rhône-Alpes.
ABBREVIATIONS = {
    "univ": "universite",
    "uni": "universite",
    "university": "universite",
    "universiteit": "universite",
    "universitat": "universite",
    "universita": "universite",
    "universidad": "universite",
    "inst": "institut",
    "institute": "institut",
    "instituut": "institut",
    "lab": "laboratoire",
    "labo": "laboratoire",
    "laboratory": "laboratoire",
    "labs": "laboratoires",
    "labos": "laboratoires",
    "laboratories": "laboratoires",
    "ctr": "centre",
    "cntr": "centre",
    "center": "centre",
    "hosp": "hopital",
    "hospital": "hopital",
    "st": "saint",
    "ste": "sainte",
    "intl": "international",
    "natl": "national",
    "dept": "departement",
    "dpt": "departement",
    "fac": "faculte",
    "assoc": "association",
    "soc": "societe",
    "cie": "compagnie",
    "grp": "groupe",
    "group": "groupe",
    "tech": "technologies",
    "techno": "technologies",
    "technology": "technologies",
    "technologie": "technologies",
}
# Legal forms (Belgium, France, Germany, the Netherlands, the UK, ...): not part of what the organisation is called.
LEGAL_FORMS = frozenset(
    {
        "sa", "sas", "sasu", "sarl", "eurl", "sca", "scs", "snc", "sci", "scop", "gie", "srl", "sprl", "sprlu",
        "scrl", "scri", "sc", "asbl", "aisbl", "vzw", "nv", "bv", "bvba", "cvba", "vof", "gmbh", "ag", "kg", "ug",
        "ltd", "limited", "plc", "llp", "llc", "inc", "corp", "spa", "sl", "oy", "ab", "aps", "se",
    }
)  # fmt: skip
SMALL_WORDS = frozenset({"de", "du", "des", "d", "la", "le", "les", "l", "of", "the", "and", "et", "fur", "der", "van"})
_DOTTED_ACRONYM = re.compile(r"\b(?:[a-z]\.){2,}")
_NOT_ALNUM = re.compile(r"[^a-z0-9]+")

_TYPE = NamedNode(RDF + "type")
_ACTOR = NamedNode(BM + "Actor")
_LABEL = NamedNode(RDFS + "label")
_IDENTIFIER = NamedNode(DCTERMS + "identifier")
_COUNTRY = NamedNode(SCHEMA + "addressCountry")
_VISIBILITY = NamedNode(BM + "visibility")
_ANONYMOUS = vocab("visibility", "anonymous")


def normalise_name(name: str) -> str:
    """The comparable form of an organisation name: ``"Univ. de Liège SA"`` -> ``"universite liege"``."""
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii").lower()
    folded = _DOTTED_ACRONYM.sub(lambda m: m.group(0).replace(".", ""), folded)  # "S.P.R.L." is "sprl"
    tokens = [ABBREVIATIONS.get(token, token) for token in _NOT_ALNUM.split(folded) if token]
    kept = [token for token in tokens if token not in LEGAL_FORMS and token not in SMALL_WORDS]
    # A name made only of small words or legal forms ("SA") is compared as written rather than as nothing.
    return " ".join(kept or tokens)


# Word order varies ("Liège University"): each pair is scored as written and with its words sorted.
_SCORERS = (fuzz.ratio, fuzz.token_sort_ratio)


def name_similarity(first: str, second: str) -> float:
    """0..1: how alike two normalised names are, in word order as written or sorted."""
    return max(scorer(first, second) for scorer in _SCORERS) / 100


@dataclass
class ActorProfile:
    """What the store says about one actor across all waves."""

    iri: str
    names: list[str] = field(default_factory=list)
    identifiers: list[str] = field(default_factory=list)
    country: str = ""
    waves: list[str] = field(default_factory=list)
    anonymous: bool = False

    @property
    def normalised_names(self) -> list[str]:
        return sorted({normalise_name(name) for name in self.names})


@dataclass(frozen=True)
class DuplicateCandidate:
    """Two actors that are probably one organisation; ``keep`` is the suggested surviving actor."""

    keep: ActorProfile
    merge: ActorProfile
    similarity: float
    reason: str

    def row(self) -> dict[str, str]:
        return {
            "similarity": f"{self.similarity:.2f}",
            "country": self.keep.country,
            "keep_actor": self.keep.iri,
            "keep_name": " | ".join(self.keep.names),
            "keep_identifier": " | ".join(self.keep.identifiers),
            "keep_waves": " ".join(self.keep.waves),
            "merge_actor": self.merge.iri,
            "merge_name": " | ".join(self.merge.names),
            "merge_identifier": " | ".join(self.merge.identifiers),
            "merge_waves": " ".join(self.merge.waves),
            "reason": self.reason,
            "confirm": "",
            "curator": "",
            "note": "",
        }


def _wave_graphs(store: Store, settings: Settings, kind: str) -> dict[str, NamedNode]:
    prefix = f"{settings.base_iri}graph/{kind}/"
    return {g.value[len(prefix) :]: g for g in store.graphs() if g.value.startswith(prefix)}


def load_actors(store: Store, settings: Settings, *, include_anonymous: bool = False) -> list[ActorProfile]:
    """Every actor of every wave graph, with its names, identifiers, country and waves.

    Anonymous actors are left out unless ``include_anonymous``: their names are in the restricted graphs, and
    whatever lists them (the duplicates report) is then restricted data too.
    """
    profiles: dict[str, ActorProfile] = {}
    for wave, graph in sorted(_wave_graphs(store, settings, "wave").items()):
        facts: dict[str, list[Quad]] = defaultdict(list)
        actors: set[str] = set()
        for quad in store.quads(graph):
            if not isinstance(quad.subject, NamedNode):
                continue
            if quad.predicate == _TYPE and quad.object == _ACTOR:
                actors.add(quad.subject.value)
            elif quad.predicate in (_LABEL, _IDENTIFIER, _COUNTRY, _VISIBILITY):
                facts[quad.subject.value].append(quad)
        for iri in actors:
            profile = profiles.setdefault(iri, ActorProfile(iri))
            profile.waves.append(wave)
            for quad in facts[iri]:
                _note(profile, quad.predicate, quad.object)
    if include_anonymous:
        for graph in _wave_graphs(store, settings, "restricted").values():
            for quad in store.quads(graph):
                known = profiles.get(quad.subject.value) if isinstance(quad.subject, NamedNode) else None
                if known is not None and known.anonymous:
                    _note(known, quad.predicate, quad.object)
    return sorted((p for p in profiles.values() if include_anonymous or not p.anonymous), key=lambda p: p.iri)


def _note(profile: ActorProfile, predicate: object, value: object) -> None:
    if predicate == _VISIBILITY:
        profile.anonymous = profile.anonymous or value == _ANONYMOUS
    elif not isinstance(value, Literal):
        return
    elif predicate == _LABEL and value.value not in profile.names:
        profile.names.append(value.value)
    elif predicate == _IDENTIFIER and value.value not in profile.identifiers:
        profile.identifiers.append(value.value)
    elif predicate == _COUNTRY:
        profile.country = profile.country or value.value


def find_duplicates(
    store: Store,
    settings: Settings,
    *,
    threshold: float = DEFAULT_THRESHOLD,
    include_anonymous: bool = False,
) -> list[DuplicateCandidate]:
    """Pairs of actors of the store (all waves) that are probably one organisation, most alike first.

    ``threshold`` (0..1) is the lowest name similarity reported. Raises ``ValueError`` for a threshold outside
    (0, 1].
    """
    if not 0.0 < threshold <= 1.0:
        raise ValueError(f"threshold must be above 0 and at most 1, not {threshold}")
    groups: dict[tuple[str, bool], list[ActorProfile]] = defaultdict(list)
    for profile in load_actors(store, settings, include_anonymous=include_anonymous):
        if profile.names:
            groups[(profile.country, profile.anonymous)].append(profile)
    candidates: list[DuplicateCandidate] = []
    for group in groups.values():
        for (i, j), (score, names) in _alike_pairs(group, threshold).items():
            first, second = group[i], group[j]
            if first.identifiers and second.identifiers and not set(first.identifiers) & set(second.identifiers):
                continue  # two registered numbers: two legal entities, however alike their names
            candidates.append(_candidate(first, second, score, names))
    return sorted(candidates, key=lambda c: (-c.similarity, c.keep.iri, c.merge.iri))


def _alike_pairs(
    group: Sequence[ActorProfile], threshold: float
) -> dict[tuple[int, int], tuple[float, tuple[str, str]]]:
    """(i, j) with i < j -> the best similarity of a name of ``group[i]`` and one of ``group[j]``, and those names,
    for the pairs at or above ``threshold``."""
    entries = sorted(
        ((name, index) for index, profile in enumerate(group) for name in profile.normalised_names),
        key=lambda entry: (len(entry[0]), entry),
    )
    names = [name for name, _ in entries]
    lengths = [len(name) for name in names]
    best: dict[tuple[int, int], tuple[float, tuple[str, str]]] = {}
    for position, (name, owner) in enumerate(entries):
        # No similarity exceeds 2 * shorter / (sum of lengths): with the names sorted by length, only the next ones
        # up to this length can reach the threshold, so each pair is scored once, and only if it can.
        longest = len(name) * (2 / threshold - 1)
        end = bisect.bisect_right(lengths, longest, lo=position + 1)
        choices = names[position + 1 : end]
        for scorer in _SCORERS:
            # One call scores the name against all those choices in C++, returning only the pairs at the cutoff.
            for other, score, offset in process.extract(
                name, choices, scorer=scorer, score_cutoff=threshold * 100, limit=None
            ):
                other_owner = entries[position + 1 + offset][1]
                if other_owner == owner:
                    continue  # two spellings of one actor
                key = (min(owner, other_owner), max(owner, other_owner))
                pair = (name, other) if owner < other_owner else (other, name)
                similarity = score / 100
                if key not in best or similarity > best[key][0]:
                    best[key] = (similarity, pair)
    return best


def _candidate(first: ActorProfile, second: ActorProfile, score: float, names: tuple[str, str]) -> DuplicateCandidate:
    # The survivor: the actor known by a registered number (its IRI is the stable one), then the one seen in more
    # waves, then the one seen first.
    def rank(p: ActorProfile) -> tuple[bool, int, str, str]:
        return (not p.identifiers, -len(p.waves), min(p.waves, default=""), p.iri)

    keep, merge = sorted((first, second), key=rank)
    reason = "same name once normalised" if names[0] == names[1] else f"names alike: {names[0]!r} ~ {names[1]!r}"
    shared = sorted(set(keep.waves) & set(merge.waves))
    if shared:
        reason += f"; both answered wave {', '.join(shared)}: a double response, remove one before merging"
    return DuplicateCandidate(keep, merge, round(score, 4), reason)


# the report ------------------------------------------------------------------------------------------------------
def write_report(candidates: Sequence[DuplicateCandidate], target: Path) -> Path:
    """The candidates as a CSV sheet (UTF-8 with BOM, so Excel shows accents) with empty confirm/curator/note."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(REPORT_COLUMNS)
    for candidate in candidates:
        row = candidate.row()
        writer.writerow([_escape(row[column]) for column in REPORT_COLUMNS])
    target.write_bytes(b"\xef\xbb\xbf" + buffer.getvalue().encode("utf-8"))
    return target


def _escape(text: str) -> str:
    # Names come from respondents: a cell starting like a formula stays text in a spreadsheet.
    return "'" + text if text.startswith(("=", "+", "-", "@", "\t", "\r")) else text


def _unescape(text: str) -> str:
    return text[1:] if text.startswith("'") and text[1:].startswith(("=", "+", "-", "@", "\t", "\r")) else text


@dataclass(frozen=True)
class MergeOutcome:
    """A recorded merge and what it rewrote in the store."""

    merge: Merge
    graphs: list[str]
    triples: int

    def text(self) -> str:
        return (
            f"{self.merge.merged} merged into {self.merge.surviving} (merges file row {self.merge.row}); "
            f"{self.triples} triple(s) rewritten in {len(self.graphs)} graph(s)"
        )


def _check_merge(store: Store, settings: Settings, merged: str, surviving: str, merges: Sequence[Merge]) -> str:
    """The IRI that will survive (after earlier merges), or a :class:`MergeError` saying why not."""
    for column, iri in (("merged", merged), ("surviving", surviving)):
        if actor_key(iri, settings.base_iri) is None:
            raise MergeError(f"{column} actor {iri!r} is not an actor IRI ({settings.base_iri}id/actor/<key>)")
    already = resolve(merges)
    if merged in already:
        raise MergeError(f"{merged} is already merged into {already[merged]}")
    surviving = already.get(surviving, surviving)  # merging into a merged actor merges into its survivor
    if surviving == merged:
        raise MergeError(f"{merged} cannot be merged into itself")
    profiles = {p.iri: p for p in load_actors(store, settings, include_anonymous=True)}
    for column, iri in (("merged", merged), ("surviving", surviving)):
        if iri not in profiles:
            raise MergeError(f"{column} actor {iri} is in no wave of the store")
    one, other = profiles[merged], profiles[surviving]
    if one.anonymous != other.anonymous:
        raise MergeError(
            f"{merged} and {surviving}: one is anonymous and the other is not; merging them would name the "
            "anonymous one"
        )
    shared = sorted(set(one.waves) & set(other.waves))
    if shared:
        raise MergeError(
            f"{merged} and {surviving} both answered wave {', '.join(shared)}: one response per organisation and "
            "wave; remove the double response from that wave's file and ingest it again first"
        )
    return surviving


def record_merge(
    store: Store,
    settings: Settings,
    merged: str,
    surviving: str,
    *,
    curator: str,
    note: str = "",
    merges_file: Path | None = None,
    now: dt.datetime | None = None,
) -> MergeOutcome:
    """Record that actor ``merged`` (IRI) is the organisation ``surviving`` (IRI) and apply it to the store.

    The merge is appended to the merges file (default ``data/curation/merges.csv``), then every wave and
    restricted graph naming ``merged`` (or its sites, ``<merged>/site/...``) is rewritten under ``surviving`` in
    one atomic replacement, so the store holds what re-ingesting every wave with the merge would give. Raises
    :class:`MergeError` (a ``ValueError``, with the reason) and records nothing when: an IRI is no actor of the
    store, the actor is already merged, one is anonymous and the other not, or both answered one wave.
    """
    path = merges_file or merges_path(settings)
    if not curator.strip():
        raise MergeError("curator: say who confirmed the merge")
    merges = read_merges(path, settings.base_iri)
    surviving = _check_merge(store, settings, merged, surviving, merges)
    stamp = (now or dt.datetime.now(dt.UTC)).replace(microsecond=0).isoformat()
    # The file first: if the store write then fails, the next ingest of each wave still applies the merge.
    append_merge(path, Merge(0, merged, surviving, " ".join(curator.split()), stamp, " ".join(note.split())))
    recorded = read_merges(path, settings.base_iri)[-1]  # as written, with its row number in the file
    graphs, triples = _rewrite(store, settings, merged, surviving)
    return MergeOutcome(recorded, graphs, triples)


def _rewrite(store: Store, settings: Settings, merged: str, surviving: str) -> tuple[list[str], int]:
    """Rename ``merged`` (and the IRIs under it) to ``surviving`` in every wave and restricted graph."""

    def renamed(term: NamedNode) -> NamedNode:
        if term.value == merged or term.value.startswith(merged + "/"):
            return NamedNode(surviving + term.value[len(merged) :])
        return term

    changed: dict[NamedNode, list[Triple]] = {}
    rewritten = 0
    graphs = [*_wave_graphs(store, settings, "wave").values(), *_wave_graphs(store, settings, "restricted").values()]
    for graph in graphs:
        triples: dict[Triple, None] = {}
        touched = 0
        for quad in store.quads(graph):
            before = (quad.subject, quad.object)
            subject = renamed(before[0]) if isinstance(before[0], NamedNode) else before[0]
            value = renamed(before[1]) if isinstance(before[1], NamedNode) else before[1]
            if (subject, value) != before:
                touched += 1
            triples[Triple(subject, quad.predicate, value)] = None
        if touched:
            changed[graph] = list(triples)
            rewritten += touched
    if changed:
        store.replace_graphs(changed)
    return sorted(g.value for g in changed), rewritten


def apply_report(
    store: Store,
    settings: Settings,
    report: Path,
    *,
    curator: str | None = None,
    merges_file: Path | None = None,
    now: dt.datetime | None = None,
) -> list[MergeOutcome]:
    """Record the merges a curator confirmed in a duplicates report (``confirm`` = yes): ``merge_actor`` into
    ``keep_actor``, with the row's ``curator`` (or ``curator`` for rows without one) and ``note``.

    Every row is checked before any merge is recorded; a :class:`MergeError` names the report row and column.
    """
    rows = _read_report(report)
    problems: list[str] = []
    confirmed: list[tuple[int, dict[str, str]]] = []
    for number, cells in rows:
        answer = cells.get("confirm", "").strip().lower()
        if answer in NO:
            continue
        if answer not in YES:
            problems.append(f"row {number}, column confirm: {cells.get('confirm')!r} is not yes or no")
            continue
        who = cells.get("curator", "").strip() or (curator or "").strip()
        if not who:
            problems.append(f"row {number}, column curator: say who confirmed the merge")
            continue
        confirmed.append((number, {**cells, "curator": who}))
    merges = read_merges(merges_file or merges_path(settings), settings.base_iri)
    seen: set[str] = set()
    for number, cells in confirmed:
        merged, keep = cells.get("merge_actor", "").strip(), cells.get("keep_actor", "").strip()
        if merged in seen:
            problems.append(f"row {number}, column merge_actor: {merged} is confirmed on an earlier row already")
            continue
        seen.add(merged)
        try:
            survivor = _check_merge(store, settings, merged, keep, merges)
        except MergeError as exc:
            problems.append(f"row {number}, column merge_actor: {exc}")
            continue
        # Later rows are checked as if this one were recorded (a chain, or a row undoing this one).
        merges = [*merges, Merge(number, merged, survivor, cells["curator"], "")]
    if problems:
        raise MergeError(f"{report}: nothing recorded:\n  " + "\n  ".join(problems))
    return [
        record_merge(
            store,
            settings,
            cells["merge_actor"].strip(),
            cells["keep_actor"].strip(),
            curator=cells["curator"],
            note=cells.get("note", ""),
            merges_file=merges_file,
            now=now,
        )
        for _, cells in confirmed
    ]


def _read_report(report: Path) -> list[tuple[int, dict[str, str]]]:
    try:
        text = report.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise MergeError(f"{report}: cannot be read as UTF-8 text: {exc}") from exc
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in ("keep_actor", "merge_actor", "confirm") if c not in (reader.fieldnames or [])]
    if missing:
        raise MergeError(f"{report}: row 1: missing column(s) {', '.join(missing)}; is this a duplicates report?")
    # The file's line numbers, as a spreadsheet shows them (the reader skips blank lines without counting them)
    return [
        (reader.line_num, {key: _unescape(value or "") for key, value in cells.items() if key is not None})
        for cells in reader
    ]
