/* One rule: its fields, its source (with the quote) and what it reaches. */
"use strict";
(() => {
  const { el, $, get, table, figure } = CS;

  const OPS = { gte: "≥", gt: ">", lte: "≤", lt: "<", eq: "=" };
  const words = (list) => (list || []).join(", ");
  /* A product's conditions in words: {tpp: {gte: 4800}} -> "tpp ≥ 4800". */
  const conditions = (where) => Object.entries(where || {}).map(([attribute, test]) =>
    Object.entries(test).map(([op, v]) => `${attribute.replace(/_/g, " ")} ${OPS[op] || op} ${v}`).join(" and ")).join(" and ");
  /* Who the rule binds, in words. */
  function sellersText(s) {
    if (!s) return null;
    const parts = [];
    if (s.hq_in && s.hq_in.length) parts.push(`firms headquartered in ${words(s.hq_in)}`);
    if (s.firms && s.firms.length) parts.push(`the firms ${words(s.firms)}`);
    if (s.fdp) parts.push("foreign-made items within the foreign direct product rule");
    return parts.length ? parts.join("; ") : "every seller its kind implies (the imposer's firms, or the firm itself)";
  }
  /* Whom the rule cuts off, in words. */
  function targetsText(t) {
    if (!t) return null;
    const parts = [];
    if (t.countries && t.countries.length) parts.push(`buyers in ${words(t.countries)}`);
    if (t.firms && t.firms.length) parts.push(`the parties ${words(t.firms)}`);
    if (t.uncertain_firms && t.uncertain_firms.length) parts.push(`perhaps ${words(t.uncertain_firms)}`);
    if (t.segments && t.segments.length) parts.push(`end uses: ${words(t.segments).replace(/_/g, " ")}`);
    return parts.join("; ") || null;
  }

  function field(kv, label, value) {
    if (value === null || value === undefined || value === "" || (Array.isArray(value) && !value.length)) return;
    const nodes = Array.isArray(value) && value.some((v) => v instanceof Node);
    kv.append(el("dt", { text: label }), el("dd", {}, nodes || value instanceof Node ? value : typeof value === "object" && !Array.isArray(value) ? JSON.stringify(value) : CS.list(value)));
  }

  document.addEventListener("DOMContentLoaded", async () => {
    const id = decodeURIComponent(location.pathname.split("/").pop());
    const r = await get(`/rules/${encodeURIComponent(id)}`);
    const box = $("#rule");
    document.title = `${r.id} · chipshift`;
    const card = el("section", { class: "card" }, el("h1", {}, `${r.id}: ${r.name}`), el("p", { text: r.summary }));
    const kv = el("dl", { class: "kv" });
    field(kv, "Kind", r.kind); field(kv, "Imposed by", r.imposed_by); field(kv, "Authority", r.authority);
    field(kv, "Policy", r.policy); field(kv, "Announced", r.announced); field(kv, "Effective", r.effective);
    field(kv, "Ended", r.ended); field(kv, "Status", r.status);
    field(kv, "Products", (r.products || []).map((p) => (p.input === "*" ? "every item" : p.input) + (p.where ? ` where ${conditions(p.where)}` : "")));
    field(kv, "Sellers", sellersText(r.sellers)); field(kv, "Targets", targetsText(r.targets));
    field(kv, "Relaxes", (r.relaxes || []).map((x) => el("a", { href: `/rules/${encodeURIComponent(x)}`, text: x })).flatMap((a, i) => (i ? [", ", a] : [a])));
    field(kv, "Relaxed by", (r.relaxed_by || []).map((x) => el("a", { href: `/rules/${encodeURIComponent(x)}`, text: x })).flatMap((a, i) => (i ? [", ", a] : [a])));
    card.append(kv);
    box.append(card);
    const src = r.source ? { ...r.source, quote: r.quote, source: r.source.id } : { quote: r.quote };
    const sc = el("section", { class: "card" }, el("h2", { text: "Source" }));
    if (r.source) sc.append(el("p", {}, figure(`${r.source.publisher} · ${r.source.published}`, src), " — ", r.source.title || "",
      " ", r.source.url ? el("a", { href: r.source.url, target: "_blank", rel: "noopener noreferrer", text: `the source at ${new URL(r.source.url, location.href).hostname}` }) : ""));
    sc.append(el("blockquote", { class: "quote", text: r.quote }));
    box.append(sc);
    const tg = r.targets || {};
    const targets = [...(tg.countries || []).map((c) => ({ kind: "country", id: c })), ...(tg.firms || []).map((f) => ({ kind: "firm", id: f })), ...(tg.segments || []).map((s) => ({ kind: "segment", id: s }))];
    const tt = el("div");
    box.append(el("section", { class: "card" }, el("h2", { text: `Targets (${targets.length})` }), tt));
    table(tt, { filename: `${r.id}-targets`, rows: targets, columns: [{ key: "kind", label: "Kind" }, { key: "id", label: "Target" }] });
    const rt = el("div");
    box.append(el("section", { class: "card" }, el("h2", { text: `Inputs it reaches (${r.reaches.length})` }),
      el("p", { class: "muted small", text: "certain: the rule's products cover the input; maybe: it depends on an attribute the input does not carry." }), rt));
    table(rt, { filename: `${r.id}-reaches`, rows: r.reaches.map((x) => ({ ...x, reach: x.certain ? "certain" : "maybe" })),
      onRow: (x) => { location.href = `/explorer?input=${encodeURIComponent(x.input)}`; },
      columns: [{ key: "input", label: "Id" }, { key: "name", label: "Input" }, { key: "reach", label: "Reach", render: (x) => el("span", { class: `badge ${x.reach}` }, x.reach) }] });
    if (r.gaps && r.gaps.length) box.append(el("section", { class: "card" }, el("h2", { text: "What the data cannot express (gaps)" }), el("ul", {}, r.gaps.map((g) => el("li", { text: g })))));
  });
})();
