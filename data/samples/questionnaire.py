"""The sample questionnaire (brief section 7.1, shortened) as five survey tools present it, and ten answers.

One source for the sample exports of ``data/samples/`` and the mappings of ``data/mappings/`` (written by
``make_samples.py``), so that every tool's export holds exactly the answers of ``canonical.csv``. The
organisations are fictional (except the university's public enterprise number), written for this project.
"""

from __future__ import annotations

from dataclasses import dataclass, field

STAGES: dict[str, tuple[str, str]] = {
    "S01": ("Raw materials & consumables", "Matières premières et consommables"),
    "S02": ("Cell line / strain / starting-material development", "Lignées cellulaires, souches, matériel de départ"),
    "S03": ("Process development & scale-up", "Développement de procédés et montée en échelle"),
    "S04": ("Upstream processing (USP)", "Procédés amont (USP)"),
    "S05": ("Downstream processing (DSP) / purification", "Procédés aval (DSP) / purification"),
    "S06": ("Formulation", "Formulation"),
    "S07": ("Fill & finish", "Remplissage et finition"),
    "S08": ("QC, analytics & batch release", "Contrôle qualité, analyses et libération des lots"),
    "S09": ("Packaging & labelling", "Conditionnement et étiquetage"),
    "S10": ("Storage & cold chain", "Stockage et chaîne du froid"),
    "S11": ("Distribution & shipping", "Distribution et expédition"),
    "S12": ("Point-of-care / local / decentralised manufacturing", "Production décentralisée / au point de soin"),
    "S13": ("Regulatory, GMP & quality assurance", "Affaires réglementaires, BPF et assurance qualité"),
    "S14": ("Digital & data management", "Numérique et gestion des données"),
    "S15": ("Clinical administration & patient interface", "Administration clinique et interface patient"),
    "S16": ("End-of-life, waste & sustainability", "Fin de vie, déchets et durabilité"),
}
TECHNOLOGIES: dict[str, tuple[str, str]] = {
    "T01": ("Single-use systems", "Systèmes à usage unique"),
    "T02": ("Intensified & continuous bioprocessing", "Bioprocédés intensifiés et continus"),
    "T03": ("Cell-line & genetic engineering", "Ingénierie cellulaire et génétique"),
    "T04": ("Purification technologies", "Technologies de purification"),
    "T05": ("Process Analytical Technology (PAT) & sensors", "Technologies analytiques de procédé (PAT) et capteurs"),
    "T06": ("Analytical & QC technologies", "Technologies analytiques et de contrôle qualité"),
    "T07": ("Automation & robotics", "Automatisation et robotique"),
    "T08": ("Closed automated CGT platforms", "Plateformes fermées automatisées pour thérapies cellulaires"),
    "T09": ("Microfluidics & nanoformulation", "Microfluidique et nanoformulation"),
    "T10": ("Drying & stabilisation", "Séchage et stabilisation"),
    "T11": ("Manufacturing IT (MES/LIMS/historian/ERP)", "Informatique de production (MES, LIMS, historien, ERP)"),
    "T12": ("Modelling, digital twins & AI/ML", "Modélisation, jumeaux numériques et IA"),
    "T13": ("Data standards & FAIR data", "Standards de données et données FAIR"),
    "T14": ("Cold-chain IoT & tracking", "IoT et traçabilité de la chaîne du froid"),
    "T15": ("Serialisation & anti-counterfeiting", "Sérialisation et lutte contre la contrefaçon"),
    "T16": ("Packaging technologies", "Technologies d'emballage"),
    "T17": ("Modular / mobile / decentralised facilities", "Installations modulaires, mobiles, décentralisées"),
    "T18": ("3D (bio)printing & advanced manufacturing", "Bio-impression 3D et fabrication avancée"),
    "T19": ("Cleanroom, utilities & environmental monitoring", "Salles propres, utilités et surveillance"),
    "T20": ("Sustainability & waste technologies", "Durabilité et gestion des déchets"),
}
ACTOR_TYPES: dict[str, tuple[str, str]] = {
    "A01": ("Large pharma / biopharma", "Grande entreprise pharma / biopharma"),
    "A02": ("Biotech SME / start-up", "PME ou start-up biotech"),
    "A03": ("CDMO / CMO", "CDMO / CMO (façonnier)"),
    "A04": ("Equipment & consumables supplier", "Fournisseur d'équipements et de consommables"),
    "A05": ("Raw-material supplier", "Fournisseur de matières premières"),
    "A06": ("ICT / software company", "Entreprise TIC / logiciel"),
    "A07": ("Logistics / cold-chain provider", "Prestataire logistique / chaîne du froid"),
    "A08": ("Packaging supplier", "Fournisseur d'emballages"),
    "A09": ("Testing lab / CRO", "Laboratoire d'essais / CRO"),
    "A10": ("Consultancy (regulatory, GMP, engineering)", "Conseil (réglementaire, BPF, ingénierie)"),
    "A11": ("Academic lab / university", "Laboratoire académique / université"),
    "A12": ("RTO / research institute", "Centre de recherche technologique"),
    "A13": ("Hospital / clinical centre", "Hôpital / centre clinique"),
    "A14": ("Cluster organisation", "Pôle de compétitivité / cluster"),
    "A15": ("Public authority / regional agency", "Autorité publique / agence régionale"),
    "A16": ("Investor", "Investisseur"),
    "A17": ("Training provider", "Organisme de formation"),
}
# Option labels with commas on purpose: Google Forms joins answers with ", " and must not cut them.
SECTORS: dict[str, tuple[str, str]] = {
    "biopharma": ("Biopharma, biotech", "Biopharma, biotechnologies"),
    "engineering": ("Engineering, electronics", "Ingénierie, électronique"),
    "ict": ("ICT", "TIC (numérique)"),
    "supply-chain": ("Supply chain, logistics", "Chaîne d'approvisionnement, logistique"),
}
PRODUCT_CLASSES: dict[str, tuple[str, str]] = {
    "P01": ("Monoclonal antibodies (mAbs)", "Anticorps monoclonaux"),
    "P02": ("Bispecific, multispecific antibodies", "Anticorps bispécifiques, multispécifiques"),
    "P03": ("Biosimilars", "Biosimilaires"),
    "P04": ("Other recombinant proteins", "Autres protéines recombinantes"),
    "P05": ("mRNA vaccines, therapeutics", "Vaccins et thérapies à ARNm"),
    "P06": ("Other nucleic acids", "Autres acides nucléiques"),
    "P07": ("Viral vectors", "Vecteurs viraux"),
    "P08": ("Autologous cell therapy", "Thérapie cellulaire autologue"),
    "P09": ("Allogeneic cell therapy", "Thérapie cellulaire allogénique"),
    "P10": ("Tissue-engineered products", "Produits issus de l'ingénierie tissulaire"),
    "P11": ("Conventional vaccines", "Vaccins conventionnels"),
    "P12": ("Oncolytic viruses, phages", "Virus oncolytiques, phages"),
}
SKILLS: dict[str, tuple[str, str]] = {
    "K01": ("Aseptic processing, fill & finish", "Procédés aseptiques, remplissage"),
    "K02": ("Bioprocess engineering (USP)", "Génie des bioprocédés (amont)"),
    "K03": ("Downstream processing, purification", "Procédés aval, purification"),
    "K04": ("QC microbiology", "Microbiologie du contrôle qualité"),
    "K05": ("Analytical development", "Développement analytique"),
    "K06": ("Data science for bioprocess", "Science des données pour les bioprocédés"),
    "K07": ("Automation, PLC", "Automatisme, automates programmables"),
    "K08": ("Regulatory CMC", "Affaires réglementaires CMC"),
    "K09": ("Quality assurance, GMP", "Assurance qualité, BPF"),
    "K10": ("Validation, qualification", "Validation, qualification des équipements"),
    "K11": ("Cold-chain logistics", "Logistique du froid"),
    "K12": ("Cell culture", "Culture cellulaire"),
    "K13": ("Viral vector production", "Production de vecteurs viraux"),
    "K14": ("Project management", "Gestion de projet"),
    "K15": ("Cleanroom operations", "Travail en salle propre"),
}
SIZES = {
    "micro": ("Micro (fewer than 10 staff)", "Micro (moins de 10 salariés)"),
    "small": ("Small (10-49 staff)", "Petite (10 à 49 salariés)"),
    "medium": ("Medium (50-249 staff)", "Moyenne (50 à 249 salariés)"),
    "large": ("Large (250 staff or more)", "Grande (250 salariés et plus)"),
}
GMP = {
    "non-gmp": ("Non-GMP R&D", "R&D non BPF"),
    "gmp-ready": ("GMP-ready", "Prêt pour les BPF"),
    "gmp-certified": ("GMP-certified (EudraGMDP)", "Certifié BPF (EudraGMDP)"),
    "not-applicable": ("Not applicable", "Sans objet"),
}
STAGE_MODES = {
    "offer": ("Offer as a service to others", "Proposé comme service à des tiers"),
    "in-house": ("In-house only", "En interne uniquement"),
    "plan": ("Plan to offer (within 2 years)", "Prévu d'ici 2 ans"),
    "need": ("Need from external providers", "Besoin de prestataires externes"),
}
TECH_MODES = {
    "develop": ("We develop & offer it", "Nous la développons et la proposons"),
    "routine": ("Routine use", "Usage courant"),
    "pilot": ("Piloting", "En phase pilote"),
    "interested": ("Interested", "Intéressé"),
    "need": ("We need it", "Nous en avons besoin"),
}
NOT_RELEVANT = ("Not relevant", "Non concerné")
URGENCIES = {
    "<6m": ("Less than 6 months", "Moins de 6 mois"),
    "6-24m": ("6 to 24 months", "6 à 24 mois"),
    ">24m": ("More than 24 months", "Plus de 24 mois"),
}
VISIBILITIES = {
    "public": ("Public profile", "Profil public"),
    "members": ("Cluster members only", "Membres des clusters uniquement"),
    "anonymous": ("Anonymous aggregates only", "Agrégats anonymes uniquement"),
}
COUNTRIES = {"BE": ("Belgium", "Belgique"), "FR": ("France", "France")}
YES_NO = {"yes": ("Yes", "Oui"), "no": ("No", "Non")}
CLUSTER_OPTIONS = ("BioWin", "Lyonbiopole")
NEED_SLOTS = (1, 2)


