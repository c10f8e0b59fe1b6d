"""Synthetic surveys of the canonical template at any scale, for benchmarks.

    python bench/generate_survey.py --organisations 10000 --out bench/out/survey-10k.csv
    python bench/generate_survey.py --organisations 50000 --waves 2 --seed 7 --out bench/out/survey-50k.csv

With ``--waves N`` (N > 1) one file per wave is written, ``FILE-W1.csv`` .. ``FILE-WN.csv``. Rows are streamed, so
memory stays flat at any size. The same (organisations, seed) always gives the same files, and organisation ``i``
has the same profile whatever the population size (10k is a prefix of 50k).

Distributions, chosen to look like a two-cluster survey: three quarters of the organisations sit in Wallonia
(BE3) or Auvergne-Rhône-Alpes (FRK), the rest anywhere else in Belgium or France (every NUTS 2021 code is real);
actor types weighted towards biotech SMEs, suppliers and ICT firms; each actor type has typical stages and
technology families, so profiles are coherent (a logistics firm offers storage and distribution, not cell-line
development). From one wave to the next 5 % of the organisations do not answer, 4 % are new, TRLs creep up and a
few stage positions and needs change.
"""

from __future__ import annotations

import argparse
import bisect
import itertools
import random
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import TypeVar

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "data" / "demo"))

from survey_template import (
    NEED_SLOTS,
    SKILLS,
    TECH_MODES_WITH_TRL,
    URGENCIES,
    Row,
    belgian_enterprise_number,
    empty_row,
    french_vat_number,
    load_nuts_levels,
    write_csv,
    write_xlsx,
)

T = TypeVar("T")

FIRST_WAVE_YEAR = 2025
DROP_OUT_RATE = 0.05
NEWCOMER_RATE = 0.04
SURVEY_SECONDS = 8 * 7 * 24 * 3600  # a wave is open eight weeks from early February
# The lowest TRL that makes sense for each way of running a technology (routine use is at least a pilot plant).
TRL_FLOOR = {"develop": 4, "routine": 6, "pilot": 3}


@dataclass(frozen=True)
class ActorProfile:
    """What organisations of one actor type typically are and do."""

    weight: int
    sizes: tuple[str, ...]
    sectors: tuple[str, ...]
    offers: tuple[str, ...] = ()  # stages such actors offer as a service
    in_house: tuple[str, ...] = ()  # stages such actors run for themselves
    technologies: tuple[str, ...] = ()
    product_classes: bool = True
    gmp: tuple[str, ...] = ("non-gmp",)
    trains: bool = False


