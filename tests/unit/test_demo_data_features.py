"""The designed features of the demo survey (data/demo/README.md), checked on the raw rows of the committed CSVs.

These are what the questions (gaps, convergence, matchmaking, trends) must be able to show on the demo; if a
change of the demo breaks one, the README and the question tests that rely on it must change too.
"""

from __future__ import annotations

import sys
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "data" / "demo"
sys.path.insert(0, str(DEMO))

import survey_template as template  # noqa: E402  (a script folder, not a package)

W1, W2 = "2025-W1", "2026-W1"
RUN = ("develop", "routine", "pilot")  # modes in which an actor actually runs a technology

Row = dict[str, str]


@cache
def rows(wave: str) -> tuple[Row, ...]:
    return tuple(template.read_csv(DEMO / f"survey-{wave}.csv"))


def region(row: Row) -> str:
    return row["nuts"][:3]


def products(row: Row) -> set[str]:
    return {template.notation("product-class", v) for v in template.split_multi(row["product_classes"])}


def sectors(row: Row) -> set[str]:
    return set(template.split_multi(row["sectors"]))


def named(wave: str, name: str) -> Row:
    (row,) = [r for r in rows(wave) if r["organisation"] == name]
    return row


def key(row: Row) -> str:
    return row["organisation_id"] or f"{row['organisation']}|{row['country']}"


def offerers(wave: str, stage: str, product_class: str | None = None, in_region: str | None = None) -> set[str]:
    return {
        r["organisation"]
        for r in rows(wave)
        if r[f"stage_{stage}"] == "offer"
        and (product_class is None or product_class in products(r))
        and (in_region is None or region(r) == in_region)
    }


def developers(wave: str, technology: str) -> dict[str, int]:
    return {r["organisation"]: int(r[f"trl_{technology}"]) for r in rows(wave) if r[f"tech_{technology}"] == "develop"}


def needs(row: Row) -> list[dict[str, str]]:
    fields = ("stage", "technology", "product_class", "min_trl", "urgency", "text")
    out = [{f: row[f"need{n}_{f}"] for f in fields} for n in (1, 2, 3)]
    return [need for need in out if need["stage"] or need["technology"]]


def provides(provider: Row, need: dict[str, str]) -> bool:
    """Offers the need's stage, develops its technology (or the family of a narrower one), serves its product class."""
    family = need["technology"].split(".")[0]
    return (
        (not need["stage"] or provider[f"stage_{need['stage']}"] == "offer")
        and (not family or provider[f"tech_{family}"] == "develop")
        and (not need["product_class"] or need["product_class"] in products(provider))
    )


def providers_elsewhere(wave: str, owner: Row, need: dict[str, str]) -> set[str]:
    return {r["organisation"] for r in rows(wave) if region(r) != region(owner) and provides(r, need)}


def skill_regions(wave: str, column: str, skill: str) -> set[str]:
    return {region(r) for r in rows(wave) if skill in template.split_multi(r[column])}


# --- gaps ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("wave", [W1, W2])
def test_no_walloon_organisation_offers_the_patient_interface(wave: str) -> None:
    assert offerers(wave, "S15", in_region="BE3") == set()


@pytest.mark.parametrize("wave", [W1, W2])
def test_no_walloon_organisation_offers_end_of_life_services_though_one_plans_to(wave: str) -> None:
    assert offerers(wave, "S16", in_region="BE3") == set()
    assert named(wave, "Recyclage Biomédical Ardennais SRL")["stage_S16"] == "plan"


@pytest.mark.parametrize("wave", [W1, W2])
def test_patient_interface_and_end_of_life_each_have_a_single_provider_in_auvergne_rhone_alpes(wave: str) -> None:
    assert offerers(wave, "S15") == {"Centre hospitalier Rhône-Confluence"}
    assert offerers(wave, "S16") == {"Circulys Plastiques Santé SAS"}


@pytest.mark.parametrize("wave", [W1, W2])
def test_fill_and_finish_for_autologous_cell_therapy_has_one_walloon_provider_and_none_in_auvergne_rhone_alpes(
    wave: str,
) -> None:
    assert offerers(wave, "S07", "P08") == {"Vecteurs & Cellules de Gosselies SA"}
    assert offerers(wave, "S07", in_region="FRK")  # FRK does fill & finish, just not for P08


def test_distribution_for_autologous_cell_therapy_loses_its_only_provider_when_it_stops_answering() -> None:
    assert offerers(W1, "S11", "P08") == {"CryoLink Wallonie SRL"}
    assert offerers(W2, "S11", "P08") == set()


@pytest.mark.parametrize("product_class", ["P08", "P09"])
def test_raw_materials_for_cell_therapies_lose_their_only_provider_in_2026(product_class: str) -> None:
    assert offerers(W1, "S01", product_class) == {"Milieux de Culture du Condroz SRL"}
    assert offerers(W2, "S01", product_class) == set()


