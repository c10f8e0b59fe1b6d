// vcgraph's analyst UI: a single page drawn from this server's /api questions (the same answers as the REST
// API and the report). Every element is built with the DOM API, never from HTML strings, so a label from the
// survey can never inject markup; the page's CSP forbids inline code and any other origin.
import { initialLanguage, translate } from "./i18n.js";

const state = {
  lang: initialLanguage(localStorage.getItem("vcgraph.lang"), navigator.languages),
  context: { waves: [], base_iri: "" },
  stages: [],
  regions: [],
  productClasses: [],
  filters: { wave: "", regions: [], productClass: "" },
  view: "home",
  sub: "",
  token: 0,
};

const t = (key, vars) => translate(state.lang, key, vars);

// --- small DOM helpers ------------------------------------------------------------------------------------

function h(tag, attrs = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) {
      continue;
    }
    if (name.startsWith("on")) {
      element.addEventListener(name.slice(2), value);
    } else if (name === "class") {
      element.className = value;
    } else {
      element.setAttribute(name, value === true ? "" : String(value));
    }
  }
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) {
      continue;
    }
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

const $ = (selector) => document.querySelector(selector);

function setStatus(text) {
  $("#status").textContent = text;
}

// --- talking to the server ----------------------------------------------------------------------------------

class ApiError extends Error {}

function apiUrl(path, params = {}) {
  const url = new URL(path, window.location.origin);
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== "") {
      url.searchParams.set(name, Array.isArray(value) ? value.join(",") : String(value));
    }
  }
  return url;
}

async function api(path, params = {}, accept = "application/json") {
  const response = await fetch(apiUrl(path, params), {
    headers: { Accept: accept, "Accept-Language": state.lang },
  });
  if (!response.ok) {
    let message = `${response.status} ${response.statusText}`;
    try {
      const body = await response.json();
      const detail = body.detail;
      message = typeof detail === "string" ? detail : (detail && detail.message) || message;
    } catch (_) {
      // not JSON: keep the status line
    }
    throw new ApiError(message);
  }
  return accept === "application/json" ? response.json() : response.text();
}

const question = (path, params) => api(path, { limit: 10000, ...params });

/** This server's page for a minted IRI ({base}id/... -> /id/...), or the IRI itself when it is not ours. */
function localHref(iri) {
  const base = state.context.base_iri;
  if (base && iri && iri.startsWith(base)) {
    return "/" + iri.slice(base.length);
  }
  return iri;
}

function actorName(actor) {
  if (!actor) {
    return "";
  }
  return actor.anonymous || !actor.label ? t("anonymous") : actor.label;
}

function actorLink(actor) {
  if (!actor || actor.anonymous || !actor.label) {
    return h("span", { class: "anon" }, t("anonymous"));
  }
  return h("a", { href: localHref(actor.id) }, actor.label);
}

function conceptText(concept) {
  if (!concept) {
    return "";
  }
  return concept.label ? `${concept.notation} ${concept.label}` : concept.notation || concept.id;
}

function sparqlLink(questionId, params) {
  const url = apiUrl(`/ui/sparql/${questionId}`, { ...params, lang: state.lang });
  return h("a", { class: "sparql", href: url.pathname + url.search }, t("open_sparql"));
}

async function downloadCsv(path, params, filename) {
  const text = await api(path, { limit: 10000, ...params }, "text/csv");
  const url = URL.createObjectURL(new Blob([text], { type: "text/csv;charset=utf-8" }));
  const link = h("a", { href: url, download: filename });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

function csvButton(path, params, filename) {
  return h(
    "button",
    {
      type: "button",
      class: "secondary csv",
      onclick: () => downloadCsv(path, params, filename).catch((error) => setStatus(t("error", { message: error.message }))),
    },
    t("csv"),
  );
}

// --- a sortable table ---------------------------------------------------------------------------------------

/**
 * columns: [{label, value: item -> sortable value, cell: item -> node|text (default value), numeric}]
 * options.actions: item -> node (a last cell with buttons)
 */
function sortableTable(caption, columns, items, options = {}) {
  let sortIndex = -1;
  let ascending = true;
  const body = h("tbody");
  const headers = columns.map((column, index) =>
    h(
      "th",
      { scope: "col", class: column.numeric ? "num" : "" },
      h(
        "button",
        {
          type: "button",
          class: "sort",
          "aria-label": t("sort", { column: column.label }),
          onclick: () => {
            ascending = sortIndex === index ? !ascending : true;
            sortIndex = index;
            render();
          },
        },
        column.label,
      ),
    ),
  );
  if (options.actions) {
    headers.push(h("th", { scope: "col" }, h("span", { class: "visually-hidden" }, t("evidence"))));
  }
  function render() {
    headers.forEach((header, index) => {
      if (index < columns.length) {
        header.setAttribute("aria-sort", index === sortIndex ? (ascending ? "ascending" : "descending") : "none");
      }
    });
    const rows = [...items];
    if (sortIndex >= 0) {
      const value = columns[sortIndex].value;
      rows.sort((a, b) => {
        const x = value(a);
        const y = value(b);
        const order = typeof x === "number" && typeof y === "number" ? x - y : String(x ?? "").localeCompare(String(y ?? ""), state.lang);
        return ascending ? order : -order;
      });
    }
    body.replaceChildren(
      ...rows.map((item) =>
        h(
          "tr",
          {},
          columns.map((column) => {
            const content = column.cell ? column.cell(item) : column.value(item);
            return h("td", { class: column.numeric ? "num" : "" }, content ?? "");
          }),
          options.actions ? h("td", { class: "actions" }, options.actions(item)) : null,
        ),
      ),
    );
  }
  render();
  if (!items.length) {
    return h("p", { class: "empty" }, t("none"));
  }
  return h("div", { class: "table-wrap" }, h("table", {}, h("caption", {}, caption), h("thead", {}, h("tr", {}, headers)), body));
}

// --- the detail dialog ----------------------------------------------------------------------------------------

function openDetail(title, ...content) {
  const dialog = $("#detail");
  $("#detail-title").textContent = title;
  $("#detail-body").replaceChildren(...content);
  if (!dialog.open) {
    dialog.showModal();
  }
  $("#detail-close").focus();
}

function evidenceList(evidence) {
  const entries = (Array.isArray(evidence) ? evidence : [evidence]).filter(Boolean);
  if (!entries.length) {
    return h("p", { class: "empty" }, t("none"));
  }
  return h(
    "table",
    { class: "evidence" },
    h("caption", {}, t("evidence")),
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, t("organisation")), h("th", { scope: "col" }, t("wave")), h("th", { scope: "col" }, t("response")))),
    h(
      "tbody",
      {},
      entries.map((entry) =>
        h(
          "tr",
          {},
          h("td", {}, entry.actor ? (typeof entry.actor === "string" ? h("a", { href: localHref(entry.actor) }, entry.actor_label || entry.actor.split("/").pop()) : actorLink(entry.actor)) : t("anonymous")),
          h("td", {}, entry.wave || state.filters.wave),
          h("td", {}, entry.response ? h("a", { href: localHref(entry.response) }, entry.response.split("/").pop()) : "—"),
        ),
      ),
    ),
  );
}

