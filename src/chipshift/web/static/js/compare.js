/* Compare: two scenarios side by side, differences by input, stage, country, firm and year. */
"use strict";
(() => {
  const { el, clear, $, post, table, share } = CS;

  function stageName(id) { return { S1: "S1 · Design", S2: "S2 · Fabrication", S3: "S3 · ATP" }[id] || id; }

  /* Rules named by id, each a link to its page (fields, source and quote). */
  function ruleList(title, ids, names) {
    const links = CS.ruleLinks(ids, names, "; ");  // each rule by its name, its id after it
    return el("p", { class: "rules-named small" }, el("b", { text: `${title} (${ids.length}): ` }), ...(links.length ? links : ["none"]));
  }

  /* Where the country view can say only "maybe" of a country while the firm view bars one of its firms for
     certain, and why: a rule that names firms reaches only part of a country's share. */
  function viewsApart(r, Ld, Rd) {
    const groups = new Map();
    for (const v of r.views_apart || []) {
      const key = [v.input, v.country, v.firms.join("|"), v.rules.join("|")].join("/");
      if (!groups.has(key)) groups.set(key, { ...v, sides: [] });
      groups.get(key).sides.push(v.side === "left" ? Ld : Rd);
    }
    if (!groups.size) return null;
    const items = [...groups.values()].map((v) => el("li", {},
      `${v.sides.length === 2 ? "Both sides" : v.sides[0]}: ${v.country} counts as maybe barred for ${v.name}` +
      `${v.country_share_pct == null ? "" : ` (${share(v.country_share_pct)} of world supply)`}, while the firm view bars ` +
      `${v.firms.join(", ")}${v.firms_share_pct == null ? "" : ` (${share(v.firms_share_pct)})`} for certain, by `,
      ...CS.ruleLinks(v.rules, r.rule_names, "; "), "."));
    return el("div", { class: "notice small", id: "views-apart" }, el("p", { text: "Why a country and its firms are counted apart: a rule " +
      "that names firms bars those firms for certain, while a country's share may also hold firms the rule does not name, so the " +
      "country view can say only that the country may be barred." }), el("ul", {}, ...items));
  }

  async function load() {
    const f = new FormData($("#params"));
    const left = f.get("left"), right = f.get("right"), at = f.get("at") || null;
    CS.setParams({ left, right, target: f.get("target"), at, segment: f.get("segment") });
    const body = { target: f.get("target") || "CHN", segment: f.get("segment") || null, left: { ref: left, at }, right: { ref: right, at } };
    const box = clear($("#results"));
    box.append(el("p", { class: "muted", text: "Comparing…" }));
    let r;
    try { r = await post("/compare", body); } catch (e) { clear(box); return; }
    clear(box);
    const leftName = r.left.scenario ? r.left.scenario.name : "baseline", rightName = r.right.scenario ? r.right.scenario.name : "baseline";
    let L = leftName, R = rightName;
    if (L === R) { L = `left: ${L}`; R = `right: ${R}`; }  // one scenario on both sides: each side named apart
    const where = await CS.placeName(r.destination), dates = r.left.at === r.right.at ? `on ${r.left.at}` : `(left on ${r.left.at}, right on ${r.right.at})`;
    const foot = `Left: ${leftName} on ${r.left.at} · right: ${rightName} on ${r.right.at} · target ${where}` +
      (r.data_sources && r.data_sources.length ? ` · Sources: ${r.data_sources.join("; ")}` : "");
    box.append(el("section", { class: "card", id: "compare-result" }, el("h2", { text: `${L}  vs  ${R}` }),
      el("div", { class: "stat" }, el("b", { text: where }), "target"),
      el("div", { class: "stat" }, el("b", { text: `${r.left.at} / ${r.right.at}` }), "dates (left / right)"),
      el("div", { class: "stat" }, el("b", { text: String(r.by_input.length) }), "inputs that differ"),
      ruleList("Rules only on the right", r.rules_added, r.rule_names), ruleList("Rules only on the left", r.rules_removed, r.rule_names)));
    const grid = el("div", { class: "grid2" });
    const stageChart = el("div"), yearChart = el("div"), yearNote = el("div");
    // the stages' and the years' figures are means over inputs, each input weighing the same (the Exposure page also
    // weighs them by market size): their titles say so, so that neither is read as a share of the stage's spending
    grid.append(CS.section("Exposure by stage (mean over its inputs)", stageChart), CS.section("Exposure by year (mean over all inputs, 31 December)", yearNote, yearChart));
    box.append(grid);
    // a stage's bar opens what its two figures rest on: the rules only one side has, the data, and each side on the
    // Exposure page, where the stage's inputs open their shares' sources
    const exposureAt = (ref, side) => `/exposure?${new URLSearchParams({ target: r.destination, at: side.at, segment: body.segment || "", scenario: ref })}`;
    const stageSources = (s) => CS.showSources({ ruleNames: r.rule_names,
      heading: `${stageName(s.stage)}: ${share(s.left_barred_lower_pct)} – ${share(s.left_barred_upper_pct)} barred under ${L} (${r.left.at}), ${share(s.right_barred_lower_pct)} – ${share(s.right_barred_upper_pct)} under ${R} (${r.right.at})`,
      summary: `Each side's figure is the mean over the stage's inputs of the share of world supply barred, from the inputs' shares and the rules in force on its date. The shares come from: ${(r.data_sources || []).join("; ")}.`,
      parts: [{ label: `Rules only under ${R}`, text: r.rules_added.length ? "" : "none", rules: r.rules_added },
        { label: `Rules only under ${L}`, text: r.rules_removed.length ? "" : "none", rules: r.rules_removed }],
      links: [{ href: exposureAt(left, r.left), text: `${L} on ${r.left.at}: the stage's inputs and their sources on the Exposure page →` },
        { href: exposureAt(right, r.right), text: `${R} on ${r.right.at}: the same →` }] });
    CS.charts.box(stageChart, CS.charts.ranges(r.by_stage.map((s) => ({ label: stageName(s.stage), onClick: () => stageSources(s), values: [
      { lower: s.left_barred_lower_pct, upper: s.left_barred_upper_pct }, { lower: s.right_barred_lower_pct, upper: s.right_barred_upper_pct }] })),
    { series: [L, R], title: `Share of world supply barred for ${where}, averaged over each stage's inputs (each input weighing the same, not by market size), ${L} vs ${R} ${dates}`, width: 620 }), "compare-stages", foot);
    // a year's point opens both sides' figures on 31 December of that year and each side's Exposure page then
    const yearSources = (y) => CS.showSources({ ruleNames: r.rule_names,
      heading: `31 December ${y.year}: ${share(y.left_barred_lower_pct)} – ${share(y.left_barred_upper_pct)} of all inputs' supply barred for ${where} under ${L}, ${share(y.right_barred_lower_pct)} – ${share(y.right_barred_upper_pct)} under ${R}`,
      summary: `Each side's stages' barred shares, weighted by their inputs, from the inputs' shares and the rules in force on that day. The shares come from: ${(r.data_sources || []).join("; ")}.`,
      parts: [{ label: `Rules only under ${R}`, text: r.rules_added.length ? "" : "none", rules: r.rules_added },
        { label: `Rules only under ${L}`, text: r.rules_removed.length ? "" : "none", rules: r.rules_removed }],
      links: [{ href: exposureAt(left, { at: `${y.year}-12-31` }), text: `${L} on ${y.year}-12-31: every input and its sources on the Exposure page →` },
        { href: exposureAt(right, { at: `${y.year}-12-31` }), text: `${R} on ${y.year}-12-31: the same →` }] });
    const yearPoints = r.by_year.map((y) => ({ x: y.year, ...y, onClick: () => yearSources(y) }));
    const yearSeries = [{ name: L, lower: "left_barred_lower_pct", upper: "left_barred_upper_pct" }, { name: R, lower: "right_barred_lower_pct", upper: "right_barred_upper_pct" }];
    // both sides the same in every year: one line is drawn (charts.bands), and the page says so
    if (CS.charts.sameSeries(yearPoints, yearSeries)) yearNote.append(el("p", { class: "statement", id: "compare-years-same", text: "The two scenarios give the same exposure in every year shown: one line is drawn for both." }));
    CS.charts.box(yearChart, CS.charts.bands(yearPoints, yearSeries,
      { title: `Share of world supply barred for ${where}, averaged over all inputs (each weighing the same), on 31 December of each year, ${L} vs ${R}`, width: 620, same: "year" }), "compare-years", `31 December of each year · ${foot}`);
    // an input's bar or row opens what its two figures rest on: the providers barred on one side only, the rules
    // only one side has, the input's page (each provider's share with its source) and each side's Exposure page
    const list = (v) => (Array.isArray(v) ? v.join(", ") : v) || "none";
    const inputSources = (d) => CS.showSources({ ruleNames: r.rule_names,
      heading: `${d.name}: ${share(d.before_lower_pct)} – ${share(d.before_upper_pct)} of world supply available under ${L} (${r.left.at}), ${share(d.after_lower_pct)} – ${share(d.after_upper_pct)} under ${R} (${r.right.at})`,
      summary: `The share of the input's world supply ${where} may still buy: its providers' shares less those the rules in force on each date bar. The shares come from: ${(r.data_sources || []).join("; ")}.`,
      parts: [{ label: `Barred only under ${R}`, text: list(d.newly_barred) }, { label: `Barred only under ${L}`, text: list(d.no_longer_barred) },
        { label: `Rules only under ${R}`, text: r.rules_added.length ? "" : "none", rules: r.rules_added },
        { label: `Rules only under ${L}`, text: r.rules_removed.length ? "" : "none", rules: r.rules_removed }],
      links: [{ href: `/explorer?input=${encodeURIComponent(d.input)}`, text: `${d.name}: each provider's share with its source →` },
        { href: exposureAt(left, r.left), text: `${L} on ${r.left.at} on the Exposure page →` },
        { href: exposureAt(right, r.right), text: `${R} on ${r.right.at} on the Exposure page →` }] });
    const inChart = el("div"), inTable = el("div");
    box.append(CS.section(`By input (${r.by_input.length} differ)`, inChart, inTable));
    if (r.by_input.length) CS.charts.box(inChart, CS.charts.ranges(r.by_input.slice(0, 40).map((d) => ({ label: d.name, onClick: () => inputSources(d), values: [
      { lower: d.before_lower_pct, upper: d.before_upper_pct }, { lower: d.after_lower_pct, upper: d.after_upper_pct }] })), { series: [`available: ${L}`, `available: ${R}`], title: `Share of world supply ${where} may buy, by input, ${L} vs ${R} ${dates}` }), "compare-inputs", `${foot} · an input's bar opens what it rests on`);
    else inChart.append(el("p", { class: "muted", text: "No input's availability differs." }));
    table(inTable, { filename: "compare-inputs", rows: r.by_input, onRow: inputSources, columns: [{ key: "name", label: "Input" },
      { key: "before_lower_pct", label: `Available, ${L}: lower`, num: true, format: (v) => share(v), unit: "percent" }, { key: "before_upper_pct", label: `Available, ${L}: upper`, num: true, format: (v) => share(v), unit: "percent" },
      { key: "after_lower_pct", label: `Available, ${R}: lower`, num: true, format: (v) => share(v), unit: "percent" }, { key: "after_upper_pct", label: `Available, ${R}: upper`, num: true, format: (v) => share(v), unit: "percent" },
      { key: "newly_barred", label: "Newly barred" }, { key: "no_longer_barred", label: "No longer barred" }] });
    // a provider's bar or row (by mouse, or Tab and Enter) opens what its two counts rest on: the inputs it is barred
    // for on one side only (each opening the input's page, its shares and their sources), the rules only one side
    // has, and each side's Exposure page; both sides' dates are named, so like is compared with like
    const Ld = `${L} (${r.left.at})`, Rd = `${R} (${r.right.at})`;
    const inputLinks = (names) => names.map((n) => ({ label: n, text: "", open: () => { location.href = `/explorer?input=${encodeURIComponent(n)}`; } }));
    const providerSources = (x, kind) => CS.showSources({ ruleNames: r.rule_names,
      heading: `${x.provider} (${kind}): barred for ${x.left_barred} input${x.left_barred === 1 ? "" : "s"} under ${Ld}, ${x.right_barred} under ${Rd}; maybe barred for ${x.left_maybe} and ${x.right_maybe}`,
      summary: `A provider counts for an input when a rule in force on that side's date bars its sales of the input to ${where} (the inputs' ${kind === "country" ? "country" : "firm"} shares, each with its source on the input's page; the shares come from: ${(r.data_sources || []).join("; ")}).`,
      parts: [{ label: `Barred only under ${Rd}`, text: x.newly_barred_inputs.length ? "" : "none" }, ...inputLinks(x.newly_barred_inputs),
        { label: `Barred only under ${Ld}`, text: x.no_longer_barred_inputs.length ? "" : "none" }, ...inputLinks(x.no_longer_barred_inputs),
        { label: `Rules only under ${R}`, text: r.rules_added.length ? "" : "none", rules: r.rules_added },
        { label: `Rules only under ${L}`, text: r.rules_removed.length ? "" : "none", rules: r.rules_removed }],
      links: [{ href: exposureAt(left, r.left), text: `${Ld} on the Exposure page: every input's barred providers →` },
        { href: exposureAt(right, r.right), text: `${Rd} on the Exposure page →` }] });
    for (const [title, rows, name, kind, whose] of [["By country", r.by_country, "countries", "country", "a country's providers are"], ["By firm", r.by_firm, "firms", "firm", "a firm is"]]) {
      const changed = rows.filter((x) => x.change_barred !== 0 || x.newly_barred_inputs.length || x.no_longer_barred_inputs.length);
      const chart = el("div"), t = el("div");
      const apart = kind === "country" ? viewsApart(r, Ld, Rd) : null;
      box.append(CS.section(`${title} (${changed.length} change)`, ...(apart ? [apart] : []), chart, t));
      const max = Math.max(1, ...changed.map((c) => Math.max(c.left_barred, c.right_barred)));
      const step = Math.max(1, Math.ceil(max / 4));
      if (changed.length) CS.charts.box(chart, CS.charts.ranges(changed.slice(0, 30).map((x) => ({ label: x.provider, onClick: () => providerSources(x, kind),
        values: [{ lower: 0, upper: x.left_barred }, { lower: 0, upper: x.right_barred }] })),
      { series: [Ld, Rd], single: true, max: step * 4, format: (v) => (Math.round(v) === 1 ? "1 input" : `${Math.round(v)} inputs`), title: `Number of inputs for which ${whose} barred from selling to ${where}, ${L} vs ${R} ${dates}` }), `compare-${name}`,
      `${foot} · a provider's bar opens the inputs and rules behind it`);
      table(t, { filename: `compare-${name}`, rows, onRow: (x) => providerSources(x, kind), columns: [{ key: "provider", label: "Provider" },
        { key: "left_barred", label: `${Ld}: barred`, num: true, unit: "inputs" }, { key: "right_barred", label: `${Rd}: barred`, num: true, unit: "inputs" },
        { key: "change_barred", label: "Change", num: true, unit: "inputs" }, { key: "left_maybe", label: `${Ld}: maybe`, num: true, unit: "inputs" }, { key: "right_maybe", label: `${Rd}: maybe`, num: true, unit: "inputs" },
        { key: "newly_barred_inputs", label: "Newly barred for" }, { key: "no_longer_barred_inputs", label: "No longer barred for" }] });
    }
    const yt = el("div");
    box.append(CS.section("By year: share of all inputs' supply barred on 31 December", yt));
    table(yt, { filename: "compare-years", rows: r.by_year, columns: [{ key: "year", label: "Year" },
      { key: "left_barred_lower_pct", label: `Barred, ${L}: lower`, num: true, format: (v) => share(v), unit: "percent" }, { key: "left_barred_upper_pct", label: `Barred, ${L}: upper`, num: true, format: (v) => share(v), unit: "percent" },
      { key: "right_barred_lower_pct", label: `Barred, ${R}: lower`, num: true, format: (v) => share(v), unit: "percent" }, { key: "right_barred_upper_pct", label: `Barred, ${R}: upper`, num: true, format: (v) => share(v), unit: "percent" }] });
    box.append(el("section", { class: "card notice", id: "market-pointer" }, el("h2", { text: "Market results (market model)" }), el("p", {}, r.market.note, " ",
      el("a", { href: r.market.page, text: "Open the Results page →" }), " ", el("a", { href: "#market-heading", text: "Compare two market cases below ↓" }))));
  }

  /* A side of a market comparison by its letter and name: "a = as shipped", or its name alone where it says its
     letter already ("a: as shipped", two sides whose names are the same). */
  function lettered(letter, name) { return name.startsWith(`${letter}: `) ? name : `${letter} = ${name}`; }

  /* An output of a market comparison by its words (the runs' title), its code only where they give none. */
  function named(r, output) { const words = (r.output_text || {})[output]; return words ? words.title : output; }

  function parseParameters(text) {
    const out = {};
    for (const part of (text || "").split(/[,;\s]+/).filter(Boolean)) {
      const [k, v] = part.split("=");
      if (k && v !== undefined && v !== "" && !Number.isNaN(Number(v))) out[k.trim()] = Number(v);
    }
    return out;
  }

  let marketLatest = 0;  // the newest market comparison asked for: an older one's answer is not drawn

  async function loadMarket() {
    const f = new FormData($("#market-params"));
    const draws = Number(f.get("draws") || 0);
    const scenario = f.get("b_scenario");
    const body = { a: f.get("a"), b: f.get("b") || null, b_parameters: parseParameters(f.get("b_parameters")),
      b_scenario: scenario && scenario !== "baseline" ? scenario : null, draws };
    CS.setParams({ market_a: body.a, market_b: body.b, market_b_parameters: f.get("b_parameters") || null,
      market_b_scenario: body.b_scenario, market_draws: draws || null });
    const box = clear($("#market-results"));
    box.append(el("p", { class: "muted", text: draws ? `Running both sides with ${draws} draws each…` : "Running both sides…" }));
    let r;
    const mine = ++marketLatest;
    const waiting = (message, retryAfter, seconds) => {
      if (mine !== marketLatest) return;
      clear(box).append(el("p", { class: "card statement warn", id: "market-waiting", role: "status", text: `The server cannot run this yet: ${message}. Asking again in ${seconds} s…` }));
    };
    try { r = await CS.postWhenReady("/market/compare", body, waiting, () => mine === marketLatest); } catch (e) { if (mine === marketLatest) clear(box); return; }
    if (r === null || mine !== marketLatest) return;
    const vocab = await CS.vocabulary().catch(() => null);
    if (mine !== marketLatest) return;
    clear(box);
    // each side by its case's title (as the Results page heads a run), one side a line, so long titles wrap
    // under their letter on a wide screen and a phone alike
    const title = r.same_case ? r.title_a : "Two market cases side by side";
    const missing = [[r.a, r.only_in_a], [r.b, r.only_in_b]].filter(([, list]) => list.length);
    box.append(el("section", { class: "card", id: "market-compare" }, el("h2", { text: title }),
      el("dl", { class: "sides" }, ...[["a", r.a], ["b", r.b]].flatMap(([k, v]) => [el("dt", { text: k }), el("dd", { text: v.replace(/^[ab]: /, "") })])),
      el("div", { class: "stat" }, el("b", { text: String(r.outputs.length) }), "outputs on both sides"),
      el("div", { class: "stat" }, el("b", { text: String(r.differences.filter((d) => d.difference).length) }), "output-periods that differ"),
      el("p", { class: "muted small", text: r.note }),
      ...missing.map(([name, list]) => el("p", { class: "small only-one-side", text: `Only in ${name} (${list.length}): ${list.map((o) => named(r, o)).join("; ")}` })),
      // the figures' sources: every fact the cases cite, in the table of sources below; each case's run on its page
      el("p", { class: "small sources-named" }, el("a", { href: "#market-sources", text: `Sources: the ${(r.facts || []).length} facts the cases cite` }),
        " (each opening its quote, below); each case's own run on its Results page: ",
        ...[...new Map([[r.case_a, r.title_a], [r.case_b, r.title_b]]).entries()].map(([c, t]) => el("a", { href: `/results?case=${encodeURIComponent(c)}&draws=0`, text: t })).flatMap((a, i) => (i ? ["; ", a] : [a])))));
    const grid = el("div", { class: "grid2" });
    // linked markets come by period (quarters, years): their headline outputs by quarter are charted
    const linked = r.differences.some((d) => d.period !== undefined);
    const headline = linked ? r.outputs.filter((o) => /^(price@|localization@|revenue_share:)/.test(o)) : r.outputs;
    // a share at 0% or 100% in every period and draw on both sides has no chart (a blank line along an edge of its
    // axis): the comparison says why, listed under the charts (as the Results page, the files and the report do);
    // a share that moves on one side keeps its chart
    const held = (o) => r.output_text && r.output_text[o] && r.output_text[o].unchanging;
    const flat = headline.filter(held);
    let charted = headline.filter((o) => !held(o));
    const moved = charted.filter((o) => r.differences.some((d) => d.output === o && d.difference));
    if (moved.length) charted = moved;  // the outputs the variant moves come first, and alone when there are any
    for (const output of charted.slice(0, 12)) {
      let rows = r.differences.filter((d) => d.output === output);
      if (linked) rows = rows.filter((d) => /Q/.test(d.period));
      const labels = linked ? rows.map((d) => d.period) : null;
      const x = (d, i) => (linked ? i : d.year);
      const side = (key) => rows.map((d, i) => ({ x: x(d, i), value: d[key], p5: d[`${key}_p5`], p95: d[`${key}_p95`], onClick: () => marketSources(r, body, d, key, vocab) }));
      const unit = rows.length && rows[0].unit === "pct" ? "%" : "";
      const words = (r.output_text || {})[output];  // the runs' own words for the output, codes only without them
      const name = words ? words.title : output;
      const chart = el("div");
      grid.append(CS.chartCard(chart));  // the chart's title says what it shows (once)
      // two cases naming one output differently: each side's words, then which side is which
      // (two cases: the legend names each side by its name, its case's title, so the chart's title says what it
      // shows alone; a long name wraps over lines beside the plot)
      const title = !r.same_case ? name : name.startsWith("a: ") ? `${name} (a = ${r.a}, b = ${r.b})` : `${name}: ${r.a} vs ${r.b}`;
      // each side in its colour of the comparison (the answer's, by the side's name)
      const hue = (words && words.colours) || {};
      // two sides the same in every period (values and bands): one line, named as both, so that none hides the other
      const same = rows.every((d) => d.a === d.b && (d.a_p5 ?? null) === (d.b_p5 ?? null) && (d.a_p95 ?? null) === (d.b_p95 ?? null));
      const series = same ? [{ name: `${r.a} and ${r.b} (the same in every ${linked ? "quarter" : "year"} shown)`, color: hue[r.a], points: side("a") }]
        : [{ name: r.a, color: hue[r.a], points: side("a") }, { name: r.b, color: hue[r.b], points: side("b") }];
      CS.charts.box(chart, CS.charts.trajectory(series,
        { title, unit, ylabel: words ? words.axis : (rows.length && rows[0].unit ? `${output} (${rows[0].unit})` : output), width: 620, labels,
          band: (words && words.band) || null }),  // the value axis by the rule of every medium (labels.band_axis)
        `market-compare-${output.replace(/[^a-z0-9]+/gi, "-")}`,
        // each side by its letter and name, the letter once where the name already carries it ("a: as shipped")
        `${r.same_case ? `Case: ${r.title_a}; ${lettered("a", r.a)}, ${lettered("b", r.b)}` : `${lettered("a", r.a)}; ${lettered("b", r.b)}`} · ${r.bands}` +
        (r.data_as_of ? ` · data as of ${r.data_as_of}` : "") + ` · Sources: ${publishersOf(r)}`);
    }
    if (charted.length) box.append(el("h2", { class: "cards-heading", text: moved.length ? "What the change moves, over time" : "Both sides over time" }), grid);
    if (!r.differences.some((d) => d.difference)) grid.before(el("p", { class: "statement", id: "market-same", text: "The two sides give the same value for every output in every period (b − a is 0 throughout): each chart draws one line for both." }));
    if (flat.length) {
      const list = CS.section("Shares that hold at 0% or 100% throughout on both sides (no chart)", el("ul", {}, ...flat.map((o) => el("li", { text: held(o) }))));
      list.id = "market-unchanging";
      box.append(list);
    }
    const t = el("div");
    box.append(CS.section("Side by side, b − a, by output and period", t));
    // on screen in words (an output by its title, a unit as the vocabulary says it); codes in the CSV
    const columns = [{ key: "output", label: "Output", format: (v) => named(r, v) }, linked ? { key: "period", label: "Period" } : { key: "year", label: "Year", num: true },
      { key: "unit", label: "Unit", format: (v) => CS.unitWords(v || "", vocab), csv: (row) => row.unit || "" }, { key: "a", label: r.a, num: true, format: (v) => CS.num(v) }];
    if (draws) columns.push({ key: "a_p5", label: "a 5%", num: true, format: (v) => CS.num(v) }, { key: "a_p95", label: "a 95%", num: true, format: (v) => CS.num(v) });
    columns.push({ key: "b", label: r.b, num: true, format: (v) => CS.num(v) });
    if (draws) columns.push({ key: "b_p5", label: "b 5%", num: true, format: (v) => CS.num(v) }, { key: "b_p95", label: "b 95%", num: true, format: (v) => CS.num(v) });
    columns.push({ key: "difference", label: "b − a", num: true, format: (v) => CS.num(v) });
    // each figure opens what it rests on: a model output of its side (the case, the variant's changes, the facts
    // that side cites, each opening its source)
    for (const c of columns.filter((c) => c.num && c.key !== "year")) c.source = (row) => () => marketSources(r, body, row, c.key, vocab);
    table(t, { filename: "market-compare", rows: r.differences, columns });
    // what both sides rest on: every fact the case files cite, each value opening its source (mouse or keyboard)
    const s = el("div", { id: "market-sources" });
    box.append(CS.section("Sources: the facts the cases cite", el("p", { class: "muted small", text: "Every figure above is the model's, calibrated to and run on these facts; a value opens its source (publisher, date, quote, link)." }), s));
    // each fact by the answer's words (whom it is about, what it measures, of what and where, its unit); codes in the CSV
    table(s, { filename: "market-compare-sources", rows: r.facts, columns: [
      { key: "cited_by", label: "Cited by", format: (v) => v.map((side) => (side === "a" ? r.a : r.b)).join("; ") },
      { key: "entity", label: "About", format: (v, row) => row.entity_name, csv: (row) => row.entity },
      { key: "metric", label: "What it measures", format: (v, row) => row.metric_words, csv: (row) => row.metric },
      { key: "product_name", label: "Product" }, { key: "region_name", label: "Region" }, { key: "period", label: "Period" },
      { key: "value", label: "Value", num: true, format: (v) => CS.num(v), source: (row) => row },
      { key: "unit", label: "Unit", format: (v, row) => row.unit_words, csv: (row) => row.unit || "" }, { key: "publisher", label: "Publisher" }, { key: "fact", label: "Fact" }] });
  }

  /* What a figure of the market comparison rests on: the model output of one side (or the difference of the two),
     the case and what the variant changes, and the facts that side cites, each opening its source. */
  function marketSources(r, body, row, key, vocab) {
    // a value's unit in words ("%" straight after a share); b − a of a share in percentage points
    const unit = row.unit ? CS.unitWords(row.unit, vocab) : "", after = unit === "%" ? unit : unit ? ` ${unit}` : "";
    const afterKey = key === "difference" && unit === "%" ? " percentage points" : after;
    const sides = key === "difference" ? ["a", "b"] : [key.startsWith("b") ? "b" : "a"];
    const when = row.period !== undefined ? row.period : row.year;
    const words = (r.output_text || {})[row.output];
    const what = { a: r.a, b: r.b, a_p5: `${r.a}, 5th percentile`, a_p95: `${r.a}, 95th percentile`, b_p5: `${r.b}, 5th percentile`, b_p95: `${r.b}, 95th percentile`, difference: "b − a" }[key] || key;
    const held = Object.entries(body.b_parameters || {}).map(([k, v]) => `${k} = ${v}`);
    const change = [held.length ? `parameters held: ${held.join(", ")}` : "", body.b_scenario ? `under the restriction scenario ${body.b_scenario}` : "",
      !r.same_case ? `the case ${r.case_b}` : ""].filter(Boolean).join("; ") || "nothing changed";
    const facts = (r.facts || []).filter((f) => sides.some((sd) => f.cited_by.includes(sd)));
    CS.showSources({
      heading: `${words ? words.title : row.output}, ${when}: ${what} ${CS.num(row[key])}${afterKey}: a model output, not a published figure`,
      summary: `Computed by the market model: a is the case ${r.case_a}; b is ${r.same_case ? `the same case with ${change}` : change}. ${r.bands}. It rests on the facts ${sides.length > 1 ? "either side" : `side ${sides[0]}`} cites (${facts.length}), each opening its source.`,
      parts: [...sides.map((sd) => ({ label: `${sd}: ${sd === "a" ? r.a : r.b}`, text: `${CS.num(row[sd])}${after}, the model's output for ${when}`
          + `${row[`${sd}_p5`] != null ? ` (5–95% of the draws: ${CS.num(row[`${sd}_p5`])} – ${CS.num(row[`${sd}_p95`])})` : ""}` })),
        ...(facts.length ? facts.map((f) => ({ label: [f.entity_name, f.metric_words, f.product_name, f.region_name, f.period].filter(Boolean).join(" · "), text: `${CS.num(f.value)} ${f.unit_words}`, source: f }))
          : [{ label: "No fact cited in the case file itself", text: "its parameters take their ranges from the parameters table, each with its facts and their sources on the case's Results page (below)" }])],
      links: [...new Set([r.case_a, r.case_b].filter(Boolean))].map((c) => ({ href: `/results?case=${encodeURIComponent(c)}&draws=0`, text: `${c}: its run, parameters and their sources on the Results page →` })) });
  }

  /* What a comparison's charts rest on, for their footers: the publishers of the figures each side's case cites to
     set its run up (the answer's set_up_by), the first six by name; "no sourced figure" only where neither cites one. */
  function publishersOf(r) {
    const named = [...new Set([...((r.set_up_by || {}).a || []), ...((r.set_up_by || {}).b || [])])];
    if (!named.length) return "no sourced figure: both cases' figures are their files' own values, each with its basis";
    return `${named.length > 6 ? `${named.slice(0, 6).join("; ")} and ${named.length - 6} more` : named.join("; ")} (each fact, with its quote, in the table of sources below)`;
  }

  async function fillMarket(p) {
    const form = $("#market-params");
    const data = await CS.get("/market/cases", {}, { quiet: true });
    for (const c of data.cases) form.elements.a.append(CS.option(c.case, `${c.title || c.name} (${c.years[0]}–${c.years[1]})`, c.needs));
    for (const c of data.cases) form.elements.b.append(CS.option(c.case, `${c.title || c.name} (${c.years[0]}–${c.years[1]})`, c.needs));
    const runnable = data.cases.find((c) => !c.needs);
    if (runnable) form.elements.a.value = runnable.case;  // a case this store can run
    await CS.fillScenarios(form.elements.b_scenario, p.get("market_b_scenario") || "baseline");
    form.elements.b_scenario.options[0].text = "none (bundled rules)";
    if (p.get("market_a")) form.elements.a.value = p.get("market_a");
    if (p.get("market_b")) form.elements.b.value = p.get("market_b");
    if (p.get("market_b_parameters")) form.elements.b_parameters.value = p.get("market_b_parameters");
    if (p.get("market_draws")) form.elements.draws.value = p.get("market_draws");
    form.addEventListener("submit", (ev) => { ev.preventDefault(); loadMarket(); });
    if (p.get("market_a")) loadMarket();
  }

  document.addEventListener("DOMContentLoaded", async () => {
    const form = $("#params"), p = CS.params();
    CS.fillTargets($("#targets"));
    const data = await CS.fillScenarios(form.elements.left, p.get("left") || "baseline");
    const preferred = data.examples.find((e) => e.ref === "example:duv-immersion-china") || data.examples[0];
    await CS.fillScenarios(form.elements.right, p.get("right") || (preferred ? preferred.ref : "baseline"));
    await CS.fillSegments(form.elements.segment);
    for (const k of ["target", "at", "segment"]) if (p.get(k)) form.elements[k].value = p.get(k);
    form.addEventListener("submit", (ev) => { ev.preventDefault(); load(); });
    load();
    fillMarket(p);
  });
})();
