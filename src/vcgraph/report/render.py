"""The report as one HTML file: inline CSS and SVG, no script, no link to fetch; English or French."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from html import escape
from typing import Any

from vcgraph import __version__
from vcgraph.config import Settings
from vcgraph.report import svg
from vcgraph.report.build import ReportData

TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "title": "Biomanufacturing value chain: roadmap report",
        "subtitle": "Regions {regions} · survey wave {wave} · generated {date}",
        "previous": "Compared with the previous wave {wave}.",
        "no_previous": "No earlier wave is loaded: the report has no changes section.",
        "contents": "Contents",
        "s.coverage": "Coverage of the value chain",
        "s.coverage.intro": "Actors offering each stage in each region (wave {wave}). A red cell is a gap.",
        "s.gaps": "Top gaps",
        "s.gaps.stages": "Stages nobody offers in {region}",
        "s.gaps.needs": "Needs of {region} nobody meets",
        "s.gaps.single": "Single points of failure in {region}",
        "s.gaps.single.intro": "{n} (stage, product class) cell(s) have exactly one provider; the first {shown}:",
        "s.gaps.skills": "Skill shortages in {region}",
        "s.convergence": "Convergence findings",
        "s.convergence.tech": "Technologies run by actors of several sectors",
        "s.convergence.bridges": "{n} actor(s) bridge sectors, {multi} of them declaring several sectors.",
        "s.convergence.pairs": "Technology pairs most over-represented together (lift)",
        "s.matches": "Proposed cross-regional matches",
        "s.matches.intro": "For each need, the best-ranked partner in the other region that meets it.",
        "s.matches.mutual": "Mutually complementary pairs",
        "s.consortia": "A consortium per priority product class",
        "s.consortia.intro": "Priority classes: those most often named by declared needs ({classes}).",
        "s.consortium": "Consortium for {pc}",
        "s.changes": "Changes since {wave}",
        "s.changes.needs": "Needs: {persisted} persisted, {appeared} appeared, {disappeared} disappeared.",
        "s.appendix": "Appendix: method, waves and responses",
        "method": "Every figure in this report is the answer of one vcgraph question, run on the public graph with"
        " the parameters listed below: the same answers as the REST API (GET route?parameters) and the same SPARQL"
        " files (queries/*.rq). Anonymous actors are counted but never named.",
        "gap": "gap",
        "stage": "Stage",
        "region": "Region",
        "nearest": "Nearest regions with providers",
        "nobody": "nobody, anywhere",
        "organisation": "Organisation",
        "need": "Need",
        "min_trl": "Min. TRL",
        "urgency": "Urgency",
        "provider": "Provider",
        "product_class": "Product class",
        "skill": "Skill",
        "reporting": "actors reporting a shortage",
        "trainers_region": "training offers in the region",
        "trainers_anywhere": "training offers anywhere",
        "technology": "Technology",
        "sectors": "Sectors",
        "actors": "Actors",
        "pair": "Pair",
        "support": "Actors with both",
        "lift": "Lift",
        "partner": "Partner",
        "score": "Fit",
        "none": "None.",
        "anonymous": "anonymous actor",
        "serves": "{a} serves {b}",
        "member": "Member",
        "covers": "Covers",
        "complete": "Complete cover with {n} member(s){minimal}.",
        "minimal": ", proven minimal",
        "incomplete": "No complete cover within {max} members; uncovered stages are marked.",
        "uncovered": "uncovered",
        "change": "Change",
        "covered": "became covered",
        "uncovered_change": "became uncovered",
        "trl_change": "Median TRL",
        "wave": "Wave",
        "first": "First submission",
        "last": "Last submission",
        "responses": "Responses",
        "question": "Question",
        "parameters": "Parameters",
        "figure": "Figure",
    },
    "fr": {
        "title": "Chaîne de valeur de la bioproduction : feuille de route",
        "subtitle": "Régions {regions} · vague d'enquête {wave} · générée le {date}",
        "previous": "Comparaison avec la vague précédente {wave}.",
        "no_previous": "Aucune vague antérieure n'est chargée : le rapport n'a pas de section d'évolution.",
        "contents": "Sommaire",
        "s.coverage": "Couverture de la chaîne de valeur",
        "s.coverage.intro": "Acteurs offrant chaque étape dans chaque région (vague {wave}). Une case rouge est une"
        " lacune.",
        "s.gaps": "Principales lacunes",
        "s.gaps.stages": "Étapes que personne n'offre en {region}",
        "s.gaps.needs": "Besoins de {region} que personne ne satisfait",
        "s.gaps.single": "Fournisseurs uniques en {region}",
        "s.gaps.single.intro": "{n} case(s) (étape, classe de produits) n'ont qu'un fournisseur ; les {shown}"
        " premières :",
        "s.gaps.skills": "Pénuries de compétences en {region}",
        "s.convergence": "Convergence",
        "s.convergence.tech": "Technologies mises en œuvre par des acteurs de plusieurs secteurs",
        "s.convergence.bridges": "{n} acteur(s) font le pont entre secteurs, dont {multi} déclarant plusieurs"
        " secteurs.",
        "s.convergence.pairs": "Paires de technologies les plus associées (lift)",
        "s.matches": "Mises en relation interrégionales proposées",
        "s.matches.intro": "Pour chaque besoin, le partenaire le mieux classé de l'autre région qui le satisfait.",
        "s.matches.mutual": "Paires mutuellement complémentaires",
        "s.consortia": "Un consortium par classe de produits prioritaire",
        "s.consortia.intro": "Classes prioritaires : les plus citées par les besoins déclarés ({classes}).",
        "s.consortium": "Consortium pour {pc}",
        "s.changes": "Évolutions depuis {wave}",
        "s.changes.needs": "Besoins : {persisted} persistants, {appeared} apparus, {disappeared} disparus.",
        "s.appendix": "Annexe : méthode, vagues et réponses",
        "method": "Chaque chiffre de ce rapport est la réponse d'une question vcgraph, posée au graphe public avec"
        " les paramètres ci-dessous : les mêmes réponses que l'API REST (GET route?paramètres) et les mêmes"
        " fichiers SPARQL (queries/*.rq). Les acteurs anonymes sont comptés, jamais nommés.",
        "gap": "lacune",
        "stage": "Étape",
        "region": "Région",
        "nearest": "Régions les plus proches avec des fournisseurs",
        "nobody": "personne, nulle part",
        "organisation": "Organisation",
        "need": "Besoin",
        "min_trl": "TRL min.",
        "urgency": "Urgence",
        "provider": "Fournisseur",
        "product_class": "Classe de produits",
        "skill": "Compétence",
        "reporting": "acteurs signalant une pénurie",
        "trainers_region": "offres de formation dans la région",
        "trainers_anywhere": "offres de formation ailleurs",
        "technology": "Technologie",
        "sectors": "Secteurs",
        "actors": "Acteurs",
        "pair": "Paire",
        "support": "Acteurs ayant les deux",
        "lift": "Lift",
        "partner": "Partenaire",
        "score": "Adéquation",
        "none": "Aucun.",
        "anonymous": "acteur anonyme",
        "serves": "{a} sert {b}",
        "member": "Membre",
        "covers": "Couvre",
        "complete": "Couverture complète avec {n} membre(s){minimal}.",
        "minimal": ", minimalité prouvée",
        "incomplete": "Pas de couverture complète avec {max} membres au plus ; les étapes non couvertes sont"
        " signalées.",
        "uncovered": "non couverte",
        "change": "Évolution",
        "covered": "devenue couverte",
        "uncovered_change": "devenue non couverte",
        "trl_change": "TRL médian",
        "wave": "Vague",
        "first": "Première réponse",
        "last": "Dernière réponse",
        "responses": "Réponses",
        "question": "Question",
        "parameters": "Paramètres",
        "figure": "Figure",
    },
}

CSS = """
body { font-family: "DejaVu Sans", system-ui, sans-serif; color: #1a1a1a; margin: 2rem auto; max-width: 60rem;
  padding: 0 1rem; line-height: 1.45; }