async function showCell(stage, regionCode, count) {
  const regionLabel = regionName(regionCode);
  openDetail(t("cell.title", { stage: conceptText(stage), region: regionLabel }), h("p", {}, t("loading")));
  try {
    const answer = await api("/ui/cell-actors", { stage: stage.notation, region: regionCode, wave: state.filters.wave });
    openDetail(
      t("cell.title", { stage: conceptText(stage), region: regionLabel }),
      h("p", {}, t("cell.count", { n: count ?? answer.count, region: regionLabel, wave: state.filters.wave })),
      evidenceList(answer.items.map((item) => ({ actor: item.actor, wave: state.filters.wave, response: item.response }))),
    );
  } catch (error) {
    openDetail(t("cell.title", { stage: conceptText(stage), region: regionLabel }), h("p", { class: "error" }, t("error", { message: error.message })));
  }
}

// --- filters -----------------------------------------------------------------------------------------------

function regionName(code) {
  const region = state.regions.find((r) => r.notation === code);
  return region && region.label ? `${region.label} (${code})` : code;
}

function baseParams() {
  return { wave: state.filters.wave, product_class: state.filters.productClass };
}

function fillFilters() {
  const waveSelect = $("#f-wave");
  waveSelect.replaceChildren(...state.context.waves.map((wave) => h("option", { value: wave }, wave)));
  waveSelect.value = state.filters.wave;
  const pcSelect = $("#f-pc");
  pcSelect.replaceChildren(
    h("option", { value: "" }, t("filter.all_classes")),
    ...state.productClasses.map((pc) => h("option", { value: pc.notation }, conceptText(pc))),
  );
  pcSelect.value = state.filters.productClass;
  const fieldset = $("#f-regions");
  const legend = h("legend", {}, t("filter.regions"));
  const boxes = state.regions
    .filter((region) => region.level !== null && region.level <= 1)
    .map((region) =>
      h(
        "label",
        { class: "check" },
        h("input", { type: "checkbox", name: "region", value: region.notation, checked: state.filters.regions.includes(region.notation) }),
        ` ${region.label} (${region.notation})`,
      ),
    );
  fieldset.replaceChildren(legend, ...boxes);
}

function readFilters() {
  state.filters.wave = $("#f-wave").value;
  state.filters.productClass = $("#f-pc").value;
  state.filters.regions = [...document.querySelectorAll("#f-regions input:checked")].map((box) => box.value);
}

// --- views -------------------------------------------------------------------------------------------------

async function coverage() {
  return question("/api/gaps/coverage", { ...baseParams(), regions: state.filters.regions });
}

async function viewHome(main) {
  const answer = await coverage();
  const regions = answer.parameters.regions;
  const gapCount = answer.items.reduce((sum, item) => sum + regions.filter((r) => !item.actors_by_region[r]).length, 0);
  const chain = h(
    "ol",
    { class: "chain" },
    answer.items.map((item) => {
      const stage = state.stages.find((s) => s.notation === item.notation);
      return h(
        "li",
        { class: "stage" + (stage && stage.cross_cutting ? " cross" : "") },
        h("h3", {}, h("span", { class: "notation" }, item.notation), " ", item.label),
        stage && stage.cross_cutting ? h("span", { class: "tag" }, t("home.cross")) : null,
        h(
          "ul",
          { class: "counts" },
          regions.map((code) => {
            const count = item.actors_by_region[code] || 0;
            return h(
              "li",
              {},
              h(
                "button",
                {
                  type: "button",
                  class: "count" + (count === 0 ? " gap" : ""),
                  "aria-label": `${item.notation} ${item.label}, ${regionName(code)}: ${count}${count === 0 ? ", " + t("gap") : ""}`,
                  onclick: () => showCell(item, code, count),
                },
                h("span", { class: "region-code" }, code),
                h("span", { class: "n" }, count === 0 ? `⚠ 0` : String(count)),
              ),
            );
          }),
        ),
      );
    }),
  );
  main.append(
    h("h2", {}, t("home.heading")),
    h("p", { class: "intro" }, t("home.intro")),
    h("p", { class: "summary", id: "gap-summary" }, t("home.gaps", { n: gapCount })),
    chain,
    sparqlLink("gaps-coverage", { ...baseParams(), regions: state.filters.regions.join(",") }),
  );
}