# Actor types A01..A17 (brief table 3.2) with their typical stages and technology families (brief section 2.1).
ACTOR_PROFILES: dict[str, ActorProfile] = {
    "A01": ActorProfile(3, ("large",), ("biopharma",), ("S07",), ("S02", "S03", "S04", "S05", "S06", "S08", "S13"),
                        ("T01", "T02", "T04", "T06", "T07", "T11", "T12"), gmp=("gmp-certified",)),
    "A02": ActorProfile(20, ("micro", "small", "small", "medium"), ("biopharma",), (), ("S02", "S03"),
                        ("T03", "T08", "T09", "T02"), gmp=("non-gmp", "gmp-ready")),
    "A03": ActorProfile(6, ("small", "medium", "large"), ("biopharma",), ("S03", "S04", "S05", "S06", "S07", "S08"),
                        ("S13", "S10"), ("T01", "T02", "T04", "T08", "T10", "T11"),
                        gmp=("gmp-certified", "gmp-certified", "gmp-ready")),
    "A04": ActorProfile(12, ("micro", "small", "medium", "large"), ("engineering",), ("S01",), (),
                        ("T01", "T05", "T07", "T08", "T17", "T19", "T20"), gmp=("not-applicable", "non-gmp")),
    "A05": ActorProfile(5, ("small", "medium"), ("biopharma",), ("S01",), ("S08",), ("T01", "T03", "T06"),
                        gmp=("gmp-ready", "gmp-certified")),
    "A06": ActorProfile(12, ("micro", "small", "medium"), ("ict",), ("S14",), (), ("T11", "T12", "T13", "T14", "T15"),
                        product_classes=False, gmp=("not-applicable",)),
    "A07": ActorProfile(5, ("small", "medium", "large"), ("supply-chain",), ("S10", "S11"), ("S09",),
                        ("T14", "T15", "T16"), gmp=("gmp-ready", "gmp-certified")),
    "A08": ActorProfile(3, ("small", "medium", "large"), ("supply-chain",), ("S09",), (), ("T15", "T16"),
                        gmp=("not-applicable", "gmp-certified")),
    "A09": ActorProfile(4, ("small", "medium"), ("biopharma",), ("S08",), ("S13",), ("T05", "T06"),
                        gmp=("gmp-certified", "gmp-ready")),
    "A10": ActorProfile(5, ("micro", "small"), ("biopharma",), ("S13",), (), ("T11", "T19"), product_classes=False,
                        gmp=("not-applicable",), trains=True),
    "A11": ActorProfile(6, ("large",), ("biopharma",), ("S02", "S03", "S08"), (), ("T03", "T06", "T09", "T12", "T18"),
                        gmp=("non-gmp",), trains=True),
    "A12": ActorProfile(5, ("medium", "large"), ("biopharma",), ("S02", "S03", "S04", "S06"), ("S08",),
                        ("T02", "T05", "T08", "T09", "T12", "T17"), gmp=("non-gmp", "gmp-ready")),
    "A13": ActorProfile(3, ("large",), ("biopharma",), ("S15", "S12"), ("S08", "S10", "S13"), ("T08", "T14"),
                        gmp=("gmp-certified",)),
    "A14": ActorProfile(1, ("small",), ("biopharma",), (), (), (), product_classes=False, gmp=("not-applicable",)),
    "A15": ActorProfile(1, ("medium",), ("biopharma",), (), (), (), product_classes=False, gmp=("not-applicable",)),
    "A16": ActorProfile(2, ("small",), ("biopharma",), (), (), (), product_classes=False, gmp=("not-applicable",)),
    "A17": ActorProfile(2, ("small", "medium"), ("biopharma",), ("S13",), (), (), product_classes=False,
                        gmp=("not-applicable",), trains=True),
}
ACTOR_TYPES = tuple(ACTOR_PROFILES)
ACTOR_WEIGHTS = tuple(itertools.accumulate(profile.weight for profile in ACTOR_PROFILES.values()))
OTHER_SECTORS = ("biopharma", "engineering", "ict", "supply-chain")
PRODUCT_CLASS_WEIGHTS = {"P01": 8, "P02": 3, "P03": 2, "P04": 6, "P05": 4, "P06": 3, "P07": 4, "P08": 4, "P09": 2,
                         "P10": 1, "P11": 4, "P12": 1}
PRODUCT_CLASSES = tuple(PRODUCT_CLASS_WEIGHTS)
PRODUCT_CLASS_CUMULATIVE = tuple(itertools.accumulate(PRODUCT_CLASS_WEIGHTS.values()))
VISIBILITIES = ("public", "members", "anonymous")
VISIBILITY_CUMULATIVE = (85, 95, 100)
ALL_STAGES = tuple(f"S{i:02d}" for i in range(1, 17))
ALL_TECHNOLOGIES = tuple(f"T{i:02d}" for i in range(1, 21))

ROOTS = ("Bio", "Cyto", "Vecto", "Gen", "Thera", "Lumi", "Nova", "Immuno", "Cell", "Prot", "Pharma", "Medi", "Arn",
         "Viro", "Lyo", "Cryo", "Data", "Robo", "Sensi", "Pura")
ENDINGS = ("valis", "gène", "thèque", "tech", "lab", "pharm", "logic", "form", "flux", "process", "nov", "cell",
           "sys", "ica", "gen", "ys", "ane", "ion", "ix", "ora")
LEGAL_FORMS = {"BE": ("SA", "SRL", "SRL", "ASBL", "SC"), "FR": ("SAS", "SAS", "SA", "SARL", "SASU")}
CONNECTORS = ("", "", "", " & Partenaires", " d'Europe", " Solutions", " Services", " Innovation")
NEED_TEXTS = (
    "Recherche d'un partenaire pour un transfert de procédé",
    "Capacité GMP disponible sous 12 mois",
    "Besoin d'un prestataire qualifié, lots cliniques",
    "Accès à une plateforme pilote \"clé en main\"",
    "Appui réglementaire et analytique, dossier CMC",
)


