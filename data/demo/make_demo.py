"""Write the demo survey: two waves (2025-W1, 2026-W1) of the canonical template, as CSV and XLSX.

Run ``python data/demo/make_demo.py`` (optionally ``--out DIR``) to regenerate the four committed files; the output
is byte-for-byte reproducible (fixed seed, fixed XLSX timestamps), and a unit test checks the committed files are
exactly what this script writes.

The population is hand-shaped, not random: every organisation below is written out so the designed features
(gaps, single providers, cross-sector actors, cross-region matches, skills without training, wave-to-wave
changes) are visible in the source and documented in ``data/demo/README.md``. Only the submission timestamps come
from a seeded random generator. All organisations, identifiers, websites and e-mail addresses are fictional
(``example.org`` / ``.test`` domains; identifiers have valid check digits but are synthetic).
"""

# ruff: noqa: RUF001  (en dashes and minus signs are the real typography of French survey answers)

from __future__ import annotations

import argparse
import random
import sys
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from survey_template import (
    Row,
    belgian_enterprise_number,
    empty_row,
    french_vat_number,
    write_csv,
    write_xlsx,
)

DEMO_DIR = Path(__file__).resolve().parent
WAVES = ("2025-W1", "2026-W1")
SEED = 20250301


def BE(serial: int) -> str:
    """A synthetic Belgian enterprise number (short name: the table below reads like the survey)."""
    return belgian_enterprise_number(serial)


def FR(serial: int) -> str:
    return french_vat_number(serial)


def PIC(serial: int) -> str:
    """A synthetic 9-digit EU Participant Identification Code."""
    return str(888_100_000 + serial * 137)


@dataclass(frozen=True)
class Need:
    stage: str = ""
    technology: str = ""
    product_class: str = ""
    min_trl: int | None = None
    urgency: str = ""
    text: str = ""


@dataclass(frozen=True)
class Org:
    """One organisation's answer, written compactly.

    ``stages``: ``"offer: S04 S05 | in-house: S08"``; ``techs``: ``"develop: T05@6 | interested: T13"`` (``@n`` is
    the TRL); ``shortage`` / ``training``: space-separated skill notations; ``email``: the local part at the
    organisation's domain (``""`` = no e-mail given); ``domain``: defaults to ``<key>.example.org``.
    """

    key: str
    name: str
    org_id: str
    country: str
    nuts: str
    actor_type: str
    size: str
    sectors: str
    clusters: str = ""
    products: str = ""
    gmp: str = ""
    stages: str = ""
    techs: str = ""
    needs: tuple[Need, ...] = ()
    shortage: str = ""
    training: str = ""
    email: str = "contact"
    domain: str = ""
    website: bool = True
    visibility: str = "public"
    consent: str = "yes"