function heatColour(count, max) {
  if (count === 0) {
    return "heat-0";
  }
  const level = Math.min(5, Math.max(1, Math.ceil((count / Math.max(max, 1)) * 5)));
  return `heat-${level}`;
}

async function viewHeatmap(main) {
  const answer = await coverage();
  const regions = answer.parameters.regions;
  const max = Math.max(1, ...answer.items.flatMap((item) => regions.map((r) => item.actors_by_region[r] || 0)));
  const table = h(
    "table",
    { class: "heatmap" },
    h("caption", {}, t("heatmap.heading")),
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, t("stage")), regions.map((code) => h("th", { scope: "col" }, regionName(code))))),
    h(
      "tbody",
      {},
      answer.items.map((item) =>
        h(
          "tr",
          {},
          h("th", { scope: "row" }, h("span", { class: "notation" }, item.notation), " ", item.label),
          regions.map((code) => {
            const count = item.actors_by_region[code] || 0;
            return h(
              "td",
              {},
              h(
                "button",
                {
                  type: "button",
                  class: "cell " + heatColour(count, max),
                  "data-stage": item.notation,
                  "data-region": code,
                  "aria-label": `${item.notation} ${item.label}, ${regionName(code)}: ${count}${count === 0 ? ", " + t("gap") : ""}`,
                  onclick: () => showCell(item, code, count),
                },
                count === 0 ? "⚠ 0" : String(count),
              ),
            );
          }),
        ),
      ),
    ),
  );
  const legend = h(
    "p",
    { class: "legend" },
    h("span", {}, t("heatmap.legend") + ": "),
    [0, 1, 2, 3, 4, 5].map((level) => h("span", { class: `swatch heat-${level}` }, level === 0 ? `0 (${t("gap")})` : `≤ ${Math.ceil((level / 5) * max)}`)),
  );
  main.append(
    h("h2", {}, t("heatmap.heading")),
    h("p", { class: "intro" }, t("heatmap.intro")),
    legend,
    h("div", { class: "table-wrap" }, table),
    csvButton("/api/gaps/coverage", { ...baseParams(), regions: state.filters.regions }, "coverage.csv"),
    sparqlLink("gaps-coverage", { ...baseParams(), regions: state.filters.regions.join(",") }),
  );
}

function regionSelect(id, label, value, options = {}) {
  const select = h(
    "select",
    { id },
    options.optional ? h("option", { value: "" }, options.optional) : null,
    state.regions.map((region) => h("option", { value: region.notation }, `${region.label} (${region.notation})`)),
  );
  select.value = value;
  return h("label", {}, h("span", {}, label), " ", select);
}

const GAP_TABS = ["stages", "needs", "single", "skills"];

