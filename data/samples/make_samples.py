"""Write the sample exports of ``data/samples/`` and the tool mappings of ``data/mappings/``.

Run ``python data/samples/make_samples.py`` after changing ``questionnaire.py``. Each tool's export follows
that tool's conventions (brief section 7.2) and holds exactly the answers of ``canonical.csv``:

* Google Forms: Sheets CSV download (UTF-8, CRLF, ``,``), English labels, multi-choice joined by ``", "``;
* Microsoft Forms: XLSX, French labels, each chosen option followed by ``;``;
* KoboToolbox: CSV (``;``, UTF-8), XML names, ``group/question`` headers, ``select_multiple`` both as the
  space-separated summary column and as ``question/choice`` 1/0 columns;
* LimeSurvey: CSV with BOM, question-code headers, ``Q[SQ001]`` = ``Y`` columns, ``Q[other]``, answer codes;
* EUSurvey: CSV (``;``) in Windows-1252 (Excel on a French Windows), French labels with accents.

Stdlib + PyYAML + openpyxl; deterministic output (fixed workbook dates) so regenerating changes nothing.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import sys
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from questionnaire import (  # noqa: E402
    ACTOR_TYPES,
    ANSWERS,
    CLUSTER_OPTIONS,
    COUNTRIES,
    GMP,
    NEED_SLOTS,
    NOT_RELEVANT,
    PRODUCT_CLASSES,
    SECTORS,
    SIZES,
    SKILLS,
    STAGE_MODES,
    STAGES,
    TECH_MODES,
    TECHNOLOGIES,
    URGENCIES,
    VISIBILITIES,
    YES_NO,
    Answer,
    Need,
    canonical_row,
)

MAPPINGS = HERE.parent / "mappings"
NEED_PARTS = ("stage", "technology", "product_class", "min_trl", "urgency", "text")
Row = dict[str, str]
Labels = dict[str, tuple[str, str]]


def both(labels: Labels) -> dict[str, list[str]]:
    """Choices accepting the English and the French label (a form may run in either language)."""
    return {value: list(dict.fromkeys(pair)) for value, pair in labels.items()}


def merged(*choice_sets: dict[str, list[str]]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for choices in choice_sets:
        for value, labels in choices.items():
            out.setdefault(value, [])
            out[value] += [label for label in labels if label not in out[value]]
    return out


def moment(answer: Answer) -> dt.datetime:
    return dt.datetime.fromisoformat(answer.submitted)


def need_of(answer: Answer, slot: int) -> Need:
    return answer.needs[slot - 1] if len(answer.needs) >= slot else Need()


def write_csv(
    path: Path,
    header: Sequence[str],
    rows: Sequence[Row],
    *,
    delimiter: str = ",",
    encoding: str = "utf-8",
    bom: bool = False,
    newline: str = "\r\n",
) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator=newline)
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(column, "") for column in header])
    data = buffer.getvalue().encode(encoding)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)


def write_xlsx(path: Path, header: Sequence[str], rows: Sequence[Row], sheet: str) -> None:
    from openpyxl import Workbook

    workbook = Workbook()
    worksheet = workbook.active
    assert worksheet is not None
    worksheet.title = sheet
    worksheet.append(list(header))
    for row in rows:
        worksheet.append([row.get(column) or None for column in header])
    fixed = dt.datetime(2026, 3, 20, 12, 0, 0)
    workbook.properties.created = fixed
    workbook.properties.modified = fixed
    buffer = io.BytesIO()
    workbook.save(buffer)
    # openpyxl stamps zip entries with the current time: re-pack with a fixed one so regenerating changes nothing
    with zipfile.ZipFile(buffer) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=(2026, 3, 20, 12, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":  # openpyxl sets "modified" to the time of saving
                content = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>2026-03-20T12:00:00Z", content)
            target.writestr(entry, content)


def write_mapping(name: str, document: dict[str, Any], comment: str) -> None:
    text = yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=120, default_flow_style=None)
    header = "".join(f"# {line}\n" if line else "#\n" for line in comment.strip().splitlines())
    (MAPPINGS / f"{name}.yaml").write_text(
        header + "# Generated with the sample exports by data/samples/make_samples.py; curated synonyms go to the\n"
        f"# overlay {name}.curation.yaml (vcgraph curate --apply), not here.\n" + text,
        encoding="utf-8",
    )


# --- canonical -----------------------------------------------------------------------------------------------
def canonical_rows() -> list[Row]:
    return [canonical_row(i, a) for i, a in enumerate(ANSWERS, start=1)]


def canonical_columns() -> list[str]:
    return list(canonical_rows()[0])


# --- Google Forms ----------------------------------------------------------------------------------------------
G_STAGE = "Your position for each value-chain stage [{}]"
G_TECH = "Your relation to each technology family [{}]"
G_TRL = "TRL of the technologies you develop or use [{}]"
G_NEED = {
    "stage": "Need {} - value-chain stage",
    "technology": "Need {} - technology family",
    "product_class": "Need {} - product class",
    "min_trl": "Need {} - minimum TRL",
    "urgency": "Need {} - urgency",
    "text": "Need {} - details",
}


def google_date(when: dt.datetime) -> str:
    hour = when.hour % 12 or 12
    return f"{when:%Y/%m/%d} {hour}:{when:%M:%S} {'AM' if when.hour < 12 else 'PM'} GMT+1"


def joined(values: Sequence[str], labels: Labels, lang: int, sep: str, other: str = "", trailing: bool = False) -> str:
    parts = [labels[v][lang] for v in labels if v in values]
    if other:
        parts.append(other)
    if not parts:
        return ""
    return sep.join(parts) + (sep if trailing else "")


def google_rows(answers: Sequence[Answer] = ANSWERS) -> tuple[list[str], list[Row]]:
    header = [
        "Timestamp",
        "Legal name of organisation",
        "Enterprise / VAT number or EU PIC",
        "Website",
        "Country",
        "NUTS 3 region of your main site (code)",
        "Organisation type",
        "Size",
        "Sectors you operate in",
        "Cluster memberships",
        "Product classes you work on",
        "GMP status of your manufacturing/testing activities",
        *(G_STAGE.format(en) for en, _ in STAGES.values()),
        *(G_TECH.format(en) for en, _ in TECHNOLOGIES.values()),
        *(G_TRL.format(en) for en, _ in TECHNOLOGIES.values()),
        *(G_NEED[p].format(n) for n in NEED_SLOTS for p in NEED_PARTS),
        "Skills you find hard to recruit",
        "Training you offer to third parties",
        "Email address",
        "Visibility of your answers",
        "Consent to be contacted for matchmaking",
    ]
    rows = []
    for i, a in enumerate(answers, start=1):
        # Respondents type names and codes with stray spaces; Google keeps them as typed.
        name = f"  {a.organisation} " if i == 3 else a.organisation
        row = {
            "Timestamp": google_date(moment(a)),
            "Legal name of organisation": name,
            "Enterprise / VAT number or EU PIC": a.organisation_id,
            "Website": a.website,
            "Country": COUNTRIES[a.country][0],
            "NUTS 3 region of your main site (code)": a.nuts + (" " if i == 4 else ""),
            "Organisation type": ACTOR_TYPES[a.actor_type][0],
            "Size": SIZES[a.size][0],
            "Sectors you operate in": joined(a.sectors, SECTORS, 0, ", ", a.sectors_other),
            "Cluster memberships": ", ".join([c for c in CLUSTER_OPTIONS if c in a.clusters] + list(a.extra_clusters)),
            "Product classes you work on": joined(a.product_classes, PRODUCT_CLASSES, 0, ", ", a.product_classes_other),
            "GMP status of your manufacturing/testing activities": GMP[a.gmp_status][0],
            "Skills you find hard to recruit": joined(a.skills_shortage, SKILLS, 0, ", ", a.skills_shortage_other),
            "Training you offer to third parties": joined(a.training_offered, SKILLS, 0, ", "),
            "Email address": a.contact_email,
            "Visibility of your answers": VISIBILITIES[a.visibility][0],
            "Consent to be contacted for matchmaking": YES_NO[a.consent_contact][0],
        }
        for code, (en, _) in STAGES.items():
            mode = a.stages.get(code)
            row[G_STAGE.format(en)] = STAGE_MODES[mode][0] if mode else (NOT_RELEVANT[0] if i % 2 else "")
        for code, (en, _) in TECHNOLOGIES.items():
            mode, trl = a.technologies.get(code, ("", ""))
            row[G_TECH.format(en)] = TECH_MODES[mode][0] if mode else (NOT_RELEVANT[0] if i % 2 else "")
            row[G_TRL.format(en)] = f"TRL {trl}" if trl else ""
        for n in NEED_SLOTS:
            need = need_of(a, n)
            row[G_NEED["stage"].format(n)] = STAGES[need.stage][0] if need.stage else ""
            row[G_NEED["technology"].format(n)] = TECHNOLOGIES[need.technology][0] if need.technology else ""
            row[G_NEED["product_class"].format(n)] = (
                PRODUCT_CLASSES[need.product_class][0] if need.product_class else ""
            )
            row[G_NEED["min_trl"].format(n)] = need.min_trl
            row[G_NEED["urgency"].format(n)] = URGENCIES[need.urgency][0] if need.urgency else ""
            row[G_NEED["text"].format(n)] = need.text
        rows.append(row)
    return header, rows


def label_fields(
    lang_headers: Callable[[str], list[str]],
    need_header: Callable[[str, int], list[str]],
    stage_header: Callable[[str, str, str], list[str]],
    tech_header: Callable[[str, str, str], list[str]],
    trl_header: Callable[[str, str, str], list[str]],
    separator: str,
    other: str | None,
    trl_prefix: str = "",
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Fields and matrices of a mapping for a tool that exports answer labels (Google, Microsoft, EUSurvey)."""
    multi: dict[str, Any] = {"separator": separator}
    fields: dict[str, Any] = {
        "organisation": {"column": lang_headers("organisation")},
        "organisation_id": {"column": lang_headers("organisation_id"), "required": False},
        "website": {"column": lang_headers("website"), "required": False},
        "country": {"column": lang_headers("country"), "choices": both(COUNTRIES)},
        "nuts": {"column": lang_headers("nuts")},
        "actor_type": {"column": lang_headers("actor_type"), "scheme": "actor-type", "choices": both(ACTOR_TYPES)},
        "size": {"column": lang_headers("size"), "scheme": "size", "choices": both(SIZES)},
        "sectors": {"column": lang_headers("sectors"), "scheme": "sector", "choices": both(SECTORS), **multi},
        "clusters": {
            "column": lang_headers("clusters"),
            **multi,
            "choices": {c: [c] for c in CLUSTER_OPTIONS},
            "other": "keep",
        },
        "product_classes": {
            "column": lang_headers("product_classes"),
            "scheme": "product-class",
            "choices": both(PRODUCT_CLASSES),
            **multi,
        },
        "gmp_status": {"column": lang_headers("gmp_status"), "scheme": "gmp-status", "choices": both(GMP)},
    }
    if other:
        for name in ("sectors", "product_classes"):
            fields[name]["other"] = other
    for slot in NEED_SLOTS:
        fields[f"need{slot}_stage"] = {"column": need_header("stage", slot), "scheme": "stage", "choices": both(STAGES)}
        fields[f"need{slot}_technology"] = {
            "column": need_header("technology", slot),
            "scheme": "technology",
            "choices": both(TECHNOLOGIES),
        }
        fields[f"need{slot}_product_class"] = {
            "column": need_header("product_class", slot),
            "scheme": "product-class",
            "choices": both(PRODUCT_CLASSES),
        }
        fields[f"need{slot}_min_trl"] = {"column": need_header("min_trl", slot), "scheme": "trl"}
        fields[f"need{slot}_urgency"] = {
            "column": need_header("urgency", slot),
            "scheme": "urgency",
            "choices": both(URGENCIES),
        }
        fields[f"need{slot}_text"] = {"column": need_header("text", slot)}
    fields["skills_shortage"] = {
        "column": lang_headers("skills_shortage"),
        "scheme": "skill",
        "choices": both(SKILLS),
        **multi,
    }
    if other:
        fields["skills_shortage"]["other"] = other
    fields["training_offered"] = {
        "column": lang_headers("training_offered"),
        "scheme": "skill",
        "choices": both(SKILLS),
        **multi,
    }
    fields["contact_email"] = {"column": lang_headers("contact_email"), "required": False}
    fields["visibility"] = {"column": lang_headers("visibility"), "scheme": "visibility", "choices": both(VISIBILITIES)}
    fields["consent_contact"] = {"column": lang_headers("consent_contact"), "choices": both(YES_NO)}
    trl: dict[str, Any] = {"scheme": "trl"}
    if trl_prefix:
        trl["choices"] = {str(n): [f"{trl_prefix}{n}"] for n in range(1, 10)}
    matrices = {
        "stage_positions": {
            "target": "stage_{row}",
            "scheme": "mode",
            "choices": both(STAGE_MODES),
            "empty": list(NOT_RELEVANT),
            "rows": {code: stage_header(code, en, fr) for code, (en, fr) in STAGES.items()},
        },
        "technology_relations": {
            "target": "tech_{row}",
            "scheme": "mode",
            "choices": both(TECH_MODES),
            "empty": list(NOT_RELEVANT),
            "rows": {code: tech_header(code, en, fr) for code, (en, fr) in TECHNOLOGIES.items()},
        },
        "technology_trl": {
            "target": "trl_{row}",
            **trl,
            "rows": {code: trl_header(code, en, fr) for code, (en, fr) in TECHNOLOGIES.items()},
        },
    }
    return fields, matrices