def test_point_of_care_manufacturing_is_offered_by_nobody_in_2025_and_by_two_organisations_in_2026() -> None:
    assert offerers(W1, "S12") == set()
    assert offerers(W2, "S12") == {"Centre hospitalier universitaire du Val de Meuse", "ModulAir Bioprod SAS"}
    assert offerers(W2, "S12", "P08", in_region="BE3") == {"Centre hospitalier universitaire du Val de Meuse"}


@pytest.mark.parametrize("wave", [W1, W2])
def test_the_3d_bioprinting_need_has_no_provider_anywhere(wave: str) -> None:
    (need,) = needs(named(wave, "TissuLab Wallonie SRL"))
    assert need["technology"] == "T18.01"
    assert developers(wave, "T18") == {}


def test_the_mobile_mrna_unit_need_finds_its_first_provider_in_2026() -> None:
    need = needs(named(W1, "ARNova Therapeutics SAS"))[0]
    assert (need["stage"], need["technology"]) == ("S12", "T17")
    assert not any(provides(r, need) for r in rows(W1))
    assert {r["organisation"] for r in rows(W2) if provides(r, need)} == {"ModulAir Bioprod SAS"}


def test_the_pat_need_asks_more_than_every_2025_developer_reaches_and_is_met_in_2026() -> None:
    owner_id = named(W1, "Biothérapies d'Auvergne SAS")["organisation_id"]
    for wave, best in ((W1, 6), (W2, 8)):
        (owner,) = [r for r in rows(wave) if r["organisation_id"] == owner_id]
        (need,) = [n for n in needs(owner) if n["technology"] == "T05"]
        assert int(need["min_trl"]) == 7
        assert max(developers(wave, "T05").values()) == best


@pytest.mark.parametrize("wave", [W1, W2])
def test_mrna_formulation_is_offered_only_below_gmp_certification_while_mrna_upstream_is_certified(wave: str) -> None:
    formulation = [named(wave, name)["gmp_status"] for name in offerers(wave, "S06", "P05")]
    assert formulation and set(formulation) <= {"non-gmp", "gmp-ready"}
    upstream = [named(wave, name)["gmp_status"] for name in offerers(wave, "S04", "P05")]
    assert "gmp-certified" in upstream


# --- convergence --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("technology", ["T05", "T12", "T14"])
@pytest.mark.parametrize("wave", [W1, W2])
def test_some_technologies_are_run_by_actors_of_disjoint_sectors(wave: str, technology: str) -> None:
    sector_sets = [sectors(r) for r in rows(wave) if r[f"tech_{technology}"] in RUN]
    assert any(a.isdisjoint(b) for a in sector_sets for b in sector_sets)


@pytest.mark.parametrize("wave", [W1, W2])
def test_many_actors_declare_two_sectors(wave: str) -> None:
    assert sum(len(sectors(r)) >= 2 for r in rows(wave)) >= 15


@pytest.mark.parametrize("wave", [W1, W2])
def test_four_ict_or_engineering_firms_develop_technologies_without_any_value_chain_stage(wave: str) -> None:
    candidates = {
        r["organisation"]
        for r in rows(wave)
        if sectors(r) & {"ict", "engineering"}
        and not any(r[f"stage_{s}"] for s in template.STAGES)
        and any(r[f"tech_{t}"] == "develop" for t in template.TECHNOLOGIES)
    }
    assert candidates == {
        "Robotique Hennuyère SRL",
        "Datalys Namur SRL",
        "Traçabilité Ardennaise SRL",
        "Visiomatique Grenoble SAS",
    }


# --- matchmaking --------------------------------------------------------------------------------------------------

CROSS_REGION_MATCHES = [
    ("AAVance Liège SRL", 1, "Vectopole Isère SAS"),
    ("AAVance Liège SRL", 2, "Vectopole Isère SAS"),
    ("Immunis Vaccins Wallonie SA", 1, "Circulys Plastiques Santé SAS"),
    ("Messager Bio SRL", 1, "LipidForm SAS"),
    ("Ourthe Cell Therapies SRL", 2, "Centre hospitalier Rhône-Confluence"),
    ("Meuse Biologics SA", 1, "Jumeaux Numériques Lyonnais SAS"),
    ("Lumen Cold Chain & Logistics SRL", 2, "Jumeaux Numériques Lyonnais SAS"),
    ("Biothérapies d'Auvergne SAS", 2, "Meuse Digital Manufacturing SRL"),
    ("Centre hospitalier Rhône-Confluence", 1, "Vecteurs & Cellules de Gosselies SA"),
    ("ARNova Therapeutics SAS", 2, "Centre de Recherche en Biotechnologie de Gembloux ASBL"),
    ("Laboratoires Pharmaceutiques de la Saône SA", 1, "Meuse Digital Manufacturing SRL"),
]


@pytest.mark.parametrize(("owner", "number", "provider"), CROSS_REGION_MATCHES)
def test_a_need_in_one_region_is_provided_in_the_other(owner: str, number: int, provider: str) -> None:
    row = named(W1, owner)
    assert provider in providers_elsewhere(W1, row, needs(row)[number - 1])