async function viewGaps(main) {
  const region = state.gapRegion || state.filters.regions[0];
  const tab = GAP_TABS.includes(state.sub) ? state.sub : "stages";
  const picker = regionSelect("gap-region", t("gaps.region"), region);
  picker.querySelector("select").addEventListener("change", (event) => {
    state.gapRegion = event.target.value;
    render();
  });
  // Plain links with aria-current (each kind of gap has its own URL), not an ARIA tablist that would promise
  // arrow-key navigation.
  const tabs = h(
    "nav",
    { class: "tabs", "aria-label": t("gaps.heading") },
    GAP_TABS.map((name) =>
      h("a", { href: `#/gaps/${name}`, "aria-current": name === tab ? "page" : null, id: `tab-${name}` }, t(`gaps.tab.${name}`)),
    ),
  );
  const panel = h("section", { "aria-labelledby": `tab-${tab}` });
  main.append(h("h2", {}, t("gaps.heading")), h("div", { class: "controls" }, picker), tabs, panel);
  const wave = state.filters.wave;
  if (tab === "stages") {
    const params = { region, product_class: state.filters.productClass, wave };
    const answer = await question("/api/gaps/stages", params);
    panel.append(
      sortableTable(t("gaps.tab.stages"), [
        { label: t("stage"), value: (item) => item.order, cell: (item) => conceptText(item) },
        { label: t("gaps.nearest"), value: (item) => (item.nearest_providers[0] || {}).region?.notation || "", cell: (item) => item.nearest_providers.length ? item.nearest_providers.map((p) => `${p.region.label || p.region.notation} (${p.region.notation}): ${p.providers}`).join("; ") : t("gaps.nobody") },
      ], answer.items, {
        actions: (item) => h("button", { type: "button", class: "evidence-button", onclick: () => stageGapEvidence(item, region) }, t("evidence")),
      }),
      csvButton("/api/gaps/stages", params, `gaps-stages-${region}.csv`),
      sparqlLink("gaps-stages", params),
    );
  } else if (tab === "needs") {
    const params = { region, wave };
    const answer = await question("/api/gaps/needs", params);
    panel.append(
      sortableTable(t("gaps.tab.needs"), needColumns(), answer.items, {
        actions: (item) => h("button", { type: "button", class: "evidence-button", onclick: () => needEvidence(item) }, t("evidence")),
      }),
      csvButton("/api/gaps/needs", params, `gaps-needs-${region}.csv`),
      sparqlLink("gaps-needs", params),
    );
  } else if (tab === "single") {
    const params = { region, wave };
    const answer = await question("/api/gaps/single-providers", params);
    const shown = state.filters.productClass ? answer.items.filter((item) => item.product_class.notation === state.filters.productClass) : answer.items;
    panel.append(
      sortableTable(t("gaps.tab.single"), [
        { label: t("stage"), value: (item) => item.stage.notation, cell: (item) => conceptText(item.stage) },
        { label: t("product_class"), value: (item) => item.product_class.notation, cell: (item) => conceptText(item.product_class) },
        { label: t("provider"), value: (item) => actorName(item.actor), cell: (item) => actorLink(item.actor) },
      ], shown, {
        actions: (item) => h("button", { type: "button", class: "evidence-button", onclick: () => openDetail(`${conceptText(item.stage)} × ${conceptText(item.product_class)}`, h("p", {}, actorLink(item.actor)), evidenceList(item.evidence)) }, t("evidence")),
      }),
      csvButton("/api/gaps/single-providers", params, `gaps-single-providers-${region}.csv`),
      sparqlLink("gaps-single-providers", params),
    );
  } else {
    const params = { region, wave };
    const answer = await question("/api/gaps/skills", params);
    panel.append(
      sortableTable(t("gaps.tab.skills"), [
        { label: t("skill"), value: (item) => item.notation, cell: (item) => conceptText(item) },
        { label: t("reporting"), value: (item) => item.reporting_actors, numeric: true },
        { label: t("trainers_region"), value: (item) => item.trainers_in_region, numeric: true, cell: (item) => item.trainers_in_region === 0 ? h("strong", { class: "bad" }, "⚠ 0") : item.trainers_in_region },
        { label: t("trainers_anywhere"), value: (item) => item.trainers_anywhere, numeric: true, cell: (item) => item.trainers_anywhere === 0 ? h("strong", { class: "bad" }, "⚠ 0") : item.trainers_anywhere },
      ], answer.items),
      csvButton("/api/gaps/skills", params, `gaps-skills-${region}.csv`),
      sparqlLink("gaps-skills", params),
    );
  }
}

function needColumns() {
  return [
    { label: t("organisation"), value: (item) => actorName(item.actor), cell: (item) => actorLink(item.actor) },
    { label: t("stage"), value: (item) => item.stage?.notation || "", cell: (item) => conceptText(item.stage) },
    { label: t("technology"), value: (item) => item.technology?.notation || "", cell: (item) => conceptText(item.technology) },
    { label: t("product_class"), value: (item) => item.product_class?.notation || "", cell: (item) => conceptText(item.product_class) },
    { label: t("min_trl"), value: (item) => item.min_trl ?? -1, cell: (item) => item.min_trl ?? "", numeric: true },
    { label: t("urgency"), value: (item) => item.urgency?.notation || "", cell: (item) => item.urgency?.label || "" },
  ];
}

function needEvidence(item) {
  openDetail(
    t("match.need_of", { actor: actorName(item.actor) }),
    h(
      "dl",
      {},
      h("dt", {}, t("organisation")), h("dd", {}, actorLink(item.actor)),
      h("dt", {}, t("stage")), h("dd", {}, conceptText(item.stage) || "—"),
      h("dt", {}, t("technology")), h("dd", {}, conceptText(item.technology) || "—"),
      h("dt", {}, t("product_class")), h("dd", {}, conceptText(item.product_class) || "—"),
      h("dt", {}, t("comment")), h("dd", {}, item.comment || "—"),
      h("dt", {}, t("statement")), h("dd", {}, item.evidence?.statement ? h("a", { href: localHref(item.evidence.statement) }, item.evidence.statement.split("/response/").pop()) : "—"),
    ),
    evidenceList({ actor: item.actor, wave: item.evidence?.wave, response: item.evidence?.response }),
  );
}

async function stageGapEvidence(item, region) {
  const parts = [h("p", {}, `${t("region")}: ${regionName(region)} · ${t("wave")}: ${state.filters.wave}`)];
  if (!item.nearest_providers.length) {
    parts.push(h("p", {}, `${t("gaps.nearest")}: ${t("gaps.nobody")}`));
  }
  for (const provider of item.nearest_providers) {
    const answer = await api("/ui/cell-actors", { stage: item.notation, region: provider.region.notation, wave: state.filters.wave });
    parts.push(
      h("h3", {}, t("gaps.providers_in", { region: `${provider.region.label || ""} (${provider.region.notation})` })),
      evidenceList(answer.items.map((entry) => ({ actor: entry.actor, wave: state.filters.wave, response: entry.response }))),
    );
  }
  openDetail(conceptText(item), ...parts);
}