# Headers of the French questionnaire (Microsoft Forms and EUSurvey ran the form in French).
FR_HEADERS = {
    "organisation": "Nom légal de l'organisation",
    "organisation_id": "Numéro d'entreprise / TVA ou PIC européen",
    "website": "Site web",
    "country": "Pays",
    "nuts": "Région NUTS 3 du site principal (code)",
    "actor_type": "Type d'organisation",
    "size": "Taille",
    "sectors": "Secteurs d'activité",
    "clusters": "Appartenance à des clusters",
    "product_classes": "Classes de produits",
    "gmp_status": "Statut BPF des activités de production ou de contrôle",
    "skills_shortage": "Compétences difficiles à recruter",
    "training_offered": "Formations proposées à des tiers",
    "contact_email": "Adresse électronique de contact",
    "visibility": "Visibilité de vos réponses",
    "consent_contact": "Accord pour être contacté (mise en relation)",
}
EN_HEADERS = {
    "organisation": "Legal name of organisation",
    "organisation_id": "Enterprise / VAT number or EU PIC",
    "website": "Website",
    "country": "Country",
    "nuts": "NUTS 3 region of your main site (code)",
    "actor_type": "Organisation type",
    "size": "Size",
    "sectors": "Sectors you operate in",
    "clusters": "Cluster memberships",
    "product_classes": "Product classes you work on",
    "gmp_status": "GMP status of your manufacturing/testing activities",
    "skills_shortage": "Skills you find hard to recruit",
    "training_offered": "Training you offer to third parties",
    "contact_email": "Email address",
    "visibility": "Visibility of your answers",
    "consent_contact": "Consent to be contacted for matchmaking",
}
FR_NEED = {
    "stage": "Besoin {} - étape de la chaîne de valeur",
    "technology": "Besoin {} - famille de technologies",
    "product_class": "Besoin {} - classe de produit",
    "min_trl": "Besoin {} - TRL minimum",
    "urgency": "Besoin {} - urgence",
    "text": "Besoin {} - précisions",
}
FR_STAGE = "Position par étape de la chaîne de valeur : {}"
FR_TECH = "Relation à chaque famille de technologies : {}"
FR_TRL = "TRL des technologies développées ou utilisées : {}"


