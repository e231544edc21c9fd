/* Documents: an article read by the ingestion pipeline; the text with highlighted spans and finding badges,
   then the claim ledger, events, references, findings and loaded language. */
"use strict";
(() => {
  const { el, clear, $, post, table, list } = CS;
  const MAX_FILE = 200 * 1024;

  function body() {
    const v = (id) => $(id).value.trim() || null;
    return { text: $("#text").value, name: v("#name"), url: v("#url"), date: v("#date"), kind: v("#kind") };
  }

  function highlighted(r, findingRows) {
    const text = r.document.text, marks = [];
    const bounded = (c) => (c.bound === "min" ? "at least " : c.bound === "max" ? "at most " : "");
    for (const c of r.claims) marks.push([c.span[0], c.span[1], "claim", `${c.id}: ${c.entity_name || c.entity} ${c.metric} = ${bounded(c)}${c.value} ${c.unit} (${c.period || "period unknown"}); knowledge base: ${String(c.kb).replace("_", " ")}`]);
    for (const ev of r.events) for (const [s, e] of ev.spans) marks.push([s, e, "event", `${ev.id}: ${ev.kind} by ${ev.imposed_by_name || ev.imposed_by}`]);
    for (const x of r.loaded_language) marks.push([x.span[0], x.span[1], "loaded", `${x.category}: ${x.explanation}`]);
    for (const c of r.citations) marks.push([c.span[0], c.span[1], "cite", "cites " + c.numbers.map((k) => `[${k}]`).join(", ")]);
    for (const ref of r.references) marks.push([ref.span[0], ref.span[1], "ref", `reference [${ref.number}]`]);
    const badges = new Map();
    for (const f of r.findings) if (f.spans.length) { const end = f.spans[0][1]; if (!badges.has(end)) badges.set(end, []); badges.get(end).push(f); }
    const bounds = [...new Set([0, text.length, ...marks.flatMap((m) => [m[0], m[1]]), ...badges.keys()])].sort((a, b) => a - b);
    const box = el("div", { class: "doc-text", id: "doc-text" });
    for (let i = 0; i + 1 < bounds.length; i++) {
      const a = bounds[i], b = bounds[i + 1];
      let node = document.createTextNode(text.slice(a, b));
      for (const [, , cls, tip] of marks.filter((m) => m[0] <= a && b <= m[1]).sort((x, y) => (x[1] - x[0]) - (y[1] - y[0]))) node = el("span", { class: cls, title: tip }, node);
      box.append(node);
      for (const f of badges.get(b) || []) box.append(el("a", { class: `badge finding sev-${f.severity}`, href: `#finding-${f.id}`, title: `${f.severity}: ${f.message}`,
        onclick: (ev) => { ev.preventDefault(); findingRows(f.id); } }, f.id));
    }
    return box;
  }

  function render(r) {
    const box = clear($("#report"));
    const doc = r.details[0], d = doc.document;
    const counts = r.documents[0];
    box.append(el("section", { class: "card", id: "doc-summary" }, el("h2", { text: d.title || d.name }),
      el("div", { class: "stat" }, el("b", { text: String(counts.claims) }), "claims"),
      el("div", { class: "stat" }, el("b", { text: String(counts.events) }), "restriction events"),
      el("div", { class: "stat" }, el("b", { text: String(doc.references.length) }), "references"),
      el("div", { class: "stat" }, el("b", { text: String(counts.findings) }), "findings"),
      el("div", { class: "stat" }, el("b", { text: String(counts.loaded) }), "loaded phrases"),
      el("p", { class: "muted small", text: [d.name, d.kind, d.date ? `dated ${d.date} (${d.date_source})` : "undated: relative periods unresolved", d.url, `${d.words} words`, `source id ${d.source_id}`].filter(Boolean).join(" · ") }),
      r.stored ? el("p", { class: "notice", text: `Stored: ${r.stored.facts} claims as facts (status claim), ${r.stored.rules} candidate rules, source ${r.stored.source_ids.join(", ")}; skipped ${r.stored.skipped.length}.` }) : null,
      d.warnings && d.warnings.length ? el("p", { class: "notice", text: d.warnings.join(" ") }) : null));
    const findingsBox = el("div");
    const show = (id) => {
      const row = findingsBox.querySelector(`tr[data-finding="${id}"]`);
      if (!row) return;
      row.scrollIntoView({ block: "center" });
      row.classList.add("flash"); setTimeout(() => row.classList.remove("flash"), 1500);
    };
    box.append(CS.section("The document", el("p", { class: "legend" }, el("span", { class: "claim", text: "claim" }), el("span", { class: "event", text: "restriction event" }),
      el("span", { class: "loaded", text: "loaded language" }), el("span", { class: "cite", text: "[n] citation" }),
      ...["error", "warning", "notice", "info"].map((s) => el("span", {}, el("span", { class: `badge finding sev-${s}`, text: s === "info" ? "ok" : s })))), highlighted(doc, show)));
    box.append(CS.section(`Findings (${r.findings.length})`, findingsBox));
    table(findingsBox, { filename: "findings", rows: r.findings, columns: [{ key: "id", label: "Id" },
      { key: "severity", label: "Severity", render: (f) => el("span", { class: `badge finding sev-${f.severity}`, text: f.severity }) },
      { key: "check", label: "Check" }, { key: "message", label: "Message" }, { key: "claims", label: "Claims" }] });
    findingsBox.querySelectorAll("tbody tr").forEach((tr) => { tr.dataset.finding = tr.firstChild.textContent; tr.id = `finding-${tr.firstChild.textContent}`; });
    const sections = [
      ["Claim ledger", "claims", r.claims, [["id", "Id"], ["entity_name", "Entity"], ["metric", "Metric"], ["bound", "Bound"], ["value", "Value", true], ["unit", "Unit"], ["period", "Period"],
        ["region", "Region"], ["product", "Product"], ["text", "Text"], ["citations", "Citations"], ["kb", "Knowledge base"], ["confidence", "Confidence", true]]],
      ["Restriction events", "events", r.events, [["id", "Id"], ["kind", "Kind"], ["imposed_by_name", "Imposed by"], ["sellers", "Sellers"], ["targets", "Targets"],
        ["products", "Products"], ["announced", "Announced"], ["effective", "Effective"], ["modality", "Modality"], ["citations", "Citations"], ["known_rule", "Known rule"]]],
      ["References", "references", r.references, [["number", "No.", true], ["author", "Author"], ["title", "Title"], ["publisher", "Publisher"], ["date", "Date"], ["url", "URL"]]],
      ["Loaded language", "loaded-language", r.loaded_language, [["text", "Text"], ["category", "Category"], ["explanation", "Explanation"]]],
      ["Unknown names (candidates)", "candidates", r.candidates, [["name", "Name"], ["count", "Count", true], ["kind_guess", "Kind (guess)"]]],
    ];
    for (const [title, file, rows, cols] of sections) {
      const t = el("div", { id: `${file}-table` });
      box.append(CS.section(`${title} (${rows.length})`, t));
      table(t, { filename: file, rows, columns: cols.map(([key, label, isNum]) => ({ key, label, num: !!isNum,
        format: (v) => (v === null || v === undefined ? "" : typeof v === "object" && !Array.isArray(v) ? Object.entries(v).map(([k, x]) => `${k}: ${list(x)}`).join("; ") : Array.isArray(v) ? list(v.map((x) => (typeof x === "object" ? JSON.stringify(x) : x))) : String(v)) })) });
    }
  }

  async function analyse() {
    const b = body();
    if (!b.text.trim()) { CS.showError("field 'text': the text is empty: paste the document or upload a file"); return; }
    clear($("#report")).append(el("p", { class: "muted", text: "Reading…" }));
    try { render(await post("/ingest", b)); } catch (e) { clear($("#report")); }
  }

  async function accept() {
    const status = $("#accept-status");
    status.textContent = "";
    try {
      const r = await post("/ingest/accept", body(), { token: $("#token").value });
      render(r);
      status.textContent = `Stored ${r.stored.facts} claims and ${r.stored.rules} candidate rules (source ${r.stored.source_ids.join(", ")}).`;
    } catch (e) { status.textContent = "Not stored: " + e.message; }
  }

  document.addEventListener("DOMContentLoaded", () => {
    $("#doc-form").addEventListener("submit", (ev) => { ev.preventDefault(); analyse(); });
    $("#accept").addEventListener("click", accept);
    $("#file").addEventListener("change", async (ev) => {
      const file = ev.target.files[0];
      if (!file) return;
      if (file.size > MAX_FILE) { CS.showError(`field 'file': ${file.name} is ${Math.round(file.size / 1024)} KiB; the limit is ${MAX_FILE / 1024} KiB`); ev.target.value = ""; return; }
      $("#text").value = await file.text();
      $("#name").value = file.name;
      CS.showError(null);
    });
  });
})();
