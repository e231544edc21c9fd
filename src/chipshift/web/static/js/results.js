/* Market results: run a market case (calibration, trajectories with bands, shares, fit, parameters, sensitivity). */
"use strict";
(() => {
  const { el, clear, $, table, num } = CS;
  let cases = [];
  let overrides = {}; // parameter id -> value held (sent as the body's "parameters")

  /* A chart's title, value-axis label and unit sign: the run's own words (output_text, in the names the
     knowledge base holds); codes only for a report without them. */
  function words(report, output) {
    const t = report.output_text && report.output_text[output];
    return t ? [t.title, t.axis, t.unit === "pct" ? "%" : ""] : null;
  }

  function title(report, output) {
    const own = words(report, output);
    if (own) return own;
    if (output === "localization") return [`Domestic (localization) share of ${report.region}'s ${report.product.replace(/_/g, " ")} market`, "% of market value", "%"];
    if (output === "revenue_share") return [`Share of revenue from ${report.region} (fiscal years)`, "% of revenue", "%"];
    if (output.startsWith("revenue:")) return [`${output.split(":")[1]} revenue (model vs reported)`, "revenue", ""];
    if (output === "unmet") return ["Demand no allowed source can serve", "% of market value", "%"];
    return [output, "", "%"];
  }

  /* A chart's footer: the run's own line for the output (the case, model and draws, the date of the data and the
     publishers of the figures that chart shows, output_text); for a report without it, the case's cited publishers. */
  function runFooter(r, output) {
    const own = r.output_text && r.output_text[output];
    if (own && own.footer) return own.footer;
    const publishers = [...new Set(Object.values(r.facts || {}).map((f) => f.publisher).filter(Boolean))];
    return [`Case ${r.file} (digest ${r.digest})`, r.draws ? `${r.draws} draws: 5–95% band` : "no draws",
      r.data_as_of ? `data as of ${r.data_as_of}` : "", publishers.length ? `Sources: ${publishers.join("; ")}` : ""].filter(Boolean).join(" · ");
  }

  function sourceOf(r, fact) { return fact && r.facts[fact] ? r.facts[fact] : null; }

  /* Who an observation is credited to on a chart, as the chart files and the report credit it: its fact's
     publisher (the original one for a reprint), a literal's document's publisher, else that the case names none. */
  function observedBy(r, o) {
    const src = observedSource(r, o);
    return src ? (src.original_publisher || src.publisher || "unknown publisher") : "the case file (no source named)";
  }

  /* The observations no published figure repeats (same period, same value), drawn among the published figures
     with their publisher, so that every figure the footer credits is on the chart. */
  function observedAsPublished(r, observed, published) {
    return observed.filter((o) => !published.some((p) => p.x === o.x && p.value === o.value))
      .map((o) => ({ x: o.x, label: o.label, value: o.value, publisher: observedBy(r, o.row), status: "observed", source: o.source }));
  }

  /* Where an observation comes from: its fact's source; for a literal, the document the case names (publisher,
     title, date, URL), with the case file's basis for the figure as its note. */
  function observedSource(r, o) {
    if (o.fact) return sourceOf(r, o.fact);
    const doc = o.source && r.documents ? r.documents[o.source] : null;
    return doc ? { ...doc, source: o.source, note: o.basis ? `stated in the case file: ${o.basis}` : null } : null;
  }

  /* What a model figure rests on, in the source panel: it says it is the model's output (not a published figure)
     and names the case (file, digest, draws, date of data) and the publishers it cites; then the observations of
     the output (those it was fitted to, and the rest), the published estimates beside it and every parameter with
     its value, treatment and range, each opening its source (or saying it is the case file's assumption). */
  function modelSources(r, output, at, value, what) {
    const key = when(r), units = Object.fromEntries(r.outputs.map((o) => [o.output, o.unit]));
    const [name] = isLinked(r) ? linkedTitle(r, output) : title(r, output);
    const obs = r.calibration.table.filter((o) => o.output === output);
    const pubs = r.published_beside_model.filter((c) => c.output === output && String(c[key]) === String(at)).flatMap((c) => c.published);
    const treatment = (p) => (p.overridden ? "held where it was set" : p.fitted ? "fitted" : p.monte_carlo ? "drawn in the Monte Carlo" : "fixed");
    const publishers = [...new Set(Object.values(r.facts || {}).map((f) => f.publisher).filter(Boolean))];
    const run = r.draws ? `${num(r.draws)} draws, seed ${r.seed ?? "—"}` : "the central run (no draws)";
    CS.showSources({
      heading: `${name}, ${at}: ${what || "model"} ${num(value)}${units[output] ? ` (${units[output]})` : ""}: a model output, not a published figure`,
      summary: `Computed by the market model of the case "${r.scenario}" (file ${r.file}, digest ${r.digest}; ${run}${r.data_as_of ? `; data as of ${r.data_as_of}` : ""}) from the parameters below`
        + (obs.some((o) => o.fitted_to) ? ", calibrated to the observations of this output marked fitted" : "")
        + `. The case cites: ${publishers.join("; ") || "no publisher"}.`,
      parts: [
        ...obs.map((o) => ({ label: `observed, ${o[key]}`, text: `${num(o.observed)}${o.unit ? ` ${o.unit}` : ""} (${o.fitted_to ? "fitted to" : "for comparison"}; model ${num(o.model)})`, source: observedSource(r, o) })),
        ...pubs.map((p) => ({ label: `published, ${p.publisher}`, text: `${num(p.value)}${p.status ? ` (${p.status})` : ""}`, source: sourceOf(r, p.fact) })),
        ...r.parameters.map((p) => ({ label: `parameter ${p.id}`, text: `${num(p.value)}${p.unit ? ` ${p.unit}` : ""}, ${treatment(p)}; range ${num(p.low)} – ${num(p.high)}`, source: boundSource(r, p, "default") }))],
      links: [{ href: "#parameters", text: "Every parameter with its range and basis →" }, { href: "#fit", text: "Observed against the model →" }] });
  }

  /* A linked run (model: linked) has outputs by period (quarters, years) with a unit; a single market's by year. */
  const isLinked = (r) => r.model === "linked";
  const when = (r) => (isLinked(r) ? "period" : "year");

  function linkedTitle(r, output) {
    const own = words(r, output);
    if (own) return own;
    if (output.startsWith("price@")) return [`Price in market ${output.slice(6)} (index: 1 in the first quarter)`, "price index", ""];
    if (output.startsWith("localization@")) return [`Domestic (localization) share of ${output.split("@")[1]}`, "% of market value", "%"];
    if (output.startsWith("revenue_share:")) return [`${output.split(":")[1].split("@")[0]}'s share of revenue from ${output.split("@")[1]}`, "% of revenue", "%"];
    return [output, "", ""];
  }

  /* A linked output by quarter: x is the quarter's position, named by its label. A figure of a year or fiscal year
     stands in the middle of the quarters it spans (its `quarters`), beside the model's value for that year drawn
     across them. */
  function linkedTrajectory(r, output) {
    const rows = r.outputs.filter((o) => o.output === output && /Q/.test(o.period) && o.value !== null);
    const labels = rows.map((o) => o.period);
    const at = (entry) => {
      if (labels.includes(entry.period)) return labels.indexOf(entry.period);
      const [first, last] = entry.quarters || [];
      return labels.includes(first) && labels.includes(last) ? (labels.indexOf(first) + labels.indexOf(last)) / 2 : null;
    };
    const points = rows.map((o, i) => ({ x: i, value: o.value, p5: o.p5, median: o.median, p95: o.p95, onClick: () => modelSources(r, output, o.period, o.value) }));
    const observed = r.calibration.table.filter((o) => o.output === output && at(o) !== null)
      .map((o) => ({ x: at(o), label: o.period, value: o.observed, fitted: o.fitted_to, source: observedSource(r, o), row: o }));
    // published figures of a period the chart shows, each with its publisher and source
    const shown = r.published_beside_model.filter((c) => c.output === output && at(c) !== null);
    const own = r.output_text && r.output_text[output] && r.output_text[output].points;
    // the run's own figures (labels.figure_points): each in the legend by publisher, periods and basis, its
    // tooltip naming its period and basis, hollow where it is of a year or fiscal year, as the files draw them
    const published = own ? own.filter((f) => at(f) !== null).map((f) => ({
      x: at(f), label: f.period, value: f.value, publisher: f.legend, color: colours(r, output)[f.publisher], cue: cues(r, output)[f.publisher], tip: f.label, hollow: f.other_basis,
      source: f.fact ? sourceOf(r, f.fact) : observedSource(r, r.calibration.table.find((o) => o.output === output && o.period === f.period && o.observed === f.value) || {}) }))
      : shown.flatMap((c) => c.published.map((p) => ({
        x: at(c), label: c.period, value: p.value, publisher: p.publisher, status: p.status, source: sourceOf(r, p.fact) })));
    const values = Object.fromEntries(r.outputs.filter((o) => o.output === output).map((o) => [o.period, o.value]));
    const spans = [...new Map([...r.calibration.table.filter((o) => o.output === output), ...shown]
      .filter((o) => o.quarters && at(o) !== null && values[o.period] !== null && values[o.period] !== undefined)
      .map((o) => [o.period, { from: labels.indexOf(o.quarters[0]), to: labels.indexOf(o.quarters[1]), value: values[o.period], label: o.period,
        onClick: () => modelSources(r, output, o.period, values[o.period]) }])).values()];
    if (!own) published.push(...observedAsPublished(r, observed, published));
    const [name, ylabel, unit] = linkedTitle(r, output);
    return CS.charts.trajectory([{ name: modelName(r), points }], { title: name, ylabel, unit, published, observed, labels, spans, colours: colours(r, output), cues: cues(r, output), band: bandAxis(r, output), dataEnd: dataEnd(r, output, labels) });
  }

  /* Where the run's sourced data end on a chart of `output` by quarter (the chart text's `data_end`:
     labels.data_end), half a step after that quarter, as the files and the report mark it; null without one. */
  function dataEnd(r, output, labels) {
    const end = r.output_text && r.output_text[output] && r.output_text[output].data_end;
    return end && labels.includes(end.period) ? { x: labels.indexOf(end.period) + 0.5, label: end.label, note: end.note } : null;
  }

  /* The colour of each series a chart of `output` draws, by the name its legend gives it (the model's line, a
     publisher, a supplier), as the run assigns them: one colour a series in every chart, the files and the report
     alike (the chart text's `colours`). */
  function colours(r, output) {
    return (r.output_text && r.output_text[output] && r.output_text[output].colours) || {};
  }

  /* Past the palette's colours, each series' second cue by name (the chart text's `cues`: palette.styles), as the
     files and the report draw it: figures as triangles or squares, stack parts striped. */
  function cues(r, output) {
    return (r.output_text && r.output_text[output] && r.output_text[output].cues) || {};
  }

  /* The value axis of a chart of `output` with its band, as the files and the report draw it (the chart text's
     `band`: labels.band_axis): a band too wide for it is cut at its top and marked "p95 off scale". */
  function bandAxis(r, output) {
    return (r.output_text && r.output_text[output] && r.output_text[output].band) || null;
  }

  /* The model's line in the legend, named as the chart files and the report name it: "(fitted)" where the
     calibration fitted parameters, else "(not fitted)" (the run sits at the case's defaults). */
  function modelName(r) {
    const fitted = (r.calibration && r.calibration.fitted) || {};  // each fitted parameter's posterior median
    return `chipshift model (${Object.keys(fitted).length ? "fitted" : "not fitted"})`;
  }

  function trajectoryFor(r, output) {
    if (isLinked(r)) return linkedTrajectory(r, output);
    const points = r.outputs.filter((o) => o.output === output).map((o) => ({ x: o.year, value: o.value, p5: o.p5, median: o.median, p95: o.p95, onClick: () => modelSources(r, output, o.year, o.value) }));
    const published = r.published_beside_model.filter((c) => c.output === output).flatMap((c) => c.published.map((p) => ({
      x: c.year, value: p.value, publisher: p.publisher, status: p.status, source: sourceOf(r, p.fact) })));
    const observed = r.calibration.table.filter((o) => o.output === output).map((o) => ({ x: o.year, label: String(o.year), value: o.observed, fitted: o.fitted_to, source: observedSource(r, o), row: o }));
    published.push(...observedAsPublished(r, observed, published));
    const [name, ylabel, unit] = title(r, output);
    return CS.charts.trajectory([{ name: modelName(r), points }], { title: name, ylabel, unit, published, observed, colours: colours(r, output), cues: cues(r, output), band: bandAxis(r, output) });
  }

  /* The market in words: "AI accelerators in China" (codes only where the run names none). */
  function marketName(r) {
    const n = r.names || {}, regions = n.regions || {}, products = n.products || {};
    const inWords = (codes, names) => {  // "a, b, c" -> "A, B and C", each code by its name
      const words = String(codes).split(/,\s*/).map((c) => names[c] || c.replace(/_/g, " "));
      return words.length > 1 ? `${words.slice(0, -1).join(", ")} and ${words[words.length - 1]}` : words[0];
    };
    return `${inWords(r.product, products)} in ${inWords(r.region, regions)}`;
  }

  let latest = 0;  // the newest run asked for: an older one's answer, arriving later, is not drawn

  /* Run the case in the form; ``draws`` (the opening run: none) overrides the form's number of draws. */
  async function run(draws) {
    if (draws !== undefined) $("#params").elements.draws.value = draws;  // the form says what is run
    const f = new FormData($("#params"));
    const body = { case: f.get("case"), draws: draws ?? Number(f.get("draws") || 0), seed: Number(f.get("seed") || 0), parameters: overrides };
    if (draws === undefined) CS.setParams({ case: body.case, draws: body.draws, seed: body.seed });
    const mine = ++latest;
    const box = clear($("#results"));
    box.append(el("p", { class: "muted", text: "Calibrating and running… (a run fits the parameters first: up to a few seconds)" }));
    let r;
    const waiting = (message, retryAfter, seconds) => {
      if (mine !== latest) return;
      clear(box).append(el("p", { class: "card statement warn", id: "market-waiting", role: "status", text: `The server cannot run this yet: ${message}. Asking again in ${seconds} s…` }));
    };
    try { r = await CS.postWhenReady("/market/run", body, waiting, () => mine === latest); } catch (e) { if (mine === latest) clear(box); return; }
    if (r === null) return;
    const vocab = await CS.vocabulary().catch(() => null);
    if (mine !== latest) return;
    clear(box);
    $("#params").elements.draws.value = r.draws ?? 0;  // the form and the run shown agree
    const c = r.calibration;
    box.append(el("section", { class: "card", id: "market-result" }, el("h2", { text: r.title || r.scenario }),
      el("p", { text: r.description }),
      el("div", { class: "stat" }, el("b", { text: marketName(r) }), "market"),
      el("div", { class: "stat" }, el("b", { text: isLinked(r) ? `${r.periods[0]}–${r.periods[1]}` : `${r.years[0]}–${r.years[1]}` }), isLinked(r) ? "quarters" : "years"),
      el("div", { class: "stat", id: "draws-run" }, el("b", { text: num(r.draws ?? 0) }), r.draws ? "Monte Carlo draws" : "Monte Carlo draws: the central run, no bands (set Draws and press Run for them)"),
      el("div", { class: "stat" }, el("b", { text: CS.sig(c.rmse) }), c.rmse == null ? "fit RMSE (nothing fitted)" : `fit RMSE (${c.rmse_of || "units of the observations"})`),
      el("p", { class: "muted small", text: `file ${r.file} · digest ${r.digest} · seed ${r.seed ?? "—"} · computed in ${Number(r.elapsed_s).toFixed(1)} s` })));
    const pinned = !c.not_pinned_down.length && !c.at_edge_of_range.length;
    box.append(el("section", { class: `card statement ${pinned ? "ok" : "warn"}`, id: "calibration-statement" },
      el("h2", { text: "Calibration" }), el("p", { class: "big", text: c.statement + "." }),
      el("p", { class: "small", text: "Fitted: " + Object.entries(c.fitted).map(([k, v]) => `${k} = ${num(v)}`).join(", ") + ` · ${c.procedure}.` })));
    const outputs = [...new Set(r.outputs.map((o) => o.output))];
    // the headline outputs, and every other output that figures are observed or published for (a firm's share of a
    // market, a volume): each such figure is shown beside the model, with its publisher
    const seen = new Set([...c.table.map((o) => o.output), ...r.published_beside_model.filter((p) => p.published.length).map((p) => p.output)]);
    const headline = isLinked(r) ? outputs.filter((o) => /^(price@|localization@|revenue_share:)/.test(o) || seen.has(o))
      : outputs.filter((o) => o === "localization" || o === "revenue_share" || o.startsWith("revenue:") || seen.has(o));
    const grid = el("div", { class: "grid2", id: "trajectories" });
    // a share at 0% or 100% in every period and draw has no chart (a blank line along an edge of its axis): the run
    // says why, listed under the charts (as in the files and the report)
    const unchanging = headline.map((o) => r.output_text && r.output_text[o] && r.output_text[o].unchanging).filter(Boolean);
    for (const output of headline) {
      if (r.output_text && r.output_text[output] && r.output_text[output].unchanging) continue;
      const chart = el("div");
      grid.append(CS.chartCard(chart));  // the chart's title says what it shows (once)
      CS.charts.box(chart, trajectoryFor(r, output), `${r.case}-${output.replace(/[^a-z0-9]+/gi, "-")}`, runFooter(r, output));
    }
    const shareRows = isLinked(r) ? [] : r.outputs.filter((o) => o.output.startsWith("share:") && !o.output.includes("@"));
    if (shareRows.length) {
      const years = [...new Set(shareRows.map((o) => o.year))].sort();
      const chart = el("div", { id: "share-stack" });
      const named = words(r, "shares"), owners = (r.names && r.names.owners) || {};
      const owner = (code) => owners[code] || code;  // suppliers by name
      const stackTitle = named ? `${named[0]}, % of market value` : `Supplier shares of ${r.region}'s ${r.product.replace(/_/g, " ")} market (model, % of value)`;
      grid.append(CS.chartCard(chart));
      CS.charts.box(chart, CS.charts.stack(years.map((y) => ({ x: y, parts: shareRows.filter((o) => o.year === y).map((o) => ({ name: owner(o.output.split(":")[1]), value: o.value, onClick: () => modelSources(r, o.output, y, o.value) })) })),
        { title: stackTitle, colours: colours(r, "shares"), cues: cues(r, "shares") }), `${r.case}-shares`, runFooter(r, "shares"));
    }
    box.append(el("h2", { class: "cards-heading", id: "trajectories-heading", text: "The model over time, beside the published figures" }), grid);
    if (unchanging.length) {
      const held = CS.section("Shares that hold at 0% or 100% throughout (no chart)", el("ul", {}, ...unchanging.map((text) => el("li", { text }))));
      held.id = "unchanging";
      box.append(held);
    }
    const fit = el("div");
    const fitBox = CS.section("Fit: observed vs model", el("p", { class: "muted small", text: "Observations marked 'fitted to' were used in the calibration; the others are shown for comparison. An observed value opens its source; a model value what it rests on (the case, its parameters and their sources)." }), fit);
    fitBox.id = "fit";
    box.append(fitBox);
    // a model figure opens what it rests on (modelSources); its row gives the output and the year or period
    const model = (what, key = "value") => (row) => () => modelSources(r, row.output, row[when(r)], row[key], what);
    const at = isLinked(r) ? { key: "period", label: "Period" } : { key: "year", label: "Year", num: true };
    // every table of figures says their unit: that of the output each row is about
    // in words on screen (an output by its title, a unit as the vocabulary says it); codes in the CSV
    const units = Object.fromEntries(r.outputs.map((o) => [o.output, o.unit]));
    const unit = { key: "unit", label: "Unit", format: (v, row) => CS.unitWords(v || units[row.output] || "", vocab), csv: (row) => row.unit || units[row.output] || "" };
    const outputCol = { key: "output", label: "Output", format: (v) => (r.output_text && r.output_text[v] ? r.output_text[v].title : v) };
    table(fit, { filename: `${r.case}-calibration`, rows: c.table, columns: [outputCol, at,
      { key: "observed", label: "Observed", num: true, format: (v) => num(v), source: (row) => observedSource(r, row) }, { key: "model", label: "Model", num: true, format: (v) => CS.sig(v), source: model("model", "model") },
      // a difference of two percentages is in points, not in percent
      { key: "error", label: "Error (model − observed)", num: true, format: (v, row) => ((row.unit || units[row.output]) === "pct" && v !== null && v !== undefined ? `${num(v)} pts` : num(v)) }, unit, { key: "fitted_to", label: "Fitted to", format: (v) => (v ? "yes" : "no") }, { key: "fact", label: "Fact" }, { key: "basis", label: "Basis" }] });
    const pub = el("div");
    const pubRows = r.published_beside_model.flatMap((cmp) => cmp.published.map((p) => ({ output: cmp.output, [when(r)]: cmp[when(r)], model: cmp.model, ...p })));
    box.append(CS.section("Published estimates beside the model", pub));
    table(pub, { filename: `${r.case}-published`, rows: pubRows, columns: [outputCol, at,
      { key: "model", label: "Model", num: true, format: (v) => CS.sig(v), source: model("model", "model") }, { key: "value", label: "Published", num: true, format: (v) => num(v), source: (row) => sourceOf(r, row.fact) },
      unit, { key: "publisher", label: "Publisher" }, { key: "status", label: "Status" }, { key: "definition", label: "Definition" }] });
    const params = CS.section("Parameters: value, sourced range and basis", parameterEditor(r));
    params.id = "parameters";
    box.append(params);
    const sens = el("div"), byId = Object.fromEntries(r.parameters.map((p) => [p.id, p]));
    box.append(CS.section("Sensitivity: each ranged parameter alone at its low and high end", sens));
    table(sens, { filename: `${r.case}-sensitivity`, rows: r.sensitivity, columns: [outputCol, at,
      { key: "rank", label: "Rank", num: true }, { key: "parameter", label: "Parameter", format: (v) => named(byId[v] || { id: v }), csv: (row) => row.parameter },
      { key: "at_low", label: "At low", num: true, format: (v) => num(v), source: (row) => model(`with ${row.parameter} at its low end`, "at_low")(row) },
      { key: "at_high", label: "At high", num: true, format: (v) => num(v), source: (row) => model(`with ${row.parameter} at its high end`, "at_high")(row) }, { key: "swing", label: "Swing", num: true, format: (v) => num(v) }, unit] });
    const all = el("div");
    box.append(CS.section(isLinked(r) ? "All outputs by period" : "All outputs by year", all));
    table(all, { filename: `${r.case}-outputs`, rows: r.outputs, columns: [outputCol, at,
      { key: "value", label: "Value", num: true, format: (v) => num(v), source: model("model") }, unit,
      { key: "p5", label: "p5", num: true, format: (v) => num(v), source: (row) => (row.p5 == null ? null : model("5th percentile of the draws", "p5")(row)) },
      { key: "median", label: "Median", num: true, format: (v) => num(v), source: (row) => (row.median == null ? null : model("median of the draws", "median")(row)) },
      { key: "p95", label: "p95", num: true, format: (v) => num(v), source: (row) => (row.p95 == null ? null : model("95th percentile of the draws", "p95")(row)) }] });
    if (r.notes.length) box.append(CS.section("Notes", el("ul", {}, r.notes.map((n) => el("li", { text: n })))));
    if ((r.warnings || []).length) box.append(CS.section("Warnings", el("ul", {}, r.warnings.map((w) => el("li", { text: w })))));
  }

  /* What a parameter's bound (default, low or high) rests on: the fact it comes from (publisher, quote, link), else
     the case file's own assumption, said as such, with its basis. */
  function boundSource(r, p, bound) {
    const facts = p.facts || {};
    const fact = facts[bound] && r.facts[facts[bound]];
    if (fact) return fact;
    const named = (facts.basis || []).map((f) => r.facts[f]).filter(Boolean);
    return { publisher: `case file ${r.file}`, status: "assumption", quote: p.basis,
      note: `${bound} of ${p.id}: no published figure is cited for it; the quote is the case file's basis`
        + (named.length ? ` (the facts it names open from the Basis column: ${named.map((f) => f.fact).join(", ")})` : "") };
  }

  /* A parameter's basis in words: a catalogue parameter's name and note, and each fact the basis names as a button
     opening its source. */
  function basisCell(r, p) {
    const facts = p.facts || {}, cell = el("span", {});
    const cat = facts.catalogue;
    cell.append(cat ? `${cat.name} (${p.basis}): ${cat.note}` : p.basis);
    for (const f of (facts.basis || []).filter((id) => r.facts[id])) cell.append(" · ", CS.figure(`${r.facts[f].publisher || f}, ${r.facts[f].period}`, r.facts[f]));
    return cell;
  }

  /* A parameter in words, with its id (the name --set and the Compare page take): "price elasticity of demand
     (demand_elasticity)"; its id alone where the case says nothing of it. */
  function named(p) { return p.words ? `${p.words} (${p.id})` : p.id; }

  /* One row per parameter: a number input bounded by its sourced range (fitted ones are fixed by editing),
     a "hold" box (ticked when the value is edited), the range, the treatment and the basis; re-run. */
  function parameterEditor(r) {
    const inputs = {}, holds = {};
    for (const p of r.parameters) {
      const fixed = p.low === p.high;
      // the value at the answer's precision for pages (labels.parameter_shown: four significant figures)
      inputs[p.id] = el("input", { type: "number", name: p.id, min: p.low, max: p.high, step: "any", value: p.shown ?? p.value, disabled: fixed, class: "param-value", "aria-label": `value of ${p.id}`,
        title: fixed ? "fixed: the case gives no range" : `between ${p.low} and ${p.high}` });
      holds[p.id] = el("input", { type: "checkbox", name: `hold-${p.id}`, checked: p.overridden, disabled: fixed, "aria-label": `hold ${p.id} at this value`, title: "hold at this value (not fitted, not drawn)" });
      inputs[p.id].addEventListener("input", () => { holds[p.id].checked = true; });
    }
    const treatment = (p) => (p.overridden ? "held (set)" : p.fitted ? "fitted" : p.monte_carlo ? "Monte Carlo" : "fixed");
    const status = el("span", { class: "muted small", id: "param-status" });
    const holder = el("div");
    const form = el("form", { id: "param-editor" }, holder,
      el("p", {}, el("button", { type: "submit", id: "rerun", text: "Re-run with these values" }), " ",
        el("button", { type: "button", class: "secondary", id: "reset-params", text: "Reset (fit and draw again)", onclick: () => { overrides = {}; run(); } }), " ", status));
    table(holder, { filename: `${r.case}-parameters`, rows: r.parameters.map((p) => ({ ...p, treatment: treatment(p), range: `${p.low} – ${p.high}` })),
      columns: [{ key: "id", label: "Parameter", format: (v, row) => named(row) }, { key: "value", label: "Value", num: true, render: (row) => inputs[row.id], csv: (row) => row.value },
        { key: "overridden", label: "Hold", render: (row) => el("label", {}, holds[row.id], " hold"), csv: (row) => (row.overridden ? "yes" : "no") },
        { key: "unit", label: "Unit" },
        { key: "low", label: "Low", num: true, format: (v) => num(v), source: (row) => boundSource(r, row, "low") },
        { key: "high", label: "High", num: true, format: (v) => num(v), source: (row) => boundSource(r, row, "high") },
        { key: "default", label: "Default", num: true, format: (v) => num(v), source: (row) => boundSource(r, row, "default") },
        { key: "treatment", label: "Fitted / Monte Carlo / held" },
        { key: "basis", label: "Basis", render: (row) => basisCell(r, row), csv: (row) => row.basis }] });
    form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      const next = {};
      for (const p of r.parameters) {
        const input = inputs[p.id];
        if (!holds[p.id].checked || input.disabled) continue;
        const v = Number(input.value);
        if (input.value === "" || !Number.isFinite(v) || v < p.low || v > p.high) {
          status.textContent = `${p.id}: enter a number between ${p.low} and ${p.high}`;
          input.focus();
          return;
        }
        next[p.id] = v;
      }
      overrides = next;
      run();
    });
    return el("div", {}, el("p", { class: "muted small", text: "Each parameter with its sourced range and basis: a default, low or high figure opens the fact it comes from (or says it is the case file's assumption). Edit a value (within the range) to hold it there: a held parameter is neither fitted nor drawn in the Monte Carlo bands. Untick Hold to let it be fitted or drawn again." }), form);
  }

  function describe() {
    const c = cases.find((x) => x.case === $("#case").value);
    $("#case-description").textContent = c ? c.description : "";
  }

  document.addEventListener("DOMContentLoaded", async () => {
    const form = $("#params"), p = CS.params();
    const data = await CS.get("/market/cases", {}, { quiet: true });
    cases = data.cases;
    for (const c of cases) form.elements.case.append(CS.option(c.case, `${c.title || c.name} (${c.region_name || c.region}, ${c.years[0]}–${c.years[1]})`, c.needs));
    const runnable = cases.find((c) => !c.needs);
    if (runnable) form.elements.case.value = runnable.case;  // open on a case this store can run
    form.elements.draws.max = data.max_draws;
    for (const k of ["case", "draws", "seed"]) if (p.get(k)) form.elements[k].value = p.get(k);
    form.elements.case.addEventListener("change", () => { overrides = {}; describe(); });
    describe();
    form.addEventListener("submit", (ev) => { ev.preventDefault(); run(); });
    if (p.get("case")) run(); else run(0);  // open on the first shipped case's central run (no draws: quick; the form says 0)
  });
})();