def google_mapping() -> dict[str, Any]:
    fields, matrices = label_fields(
        lambda key: [EN_HEADERS[key], FR_HEADERS[key]],
        lambda part, n: [G_NEED[part].format(n), FR_NEED[part].format(n)],
        lambda code, en, fr: [G_STAGE.format(en), FR_STAGE.format(fr)],
        lambda code, en, fr: [G_TECH.format(en), FR_TECH.format(fr)],
        lambda code, en, fr: [G_TRL.format(en), FR_TRL.format(fr)],
        ", ",
        "in-cell",
        trl_prefix="TRL ",
    )
    fields = {
        "response_id": {"generate": "R-{index:03d}"},
        "submitted": {"column": ["Timestamp", "Horodateur"], "date": True},
        **fields,
    }
    return {
        "tool": "google-forms",
        "title": "Google Forms: responses downloaded from Sheets as CSV",
        "input": {"encoding": "auto", "delimiter": ","},
        "dates": "google-forms",
        "fields": fields,
        "matrices": matrices,
    }


# --- Microsoft Forms -------------------------------------------------------------------------------------------
def ms_date(when: dt.datetime) -> str:
    return f"{when.month}/{when.day}/{when:%y} {when:%H:%M:%S}"


def ms_rows() -> tuple[list[str], list[Row]]:
    header = [
        "ID",
        "Heure de début",
        "Heure de fin",
        "Adresse de messagerie",
        "Nom",
        *(
            FR_HEADERS[k]
            for k in (
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
            )
        ),
        *(FR_STAGE.format(fr) for _, fr in STAGES.values()),
        *(FR_TECH.format(fr) for _, fr in TECHNOLOGIES.values()),
        *(FR_TRL.format(fr) for _, fr in TECHNOLOGIES.values()),
        *(FR_NEED[p].format(n) for n in NEED_SLOTS for p in NEED_PARTS),
        FR_HEADERS["skills_shortage"],
        FR_HEADERS["training_offered"],
        FR_HEADERS["visibility"],
        FR_HEADERS["consent_contact"],
    ]
    rows = []
    for i, a in enumerate(ANSWERS, start=1):
        when = moment(a)
        row = {
            "ID": str(i),
            "Heure de début": ms_date(when - dt.timedelta(minutes=12)),
            "Heure de fin": ms_date(when),
            "Adresse de messagerie": a.contact_email,
            "Nom": "",
            FR_HEADERS["organisation"]: a.organisation,
            FR_HEADERS["organisation_id"]: a.organisation_id,
            FR_HEADERS["website"]: a.website,
            FR_HEADERS["country"]: COUNTRIES[a.country][1],
            FR_HEADERS["nuts"]: a.nuts,
            FR_HEADERS["actor_type"]: ACTOR_TYPES[a.actor_type][1],
            FR_HEADERS["size"]: SIZES[a.size][1],
            FR_HEADERS["sectors"]: joined(a.sectors, SECTORS, 1, ";", a.sectors_other, trailing=True),
            FR_HEADERS["clusters"]: "".join(
                f"{c};" for c in [*(o for o in CLUSTER_OPTIONS if o in a.clusters), *a.extra_clusters]
            ),
            FR_HEADERS["product_classes"]: joined(
                a.product_classes, PRODUCT_CLASSES, 1, ";", a.product_classes_other, trailing=True
            ),
            FR_HEADERS["gmp_status"]: GMP[a.gmp_status][1],
            FR_HEADERS["skills_shortage"]: joined(
                a.skills_shortage, SKILLS, 1, ";", a.skills_shortage_other, trailing=True
            ),
            FR_HEADERS["training_offered"]: joined(a.training_offered, SKILLS, 1, ";", trailing=True),
            FR_HEADERS["visibility"]: VISIBILITIES[a.visibility][1],
            FR_HEADERS["consent_contact"]: YES_NO[a.consent_contact][1],
        }
        fill_label_matrices(row, a, 1, FR_STAGE, FR_TECH, FR_TRL, lambda trl: trl)
        for n in NEED_SLOTS:
            fill_label_need(row, need_of(a, n), n, FR_NEED, 1)
        rows.append(row)
    return header, rows