@dataclass(frozen=True)
class Need:
    stage: str = ""
    technology: str = ""
    product_class: str = ""
    min_trl: str = ""
    urgency: str = ""
    text: str = ""


@dataclass(frozen=True)
class Answer:
    """One organisation's answers, in template values (notations)."""

    submitted: str
    organisation: str
    organisation_id: str
    website: str
    country: str
    nuts: str
    actor_type: str
    size: str
    sectors: tuple[str, ...]
    clusters: tuple[str, ...]
    product_classes: tuple[str, ...]
    gmp_status: str
    stages: dict[str, str]
    technologies: dict[str, tuple[str, str]]
    needs: tuple[Need, ...] = ()
    skills_shortage: tuple[str, ...] = ()
    training_offered: tuple[str, ...] = ()
    contact_email: str = ""
    visibility: str = "public"
    consent_contact: str = "yes"
    sectors_other: str = ""
    product_classes_other: str = ""
    skills_shortage_other: str = ""
    extra_clusters: tuple[str, ...] = field(default=())


ANSWERS: tuple[Answer, ...] = (
    Answer(
        "2026-03-02T10:15:00",
        "Université de Liège",
        "BE0325777171",
        "https://www.uliege.be",
        "BE",
        "BE332",
        "A11",
        "large",
        ("biopharma",),
        ("BioWin",),
        ("P01", "P05"),
        "non-gmp",
        {"S02": "offer", "S03": "offer", "S08": "in-house"},
        {"T03": ("develop", "4"), "T06": ("routine", "7"), "T12": ("develop", "3")},
        (Need("S05", "T04", "P05", "6", "6-24m", "Pilot-scale purification of mRNA"),),
        ("K06",),
        ("K12",),
        "research.partnerships@uliege.example",
        "public",
        "yes",
    ),
    Answer(
        "2026-03-03T14:40:00",
        "Biocell Process Engineering, S.A.S.",
        "FR40123456789",
        "https://biocell.example.fr",
        "FR",
        "FRK26",
        "A03",
        "medium",
        ("biopharma", "engineering"),
        ("Lyonbiopole",),
        ("P07", "P08"),
        "gmp-certified",
        {"S04": "offer", "S05": "offer", "S07": "offer", "S08": "offer", "S13": "in-house"},
        {"T01": ("routine", "8"), "T02": ("pilot", "6"), "T08": ("develop", "7")},
        (Need("S15", "T14", "P08", "7", "<6m", "Vein-to-vein tracking of patient batches"),),
        ("K01", "K09"),
        ("K01",),
        "contact@biocell.example.fr",
        "public",
        "yes",
    ),
    Answer(
        "2026-03-04T09:05:00",
        "Numéria Data SAS",
        "FR73987654321",
        "https://numeria.example.fr",
        "FR",
        "FRK24",
        "A06",
        "small",
        ("ict",),
        ("Lyonbiopole",),
        (),
        "not-applicable",
        {"S14": "offer"},
        {"T11": ("develop", "9"), "T12": ("develop", "7"), "T13": ("develop", "6")},
        (Need("S04", "T05", "", "", ">24m", "Access to pilot bioreactors to train our models"),),
        ("K02",),
        ("K06",),
        "hello@numeria.example.fr",
        "members",
        "no",
        extra_clusters=("Minalogic",),
    ),
    Answer(
        "2026-03-05T16:20:00",
        "Froid Logistique Wallonie",
        "BE0456789123",
        "",
        "BE",
        "BE323",
        "A07",
        "medium",
        ("supply-chain",),
        ("BioWin",),
        ("P11",),
        "gmp-ready",
        {"S10": "offer", "S11": "offer", "S16": "plan"},
        {"T14": ("routine", "9"), "T16": ("routine", "8"), "T20": ("interested", "")},
        (Need("S09", "T15", "P11", "", "6-24m", ""),),
        ("K11",),
        (),
        "planning@froid-logistique.example.be",
        "public",
        "yes",
        sectors_other="Cosmétiques, parfums",
    ),
    Answer(
        "2026-03-06T11:00:00",
        "Centre Hospitalier Universitaire de Namur",
        "BE0987654321",
        "https://chu.example.be",
        "BE",
        "BE352",
        "A13",
        "large",
        ("biopharma",),
        ("BioWin",),
        ("P08",),
        "gmp-ready",
        {"S07": "need", "S12": "plan", "S15": "in-house"},
        {"T08": ("interested", ""), "T17": ("need", "")},
        (
            Need("S12", "T17", "P08", "7", "<6m", "Point-of-care CAR-T unit in the hospital"),
            Need("S07", "T08", "P08", "", "6-24m", ""),
        ),
        ("K01", "K12", "K13"),
        (),
        "therapie.cellulaire@chu.example.be",
        "anonymous",
        "no",
    ),
    Answer(
        "2026-03-09T08:45:00",
        "Isère Bioprocédés SARL",
        "FR21555666777",
        "https://isere-bioprocedes.example.fr",
        "FR",
        "FRK24",
        "A04",
        "small",
        ("biopharma", "engineering"),
        ("Lyonbiopole",),
        ("P01", "P04", "P07"),
        "not-applicable",
        {"S01": "offer", "S04": "offer"},
        {"T01": ("develop", "8"), "T05": ("develop", "6"), "T07": ("pilot", "5")},
        (),
        ("K07",),
        ("K02", "K07"),
        "ventes@isere-bioprocedes.example.fr",
        "public",
        "yes",
    ),
    Answer(
        "2026-03-10T13:30:00",
        "Vaccinopolis Research Institute",
        "999876543",
        "https://vaccinopolis.example.org",
        "BE",
        "BE310",
        "A12",
        "medium",
        ("biopharma",),
        ("BioWin", "Lyonbiopole"),
        ("P05", "P07", "P11", "P12"),
        "gmp-ready",
        {"S02": "offer", "S03": "offer", "S06": "offer", "S08": "offer"},
        {"T06": ("routine", "7"), "T09": ("develop", "5"), "T10": ("develop", "4")},
        (Need("S07", "T07", "P05", "8", "6-24m", "GMP fill of LNP batches, small scale"),),
        ("K05", "K08"),
        ("K05",),
        "bd@vaccinopolis.example.org",
        "public",
        "yes",
        product_classes_other="Exosomes",
    ),
    Answer(
        "2026-03-11T17:55:00",
        "Rhône Packaging Solutions",
        "",
        "",
        "FR",
        "FRK26",
        "A08",
        "large",
        ("engineering", "supply-chain"),
        (),
        ("P01", "P11"),
        "gmp-certified",
        {"S09": "offer", "S11": "in-house"},
        {"T15": ("develop", "9"), "T16": ("develop", "8")},
        (),
        (),
        (),
        "",
        "members",
        "yes",
    ),
    Answer(
        "2026-03-12T10:10:00",
        "Qualitech Conseil, BPF & Validation",
        "FR66111222333",
        "https://qualitech.example.fr",
        "FR",
        "FRK21",
        "A10",
        "micro",
        ("biopharma",),
        ("Lyonbiopole",),
        (),
        "not-applicable",
        {"S13": "offer"},
        {"T11": ("interested", "")},
        (),
        ("K10",),
        ("K09", "K10"),
        "contact@qualitech.example.fr",
        "public",
        "yes",
        skills_shortage_other="Audit pharmaceutique",
    ),
    Answer(
        "2026-03-13T09:00:00",
        "Liège BioStart SRL",
        "BE0777888999",
        "https://biostart.example.be",
        "BE",
        "BE332",
        "A02",
        "micro",
        ("biopharma", "ict"),
        ("BioWin",),
        ("P02",),
        "non-gmp",
        {"S02": "in-house", "S03": "need", "S05": "need"},
        {"T03": ("develop", "3"), "T12": ("pilot", "4")},
        (
            Need("S03", "T02", "P02", "6", "<6m", "Process development partner for a bispecific"),
            Need("S05", "T04", "P02", "", "6-24m", ""),
        ),
        ("K02", "K03"),
        (),
        "founders@biostart.example.be",
        "public",
        "yes",
    ),
)