@dataclass
class Organisation:
    """One synthetic organisation's answer in one wave (mutated from wave to wave)."""

    index: int
    name: str
    organisation_id: str
    country: str
    nuts: str
    actor_type: str
    size: str
    sectors: list[str]
    clusters: str
    product_classes: list[str]
    gmp_status: str
    stages: dict[str, str] = field(default_factory=dict)
    technologies: dict[str, tuple[str, int | None]] = field(default_factory=dict)
    needs: list[tuple[str, str, str, int | None, str, str]] = field(default_factory=list)
    shortage: list[str] = field(default_factory=list)
    training: list[str] = field(default_factory=list)
    email: str = ""
    website: str = ""
    visibility: str = "public"
    consent: str = "yes"


class Draw:
    """Seeded draws, faster than :class:`random.Random`'s ``choice``/``randint`` (one float per draw), which
    matters at 200k organisations. Seeded from text, so a draw sequence depends on what it is for, not on order."""

    __slots__ = ("random",)

    def __init__(self, key: str) -> None:
        self.random = random.Random(key).random

    def chance(self, probability: float) -> bool:
        return self.random() < probability

    def pick(self, items: Sequence[T]) -> T:
        return items[int(self.random() * len(items))]

    def between(self, low: int, high: int) -> int:
        return low + int(self.random() * (high - low + 1))

    def weighted(self, items: Sequence[T], cumulative: Sequence[float]) -> T:
        return items[bisect.bisect_right(cumulative, self.random() * cumulative[-1])]

    def sample(self, items: Sequence[T], count: int) -> list[T]:
        """``count`` draws with replacement, duplicates removed, in the order of ``items``."""
        drawn = {self.pick(items) for _ in range(count)}
        return [item for item in items if item in drawn]


class RegionPool:
    """Where organisations sit: NUTS 2021 codes of Belgium and France, the two clusters' regions first."""

    def __init__(self, nuts_levels: dict[str, int]) -> None:
        def codes(prefix: str, level: int) -> tuple[str, ...]:
            return tuple(
                sorted(c for c, lv in nuts_levels.items() if lv == level and c.startswith(prefix) and "Z" not in c)
            )

        self.cluster = {"BE": codes("BE3", 3), "FR": codes("FRK", 3)}
        self.elsewhere = {
            "BE": tuple(c for c in codes("BE", 3) if not c.startswith("BE3")),
            "FR": tuple(c for c in codes("FR", 3) if not c.startswith("FRK")),
        }
        self.coarse = {"BE": codes("BE", 1) + codes("BE", 2), "FR": codes("FR", 1) + codes("FR", 2)}

    def pick(self, country: str, draw: Draw) -> str:
        where = draw.random()
        if where < 0.75:
            return draw.pick(self.cluster[country])
        if where < 0.95:
            return draw.pick(self.elsewhere[country])
        return draw.pick(self.coarse[country])  # a respondent who only gave a province or region


def _organisation_id(index: int, country: str, draw: Draw) -> str:
    kind = draw.random()
    if kind < 0.10:
        return ""  # its IRI comes from name + country
    if kind < 0.18:
        return str(700_000_000 + index)  # an EU PIC
    return belgian_enterprise_number(5_000_000 + index) if country == "BE" else french_vat_number(10_000_000 + index)


def _need(draw: Draw, org: Organisation) -> tuple[str, str, str, int | None, str, str]:
    stage = draw.pick(ALL_STAGES) if draw.chance(0.85) else ""
    technology = draw.pick(ALL_TECHNOLOGIES) if (not stage or draw.chance(0.6)) else ""
    product = draw.pick(org.product_classes) if org.product_classes and draw.chance(0.7) else ""
    min_trl = draw.between(4, 9) if draw.chance(0.7) else None
    return stage, technology, product, min_trl, draw.pick(URGENCIES), draw.pick(NEED_TEXTS)


