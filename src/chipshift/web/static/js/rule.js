/* One rule: its fields, its source (with the quote) and what it reaches. */
"use strict";
(() => {
  const { el, $, get, table, figure } = CS;

  const OPS = { gte: "≥", gt: ">", lte: "≤", lt: "<", eq: "=" };
  const words = (list) => (list || []).join(", ");
  /* Places by name, their code after it ("China (CHN)"); products by name (filled in before the page is drawn). */
  let places = {}, products = {}, firms = {};
  const placeWords = (list) => words((list || []).map((c) => (places[c] && places[c] !== c ? `${places[c]} (${c})` : c)));
  /* Firms by their display names ("Micron Technology"), their id only without one. */
  const firmWords = (list) => words((list || []).map((f) => firms[f] || f));
  /* A coded value in words, with what it means from the vocabulary ("presumption of denial: licences exist but are
     expected to be refused"). */
  const coded = (code, meanings) => (code ? code.replace(/_/g, " ") + (meanings && meanings[code] ? `: ${meanings[code]}` : "") : null);
  /* A product's conditions in words: {tpp: {gte: 4800}} -> "tpp ≥ 4800". */
  const conditions = (where) => Object.entries(where || {}).map(([attribute, test]) =>
    Object.entries(test).map(([op, v]) => `${attribute.replace(/_/g, " ")} ${OPS[op] || op} ${v}`).join(" and ")).join(" and ");
  /* Who the rule binds, in words. */
  function sellersText(s) {
    if (!s) return null;
    const parts = [];
    if (s.hq_in && s.hq_in.length) parts.push(`firms headquartered in ${placeWords(s.hq_in)}`);
    if (s.firms && s.firms.length) parts.push(firmWords(s.firms));
    if (s.fdp) parts.push("foreign-made items within the foreign direct product rule");
    return parts.length ? parts.join("; ") : "every seller its kind implies (the imposer's firms, or the firm itself)";
  }
  /* Whom the rule cuts off, in words. */
  function targetsText(t) {
    if (!t) return null;
    const parts = [];
    if (t.countries && t.countries.length) parts.push(`buyers in ${placeWords(t.countries)}`);
    if (t.firms && t.firms.length) parts.push(`the parties ${firmWords(t.firms)}`);
    if (t.uncertain_firms && t.uncertain_firms.length) parts.push(`perhaps ${firmWords(t.uncertain_firms)}`);
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
    const vocab = await CS.vocabulary().catch(() => ({}));
    const codes = [r.imposed_by, ...((r.sellers || {}).hq_in || []), ...((r.targets || {}).countries || [])].filter(Boolean);
    places = Object.fromEntries(await Promise.all(codes.map(async (c) => [c, (r.names || {})[c] || await CS.placeName(c)])));
    firms = r.names || {};
    const reached = Object.fromEntries((r.reaches || []).map((x) => [x.input, x.name]));
    products = Object.fromEntries(await Promise.all((r.products || []).filter((p) => p.input !== "*").map(async (p) => [p.input,
      reached[p.input] || await get(`/inputs/${encodeURIComponent(p.input)}`, {}, { quiet: true }).then((d) => d.name, () => p.input)])));
    const box = $("#rule");
    document.title = `${r.id} · chipshift`;
    const card = el("section", { class: "card" }, el("h1", {}, `${r.id}: ${r.name}`), el("p", { text: r.summary }));
    const kv = el("dl", { class: "kv" });
    // a rule filed as an import ban with a fee is a duty or tax, as its words say; the filing's code after it
    field(kv, "Kind", r.kind_words === r.kind.replace(/_/g, " ") ? coded(r.kind, vocab.rule_kinds) : `${r.kind_words} (filed as ${r.kind.replace(/_/g, " ")} with a fee)`); field(kv, "Imposed by", placeWords([r.imposed_by]) || null); field(kv, "Authority", r.authority);
    field(kv, "Policy", coded(r.policy, vocab.policies)); field(kv, "Announced", r.announced); field(kv, "Effective", r.effective);
    field(kv, "Ended", r.ended); field(kv, "Status", coded(r.status, vocab.statuses));
    field(kv, "Products", (r.products || []).map((p) => (p.input === "*" ? "every item" : products[p.input] || p.input) + (p.where ? ` where ${conditions(p.where)}` : "")));
    field(kv, "Sellers", sellersText(r.sellers)); field(kv, "Targets", targetsText(r.targets));
    // each rule by its name, its id after it (the answer's rule_names)
    field(kv, "Relaxes", CS.ruleLinks(r.relaxes || [], r.rule_names, "; "));
    field(kv, "Relaxed by", CS.ruleLinks(r.relaxed_by || [], r.rule_names, "; "));
    // how it has held since its start, as the engine judges it: each change in words ("lifted by … on …")
    const changes = (r.standing || []).map((st) => st.note).filter(Boolean);
    if (changes.length) field(kv, "Standing", el("ul", {}, changes.map((c) => el("li", { text: c }))));
    // partial, defined where it is said (CS.TERMS)
    if (r.buyers_reach === "partial") field(kv, "Reach", `partial: ${r.buyers_note} (partial: ${CS.define("partial")})`);
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
    for (const x of targets) x.name = x.kind === "country" ? places[x.id] || x.id : x.kind === "segment" ? (vocab.segments || {})[x.id] || x.id : x.id;
    table(tt, { filename: `${r.id}-targets`, rows: targets, columns: [{ key: "kind", label: "Kind" }, { key: "id", label: "Target" }, { key: "name", label: "In words" }] });
    const rt = el("div");
    box.append(el("section", { class: "card" }, el("h2", { text: `Inputs it reaches (${r.reaches.length})` }),
      el("p", { class: "muted small", text: "The inputs its products cover (for a rule on named firms alone, only what those firms supply, as the data says). certain: the rule surely reaches the input and every buyer it targets; maybe: see why." }), rt));
    table(rt, { filename: `${r.id}-reaches`, rows: r.reaches,
      onRow: (x) => { location.href = `/explorer?input=${encodeURIComponent(x.input)}`; },
      columns: [{ key: "input", label: "Id" }, { key: "name", label: "Input" }, { key: "reach", label: "Reach", render: (x) => el("abbr", { class: `badge ${x.reach}`, title: CS.define(x.reach) }, x.reach) },
        { key: "note", label: "Why maybe", format: (v) => v || "" }] });
    if (r.gaps && r.gaps.length) box.append(el("section", { class: "card" }, el("h2", { text: "What the data cannot express (gaps)" }), el("ul", {}, r.gaps.map((g) => el("li", { text: g })))));
  });
})();