def fill_label_matrices(
    row: Row, a: Answer, lang: int, stage: str, tech: str, trl_header: str, trl_text: Callable[[str], str]
) -> None:
    for code, labels in STAGES.items():
        mode = a.stages.get(code)
        row[stage.format(labels[lang])] = STAGE_MODES[mode][lang] if mode else ""
    for code, labels in TECHNOLOGIES.items():
        mode, trl = a.technologies.get(code, ("", ""))
        row[tech.format(labels[lang])] = TECH_MODES[mode][lang] if mode else ""
        row[trl_header.format(labels[lang])] = trl_text(trl) if trl else ""


def fill_label_need(row: Row, need: Need, n: int, headers: dict[str, str], lang: int) -> None:
    row[headers["stage"].format(n)] = STAGES[need.stage][lang] if need.stage else ""
    row[headers["technology"].format(n)] = TECHNOLOGIES[need.technology][lang] if need.technology else ""
    row[headers["product_class"].format(n)] = PRODUCT_CLASSES[need.product_class][lang] if need.product_class else ""
    row[headers["min_trl"].format(n)] = need.min_trl
    row[headers["urgency"].format(n)] = URGENCIES[need.urgency][lang] if need.urgency else ""
    row[headers["text"].format(n)] = need.text


def ms_mapping() -> dict[str, Any]:
    fields, matrices = label_fields(
        lambda key: [FR_HEADERS[key], EN_HEADERS[key]],
        lambda part, n: [FR_NEED[part].format(n), G_NEED[part].format(n)],
        lambda code, en, fr: [FR_STAGE.format(fr), G_STAGE.format(en)],
        lambda code, en, fr: [FR_TECH.format(fr), G_TECH.format(en)],
        lambda code, en, fr: [FR_TRL.format(fr), G_TRL.format(en)],
        ";",
        "in-cell",
    )
    fields["contact_email"] = {"column": ["Adresse de messagerie", "Email"], "required": False}
    fields = {
        "response_id": {"column": "ID", "template": "R-{value:0>3}"},
        "submitted": {"column": ["Heure de fin", "Completion time"], "date": True},
        **fields,
    }
    return {
        "tool": "microsoft-forms",
        "title": "Microsoft Forms: 'Open in Excel' workbook of the responses",
        "dates": "microsoft-forms",
        "fields": fields,
        "matrices": matrices,
    }


# --- KoboToolbox -----------------------------------------------------------------------------------------------
KOBO_SECTORS = {"biopharma": "biopharma", "engineering": "engineering", "ict": "ict", "supply-chain": "supply_chain"}
KOBO_GMP = {
    "non-gmp": "non_gmp",
    "gmp-ready": "gmp_ready",
    "gmp-certified": "gmp_certified",
    "not-applicable": "not_applicable",
}
KOBO_STAGE_MODES = {"offer": "offer", "in-house": "in_house", "plan": "plan", "need": "need"}
KOBO_URGENCY = {"<6m": "lt6m", "6-24m": "m6_24", ">24m": "gt24m"}


def kobo_date(when: dt.datetime) -> str:
    return f"{when:%Y-%m-%dT%H:%M:%S}.000+01:00"