# ---------------------------------------------------------------------------------------------------------------
# Wave 2025-W1: 30 organisations in Wallonia (BE3), 30 in Auvergne-Rhône-Alpes (FRK).
# ---------------------------------------------------------------------------------------------------------------
WALLONIA: tuple[Org, ...] = (
    Org("biowin", "BioWin", "", "BE", "BE32B", "A14", "small", "biopharma", "BioWin",
        gmp="not-applicable", techs="interested: T13", email="info"),
    # The only provider of fill & finish (S07) for autologous cell therapy (P08) in either region.
    Org("gosselies-vc", "Vecteurs & Cellules de Gosselies SA", BE(101), "BE", "BE32B", "A03", "medium", "biopharma",
        "BioWin", products="P07;P08;P09", gmp="gmp-certified",
        stages="offer: S03 S04 S05 S07 S13 | in-house: S08 S10",
        techs="develop: T04@7 T08@8 | routine: T01@9 T11@8 | pilot: T12@5",
        needs=(Need("S08", "T06", "P07", 7, "<6m",
                    "Analytique capsides pleines/vides pour la libération rapide de lots AAV"),),
        shortage="K11 K01", email="business.development"),
    Org("lumen", "Lumen Cold Chain & Logistics SRL", BE(102), "BE", "BE32B", "A07", "medium", "supply-chain;ict",
        "BioWin", products="P01;P05;P11", gmp="gmp-ready",
        stages="offer: S10 S11 | in-house: S09",
        techs="develop: T14@8 | routine: T15@8 T16@9",
        needs=(Need("S09", "T16", "", 7, "6-24m", "Conteneurs isothermes réutilisables, 2–8 °C et −80 °C"),
               Need("S14", "T12", "", 6, ">24m", "Jumeau numérique de l'entrepôt : maintenance prédictive")),
        shortage="K13", email="ops"),
    # Does not answer wave 2026-W1: the only S11 (distribution) provider for P08 disappears with it.
    Org("cryolink", "CryoLink Wallonie SRL", BE(103), "BE", "BE332", "A07", "small", "supply-chain", "BioWin",
        products="P08;P09", gmp="gmp-ready", stages="offer: S10 S11", techs="routine: T14@8 T16@8",
        shortage="K13"),
    Org("spectralis", "Spectralis Process Analytics SRL", BE(104), "BE", "BE310", "A04", "small", "engineering;ict",
        "BioWin", products="P01;P04", gmp="non-gmp", stages="offer: S03 | plan: S08",
        techs="develop: T05@5 T12@4 | interested: T13", shortage="K06 K07"),
    Org("meuse-digital", "Meuse Digital Manufacturing SRL", BE(105), "BE", "BE332", "A06", "small", "ict", "BioWin",
        products="P01;P03;P04", gmp="not-applicable", stages="offer: S14",
        techs="develop: T11@8 T12@6 T13@6", shortage="K06"),
    # Diversification candidates: ICT / engineering firms with technologies but no value-chain stage yet.
    Org("robotique-hennuyere", "Robotique Hennuyère SRL", BE(106), "BE", "BE323", "A04", "small", "engineering",
        techs="develop: T07@7", shortage="K07", email="info"),
    Org("datalys", "Datalys Namur SRL", BE(107), "BE", "BE352", "A06", "micro", "ict",
        techs="develop: T12@5 T13@5", consent="no"),
    Org("tracabilite-ardennaise", "Traçabilité Ardennaise SRL", BE(108), "BE", "BE343", "A06", "micro",
        "ict;supply-chain", techs="develop: T14@6 T15@7", email="", website=False),
    # Its need for 3D bioprinting (T18) has no provider anywhere, in either wave.
    Org("tissulab", "TissuLab Wallonie SRL", BE(109), "BE", "BE332", "A02", "micro", "biopharma", "BioWin",
        products="P10", gmp="non-gmp", stages="in-house: S02 S03", techs="pilot: T03@4 | interested: T18",
        needs=(Need("S02", "T18.01", "P10", 5, ">24m",
                    "Bio-impression 3D de matrices tissulaires : recherche d'un partenaire technologique"),)),
    Org("chu-val-de-meuse", "Centre hospitalier universitaire du Val de Meuse", PIC(1), "BE", "BE332", "A13",
        "large", "biopharma", "BioWin", products="P08;P09", gmp="gmp-certified",
        stages="in-house: S13 S15 | plan: S12 | need: S07",
        techs="pilot: T08@6 | interested: T17",
        needs=(Need("S11", "T14.04", "P08", 8, "<6m",
                    "Transport cryogénique vein-to-vein avec chaîne d'identité et de traçabilité"),),
        shortage="K11", email="therapie.cellulaire", domain="chu-val-de-meuse.test"),
    Org("univ-sambre-meuse", "Université de Sambre-et-Meuse – Laboratoire de génie des bioprocédés", PIC(2),
        "BE", "BE352", "A11", "large", "biopharma;ict", "BioWin", products="P01;P05;P07", gmp="non-gmp",
        stages="offer: S02 S03 | in-house: S08", techs="develop: T02@4 T03@4 T12@4",
        shortage="K11", training="K02 K06", email="bioprocedes", domain="univ-sambre-meuse.test"),
    Org("crb-gembloux", "Centre de Recherche en Biotechnologie de Gembloux ASBL", BE(110), "BE", "BE352", "A12",
        "medium", "biopharma;engineering", "BioWin", products="P05;P06;P11", gmp="non-gmp",
        stages="offer: S03 S06 S08 | in-house: S04", techs="develop: T02@5 T09@5 T10@5 | pilot: T05@4",
        shortage="K07", training="K05"),
    Org("academie-bioprocedes", "Académie wallonne des Bioprocédés ASBL", BE(111), "BE", "BE32C", "A17", "small",
        "biopharma", "BioWin", gmp="not-applicable", stages="offer: S13",
        training="K01 K02 K04 K09 K10", email="formations"),
    Org("immunis", "Immunis Vaccins Wallonie SA", BE(112), "BE", "BE310", "A01", "large", "biopharma", "BioWin",
        products="P01;P05;P11", gmp="gmp-certified",
        stages="offer: S07 | in-house: S02 S03 S04 S05 S06 S08 S09 S13 | need: S16",
        techs="routine: T01@9 T04@9 T07@9 T10@9 T11@9 | pilot: T02@6 T12@6",
        needs=(Need("S16", "T20", "", 7, "6-24m",
                    "Recyclage des plastiques à usage unique et inactivation des effluents"),),
        shortage="K01 K09 K10 K11", visibility="members", email="partenariats"),
    Org("aavance", "AAVance Liège SRL", BE(113), "BE", "BE332", "A02", "small", "biopharma", "BioWin",
        products="P07", gmp="non-gmp", stages="in-house: S02 S03 | need: S04 S05 S07",
        techs="pilot: T03@5 | interested: T04",
        needs=(Need("S05", "T04", "P07", 7, "<6m",
                    "Purification AAV : séparation des capsides pleines/vides à l'échelle 200 L"),
               Need("S04", "T01", "P07", 7, "6-24m", "Production en bioréacteur à usage unique de 200 L"))),
    Org("polymeres-seneffe", "Polymères Médicaux de Seneffe SA", BE(114), "BE", "BE32C", "A04", "medium",
        "engineering;biopharma", "BioWin", products="P01;P04;P07", gmp="gmp-certified",
        stages="offer: S01", techs="develop: T01@9 | routine: T19@9", shortage="K07 K10"),
    # The only S01 (raw materials) provider for cell therapies (P08, P09) in 2025-W1; it drops them in 2026-W1.
    Org("milieux-condroz", "Milieux de Culture du Condroz SRL", BE(115), "BE", "BE331", "A05", "small", "biopharma",
        "BioWin", products="P01;P04;P08;P09", gmp="gmp-ready", stages="offer: S01 | in-house: S08",
        techs="routine: T06@8", shortage="K04"),
    Org("labo-namur", "Laboratoire d'Analyses Biologiques de Namur SA", BE(116), "BE", "BE352", "A09", "medium",
        "biopharma", "BioWin", products="P01;P03;P04;P11", gmp="gmp-certified",
        stages="offer: S08 | in-house: S13", techs="routine: T06@9 | pilot: T05@6",
        shortage="K04 K05", training="K04", email="qc"),
    Org("qualitas", "Qualitas Conseil GMP SRL", "", "BE", "BE310", "A10", "micro", "biopharma",
        gmp="not-applicable", stages="offer: S13", training="K08 K09 K10", consent="no"),
    Org("helice", "Hélice Analytics SRL", BE(117), "BE", "BE310", "A06", "small", "ict;biopharma", "BioWin",
        products="P01;P05", gmp="not-applicable", stages="offer: S14 | in-house: S03",
        techs="develop: T12@6 | routine: T11@7"),
    Org("verrerie-louviere", "Verrerie Pharmaceutique de La Louvière SA", BE(118), "BE", "BE329", "A08", "large",
        "engineering;supply-chain", products="P01;P05;P11", gmp="gmp-certified",
        stages="offer: S09 | in-house: S16", techs="routine: T15@9 T16@9", shortage="K07", visibility="members"),
    Org("fonds-biotech", "Fonds d'Investissement Biotech de Wallonie SA", BE(119), "BE", "BE33", "A16", "small",
        "biopharma", "BioWin", gmp="not-applicable", email="dealflow"),
    Org("agence-innovation", "Agence wallonne de l'Innovation en Santé", BE(120), "BE", "BE3", "A15", "medium",
        "biopharma;ict", gmp="not-applicable", email="", domain="agence-innovation-sante.test"),
    # Anonymous: its name, id and website stay in the restricted graph; its needs are public.
    Org("ourthe-cell", "Ourthe Cell Therapies SRL", BE(121), "BE", "BE335", "A02", "small", "biopharma", "BioWin",
        products="Autologous cell therapy", gmp="gmp-ready", stages="in-house: S02 S03 | need: S04 S07 S08 S11 S15",
        techs="pilot: T08@5 | interested: T17",
        needs=(Need("S07", "T08", "P08", 7, "6-24m", "Remplissage automatisé de poches de cellules CAR-T"),
               Need("S15", "", "P08", None, "6-24m", "Organisation de l'aphérèse et planification des patients")),
        visibility="anonymous", email="direction"),
    Org("messager-bio", "Messager Bio SRL", BE(122), "BE", "BE352", "A02", "small", "biopharma", "BioWin",
        products="mRNA vaccines & therapeutics", gmp="gmp-ready", stages="in-house: S03 S04 | need: S06 S07",
        techs="pilot: T09@5 | interested: T10",
        needs=(Need("S06", "T09.01", "P05", 6, "<6m", "Formulation LNP par microfluidique, lots précliniques"),)),
    Org("hohes-venn", "Hohes Venn Enzyme GmbH", BE(123), "BE", "BE336", "A05", "small", "biopharma",
        products="P04;P06", gmp="gmp-ready", stages="offer: S01 S02", techs="develop: T03@7", email="info"),
    Org("meuse-biologics", "Meuse Biologics SA", BE(124), "BE", "BE332", "A03", "large", "biopharma", "BioWin",
        products="P01;P02;P03;P04", gmp="gmp-certified",
        stages="offer: S03 S04 S05 S08 | in-house: S13 S14",
        techs="develop: T02@7 | routine: T01@9 T04@9 T11@9 | pilot: T05@6 T12@6",
        needs=(Need("S14", "T13", "", 6, "6-24m", "Intégration OPC UA / MTP des skids de chromatographie"),),
        shortage="K03 K08 K11", email="procurement"),
    # Plans (but does not offer) end-of-life services: BE3 has no S16 provider in either wave.
    Org("recyclage-ardennais", "Recyclage Biomédical Ardennais SRL", BE(125), "BE", "BE342", "A04", "micro",
        "engineering;supply-chain", gmp="not-applicable", stages="plan: S16", techs="pilot: T20@4",
        needs=(Need("", "T20.01", "", 6, ">24m", "Pyrolyse des poches à usage unique : partenaires industriels"),)),
    Org("emballages-tournaisis", "Emballages Isothermes du Tournaisis SRL", BE(126), "BE", "BE328", "A08", "small",
        "supply-chain", products="P05;P11", gmp="not-applicable", stages="offer: S09", techs="develop: T16@6",
        consent="no"),
)