async function viewConvergence(main) {
  const wave = state.filters.wave;
  const [technologies, bridges, pairs] = await Promise.all([
    question("/api/convergence/technologies", { wave }),
    question("/api/convergence/bridges", { wave }),
    question("/api/convergence/co-occurrence", { wave }),
  ]);
  const network = h("div", { id: "network", class: "network", role: "img", "aria-label": t("conv.network") });
  const focus = h("select", { id: "network-focus" }, h("option", { value: "" }, "—"));
  const neighbours = h("p", { id: "network-neighbours", "aria-live": "polite" });
  main.append(
    h("h2", {}, t("conv.heading")),
    h("section", {}, h("h3", {}, t("conv.network")), h("p", { class: "intro" }, t("conv.network.help")), h("label", {}, t("conv.focus"), " ", focus), neighbours, network),
    h("section", {}, sortableTable(t("conv.technologies"), [
      { label: t("technology"), value: (item) => item.notation, cell: (item) => conceptText(item) },
      { label: t("sector_count"), value: (item) => item.sector_count, numeric: true },
      { label: t("sectors"), value: (item) => item.sectors.map((s) => s.label).join(", ") },
      { label: t("actors"), value: (item) => item.actors.length, numeric: true },
    ], technologies.items), csvButton("/api/convergence/technologies", { wave }, "convergence-technologies.csv"), sparqlLink("convergence-technologies", { wave })),
    h("section", {}, sortableTable(t("conv.bridges"), [
      { label: t("organisation"), value: (item) => actorName(item.actor), cell: (item) => actorLink(item.actor) },
      { label: t("sectors"), value: (item) => item.sectors.map((s) => s.label).join(", ") },
      { label: t("multi_sector"), value: (item) => (item.multi_sector ? t("yes") : t("no")) },
      { label: t("outside"), value: (item) => item.technologies_outside_typical_sector.map((tech) => tech.notation || tech.technology?.notation || "").join(", ") },
    ], bridges.items), csvButton("/api/convergence/bridges", { wave }, "convergence-bridges.csv"), sparqlLink("convergence-bridges", { wave })),
    h("section", {}, sortableTable(t("conv.pairs"), [
      { label: "A", value: (item) => item.a.notation, cell: (item) => conceptText(item.a) },
      { label: "B", value: (item) => item.b.notation, cell: (item) => conceptText(item.b) },
      { label: t("support"), value: (item) => item.support, numeric: true },
      { label: t("lift"), value: (item) => item.lift, numeric: true },
    ], pairs.items), csvButton("/api/convergence/co-occurrence", { wave }, "convergence-co-occurrence.csv"), sparqlLink("convergence-co-occurrence", { wave })),
  );
  // cytoscape measures its container: draw once the view is in the page.
  return () => drawNetwork(network, focus, neighbours, technologies.items);
}

function drawNetwork(container, focus, neighbours, technologies) {
  if (typeof window.cytoscape !== "function") {
    container.replaceChildren(h("p", { class: "error" }, "cytoscape.js did not load"));
    return;
  }
  const nodes = new Map();
  const edges = [];
  const addNode = (id, label, kind) => {
    if (!nodes.has(id)) {
      nodes.set(id, { data: { id, label, kind } });
    }
  };
  for (const tech of technologies) {
    addNode(tech.id, tech.notation, "technology");
    for (const actor of tech.actors) {
      const actorId = actor.anonymous ? `${actor.id}` : actor.id;
      addNode(actorId, actorName(actor), "actor");
      edges.push({ data: { id: `${actorId}->${tech.id}`, source: actorId, target: tech.id } });
      for (const sector of actor.sectors) {
        const sectorId = `sector:${sector}`;
        addNode(sectorId, sector, "sector");
        const edgeId = `${actorId}->${sectorId}`;
        if (!edges.some((edge) => edge.data.id === edgeId)) {
          edges.push({ data: { id: edgeId, source: actorId, target: sectorId } });
        }
      }
    }
  }
  const cy = window.cytoscape({
    container,
    elements: [...nodes.values(), ...edges],
    layout: { name: "cose", animate: false, randomize: false, nodeRepulsion: 9000 },
    style: [
      { selector: "node", style: { label: "data(label)", "font-size": 11, color: "#1a1a1a", "text-valign": "bottom", "text-wrap": "ellipsis", "text-max-width": 120 } },
      { selector: "node[kind = 'technology']", style: { shape: "round-rectangle", "background-color": "#0b5cad", width: 26, height: 18, "font-weight": "bold" } },
      { selector: "node[kind = 'sector']", style: { shape: "diamond", "background-color": "#b35900", width: 34, height: 34, "font-size": 14, "font-weight": "bold" } },
      { selector: "node[kind = 'actor']", style: { "background-color": "#5a6b7a", width: 12, height: 12, "font-size": 9 } },
      { selector: "edge", style: { width: 1, "line-color": "#9aa5b1" } },
      { selector: ".faded", style: { opacity: 0.15 } },
      { selector: ".focused", style: { "border-width": 3, "border-color": "#000" } },
    ],
  });
  const sorted = [...nodes.values()].sort((a, b) => a.data.kind.localeCompare(b.data.kind) || a.data.label.localeCompare(b.data.label));
  focus.append(...sorted.map((node) => h("option", { value: node.data.id }, `${node.data.label} (${node.data.kind})`)));
  const highlight = (id) => {
    cy.elements().removeClass("faded focused");
    if (!id) {
      neighbours.textContent = "";
      return;
    }
    const node = cy.getElementById(id);
    const hood = node.closedNeighborhood();
    cy.elements().not(hood).addClass("faded");
    node.addClass("focused");
    neighbours.textContent = `${t("conv.neighbours")}: ` + node.neighborhood("node").map((n) => n.data("label")).sort().join(", ");
  };
  focus.addEventListener("change", () => highlight(focus.value));
  cy.on("tap", "node", (event) => {
    focus.value = event.target.id();
    highlight(event.target.id());
  });
  state.cy = cy;
}