def kobo_rows(answers: Sequence[Answer] = ANSWERS) -> tuple[list[str], list[Row]]:
    sector_details = [f"org/sectors/{name}" for name in [*KOBO_SECTORS.values(), "other"]]
    header = [
        "start",
        "end",
        "today",
        "org/org_name",
        "org/org_id",
        "org/website",
        "org/country",
        "org/nuts",
        "org/actor_type",
        "org/size",
        "org/sectors",
        *sector_details,
        "org/sectors_other",
        "org/clusters",
        "org/clusters_other",
        "products/product_classes",
        "products/product_classes_other",
        "products/gmp_status",
        *(f"stages/{c.lower()}" for c in STAGES),
        *(f"tech/{c.lower()}" for c in TECHNOLOGIES),
        *(f"tech/trl_{c.lower()}" for c in TECHNOLOGIES),
        *(f"needs/need{n}_{p}" for n in NEED_SLOTS for p in NEED_PARTS),
        "skills/skills_shortage",
        "skills/skills_shortage_other",
        "skills/training_offered",
        "consent/contact_email",
        "consent/visibility",
        "consent/consent_contact",
        "_id",
        "_uuid",
        "_submission_time",
        "_index",
    ]
    rows = []
    for i, a in enumerate(answers, start=1):
        when = moment(a)
        chosen = [KOBO_SECTORS[s] for s in SECTORS if s in a.sectors] + (["other"] if a.sectors_other else [])
        clusters = [c.lower() for c in CLUSTER_OPTIONS if c in a.clusters] + (["other"] if a.extra_clusters else [])
        products = [p.lower() for p in PRODUCT_CLASSES if p in a.product_classes]
        products += ["other"] if a.product_classes_other else []
        skills = [k.lower() for k in SKILLS if k in a.skills_shortage] + (["other"] if a.skills_shortage_other else [])
        row = {
            "start": kobo_date(when - dt.timedelta(minutes=20)),
            "end": kobo_date(when),
            "today": f"{when:%Y-%m-%d}",
            "org/org_name": a.organisation,
            "org/org_id": a.organisation_id,
            "org/website": a.website,
            "org/country": a.country.lower(),
            "org/nuts": a.nuts,
            "org/actor_type": a.actor_type.lower(),
            "org/size": a.size,
            "org/sectors": " ".join(chosen),
            "org/sectors_other": a.sectors_other,
            "org/clusters": " ".join(clusters),
            "org/clusters_other": " ".join(a.extra_clusters),
            "products/product_classes": " ".join(products),
            "products/product_classes_other": a.product_classes_other,
            "products/gmp_status": KOBO_GMP[a.gmp_status],
            "skills/skills_shortage": " ".join(skills),
            "skills/skills_shortage_other": a.skills_shortage_other,
            "skills/training_offered": " ".join(k.lower() for k in SKILLS if k in a.training_offered),
            "consent/contact_email": a.contact_email,
            "consent/visibility": a.visibility,
            "consent/consent_contact": a.consent_contact,
            "_id": str(48213 + i),
            "_uuid": f"5f0c6e2a-0000-4000-8000-{i:012d}",
            "_submission_time": f"{when - dt.timedelta(hours=1):%Y-%m-%dT%H:%M:%S}",
            "_index": str(i),
        }
        for detail, name in zip(sector_details, [*KOBO_SECTORS.values(), "other"], strict=True):
            row[detail] = "1" if name in chosen else "0"
        for code in STAGES:
            mode = a.stages.get(code)
            row[f"stages/{code.lower()}"] = KOBO_STAGE_MODES[mode] if mode else "na"
        for code in TECHNOLOGIES:
            mode, trl = a.technologies.get(code, ("", ""))
            row[f"tech/{code.lower()}"] = mode or "na"
            row[f"tech/trl_{code.lower()}"] = trl
        for n in NEED_SLOTS:
            need = need_of(a, n)
            row[f"needs/need{n}_stage"] = need.stage.lower()
            row[f"needs/need{n}_technology"] = need.technology.lower()
            row[f"needs/need{n}_product_class"] = need.product_class.lower()
            row[f"needs/need{n}_min_trl"] = need.min_trl
            row[f"needs/need{n}_urgency"] = KOBO_URGENCY[need.urgency] if need.urgency else ""
            row[f"needs/need{n}_text"] = need.text
        rows.append(row)
    return header, rows


def names(codes: dict[str, str]) -> dict[str, list[str]]:
    return {value: [name] for value, name in codes.items()}


def kobo_mapping() -> dict[str, Any]:
    fields: dict[str, Any] = {
        "response_id": {"column": "_index", "template": "R-{value:0>3}"},
        "submitted": {"column": "end", "date": True},
        "organisation": {"column": "org_name"},
        "organisation_id": {"column": "org_id", "required": False},
        "website": {"column": "website", "required": False},
        "country": {"column": "country", "choices": {"BE": ["be"], "FR": ["fr"]}},
        "nuts": {"column": "nuts"},
        "actor_type": {"column": "actor_type", "scheme": "actor-type"},
        "size": {"column": "size", "scheme": "size"},
        # select_multiple exported "both" ways: the 1/0 detail columns are read; the summary column is not needed
        "sectors": {
            "options": {v: f"sectors/{n}" for v, n in KOBO_SECTORS.items()},
            "ticked": ["1"],
            "unticked": ["0", ""],
            "other_column": "sectors_other",
            "scheme": "sector",
        },
        "clusters": {
            "column": "clusters",
            "separator": " ",
            "choices": {c: [c.lower()] for c in CLUSTER_OPTIONS},
            "empty": ["other"],
            "other_column": "clusters_other",
            "other_into": "clusters",
        },
        "product_classes": {
            "column": "product_classes",
            "separator": " ",
            "scheme": "product-class",
            "empty": ["other"],
            "other_column": "product_classes_other",
        },
        "gmp_status": {"column": "gmp_status", "scheme": "gmp-status", "choices": names(KOBO_GMP)},
    }
    for n in NEED_SLOTS:
        fields[f"need{n}_stage"] = {"column": f"need{n}_stage", "scheme": "stage"}
        fields[f"need{n}_technology"] = {"column": f"need{n}_technology", "scheme": "technology"}
        fields[f"need{n}_product_class"] = {"column": f"need{n}_product_class", "scheme": "product-class"}
        fields[f"need{n}_min_trl"] = {"column": f"need{n}_min_trl", "scheme": "trl"}
        fields[f"need{n}_urgency"] = {"column": f"need{n}_urgency", "scheme": "urgency", "choices": names(KOBO_URGENCY)}
        fields[f"need{n}_text"] = {"column": f"need{n}_text"}
    fields.update(
        {
            "skills_shortage": {
                "column": "skills_shortage",
                "separator": " ",
                "scheme": "skill",
                "empty": ["other"],
                "other_column": "skills_shortage_other",
            },
            "training_offered": {"column": "training_offered", "separator": " ", "scheme": "skill"},
            "contact_email": {"column": "contact_email", "required": False},
            "visibility": {"column": "visibility", "scheme": "visibility"},
            "consent_contact": {"column": "consent_contact", "choices": {"yes": ["yes"], "no": ["no"]}},
        }
    )
    matrices = {
        "stage_positions": {
            "target": "stage_{row}",
            "scheme": "mode",
            "choices": names(KOBO_STAGE_MODES),
            "empty": ["na"],
            "rows": {c: c.lower() for c in STAGES},
        },
        "technology_relations": {
            "target": "tech_{row}",
            "scheme": "mode",
            "empty": ["na"],
            "rows": {c: c.lower() for c in TECHNOLOGIES},
        },
        "technology_trl": {
            "target": "trl_{row}",
            "scheme": "trl",
            "rows": {c: f"trl_{c.lower()}" for c in TECHNOLOGIES},
        },
    }
    return {
        "tool": "kobotoolbox",
        "title": "KoboToolbox: CSV export, XML values and headers, select_multiple 'both', group separator '/'",
        "input": {"encoding": "auto", "delimiter": ";", "group_separator": "/"},
        "dates": "kobotoolbox",
        "fields": fields,
        "matrices": matrices,
    }