AUVERGNE_RHONE_ALPES: tuple[Org, ...] = (
    Org("lyonbiopole", "Lyonbiopole Auvergne-Rhône-Alpes", "", "FR", "FRK26", "A14", "small", "biopharma",
        "Lyonbiopole", gmp="not-applicable", techs="interested: T13 T17", email="info"),
    # The only provider of the patient interface (S15) in either region.
    Org("chr-confluence", "Centre hospitalier Rhône-Confluence", FR(201), "FR", "FRK26", "A13", "large",
        "biopharma", "Lyonbiopole", products="P08;P09", gmp="gmp-certified",
        stages="offer: S15 | in-house: S08 S10 S13 | plan: S12", techs="routine: T08@8 T14@7",
        needs=(Need("S07", "T08", "P08", 8, "6-24m", "Remplissage de poches CAR-T pour des essais académiques"),),
        shortage="K01 K11", email="biotherapies", domain="chr-confluence.test"),
    # The only provider of end-of-life services (S16) in either region.
    Org("circulys", "Circulys Plastiques Santé SAS", FR(202), "FR", "FRK24", "A04", "small",
        "engineering;supply-chain", "Lyonbiopole", products="P01;P05;P07", gmp="not-applicable",
        stages="offer: S16", techs="develop: T20@7"),
    # Mutual pair with gosselies-vc: offers the S08/T06 analytics it needs, needs the S07 it offers.
    Org("vectoria", "Vectoria Thérapies SAS", FR(203), "FR", "FRK26", "A02", "small", "biopharma", "Lyonbiopole",
        products="Viral vectors", gmp="gmp-ready", stages="offer: S08 | in-house: S02 S03 S04 S05 | need: S07",
        techs="develop: T06@7 | routine: T03@8 T04@7",
        needs=(Need("S07", "", "P07", 7, "<6m", "Remplissage aseptique de lots cliniques AAV (phase I)"),),
        email="cmc"),
    # Mutual pair with lumen: offers the S09/T16 packaging it needs, needs the S10/T14 storage it offers.
    Org("emballages-savoyards", "Emballages Thermiques Savoyards SAS", FR(204), "FR", "FRK27", "A08", "medium",
        "supply-chain;engineering", products="P01;P05;P11", gmp="not-applicable",
        stages="offer: S09 | need: S10", techs="develop: T16@8 | routine: T15@8",
        needs=(Need("S10", "T14", "", 7, "6-24m", "Stockage tampon à −80 °C au Benelux pour nos conteneurs"),)),
    Org("lipidform", "LipidForm SAS", FR(205), "FR", "FRK24", "A03", "small", "biopharma;engineering",
        "Lyonbiopole", products="P05;P06", gmp="gmp-ready", stages="offer: S03 S06 | in-house: S08",
        techs="develop: T09@6 T10@6", shortage="K12"),
    Org("rhone-biomanufacturing", "Rhône Biomanufacturing Services SAS", FR(206), "FR", "FRK26", "A03", "large",
        "biopharma", "Lyonbiopole", products="P01;P05;P11", gmp="gmp-certified",
        stages="offer: S04 S05 S07 S08 S10 | in-house: S13 S14",
        techs="routine: T01@9 T04@9 T07@9 T10@8 T11@9 | pilot: T12@6",
        shortage="K01 K09 K12", training="K01", email="bd"),
    Org("vectopole", "Vectopole Isère SAS", FR(207), "FR", "FRK24", "A03", "medium", "biopharma", "Lyonbiopole",
        products="P07;P12", gmp="gmp-certified", stages="offer: S03 S04 S05 | in-house: S02 S08",
        techs="develop: T01@7 T04@8 | routine: T06@8 T11@8",
        needs=(Need("S11", "T14", "P07", 7, "6-24m",
                    "Expédition de vecteurs à −80 °C vers des centres cliniques européens"),)),
    Org("capteurs-grenoble", "Capteurs Bioprocédés Grenoble SAS", FR(208), "FR", "FRK24", "A04", "small",
        "engineering;ict", "Lyonbiopole", products="P01;P04;P07", gmp="non-gmp", stages="offer: S03 | plan: S08",
        techs="develop: T05@6 | pilot: T12@5"),
    Org("biotherapies-auvergne", "Biothérapies d'Auvergne SAS", FR(209), "FR", "FRK14", "A02", "small",
        "biopharma", "Lyonbiopole", products="P01;P04", gmp="gmp-ready",
        stages="in-house: S02 S03 S04 S05 S08 | need: S14", techs="routine: T01@8 T04@7 | interested: T05",
        needs=(Need("", "T05", "P04", 7, "6-24m",
                    "Capteurs Raman en ligne pour le suivi de culture, niveau industriel"),
               Need("S14", "T11", "", 7, "<6m", "MES et dossier de lot électronique pour notre atelier pilote"))),
    Org("visiomatique", "Visiomatique Grenoble SAS", FR(210), "FR", "FRK24", "A06", "small", "ict",
        techs="develop: T12@6 | pilot: T07@5", consent="no"),
    Org("jumeaux-numeriques", "Jumeaux Numériques Lyonnais SAS", FR(211), "FR", "FRK26", "A06", "small",
        "ict;biopharma", "Lyonbiopole", gmp="not-applicable", stages="offer: S14",
        techs="develop: T12@7 T13@6 | routine: T11@8", training="K06"),
    Org("univ-lyon-confluences", "Université Lyon Confluences – Institut des biothérapies", PIC(3), "FR", "FRK26",
        "A11", "large", "biopharma;ict", "Lyonbiopole", products="P01;P05;P07;P09", gmp="non-gmp",
        stages="offer: S02 S08 | in-house: S03", techs="develop: T03@4 T06@5 T12@5",
        training="K06 K14", email="valorisation", domain="univ-lyon-confluences.test"),
    Org("institut-alpin", "Institut Alpin de Bioproduction", PIC(4), "FR", "FRK24", "A12", "medium",
        "biopharma;engineering", "Lyonbiopole", products="P07;P08", gmp="non-gmp",
        stages="offer: S02 S03 S04", techs="develop: T02@5 T08@6 | pilot: T17@4"),
    Org("campus-bioproduction", "Campus Bioproduction Auvergne-Rhône-Alpes", FR(212), "FR", "FRK26", "A17", "medium",
        "biopharma", "Lyonbiopole", gmp="not-applicable", stages="offer: S13", training="K01 K03 K09 K10",
        email="inscriptions"),
    Org("transports-dauphine", "Transports Frigorifiques du Dauphiné SAS", FR(213), "FR", "FRK24",
        "Logistics / cold-chain provider", "large",
        "supply-chain", products="P01;P04;P11", gmp="gmp-certified", stages="offer: S10 S11",
        techs="routine: T14@9 T16@9", training="K13", visibility="members"),
    Org("cryostock-rhone", "Cryostock Rhône SAS", FR(214), "FR", "FRK26", "A07", "small", "supply-chain",
        "Lyonbiopole", products="P08;P09", gmp="gmp-certified", stages="offer: S10", techs="routine: T14@8"),
    Org("milieux-forez", "Milieux & Réactifs du Forez SAS", FR(215), "FR", "FRK25", "A05", "medium", "biopharma",
        "Lyonbiopole", products="P01;P04;P11", gmp="gmp-certified", stages="offer: S01", techs="routine: T01@8",
        shortage="K04 K15"),
    # Anonymous large pharma.
    Org("pharma-saone", "Laboratoires Pharmaceutiques de la Saône SA", FR(216), "FR", "FRK21", "A01", "large",
        "biopharma", "Lyonbiopole", products="P01;P02;P03", gmp="gmp-certified",
        stages="in-house: S02 S03 S04 S05 S06 S07 S08 S09 S13 S14",
        techs="routine: T01@9 T02@8 T04@9 T06@9 T07@9 T11@9 | pilot: T05@6 T12@7 | interested: T13",
        needs=(Need("S14", "T12", "P01", 7, "6-24m", "Jumeau numérique de la chromatographie Protéine A"),),
        shortage="K06 K08 K09 K11", visibility="anonymous", email="innovation"),
    Org("bispecifiques-alpins", "Bispécifiques Alpins SAS", FR(217), "FR", "FRK28", "A02", "micro", "biopharma",
        "Lyonbiopole", products="P02", gmp="non-gmp", stages="in-house: S02 S03 | need: S04 S05 S08",
        techs="pilot: T03@4",
        needs=(Need("S05", "T04", "P02", 6, "6-24m",
                    'Élimination des espèces "mal appariées" en polissage, procédé transférable'),),
        visibility="members", consent="no"),
    # Does not answer wave 2026-W1.
    Org("rhone-alpes-capital", "Rhône-Alpes Biotech Capital SAS", FR(218), "FR", "FRK2", "A16", "small",
        "biopharma", "Lyonbiopole", gmp="not-applicable", email="deals"),
    Org("agence-rhonalpine", "Agence rhônalpine pour l'Innovation en Santé", FR(219), "FR", "FRK", "A15", "small",
        "biopharma", gmp="not-applicable", email=""),
    # Its S12/T17 need (mobile mRNA unit) has no provider in 2025-W1; modulair provides both in 2026-W1.
    Org("arnova", "ARNova Therapeutics SAS", FR(220), "FR", "FRK26", "A02", "small", "biopharma", "Lyonbiopole",
        products="P05", gmp="non-gmp", stages="in-house: S02 S03 | need: S06 S12",
        techs="pilot: T09@4 | interested: T17",
        needs=(Need("S12", "T17", "P05", 6, ">24m", "Unité mobile de production d'ARNm pour essais décentralisés"),
               Need("S06", "T09", "P05", 7, "<6m", "Encapsulation LNP sous BPF pour un lot de phase I"))),
    Org("conseil-cmc", "Conseil Réglementaire CMC Lyon SARL", FR(221), "FR", "FRK26", "A10", "micro", "biopharma",
        gmp="not-applicable", stages="offer: S13", training="K08", website=False),
    Org("analyses-savoie", "Analyses Microbiologiques de Savoie SAS", FR(222), "FR", "FRK27", "A09", "small",
        "biopharma", products="P01;P04;P11", gmp="gmp-certified", stages="offer: S08", techs="routine: T06@8",
        shortage="K04", training="K04"),
    Org("salles-propres-leman", "Salles Propres du Léman SAS", FR(223), "FR", "FRK28", "A04", "medium",
        "engineering;biopharma", products="P01;P05;P08", gmp="not-applicable", stages="offer: S13",
        techs="develop: T19@9 | pilot: T17@5"),
    Org("bioreacteurs-velay", "Bioréacteurs du Velay SAS", FR(224), "FR", "FRK13", "A04", "small", "engineering",
        products="P01;P04;P11", gmp="non-gmp", stages="offer: S01", techs="develop: T01@7 T02@6"),
    Org("vichy-proteines", "Vichy Peptides & Protéines SAS", FR(225), "FR", "FRK11", "A03", "small", "biopharma",
        "Lyonbiopole", products="P04;P06", gmp="gmp-certified", stages="offer: S01 S04 S05",
        techs="routine: T02@7 T04@8", shortage="K02 K03"),
    Org("lyophilisation-ardechoise", "Lyophilisation Ardéchoise SARL", FR(226), "FR", "FRK22", "CDMO / CMO", "micro",
        "biopharma;engineering", products="P04;P11", gmp="gmp-ready", stages="offer: S07", techs="develop: T10@7"),
    Org("drome-data", "Drôme Data Logistique SAS", FR(227), "FR", "FRK23", "A06", "small", "ict;supply-chain",
        products="P01;P11", gmp="not-applicable", stages="offer: S09", techs="develop: T14@6 T15@8"),
)