@pytest.mark.parametrize(
    ("walloon", "rhone_alpin"),
    [
        ("Vecteurs & Cellules de Gosselies SA", "Vectoria Thérapies SAS"),
        ("Lumen Cold Chain & Logistics SRL", "Emballages Thermiques Savoyards SAS"),
    ],
)
@pytest.mark.parametrize("wave", [W1, W2])
def test_cross_region_pairs_are_mutually_complementary(wave: str, walloon: str, rhone_alpin: str) -> None:
    a, b = named(wave, walloon), named(wave, rhone_alpin)
    assert any(provides(b, need) for need in needs(a))
    assert any(provides(a, need) for need in needs(b))


# --- skills -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("wave", [W1, W2])
def test_cell_and_gene_therapy_manufacturing_is_short_in_both_regions_and_trained_nowhere(wave: str) -> None:
    assert skill_regions(wave, "skills_shortage", "K11") == {"BE3", "FRK"}
    assert skill_regions(wave, "training_offered", "K11") == set()


@pytest.mark.parametrize("wave", [W1, W2])
def test_cold_chain_skills_short_in_wallonia_are_trained_only_in_auvergne_rhone_alpes(wave: str) -> None:
    assert skill_regions(wave, "skills_shortage", "K13") == {"BE3"}
    assert skill_regions(wave, "training_offered", "K13") == {"FRK"}


@pytest.mark.parametrize("wave", [W1, W2])
def test_upstream_skills_short_in_auvergne_rhone_alpes_are_trained_only_in_wallonia(wave: str) -> None:
    assert skill_regions(wave, "skills_shortage", "K02") == {"FRK"}
    assert skill_regions(wave, "training_offered", "K02") == {"BE3"}


def test_formulation_and_fill_finish_training_appears_in_2026_where_it_is_short() -> None:
    assert skill_regions(W1, "skills_shortage", "K12") == {"FRK"}
    assert skill_regions(W1, "training_offered", "K12") == set()
    assert skill_regions(W2, "training_offered", "K12") == {"FRK"}


# --- waves --------------------------------------------------------------------------------------------------------


def test_most_organisations_answer_again_two_stop_and_four_are_new() -> None:
    first = {key(r): r["organisation"] for r in rows(W1)}
    second = {key(r): r["organisation"] for r in rows(W2)}
    assert len(first.keys() & second.keys()) == 58
    assert {first[k] for k in first.keys() - second.keys()} == {
        "CryoLink Wallonie SRL",
        "Rhône-Alpes Biotech Capital SAS",
    }
    assert {second[k] for k in second.keys() - first.keys()} == {
        "Phagos Wallonie SRL",
        "Conseil GMP d'Arlon",
        "ModulAir Bioprod SAS",
        "Quantiq Bioinformatique SAS",
    }


def test_a_renamed_organisation_keeps_its_organisation_id() -> None:
    before = named(W1, "Biothérapies d'Auvergne SAS")
    after = named(W2, "Biothérapies d'Auvergne")
    assert before["organisation_id"] == after["organisation_id"] != ""


@pytest.mark.parametrize("name", ["BioWin", "Lyonbiopole Auvergne-Rhône-Alpes", "Qualitas Conseil GMP SRL"])
def test_organisations_without_identifier_answer_both_waves_under_the_same_name(name: str) -> None:
    assert named(W1, name)["organisation_id"] == named(W2, name)["organisation_id"] == ""
    assert named(W1, name)["country"] == named(W2, name)["country"]


def test_trls_of_returning_organisations_never_fall_and_several_rise() -> None:
    before = {key(r): r for r in rows(W1)}
    rises = 0
    for after in rows(W2):
        if key(after) not in before:
            continue
        for technology in template.TECHNOLOGIES:
            old, new = before[key(after)][f"trl_{technology}"], after[f"trl_{technology}"]
            if old and new:
                assert int(new) >= int(old), (after["organisation"], technology)
                rises += int(new) > int(old)
    assert rises >= 6


def test_persistent_needs_stay_declared_in_both_waves() -> None:
    for name, technology in (("TissuLab Wallonie SRL", "T18.01"), ("AAVance Liège SRL", "T04")):
        for wave in (W1, W2):
            assert technology in {n["technology"] for n in needs(named(wave, name))}


def test_a_need_is_met_and_disappears_and_another_appears() -> None:
    assert "T11" in {n["technology"] for n in needs(named(W1, "Biothérapies d'Auvergne SAS"))}
    assert "T11" not in {n["technology"] for n in needs(named(W2, "Biothérapies d'Auvergne"))}
    assert "S16" not in {n["stage"] for n in needs(named(W1, "Vecteurs & Cellules de Gosselies SA"))}
    assert "S16" in {n["stage"] for n in needs(named(W2, "Vecteurs & Cellules de Gosselies SA"))}


@pytest.mark.parametrize("wave", [W1, W2])
def test_anonymous_organisations_still_declare_needs(wave: str) -> None:
    anonymous = [r for r in rows(wave) if r["visibility"] == "anonymous"]
    assert len(anonymous) == 2
    assert all(needs(r) for r in anonymous)
