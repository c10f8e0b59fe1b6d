"""The committed demo survey files: reproducible from make_demo.py, and every cell within the template's rules."""

from __future__ import annotations

import csv
import re
import sys
import zipfile
from collections import Counter
from pathlib import Path

import pytest
from openpyxl import load_workbook
from rdflib import Graph, Literal
from rdflib.namespace import SKOS

from vcgraph.reference.nuts import NutsIndex
from vcgraph.survey.reader import read_survey
from vcgraph.survey.template import parse_table
from vcgraph.vocabulary import Vocabularies

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "data" / "demo"
sys.path.insert(0, str(DEMO))

import make_demo  # noqa: E402  (scripts in data/demo, not a package: importable once their folder is on the path)
import survey_template as template  # noqa: E402

WAVES = ("2025-W1", "2026-W1")
FILES = [f"survey-{wave}.{ext}" for wave in WAVES for ext in ("csv", "xlsx")]


def rows_of(wave: str) -> list[dict[str, str]]:
    return template.read_csv(DEMO / f"survey-{wave}.csv")


def reference_nuts() -> dict[str, str]:
    """NUTS code -> level, read straight from the Eurostat file (not through the code under test)."""
    with (ROOT / "data" / "reference" / "nuts" / "nuts_2021_eurostat.csv").open(encoding="utf-8") as handle:
        return {r["nuts_code"]: r["nuts_level"] for r in csv.DictReader(handle) if r["nuts_level"]}


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo")
    make_demo.write_demo(out)
    return out


@pytest.mark.parametrize("name", [f for f in FILES if f.endswith(".csv")])
def test_committed_csv_is_byte_for_byte_what_make_demo_writes(regenerated: Path, name: str) -> None:
    assert (DEMO / name).read_bytes() == (regenerated / name).read_bytes(), f"rerun data/demo/make_demo.py ({name})"


@pytest.mark.parametrize("name", [f for f in FILES if f.endswith(".xlsx")])
def test_committed_xlsx_holds_exactly_the_parts_make_demo_writes(regenerated: Path, name: str) -> None:
    # Parts are compared decompressed: the deflate bytes may differ across zlib builds, the content may not.
    with zipfile.ZipFile(DEMO / name) as committed, zipfile.ZipFile(regenerated / name) as fresh:
        assert committed.namelist() == fresh.namelist()
        for part in committed.namelist():
            assert committed.read(part) == fresh.read(part), f"{name}: {part} differs; rerun make_demo.py"