WAVE_2025 = WALLONIA + AUVERGNE_RHONE_ALPES

# ---------------------------------------------------------------------------------------------------------------
# Wave 2026-W1: the same population one year later.
# ---------------------------------------------------------------------------------------------------------------
NOT_ANSWERING_2026 = ("cryolink", "rhone-alpes-capital")

# Each entry replaces fields of the organisation's 2025 answer; everything else is answered as before.
CHANGES_2026: dict[str, dict[str, object]] = {
    # TRLs rise: the T05 (PAT) providers reach the TRL 7 that biotherapies-auvergne asks for.
    "spectralis": {"techs": "develop: T05@7 T12@6 | interested: T13"},
    "capteurs-grenoble": {"techs": "develop: T05@8 | pilot: T12@6"},
    "institut-alpin": {"techs": "develop: T02@5 T08@7 | pilot: T17@5"},
    "univ-sambre-meuse": {"techs": "develop: T02@5 T03@5 T12@5"},
    # A gap closes: the hospital now offers point-of-care manufacturing (S12) for cell therapies.
    "chu-val-de-meuse": {
        "stages": "offer: S12 | in-house: S13 S15 | need: S07",
        "techs": "routine: T08@8 | interested: T17",
    },
    # Renamed (same organisation_id, so the same actor IRI); its MES need is met and disappears.
    "biotherapies-auvergne": {
        "name": "Biothérapies d'Auvergne",
        "needs": (Need("", "T05", "P04", 7, "6-24m",
                       "Capteurs Raman en ligne pour le suivi de culture, niveau industriel"),),
    },
    # A gap opens: the only S01 provider for P08/P09 stops serving cell therapies.
    "milieux-condroz": {"products": "P01;P04"},
    # A new need appears.
    "gosselies-vc": {
        "needs": (Need("S08", "T06", "P07", 7, "<6m",
                       "Analytique capsides pleines/vides pour la libération rapide de lots AAV"),
                  Need("S16", "T20", "P08", 6, "6-24m",
                       "Filière de traitement des déchets à usage unique de la production cellulaire")),
    },
    # Training in formulation & fill-finish (K12), short in FRK, appears there.
    "campus-bioproduction": {"training": "K01 K03 K09 K10 K12"},
    "bispecifiques-alpins": {"visibility": "public"},
}