# --- LimeSurvey ------------------------------------------------------------------------------------------------
LS_SIZE = {"micro": "SZ1", "small": "SZ2", "medium": "SZ3", "large": "SZ4"}
LS_GMP = {"non-gmp": "G1", "gmp-ready": "G2", "gmp-certified": "G3", "not-applicable": "G4"}
LS_STAGE = {"offer": "AO1", "in-house": "AO2", "plan": "AO3", "need": "AO4"}
LS_TECH = {"develop": "R1", "routine": "R2", "pilot": "R3", "interested": "R4", "need": "R5"}
LS_URGENCY = {"<6m": "U1", "6-24m": "U2", ">24m": "U3"}
LS_VISIBILITY = {"public": "V1", "members": "V2", "anonymous": "V3"}
LS_NEED = {
    "stage": "N{}S",
    "technology": "N{}T",
    "product_class": "N{}P",
    "min_trl": "N{}TRL",
    "urgency": "N{}U",
    "text": "N{}X",
}


def sq(question: str, index: int) -> str:
    return f"{question}[SQ{index:03d}]"


def lime_rows(answers: Sequence[Answer] = ANSWERS) -> tuple[list[str], list[Row]]:
    header = [
        "id",
        "submitdate",
        "lastpage",
        "startlanguage",
        "seed",
        "A1",
        "A2",
        "A3",
        "A4",
        "A4b",
        "A5",
        "A6",
        *(sq("A9", i) for i in range(1, 5)),
        "A9[other]",
        "A10[SQ001]",
        "A10[SQ002]",
        "A10[other]",
        *(sq("C1", i) for i in range(1, 13)),
        "C1[other]",
        "B2",
        *(sq("B1", i) for i in range(1, 17)),
        *(sq("D1", i) for i in range(1, 21)),
        *(sq("D2", i) for i in range(1, 21)),
        *(LS_NEED[p].format(n) for n in NEED_SLOTS for p in NEED_PARTS),
        *(sq("E1", i) for i in range(1, 16)),
        "E1[other]",
        *(sq("E3", i) for i in range(1, 16)),
        "I0",
        "I1",
        "I2",
    ]
    rows = []
    for i, a in enumerate(answers, start=1):
        row = {
            "id": str(i),
            "submitdate": f"{moment(a):%Y-%m-%d %H:%M:%S}",
            "lastpage": "7",
            "startlanguage": "fr",
            "seed": str(1_000_003 * i % 99_991),
            "A1": a.organisation,
            "A2": a.organisation_id,
            "A3": a.website,
            "A4": a.country,
            "A4b": a.nuts,
            "A5": a.actor_type,
            "A6": LS_SIZE[a.size],
            "A9[other]": a.sectors_other,
            "A10[other]": ", ".join(a.extra_clusters),
            "C1[other]": a.product_classes_other,
            "B2": LS_GMP[a.gmp_status],
            "E1[other]": a.skills_shortage_other,
            "I0": a.contact_email,
            "I1": LS_VISIBILITY[a.visibility],
            "I2": "Y" if a.consent_contact == "yes" else "N",
        }
        for index, value in enumerate(SECTORS, start=1):
            row[sq("A9", index)] = "Y" if value in a.sectors else ""
        for index, value in enumerate(CLUSTER_OPTIONS, start=1):
            row[sq("A10", index)] = "Y" if value in a.clusters else ""
        for index, value in enumerate(PRODUCT_CLASSES, start=1):
            row[sq("C1", index)] = "Y" if value in a.product_classes else ""
        for index, code in enumerate(STAGES, start=1):
            mode = a.stages.get(code)
            row[sq("B1", index)] = LS_STAGE[mode] if mode else "AO5"
        for index, code in enumerate(TECHNOLOGIES, start=1):
            mode, trl = a.technologies.get(code, ("", ""))
            row[sq("D1", index)] = LS_TECH[mode] if mode else "R6"
            row[sq("D2", index)] = trl
        for n in NEED_SLOTS:
            need = need_of(a, n)
            row[f"N{n}S"], row[f"N{n}T"], row[f"N{n}P"] = need.stage, need.technology, need.product_class
            row[f"N{n}TRL"], row[f"N{n}X"] = need.min_trl, need.text
            row[f"N{n}U"] = LS_URGENCY[need.urgency] if need.urgency else ""
        for index, value in enumerate(SKILLS, start=1):
            row[sq("E1", index)] = "Y" if value in a.skills_shortage else ""
            row[sq("E3", index)] = "Y" if value in a.training_offered else ""
        rows.append(row)
    return header, rows