async function viewMatchmaking(main) {
  const wave = state.filters.wave;
  const region = state.matchRegion || state.filters.regions[0];
  const partner = state.matchPartner || state.filters.regions.find((code) => code !== region) || "";
  const controls = h("div", { class: "controls" }, regionSelect("match-region", t("region"), region), regionSelect("match-partner", t("partner_region"), partner));
  controls.querySelector("#match-region").addEventListener("change", (event) => { state.matchRegion = event.target.value; state.matchActor = ""; render(); });
  controls.querySelector("#match-partner").addEventListener("change", (event) => { state.matchPartner = event.target.value; render(); });
  main.append(h("h2", {}, t("match.heading")), controls);
  const params = { region, partner_region: partner, wave };
  const [needs, mutual] = await Promise.all([
    question("/api/matchmaking/needs", params),
    partner ? question("/api/matchmaking/mutual", params) : Promise.resolve({ items: [] }),
  ]);
  const actors = new Map();
  for (const need of needs.items) {
    actors.set(need.actor.id, need.actor);
  }
  const actorSelect = h(
    "select",
    { id: "match-actor" },
    h("option", { value: "" }, t("match.all")),
    [...actors.values()].sort((a, b) => actorName(a).localeCompare(actorName(b))).map((actor) => h("option", { value: actor.id }, actorName(actor))),
  );
  actorSelect.value = state.matchActor || "";
  actorSelect.addEventListener("change", () => { state.matchActor = actorSelect.value; render(); });
  controls.append(h("label", {}, h("span", {}, t("match.organisation")), " ", actorSelect));
  const shown = needs.items.filter((need) => !state.matchActor || need.actor.id === state.matchActor);
  const needSection = h("section", { class: "needs" }, h("h3", {}, t("match.needs")));
  for (const need of shown) {
    const title = `${actorName(need.actor)}: ${[conceptText(need.stage), conceptText(need.technology), conceptText(need.product_class)].filter(Boolean).join(" · ")}`;
    needSection.append(
      h(
        "article",
        { class: "need" },
        h("h4", {}, title, " ", h("button", { type: "button", class: "link evidence-button", onclick: () => needEvidence(need) }, t("evidence"))),
        sortableTable(t("match.need_of", { actor: actorName(need.actor) }), [
          { label: t("match.rank"), value: (c) => need.candidates.indexOf(c) + 1, numeric: true },
          { label: t("match.partner"), value: (c) => actorName(c.actor), cell: (c) => actorLink(c.actor) },
          { label: t("match.score"), value: (c) => c.score, cell: (c) => h("span", { class: "score" }, h("meter", { min: 0, max: c.max_score, value: c.score, "aria-hidden": "true" }), ` ${c.score} / ${c.max_score}`), numeric: true },
          { label: t("match.meets"), value: (c) => (c.meets_need ? t("yes") : t("no")) },
        ], need.candidates, {
          actions: (candidate) => h("button", { type: "button", class: "explain-button", onclick: () => explainMatch(need, candidate) }, t("explain")),
        }),
      ),
    );
  }
  if (!shown.length) {
    needSection.append(h("p", { class: "empty" }, t("none")));
  }
  const mutualSection = h("section", {}, h("h3", {}, t("match.mutual")));
  for (const pair of mutual.items) {
    const direction = (label, entries) =>
      h("div", {}, h("h5", {}, label), h("ul", {}, entries.map((entry) => h("li", {}, conceptText(entry.what), " — ", h("a", { href: localHref(entry.need) }, entry.need.split("/response/").pop()), " ← ", h("a", { href: localHref(entry.offer) }, entry.offer.split("/response/").pop())))));
    mutualSection.append(
      h(
        "article",
        { class: "pair" },
        h("h4", {}, actorLink(pair.a), " ⇄ ", actorLink(pair.b)),
        direction(t("match.a_serves_b", { a: actorName(pair.a), b: actorName(pair.b) }), pair.a_serves_b),
        direction(t("match.a_serves_b", { a: actorName(pair.b), b: actorName(pair.a) }), pair.b_serves_a),
      ),
    );
  }
  if (!mutual.items.length) {
    mutualSection.append(h("p", { class: "empty" }, t("none")));
  }
  main.append(
    needSection,
    csvButton("/api/matchmaking/needs", params, `matchmaking-needs-${region}.csv`),
    sparqlLink("matchmaking-needs", params),
    mutualSection,
    sparqlLink("matchmaking-mutual", params),
    await consortiumSection(),
  );
}

function explainMatch(need, candidate) {
  const criteria = ["stage", "technology", "trl", "product_class", "gmp"];
  openDetail(
    t("match.explain_title", { partner: actorName(candidate.actor) }),
    h("p", {}, t("match.need_of", { actor: actorName(need.actor) }), ": ", [conceptText(need.stage), conceptText(need.technology), conceptText(need.product_class)].filter(Boolean).join(" · "), need.min_trl ? ` · TRL ≥ ${need.min_trl}` : ""),
    h(
      "table",
      { class: "explanation" },
      h("caption", {}, `${t("match.score")}: ${candidate.score} / ${candidate.max_score}`),
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, t("match.criterion")), h("th", { scope: "col" }, t("match.points")))),
      h("tbody", {}, criteria.map((name) => h("tr", { class: candidate.breakdown[name] > 0 ? "met" : "unmet" }, h("td", {}, `${candidate.breakdown[name] > 0 ? "✓" : "✗"} ${t(`match.crit.${name}`)}`), h("td", { class: "num" }, candidate.breakdown[name])))),
    ),
    h("dl", {}, h("dt", {}, t("match.best_trl")), h("dd", {}, candidate.best_trl ?? "—"), h("dt", {}, t("match.gmp_status")), h("dd", {}, candidate.gmp_status || "—"), h("dt", {}, t("match.meets")), h("dd", {}, candidate.meets_need ? t("yes") : t("no"))),
    h("h3", {}, t("evidence")),
    h("ul", {}, (candidate.evidence || []).map((statement) => h("li", {}, h("a", { href: localHref(statement) }, statement.split("/response/").pop())))),
  );
}