NEW_IN_2026: tuple[Org, ...] = (
    Org("phagos", "Phagos Wallonie SRL", BE(127), "BE", "BE352", "A02", "micro", "biopharma", "BioWin",
        products="P12", gmp="non-gmp", stages="in-house: S02 | need: S04", techs="pilot: T03@4",
        needs=(Need("S04", "T01", "P12", 6, "6-24m", "Fermentation de phages en bioréacteur à usage unique"),)),
    Org("conseil-arlon", "Conseil GMP d'Arlon", "", "BE", "BE341", "A10", "micro", "biopharma",
        gmp="not-applicable", stages="offer: S13", training="K09", email="bonjour"),
    # Provides the S12 point-of-care offer and the T17 modular units arnova has been asking for.
    Org("modulair", "ModulAir Bioprod SAS", FR(228), "FR", "FRK28", "A04", "small", "engineering;biopharma",
        "Lyonbiopole", products="P05;P08", gmp="gmp-ready", stages="offer: S12",
        techs="develop: T17@7 | routine: T19@8"),
    Org("quantiq", "Quantiq Bioinformatique SAS", FR(229), "FR", "FRK14", "A06", "micro", "ict;biopharma",
        gmp="not-applicable", stages="offer: S14", techs="develop: T12@5", training="K14"),
)