def new_organisation(index: int, seed: int, regions: RegionPool) -> Organisation:
    """Organisation ``index`` as it first answers (its profile depends on (seed, index) only)."""
    draw = Draw(f"{seed}:organisation:{index}")
    actor_type = draw.weighted(ACTOR_TYPES, ACTOR_WEIGHTS)
    profile = ACTOR_PROFILES[actor_type]
    country = "BE" if draw.chance(0.5) else "FR"
    nuts = regions.pick(country, draw)
    sectors = list(profile.sectors)
    if draw.chance(0.25):  # cross-sector actors
        extra = draw.pick(OTHER_SECTORS)
        if extra not in sectors:
            sectors.append(extra)
    organisation_id = _organisation_id(index, country, draw)
    name = f"{draw.pick(ROOTS)}{draw.pick(ENDINGS)}{draw.pick(CONNECTORS)} {draw.pick(LEGAL_FORMS[country])}"
    if not organisation_id:  # keyed by name: keep names unique so two organisations never merge
        name = f"{name} (établissement {index})"
    clusters = {"BE3": "BioWin", "FRK": "Lyonbiopole"}.get(nuts[:3], "")
    if clusters and draw.chance(0.05):
        clusters = "BioWin;Lyonbiopole"
    product_classes: list[str] = []
    if profile.product_classes:
        product_classes = sorted(
            {draw.weighted(PRODUCT_CLASSES, PRODUCT_CLASS_CUMULATIVE) for _ in range(draw.pick((1, 1, 2, 2, 3, 4)))}
        )
    org = Organisation(
        index=index,
        name=name,
        organisation_id=organisation_id,
        country=country,
        nuts=nuts,
        actor_type=actor_type,
        size=draw.pick(profile.sizes),
        sectors=sectors,
        clusters=clusters if draw.chance(0.8) else "",
        product_classes=product_classes,
        gmp_status=draw.pick(profile.gmp),
    )
    for stage in profile.offers:
        if draw.chance(0.7):
            org.stages[stage] = "offer"
    for stage in profile.in_house:
        if draw.chance(0.7):
            org.stages.setdefault(stage, "in-house")
    for _ in range(draw.pick((0, 0, 1, 2))):  # stages it needs or plans to offer
        org.stages.setdefault(draw.pick(ALL_STAGES), draw.pick(("need", "need", "plan")))
    for technology in profile.technologies:
        if draw.chance(0.55):
            mode = draw.pick(("develop", "routine", "routine", "pilot"))
            org.technologies[technology] = (mode, draw.between(TRL_FLOOR[mode], 9))
    for _ in range(draw.pick((0, 1, 1, 2))):
        org.technologies.setdefault(draw.pick(ALL_TECHNOLOGIES), (draw.pick(("interested", "need")), None))
    org.needs = [_need(draw, org) for _ in range(draw.pick((0, 0, 1, 1, 2, 3)))]
    org.shortage = draw.sample(SKILLS, draw.pick((0, 1, 2, 3)))
    if profile.trains or draw.chance(0.05):
        org.training = draw.sample(SKILLS, draw.pick((1, 2, 3, 4)))
    host = f"org{index}.example.org"
    org.website = f"https://www.{host}/" if draw.chance(0.9) else ""
    org.email = f"contact@{host}" if draw.chance(0.85) else ""
    org.visibility = draw.weighted(VISIBILITIES, VISIBILITY_CUMULATIVE)
    org.consent = "yes" if draw.chance(0.8) else "no"
    return org


def evolve(org: Organisation, seed: int, wave: int) -> None:
    """How an organisation's answer changes from wave ``wave - 1`` to ``wave``: TRLs creep up, plans become
    offers, some needs are met and new ones appear."""
    draw = Draw(f"{seed}:organisation:{org.index}:wave:{wave}")
    for technology, (mode, trl) in list(org.technologies.items()):
        if trl is not None and trl < 9 and draw.chance(0.3):
            org.technologies[technology] = (mode, trl + 1)
    for stage, mode in list(org.stages.items()):
        if mode == "plan" and draw.chance(0.5):
            org.stages[stage] = "offer"
        elif mode == "need" and draw.chance(0.3):
            del org.stages[stage]
    if org.needs and draw.chance(0.3):
        org.needs.pop(int(draw.random() * len(org.needs)))
    if len(org.needs) < len(NEED_SLOTS) and draw.chance(0.2):
        org.needs.append(_need(draw, org))


def _submission(seed: int, index: int, wave: int, joined: int) -> tuple[bool, str]:
    """Whether organisation ``index``, first surveyed in wave ``joined``, answers ``wave``, and when."""
    draw = Draw(f"{seed}:submission:{index}:{wave}")
    answers = draw.random() >= DROP_OUT_RATE or wave == joined  # everyone answers the wave it joins
    seconds = int(draw.random() * SURVEY_SECONDS)
    moment = datetime(FIRST_WAVE_YEAR + wave - 1, 2, 3, 8) + timedelta(seconds=seconds)
    return answers, moment.date().isoformat() if draw.chance(0.1) else moment.isoformat()


