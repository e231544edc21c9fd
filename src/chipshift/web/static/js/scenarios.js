/* Scenario builder: start from the baseline or a shipped/saved scenario, toggle, edit and add rules,
   set parameters, run, save (with the write token) and download as YAML. */
"use strict";
(() => {
  const { el, clear, $, get, post, table, share } = CS;
  const POLICIES = ["ban", "presumption_of_denial", "case_by_case", "licence_required", "fee", "lifted"];
  let rules = [];
  const state = { baseline: true, add: [], removed: new Set(), edits: new Map(), startName: null, startChanges: null };

  const changes = () => JSON.stringify([state.add, [...state.removed].sort(), [...state.edits.values()]]);

  function doc() {
    /* A scenario changed from the one it started from, under that one's name, gets a name that says so: the
       baseline with a rule unticked is not "baseline". */
    let name = $("#name").value.trim() || "scenario";
    if (name === state.startName && changes() !== state.startChanges) name = `${name}, edited`;
    return { name, description: $("#description").value, at: $("#at").value || null, ...(over() ? { over: over() } : {}),
      baseline: state.baseline, add: state.add, remove: [...state.removed], edit: [...state.edits.values()] };
  }

  /* The scenario's range of dates for answers over time ({from, to, every}; "to" left out: its date), or null. */
  function over() {
    const from = $("#over-from").value, to = $("#over-to").value;
    return from ? { from, ...(to ? { to } : {}), every: $("#over-every").value } : null;
  }

  const STEPS = { "1y": "every year", "6m": "every six months", "3m": "every quarter", "1m": "every month" };

  function apply(d) {
    $("#name").value = d.name || "scenario";
    $("#description").value = d.description || "";
    if (d.at) $("#at").value = d.at;
    // a scenario's own range of dates is kept (and saved, downloaded and run with it)
    const o = d.over || {};
    $("#over-from").value = o.from || ""; $("#over-to").value = o.to || "";
    const every = $("#over-every");
    if (o.every && ![...every.options].some((x) => x.value === o.every)) every.append(el("option", { value: o.every, text: `every ${o.every}` }));
    every.value = o.every || "1y";
    state.baseline = d.baseline !== false;
    state.add = (d.add || []).slice();
    state.removed = new Set(d.remove || []);
    state.edits = new Map((d.edit || []).map((e) => [e.id, { ...e }]));
    state.startName = $("#name").value;
    state.startChanges = changes();
    drawRules(); drawAdded();
  }

  function edit(id, key, value, original) {
    const e = state.edits.get(id) || { id };
    if (value === original || value === "") delete e[key]; else e[key] = value;
    if (Object.keys(e).length > 1) state.edits.set(id, e); else state.edits.delete(id);
    drawRules();
  }

  function drawRules() {
    const box = clear($("#rules"));
    const q = $("#rule-filter").value.trim().toLowerCase();
    $("#rule-count").textContent = `${rules.length - state.removed.size} of ${rules.length} kept · ${state.edits.size} edited`;
    for (const r of rules) {
      if (q && !`${r.id} ${r.name} ${r.imposed_by} ${r.imposed_by_name} ${r.kind_words}`.toLowerCase().includes(q)) continue;
      const e = state.edits.get(r.id) || {};
      const removed = state.removed.has(r.id);
      const policy = el("select", { "aria-label": `policy of ${r.id}`, onchange: (ev) => edit(r.id, "policy", ev.target.value, r.policy) },
        ...[r.policy ? null : el("option", { value: "", text: "(no policy)" }), ...POLICIES.map((p) => el("option", { value: p, text: p.replace(/_/g, " ") }))]);
      policy.value = e.policy || r.policy || "";
      const ended = el("input", { type: "date", "aria-label": `end of ${r.id}`, title: "ended (leave empty: still in force)", value: e.ended || (r.ended && r.ended.length === 10 ? r.ended : "") || "",
        onchange: (ev) => edit(r.id, "ended", ev.target.value, r.ended || "") });
      const check = el("input", { type: "checkbox", "data-rule": r.id, checked: !removed, "aria-label": `keep ${r.id}`,
        onchange: (ev) => { if (ev.target.checked) state.removed.delete(r.id); else state.removed.add(r.id); drawRules(); } });
      box.append(el("div", { class: `rule-row${removed ? " removed" : ""}${state.edits.has(r.id) ? " edited" : ""}` }, check,
        el("span", {}, el("a", { href: `/rules/${encodeURIComponent(r.id)}`, target: "_blank", text: r.id }), ` · ${r.name} `,
          el("span", { class: "muted small" }, `(${r.imposed_by_name}, ${r.kind_words}, ${r.start || "n.d."})`)), policy, ended));
    }
  }

  function drawAdded() {
    const box = clear($("#added"));
    if (!state.add.length) { box.append(el("p", { class: "muted small", text: "No added rules." })); return; }
    for (const [i, r] of state.add.entries()) {
      box.append(el("div", { class: "rule-row" }, el("span", { text: "+" }),
        el("span", {}, el("b", { text: r.id }), ` · ${r.name} `, el("span", { class: "muted small" },
          `(${r.imposed_by}, ${r.kind}, ${(r.products || []).map((p) => p.input).join(", ")} → ${((r.targets || {}).countries || []).join(", ")}, from ${r.effective || r.announced || "?"})`)),
        el("span", { text: r.policy || "" }),
        el("button", { type: "button", class: "secondary tiny", onclick: () => { state.add.splice(i, 1); drawAdded(); } }, "remove")));
    }
  }

  async function resolveInput(token) {
    const t = token.trim();
    if (!t || t === "*") return t;
    const data = await get("/search", { q: t, limit: 10 }, { quiet: true });
    const inputs = data.results.filter((r) => r.kind === "input");
    const exact = inputs.find((r) => r.id.toLowerCase() === t.toLowerCase() || r.name.toLowerCase() === t.toLowerCase());
    return (exact || inputs[0] || { id: t }).id;
  }

  async function addRule(ev) {
    ev.preventDefault();
    const f = new FormData(ev.target);
    const split = (v) => String(v || "").split(",").map((x) => x.trim()).filter(Boolean);
    const products = await Promise.all(split(f.get("products")).map(resolveInput));
    const rule = { id: f.get("id"), name: f.get("name"), imposed_by: f.get("imposed_by"), kind: f.get("kind"), policy: f.get("policy"),
      products: products.map((input) => ({ input })), targets: { countries: split(f.get("countries")) }, summary: f.get("summary") };
    if (f.get("effective")) rule.effective = f.get("effective");
    if (split(f.get("hq_in")).length) rule.sellers = { hq_in: split(f.get("hq_in")) };
    state.add = state.add.filter((r) => r.id !== rule.id).concat([rule]);
    drawAdded();
    const next = String(rule.id).match(/^(.*?)(\d+)$/);
    if (next) ev.target.elements.id.value = next[1] + (Number(next[2]) + 1);
  }

  function stageName(id) { return { S1: "S1 · Design", S2: "S2 · Fabrication", S3: "S3 · ATP" }[id] || id; }

  async function run() {
    const body = { scenario: doc(), target: $("#target").value || "CHN", at: $("#at").value || null, segment: $("#segment").value || null };
    const box = clear($("#results"));
    box.append(el("p", { class: "muted", text: "Running…" }));
    let r;
    try { r = await post("/run", body); } catch (e) { clear(box); return; }
    clear(box);
    const head = el("section", { class: "card", id: "run-result" }, el("h2", { text: `Result: ${r.scenario ? r.scenario.name : "baseline"}` }),
      el("div", { class: "stat" }, el("b", { text: r.destination }), "target"), el("div", { class: "stat" }, el("b", { text: r.at }), "date"),
      el("div", { class: "stat" }, el("b", { text: String(r.diff.count) }), "inputs changed"),
      // each rule by its name, its id after it, a link to its page
      el("div", { class: "stat" }, el("b", {}, r.diff.rules_added.length ? CS.ruleLinks(r.diff.rules_added, r.diff.rule_names, "; ") : "none"), "rules added (in force)"),
      el("div", { class: "stat" }, el("b", {}, r.diff.rules_removed.length ? CS.ruleLinks(r.diff.rules_removed, r.diff.rule_names, "; ") : "none"), "rules removed"),
      el("p", { class: "muted small", text: r.scenario ? `digest ${r.scenario.digest}` : "" }));
    // its range of dates: the Exposure page draws it for a scenario in the catalogue (shipped, or once saved)
    const range = body.scenario.over, ref = $("#start-from").value;
    if (range) {
      const unchanged = ref !== "baseline" && changes() === state.startChanges;
      head.append(el("p", { class: "small", id: "run-over" }, `Its range of dates: ${STEPS[range.every] || `every ${range.every}`} from ${range.from} to ${range.to || `its date (${r.at})`}. `,
        unchanged ? el("a", { href: `/exposure?${new URLSearchParams({ target: r.destination, scenario: ref })}`, text: "Exposure by stage over that range →" })
          : "Save the scenario to see exposure by stage over that range on the Exposure page (the report shows it too)."));
    }
    box.append(head);
    const base = Object.fromEntries(r.baseline_by_stage.map((s) => [s.stage, s]));
    const where = await CS.placeName(r.destination), named = r.scenario ? r.scenario.name : "the scenario";
    const chart = el("div");
    box.append(CS.section("Exposure by stage (mean over its inputs): baseline vs scenario", chart));
    // a stage's bar opens what its figures rest on: the rules the scenario changes, the inputs whose availability it
    // changes (each opening its page and shares' sources), the data, and the baseline on the Exposure page
    const stageSources = (s) => CS.showSources({ ruleNames: r.diff.rule_names,
      heading: `${stageName(s.stage)} on ${r.at}: ${CS.share(s.barred_lower_mean_pct)} – ${CS.share(s.barred_upper_mean_pct)} barred under ${named}${base[s.stage] ? `, ${CS.share(base[s.stage].barred_lower_mean_pct)} – ${CS.share(base[s.stage].barred_upper_mean_pct)} in the baseline` : ""}`,
      summary: `The mean over the stage's inputs of the share of world supply barred, from the inputs' shares and the rules in force. The shares come from: ${(r.exposure.data_sources || []).join("; ")}.`,
      parts: [{ label: "Rules the scenario adds (in force)", text: r.diff.rules_added.length ? "" : "none", rules: r.diff.rules_added },
        { label: "Rules it removes", text: r.diff.rules_removed.length ? "" : "none", rules: r.diff.rules_removed },
        { label: `Inputs whose availability it changes, in every stage (${r.diff.count}${r.diff.count > 20 ? "; the first 20 below" : ""})`, text: "" },
        ...r.diff.inputs.slice(0, 20).map((d) => ({ label: d.name, text: `available ${CS.share(d.before_lower_pct)} – ${CS.share(d.before_upper_pct)} before, ${CS.share(d.after_lower_pct)} – ${CS.share(d.after_upper_pct)} after`,
          open: () => { location.href = `/explorer?input=${encodeURIComponent(d.input)}`; } }))],
      links: [{ href: `/exposure?${new URLSearchParams({ target: r.destination, at: r.at, segment: body.segment || "" })}`, text: `The baseline on ${r.at}: the stage's inputs and their sources on the Exposure page →` }] });
    CS.charts.box(chart, CS.charts.ranges(r.exposure.by_stage.map((s) => ({ label: stageName(s.stage), onClick: () => stageSources(s), values: [
      { lower: base[s.stage] ? base[s.stage].barred_lower_mean_pct : null, upper: base[s.stage] ? base[s.stage].barred_upper_mean_pct : null },
      { lower: s.barred_lower_mean_pct, upper: s.barred_upper_mean_pct }] })), { series: ["baseline", r.scenario ? r.scenario.name : "scenario"], title: `Share of world supply barred for ${where} on ${r.at}, averaged over each stage's inputs (each input weighing the same, not by market size): the baseline vs ${named}` }), "run-stages",
    CS.footer(r.exposure, "share of the stage's supply barred for the target, baseline against the scenario"));
    const diffChart = el("div"), diffTable = el("div");
    box.append(CS.section(`Availability that changes (${r.diff.count} inputs)`, diffChart, diffTable));
    // an input's bar or row (mouse, or Tab and Enter) opens what its two figures rest on: the providers barred with
    // or without the scenario only, the rules it adds and removes, and the input's page (its shares' sources)
    const list = (v) => (Array.isArray(v) ? v.join(", ") : v) || "none";
    const inputSources = (d) => CS.showSources({ ruleNames: r.diff.rule_names,
      heading: `${d.name} on ${r.at}: ${CS.share(d.before_lower_pct)} – ${CS.share(d.before_upper_pct)} of world supply available to ${where} without ${named}, ${CS.share(d.after_lower_pct)} – ${CS.share(d.after_upper_pct)} with it`,
      summary: `The input's providers' shares less those the rules in force bar. The shares come from: ${(r.exposure.data_sources || []).join("; ")}.`,
      parts: [{ label: "Barred only with the scenario", text: list(d.newly_barred) }, { label: "Barred only without it", text: list(d.no_longer_barred) },
        { label: "Rules the scenario adds (in force)", text: r.diff.rules_added.length ? "" : "none", rules: r.diff.rules_added },
        { label: "Rules it removes", text: r.diff.rules_removed.length ? "" : "none", rules: r.diff.rules_removed }],
      links: [{ href: `/explorer?input=${encodeURIComponent(d.input)}`, text: `${d.name}: each provider's share with its source →` }] });
    if (r.diff.inputs.length) CS.charts.box(diffChart, CS.charts.ranges(r.diff.inputs.slice(0, 40).map((d) => ({ label: d.name, onClick: () => inputSources(d), values: [
      { lower: d.before_lower_pct, upper: d.before_upper_pct }, { lower: d.after_lower_pct, upper: d.after_upper_pct }] })), { series: ["available before", "available after"], title: `Share of world supply ${where} may buy on ${r.at}, by input: without and with ${named}` }), "run-diff",
      CS.footer(r.exposure, "share of each input's world supply the target may buy, without and with the scenario; a bar opens what it rests on"));
    else diffChart.append(el("p", { class: "muted", text: "No input's availability changes at this date." }));
    table(diffTable, { filename: "run-diff", rows: r.diff.inputs, onRow: inputSources, columns: diffColumns() });
    const it = el("div");
    box.append(CS.section("Exposure by input (scenario)", it));
    table(it, { filename: "run-exposure", rows: r.exposure.by_input, columns: [{ key: "name", label: "Input" }, { key: "stages", label: "Stages" },
      { key: "barred_lower_pct", label: "Barred lower", num: true, format: (v) => share(v), unit: "percent" }, { key: "barred_pct", label: "Barred (strict)", num: true, format: (v) => share(v), unit: "percent", define: CS.define("barred (strict)") },
      { key: "barred_upper_pct", label: "Barred upper", num: true, format: (v) => share(v), unit: "percent" }, { key: "barred_providers", label: "Barred providers" }] });
    box.append(el("section", { class: "card notice", id: "market-results" }, el("h2", { text: "Market results (market model)" }),
      el("p", {}, r.market.note, " ", el("a", { href: r.market.page, text: "Open the Results page →" }))));
  }

  function diffColumns() {
    return [{ key: "name", label: "Input" },
      { key: "before_lower_pct", label: "Before (lower)", num: true, format: (v) => share(v), unit: "percent" }, { key: "before_upper_pct", label: "Before (upper)", num: true, format: (v) => share(v), unit: "percent" },
      { key: "after_lower_pct", label: "After (lower)", num: true, format: (v) => share(v), unit: "percent" }, { key: "after_upper_pct", label: "After (upper)", num: true, format: (v) => share(v), unit: "percent" },
      { key: "change_upper_pct", label: "Change (upper)", num: true, format: (v) => CS.points(v), unit: "percent" },
      { key: "newly_barred", label: "Newly barred" }, { key: "no_longer_barred", label: "No longer barred" }];
  }

  async function downloadYaml() {
    const response = await fetch(CS.API + "/scenarios/yaml", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(doc()) });
    if (!response.ok) { const b = await response.json(); CS.showError(b.message); return; }
    CS.showError(null);
    const name = ($("#save-id").value || $("#name").value || "scenario").toLowerCase().replace(/[^a-z0-9-]+/g, "-");
    CS.download(`${name}.yaml`, await response.blob());
  }

  async function save() {
    const id = $("#save-id").value.trim(), token = $("#token").value;
    sessionStorage.setItem("chipshift-token", token);
    const status = $("#save-status");
    status.textContent = "Saving…";
    try {
      const saved = await post("/scenarios", { id, scenario: doc() }, { token });
      status.textContent = `Saved as ${saved.ref} (digest ${saved.digest}).`;
      await CS.fillScenarios($("#start-from"), saved.ref);
    } catch (e) { status.textContent = `Not saved: ${e.message}`; }
  }

  async function upload(ev) {
    const file = ev.target.files[0];
    if (!file) return;
    const response = await fetch(CS.API + "/scenarios/upload", { method: "POST", headers: { "Content-Type": "application/yaml" }, body: await file.text() });
    const body = await response.json();
    if (!response.ok) { CS.showError(`${file.name}: ${body.message}`); return; }
    CS.showError(null);
    apply(body.document);
  }

  async function startFrom() {
    const ref = $("#start-from").value;
    CS.setParams({ from: ref });
    apply(await get(`/scenarios/${encodeURIComponent(ref)}`, {}, { quiet: true }));
  }

  document.addEventListener("DOMContentLoaded", async () => {
    CS.fillTargets($("#targets"));
    await CS.fillSegments($("#segment"));
    $("#token").value = sessionStorage.getItem("chipshift-token") || "";
    $("#at").value = new Date().toISOString().slice(0, 10);
    const data = await get("/rules");
    rules = data.rules;
    await CS.fillScenarios($("#start-from"), CS.params().get("from") || "baseline");
    $("#start-from").addEventListener("change", startFrom);
    $("#rule-filter").addEventListener("input", drawRules);
    $("#add-form").addEventListener("submit", addRule);
    $("#run").addEventListener("click", run);
    $("#download").addEventListener("click", downloadYaml);
    $("#save").addEventListener("click", save);
    $("#upload").addEventListener("change", upload);
    if (CS.params().get("from")) await startFrom(); else { drawRules(); drawAdded(); }
  });
})();