def lime_mapping() -> dict[str, Any]:
    ticked = {"ticked": ["Y"], "unticked": [""]}
    fields: dict[str, Any] = {
        "response_id": {"column": "id", "template": "R-{value:0>3}"},
        "submitted": {"column": "submitdate", "date": True},
        "organisation": {"column": "A1"},
        "organisation_id": {"column": "A2", "required": False},
        "website": {"column": "A3", "required": False},
        "country": {"column": "A4", "choices": {"BE": [], "FR": []}},
        "nuts": {"column": "A4b"},
        "actor_type": {"column": "A5", "scheme": "actor-type"},
        "size": {"column": "A6", "scheme": "size", "choices": names(LS_SIZE)},
        "sectors": {
            "options": {v: sq("A9", i) for i, v in enumerate(SECTORS, start=1)},
            **ticked,
            "other_column": "A9[other]",
            "scheme": "sector",
        },
        "clusters": {
            "options": {v: sq("A10", i) for i, v in enumerate(CLUSTER_OPTIONS, start=1)},
            **ticked,
            "other_column": "A10[other]",
            "other_into": "clusters",
        },
        "product_classes": {
            "options": {v: sq("C1", i) for i, v in enumerate(PRODUCT_CLASSES, start=1)},
            **ticked,
            "other_column": "C1[other]",
            "scheme": "product-class",
        },
        "gmp_status": {"column": "B2", "scheme": "gmp-status", "choices": names(LS_GMP)},
    }
    for n in NEED_SLOTS:
        fields[f"need{n}_stage"] = {"column": f"N{n}S", "scheme": "stage"}
        fields[f"need{n}_technology"] = {"column": f"N{n}T", "scheme": "technology"}
        fields[f"need{n}_product_class"] = {"column": f"N{n}P", "scheme": "product-class"}
        fields[f"need{n}_min_trl"] = {"column": f"N{n}TRL", "scheme": "trl"}
        fields[f"need{n}_urgency"] = {"column": f"N{n}U", "scheme": "urgency", "choices": names(LS_URGENCY)}
        fields[f"need{n}_text"] = {"column": f"N{n}X"}
    fields.update(
        {
            "skills_shortage": {
                "options": {v: sq("E1", i) for i, v in enumerate(SKILLS, start=1)},
                **ticked,
                "other_column": "E1[other]",
                "scheme": "skill",
            },
            "training_offered": {
                "options": {v: sq("E3", i) for i, v in enumerate(SKILLS, start=1)},
                **ticked,
                "scheme": "skill",
            },
            "contact_email": {"column": "I0", "required": False},
            "visibility": {"column": "I1", "scheme": "visibility", "choices": names(LS_VISIBILITY)},
            "consent_contact": {"column": "I2", "choices": {"yes": ["Y"], "no": ["N"]}},
        }
    )
    matrices = {
        "stage_positions": {
            "target": "stage_{row}",
            "scheme": "mode",
            "choices": names(LS_STAGE),
            "empty": ["AO5"],
            "rows": {c: sq("B1", i) for i, c in enumerate(STAGES, start=1)},
        },
        "technology_relations": {
            "target": "tech_{row}",
            "scheme": "mode",
            "choices": names(LS_TECH),
            "empty": ["R6"],
            "rows": {c: sq("D1", i) for i, c in enumerate(TECHNOLOGIES, start=1)},
        },
        "technology_trl": {
            "target": "trl_{row}",
            "scheme": "trl",
            "rows": {c: sq("D2", i) for i, c in enumerate(TECHNOLOGIES, start=1)},
        },
    }
    return {
        "tool": "limesurvey",
        "title": "LimeSurvey: CSV export, question codes as headers, answer codes (not full answers)",
        "input": {"encoding": "auto", "delimiter": ","},
        "dates": "limesurvey",
        "fields": fields,
        "matrices": matrices,
    }


# --- EUSurvey --------------------------------------------------------------------------------------------------
EU_ID = "Identifiant de la contribution"
EU_DATE = "Date de création"


def eu_rows() -> tuple[list[str], list[Row]]:
    header = [
        EU_ID,
        EU_DATE,
        "Langue",
        *(
            FR_HEADERS[k]
            for k in (
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
            )
        ),
        *(FR_STAGE.format(fr) for _, fr in STAGES.values()),
        *(FR_TECH.format(fr) for _, fr in TECHNOLOGIES.values()),
        *(FR_TRL.format(fr) for _, fr in TECHNOLOGIES.values()),
        *(FR_NEED[p].format(n) for n in NEED_SLOTS for p in NEED_PARTS),
        FR_HEADERS["skills_shortage"],
        FR_HEADERS["training_offered"],
        FR_HEADERS["contact_email"],
        FR_HEADERS["visibility"],
        FR_HEADERS["consent_contact"],
    ]
    rows = []
    for i, a in enumerate(ANSWERS, start=1):
        when = moment(a)
        row = {
            EU_ID: f"9b1d2c3e-{i:04d}-4a5b-8c7d-000000000000",
            EU_DATE: f"{when:%d/%m/%Y %H:%M}",
            "Langue": "FR",
            FR_HEADERS["organisation"]: a.organisation,
            FR_HEADERS["organisation_id"]: a.organisation_id,
            FR_HEADERS["website"]: a.website,
            FR_HEADERS["country"]: COUNTRIES[a.country][1],
            FR_HEADERS["nuts"]: (" " + a.nuts) if i == 2 else a.nuts,
            FR_HEADERS["actor_type"]: ACTOR_TYPES[a.actor_type][1],
            FR_HEADERS["size"]: SIZES[a.size][1],
            FR_HEADERS["sectors"]: joined(a.sectors, SECTORS, 1, ";", a.sectors_other),
            FR_HEADERS["clusters"]: ";".join([c for c in CLUSTER_OPTIONS if c in a.clusters] + list(a.extra_clusters)),
            FR_HEADERS["product_classes"]: joined(a.product_classes, PRODUCT_CLASSES, 1, ";", a.product_classes_other),
            FR_HEADERS["gmp_status"]: GMP[a.gmp_status][1],
            FR_HEADERS["skills_shortage"]: joined(a.skills_shortage, SKILLS, 1, ";", a.skills_shortage_other),
            FR_HEADERS["training_offered"]: joined(a.training_offered, SKILLS, 1, ";"),
            FR_HEADERS["contact_email"]: a.contact_email,
            FR_HEADERS["visibility"]: VISIBILITIES[a.visibility][1],
            FR_HEADERS["consent_contact"]: YES_NO[a.consent_contact][1],
        }
        fill_label_matrices(row, a, 1, FR_STAGE, FR_TECH, FR_TRL, lambda trl: trl)
        for n in NEED_SLOTS:
            fill_label_need(row, need_of(a, n), n, FR_NEED, 1)
        rows.append(row)
    return header, rows


