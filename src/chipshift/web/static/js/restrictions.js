/* Restrictions: a timeline of rules, filtered by imposer, kind, target, product and date range, and the screening
   list's entries added and removed. */
"use strict";
(() => {
  const { el, clear, $, get, table } = CS;
  const form = () => $("#filters");

  function values() {
    const f = new FormData(form());
    return { imposer: f.get("imposer"), kind: f.get("kind"), target: f.get("target"), product: f.get("product"), from: f.get("from"), to: f.get("to"), chain: f.get("chain") };
  }

  async function load(first) {
    const params = values();
    // the page opens on the semiconductor supply chain; "any" adds the back-test episodes' rules on other goods
    CS.setParams({ ...params, chain: params.chain === "semiconductors" ? "" : params.chain });
    let data;
    try { data = await get("/rules", { ...params, chain: params.chain === "all" ? "" : params.chain }); } catch (e) { return; }
    if (first) {
      const imp = form().elements.imposer, kind = form().elements.kind;
      for (const i of data.imposers) imp.append(el("option", { value: i, text: data.imposer_names[i] || i }));
      for (const k of data.kinds) kind.append(el("option", { value: k, text: k.replace(/_/g, " ") }));
      const p = CS.params();
      if (p.get("imposer")) imp.value = p.get("imposer");
      if (p.get("kind")) kind.value = p.get("kind");
    }
    $("#count").textContent = `${data.count} rule${data.count === 1 ? "" : "s"}`;
    const open = (r) => { location.href = `/rules/${encodeURIComponent(r.id)}`; };
    // by kind in words: a rule filed as an import ban with a fee is a duty, tariff or tax (its own colour)
    if (data.rules.length) CS.charts.box($("#timeline"), CS.charts.timeline(data.rules.map((r) => ({ ...r, kind: r.kind_words })), { title: "Restriction rules by who imposes them, from start to end (the dashed line is today)", onClick: open, kinds: data.kinds_in_words }), "restrictions-timeline",
      ["Each bar is a rule from its start to its end as recorded; pale where relaxations of it narrowed it, a dotted line where they lifted it (a bar tells which); a rule with no end recorded runs to today, its tooltip says so",
        `${data.rules.length} rule${data.rules.length === 1 ? "" : "s"} as recorded${{ semiconductors: " on the semiconductor supply chain (the back-test episodes' rules on other goods: Supply chain, other)", other: " on goods outside the semiconductor supply chain, kept for the back-test episodes" }[params.chain] || ""}, the latest starting ${data.rules.map((r) => r.start).filter(Boolean).sort().pop() || "on no date given"}`,
        "Scenario: baseline (the bundled rules)", "Sources: each rule's own source (a bar opens the rule, its source and quote)"].join(" · "));
    else clear($("#timeline")).append(el("p", { class: "muted", text: "No rule matches these filters." }));
    table($("#rules-table"), { filename: "restrictions", rows: data.rules, onRow: open, columns: [
      { key: "id", label: "Id", render: (r) => el("a", { href: `/rules/${encodeURIComponent(r.id)}`, text: r.id }) },
      // on screen in words (the imposer and the products by name, a kind and a policy as the legend says them); codes in the CSV
      { key: "name", label: "Name" }, { key: "imposed_by", label: "Imposer", format: (v, r) => r.imposed_by_name, csv: (r) => r.imposed_by },
      { key: "kind", label: "Kind", format: (v, r) => r.kind_words, csv: (r) => r.kind },
      { key: "policy", label: "Policy", format: (v) => (v ? v.replace(/_/g, " ") : ""), csv: (r) => r.policy || "" }, { key: "start", label: "Start" }, { key: "ended", label: "Ended" },
      { key: "status", label: "Status" }, { key: "products", label: "Products", format: (v, r) => r.product_names.join(", "), csv: (r) => r.products.join("; ") },
      { key: "held_until", label: "Held until", format: (v) => v || "" }, { key: "reach", label: "Reaches product", define: "certain: the rule surely reaches the product and every buyer it targets; maybe: it may (a threshold the product may pass, or only some buyers)" }, { key: "relaxed_by", label: "Relaxed by" },
      // how it holds now, in words ("lifted by … on …"); every change in the CSV
      { key: "standing", label: "Standing", format: (v) => { const last = (v || []).at(-1); return last ? last.note || last.state : ""; },
        csv: (r) => (r.standing || []).map((st) => st.note).filter(Boolean).join("; ") },
      { key: "gaps", label: "Gaps", num: true }] });
    const changes = data.listing_changes || [];
    $("#listing-count").textContent = `${changes.length} change${changes.length === 1 ? "" : "s"}`;
    if (changes.length) table($("#listings-table"), { filename: "listing-changes", rows: changes, columns: [
      { key: "date", label: "Date" }, { key: "change", label: "Change" }, { key: "list", label: "List" },
      { key: "entry", label: "Entry" }, { key: "firms", label: "Firms" },
      { key: "federal_register_notice", label: "Federal Register" }, { key: "previous", label: "Compared with" }] });
    else clear($("#listings-table")).append(el("p", { class: "muted", text: "No listing change recorded in this range (re-import the screening list to record one)." }));
  }

  document.addEventListener("DOMContentLoaded", () => {
    const p = CS.params();
    for (const k of ["target", "product", "from", "to", "chain"]) if (p.get(k)) form().elements[k].value = p.get(k);
    form().addEventListener("submit", (ev) => { ev.preventDefault(); load(false); });
    form().addEventListener("reset", () => setTimeout(() => load(false), 0));
    load(true);
  });
})();