def _row(org: Organisation, response_id: str, submitted: str) -> Row:
    row = empty_row()
    row.update(
        response_id=response_id,
        submitted=submitted,
        organisation=org.name,
        organisation_id=org.organisation_id,
        website=org.website,
        country=org.country,
        nuts=org.nuts,
        actor_type=org.actor_type,
        size=org.size,
        sectors=";".join(org.sectors),
        clusters=org.clusters,
        product_classes=";".join(org.product_classes),
        gmp_status=org.gmp_status,
        skills_shortage=";".join(org.shortage),
        training_offered=";".join(org.training),
        contact_email=org.email,
        visibility=org.visibility,
        consent_contact=org.consent,
    )
    for stage, mode in org.stages.items():
        row[f"stage_{stage}"] = mode
    for technology, (mode, trl) in org.technologies.items():
        row[f"tech_{technology}"] = mode
        if mode in TECH_MODES_WITH_TRL and trl is not None:
            row[f"trl_{technology}"] = str(trl)
    for number, (stage, technology, product, min_trl, urgency, text) in enumerate(org.needs, start=1):
        prefix = f"need{number}_"
        row[prefix + "stage"] = stage
        row[prefix + "technology"] = technology
        row[prefix + "product_class"] = product
        row[prefix + "min_trl"] = "" if min_trl is None else str(min_trl)
        row[prefix + "urgency"] = urgency
        row[prefix + "text"] = text
    return row


def newcomers(n_organisations: int, wave: int) -> range:
    """Indices of the organisations that first answer ``wave`` (none in wave 1)."""
    per_wave = round(n_organisations * NEWCOMER_RATE)
    start = n_organisations + (wave - 2) * per_wave
    return range(start, start + per_wave) if wave >= 2 else range(0)


def generate_wave(n_organisations: int, seed: int, wave: int, regions: RegionPool | None = None) -> Iterator[Row]:
    """The rows of one wave (1-based): the first population minus drop-outs, plus the newcomers of waves 2..wave."""
    if n_organisations < 1 or wave < 1:
        raise ValueError("n_organisations and wave must be at least 1")
    regions = regions or RegionPool(load_nuts_levels())
    number = 0
    members = [range(n_organisations), *(newcomers(n_organisations, w) for w in range(2, wave + 1))]
    for joined, indices in enumerate(members, start=1):
        for index in indices:
            answers, submitted = _submission(seed, index, wave, joined)
            if not answers:
                continue
            org = new_organisation(index, seed, regions)
            for later in range(joined + 1, wave + 1):
                evolve(org, seed, later)
            number += 1
            yield _row(org, f"S{seed}-W{wave}-{number:07d}", submitted)


def generate(n_organisations: int, seed: int, waves: int = 1) -> Iterator[Row]:
    """Rows of ``waves`` consecutive waves, wave 1 first; a row's wave is in its response id (``S<seed>-W<k>-...``).

    Stream them (do not build a list) for large populations: each row is made when it is read.
    """
    regions = RegionPool(load_nuts_levels())
    for wave in range(1, waves + 1):
        yield from generate_wave(n_organisations, seed, wave, regions)


def wave_paths(out: Path, waves: int) -> list[Path]:
    """``out`` itself for one wave, else ``<stem>-W1<suffix>`` .. ``<stem>-W<n><suffix>``."""
    if waves == 1:
        return [out]
    return [out.with_name(f"{out.stem}-W{wave}{out.suffix}") for wave in range(1, waves + 1)]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write a synthetic vcgraph survey (canonical template).")
    parser.add_argument("--organisations", type=int, required=True, help="organisations in the first wave")
    parser.add_argument("--out", type=Path, required=True, help="output file, .csv (streamed) or .xlsx")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("--waves", type=int, default=1, help="number of survey waves (default 1)")
    args = parser.parse_args(argv)
    if args.organisations < 1:
        parser.error("--organisations must be at least 1")
    if args.waves < 1:
        parser.error("--waves must be at least 1")
    if args.out.suffix.lower() not in (".csv", ".xlsx"):
        parser.error("--out must end in .csv or .xlsx")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    regions = RegionPool(load_nuts_levels())
    for wave, path in enumerate(wave_paths(args.out, args.waves), start=1):
        started = time.perf_counter()
        rows = generate_wave(args.organisations, args.seed, wave, regions)
        if path.suffix.lower() == ".xlsx":
            count = write_xlsx(rows, path, sheet_title=f"Survey wave {wave}")
        else:
            count = write_csv(rows, path)
        print(f"{path}: {count} rows in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