def eu_mapping() -> dict[str, Any]:
    fields, matrices = label_fields(
        lambda key: [FR_HEADERS[key], EN_HEADERS[key]],
        lambda part, n: [FR_NEED[part].format(n), G_NEED[part].format(n)],
        lambda code, en, fr: [FR_STAGE.format(fr), G_STAGE.format(en)],
        lambda code, en, fr: [FR_TECH.format(fr), G_TECH.format(en)],
        lambda code, en, fr: [FR_TRL.format(fr), G_TRL.format(en)],
        ";",
        "in-cell",
    )
    fields = {
        "response_id": {"generate": "R-{index:03d}"},
        "submitted": {"column": [EU_DATE, "Creation date"], "date": True},
        **fields,
    }
    return {
        "tool": "eusurvey",
        "title": "EUSurvey: CSV export of the contributions (Excel, French Windows: ';' and Windows-1252)",
        "input": {"encoding": "auto", "delimiter": ";"},
        "dates": "eusurvey",
        "fields": fields,
        "matrices": matrices,
    }


# --- canonical identity mapping --------------------------------------------------------------------------------
def canonical_mapping() -> dict[str, Any]:
    schemes = {
        "actor_type": "actor-type",
        "size": "size",
        "sectors": "sector",
        "product_classes": "product-class",
        "gmp_status": "gmp-status",
        "skills_shortage": "skill",
        "training_offered": "skill",
        "visibility": "visibility",
    }
    required = {
        "response_id": True,
        "submitted": True,
        "organisation": True,
        "country": True,
        "nuts": True,
        "actor_type": True,
        "sectors": True,
    }
    fields: dict[str, Any] = {}
    for column in canonical_columns():
        if column.endswith("_other") or column.startswith(("stage_", "tech_", "trl_")):
            continue
        spec: dict[str, Any] = {"column": column, "required": required.get(column, False)}
        if column in schemes:
            spec["scheme"] = schemes[column]
        if column in ("sectors", "product_classes", "skills_shortage", "training_offered", "clusters"):
            spec["separator"] = ";"
        if column == "clusters":
            spec["other"] = "keep"
        if column == "submitted":
            spec["date"] = True
        if column.startswith("need"):
            part = column.split("_", 1)[1]
            spec["scheme"] = {
                "stage": "stage",
                "technology": "technology",
                "product_class": "product-class",
                "min_trl": "trl",
                "urgency": "urgency",
            }.get(part)
            if spec["scheme"] is None:
                del spec["scheme"]
        if column == "consent_contact":
            spec["choices"] = {"yes": ["yes", "oui", "y", "true", "1"], "no": ["no", "non", "n", "false", "0"]}
        fields[column] = spec
    for name in ("sectors", "product_classes", "skills_shortage"):
        fields[f"{name}_other"] = {"column": f"{name}_other", "required": False}
    matrices = {
        "stage_positions": {
            "target": "stage_{row}",
            "scheme": "mode",
            "required": False,
            "rows": {c: f"stage_{c}" for c in STAGES},
        },
        "technology_relations": {
            "target": "tech_{row}",
            "scheme": "mode",
            "required": False,
            "rows": {c: f"tech_{c}" for c in TECHNOLOGIES},
        },
        "technology_trl": {
            "target": "trl_{row}",
            "scheme": "trl",
            "required": False,
            "rows": {c: f"trl_{c}" for c in TECHNOLOGIES},
        },
    }
    return {
        "tool": "canonical",
        "title": "The canonical vcgraph template itself (for `vcgraph curate` on it)",
        "dates": "iso",
        "fields": fields,
        "matrices": matrices,
    }


def main() -> None:
    MAPPINGS.mkdir(parents=True, exist_ok=True)
    write_csv(HERE / "canonical.csv", canonical_columns(), canonical_rows())
    header, rows = google_rows()
    write_csv(HERE / "google-forms.csv", header, rows)
    header, rows = ms_rows()
    write_xlsx(HERE / "microsoft-forms.xlsx", header, rows, "Form1")
    header, rows = kobo_rows()
    write_csv(HERE / "kobotoolbox.csv", header, rows, delimiter=";", newline="\n")
    header, rows = lime_rows()
    write_csv(HERE / "limesurvey.csv", header, rows, bom=True, newline="\n")
    header, rows = eu_rows()
    write_csv(HERE / "eusurvey.csv", header, rows, delimiter=";", encoding="cp1252")
    write_mapping(
        "google-forms",
        google_mapping(),
        """
Google Forms responses, downloaded from the linked Google Sheet as CSV (UTF-8, CRLF, ','). Checkbox answers
are joined with ", " in one cell: options are matched longest first, so labels may contain commas; text
that is no option is the respondent's "Other" answer and goes to the <question>_other column. Grid
questions give one column per row, "Question [Row]". Google exports no response id: the answer's position
makes it (R-001, R-002...). Headers are accepted in English or French.""",
    )
    write_mapping(
        "microsoft-forms",
        ms_mapping(),
        """
Microsoft Forms responses, "Open in Excel" workbook (XLSX). Multiple answers are written in one cell, each
followed by ';' (the last one too). Likert (matrix) questions give one column per statement. The form ran in
French; English headers are accepted too.""",
    )
    write_mapping(
        "kobotoolbox",
        kobo_mapping(),
        """
KoboToolbox CSV export (';', UTF-8) with XML values and headers, "include groups in headers" with '/' as the
group separator, select_multiple exported "both": a space-separated summary column and one question/choice
column per option holding 1 or 0. Headers are matched without their group prefix.""",
    )
    write_mapping(
        "limesurvey",
        lime_mapping(),
        """
LimeSurvey CSV export with question codes as headings and answer codes as answers. Multiple choice: one
Q[SQ001] column per option, 'Y' when ticked, Q[other] the free text; array (matrix) questions one column per
row (B1[SQ001] = stage S01...).""",
    )
    write_mapping(
        "eusurvey",
        eu_mapping(),
        """
EUSurvey contributions exported as CSV and re-saved by Excel on a French Windows: ';' delimiter, Windows-1252
encoding (detected, so a UTF-8 export straight from EUSurvey reads too), day-first dates. Multiple answers in
one cell separated by ';' (set 'separator' to what your export uses). Labels in French, matched with or
without accents.""",
    )
    write_mapping(
        "canonical",
        canonical_mapping(),
        """
Identity mapping of the canonical vcgraph survey template: lets `vcgraph curate` list the answers of a
template file that match no vocabulary value.""",
    )


if __name__ == "__main__":
    main()