async function consortiumSection() {
  const section = h("section", { class: "consortium" }, h("h3", {}, t("cons.heading")), h("p", { class: "intro" }, t("cons.intro")));
  if (!state.filters.productClass) {
    section.append(h("p", { class: "hint" }, t("cons.pick_class")));
    return section;
  }
  const params = { product_class: state.filters.productClass, regions: state.filters.regions, max_size: state.maxSize || 6, wave: state.filters.wave };
  const size = h("input", { id: "cons-max", type: "number", min: 1, max: 10, value: params.max_size });
  size.addEventListener("change", () => { state.maxSize = Number(size.value) || 6; render(); });
  section.append(h("label", {}, t("cons.max"), " ", size));
  const answer = await question("/api/consortium", params);
  const summary = answer.summary || {};
  const coveredBy = new Map();
  answer.items.forEach((member, index) => member.covers.forEach((stage) => { if (!coveredBy.has(stage.notation)) coveredBy.set(stage.notation, index); }));
  section.append(
    h("p", { class: "summary", id: "cons-summary" }, summary.complete ? t("cons.complete", { n: summary.size, minimal: summary.proven_minimal ? t("cons.minimal") : "" }) : summary.minimum_exceeds_max_size ? t("cons.exceeds") : t("cons.incomplete")),
    h(
      "ol",
      { class: "chain compact" },
      (summary.required_stages || []).map((stage) => {
        const index = coveredBy.get(stage.notation);
        return h(
          "li",
          { class: "stage" + (index === undefined ? " gap" : ` member-${index % 8}`) },
          h("span", { class: "notation" }, stage.notation),
          " ",
          stage.label,
          h("span", { class: "covered-by" }, index === undefined ? `⚠ ${t("cons.uncovered")}` : actorName(answer.items[index].actor)),
        );
      }),
    ),
    sortableTable(t("cons.heading"), [
      { label: t("cons.member"), value: (m) => actorName(m.actor), cell: (m) => actorLink(m.actor) },
      { label: t("region"), value: (m) => m.regions.join(", ") },
      { label: t("cons.covers"), value: (m) => m.covers.map((s) => s.notation).join(", ") },
    ], answer.items, { actions: (m) => h("button", { type: "button", class: "evidence-button", onclick: () => openDetail(actorName(m.actor), evidenceList(m.evidence)) }, t("evidence")) }),
    sparqlLink("consortium", { ...params, regions: params.regions.join(",") }),
  );
  return section;
}

async function viewTrends(main) {
  const waves = state.context.waves;
  main.append(h("h2", {}, t("trends.heading")));
  if (waves.length < 2) {
    main.append(h("p", {}, t("trends.one_wave")));
    return;
  }
  const to = state.trendTo || waves[waves.length - 1];
  const from = state.trendFrom || waves[Math.max(0, waves.indexOf(to) - 1)];
  const waveSelect = (id, label, value, onChange) => {
    const select = h("select", { id }, waves.map((wave) => h("option", { value: wave }, wave)));
    select.value = value;
    select.addEventListener("change", () => onChange(select.value));
    return h("label", {}, h("span", {}, label), " ", select);
  };
  main.append(h("div", { class: "controls" },
    waveSelect("trend-from", t("trends.from"), from, (value) => { state.trendFrom = value; render(); }),
    waveSelect("trend-to", t("trends.to"), to, (value) => { state.trendTo = value; render(); })));
  const regions = state.filters.regions;
  const [cover, needs, trl] = await Promise.all([
    question("/api/trends/coverage", { region: regions, from, to, product_class: state.filters.productClass }),
    question("/api/trends/needs", { from, to }),
    question("/api/trends/trl", { from, to }),
  ]);
  main.append(
    h("section", {}, sortableTable(t("trends.coverage"), [
      { label: t("stage"), value: (item) => item.stage.notation, cell: (item) => conceptText(item.stage) },
      { label: t("region"), value: (item) => item.region.notation, cell: (item) => regionName(item.region.notation) },
      { label: t("change"), value: (item) => item.change, cell: (item) => h("span", { class: `change ${item.change}` }, t(`change.${item.change}`)) },
      { label: `${from} → ${to}`, value: (item) => item.to_actors - item.from_actors, cell: (item) => `${item.from_actors} → ${item.to_actors}`, numeric: true },
    ], cover.items), sparqlLink("trends-coverage", { region: regions.join(","), from, to, product_class: state.filters.productClass })),
    h("section", {}, sortableTable(t("trends.needs"), [
      { label: t("status"), value: (item) => item.status, cell: (item) => h("span", { class: `status ${item.status}` }, t(`status.${item.status}`)) },
      ...needColumns().slice(0, 4),
    ], needs.items), csvButton("/api/trends/needs", { from, to }, "trends-needs.csv"), sparqlLink("trends-needs", { from, to })),
    h("section", {}, sortableTable(t("trends.trl"), [
      { label: t("technology"), value: (item) => item.notation, cell: (item) => conceptText(item) },
      { label: t("from_median"), value: (item) => item.from_median, numeric: true },
      { label: t("to_median"), value: (item) => item.to_median, numeric: true },
      { label: t("change"), value: (item) => item.change, cell: (item) => (item.change > 0 ? `+${item.change}` : String(item.change)), numeric: true },
    ], trl.items), sparqlLink("trends-trl", { from, to })),
  );
}