def wave_2026() -> tuple[Org, ...]:
    returning = tuple(
        replace(org, **CHANGES_2026.get(org.key, {}))  # type: ignore[arg-type]
        for org in WAVE_2025
        if org.key not in NOT_ANSWERING_2026
    )
    return returning + NEW_IN_2026


POPULATIONS: dict[str, tuple[Org, ...]] = {"2025-W1": WAVE_2025, "2026-W1": wave_2026()}

# ---------------------------------------------------------------------------------------------------------------
# Org -> template row
# ---------------------------------------------------------------------------------------------------------------


def _grouped(spec: str) -> list[tuple[str, list[str]]]:
    """``"offer: S04 S05 | need: S07"`` -> ``[("offer", ["S04", "S05"]), ("need", ["S07"])]``."""
    groups: list[tuple[str, list[str]]] = []
    for part in filter(None, (p.strip() for p in spec.split("|"))):
        mode, _, items = part.partition(":")
        groups.append((mode.strip(), items.split()))
    return groups


def org_row(org: Org, response_id: str, submitted: str) -> Row:
    """The template row of one organisation's answer."""
    row = empty_row()
    domain = org.domain or f"{org.key}.example.org"
    row.update(
        response_id=response_id,
        submitted=submitted,
        organisation=org.name,
        organisation_id=org.org_id,
        website=f"https://www.{domain}/" if org.website else "",
        country=org.country,
        nuts=org.nuts,
        actor_type=org.actor_type,
        size=org.size,
        sectors=org.sectors,
        clusters=org.clusters,
        product_classes=org.products,
        gmp_status=org.gmp,
        skills_shortage=";".join(org.shortage.split()),
        training_offered=";".join(org.training.split()),
        contact_email=f"{org.email}@{domain}" if org.email else "",
        visibility=org.visibility,
        consent_contact=org.consent,
    )
    for mode, stages in _grouped(org.stages):
        for stage in stages:
            row[f"stage_{stage}"] = mode
    for mode, techs in _grouped(org.techs):
        for tech in techs:
            code, _, trl = tech.partition("@")
            row[f"tech_{code}"] = mode
            row[f"trl_{code}"] = trl
    for number, need in enumerate(org.needs, start=1):
        prefix = f"need{number}_"
        row[prefix + "stage"] = need.stage
        row[prefix + "technology"] = need.technology
        row[prefix + "product_class"] = need.product_class
        row[prefix + "min_trl"] = "" if need.min_trl is None else str(need.min_trl)
        row[prefix + "urgency"] = need.urgency
        row[prefix + "text"] = need.text
    return row


