/* Sources: every source with the facts and rules resting on it. */
"use strict";
(() => {
  const { el, clear, $, get, table, figure } = CS;
  let sources = [];
  const NO_FIGURE = "none: cited by no figure in the data";

  /* The table's own controls filter it: a facet by reliability and a filter on every cell (publisher, original
     publisher, title, id...). */
  function draw(vocab) {
    table($("#sources"), { filename: "sources", label: "sources", rows: sources, onRow: (s) => detail(s, vocab), columns: [
      { key: "publisher", label: "Publisher" }, { key: "original_publisher", label: "Original" }, { key: "title", label: "Title" },
      { key: "published", label: "Date" }, { key: "reliability", label: "Reliability" },
      // a source no bundled figure cites says so where it is listed: a reader must not take it as backing a figure
      { key: "figures", label: "Figures citing it", num: true, format: (v) => (v ? String(v) : NO_FIGURE), csv: (s) => s.figures },
      { key: "used_by", label: "Facts + rules", num: true },
      { key: "url", label: "Link", render: (s) => el("a", { href: s.url, target: "_blank", rel: "noopener noreferrer", onclick: (e) => e.stopPropagation(), text: "open" }) },
      { key: "id", label: "Id" }] });
  }

  function detail(s, vocab) {
    CS.setParams({ id: s.id });
    const box = clear($("#source-detail"));
    const card = el("section", { class: "card", id: "source-card" }, el("h2", { text: `${s.publisher}: ${s.title}` }),
      el("p", {}, `${s.published}${s.published_approx ? " (approx.)" : ""} · ${s.reliability} · `,
        el("a", { href: s.url, target: "_blank", rel: "noopener noreferrer", text: s.url })));
    if (s.note) card.append(el("p", { class: "muted small", text: s.note }));
    if (!s.facts.length) card.append(el("p", { class: "statement warn", id: "no-figure", text: `Cited by no figure in the data: no bundled figure rests on this source${s.rules.length ? `; only the rules below do` : ""}.` }));
    box.append(card);
    const src = { publisher: s.publisher, original_publisher: s.original_publisher, title: s.title, published: s.published, url: s.url, source: s.id };
    if (s.facts.length) {
      const t = el("div");
      card.append(el("h3", { text: `Facts (${s.facts.length})` }), t);
      // whom each fact is about, what it measures and of what product in words (the answer's); the codes in the CSV
      table(t, { filename: `source-${s.id}-facts`, rows: s.facts, columns: [{ key: "fact", label: "Fact" },
        { key: "entity", label: "About", format: (v, f) => f.entity_name, csv: (f) => f.entity },
        { key: "metric", label: "What it measures", format: (v, f) => f.metric_words, csv: (f) => f.metric },
        { key: "product", label: "Product", format: (v, f) => f.product_name || "", csv: (f) => f.product || "" }, { key: "period", label: "Period" },
        { key: "value", label: "Value", num: true, format: (v) => CS.num(v), source: (f) => ({ ...src, quote: f.quote, fact: f.fact, status: f.status }) },
        { key: "unit", label: "Unit", format: (u) => CS.unitWords(u, vocab) }, { key: "status", label: "Status" }, { key: "quote", label: "Quote" }] });
    }
    if (s.rules.length) {
      const t = el("div");
      card.append(el("h3", { text: `Rules (${s.rules.length})` }), t);
      table(t, { filename: `source-${s.id}-rules`, rows: s.rules, onRow: (r) => { location.href = `/rules/${encodeURIComponent(r.id)}`; },
        columns: [{ key: "id", label: "Rule" }, { key: "name", label: "Name" }, { key: "quote", label: "Quote", render: (r) => figure(r.quote, { ...src, quote: r.quote }) }] });
    }
    card.scrollIntoView({ behavior: "smooth", block: "start" });
  }

  document.addEventListener("DOMContentLoaded", async () => {
    const data = await get("/sources");
    sources = data.sources.map((s) => ({ ...s, figures: s.facts.length }));
    const vocab = await CS.vocabulary().catch(() => null);
    draw(vocab);
    const id = CS.params().get("id");
    const chosen = id && sources.find((s) => s.id === id);
    if (chosen) detail(chosen, vocab);
  });
})();