const VIEWS = {
  home: viewHome,
  heatmap: viewHeatmap,
  gaps: viewGaps,
  convergence: viewConvergence,
  matchmaking: viewMatchmaking,
  trends: viewTrends,
};

// --- routing and start-up ----------------------------------------------------------------------------------

function readHash() {
  const [path, query] = window.location.hash.replace(/^#\/?/, "").split("?");
  const [view, sub] = path.split("/");
  state.view = VIEWS[view] ? view : "home";
  state.sub = sub || "";
  const params = new URLSearchParams(query || "");
  if (params.has("wave") && state.context.waves.includes(params.get("wave"))) {
    state.filters.wave = params.get("wave");
  }
  if (params.has("product_class")) {
    state.filters.productClass = params.get("product_class");
  }
  if (params.has("regions")) {
    state.filters.regions = params.get("regions").split(",").filter(Boolean);
  }
}

function writeHash() {
  const params = new URLSearchParams({ wave: state.filters.wave, regions: state.filters.regions.join(",") });
  if (state.filters.productClass) {
    params.set("product_class", state.filters.productClass);
  }
  const path = state.sub ? `${state.view}/${state.sub}` : state.view;
  const hash = `#/${path}?${params}`;
  if (window.location.hash !== hash) {
    history.replaceState(null, "", hash);
  }
}

function translatePage() {
  document.documentElement.lang = state.lang;
  document.title = `vcgraph: ${t("title")}`;
  for (const element of document.querySelectorAll("[data-i18n]")) {
    element.textContent = t(element.dataset.i18n);
  }
  for (const element of document.querySelectorAll("[data-i18n-aria]")) {
    element.setAttribute("aria-label", t(element.dataset.i18nAria));
  }
  const button = $("#lang-switch");
  button.textContent = t("lang.other");
  button.setAttribute("lang", t("lang.other.code"));
  button.setAttribute("aria-label", t("lang.switch"));
}

async function loadVocabularies() {
  // Regions come from /ui/context.json: NUTS names do not depend on the language, and /api/vocabularies/regions
  // tests every NUTS region for a site below it, which takes seconds.
  const [stages, productClasses] = await Promise.all([
    api("/api/vocabularies/stages", { limit: 10000 }),
    api("/api/vocabularies/product-classes", { limit: 10000 }),
  ]);
  state.stages = stages.items;
  state.regions = state.context.regions;
  state.productClasses = productClasses.items;
}

async function render() {
  const token = ++state.token;
  writeHash();
  for (const link of document.querySelectorAll("nav a[data-view]")) {
    if (link.dataset.view === state.view) {
      link.setAttribute("aria-current", "page");
    } else {
      link.removeAttribute("aria-current");
    }
  }
  const main = $("#view");
  main.setAttribute("aria-busy", "true");
  delete main.dataset.ready;
  main.replaceChildren(h("p", { class: "loading" }, t("loading")));
  const content = h("div", { class: `view view-${state.view}` });
  let after = null;
  try {
    if (!state.filters.regions.length && !["convergence", "trends"].includes(state.view)) {
      content.append(h("p", { class: "hint" }, t("no_region")));
    } else {
      after = await VIEWS[state.view](content);
    }
    if (token !== state.token) {
      return; // a newer render started while this one waited for the server
    }
    main.replaceChildren(content);
    if (typeof after === "function") {
      after();
    }
    setStatus(t("loaded", { view: t(`nav.${state.view}`) }));
  } catch (error) {
    if (token !== state.token) {
      return;
    }
    main.replaceChildren(h("p", { class: "error", role: "alert" }, t("error", { message: error.message })));
  } finally {
    if (token === state.token) {
      main.setAttribute("aria-busy", "false");
      main.dataset.ready = state.view;
    }
  }
}

async function start() {
  translatePage();
  try {
    state.context = await api("/ui/context.json");
    state.filters.wave = state.context.waves[state.context.waves.length - 1] || "";
    await loadVocabularies();
  } catch (error) {
    $("#view").replaceChildren(h("p", { class: "error", role: "alert" }, t("error", { message: error.message })));
    return;
  }
  // By default the coarsest regions in use below the country (clusters answer for BE3, FRK...).
  state.filters.regions = state.regions.filter((region) => region.level === 1).map((region) => region.notation);
  readHash();
  fillFilters();
  $("#filters").addEventListener("change", () => {
    readFilters();
    render();
  });
  $("#filters").addEventListener("submit", (event) => event.preventDefault());
  $("#lang-switch").addEventListener("click", async () => {
    // The view is stale from now until it is drawn again in the other language.
    $("#view").setAttribute("aria-busy", "true");
    delete $("#view").dataset.ready;
    state.lang = state.lang === "en" ? "fr" : "en";
    localStorage.setItem("vcgraph.lang", state.lang);
    translatePage();
    await loadVocabularies();
    fillFilters();
    render();
  });
  $("#detail-close").addEventListener("click", () => $("#detail").close());
  window.addEventListener("hashchange", () => {
    readHash();
    fillFilters();
    render();
  });
  render();
}

start();