def _submission_times(wave: str, count: int, rng: random.Random) -> list[str]:
    """Submission moments spread over the survey's eight weeks from early February, in answer order.

    Most are date-times (what an online form records); every seventh is a bare date, as a spreadsheet re-typed
    by hand would hold it.
    """
    start = datetime(int(wave[:4]), 2, 3, 8, 0, 0)
    moments = sorted(start + timedelta(seconds=rng.randrange(0, 8 * 7 * 24 * 3600)) for _ in range(count))
    out: list[str] = []
    for index, moment in enumerate(moments):
        if index % 7 == 3:
            out.append(date(moment.year, moment.month, moment.day).isoformat())
        else:
            out.append(moment.isoformat())
    return out


def wave_rows(wave: str) -> list[Row]:
    """The rows of one demo wave, in the order of :data:`POPULATIONS` (response ids ``R<year>-001``...)."""
    population = POPULATIONS[wave]
    rng = random.Random(f"{SEED}:{wave}")
    times = _submission_times(wave, len(population), rng)
    year = wave[:4]
    return [
        org_row(org, f"R{year}-{index:03d}", times[index - 1]) for index, org in enumerate(population, start=1)
    ]


def write_demo(out_dir: Path) -> list[Path]:
    """Write ``survey-<wave>.csv`` and ``survey-<wave>.xlsx`` for both waves into ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for wave in WAVES:
        rows = wave_rows(wave)
        csv_path = out_dir / f"survey-{wave}.csv"
        xlsx_path = out_dir / f"survey-{wave}.xlsx"
        write_csv(rows, csv_path)
        write_xlsx(rows, xlsx_path, sheet_title=f"Survey {wave}")
        written += [csv_path, xlsx_path]
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEMO_DIR, help="directory to write into (default: data/demo)")
    args = parser.parse_args(argv)
    for path in write_demo(args.out):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