h1 { font-size: 1.7rem; margin-bottom: 0.2rem; } h2 { border-bottom: 2px solid #0b5cad; padding-bottom: 0.2rem;
  margin-top: 2rem; } h3 { margin-top: 1.25rem; }
.meta { color: #4a5560; }
table { border-collapse: collapse; margin: 0.5rem 0 1rem; width: 100%; font-size: 0.92rem; }
th, td { border: 1px solid #c4ccd4; padding: 0.25rem 0.45rem; text-align: left; vertical-align: top; }
thead th { background: #f4f6f8; } td.num { text-align: right; }
.gap { color: #b00020; font-weight: 700; } .anon { font-style: italic; color: #4a5560; }
svg.chart { max-width: 100%; height: auto; font-family: inherit; }
figure { margin: 0.5rem 0 1rem; } figcaption { color: #4a5560; font-size: 0.9rem; }
code { font-size: 0.85rem; }
@media print { body { margin: 0; max-width: none; } h2 { break-before: page; } figure, table { break-inside: avoid; } }
"""


class Writer:
    """HTML pieces in the report's language; every text goes through ``escape``."""

    def __init__(self, data: ReportData) -> None:
        self.data = data
        self.texts = TEXTS[data.lang]
        self.parts: list[str] = []

    def t(self, key: str, **values: Any) -> str:
        return escape(self.texts[key].format(**{k: str(v) for k, v in values.items()}))

    def add(self, *html: str) -> None:
        self.parts.extend(html)

    def region(self, code: str) -> str:
        label = self.data.region_labels.get(code, code)
        return f"{label} ({code})" if label != code else code

    def product_class(self, notation: str) -> str:
        """``P08 Autologous cell therapy``, from the vocabulary question the report asked."""
        for item in self.data.answers["product-classes"]["items"]:
            if item["notation"] == notation:
                return f"{notation} {item.get('label') or ''}".strip()
        return notation

    def actor(self, actor: dict[str, Any] | None) -> str:
        if not actor or actor.get("anonymous") or not actor.get("label"):
            return f'<span class="anon">{self.t("anonymous")}</span>'
        return escape(str(actor["label"]))

    def table(self, source: str, headers: Sequence[str], rows: Iterable[Sequence[str]], numeric: set[int]) -> None:
        """A table whose cells are already HTML; the header texts are escaped here."""
        body = [
            "<tr>"
            + "".join(
                f'<td class="num">{cell}</td>' if i in numeric else f"<td>{cell}</td>" for i, cell in enumerate(row)
            )
            + "</tr>"
            for row in rows
        ]
        if not body:
            self.add(f'<p data-source="{escape(source)}" data-rows="0">{self.t("none")}</p>')
            return
        head = "".join(f'<th scope="col">{escape(h)}</th>' for h in headers)
        self.add(
            f'<table data-source="{escape(source)}" data-rows="{len(body)}"><thead><tr>{head}</tr></thead>'
            f"<tbody>{''.join(body)}</tbody></table>"
        )


def concept(value: dict[str, Any] | None) -> str:
    if not value:
        return ""
    label = value.get("label")
    return escape(f"{value.get('notation', '')} {label}".strip() if label else str(value.get("notation", "")))


def render_html(data: ReportData, settings: Settings) -> str:
    w = Writer(data)
    date = data.generated.strftime("%Y-%m-%d %H:%M UTC")
    regions_text = ", ".join(w.region(code) for code in data.regions)
    w.add(f"<h1>{w.t('title')}</h1>")
    w.add(
        f'<p class="meta" id="report-meta" data-wave="{escape(data.wave)}" '
        f'data-generated="{escape(data.generated.isoformat())}">'
        f"{w.t('subtitle', regions=regions_text, wave=data.wave, date=date)}<br>"
        + (w.t("previous", wave=data.previous_wave) if data.previous_wave else w.t("no_previous"))
        + "</p>"
    )
    _coverage(w)
    _gaps(w)
    _convergence(w)
    _matches(w)
    _consortia(w)
    _changes(w)
    _appendix(w, settings)
    title = escape(TEXTS[data.lang]["title"])
    # No script, no external URL: the CSP says so to any browser that opens the file.
    return (
        f'<!DOCTYPE html>\n<html lang="{data.lang}">\n<head>\n<meta charset="utf-8">\n'
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
        'img-src data:">\n'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<meta name="generator" content="vcgraph {__version__}">\n<title>{title} · {escape(data.wave)}</title>\n'
        f"<style>{CSS}</style>\n</head>\n<body>\n" + "\n".join(w.parts) + "\n</body>\n</html>\n"
    )


def _coverage(w: Writer) -> None:
    answer = w.data.answers["coverage"]
    regions = answer["parameters"]["regions"]
    rows = [
        svg.HeatRow(
            item["notation"], item.get("label") or "", {r: int(item["actors_by_region"].get(r, 0)) for r in regions}
        )
        for item in answer["items"]
    ]
    title = w.texts["s.coverage"]
    w.add(f'<h2 id="coverage">{w.t("s.coverage")}</h2>', f"<p>{w.t('s.coverage.intro', wave=w.data.wave)}</p>")
    w.add(
        f'<figure data-source="coverage">{svg.heatmap(rows, regions, title, w.texts["gap"])}'
        f"<figcaption>{escape(title)} · {', '.join(escape(w.region(r)) for r in regions)}</figcaption></figure>"
    )


def _gaps(w: Writer) -> None:
    w.add(f'<h2 id="gaps">{w.t("s.gaps")}</h2>')
    for region in w.data.regions:
        name = w.region(region)
        stages = w.data.answers[f"gaps-stages:{region}"]["items"]
        w.add(f"<h3>{w.t('s.gaps.stages', region=name)}</h3>")
        w.table(
            f"gaps-stages:{region}",
            [w.texts["stage"], w.texts["nearest"]],
            (
                [
                    f'<span data-stage="{escape(item["notation"])}">{concept(item)}</span>',
                    "; ".join(
                        escape(f"{p['region'].get('label') or ''} ({p['region']['notation']}): {p['providers']}")
                        for p in item["nearest_providers"]
                    )
                    or w.t("nobody"),
                ]
                for item in stages
            ),
            set(),
        )
        needs = w.data.answers[f"gaps-needs:{region}"]["items"]
        w.add(f"<h3>{w.t('s.gaps.needs', region=name)}</h3>")
        w.table(
            f"gaps-needs:{region}",
            [w.texts["organisation"], w.texts["need"], w.texts["min_trl"], w.texts["urgency"]],
            (
                [
                    w.actor(item["actor"]),
                    " · ".join(
                        c for c in (concept(item.get(k)) for k in ("stage", "technology", "product_class")) if c
                    ),
                    escape(str(item.get("min_trl") or "")),
                    escape((item.get("urgency") or {}).get("label") or ""),
                ]
                for item in needs
            ),
            {2},
        )
        single = w.data.answers[f"gaps-single-providers:{region}"]["items"]
        shown = single[:10]
        w.add(f"<h3>{w.t('s.gaps.single', region=name)}</h3>")
        w.add(
            f'<p data-source="gaps-single-providers:{escape(region)}" data-count="{len(single)}">'
            f"{w.t('s.gaps.single.intro', n=len(single), shown=len(shown))}</p>"
        )
        w.table(
            f"gaps-single-providers-top:{region}",
            [w.texts["stage"], w.texts["product_class"], w.texts["provider"]],
            ([concept(i["stage"]), concept(i["product_class"]), w.actor(i["actor"])] for i in shown),
            set(),
        )
        skills = w.data.answers[f"gaps-skills:{region}"]["items"]
        w.add(f"<h3>{w.t('s.gaps.skills', region=name)}</h3>")
        series = [w.texts["reporting"], w.texts["trainers_region"], w.texts["trainers_anywhere"]]
        chart_bars = [
            svg.Bar(
                item["notation"],
                f"{item['notation']} {item.get('label') or ''}",
                (int(item["reporting_actors"]), int(item["trainers_in_region"]), int(item["trainers_anywhere"])),
            )
            for item in skills
        ]
        if chart_bars:
            w.add(
                f'<figure data-source="gaps-skills:{escape(region)}">'
                f"{svg.bars(chart_bars, series, w.texts['s.gaps.skills'].format(region=name))}</figure>"
            )
        else:
            w.add(f'<p data-source="gaps-skills:{escape(region)}">{w.t("none")}</p>')


def _convergence(w: Writer) -> None:
    w.add(f'<h2 id="convergence">{w.t("s.convergence")}</h2>')
    technologies = sorted(
        w.data.answers["convergence-technologies"]["items"], key=lambda i: (-i["sector_count"], -len(i["actors"]))
    )[:10]
    w.add(f"<h3>{w.t('s.convergence.tech')}</h3>")
    w.table(
        "convergence-technologies",
        [w.texts["technology"], w.texts["sectors"], w.texts["actors"]],
        (
            [
                concept(item),
                escape(", ".join(s.get("label") or s["notation"] for s in item["sectors"])),
                str(len(item["actors"])),
            ]
            for item in technologies
        ),
        {2},
    )
    bridges = w.data.answers["convergence-bridges"]
    multi = sum(1 for item in bridges["items"] if item.get("multi_sector"))
    w.add(
        f'<p data-source="convergence-bridges" data-count="{bridges["count"]}">'
        f"{w.t('s.convergence.bridges', n=bridges['count'], multi=multi)}</p>"
    )
    pairs = sorted(w.data.answers["convergence-co-occurrence"]["items"], key=lambda i: -i["lift"])[:5]
    w.add(f"<h3>{w.t('s.convergence.pairs')}</h3>")
    w.table(
        "convergence-co-occurrence",
        [w.texts["pair"], w.texts["support"], w.texts["lift"]],
        ([f"{concept(p['a'])} + {concept(p['b'])}", str(p["support"]), f"{p['lift']:.2f}"] for p in pairs),
        {1, 2},
    )


def _matches(w: Writer) -> None:
    w.add(f'<h2 id="matches">{w.t("s.matches")}</h2>', f"<p>{w.t('s.matches.intro')}</p>")
    for key, answer in w.data.answers.items():
        if not key.startswith("matchmaking-needs:"):
            continue
        _, region, partner = key.split(":")
        w.add(f"<h3>{escape(w.region(region))} → {escape(w.region(partner))}</h3>")
        rows = []
        for need in answer["items"]:
            best = next((c for c in need.get("candidates", []) if c.get("meets_need")), None)
            if best is None:
                continue
            rows.append(
                [
                    w.actor(need["actor"]),
                    " · ".join(
                        c for c in (concept(need.get(k)) for k in ("stage", "technology", "product_class")) if c
                    ),
                    w.actor(best["actor"]),
                    f"{best['score']:g} / {best['max_score']}",
                ]
            )
        w.table(key, [w.texts["organisation"], w.texts["need"], w.texts["partner"], w.texts["score"]], rows, {3})
    w.add(f"<h3>{w.t('s.matches.mutual')}</h3>")
    for key, answer in w.data.answers.items():
        if not key.startswith("matchmaking-mutual:"):
            continue
        rows = []
        for pair in answer["items"]:
            a, b = w.actor(pair["a"]), w.actor(pair["b"])
            there = ", ".join(sorted({concept(e["what"]) for e in pair["a_serves_b"]}))
            back = ", ".join(sorted({concept(e["what"]) for e in pair["b_serves_a"]}))
            rows.append(
                [f"{a} ⇄ {b}", f"{w.t('serves', a='A', b='B')}: {there}<br>{w.t('serves', a='B', b='A')}: {back}"]
            )
        w.table(key, [w.texts["pair"], w.texts["covers"]], rows, set())


def _consortia(w: Writer) -> None:
    w.add(f'<h2 id="consortia">{w.t("s.consortia")}</h2>')
    w.add(f"<p>{w.t('s.consortia.intro', classes=', '.join(w.data.priority_classes) or '—')}</p>")
    for product_class in w.data.priority_classes:
        answer = w.data.answers[f"consortium:{product_class}"]
        summary = answer.get("summary") or {}
        members = answer["items"]
        covering: dict[str, int] = {}
        for index, member in enumerate(members):
            for stage in member["covers"]:
                covering.setdefault(stage["notation"], index)
        label = w.product_class(product_class)
        w.add(f"<h3>{w.t('s.consortium', pc=label)}</h3>")
        if summary.get("complete"):
            minimal = w.texts["minimal"] if summary.get("proven_minimal") else ""
            w.add(
                f'<p data-source="consortium:{escape(product_class)}" data-size="{summary.get("size")}">'
                f"{w.t('complete', n=summary.get('size'), minimal=minimal)}</p>"
            )
        else:
            w.add(
                f'<p data-source="consortium:{escape(product_class)}" data-size="">'
                f"{w.t('incomplete', max=answer['parameters'].get('max_size'))}</p>"
            )
        stages = [
            svg.ChainStage(
                s["notation"],
                s.get("label") or "",
                covering.get(s["notation"]),
                _plain_actor(w, members[covering[s["notation"]]]["actor"]) if s["notation"] in covering else "",
            )
            for s in summary.get("required_stages", [])
        ]
        if members:  # without members there is no cover to draw, only the message above
            chart = svg.chain(stages, w.texts["s.consortium"].format(pc=label), w.texts["uncovered"])
            w.add(f"<figure>{chart}</figure>")
        w.table(
            f"consortium-members:{product_class}",
            [w.texts["member"], w.texts["region"], w.texts["covers"]],
            (
                [
                    w.actor(m["actor"]),
                    escape(", ".join(m["regions"])),
                    escape(", ".join(s["notation"] for s in m["covers"])),
                ]
                for m in members
            ),
            set(),
        )


def _plain_actor(w: Writer, actor: dict[str, Any]) -> str:
    if actor.get("anonymous") or not actor.get("label"):
        return w.texts["anonymous"]
    return str(actor["label"])


def _changes(w: Writer) -> None:
    if w.data.previous_wave is None:
        return
    w.add(f'<h2 id="changes">{w.t("s.changes", wave=w.data.previous_wave)}</h2>')
    coverage = w.data.answers["trends-coverage"]["items"]
    w.table(
        "trends-coverage",
        [w.texts["stage"], w.texts["region"], w.texts["change"], w.texts["actors"]],
        (
            [
                concept(item["stage"]),
                escape(w.region(item["region"]["notation"])),
                w.t("covered")
                if item["change"] == "covered"
                else f'<span class="gap">{w.t("uncovered_change")}</span>',
                f"{item['from_actors']} → {item['to_actors']}",
            ]
            for item in coverage
        ),
        {3},
    )
    statuses = Counter(item["status"] for item in w.data.answers["trends-needs"]["items"])
    counts = {status: statuses[status] for status in ("persisted", "appeared", "disappeared")}
    attributes = " ".join(f'data-{status}="{count}"' for status, count in counts.items())
    w.add(f'<p data-source="trends-needs" {attributes}>{w.t("s.changes.needs", **counts)}</p>')
    w.table(
        "trends-trl",
        [w.texts["technology"], w.texts["trl_change"]],
        (
            [concept(item), f"{item['from_median']:g} → {item['to_median']:g} ({item['change']:+g})"]
            for item in w.data.answers["trends-trl"]["items"]
        ),
        {1},
    )


def _appendix(w: Writer, settings: Settings) -> None:
    from urllib.parse import urlencode

    from vcgraph.questions import get_question

    w.add(f'<h2 id="appendix">{w.t("s.appendix")}</h2>', f"<p>{w.t('method')}</p>")
    w.table(
        "waves",
        [w.texts["wave"], w.texts["first"], w.texts["last"], w.texts["responses"], w.texts["actors"]],
        (
            [
                escape(str(row["identifier"])),
                escape(str(row.get("started") or "")),
                escape(str(row.get("ended") or "")),
                str(row["responses"]),
                str(row["actors"]),
            ]
            for row in w.data.wave_table
        ),
        {3, 4},
    )
    routes = {}
    for source in w.data.sources.values():
        if source.question not in routes:
            routes[source.question] = get_question(settings, source.question).route
    w.table(
        "sources",
        [w.texts["figure"], w.texts["question"], w.texts["parameters"]],
        (
            [
                f"<code>{escape(key)}</code>",
                f"<code>{escape(source.question)}</code> (<code>queries/{escape(source.question)}.rq</code>)",
                f"<code>GET {escape(routes[source.question])}?{escape(urlencode(source.params))}</code>",
            ]
            for key, source in w.data.sources.items()
        ),
        set(),
    )