def canonical_row(index: int, answer: Answer) -> dict[str, str]:
    """The canonical-template row of an answer (multi-values sorted, ``;``-separated, as apply_mapping writes)."""
    row = {
        "response_id": f"R-{index:03d}",
        "submitted": answer.submitted,
        "organisation": answer.organisation,
        "organisation_id": answer.organisation_id,
        "website": answer.website,
        "country": answer.country,
        "nuts": answer.nuts,
        "actor_type": answer.actor_type,
        "size": answer.size,
        "sectors": ";".join(sorted(answer.sectors)),
        "clusters": ";".join(sorted({*answer.clusters, *answer.extra_clusters})),
        "product_classes": ";".join(sorted(answer.product_classes)),
        "gmp_status": answer.gmp_status,
    }
    for code in STAGES:
        row[f"stage_{code}"] = answer.stages.get(code, "")
    for code in TECHNOLOGIES:
        mode, trl = answer.technologies.get(code, ("", ""))
        row[f"tech_{code}"] = mode
        row[f"trl_{code}"] = trl
    for slot in NEED_SLOTS:
        need = answer.needs[slot - 1] if len(answer.needs) >= slot else Need()
        for part in ("stage", "technology", "product_class", "min_trl", "urgency", "text"):
            row[f"need{slot}_{part}"] = getattr(need, part)
    row.update(
        {
            "skills_shortage": ";".join(sorted(answer.skills_shortage)),
            "training_offered": ";".join(sorted(answer.training_offered)),
            "contact_email": answer.contact_email,
            "visibility": answer.visibility,
            "consent_contact": answer.consent_contact,
            "sectors_other": answer.sectors_other,
            "product_classes_other": answer.product_classes_other,
            "skills_shortage_other": answer.skills_shortage_other,
        }
    )
    return row
