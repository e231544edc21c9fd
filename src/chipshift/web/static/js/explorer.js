/* Explorer: stages -> inputs -> providers, with shares as bars, chokepoint badges, search, sources. */
"use strict";
(() => {
  const { el, clear, $, get, table, figure, pct, share } = CS;
  let tree = null;

  function badge(node) {
    if (!node.chokepoint) return null;
    return el("span", { class: "badge choke", title: `chokepoint: one country holds ≥ ${tree.chokepoint_threshold_pct}%` },
      `chokepoint · ${node.top_country_name || node.top_country} ${pct(node.top_share_pct, 0)}`);
  }

  function renderTree() {
    const root = clear($("#tree"));
    $("#tree-summary").textContent = `${tree.inputs} inputs · ${tree.chokepoints} chokepoints (one country ≥ ${tree.chokepoint_threshold_pct}%)`;
    const ul = el("ul");
    for (const stage of tree.stages) {
      const kids = el("ul", { hidden: stage.id === "P" ? true : null });
      const toggle = el("button", { type: "button", class: "toggle", "aria-label": `${stage.name}: its inputs`, "aria-expanded": String(!kids.hidden),
        onclick: () => { kids.hidden = !kids.hidden; toggle.textContent = kids.hidden ? "▸" : "▾"; toggle.setAttribute("aria-expanded", String(!kids.hidden)); } }, stage.id === "P" ? "▸" : "▾");
      const li = el("li", { class: "stage" }, toggle,
        el("button", { type: "button", class: "node", onclick: () => showStage(stage) }, `${stage.id === "P" ? "" : stage.id + " · "}${stage.name}`));
      for (const node of stage.inputs) kids.append(treeNode(node, 1));
      li.append(kids);
      ul.append(li);
    }
    root.append(ul);
    if (tree.attribution.length) $("#attribution").textContent = tree.attribution.join(" ");
  }

  function treeNode(node, depth) {
    const li = el("li");
    const children = el("ul", { hidden: depth >= 1 ? true : null });
    const hasKids = node.children.length > 0;
    // a node with parts has a button that shows or hides them (its state told by aria-expanded); a leaf, a dot
    const toggle = hasKids ? el("button", { type: "button", class: "toggle", "aria-label": `${node.name}: its variants and inputs`, "aria-expanded": String(!children.hidden),
      onclick: () => { children.hidden = !children.hidden; toggle.textContent = children.hidden ? "▸" : "▾"; toggle.setAttribute("aria-expanded", String(!children.hidden)); } }, "▸")
      : el("span", { class: "leaf", "aria-hidden": "true" }, "·");
    const b = badge(node);
    li.append(toggle, el("span", {}, el("button", { type: "button", class: "node", "data-id": node.id, onclick: () => showInput(node.id) }, node.name), b ? " " : null, b));
    for (const c of node.children) children.append(treeNode(c, depth + 1));
    if (hasKids) li.append(children);
    return li;
  }

  function select(id) {
    document.querySelectorAll(".tree button.node.selected").forEach((b) => b.classList.remove("selected"));
    document.querySelectorAll(`.tree button.node[data-id="${CSS.escape(id)}"]`).forEach((b) => b.classList.add("selected"));
  }

  function showStage(stage) {
    CS.setParams({ input: null, firm: null, stage: stage.id });
    const box = clear($("#detail"));
    box.append(el("h1", { text: stage.name }));
    if (stage.market_size) box.append(el("p", {}, el("b", { text: "Market size: " }), stage.market_size));
    if (stage.description) box.append(el("p", { class: "muted", text: stage.description }));
    if (stage.countries.length) {
      box.append(el("h2", { text: "Countries (share of capacity by plant location)" }));
      const chart = el("div");
      box.append(chart);
      // each bar opens its source (mouse, or Tab and Enter); the footer says what the shares measure, of when
      const years = [...new Set(stage.countries.map((c) => c.year).filter(Boolean))].sort();
      CS.charts.box(chart, CS.charts.bars(stage.countries.map((c) => ({ label: c.name, value: c.share_pct, source: c.source,
        tip: `${c.name}: ${pct(c.share_pct)} of world ${stage.name.toLowerCase()} capacity (${c.year || "year not stated"}) · ${CS.sourceTitle(c.source)}` })),
      { title: `${stage.name}: share of world capacity by country where the plants are (%)` }), `stage-${stage.id}-countries`,
        [stage.share_basis, years.length ? `Data of ${years.join(", ")}` : "",
          tree && tree.attribution && tree.attribution.length ? `Sources: ${tree.attribution.join("; ")}` : ""].filter(Boolean).join(" · "));
      // (the footer gives what the shares measure: said once, not again under the chart)
    }
    const flat = [];
    (function walk(nodes) { for (const n of nodes) { flat.push(n); walk(n.children); } })(stage.inputs);
    box.append(el("h2", { text: `Inputs (${flat.length})` }));
    const t = el("div");
    box.append(t);
    table(t, { filename: `stage-${stage.id}-inputs`, rows: flat, onRow: (r) => showInput(r.id), columns: [
      { key: "name", label: "Input" }, { key: "kind", label: "Kind", format: kindWords }, { key: "top_country", label: "Top country", format: (v, r) => r.top_country_name || v || "", csv: (r) => r.top_country || "" },
      { key: "top_share_pct", label: "Top country's share of world supply", num: true, format: (v) => (v === null ? "" : pct(v)), unit: "percent", source: (r) => (r.top_share_pct === null ? null : () => topShareSource(r)) },
      { key: "chokepoint", label: "Chokepoint", format: (v) => (v ? "yes" : "") },
      { key: "market_size", label: "Market size (year)", format: (v, r) => sizeWithYear(v, r.market_size_source),
        source: (r) => r.market_size_source || null }] });
  }

  /* A market size as its dataset words it, with its year where the words do not give one ("$2.5 billion (slurries
     and pads)" -> "... (year not stated)" when the dataset has none either). */
  function sizeWithYear(text, source) {
    if (!text) return "";
    if (/\b(19|20)\d{2}\b/.test(text)) return text;
    return `${text} (${source && source.published ? source.published : "year not stated"})`;
  }

  /* The source of an input's top country share, as its page gives it (the country's row of its share table). */
  async function topShareSource(r) {
    const d = await get(`/inputs/${encodeURIComponent(r.id)}`);
    const row = (d.countries || []).find((c) => c.provider === r.top_country);
    CS.showSource(row ? row.source : null);
  }

  /* The publishers behind some rows' figures, for a chart's footer. */
  function publishersOf(rows) {
    return [...new Set(rows.map((r) => r.source && (r.source.publisher || r.source.note)).filter(Boolean))].join("; ");
  }

  /* The periods some rows' figures are of, for a chart's footer ("Data of 2024, 2025"). */
  function periodsOf(rows) {
    const periods = [...new Set(rows.map((r) => String(r.period || r.year || "")).filter(Boolean))].sort();
    return periods.length ? `Data of ${periods.join(", ")}` : "";
  }

  function shareRows(rows) {
    return rows.map((r) => ({ label: r.name, value: r.share_known ? r.share_pct : null, source: r.source }));
  }

  /* An input's kind in a word or two: "tool_resource" -> "tool", "product_group" -> "product group". */
  function kindWords(kind) { return String(kind || "").replace(/_resource$/, "").replace(/_/g, " "); }

  async function showInput(id) {
    select(id);
    CS.setParams({ input: id, firm: null, stage: null });
    const d = await get(`/inputs/${encodeURIComponent(id)}`);
    const box = clear($("#detail"));
    const head = el("h1", {}, d.name, " ");
    if (d.chokepoint && d.chokepoint.chokepoint) head.append(el("span", { class: "badge choke" }, `chokepoint · ${d.chokepoint.top_country_name} ${pct(d.chokepoint.top_share_pct, 0)}`));
    box.append(head);
    const kv = el("dl", { class: "kv" });
    const add = (k, v) => { if (v !== null && v !== undefined && v !== "" && !(Array.isArray(v) && !v.length)) kv.append(el("dt", { text: k }), el("dd", {}, v)); };
    add("Id", d.id); add("Kind", kindWords(d.kind)); add("Stages", (d.stages || []).join(", ")); add("Market size", d.market_size ? (d.market_size_source ? CS.figure(d.market_size, d.market_size_source) : d.market_size) : null);
    if (d.chokepoint) {
      add("HHI", CS.num(d.chokepoint.hhi)); add("Countries for 75%", d.chokepoint.countries_for_75pct);
      add("Coalition share", `${pct(d.chokepoint.coalition_share_pct)} (${d.chokepoint.coalition_names.join(", ")} together)`);
    }
    add("Part of", d.parents.map((p) => el("a", { href: "#", onclick: (e) => { e.preventDefault(); showInput(p.id); } }, p.name)).flatMap((a, i) => (i ? [", ", a] : [a])));
    add("Variants and inputs", d.children.map((p) => el("a", { href: "#", onclick: (e) => { e.preventDefault(); showInput(p.id); } }, p.name)).flatMap((a, i) => (i ? [", ", a] : [a])));
    box.append(kv);
    if (d.shares_from === "facts") box.append(el("p", { class: "muted small", text: "Shares from chipshift's sourced market-share facts (latest complete period); countries are the sum of firm shares by headquarters." }));
    for (const [title, rows, name, one] of [["Countries", d.countries, "countries", "Country"], ["Firms", d.firms, "firms", "Firm"]]) {
      if (!rows.length) continue;
      box.append(el("h2", { text: `${title} (${rows.length})` }));
      const chart = el("div"), t = el("div");
      box.append(chart, t);
      CS.charts.box(chart, CS.charts.bars(shareRows(rows), { title: `${d.name}: share of world supply by ${name === "countries" ? "country" : "firm"} (%)` }), `${d.id}-${name}`,
        [`Share of world supply (%), latest period per provider`, periodsOf(rows), `Sources: ${publishersOf(rows) || "see the table"}`].filter(Boolean).join(" · "));
      table(t, { filename: `${d.id}-${name}`, rows, columns: [
        { key: "name", label: one },
        { key: "share_pct", label: "Share", num: true, format: (v, r) => (r.share_known ? pct(v) : "unknown"), unit: "percent", source: (r) => r.source },
        { key: "basis", label: "Basis" }, { key: "year", label: "Year", format: (v, r) => String(v || r.period || "") },
        { key: "source", label: "Source", render: (r) => figure((r.source && (r.source.publisher || r.source.note)) || "source", r.source), csv: (r) => CS.sourceTitle(r.source) }] });
    }
    if (!d.countries.length && !d.firms.length) box.append(el("p", { class: "muted", text: "No provider shares recorded for this input." }));
    if (d.buyers && d.buyers.length) {
      box.append(el("h2", { text: `Buyers (${d.buyers.length})` }),
        el("p", { class: "muted small", text: "Firms that supply a product this input goes into, per the supply graph." }));
      const t = el("div");
      box.append(t);
      table(t, { filename: `${d.id}-buyers`, rows: d.buyers, onRow: (r) => showFirm(r.firm), columns: [
        { key: "name", label: "Firm" }, { key: "through_names", label: "Through", format: (v) => (v || []).join(", ") },
        { key: "listed", label: "Listed", format: (v) => (v || []).join(", ") }] });
    }
    if (d.listings && d.listings.length) {
      box.append(el("h2", { text: `Providers and buyers on screening lists (${d.listings.length})` }),
        el("p", { class: "muted small", text: d.listings_definition }));
      const t = el("div");
      box.append(t);
      table(t, { filename: `${d.id}-listings`, rows: d.listings, onRow: (r) => showFirm(r.firm), columns: [
        { key: "role", label: "Role" }, { key: "name", label: "Firm" }, { key: "list", label: "List" },
        { key: "since", label: "Since" }, { key: "federal_register_notice", label: "Federal Register" },
        { key: "license_policy", label: "Licence policy" }, { key: "entry", label: "Entry" }] });
    }
    overTime(box, d);
    const v = await CS.vocabulary().catch(() => null);
    conflicts(box, d.conflicts, v, d.facts);
    facts(box, d.facts, d.id, v);
    if (d.attribution) box.append(el("p", { class: "muted small", text: `${d.attribution} (${d.licence})` }));
  }

  /* The share of the input's world supply a destination may still buy at every date of a range, with the rules
     barring it, as GET /api/v1/availability/series answers it (the dates drawn are the answer's own). The section
     opens on the range the server answers without one (its default: 1 January of each of the five years before
     today), the form filled with it; then on the range asked for. */
  function overTime(box, d) {
    const form = el("form", { class: "filters", id: "avail-series-params" },
      el("label", {}, "Buyer ", el("input", { name: "target", value: CS.params().get("target") || "CHN", size: 8, required: true })),
      el("label", {}, "From ", el("input", { name: "from", type: "date", required: true })),
      el("label", {}, "To ", el("input", { name: "to", type: "date", required: true })),
      el("label", {}, "Every ", el("select", { name: "every" }, [["1y", "every year"], ["6m", "every six months"], ["3m", "every quarter"]].map(([v, t]) => el("option", { value: v, text: t })))),
      el("button", { type: "submit", id: "avail-series-show" }, "Show over time"));
    const range = el("p", { class: "muted small", id: "avail-series-range", "aria-live": "polite" });
    const chart = el("div", { id: "avail-series-chart" }), rows = el("div", { id: "avail-series-table" });
    box.append(CS.section("Availability over time", el("p", { class: "muted small", text: "The share of this input's world supply the buyer may still buy at every date of the range (lower and upper bounds where shares or reach are unknown), and the rules barring it; a point opens those rules." }), form, range, chart, rows));
    const STEP = { "1y": "year", "6m": "six months", "3m": "quarter" };
    const draw = async (asked) => {
      const f = new FormData(form), params = { target: f.get("target") || "CHN", input: d.id };
      if (asked) {
        const from = f.get("from"), to = f.get("to");
        if (!from || !to || from > to) { CS.showError("Give a first date on or before the last."); return; }
        Object.assign(params, { from, to, every: f.get("every") });
      }
      let body;
      try { body = await get("/availability/series", params, { quiet: !asked }); } catch (e) { return; }
      form.elements.from.value = body.from; form.elements.to.value = body.to;
      if (![...form.elements.every.options].some((o) => o.value === body.every)) form.elements.every.append(el("option", { value: body.every, text: body.every }));
      form.elements.every.value = body.every;
      const span = `${body.from} to ${body.to}, every ${STEP[body.every] || body.every}`;
      clear(range).append(`Dates: ${span}; ${{ request: "the range asked for", scenario: "the scenario's own range of dates", default: "the default range: 1 January of each of the five years before today" }[body.range_given_by]}.`);
      const labels = body.dates.map(String);
      const points = body.inputs.map((r) => ({ x: labels.indexOf(r.at), lo: r.available_lower_pct ?? 0, hi: r.available_upper_pct ?? 0,
        onClick: () => CS.showSources({ heading: `${d.name}: ${share(r.available_lower_pct)} – ${share(r.available_upper_pct)} of world supply available to ${body.destination_name} on ${r.at}`,
          summary: `The input's providers' shares (each with its source in the tables above) less those the rules in force on ${r.at} bar. The shares come from: ${(body.data_sources || []).join("; ")}.`,
          parts: [{ label: "Barred by", text: r.barred_by.length ? "" : "none", rules: r.barred_by }, { label: "Maybe barred by", text: r.maybe_barred_by.length ? "" : "none", rules: r.maybe_barred_by }] }) }));
      const title = `${d.name}: share of world supply ${body.destination_name} may still buy, ${span} (shares as in the tables above, with their sources)`;
      const holder = el("div");
      clear(chart).append(holder);  // the chart's title says what it shows: the section's heading, what it is for
      CS.charts.box(holder, CS.charts.bands(points, [{ name: `available to ${body.destination_name}`, lower: "lo", upper: "hi" }], { title, labels }),
        `${d.id}-availability-${body.destination}-${body.from}-${body.to}`, CS.footer(body, `${span} · a point opens the rules barring it`));
      table(clear(rows), { filename: `${d.id}-availability-${body.destination}-${body.from}-${body.to}`, rows: body.inputs, columns: [
        { key: "at", label: "Date" }, { key: "available_lower_pct", label: "Lower", num: true, format: (v) => share(v), unit: "percent" },
        { key: "available_upper_pct", label: "Upper", num: true, format: (v) => share(v), unit: "percent" },
        { key: "barred_by", label: "Barred by", format: (v) => (v || []).join(", ") },
        { key: "maybe_barred_by", label: "Maybe barred by", format: (v) => (v || []).join(", ") }] });
    };
    form.addEventListener("submit", (ev) => { ev.preventDefault(); draw(true); });
    draw(false);
  }

  /* Facts that state one quantity differently, side by side: each group headed by what it states (entity, metric,
     product, period, region and the facts' own definition, which tells apart groups alike in the rest, such as the
     low and the high end of a published range), each figure with its unit in words, opening its source. */
  function conflicts(box, groups, v, facts) {
    if (!groups || !groups.length) return;
    /* the page's facts name each entity and metric in words: the headings use them (the codes where none does) */
    const words = {};
    for (const f of facts || []) { words[f.entity] = f.entity_name; words[`metric:${f.metric}`] = f.metric_words; }
    box.append(el("h2", { text: `Conflicting figures (${groups.length})` }),
      el("p", { class: "muted small", text: "Sources that state the same figure differently, side by side; the outlined one is the default summaries use." }));
    for (const g of groups) {
      // the answer's own words (names, never codes); an older answer's from the page's facts
      const what = g.what || [words[g.entity] || g.entity, words[`metric:${g.metric}`] || g.metric.replace(/_/g, " "),
        g.product && (words[g.product] || g.product), g.period, g.region].filter(Boolean).join(" · ");
      const row = el("div", { class: "conflict" },
        el("div", { class: "what small muted" }, el("b", { text: what }), g.definition ? `: ${g.definition}` : ""));
      for (const f of g.values) {
        const unit = CS.unitWords(f.unit, v);
        row.append(el("div", { class: "value" + (f.default ? " default" : "") },
          el("div", { class: "big" }, figure(unit === "%" ? `${CS.num(f.value)}%` : `${CS.num(f.value)} ${unit}`, f)),
          el("div", { class: "small muted" }, `${f.publisher} · ${f.published || "n.d."} · ${f.status}${f.default ? " · default" : ""}`)));
      }
      box.append(row);
    }
  }

  function facts(box, rows, name, v) {
    if (!rows || !rows.length) return;
    box.append(el("h2", { text: `Facts (${rows.length})` }));
    const t = el("div");
    box.append(t);
    table(t, { filename: `${name}-facts`, rows, columns: [
      { key: "entity", label: "About", format: (c, r) => r.entity_name, csv: (r) => r.entity },
      { key: "metric", label: "What it measures", format: (c, r) => r.metric_words, csv: (r) => r.metric },
      { key: "period", label: "Period" },
      { key: "value", label: "Value", num: true, format: (v) => CS.num(v), source: (r) => r },
      { key: "unit", label: "Unit", format: (u) => CS.unitWords(u, v) }, { key: "status", label: "Status" },
      { key: "publisher", label: "Source", render: (r) => figure(r.publisher, r) }, { key: "quote", label: "Quote" }] });
  }

  async function showFirm(id) {
    CS.setParams({ firm: id, input: null, stage: null });
    const d = await get(`/firms/${encodeURIComponent(id)}`);
    const box = clear($("#detail"));
    box.append(el("h1", { text: d.name }));
    const kv = el("dl", { class: "kv" });
    kv.append(el("dt", { text: "Headquarters" }), el("dd", { text: d.hq_country }), el("dt", { text: "Aliases" }), el("dd", { text: (d.aliases || []).join(", ") }));
    if (d.parent) kv.append(el("dt", { text: "Parent" }), el("dd", { text: d.parent }));
    box.append(kv);
    if (d.listings && d.listings.length) {
      box.append(el("h2", { text: `On screening lists (${d.listings.length})` }));
      const t = el("div");
      box.append(t);
      table(t, { filename: `${d.id}-listings`, rows: d.listings, columns: [
        { key: "list", label: "List" }, { key: "name", label: "Entry" }, { key: "license_policy", label: "Licence policy" },
        { key: "federal_register_notice", label: "Federal Register" }, { key: "score", label: "Match score", num: true }] });
    }
    for (const [title, rows, who, name] of [["Owners", d.owners || [], "owner_name", "Owner"], ["Stakes it holds", d.stakes_held || [], "firm_name", "Firm"]]) {
      if (!rows.length) continue;
      box.append(el("h2", { text: `${title} (${rows.length})` }));
      const t = el("div");
      box.append(t);
      table(t, { filename: `${d.id}-${who}`, rows, columns: [
        { key: who, label: name },
        { key: "share_pct", label: "Share", num: true, format: (v) => (v === null || v === undefined ? "unknown" : pct(v)), unit: "percent" },
        { key: "as_of", label: "As of" },
        { key: "publisher", label: "Source", render: (r) => figure(r.publisher || r.source, r), csv: (r) => `${r.publisher || ""} ${r.url || ""}` },
        { key: "quote", label: "Quote" }] });
    }
    if (d.owned_by_listed_parties && d.owned_by_listed_parties.length) {
      box.append(el("h2", { text: "Owned by listed parties (50% Affiliates Rule)" }),
        el("p", { class: "muted small", text: "What the parties of each listing hold of this firm in aggregate over every chain of stakes; 'maybe' where a stake's size is unknown. The rule reaches the firm only on dates it is in force and not suspended." }));
      const t = el("div");
      box.append(t);
      table(t, { filename: `${d.id}-affiliates`, rows: d.owned_by_listed_parties, columns: [
        { key: "listing", label: "Listing" }, { key: "ownership_rule", label: "Ownership rule" },
        { key: "aggregate_low_pct", label: "Aggregate (low)", num: true, format: (v) => pct(v), unit: "percent" },
        { key: "aggregate_high_pct", label: "Aggregate (high)", num: true, format: (v) => pct(v), unit: "percent" },
        { key: "reached", label: "Threshold reached" }, { key: "reached_at", label: `Reached on ${d.rules_at}` }, { key: "chains", label: "Chains", format: (v) => (v || []).join("; ") }] });
    }
    if (d.supplies.length) {
      box.append(el("h2", { text: `Supplies (${d.supplies.length} inputs)` }));
      const chart = el("div"), t = el("div");
      box.append(chart, t);
      CS.charts.box(chart, CS.charts.bars(d.supplies.map((r) => ({ label: r.input_name, value: r.share_pct, source: r.source })), { title: `${d.name}: shares of world supply` }), `${d.id}-supplies`,
        `Share of world supply (%) · Sources: ${publishersOf(d.supplies) || "see the table"}`);
      table(t, { filename: `${d.id}-supplies`, rows: d.supplies, onRow: (r) => showInput(r.input), columns: [
        { key: "input_name", label: "Input" }, { key: "share_pct", label: "Share", num: true, format: (v) => pct(v), unit: "percent", source: (r) => r.source }, { key: "year", label: "Year" }] });
    }
    const v = await CS.vocabulary().catch(() => null);
    conflicts(box, d.conflicts, v, d.facts);
    facts(box, d.facts, d.id, v);
  }

  function setupSearch() {
    const input = $("#search"), results = $("#search-results");
    let timer = null;
    input.addEventListener("input", () => {
      clearTimeout(timer);
      const q = input.value.trim();
      if (!q) { results.hidden = true; return; }
      timer = setTimeout(async () => {
        const data = await get("/search", { q }, { quiet: true });
        clear(results);
        for (const r of data.results) {
          // each hit is a button: Tab (or the arrow keys) reach it, Enter opens it
          results.append(el("li", {}, el("button", { type: "button", class: "hit", onclick: () => { results.hidden = true; input.value = r.name; open(r); } },
            el("span", { class: "badge kind" }, r.kind), " ", r.name, r.matched ? el("span", { class: "muted small" }, ` (${r.matched})`) : null)));
        }
        if (!data.results.length) results.append(el("li", { class: "muted" }, "no match"));
        results.hidden = false;
      }, 150);
    });
    const hits = () => [...results.querySelectorAll("button.hit")];
    input.addEventListener("keydown", (ev) => {
      if (ev.key === "Enter") { const first = hits()[0]; if (first) first.click(); }
      if (ev.key === "ArrowDown" && hits().length) { ev.preventDefault(); hits()[0].focus(); }
    });
    results.addEventListener("keydown", (ev) => {
      const all = hits(), i = all.indexOf(document.activeElement);
      if (ev.key === "ArrowDown" && i < all.length - 1) { ev.preventDefault(); all[i + 1].focus(); }
      if (ev.key === "ArrowUp") { ev.preventDefault(); (i > 0 ? all[i - 1] : input).focus(); }
      if (ev.key === "Escape") { results.hidden = true; input.focus(); }
    });
  }

  function open(r) {
    if (r.kind === "input") showInput(r.id);
    else if (r.kind === "firm") showFirm(r.id);
    else location.href = `/exposure?target=${encodeURIComponent(r.id)}`;
  }

  document.addEventListener("DOMContentLoaded", async () => {
    setupSearch();
    tree = await get("/explorer");
    renderTree();
    const p = CS.params();
    if (p.get("input")) showInput(p.get("input"));
    else if (p.get("firm")) showFirm(p.get("firm"));
    else if (p.get("stage")) { const st = tree.stages.find((x) => x.id === p.get("stage")); if (st) showStage(st); }
    else if (tree.stages.length) showStage(tree.stages.find((x) => x.id === "S2") || tree.stages[0]);
  });
})();