def test_make_demo_output_does_not_depend_on_when_it_runs(tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    make_demo.write_demo(first)
    make_demo.write_demo(second)
    for name in FILES:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name


@pytest.mark.parametrize("wave", WAVES)
def test_xlsx_first_sheet_holds_the_csv_rows_with_the_header_in_row_1(wave: str) -> None:
    sheet = load_workbook(DEMO / f"survey-{wave}.xlsx", read_only=True).worksheets[0]
    table = [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    with (DEMO / f"survey-{wave}.csv").open(encoding="utf-8", newline="") as handle:
        assert table == list(csv.reader(handle))


@pytest.mark.parametrize("wave", WAVES)
def test_xlsx_holds_trls_as_numbers_like_a_spreadsheet_export(wave: str) -> None:
    sheet = load_workbook(DEMO / f"survey-{wave}.xlsx", read_only=True).worksheets[0]
    header, *body = list(sheet.iter_rows(values_only=True))
    trl_columns = [i for i, name in enumerate(header) if str(name).startswith("trl_") or str(name).endswith("min_trl")]
    values = [row[i] for row in body for i in trl_columns if row[i] is not None]
    assert values and all(isinstance(v, int) for v in values)


@pytest.mark.parametrize("wave", WAVES)
def test_header_is_the_canonical_template_in_order(wave: str) -> None:
    with (DEMO / f"survey-{wave}.csv").open(encoding="utf-8", newline="") as handle:
        header = next(csv.reader(handle))
    need_fields = ("stage", "technology", "product_class", "min_trl", "urgency", "text")
    expected = [
        *("response_id", "submitted", "organisation", "organisation_id", "website", "country", "nuts"),
        *("actor_type", "size", "sectors", "clusters", "product_classes", "gmp_status"),
        *(f"stage_S{i:02d}" for i in range(1, 17)),
        *(f"tech_T{i:02d}" for i in range(1, 21)),
        *(f"trl_T{i:02d}" for i in range(1, 21)),
        *(f"need{n}_{field}" for n in (1, 2, 3) for field in need_fields),
        *("skills_shortage", "training_offered", "contact_email", "visibility", "consent_contact"),
    ]
    assert header == expected


@pytest.mark.parametrize("wave", WAVES)
def test_every_row_follows_the_template_rules(wave: str) -> None:
    levels = template.load_nuts_levels()
    problems = {r["response_id"]: template.row_problems(r, levels) for r in rows_of(wave)}
    assert {rid: p for rid, p in problems.items() if p} == {}


@pytest.mark.parametrize("wave", WAVES)
def test_every_nuts_code_is_a_region_of_the_rows_own_country(wave: str) -> None:
    nuts = reference_nuts()
    for row in rows_of(wave):
        code = row["nuts"]
        assert nuts.get(code) in ("1.0", "2.0", "3.0"), f"{row['response_id']}: {code} not a NUTS 2021 region"
        assert code[:2] == row["country"], f"{row['response_id']}: {code} outside {row['country']}"


@pytest.mark.parametrize("wave", WAVES)
def test_every_organisation_sits_in_wallonia_or_auvergne_rhone_alpes(wave: str) -> None:
    assert {r["nuts"][:3] for r in rows_of(wave)} == {"BE3", "FRK"}


def test_the_demo_uses_nuts_codes_of_every_level_from_1_to_3() -> None:
    nuts = reference_nuts()
    assert {nuts[r["nuts"]] for r in rows_of("2025-W1")} == {"1.0", "2.0", "3.0"}


@pytest.mark.parametrize("wave", WAVES)
def test_response_ids_are_unique_within_the_file(wave: str) -> None:
    ids = Counter(r["response_id"] for r in rows_of(wave))
    assert [rid for rid, count in ids.items() if count > 1] == []


@pytest.mark.parametrize("wave", WAVES)
def test_each_organisation_answers_once_per_wave(wave: str) -> None:
    keys = Counter(r["organisation_id"] or (r["organisation"], r["country"]) for r in rows_of(wave))
    assert [key for key, count in keys.items() if count > 1] == []


@pytest.mark.parametrize(("wave", "wallonia", "auvergne_rhone_alpes"), [("2025-W1", 30, 30), ("2026-W1", 31, 31)])
def test_each_wave_has_about_sixty_organisations_split_between_the_regions(
    wave: str, wallonia: int, auvergne_rhone_alpes: int
) -> None:
    regions = Counter(r["nuts"][:3] for r in rows_of(wave))
    assert regions == {"BE3": wallonia, "FRK": auvergne_rhone_alpes}


def test_names_carry_accents_apostrophes_ampersands_and_commas_free_text_too() -> None:
    names = [r["organisation"] for r in rows_of("2025-W1")]
    assert any("'" in n for n in names)
    assert any("&" in n for n in names)
    assert any(re.search(r"[éèêàçôÉ]", n) for n in names)
    texts = [r[f"need{n}_text"] for r in rows_of("2025-W1") for n in (1, 2, 3)]
    assert any("," in t for t in texts) and any('"' in t for t in texts)


@pytest.mark.parametrize("wave", WAVES)
def test_some_organisations_have_no_identifier_and_are_known_by_name_and_country(wave: str) -> None:
    without = [r["organisation"] for r in rows_of(wave) if not r["organisation_id"]]
    assert "BioWin" in without and "Lyonbiopole Auvergne-Rhône-Alpes" in without


def test_identifiers_are_belgian_french_and_eu_pic_numbers_with_valid_check_digits() -> None:
    ids = [r["organisation_id"] for r in rows_of("2025-W1") if r["organisation_id"]]
    kinds = Counter(template.organisation_id_kind(i) for i in ids)
    assert None not in kinds
    assert set(kinds) == {"BE", "FR", "PIC"}


def test_belgian_check_digits_are_97_minus_the_first_eight_digits_mod_97() -> None:
    number = template.belgian_enterprise_number(101)
    digits = number[2:]
    assert number.startswith("BE0") and len(digits) == 10
    assert int(digits[8:]) == 97 - int(digits[:8]) % 97


def test_french_vat_key_matches_a_luhn_valid_siren() -> None:
    number = template.french_vat_number(201)
    siren = number[4:]
    assert int(number[2:4]) == (12 + 3 * (int(siren) % 97)) % 97
    # Luhn: doubling every second digit from the right, the digit sum is a multiple of 10.
    total = sum(int(c) if i % 2 == 0 else sum(divmod(int(c) * 2, 10)) for i, c in enumerate(reversed(siren)))
    assert total % 10 == 0


def test_malformed_identifiers_are_recognised_as_such() -> None:
    assert template.organisation_id_kind("BE0400010183") is None  # check digits off by one
    assert template.organisation_id_kind("FR00123456789") is None
    assert template.organisation_id_kind("12345678") is None


@pytest.mark.parametrize("wave", WAVES)
def test_contact_data_is_fictional(wave: str) -> None:
    for row in rows_of(wave):
        host = re.sub(r"^https://(www\.)?|/$", "", row["website"])
        assert not row["website"] or host.endswith((".example.org", ".test")), row["website"]
        email = row["contact_email"]
        assert not email or email.split("@")[1].endswith(("example.org", ".test")), email


@pytest.mark.parametrize("wave", WAVES)
def test_most_organisations_give_an_email_and_some_refuse_contact(wave: str) -> None:
    rows = rows_of(wave)
    assert sum(bool(r["contact_email"]) for r in rows) >= 0.8 * len(rows)
    assert {r["consent_contact"] for r in rows} == {"yes", "no"}


@pytest.mark.parametrize("wave", WAVES)
def test_every_visibility_occurs(wave: str) -> None:
    assert {r["visibility"] for r in rows_of(wave)} == {"public", "members", "anonymous"}


@pytest.mark.parametrize("wave", WAVES)
def test_submissions_fall_in_february_and_march_of_the_waves_year_as_dates_and_date_times(wave: str) -> None:
    submitted = [r["submitted"] for r in rows_of(wave)]
    assert all(s.startswith((f"{wave[:4]}-02-", f"{wave[:4]}-03-")) for s in submitted)
    assert any("T" in s for s in submitted) and any("T" not in s for s in submitted)


def test_a_few_cells_use_the_english_preflabel_instead_of_the_notation() -> None:
    cells = [r["actor_type"] for r in rows_of("2025-W1")] + [
        v for r in rows_of("2025-W1") for v in template.split_multi(r["product_classes"])
    ]
    labels = {scheme: set(values) for scheme, values in template.LABELS.items()}
    used = {c for c in cells if not re.fullmatch(r"[AP]\d\d", c)}
    assert used == labels["actor-type"] | labels["product-class"]


@pytest.mark.parametrize("scheme", sorted(template.LABELS))
def test_every_label_used_is_the_exact_english_preflabel_in_the_ontology(scheme: str) -> None:
    graph = Graph().parse(ROOT / "ontology" / f"vocab-{scheme}.ttl")
    english = {
        str(graph.value(concept, SKOS.notation)): str(label)
        for concept, label in graph.subject_objects(SKOS.prefLabel)
        if isinstance(label, Literal) and label.language == "en"
    }
    for label, notation in template.LABELS[scheme].items():
        assert english.get(notation) == label


def test_narrower_technologies_in_needs_exist_in_the_ontology() -> None:
    graph = Graph().parse(ROOT / "ontology" / "vocab-technology.ttl")
    notations = {str(n) for n in graph.objects(None, SKOS.notation)}
    used = {
        r[f"need{n}_technology"] for wave in WAVES for r in rows_of(wave) for n in (1, 2, 3) if r[f"need{n}_technology"]
    }
    narrower = {t for t in used if "." in t}
    assert narrower and narrower <= notations



@pytest.fixture(scope="module")
def ingest_reference() -> tuple[Vocabularies, NutsIndex]:
    nuts = NutsIndex.load(ROOT / "data" / "reference" / "nuts" / "nuts_2021_eurostat.csv")
    return Vocabularies.load(ROOT / "ontology"), nuts


@pytest.mark.parametrize("name", FILES)
def test_the_ingest_template_check_accepts_every_row_without_a_warning(
    ingest_reference: tuple[Vocabularies, NutsIndex], name: str
) -> None:
    # The real reader and template check of `vcgraph ingest`, so the demo keeps up with the template as it evolves.
    vocabularies, nuts = ingest_reference
    result = parse_table(read_survey(DEMO / name), vocabularies, nuts)
    assert [str(e) for e in result.errors] == []
    assert result.warnings == []
    wave = name.split(".")[0].removeprefix("survey-")
    assert len(result.records) == result.rows_read == len(rows_of(wave))
