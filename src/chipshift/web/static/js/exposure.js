/* Exposure: pick a target and a date -> availability and exposure by input and stage, localization. */
"use strict";
(() => {
  const { el, clear, $, get, table, share } = CS;
  let last = null;

  function stageName(id) { return { S1: "S1 · Design", S2: "S2 · Fabrication", S3: "S3 · Assembly, testing, packaging" }[id] || id || "No stage (bundled products)"; }

  function heat() {
    if (!last) return;
    const { exposure, local } = last;
    const sort = $("#heat-sort").value;
    const rows = exposure.by_input.map((r) => ({ ...r, stage: (r.stages && r.stages[0]) || "" }));
    rows.sort((a, b) => a.stage.localeCompare(b.stage) || (sort === "name" ? a.name.localeCompare(b.name)
      : sort === "upper" ? b.barred_upper_pct - a.barred_upper_pct || a.name.localeCompare(b.name)
        : (b.barred_pct ?? b.barred_upper_pct) - (a.barred_pct ?? a.barred_upper_pct) || b.barred_lower_pct - a.barred_lower_pct || a.name.localeCompare(b.name)));
    const columns = ["Barred (lower)", "Barred (strict)", "Barred (upper)", local ? "Local supply" : null].filter(Boolean);
    const svg = CS.charts.heatmap({
      title: `Share of each input's world supply barred for ${last.where} on ${exposure.at}, by stage${local ? `, and the share ${last.where}'s own firms supply` : ""}`, columns, legend: "barred (reds) · local supply (blues)",
      colorFor: (j) => (j === 3 ? CS.charts.blues : CS.charts.reds),
      rows: rows.map((r) => {
        const values = [r.barred_lower_pct, r.barred_pct, r.barred_upper_pct];
        if (local) values.push(local[r.input] ? local[r.input].localization_pct : null);
        return { label: r.name, group: stageName(r.stage), values, onClick: () => { location.href = `/explorer?input=${encodeURIComponent(r.input)}`; },
          tip: `${r.name}: barred ${share(r.barred_lower_pct)} – ${share(r.barred_upper_pct)}; barred providers: ${r.barred_providers.join(", ") || "none"}; maybe: ${r.maybe_barred_providers.join(", ") || "none"} (opens its page in the Explorer)`,
          cells: values.map((v, j) => ({ onClick: () => cellSources(r, j), tip: `${r.name} · ${columns[j]}: ${v === null || v === undefined ? "unknown" : share(v)} (the sources behind it)` })) };
      }) });
    CS.charts.box($("#heatmap"), svg, `exposure-${exposure.destination}-${exposure.at}-heatmap`,
      CS.footer(exposure));  // what it shows is its title; what a cell opens, the section's note
    // what each barred column means, under the chart (CS.TERMS: the words every page gives them)
    $("#heatmap").append(el("p", { class: "muted small definitions", id: "heatmap-terms" },
      ["barred (lower)", "barred (strict)", "barred (upper)"].map((t) => `${t[0].toUpperCase()}${t.slice(1)}: ${CS.define(t)}.`).join(" ")));
  }

  const CELL_MEANING = [CS.define("barred (lower)"), CS.define("barred (strict)"), CS.define("barred (upper)"),
    "the share of world supply from providers headquartered in the target (bounds where shares are unknown)"];

  /* The sources behind a heatmap cell: the providers its figure counts, each with its share's source and the rules
     barring it (the availability answer for the input, the input's shares with their sources). */
  async function cellSources(r, j) {
    const { exposure, params, where } = last;
    let avail, input;
    try {
      [avail, input] = await Promise.all([
        get("/availability", { target: params.target, input: r.input, at: exposure.at, segment: params.segment, scenario: params.scenario }, { quiet: true }),
        get(`/inputs/${encodeURIComponent(r.input)}`, {}, { quiet: true })]);
    } catch (e) { CS.showError(`The sources of ${r.name} could not be read.`); return; }
    const shares = { country: input.countries || [], firm: input.firms || [] };
    const sourceOf = (view, provider) => { const hit = (shares[view] || []).find((x) => x.provider === provider); return hit ? hit.source || null : null; };
    const row = avail.inputs[0] || { barred: [], maybe_barred: [] };
    const part = (b, how) => ({ label: b.name, text: `${CS.pct(b.share_pct)} of world supply (${b.view} share), ${how}`, rules: b.rules, source: sourceOf(b.view, b.provider) });
    let parts;
    if (j === 3) {
      const named = new Set((last.local && last.local[r.input] ? last.local[r.input].domestic_providers : []));
      parts = [...shares.firm, ...shares.country].filter((x) => named.has(x.name))
        .map((x) => ({ label: x.name, text: `${x.share_known ? CS.pct(x.share_pct) : "share unknown"} of world supply (${x.basis})`, source: x.source || null }));
    } else {
      parts = row.barred.map((b) => part(b, "barred"));
      if (j > 0) parts.push(...row.maybe_barred.map((b) => part(b, "may be barred")));
    }
    const value = j === 3 ? (last.local && last.local[r.input] ? last.local[r.input].localization_pct : null) : [r.barred_lower_pct, r.barred_pct, r.barred_upper_pct][j];
    CS.showSources({ heading: `${r.name}: ${["barred (lower)", "barred (strict)", "barred (upper)", "local supply"][j]} ${value === null || value === undefined ? "unknown" : share(value)} for ${where} on ${exposure.at}`,
      summary: `${CELL_MEANING[j]}; each share as the input's view of its providers reads it.`, parts,
      empty: j === 3 ? "No provider headquartered in the target is named." : "No provider is barred.",
      links: [{ href: `/explorer?input=${encodeURIComponent(r.input)}`, text: `${r.name}: every share with its source in the Explorer →` }] });
  }

  /* The sources behind a stage's exposure: its inputs, each with its barred bounds (opening that input's sources),
     and the datasets the shares and market sizes come from. */
  function stageSources(stage) {
    const { exposure, where } = last;
    const inputs = exposure.by_input.filter((r) => (r.stages || []).includes(stage.stage));
    CS.showSources({ heading: `${stageName(stage.stage)}: ${share(stage.barred_lower_weighted_pct)} – ${share(stage.barred_upper_weighted_pct)} of its supply barred for ${where} on ${exposure.at} (weighted by market size)`,
      summary: `${exposure.weighting}. The shares and market sizes come from: ${(exposure.data_sources || []).join("; ")}.`,
      parts: inputs.map((r) => ({ label: r.name, text: `barred ${share(r.barred_lower_pct)} – ${share(r.barred_upper_pct)}`, open: () => cellSources(r, 2) })),
      links: [{ href: `/explorer?stage=${encodeURIComponent(stage.stage)}`, text: `${stageName(stage.stage)} in the Explorer →` }] });
  }

  async function load() {
    const f = new FormData($("#params"));
    const params = { target: f.get("target") || "CHN", at: f.get("at"), segment: f.get("segment"), scenario: f.get("scenario") === "baseline" ? "" : f.get("scenario") };
    CS.setParams(params);
    let exposure;
    try { exposure = await get("/exposure", params); } catch (e) { return; }
    let local = null, localReport = null;
    try {
      localReport = await get("/localization", { country: params.target }, { quiet: true });
      local = Object.fromEntries(localReport.inputs.map((r) => [r.input, r]));
    } catch (e) { CS.showError(null); }
    CS.setJsonLink(CS.url("/exposure", params));
    last = { exposure, local, params, where: await CS.placeName(exposure.destination) };
    const sc = exposure.scenario;
    const barred = exposure.by_input.filter((r) => r.barred_lower_pct > 0).length;
    const maybe = exposure.by_input.filter((r) => r.barred_upper_pct > 0).length;
    clear($("#summary")).append(el("section", { class: "card" },
      el("div", { class: "stat" }, el("b", { text: last.where }), "target"),
      el("div", { class: "stat" }, el("b", { text: exposure.at }), "date"),
      el("div", { class: "stat" }, el("b", { text: sc ? sc.name : "baseline" }), "scenario"),
      el("div", { class: "stat" }, el("b", { text: String(barred) }), "inputs certainly cut (in part)"),
      el("div", { class: "stat" }, el("b", { text: String(maybe) }), "inputs possibly cut"),
      el("p", { class: "muted small", text: exposure.weighting })));
    const stages = exposure.by_stage;
    CS.charts.box($("#stage-chart"), CS.charts.ranges(stages.map((s) => ({ label: stageName(s.stage), onClick: () => stageSources(s), values: [
      { lower: s.barred_lower_mean_pct, upper: s.barred_upper_mean_pct }, { lower: s.barred_lower_weighted_pct, upper: s.barred_upper_weighted_pct }] })),
    { series: ["equal weight per input", "weighted by market size (USD)"], title: `Share of each stage's supply barred for ${last.where} on ${exposure.at} (lower to upper bound)` }), `exposure-${exposure.destination}-stages`,
    CS.footer(exposure));  // what it shows is its title; what a bar opens, the section's note (said once)
    table($("#stage-table"), { filename: `exposure-${exposure.destination}-stages`, rows: stages, columns: [
      { key: "stage", label: "Stage", format: stageName }, { key: "inputs", label: "Inputs", num: true },
      { key: "barred_lower_mean_pct", label: "Barred lower (mean)", num: true, format: (v) => share(v), unit: "percent" },
      { key: "barred_upper_mean_pct", label: "Barred upper (mean)", num: true, format: (v) => share(v), unit: "percent" },
      { key: "barred_lower_weighted_pct", label: "Lower (weighted)", num: true, format: (v) => share(v), unit: "percent" },
      { key: "barred_upper_weighted_pct", label: "Upper (weighted)", num: true, format: (v) => share(v), unit: "percent" },
      { key: "inputs_with_market_size", label: "With market size", num: true }] });
    heat();
    table($("#input-table"), { filename: `exposure-${exposure.destination}-inputs`, rows: exposure.by_input,
      onRow: (r) => { location.href = `/explorer?input=${encodeURIComponent(r.input)}`; }, columns: [
        { key: "name", label: "Input" }, { key: "stages", label: "Stages" }, { key: "view", label: "View" },
        { key: "barred_lower_pct", label: "Barred lower", num: true, format: (v) => share(v), unit: "percent" },
        { key: "barred_pct", label: "Barred (strict)", num: true, format: (v) => share(v), unit: "percent", define: CS.define("barred (strict)") },
        { key: "barred_upper_pct", label: "Barred upper", num: true, format: (v) => share(v), unit: "percent" },
        { key: "barred_providers", label: "Barred providers" }, { key: "maybe_barred_providers", label: "Maybe barred" }] });
    const lbox = clear($("#localization"));
    if (!localReport) { lbox.append(el("p", { class: "muted", text: "Localization applies to countries; pick a country as target." })); return; }
    lbox.append(el("p", { class: "muted small", text: localReport.definition }));
    if (localReport.published_estimates.length) {
      const pt = el("div"), chart = el("div", { id: "localization-chart" });
      lbox.append(el("h3", { text: "Published estimates" }), chart, pt);
      const names = await localizationOverTime(chart, localReport);
      const vocab = await CS.vocabulary().catch(() => null);
      table(pt, { filename: `localization-${localReport.country}-published`, rows: localReport.published_estimates, columns: [
        { key: "product", label: "Product", format: (v) => names[v] || v.replace(/_/g, " ") }, { key: "period", label: "Period" },
        { key: "value", label: "Value", num: true, format: (v, r) => (r.unit === "pct" ? CS.pct(v) : CS.num(v)), source: (r) => ({ ...r, fact: r.id }) },
        { key: "unit", label: "Unit", format: (u) => CS.unitWords(u, vocab) }, { key: "status", label: "Status" }, { key: "publisher", label: "Publisher" }, { key: "definition", label: "Definition" }] });
    }
    await localizationHistory(lbox, localReport);
    await localizationRange(lbox, localReport);
    const lt = el("div");
    lbox.append(el("h3", { text: "By input" }), lt);
    table(lt, { filename: `localization-${localReport.country}`, rows: localReport.inputs, columns: [
      { key: "name", label: "Input" }, { key: "view", label: "View" },
      { key: "localization_lower_pct", label: "Lower", num: true, format: (v) => share(v), unit: "percent" },
      { key: "localization_pct", label: "Localization", num: true, format: (v) => share(v), unit: "percent" },
      { key: "localization_upper_pct", label: "Upper", num: true, format: (v) => share(v), unit: "percent" },
      { key: "domestic_providers", label: "Domestic providers" }] });
  }

  /* A period's place on a time axis: a year, its half (2023H1) or quarter (2024Q3) at its middle. */
  function when(period) {
    const m = /^(\d{4})(?:([HQ])(\d))?/.exec(String(period));
    if (!m) return null;
    return Number(m[1]) + (m[2] === "H" ? (Number(m[3]) - 0.5) / 2 : m[2] === "Q" ? (Number(m[3]) - 0.5) / 4 : 0);
  }

  /* Localization over time: every published estimate of the country's self-sufficiency at its period, one colour
     per product; each point opens its source (mouse, or Tab and Enter). Gives the products' names by id. */
  async function localizationOverTime(holder, report) {
    const names = Object.fromEntries(report.inputs.map((r) => [r.input, r.name]));
    for (const product of new Set(report.published_estimates.map((r) => r.product))) {
      if (!names[product]) names[product] = await get(`/inputs/${encodeURIComponent(product)}`, {}, { quiet: true }).then((d) => d.name, () => product.replace(/_/g, " "));
    }
    const rows = report.published_estimates.filter((r) => r.unit === "pct" && when(r.period) !== null);
    if (!rows.length) return names;
    const where = await CS.placeName(report.country);
    // each figure at the middle of its period on a time axis (a year's in mid-year), so that gaps between periods
    // show as gaps of time
    const middle = (period) => when(period) + (/^\d{4}$/.test(String(period)) ? 0.5 : 0);
    const published = rows.map((r) => ({ x: middle(r.period), label: r.period, value: r.value, group: names[r.product], publisher: r.publisher,
      status: r.status, source: { ...r, fact: r.id } }));
    const svg = CS.charts.trajectory([], { title: `${where}'s self-sufficiency as published: domestic suppliers' share of its market, by product and period (%)`,
      ylabel: "% of the market supplied by domestic firms", unit: "%", published, time: true });
    const publishers = [...new Set(rows.map((r) => r.publisher))];
    CS.charts.box(holder, svg, `localization-${report.country}-published`,
      `Each point one published figure (claim, estimate or forecast, as its source says) at its period; definitions differ by publisher (table below) · Sources: ${publishers.join("; ")}`);
    return names;
  }

  /* The country's share of world supply by period of the bundled products' share tables (its "history"): a line per
     product with two periods or more (the lower bound: the providers a table names; dashed, the upper: with what it
     leaves to others), each point opening the product's page with its facts and their sources; then the table. */
  async function localizationHistory(box, report) {
    const rows = report.history || [];
    if (!rows.length) return;
    const where = await CS.placeName(report.country);
    // the last eight years of periods are drawn (an old table alone would squeeze the rest); all are in the table
    const since = Math.floor(Math.max(...rows.map((r) => when(r.period) ?? 0))) - 8;
    const byInput = {};
    for (const r of rows) if ((when(r.period) ?? -1) >= since) (byInput[r.input] = byInput[r.input] || []).push(r);
    const series = Object.values(byInput).filter((rs) => rs.length > 1 && rs.some((r) => r.localization_upper_pct > 0))
      .sort((a, b) => b.length - a.length || a[0].name.localeCompare(b[0].name)).slice(0, 10)
      .map((rs) => ({ name: rs[0].name, points: rs.filter((r) => when(r.period) !== null).map((r) => ({ x: when(r.period), label: r.period, lower: r.localization_lower_pct, upper: r.localization_upper_pct,
        note: r.domestic_providers.length ? `named: ${r.domestic_providers.join(", ")}` : "none named",
        onClick: () => { location.href = `/explorer?input=${encodeURIComponent(r.input)}`; } })) }));
    const chart = el("div", { id: "localization-history" }), t = el("div");
    box.append(el("h3", { text: "By period of the share tables" }), el("p", { class: "muted small", text: report.history_definition }), chart, t);
    if (series.length) {
      CS.charts.box(chart, CS.charts.lines(series, { title: `Share of world supply from firms or plants of ${where}, by product and period (the world share tables)` }),
        `localization-${report.country}-history`,
        `Periods from ${since}, every one in the table below · solid: the providers a table names (lower bound); dashed: with what it leaves to others (upper bound) · a share of world supply, not of the country's own market · `
        + "Sources: the bundled facts' world share tables (a point opens the product's page, its facts and their sources)");
    }
    table(t, { filename: `localization-${report.country}-history`, rows, onRow: (r) => { location.href = `/explorer?input=${encodeURIComponent(r.input)}`; }, columns: [
      { key: "name", label: "Product" }, { key: "period", label: "Period" },
      { key: "localization_lower_pct", label: "Lower", num: true, format: (v) => share(v), unit: "percent" },
      { key: "localization_upper_pct", label: "Upper", num: true, format: (v) => share(v), unit: "percent" },
      { key: "domestic_providers", label: "Named domestic providers" }, { key: "share_basis", label: "Basis" },
      { key: "forecast", label: "Forecast", format: (v) => (v ? "yes" : "") }] });
  }

  /* Localization over a chosen range of years: on 1 January of each, every product's share of world supply from
     the country's firms or plants, as its latest share table begun by then gives it (a line per product, solid at
     the lower bound, dashed at the upper; each point opens the product's page with its facts and their sources),
     and the table of the points drawn. The range opens as the server's default (GET /api/v1/localization/series
     without from and to: api.series_range), and the form is filled with the years it answered for. */
  function localizationRange(box, report) {
    const rows = report.history || [];
    if (!rows.length) return;
    const form = el("form", { id: "loc-series-params", class: "filters" },
      el("label", {}, "From year ", el("input", { id: "loc-from", type: "number", min: 1900, max: 2100, required: true })),
      el("label", {}, "To year ", el("input", { id: "loc-to", type: "number", min: 1900, max: 2100, required: true })),
      el("button", { type: "submit", id: "loc-show" }, "Show over time"));
    const range = el("p", { class: "muted small", id: "loc-series-range", "aria-live": "polite" });
    const chart = el("div", { id: "localization-series" }), t = el("div", { id: "localization-series-table" });
    box.append(el("h3", { text: "Over a range of years" }), el("p", { class: "muted small",
      text: "On 1 January of each year of the range, each product's share as its latest world share table begun by then gives it (a table of actual figures before one of forecasts), as GET /api/v1/localization/series and chipshift localization --from/--to answer. The range opens on the server's default: 1 January of each of the five years before today." }),
    form, range, chart, t);
    const draw = async (asked) => {
      const params = { country: report.country, every: "1y" };
      if (asked) {
        const from = Number($("#loc-from").value), to = Number($("#loc-to").value);
        if (!from || !to || !(from <= to)) { CS.showError("The first year must not be after the last."); return; }
        Object.assign(params, { from: `${from}-01-01`, to: `${to}-01-01` });
      }
      // the server picks the range when none is asked for, and each date's table (api.localization_over_time)
      let body;
      try { body = await get("/localization/series", params, { quiet: !asked }); } catch (e) { return; }
      const from = Number(body.from.slice(0, 4)), to = Number(body.to.slice(0, 4));
      $("#loc-from").value = String(from); $("#loc-to").value = String(to);
      clear(range).append(`Dates: 1 January of each year from ${from} to ${to}; ${body.range_given_by === "default" ? "the default range: the five years before today" : "the range asked for"}.`);
      const points = body.series.map((r) => ({ ...r, year: Number(r.at.slice(0, 4)) }));
      const moved = (rs) => Math.max(...rs.map((r) => r.localization_lower_pct)) - Math.min(...rs.map((r) => r.localization_lower_pct));
      const grouped = Object.values(points.reduce((g, p) => { (g[p.input] = g[p.input] || []).push(p); return g; }, {}))
        .filter((rs) => rs.some((r) => r.localization_upper_pct > 0))
        .sort((a, b) => moved(b) - moved(a) || a[0].name.localeCompare(b[0].name)).slice(0, 10);
      const where = await CS.placeName(report.country);
      if (grouped.length) {
        CS.charts.box(chart, CS.charts.lines(grouped.map((rs) => ({ name: rs[0].name, points: rs.map((r) => ({ x: r.year, label: `${r.at} (table ${r.period})`,
          lower: r.localization_lower_pct, upper: r.localization_upper_pct,
          note: r.domestic_providers.length ? `named: ${r.domestic_providers.join(", ")}` : "none named",
          onClick: () => { location.href = `/explorer?input=${encodeURIComponent(r.input)}`; } })) })),
        { title: `Share of world supply from firms or plants of ${where}, by product, on 1 January of each year ${from}–${to}` }),
        `localization-${report.country}-${from}-${to}`,
        `1 January of each year ${from}–${to}: a product's latest world share table begun by then · solid: the providers a table names (lower bound); dashed: with what it leaves to others (upper bound) · the ${grouped.length} products whose lower bound moves most · a share of world supply, not of the country's own market · `
          + "Sources: the bundled facts' world share tables (a point opens the product's page, its facts and their sources)");
      } else clear(chart).append(el("p", { class: "muted", text: `No share table of ${where}'s products had begun by then.` }));
      table(t, { filename: `localization-${report.country}-${from}-${to}`, rows: points, onRow: (r) => { location.href = `/explorer?input=${encodeURIComponent(r.input)}`; }, columns: [
        { key: "at", label: "Date" }, { key: "name", label: "Product" }, { key: "period", label: "Table of" },
        { key: "localization_lower_pct", label: "Lower", num: true, format: (v) => share(v), unit: "percent" },
        { key: "localization_upper_pct", label: "Upper", num: true, format: (v) => share(v), unit: "percent" },
        { key: "forecast", label: "Forecast", format: (v) => (v ? "yes" : "") },
        { key: "domestic_providers", label: "Named domestic providers" }] });
    };
    form.addEventListener("submit", (ev) => { ev.preventDefault(); draw(true); });
    return draw(false);
  }

  const STEPS = { "1y": "every year", "6m": "every six months", "3m": "every quarter", "1m": "every month" };
  function stepWords(every) {
    if (STEPS[every]) return STEPS[every];
    const m = /^(\d+)([ymd])$/.exec(every || "");
    return m ? `every ${m[1]} ${{ y: "years", m: "months", d: "days" }[m[2]]}` : every;
  }

  /* Exposure by stage over a range of dates, as GET /api/v1/exposure/series answers it. ``asked``: the range the
     form gives; without it the server takes the scenario's own range of dates (its "over"), else its default, and
     the form is filled with the range it answered for. The dates drawn are the answer's own. */
  async function overTime(asked) {
    const f = new FormData($("#params"));
    const params = { target: f.get("target") || "CHN", segment: f.get("segment"), scenario: f.get("scenario") === "baseline" ? "" : f.get("scenario") };
    if (asked) {
      const from = $("#series-from").value, to = $("#series-to").value;
      if (!from || !to || from > to) { CS.showError("Give a first date on or before the last."); return; }
      Object.assign(params, { from, to, every: $("#series-every").value });
    }
    let body;
    try { body = await get("/exposure/series", params, { quiet: !asked }); } catch (e) { return; }
    $("#series-from").value = body.from; $("#series-to").value = body.to;
    const every = $("#series-every");
    if (![...every.options].some((o) => o.value === body.every)) every.append(el("option", { value: body.every, text: stepWords(body.every) }));
    every.value = body.every;
    const span = `${stepWords(body.every)} from ${body.from} to ${body.to}`;
    const given = { scenario: `the range of dates the scenario ${body.scenario ? body.scenario.name : ""} gives (its "over")`, request: "the range asked for",
      default: "the default range: 1 January of each of the five years before the last date, and that date" }[body.range_given_by];
    clear($("#series-range")).append(`Dates: ${span}; ${given}.`);
    const labels = body.dates.map(String);
    const byDate = {};
    for (const r of body.by_stage) {
      const point = byDate[r.at] || (byDate[r.at] = { x: labels.indexOf(r.at), at: r.at });
      point[`${r.stage}_lo`] = r.barred_lower_weighted_pct ?? 0;
      point[`${r.stage}_hi`] = r.barred_upper_weighted_pct ?? 0;
    }
    const points = Object.values(byDate).sort((a, b) => a.x - b.x)
      .map((p) => ({ ...p, onClick: (ser) => seriesSources(body, p.at, ser) }));
    const stages = [...new Set(body.by_stage.map((r) => r.stage))];
    const svg = CS.charts.bands(points, stages.map((st) => ({ name: stageName(st), stage: st, lower: `${st}_lo`, upper: `${st}_hi` })),
      { labels, title: `Share of the supply of each stage barred for ${body.destination_name} (market-size weighted), ${span}` });
    CS.charts.box($("#series-chart"), svg, `exposure-${body.destination}-${body.from}-${body.to}`,
      CS.footer(body, span));  // what a point opens: the section's note
    table($("#series-changes"), { filename: `exposure-${body.destination}-${body.from}-${body.to}-rules`,
      rows: body.rule_changes.filter((c) => c.rules_started.length || c.rules_ended.length), columns: [
        { key: "at", label: "Date" }, { key: "rules_started", label: "Came into force since the previous date", render: (c) => ruleLinks(c.rules_started, body.rule_names), csv: (c) => c.rules_started.join(", ") },
        { key: "rules_ended", label: "Ended or lifted since the previous date", render: (c) => ruleLinks(c.rules_ended, body.rule_names), csv: (c) => c.rules_ended.join(", ") }] });
    // the rules reaching the destination that the list leaves out (they change no figure): how many, and why
    const left = body.rules_left_out || [];
    if (left.length) $("#series-changes").append(el("p", { class: "muted", id: "series-left-out",
      text: `${left.length} other rule${left.length > 1 ? "s" : ""} reaching ${body.destination_name} over these dates ${left.length > 1 ? "are" : "is"} left out: ${body.rules_left_out_why}.` }));
  }

  /* Rules by id, each a link to its page (its source and quote). */
  function ruleLinks(ids, names = {}) {
    // each rule by its name, its id after it ("Dutch licence requirement ... (E-NL-SME-2023)"); its id alone where
    // the answer names it not
    return el("span", {}, ids.flatMap((id, i) => [i ? "; " : "", el("a", { href: `/rules/${encodeURIComponent(id)}`, text: names[id] ? `${names[id]} (${id})` : id })]));
  }

  /* The sources behind a point of the series: the stage's figure on that date, the rules that came into force or
     ended since the previous date (links), and that date on this page, where its inputs open their sources. */
  function seriesSources(body, at, ser) {
    const row = body.by_stage.find((r) => r.at === at && r.stage === ser.stage) || {};
    const change = body.rule_changes.find((c) => c.at === at) || { rules_started: [], rules_ended: [] };
    const first = at === body.from;
    const here = new URLSearchParams({ target: body.destination, at, segment: body.segment || "", scenario: $("#params").elements.scenario.value });
    CS.showSources({ ruleNames: body.rule_names, heading: `${ser.name}: ${share(row.barred_lower_weighted_pct)} – ${share(row.barred_upper_weighted_pct)} of its supply barred for ${body.destination_name} on ${at} (weighted by market size)`,
      summary: `From the inputs' shares and the rules in force on ${at}. The shares and market sizes come from: ${(body.data_sources || []).join("; ")}.`,
      parts: [{ label: first ? "Rules in force on the first date" : "Came into force since the previous date", text: change.rules_started.length ? "" : "none", rules: change.rules_started },
        { label: "Ended or lifted since the previous date", text: change.rules_ended.length ? "" : "none", rules: change.rules_ended }],
      links: [{ href: `/exposure?${here}`, text: `${at} on this page: the stage's inputs, each opening its sources →` }] });
  }

  document.addEventListener("DOMContentLoaded", async () => {
    const form = $("#params"), p = CS.params();
    CS.fillTargets($("#targets"));
    await CS.fillSegments(form.elements.segment);
    await CS.fillScenarios(form.elements.scenario, p.get("scenario") || "baseline");
    for (const k of ["target", "at", "segment"]) if (p.get(k)) form.elements[k].value = p.get(k);
    if (!form.elements.at.value) form.elements.at.value = new Date().toISOString().slice(0, 10);
    form.addEventListener("submit", (ev) => { ev.preventDefault(); load(); });
    $("#heat-sort").addEventListener("change", heat);
    $("#series-params").addEventListener("submit", (ev) => { ev.preventDefault(); overTime(true); });
    // a new scenario brings its own range of dates (else the default): the series is asked again without one
    form.addEventListener("submit", () => overTime(false));
    load();
    overTime(false);
  });
})();
